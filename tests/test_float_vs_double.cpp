// SPDX-License-Identifier: Apache-2.0
// Specs: the float instantiation stays within a derived error bound of the double one.
#include <doctest/doctest.h>

#include "error_bound.hpp"
#include "support.hpp"

namespace {

double distance(float f, double d) { return std::fabs(static_cast<double>(f) - d); }

template <size_t In, size_t Hidden, size_t Out>
void check_float_against_double(uint64_t seed, double weight_scale, double input_scale) {
    const auto net_d = test::random_model<In, Hidden, Out>(seed, weight_scale);
    const auto net_f = test::convert<float>(net_d);
    test::Rng rng{seed + 1000};
    double x_d[In];
    float x_f[In];
    test::fill_uniform(x_d, rng, -input_scale, input_scale);
    test::convert(x_d, x_f);
    const size_t label = static_cast<size_t>(rng.next() % Out);

    ugrad::Activations<In, Hidden, Out, double> act_d;
    ugrad::Activations<In, Hidden, Out, float> act_f;
    REQUIRE(ugrad::forward(net_d, x_d, act_d) == ugrad::Status::ok);
    REQUIRE(ugrad::forward(net_f, x_f, act_f) == ugrad::Status::ok);
    double dx_d[In], loss_d = 0;
    float dx_f[In], loss_f = 0;
    // NaN first: GCC 12 -O2 warns maybe-uninitialized (In = 1) although input_gradient writes dx on
    // every path; NaN, unlike 0, would still fail the checks below if it did not.
    for (size_t i = 0; i < In; ++i) dx_d[i] = std::nan(""), dx_f[i] = std::nanf("");
    REQUIRE(ugrad::cross_entropy(act_d, label, loss_d) == ugrad::Status::ok);
    REQUIRE(ugrad::cross_entropy(act_f, label, loss_f) == ugrad::Status::ok);
    REQUIRE(ugrad::input_gradient(net_d, act_d, label, dx_d) == ugrad::Status::ok);
    REQUIRE(ugrad::input_gradient(net_f, act_f, label, dx_f) == ugrad::Status::ok);

    double dlogits[Out];
    for (size_t k = 0; k < Out; ++k) dlogits[k] = act_d.probs[k] - (k == label ? 1.0 : 0.0);
    const test::FloatErrorBound<In, Hidden, Out> bound(net_d, x_d, act_d, dlogits);

    for (size_t j = 0; j < Hidden; ++j) {
        CHECK(distance(act_f.h[j], act_d.h[j]) <= bound.h[j]);
        CHECK(distance(act_f.dh_dr[j], act_d.dh_dr[j]) <= bound.dh_dr[j]);
    }
    for (size_t k = 0; k < Out; ++k) {
        CHECK(distance(act_f.logits[k], act_d.logits[k]) <= bound.logits[k]);
        CHECK(distance(act_f.log_probs[k], act_d.log_probs[k]) <= bound.log_probs[k]);
        CHECK(distance(act_f.probs[k], act_d.probs[k]) <= bound.probs[k]);
    }
    CHECK(distance(loss_f, loss_d) <= bound.log_probs[label]);
    for (size_t i = 0; i < In; ++i) CHECK(distance(dx_f[i], dx_d[i]) <= bound.dx[i]);
}

}  // namespace

TEST_CASE("float forward, loss and dJ/dx stay within the derived bound of the double instantiation") {
    for (uint64_t seed = 1; seed <= 5; ++seed) {
        CAPTURE(seed);
        check_float_against_double<1, 1, 2>(seed, 1.0, 2.0);
        check_float_against_double<7, 5, 4>(seed, 1.0, 2.0);
        check_float_against_double<16, 8, 3>(seed, 1.0, 1.0);
        check_float_against_double<64, 32, 10>(seed, 0.5, 1.0);
        check_float_against_double<256, 64, 10>(seed, 0.2, 1.0);
    }
}

TEST_CASE("float stays within the bound when units saturate and logits are far apart") {
    for (uint64_t seed = 11; seed <= 13; ++seed) {
        CAPTURE(seed);
        check_float_against_double<9, 6, 5>(seed, 20.0, 5.0);
        check_float_against_double<32, 16, 10>(seed, 8.0, 3.0);
    }
}
