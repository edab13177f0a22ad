// SPDX-License-Identifier: Apache-2.0
// tests/confident_reference.hpp — the accuracy guarantee for confident models (docs/derivation.md,
// "Accuracy when confident"), as a reference and a bound:
//   * the exact values, in long double with libm: every layer, θ, the head's J and dJ/dθ by the same
//     cancellation-free formulas the library uses (include/ugrad/heads.hpp), and dJ/dx;
//   * the derived first-order bound on what T = float or double may be off by, evaluated alongside:
//     the forward error of every pre-activation (a priori, from the weights: never measured), the
//     head's error given the logits' error Δ, and the backward walk's rounding, step by step.
// Model of T's arithmetic: fl(a ∘ b) = (a ∘ b)(1 + δ) + η, |δ| <= u, |η| <= η_T (the absolute error
// of a subnormal result); the library's exp and log within 1 ULP (2u), each member of sigmoid_pair
// and tanh within 2 ULP (4u), its log1p (Goldberg's) within 8u; a sum of n terms in any fixed order
// within γ(n) = n·u/(1 − n·u) of the sum of their magnitudes.
// ugrad: host-only (long double is wider than double only on the host)
#pragma once

#include <stddef.h>

#include <cfloat>
#include <cmath>
#include <limits>
#include <vector>

#include <ugrad/ugrad.hpp>

namespace test {

using R = long double;

enum class Act { identity, sigmoid, tanh, relu };
enum class HeadKind { softmax, logistic, linear };

template <class A>
constexpr Act act_of() {
    if constexpr (ugrad::detail::same_type<A, ugrad::Sigmoid>::value) return Act::sigmoid;
    else if constexpr (ugrad::detail::same_type<A, ugrad::Tanh>::value) return Act::tanh;
    else if constexpr (ugrad::detail::same_type<A, ugrad::Relu>::value) return Act::relu;
    else return Act::identity;
}
template <class H>
constexpr HeadKind head_of() {
    if constexpr (ugrad::detail::same_type<H, ugrad::Softmax>::value) return HeadKind::softmax;
    else if constexpr (ugrad::detail::same_type<H, ugrad::Logistic>::value) return HeadKind::logistic;
    else return HeadKind::linear;
}

// The unit roundoff and the subnormal absolute error of T.
template <typename T>
constexpr R unit_roundoff() {
    return R(std::numeric_limits<T>::epsilon()) / 2;
}
template <typename T>
constexpr R subnormal_error() {
    return R(std::numeric_limits<T>::denorm_min()) / 2;
}

struct RefLayer {
    size_t in = 0, out = 0;
    Act act = Act::identity;
    std::vector<R> w;  // [in][out], row-major
    std::vector<R> b;  // [out]
    R at(size_t i, size_t j) const { return w[i * out + j]; }
};

// Any Network or an Mlp, as a list of layers in long double.
template <size_t I = 0, class Net>
void add_layers(const Net& net, std::vector<RefLayer>& layers) {
    using L = typename Net::template layer_type<I>;
    const auto& dense = ugrad::layer<I>(net);
    RefLayer l;
    l.in = L::inputs, l.out = L::outputs, l.act = act_of<typename L::activation>();
    for (size_t i = 0; i < L::inputs; ++i)
        for (size_t j = 0; j < L::outputs; ++j) l.w.push_back(R(dense.w[i][j]));
    for (size_t j = 0; j < L::outputs; ++j) l.b.push_back(R(dense.b[j]));
    layers.push_back(l);
    if constexpr (I + 1 < Net::depth) add_layers<I + 1>(net, layers);
}
template <class Net>
std::vector<RefLayer> layers_of(const Net& net) {
    std::vector<RefLayer> layers;
    add_layers(net, layers);
    return layers;
}
template <size_t In, size_t Hidden, size_t Out, typename T>
std::vector<RefLayer> layers_of(const ugrad::Mlp<In, Hidden, Out, T>& net) {
    std::vector<RefLayer> layers(2);
    layers[0].in = In, layers[0].out = Hidden, layers[0].act = Act::sigmoid;
    layers[1].in = Hidden, layers[1].out = Out, layers[1].act = Act::identity;
    for (size_t i = 0; i < In; ++i)
        for (size_t j = 0; j < Hidden; ++j) layers[0].w.push_back(R(net.w1[i][j]));
    for (size_t j = 0; j < Hidden; ++j) layers[0].b.push_back(R(net.b1[j]));
    for (size_t j = 0; j < Hidden; ++j)
        for (size_t k = 0; k < Out; ++k) layers[1].w.push_back(R(net.w2[j][k]));
    for (size_t k = 0; k < Out; ++k) layers[1].b.push_back(R(net.b2[k]));
    return layers;
}

inline R sigmoid_r(R r) { return r >= 0 ? 1 / (1 + std::exp(-r)) : std::exp(r) / (1 + std::exp(r)); }
inline R softplus_r(R z) { return std::fmax(z, R(0)) + std::log1p(std::exp(-std::fabs(z))); }

// The exact values and the bound for one sample, a label (label_value) or a target.
struct Confident {
    // exact
    std::vector<std::vector<R>> y, slope;  // per layer
    std::vector<R> theta, dtheta, dx;
    R J = 0;
    // bounds (absolute)
    std::vector<std::vector<R>> ey, eslope;  // forward errors of y and of the slope, per layer
    R Delta = 0;                             // max_k |θ̂_k − θ_k|
    std::vector<R> edtheta, edx;
    R eJ = 0;
};

// A target y [K] (a label k is the target onehot(k), or y = k for a one-unit Logistic).
template <typename T>
Confident confident_reference(const std::vector<RefLayer>& layers, HeadKind head, const std::vector<R>& x,
                              const std::vector<R>& target) {
    const R u = unit_roundoff<T>(), eta = subnormal_error<T>();
    auto gamma = [u](size_t n) { return R(n) * u / (1 - R(n) * u); };
    Confident c;
    const size_t L = layers.size();
    c.y.resize(L), c.slope.resize(L), c.ey.resize(L), c.eslope.resize(L);
    // ---- forward: r = x·W + b, y = act(r), slope = act′(r), with their a priori errors
    std::vector<R> v = x, ev(x.size(), R(0));
    for (size_t l = 0; l < L; ++l) {
        const RefLayer& ly = layers[l];
        c.y[l].resize(ly.out), c.slope[l].resize(ly.out), c.ey[l].resize(ly.out), c.eslope[l].resize(ly.out);
        for (size_t j = 0; j < ly.out; ++j) {
            R r = ly.b[j], mag = std::fabs(ly.b[j]), inherited = 0;
            for (size_t i = 0; i < ly.in; ++i) {
                r += v[i] * ly.at(i, j);
                mag += std::fabs(v[i] * ly.at(i, j));
                inherited += std::fabs(ly.at(i, j)) * ev[i];
            }
            const R er = gamma(ly.in + 1) * mag + R(ly.in) * eta + inherited;
            R yj = r, sj = 1, eyj = er, esj = 0;
            switch (ly.act) {
                case Act::identity: break;
                case Act::sigmoid:
                    yj = sigmoid_r(r), sj = yj * sigmoid_r(-r);
                    eyj = sj * er + 4 * u * yj + 2 * eta;
                    esj = sj * er + 9 * u * sj + 2 * eta;  // |s′| = s|1 − 2σ| <= s; v·c: 4u + 4u + u
                    break;
                case Act::tanh:
                    yj = std::tanh(r), sj = (1 - yj) * (1 + yj);
                    eyj = sj * er + 4 * u * std::fabs(yj) + 2 * eta;
                    esj = 2 * std::fabs(yj) * eyj + 3 * u * sj + 2 * eta;  // (1 − y)(1 + y): 3 roundings
                    break;
                case Act::relu:
                    yj = r > 0 ? r : R(0), sj = r > 0 ? R(1) : R(0);
                    esj = std::fabs(r) <= er ? R(1) : R(0);  // float and exact may disagree on the side
                    break;
            }
            c.y[l][j] = yj, c.slope[l][j] = sj, c.ey[l][j] = eyj, c.eslope[l][j] = esj;
        }
        v = c.y[l], ev = c.ey[l];
    }
    c.theta = c.y[L - 1];
    const std::vector<R>& th = c.theta;
    const size_t K = th.size();
    for (size_t k = 0; k < K; ++k) c.Delta = std::fmax(c.Delta, c.ey[L - 1][k]);
    const R D = c.Delta;
    c.dtheta.assign(K, 0), c.edtheta.assign(K, 0);
    // ---- the head: J and dJ/dθ exactly, and their errors given Δ (docs/derivation.md)
    if (head == HeadKind::softmax) {
        size_t top = 0;
        for (size_t k = 1; k < K; ++k) top = th[k] > th[top] ? k : top;
        const R m = th[top];
        R t = 0, w = 0;
        for (size_t k = 0; k < K; ++k) {
            if (k != top) t += std::exp(th[k] - m);
            w = std::fmax(w, m - th[k]);
        }
        std::vector<R> p(K), ep(K);
        // ŷ_j: (e^{2Δ} − 1) from θ's error; (w + K + 4)u from θ_j − m, exp, Σ, 1 + t and the division
        const R eps_p = std::expm1(2 * D) + (w + R(K) + 4) * u;
        R S_y = 0;
        for (size_t k = 0; k < K; ++k) {
            p[k] = std::exp(th[k] - m) / (1 + t);
            ep[k] = p[k] * eps_p + 2 * eta;
            S_y += target[k];
        }
        // J = Σ_k y_k((m − θ_k) + log1p(t)): relative (e^{2Δ} − 1) + (w + 2K + 14)u
        const R L1 = std::log1p(t);
        for (size_t k = 0; k < K; ++k)
            if (target[k] != 0) c.J += target[k] * ((m - th[k]) + L1);
        c.eJ = (std::expm1(2 * D) + (w + 2 * R(K) + 14) * u) * c.J + 4 * R(K) * eta;
        // dJ/dθ_k = ŷ_k·Σ_{j≠k} y_j − y_k·Σ_{j≠k} ŷ_j
        for (size_t k = 0; k < K; ++k) {
            R A = 0, B = 0, eB = 0, eall = 0;
            for (size_t j = 0; j < K; ++j) {
                eall += ep[j];
                if (j == k) continue;
                A += target[j], B += p[j], eB += ep[j];
            }
            if (k != top || B >= R(0.25)) eB = eall;  // B_k = total − ŷ_k (or a near tie): every ŷ's error
            eB += 3 * gamma(K) * B;
            c.dtheta[k] = p[k] * A - target[k] * B;
            c.edtheta[k] = ep[k] * A + p[k] * 3 * gamma(K) * A + target[k] * eB + 3 * u * (p[k] * A + target[k] * B);
        }
        (void)S_y;
    } else if (head == HeadKind::logistic) {
        for (size_t k = 0; k < K; ++k) {
            const R y = target[k], s = sigmoid_r(th[k]), sc = sigmoid_r(-th[k]);
            const R Jk = y * softplus_r(-th[k]) + (1 - y) * softplus_r(th[k]);
            c.J += Jk;
            c.dtheta[k] = (1 - y) * s - y * sc;
            const R mk = (1 - y) * s + y * sc;
            c.edtheta[k] = (std::expm1(D) + 7 * u) * mk + 4 * eta;
        }
        c.eJ = (std::expm1(D) + (R(K) + 14) * u) * c.J + 4 * R(K) * eta;
    } else {
        R l1 = 0;
        for (size_t k = 0; k < K; ++k) {
            const R d = th[k] - target[k];
            c.J += d * d / 2;
            c.dtheta[k] = d;
            c.edtheta[k] = D + u * std::fabs(d);
            l1 += std::fabs(d);
        }
        c.eJ = l1 * D + R(K) * D * D / 2 + (R(K) + 3) * u * c.J + 2 * R(K) * eta;
    }
    // ---- backward: dr = dy ⊙ slope, dy_prev = dr·Wᵀ, with their errors
    std::vector<R> g = c.dtheta, eg = c.edtheta;
    for (size_t l = L; l-- > 0;) {
        const RefLayer& ly = layers[l];
        std::vector<R> dr(ly.out), edr(ly.out);
        for (size_t j = 0; j < ly.out; ++j) {
            dr[j] = g[j] * c.slope[l][j];
            edr[j] = eg[j] * c.slope[l][j] + std::fabs(g[j]) * c.eslope[l][j] +
                     (ly.act == Act::identity ? R(0) : u * std::fabs(dr[j]) + 2 * eta);
        }
        std::vector<R> gp(ly.in, R(0)), egp(ly.in, R(0));
        for (size_t i = 0; i < ly.in; ++i) {
            R mag = 0, inherited = 0;
            for (size_t j = 0; j < ly.out; ++j) {
                gp[i] += dr[j] * ly.at(i, j);
                mag += std::fabs(dr[j] * ly.at(i, j));
                inherited += std::fabs(ly.at(i, j)) * edr[j];
            }
            egp[i] = gamma(ly.out) * mag + inherited + R(ly.out) * 2 * eta;
        }
        g = gp, eg = egp;
    }
    c.dx = g, c.edx = eg;
    return c;
}

}  // namespace test
