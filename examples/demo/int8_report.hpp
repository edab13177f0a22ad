// int8_report.hpp — the demo's int8 line: the bundled model quantized by tools/quantize.py
// (build/demo/digits_q8.hpp, from the training digits as calibration) against the float model on
// every test digit: accuracy, agreement of the predicted class, the largest |ŷ_int8 − ŷ_float|.
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <ugrad/q8/q8.hpp>
#include <ugrad/ugrad.hpp>

#include "classification.hpp"

namespace demo {

template <class Q8Net, size_t Hidden>
void print_int8_comparison(const Q8Net& q8net, double input_scale, const ugrad::Mlp<pixels, Hidden, classes>& net,
                           const uint8_t (*images)[pixels], const uint8_t* labels, size_t count) {
    unsigned correct = 0, agree = 0;
    double largest_difference = 0.0;
    for (size_t s = 0; s < count; ++s) {
        float x[pixels];
        int8_t codes[pixels];
        for (size_t i = 0; i < pixels; ++i) {
            x[i] = static_cast<float>(images[s][i]) / 16.0f;
            // c = round(x/s_x) + z_x; x >= 0
            codes[i] = static_cast<int8_t>(static_cast<int32_t>(static_cast<double>(x[i]) / input_scale + 0.5) +
                                           q8net.input_zero_point);
        }
        ugrad::Activations<pixels, Hidden, classes> act;
        typename Q8Net::Activations qact;
        if (ugrad::forward(net, x, act) != ugrad::Status::ok || ugrad::q8::forward(q8net, codes, qact) != ugrad::Status::ok)
            continue;
        const int32_t* y = ugrad::q8::outputs(qact);
        size_t predicted_float = 0, predicted_int8 = 0;
        for (size_t k = 0; k < classes; ++k) {
            if (act.probs[k] > act.probs[predicted_float]) predicted_float = k;
            if (y[k] > y[predicted_int8]) predicted_int8 = k;
            const double difference = static_cast<double>(y[k]) / 32768.0 - static_cast<double>(act.probs[k]);
            const double magnitude = difference < 0 ? -difference : difference;
            if (magnitude > largest_difference) largest_difference = magnitude;
        }
        correct += predicted_int8 == labels[s];
        agree += predicted_int8 == predicted_float;
    }
    printf("int8 model (tools/quantize.py, %u B of weights, integer arithmetic only): %u of %u correct (%.1f%%), "
           "the float model's class on %u, max |y_int8 - y_float| %.4f\n",
           unsigned(sizeof(Q8Net)), correct, unsigned(count), 100.0 * correct / static_cast<double>(count), agree,
           largest_difference);
}

}  // namespace demo
