// SPDX-License-Identifier: Apache-2.0
// Specs: each factor of dJ/dx against central finite differences in double, at several sizes.
#include <doctest/doctest.h>

#include "support.hpp"

namespace {

constexpr double fd_tolerance = 1e-6;  // norm-wise relative error, required by the core issue

template <size_t In, size_t Hidden, size_t Out>
struct Case {
    ugrad::Mlp<In, Hidden, Out, double> net;
    double x[In];
    double y[Out];
    size_t label;
    ugrad::Activations<In, Hidden, Out, double> act;

    explicit Case(uint64_t seed, bool soft) : net(test::random_model<In, Hidden, Out>(seed)) {
        test::Rng rng{seed ^ 0xabcdefull};
        test::fill_uniform(x, rng, -2.0, 2.0);
        label = static_cast<size_t>(rng.next() % Out);
        if (soft) {
            test::random_target(y, rng);
        } else {
            for (size_t k = 0; k < Out; ++k) y[k] = k == label ? 1.0 : 0.0;
        }
        REQUIRE(ugrad::forward(net, x, act) == ugrad::Status::ok);
    }
};

// dJ/dx from input_gradient against finite differences of the textbook J(x), label and soft target.
template <size_t In, size_t Hidden, size_t Out>
void check_input_gradient(uint64_t seed) {
    for (int pass = 0; pass < 2; ++pass) {
        const bool soft = pass == 1;
        Case<In, Hidden, Out> c(seed, soft);
        double dx[In];
        const ugrad::Status s = soft ? ugrad::input_gradient(c.net, c.act, c.y, dx)
                                     : ugrad::input_gradient(c.net, c.act, c.label, dx);
        REQUIRE(s == ugrad::Status::ok);
        double fd[In];
        test::central_difference([&](const double(&v)[In]) { return test::ref_loss(c.net, v, c.y); }, c.x, fd);
        CAPTURE(soft);
        CHECK(test::record_fd_error(test::relative_error(dx, fd)) < fd_tolerance);
    }
}

}  // namespace

TEST_CASE("dJ/dx matches central finite differences at every size, odd and tiny ones included") {
    check_input_gradient<1, 1, 2>(1);
    check_input_gradient<2, 3, 2>(2);
    check_input_gradient<3, 5, 7>(3);
    check_input_gradient<7, 4, 3>(4);
    check_input_gradient<16, 8, 3>(5);
    check_input_gradient<13, 11, 9>(6);
    check_input_gradient<64, 32, 10>(7);
}

TEST_CASE("dJ/dtheta is probs minus target") {
    // Step 1 of docs/derivation.md: finite differences of J(θ) against ŷ − y.
    Case<5, 4, 6> c(11, true);
    double theta[6], g[6], expected[6];
    for (size_t k = 0; k < 6; ++k) {
        theta[k] = c.act.logits[k];
        expected[k] = c.act.probs[k] - c.y[k];
    }
    test::central_difference([&](const double(&v)[6]) { return test::ref_loss_from_logits(v, c.y); }, theta, g);
    CHECK(test::record_fd_error(test::relative_error(expected, g)) < fd_tolerance);
}

TEST_CASE("dJ/dr is (probs minus target) times W2 transposed, element-wise times h(1-h)") {
    // Steps 2 and 3: perturb the hidden pre-activation r and compare with the two factors.
    Case<6, 5, 4> c(12, true);
    double r[5], g[5], dtheta[4], dh[5], dr[5];
    test::ref_pre_activation(c.net, c.x, r);
    for (size_t k = 0; k < 4; ++k) dtheta[k] = c.act.probs[k] - c.y[k];
    ugrad::affine_t(dtheta, c.net.w2, dh);
    for (size_t j = 0; j < 5; ++j) {
        CHECK(c.act.dh_dr[j] == doctest::Approx(c.act.h[j] * (1 - c.act.h[j])).epsilon(1e-14));
        dr[j] = dh[j] * c.act.dh_dr[j];
    }
    auto J = [&](const double(&v)[5]) {
        double theta[4];
        test::ref_logits_from_r(c.net, v, theta);
        return test::ref_loss_from_logits(theta, c.y);
    };
    test::central_difference(J, r, g);
    CHECK(test::record_fd_error(test::relative_error(dr, g)) < fd_tolerance);
}

TEST_CASE("backward carries any upstream gradient dJ/dtheta to the input") {
    // For J = u·θ with a fixed vector u, dJ/dθ = u: backward(u) must match finite differences of u·θ(x).
    auto net = test::random_model<9, 6, 5>(21);
    test::Rng rng{22};
    double x[9], u[5], dx[9], fd[9];
    test::fill_uniform(x, rng, -1.5, 1.5);
    test::fill_uniform(u, rng, -3.0, 3.0);
    ugrad::Activations<9, 6, 5, double> act;
    REQUIRE(ugrad::forward(net, x, act) == ugrad::Status::ok);
    REQUIRE(ugrad::backward(net, act, u, dx) == ugrad::Status::ok);
    auto J = [&](const double(&v)[9]) {
        double r[6], theta[5];
        test::ref_pre_activation(net, v, r);
        test::ref_logits_from_r(net, r, theta);
        double sum = 0;
        for (size_t k = 0; k < 5; ++k) sum += u[k] * theta[k];
        return sum;
    };
    test::central_difference(J, x, fd);
    CHECK(test::record_fd_error(test::relative_error(dx, fd)) < fd_tolerance);
}

TEST_CASE("the sign: without the minus, the gradient would point the other way") {
    // J = −Σ y log ŷ decreases along −dJ/dx: a small step against the gradient lowers the loss.
    Case<8, 6, 4> c(31, false);
    double dx[8], x2[8];
    REQUIRE(ugrad::input_gradient(c.net, c.act, c.label, dx) == ugrad::Status::ok);
    for (size_t i = 0; i < 8; ++i) x2[i] = c.x[i] - 1e-3 * dx[i];
    CHECK(test::ref_loss(c.net, x2, c.y) < test::ref_loss(c.net, c.x, c.y));
}

TEST_CASE("the loss equals the textbook cross-entropy") {
    Case<10, 7, 5> c(41, true);
    double loss = 0;
    REQUIRE(ugrad::cross_entropy(c.act, c.y, loss) == ugrad::Status::ok);
    CHECK(loss == doctest::Approx(test::ref_loss(c.net, c.x, c.y)).epsilon(1e-13));
    Case<10, 7, 5> d(42, false);
    REQUIRE(ugrad::cross_entropy(d.act, d.label, loss) == ugrad::Status::ok);
    CHECK(loss == doctest::Approx(test::ref_loss(d.net, d.x, d.y)).epsilon(1e-13));
}
