// SPDX-License-Identifier: Apache-2.0
// ugrad/q8/to_float.hpp — host side: the int8 path's integer results as floating point, for
// reports and comparisons. Not for the device path (it computes in double); include it only
// where floating point is wanted.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/q8/network.hpp>

namespace ugrad::q8 {

// 2^e as a double, exactly, for |e| < 1000 (no libm).
inline double power_of_two(int32_t e) noexcept {
    double p = 1.0;
    for (; e > 0; --e) p *= 2.0;
    for (; e < 0; ++e) p *= 0.5;
    return p;
}

// dJ/dx_i = code_i·2^exponent / s_x, s_x the input's scale (x = s_x·(c − z)).
template <size_t In>
void to_float(const InputGradient<In>& dx, double input_scale, double (&out)[In]) noexcept {
    const double unit = power_of_two(dx.exponent) / input_scale;
    for (size_t i = 0; i < In; ++i) out[i] = static_cast<double>(dx.code[i]) * unit;
}

// dJ/dx_i = code_i·2^exponent / s_i with a scale per input feature (the exporter's int8 models:
// NAME_input_scale [In]).
template <size_t In>
void to_float(const InputGradient<In>& dx, const double (&input_scale)[In], double (&out)[In]) noexcept {
    const double unit = power_of_two(dx.exponent);
    for (size_t i = 0; i < In; ++i) out[i] = static_cast<double>(dx.code[i]) * unit / input_scale[i];
}

// ŷ as real numbers: Q15 (Softmax, Logistic) or Q12 (Linear).
template <class Head, size_t Out>
void outputs_to_float(const int32_t (&y)[Out], double (&out)[Out]) noexcept {
    const double unit = power_of_two(HeadScale<Head>::output_exponent);
    for (size_t k = 0; k < Out; ++k) out[k] = static_cast<double>(y[k]) * unit;
}

}  // namespace ugrad::q8
