// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/requantize_doubled.hpp — one output channel's requantization in the kernels' cheaper
// form: the accumulator already holding the bias, the multiplier doubled, the shift complemented and the
// output zero point folded into the rounding. DEPTHWISE_CONV_2D (depthwise_requant.hpp), CONV_2D and
// FULLY_CONNECTED (weighted_layer.hpp) all end here; the exporter stores M and E for each.
//
// y = clamp(output_zero_point + multiply_by_quantized_multiplier(acc, m, s), lo, hi) (fixed_point.hpp),
// acc = bias + Σ x·w, from M, E and k = 2·output_zero_point + 1 where
//   RightShift (every s < 0, and |bias| + taps·2^14 < 2^31 − 2^9, taps the int8 products in acc: the
//   exporter checks both and says so in the kernel's template argument): M = 2m − 2^32 (m << 1 wrapped
//   to int32), E = −s − 1 (= ~s); otherwise M = m, E = s.
#pragma once

#include <stdint.h>

#include <ugrad/tflite/fixed_point.hpp>

#if defined(__ARM_FEATURE_DSP)
#include <ugrad/tflite/armv7em.hpp>
#endif

namespace ugrad::tflite {

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

// RightShift: y = clamp(((t >> E) + k) >> 1) with h = high_mul_doubled(acc, M), t = h − [h < 0]. Proof:
// h = high_mul_positive(acc, m) (above), and rounding_divide_by_pot_1_31(h, −s) = ((t >> (−s − 1)) + 1) >> 1
// (fixed_point.hpp), −s − 1 = E; for integers a and z, floor((a + 2z)/2) = floor(a/2) + z, so
// ((T + 1) >> 1) + zp = (T + 1 + 2·zp) >> 1 = (T + k) >> 1 with T = t >> E: the zero point costs no add
// of its own. In range: |h| <= |acc| (m < 2^31), |T| <= |t| <= |acc| + 1 and |acc| <= |bias| + taps·2^14
// < 2^31 − 2^9 (the exporter's check) while |k| <= 255, so T + k does not wrap. With FullRange
// ([lo, hi] = [−128, 127]) the clamp and the last shift are one SSAT #8 with ASR #1 on Armv7E-M.
// Otherwise (some s >= 0) multiply_by_quantized_multiplier(acc, M, E) + zp, clamped (FullRange: one SSAT).
// tests/tflite/fixed_point_runner.cpp ("dwrq") checks it against TFLite's formula.
template <bool RightShift, bool FullRange>
__attribute__((always_inline)) inline int8_t requantize_doubled(int32_t acc, int32_t M, int32_t E, int32_t k,
                                                                int32_t zp, int32_t lo, int32_t hi) noexcept {
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
        v = multiply_by_quantized_multiplier(acc, M, E) + zp;
#if defined(__ARM_FEATURE_DSP)
        if constexpr (FullRange) return int8_t(armv7em::ssat8(v));
#endif
    }
    if constexpr (FullRange) {
        lo = -128;
        hi = 127;
    }
    if (v < lo) v = lo;
    if (v > hi) v = hi;
    return int8_t(v);
}

}  // namespace ugrad::tflite
