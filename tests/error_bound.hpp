// SPDX-License-Identifier: Apache-2.0
// tests/error_bound.hpp — how far the float instantiation may be from the double one, derived,
// not tuned: a first-order forward error analysis of every step, evaluated in double.
//
// Model of float arithmetic: fl(a ∘ b) = (a ∘ b)(1 + δ) + η, |δ| <= u = 2^-24, |η| <= 2^-150 (the
// absolute error of a result in the subnormal range, or of one that underflows to 0). A sum of n products
// formed in any fixed order errs by at most γ(n)·Σ|terms|, γ(n) = n·u/(1 − n·u). The library's
// exp and log are taken to err by at most `math_ulps` units in the last place (issue 3 proves
// <= 1 on every float; 2 leaves room for the argument's own rounding), the sigmoid pair by
// `sigmoid_ulps`. Each bound below is the error of one stage plus the error it inherits,
// propagated through the stage's derivative. A bound that comes out NaN stays NaN (larger_bound,
// tests/nan_aware.hpp), so that every `error <= bound` against it fails.
#pragma once

#include <cmath>
#include <vector>

#include <ugrad/ugrad.hpp>

#include "nan_aware.hpp"

namespace test {

constexpr double u = 1.0 / 16777216.0;  // 2^-24, unit roundoff of binary32
constexpr double eta = 1.0 / 1427247692705959881058285969449495136382746624.0;  // 2^-150
constexpr double math_ulps = 2.0;
constexpr double sigmoid_ulps = 4.0;
inline double gamma(double n) { return n * u / (1.0 - n * u); }
template <class A, class B>
constexpr bool is_same_act = ugrad::detail::same_type<A, B>::value;

// The error of dθ = dJ/dθ of a softmax head as include/ugrad/heads.hpp forms it, from ŷ (p, double)
// and the bound on float ŷ's error (ep), n classes; into e [n].
//   a label k   dθ_j = ŷ_j (j ≠ k): the error of ŷ_j; dθ_k = −Σ_{j≠k} ŷ_j: the errors of those ŷ_j
//               and γ(n) of their sum — relative to 1 − ŷ_k, however small
inline void softmax_label_gradient_error(size_t n, const double* p, const double* ep, size_t label, double* e) {
    for (size_t k = 0; k < n; ++k) e[k] = ep[k];
    double others = 0, others_error = 0;
    for (size_t j = 0; j < n; ++j)
        if (j != label) others += p[j], others_error += ep[j];
    e[label] = others_error + gamma(double(n)) * others;
}
//   a target y  dθ_k = ŷ_k·A_k − y_k·B_k, A_k = Σ_{j≠k} y_j, B_k = Σ_{j≠k} ŷ_j (each within 3γ(n) of
//               itself, B_k also carrying the ŷ_j's errors: those of j ≠ k for the top class, all
//               of them otherwise), two products (each may underflow: η apiece) and a subtraction:
//               3u of the terms' magnitude
inline void softmax_target_gradient_error(size_t n, const double* p, const double* ep, const double* y, double* e) {
    size_t top = 0;
    for (size_t k = 1; k < n; ++k) top = p[k] > p[top] ? k : top;
    for (size_t k = 0; k < n; ++k) {
        double A_k = 0, B_k = 0, eB = 0, e_all = 0;
        for (size_t j = 0; j < n; ++j) {
            e_all += ep[j];
            if (j == k) continue;
            A_k += y[j], B_k += p[j], eB += ep[j];
        }
        if (k != top || B_k >= 0.25) eB = e_all;
        const double g = 3 * gamma(double(n));
        e[k] = ep[k] * A_k + p[k] * g * A_k + y[k] * (eB + g * B_k) + 3 * u * (p[k] * A_k + y[k] * B_k) + 2 * eta;
    }
}

template <size_t In, size_t Hidden, size_t Out>
struct FloatErrorBound {
    double r[Hidden], h[Hidden], dh_dr[Hidden], logits[Out], log_probs[Out], probs[Out], dr[Hidden], dx[In];

    using Net = ugrad::Mlp<In, Hidden, Out, double>;
    using Act = ugrad::Activations<In, Hidden, Out, double>;

    // net, x, act: the double instantiation's model, input and activations. dθ = dJ/dθ in double, and
    // with it how its float counterpart was formed:
    //   dlogits       ŷ − onehot(label) (the label's entry the negative one), heads.hpp's label form
    FloatErrorBound(const Net& net, const double (&x)[In], const Act& act, const double (&dlogits)[Out]) {
        forward_stages(net, x, act);
        double dtheta[Out];
        size_t label = Out;
        for (size_t k = 0; k < Out; ++k) label = dlogits[k] < 0 ? k : label;
        if (label < Out) softmax_label_gradient_error(Out, act.probs, probs, label, dtheta);
        else for (size_t k = 0; k < Out; ++k) dtheta[k] = probs[k];
        backward_stages(net, act, dlogits, dtheta);
    }
    //   dtheta, label heads.hpp's label form for that label (dtheta = −Σ_{j≠label} ŷ_j there, ŷ_j elsewhere)
    FloatErrorBound(const Net& net, const double (&x)[In], const Act& act, const double (&dtheta)[Out], size_t label) {
        forward_stages(net, x, act);
        double error[Out];
        softmax_label_gradient_error(Out, act.probs, probs, label, error);
        backward_stages(net, act, dtheta, error);
    }
    //   dtheta, y     heads.hpp's target form for the target y (float numbers), dtheta its value
    FloatErrorBound(const Net& net, const double (&x)[In], const Act& act, const double (&dtheta)[Out],
                    const double (&target)[Out]) {
        forward_stages(net, x, act);
        double error[Out];
        softmax_target_gradient_error(Out, act.probs, probs, target, error);
        backward_stages(net, act, dtheta, error);
    }
    //   dtheta, Exact an upstream gradient given as float numbers (backward's dlogits): no error of its own
    struct Exact {};
    FloatErrorBound(const Net& net, const double (&x)[In], const Act& act, const double (&dtheta)[Out], Exact) {
        forward_stages(net, x, act);
        const double error[Out] = {};
        backward_stages(net, act, dtheta, error);
    }

  private:
    void forward_stages(const Net& net, const double (&x)[In], const Act& act) {
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
            max_logit_error = larger_bound(max_logit_error, logits[k]);  // NaN stays NaN
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
    }

    // dlogits: dθ's value; dtheta: its error.
    void backward_stages(const Net& net, const Act& act, const double (&dlogits)[Out], const double (&dtheta)[Out]) {
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

// ---------------------------------------------------------------------------------------------
// The same analysis for any Network, layer by layer (tests/test_network_float.cpp). Per stage:
//   r = x·W + b        γ(In + 1)·Σ|terms| + In·η, plus Σ_i |W_ij|·(x_i's inherited error)
//   y = act(r)         |act′|·(r's error) + the function's own rounding:
//                      Identity none; Sigmoid sigmoid_ulps·u·y (and its kept slope as for Mlp);
//                      Tanh tanh_ulps·u·|y| (2 ULP proven, make test-exhaustive); ReLU none, and
//                      ReLU is 1-Lipschitz: |y error| <= |r error|
//   slope              Sigmoid as Mlp's dh_dr; Tanh (1 − y)(1 + y): 2|y|·(y's error) + 3 roundings;
//                      ReLU exact, except on a unit whose r is within its error of 0, where float
//                      and double may disagree on the slope: the whole |dJ/dy| of that unit is then
//                      added to dJ/dr's error
//   heads              Softmax as Mlp's; Logistic ŷ = σ(θ): σ′·(θ's error) + sigmoid_ulps·u·ŷ,
//                      log ŷ = min(θ, 0) − L and log(1 − ŷ) = −max(θ, 0) − L with L = log(1 + e^−|θ|):
//                      (θ's error)·1 (|d log σ/dθ| <= 1) + log1p_ulps·u·L + u·|result|; Linear ŷ = θ
//   dr = dy ⊙ slope    (dy's error)·|slope| + |dy|·(slope's error) + u·|dr| + 2η
//   dy = dr·Wᵀ         γ(Out)·Σ|terms| + Out·2η + Σ_j |W_ij|·(dr_j's error)
constexpr double tanh_ulps = 4.0;
// log(1 + e) by Goldberg's u·log(u)/(u − 1): e's own error (one exp, math_ulps), the rounding of
// 1 + e and of the quotient, log's ULP: a handful of units, bounded by 8.
constexpr double log1p_ulps = 8.0;

template <class Net>
struct NetworkErrorBound {
    static constexpr size_t depth = Net::depth, In = Net::inputs, Out = Net::outputs;
    using Head = typename Net::head_type;
    std::vector<std::vector<double>> y, slope;  // per layer: outputs, slopes (errors)
    std::vector<std::vector<double>> y_value, slope_value, dr_value;
    std::vector<std::vector<bool>> slope_ambiguous;
    std::vector<double> probs, log_probs, log_complements, dx;
    double loss = 0;

    template <class A>
    NetworkErrorBound(const Net& net, const double (&x)[In], const A& act, const double (&dtheta)[Out],
                      const double (&target)[Out])
        : y(depth), slope(depth), y_value(depth), slope_value(depth), dr_value(depth), slope_ambiguous(depth),
          probs(Out), log_probs(Out), log_complements(Out), dx(In) {
        std::vector<double> v(x, x + In), e(In, 0.0);
        forward_layers<0>(net, act, v, e);
        head(act, target);
        backward(net, act, dtheta, target);
    }

    template <size_t I, class A>
    void forward_layers(const Net& net, const A& act, const std::vector<double>& v, const std::vector<double>& e) {
        using Layer = typename Net::template layer_type<I>;
        using Act = typename Layer::activation;
        const auto& dense = ugrad::layer<I>(net);
        const auto& out = ugrad::layer_output<I>(act);
        std::vector<double>& ey = y[I];
        ey.assign(Layer::outputs, 0.0);
        slope[I].assign(Layer::outputs, 0.0);
        y_value[I].assign(out.y, out.y + Layer::outputs);
        slope_value[I].assign(Layer::outputs, 0.0);
        slope_ambiguous[I].assign(Layer::outputs, false);
        for (size_t j = 0; j < Layer::outputs; ++j) {
            double r = dense.b[j], mag = std::fabs(dense.b[j]), inherited = 0;
            for (size_t i = 0; i < Layer::inputs; ++i) {
                r += v[i] * dense.w[i][j];
                mag += std::fabs(v[i] * dense.w[i][j]);
                inherited += std::fabs(dense.w[i][j]) * e[i];
            }
            const double er = gamma(double(Layer::inputs + 1)) * mag + double(Layer::inputs) * eta + inherited;
            const double yj = out.y[j], sj = ugrad::slope_at(out, j);
            slope_value[I][j] = sj;
            if constexpr (test::is_same_act<Act, ugrad::Identity>) {
                ey[j] = er;
            } else if constexpr (test::is_same_act<Act, ugrad::Sigmoid>) {
                ey[j] = sj * er + sigmoid_ulps * (u * yj + 2 * eta);
                slope[I][j] = sj * er + (2 * sigmoid_ulps + 1) * (u * sj + 2 * eta);
            } else if constexpr (test::is_same_act<Act, ugrad::Tanh>) {
                ey[j] = sj * er + tanh_ulps * (u * std::fabs(yj) + 2 * eta);
                slope[I][j] = 2 * std::fabs(yj) * ey[j] + 3 * u * sj + 2 * eta;
            } else {
                ey[j] = er;
                slope_ambiguous[I][j] = std::fabs(r) <= er;
            }
        }
        if constexpr (I + 1 < depth) forward_layers<I + 1>(net, act, y_value[I], ey);
    }

    template <class A>
    void head(const A& act, const double (&target)[Out]) {
        const std::vector<double>& theta = y_value[depth - 1];
        const std::vector<double>& et = y[depth - 1];
        if constexpr (test::is_same_act<Head, ugrad::Softmax>) {
            // As FloatErrorBound's softmax step.
            double max_logit_error = 0, s = 0, m = theta[0];
            for (size_t k = 0; k < Out; ++k) max_logit_error = larger_bound(max_logit_error, et[k]), m = std::fmax(m, theta[k]);
            for (size_t k = 0; k < Out; ++k) s += std::exp(theta[k] - m);
            const double s_rel = gamma(double(Out)) + (math_ulps + 1) * u + 2 * max_logit_error;
            const double log_s_error = s_rel + math_ulps * u * std::fabs(std::log(s));
            for (size_t k = 0; k < Out; ++k) {
                const double shifted = std::fabs(theta[k] - m);
                log_probs[k] = et[k] + max_logit_error + 2 * u * shifted + log_s_error + 2 * u * std::fabs(act.log_probs[k]);
                probs[k] = act.probs[k] * (et[k] + max_logit_error + s_rel + (math_ulps + 3) * u * (1 + shifted)) +
                           (math_ulps + 2) * 2 * eta;
                loss += target[k] * log_probs[k] + u * std::fabs(target[k] * act.log_probs[k]) * double(Out + 1);
            }
        } else if constexpr (test::is_same_act<Head, ugrad::Logistic>) {
            for (size_t k = 0; k < Out; ++k) {
                const double t = theta[k], L = std::log1p(std::exp(-std::fabs(t)));
                const double p = act.probs[k], dp = p * (1 - p);
                probs[k] = dp * et[k] + sigmoid_ulps * (u * p + 2 * eta);
                log_probs[k] = et[k] + log1p_ulps * u * L + u * std::fabs(act.log_probs[k]) + 2 * eta;
                log_complements[k] = et[k] + log1p_ulps * u * L + u * std::fabs(act.log_complements[k]) + 2 * eta;
                const double term = target[k] * act.log_probs[k] + (1 - target[k]) * act.log_complements[k];
                loss += target[k] * log_probs[k] + (1 - target[k]) * log_complements[k] +
                        4 * u * (std::fabs(target[k] * act.log_probs[k]) + std::fabs((1 - target[k]) * act.log_complements[k])) +
                        gamma(double(Out)) * std::fabs(term);
            }
        } else {
            double half_sum = 0;
            for (size_t k = 0; k < Out; ++k) {
                probs[k] = et[k];
                const double d = theta[k] - target[k];
                const double ed = et[k] + u * std::fabs(d);
                loss += std::fabs(d) * ed + u * d * d;
                half_sum += 0.5 * d * d;
            }
            loss += gamma(double(Out + 1)) * half_sum;
        }
    }

    template <size_t I, class A>
    void multiply_by_slope(const A&, std::vector<double>& dr, std::vector<double>& edr, const std::vector<double>& dy,
                           const std::vector<double>& edy) {
        using Act = typename Net::template layer_type<I>::activation;
        for (size_t j = 0; j < dy.size(); ++j) {
            const double s = slope_value[I][j];
            dr[j] = dy[j] * s;
            if constexpr (test::is_same_act<Act, ugrad::Identity>) {
                edr[j] = edy[j];
            } else {
                edr[j] = edy[j] * std::fabs(s) + std::fabs(dy[j]) * slope[I][j] + u * std::fabs(dr[j]) + 2 * eta;
                if (slope_ambiguous[I][j]) edr[j] += std::fabs(dy[j]) + edy[j];
            }
        }
    }

    // dθ for a target y as include/ugrad/heads.hpp forms it:
    //   Softmax   softmax_target_gradient_error (above)
    //   Logistic  (1 − y_k)·σ(θ_k) − y_k·σ(−θ_k): σ(−θ) errs as σ(θ) does; four roundings
    //   Linear    θ_k − y_k: θ's error and one rounding
    template <class A>
    void backward(const Net& net, const A& act, const double (&dtheta)[Out], const double (&target)[Out]) {
        std::vector<double> dy(dtheta, dtheta + Out), edy(Out);
        if constexpr (test::is_same_act<Head, ugrad::Softmax>) {
            softmax_target_gradient_error(Out, act.probs, probs.data(), target, edy.data());
        } else if constexpr (test::is_same_act<Head, ugrad::Logistic>) {
            for (size_t k = 0; k < Out; ++k) {
                const double p = act.probs[k], yk = target[k];
                const double e_value = probs[k], e_complement = probs[k] - sigmoid_ulps * u * p + sigmoid_ulps * u * (1 - p);
                edy[k] = (1 - yk) * e_value + yk * e_complement + 4 * u * ((1 - yk) * p + yk * (1 - p)) + 4 * eta;
            }
        } else {
            for (size_t k = 0; k < Out; ++k) edy[k] = probs[k] + u * std::fabs(dtheta[k]);
        }
        backward_layers<depth - 1>(net, act, dy, edy);
    }

    template <size_t I, class A>
    void backward_layers(const Net& net, const A& act, const std::vector<double>& dy, const std::vector<double>& edy) {
        using Layer = typename Net::template layer_type<I>;
        const auto& dense = ugrad::layer<I>(net);
        std::vector<double> dr(Layer::outputs), edr(Layer::outputs);
        multiply_by_slope<I>(act, dr, edr, dy, edy);
        dr_value[I] = dr;
        std::vector<double> below(Layer::inputs), ebelow(Layer::inputs);
        for (size_t i = 0; i < Layer::inputs; ++i) {
            double sum = 0, mag = 0, inherited = 0;
            for (size_t j = 0; j < Layer::outputs; ++j) {
                sum += dr[j] * dense.w[i][j];
                mag += std::fabs(dr[j] * dense.w[i][j]);
                inherited += std::fabs(dense.w[i][j]) * edr[j];
            }
            below[i] = sum;
            ebelow[i] = gamma(double(Layer::outputs)) * mag + double(Layer::outputs) * 2 * eta + inherited;
        }
        if constexpr (I > 0) backward_layers<I - 1>(net, act, below, ebelow);
        else dx = ebelow;
    }
};

}  // namespace test
