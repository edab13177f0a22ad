// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/softmax.hpp — TFLite's int8 SOFTMAX (int8 in, int8 out of scale 1/256, zero point
// −128), its fixed-point algorithm integer for integer.
//
// Per row x [Depth] (Rows rows):
//   d_i = x_i − max_j x_j ≤ 0; rows with d_i < diff_min give −128 and are left out of the sum;
//   r_i = srdhm(d_i·2^input_left_shift, input_multiplier)        (d scaled by beta·scale, Q5.26)
//   e_i = exp_on_negative_values(r_i)                             (Q0.31)
//   S   = Σ_i rounding_divide_by_pot(e_i, 12)                      (Q12.19)
//   with h the leading zeros of S (32 bits) and k = 12 − h:
//   1/S = one_over_one_plus_x(S·2^h − 2^31)                        (Q0.31, times 2^−k)
//   y_i = clamp(rounding_divide_by_pot(srdhm(1/S, e_i), k + 23) − 128, −128, 127).
// input_multiplier, input_left_shift and diff_min are computed by the exporter as TFLite's Prepare
// computes them from beta and the input scale. exp_on_negative_values evaluates exp on
// [−1/4, 0) by a Taylor polynomial around −1/8, then multiplies in exp(−2^k) for each set bit k of
// the rest; one_over_one_plus_x takes three Newton–Raphson steps (gemmlowp's fixed-point library).
// srdhm is saturating_rounding_doubling_high_mul. y may not overlap x.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/tflite/fixed_point.hpp>

namespace ugrad::tflite {

struct SoftmaxQuantization {
    int32_t input_multiplier;
    int32_t input_left_shift;
    int32_t diff_min;
};

// a + b wrapping in 32 bits (gemmlowp's int32 additions; the softmax's sums stay in range).
inline int32_t wrapping_add(int32_t a, int32_t b) noexcept { return int32_t(uint32_t(a) + uint32_t(b)); }

// exp(a) for a ∈ [−1/4, 0) in Q0.31: x = a + 1/8,
// exp(a) = exp(−1/8)·(1 + x + x²/2 + x³/6 + x⁴/24) = c + c·(x + ((x⁴/4 + x³)/3 + x²)/2).
inline int32_t exp_on_interval_between_negative_one_quarter_and_0(int32_t a) noexcept {
    constexpr int32_t constant_term = 1895147668;  // exp(−1/8)·2^31
    constexpr int32_t one_third = 715827883;       // 2^31/3
    const int32_t x = wrapping_add(a, int32_t(1) << 28);
    const int32_t x2 = saturating_rounding_doubling_high_mul(x, x);
    const int32_t x3 = saturating_rounding_doubling_high_mul(x2, x);
    const int32_t x4 = saturating_rounding_doubling_high_mul(x2, x2);
    const int32_t x4_over_4 = saturating_rounding_multiply_by_pot(x4, -2);
    const int32_t poly = saturating_rounding_multiply_by_pot(
        wrapping_add(saturating_rounding_doubling_high_mul(wrapping_add(x4_over_4, x3), one_third), x2), -1);
    return wrapping_add(constant_term, saturating_rounding_doubling_high_mul(constant_term, wrapping_add(x, poly)));
}

// exp(a) for a ≤ 0 in Q5.26, result Q0.31: a = (a mod 1/4 − 1/4) − remainder, exp of the first part
// by the polynomial, times exp(−2^k) (Q0.31 constants) for each set bit 2^k, k = −2..4, of the remainder.
inline int32_t exp_on_negative_values(int32_t a) noexcept {
    constexpr int32_t integer_bits = 5;
    constexpr int32_t fractional_bits = 31 - integer_bits;
    constexpr int32_t one_quarter = int32_t(1) << (fractional_bits - 2);
    const int32_t a_mod_quarter_minus_one_quarter = (a & (one_quarter - 1)) - one_quarter;
    int32_t result = exp_on_interval_between_negative_one_quarter_and_0(
        saturating_rounding_multiply_by_pot(a_mod_quarter_minus_one_quarter, integer_bits));
    const int32_t remainder = a_mod_quarter_minus_one_quarter - a;
    constexpr int32_t exp_of_minus_two_to_the[7] = {1672461947, 1302514674, 790015084, 290630308,
                                                    39332535,   720401,     242};  // k = −2..4
    for (int32_t k = -2; k <= 4; ++k)
        if (remainder & (int32_t(1) << (fractional_bits + k)))
            result = saturating_rounding_doubling_high_mul(result, exp_of_minus_two_to_the[k + 2]);
    return a == 0 ? INT32_MAX : result;
}

// 1/(1 + a) for a ∈ [0, 1) in Q0.31: d = (1 + a)/2 ∈ [1/2, 1) (Q0.31, rounding half sum), x ≈ 1/d
// in Q2.29 from x₀ = 48/17 − 32/17·d and three Newton–Raphson steps x ← x + x·(1 − d·x) (the
// product of two Q2.29 numbers lands in Q4.27, hence the ·4); 1/(1 + a) = x/2 is x's bits doubled.
inline int32_t one_over_one_plus_x_for_x_in_0_1(int32_t a) noexcept {
    const int64_t sum = int64_t(a) + int64_t(INT32_MAX);
    const int32_t half_denominator = int32_t((sum + (sum >= 0 ? 1 : -1)) / 2);
    constexpr int32_t constant_48_over_17 = 1515870810;
    constexpr int32_t constant_neg_32_over_17 = -1010580540;
    int32_t x = wrapping_add(constant_48_over_17,
                             saturating_rounding_doubling_high_mul(half_denominator, constant_neg_32_over_17));
    for (int i = 0; i < 3; ++i) {
        const int32_t half_denominator_times_x = saturating_rounding_doubling_high_mul(half_denominator, x);
        const int32_t one_minus = wrapping_add(int32_t(1) << 29, -half_denominator_times_x);
        x = wrapping_add(x, saturating_rounding_multiply_by_pot(saturating_rounding_doubling_high_mul(x, one_minus), 2));
    }
    return saturating_rounding_multiply_by_pot(x, 1);
}

// The number of leading zero bits of a 32-bit word (32 for 0).
inline int32_t count_leading_zeros(uint32_t v) noexcept {
    int32_t n = 0;
    for (uint32_t bit = uint32_t(1) << 31; bit != 0 && !(v & bit); bit >>= 1) ++n;
    return n;
}

template <int Rows, int Depth>
inline void softmax(const int8_t* x, const SoftmaxQuantization& q, int8_t* y) noexcept {
    for (int r = 0; r < Rows; ++r) {
        const int8_t* xr = x + ptrdiff_t(r) * Depth;
        int8_t* yr = y + ptrdiff_t(r) * Depth;
        int32_t max = -128;
        for (int i = 0; i < Depth; ++i)
            if (int32_t(xr[i]) > max) max = int32_t(xr[i]);  // NOLINT(bugprone-signed-char-misuse,cert-str34-c): int8 values, not characters
        // exp of each scaled difference, computed twice (for the sum, then for the output): no buffer
        int32_t sum = 0;
        for (int i = 0; i < Depth; ++i) {
            const int32_t d = int32_t(xr[i]) - max;
            if (d < q.diff_min) continue;
            const int32_t scaled = saturating_rounding_doubling_high_mul(
                int32_t(uint32_t(d) << q.input_left_shift), q.input_multiplier);
            sum = wrapping_add(sum, rounding_divide_by_pot(exp_on_negative_values(scaled), 12));
        }
        const int32_t headroom = count_leading_zeros(uint32_t(sum));
        const int32_t bits_over_unit = 12 - headroom;
        const int32_t shifted_minus_one = int32_t((uint32_t(sum) << headroom) - (uint32_t(1) << 31));
        const int32_t reciprocal = one_over_one_plus_x_for_x_in_0_1(shifted_minus_one);
        for (int i = 0; i < Depth; ++i) {
            const int32_t d = int32_t(xr[i]) - max;
            if (d < q.diff_min) {
                yr[i] = -128;
                continue;
            }
            const int32_t scaled = saturating_rounding_doubling_high_mul(
                int32_t(uint32_t(d) << q.input_left_shift), q.input_multiplier);
            const int32_t e = exp_on_negative_values(scaled);
            int32_t v = rounding_divide_by_pot(saturating_rounding_doubling_high_mul(reciprocal, e),
                                               bits_over_unit + 31 - 8) - 128;
            if (v < -128) v = -128;
            if (v > 127) v = 127;
            yr[i] = int8_t(v);
        }
    }
}

}  // namespace ugrad::tflite
