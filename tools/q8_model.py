# SPDX-License-Identifier: Apache-2.0
"""q8_model.py — the int8 path of include/ugrad/q8/ in Python integers, for the models
tools/quantize.py writes (any stack of Dense layers with sigmoid, tanh, ReLU or identity, then the
logits and a softmax, logistic or linear head), so that tools/export_model.py --quantize int8 can
report how the quantized model does without a C++ compiler. Every step is the C++ one, integer for
integer (make q8-quantize-check compares the two on every test row of the digits model and of
seeded models of every activation and head: the same ŷ codes, dx codes and exponents):

    y_hat, hidden = forward(q, codes)             # ŷ codes [Out] (with .logits), each hidden layer's int8 codes
    dx, exponent = input_gradient(q, hidden, y_hat, label)    # dJ/dc_x = dx·2^exponent
    dx, exponent = input_gradient(q, hidden, y_hat, target=t) # t in ŷ's codes (Q15, or Q12: Linear)
    codes = input_codes(q, x)                     # c_i = round(x_i/s_i) + z_i (ties to even), clamped

q is what tools/quantize.py returns: per input feature a scale s_i and a zero point z_i (the
firmware's codes; z_i need not be an int8), the Network's own input zero point (folded: layer 0's
biases hold Σ_i (z − z_i)·w_ij), and per layer w, b, m, n, the output zero point z and the
activation; the head. Python's >> on negative integers is the floor, as the C++ code assumes of
g++ and clang++.
"""
import bisect
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import q8_tables  # noqa: E402

SIGMOID_THRESHOLDS = q8_tables.sigmoid_thresholds()
TANH_THRESHOLDS = q8_tables.tanh_thresholds()
EXP2_NEG = q8_tables.exp2_neg()
REQUANTIZE_LIMIT = 1 << 30
ONE_Q15 = 32768


def input_codes(q, x):
    """c_i = round(x_i/s_i) + z_i, ties to even (C's nearbyint), clamped to int8."""
    return [max(-128, min(127, round(v / s) + z)) for v, s, z in zip(x, q["input_scale"], q["input_zero_point"])]


def requantize(acc, m, n):
    """round(acc·m/2^n), ties toward +∞, saturated to ±2^30 (fixed_point.hpp)."""
    twice = (acc * m) >> (n - 1)
    return max(-REQUANTIZE_LIMIT, min(REQUANTIZE_LIMIT, (twice + 1) >> 1))


def symmetric_code(thresholds, r):
    """An odd-symmetric activation's code by counting thresholds at or below |r| (activations.hpp)."""
    a = abs(r)
    count = bisect.bisect_right(thresholds, a)
    return -count if r < 0 else min(count, 127)


def sigmoid_code(r):
    """round(256σ(r/4096)) − 128."""
    return symmetric_code(SIGMOID_THRESHOLDS, r)


def tanh_code(r):
    """round(128·tanh(r/4096))."""
    return symmetric_code(TANH_THRESHOLDS, r)


def activation_code(act, acc, m, n, z):
    """The output code of one unit from its accumulator (activations.hpp's activation_code)."""
    if act == "sigmoid":
        return sigmoid_code(requantize(acc, m, n))
    if act == "tanh":
        return tanh_code(requantize(acc, m, n))
    v = z + requantize(acc, m, n)
    return max(z if act == "relu" else -128, min(127, v))


# What the next layer takes as its input zero point, and the slope act′ in codes (Slope<Act>).
def next_zero_point(layer):
    return {"sigmoid": -128, "tanh": 0}.get(layer["activation"], layer["z"])


SLOPE_EXPONENT = {"sigmoid": -20, "tanh": -19, "relu": 0, "identity": 0}


def slope(act, y, z):
    if act in ("sigmoid", "tanh"):
        return 16384 - y * y
    if act == "relu":
        return 1 if y > z else 0
    return 1


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


def logistic_q15(logits):
    """σ(θ) in Q15 (heads.hpp): σ(|θ|) = 2^16/(2^16 + e), σ(−|θ|) = e/(2^16 + e), e = exp_q16(−|θ|)."""
    out = []
    for t in logits:
        e = exp_q16(-abs(t))
        denominator = 65536 + e
        numerator = 0x80000000 if t >= 0 else e << 15
        out.append((numerator + denominator // 2) // denominator)
    return out


def head_outputs(head, logits):
    """ŷ codes, carrying the logits (Outputs): the gradient seed reads both."""
    if head == "softmax":
        return softmax_q15(logits)
    if head == "logistic":
        return Outputs(logistic_q15(logits), logits)
    return Outputs(list(logits), logits)


OUTPUT_EXPONENT = {"softmax": -15, "logistic": -15, "linear": -12}


def affine(codes, z, layer):
    """acc_j = b_j + Σ_i (c_i − z)·w_ij."""
    acc = list(layer["b"])
    for c, row in zip(codes, layer["w"]):
        if c != z:
            d = c - z
            acc = [a + d * w for a, w in zip(acc, row)]
    return acc


def layer_codes(layer, acc):
    act = layer.get("activation", "sigmoid")
    return [activation_code(act, a, m, n, layer.get("z", 0)) for a, m, n in zip(acc, layer["m"], layer["n"])]


def forward(q, codes):
    """(ŷ codes, [the int8 codes of each hidden layer]) for the input codes."""
    layers, z = q["layers"], q["network_zero_point"]
    hidden = []
    for layer in layers[:-1]:
        codes = layer_codes(layer, affine(codes, z, layer))
        hidden.append(codes)
        z = next_zero_point(layer)
    last = layers[-1]
    logits = [requantize(a, m, n) for a, m, n in zip(affine(codes, z, last), last["m"], last["n"])]
    return head_outputs(q.get("head", "softmax"), logits), hidden


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


def input_gradient(q, hidden, y_hat, label=None, target=None):
    """dJ/dc_x = dx·2^exponent for a label (Softmax, Logistic; Logistic with one output: y = label)
    or a target in ŷ's codes (network.hpp's input_gradient: the head's seed ŷ − y = d·2^e, then the
    walk back through the layers); y_hat as forward returns it (it carries the logits)."""
    head = q.get("head", "softmax")
    d, e = seed(head, y_hat.logits, y_hat, label=label, target=target)
    return backward(q, hidden, d, e - 12)


def backward(q, hidden, d, e):
    """dx, e from dJ/dθ_code = d·2^e: per layer from the last, normalize15, ⊙ slope (hidden layers),
    normalize15, × factors, normalize15, × Wᵀ (network.hpp's backward_layers)."""
    layers = q["layers"]
    g = d
    for k in range(len(layers) - 1, -1, -1):
        layer = layers[k]
        if k < len(layers) - 1:
            act = layer.get("activation", "sigmoid")
            g, e = normalize15(g, e)
            g = [x * slope(act, y, layer.get("z", 0)) for x, y in zip(g, hidden[k])]
            e += SLOPE_EXPONENT[act]
        g, e = normalize15(g, e)
        g, e = apply_factors(g, layer, e)
        g, e = normalize15(g, e)
        g = affine_t(g, layer)
    return g, e
