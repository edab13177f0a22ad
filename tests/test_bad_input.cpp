// SPDX-License-Identifier: Apache-2.0
// Specs: the bad-input table of README.md, one test case per row, in float and in double.
//
// Each case builds a small network (3 inputs, 4 hidden units, 3 classes), spoils one kind of input,
// runs every call on it (forward, both cross_entropy, both input_gradient, backward) and checks the
// statuses and what the outputs hold, as the README's table states them.
#include <doctest/doctest.h>

#include <initializer_list>
#include <limits>
#include <type_traits>

#include "error_bound.hpp"
#include "support.hpp"

namespace {

using ugrad::Status;
constexpr size_t In = 3, Hidden = 4, Out = 3;

template <typename T>
constexpr T nan_v() { return std::numeric_limits<T>::quiet_NaN(); }
template <typename T>
constexpr T inf_v() { return std::numeric_limits<T>::infinity(); }
// Finite, and large enough that twice it, or it times 2, overflows.
template <typename T>
constexpr T huge_v() { return std::numeric_limits<T>::max() * T(0.75); }

template <typename T>
ugrad::Mlp<In, Hidden, Out, T> model(uint64_t seed = 7) {
    return test::convert<T>(test::random_model<In, Hidden, Out>(seed));
}

// Every call on one network and input; label 1, a soft target, and an upstream gradient dθ.
template <typename T>
struct Run {
    ugrad::Activations<In, Hidden, Out, T> act;
    Status forward, loss_label, loss_target, dx_label, dx_target, backward;
    T loss_l, loss_t, dx_l[In], dx_t[In], dx_b[In];

    Run(const ugrad::Mlp<In, Hidden, Out, T>& net, const T (&x)[In], size_t label = 1,
        const T (&target)[Out] = default_target(), const T (&dlogits)[Out] = default_dlogits()) {
        forward = ugrad::forward(net, x, act);
        loss_label = ugrad::cross_entropy(act, label, loss_l);
        loss_target = ugrad::cross_entropy(act, target, loss_t);
        dx_label = ugrad::input_gradient(net, act, label, dx_l);
        dx_target = ugrad::input_gradient(net, act, target, dx_t);
        backward = ugrad::backward(net, act, dlogits, dx_b);
    }
    static const T (&default_target())[Out] {
        static const T y[Out] = {T(0.25), T(0.5), T(0.25)};
        return y;
    }
    static const T (&default_dlogits())[Out] {
        static const T d[Out] = {T(0.5), T(-1), T(0.5)};
        return d;
    }
    bool act_all_nan() const {
        return test::all_nan(act.h) && test::all_nan(act.dh_dr) && test::all_nan(act.logits) &&
               test::all_nan(act.log_probs) && test::all_nan(act.probs);
    }
    bool act_all_finite() const {
        return finite(act.h) && finite(act.dh_dr) && finite(act.logits) && finite(act.log_probs) && finite(act.probs);
    }
    template <size_t N>
    static bool finite(const T (&v)[N]) {
        for (size_t i = 0; i < N; ++i)
            if (!std::isfinite(v[i])) return false;
        return true;
    }
    // The row "a failed forward": every later call says so and writes NaN.
    void check_failed_forward_is_handed_on() const {
        CHECK(act_all_nan());
        CHECK(loss_label == Status::non_finite_input);
        CHECK(loss_target == Status::non_finite_input);
        CHECK(dx_label == Status::non_finite_input);
        CHECK(dx_target == Status::non_finite_input);
        CHECK(backward == Status::non_finite_result);  // dθ is finite; σ'(r) is NaN
        CHECK(std::isnan(loss_l));
        CHECK(std::isnan(loss_t));
        CHECK(test::all_nan(dx_l));
        CHECK(test::all_nan(dx_t));
        CHECK(test::all_nan(dx_b));
    }
    void check_all_ok() const {
        CHECK(forward == Status::ok);
        CHECK(loss_label == Status::ok);
        CHECK(loss_target == Status::ok);
        CHECK(dx_label == Status::ok);
        CHECK(dx_target == Status::ok);
        CHECK(backward == Status::ok);
        CHECK(act_all_finite());
        CHECK(std::isfinite(loss_l));
        CHECK(std::isfinite(loss_t));
        CHECK(finite(dx_l));
        CHECK(finite(dx_t));
        CHECK(finite(dx_b));
    }
};

}  // namespace

TEST_CASE_TEMPLATE("bad input: NaN in x", T, float, double) {
    const auto net = model<T>();
    for (size_t i = 0; i < In; ++i) {
        T x[In] = {T(0.5), T(-0.25), T(1)};
        x[i] = nan_v<T>();
        const Run<T> run(net, x);
        CHECK(run.forward == Status::non_finite_input);
        run.check_failed_forward_is_handed_on();
    }
}

TEST_CASE_TEMPLATE("bad input: +inf or -inf in x", T, float, double) {
    const auto net = model<T>();
    for (const T bad : {inf_v<T>(), -inf_v<T>()}) {
        T x[In] = {T(0.5), T(-0.25), T(1)};
        x[2] = bad;
        const Run<T> run(net, x);
        CHECK(run.forward == Status::non_finite_input);
        run.check_failed_forward_is_handed_on();
    }
}

TEST_CASE_TEMPLATE("bad input: huge x overflows r to +-inf: units saturate, dx is exactly 0", T, float, double) {
    // Every W1 entry in [2, 3): each x_i·W1_ij overflows to +inf (x_i = +huge) or −inf (x_i = −huge),
    // with one sign per unit, so r = ±inf, h is exactly 1 or 0 and σ'(r) exactly 0.
    auto net = model<T>();
    for (auto& row : net.w1)
        for (T& w : row) w = T(2) + std::fabs(w);
    for (const T sign : {T(1), T(-1)}) {
        const T x[In] = {sign * huge_v<T>(), sign * huge_v<T>(), sign * huge_v<T>()};
        const Run<T> run(net, x);
        run.check_all_ok();
        for (size_t j = 0; j < Hidden; ++j) {
            CHECK(run.act.h[j] == (sign > 0 ? T(1) : T(0)));
            CHECK(run.act.dh_dr[j] == T(0));
        }
        for (size_t i = 0; i < In; ++i) {
            CHECK(run.dx_l[i] == T(0));
            CHECK(run.dx_t[i] == T(0));
            CHECK(run.dx_b[i] == T(0));
        }
    }
}

TEST_CASE_TEMPLATE("bad input: huge x of both signs in one unit makes r NaN: non_finite_result", T, float, double) {
    // x_0·W1_0j = +inf and x_1·W1_1j = −inf in the same sum: inf − inf = NaN.
    auto net = model<T>();
    for (size_t j = 0; j < Hidden; ++j) {
        net.w1[0][j] = T(2);
        net.w1[1][j] = T(-2);
    }
    const T x[In] = {huge_v<T>(), huge_v<T>(), T(0.5)};
    const Run<T> run(net, x);
    CHECK(run.forward == Status::non_finite_result);
    run.check_failed_forward_is_handed_on();
}

TEST_CASE_TEMPLATE("bad input: subnormal x is an ordinary number", T, float, double) {
    const auto net = model<T>();
    const T tiny = std::numeric_limits<T>::denorm_min();
    const T x[In] = {tiny, -tiny * 3, std::numeric_limits<T>::min() / 4};
    const Run<T> run(net, x);
    run.check_all_ok();
    if constexpr (!std::is_same_v<T, float>) return;
    // The float run against the double instantiation on the same numbers, within the derived bound.
    const auto net_d = test::convert<double>(net);
    double x_d[In];
    test::convert(x, x_d);
    ugrad::Activations<In, Hidden, Out, double> act_d;
    REQUIRE(ugrad::forward(net_d, x_d, act_d) == Status::ok);
    double dlogits[Out], dx_d[In];
    for (size_t k = 0; k < Out; ++k) dlogits[k] = act_d.probs[k] - (k == 1 ? 1.0 : 0.0);
    REQUIRE(ugrad::input_gradient(net_d, act_d, size_t{1}, dx_d) == Status::ok);
    const test::FloatErrorBound<In, Hidden, Out> bound(net_d, x_d, act_d, dlogits);
    for (size_t k = 0; k < Out; ++k)
        CHECK(std::fabs(static_cast<double>(run.act.probs[k]) - act_d.probs[k]) <= bound.probs[k]);
    for (size_t i = 0; i < In; ++i) CHECK(std::fabs(static_cast<double>(run.dx_l[i]) - dx_d[i]) <= bound.dx[i]);
}

TEST_CASE_TEMPLATE("bad input: NaN in any weight: forward says non_finite_result", T, float, double) {
    const T x[In] = {T(0.5), T(-0.25), T(1)};
    for (int where = 0; where < 4; ++where) {
        auto net = model<T>();
        if (where == 0) net.w1[1][2] = nan_v<T>();
        if (where == 1) net.b1[3] = nan_v<T>();
        if (where == 2) net.w2[0][1] = nan_v<T>();
        if (where == 3) net.b2[2] = nan_v<T>();
        CAPTURE(where);
        const Run<T> run(net, x);
        CHECK(run.forward == Status::non_finite_result);
        run.check_failed_forward_is_handed_on();
    }
}

TEST_CASE_TEMPLATE("bad input: +-inf in W2 or b2: forward says non_finite_result", T, float, double) {
    const T x[In] = {T(0.5), T(-0.25), T(1)};
    for (int where = 0; where < 4; ++where) {
        auto net = model<T>();
        const T bad = where % 2 ? -inf_v<T>() : inf_v<T>();
        if (where < 2) net.w2[2][0] = bad;
        if (where >= 2) net.b2[1] = bad;
        CAPTURE(where);
        const Run<T> run(net, x);
        CHECK(run.forward == Status::non_finite_result);
        run.check_failed_forward_is_handed_on();
    }
}

TEST_CASE_TEMPLATE("bad input: +-inf in W1 with x_i != 0: forward ok, gradients non_finite_result", T, float, double) {
    // r_j = ±inf saturates unit j (σ' = 0); then dx_i = Σ_j W1_ij·dr_j meets inf·0 = NaN.
    for (const T bad : {inf_v<T>(), -inf_v<T>()}) {
        auto net = model<T>();
        net.w1[1][2] = bad;
        const T x[In] = {T(0.5), T(-0.25), T(1)};
        const Run<T> run(net, x);
        CHECK(run.forward == Status::ok);
        CHECK(run.act_all_finite());
        CHECK(run.act.dh_dr[2] == T(0));
        CHECK(run.loss_label == Status::ok);
        CHECK(run.loss_target == Status::ok);
        CHECK(std::isfinite(run.loss_l));
        CHECK(run.dx_label == Status::non_finite_result);
        CHECK(run.dx_target == Status::non_finite_result);
        CHECK(run.backward == Status::non_finite_result);
        CHECK(test::all_nan(run.dx_l));
        CHECK(test::all_nan(run.dx_t));
        CHECK(test::all_nan(run.dx_b));
    }
}

TEST_CASE_TEMPLATE("bad input: +-inf in W1 with x_i == 0: inf times 0 is NaN, non_finite_result", T, float, double) {
    auto net = model<T>();
    net.w1[1][2] = inf_v<T>();
    const T x[In] = {T(0.5), T(0), T(1)};
    const Run<T> run(net, x);
    CHECK(run.forward == Status::non_finite_result);
    run.check_failed_forward_is_handed_on();
}

TEST_CASE_TEMPLATE("bad input: +-inf in b1 saturates its unit and is not reported", T, float, double) {
    // r_j = ±inf: h_j is exactly 1 (or 0) and σ'(r_j) = 0, so unit j adds nothing to dx: dx is
    // the one of the same model with W1's column j zeroed.
    for (const T bad : {inf_v<T>(), -inf_v<T>()}) {
        auto net = model<T>();
        net.b1[2] = bad;
        const T x[In] = {T(0.5), T(-0.25), T(1)};
        const Run<T> run(net, x);
        run.check_all_ok();
        CHECK(run.act.h[2] == (bad > 0 ? T(1) : T(0)));
        CHECK(run.act.dh_dr[2] == T(0));
        auto zeroed = net;
        for (size_t i = 0; i < In; ++i) zeroed.w1[i][2] = T(0);
        const Run<T> reference(zeroed, x);
        for (size_t i = 0; i < In; ++i) {
            CHECK(run.dx_l[i] == reference.dx_l[i]);
            CHECK(run.dx_t[i] == reference.dx_t[i]);
            CHECK(run.dx_b[i] == reference.dx_b[i]);
        }
    }
}

TEST_CASE_TEMPLATE("bad input: finite weights so large that a logit overflows: non_finite_result", T, float, double) {
    // b1 = 100 makes every h exactly 1 (e^-100 is below half an ulp of 1); two W2 entries of
    // 0.75·max in one column then sum past the largest finite number.
    auto net = model<T>();
    for (T& b : net.b1) b = T(100);
    net.w2[0][1] = huge_v<T>();
    net.w2[1][1] = huge_v<T>();
    const T x[In] = {T(0.5), T(-0.25), T(1)};
    const Run<T> run(net, x);
    CHECK(run.forward == Status::non_finite_result);
    run.check_failed_forward_is_handed_on();
}

TEST_CASE_TEMPLATE("bad input: finite weights so large that dx overflows: gradients non_finite_result", T, float, double) {
    // W1 = 0.75·max on a tiny x keeps r moderate, so the forward pass is fine; dx = dr·W1ᵀ is
    // |dr|·0.75·max·(sum over 4 units), past the largest finite number once |dr| reaches ~1.
    auto net = model<T>();
    for (auto& row : net.w1)
        for (T& w : row) w = huge_v<T>();
    for (auto& row : net.w2) row[1] = T(-16);
    const T x[In] = {T(1) / huge_v<T>(), T(0), T(0)};
    const T upstream[Out] = {T(0), T(1), T(0)};
    const Run<T> run(net, x, 1, Run<T>::default_target(), upstream);
    CHECK(run.forward == Status::ok);
    CHECK(run.act_all_finite());
    CHECK(run.dx_label == Status::non_finite_result);
    CHECK(run.dx_target == Status::non_finite_result);
    CHECK(run.backward == Status::non_finite_result);
    CHECK(test::all_nan(run.dx_l));
    CHECK(test::all_nan(run.dx_t));
    CHECK(test::all_nan(run.dx_b));
}

TEST_CASE_TEMPLATE("bad input: non-finite dlogits in backward: non_finite_input", T, float, double) {
    const auto net = model<T>();
    const T x[In] = {T(0.5), T(-0.25), T(1)};
    for (const T bad : {nan_v<T>(), inf_v<T>(), -inf_v<T>()}) {
        const T upstream[Out] = {T(0.5), bad, T(0.5)};
        const Run<T> run(net, x, 1, Run<T>::default_target(), upstream);
        CHECK(run.forward == Status::ok);
        CHECK(run.backward == Status::non_finite_input);
        CHECK(test::all_nan(run.dx_b));
    }
}

TEST_CASE_TEMPLATE("bad input: label out of range", T, float, double) {
    const auto net = model<T>();
    const T x[In] = {T(0.5), T(-0.25), T(1)};
    for (const size_t label : {Out, Out + 1, std::numeric_limits<size_t>::max()}) {
        const Run<T> run(net, x, label);
        CHECK(run.forward == Status::ok);
        CHECK(run.loss_label == Status::label_out_of_range);
        CHECK(run.dx_label == Status::label_out_of_range);
        CHECK(std::isnan(run.loss_l));
        CHECK(test::all_nan(run.dx_l));
        CHECK(run.loss_target == Status::ok);  // the other calls are unaffected
    }
}

TEST_CASE_TEMPLATE("bad input: invalid target", T, float, double) {
    const auto net = model<T>();
    const T x[In] = {T(0.5), T(-0.25), T(1)};
    const T bad_targets[][Out] = {
        {T(1.25), T(-0.25), T(0)},      // a negative entry (the sum is 1)
        {nan_v<T>(), T(0.5), T(0.5)},   // NaN
        {inf_v<T>(), T(0), T(0)},       // +inf
        {T(0.5), T(0.49), T(0)},        // sums to 0.99
        {T(0.5), T(0.502), T(0)},       // sums to 1.002
        {T(0), T(0), T(0)},             // all zero
        {huge_v<T>(), huge_v<T>(), T(0)},  // the sum overflows to +inf
    };
    for (const auto& target : bad_targets) {
        const Run<T> run(net, x, 1, target);
        CHECK(run.forward == Status::ok);
        CHECK(run.loss_target == Status::bad_target);
        CHECK(run.dx_target == Status::bad_target);
        CHECK(std::isnan(run.loss_t));
        CHECK(test::all_nan(run.dx_t));
    }
    // Within 1e-3 of summing to 1 is a target.
    const T near_targets[][Out] = {{T(0.5), T(0.5005), T(0)}, {T(0.5), T(0.4995), T(0)}};
    for (const auto& target : near_targets) {
        const Run<T> run(net, x, 1, target);
        CHECK(run.loss_target == Status::ok);
        CHECK(run.dx_target == Status::ok);
    }
}

TEST_CASE_TEMPLATE("bad input: logits far apart: exact 0 and 1 probabilities, finite log-probabilities", T, float, double) {
    // θ = (0, −800, 0.5 − 800): e^−800 underflows to 0 in float and double; the log-sum-exp keeps
    // log ŷ = θ − max θ exact and finite, so the loss of a losing class is the gap, not inf.
    auto net = model<T>();
    for (auto& row : net.w2)
        for (T& w : row) w = T(0);
    net.b2[0] = T(0);
    net.b2[1] = T(-800);
    net.b2[2] = T(0.5) - T(800);
    const T x[In] = {T(0.5), T(-0.25), T(1)};
    const Run<T> run(net, x);  // label 1: a loser
    run.check_all_ok();
    CHECK(run.act.probs[0] == T(1));
    CHECK(run.act.probs[1] == T(0));
    CHECK(run.act.probs[2] == T(0));
    CHECK(run.act.log_probs[0] == T(0));
    CHECK(run.act.log_probs[1] == T(-800));
    CHECK(run.act.log_probs[2] == net.b2[2]);
    CHECK(run.loss_l == T(800));
    // dθ = ŷ − onehot(1) = (1, −1, 0), but W2 = 0, so nothing reaches x.
    for (size_t i = 0; i < In; ++i) CHECK(run.dx_l[i] == T(0));
    // The winning label: loss exactly 0.
    T loss = T(1);
    CHECK(ugrad::cross_entropy(run.act, size_t{0}, loss) == Status::ok);
    CHECK(loss == T(0));
}

TEST_CASE_TEMPLATE("bad input: logits further apart than the largest finite number: loss +inf with ok", T, float, double) {
    // θ_1 − θ_0 = −1.5·max overflows to −inf: ŷ_1 = 0 and log ŷ_1 = −inf, and the loss of class 1
    // is +inf — reported as ok (see the README row).
    auto net = model<T>();
    for (auto& row : net.w2)
        for (T& w : row) w = T(0);
    net.b2[0] = huge_v<T>();
    net.b2[1] = -huge_v<T>();
    net.b2[2] = T(0);
    const T x[In] = {T(0.5), T(-0.25), T(1)};
    const Run<T> run(net, x);
    CHECK(run.forward == Status::ok);
    CHECK(run.act.probs[0] == T(1));
    CHECK(run.act.probs[1] == T(0));
    CHECK(run.act.log_probs[1] == -inf_v<T>());
    CHECK(run.loss_label == Status::ok);
    CHECK(run.loss_l == inf_v<T>());
    CHECK(run.loss_target == Status::ok);
    CHECK(run.loss_t == inf_v<T>());
    CHECK(run.dx_label == Status::ok);
    for (size_t i = 0; i < In; ++i) CHECK(run.dx_l[i] == T(0));
}
