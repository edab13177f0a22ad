// SPDX-License-Identifier: Apache-2.0
// Specs: every Network call against central finite differences of an independent textbook
// reference in double (tests/network_support.hpp), at depths 1 to 4, with every activation and
// every head, odd sizes and one-unit layers included.
#include <doctest/doctest.h>

#include <string.h>

#include "network_support.hpp"

namespace {

using namespace ugrad;
constexpr double fd_tolerance = 1e-6;  // norm-wise relative error, as for Mlp (tests/test_gradient.cpp)

// A network, an input in ±2, a label the head takes and a target it takes.
template <class Net>
struct NetCase {
    static constexpr size_t In = Net::inputs, Out = Net::outputs;
    Net net;
    double x[In];
    size_t label;
    double label_y[Out];
    double target[Out];
    typename Net::Activations act;

    explicit NetCase(uint64_t seed) : net(test::random_network<Net>(seed)) {
        test::Rng rng{seed ^ 0x5eedull};
        test::fill_uniform(x, rng, -2.0, 2.0);
        const bool one_logistic_unit = Out == 1 && test::is<typename Net::head_type, Logistic>;
        label = static_cast<size_t>(rng.next() % (one_logistic_unit ? 2 : Out));
        test::label_target<typename Net::head_type>(label, label_y);
        test::random_head_target<typename Net::head_type>(target, rng);
        REQUIRE(forward(net, x, act) == Status::ok);
    }
    double ref_loss(const double (&v)[In], const double (&y)[Out]) const { return test::ref_network_loss(net, v, y); }
};

// forward's ŷ and loss against the reference; dJ/dx for a label and for a target against finite
// differences of the reference J(x).
template <class Net>
void check_input_gradient(uint64_t seed) {
    using Head = typename Net::head_type;
    NetCase<Net> c(seed);
    const std::vector<double> theta = test::ref_logits(c.net, c.x);
    const std::vector<double> y_hat = test::ref_outputs<Head>(theta);
    for (size_t k = 0; k < Net::outputs; ++k) {
        CHECK(logits(c.act)[k] == doctest::Approx(theta[k]).epsilon(1e-12));
        CHECK(outputs(c.act)[k] == doctest::Approx(y_hat[k]).epsilon(1e-12));
    }
    double J = 0;
    if constexpr (!test::is<Head, Linear>) {
        REQUIRE(loss(c.act, c.label, J) == Status::ok);
        CHECK(J == doctest::Approx(test::ref_head_loss<Head>(theta, c.label_y)).epsilon(1e-12));
        double dx[Net::inputs], fd[Net::inputs];
        test::fill_nan(dx);
        REQUIRE(input_gradient(c.net, c.act, c.label, dx) == Status::ok);
        test::central_difference([&](const double(&v)[Net::inputs]) { return c.ref_loss(v, c.label_y); }, c.x, fd);
        CHECK(test::record_network_fd_error<Net>(test::relative_error(dx, fd)) < fd_tolerance);
    }
    REQUIRE(loss(c.act, c.target, J) == Status::ok);
    CHECK(J == doctest::Approx(test::ref_head_loss<Head>(theta, c.target)).epsilon(1e-12));
    double dx[Net::inputs], fd[Net::inputs];
    test::fill_nan(dx);
    REQUIRE(input_gradient(c.net, c.act, c.target, dx) == Status::ok);
    test::central_difference([&](const double(&v)[Net::inputs]) { return c.ref_loss(v, c.target); }, c.x, fd);
    CHECK(test::record_network_fd_error<Net>(test::relative_error(dx, fd)) < fd_tolerance);
}

// backward for any upstream u = dJ/dθ: the gradient of u·θ(x).
template <class Net>
void check_backward(uint64_t seed) {
    NetCase<Net> c(seed);
    test::Rng rng{seed + 77};
    double u[Net::outputs], dx[Net::inputs], fd[Net::inputs];
    test::fill_uniform(u, rng, -1.0, 1.0);
    test::fill_nan(dx);
    REQUIRE(backward(c.net, c.act, u, dx) == Status::ok);
    test::central_difference(
        [&](const double(&v)[Net::inputs]) {
            const std::vector<double> theta = test::ref_logits(c.net, v);
            double s = 0;
            for (size_t k = 0; k < Net::outputs; ++k) s += u[k] * theta[k];
            return s;
        },
        c.x, fd);
    CHECK(test::record_network_fd_error<Net>(test::relative_error(dx, fd)) < fd_tolerance);
}

// dJ/dW_l and dJ/db_l of layer I against finite differences of J in each parameter.
template <size_t I, class Net>
void check_layer_weights(const NetCase<Net>& c, const Net& grads) {
    using Layer = typename Net::template layer_type<I>;
    constexpr size_t N = Layer::inputs * Layer::outputs + Layer::outputs;
    Net probe = c.net;
    double analytic[N], fd[N], params[N];
    auto& p = layer<I>(probe);
    const auto& g = layer<I>(grads);
    size_t n = 0;
    for (size_t i = 0; i < Layer::inputs; ++i)
        for (size_t j = 0; j < Layer::outputs; ++j, ++n) params[n] = p.w[i][j], analytic[n] = g.w[i][j];
    for (size_t j = 0; j < Layer::outputs; ++j, ++n) params[n] = p.b[j], analytic[n] = g.b[j];
    test::central_difference(
        [&](const double(&v)[N]) {
            size_t m = 0;
            for (size_t i = 0; i < Layer::inputs; ++i)
                for (size_t j = 0; j < Layer::outputs; ++j) p.w[i][j] = v[m++];
            for (size_t j = 0; j < Layer::outputs; ++j) p.b[j] = v[m++];
            return test::ref_network_loss(probe, c.x, c.target);
        },
        params, fd);
    CAPTURE(I);
    CHECK(test::record_network_fd_error<Net>(test::relative_error(analytic, fd)) < fd_tolerance);
    if constexpr (I + 1 < Net::depth) check_layer_weights<I + 1>(c, grads);
}

template <class Net>
void check_weight_gradients(uint64_t seed) {
    NetCase<Net> c(seed);
    Net grads = {};
    REQUIRE(accumulate_gradients(c.net, c.x, c.act, c.target, grads) == Status::ok);
    check_layer_weights<0>(c, grads);
}

// output_jacobian row k against finite differences of ŷ_k(x); for Softmax also log ŷ_k(x).
template <class Net>
void check_jacobian(uint64_t seed) {
    using Head = typename Net::head_type;
    NetCase<Net> c(seed);
    double jac[Net::outputs][Net::inputs];
    REQUIRE(output_jacobian(c.net, c.act, jac) == Status::ok);
    for (size_t k = 0; k < Net::outputs; ++k) {
        double fd[Net::inputs];
        test::central_difference(
            [&](const double(&v)[Net::inputs]) { return test::ref_outputs<Head>(test::ref_logits(c.net, v))[k]; }, c.x, fd);
        CAPTURE(k);
        CHECK(test::record_network_fd_error<Net>(test::relative_error(jac[k], fd)) < fd_tolerance);
    }
    if constexpr (test::is<Head, Softmax>) {
        REQUIRE(log_prob_jacobian(c.net, c.act, jac) == Status::ok);
        for (size_t k = 0; k < Net::outputs; ++k) {
            double fd[Net::inputs];
            test::central_difference(
                [&](const double(&v)[Net::inputs]) {
                    const std::vector<double> theta = test::ref_logits(c.net, v);
                    return theta[k] - test::ref_log_sum_exp(theta);
                },
                c.x, fd);
            CHECK(test::record_network_fd_error<Net>(test::relative_error(jac[k], fd)) < fd_tolerance);
        }
    }
}

template <class Net>
void check_all(uint64_t seed) {
    check_input_gradient<Net>(seed);
    check_backward<Net>(seed + 1);
    check_weight_gradients<Net>(seed + 2);
    check_jacobian<Net>(seed + 3);
}

// Networks of every depth, activation and head (T = double).
using D1_softmax = Network<Softmax, Dense<5, 3, Identity, double>>;
using D1_logistic_one = Network<Logistic, Dense<4, 1, Identity, double>>;
using D1_linear = Network<Linear, Dense<3, 2, Identity, double>>;
using D1_sigmoid_logistic = Network<Logistic, Dense<3, 4, Sigmoid, double>>;
using D2_tanh_softmax = Network<Softmax, Dense<7, 5, Tanh, double>, Dense<5, 4, Identity, double>>;
using D2_relu_logistic = Network<Logistic, Dense<6, 9, Relu, double>, Dense<9, 1, Identity, double>>;
using D2_sigmoid_linear = Network<Linear, Dense<4, 3, Sigmoid, double>, Dense<3, 2, Identity, double>>;
using D2_one_unit = Network<Softmax, Dense<1, 1, Tanh, double>, Dense<1, 2, Identity, double>>;
using D3_mixed_softmax = Network<Softmax, Dense<8, 6, Relu, double>, Dense<6, 5, Tanh, double>, Dense<5, 3, Identity, double>>;
using D3_mixed_logistic =
    Network<Logistic, Dense<5, 7, Sigmoid, double>, Dense<7, 1, Tanh, double>, Dense<1, 3, Identity, double>>;
using D3_mixed_linear = Network<Linear, Dense<4, 6, Tanh, double>, Dense<6, 6, Relu, double>, Dense<6, 2, Identity, double>>;
using D4_softmax = Network<Softmax, Dense<9, 7, Tanh, double>, Dense<7, 5, Sigmoid, double>, Dense<5, 4, Relu, double>,
                           Dense<4, 6, Identity, double>>;
using D4_logistic = Network<Logistic, Dense<3, 5, Relu, double>, Dense<5, 5, Identity, double>, Dense<5, 4, Tanh, double>,
                            Dense<4, 2, Sigmoid, double>>;
using D4_linear = Network<Linear, Dense<2, 3, Sigmoid, double>, Dense<3, 3, Tanh, double>, Dense<3, 3, Relu, double>,
                          Dense<3, 1, Identity, double>>;
}  // namespace

TEST_CASE("a one-layer network's every gradient matches finite differences, each head") {
    check_all<D1_softmax>(101);
    check_all<D1_logistic_one>(111);
    check_all<D1_linear>(121);
    check_all<D1_sigmoid_logistic>(131);
}

TEST_CASE("a two-layer network's every gradient matches finite differences, each activation and head") {
    check_all<D2_tanh_softmax>(201);
    check_all<D2_relu_logistic>(211);
    check_all<D2_sigmoid_linear>(221);
    check_all<D2_one_unit>(231);
}

TEST_CASE("three- and four-layer networks with mixed activations match finite differences") {
    for (uint64_t seed = 0; seed < 3; ++seed) {
        CAPTURE(seed);
        check_all<D3_mixed_softmax>(301 + 10 * seed);
        check_all<D3_mixed_logistic>(331 + 10 * seed);
        check_all<D3_mixed_linear>(361 + 10 * seed);
        check_all<D4_softmax>(401 + 10 * seed);
        check_all<D4_logistic>(431 + 10 * seed);
        check_all<D4_linear>(461 + 10 * seed);
    }
}

// Ten layers: the shape of MLPerf Tiny's anomaly-detection autoencoder, narrower. The walk is one
// recursion over the layers for every depth, so depths one to four (every head and activation)
// and ten cover it. (The deepest
// Network, max_network_depth layers, is checked against double in tests/test_network_float.cpp: with
// random weights its dJ/dx is too small beside J for finite differences to resolve.)
using D10_autoencoder = Network<Linear, Dense<12, 6, Relu, double>, Dense<6, 6, Tanh, double>, Dense<6, 6, Relu, double>,
                                Dense<6, 6, Sigmoid, double>, Dense<6, 3, Relu, double>, Dense<3, 6, Tanh, double>,
                                Dense<6, 6, Relu, double>, Dense<6, 6, Tanh, double>, Dense<6, 6, Relu, double>,
                                Dense<6, 12, Identity, double>>;

TEST_CASE("a ten-layer network's every gradient matches finite differences") {
    static_assert(D10_autoencoder::depth == 10, "the depth this test is about");
    for (uint64_t seed = 0; seed < 3; ++seed) {
        CAPTURE(seed);
        check_all<D10_autoencoder>(1001 + 10 * seed);
    }
}

TEST_CASE("dJ/dtheta is y-hat minus y for every head") {
    // The one fact the backward walk relies on: finite differences of J(θ) against ŷ − y.
    test::Rng rng{909};
    std::vector<double> theta(4);
    double t[4], expected[4], fd[4];
    for (double& v : theta) v = rng.uniform(-3.0, 3.0);
    for (size_t k = 0; k < 4; ++k) t[k] = theta[k];
    auto check = [&](auto head) {
        using Head = decltype(head);
        double y[4];
        test::random_head_target<Head>(y, rng);
        const std::vector<double> y_hat = test::ref_outputs<Head>(theta);
        for (size_t k = 0; k < 4; ++k) expected[k] = y_hat[k] - y[k];
        test::central_difference(
            [&](const double(&v)[4]) { return test::ref_head_loss<Head>(std::vector<double>(v, v + 4), y); }, t, fd);
        CAPTURE(test::name_of<Head>());
        CHECK(test::relative_error(expected, fd) < fd_tolerance);
    };
    check(Softmax{});
    check(Logistic{});
    check(Linear{});
}

// The batch-1 step rounds as accumulate_gradients into a zeroed buffer followed by sgd_step(η, 0):
// equal parameters, bit for bit, at every depth (float).
template <class NetD>
void check_batch1_step(uint64_t seed) {
    using Net = typename test::network_with_type<float, NetD>::type;
    const Net net = test::convert_network<float>(test::random_network<NetD>(seed));
    test::Rng rng{seed + 5};
    float x[Net::inputs], target[Net::outputs];
    double target_d[Net::outputs];
    test::fill_uniform(x, rng, -1.0, 1.0);
    test::random_head_target<typename Net::head_type>(target_d, rng);
    test::convert(target_d, target);
    typename Net::Activations act;
    REQUIRE(forward(net, x, act) == Status::ok);
    Net stepped = net, buffered = net, grads = {};
    REQUIRE(sgd_step(stepped, x, act, target, 0.375f) == Status::ok);
    REQUIRE(accumulate_gradients(net, x, act, target, grads) == Status::ok);
    REQUIRE(sgd_step(buffered, grads, 0.375f) == Status::ok);
    CHECK(memcmp(&stepped, &buffered, sizeof stepped) == 0);
    CHECK(memcmp(&stepped, &net, sizeof net) != 0);
}

TEST_CASE("the batch-1 sgd_step equals accumulate_gradients then sgd_step, at every depth") {
    check_batch1_step<D1_sigmoid_logistic>(1);
    check_batch1_step<D2_relu_logistic>(2);
    check_batch1_step<D3_mixed_softmax>(3);
    check_batch1_step<D3_mixed_linear>(4);
    check_batch1_step<D4_softmax>(5);
    check_batch1_step<D4_logistic>(6);
}
