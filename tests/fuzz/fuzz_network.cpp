// SPDX-License-Identifier: Apache-2.0
// tests/fuzz/fuzz_network.cpp — libFuzzer target: arbitrary bytes become a small network's weights,
// an input, a label, a soft target, an upstream gradient and a learning rate, which go through
// forward, cross_entropy (label and target), input_gradient (label and target), backward, the
// Jacobians (log_prob_jacobian, prob_jacobian) and the weight gradients (accumulate_gradients,
// sgd_step).
//
// Input layout (missing bytes read as 0):
//   byte 0   which network: 1-1-1, 2-3-2, 4-9-3, 3-2-10 or 5-37-11 (In-Hidden-Out; 9 and 10 fill
//            all eight lanes of the transposed products, 37 and 11 take the SIMD kernels through
//            whole blocks and a remainder, 1-1-1 is the degenerate softmax of one class)
//   byte 1   encodings (2 bits each, see Encoding): W1 and b1 | W2 and b2 | x | target
//   byte 2   encodings: dlogits | learning rate; then label = byte 3 % (Out + 1) (Out is out of
//            range), or SIZE_MAX when byte 3 is 255
//   then     W1, b1, W2, b2, x, target, dlogits, learning rate, each value in its encoding
//
// What the target checks (it aborts on the first violation), for the float instantiation:
//   statuses      exactly the documented one where the input decides it (non-finite x; NaN
//                 anywhere in the weights, or ±inf in W2 or b2; label out of range; an invalid
//                 target; a failed forward handed on; ±inf in W1 makes dx NaN), else one of the
//                 documented pair, and `ok` whenever the model is "bounded" (below)
//   error policy  every output of a call that did not return ok is NaN, all of it
//   sanity of ok  h in [0, 1], σ'(r) in [0, 1/4], finite logits, ŷ in [0, 1] with |Σŷ − 1| <= 1e-6,
//                 log ŷ <= 0 and never NaN, loss >= 0 and never NaN, finite dx
//   bounded       x and every weight finite with magnitude <= 2^11: then every output is finite and
//                 every call returns ok
//   accuracy      when also the first-order error bounds of r and θ (tests/error_bound.hpp) are
//                 below 2^-10, so that the neglected second-order terms are below 2^-10 of the
//                 first-order ones: h, σ'(r), θ, log ŷ, ŷ, the loss and dx lie within
//                 test::FloatErrorBound of the double instantiation on the same (float-exact) numbers,
//                 dx's bound for dJ/dθ as include/ugrad/heads.hpp forms it (label, target) or as given
//   Jacobians     row k of d log ŷ/dx equals −(input_gradient for label k); d ŷ/dx = ŷ_k·that row
//   weight grads  b2 += dθ and W2 += hᵀ·dθ bit for bit; W1 += xᵀ·db1 and db1·W1ᵀ gives
//                 input_gradient's dx, equal as numbers (so db1 = dJ/dr is the dr that dx was checked
//                 through); sgd_step refuses NaN grads or a non-finite rate and then leaves the
//                 model untouched
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "../error_bound.hpp"
#include "../support.hpp"
#include "fuzz_bytes.hpp"

namespace {

using ugrad::Status;

[[noreturn]] void fail(const char* what, Status got) {
    std::fprintf(stderr, "fuzz_network: %s (status %s)\n", what, ugrad::status_name(got));
    std::abort();
}
#define EXPECT(cond, status)                      \
    do {                                          \
        if (!(cond)) fail(#cond, status);         \
    } while (0)

using fuzz::Bytes;
using fuzz::Encoding;
using fuzz::raw_bits;
using fuzz::bounded;
using fuzz::special;
using fuzz::bounded_wide;

constexpr double bound_of_bounded = 2048.0;  // 2^11

// What the inputs say before anything is computed.
struct Census {
    bool nan = false, inf = false, large = false;
    template <size_t N>
    void add(const float (&v)[N]) {
        for (size_t i = 0; i < N; ++i) {
            nan = nan || std::isnan(v[i]);
            inf = inf || std::isinf(v[i]);
            large = large || !(std::fabs(static_cast<double>(v[i])) <= bound_of_bounded);
        }
    }
    template <size_t N, size_t M>
    void add(const float (&v)[N][M]) {
        for (size_t i = 0; i < N; ++i) add(v[i]);
    }
    bool finite() const { return !nan && !inf; }
};

template <size_t N>
bool all_nan(const float (&v)[N]) {
    for (size_t i = 0; i < N; ++i)
        if (!std::isnan(v[i])) return false;
    return true;
}
template <size_t N, size_t M>
bool all_nan(const float (&v)[N][M]) {
    for (size_t i = 0; i < N; ++i)
        if (!all_nan(v[i])) return false;
    return true;
}
template <size_t In, size_t Hidden, size_t Out>
bool all_nan(const ugrad::Activations<In, Hidden, Out, float>& a) {
    return all_nan(a.h) && all_nan(a.dh_dr) && all_nan(a.logits) && all_nan(a.log_probs) && all_nan(a.probs);
}
template <size_t In, size_t Hidden, size_t Out>
bool all_nan(const ugrad::Gradients<In, Hidden, Out, float>& g) {
    return all_nan(g.w1) && all_nan(g.b1) && all_nan(g.w2) && all_nan(g.b2);
}
template <size_t N>
bool all_finite(const float (&v)[N]) {
    for (size_t i = 0; i < N; ++i)
        if (!std::isfinite(v[i])) return false;
    return true;
}
template <size_t N, size_t M>
bool all_finite(const float (&v)[N][M]) {
    for (size_t i = 0; i < N; ++i)
        if (!all_finite(v[i])) return false;
    return true;
}
template <size_t In, size_t Hidden, size_t Out>
bool all_finite(const ugrad::Gradients<In, Hidden, Out, float>& g) {
    return all_finite(g.w1) && all_finite(g.b1) && all_finite(g.w2) && all_finite(g.b2);
}
double distance(float f, double d) { return std::fabs(static_cast<double>(f) - d); }
template <typename A, typename B>
bool same_bits(const A& a, const B& b) {
    static_assert(sizeof a == sizeof b, "same size");
    return memcmp(&a, &b, sizeof a) == 0;
}

// A target's validity judged in double, away from the 1e-3 edge where the float sum's rounding
// (at most Out·u·Σy, far below 1e-5 for these sizes) could decide it either way.
enum class Validity { valid, invalid, either };
template <size_t Out>
Validity target_validity(const float (&y)[Out]) {
    double sum = 0;
    for (size_t k = 0; k < Out; ++k) {
        if (!std::isfinite(y[k]) || y[k] < 0) return Validity::invalid;
        sum += static_cast<double>(y[k]);
    }
    const double deviation = std::fabs(sum - 1.0);
    if (deviation <= 1e-3 - 1e-5) return Validity::valid;
    if (deviation > 1e-3 + 1e-5) return Validity::invalid;
    return Validity::either;
}

// The double instantiation on the same numbers, and the derived bound on the float's distance.
template <size_t In, size_t Hidden, size_t Out>
struct Reference {
    ugrad::Mlp<In, Hidden, Out, double> net;
    double x[In];
    ugrad::Activations<In, Hidden, Out, double> act;
    bool first_order_valid = false;

    Reference(const ugrad::Mlp<In, Hidden, Out, float>& net_f, const float (&x_f)[In])
        : net(test::convert<double>(net_f)) {
        test::convert(x_f, x);
        EXPECT(ugrad::forward(net, x, act) == Status::ok, Status::ok);
        double dlogits[Out] = {};
        const test::FloatErrorBound<In, Hidden, Out> bound(net, x, act, dlogits);
        first_order_valid = true;
        for (size_t j = 0; j < Hidden; ++j) first_order_valid = first_order_valid && bound.r[j] <= 1.0 / 1024;
        for (size_t k = 0; k < Out; ++k) first_order_valid = first_order_valid && bound.logits[k] <= 1.0 / 1024;
    }

    // dx of the float run against the double instantiation's backward on the same numbers, from dθ
    // in double as written out here (not include/ugrad/heads.hpp's code, so that a slip there shows):
    //   a label k   dθ_j = ŷ_j (j ≠ k), dθ_k = −Σ_{j≠k} ŷ_j
    //   a target y  dθ_k = ŷ_k·Σ_{j≠k} y_j − y_k·Σ_{j≠k} ŷ_j, the gradient of −Σ y log ŷ ((Σ y)·ŷ_k − y_k,
    //               also where Σ y is 1 only within 1e-3)
    // each sum of one sign, so double's own error is ~2^-29 of the float bound; or an upstream
    // gradient given as float numbers. The bound is tests/error_bound.hpp's for the form heads.hpp uses.
    static double sum_except(const double (&v)[Out], size_t k) {
        double s = 0;
        for (size_t j = 0; j < Out; ++j) s += j == k ? 0.0 : v[j];
        return s;
    }
    void check_dx_label(size_t label, const float (&dx_f)[In]) const {
        double dtheta[Out], dx_d[In];
        for (size_t k = 0; k < Out; ++k) dtheta[k] = k == label ? -sum_except(act.probs, k) : act.probs[k];
        EXPECT(ugrad::backward(net, act, dtheta, dx_d) == Status::ok, Status::ok);
        check_dx(test::FloatErrorBound<In, Hidden, Out>(net, x, act, dtheta, label), dx_d, dx_f);
    }
    void check_dx_target(const float (&target_f)[Out], const float (&dx_f)[In]) const {
        double target[Out], dtheta[Out], dx_d[In];
        test::convert(target_f, target);
        for (size_t k = 0; k < Out; ++k)
            dtheta[k] = act.probs[k] * sum_except(target, k) - target[k] * sum_except(act.probs, k);
        EXPECT(ugrad::backward(net, act, dtheta, dx_d) == Status::ok, Status::ok);
        check_dx(test::FloatErrorBound<In, Hidden, Out>(net, x, act, dtheta, target), dx_d, dx_f);
    }
    void check_dx_upstream(const float (&dlogits_f)[Out], const float (&dx_f)[In]) const {
        double dlogits[Out], dx_d[In];
        test::convert(dlogits_f, dlogits);
        EXPECT(ugrad::backward(net, act, dlogits, dx_d) == Status::ok, Status::ok);
        using Bound = test::FloatErrorBound<In, Hidden, Out>;
        check_dx(Bound(net, x, act, dlogits, typename Bound::Exact{}), dx_d, dx_f);
    }
    static void check_dx(const test::FloatErrorBound<In, Hidden, Out>& bound, const double (&dx_d)[In],
                         const float (&dx_f)[In]) {
        for (size_t i = 0; i < In; ++i) EXPECT(distance(dx_f[i], dx_d[i]) <= bound.dx[i], Status::ok);
    }
};

template <size_t In, size_t Hidden, size_t Out>
void run(Bytes& in, uint8_t enc1, uint8_t enc2, uint8_t label_byte) {
    const auto first_layer = static_cast<Encoding>(enc1 & 3), second_layer = static_cast<Encoding>(enc1 >> 2 & 3);
    const auto x_enc = static_cast<Encoding>(enc1 >> 4 & 3), target_enc = static_cast<Encoding>(enc1 >> 6 & 3);
    const auto dlogits_enc = static_cast<Encoding>(enc2 & 3), rate_enc = static_cast<Encoding>(enc2 >> 2 & 3);
    const size_t label = label_byte == 255 ? SIZE_MAX : label_byte % (Out + 1);

    ugrad::Mlp<In, Hidden, Out, float> net;
    float x[In], target[Out], dlogits[Out];
    in.fill(net.w1, first_layer);
    in.fill(net.b1, first_layer);
    in.fill(net.w2, second_layer);
    in.fill(net.b2, second_layer);
    in.fill(x, x_enc);
    in.fill(target, target_enc);
    in.fill(dlogits, dlogits_enc);
    const float rate = in.value(rate_enc);

    Census first, second, input, upstream;
    first.add(net.w1);
    first.add(net.b1);
    second.add(net.w2);
    second.add(net.b2);
    input.add(x);
    upstream.add(dlogits);
    Census w1_only;
    w1_only.add(net.w1);
    const bool model_bounded = first.finite() && second.finite() && !first.large && !second.large;
    const bool is_bounded = model_bounded && input.finite() && !input.large;
    const bool label_ok = label < Out;
    const Validity validity = target_validity(target);

    // forward
    ugrad::Activations<In, Hidden, Out, float> act;
    const Status s_fwd = ugrad::forward(net, x, act);
    if (!input.finite()) {
        EXPECT(s_fwd == Status::non_finite_input, s_fwd);
    } else if (first.nan || second.nan || second.inf) {
        // NaN propagates through every sum it enters; ±inf·h is ±inf or (h = 0) NaN.
        EXPECT(s_fwd == Status::non_finite_result, s_fwd);
    } else {
        EXPECT(s_fwd == Status::ok || s_fwd == Status::non_finite_result, s_fwd);
        if (is_bounded) EXPECT(s_fwd == Status::ok, s_fwd);
    }
    const bool forward_ok = s_fwd == Status::ok;
    if (!forward_ok) EXPECT(all_nan(act), s_fwd);
    if (forward_ok) {
        double sum = 0;
        for (size_t j = 0; j < Hidden; ++j) {
            EXPECT(act.h[j] >= 0 && act.h[j] <= 1, s_fwd);
            EXPECT(act.dh_dr[j] >= 0 && act.dh_dr[j] <= 0.25f, s_fwd);
        }
        for (size_t k = 0; k < Out; ++k) {
            EXPECT(std::isfinite(act.logits[k]), s_fwd);
            EXPECT(act.probs[k] >= 0 && act.probs[k] <= 1, s_fwd);
            EXPECT(!std::isnan(act.log_probs[k]) && act.log_probs[k] <= 0, s_fwd);
            sum += static_cast<double>(act.probs[k]);
        }
        EXPECT(std::fabs(sum - 1.0) <= 1e-6, s_fwd);
        if (is_bounded)
            for (size_t k = 0; k < Out; ++k) EXPECT(std::isfinite(act.log_probs[k]), s_fwd);
    }

    // The double reference, where the inputs are bounded and the first-order bound applies.
    std::optional<Reference<In, Hidden, Out>> reference;
    if (is_bounded) reference.emplace(net, x);
    const Reference<In, Hidden, Out>* ref = reference && reference->first_order_valid ? &*reference : nullptr;
    if (ref) {
        double dlogits_d[Out] = {};
        const test::FloatErrorBound<In, Hidden, Out> bound(ref->net, ref->x, ref->act, dlogits_d);
        for (size_t j = 0; j < Hidden; ++j) {
            EXPECT(distance(act.h[j], ref->act.h[j]) <= bound.h[j], s_fwd);
            EXPECT(distance(act.dh_dr[j], ref->act.dh_dr[j]) <= bound.dh_dr[j], s_fwd);
        }
        for (size_t k = 0; k < Out; ++k) {
            EXPECT(distance(act.logits[k], ref->act.logits[k]) <= bound.logits[k], s_fwd);
            EXPECT(distance(act.log_probs[k], ref->act.log_probs[k]) <= bound.log_probs[k], s_fwd);
            EXPECT(distance(act.probs[k], ref->act.probs[k]) <= bound.probs[k], s_fwd);
        }
    }

    // cross_entropy with a label
    float loss = 0;
    Status s = ugrad::cross_entropy(act, label, loss);
    if (!label_ok) {
        EXPECT(s == Status::label_out_of_range, s);
    } else if (!forward_ok) {
        EXPECT(s == Status::non_finite_input, s);
    } else {
        EXPECT(s == Status::ok && !std::isnan(loss) && loss >= 0, s);
        if (is_bounded) EXPECT(std::isfinite(loss), s);
        if (ref) {
            double dlogits_d[Out] = {};
            const test::FloatErrorBound<In, Hidden, Out> bound(ref->net, ref->x, ref->act, dlogits_d);
            EXPECT(distance(loss, -ref->act.log_probs[label]) <= bound.log_probs[label], s);
        }
    }
    if (s != Status::ok) EXPECT(std::isnan(loss), s);

    // cross_entropy with a target
    s = ugrad::cross_entropy(act, target, loss);
    if (validity == Validity::invalid) {
        EXPECT(s == Status::bad_target, s);
    } else if (s != Status::bad_target) {
        EXPECT(s == (forward_ok ? Status::ok : Status::non_finite_input), s);
        if (s == Status::ok) EXPECT(!std::isnan(loss) && loss >= 0, s);
        if (s == Status::ok && is_bounded) EXPECT(std::isfinite(loss), s);
        if (s == Status::ok && ref) {
            // J = −Σ y_k log ŷ_k: each log ŷ_k's bound weighted by y_k, plus the Out roundings of the sum.
            double dlogits_d[Out] = {}, loss_d = 0, tolerance = 0, magnitude = 0;
            const test::FloatErrorBound<In, Hidden, Out> bound(ref->net, ref->x, ref->act, dlogits_d);
            for (size_t k = 0; k < Out; ++k) {
                const double y = static_cast<double>(target[k]);
                loss_d -= y * ref->act.log_probs[k];
                tolerance += y * bound.log_probs[k];
                magnitude += std::fabs(y * ref->act.log_probs[k]);
            }
            tolerance += test::gamma(2.0 * Out) * magnitude + 2 * test::eta;
            EXPECT(distance(loss, loss_d) <= tolerance, s);
        }
    } else {
        EXPECT(validity == Validity::either, s);
    }
    if (s != Status::ok) EXPECT(std::isnan(loss), s);

    // input_gradient with a label
    float dx[In];
    s = ugrad::input_gradient(net, act, label, dx);
    if (!label_ok) {
        EXPECT(s == Status::label_out_of_range, s);
    } else if (!forward_ok) {
        EXPECT(s == Status::non_finite_input, s);
    } else {
        EXPECT(s == Status::ok || s == Status::non_finite_result, s);
        // A W1 entry of ±inf: forward succeeded, so that unit saturated (σ' = 0), and inf·0 = NaN.
        if (w1_only.inf) EXPECT(s == Status::non_finite_result, s);
        if (is_bounded) EXPECT(s == Status::ok, s);
        if (ref) ref->check_dx_label(label, dx);
    }
    if (s == Status::ok) EXPECT(all_finite(dx), s);
    if (s != Status::ok) EXPECT(all_nan(dx), s);
    const bool dx_label_ok = s == Status::ok;
    float dx_label[In];
    for (size_t i = 0; i < In; ++i) dx_label[i] = dx[i];

    // input_gradient with a target
    s = ugrad::input_gradient(net, act, target, dx);
    if (validity == Validity::invalid) {
        EXPECT(s == Status::bad_target, s);
    } else if (s != Status::bad_target) {
        if (!forward_ok) EXPECT(s == Status::non_finite_input, s);
        if (forward_ok) EXPECT(s == Status::ok || s == Status::non_finite_result, s);
        if (forward_ok && w1_only.inf) EXPECT(s == Status::non_finite_result, s);
        if (forward_ok && is_bounded) EXPECT(s == Status::ok, s);
        if (s == Status::ok && ref) ref->check_dx_target(target, dx);
    } else {
        EXPECT(validity == Validity::either, s);
    }
    if (s == Status::ok) EXPECT(all_finite(dx), s);
    if (s != Status::ok) EXPECT(all_nan(dx), s);

    // backward with an arbitrary upstream gradient
    s = ugrad::backward(net, act, dlogits, dx);
    if (!upstream.finite()) {
        EXPECT(s == Status::non_finite_input, s);
    } else if (!forward_ok) {
        EXPECT(s == Status::non_finite_result, s);  // σ'(r) is NaN
    } else {
        EXPECT(s == Status::ok || s == Status::non_finite_result, s);
        if (w1_only.inf) EXPECT(s == Status::non_finite_result, s);
        if (is_bounded && !upstream.large) EXPECT(s == Status::ok, s);
        if (s == Status::ok && ref) ref->check_dx_upstream(dlogits, dx);
    }
    if (s == Status::ok) EXPECT(all_finite(dx), s);
    if (s != Status::ok) EXPECT(all_nan(dx), s);

    // The Jacobians of log ŷ and ŷ. Row k of d log ŷ/dx is backward of e_k − ŷ, the exact
    // negation of input_gradient's dθ for label k, so it is −dx(label k) number for number.
    float log_jac[Out][In], jac[Out][In];
    s = ugrad::log_prob_jacobian(net, act, log_jac);
    const Status s_jac = ugrad::prob_jacobian(net, act, jac);
    EXPECT(s_jac == s, s_jac);
    if (!forward_ok) {
        EXPECT(s == Status::non_finite_input, s);
    } else {
        EXPECT(s == Status::ok || s == Status::non_finite_result, s);
        if (w1_only.inf) EXPECT(s == Status::non_finite_result, s);
        if (is_bounded) EXPECT(s == Status::ok, s);
    }
    if (s != Status::ok) EXPECT(all_nan(log_jac) && all_nan(jac), s);
    if (s == Status::ok) {
        EXPECT(all_finite(log_jac), s);
        for (size_t k = 0; k < Out; ++k) {
            float dx_k[In];
            EXPECT(ugrad::input_gradient(net, act, k, dx_k) == Status::ok, s);
            for (size_t i = 0; i < In; ++i) {
                EXPECT(log_jac[k][i] == -dx_k[i], s);
                EXPECT(same_bits(jac[k][i], act.probs[k] * log_jac[k][i]), s);
            }
        }
    }

    // The weight gradients for the label, into zeroed grads.
    ugrad::Gradients<In, Hidden, Out, float> grads = {};
    s = ugrad::accumulate_gradients(net, x, act, label, grads);
    if (!label_ok) {
        EXPECT(s == Status::label_out_of_range, s);
    } else if (!forward_ok) {
        EXPECT(s == Status::non_finite_input, s);  // non-finite x, or ŷ − y NaN
    } else {
        EXPECT(s == Status::ok || s == Status::non_finite_result, s);
        if (is_bounded) EXPECT(s == Status::ok && all_finite(grads), s);
        if (dx_label_ok) EXPECT(s == Status::ok, s);  // dx finite needs dr finite
    }
    if (s != Status::ok) EXPECT(all_nan(grads), s);
    if (s == Status::ok) {
        float dtheta[Out];  // ŷ − y as the head forms it: the label's entry as −Σ of the others
        ugrad::detail::softmax_label_gradient(act.probs, label, dtheta);
        for (size_t k = 0; k < Out; ++k) {
            const float d = dtheta[k];
            EXPECT(same_bits(grads.b2[k], 0.0f + d), s);
            for (size_t j = 0; j < Hidden; ++j) EXPECT(same_bits(grads.w2[j][k], 0.0f + act.h[j] * d), s);
        }
        // db1 = 0 + dr has lost the sign of a zero dr, hence == (all finite here) below, not the bits.
        for (size_t i = 0; i < In; ++i)
            for (size_t j = 0; j < Hidden; ++j) EXPECT(grads.w1[i][j] == 0.0f + x[i] * grads.b1[j], s);
        if (dx_label_ok) {
            float dx_from_dr[In];
            ugrad::affine_t(grads.b1, net.w1, dx_from_dr);
            for (size_t i = 0; i < In; ++i) EXPECT(dx_from_dr[i] == dx_label[i], s);
        }
    }

    // One step of gradient descent: refused (model untouched) for spoiled grads or a bad rate.
    const ugrad::Mlp<In, Hidden, Out, float> before = net;
    const bool grads_finite = all_finite(grads);
    const Status s_step = ugrad::sgd_step(net, grads, rate);
    if (!grads_finite || !std::isfinite(rate)) {
        EXPECT(s_step == Status::non_finite_input, s_step);
        EXPECT(same_bits(net, before), s_step);
    } else {
        EXPECT(s_step == Status::ok, s_step);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    Bytes in{data, size};
    const uint8_t which = in.byte(), enc1 = in.byte(), enc2 = in.byte(), label = in.byte();
    switch (which % 5) {
        case 0: run<1, 1, 1>(in, enc1, enc2, label); break;
        case 1: run<2, 3, 2>(in, enc1, enc2, label); break;
        case 2: run<4, 9, 3>(in, enc1, enc2, label); break;
        case 3: run<3, 2, 10>(in, enc1, enc2, label); break;
        case 4: run<5, 37, 11>(in, enc1, enc2, label); break;
    }
    return 0;
}
