// SPDX-License-Identifier: Apache-2.0
// ugrad/q8/heads.hpp — the output heads of the int8 path, in fixed point.
//
// The logits θ come as Q12 codes (θ = a/4096, int32, saturated to ±2^30); ŷ is written as
//   Softmax, Logistic  Q15: ŷ = p/32768, p ∈ [0, 32768]
//   Linear             Q12: ŷ = θ (the codes themselves)
// and so are targets (label overloads build the one-hot target in Q15).
// The gradient seeds dJ/dθ = ŷ − y come as int32 d [Out] with a power of two e of their own
// (d·2^e, real units of θ), computed from θ rather than from the rounded ŷ wherever ŷ may be
// within rounding of the label: a confident answer keeps a gradient of the right size and direction.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/layers.hpp>
#include <ugrad/q8/fixed_point.hpp>
#include <ugrad/q8/tables.hpp>

namespace ugrad::q8 {

constexpr int32_t one_q15 = 32768;

// e^(d/4096) in Q16 for a Q12 code d <= 0, within 0.7 of the exact 65536·e^(d/4096) (checked on
// all 65,537 codes d ∈ [−2^16, 0] by tests/test_q8_primitives.cpp; below −2^16, e^−16·2^16 < ½
// gives 0). With t = −d·log2(e)/4096 = k + i/32 + g, g < 1/32:
//   e^(d/4096) = 2^−k · 2^(−i/32) · 2^−g,  2^−g = 1 − u + u²/2 (u = g·ln 2 < 0.0217, error < 1.7e−6)
// tables::exp2_neg holds 2^(−i/32) in Q30. Fixed point: t in Q27 (log2 e in Q15 = 47274),
// g in Q21 times ln 2 in Q16 (45426), u and 2^−g in Q21; the product with the table entry is
// Q51 in 64 bits, cut to Q31, then rounded once to Q16.
// floor(a·b/2^20) for a < 2^31, b <= 2^21 (the product < 2^52, the result < 2^32), from 16-bit
// halves in 32-bit arithmetic (for ARMv6-M, where a 64-bit product is a libgcc call):
// a·b = ah·bh·2^32 + (ah·bl + al·bh)·2^16 + al·bl with bh <= 32, and
// floor((mid·2^16 + low)/2^20) = (mid >> 4) + (((mid & 15) + (low >> 16)) >> 4).
inline uint32_t product_shift20(uint32_t a, uint32_t b) noexcept {
    const uint32_t ah = a >> 16, al = a & 0xffffu, bh = b >> 16, bl = b & 0xffffu;
    const uint32_t mid = ah * bl + al * bh;  // < 2^31 + 2^21
    return ((ah * bh) << 12) + (mid >> 4) + (((mid & 15u) + ((al * bl) >> 16)) >> 4);
}

// floor(a·b/2^32) for uint32 a and b, from 16-bit halves (the parts are < 2^32 and so is the sum).
inline uint32_t high_product_unsigned(uint32_t a, uint32_t b) noexcept {
    const uint32_t ah = a >> 16, al = a & 0xffffu, bh = b >> 16, bl = b & 0xffffu;
    const uint32_t cross1 = ah * bl, cross2 = al * bh;
    return ah * bh + (cross1 >> 16) + (cross2 >> 16) + (((cross1 & 0xffffu) + (cross2 & 0xffffu) + ((al * bl) >> 16)) >> 16);
}

// floor(n/d) for d >= 1 from r = floor((2^32 − 1)/d), for cores without a divide instruction
// (ARMv6-M: each division a libgcc loop): q = floor(n·r/2^32) is at most 2 below floor(n/d)
// (n·r/2^32 > n/d − n/(d·2^32) − n/2^32 > n/d − 2) and never above it (r <= 2^32/d); the
// remainder corrects it.
inline uint32_t divide_by_reciprocal(uint32_t n, uint32_t d, uint32_t r) noexcept {
    uint32_t q = high_product_unsigned(n, r);
    uint32_t rest = n - q * d;
    while (rest >= d) {
        ++q;
        rest -= d;
    }
    return q;
}

// 2^(−f/2^27) in Q31 for f ∈ [0, 2^27) (a fraction of 1 in Q27), in (2^30, 2^31]: with
// f = i/32 + g, g < 1/32, 2^−f = 2^(−i/32)·2^−g (tables::exp2_neg in Q30; 2^−g in Q21 as below).
inline uint32_t exp2_neg_fraction_q31(uint32_t f) noexcept {
    const uint32_t i = f >> 22;
    const uint32_t g21 = (f & 0x3fffffu) >> 6;  // < 2^16
    const uint32_t u = (g21 * 45426u) >> 16;    // < 45426
    const uint32_t two_to_minus_g = (1u << 21) - u + ((u * u) >> 22);
    // Q51 product <= 2^51, to Q31 by a constant shift (the dropped bits are < 2^−15 of a Q16 step).
#if defined(__ARM_ARCH_6M__) && !defined(__OPTIMIZE_SIZE__)  // at -Os requantize links the libgcc product anyway
    return product_shift20(tables::exp2_neg[i], two_to_minus_g);
#else
    return uint32_t((uint64_t(tables::exp2_neg[i]) * two_to_minus_g) >> 20);
#endif
}

// floor(n/d) for 1 <= d < 2^31, one quotient bit at a time (the remainder, < d, doubled stays
// below 2^32): 32 steps in a few dozen bytes of code.
inline uint32_t shift_subtract_quotient(uint32_t n, uint32_t d) noexcept {
    uint32_t q = 0, rest = 0;
    for (uint32_t bit = 32; bit-- > 0;) {
        rest = (rest << 1) | ((n >> bit) & 1u);
        q <<= 1;
        if (rest >= d) {
            rest -= d;
            q |= 1u;
        }
    }
    return q;
}
// floor(n/d) for 1 <= d < 2^31, as the heads divide: the divide instruction, or libgcc's on
// ARMv6-M, except at -Os there, where shift_subtract_quotient replaces __udivsi3 (266 B).
inline uint32_t quotient(uint32_t n, uint32_t d) noexcept {
#if defined(__ARM_ARCH_6M__) && defined(__OPTIMIZE_SIZE__)
    return shift_subtract_quotient(n, d);
#else
    return n / d;
#endif
}

// e^(−a/4096) = q31·2^(−31−k) for any Q12 code a ∈ [0, 2^31] (a difference of two logits), with
// q31 = exp2_neg_fraction_q31 ∈ (2^30, 2^31] and the power k ∈ [0, 756,000] exact, so that no margin
// underflows. t = a·log2(e) in Q27 (log2 e in Q15, 47274) is a 47-bit product, formed from a's
// 16-bit halves in 32-bit arithmetic: a·47274 = u·2^16 + low with u = h·47274 + floor(l·47274/2^16)
// < 2^31 (h = a >> 16 <= 2^15, l = a mod 2^16), low < 2^16; k = floor(u/2^11), the fraction's Q27
// bits ((u mod 2^11) << 16) | low. The constant is low by 0.4935/2^15 of log2 e: the value is up
// to a factor 2^(1.51e−5·a/4096) too large (1.04e−5 relative per nat; 1.05e−3 at 100 nats).
struct ExpParts {
    uint32_t q31;
    uint32_t power;  // k
};
inline ExpParts exp_parts(uint32_t a) noexcept {
    const uint32_t low_product = (a & 0xffffu) * 47274u;
    const uint32_t u = (a >> 16) * 47274u + (low_product >> 16);
    return {exp2_neg_fraction_q31(((u & 0x7ffu) << 16) | (low_product & 0xffffu)), u >> 11};
}

inline uint32_t exp_q16(int32_t d) noexcept {
    if (d < -65536) return 0;
#if defined(__OPTIMIZE_SIZE__)  // the same t, by exp_parts' code (shared with exp_scaled)
    const ExpParts p = exp_parts(uint32_t(-d));
    const uint32_t k = p.power, q31 = p.q31;
#else
    const uint32_t t = uint32_t(-d) * 47274u;  // < 2^16·47274 < 2^32
    const uint32_t k = t >> 27;                // 0..23
    const uint32_t q31 = exp2_neg_fraction_q31(t & 0x7ffffffu);
#endif
    // rounded to Q16·2^−k: 15 + k <= 38 bits to the right, all of them for k > 16.
    const uint32_t shift = 15 + k;
    if (shift > 31) return 0;  // < 2^31/2^32: rounds to 0
    return ((q31 >> (shift - 1)) + 1) >> 1;  // floor(q31/2^(shift−1)) <= 2^17: no overflow
}

// e^(−a/4096) = m·2^(−15−k) for a Q12 code a ∈ [0, 2^31]: exp_parts with its mantissa rounded to
// m ∈ [2^14, 2^15].
struct ScaledExp {
    uint32_t mantissa;  // m
    uint32_t power;     // k
};
inline ScaledExp exp_scaled(uint32_t a) noexcept {
    const ExpParts p = exp_parts(a);
    return {(p.q31 + 0x8000u) >> 16, p.power};
}

// e_j = exp_q16(θ_j − m) for every j ≠ skip, m = max_{j≠skip} θ_j (skip = Out: every j), e_skip = 0;
// returns Σ e_j (j ascending, in [2^16, Out·2^16]) and m. The softmax and its gradient seed share it.
template <size_t Out>
inline uint32_t exps_below_largest(const int32_t (&logits)[Out], size_t skip, int32_t& largest, int32_t (&e)[Out]) noexcept {
    int32_t m = INT32_MIN;
    for (size_t j = 0; j < Out; ++j)
        if (j != skip && logits[j] > m) m = logits[j];
    uint32_t sum = 0;
    for (size_t j = 0; j < Out; ++j) {
        e[j] = j == skip ? 0 : int32_t(exp_q16(logits[j] - m));  // θ_j − m ∈ [−2^31, 0]
        sum += uint32_t(e[j]);
    }
    largest = m;
    return sum;
}

// ŷ = softmax(θ) in Q15: e_k = exp_q16(θ_k − max θ), S = Σ e_k (k ascending), ŷ_k = round(2^15·e_k/S).
// S >= 2^16 (the largest term is 2^16); e_k·2^15 + S/2 < 2^32 for Out < 2^15. Out divisions, none
// in a loop over weights.
template <size_t Out>
inline void head_outputs(Softmax /*head*/, const int32_t (&logits)[Out], int32_t (&probs)[Out]) noexcept {
    static_assert(Out < 32768, "Σ e_k·2^15 must fit 32 bits");
    int32_t largest, e[Out];
    const uint32_t sum = exps_below_largest(logits, Out, largest, e);
#if defined(__ARM_ARCH_6M__) && !defined(__OPTIMIZE_SIZE__)  // one division instead of Out
    const uint32_t reciprocal = 0xffffffffu / sum;
    for (size_t k = 0; k < Out; ++k) probs[k] = int32_t(divide_by_reciprocal((uint32_t(e[k]) << 15) + sum / 2, sum, reciprocal));
#else
    for (size_t k = 0; k < Out; ++k) probs[k] = int32_t(quotient((uint32_t(e[k]) << 15) + sum / 2, sum));
#endif
}

// ŷ_k = σ(θ_k) in Q15: with e = exp_q16(−|θ|), σ(|θ|) = 2^16/(2^16 + e), σ(−|θ|) = e/(2^16 + e),
// each rounded once.
template <size_t Out>
inline void head_outputs(Logistic /*head*/, const int32_t (&logits)[Out], int32_t (&probs)[Out]) noexcept {
    for (size_t k = 0; k < Out; ++k) {
        const int32_t a = logits[k] < 0 ? -logits[k] : logits[k];
        const uint32_t e = exp_q16(-a);
        const uint32_t denominator = 65536u + e;
        const uint32_t numerator = logits[k] >= 0 ? 0x80000000u : e << 15;
        probs[k] = int32_t(quotient(numerator + denominator / 2, denominator));
    }
}

template <size_t Out>
inline void head_outputs(Linear /*head*/, const int32_t (&logits)[Out], int32_t (&outputs)[Out]) noexcept {
    for (size_t k = 0; k < Out; ++k) outputs[k] = logits[k];
}

// The Q exponent of ŷ and of targets: ŷ_real = ŷ·2^output_exponent.
template <class Head>
struct HeadScale {
    static constexpr int32_t output_exponent = -15;
};
template <>
struct HeadScale<Linear> {
    static constexpr int32_t output_exponent = -12;
};

// ---- the gradient seed dJ/dθ = ŷ − y = d·2^e ----

// What a seed function returns besides d: e, and the OR of the |d_k| (the walk's first block
// shift). By value, not through a reference: the exponent never has its address taken, so the walk
// back keeps its vectors in registers (an int32_t& could alias them).
struct Seed {
    uint32_t bits;
    int32_t exponent;
};

// Softmax, label k, confident: k is strictly the largest logit (δ = θ_k − r > 0, r = max_{j≠k} θ_j),
// where 1 − ŷ_k may be far below a Q15 step. With a_j = e^(θ_j − r) (<= 1, the largest 1) and
// A = Σ_{j≠k} a_j:
//   ŷ_j = a_j·F (j ≠ k),  ŷ_k − 1 = −Σ_{j≠k} ŷ_j = −A·F,  F = e^−δ/(1 + e^−δ·A)
// so d = (a_j; −A at k)·F: no difference of nearly equal numbers, and e^−δ is a mantissa with a
// power of two (exp_scaled): it never underflows. In integers: a_j = exp_q16(θ_j − r) (Q16, the
// largest 2^16, so A ∈ [2^16, Out·2^16); d holds them, exps_below_largest's); v = (a_j; −A)·2^−e_v rounded, e_v = bitlength(A) − 14
// ∈ [3, 12] (every |v_j| <= 2^14, the largest >= 2^13); e^−δ = m·2^(−15−κ); S = 2^16·(1 + e^−δ·A)
// = 2^16 + round(|v_k|·m·2^(e_v−15−κ)) (the shift >= 3, |v_k|·m <= 2^29), cut to its top 16 bits
// S' = floor(S/2^s) ∈ [2^15, 2^16); c = floor(m·2^16/S') ∈ (2^14, 2^16]:
//   d_j = v_j·c (|d_j| <= 2^30),  e = e_v − 31 − κ − s.
// One division; every quotient and shift is exact integer arithmetic, the same on every core.
template <size_t Out>
inline Seed confident_gradient(const int32_t (&logits)[Out], size_t label, int32_t r, uint32_t sum,
                               int32_t (&d)[Out]) noexcept {
    static_assert(Out <= 516, "A < 2^26: the shifts above stay in range");
    d[label] = -int32_t(sum);
    const uint32_t right = bit_length(sum) - 14;  // in [3, 12]: every |v_j| <= 2^14
    const ScaledExp f = exp_scaled(uint32_t(logits[label]) - uint32_t(r));  // δ ∈ (0, 2^31]
    const uint32_t s_shift = 15 + f.power - right;
    const uint32_t product = uint32_t(-rounding_shift_right_bounded(d[label], right)) * f.mantissa;
    const uint32_t s = 65536u + (s_shift > 31 ? 0u : uint32_t(rounding_shift_right_bounded(int32_t(product), s_shift)));
    const uint32_t cut = bit_length(s) - 16;
    const int32_t c = int32_t(quotient(f.mantissa << 16, s >> cut));
    uint32_t bits = 0;
    for (size_t j = 0; j < Out; ++j) {
        d[j] = rounding_shift_right_bounded(d[j], right) * c;
        bits |= magnitude(d[j]);
    }
    return {bits, int32_t(right) - 31 - int32_t(f.power) - int32_t(cut)};
}

// Softmax, label k. While ŷ_k <= ½ (Q15), the Q15 difference ŷ − onehot(k) (exact for the Q15 ŷ)
// has its largest entry |ŷ_k − 1| >= ½, 14 significant bits: e = −15. Above ½, k is the largest
// logit unless rounding says otherwise (then the Q15 difference again); the confident seed above.
template <size_t Out>
inline Seed label_gradient(Softmax /*head*/, const int32_t (&logits)[Out], const int32_t (&y_hat)[Out], size_t label,
                           int32_t (&d)[Out]) noexcept {
    if (Out > 1 && y_hat[label] > one_q15 / 2) {
        int32_t r;
        const uint32_t sum = exps_below_largest(logits, label, r, d);
        if (logits[label] > r) return confident_gradient(logits, label, r, sum, d);
    }
    uint32_t bits = 0;
    for (size_t j = 0; j < Out; ++j) {
        d[j] = y_hat[j] - (j == label ? one_q15 : 0);
        bits |= magnitude(d[j]);
    }
    return {bits, -15};
}

// Logistic, target y (Q15; a label is y = onehot(label), or y = label for one output): per output,
// d_k = σ(θ_k) − y_k. For y_k = 0 or 1 it is ±σ(±|θ_k|): with e^−|θ| = m·2^(−15−κ) (exp_scaled)
// and c = floor(2^30/(2^15 + round(m·2^−κ))) ≈ 2^15/(1 + e^−|θ|) ∈ [2^14, 2^15],
//   σ(|θ|) = c·2^−15 = (c·2^15)·2^−30,  σ(−|θ|) = e^−|θ|·σ(|θ|) = (m·c)·2^(−30−κ)
// (the small side never rounds to 0: θ = 40 nats still has 15 bits); the sign is that of
// σ(θ) − y. Any other y_k: the Q15 difference (ŷ_k − y_k)·2^15, power 0. The entries, each <= 2^30
// with its power κ_k, are brought to the smallest power by rounding right shifts (0 beyond 31):
// e = −30 − min κ_k.
struct ScaledValue {
    int32_t value;   // |value| <= 2^30
    uint32_t power;  // the value stands for value·2^(−30−power)
};
inline ScaledValue logistic_difference(int32_t theta, int32_t y_hat, int32_t y) noexcept {
    if (y != 0 && y != one_q15) return {(y_hat - y) * 32768, 0};
    const bool hot = y == one_q15;
    const ScaledExp x = exp_scaled(magnitude(theta));
    const uint32_t small_term =
        x.power == 0 ? x.mantissa : x.power > 16 ? 0u : uint32_t(rounding_shift_right(int32_t(x.mantissa), x.power));
    const uint32_t c = quotient(0x40000000u, 0x8000u + small_term);
    const bool small = (theta >= 0) == hot;
    const int32_t v = int32_t(small ? x.mantissa * c : c << 15);
    return {hot ? -v : v, small ? x.power : 0u};
}
template <size_t Out>
inline Seed target_gradient(Logistic /*head*/, const int32_t (&logits)[Out], const int32_t (&y_hat)[Out],
                            const int32_t (&target)[Out], int32_t (&d)[Out]) noexcept {
    uint32_t power[Out];
    uint32_t least = 0xffffffffu;
    for (size_t k = 0; k < Out; ++k) {
        const ScaledValue v = logistic_difference(logits[k], y_hat[k], target[k]);
        d[k] = v.value;
        power[k] = v.power;
        if (v.power < least) least = v.power;
    }
    uint32_t bits = 0;
    for (size_t k = 0; k < Out; ++k) {
        const uint32_t s = power[k] - least;
        if (s > 31) d[k] = 0;
        else if (s > 0) d[k] = rounding_shift_right_bounded(d[k], s);  // |d_k| <= 2^30
        bits |= magnitude(d[k]);
    }
    return {bits, -30 - int32_t(least)};
}
template <size_t Out>
inline Seed label_gradient(Logistic head, const int32_t (&logits)[Out], const int32_t (&y_hat)[Out], size_t label,
                           int32_t (&d)[Out]) noexcept {
    int32_t y[Out];
    for (size_t k = 0; k < Out; ++k) y[k] = (Out == 1 ? label == 1 : k == label) ? one_q15 : 0;
    return target_gradient(head, logits, y_hat, y, d);
}

// Softmax, target y (Q15): a one-hot y is its label's seed; any other y, the Q15 difference ŷ − y
// (e = −15: y itself has no finer resolution).
template <size_t Out>
inline Seed target_gradient(Softmax head, const int32_t (&logits)[Out], const int32_t (&y_hat)[Out],
                            const int32_t (&target)[Out], int32_t (&d)[Out]) noexcept {
    size_t hot = Out;
    int32_t sum = 0;
    for (size_t k = 0; k < Out; ++k) {
        if (target[k] == one_q15) hot = k;
        sum += target[k];
    }
    if (hot < Out && sum == one_q15) return label_gradient(head, logits, y_hat, hot, d);
    uint32_t bits = 0;
    for (size_t k = 0; k < Out; ++k) {
        d[k] = y_hat[k] - target[k];
        bits |= magnitude(d[k]);
    }
    return {bits, -15};
}

// Linear, target y (Q12): ŷ − y, exact (|ŷ| <= 2^30, |y| < 2^30: |d| <= 2^31 − 1), e = −12.
template <size_t Out>
inline Seed target_gradient(Linear /*head*/, const int32_t (& /*logits*/)[Out], const int32_t (&y_hat)[Out],
                            const int32_t (&target)[Out], int32_t (&d)[Out]) noexcept {
    uint32_t bits = 0;
    for (size_t k = 0; k < Out; ++k) {
        d[k] = y_hat[k] - target[k];
        bits |= magnitude(d[k]);
    }
    return {bits, -12};
}

}  // namespace ugrad::q8
