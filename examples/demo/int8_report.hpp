// SPDX-License-Identifier: Apache-2.0
// int8_report.hpp — the demo's int8 side: the bundled model quantized by tools/quantize.py
// (build/demo/digits_q8.hpp, from the training digits as calibration): its dJ/dx for a shown digit,
// and one line against the float model on every test digit: accuracy, agreement of the predicted
// class, the largest |ŷ_int8 − ŷ_float|.
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <ugrad/q8/q8.hpp>
#include <ugrad/ugrad.hpp>

#include "classification.hpp"

namespace demo {

// c = round(x/s_x) + z_x for x = pixel/16 >= 0.
template <class Q8Net>
void int8_codes(const Q8Net& q8net, double input_scale, const float (&x)[pixels], int8_t (&codes)[pixels]) {
    for (size_t i = 0; i < pixels; ++i)
        codes[i] = static_cast<int8_t>(static_cast<int32_t>(static_cast<double>(x[i]) / input_scale + 0.5) +
                                       q8net.input_zero_point);
}

// The int8 model's class and dJ/dx (true label) for a classified digit: dJ/dx_i = code_i·2^e/s_x.
template <class Q8Net>
void add_int8_gradient(const Q8Net& q8net, double input_scale, Classification& c) {
    int8_t codes[pixels];
    int8_codes(q8net, input_scale, c.x, codes);
    typename Q8Net::Activations act;
    ugrad::q8::InputGradient<pixels> dx{};
    if (ugrad::q8::forward(q8net, codes, act) != ugrad::Status::ok ||
        ugrad::q8::input_gradient(q8net, act, c.label, dx) != ugrad::Status::ok) {
        c.status = ugrad::Status::label_out_of_range;  // cannot happen for labels 0..9
        return;
    }
    const int32_t* y = ugrad::q8::outputs(act);
    c.predicted_int8 = 0;
    for (size_t k = 1; k < classes; ++k)
        if (y[k] > y[c.predicted_int8]) c.predicted_int8 = k;
    double unit = 1.0 / input_scale;
    for (int32_t e = dx.exponent; e > 0; --e) unit *= 2.0;
    for (int32_t e = dx.exponent; e < 0; ++e) unit *= 0.5;
    for (size_t i = 0; i < pixels; ++i) c.dx_int8[i] = static_cast<float>(static_cast<double>(dx.code[i]) * unit);
}


template <class Q8Net, size_t Hidden>
void print_int8_comparison(const Q8Net& q8net, double input_scale, const ugrad::Mlp<pixels, Hidden, classes>& net,
                           const uint8_t (*images)[pixels], const uint8_t* labels, size_t count) {
    unsigned correct = 0, agree = 0;
    double largest_difference = 0.0;
    for (size_t s = 0; s < count; ++s) {
        float x[pixels];
        int8_t codes[pixels];
        for (size_t i = 0; i < pixels; ++i) x[i] = static_cast<float>(images[s][i]) / 16.0f;
        int8_codes(q8net, input_scale, x, codes);
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
