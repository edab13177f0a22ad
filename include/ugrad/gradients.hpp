// SPDX-License-Identifier: Apache-2.0
// ugrad/gradients.hpp — the gradients of the loss with respect to the weights, and one step of
// stochastic gradient descent on a model held in RAM.
//
// From one sample's forward pass (x, and act = forward(net, x)) and the upstream gradient
// dθ = dJ/dθ [Out] (ŷ − y for the cross-entropy), with dr = dJ/dr = (dθ·W2ᵀ) ⊙ σ'(r) [Hidden]
// (the step that backward shares, detail::hidden_gradient in mlp.hpp):
//   dJ/dW2 = hᵀ·dθ     [Hidden][Out]   an outer product: dJ/dW2[j][k] = h[j]·dθ[k]
//   dJ/db2 = dθ        [Out]
//   dJ/dW1 = xᵀ·dr     [In][Hidden]    dJ/dW1[i][j] = x[i]·dr[j]
//   dJ/db1 = dr        [Hidden]
// accumulate_gradients (and backward_to_weights, for any upstream dθ) adds these into a Gradients,
// so a batch's gradient is the sum of its samples'.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/compile_errors.hpp>
#include <ugrad/fp_contract.hpp>
#include <ugrad/heads.hpp>
#include <ugrad/math.hpp>
#include <ugrad/mlp.hpp>
#include <ugrad/status.hpp>
#include <ugrad/updates.hpp>

UGRAD_FP_CONTRACT_OFF_BEGIN

namespace ugrad {

// dJ/d(every parameter), shaped like Mlp: w1[In][Hidden], b1[Hidden], w2[Hidden][Out], b2[Out].
// A plain aggregate; `Gradients<...> g = {};` is all zeros. sgd_step also keeps the momentum in it.
template <size_t In, size_t Hidden, size_t Out, typename T = float>
struct Gradients {
    static_assert(In >= 1 && Hidden >= 1 && Out >= 1, "every layer needs at least one unit");
    T w1[In][Hidden];
    T b1[Hidden];
    T w2[Hidden][Out];
    T b2[Out];
};

namespace detail {

template <size_t In, size_t Hidden, size_t Out, typename T>
constexpr void fill(Gradients<In, Hidden, Out, T>& g, T value) noexcept {
    fill(g.w1, value);
    fill(g.b1, value);
    fill(g.w2, value);
    fill(g.b2, value);
}

// Every gradient finite. The sum of all of them is finite exactly when they all are, unless it
// overflows: two cheap instructions per value, and the exact bit test only when the sum is not finite.
template <size_t In, size_t Hidden, size_t Out, typename T>
constexpr bool all_finite(const Gradients<In, Hidden, Out, T>& g) noexcept {
    T sum = sum_for_check(g.w1, T(0));
    sum = sum_for_check(g.b1, sum);
    sum = sum_for_check(g.w2, sum);
    sum = sum_for_check(g.b2, sum);
    if (is_finite(sum)) return true;
    return all_finite(g.w1) && all_finite(g.b1) && all_finite(g.w2) && all_finite(g.b2);
}

}  // namespace detail

// Add the weight gradients for any upstream gradient dJ/dθ = dlogits [Out] into grads (formulas at
// the top of this file). x and act are the sample and its forward pass.
// non_finite_input if x or dlogits holds NaN/±inf; non_finite_result if h or dr is NaN/±inf (act
// from a failed forward, a non-finite W2). On either, all of grads is NaN: the batch is spoiled,
// and sgd_step refuses it, leaving the model unchanged. (A sum that overflows to ±inf in grads is
// refused by sgd_step in the same way.)
template <size_t In, size_t Hidden, size_t Out, typename T>
Status backward_to_weights(const Mlp<In, Hidden, Out, T>& net, const T (&x)[In],
                            const Activations<In, Hidden, Out, T>& act, const T (&dlogits)[Out],
                            Gradients<In, Hidden, Out, T>& grads) noexcept {
    if (!detail::all_finite(x) || !detail::all_finite(dlogits)) {
        detail::fill(grads, quiet_nan<T>());
        return Status::non_finite_input;
    }
    // dr = (dθ·W2ᵀ) ⊙ σ'(r)    [Hidden]
    T dr[Hidden];
    detail::hidden_gradient(net, act, dlogits, dr);
    if (!detail::all_finite(dr) || !detail::all_finite(act.h)) {
        detail::fill(grads, quiet_nan<T>());
        return Status::non_finite_result;
    }
    // dW2 += hᵀ·dθ, db2 += dθ, dW1 += xᵀ·dr, db1 += dr
    detail::add_outer(act.h, dlogits, grads.w2);
    detail::add(dlogits, grads.b2);
    detail::add_outer(x, dr, grads.w1);
    detail::add(dr, grads.b1);
    return Status::ok;
}

// The weight gradients of J = −log ŷ[label]: dJ/dθ = ŷ − onehot(label), then as above.
// label_out_of_range if label >= Out (grads all NaN); otherwise as above (act from a failed forward
// makes dJ/dθ NaN: non_finite_input).
template <size_t In, size_t Hidden, size_t Out, typename T>
Status accumulate_gradients(const Mlp<In, Hidden, Out, T>& net, const T (&x)[In],
                            const Activations<In, Hidden, Out, T>& act, size_t label,
                            Gradients<In, Hidden, Out, T>& grads) noexcept {
    if (label >= Out) {
        detail::fill(grads, quiet_nan<T>());
        return Status::label_out_of_range;
    }
    T dlogits[Out];
    detail::softmax_label_gradient(act.probs, label, dlogits);
    return backward_to_weights(net, x, act, dlogits, grads);
}

// The weight gradients of J = −Σ y log ŷ for a soft target y: dJ/dθ = ŷ − y, then as above.
// bad_target if y is not a probability vector (grads all NaN); otherwise as above.
template <size_t In, size_t Hidden, size_t Out, typename T>
Status accumulate_gradients(const Mlp<In, Hidden, Out, T>& net, const T (&x)[In],
                            const Activations<In, Hidden, Out, T>& act, const T (&target)[Out],
                            Gradients<In, Hidden, Out, T>& grads) noexcept {
    if (!detail::valid_target(target)) {
        detail::fill(grads, quiet_nan<T>());
        return Status::bad_target;
    }
    T dlogits[Out];
    detail::softmax_target_gradient(act.probs, target, dlogits);
    return backward_to_weights(net, x, act, dlogits, grads);
}

// One step of gradient descent with heavy-ball momentum μ, the velocity kept in grads itself:
//   every parameter p ← p − η·g, then g ← μ·g.
// grads holds v = μ·v_prev + Σ(batch gradients) when it is called (accumulate_gradients adds the
// batch into what the last step left), so with μ = 0 this is plain SGD and leaves grads zeroed,
// ready for the next batch. η multiplies the sum: for the mean over a batch of B, pass η/B.
// non_finite_input if η, μ or any entry of grads is NaN/±inf (a spoiled batch); then neither net
// nor grads is written. Needs no memory besides net and grads. (A parameter can overflow to ±inf
// only if |p| + |η·g| exceeds the float range; that is not checked.)
template <size_t In, size_t Hidden, size_t Out, typename T>
Status sgd_step(Mlp<In, Hidden, Out, T>& net, Gradients<In, Hidden, Out, T>& grads, T learning_rate,
                T momentum = T(0)) noexcept {
    if (!is_finite(learning_rate) || !is_finite(momentum) || !detail::all_finite(grads))
        return Status::non_finite_input;
    detail::descend(net.w1, grads.w1, learning_rate, momentum);
    detail::descend(net.b1, grads.b1, learning_rate, momentum);
    detail::descend(net.w2, grads.w2, learning_rate, momentum);
    detail::descend(net.b2, grads.b2, learning_rate, momentum);
    return Status::ok;
}

// One step of plain SGD on one sample (batch 1) with no Gradients buffer at all: from the sample's
// forward pass and dJ/dθ, every parameter p ← p − η·dJ/dp directly (formulas at the top of this
// file; dr is computed before W2 changes). It rounds as accumulate_gradients into a zeroed buffer
// followed by sgd_step(η, 0) does, so the two give equal parameters.
// non_finite_input if x, dJ/dθ (act from a failed forward) or η is NaN/±inf; non_finite_result if
// h or dr is. On either, net is left unchanged.
template <size_t In, size_t Hidden, size_t Out, typename T>
Status sgd_step_from_logits(Mlp<In, Hidden, Out, T>& net, const T (&x)[In], const Activations<In, Hidden, Out, T>& act,
                            const T (&dlogits)[Out], T learning_rate) noexcept {
    if (!detail::all_finite(x) || !detail::all_finite(dlogits) || !is_finite(learning_rate))
        return Status::non_finite_input;
    // dr = (dθ·W2ᵀ) ⊙ σ'(r)    [Hidden]
    T dr[Hidden];
    detail::hidden_gradient(net, act, dlogits, dr);
    if (!detail::all_finite(dr) || !detail::all_finite(act.h)) return Status::non_finite_result;
    // W2 ← W2 − η·hᵀ·dθ, b2 ← b2 − η·dθ, W1 ← W1 − η·xᵀ·dr, b1 ← b1 − η·dr
    detail::descend_outer(net.w2, act.h, dlogits, learning_rate);
    detail::descend(net.b2, dlogits, learning_rate);
    detail::descend_outer(net.w1, x, dr, learning_rate);
    detail::descend(net.b1, dr, learning_rate);
    return Status::ok;
}

// The batch-1 step for J = −log ŷ[label]. label_out_of_range if label >= Out; otherwise as above.
// On any status but ok, net is unchanged.
template <size_t In, size_t Hidden, size_t Out, typename T>
Status sgd_step(Mlp<In, Hidden, Out, T>& net, const T (&x)[In], const Activations<In, Hidden, Out, T>& act,
                size_t label, T learning_rate) noexcept {
    if (label >= Out) return Status::label_out_of_range;
    T dlogits[Out];
    detail::softmax_label_gradient(act.probs, label, dlogits);
    return sgd_step_from_logits(net, x, act, dlogits, learning_rate);
}

// The batch-1 step for J = −Σ y log ŷ. bad_target if y is not a probability vector; otherwise as
// above. On any status but ok, net is unchanged.
template <size_t In, size_t Hidden, size_t Out, typename T>
Status sgd_step(Mlp<In, Hidden, Out, T>& net, const T (&x)[In], const Activations<In, Hidden, Out, T>& act,
                const T (&target)[Out], T learning_rate) noexcept {
    if (!detail::valid_target(target)) return Status::bad_target;
    T dlogits[Out];
    detail::softmax_target_gradient(act.probs, target, dlogits);
    return sgd_step_from_logits(net, x, act, dlogits, learning_rate);
}

// Calls that do not fit the network, declared and never defined: each returns a type whose name is
// the compiler's message, at the call (include/ugrad/compile_errors.hpp). An array of the wrong size
// (a call with several arrays names the first that does not fit):
template <size_t In, size_t Hidden, size_t Out, typename T, size_t N, size_t M, class = detail::enable_if_t<N != In>>
typename error::x_has<N>::template entries_but_this_network_takes<In> backward_to_weights(
    const Mlp<In, Hidden, Out, T>& net, const T (&x)[N], const Activations<In, Hidden, Out, T>& act,
    const T (&dlogits)[M], Gradients<In, Hidden, Out, T>& grads) noexcept;
template <size_t In, size_t Hidden, size_t Out, typename T, size_t N, size_t M,
          class = detail::enable_if_t<N == In && M != Out>>
typename error::dlogits_has<M>::template entries_but_this_network_gives<Out> backward_to_weights(
    const Mlp<In, Hidden, Out, T>& net, const T (&x)[N], const Activations<In, Hidden, Out, T>& act,
    const T (&dlogits)[M], Gradients<In, Hidden, Out, T>& grads) noexcept;
template <size_t In, size_t Hidden, size_t Out, typename T, size_t N, class = detail::enable_if_t<N != In>>
typename error::x_has<N>::template entries_but_this_network_takes<In> accumulate_gradients(
    const Mlp<In, Hidden, Out, T>& net, const T (&x)[N], const Activations<In, Hidden, Out, T>& act, size_t label,
    Gradients<In, Hidden, Out, T>& grads) noexcept;
template <size_t In, size_t Hidden, size_t Out, typename T, size_t N, size_t M, class = detail::enable_if_t<N != In>>
typename error::x_has<N>::template entries_but_this_network_takes<In> accumulate_gradients(
    const Mlp<In, Hidden, Out, T>& net, const T (&x)[N], const Activations<In, Hidden, Out, T>& act,
    const T (&target)[M], Gradients<In, Hidden, Out, T>& grads) noexcept;
template <size_t In, size_t Hidden, size_t Out, typename T, size_t N, size_t M,
          class = detail::enable_if_t<N == In && M != Out>>
typename error::target_has<M>::template entries_but_this_network_gives<Out> accumulate_gradients(
    const Mlp<In, Hidden, Out, T>& net, const T (&x)[N], const Activations<In, Hidden, Out, T>& act,
    const T (&target)[M], Gradients<In, Hidden, Out, T>& grads) noexcept;
template <size_t In, size_t Hidden, size_t Out, typename T, size_t N, size_t M, class = detail::enable_if_t<N != In>>
typename error::x_has<N>::template entries_but_this_network_takes<In> sgd_step_from_logits(
    Mlp<In, Hidden, Out, T>& net, const T (&x)[N], const Activations<In, Hidden, Out, T>& act, const T (&dlogits)[M],
    T learning_rate) noexcept;
template <size_t In, size_t Hidden, size_t Out, typename T, size_t N, size_t M,
          class = detail::enable_if_t<N == In && M != Out>>
typename error::dlogits_has<M>::template entries_but_this_network_gives<Out> sgd_step_from_logits(
    Mlp<In, Hidden, Out, T>& net, const T (&x)[N], const Activations<In, Hidden, Out, T>& act, const T (&dlogits)[M],
    T learning_rate) noexcept;
template <size_t In, size_t Hidden, size_t Out, typename T, size_t N, class = detail::enable_if_t<N != In>>
typename error::x_has<N>::template entries_but_this_network_takes<In> sgd_step(
    Mlp<In, Hidden, Out, T>& net, const T (&x)[N], const Activations<In, Hidden, Out, T>& act, size_t label,
    T learning_rate) noexcept;
template <size_t In, size_t Hidden, size_t Out, typename T, size_t N, size_t M, class = detail::enable_if_t<N != In>>
typename error::x_has<N>::template entries_but_this_network_takes<In> sgd_step(
    Mlp<In, Hidden, Out, T>& net, const T (&x)[N], const Activations<In, Hidden, Out, T>& act, const T (&target)[M],
    T learning_rate) noexcept;
template <size_t In, size_t Hidden, size_t Out, typename T, size_t N, size_t M,
          class = detail::enable_if_t<N == In && M != Out>>
typename error::target_has<M>::template entries_but_this_network_gives<Out> sgd_step(
    Mlp<In, Hidden, Out, T>& net, const T (&x)[N], const Activations<In, Hidden, Out, T>& act, const T (&target)[M],
    T learning_rate) noexcept;

}  // namespace ugrad

UGRAD_FP_CONTRACT_OFF_END
