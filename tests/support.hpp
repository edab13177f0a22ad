// SPDX-License-Identifier: Apache-2.0
// tests/support.hpp — what the specs share: a seeded generator, random models and inputs, an
// independent textbook reference in double (with <cmath>), and central finite differences.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <cmath>
#include <limits>

#include <ugrad/ugrad.hpp>

#include "nan_aware.hpp"
#include "splitmix64.hpp"

namespace test {

// SplitMix64 (tests/splitmix64.hpp) and uniform values drawn from it.
struct Rng {
    uint64_t state;
    uint64_t next() {
        return test::splitmix64(state);
    }
    // Uniform in [lo, hi), from 24 random bits so the value is exact in float too.
    double uniform(double lo, double hi) {
        return lo + (hi - lo) * static_cast<double>(next() >> 40) / 16777216.0;
    }
};

template <size_t N, typename T>
void fill_uniform(T (&v)[N], Rng& rng, double lo, double hi) {
    for (size_t i = 0; i < N; ++i) v[i] = static_cast<T>(rng.uniform(lo, hi));
}
template <size_t N, size_t M, typename T>
void fill_uniform(T (&v)[N][M], Rng& rng, double lo, double hi) {
    for (size_t i = 0; i < N; ++i) fill_uniform(v[i], rng, lo, hi);
}

// A random model with weights in ±scale (float-exact values, so float and double models agree).
template <size_t In, size_t Hidden, size_t Out, typename T = double>
ugrad::Mlp<In, Hidden, Out, T> random_model(uint64_t seed, double scale = 1.0) {
    Rng rng{seed};
    ugrad::Mlp<In, Hidden, Out, T> net{};
    fill_uniform(net.w1, rng, -scale, scale);
    fill_uniform(net.b1, rng, -scale, scale);
    fill_uniform(net.w2, rng, -scale, scale);
    fill_uniform(net.b2, rng, -scale, scale);
    return net;
}

// The same model in another precision.
template <typename U, size_t In, size_t Hidden, size_t Out, typename T>
ugrad::Mlp<In, Hidden, Out, U> convert(const ugrad::Mlp<In, Hidden, Out, T>& net) {
    ugrad::Mlp<In, Hidden, Out, U> out{};
    for (size_t i = 0; i < In; ++i)
        for (size_t j = 0; j < Hidden; ++j) out.w1[i][j] = static_cast<U>(net.w1[i][j]);
    for (size_t j = 0; j < Hidden; ++j) out.b1[j] = static_cast<U>(net.b1[j]);
    for (size_t j = 0; j < Hidden; ++j)
        for (size_t k = 0; k < Out; ++k) out.w2[j][k] = static_cast<U>(net.w2[j][k]);
    for (size_t k = 0; k < Out; ++k) out.b2[k] = static_cast<U>(net.b2[k]);
    return out;
}

template <typename U, size_t N, typename T>
void convert(const T (&from)[N], U (&to)[N]) {
    for (size_t i = 0; i < N; ++i) to[i] = static_cast<U>(from[i]);
}

// A random probability vector (a soft target).
template <size_t Out>
void random_target(double (&y)[Out], Rng& rng) {
    double sum = 0;
    for (size_t k = 0; k < Out; ++k) sum += (y[k] = rng.uniform(0.0, 1.0));
    for (size_t k = 0; k < Out; ++k) y[k] /= sum;
}

// ---- The textbook reference, in double with libm, written independently of the library. ----

// Hidden pre-activation r = x·W1 + b1.
template <size_t In, size_t Hidden, size_t Out>
void ref_pre_activation(const ugrad::Mlp<In, Hidden, Out, double>& net, const double (&x)[In], double (&r)[Hidden]) {
    for (size_t j = 0; j < Hidden; ++j) {
        r[j] = net.b1[j];
        for (size_t i = 0; i < In; ++i) r[j] += x[i] * net.w1[i][j];
    }
}

// Logits θ = σ(r)·W2 + b2 from the hidden pre-activation.
template <size_t In, size_t Hidden, size_t Out>
void ref_logits_from_r(const ugrad::Mlp<In, Hidden, Out, double>& net, const double (&r)[Hidden], double (&theta)[Out]) {
    double h[Hidden];
    for (size_t j = 0; j < Hidden; ++j) h[j] = 1.0 / (1.0 + std::exp(-r[j]));
    for (size_t k = 0; k < Out; ++k) {
        theta[k] = net.b2[k];
        for (size_t j = 0; j < Hidden; ++j) theta[k] += h[j] * net.w2[j][k];
    }
}

// J(θ) = −Σ y log softmax(θ), by log-sum-exp.
template <size_t Out>
double ref_loss_from_logits(const double (&theta)[Out], const double (&y)[Out]) {
    double m = theta[0];
    for (size_t k = 1; k < Out; ++k) m = std::fmax(m, theta[k]);
    double s = 0;
    for (size_t k = 0; k < Out; ++k) s += std::exp(theta[k] - m);
    const double lse = m + std::log(s);
    double J = 0;
    for (size_t k = 0; k < Out; ++k) J -= y[k] * (theta[k] - lse);
    return J;
}

template <size_t In, size_t Hidden, size_t Out>
double ref_loss(const ugrad::Mlp<In, Hidden, Out, double>& net, const double (&x)[In], const double (&y)[Out]) {
    double r[Hidden], theta[Out];
    ref_pre_activation(net, x, r);
    ref_logits_from_r(net, r, theta);
    return ref_loss_from_logits(theta, y);
}

// Central finite differences of f at v, step h·max(1, |v_i|): g_i ≈ (f(v + h e_i) − f(v − h e_i)) / 2h.
template <size_t N, typename F>
void central_difference(F f, const double (&v)[N], double (&g)[N], double h = 1e-5) {
    double w[N];
    for (size_t i = 0; i < N; ++i) w[i] = v[i];
    for (size_t i = 0; i < N; ++i) {
        const double step = h * std::fmax(1.0, std::fabs(v[i]));
        w[i] = v[i] + step;
        const double up = f(w);
        w[i] = v[i] - step;
        const double down = f(w);
        w[i] = v[i];
        g[i] = (up - down) / (2 * step);
    }
}

// Norm-wise relative error ‖a − b‖∞ / ‖b‖∞ (absolute when b is exactly zero). A NaN in a or in
// b makes the error +inf (tests/nan_aware.hpp): an all-NaN gradient must not score 0.
template <size_t N>
double relative_error(const double (&a)[N], const double (&b)[N]) {
    double num = 0, den = 0;
    for (size_t i = 0; i < N; ++i) {
        if (std::isnan(a[i]) || std::isnan(b[i])) return std::numeric_limits<double>::infinity();
        num = worse_error(num, std::fabs(a[i] - b[i]));
        den = worse_error(den, std::fabs(b[i]));
    }
    return as_error(den > 0 ? num / den : num);
}

// The largest relative finite-difference error any gradient test has seen (for the closing line).
inline double& worst_fd_error() {
    static double worst = 0;
    return worst;
}
// A NaN error is recorded (and returned) as +inf.
inline double record_fd_error(double e) {
    worst_fd_error() = worse_error(worst_fd_error(), e);
    return as_error(e);
}

template <size_t N, typename T>
bool all_nan(const T (&v)[N]) {
    for (size_t i = 0; i < N; ++i)
        if (!std::isnan(v[i])) return false;
    return true;
}

}  // namespace test
