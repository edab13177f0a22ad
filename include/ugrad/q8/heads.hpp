// SPDX-License-Identifier: Apache-2.0
// ugrad/q8/heads.hpp — the output heads of the int8 path, in fixed point.
//
// The logits θ come as Q12 codes (θ = a/4096, int32, saturated to ±2^30); ŷ is written as
//   Softmax, Logistic  Q15: ŷ = p/32768, p ∈ [0, 32768]
//   Linear             Q12: ŷ = θ (the codes themselves)
// and so are targets (label overloads build the one-hot target in Q15).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/layers.hpp>
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

inline uint32_t exp_q16(int32_t d) noexcept {
    if (d < -65536) return 0;
    const uint32_t t = uint32_t(-d) * 47274u;  // < 2^16·47274 < 2^32
    const uint32_t k = t >> 27;                // 0..23
    const uint32_t i = (t >> 22) & 31u;
    const uint32_t g21 = (t & 0x3fffffu) >> 6;  // < 2^16
    const uint32_t u = (g21 * 45426u) >> 16;    // < 45426
    const uint32_t two_to_minus_g = (1u << 21) - u + ((u * u) >> 22);
    // Q51 product <= 2^51, to Q31 by a constant shift (the dropped bits are < 2^−15 of a Q16 step),
    // then rounded to Q16·2^−k: 15 + k <= 38 bits to the right, all of them for k > 16.
#if defined(__ARM_ARCH_6M__) && !defined(__OPTIMIZE_SIZE__)  // at -Os requantize links the libgcc product anyway
    const uint32_t q31 = product_shift20(tables::exp2_neg[i], two_to_minus_g);
#else
    const uint32_t q31 = uint32_t((uint64_t(tables::exp2_neg[i]) * two_to_minus_g) >> 20);
#endif
    const uint32_t shift = 15 + k;
    if (shift > 31) return 0;  // < 2^31/2^32: rounds to 0
    return ((q31 >> (shift - 1)) + 1) >> 1;  // floor(q31/2^(shift−1)) <= 2^17: no overflow
}

// ŷ = softmax(θ) in Q15: e_k = exp_q16(θ_k − max θ), S = Σ e_k (k ascending), ŷ_k = round(2^15·e_k/S).
// S >= 2^16 (the largest term is 2^16); e_k·2^15 + S/2 < 2^32 for Out < 2^15. Out divisions, none
// in a loop over weights.
template <size_t Out>
inline void head_outputs(Softmax /*head*/, const int32_t (&logits)[Out], int32_t (&probs)[Out]) noexcept {
    static_assert(Out < 32768, "Σ e_k·2^15 must fit 32 bits");
    int32_t largest = logits[0];
    for (size_t k = 1; k < Out; ++k)
        if (logits[k] > largest) largest = logits[k];
    uint32_t sum = 0;
    uint32_t e[Out];
    for (size_t k = 0; k < Out; ++k) {
        e[k] = exp_q16(logits[k] - largest);
        sum += e[k];
    }
#if defined(__ARM_ARCH_6M__) && !defined(__OPTIMIZE_SIZE__)  // one division instead of Out
    const uint32_t reciprocal = 0xffffffffu / sum;
    for (size_t k = 0; k < Out; ++k) probs[k] = int32_t(divide_by_reciprocal((e[k] << 15) + sum / 2, sum, reciprocal));
#else
    for (size_t k = 0; k < Out; ++k) probs[k] = int32_t(((e[k] << 15) + sum / 2) / sum);
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
        probs[k] = int32_t((numerator + denominator / 2) / denominator);
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

}  // namespace ugrad::q8
