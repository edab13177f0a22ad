// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/fixed_point.hpp — TFLite's integer requantization, rounding for rounding.
//
// A real factor f is held, as TFLite holds it, as a multiplier m ∈ [2^30, 2^31) and a shift s with
// f ≈ m·2^(s − 31) (computed once from the scales in double precision: frexp, m = round-half-away(q·2^31);
// the exporter writes m and s as integers). Applying it to an int32 x rounds twice, as TFLite does:
//   saturating_rounding_doubling_high_mul(a, b) = round(a·b / 2^31), ties toward +∞,
//                                                 INT32_MIN·INT32_MIN saturating to INT32_MAX;
//   rounding_divide_by_pot(x, e)                = round(x / 2^e), ties away from zero;
//   multiply_by_quantized_multiplier(x, m, s)   = rounding_divide_by_pot(
//       saturating_rounding_doubling_high_mul(x·2^max(s, 0), m), max(−s, 0)),
// the left shift wrapping in 32 bits as TFLite's int32 product does in practice.
// Right shifts of negative integers are arithmetic (floor): what g++ and clang++ define.
#pragma once

#include <stdint.h>

#if defined(__ARM_FEATURE_DSP)
#include <ugrad/tflite/armv7em.hpp>
#endif

namespace ugrad::tflite {

// TFLite's SaturatingRoundingDoublingHighMul: (a·b + nudge) / 2^31 truncated toward zero, the nudge
// 2^30 for a·b >= 0 and 1 − 2^30 below, i.e. round(a·b / 2^31) with ties toward +∞. For a·b < 0,
// truncating (a·b + 1 − 2^30)/2^31 is ceil((a·b + 1 − 2^30)/2^31) = floor((a·b + 2^30)/2^31), the
// same floor as for a·b >= 0: one 64-bit add and an arithmetic shift for either sign.
// INT32_MIN·INT32_MIN (2^62, whose quotient 2^31 does not fit) saturates to INT32_MAX.
inline int32_t saturating_rounding_doubling_high_mul(int32_t a, int32_t b) noexcept {
    if (a == INT32_MIN && b == INT32_MIN) return INT32_MAX;
    const int64_t ab = int64_t(a) * int64_t(b);
    return int32_t((ab + (int64_t(1) << 30)) >> 31);
}

// round(x / 2^e) for 0 <= e <= 31, ties away from zero: (x >> e) plus one when the remainder
// x & (2^e − 1) exceeds (2^e − 1) >> 1, plus one more for negative x.
inline int32_t rounding_divide_by_pot(int32_t x, int32_t e) noexcept {
    const int32_t mask = int32_t((uint32_t(1) << e) - 1u);
    const int32_t remainder = x & mask;
    const int32_t threshold = (mask >> 1) + (x < 0 ? 1 : 0);
    return (x >> e) + (remainder > threshold ? 1 : 0);
}

// x·2^s for s > 0 (saturating to the int32 range), round(x·2^s) for s < 0: gemmlowp's
// SaturatingRoundingMultiplyByPOT, as the softmax's fixed-point exp uses it.
inline int32_t saturating_rounding_multiply_by_pot(int32_t x, int32_t s) noexcept {
    if (s > 0) {
        const int32_t threshold = int32_t((uint32_t(1) << (31 - s)) - 1u);
        if (x > threshold) return INT32_MAX;
        if (x < -threshold) return INT32_MIN;
        return int32_t(uint32_t(x) << s);
    }
    return s < 0 ? rounding_divide_by_pot(x, -s) : x;
}

// round(x / 2^e) for 1 <= e <= 31 and INT32_MIN < x < INT32_MAX, equal to rounding_divide_by_pot's
// (TFLite's RoundingDivideByPOT) in four operations: t = x − [x < 0], then
// ((t >> (e − 1)) + 1) >> 1. Proof: write x = q·2^e + r, 0 <= r < 2^e. TFLite gives q + [r > 2^(e−1) − 1]
// for x >= 0 and q + [r > 2^(e−1)] for x < 0. For any real z and integer n > 0, floor(floor(z)/n) =
// floor(z/n), so ((t >> (e − 1)) + 1) >> 1 = floor((t/2^(e−1) + 1)/2) = floor((t + 2^(e−1))/2^e)
// = q + floor((r − [x < 0] + 2^(e−1))/2^e), and r − [x < 0] + 2^(e−1) lies in [2^(e−1) − 1, 2^e + 2^(e−1) − 1),
// so the floor is 1 exactly when r − [x < 0] >= 2^(e−1): r >= 2^(e−1) for x >= 0, r > 2^(e−1) for x < 0.
// The bounds on x keep t and t >> (e − 1) plus one inside int32.
inline int32_t rounding_divide_by_pot_1_31(int32_t x, int32_t e) noexcept {
    const int32_t t = x - (x < 0 ? 1 : 0);
    return ((t >> (e - 1)) + 1) >> 1;
}

// floor((x·m + 2^30) / 2^31) for m ∈ [2^30, 2^31): SRDHM(x, m) where it cannot saturate (m > 0).
// Armv7E-M: SMMLAR d, a, b, c computes floor((c·2^32 + a·b + 2^31) / 2^32) exactly (the 64-bit sum's
// high word; no intermediate rounding). With a = x, c = x and b = 2m − 2^32 (m << 1 wrapped to int32,
// in [−2^31, 0) for m ∈ [2^30, 2^31)): c·2^32 + a·b = x·2^32 + x·(2m − 2^32) = 2·x·m, so the result is
// floor((2xm + 2^31)/2^32) = floor((xm + 2^30)/2^31), the same integer, in range for every int32 x
// (|xm/2^31| < |x|). Elsewhere the 64-bit product. tests/tflite/fixed_point_runner.cpp checks the
// identity on the host ("srdhm_smmlar", SMMLAR's definition in int64) and bench/tflite_int8_bench.cpp
// the instruction on the emulated core.
inline int32_t high_mul_positive(int32_t x, int32_t m) noexcept {
#if defined(__ARM_FEATURE_DSP)
    return armv7em::smmlar(x, int32_t(uint32_t(m) << 1), x);
#else
    return int32_t((int64_t(x) * int64_t(m) + (int64_t(1) << 30)) >> 31);
#endif
}

// x·m·2^(s − 31), TFLite's MultiplyByQuantizedMultiplier (see the header comment), for what
// quantize_multiplier gives: m ∈ [2^30, 2^31) with −31 <= s, or m = 0 with s = 0. Then SRDHM's one
// saturating case, INT32_MIN·INT32_MIN, cannot arise. s >= 0 (a real factor >= 1/2; rare in
// convolutions): the left shift, the 64-bit high multiply, no division. s < 0: no left shift, the high
// multiply h = high_mul_positive (m >= 2^30 there), then round(h / 2^−s) by rounding_divide_by_pot_1_31
// with e − 1 = −s − 1 = ~s; h lies in (INT32_MIN, INT32_MAX) since |h| <= |x|·(2^31 − 1)/2^31 + 1/2.
inline int32_t multiply_by_quantized_multiplier(int32_t x, int32_t m, int32_t s) noexcept {
    if (s >= 0) {
        const int32_t shifted = int32_t(uint32_t(x) << s);  // wraps as the int32 product would
        return int32_t((int64_t(shifted) * int64_t(m) + (int64_t(1) << 30)) >> 31);
    }
    return rounding_divide_by_pot_1_31(high_mul_positive(x, m), -s);
}

}  // namespace ugrad::tflite
