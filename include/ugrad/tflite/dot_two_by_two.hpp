// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/dot_two_by_two.hpp — two inputs against two weight rows: four dot products, the inner
// loop of the pointwise convolution (two pixels × two filters) and of conv2d (two pixels' windows ×
// two filters).
//
//   acc[i][k] += Σ_{c<N} x_i[c]·w_k[c],   i, k ∈ {0, 1},
// raw int8 codes (the input zero point is folded into the bias: weighted_layer.hpp), every partial sum
// exact in int32. Each loaded input byte serves two filters and each weight byte two pixels.
// Armv7E-M (__ARM_FEATURE_DSP): a word of each of the four rows per step, SXTB16 (plain and ROR #8)
// splitting each into (b0, b2) and (b1, b3) as int16 pairs, eight SMLAD for the sixteen products;
// the last N mod 4 bytes one at a time. The same integers in another order: the same sums.
// Every function here is always_inline: each is the inner loop of the block two_pixels_every_filter.hpp
// writes once for conv2d and the pointwise convolution, and is inlined with it.
#pragma once

#include <stdint.h>

#if defined(__ARM_FEATURE_DSP)
#include <ugrad/tflite/armv7em.hpp>
#endif

namespace ugrad::tflite {

struct Acc2x2 {
    int32_t a00, a01, a10, a11;  // a[pixel][filter]
};

template <int N>
__attribute__((always_inline)) inline void dot_two_by_two(const int8_t* x0, const int8_t* x1, const int8_t* w0,
                                                          const int8_t* w1, Acc2x2& acc) noexcept {
    int32_t a00 = acc.a00, a01 = acc.a01, a10 = acc.a10, a11 = acc.a11;
    int c = 0;
#if defined(__ARM_FEATURE_DSP)
    for (; c + 4 <= N; c += 4) {
        const uint32_t p = armv7em::load_word(x0 + c), q = armv7em::load_word(x1 + c);
        const uint32_t u = armv7em::load_word(w0 + c), v = armv7em::load_word(w1 + c);
        const uint32_t pe = armv7em::sxtb16(p), po = armv7em::sxtb16_ror8(p);
        const uint32_t qe = armv7em::sxtb16(q), qo = armv7em::sxtb16_ror8(q);
        const uint32_t ue = armv7em::sxtb16(u), uo = armv7em::sxtb16_ror8(u);
        const uint32_t ve = armv7em::sxtb16(v), vo = armv7em::sxtb16_ror8(v);
        a00 = armv7em::smlad(po, uo, armv7em::smlad(pe, ue, a00));
        a01 = armv7em::smlad(po, vo, armv7em::smlad(pe, ve, a01));
        a10 = armv7em::smlad(qo, uo, armv7em::smlad(qe, ue, a10));
        a11 = armv7em::smlad(qo, vo, armv7em::smlad(qe, ve, a11));
    }
#endif
    for (; c < N; ++c) {
        a00 += int32_t(x0[c]) * int32_t(w0[c]);
        a01 += int32_t(x0[c]) * int32_t(w1[c]);
        a10 += int32_t(x1[c]) * int32_t(w0[c]);
        a11 += int32_t(x1[c]) * int32_t(w1[c]);
    }
    acc = Acc2x2{a00, a01, a10, a11};
}

#if defined(__ARM_FEATURE_DSP)
// The input pre-expanded (Armv7E-M): each four int8 (b0, b1, b2, b3) of the first N − N mod 4 as two
// words of int16 pairs (b0, b2), (b1, b3), the order SXTB16 puts a weight word's bytes in; q15_words<N>
// words. Written once per pixel (expand_q15), then read by every filter pair with no SXTB16 on the
// input side.
template <int N>
constexpr int q15_words = (N - N % 4) / 2;

template <int N>
__attribute__((always_inline)) inline void expand_q15(const int8_t* x, uint32_t* q) noexcept {
    for (int k = 0; k < N / 4; ++k) {
        const uint32_t w = armv7em::load_word(x);
        x += 4;
        q[0] = armv7em::sxtb16(w);
        q[1] = armv7em::sxtb16_ror8(w);
        q += 2;
    }
}

// dot_two_by_two with the inputs' first N − N mod 4 bytes pre-expanded in q0, q1 (expand_q15) and
// their last N mod 4 bytes read from x0, x1: per four bytes two weight words, four SXTB16, four input
// words, eight SMLAD.
template <int N>
__attribute__((always_inline)) inline void dot_two_by_two_q15(const uint32_t* q0, const uint32_t* q1, const int8_t* x0,
                                                              const int8_t* x1, const int8_t* w0, const int8_t* w1,
                                                              Acc2x2& acc) noexcept {
    int32_t a00 = acc.a00, a01 = acc.a01, a10 = acc.a10, a11 = acc.a11;
    const int8_t* u_at = w0;
    const int8_t* v_at = w1;
    for (int k = 0; k < N / 4; ++k) {
        const uint32_t u = armv7em::load_word(u_at), v = armv7em::load_word(v_at);
        u_at += 4;
        v_at += 4;
        const uint32_t ue = armv7em::sxtb16(u), uo = armv7em::sxtb16_ror8(u);
        const uint32_t ve = armv7em::sxtb16(v), vo = armv7em::sxtb16_ror8(v);
        const uint32_t pe = q0[0], po = q0[1];
        const uint32_t qe = q1[0], qo = q1[1];
        q0 += 2;
        q1 += 2;
        a00 = armv7em::smlad(po, uo, armv7em::smlad(pe, ue, a00));
        a01 = armv7em::smlad(po, vo, armv7em::smlad(pe, ve, a01));
        a10 = armv7em::smlad(qo, uo, armv7em::smlad(qe, ue, a10));
        a11 = armv7em::smlad(qo, vo, armv7em::smlad(qe, ve, a11));
    }
    for (int c = N - N % 4; c < N; ++c) {
        a00 += int32_t(x0[c]) * int32_t(w0[c]);
        a01 += int32_t(x0[c]) * int32_t(w1[c]);
        a10 += int32_t(x1[c]) * int32_t(w0[c]);
        a11 += int32_t(x1[c]) * int32_t(w1[c]);
    }
    acc = Acc2x2{a00, a01, a10, a11};
}
#endif

// One input against one weight row (the odd pixel or filter left over).
template <int N>
__attribute__((always_inline)) inline int32_t dot_one(const int8_t* x, const int8_t* w) noexcept {
    int32_t a = 0;
    int c = 0;
#if defined(__ARM_FEATURE_DSP)
    for (; c + 4 <= N; c += 4) {
        const uint32_t p = armv7em::load_word(x + c), u = armv7em::load_word(w + c);
        a = armv7em::smlad(armv7em::sxtb16_ror8(p), armv7em::sxtb16_ror8(u),
                           armv7em::smlad(armv7em::sxtb16(p), armv7em::sxtb16(u), a));
    }
#endif
    for (; c < N; ++c) a += int32_t(x[c]) * int32_t(w[c]);
    return a;
}

}  // namespace ugrad::tflite
