# SPDX-License-Identifier: Apache-2.0
"""How far an exported Network's answers may be from the exact ones: a first-order forward error
analysis of every step, evaluated in double — tests/error_bound.hpp's model (NetworkErrorBound) in
numpy, with the arithmetic as a parameter: the framework tests use it for binary64 (ugrad's double
instantiation and the frameworks' float64), the C++ one for float.

Model of the arithmetic (binary64: u = 2^-53, η = 2^-1075; the C++ bound has binary32's):
fl(a ∘ b) = (a ∘ b)(1 + δ) + η', |δ| <= u, |η'| <= η. A sum of n terms in any fixed order errs by at
most γ(n)·Σ|terms|, γ(n) = n·u/(1 − n·u). An elementary function f (exp, log, σ, tanh) errs by at
most `ulps`·u·|f| + 2η: 16 for each in binary64 (ugrad's double exp/log/tanh are "accurate to a few
ULPs", the frameworks' libm <= 1 ULP; 16 covers the 8·2^-52 the library's fuzz target measures).
Each bound is a stage's own rounding plus the error it inherits, carried through the stage's
derivative; the values it is evaluated at are the exact answers as closely as we have them
(double). A ReLU unit whose pre-activation r lies within its error bound of 0 may take the other
branch: its slope is then uncertain by 1.

bound(...) returns (ŷ [N, Out], J [N], dJ/dx [N, In]) bounds for N samples at once.
"""
import numpy as np

DOUBLE = dict(u=2.0 ** -53, eta=2.0 ** -1075, math_ulps=16.0, sigmoid_ulps=16.0, tanh_ulps=16.0)


def sigmoid(r):
    return np.where(r >= 0, 1 / (1 + np.exp(-np.abs(r))), np.exp(-np.abs(r)) / (1 + np.exp(-np.abs(r))))


def bound(layers, head, X, labels=None, targets=None, *, u, eta, math_ulps, sigmoid_ulps, tanh_ulps):
    """layers: [(W [In][Out], b [Out], activation)] as float64 arrays holding the exported float32
    values; X [N, In] float32-exact inputs; labels [N] (Softmax, Logistic) or targets [N, Out]."""
    def gamma(n):
        return n * u / (1 - n * u)

    x, ex = X, np.zeros_like(X)
    kept = []  # per layer: W, slope, its error
    for W, b, act in layers:
        n_in = W.shape[0]
        r = x @ W + b
        er = gamma(n_in + 1) * (np.abs(x) @ np.abs(W) + np.abs(b)) + n_in * eta + ex @ np.abs(W)
        if act == "identity":
            y, ey, s, es = r, er, np.ones_like(r), np.zeros_like(r)
        elif act == "relu":  # exact max(r, 0): 1-Lipschitz; the slope flips if r's sign is in doubt
            y, ey, s = np.maximum(r, 0), er, (r > 0).astype(float)
            es = (np.abs(r) <= er).astype(float)
        elif act == "sigmoid":  # σ' = σ(r)σ(−r); |σ''| = σ'·|1 − 2σ| <= σ'
            y = sigmoid(r)
            s = y * sigmoid(-r)
            ey = s * er + sigmoid_ulps * (u * y + 2 * eta)
            es = s * er + (2 * sigmoid_ulps + 1) * (u * s + 2 * eta)
        elif act == "tanh":  # tanh' = (1 − y)(1 + y), formed from y: two roundings and a product
            y = np.tanh(r)
            s = (1 - y) * (1 + y)
            ey = s * er + tanh_ulps * u * np.abs(y) + 2 * eta
            es = 2 * np.abs(y) * ey + 3 * u * s + 2 * eta
        else:
            raise ValueError(act)
        kept.append((W, s, es))
        x, ex = y, ey
    y_hat, e_y_hat, e_J, d, e_d = head_bound(x, ex, head, labels, targets, u=u, eta=eta, math_ulps=math_ulps,
                                             sigmoid_ulps=sigmoid_ulps, tanh_ulps=tanh_ulps)
    # Backward: dθ = ŷ − y (one rounding), then per layer dr = d ⊙ act′ and d ← dr·Wᵀ.
    for W, s, es in reversed(kept):
        dr = d * s
        e_dr = e_d * np.abs(s) + np.abs(d) * es + u * np.abs(dr) + 2 * eta
        n_out = W.shape[1]
        d = dr @ W.T
        e_d = gamma(n_out) * (np.abs(dr) @ np.abs(W.T)) + e_dr @ np.abs(W.T) + 2 * n_out * eta
    return e_y_hat, e_J, e_d


def head_bound(theta, etheta, head, labels=None, targets=None, *, u, eta, math_ulps, sigmoid_ulps, tanh_ulps):
    """The head's part of the bound, for any network: from θ [N, Out] and its error bound, (ŷ, its
    bound, J's bound, dθ = ŷ − y, dθ's bound)."""
    def gamma(n):
        return n * u / (1 - n * u)

    n, out = theta.shape

    if labels is not None:
        Y = (labels[:, None] == np.arange(out)[None, :]).astype(float) if not (head == "logistic" and out == 1) \
            else labels[:, None].astype(float)
    else:
        Y = targets

    if head == "softmax":  # as tests/error_bound.hpp
        max_logit_error = etheta.max(axis=1, keepdims=True)
        m = theta.max(axis=1, keepdims=True)
        s = np.exp(theta - m).sum(axis=1, keepdims=True)
        log_p = theta - m - np.log(s)
        p = np.exp(log_p)
        s_rel = gamma(out) + (math_ulps + 1) * u + 2 * max_logit_error
        log_s_error = s_rel + math_ulps * u * np.abs(np.log(s))
        shifted = np.abs(theta - m)
        e_log_p = etheta + max_logit_error + 2 * u * shifted + log_s_error + 2 * u * np.abs(log_p)
        e_p = p * (etheta + max_logit_error + s_rel + (math_ulps + 3) * u * (1 + shifted)) + (math_ulps + 2) * 2 * eta
        y_hat, e_y_hat = p, e_p
        terms = Y * log_p  # J = −Σ y log ŷ (one term for a label)
        e_J = (Y * e_log_p).sum(axis=1) + gamma(out) * np.abs(terms).sum(axis=1)
    elif head == "logistic":
        # ŷ = σ(θ); log ŷ = min(θ, 0) − T, log(1 − ŷ) = −max(θ, 0) − T, T = log(1 + e) with e = e^−|θ|
        # (network.hpp's log1p_small): e's error moves T by at most as much relatively (log(1 + e) >=
        # e/(1 + e)), log(1 + e rounded)·e/((1 + e rounded) − 1) is within 5u of log(1 + e) with a
        # half-ULP log (Goldberg 1991, theorem 4) plus the log's own error: (2·math_ulps + 6)·u·T.
        # d log ŷ/dθ = 1 − ŷ, d log(1 − ŷ)/dθ = −ŷ.
        p = sigmoid(theta)
        T = np.log1p(np.exp(-np.abs(theta)))
        log_p, log_q = np.minimum(theta, 0) - T, -np.maximum(theta, 0) - T
        e_T = (2 * math_ulps + 6) * u * T + 2 * eta
        e_log_p = (1 - p) * etheta + e_T + u * np.abs(log_p)
        e_log_q = p * etheta + e_T + u * np.abs(log_q)
        y_hat = p
        e_y_hat = p * (1 - p) * etheta + sigmoid_ulps * (u * p + 2 * eta)
        terms = np.abs(Y * log_p) + np.abs((1 - Y) * log_q)
        e_J = (Y * e_log_p + (1 - Y) * e_log_q).sum(axis=1) + gamma(out + 3) * terms.sum(axis=1)
    elif head == "linear":  # ŷ = θ; J = ½ Σ (θ − y)²: d = θ − y, d², the sum, the half (exact)
        y_hat, e_y_hat = theta, etheta
        d = theta - Y
        e_J = (np.abs(d) * etheta).sum(axis=1) + gamma(out + 3) * (d * d).sum(axis=1) + out * eta
    else:
        raise ValueError(head)

    d = y_hat - Y
    e_d = e_y_hat + u * np.abs(d)
    return y_hat, e_y_hat, e_J, d, e_d
