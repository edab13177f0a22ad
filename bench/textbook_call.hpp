// SPDX-License-Identifier: Apache-2.0
// bench/textbook_call.hpp — the same call as a textbook writes it: r_j = b_j + Σ_i x_i·W_ij with
// i innermost, dot products for the gradient, and <cmath>'s expf/logf (newlib's on the targets).
// It checks for NaN/±inf where the library does, so both do the same work.
#pragma once

#include <stddef.h>

#include <cmath>

#include <ugrad/mlp.hpp>
#include <ugrad/network.hpp>

namespace bench {

template <size_t In, size_t Hidden, size_t Out>
__attribute__((noinline)) float call_textbook(const ugrad::Mlp<In, Hidden, Out>& net, const float (&x)[In],
                                              size_t label, float (&dx)[In]) {
    for (size_t i = 0; i < In; ++i)
        if (!std::isfinite(x[i])) return -1;
    float h[Hidden], dh_dr[Hidden], theta[Out], p[Out];
    for (size_t j = 0; j < Hidden; ++j) {
        float r = net.b1[j];
        for (size_t i = 0; i < In; ++i) r += x[i] * net.w1[i][j];
        h[j] = 1.0f / (1.0f + std::exp(-r));
        dh_dr[j] = h[j] * (1.0f - h[j]);
    }
    for (size_t k = 0; k < Out; ++k) {
        theta[k] = net.b2[k];
        for (size_t j = 0; j < Hidden; ++j) theta[k] += h[j] * net.w2[j][k];
        if (!std::isfinite(theta[k])) return -1;
    }
    float m = theta[0];
    for (size_t k = 1; k < Out; ++k) m = theta[k] > m ? theta[k] : m;
    float s = 0;
    for (size_t k = 0; k < Out; ++k) s += (p[k] = std::exp(theta[k] - m));
    const float loss = -((theta[label] - m) - std::log(s));
    for (size_t k = 0; k < Out; ++k) p[k] = p[k] / s - (k == label ? 1.0f : 0.0f);
    float dr[Hidden];
    for (size_t j = 0; j < Hidden; ++j) {
        float sum = 0;
        for (size_t k = 0; k < Out; ++k) sum += p[k] * net.w2[j][k];
        dr[j] = sum * dh_dr[j];
    }
    for (size_t i = 0; i < In; ++i) {
        float sum = 0;
        for (size_t j = 0; j < Hidden; ++j) sum += dr[j] * net.w1[i][j];
        dx[i] = sum;
        if (!std::isfinite(sum)) return -1;
    }
    return loss;
}

// Two ReLU layers and a softmax output, In-H1-H2-Out, as a textbook writes it (same checks).
template <size_t In, size_t H1, size_t H2, size_t Out>
using ReluNet = ugrad::Network<ugrad::Softmax, ugrad::Dense<In, H1, ugrad::Relu>, ugrad::Dense<H1, H2, ugrad::Relu>,
                               ugrad::Dense<H2, Out>>;

template <size_t In, size_t H1, size_t H2, size_t Out>
__attribute__((noinline)) float call_textbook_relu(const ReluNet<In, H1, H2, Out>& net, const float (&x)[In],
                                                   size_t label, float (&dx)[In]) {
    for (size_t i = 0; i < In; ++i)
        if (!std::isfinite(x[i])) return -1;
    float h1[H1], h2[H2], theta[Out], p[Out];
    for (size_t j = 0; j < H1; ++j) {
        float r = net.layer0.b[j];
        for (size_t i = 0; i < In; ++i) r += x[i] * net.layer0.w[i][j];
        h1[j] = r > 0.0f ? r : 0.0f;
    }
    for (size_t j = 0; j < H2; ++j) {
        float r = net.layer1.b[j];
        for (size_t i = 0; i < H1; ++i) r += h1[i] * net.layer1.w[i][j];
        h2[j] = r > 0.0f ? r : 0.0f;
    }
    for (size_t k = 0; k < Out; ++k) {
        theta[k] = net.layer2.b[k];
        for (size_t j = 0; j < H2; ++j) theta[k] += h2[j] * net.layer2.w[j][k];
        if (!std::isfinite(theta[k])) return -1;
    }
    float m = theta[0];
    for (size_t k = 1; k < Out; ++k) m = theta[k] > m ? theta[k] : m;
    float s = 0;
    for (size_t k = 0; k < Out; ++k) s += (p[k] = std::exp(theta[k] - m));
    const float loss = -((theta[label] - m) - std::log(s));
    for (size_t k = 0; k < Out; ++k) p[k] = p[k] / s - (k == label ? 1.0f : 0.0f);
    float dr2[H2], dr1[H1];
    for (size_t j = 0; j < H2; ++j) {
        float sum = 0;
        for (size_t k = 0; k < Out; ++k) sum += p[k] * net.layer2.w[j][k];
        dr2[j] = h2[j] > 0.0f ? sum : 0.0f;
    }
    for (size_t j = 0; j < H1; ++j) {
        float sum = 0;
        for (size_t k = 0; k < H2; ++k) sum += dr2[k] * net.layer1.w[j][k];
        dr1[j] = h1[j] > 0.0f ? sum : 0.0f;
    }
    for (size_t i = 0; i < In; ++i) {
        float sum = 0;
        for (size_t j = 0; j < H1; ++j) sum += dr1[j] * net.layer0.w[i][j];
        dx[i] = sum;
        if (!std::isfinite(sum)) return -1;
    }
    return loss;
}

}  // namespace bench
