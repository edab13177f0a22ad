// SPDX-License-Identifier: Apache-2.0
// ugrad/heads.hpp — the output heads' arithmetic: ŷ, J and dJ/dθ from the logits θ [K], each to a
// few units of relative error also where ŷ is within rounding of the label (a confident model keeps
// its loss and its gradient). Mlp (include/ugrad/mlp.hpp, gradients.hpp, jacobian.hpp) and Network
// (network.hpp, network_gradients.hpp, network_jacobian.hpp) both call these; nothing else forms
// ŷ − y. The derivation and the error bound: docs/derivation.md, "Accuracy when confident".
//
//   Softmax, ŷ = softmax(θ), J = −Σ_k y_k log ŷ_k
//     log ŷ_k = (θ_k − m) − log1p(t), t = Σ_{k≠top} e^{θ_k − m}        (include/ugrad/softmax.hpp)
//     a label k:   dJ/dθ_j = ŷ_j (j ≠ k),  dJ/dθ_k = −Σ_{j≠k} ŷ_j       never ŷ_k − 1
//     a target y:  dJ/dθ_k = ŷ_k·Σ_{j≠k} y_j − y_k·Σ_{j≠k} ŷ_j          (= (Σ y)·ŷ_k − y_k)
//   Logistic, ŷ_k = σ(θ_k), J = −Σ_k [y_k log ŷ_k + (1 − y_k) log(1 − ŷ_k)]
//     log ŷ_k = −softplus(−θ_k), log(1 − ŷ_k) = −softplus(θ_k), from log1p(e^−|θ_k|)
//     dJ/dθ_k = (1 − y_k)·σ(θ_k) − y_k·σ(−θ_k)                          (label 1: −σ(−θ_k))
//   Linear, ŷ = θ, J = ½ Σ_k (θ_k − y_k)²:  dJ/dθ_k = θ_k − y_k          (one rounding)
// Every sum above is of terms of one sign, so it loses nothing to cancellation; where a gradient
// subtracts (a soft target, Linear) the error is a few units of the terms' magnitude.
#pragma once

#include <stddef.h>

#include <ugrad/fp_contract.hpp>
#include <ugrad/layers.hpp>
#include <ugrad/math.hpp>
#include <ugrad/softmax.hpp>

UGRAD_FP_CONTRACT_OFF_BEGIN

namespace ugrad {

// What a Network's head keeps besides θ: Softmax log ŷ and ŷ; Logistic log ŷ, log(1 − ŷ) and ŷ;
// Linear nothing (ŷ = θ).
template <class Head, size_t Out, typename T>
struct HeadOutput {};
template <size_t Out, typename T>
struct HeadOutput<Softmax, Out, T> {
    T log_probs[Out];  // log ŷ = θ − log Σ e^θ
    T probs[Out];      // ŷ = softmax(θ)
};
template <size_t Out, typename T>
struct HeadOutput<Logistic, Out, T> {
    T log_probs[Out];        // log ŷ_k = −softplus(−θ_k)
    T log_complements[Out];  // log(1 − ŷ_k) = −softplus(θ_k)
    T probs[Out];            // ŷ_k = σ(θ_k)
};

namespace detail {

template <class A, class B>
inline constexpr bool is_head_type = false;
template <class A>
inline constexpr bool is_head_type<A, A> = true;

// The heads' forward step, from finite θ [Out].
//   Softmax:   log ŷ and ŷ as include/ugrad/softmax.hpp
//   Logistic:  ŷ_k = σ(θ_k); log ŷ_k = −softplus(−θ_k) = min(θ_k, 0) − log1p(e^−|θ_k|),
//              log(1 − ŷ_k) = −softplus(θ_k) = −max(θ_k, 0) − log1p(e^−|θ_k|): finite for every
//              finite θ_k, and each a sum of two terms of one sign.
template <size_t Out, typename T>
inline void head_forward(const T (&theta)[Out], HeadOutput<Softmax, Out, T>& out) noexcept {
    log_softmax_and_softmax(theta, out.log_probs, out.probs);
}
template <size_t Out, typename T>
inline void head_forward(const T (&theta)[Out], HeadOutput<Logistic, Out, T>& out) noexcept {
    for (size_t k = 0; k < Out; ++k) {
        const T t = theta[k];
        const T minus_abs = t < T(0) ? t : -t;
        const T softplus_tail = log1p_nonnegative(ugrad::exp(minus_abs));
        out.probs[k] = sigmoid(t);
        out.log_probs[k] = (t < T(0) ? t : T(0)) - softplus_tail;
        out.log_complements[k] = (t > T(0) ? -t : T(0)) - softplus_tail;
    }
}
template <size_t Out, typename T>
inline void head_forward(const T (& /*theta*/)[Out], HeadOutput<Linear, Out, T>& /*out*/) noexcept {}

// y_k of a label: onehot(label), or for a one-unit Logistic the label itself (0 or 1).
template <class Head, size_t Out, typename T>
constexpr T label_value(size_t label, size_t k) noexcept {
    if constexpr (is_head_type<Head, Logistic> && Out == 1) return label == 1 ? T(1) : T(0);
    else return k == label ? T(1) : T(0);
}

// Σ_{j≠k} v_j, j ascending from +0 (v_k added as +0).   v: [K].
template <size_t K, typename T>
inline T sum_except(const T (&v)[K], size_t k) noexcept {
    T s = T(0);
    for (size_t j = 0; j < K; ++j) s = s + (j == k ? T(0) : v[j]);
    return s;
}

// Σ_{j≠k} v_j for every k of a v >= 0 [K] in O(K), without cancellation: with top the first index
// of the largest v_j, others = Σ_{j≠top} v_j and total = v_top + others,
//   k = top:  others;     k ≠ top:  total − v_k,
// where v_k <= v_top gives v_k <= total/2, so total − v_k >= total/2 and the subtraction at most
// doubles total's relative error.
template <typename T>
struct SumsOfOthers {
    size_t top;
    T others;  // Σ_{j≠top} v_j
    T total;   // v_top + others
    template <size_t K>
    [[nodiscard]] constexpr T at(const T (&v)[K], size_t k) const noexcept {
        return k == top ? others : total - v[k];
    }
};
template <size_t K, typename T>
inline SumsOfOthers<T> sums_of_others(const T (&v)[K]) noexcept {
    // (One entry: no others. Written out, because GCC's -Warray-bounds cannot see that top is 0.)
    if constexpr (K == 1) {
        return SumsOfOthers<T>{0, T(0), v[0]};
    } else {
        const size_t top = top_index(v);
        const T others = sum_except(v, top);
        return SumsOfOthers<T>{top, others, v[top] + others};
    }
}

// Softmax, a label k: dJ/dθ_j = ŷ_j for j ≠ k, dJ/dθ_k = ŷ_k − 1 = −Σ_{j≠k} ŷ_j.
// ŷ, dθ: [K]; label < K.
template <size_t K, typename T>
inline void softmax_label_gradient(const T (&probs)[K], size_t label, T (&dtheta)[K]) noexcept {
    for (size_t j = 0; j < K; ++j) dtheta[j] = probs[j];
    // One class: no others, dθ = −0; −(ŷ − ŷ) is that, and NaN when act came from a failed forward
    // (so that the caller still sees the bad act as its input).
    // cppcheck-suppress duplicateExpression
    if constexpr (K == 1) dtheta[0] = -(probs[0] - probs[0]);  // NOLINT(misc-redundant-expression): on purpose
    else dtheta[label] = -sum_except(probs, label);
}

// Softmax, a target y >= 0: dJ/dθ_k = (Σ_j y_j)·ŷ_k − y_k = ŷ_k·Σ_{j≠k} y_j − y_k·Σ_{j≠k} ŷ_j
// (using Σ_j ŷ_j = 1; the exact gradient of −Σ y log ŷ even when Σ y is not exactly 1).
// ŷ, y, dθ: [K].
template <size_t K, typename T>
inline void softmax_target_gradient(const T (&probs)[K], const T (&target)[K], T (&dtheta)[K]) noexcept {
    const SumsOfOthers<T> y_others = sums_of_others(target), p_others = sums_of_others(probs);
    for (size_t k = 0; k < K; ++k)
        dtheta[k] = probs[k] * y_others.at(target, k) - target[k] * p_others.at(probs, k);
}

// Logistic, one unit: dJ/dθ = (1 − y)·σ(θ) − y·σ(−θ), both members of sigmoid_pair (each accurate
// for large |θ|): y = 1 gives −σ(−θ) exactly, y = 0 gives σ(θ).
template <typename T>
inline T logistic_gradient(T theta, T y) noexcept {
    const SigmoidPair<T> s = sigmoid_pair(theta);
    return (T(1) - y) * s.value - y * s.complement;
}

// dJ/dθ [Out] of a head for a label, from θ and the head's ŷ (θ itself for Linear).
template <class Head, size_t Out, typename T>
inline void head_gradient(const T (&theta)[Out], const T (&y_hat)[Out], size_t label, T (&dtheta)[Out]) noexcept {
    static_assert(!is_head_type<Head, Linear>, "a Linear head takes a target, not a label");
    if constexpr (is_head_type<Head, Softmax>) {
        softmax_label_gradient(y_hat, label, dtheta);
    } else {
        for (size_t k = 0; k < Out; ++k) dtheta[k] = logistic_gradient(theta[k], label_value<Head, Out, T>(label, k));
    }
}

// dJ/dθ [Out] of a head for a target y [Out], from θ and the head's ŷ (θ itself for Linear).
template <class Head, size_t Out, typename T>
inline void head_gradient(const T (&theta)[Out], const T (&y_hat)[Out], const T (&target)[Out],
                          T (&dtheta)[Out]) noexcept {
    if constexpr (is_head_type<Head, Softmax>) {
        softmax_target_gradient(y_hat, target, dtheta);
    } else if constexpr (is_head_type<Head, Logistic>) {
        for (size_t k = 0; k < Out; ++k) dtheta[k] = logistic_gradient(theta[k], target[k]);
    } else {
        for (size_t k = 0; k < Out; ++k) dtheta[k] = theta[k] - target[k];
    }
}

}  // namespace detail

}  // namespace ugrad

UGRAD_FP_CONTRACT_OFF_END
