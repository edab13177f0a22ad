// SPDX-License-Identifier: Apache-2.0
// ugrad: host-only
// Specs: the int8 path against the float path of the same model — the bundled digits model
// (examples/demo/digits_model.hpp) quantized by tests/q8_quantize.hpp, on the 360 test digits of
// data/digits.csv (line i with i % 5 == 0, as make demo): the accuracy contract, over all 360
// digits (none left out: a digit the model is sure of, whose Q15 ŷ is the one-hot label, still has
// its int8 dJ/dx).
#include <doctest/doctest.h>

#include <stdio.h>

#include <algorithm>
#include <cmath>
#include <vector>

#include <ugrad/q8/to_float.hpp>

#include "../examples/demo/digits_model.hpp"
#include "../tools/train/digits_csv.hpp"
#include "nan_aware.hpp"
#include "q8_quantize.hpp"

namespace {

using Q8 = test::Q8Mlp<64, 32, 10>;

struct Comparison {
    size_t n = 0, float_correct = 0, q8_correct = 0, agree = 0;
    double max_output_error = 0;
    std::vector<double> cosines;  // over every test digit
    size_t blank = 0;             // digits whose int8 dJ/dx is all 0 where the float one is not
    size_t saturated = 0;         // digits whose int8 ŷ (Q15) is exactly the one-hot label
};

template <size_t N, typename T>
size_t argmax(const T (&v)[N]) {
    size_t best = 0;
    for (size_t k = 1; k < N; ++k)
        if (v[k] > v[best]) best = k;
    return best;
}

double percentile(std::vector<double> v, double p) {
    std::sort(v.begin(), v.end());
    const size_t i = static_cast<size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
    return v[i];
}

Comparison compare_on_test_digits(Q8& q8net, test::InputQuantization& input) {
    std::vector<train::Sample> train_set, test_set;
    REQUIRE_MESSAGE(train::read_digits("data/digits.csv", train_set, test_set), "run from the repository root");
    // Calibration: the range of the training inputs (pixels/16).
    double lo = 1e9, hi = -1e9;
    for (const auto& s : train_set)
        for (uint8_t p : s.pixel) {
            lo = std::min(lo, p / 16.0);
            hi = std::max(hi, p / 16.0);
        }
    input = test::input_quantization(lo, hi);
    test::quantize(digits_model, input, q8net);

    Comparison c;
    for (const auto& s : test_set) {
        float x[64];
        int8_t xq[64];
        for (size_t i = 0; i < 64; ++i) {
            x[i] = static_cast<float>(s.pixel[i]) / 16.0f;
            xq[i] = input.code(static_cast<double>(s.pixel[i]) / 16.0);
        }
        ugrad::Activations<64, 32, 10> act;
        float dx[64];
        REQUIRE(ugrad::forward(digits_model, x, act) == ugrad::Status::ok);
        REQUIRE(ugrad::input_gradient(digits_model, act, s.label, dx) == ugrad::Status::ok);

        Q8::Activations qact;
        ugrad::q8::InputGradient<64> qdx{};
        REQUIRE(ugrad::q8::forward(q8net, xq, qact) == ugrad::Status::ok);
        REQUIRE(ugrad::q8::input_gradient(q8net, qact, s.label, qdx) == ugrad::Status::ok);
        double y[10], dxq[64];
        ugrad::q8::outputs_to_float<ugrad::Softmax>(ugrad::q8::outputs(qact), y);
        ugrad::q8::to_float(qdx, input.scale, dxq);

        ++c.n;
        const size_t pf = argmax(act.probs), pq = argmax(y);
        c.float_correct += pf == s.label;
        c.q8_correct += pq == s.label;
        c.agree += pf == pq;
        for (size_t k = 0; k < 10; ++k)
            c.max_output_error = test::worse_error(c.max_output_error, std::fabs(y[k] - static_cast<double>(act.probs[k])));
        double dot = 0, nf = 0, nq = 0;
        for (size_t i = 0; i < 64; ++i) {
            dot += static_cast<double>(dx[i]) * dxq[i];
            nf += static_cast<double>(dx[i]) * static_cast<double>(dx[i]);
            nq += dxq[i] * dxq[i];
        }
        if (nq == 0 && nf > 0) ++c.blank;
        c.saturated += ugrad::q8::outputs(qact)[s.label] == 32768;
        const double cosine = nf > 0 && nq > 0 ? dot / std::sqrt(nf * nq) : 0.0;
        c.cosines.push_back(test::worse_score(cosine, cosine));  // a NaN cosine: −inf, the worst
    }
    return c;
}

}  // namespace

TEST_CASE("the int8 digits model keeps the float model's accuracy, outputs and input gradients on every test digit, confident ones included") {
    static Q8 q8net;
    test::InputQuantization input{};
    const Comparison c = compare_on_test_digits(q8net, input);
    REQUIRE(c.n == 360);
    const double float_accuracy = 100.0 * static_cast<double>(c.float_correct) / static_cast<double>(c.n);
    const double q8_accuracy = 100.0 * static_cast<double>(c.q8_correct) / static_cast<double>(c.n);
    const double agreement = 100.0 * static_cast<double>(c.agree) / static_cast<double>(c.n);
    const double median = percentile(c.cosines, 0.5), p5 = percentile(c.cosines, 0.05);
    printf("q8 digits: accuracy float %.1f%%, int8 %.1f%%; argmax agreement %.1f%%; max |y_int8 - y_float| %.4f; "
           "dJ/dx cosine median %.4f, 5th percentile %.4f, minimum %.4f over all %zu digits (%zu with the int8 y exactly "
           "the one-hot label; %zu blank int8 maps)\n",
           float_accuracy, q8_accuracy, agreement, c.max_output_error, median, p5, percentile(c.cosines, 0.0),
           c.cosines.size(), c.saturated, c.blank);
    CHECK(std::fabs(q8_accuracy - float_accuracy) <= 1.0);
    CHECK(agreement >= 99.0);
    CHECK(c.max_output_error <= 0.02);
    CHECK(c.cosines.size() == c.n);  // no digit left out
    CHECK(c.blank == 0);
    CHECK(median >= 0.99);
    CHECK(p5 >= 0.95);
}
