// SPDX-License-Identifier: Apache-2.0
// Specs: a confident model keeps its loss and its gradient. On networks whose logits are 10 to 100
// nats apart — where ŷ rounds to the label in float — J and dJ/dx stay within the derived bound of
// the exact values (tests/confident_reference.hpp, docs/derivation.md "Accuracy when confident"),
// for every head, with a label and with a target, for Network and Mlp, in float and in double.
// ugrad: host-only (the reference is long double, wider than double only here)
#include <doctest/doctest.h>

#include <cmath>
#include <limits>
#include <string>
#include <type_traits>
#include <vector>

#include "confident_reference.hpp"
#include "nan_aware.hpp"
#include "network_support.hpp"

namespace {

using test::HeadKind;
using test::R;

// The largest relative errors found, per head and type, for the report.
struct Worst {
    double J = 0, dx = 0, J_bound = 0, dx_bound = 0;
    size_t cases = 0;
};
Worst& worst(HeadKind head, bool is_float) {
    static Worst table[3][2];
    return table[static_cast<int>(head)][is_float ? 1 : 0];
}

double norm2(const std::vector<R>& v) {
    R s = 0;
    for (R e : v) s += e * e;
    return static_cast<double>(std::sqrt(s));
}

// What the library computed for one sample and one label or target.
template <typename T>
struct Computed {
    ugrad::Status loss_status, gradient_status;
    T J;
    std::vector<T> dx;
};

// Checks the library's J and dJ/dx against the exact values and the bound, where J >= 1e-30.
template <typename T>
void check_case(const test::Confident& c, HeadKind head, const Computed<T>& got) {
    if (c.J < R(1e-30)) return;
    REQUIRE(got.loss_status == ugrad::Status::ok);
    REQUIRE(got.gradient_status == ugrad::Status::ok);
    const R J_error = std::fabs(R(got.J) - c.J);
    CHECK(J_error <= c.eJ);
    std::vector<R> diff(c.dx.size());
    for (size_t i = 0; i < c.dx.size(); ++i) {
        diff[i] = R(got.dx[i]) - c.dx[i];
        CHECK(std::fabs(diff[i]) <= c.edx[i]);
    }
    Worst& w = worst(head, sizeof(T) == sizeof(float));
    const double dx_norm = norm2(c.dx);
    w.J = test::worse_error(w.J, static_cast<double>(J_error / c.J));  // a NaN is reported as inf
    w.J_bound = test::worse_error(w.J_bound, static_cast<double>(c.eJ / c.J));
    if (dx_norm > 0) {
        w.dx = test::worse_error(w.dx, norm2(diff) / dx_norm);
        w.dx_bound = test::worse_error(w.dx_bound, norm2(c.edx) / dx_norm);
    }
    ++w.cases;
}

// ---- calling the library: Network or Mlp, a label or a target ----

template <class Net>
constexpr bool is_mlp = false;
template <size_t In, size_t Hidden, size_t Out, typename T>
constexpr bool is_mlp<ugrad::Mlp<In, Hidden, Out, T>> = true;

template <class Net>
struct activations_of {
    using type = typename Net::Activations;
};
template <size_t In, size_t Hidden, size_t Out, typename T>
struct activations_of<ugrad::Mlp<In, Hidden, Out, T>> {
    using type = ugrad::Activations<In, Hidden, Out, T>;
};

template <class Net, typename T, size_t In>
typename activations_of<Net>::type run_forward(const Net& net, const T (&x)[In]) {
    typename activations_of<Net>::type act{};
    REQUIRE(ugrad::forward(net, x, act) == ugrad::Status::ok);
    return act;
}

template <typename T, class Net, class Act, size_t In>
Computed<T> run_label(const Net& net, const Act& act, size_t label) {
    Computed<T> got{};
    T dx[In];
    got.loss_status = ugrad::cross_entropy(act, label, got.J);
    got.gradient_status = ugrad::input_gradient(net, act, label, dx);
    got.dx.assign(dx, dx + In);
    return got;
}
template <typename T, class Net, class Act, size_t In, size_t Out>
Computed<T> run_target(const Net& net, const Act& act, const T (&y)[Out]) {
    Computed<T> got{};
    T dx[In];
    if constexpr (is_mlp<Net>) got.loss_status = ugrad::cross_entropy(act, y, got.J);
    else got.loss_status = ugrad::loss(act, y, got.J);
    got.gradient_status = ugrad::input_gradient(net, act, y, dx);
    got.dx.assign(dx, dx + In);
    return got;
}

// ---- the models: random hidden layers, the last layer scaled to a margin ----

// The margin of logits θ: Softmax θ_top − θ_second; Logistic min_k |θ_k|; Linear max_k |θ_k|.
R margin_of(const std::vector<R>& theta, HeadKind head) {
    if (head == HeadKind::softmax) {
        R first = -std::numeric_limits<R>::infinity(), second = first;
        for (R t : theta) {
            if (t > first) second = first, first = t;
            else if (t > second) second = t;
        }
        return first - second;
    }
    R m = head == HeadKind::logistic ? std::numeric_limits<R>::infinity() : R(0);
    for (R t : theta) m = head == HeadKind::logistic ? std::fmin(m, std::fabs(t)) : std::fmax(m, std::fabs(t));
    return m;
}

std::vector<R> exact_logits(const std::vector<test::RefLayer>& layers, const std::vector<R>& x) {
    std::vector<R> v = x;
    for (const test::RefLayer& l : layers) {
        std::vector<R> y(l.out);
        for (size_t j = 0; j < l.out; ++j) {
            R r = l.b[j];
            for (size_t i = 0; i < l.in; ++i) r += v[i] * l.at(i, j);
            switch (l.act) {
                case test::Act::identity: y[j] = r; break;
                case test::Act::sigmoid: y[j] = test::sigmoid_r(r); break;
                case test::Act::tanh: y[j] = std::tanh(r); break;
                case test::Act::relu: y[j] = r > 0 ? r : R(0); break;
            }
        }
        v = y;
    }
    return v;
}

// The last layer's weights and bias times c (a Network or an Mlp, in double).
template <class Net>
void scale_last_layer(Net& net, double c) {
    if constexpr (is_mlp<Net>) {
        for (auto& row : net.w2)
            for (double& w : row) w *= c;
        for (double& b : net.b2) b *= c;
    } else {
        auto& dense = ugrad::layer<Net::depth - 1>(net);
        for (auto& row : dense.w)
            for (double& w : row) w *= c;
        for (double& b : dense.b) b *= c;
    }
}
template <typename T, class Net>
auto in_type(const Net& net) {
    if constexpr (is_mlp<Net>) return test::convert<T>(net);
    else return test::convert_network<T>(net);
}

// Every case for one model (in double: netd), one input and one margin, in type T.
template <typename T, HeadKind head, class NetD, size_t In, size_t Out>
void check_model(NetD netd, const double (&xd)[In], double margin, test::Rng& rng) {
    std::vector<R> xr(xd, xd + In);
    const R measured = margin_of(exact_logits(test::layers_of(netd), xr), head);
    if (!(measured > 0)) return;
    scale_last_layer(netd, static_cast<double>(R(margin) / measured));
    const auto net = in_type<T>(netd);
    T x[In];
    for (size_t i = 0; i < In; ++i) x[i] = static_cast<T>(xd[i]);
    for (size_t i = 0; i < In; ++i) xr[i] = R(x[i]);
    const std::vector<test::RefLayer> layers = test::layers_of(net);
    const std::vector<R> theta = exact_logits(layers, xr);
    const auto act = run_forward(net, x);
    CAPTURE(margin);

    // Labels: Softmax the top class (confidently right) and the lowest (confidently wrong);
    // Logistic the class each unit is confident of (one unit), or the top unit.
    std::vector<size_t> labels;
    if constexpr (head == HeadKind::softmax) {
        size_t top = 0, low = 0;
        for (size_t k = 1; k < Out; ++k) top = theta[k] > theta[top] ? k : top, low = theta[k] < theta[low] ? k : low;
        labels = {top, low};
    } else if constexpr (head == HeadKind::logistic) {
        if (Out == 1) labels = {theta[0] > 0 ? size_t(1) : size_t(0), theta[0] > 0 ? size_t(0) : size_t(1)};
        else {
            size_t top = 0;
            for (size_t k = 1; k < Out; ++k) top = theta[k] > theta[top] ? k : top;
            labels = {top};
        }
    }
    if constexpr (head != HeadKind::linear)
    for (size_t label : labels) {
        CAPTURE(label);
        std::vector<R> y(Out, R(0));
        if (head == HeadKind::logistic && Out == 1) y[0] = R(label);
        else y[label] = 1;
        const test::Confident c = test::confident_reference<T>(layers, head, xr, y);
        check_case<T>(c, head, run_label<T, std::decay_t<decltype(net)>, std::decay_t<decltype(act)>, In>(net, act, label));
    }

    // Targets: Softmax onehot(top), the top at 1 − 1e-3 with the rest shared, a random probability
    // vector; Logistic the side each unit is on, and random y in [0, 1]; Linear random y in ±2.
    std::vector<std::vector<double>> targets;
    if constexpr (head == HeadKind::softmax) {
        size_t top = 0;
        for (size_t k = 1; k < Out; ++k) top = theta[k] > theta[top] ? k : top;
        std::vector<double> onehot(Out, 0.0), soft(Out, 1e-3 / double(Out - 1));
        onehot[top] = 1.0, soft[top] = 1.0 - 1e-3;
        double random[Out];
        test::random_target(random, rng);
        targets = {onehot, soft, std::vector<double>(random, random + Out)};
    } else if constexpr (head == HeadKind::logistic) {
        std::vector<double> side(Out), random(Out);
        for (size_t k = 0; k < Out; ++k) side[k] = theta[k] > 0 ? 1.0 : 0.0, random[k] = rng.uniform(0.0, 1.0);
        targets = {side, random};
    } else {
        std::vector<double> random(Out);
        for (size_t k = 0; k < Out; ++k) random[k] = rng.uniform(-2.0, 2.0);
        targets = {random};
    }
    for (const std::vector<double>& target : targets) {
        T yt[Out];
        std::vector<R> y(Out);
        for (size_t k = 0; k < Out; ++k) yt[k] = static_cast<T>(target[k]), y[k] = R(yt[k]);
        const test::Confident c = test::confident_reference<T>(layers, head, xr, y);
        check_case<T>(c, head, run_target<T, std::decay_t<decltype(net)>, std::decay_t<decltype(act)>, In, Out>(net, act, yt));
    }
}

template <class NetD, HeadKind head, size_t In, size_t Out>
void check_all_margins(uint64_t seed, NetD netd) {
    test::Rng rng{seed + 77};
    double x[In];
    test::fill_uniform(x, rng, -1.0, 1.0);
    for (double margin : {10.0, 30.0, 60.0, 100.0}) {
        check_model<float, head, NetD, In, Out>(netd, x, margin, rng);
        check_model<double, head, NetD, In, Out>(netd, x, margin, rng);
    }
}

template <class NetD>
void check_network(uint64_t seed) {
    constexpr HeadKind head = test::head_of<typename NetD::head_type>();
    check_all_margins<NetD, head, NetD::inputs, NetD::outputs>(seed, test::random_network<NetD>(seed, 0.5));
}

}  // namespace

TEST_CASE("confident: Softmax networks keep J and dJ/dx to the derived bound, labels and targets, float and double") {
    for (uint64_t seed = 1; seed <= 6; ++seed) {
        CAPTURE(seed);
        check_network<ugrad::Network<ugrad::Softmax, ugrad::Dense<8, 16, ugrad::Tanh, double>,
                                     ugrad::Dense<16, 12, ugrad::Relu, double>, ugrad::Dense<12, 5, ugrad::Identity, double>>>(seed);
        check_network<ugrad::Network<ugrad::Softmax, ugrad::Dense<10, 2, ugrad::Identity, double>>>(seed);
    }
    CHECK(worst(HeadKind::softmax, true).cases >= 100);
    CHECK(worst(HeadKind::softmax, false).cases >= 100);
}

TEST_CASE("confident: Logistic networks keep J and dJ/dx to the derived bound, labels and targets, float and double") {
    for (uint64_t seed = 1; seed <= 6; ++seed) {
        CAPTURE(seed);
        check_network<ugrad::Network<ugrad::Logistic, ugrad::Dense<8, 16, ugrad::Sigmoid, double>,
                                     ugrad::Dense<16, 3, ugrad::Identity, double>>>(seed);
        check_network<ugrad::Network<ugrad::Logistic, ugrad::Dense<6, 8, ugrad::Relu, double>,
                                     ugrad::Dense<8, 1, ugrad::Identity, double>>>(seed);
    }
    CHECK(worst(HeadKind::logistic, true).cases >= 60);
    CHECK(worst(HeadKind::logistic, false).cases >= 60);
}

TEST_CASE("confident: Linear networks keep J and dJ/dx to the derived bound, float and double") {
    for (uint64_t seed = 1; seed <= 6; ++seed) {
        CAPTURE(seed);
        check_network<ugrad::Network<ugrad::Linear, ugrad::Dense<8, 16, ugrad::Relu, double>,
                                     ugrad::Dense<16, 4, ugrad::Identity, double>>>(seed);
    }
    CHECK(worst(HeadKind::linear, true).cases >= 20);
    CHECK(worst(HeadKind::linear, false).cases >= 20);
}

TEST_CASE("confident: Mlp keeps J and dJ/dx to the derived bound, labels and targets, float and double") {
    const size_t before_f = worst(HeadKind::softmax, true).cases, before_d = worst(HeadKind::softmax, false).cases;
    for (uint64_t seed = 1; seed <= 6; ++seed) {
        CAPTURE(seed);
        check_all_margins<ugrad::Mlp<16, 8, 10, double>, HeadKind::softmax, 16, 10>(
            seed, test::random_model<16, 8, 10>(seed, 0.5));
    }
    CHECK(worst(HeadKind::softmax, true).cases - before_f >= 60);
    CHECK(worst(HeadKind::softmax, false).cases - before_d >= 60);
}

TEST_CASE("confident: the largest relative errors found (report)") {
    const char* names[3] = {"softmax", "logistic", "linear"};
    for (int h = 0; h < 3; ++h)
        for (int f = 1; f >= 0; --f) {
            const Worst& w = worst(static_cast<HeadKind>(h), f == 1);
            const std::string what = std::string(names[h]) + (f ? " float" : " double");
            MESSAGE(what, ": ", w.cases, " cases, max relative error of J ", w.J, " (bound ", w.J_bound, "), of dJ/dx ",
                    w.dx, " (bound ", w.dx_bound, ")");
        }
}

TEST_CASE("confident: a 40-nat margin keeps its loss and gradient where the textbook formulas give 0") {
    // Two classes, θ = (0, −40): ŷ_0 = 1/(1 + e^−40) rounds to 1 in float and in double.
    using Net = ugrad::Network<ugrad::Softmax, ugrad::Dense<1, 2, ugrad::Identity, float>>;
    const Net net = {{{{0.0f, -40.0f}}, {0.0f, 0.0f}}};
    const float x[1] = {1.0f};
    Net::Activations act;
    REQUIRE(ugrad::forward(net, x, act) == ugrad::Status::ok);
    const double tiny = std::exp(-40.0);  // 4.25e-18; J = log1p(e^−40) and ŷ_1 equal it to 1e-17
    float J = 0, dx[1] = {0};
    REQUIRE(ugrad::loss(act, 0, J) == ugrad::Status::ok);
    CHECK(std::fabs(double(J) - tiny) <= 1e-6 * tiny);
    REQUIRE(ugrad::input_gradient(net, act, 0, dx) == ugrad::Status::ok);
    // dJ/dx = dθ·Wᵀ = (−ŷ_1)·0 + ŷ_1·(−40) = −40·e^−40
    CHECK(std::fabs(double(dx[0]) + 40 * tiny) <= 1e-6 * 40 * tiny);

    // The same with one logistic unit, θ = 40 and label 1: J = softplus(−40), dJ/dθ = −σ(−40).
    using Unit = ugrad::Network<ugrad::Logistic, ugrad::Dense<1, 1, ugrad::Identity, float>>;
    const Unit unit = {{{{40.0f}}, {0.0f}}};
    Unit::Activations uact;
    REQUIRE(ugrad::forward(unit, x, uact) == ugrad::Status::ok);
    REQUIRE(ugrad::loss(uact, 1, J) == ugrad::Status::ok);
    CHECK(std::fabs(double(J) - tiny) <= 1e-6 * tiny);
    REQUIRE(ugrad::input_gradient(unit, uact, 1, dx) == ugrad::Status::ok);
    CHECK(std::fabs(double(dx[0]) + 40 * tiny) <= 1e-6 * 40 * tiny);
}
