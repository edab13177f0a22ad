# SPDX-License-Identifier: Apache-2.0
"""q8_model.py — the int8 path of include/ugrad/q8/ in Python integers, for the models
tools/quantize.py writes (any stack of Dense layers with sigmoid, tanh, ReLU or identity, then the
logits and a softmax, logistic or linear head), so that tools/export_model.py --quantize int8 can
report how the quantized model does without a C++ compiler. Every step is the C++ one, integer for
integer (make q8-quantize-check compares the two on every test row of the digits model and of
seeded models of every activation and head: the same ŷ codes, dx codes and exponents):

    y_hat, hidden = forward(q, codes)             # ŷ codes [Out], each hidden layer's int8 codes
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


def exp_q16(d):
    """e^(d/4096) in Q16 for d <= 0 (heads.hpp), step for step."""
    if d < -65536:
        return 0
    t = -d * 47274
    k, i, g21 = t >> 27, (t >> 22) & 31, (t & 0x3FFFFF) >> 6
    u = (g21 * 45426) >> 16
    two_to_minus_g = (1 << 21) - u + ((u * u) >> 22)
    q31 = (EXP2_NEG[i] * two_to_minus_g) >> 20
    shift = 15 + k
    if shift > 31:
        return 0
    return (q31 >> shift) + ((q31 >> (shift - 1)) & 1)


def softmax_q15(logits):
    largest = max(logits)
    e = [exp_q16(v - largest) for v in logits]
    total = sum(e)
    return [((v << 15) + total // 2) // total for v in e]


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
    if head == "softmax":
        return softmax_q15(logits)
    if head == "logistic":
        return logistic_q15(logits)
    return list(logits)


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


def input_gradient(q, hidden, y_hat, label=None, target=None):
    """dJ/dc_x = dx·2^exponent for a label (Softmax, Logistic; Logistic with one output: y = label)
    or a target in ŷ's codes (network.hpp's input_gradient, then the walk back through the layers)."""
    head = q.get("head", "softmax")
    if target is None:
        hot = (0 if label == 1 else None) if head == "logistic" and len(y_hat) == 1 else label
        d = [y - (ONE_Q15 if k == hot else 0) for k, y in enumerate(y_hat)]
    else:
        d = [y - t for y, t in zip(y_hat, target)]
    e = OUTPUT_EXPONENT[head] - 12
    return backward(q, hidden, d, e)


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
