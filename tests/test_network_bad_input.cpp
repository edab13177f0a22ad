// SPDX-License-Identifier: Apache-2.0
// Specs: the Network rows of README.md's bad-input table, one test case per row, in float and in
// double; and the Mlp calls whose failure branches no other spec reached.
//
// Each case runs every Network call (forward, loss, input_gradient, backward, accumulate_gradients,
// backward_to_weights, the sgd steps, output_jacobian) and checks the statuses and what the outputs
// hold: on any status but ok every output is NaN and a model in RAM is unchanged.
#include <doctest/doctest.h>

#include <string.h>

#include <limits>

#include "network_support.hpp"

namespace {

using namespace ugrad;

template <typename T>
constexpr T nan_v() { return std::numeric_limits<T>::quiet_NaN(); }
template <typename T>
constexpr T inf_v() { return std::numeric_limits<T>::infinity(); }

template <class Net>
bool same_model(const Net& a, const Net& b) {
    return memcmp(&a, &b, sizeof a) == 0;
}

template <size_t I = 0, class Net>
bool all_nan_layers(const Net& g) {
    const auto& d = layer<I>(g);
    bool nan = true;
    for (const auto& row : d.w) nan = nan && test::all_nan(row);
    nan = nan && test::all_nan(d.b);
    if constexpr (I + 1 < Net::depth) return nan && all_nan_layers<I + 1>(g);
    else return nan;
}

template <size_t I = 0, class Head, class... Layers>
bool act_all_nan(const NetworkActivations<Head, Layers...>& act) {
    const auto& out = layer_output<I>(act);
    bool nan = test::all_nan(out.y);
    if constexpr (sizeof(out) > sizeof(out.y)) nan = nan && test::all_nan(out.slope);
    if constexpr (I + 1 < sizeof...(Layers)) return nan && act_all_nan<I + 1>(act);
    else if constexpr (test::is<Head, Logistic>)
        return nan && test::all_nan(act.probs) && test::all_nan(act.log_probs) && test::all_nan(act.log_complements);
    else if constexpr (test::is<Head, Softmax>) return nan && test::all_nan(act.probs) && test::all_nan(act.log_probs);
    else return nan;
}

// Every call on one network and sample: the statuses and outputs, and the models the sgd steps left.
template <class Net>
struct NetRun {
    using T = typename Net::value_type;
    static constexpr size_t In = Net::inputs, Out = Net::outputs;
    static constexpr bool has_label = !test::is<typename Net::head_type, Linear>;
    typename Net::Activations act;
    Status forward_s, loss_label_s = Status::ok, loss_target_s, dx_label_s = Status::ok, dx_target_s, backward_s,
                      grads_label_s = Status::ok, grads_target_s, weights_s, step_label_s = Status::ok, step_target_s,
                      step_logits_s, jacobian_s;
    T loss_l = 0, loss_t, dx_l[In], dx_t[In], dx_b[In], jac[Out][In];
    Net grads_l = {}, grads_t = {}, grads_w = {};
    bool step_label_unchanged = true, step_target_unchanged, step_logits_unchanged;

    NetRun(const Net& net, const T (&x)[In], size_t label, const T (&target)[Out], const T (&dlogits)[Out]) {
        forward_s = forward(net, x, act);
        if constexpr (has_label) {
            loss_label_s = loss(act, label, loss_l);
            dx_label_s = input_gradient(net, act, label, dx_l);
            grads_label_s = accumulate_gradients(net, x, act, label, grads_l);
            Net trained = net;
            step_label_s = sgd_step(trained, x, act, label, T(0.5));
            step_label_unchanged = same_model(trained, net);
        } else {
            for (T& v : dx_l) v = nan_v<T>();
        }
        loss_target_s = loss(act, target, loss_t);
        dx_target_s = input_gradient(net, act, target, dx_t);
        backward_s = backward(net, act, dlogits, dx_b);
        grads_target_s = accumulate_gradients(net, x, act, target, grads_t);
        weights_s = backward_to_weights(net, x, act, dlogits, grads_w);
        Net trained = net;
        step_target_s = sgd_step(trained, x, act, target, T(0.5));
        step_target_unchanged = same_model(trained, net);
        trained = net;
        step_logits_s = sgd_step_from_logits(trained, x, act, dlogits, T(0.5));
        step_logits_unchanged = same_model(trained, net);
        jacobian_s = output_jacobian(net, act, jac);
    }

    // A failed forward is handed on: every later call fails, writes NaN, changes no model. The calls
    // that take x too say non_finite_input when x itself is the bad input.
    void check_failed_forward_is_handed_on(bool bad_x = false) const {
        CHECK(act_all_nan(act));
        if constexpr (has_label) {
            CHECK(loss_label_s == Status::non_finite_input);
            CHECK(dx_label_s == Status::non_finite_input);
            CHECK(grads_label_s == Status::non_finite_input);
            CHECK(step_label_s == Status::non_finite_input);
            CHECK(std::isnan(loss_l));
            CHECK(all_nan_layers(grads_l));
        }
        CHECK(loss_target_s == Status::non_finite_input);
        CHECK(dx_target_s == Status::non_finite_input);
        CHECK(grads_target_s == Status::non_finite_input);
        CHECK(step_target_s == Status::non_finite_input);
        // Finite dlogits with the NaN act: the walk meets the NaN, not the check of its inputs.
        CHECK(backward_s == Status::non_finite_result);
        const Status with_x = bad_x ? Status::non_finite_input : Status::non_finite_result;
        CHECK(weights_s == with_x);
        CHECK(step_logits_s == with_x);
        CHECK(jacobian_s != Status::ok);
        CHECK(std::isnan(loss_t));
        CHECK(test::all_nan(dx_l));
        CHECK(test::all_nan(dx_t));
        CHECK(test::all_nan(dx_b));
        CHECK(all_nan_layers(grads_t));
        CHECK(all_nan_layers(grads_w));
        for (const auto& row : jac) CHECK(test::all_nan(row));
        CHECK(step_label_unchanged);
        CHECK(step_target_unchanged);
        CHECK(step_logits_unchanged);
    }
};

template <typename T>
using Mixed = Network<Softmax, Dense<4, 5, Relu, T>, Dense<5, 3, Tanh, T>, Dense<3, 4, Sigmoid, T>, Dense<4, 3, Identity, T>>;
template <typename T>
using MixedLogistic = Network<Logistic, Dense<4, 5, Tanh, T>, Dense<5, 3, Relu, T>, Dense<3, 2, Identity, T>>;
template <typename T>
using OneUnitLogistic = Network<Logistic, Dense<4, 3, Sigmoid, T>, Dense<3, 1, Identity, T>>;
template <typename T>
using MixedLinear = Network<Linear, Dense<4, 6, Relu, T>, Dense<6, 2, Identity, T>>;

template <class Net>
Net model(uint64_t seed = 7) {
    return test::convert_network<typename Net::value_type>(test::random_network<typename test::network_with_type<double, Net>::type>(seed));
}

template <class Net>
struct Sample {
    using T = typename Net::value_type;
    T x[Net::inputs];
    T target[Net::outputs];
    T dlogits[Net::outputs];
    explicit Sample(uint64_t seed = 3) {
        test::Rng rng{seed};
        test::fill_uniform(x, rng, -1.0, 1.0);
        double y[Net::outputs];
        test::random_head_target<typename Net::head_type>(y, rng);
        test::convert(y, target);
        test::fill_uniform(dlogits, rng, -1.0, 1.0);
    }
};

// NaN in weight (I, i, j) of layer I: forward fails whatever the activations.
template <size_t I, class Net>
void check_nan_in_each_layer() {
    using T = typename Net::value_type;
    using Layer = typename Net::template layer_type<I>;
    const Sample<Net> s;
    for (size_t i = 0; i < Layer::inputs; ++i) {
        Net net = model<Net>();
        layer<I>(net).w[i][Layer::outputs - 1] = nan_v<T>();
        const NetRun<Net> run(net, s.x, 0, s.target, s.dlogits);
        CAPTURE(I);
        CAPTURE(i);
        CHECK(run.forward_s == Status::non_finite_result);
        run.check_failed_forward_is_handed_on();
    }
    Net net = model<Net>();
    layer<I>(net).b[0] = nan_v<T>();
    const NetRun<Net> run(net, s.x, 0, s.target, s.dlogits);
    CHECK(run.forward_s == Status::non_finite_result);
    run.check_failed_forward_is_handed_on();
    if constexpr (I + 1 < Net::depth) check_nan_in_each_layer<I + 1, Net>();
}

}  // namespace

TEST_CASE_TEMPLATE("network bad input: NaN or +-inf in x: non_finite_input, handed on", T, float, double) {
    using Net = Mixed<T>;
    Sample<Net> s;
    for (T bad : {nan_v<T>(), inf_v<T>(), -inf_v<T>()}) {
        s.x[2] = bad;
        const NetRun<Net> run(model<Net>(), s.x, 1, s.target, s.dlogits);
        CHECK(run.forward_s == Status::non_finite_input);
        run.check_failed_forward_is_handed_on(true);
    }
}

TEST_CASE_TEMPLATE("network bad input: NaN in any weight of any layer, whatever the activation: non_finite_result", T,
                   float, double) {
    check_nan_in_each_layer<0, Mixed<T>>();
    check_nan_in_each_layer<0, MixedLogistic<T>>();
    check_nan_in_each_layer<0, MixedLinear<T>>();
}

TEST_CASE_TEMPLATE("network bad input: ReLU of NaN is NaN, not 0", T, float, double) {
    // A NaN pre-activation on a unit that ReLU would zero if NaN compared below 0.
    Network<Linear, Dense<1, 1, Relu, T>> net = {{{{T(1)}}, {nan_v<T>()}}};
    const T x[1] = {T(-5)};
    typename decltype(net)::Activations act;
    CHECK(forward(net, x, act) == Status::non_finite_result);
    CHECK(std::isnan(logits(act)[0]));
    // And its slope passes a NaN output on: an act whose ReLU output is NaN fails backward.
    net.layer0.b[0] = T(0);
    REQUIRE(forward(net, x, act) == Status::ok);
    CHECK(logits(act)[0] == T(0));
    const T d[1] = {T(1)};
    T dx[1];
    CHECK(backward(net, act, d, dx) == Status::ok);
    CHECK(dx[0] == T(0));  // ReLU′ below 0 is 0
    net.layer0.b[0] = T(5);
    REQUIRE(forward(net, x, act) == Status::ok);
    CHECK(logits(act)[0] == T(0));
    CHECK(backward(net, act, d, dx) == Status::ok);
    CHECK(dx[0] == T(0));  // r = 0 exactly: ReLU′(0) = 0, PyTorch's convention
    net.layer0.b[0] = T(5.5);
    REQUIRE(forward(net, x, act) == Status::ok);
    CHECK(backward(net, act, d, dx) == Status::ok);
    CHECK(dx[0] == T(1));
}

TEST_CASE_TEMPLATE("network bad input: a label the head does not take: label_out_of_range", T, float, double) {
    auto check = [](auto net, size_t label) {
        using Net = decltype(net);
        const Sample<Net> s;
        const NetRun<Net> run(net, s.x, label, s.target, s.dlogits);
        CAPTURE(label);
        CHECK(run.forward_s == Status::ok);
        CHECK(run.loss_label_s == Status::label_out_of_range);
        CHECK(run.dx_label_s == Status::label_out_of_range);
        CHECK(run.grads_label_s == Status::label_out_of_range);
        CHECK(run.step_label_s == Status::label_out_of_range);
        CHECK(std::isnan(run.loss_l));
        CHECK(test::all_nan(run.dx_l));
        CHECK(all_nan_layers(run.grads_l));
        CHECK(run.step_label_unchanged);
        CHECK(run.loss_target_s == Status::ok);
    };
    check(model<Mixed<T>>(), 3);          // Out = 3 classes: 0, 1, 2
    check(model<Mixed<T>>(), 1000);
    check(model<MixedLogistic<T>>(), 2);  // two units: labels 0, 1
    check(model<OneUnitLogistic<T>>(), 2);  // one unit: y = label, 0 or 1
    // A one-unit logistic takes labels 0 and 1.
    const auto net = model<OneUnitLogistic<T>>();
    const Sample<OneUnitLogistic<T>> s;
    for (size_t label : {size_t(0), size_t(1)}) {
        const NetRun<OneUnitLogistic<T>> run(net, s.x, label, s.target, s.dlogits);
        CHECK(run.loss_label_s == Status::ok);
        CHECK(run.dx_label_s == Status::ok);
    }
}

TEST_CASE_TEMPLATE("network bad input: a Logistic target outside [0, 1] or non-finite: bad_target", T, float, double) {
    using Net = MixedLogistic<T>;
    for (T bad : {T(-0.25), T(1.5), nan_v<T>(), inf_v<T>(), -inf_v<T>()}) {
        Sample<Net> s;
        s.target[1] = bad;
        const NetRun<Net> run(model<Net>(), s.x, 0, s.target, s.dlogits);
        CAPTURE(bad);
        CHECK(run.loss_target_s == Status::bad_target);
        CHECK(run.dx_target_s == Status::bad_target);
        CHECK(run.grads_target_s == Status::bad_target);
        CHECK(run.step_target_s == Status::bad_target);
        CHECK(std::isnan(run.loss_t));
        CHECK(test::all_nan(run.dx_t));
        CHECK(all_nan_layers(run.grads_t));
        CHECK(run.step_target_unchanged);
        CHECK(run.loss_label_s == Status::ok);
    }
    // The ends of [0, 1] and anything between are targets (multi-label, soft labels).
    Sample<Net> s;
    s.target[0] = T(0), s.target[1] = T(1);
    CHECK(NetRun<Net>(model<Net>(), s.x, 0, s.target, s.dlogits).loss_target_s == Status::ok);
}

TEST_CASE_TEMPLATE("network bad input: a Linear target non-finite: bad_target", T, float, double) {
    using Net = MixedLinear<T>;
    for (T bad : {nan_v<T>(), inf_v<T>(), -inf_v<T>()}) {
        Sample<Net> s;
        s.target[0] = bad;
        const NetRun<Net> run(model<Net>(), s.x, 0, s.target, s.dlogits);
        CHECK(run.loss_target_s == Status::bad_target);
        CHECK(run.dx_target_s == Status::bad_target);
        CHECK(run.grads_target_s == Status::bad_target);
        CHECK(run.step_target_s == Status::bad_target);
        CHECK(std::isnan(run.loss_t));
        CHECK(test::all_nan(run.dx_t));
        CHECK(run.step_target_unchanged);
    }
    Sample<Net> s;
    s.target[0] = T(-1e30);  // any finite number is a target
    CHECK(NetRun<Net>(model<Net>(), s.x, 0, s.target, s.dlogits).loss_target_s == Status::ok);
}

TEST_CASE_TEMPLATE("network bad input: a Softmax target that is not a probability vector: bad_target", T, float, double) {
    using Net = Mixed<T>;
    Sample<Net> s;
    s.target[0] = T(0.9);  // the sum is off 1
    const NetRun<Net> run(model<Net>(), s.x, 0, s.target, s.dlogits);
    CHECK(run.loss_target_s == Status::bad_target);
    CHECK(run.dx_target_s == Status::bad_target);
    CHECK(run.step_target_s == Status::bad_target);
    CHECK(run.step_target_unchanged);
}

TEST_CASE_TEMPLATE("network bad input: Logistic logits up to the largest float: log-probabilities finite", T, float, double) {
    // θ = ±max: log ŷ = −softplus(−θ) and log(1 − ŷ) = −softplus(θ) stay finite; the loss is finite
    // for a target at the right end and ±max-sized (finite) at the wrong one.
    const T big = std::numeric_limits<T>::max();
    Network<Logistic, Dense<1, 2, Identity, T>> net = {{{{T(1), T(-1)}}, {T(0), T(0)}}};
    const T x[1] = {big};
    typename decltype(net)::Activations act;
    REQUIRE(forward(net, x, act) == Status::ok);
    CHECK(act.probs[0] == T(1));
    CHECK(act.probs[1] == T(0));
    CHECK(act.log_probs[0] == T(0));
    CHECK(act.log_probs[1] == -big);
    CHECK(act.log_complements[0] == -big);
    CHECK(act.log_complements[1] == T(0));
    T J = 0;
    const T right[2] = {T(1), T(0)}, wrong[2] = {T(0), T(1)};
    CHECK(loss(act, right, J) == Status::ok);
    CHECK(J == T(0));
    CHECK(loss(act, wrong, J) == Status::ok);
    CHECK(J == inf_v<T>());  // 2·max overflows: the true loss is beyond the float range
    T dx[1];
    CHECK(input_gradient(net, act, right, dx) == Status::ok);
    CHECK(dx[0] == T(0));
}

TEST_CASE_TEMPLATE("network bad input: finite weights so large that a layer overflows", T, float, double) {
    // A ReLU layer passes +inf on: θ overflows, non_finite_result. A tanh or sigmoid layer saturates.
    const T big = std::numeric_limits<T>::max();
    Network<Linear, Dense<2, 1, Relu, T>, Dense<1, 1, Identity, T>> relu = {{{{big}, {big}}, {T(0)}}, {{{T(1)}}, {T(0)}}};
    Network<Linear, Dense<2, 1, Tanh, T>, Dense<1, 1, Identity, T>> tanh = {{{{big}, {big}}, {T(0)}}, {{{T(1)}}, {T(0)}}};
    const T x[2] = {T(1), T(1)};
    typename decltype(relu)::Activations ra;
    typename decltype(tanh)::Activations ta;
    CHECK(forward(relu, x, ra) == Status::non_finite_result);
    CHECK(forward(tanh, x, ta) == Status::ok);
    CHECK(logits(ta)[0] == T(1));
    const T d[1] = {T(1)};
    T dx[2];
    CHECK(backward(tanh, ta, d, dx) == Status::ok);  // tanh′ = (1 − 1)(1 + 1) = 0: no inf·0 in dx
    CHECK(dx[0] == T(0));
}

TEST_CASE_TEMPLATE("network bad input: the batch-1 step of a deep network that meets a NaN deep down leaves it unchanged",
                   T, float, double) {
    // x and dlogits finite, but the first hidden layer's output in act is NaN: the walk back meets it
    // only at the bottom, after the top layers' dJ/dr. A network deeper than two layers is walked
    // once to check before any layer changes.
    using Net = Mixed<T>;
    const Net net = model<Net>();
    const Sample<Net> s;
    typename Net::Activations act;
    REQUIRE(forward(net, s.x, act) == Status::ok);
    detail::fill(detail::get<0>(act.layers), nan_v<T>());  // the first hidden layer's output spoiled
    Net trained = net;
    CHECK(sgd_step_from_logits(trained, s.x, act, s.dlogits, T(0.5)) == Status::non_finite_result);
    CHECK(same_model(trained, net));
    Net grads = {};
    CHECK(backward_to_weights(net, s.x, act, s.dlogits, grads) == Status::non_finite_result);
    CHECK(all_nan_layers(grads));
}

// ---- The Mlp calls whose failure branches were reached by no spec before. ----

TEST_CASE_TEMPLATE("backward_to_weights says non_finite_result, and fills grads with NaN, when act is from a failed forward",
                   T, float, double) {
    const auto net = test::convert<T>(test::random_model<3, 4, 3>(7));
    const T x[3] = {T(0.5), T(-1), T(0.25)}, dlogits[3] = {T(0.5), T(-1), T(0.5)};
    const T nan_x[3] = {T(0.5), nan_v<T>(), T(0.25)};
    Activations<3, 4, 3, T> act;
    REQUIRE(forward(net, nan_x, act) == Status::non_finite_input);
    Gradients<3, 4, 3, T> g = {};
    CHECK(backward_to_weights(net, x, act, dlogits, g) == Status::non_finite_result);
    CHECK(test::all_nan(g.b1));
    CHECK(test::all_nan(g.b2));
    for (const auto& row : g.w1) CHECK(test::all_nan(row));
    for (const auto& row : g.w2) CHECK(test::all_nan(row));
    // A NaN in W2 with an act from a good forward: the same.
    auto spoiled = net;
    REQUIRE(forward(net, x, act) == Status::ok);
    spoiled.w2[1][2] = nan_v<T>();
    Gradients<3, 4, 3, T> g2 = {};
    CHECK(backward_to_weights(spoiled, x, act, dlogits, g2) == Status::non_finite_result);
    CHECK(test::all_nan(g2.b1));
}

TEST_CASE_TEMPLATE("sgd_step_from_logits says non_finite_result, and leaves the model unchanged, when act is from a failed forward",
                   T, float, double) {
    const auto net = test::convert<T>(test::random_model<3, 4, 3>(7));
    const T x[3] = {T(0.5), T(-1), T(0.25)}, dlogits[3] = {T(0.5), T(-1), T(0.5)};
    const T nan_x[3] = {T(0.5), nan_v<T>(), T(0.25)};
    Activations<3, 4, 3, T> act;
    REQUIRE(forward(net, nan_x, act) == Status::non_finite_input);
    auto trained = net;
    CHECK(sgd_step_from_logits(trained, x, act, dlogits, T(0.5)) == Status::non_finite_result);
    CHECK(memcmp(&trained, &net, sizeof net) == 0);
    // A NaN in W2 with an act from a good forward: the same, and W2's NaN stays where it was.
    REQUIRE(forward(net, x, act) == Status::ok);
    trained.w2[1][2] = nan_v<T>();
    const auto before = trained;
    CHECK(sgd_step_from_logits(trained, x, act, dlogits, T(0.5)) == Status::non_finite_result);
    CHECK(memcmp(&trained, &before, sizeof before) == 0);
}
