# SPDX-License-Identifier: Apache-2.0
"""q8_model.py — the int8 path of include/ugrad/q8/ in Python integers, for the model
tools/quantize.py writes (int8 64-32-10-like: a sigmoid hidden layer, then logits, softmax head), so
that tools/export_model.py --quantize int8 can report how the quantized model does without a C++
compiler. Every step is the C++ one, integer for integer (make q8-quantize-check compares the two on
the 360 test digits: the same ŷ codes, dx codes and exponents):

    y_hat, hidden = forward(q, codes)             # ŷ Q15 [Out] (with .logits), the hidden layer's codes
    dx, exponent = input_gradient(q, hidden, y_hat, label)   # dJ/dc_x = dx·2^exponent
    codes = input_codes(q, x)                     # c = round(x/s_x) + z_x (ties to even), clamped

Python's >> on negative integers is the floor, as the C++ code assumes of g++ and clang++.
"""
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import q8_tables  # noqa: E402

SIGMOID_THRESHOLDS = q8_tables.sigmoid_thresholds()
EXP2_NEG = q8_tables.exp2_neg()
REQUANTIZE_LIMIT = 1 << 30
ONE_Q15 = 32768


def input_codes(q, x):
    """c = round(x/s_x) + z_x, ties to even (C's nearbyint), clamped to int8."""
    return [max(-128, min(127, round(v / q["input_scale"]) + q["input_zero_point"])) for v in x]


def requantize(acc, m, n):
    """round(acc·m/2^n), ties toward +∞, saturated to ±2^30 (fixed_point.hpp)."""
    twice = (acc * m) >> (n - 1)
    return max(-REQUANTIZE_LIMIT, min(REQUANTIZE_LIMIT, (twice + 1) >> 1))


def sigmoid_code(r):
    """round(256σ(r/4096)) − 128 by counting thresholds (activations.hpp)."""
    a = abs(r)
    count = sum(1 for t in SIGMOID_THRESHOLDS if t <= a)
    return -count if r < 0 else min(count, 127)


def exp2_neg_fraction_q31(f):
    """2^(−f/2^27) in Q31 for f ∈ [0, 2^27) (heads.hpp)."""
    i, g21 = f >> 22, (f & 0x3FFFFF) >> 6
    u = (g21 * 45426) >> 16
    two_to_minus_g = (1 << 21) - u + ((u * u) >> 22)
    return (EXP2_NEG[i] * two_to_minus_g) >> 20


def exp_parts(a):
    """e^(−a/4096) = q31·2^(−31−k) for 0 <= a <= 2^31 (heads.hpp's exp_parts): (q31, k)."""
    t = a * 47274
    return exp2_neg_fraction_q31(t & 0x7FFFFFF), t >> 27


def exp_q16(d):
    """e^(d/4096) in Q16 for d <= 0 (heads.hpp), step for step."""
    if d < -65536:
        return 0
    q31, k = exp_parts(-d)
    shift = 15 + k
    if shift > 31:
        return 0
    return ((q31 >> (shift - 1)) + 1) >> 1


def exp_scaled(a):
    """e^(−a/4096) = m·2^(−15−k), m ∈ [2^14, 2^15] (heads.hpp): (m, k)."""
    q31, k = exp_parts(a)
    return (q31 + 0x8000) >> 16, k


def exps_below_largest(logits, skip):
    """(Σ e_j, m, e): e_j = exp_q16(θ_j − m) for j ≠ skip, m = max_{j≠skip} θ_j, e_skip = 0."""
    m = max(t for j, t in enumerate(logits) if j != skip)
    e = [0 if j == skip else exp_q16(t - m) for j, t in enumerate(logits)]
    return sum(e), m, e


class Outputs(list):
    """ŷ codes, with the logits θ (Q12) they came from: the gradient seed reads both."""

    def __init__(self, y_hat, logits):
        super().__init__(y_hat)
        self.logits = list(logits)


def softmax_q15(logits):
    total, _, e = exps_below_largest(logits, len(logits))
    return Outputs([((v << 15) + total // 2) // total for v in e], logits)


def affine(codes, z, layer):
    """acc_j = b_j + Σ_i (c_i − z)·w_ij."""
    w, b = layer["w"], layer["b"]
    return [b[j] + sum((codes[i] - z) * w[i][j] for i in range(len(codes))) for j in range(len(b))]


def forward(q, codes):
    l1, l2 = q["layers"]
    hidden = [sigmoid_code(requantize(a, m, n)) for a, m, n in zip(affine(codes, q["input_zero_point"], l1), l1["m"], l1["n"])]
    logits = [requantize(a, m, n) for a, m, n in zip(affine(hidden, -128, l2), l2["m"], l2["n"])]
    return softmax_q15(logits), hidden


def rounding_shift_right(v, s):
    return (v >> s) + ((v >> (s - 1)) & 1)


def normalize15(v, e):
    """Every |v_i| <= 2^15 − 1 and max |v| >= 2^13 by a power of two; returns (v, e)."""
    bits = 0
    for x in v:
        bits |= abs(x)
    if bits == 0:
        return v, e
    if bits >= 0x8000:
        right = 1
        while (bits >> (right - 1)) > 65534:
            right += 1
        return [rounding_shift_right(x, right) for x in v], e + right
    left = 0
    while (bits << left) < 0x4000:
        left += 1
    return [x << left for x in v], e - left


def apply_factors(g, layer, e):
    n_min = min(layer["n"])
    out = []
    for x, m, n in zip(g, layer["m"], layer["n"]):
        product, d = x * (m >> 16), n - n_min
        out.append(product if d == 0 else 0 if d > 30 else rounding_shift_right(product, d))
    return out, e + 16 - n_min


def affine_t(g, layer):
    """v_i = Σ_j w_ij·g_j."""
    return [sum(wij * gj for wij, gj in zip(row, g)) for row in layer["w"]]


def bit_length(v):
    return v.bit_length()


def confident_gradient(logits, label, r, total, d):
    """The softmax seed when the label is strictly the largest logit (heads.hpp's confident_gradient):
    d = (a_j; −A at the label)·F, F = e^−δ/(1 + e^−δ·A), carried as (d, e) with ŷ − y = d·2^e."""
    d[label] = -total
    right = bit_length(total) - 14
    m, power = exp_scaled(logits[label] - r)
    s_shift = 15 + power - right
    product = -rounding_shift_right(d[label], right) * m
    s = 65536 + (0 if s_shift > 31 else rounding_shift_right(product, s_shift))
    cut = bit_length(s) - 16
    c = (m << 16) // (s >> cut)
    return [rounding_shift_right(v, right) * c for v in d], right - 31 - power - cut


def label_gradient(logits, y_hat, label):
    """Softmax ŷ − onehot(label) = d·2^e (heads.hpp's label_gradient): (d, e)."""
    if len(y_hat) > 1 and y_hat[label] > ONE_Q15 // 2:
        total, r, d = exps_below_largest(logits, label)
        if logits[label] > r:
            return confident_gradient(logits, label, r, total, d)
    return [y - (ONE_Q15 if k == label else 0) for k, y in enumerate(y_hat)], -15


def logistic_target_gradient(logits, y_hat, target):
    """Logistic σ(θ) − y = d·2^e (heads.hpp's target_gradient(Logistic)): ±σ(±|θ_k|) from e^−|θ_k| for
    y_k ∈ {0, 1}, else the Q15 difference; brought to the smallest power."""
    d, power = [], []
    for t, y, yk in zip(logits, y_hat, target):
        if yk in (0, ONE_Q15):
            hot = yk == ONE_Q15
            m, k = exp_scaled(abs(t))
            small_term = m if k == 0 else 0 if k > 16 else rounding_shift_right(m, k)
            c = 0x40000000 // (0x8000 + small_term)
            small = (t >= 0) == hot
            v = m * c if small else c << 15
            power.append(k if small else 0)
            d.append(-v if hot else v)
        else:
            d.append((y - yk) * 32768)
            power.append(0)
    least = min(power)
    out = []
    for v, k in zip(d, power):
        shift = k - least
        out.append(0 if shift > 31 else v if shift == 0 else rounding_shift_right(v, shift))
    return out, -30 - least


def seed(head, logits, y_hat, label=None, target=None):
    """dJ/dθ = ŷ − y = d·2^e for a label or a target in ŷ's codes (heads.hpp's label_gradient and
    target_gradient): (d, e). Softmax targets that are one-hot take their label's seed."""
    n = len(y_hat)
    if head == "linear":
        return [a - b for a, b in zip(y_hat, target)], -12
    if head == "logistic":
        if target is None:
            target = [ONE_Q15 if (label == 1 if n == 1 else k == label) else 0 for k in range(n)]
        return logistic_target_gradient(logits, y_hat, target)
    if target is not None:
        if sum(target) == ONE_Q15 and ONE_Q15 in target:
            label = max(k for k in range(n) if target[k] == ONE_Q15)
        else:
            return [a - b for a, b in zip(y_hat, target)], -15
    return label_gradient(logits, y_hat, label)


def input_gradient(q, hidden, y_hat, label):
    """dJ/dc_x = dx·2^exponent for the label (network.hpp's walk back, two layers); y_hat as forward
    returns it (it carries the logits)."""
    l1, l2 = q["layers"]
    d, e = seed("softmax", y_hat.logits, y_hat, label)
    e -= 12
    d, e = normalize15(d, e)
    d, e = apply_factors(d, l2, e)
    d, e = normalize15(d, e)
    g = affine_t(d, l2)
    g, e = normalize15(g, e)
    g = [x * (y + 128) * (128 - y) for x, y in zip(g, hidden)]
    e -= 20
    g, e = normalize15(g, e)
    g, e = apply_factors(g, l1, e)
    g, e = normalize15(g, e)
    return affine_t(g, l1), e
