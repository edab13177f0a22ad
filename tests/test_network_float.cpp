// SPDX-License-Identifier: Apache-2.0
// Specs: a float Network stays within the derived error bound (tests/error_bound.hpp,
// NetworkErrorBound) of the same Network in double, for every activation and every head.
#include <doctest/doctest.h>

#include "error_bound.hpp"
#include "network_support.hpp"

namespace {

using namespace ugrad;

double distance(float f, double d) { return std::fabs(static_cast<double>(f) - d); }

template <size_t I, class AF, class AD, class Bound>
void check_layers(const AF& act_f, const AD& act_d, const Bound& bound) {
    const auto& of = layer_output<I>(act_f);
    const auto& od = layer_output<I>(act_d);
    for (size_t j = 0; j < sizeof(od.y) / sizeof(od.y[0]); ++j) {
        CAPTURE(I);
        CAPTURE(j);
        CHECK(distance(of.y[j], od.y[j]) <= bound.y[I][j]);
        if constexpr (sizeof(od) > sizeof(od.y)) CHECK(distance(of.slope[j], od.slope[j]) <= bound.slope[I][j]);
    }
    if constexpr (I + 1 < AD::depth) check_layers<I + 1>(act_f, act_d, bound);
}

template <class NetD>
void check_float_against_double(uint64_t seed, double weight_scale, double input_scale) {
    using Head = typename NetD::head_type;
    constexpr size_t In = NetD::inputs, Out = NetD::outputs;
    const NetD net_d = test::random_network<NetD>(seed, weight_scale);
    const auto net_f = test::convert_network<float>(net_d);
    using NetF = typename test::network_with_type<float, NetD>::type;
    test::Rng rng{seed + 1000};
    double x_d[In], target_d[Out];
    float x_f[In], target_f[Out];
    test::fill_uniform(x_d, rng, -input_scale, input_scale);  // power-of-two scales: float-exact
    test::convert(x_d, x_f);
    test::random_head_target<Head>(target_d, rng);
    test::convert(target_d, target_f);
    test::convert(target_f, target_d);  // the float target, exactly, in both

    typename NetD::Activations act_d;
    typename NetF::Activations act_f;
    REQUIRE(forward(net_d, x_d, act_d) == Status::ok);
    REQUIRE(forward(net_f, x_f, act_f) == Status::ok);
    double dtheta[Out], loss_d = 0, dx_d[In];
    float loss_f = 0, dx_f[In];
    for (size_t k = 0; k < Out; ++k) dtheta[k] = outputs(act_d)[k] - target_d[k];
    REQUIRE(loss(act_d, target_d, loss_d) == Status::ok);
    REQUIRE(loss(act_f, target_f, loss_f) == Status::ok);
    REQUIRE(input_gradient(net_d, act_d, target_d, dx_d) == Status::ok);
    REQUIRE(input_gradient(net_f, act_f, target_f, dx_f) == Status::ok);

    const test::NetworkErrorBound<NetD> bound(net_d, x_d, act_d, dtheta, target_d);
    check_layers<0>(act_f, act_d, bound);
    for (size_t k = 0; k < Out; ++k) {
        CAPTURE(k);
        CHECK(distance(outputs(act_f)[k], outputs(act_d)[k]) <= bound.probs[k]);
        if constexpr (!test::is<Head, Linear>) CHECK(distance(act_f.log_probs[k], act_d.log_probs[k]) <= bound.log_probs[k]);
        if constexpr (test::is<Head, Logistic>)
            CHECK(distance(act_f.log_complements[k], act_d.log_complements[k]) <= bound.log_complements[k]);
    }
    CHECK(distance(loss_f, loss_d) <= bound.loss);
    for (size_t i = 0; i < In; ++i) {
        CAPTURE(i);
        CHECK(distance(dx_f[i], dx_d[i]) <= bound.dx[i]);
    }
}

}  // namespace

TEST_CASE("float networks stay within the derived bound of double, each activation and each head") {
    for (uint64_t seed = 1; seed <= 4; ++seed) {
        CAPTURE(seed);
        check_float_against_double<Network<Softmax, Dense<16, 8, Tanh, double>, Dense<8, 3, Identity, double>>>(seed, 1, 1);
        check_float_against_double<Network<Softmax, Dense<16, 8, Relu, double>, Dense<8, 3, Identity, double>>>(seed, 1, 1);
        check_float_against_double<Network<Logistic, Dense<7, 5, Sigmoid, double>, Dense<5, 1, Identity, double>>>(seed, 1, 2);
        check_float_against_double<Network<Logistic, Dense<7, 5, Relu, double>, Dense<5, 4, Tanh, double>,
                                           Dense<4, 3, Identity, double>>>(seed, 1, 2);
        check_float_against_double<Network<Linear, Dense<6, 9, Tanh, double>, Dense<9, 2, Identity, double>>>(seed, 1, 2);
        check_float_against_double<Network<Linear, Dense<5, 3, Identity, double>>>(seed, 1, 2);
        check_float_against_double<Network<Softmax, Dense<64, 32, Tanh, double>, Dense<32, 16, Relu, double>,
                                           Dense<16, 10, Identity, double>>>(seed, 0.5, 1);
        check_float_against_double<Network<Softmax, Dense<9, 13, Relu, double>, Dense<13, 7, Sigmoid, double>,
                                           Dense<7, 5, Tanh, double>, Dense<5, 4, Identity, double>>>(seed, 1, 2);
    }
}

TEST_CASE("float networks stay within the bound when units saturate and outputs are far apart") {
    for (uint64_t seed = 11; seed <= 13; ++seed) {
        CAPTURE(seed);
        check_float_against_double<Network<Softmax, Dense<9, 6, Tanh, double>, Dense<6, 5, Identity, double>>>(seed, 16, 4);
        check_float_against_double<Network<Logistic, Dense<9, 6, Sigmoid, double>, Dense<6, 3, Identity, double>>>(seed, 16, 4);
        check_float_against_double<Network<Linear, Dense<9, 6, Relu, double>, Dense<6, 6, Relu, double>,
                                           Dense<6, 2, Identity, double>>>(seed, 8, 4);
    }
}

// The shape of MLPerf Tiny's anomaly-detection autoencoder, ten dense layers (there 640-128-128-128-
// 128-8-128-128-128-128-640, here 40-16-16-16-16-4-16-16-16-16-40), reconstructing its input through
// a Linear head; and the deepest Network there is, max_network_depth layers.
template <typename T>
using Autoencoder = Network<Linear, Dense<40, 16, Relu, T>, Dense<16, 16, Relu, T>, Dense<16, 16, Relu, T>,
                            Dense<16, 16, Relu, T>, Dense<16, 4, Relu, T>, Dense<4, 16, Relu, T>, Dense<16, 16, Relu, T>,
                            Dense<16, 16, Relu, T>, Dense<16, 16, Relu, T>, Dense<16, 40, Identity, T>>;
using Tanh6 = Dense<6, 6, Tanh, double>;
using Deepest = Network<Softmax, Dense<5, 6, Tanh, double>, Tanh6, Tanh6, Tanh6, Tanh6, Tanh6, Tanh6, Tanh6, Tanh6,
                        Tanh6, Tanh6, Tanh6, Tanh6, Tanh6, Tanh6, Tanh6, Tanh6, Tanh6, Tanh6, Tanh6, Tanh6, Tanh6, Tanh6,
                        Tanh6, Tanh6, Tanh6, Tanh6, Tanh6, Tanh6, Tanh6, Tanh6, Dense<6, 3, Identity, double>>;

TEST_CASE("a ten-layer autoencoder and a network of max_network_depth layers stay within the bound of double") {
    static_assert(Autoencoder<double>::depth == 10 && Deepest::depth == max_network_depth, "the depths this test is about");
    for (uint64_t seed = 21; seed <= 23; ++seed) {
        CAPTURE(seed);
        check_float_against_double<Autoencoder<double>>(seed, 1, 1);
        check_float_against_double<Deepest>(seed, 1, 1);
    }
}
