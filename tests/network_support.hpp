// SPDX-License-Identifier: Apache-2.0
// tests/network_support.hpp — what the Network specs share: random networks, the same network in
// another precision, and an independent textbook reference in double (with <cmath>) for any stack of
// layers and any head.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <cmath>
#include <string_view>
#include <vector>

#include <ugrad/ugrad.hpp>

#include "support.hpp"

namespace test {

// ---- Types ----

template <typename U, class Layer>
struct dense_with_type;
template <typename U, size_t In, size_t Out, class Act, typename T>
struct dense_with_type<U, ugrad::Dense<In, Out, Act, T>> {
    using type = ugrad::Dense<In, Out, Act, U>;
};
// The same network with value type U.
template <typename U, class Net>
struct network_with_type;
template <typename U, class Head, class... Layers>
struct network_with_type<U, ugrad::Network<Head, Layers...>> {
    using type = ugrad::Network<Head, typename dense_with_type<U, Layers>::type...>;
};

template <class Head, class Act>
constexpr bool is = ugrad::detail::same_type<Head, Act>::value;

// Short names for reports: "softmax", "relu", ...
template <class A> const char* name_of();
template <> inline const char* name_of<ugrad::Identity>() { return "identity"; }
template <> inline const char* name_of<ugrad::Sigmoid>() { return "sigmoid"; }
template <> inline const char* name_of<ugrad::Tanh>() { return "tanh"; }
template <> inline const char* name_of<ugrad::Relu>() { return "relu"; }
template <> inline const char* name_of<ugrad::Softmax>() { return "softmax"; }
template <> inline const char* name_of<ugrad::Logistic>() { return "logistic"; }
template <> inline const char* name_of<ugrad::Linear>() { return "linear"; }

// ---- Values ----

// NaN in every entry: an output a call leaves unwritten then fails the checks (and GCC 12 -O2 does
// not warn maybe-uninitialized where the call writes on every path).
template <size_t N>
void fill_nan(double (&v)[N]) {
    for (double& e : v) e = std::nan("");
}

// A random network with weights and biases uniform in ±scale (float-exact values).
template <class Net>
Net random_network(uint64_t seed, double scale = 1.0) {
    Rng rng{seed};
    Net net{};
    ugrad::detail::for_each_layer(net, [&](auto& dense) {
        fill_uniform(dense.w, rng, -scale, scale);
        fill_uniform(dense.b, rng, -scale, scale);
    });
    return net;
}

template <size_t I = 0, class To, class From>
void copy_layers(To& to, const From& from) {
    const auto& f = ugrad::layer<I>(from);
    auto& t = ugrad::layer<I>(to);
    using U = typename To::value_type;
    for (size_t i = 0; i < sizeof(f.w) / sizeof(f.w[0]); ++i)
        for (size_t j = 0; j < sizeof(f.b) / sizeof(f.b[0]); ++j) t.w[i][j] = static_cast<U>(f.w[i][j]);
    for (size_t j = 0; j < sizeof(f.b) / sizeof(f.b[0]); ++j) t.b[j] = static_cast<U>(f.b[j]);
    if constexpr (I + 1 < From::depth) copy_layers<I + 1>(to, from);
}

// The same network in precision U.
template <typename U, class Net>
typename network_with_type<U, Net>::type convert_network(const Net& net) {
    typename network_with_type<U, Net>::type out{};
    copy_layers(out, net);
    return out;
}

// A target the head accepts: a probability vector (Softmax), entries in [0, 1] (Logistic), any
// values in ±2 (Linear).
template <class Head, size_t Out>
void random_head_target(double (&y)[Out], Rng& rng) {
    if constexpr (is<Head, ugrad::Softmax>) {
        random_target(y, rng);
    } else if constexpr (is<Head, ugrad::Logistic>) {
        for (size_t k = 0; k < Out; ++k) y[k] = rng.uniform(0.0, 1.0);
    } else {
        for (size_t k = 0; k < Out; ++k) y[k] = rng.uniform(-2.0, 2.0);
    }
}

// The target a label stands for: onehot(label), or (one-unit Logistic) y = label.
template <class Head, size_t Out>
void label_target(size_t label, double (&y)[Out]) {
    for (size_t k = 0; k < Out; ++k) y[k] = (Out == 1 && is<Head, ugrad::Logistic>) ? double(label) : (k == label ? 1.0 : 0.0);
}

// ---- The textbook reference, in double with libm ----

inline double ref_activation(ugrad::Identity, double r) { return r; }
inline double ref_activation(ugrad::Sigmoid, double r) { return 1.0 / (1.0 + std::exp(-r)); }
inline double ref_activation(ugrad::Tanh, double r) { return std::tanh(r); }
inline double ref_activation(ugrad::Relu, double r) { return r > 0 ? r : 0.0; }

// θ(x): every layer y = act(x·W + b), i ascending.
template <size_t I = 0, class Net>
std::vector<double> ref_logits(const Net& net, const std::vector<double>& x) {
    const auto& dense = ugrad::layer<I>(net);
    using Layer = typename Net::template layer_type<I>;
    std::vector<double> y(Layer::outputs);
    for (size_t j = 0; j < Layer::outputs; ++j) {
        double r = static_cast<double>(dense.b[j]);
        for (size_t i = 0; i < Layer::inputs; ++i) r += x[i] * static_cast<double>(dense.w[i][j]);
        y[j] = ref_activation(typename Layer::activation{}, r);
    }
    if constexpr (I + 1 < Net::depth) return ref_logits<I + 1>(net, y);
    else return y;
}
template <class Net, size_t In>
std::vector<double> ref_logits(const Net& net, const double (&x)[In]) {
    return ref_logits(net, std::vector<double>(x, x + In));
}

inline double ref_log_sum_exp(const std::vector<double>& theta) {
    double m = theta[0];
    for (double t : theta) m = std::fmax(m, t);
    double s = 0;
    for (double t : theta) s += std::exp(t - m);
    return m + std::log(s);
}
inline double ref_softplus(double z) { return std::fmax(z, 0.0) + std::log1p(std::exp(-std::fabs(z))); }

// ŷ(θ) of each head.
template <class Head>
std::vector<double> ref_outputs(const std::vector<double>& theta) {
    std::vector<double> p(theta.size());
    const double lse = is<Head, ugrad::Softmax> ? ref_log_sum_exp(theta) : 0.0;
    for (size_t k = 0; k < theta.size(); ++k) {
        if constexpr (is<Head, ugrad::Softmax>) p[k] = std::exp(theta[k] - lse);
        else if constexpr (is<Head, ugrad::Logistic>) p[k] = 1.0 / (1.0 + std::exp(-theta[k]));
        else p[k] = theta[k];
    }
    return p;
}

// J(θ, y) of each head: −Σ y (θ − lse); Σ softplus(θ) − yθ; ½ Σ (θ − y)².
template <class Head, size_t Out>
double ref_head_loss(const std::vector<double>& theta, const double (&y)[Out]) {
    double J = 0;
    const double lse = is<Head, ugrad::Softmax> ? ref_log_sum_exp(theta) : 0.0;
    for (size_t k = 0; k < Out; ++k) {
        if constexpr (is<Head, ugrad::Softmax>) J -= y[k] * (theta[k] - lse);
        else if constexpr (is<Head, ugrad::Logistic>) J += ref_softplus(theta[k]) - y[k] * theta[k];
        else J += 0.5 * (theta[k] - y[k]) * (theta[k] - y[k]);
    }
    return J;
}

template <class Net, size_t In, size_t Out>
double ref_network_loss(const Net& net, const double (&x)[In], const double (&y)[Out]) {
    return ref_head_loss<typename Net::head_type>(ref_logits(net, x), y);
}

// Largest finite-difference error per name (an activation or a head), for the closing report.
struct NamedError {
    const char* name;
    double worst;
};
inline std::vector<NamedError>& fd_errors_by_name() {
    static std::vector<NamedError> table;
    return table;
}
// A NaN error is recorded as +inf (tests/nan_aware.hpp).
inline void record_named_fd_error(const char* name, double e) {
    for (auto& entry : fd_errors_by_name())
        if (std::string_view(entry.name) == name) {
            entry.worst = worse_error(entry.worst, e);
            return;
        }
    fd_errors_by_name().push_back({name, as_error(e)});
}
// Records e under the network's head and under each activation it uses.
template <class Net, size_t I = 0>
void record_layer_fd_errors(double e) {
    record_named_fd_error(name_of<typename Net::template layer_type<I>::activation>(), e);
    if constexpr (I + 1 < Net::depth) record_layer_fd_errors<Net, I + 1>(e);
}
template <class Net>
double record_network_fd_error(double e) {
    record_fd_error(e);
    record_named_fd_error(name_of<typename Net::head_type>(), e);
    record_layer_fd_errors<Net>(e);
    return as_error(e);
}

}  // namespace test
