# SPDX-License-Identifier: Apache-2.0
"""q8_model.py — the int8 path of include/ugrad/q8/ in Python integers, for the model
tools/quantize.py writes (int8 64-32-10-like: a sigmoid hidden layer, then logits, softmax head), so
that tools/export_model.py --quantize int8 can report how the quantized model does without a C++
compiler. Every step is the C++ one, integer for integer (make q8-quantize-check compares the two on
the 360 test digits: the same ŷ codes, dx codes and exponents):

    y_hat, hidden = forward(q, codes)             # ŷ Q15 [Out], the hidden layer's int8 codes [Hidden]
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


def input_gradient(q, hidden, y_hat, label):
    """dJ/dc_x = dx·2^exponent for the label (network.hpp's walk back, two layers)."""
    l1, l2 = q["layers"]
    d = [y - (ONE_Q15 if k == label else 0) for k, y in enumerate(y_hat)]
    e = -15 - 12
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
