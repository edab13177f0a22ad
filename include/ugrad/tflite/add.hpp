// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/add.hpp — TFLite's int8 ADD of two tensors of the same shape, with its rescaling.
//
// Both inputs are brought to a common scale 2·max(scale_a, scale_b) with 20 bits of headroom, added,
// and requantized to the output (multipliers and shifts from the exporter, as TFLite's Prepare makes
// them: a_multiplier ≈ scale_a / (2·max), b_multiplier ≈ scale_b / (2·max),
// output_multiplier ≈ 2·max / (2^20·scale_out)):
//   a' = mbqm((a[i] − a_zero_point)·2^20, a_multiplier, a_shift),  b' likewise,
//   y[i] = clamp(output_zero_point + mbqm(a' + b', output_multiplier, output_shift), min, max)
// for i < N (mbqm: multiply_by_quantized_multiplier). y may be a or b (element by element).
#pragma once

#include <stdint.h>

#include <ugrad/tflite/fixed_point.hpp>

namespace ugrad::tflite {

struct AddQuantization {
    int32_t a_zero_point, a_multiplier, a_shift;
    int32_t b_zero_point, b_multiplier, b_shift;
    int32_t output_zero_point, output_multiplier, output_shift;
    int32_t activation_min, activation_max;
};

constexpr int32_t add_left_shift = 20;

template <int N>
inline void add(const int8_t* a, const int8_t* b, const AddQuantization& q, int8_t* y) noexcept {
    for (int i = 0; i < N; ++i) {
        const int32_t sa = (int32_t(a[i]) - q.a_zero_point) * (int32_t(1) << add_left_shift);
        const int32_t sb = (int32_t(b[i]) - q.b_zero_point) * (int32_t(1) << add_left_shift);
        const int32_t ra = multiply_by_quantized_multiplier(sa, q.a_multiplier, q.a_shift);
        const int32_t rb = multiply_by_quantized_multiplier(sb, q.b_multiplier, q.b_shift);
        int32_t v = multiply_by_quantized_multiplier(ra + rb, q.output_multiplier, q.output_shift) +
                    q.output_zero_point;
        if (v < q.activation_min) v = q.activation_min;
        if (v > q.activation_max) v = q.activation_max;
        y[i] = int8_t(v);
    }
}

}  // namespace ugrad::tflite
