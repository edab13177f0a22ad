// SPDX-License-Identifier: Apache-2.0
// ugrad/softmax.hpp — softmax and log-probabilities through log-sum-exp.
//
// With m = max_k θ_k and s = Σ_k e^{θ_k − m} (1 <= s <= K, never overflows):
//   log ŷ_k = (θ_k − m) − log s,   ŷ_k = e^{θ_k − m} / s.
// The loss is taken from log ŷ, never as the log of a probability that may have rounded to 0.
#pragma once

#include <stddef.h>

#include <ugrad/elementwise.hpp>
#include <ugrad/fp_contract.hpp>
#include <ugrad/math.hpp>

UGRAD_FP_CONTRACT_OFF_BEGIN

namespace ugrad {

// Largest element; the first one wins ties. θ: [K], K >= 1.
template <size_t K, typename T>
inline T max_element(const T (&theta)[K]) noexcept {
    static_assert(K >= 1, "need at least one element");
    T m = theta[0];
    for (size_t k = 1; k < K; ++k) m = theta[k] > m ? theta[k] : m;
    return m;
}

// log Σ_k e^{θ_k} = m + log Σ_k e^{θ_k − m}, summed with k ascending. θ: [K], finite.
template <size_t K, typename T>
inline T log_sum_exp(const T (&theta)[K]) noexcept {
    const T m = max_element(theta);
    T p[K];
    return m + detail::log_of_sum(exp_shifted(theta, m, p));
}

// Log-probabilities and probabilities together (they share the exps). θ, log_p, p: [K], θ finite.
template <size_t K, typename T>
inline void log_softmax_and_softmax(const T (&theta)[K], T (&log_p)[K], T (&p)[K]) noexcept {
    const T m = max_element(theta);
    const T s = exp_shifted(theta, m, p);  // p[k] = e^{θ_k − m}, s = Σ_k p[k] (k ascending)
    const T log_s = detail::log_of_sum(s);
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
