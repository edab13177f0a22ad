// SPDX-License-Identifier: Apache-2.0
// ugrad: host-only
// Specs: the int8 input gradient — its scaling against a double-precision reference of the same
// integer pipeline (same forward codes, exact backward arithmetic) within a running error bound of
// every rounding the pipeline makes; the heads and activations it supports; its statuses.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <type_traits>
#include <vector>

#include <ugrad/q8/to_float.hpp>

#include "q8_quantize.hpp"
#include "support.hpp"

namespace q8 = ugrad::q8;

namespace {

// A vector held as exact reference values r, the pipeline's integers v with exponent e, and a
// bound b on |v·2^e − r| per entry.
struct Tracked {
    std::vector<double> r, b;
    std::vector<int32_t> v;
    int32_t e;
    double value(size_t i) const { return std::ldexp(static_cast<double>(v[i]), e); }
    void normalize() {
        const int32_t e_before = e;
        q8::normalize15(v.data(), v.size(), e);
        if (e > e_before)
            for (double& x : b) x += std::ldexp(0.5, e);  // half a step of the new exponent
    }
};

// One layer back: dJ/dacc from dJ/dy (slope of Act from codes y), then Σ_j w_ij dJ/dacc_j.
template <class Act, size_t In, size_t Out>
Tracked layer_back(const q8::Dense<In, Out, Act>& l, const int8_t* y, Tracked g) {
    g.normalize();
    if (y) {
        for (size_t j = 0; j < Out; ++j) {
            const double factor = std::ldexp(q8::Slope<Act>::of(y[j], l.output_zero_point), q8::Slope<Act>::gradient_exponent);
            g.r[j] *= factor;
            g.b[j] *= factor;
        }
        q8::detail::apply_slope<Act>(g.v.data(), y, l.output_zero_point, Out, g.e);
        g.normalize();
    }
    // The factors: exact m·2^−n in the reference; the pipeline's m >> 16 is low by < 2^−14 relative,
    // and its shift to the common exponent rounds by half a step (or drops a unit beyond 30 bits).
    std::vector<double> before(Out);
    for (size_t j = 0; j < Out; ++j) before[j] = std::fabs(g.value(j));
    uint32_t n_min = 255;
    for (size_t j = 0; j < Out; ++j) n_min = std::min<uint32_t>(n_min, l.shift[j]);
    q8::detail::apply_factors(g.v.data(), l.multiplier, l.shift, Out, g.e);
    for (size_t j = 0; j < Out; ++j) {
        const double f = std::ldexp(static_cast<double>(l.multiplier[j]), -l.shift[j]);
        g.r[j] *= f;
        g.b[j] = g.b[j] * f + before[j] * f * std::ldexp(1.0, -14) +
                 (l.shift[j] > n_min ? (l.shift[j] - n_min > 30 ? before[j] * f : std::ldexp(0.5, g.e)) : 0.0);
    }
    g.normalize();
    Tracked out{std::vector<double>(In, 0.0), std::vector<double>(In, 0.0), std::vector<int32_t>(In), g.e};
    q8::detail::affine_t(g.v.data(), &l.w[0][0], In, Out, out.v.data());
    for (size_t i = 0; i < In; ++i)
        for (size_t j = 0; j < Out; ++j) {
            out.r[i] += l.w[i][j] * g.r[j];
            out.b[i] += std::abs(l.w[i][j]) * g.b[j];
        }
    return out;
}

template <size_t In, size_t Hidden, size_t Out>
void check_against_reference(const test::Q8Mlp<In, Hidden, Out>& net, const int8_t (&x)[In], size_t label, double& worst_ratio) {
    typename test::Q8Mlp<In, Hidden, Out>::Activations act;
    q8::InputGradient<In> dx{};
    REQUIRE(q8::forward(net, x, act) == ugrad::Status::ok);
    REQUIRE(q8::input_gradient(net, act, label, dx) == ugrad::Status::ok);
    // From the head's seed dJ/dθ_code = d·2^(e − 12) (its own accuracy: the seed specs below).
    int32_t seed[Out];
    const int32_t e = q8::label_gradient(ugrad::Softmax{}, act.rest.logits, q8::outputs(act), label, seed).exponent;
    Tracked d{std::vector<double>(Out), std::vector<double>(Out, 0.0), std::vector<int32_t>(Out), e - 12};
    for (size_t k = 0; k < Out; ++k) {
        d.v[k] = seed[k];
        d.r[k] = std::ldexp(static_cast<double>(seed[k]), e - 12);
    }
    const Tracked dy = layer_back(net.layers.rest.layer, nullptr, d);
    const Tracked dxr = layer_back(net.layers.layer, act.y, dy);
    REQUIRE(dxr.e == dx.exponent);
    for (size_t i = 0; i < In; ++i) {
        REQUIRE(dxr.v[i] == dx.code[i]);  // the mirror calls the same integer steps
        const double error = std::fabs(std::ldexp(static_cast<double>(dx.code[i]), dx.exponent) - dxr.r[i]);
        REQUIRE(error <= dxr.b[i] * (1 + 1e-9));
        if (dxr.b[i] > 0) worst_ratio = test::worse_error(worst_ratio, error / dxr.b[i]);
    }
}

}  // namespace

TEST_CASE("int8 dJ/dx matches a double reference of the same integer pipeline within the bound of its roundings") {
    double worst_ratio = 0;
    for (uint64_t seed = 1; seed <= 40; ++seed) {
        const auto net = test::random_model<16, 8, 3>(seed, 1.0);
        static test::Q8Mlp<16, 8, 3> q;
        test::quantize(net, test::input_quantization(0.0, 1.0), q);
        test::Rng rng{seed * 7};
        for (int s = 0; s < 8; ++s) {
            int8_t x[16];
            for (int8_t& c : x) c = static_cast<int8_t>(static_cast<int>(rng.next() % 256) - 128);
            check_against_reference(q, x, static_cast<size_t>(rng.next() % 3), worst_ratio);
        }
    }
    for (uint64_t seed = 100; seed < 110; ++seed) {
        const auto net = test::random_model<64, 32, 10>(seed, 0.5);
        static test::Q8Mlp<64, 32, 10> q;
        test::quantize(net, test::input_quantization(0.0, 1.0), q);
        test::Rng rng{seed};
        int8_t x[64];
        for (int8_t& c : x) c = static_cast<int8_t>(static_cast<int>(rng.next() % 256) - 128);
        check_against_reference(q, x, seed % 10, worst_ratio);
    }
    MESSAGE("largest |dx - reference| / bound: " << worst_ratio);
}

TEST_CASE("int8 input_gradient: label_out_of_range and bad_target fill dx with invalid_code; valid calls never produce it") {
    const auto net = test::random_model<16, 8, 3>(3, 1.0);
    static test::Q8Mlp<16, 8, 3> q;
    test::quantize(net, test::input_quantization(0.0, 1.0), q);
    int8_t x[16] = {};
    test::Q8Mlp<16, 8, 3>::Activations act;
    REQUIRE(q8::forward(q, x, act) == ugrad::Status::ok);
    q8::InputGradient<16> dx{};
    CHECK(q8::input_gradient(q, act, 3, dx) == ugrad::Status::label_out_of_range);
    for (int32_t c : dx.code) CHECK(c == q8::invalid_code);
    CHECK(dx.exponent == 0);
    const int32_t negative[3] = {-1, 32768, 1}, too_much[3] = {32768, 100, 0}, too_big[3] = {40000, 0, 0};
    const int32_t valid[3] = {16384, 16384 + 33, 0}, soft[3] = {10000, 12768, 10000};
    for (const auto* bad : {&negative, &too_much, &too_big}) {
        CHECK(q8::input_gradient(q, act, *bad, dx) == ugrad::Status::bad_target);
        for (int32_t c : dx.code) CHECK(c == q8::invalid_code);
    }
    CHECK(q8::input_gradient(q, act, valid, dx) == ugrad::Status::ok);
    CHECK(q8::input_gradient(q, act, soft, dx) == ugrad::Status::ok);
    for (int32_t c : dx.code) CHECK(c != q8::invalid_code);
    // A one-hot target is the label.
    const int32_t onehot[3] = {0, 32768, 0};
    q8::InputGradient<16> by_label{};
    REQUIRE(q8::input_gradient(q, act, onehot, dx) == ugrad::Status::ok);
    REQUIRE(q8::input_gradient(q, act, 1, by_label) == ugrad::Status::ok);
    CHECK(dx.exponent == by_label.exponent);
    for (size_t i = 0; i < 16; ++i) CHECK(dx.code[i] == by_label.code[i]);

    // A Linear head's target: |y| < 2^30, so that ŷ − y (|ŷ| <= 2^30) fits an int32.
    using LinearNet = q8::Network<ugrad::Linear, q8::Dense<16, 8, ugrad::Relu>, q8::Dense<8, 2>>;
    static LinearNet linear;
    for (size_t j = 0; j < 8; ++j) {
        linear.layers.layer.multiplier[j] = 1 << 30;
        linear.layers.layer.shift[j] = 40;
    }
    for (size_t k = 0; k < 2; ++k) {
        linear.layers.rest.layer.multiplier[k] = 1 << 30;
        linear.layers.rest.layer.shift[k] = 1;  // logits saturate at ±2^30
        linear.layers.rest.layer.b[k] = k == 0 ? (1 << 30) : -(1 << 30);
    }
    LinearNet::Activations lact;
    REQUIRE(q8::forward(linear, x, lact) == ugrad::Status::ok);
    CHECK(q8::outputs(lact)[0] == (1 << 30));
    CHECK(q8::outputs(lact)[1] == -(1 << 30));
    const int32_t edge[2] = {-(1 << 30) + 1, (1 << 30) - 1}, beyond[2] = {0, 1 << 30};
    CHECK(q8::input_gradient(linear, lact, edge, dx) == ugrad::Status::ok);
    for (int32_t c : dx.code) CHECK(c != q8::invalid_code);
    CHECK(q8::input_gradient(linear, lact, beyond, dx) == ugrad::Status::bad_target);
    for (int32_t c : dx.code) CHECK(c == q8::invalid_code);
}

TEST_CASE("int8 input_gradient: a refused call after a valid one leaves no stale exponent") {
    const auto net = test::random_model<16, 8, 3>(5, 1.0);
    static test::Q8Mlp<16, 8, 3> q;
    test::quantize(net, test::input_quantization(0.0, 1.0), q);
    int8_t x[16];
    for (size_t i = 0; i < 16; ++i) x[i] = static_cast<int8_t>(17 * i - 100);
    test::Q8Mlp<16, 8, 3>::Activations act;
    REQUIRE(q8::forward(q, x, act) == ugrad::Status::ok);
    q8::InputGradient<16> dx{};
    const int32_t bad[3] = {-1, 32768, 1};
    for (int refused = 0; refused < 2; ++refused) {
        REQUIRE(q8::input_gradient(q, act, 1, dx) == ugrad::Status::ok);
        REQUIRE(dx.exponent != 0);  // what a stale exponent would be
        if (refused == 0) CHECK(q8::input_gradient(q, act, 3, dx) == ugrad::Status::label_out_of_range);
        else CHECK(q8::input_gradient(q, act, bad, dx) == ugrad::Status::bad_target);
        CHECK(dx.exponent == 0);
        for (int32_t c : dx.code) CHECK(c == q8::invalid_code);
    }
}

TEST_CASE("int8 input_gradient: a one-unit Logistic head takes label 1 as y = 1 and label 0 as y = 0, and refuses 2") {
    using Net = q8::Network<ugrad::Logistic, q8::Dense<4, 3, ugrad::Relu>, q8::Dense<3, 1>>;
    test::Rng rng{11};
    double w1[4][3], b1[3], w2[3][1], b2[1];
    test::fill_uniform(w1, rng, -1.0, 1.0);
    test::fill_uniform(b1, rng, -1.0, 1.0);
    test::fill_uniform(w2, rng, -1.0, 1.0);
    test::fill_uniform(b2, rng, -1.0, 1.0);
    Net q{};
    q.input_zero_point = 0;
    test::quantize_dense(w1, b1, 1.0 / 64, q.layers.layer);
    test::quantize_dense(w2, b2, 1.0 / 64, q.layers.rest.layer);
    const int8_t x[4] = {60, -20, 90, 10};
    Net::Activations act;
    REQUIRE(q8::forward(q, x, act) == ugrad::Status::ok);
    q8::InputGradient<4> by_label{}, by_target{};
    for (int32_t label = 0; label <= 1; ++label) {
        CAPTURE(label);
        const int32_t y[1] = {label == 1 ? 32768 : 0};
        REQUIRE(q8::input_gradient(q, act, static_cast<size_t>(label), by_label) == ugrad::Status::ok);
        REQUIRE(q8::input_gradient(q, act, y, by_target) == ugrad::Status::ok);
        CHECK(by_label.exponent == by_target.exponent);
        for (size_t i = 0; i < 4; ++i) CHECK(by_label.code[i] == by_target.code[i]);
    }
    CHECK(q8::input_gradient(q, act, 2, by_label) == ugrad::Status::label_out_of_range);
}

namespace {

// A float reference for a two-layer network with any hidden activation and head, in double.
template <class Act>
double act_real(double r) {
    if (std::is_same<Act, ugrad::Sigmoid>::value) return 1 / (1 + std::exp(-r));
    if (std::is_same<Act, ugrad::Tanh>::value) return std::tanh(r);
    if (std::is_same<Act, ugrad::Relu>::value) return r > 0 ? r : 0;
    return r;
}

// Quantizes a random 8-6-Out float network with hidden Act (scales: sigmoid 1/256, tanh 1/128,
// others from the range [-4, 4] with zero point 0), runs both, and returns the cosine between the
// int8 dJ/dx and the float one (central differences of the float loss in double), and the largest
// |ŷ − ŷ_float|.
template <class Act, class Head, size_t Out>
void compare_small(uint64_t seed, double& cosine, double& output_error) {
    using Net = q8::Network<Head, q8::Dense<8, 6, Act>, q8::Dense<6, Out>>;
    const auto f = test::random_model<8, 6, Out>(seed, 1.0);
    static Net q;
    const auto input = test::input_quantization(-1.0, 1.0);
    q.input_zero_point = input.zero_point;
    const bool fixed = std::is_same<Act, ugrad::Sigmoid>::value || std::is_same<Act, ugrad::Tanh>::value;
    const double hidden_scale = std::is_same<Act, ugrad::Sigmoid>::value ? 1.0 / 256 : std::is_same<Act, ugrad::Tanh>::value ? 1.0 / 128 : 4.0 / 127;
    test::quantize_dense(f.w1, f.b1, input.scale, q.layers.layer);
    if (!fixed)  // straight to the output codes: factor s_in·s_j/s_out instead of ·4096
        for (size_t j = 0; j < 6; ++j) {
            const double s = std::ldexp(static_cast<double>(q.layers.layer.multiplier[j]), -q.layers.layer.shift[j]) / 4096;
            test::factor(s / hidden_scale, q.layers.layer.multiplier[j], q.layers.layer.shift[j]);
        }
    test::quantize_dense(f.w2, f.b2, hidden_scale, q.layers.rest.layer);
    test::Rng rng{seed};
    double x[8];
    int8_t xq[8];
    for (size_t i = 0; i < 8; ++i) {
        xq[i] = input.code(rng.uniform(-1.0, 1.0));
        x[i] = input.scale * (xq[i] - input.zero_point);  // the same input on both paths
    }
    int32_t target[Out];
    double y[Out];
    for (size_t k = 0; k < Out; ++k) y[k] = std::is_same<Head, ugrad::Linear>::value ? 0.5 : (k == 0 ? 1.0 : 0.0);
    for (size_t k = 0; k < Out; ++k) target[k] = static_cast<int32_t>(std::ldexp(y[k], -q8::HeadScale<Head>::output_exponent));
    auto forward_real = [&](const double (&in)[8], double (&yh)[Out]) {
        double h[6], t[Out];
        for (size_t j = 0; j < 6; ++j) {
            double r = f.b1[j];
            for (size_t i = 0; i < 8; ++i) r += in[i] * f.w1[i][j];
            h[j] = act_real<Act>(r);
        }
        for (size_t k = 0; k < Out; ++k) {
            t[k] = f.b2[k];
            for (size_t j = 0; j < 6; ++j) t[k] += h[j] * f.w2[j][k];
        }
        if (std::is_same<Head, ugrad::Softmax>::value) {
            double m = t[0], s = 0;
            for (double v : t) m = std::max(m, v);
            for (double v : t) s += std::exp(v - m);
            for (size_t k = 0; k < Out; ++k) yh[k] = std::exp(t[k] - m) / s;
        } else if (std::is_same<Head, ugrad::Logistic>::value) {
            for (size_t k = 0; k < Out; ++k) yh[k] = 1 / (1 + std::exp(-t[k]));
        } else {
            for (size_t k = 0; k < Out; ++k) yh[k] = t[k];
        }
        double loss = 0;
        for (size_t k = 0; k < Out; ++k) {
            if (std::is_same<Head, ugrad::Softmax>::value) loss -= y[k] * std::log(yh[k]);
            else if (std::is_same<Head, ugrad::Logistic>::value) loss -= y[k] * std::log(yh[k]) + (1 - y[k]) * std::log(1 - yh[k]);
            else loss += 0.5 * (yh[k] - y[k]) * (yh[k] - y[k]);
        }
        return loss;
    };
    double yh[Out], grad[8];
    forward_real(x, yh);
    for (size_t i = 0; i < 8; ++i) {
        double xp[8], xm[8], tmp[Out];
        for (size_t k = 0; k < 8; ++k) xp[k] = xm[k] = x[k];
        xp[i] += 1e-6;
        xm[i] -= 1e-6;
        grad[i] = (forward_real(xp, tmp) - forward_real(xm, tmp)) / 2e-6;
    }
    typename Net::Activations act;
    q8::InputGradient<8> dx{};
    REQUIRE(q8::forward(q, xq, act) == ugrad::Status::ok);
    REQUIRE(q8::input_gradient(q, act, target, dx) == ugrad::Status::ok);
    double yq[Out], dxq[8];
    q8::outputs_to_float<Head>(q8::outputs(act), yq);
    q8::to_float(dx, input.scale, dxq);
    output_error = 0;
    for (size_t k = 0; k < Out; ++k) output_error = test::worse_error(output_error, std::fabs(yq[k] - yh[k]));
    double dot = 0, a = 0, b = 0;
    for (size_t i = 0; i < 8; ++i) {
        dot += grad[i] * dxq[i];
        a += grad[i] * grad[i];
        b += dxq[i] * dxq[i];
    }
    cosine = dot / std::sqrt(a * b);
}

template <class Act, class Head, size_t Out>
void check_small(const char* name, double min_cosine, double max_output_error) {
    double worst_cos = 1, worst_out = 0;
    for (uint64_t seed = 1; seed <= 30; ++seed) {
        double c = 0, e = 0;
        compare_small<Act, Head, Out>(seed, c, e);
        worst_cos = test::worse_score(worst_cos, c);
        worst_out = test::worse_error(worst_out, e);
    }
    MESSAGE(std::string(name) << ": smallest cosine " << worst_cos << ", largest output error " << worst_out);
    CHECK(worst_cos >= min_cosine);
    CHECK(worst_out <= max_output_error);
}

}  // namespace

TEST_CASE("every hidden activation and head of the int8 path follows the float model's outputs and dJ/dx direction") {
    check_small<ugrad::Sigmoid, ugrad::Softmax, 3>("sigmoid + softmax", 0.99, 0.02);
    check_small<ugrad::Tanh, ugrad::Softmax, 3>("tanh + softmax", 0.99, 0.02);
    check_small<ugrad::Relu, ugrad::Logistic, 2>("relu + logistic", 0.99, 0.02);
    check_small<ugrad::Identity, ugrad::Logistic, 1>("identity + logistic(1)", 0.99, 0.02);
    check_small<ugrad::Sigmoid, ugrad::Linear, 2>("sigmoid + linear", 0.99, 0.02);
}

namespace {

// The exact ŷ − y of a softmax in long double from the Q12 logits θ, for a label k: ŷ_j − [j = k]
// with 1 − ŷ_k as Σ_{j≠k} ŷ_j (no cancellation in the reference either).
template <size_t Out>
void softmax_seed_exact(const int32_t (&logits)[Out], size_t label, long double (&d)[Out]) {
    long double top = logits[0];
    for (int32_t t : logits) top = std::fmax(top, static_cast<long double>(t));
    long double sum = 0, e[Out];
    for (size_t j = 0; j < Out; ++j) sum += e[j] = std::exp((logits[j] - top) / 4096.0L);
    long double others = 0;
    for (size_t j = 0; j < Out; ++j)
        if (j != label) others += d[j] = e[j] / sum;
    d[label] = -others;
}

// The largest |seed − exact| over the largest |exact|, against the bound of the seed's roundings
// (heads.hpp): each a_j = exp_q16 within 0.7·2^−16 of the largest (1), so A within Out·0.7·2^−16
// relative; normalize15, m, the cut of S and the floor of c each 2^−14 relative at most, S's
// rounding 2^−15; and log2 e in Q15 (47274), e^−δ up to 2^(1.51e−5·δ) too large (δ in nats; see
// exp_scaled's spec in test_q8_primitives.cpp). When k is not the
// top class, the Q15 path: each ŷ_j within 0.5 + 0.35·(1 + Out) Q15 steps (the softmax head's spec
// in test_q8_primitives.cpp), over the largest |ŷ_k − 1| >= ½.
template <size_t Out>
double softmax_seed_error(const int32_t (&logits)[Out], size_t label, double& bound) {
    int32_t y_hat[Out], d[Out];
    q8::head_outputs(ugrad::Softmax{}, logits, y_hat);
    const int32_t e = q8::label_gradient(ugrad::Softmax{}, logits, y_hat, label, d).exponent;
    long double exact[Out], largest = 0, error = 0;
    softmax_seed_exact(logits, label, exact);
    for (size_t j = 0; j < Out; ++j) {
        largest = std::fmax(largest, std::fabs(exact[j]));
        error = std::fmax(error, std::fabs(std::ldexp(static_cast<long double>(d[j]), e) - exact[j]));
    }
    int32_t r = INT32_MIN;
    for (size_t j = 0; j < Out; ++j)
        if (j != label) r = std::max(r, logits[j]);
    const double margin = (static_cast<double>(logits[label]) - r) / 4096;
    bound = margin > 0 ? Out * 0.7 / 65536 + 4 * std::ldexp(1.0, -14) + std::ldexp(1.0, -15) + std::exp2(1.51e-5 * margin) - 1
                       : 2 * (0.5 + 0.35 * (1 + Out)) / 32768;
    return static_cast<double>(error / largest);
}

}  // namespace

TEST_CASE("the softmax head's seed dJ/dθ = ŷ − onehot(k) keeps its relative accuracy at any margin: never 0 where ŷ_k rounds to 1") {
    test::Rng rng{20};
    double worst_ratio = 0;
    size_t confident = 0;
    for (int s = 0; s < 20000; ++s) {
        int32_t logits[10];
        // spreads from a fraction of a nat to 1000 nats; the label the top class 3 times in 4
        const double spread = s % 4 == 0 ? 4096.0 : s % 4 == 1 ? 40000.0 : s % 4 == 2 ? 400000.0 : 4096000.0;
        for (int32_t& t : logits) t = static_cast<int32_t>(rng.uniform(-spread, spread));
        size_t label = rng.next() % 10;
        if (s % 4 != 3)
            for (size_t j = 0; j < 10; ++j)
                if (logits[j] > logits[label]) label = j;
        int32_t y_hat[10];
        q8::head_outputs(ugrad::Softmax{}, logits, y_hat);
        confident += y_hat[label] == 32768;
        double bound = 0;
        const double error = softmax_seed_error(logits, label, bound);
        REQUIRE(error <= bound);
        worst_ratio = std::max(worst_ratio, error / bound);
    }
    MESSAGE("softmax seed: largest error / bound " << worst_ratio << "; " << confident << " samples with Q15 ŷ_k = 1");
    CHECK(confident >= 1000);  // the regime this is about: Q15 ŷ − y would be 0 there
    // The extremes: logits saturated at ±2^30 (a margin of 2^19 nats), two classes tied at the top.
    const int32_t far[3] = {1 << 30, -(1 << 30), -(1 << 30)};
    int32_t y_hat[3], d[3];
    q8::head_outputs(ugrad::Softmax{}, far, y_hat);
    const int32_t e = q8::label_gradient(ugrad::Softmax{}, far, y_hat, 0, d).exponent;
    CHECK(d[0] == -2 * d[1]);  // −(ŷ_1 + ŷ_2), ŷ_1 = ŷ_2 = e^−524288/(1 + …)
    CHECK(d[1] == d[2]);
    CHECK(d[1] > 0);
    CHECK(e < -700000);  // log2 e^−524288 = −756,388
    const int32_t tied[3] = {4096, 4096, 0};
    double bound = 0;
    CHECK(softmax_seed_error(tied, 0, bound) <= bound);
}

TEST_CASE("the logistic head's seed σ(θ) − y keeps its relative accuracy at any |θ| for y = 0 and 1") {
    double worst = 0;
    for (int32_t theta = -(1 << 23); theta <= (1 << 23); theta += 997) {  // ±2048 nats
        const int32_t logits[2] = {theta, -theta / 3};
        for (size_t label = 0; label < 2; ++label) {
            int32_t y_hat[2], d[2];
            q8::head_outputs(ugrad::Logistic{}, logits, y_hat);
            const int32_t e = q8::label_gradient(ugrad::Logistic{}, logits, y_hat, label, d).exponent;
            long double largest = 0, error = 0, exact[2];
            for (size_t k = 0; k < 2; ++k) {
                // σ(θ) − [k = label] as ±σ(±θ), from the side that does not cancel
                const long double t = logits[k] / 4096.0L;
                exact[k] = k == label ? -1 / (1 + std::exp(t)) : 1 / (1 + std::exp(-t));
                largest = std::fmax(largest, std::fabs(exact[k]));
            }
            for (size_t k = 0; k < 2; ++k) error = std::fmax(error, std::fabs(std::ldexp(static_cast<long double>(d[k]), e) - exact[k]));
            // m and c rounded (2^−15, 2^−14 relative), the small term's rounding (2^−15 of 1 + e^−|θ|),
            // the alignment's rounding (2^−31 of the largest), log2 e in Q15 (a factor 2^(1.51e−5 per nat)).
            const double bound = 4 * std::ldexp(1.0, -15) + std::exp2(1.51e-5 * std::fabs(theta / 4096.0)) - 1;
            REQUIRE(static_cast<double>(error / largest) <= bound);
            worst = std::max(worst, static_cast<double>(error / largest) / bound);
        }
    }
    MESSAGE("logistic seed: largest error / bound " << worst);
}

namespace {

// A random 8-6-Out model with hidden Act, its last bias raised by `boost` nats on class 0 (a model
// sure of class 0), quantized as compare_small does; returns the cosine between the int8 dJ/dx and
// the exact one for the label 0 (double, the seed ŷ − y without cancellation: 1 − ŷ_0 as Σ_{j≠0} ŷ_j,
// σ(θ) − 1 as −σ(−θ)), and whether the int8 ŷ_0 is exactly the label in Q15.
template <class Act, class Head, size_t Out>
double confident_cosine(uint64_t seed, double boost, bool& saturated) {
    using Net = q8::Network<Head, q8::Dense<8, 6, Act>, q8::Dense<6, Out>>;
    auto f = test::random_model<8, 6, Out>(seed, 1.0);
    f.b2[0] += boost;
    static Net q;
    const auto input = test::input_quantization(-1.0, 1.0);
    q.input_zero_point = input.zero_point;
    const bool fixed = std::is_same<Act, ugrad::Sigmoid>::value;
    const double hidden_scale = fixed ? 1.0 / 256 : 4.0 / 127;
    test::quantize_dense(f.w1, f.b1, input.scale, q.layers.layer);
    if (!fixed)
        for (size_t j = 0; j < 6; ++j) {
            const double s = std::ldexp(static_cast<double>(q.layers.layer.multiplier[j]), -q.layers.layer.shift[j]) / 4096;
            test::factor(s / hidden_scale, q.layers.layer.multiplier[j], q.layers.layer.shift[j]);
        }
    test::quantize_dense(f.w2, f.b2, hidden_scale, q.layers.rest.layer);
    test::Rng rng{seed};
    double x[8];
    int8_t xq[8];
    for (size_t i = 0; i < 8; ++i) {
        xq[i] = input.code(rng.uniform(-1.0, 1.0));
        x[i] = input.scale * (xq[i] - input.zero_point);
    }
    // The float model in double, forward and back.
    double r[6], h[6], slope[6], theta[Out], dtheta[Out];
    for (size_t j = 0; j < 6; ++j) {
        r[j] = f.b1[j];
        for (size_t i = 0; i < 8; ++i) r[j] += x[i] * f.w1[i][j];
        h[j] = act_real<Act>(r[j]);
        slope[j] = fixed ? h[j] * (1 - h[j]) : (r[j] > 0 ? 1.0 : 0.0);
    }
    for (size_t k = 0; k < Out; ++k) {
        theta[k] = f.b2[k];
        for (size_t j = 0; j < 6; ++j) theta[k] += h[j] * f.w2[j][k];
    }
    if (std::is_same<Head, ugrad::Softmax>::value) {
        double top = theta[0], sum = 0, others = 0;
        for (double t : theta) top = std::max(top, t);
        for (double t : theta) sum += std::exp(t - top);
        for (size_t k = 1; k < Out; ++k) others += dtheta[k] = std::exp(theta[k] - top) / sum;
        dtheta[0] = -others;
    } else {  // Logistic, y = onehot(0)
        dtheta[0] = -1 / (1 + std::exp(theta[0]));
        for (size_t k = 1; k < Out; ++k) dtheta[k] = 1 / (1 + std::exp(-theta[k]));
    }
    double grad[8] = {};
    for (size_t j = 0; j < 6; ++j) {
        double g = 0;
        for (size_t k = 0; k < Out; ++k) g += f.w2[j][k] * dtheta[k];
        for (size_t i = 0; i < 8; ++i) grad[i] += f.w1[i][j] * g * slope[j];
    }
    typename Net::Activations act;
    q8::InputGradient<8> dx{};
    REQUIRE(q8::forward(q, xq, act) == ugrad::Status::ok);
    REQUIRE(q8::input_gradient(q, act, Out == 1 ? 1 : 0, dx) == ugrad::Status::ok);  // y_0 = 1 (one output: y = label)
    saturated = q8::outputs(act)[0] == 32768;
    double dxq[8], dot = 0, a = 0, b = 0;
    q8::to_float(dx, input.scale, dxq);
    for (size_t i = 0; i < 8; ++i) {
        dot += grad[i] * dxq[i];
        a += grad[i] * grad[i];
        b += dxq[i] * dxq[i];
    }
    return a > 0 && b > 0 ? dot / std::sqrt(a * b) : 0.0;
}

template <class Act, class Head, size_t Out>
void check_confident(const char* name) {
    double worst = 1;
    int saturated_count = 0;
    for (uint64_t seed = 1; seed <= 30; ++seed)
        for (double boost : {8.0, 16.0, 32.0, 48.0}) {
            bool saturated = false;
            const double c = confident_cosine<Act, Head, Out>(seed, boost, saturated);
            saturated_count += saturated;
            worst = std::min(worst, c);
        }
    MESSAGE(std::string(name) << ": smallest cosine " << worst << " over 120 confident models, " << saturated_count
                              << " with the Q15 ŷ exactly the label");
    CHECK(saturated_count >= 60);  // the regime this is about
    CHECK(worst >= 0.99);
}

}  // namespace

TEST_CASE("a model sure of its answer keeps the direction of its int8 dJ/dx where the Q15 ŷ is exactly the label") {
    check_confident<ugrad::Sigmoid, ugrad::Softmax, 3>("sigmoid + softmax");
    check_confident<ugrad::Relu, ugrad::Logistic, 2>("relu + logistic");
    check_confident<ugrad::Relu, ugrad::Logistic, 1>("relu + logistic(1)");
}
