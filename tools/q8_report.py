# SPDX-License-Identifier: Apache-2.0
"""q8_report.py — how a model quantized by tools/quantize.py does against its float original, on
rows of inputs (and labels): the report tools/export_model.py --quantize int8 prints.

    r = compare(float_mlp, q, rows, labels=None)   # float_mlp = (w1, b1, w2, b2), W [In][Out]
    print(summary(r))

  accuracy          the share of rows whose argmax is the label, float and int8 (labels only)
  argmax agreement  the share of rows where the int8 model picks the float model's class
  max |ŷ − ŷ_float| over every row and class (ŷ_int8 = code/2^15)
  dJ/dx agreement   cosine similarity of dJ/dx (int8: tools/q8_model.py, the integers of
                    include/ugrad/q8/, turned into real units by 2^exponent/s_x) with the float
                    dJ/dx, median, 5th percentile and minimum over every row, confident ones
                    included (the int8 head carries ŷ − y with an exponent of its own), and the
                    count of rows whose int8 dJ/dx is all 0 where the float one is not — as
                    tests/test_q8_digits.cpp does.
The label of a row without one is the float model's class (dJ/dx of the loss of its own answer).
The float model is computed in double from its float32 values: a reference, not ugrad's float path.
Standard library only.
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import q8_model  # noqa: E402

def sigmoid(r):
    return 1 / (1 + math.exp(-r)) if r >= 0 else math.exp(r) / (1 + math.exp(r))


def float_forward_and_gradient(mlp, x, label):
    """(ŷ [Out], dJ/dx [In]) of the float model for cross-entropy against onehot(label)."""
    w1, b1, w2, b2 = mlp
    h = [sigmoid(b1[j] + sum(x[i] * w1[i][j] for i in range(len(x)))) for j in range(len(b1))]
    theta = [b2[k] + sum(h[j] * w2[j][k] for j in range(len(h))) for k in range(len(b2))]
    top = max(theta)
    e = [math.exp(t - top) for t in theta]
    total = sum(e)
    y = [v / total for v in e]
    if label is None:
        label = max(range(len(y)), key=lambda k: y[k])
    # ŷ − y with 1 − ŷ_k as the sum of the other classes (no cancellation where ŷ_k is near 1)
    dtheta = [v if k != label else -sum(e[j] for j in range(len(e)) if j != label) / total for k, v in enumerate(y)]
    dr = [sum(w2[j][k] * dtheta[k] for k in range(len(dtheta))) * h[j] * (1 - h[j]) for j in range(len(h))]
    dx = [sum(w1[i][j] * dr[j] for j in range(len(dr))) for i in range(len(x))]
    return y, dx, dtheta


def percentile(values, p):
    v = sorted(values)
    return v[int(p * (len(v) - 1) + 0.5)]


def argmax(v):
    return max(range(len(v)), key=lambda k: (v[k], -k))


def compare(mlp, q, rows, labels=None):
    n_in = len(mlp[0])
    r = {"rows": 0, "float_correct": 0, "int8_correct": 0, "agree": 0, "max_output_error": 0.0, "cosines": [],
         "blank": 0, "labelled": labels is not None}
    for s, row in enumerate(rows):
        x = row[:n_in]
        label = labels[s] if labels is not None else None
        y, dx, dtheta = float_forward_and_gradient(mlp, x, label)
        y_code, hidden = q8_model.forward(q, q8_model.input_codes(q, x))
        y8 = [c / 32768 for c in y_code]
        pf, pq = argmax(y), argmax(y8)
        if label is None:
            label = pf
        dx_code, exponent = q8_model.input_gradient(q, hidden, y_code, label)
        unit = 2.0 ** exponent / q["input_scale"]
        dx8 = [c * unit for c in dx_code]
        r["rows"] += 1
        r["float_correct"] += pf == label
        r["int8_correct"] += pq == label
        r["agree"] += pf == pq
        r["max_output_error"] = max(r["max_output_error"], max(abs(a - b) for a, b in zip(y8, y)))
        dot = sum(a * b for a, b in zip(dx, dx8))
        nf, nq = sum(a * a for a in dx), sum(b * b for b in dx8)
        if nq == 0 and nf > 0:
            r["blank"] += 1
        r["cosines"].append(dot / math.sqrt(nf * nq) if nf > 0 and nq > 0 else 0.0)
    return r


def summary(r):
    n = r["rows"]
    parts = []
    if r["labelled"]:
        parts.append(f"accuracy float {100 * r['float_correct'] / n:.1f}%, int8 {100 * r['int8_correct'] / n:.1f}%")
    parts.append(f"argmax agreement {100 * r['agree'] / n:.1f}%")
    parts.append(f"max |y_int8 - y_float| {r['max_output_error']:.4f}")
    c = r["cosines"]
    parts.append(f"dJ/dx cosine median {percentile(c, 0.5):.4f}, 5th percentile {percentile(c, 0.05):.4f}, "
                 f"minimum {min(c):.4f} over all {len(c)} rows ({r['blank']} blank int8 maps)")
    return f"{n} rows: " + "; ".join(parts)
