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

// x·m·2^(s − 31), TFLite's MultiplyByQuantizedMultiplier (see the header comment), for m >= 0 (what
// the exporter writes: m ∈ [2^30, 2^31) or 0), so that SRDHM's one saturating case, INT32_MIN·INT32_MIN,
// cannot arise and the high multiply is floor((x'·m + 2^30)/2^31) alone.
inline int32_t multiply_by_quantized_multiplier(int32_t x, int32_t m, int32_t s) noexcept {
    const int32_t left = s > 0 ? s : 0;
    const int32_t right = s > 0 ? 0 : -s;
    const int32_t shifted = int32_t(uint32_t(x) << left);  // wraps as the int32 product would
    const int32_t high = int32_t((int64_t(shifted) * int64_t(m) + (int64_t(1) << 30)) >> 31);
    return rounding_divide_by_pot(high, right);
}

}  // namespace ugrad::tflite
