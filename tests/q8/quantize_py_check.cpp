// SPDX-License-Identifier: Apache-2.0
// tests/q8/quantize_py_check.cpp — make q8-quantize-check: the header tools/quantize.py writes for
// the bundled digits model (build/q8/digits_q8.hpp) holds exactly what the specs' quantizer
// (tests/q8_quantize.hpp) computes, code for code; the calibration is the training split's pixels/16.
// With the argument `dump`, prints for each of the 360 test digits (data/digits.csv, line i with
// i % 5 == 0) the ŷ codes, then dx.exponent and dx.code for the digit's label, one line each:
// tests/q8/q8_model_dump.py prints the same from tools/q8_model.py (the exporter's report).
#include <stdio.h>
#include <string.h>

#include <vector>

#include "../../examples/demo/digits_model.hpp"
#include "../../tools/train/digits_csv.hpp"
#include "../q8_quantize.hpp"
#include "digits_q8.hpp"  // build/q8/digits_q8.hpp

namespace {

int dump() {
    std::vector<train::Sample> train_set, test_set;
    if (!train::read_digits("data/digits.csv", train_set, test_set)) return 1;
    const test::InputQuantization input{digits_q8_input_scale, digits_q8.input_zero_point};
    for (const train::Sample& s : test_set) {
        int8_t x[64];
        for (size_t i = 0; i < 64; ++i) x[i] = input.code(static_cast<double>(s.pixel[i]) / 16.0);
        decltype(digits_q8)::Activations act;
        ugrad::q8::InputGradient<64> dx{};
        if (ugrad::q8::forward(digits_q8, x, act) != ugrad::Status::ok ||
            ugrad::q8::input_gradient(digits_q8, act, s.label, dx) != ugrad::Status::ok)
            return 1;
        for (int32_t y : ugrad::q8::outputs(act)) printf("%ld ", static_cast<long>(y));
        printf("| %ld |", static_cast<long>(dx.exponent));
        for (int32_t c : dx.code) printf(" %ld", static_cast<long>(c));
        printf("\n");
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 2 && strcmp(argv[1], "dump") == 0) return dump();
    static test::Q8Mlp<64, 32, 10> q;
    const test::InputQuantization input = test::input_quantization(0.0, 1.0);
    test::quantize(digits_model, input, q);
    const bool same = memcmp(&q.layers, &digits_q8.layers, sizeof q.layers) == 0 &&
                      q.input_zero_point == digits_q8.input_zero_point && input.scale == digits_q8_input_scale;
    printf("q8-quantize-check: tools/quantize.py and tests/q8_quantize.hpp %s on the digits model\n",
           same ? "agree code for code" : "DIFFER");
    return same ? 0 : 1;
}
