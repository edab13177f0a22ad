// SPDX-License-Identifier: Apache-2.0
// cnn_digits_check.cpp — the exported digits CNN (build/cnn/cnn_digits.hpp, `make cnn-digits`) run by
// ugrad in float on the test digits: for each, forward, the predicted class and dJ/dx for its label.
//
// Reads tools/train/cnn_digits.py's test.txt on standard input (N, then per digit 64 inputs in HWC
// order, the label and torch's dJ/dx, which this program skips) and prints one line per digit:
// the status (0 when forward and input_gradient both say ok), the argmax of ŷ and dJ/dx [64], each
// value as a hex float (%a, exact). tools/train/cnn_digits.py report turns that into the figures.
#include <stdio.h>
#include <stdlib.h>

#include <type_traits>

#include <ugrad/ugrad.hpp>

#include "cnn_digits.hpp"

namespace {

using Net = std::remove_const<decltype(cnn_digits)>::type;
static_assert(Net::inputs == 64 && Net::outputs == 10, "8×8 digits in, 10 classes out");

bool read(double& v) {
    char token[128];
    if (scanf("%127s", token) != 1) return false;
    char* end = nullptr;
    v = strtod(token, &end);
    return *end == '\0';
}

}  // namespace

int main() {
    long n = 0;
    if (scanf("%ld", &n) != 1 || n <= 0) return 2;
    static Net::Activations act;
    for (long s = 0; s < n; ++s) {
        float x[64], dx[64];
        double v = 0, label = 0;
        for (float& xi : x) {
            if (!read(v)) return 2;
            xi = static_cast<float>(v);
        }
        if (!read(label) || label < 0 || label > 9) return 2;
        for (int i = 0; i < 64; ++i)
            if (!read(v)) return 2;  // torch's dJ/dx, for the report
        const ugrad::Status f = ugrad::forward(cnn_digits, x, act);
        const ugrad::Status g = ugrad::input_gradient(cnn_digits, act, static_cast<size_t>(label), dx);
        const float* p = ugrad::outputs(act);
        size_t best = 0;
        for (size_t k = 1; k < 10; ++k)
            if (p[k] > p[best]) best = k;
        printf("%d %zu", f == ugrad::Status::ok && g == ugrad::Status::ok ? 0 : 1, best);
        for (float d : dx) printf(" %a", static_cast<double>(d));
        printf("\n");
    }
    return 0;
}
