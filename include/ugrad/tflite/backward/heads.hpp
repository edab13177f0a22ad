// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/backward/heads.hpp — the gradient seed of an int8 `.tflite` model's loss, in the
// block-exponent integers of block_gradient.hpp.
//
// A real factor f is written by the exporter as a Q15 integer m < 2^15 and a power E:
// f = (m/2^15)·2^E, m <= 2^15.
//
// Classifier (the model ends in SOFTMAX; the seed is taken at its input, the int8 logits l):
// J = −log ŷ_label with ŷ ugrad's fixed-point softmax (ugrad/q8/heads.hpp) of θ = s_l·(l − z_l) in
// Q12 codes: θ_q12 = round((l − z_l)·m_θ·2^(E_θ − 15)) with f_θ = 4096·s_l (|l − z_l|·m_θ < 2^23).
// q8::label_gradient gives dJ/dθ = d·2^e (cancellation-free when ŷ_label is near 1); then
// dJ/dl = dJ/dθ·s_l: renormalized d times the Q15 factor of s_l.
// Autoencoder (J = ‖ŷ − x‖²/n, ŷ and x the real output and input, n their size):
// D = ŷ − x = s_y(y − z_y) − s_x(x − z_x) = a·2^(E_d − 15), a = (y − z_y)·m_y − (x − z_x)·m_x
// (|a| < 2^24; m_y, m_x the Q15 factors of s_y, s_x with one power E_d);
// dJ/dy = (2 s_y/n)·D into the output's gradient, dJ/dx (the direct term) = −(2 s_x/n)·D into the
// input's (the walk back adds the rest).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/layers.hpp>
#include <ugrad/q8/heads.hpp>
#include <ugrad/tflite/backward/block_gradient.hpp>

namespace ugrad::tflite::backward {

struct Factor {
    int32_t m;  // Q15, <= 2^15
    int32_t e;  // f = (m/2^15)·2^e
};

// round(t·2^s) for |t| < 2^23 and any s (0 below 2^−31; s <= 7).
inline int32_t scale_by_power(int32_t t, int32_t s) noexcept {
    if (s >= 0) return int32_t(uint32_t(t) << s);
    return -s > 31 ? 0 : round_shift(t, -s);
}

// The first largest of the int8 logits (the predicted class).
template <int Out>
inline int32_t predicted_class(const int8_t* logits) noexcept {
    int32_t k = 0;
    for (int j = 1; j < Out; ++j)
        if (logits[j] > logits[k]) k = j;
    return k;
}

// dJ/dl into g [Out] (label < Out); returns the exponent.
template <int Out>
inline int32_t softmax_seed(const int8_t* logits, int32_t zero_point, Factor theta, Factor scale, int32_t label,
                            int32_t* g) noexcept {
    int32_t q12[Out], y_hat[Out], d[Out];
    for (int j = 0; j < Out; ++j)
        q12[j] = scale_by_power((int32_t(logits[j]) - zero_point) * theta.m, theta.e - 15);
    q8::head_outputs(Softmax{}, q12, y_hat);
    const q8::Seed s = q8::label_gradient(Softmax{}, q12, y_hat, size_t(label), d);
    for (int j = 0; j < Out; ++j) g[j] = d[j];
    int32_t e = renormalize(g, Out, s.exponent);
    for (int j = 0; j < Out; ++j) g[j] = q15_multiply(g[j], scale.m);
    return e == zero_exponent ? e : renormalize(g, Out, e + scale.e);
}

struct AutoencoderExponents {
    int32_t output;  // of dJ/dy
    int32_t input;   // of the direct dJ/dx
};

// y [N] output codes, x [N] input codes → gy [N], gx [N].
template <int N>
inline AutoencoderExponents autoencoder_seed(const int8_t* y, int32_t zy, Factor sy, const int8_t* x, int32_t zx,
                                             Factor sx, Factor cy, Factor cx, int32_t* gy, int32_t* gx) noexcept {
    for (int i = 0; i < N; ++i) gy[i] = (int32_t(y[i]) - zy) * sy.m - (int32_t(x[i]) - zx) * sx.m;
    const int32_t e = renormalize(gy, N, sy.e - 15);  // sy.e == sx.e: one power for both
    if (e == zero_exponent) {
        for (int i = 0; i < N; ++i) gx[i] = 0;
        return {zero_exponent, zero_exponent};
    }
    for (int i = 0; i < N; ++i) {
        gx[i] = -q15_multiply(gy[i], cx.m);
        gy[i] = q15_multiply(gy[i], cy.m);
    }
    return {renormalize(gy, N, e + cy.e), renormalize(gx, N, e + cx.e)};
}

}  // namespace ugrad::tflite::backward
