// SPDX-License-Identifier: Apache-2.0
// Specs: the float path with the FPU flushing subnormals to zero (x86 MXCSR.FTZ, results, and
// MXCSR.DAZ, operands; the analogue of FPSCR.FZ on Cortex-M).
//
// IEEE arithmetic with FTZ/DAZ differs from the default only where a result or an operand is
// subnormal (below 2^-126 in magnitude): that value becomes 0, an absolute change below 2^-126.
// So (1) on inputs whose computation meets no subnormal, the float results stay within the same
// derived bound of the double instantiation as without flushing (tests/error_bound.hpp); (2) where
// a probability, h, σ'(r) or a gradient term is subnormal, flushing sets it to 0: the bits differ
// from the default mode (bit-identity is promised only with flushing off) and the value moves by
// less than 2^-126. The mode is set in this file only, for the length of one guard, and restored.
#include <doctest/doctest.h>

#include <pmmintrin.h>
#include <xmmintrin.h>

#include <cfloat>
#include <cstring>

#include "error_bound.hpp"
#include "support.hpp"

namespace {

// FTZ and DAZ on for the guard's lifetime; MXCSR restored afterwards.
class FlushToZero {
  public:
    FlushToZero() : saved_(_mm_getcsr()) {
        _MM_SET_FLUSH_ZERO_MODE(_MM_FLUSH_ZERO_ON);
        _MM_SET_DENORMALS_ZERO_MODE(_MM_DENORMALS_ZERO_ON);
    }
    ~FlushToZero() { _mm_setcsr(saved_); }
    FlushToZero(const FlushToZero&) = delete;
    FlushToZero& operator=(const FlushToZero&) = delete;

  private:
    unsigned int saved_;
};

// Is the FPU flushing right now? Through volatile so that the compiler cannot fold it.
bool flushing() {
    volatile float smallest_normal = FLT_MIN;
    volatile float half = 0.5f;
    const float result = smallest_normal * half;  // 2^-127: subnormal, or 0 under FTZ
    return result == 0.0f;
}

double distance(float f, double d) { return std::fabs(static_cast<double>(f) - d); }

template <size_t In, size_t Hidden, size_t Out>
struct FloatRun {
    ugrad::Activations<In, Hidden, Out, float> act;
    float loss, dx[In];
    ugrad::Status forward, cross_entropy, input_gradient;
    FloatRun(const ugrad::Mlp<In, Hidden, Out, float>& net, const float (&x)[In], size_t label) {
        forward = ugrad::forward(net, x, act);
        cross_entropy = ugrad::cross_entropy(act, label, loss);
        input_gradient = ugrad::input_gradient(net, act, label, dx);
    }
    bool all_ok() const {
        return forward == ugrad::Status::ok && cross_entropy == ugrad::Status::ok && input_gradient == ugrad::Status::ok;
    }
};

// The float run under FTZ/DAZ against the double instantiation (which the mode does not touch:
// nothing it computes here is subnormal in double), within `absolute` plus the derived bound.
template <size_t In, size_t Hidden, size_t Out>
void check_within_bound(const ugrad::Mlp<In, Hidden, Out, double>& net_d, const double (&x_d)[In], size_t label,
                        const FloatRun<In, Hidden, Out>& run, double absolute) {
    ugrad::Activations<In, Hidden, Out, double> act_d;
    double loss_d = 0, dx_d[In] = {}, dlogits[Out];
    REQUIRE(ugrad::forward(net_d, x_d, act_d) == ugrad::Status::ok);
    REQUIRE(ugrad::cross_entropy(act_d, label, loss_d) == ugrad::Status::ok);
    REQUIRE(ugrad::input_gradient(net_d, act_d, label, dx_d) == ugrad::Status::ok);
    for (size_t k = 0; k < Out; ++k) dlogits[k] = act_d.probs[k] - (k == label ? 1.0 : 0.0);
    const test::FloatErrorBound<In, Hidden, Out> bound(net_d, x_d, act_d, dlogits);
    for (size_t j = 0; j < Hidden; ++j) {
        CHECK(distance(run.act.h[j], act_d.h[j]) <= bound.h[j] + absolute);
        CHECK(distance(run.act.dh_dr[j], act_d.dh_dr[j]) <= bound.dh_dr[j] + absolute);
    }
    for (size_t k = 0; k < Out; ++k) {
        CHECK(distance(run.act.logits[k], act_d.logits[k]) <= bound.logits[k] + absolute);
        CHECK(distance(run.act.log_probs[k], act_d.log_probs[k]) <= bound.log_probs[k] + absolute);
        CHECK(distance(run.act.probs[k], act_d.probs[k]) <= bound.probs[k] + absolute);
    }
    CHECK(distance(run.loss, loss_d) <= bound.log_probs[label] + absolute);
    for (size_t i = 0; i < In; ++i) CHECK(distance(run.dx[i], dx_d[i]) <= bound.dx[i] + absolute);
}

// Part (1): the cases of test_float_vs_double.cpp, moderate weights and inputs, under FTZ/DAZ.
template <size_t In, size_t Hidden, size_t Out>
void check_ordinary(uint64_t seed, double weight_scale, double input_scale) {
    const auto net_d = test::random_model<In, Hidden, Out>(seed, weight_scale);
    const auto net_f = test::convert<float>(net_d);
    test::Rng rng{seed + 1000};
    double x_d[In];
    float x_f[In];
    test::fill_uniform(x_d, rng, -input_scale, input_scale);
    test::convert(x_d, x_f);
    const size_t label = static_cast<size_t>(rng.next() % Out);
    const FlushToZero guard;
    REQUIRE(flushing());
    const FloatRun<In, Hidden, Out> run(net_f, x_f, label);
    REQUIRE(run.all_ok());
    check_within_bound(net_d, x_d, label, run, 0.0);
}

}  // namespace

TEST_CASE("flush-to-zero: the guard turns FTZ/DAZ on and restores the mode") {
    // MXCSR bits 0-5 are sticky exception flags (a subnormal operand sets one); compare the rest.
    const unsigned int control = ~0x3fu;
    const unsigned int before = _mm_getcsr() & control;
    CHECK_FALSE(flushing());
    {
        const FlushToZero guard;
        CHECK(flushing());
        volatile float smallest_subnormal = FLT_TRUE_MIN;
        volatile float one = 1.0f;
        CHECK(smallest_subnormal * one == 0.0f);  // DAZ: a subnormal operand reads as 0
    }
    CHECK((_mm_getcsr() & control) == before);
    CHECK_FALSE(flushing());
}

TEST_CASE("flush-to-zero: with no subnormal on the way, results stay within the float-vs-double bound") {
    for (uint64_t seed = 1; seed <= 5; ++seed) {
        CAPTURE(seed);
        check_ordinary<1, 1, 2>(seed, 1.0, 2.0);
        check_ordinary<7, 5, 4>(seed, 1.0, 2.0);
        check_ordinary<16, 8, 3>(seed, 1.0, 1.0);
        check_ordinary<64, 32, 10>(seed, 0.5, 1.0);
    }
}

TEST_CASE("flush-to-zero: subnormal probabilities and h become 0, within 2^-126 of the default mode") {
    // Logits 95 apart: e^-95 ≈ 5.5e-42 is a subnormal probability; and a hidden unit at r ≈ −95
    // gives a subnormal h and σ'(r).
    auto net_d = test::random_model<3, 4, 3>(21);
    for (size_t j = 0; j < 4; ++j)
        for (size_t k = 0; k < 3; ++k) net_d.w2[j][k] = 0.0;
    net_d.b2[0] = 0.0;
    net_d.b2[1] = -95.0;
    net_d.b2[2] = -1.0;
    net_d.b1[2] = -95.0;
    for (size_t i = 0; i < 3; ++i) net_d.w1[i][2] = 0.0;
    net_d.w2[2][0] = 1.0;  // so that unit 2's h reaches a logit
    const auto net_f = test::convert<float>(net_d);
    const double x_d[3] = {0.5, -0.25, 1.0};
    float x_f[3];
    test::convert(x_d, x_f);
    const size_t label = 2;

    const FloatRun<3, 4, 3> plain(net_f, x_f, label);
    REQUIRE(plain.all_ok());
    REQUIRE(plain.act.probs[1] > 0.0f);
    REQUIRE(plain.act.probs[1] < FLT_MIN);  // subnormal without flushing
    REQUIRE(plain.act.h[2] > 0.0f);
    REQUIRE(plain.act.h[2] < FLT_MIN);

    const FlushToZero guard;
    REQUIRE(flushing());
    const FloatRun<3, 4, 3> flushed(net_f, x_f, label);
    REQUIRE(flushed.all_ok());
    CHECK(flushed.act.probs[1] == 0.0f);
    CHECK(flushed.act.h[2] == 0.0f);
    CHECK(flushed.act.dh_dr[2] == 0.0f);
    CHECK(std::memcmp(&flushed.act, &plain.act, sizeof plain.act) != 0);  // not bit-identical
    // Everything else as before, within 2^-126 (each flushed value) of the default mode's result,
    // and within that plus the derived bound of the double instantiation.
    double flush_error_bound = static_cast<double>(FLT_MIN);
    for (size_t k = 0; k < 3; ++k)
        CHECK(distance(flushed.act.probs[k], static_cast<double>(plain.act.probs[k])) < flush_error_bound);
    for (size_t i = 0; i < 3; ++i) CHECK(distance(flushed.dx[i], static_cast<double>(plain.dx[i])) < flush_error_bound);
    CHECK(flushed.loss == plain.loss);
    check_within_bound(net_d, x_d, label, flushed, flush_error_bound);
}
