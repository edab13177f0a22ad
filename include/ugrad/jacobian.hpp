// SPDX-License-Identifier: Apache-2.0
// ugrad/jacobian.hpp — the full Jacobians of the network's outputs with respect to its input:
// ∂log ŷ/∂x and ∂ŷ/∂x, each [Out][In] (row k is the gradient of output k).
//
// log ŷ_k = θ_k − log Σ e^θ, so ∂log ŷ_k/∂θ = e_k − ŷ (e_k the k-th unit vector), and row k is
// that upstream gradient carried back to the input by backward:
//   ∂log ŷ_k/∂x = ((e_k − ŷ)·W2ᵀ ⊙ σ'(r))·W1ᵀ                 [In]
// and since ∂ŷ_k = ŷ_k·∂log ŷ_k,
//   ∂ŷ_k/∂x = ŷ_k · ∂log ŷ_k/∂x                              [In]
// Cost: Out backward passes, Out·(Hidden·Out + In·Hidden) multiply-adds.
#pragma once

#include <stddef.h>

#include <ugrad/compile_errors.hpp>
#include <ugrad/fp_contract.hpp>
#include <ugrad/heads.hpp>
#include <ugrad/math.hpp>
#include <ugrad/mlp.hpp>
#include <ugrad/status.hpp>

UGRAD_FP_CONTRACT_OFF_BEGIN

namespace ugrad {

// jac[k][i] = ∂log ŷ_k/∂x_i.   act from forward(net, x); jac [Out][In].
// non_finite_input if act holds NaN (it came from a failed forward); non_finite_result if an
// entry comes out NaN/±inf (a non-finite weight, an overflow). On either, all of jac is NaN.
template <size_t In, size_t Hidden, size_t Out, typename T>
Status log_prob_jacobian(const Mlp<In, Hidden, Out, T>& net, const Activations<In, Hidden, Out, T>& act,
                         T (&jac)[Out][In]) noexcept {
    for (size_t k = 0; k < Out; ++k) {
        // upstream gradient of log ŷ_k: e_k − ŷ    [Out]
        T dlogits[Out];
        detail::softmax_label_gradient(act.probs, k, dlogits);  // ŷ − e_k, without cancellation
        for (size_t m = 0; m < Out; ++m) dlogits[m] = -dlogits[m];
        const Status s = backward(net, act, dlogits, jac[k]);
        if (s != Status::ok) {
            for (size_t row = 0; row < Out; ++row) detail::fill(jac[row], quiet_nan<T>());
            return s;
        }
    }
    return Status::ok;
}

// jac[k][i] = ∂ŷ_k/∂x_i = ŷ_k·∂log ŷ_k/∂x_i.   act from forward(net, x); jac [Out][In].
// Statuses as log_prob_jacobian; on any but ok all of jac is NaN.
template <size_t In, size_t Hidden, size_t Out, typename T>
Status prob_jacobian(const Mlp<In, Hidden, Out, T>& net, const Activations<In, Hidden, Out, T>& act,
                     T (&jac)[Out][In]) noexcept {
    const Status s = log_prob_jacobian(net, act, jac);
    if (s != Status::ok) return s;
    // row k scaled by ŷ_k    [Out][In]
    for (size_t k = 0; k < Out; ++k)
        for (size_t i = 0; i < In; ++i) jac[k][i] = act.probs[k] * jac[k][i];
    return Status::ok;
}

// A Jacobian array of the wrong shape, declared and never defined: the type it returns is the
// compiler's message, at the call (include/ugrad/compile_errors.hpp).
template <size_t In, size_t Hidden, size_t Out, typename T, size_t Rows, size_t Columns,
          class = detail::enable_if_t<Rows != Out || Columns != In>>
typename error::jac_is<Rows, Columns>::template but_this_network_needs<Out, In> log_prob_jacobian(
    const Mlp<In, Hidden, Out, T>& net, const Activations<In, Hidden, Out, T>& act, T (&jac)[Rows][Columns]) noexcept;
template <size_t In, size_t Hidden, size_t Out, typename T, size_t Rows, size_t Columns,
          class = detail::enable_if_t<Rows != Out || Columns != In>>
typename error::jac_is<Rows, Columns>::template but_this_network_needs<Out, In> prob_jacobian(
    const Mlp<In, Hidden, Out, T>& net, const Activations<In, Hidden, Out, T>& act, T (&jac)[Rows][Columns]) noexcept;

}  // namespace ugrad

UGRAD_FP_CONTRACT_OFF_END
