// SPDX-License-Identifier: Apache-2.0
// Specs: the statuses of Network calls at two edges tests/fuzz/fuzz_layers.cpp reached, as
// include/ugrad/network.hpp and network_jacobian.hpp document them, and what a failed Jacobian writes.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include <ugrad/ugrad.hpp>

namespace {

using ugrad::Dense;
using ugrad::Linear;
using ugrad::Logistic;
using ugrad::Network;
using ugrad::Relu;
using ugrad::Softmax;
using ugrad::Status;

// A failed Jacobian of a 2-3-2 network (the forward saw a NaN): status non_finite_input, its two
// rows [2][2] all NaN, and the spare third row of the buffer they sit in untouched.
template <class Head, bool log_probs>
void check_failed_jacobian_rows() {
    using Net = Network<Head, Dense<2, 3, Relu>, Dense<3, 2>>;
    const Net net = {{{{1.0f, -1.0f, 0.5f}, {0.5f, 0.25f, -2.0f}}, {0.0f, 0.1f, 0.2f}},
                     {{{1.0f, 2.0f}, {-1.0f, 0.5f}, {0.25f, -0.75f}}, {0.0f, 0.5f}}};
    const float x[2] = {std::numeric_limits<float>::quiet_NaN(), 1.0f};
    typename Net::Activations act;
    REQUIRE(ugrad::forward(net, x, act) == Status::non_finite_input);
    float rows[3][2] = {{0.0f, 0.0f}, {0.0f, 0.0f}, {7.0f, -7.0f}};
    auto& jac = reinterpret_cast<float (&)[2][2]>(rows);
    if constexpr (log_probs) CHECK(ugrad::log_prob_jacobian(net, act, jac) == Status::non_finite_input);
    else CHECK(ugrad::output_jacobian(net, act, jac) == Status::non_finite_input);
    for (size_t k = 0; k < 2; ++k) CHECK((std::isnan(rows[k][0]) && std::isnan(rows[k][1])));
    CHECK(rows[2][0] == 7.0f);
    CHECK(rows[2][1] == -7.0f);
}

TEST_CASE("a Linear network's input_gradient for a valid target whose θ − y overflows returns non_finite_result and dx all NaN") {
    using Net = Network<Linear, Dense<1, 1>>;
    const Net net = {{{{2e38f}}, {0.0f}}};
    const float x[1] = {1.0f};
    Net::Activations act;
    REQUIRE(ugrad::forward(net, x, act) == Status::ok);  // θ = 2e38, finite
    const float target[1] = {-2e38f};                      // finite: a target a Linear head takes
    float dx[1] = {0.0f};
    // Inputs valid, forward succeeded, dx comes out non-finite (θ − y = +inf): non_finite_result,
    // as backward documents it. Today: non_finite_input.
    CHECK(ugrad::input_gradient(net, act, target, dx) == Status::non_finite_result);
    CHECK(std::isnan(dx[0]));
}

TEST_CASE("a Linear network's output_jacobian after a failed forward returns non_finite_input and jac all NaN") {
    const float nan = std::numeric_limits<float>::quiet_NaN();
    const float x[2] = {nan, 1.0f};
    float jac[1][2] = {{0.0f, 0.0f}};
    SUBCASE("with a ReLU layer (today: non_finite_result)") {
        using Net = Network<Linear, Dense<2, 2, Relu>, Dense<2, 1>>;
        const Net net = {{{{1.0f, -1.0f}, {0.5f, 0.25f}}, {0.0f, 0.0f}}, {{{1.0f}, {2.0f}}, {0.0f}}};
        Net::Activations act;
        REQUIRE(ugrad::forward(net, x, act) == Status::non_finite_input);
        CHECK(ugrad::output_jacobian(net, act, jac) == Status::non_finite_input);
        CHECK((std::isnan(jac[0][0]) && std::isnan(jac[0][1])));
    }
    SUBCASE("with Identity layers only (today: ok, and jac = W0ᵀ, finite)") {
        using Net = Network<Linear, Dense<2, 1>>;
        const Net net = {{{{1.0f}, {2.0f}}, {0.0f}}};
        Net::Activations act;
        REQUIRE(ugrad::forward(net, x, act) == Status::non_finite_input);
        CHECK(ugrad::output_jacobian(net, act, jac) == Status::non_finite_input);
        CHECK((std::isnan(jac[0][0]) && std::isnan(jac[0][1])));
    }
}

TEST_CASE("a failed Jacobian fills its Out rows with NaN and writes nothing past them, each head") {
    check_failed_jacobian_rows<Softmax, true>();
    check_failed_jacobian_rows<Softmax, false>();
    check_failed_jacobian_rows<Logistic, false>();
    check_failed_jacobian_rows<Linear, false>();
}

}  // namespace
