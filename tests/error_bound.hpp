// tests/error_bound.hpp — how far the float instantiation may be from the double one, derived,
// not tuned: a first-order forward error analysis of every step, evaluated in double.
//
// Model of float arithmetic: fl(a ∘ b) = (a ∘ b)(1 + δ) + η, |δ| <= u = 2^-24, |η| <= 2^-150 (the
// absolute error of a result in the subnormal range, or of one that underflows to 0). A sum of n products
// formed in any fixed order errs by at most γ(n)·Σ|terms|, γ(n) = n·u/(1 − n·u). The library's
// exp and log are taken to err by at most `math_ulps` units in the last place (issue 3 proves
// <= 1 on every float; 2 leaves room for the argument's own rounding), the sigmoid pair by
// `sigmoid_ulps`. Each bound below is the error of one stage plus the error it inherits,
// propagated through the stage's derivative.
#pragma once

#include <cmath>

#include <ugrad/ugrad.hpp>

namespace test {

constexpr double u = 1.0 / 16777216.0;  // 2^-24, unit roundoff of binary32
constexpr double eta = 1.0 / 1427247692705959881058285969449495136382746624.0;  // 2^-150
constexpr double math_ulps = 2.0;
constexpr double sigmoid_ulps = 4.0;
inline double gamma(double n) { return n * u / (1.0 - n * u); }

template <size_t In, size_t Hidden, size_t Out>
struct FloatErrorBound {
    double r[Hidden], h[Hidden], dh_dr[Hidden], logits[Out], log_probs[Out], probs[Out], dr[Hidden], dx[In];

    // net, x, act: the double instantiation's model, input and activations; dlogits: ŷ − y in double.
    FloatErrorBound(const ugrad::Mlp<In, Hidden, Out, double>& net, const double (&x)[In],
                    const ugrad::Activations<In, Hidden, Out, double>& act, const double (&dlogits)[Out]) {
        // r = x·W1 + b1: a sum of In + 1 terms; the inputs are float-exact.
        for (size_t j = 0; j < Hidden; ++j) {
            double mag = std::fabs(net.b1[j]);
            for (size_t i = 0; i < In; ++i) mag += std::fabs(x[i] * net.w1[i][j]);
            r[j] = gamma(In + 1) * mag + In * eta;  // each product may underflow: η apiece
        }
        // h = σ(r): |σ'| <= dh_dr; σ'(r) = σ(r)σ(−r): |σ''| = |σ'(1 − 2σ)| <= σ'.
        for (size_t j = 0; j < Hidden; ++j) {
            h[j] = act.dh_dr[j] * r[j] + sigmoid_ulps * (u * act.h[j] + 2 * eta);
            dh_dr[j] = act.dh_dr[j] * r[j] + (2 * sigmoid_ulps + 1) * (u * act.dh_dr[j] + 2 * eta);
        }
        // θ = h·W2 + b2.
        double max_logit_error = 0;
        for (size_t k = 0; k < Out; ++k) {
            double mag = std::fabs(net.b2[k]), inherited = 0;
            for (size_t j = 0; j < Hidden; ++j) {
                mag += std::fabs(act.h[j] * net.w2[j][k]);
                inherited += std::fabs(net.w2[j][k]) * h[j];
            }
            logits[k] = gamma(Hidden + 1) * mag + Hidden * eta + inherited;
            max_logit_error = std::fmax(max_logit_error, logits[k]);
        }
        // log ŷ_k = (θ_k − m) − log s, s = Σ e^{θ_j − m} in [1, Out]: the subtraction of m can
        // double a logit's error; s carries relative error γ(Out) + math_ulps·u + 2·max_logit_error.
        double s = 0, m = act.logits[0];
        for (size_t k = 1; k < Out; ++k) m = std::fmax(m, act.logits[k]);
        for (size_t k = 0; k < Out; ++k) s += std::exp(act.logits[k] - m);
        const double s_rel = gamma(Out) + (math_ulps + 1) * u + 2 * max_logit_error;
        const double log_s_error = s_rel + math_ulps * u * std::fabs(std::log(s));
        for (size_t k = 0; k < Out; ++k) {
            const double shifted = std::fabs(act.logits[k] - m);
            log_probs[k] = logits[k] + max_logit_error + 2 * u * shifted + log_s_error +
                           2 * u * std::fabs(act.log_probs[k]);
            probs[k] = act.probs[k] * (logits[k] + max_logit_error + s_rel + (math_ulps + 3) * u * (1 + shifted)) +
                       (math_ulps + 2) * 2 * eta;
        }
        // dθ = ŷ − y: the error of ŷ plus one rounding.
        double dtheta[Out];
        for (size_t k = 0; k < Out; ++k) dtheta[k] = probs[k] + u * std::fabs(dlogits[k]);
        // dh = dθ·W2ᵀ; dr = dh ⊙ σ'(r).
        double dr_value[Hidden];
        for (size_t j = 0; j < Hidden; ++j) {
            double dh = 0, mag = 0, inherited = 0;
            for (size_t k = 0; k < Out; ++k) {
                dh += dlogits[k] * net.w2[j][k];
                mag += std::fabs(dlogits[k] * net.w2[j][k]);
                inherited += std::fabs(net.w2[j][k]) * dtheta[k];
            }
            const double dh_error = gamma(Out) * mag + inherited;
            dr_value[j] = dh * act.dh_dr[j];
            dr[j] = dh_error * act.dh_dr[j] + std::fabs(dh) * dh_dr[j] + u * std::fabs(dr_value[j]) + 2 * eta;
        }
        // dx = dr·W1ᵀ.
        for (size_t i = 0; i < In; ++i) {
            double mag = 0, inherited = 0;
            for (size_t j = 0; j < Hidden; ++j) {
                mag += std::fabs(dr_value[j] * net.w1[i][j]);
                inherited += std::fabs(net.w1[i][j]) * dr[j];
            }
            dx[i] = gamma(Hidden) * mag + inherited + (Hidden + 1) * 2 * eta;
        }
    }
};

}  // namespace test
