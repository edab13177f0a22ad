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
// neither the LSL before SMMLAR nor the MVN of the shift (requantize_depthwise below).
#pragma once

#include <stdint.h>

#include <ugrad/tflite/fixed_point.hpp>

#if defined(__ARM_FEATURE_DSP)
#include <ugrad/tflite/armv7em.hpp>
#endif

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

// floor((x·2m + 2^31) / 2^32) = floor((x·m + 2^30) / 2^31) = high_mul_positive(x, m), from M = 2m − 2^32:
// on Armv7E-M SMMLAR(x, M, x) = floor((x·2^32 + x·M + 2^31) / 2^32) (fixed_point.hpp's proof, without
// its LSL); elsewhere the 64-bit product with 2m = uint32(M) (2m < 2^32, so x·2m fits int64).
inline int32_t high_mul_doubled(int32_t x, int32_t doubled) noexcept {
#if defined(__ARM_FEATURE_DSP)
    return armv7em::smmlar(x, doubled, x);
#else
    return int32_t((int64_t(x) * int64_t(uint32_t(doubled)) + (int64_t(1) << 31)) >> 32);
#endif
}

// The int8 output of one channel from acc = bias + Σ x·w, its M and E, and k = 2·output_zero_point + 1.
// RightShift: y = clamp(((t >> E) + k) >> 1) with h = high_mul_doubled(acc, M), t = h − [h < 0]. Proof:
// h = high_mul_positive(acc, m) (above), and rounding_divide_by_pot_1_31(h, −s) = ((t >> (−s − 1)) + 1) >> 1
// (fixed_point.hpp), −s − 1 = E; for integers a and z, floor((a + 2z)/2) = floor(a/2) + z, so
// ((T + 1) >> 1) + zp = (T + 1 + 2·zp) >> 1 = (T + k) >> 1 with T = t >> E: the zero point costs no add
// of its own. In range: |h| <= |acc| (m < 2^31), |T| <= |t| <= |acc| + 1 and |acc| <= |bias| + KH·KW·2^14
// < 2^31 − 2^9 (the exporter's check) while |k| <= 255, so T + k does not wrap. With FullRange the
// clamp to [−128, 127] and the last shift are one SSAT #8 with ASR #1 on Armv7E-M.
// Otherwise (some s >= 0) multiply_by_quantized_multiplier(acc, M, E) + zp, clamped.
// tests/tflite/fixed_point_runner.cpp ("dwrq") checks it against TFLite's formula.
template <bool RightShift, bool FullRange>
inline int8_t requantize_depthwise(int32_t acc, int32_t M, int32_t E, int32_t k, const DepthwiseLayer& p) noexcept {
    int32_t v;
    if constexpr (RightShift) {
        const int32_t h = high_mul_doubled(acc, M);
        // cppcheck-suppress shiftTooManyBitsSigned ; arithmetic shift of the sign: −1 for h < 0, else 0
        const int32_t t = h + (h >> 31);  // h − [h < 0]
#if defined(__ARM_FEATURE_DSP)
        if constexpr (FullRange) return int8_t(armv7em::ssat8_asr1((t >> E) + k));
#endif
        v = ((t >> E) + k) >> 1;
    } else {
        v = multiply_by_quantized_multiplier(acc, M, E) + p.output_zero_point;
    }
    const int32_t lo = FullRange ? -128 : p.activation_min, hi = FullRange ? 127 : p.activation_max;
    if (v < lo) v = lo;
    if (v > hi) v = hi;
    return int8_t(v);
}

}  // namespace ugrad::tflite
