// SPDX-License-Identifier: Apache-2.0
// The consumer's int8 program: tiny_model.json exported with ugrad_export_model(... INT8
// CALIBRATION tiny_calibration.csv): forward and dJ/dx in integers, printed so that the builds
// (CMake subdirectory, installed package, pkg-config) can be compared exactly.
#include <stdio.h>

#include <ugrad/q8/q8.hpp>

#include "tiny_q8.hpp"

int main() {
    // c_i = round(x_i/s_i) + z_i for x = (0.3, -0.7), with the exported per-feature scales
    const double x[2] = {0.3, -0.7};
    int8_t codes[2];
    for (size_t i = 0; i < 2; ++i) {
        const double c = x[i] / tiny_q8_input_scale[i] + tiny_q8_input_zero_point[i];
        const long rounded = static_cast<long>(c < 0 ? c - 0.5 : c + 0.5);
        codes[i] = static_cast<int8_t>(rounded < -128 ? -128 : rounded > 127 ? 127 : rounded);
    }
    decltype(tiny_q8)::Activations act;
    ugrad::q8::InputGradient<2> dx{};
    if (ugrad::q8::forward(tiny_q8, codes, act) != ugrad::Status::ok) return 1;
    if (ugrad::q8::input_gradient(tiny_q8, act, 1, dx) != ugrad::Status::ok) return 1;
    const int32_t(&y)[2] = ugrad::q8::outputs(act);
    printf("int8: codes %d %d  y %ld %ld  dx %ld %ld * 2^%ld\n", codes[0], codes[1], static_cast<long>(y[0]),
           static_cast<long>(y[1]), static_cast<long>(dx.code[0]), static_cast<long>(dx.code[1]),
           static_cast<long>(dx.exponent));
    return 0;
}
