// SPDX-License-Identifier: Apache-2.0
// ugrad/network_jacobian.hpp — the full Jacobian of a Network's outputs with respect to its input,
// ∂ŷ/∂x [Out][In] (row k is the gradient of ŷ_k), and for a Softmax head ∂log ŷ/∂x.
//
// Row k is the upstream gradient ∂ŷ_k/∂θ [Out] carried back to the input by backward:
//   Softmax   ∂log ŷ_k/∂θ = e_k − ŷ, and ∂ŷ_k/∂x = ŷ_k·∂log ŷ_k/∂x   (as Mlp's prob_jacobian)
//   Logistic  ∂ŷ_k/∂θ = σ′(θ_k)·e_k, σ′(θ_k) = σ(θ_k)·σ(−θ_k)
//   Linear    ∂ŷ_k/∂θ = e_k
// (e_k the k-th unit vector). Cost: Out backward passes.
#pragma once

#include <stddef.h>

#include <ugrad/compile_errors.hpp>
#include <ugrad/fp_contract.hpp>
#include <ugrad/heads.hpp>
#include <ugrad/math.hpp>
#include <ugrad/network.hpp>
#include <ugrad/status.hpp>

UGRAD_FP_CONTRACT_OFF_BEGIN

namespace ugrad {

namespace detail {
template <size_t Out, size_t In, typename T>
constexpr Status fail_rows(Status s, T (&jac)[Out][In]) noexcept {
    for (size_t k = 0; k < Out; ++k) fill(jac[k], quiet_nan<T>());
    return s;
}
}  // namespace detail

// jac[k][i] = ∂log ŷ_k/∂x_i, Softmax head.   act from forward(net, x); jac [Out][In].
// non_finite_input if act holds NaN (a failed forward); non_finite_result if an entry comes out
// NaN/±inf. On either, all of jac is NaN.
template <class... Layers>
Status log_prob_jacobian(const Network<Softmax, Layers...>& net, const typename Network<Softmax, Layers...>::Activations& act,
                         typename Network<Softmax, Layers...>::value_type (&jac)[Network<Softmax, Layers...>::outputs]
                                                                                [Network<Softmax, Layers...>::inputs]) noexcept {
    using Net = Network<Softmax, Layers...>;
    using T = typename Net::value_type;
    for (size_t k = 0; k < Net::outputs; ++k) {
        // upstream gradient of log ŷ_k: e_k − ŷ    [Out]
        T dtheta[Net::outputs];
        detail::softmax_label_gradient(act.probs, k, dtheta);  // ŷ − e_k, without cancellation
        for (size_t m = 0; m < Net::outputs; ++m) dtheta[m] = -dtheta[m];
        const Status s = backward(net, act, dtheta, jac[k]);
        if (s != Status::ok) return detail::fail_rows(s, jac);
    }
    return Status::ok;
}

// jac[k][i] = ∂ŷ_k/∂x_i, any head.   act from forward(net, x); jac [Out][In].
// Statuses as log_prob_jacobian; on any but ok all of jac is NaN.
template <class Head, class... Layers>
Status output_jacobian(const Network<Head, Layers...>& net, const typename Network<Head, Layers...>::Activations& act,
                       typename Network<Head, Layers...>::value_type (&jac)[Network<Head, Layers...>::outputs]
                                                                          [Network<Head, Layers...>::inputs]) noexcept {
    using Net = Network<Head, Layers...>;
    using T = typename Net::value_type;
    if constexpr (detail::same_type<Head, Softmax>::value) {
        const Status s = log_prob_jacobian(net, act, jac);
        if (s != Status::ok) return s;
        // row k scaled by ŷ_k    [Out][In]
        for (size_t k = 0; k < Net::outputs; ++k)
            for (size_t i = 0; i < Net::inputs; ++i) jac[k][i] = act.probs[k] * jac[k][i];
        return Status::ok;
    } else {
        const auto& theta = logits(act);
        // The rows' dθ do not depend on act (e_k, σ′(θ_k)e_k): a failed forward is caught here.
        if (!detail::all_finite(theta)) return detail::fail_rows(Status::non_finite_input, jac);
        for (size_t k = 0; k < Net::outputs; ++k) {
            T dtheta[Net::outputs];
            for (size_t m = 0; m < Net::outputs; ++m) dtheta[m] = T(0);
            if constexpr (detail::same_type<Head, Logistic>::value) {
                const SigmoidPair<T> p = sigmoid_pair(theta[k]);
                dtheta[k] = p.value * p.complement;
            } else {
                dtheta[k] = T(1);
            }
            const Status s = backward(net, act, dtheta, jac[k]);
            if (s != Status::ok) return detail::fail_rows(s, jac);
        }
        return Status::ok;
    }
}

// A Jacobian array of the wrong shape, declared and never defined: the type it returns is the
// compiler's message, at the call (include/ugrad/compile_errors.hpp).
template <class... Layers, typename T, size_t Rows, size_t Columns,
          size_t Out = Network<Softmax, Layers...>::outputs, size_t In = Network<Softmax, Layers...>::inputs,
          class = detail::enable_if_t<Rows != Out || Columns != In>>
typename error::jac_is<Rows, Columns>::template but_this_network_needs<Out, In> log_prob_jacobian(
    const Network<Softmax, Layers...>& net, const typename Network<Softmax, Layers...>::Activations& act,
    T (&jac)[Rows][Columns]) noexcept;
template <class Head, class... Layers, typename T, size_t Rows, size_t Columns,
          size_t Out = Network<Head, Layers...>::outputs, size_t In = Network<Head, Layers...>::inputs,
          class = detail::enable_if_t<Rows != Out || Columns != In>>
typename error::jac_is<Rows, Columns>::template but_this_network_needs<Out, In> output_jacobian(
    const Network<Head, Layers...>& net, const typename Network<Head, Layers...>::Activations& act,
    T (&jac)[Rows][Columns]) noexcept;

}  // namespace ugrad

UGRAD_FP_CONTRACT_OFF_END
