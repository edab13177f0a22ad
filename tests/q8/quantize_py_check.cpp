// tests/q8/quantize_py_check.cpp — make q8-quantize-check: the header tools/quantize.py writes for
// the bundled digits model (build/q8/digits_q8.hpp) holds exactly what the specs' quantizer
// (tests/q8_quantize.hpp) computes, code for code; the calibration is the training split's pixels/16.
#include <stdio.h>
#include <string.h>

#include "../../examples/demo/digits_model.hpp"
#include "../q8_quantize.hpp"
#include "digits_q8.hpp"  // build/q8/digits_q8.hpp

int main() {
    static test::Q8Mlp<64, 32, 10> q;
    const test::InputQuantization input = test::input_quantization(0.0, 1.0);
    test::quantize(digits_model, input, q);
    const bool same = memcmp(&q.layers, &digits_q8.layers, sizeof q.layers) == 0 &&
                      q.input_zero_point == digits_q8.input_zero_point && input.scale == digits_q8_input_scale;
    printf("q8-quantize-check: tools/quantize.py and tests/q8_quantize.hpp %s on the digits model\n",
           same ? "agree code for code" : "DIFFER");
    return same ? 0 : 1;
}
