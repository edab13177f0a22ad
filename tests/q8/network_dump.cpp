// SPDX-License-Identifier: Apache-2.0
// tests/q8/network_dump.cpp — make q8-quantize-check: one int8 model written by the exporter
// (tools/quantize.py, any stack and head), compiled in (-DMODEL_HEADER='"name.hpp"' -DMODEL=name),
// run on the rows of standard input, one per line: the In input codes, '|', then the label (Softmax,
// Logistic) or the Out target codes (Linear). Prints per row the ŷ codes, then dx.exponent and
// dx.code, in the format tests/q8/network_check.py prints from tools/q8_model.py.
#include <stdio.h>

#include <type_traits>

#include MODEL_HEADER

int main() {
    using Net = std::remove_cv_t<decltype(MODEL)>;
    constexpr size_t In = Net::inputs, Out = Net::outputs;
    constexpr bool linear = std::is_same_v<typename Net::head, ugrad::Linear>;
    for (size_t row = 0;; ++row) {
        int8_t x[In];
        for (size_t i = 0; i < In; ++i) {
            long c = 0;
            if (scanf("%ld", &c) != 1) return row > 0 && i == 0 ? 0 : 1;
            if (c < -128 || c > 127) return 1;
            x[i] = static_cast<int8_t>(c);
        }
        if (scanf(" |") != 0) return 1;
        typename Net::Activations act;
        ugrad::q8::InputGradient<In> dx{};
        if (ugrad::q8::forward(MODEL, x, act) != ugrad::Status::ok) return 1;
        if constexpr (linear) {
            int32_t target[Out];
            for (size_t k = 0; k < Out; ++k) {
                long t = 0;
                if (scanf("%ld", &t) != 1) return 1;
                target[k] = static_cast<int32_t>(t);
            }
            if (ugrad::q8::input_gradient(MODEL, act, target, dx) != ugrad::Status::ok) return 1;
        } else {
            unsigned long label = 0;
            if (scanf("%lu", &label) != 1) return 1;
            if (ugrad::q8::input_gradient(MODEL, act, static_cast<size_t>(label), dx) != ugrad::Status::ok) return 1;
        }
        for (int32_t y : ugrad::q8::outputs(act)) printf("%ld ", static_cast<long>(y));
        printf("| %ld |", static_cast<long>(dx.exponent));
        for (int32_t c : dx.code) printf(" %ld", static_cast<long>(c));
        printf("\n");
    }
}
