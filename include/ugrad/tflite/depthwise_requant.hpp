// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/depthwise_requant.hpp — what DEPTHWISE_CONV_2D reads besides its input: the weights as
// int16 pairs and each channel's bias and requantization, precomputed by the exporter for the kernel.
//
// Weights: w[t][c] (tap t = ky·KW + kx, TFLite's int8 [1][KH][KW][C]) as int16 pairs in int32 words,
// weights[t][B][2] with B = ceil(C / 4) blocks of four channels (the last padded with zeros):
//   weights[t][b][0] = (w[t][4b], w[t][4b + 2]),  weights[t][b][1] = (w[t][4b + 1], w[t][4b + 3])
// (low half first): what SXTB16 and SXTB16 ROR #8 make of the four int8 weights, so the Armv7E-M tap
// loads them (one LDRD) without expanding them. depthwise_weight reads one back; the backward uses it.
//
// Channel c: y = clamp(output_zero_point + multiply_by_quantized_multiplier(acc, m[c], s[c]),
// activation_min, activation_max) with acc = bias[c] + Σ x·w over the window's taps (raw int8 codes,
// bias[c] = the model's bias − input_zero_point·Σw[c]: weighted_layer.hpp), m, s as TFLite computes them
// (fixed_point.hpp). `requant` holds, per block of four channels (b = c / 4, j = c mod 4; the last block
// padded with zeros to four), twelve int32: requant[12b + j] = bias[c], requant[12b + 4 + 2j] = M[c],
// requant[12b + 5 + 2j] = E[c] (a channel's M and E adjacent: one LDRD), where
//   RightShift (every s < 0, and |bias| + KH·KW·2^14 < 2^31 − 2^9: the exporter checks both and says so
//   in the kernel's template argument): M = 2m − 2^32 (m << 1 wrapped to int32), E = −s − 1 (= ~s);
//   otherwise M = m, E = s.
// So a block's bias, M and E are one base register's offsets, and the RightShift requantization needs
// neither the LSL before SMMLAR nor the MVN of the shift (requantize_doubled.hpp).
#pragma once

#include <stdint.h>

#include <ugrad/tflite/requantize_doubled.hpp>

namespace ugrad::tflite {

struct DepthwiseLayer {
    const int32_t* weights;  // [KH·KW][ceil(C / 4)][2]: int16 pairs (see above)
    const int32_t* requant;  // [ceil(C / 4)][12]: 4 biases, then (M, E) 4 times, per block of four channels
    int32_t input_zero_point;
    int32_t output_zero_point;
    int32_t activation_min;
    int32_t activation_max;
};

// w[t][c] from the pairs: word 2·(t·B + c / 4) + (c mod 2), its high half for c mod 4 >= 2.
template <int C>
inline int32_t depthwise_weight(const int32_t* weights, int t, int c) noexcept {
    constexpr int B = (C + 3) / 4;
    const int32_t word = weights[2 * (t * B + c / 4) + (c & 1)];
    return (c & 2) ? word >> 16 : int32_t(uint32_t(word) << 16) >> 16;
}

// The int8 output of one channel from acc = bias + Σ x·w, its M and E, and k = 2·output_zero_point + 1
// (requantize_doubled.hpp, with taps = KH·KW). tests/tflite/fixed_point_runner.cpp ("dwrq") checks it.
template <bool RightShift, bool FullRange>
inline int8_t requantize_depthwise(int32_t acc, int32_t M, int32_t E, int32_t k, const DepthwiseLayer& p) noexcept {
    return requantize_doubled<RightShift, FullRange>(acc, M, E, k, p.output_zero_point, p.activation_min,
                                                     p.activation_max);
}

}  // namespace ugrad::tflite
