// SPDX-License-Identifier: Apache-2.0
// ugrad/softmax.hpp — softmax and log-probabilities through log-sum-exp, accurate when confident.
//
// With top the first index of the largest logit, m = θ_top, p_k = e^{θ_k − m} (p_top = 1) and
// t = Σ_{k≠top} p_k (in [0, K − 1], never overflows), Σ_k e^{θ_k − m} = 1 + t, and
//   log ŷ_k = (θ_k − m) − log1p(t),   ŷ_k = p_k / (1 + t).
// t is summed without the top's 1, and its log taken by log1p, so that a confident model (t below
// the rounding of 1, 2^-24 in float) keeps its loss: −log ŷ_top = log1p(t) ≈ t, not log(1) = 0.
// The loss is taken from log ŷ, never as the log of a probability that may have rounded to 0.
#pragma once

#include <stddef.h>

#include <ugrad/elementwise.hpp>
#include <ugrad/fp_contract.hpp>
#include <ugrad/math.hpp>

UGRAD_FP_CONTRACT_OFF_BEGIN

namespace ugrad {

// The index of the largest element; the first one wins ties. θ: [K], K >= 1.
template <size_t K, typename T>
inline size_t top_index(const T (&theta)[K]) noexcept {
    static_assert(K >= 1, "need at least one element");
    size_t top = 0;
    for (size_t k = 1; k < K; ++k) top = theta[k] > theta[top] ? k : top;
    return top;
}

// log Σ_k e^{θ_k} = m + log1p(Σ_{k≠top} e^{θ_k − m}), summed with k ascending. θ: [K], finite.
template <size_t K, typename T>
inline T log_sum_exp(const T (&theta)[K]) noexcept {
    const size_t top = top_index(theta);
    const T m = theta[top];
    T p[K];
    return m + detail::log1p_nonnegative(exp_shifted(theta, m, p, top));
}

// Log-probabilities and probabilities together (they share the exps). θ, log_p, p: [K], θ finite.
template <size_t K, typename T>
inline void log_softmax_and_softmax(const T (&theta)[K], T (&log_p)[K], T (&p)[K]) noexcept {
    const size_t top = top_index(theta);
    const T m = theta[top];
    const T t = exp_shifted(theta, m, p, top);  // p[k] = e^{θ_k − m}, t = Σ_{k≠top} p[k] (k ascending)
    p[top] = T(1);                              // e^0
    const T s = T(1) + t;
    const T log_s = detail::log1p_nonnegative(t);
    for (size_t k = 0; k < K; ++k) {
        log_p[k] = (theta[k] - m) - log_s;
        p[k] = p[k] / s;
    }
}

// log ŷ = θ − log Σ e^θ. θ, log_p: [K], θ finite.
template <size_t K, typename T>
inline void log_softmax(const T (&theta)[K], T (&log_p)[K]) noexcept {
    T p[K];
    log_softmax_and_softmax(theta, log_p, p);
}

// ŷ = e^θ / Σ e^θ. θ, p: [K], θ finite.
template <size_t K, typename T>
inline void softmax(const T (&theta)[K], T (&p)[K]) noexcept {
    T log_p[K];
    log_softmax_and_softmax(theta, log_p, p);
}

}  // namespace ugrad

UGRAD_FP_CONTRACT_OFF_END
