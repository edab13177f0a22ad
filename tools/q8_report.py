# SPDX-License-Identifier: Apache-2.0
"""q8_report.py — how a model quantized by tools/quantize.py does against its float original, on
rows of inputs (and labels, or targets for a linear head): the report tools/export_model.py
--quantize int8 prints.

    r = compare(model, q, rows, labels=None, targets=None)   # model: the layers format
    print(summary(r))                                         # {"layers": [{w, b, activation}], "output"}

  accuracy          the share of rows whose class is the label, float and int8 (labels only; the
                    class is the argmax, or ŷ >= ½ for a logistic head with one output)
  RMS error         of ŷ against the targets, float and int8 (a linear head with targets)
  argmax agreement  the share of rows where the int8 model picks the float model's class
  max |ŷ − ŷ_float| over every row and output (ŷ_int8 = code/2^15, or code/2^12 for a linear head)
  dJ/dx agreement   cosine similarity of dJ/dx (int8: tools/q8_model.py, the integers of
                    include/ugrad/q8/, turned into real units by 2^exponent/s_i) with the float
                    dJ/dx, median, 5th percentile and minimum over every row, confident ones
                    included (the int8 head carries ŷ − y with an exponent of its own), and the
                    count of rows whose int8 dJ/dx is all 0 where the float one is not (blank
                    maps), as tests/test_q8_digits.cpp does. r["all_rows"] holds (cosine,
                    resolved) for every row (cosine 0 where either dJ/dx is zero; resolved: the
                    float ŷ is 2^-14 or more from the target in some output).
The label of a row without one is the float model's class (dJ/dx of the loss of its own answer);
the target of a linear head without targets is 0 (dJ/dx of ½|ŷ|²). The float model is computed
in double from its float32 values: a reference, not ugrad's float path. Standard library only.
"""
import math
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import q8_model  # noqa: E402
import quantize  # noqa: E402

SLOPES = {"sigmoid": lambda y: y * (1 - y), "tanh": lambda y: 1 - y * y,
          "relu": lambda y: 1.0 if y > 0 else 0.0, "identity": lambda y: 1.0}


def as_layers(model):
    """The layers format of a model given as (w1, b1, w2, b2) (the seed shape) or as a dict."""
    if isinstance(model, dict):
        return model
    w1, b1, w2, b2 = model
    return {"layers": [{"w": w1, "b": b1, "activation": "sigmoid"}, {"w": w2, "b": b2, "activation": "identity"}],
            "output": "softmax"}


def head_outputs(head, theta):
    if head == "softmax":
        top = max(theta)
        e = [math.exp(t - top) for t in theta]
        total = sum(e)
        return [v / total for v in e]
    if head == "logistic":
        return [quantize.sigmoid(t) for t in theta]
    return list(theta)


def head_gradient(head, theta, y, target):
    """dJ/dθ = ŷ − y without cancellation where ŷ is within rounding of the label: a one-hot softmax
    target's entry as minus the sum of the other classes, a logistic 0/1 target's as
    (1 − y)σ(θ) − yσ(−θ)."""
    if head == "softmax" and sorted(target) == [0.0] * (len(target) - 1) + [1.0]:
        k = target.index(1.0)
        top = max(theta)
        e = [math.exp(t - top) for t in theta]
        total = sum(e)
        return [v / total if j != k else -sum(e[i] for i in range(len(e)) if i != k) / total for j, v in enumerate(e)]
    if head == "logistic":
        return [(1 - t) * quantize.sigmoid(th) - t * quantize.sigmoid(-th) if t in (0.0, 1.0) else a - t
                for th, a, t in zip(theta, y, target)]
    return [a - b for a, b in zip(y, target)]


def onehot(head, label, n_out):
    if head == "logistic" and n_out == 1:
        return [float(label)]
    return [1.0 if k == label else 0.0 for k in range(n_out)]


def float_forward_and_gradient(model, x, target):
    """(ŷ [Out], dJ/dx [In], dJ/dθ) of the float model for the loss of its head against the target
    (cross-entropy, or ½|ŷ − y|² for a linear head: dJ/dθ = ŷ − y in every case)."""
    _, outs = quantize.float_forward(model, x)
    y = head_outputs(model["output"], outs[-1])
    dtheta = head_gradient(model["output"], outs[-1], y, target)
    g = dtheta
    layers = model["layers"]
    for k in range(len(layers) - 1, -1, -1):
        if k < len(layers) - 1:
            slope = SLOPES[layers[k]["activation"]]
            g = [v * slope(h) for v, h in zip(g, outs[k])]
        g = [sum(w * v for w, v in zip(row, g)) for row in layers[k]["w"]]
    return y, g, dtheta


def percentile(values, p):
    v = sorted(values)
    return v[int(p * (len(v) - 1) + 0.5)]


def argmax(v):
    return max(range(len(v)), key=lambda k: (v[k], -k))


def predicted_class(head, y):
    return (1 if y[0] >= 0.5 else 0) if head == "logistic" and len(y) == 1 else argmax(y)


def compare(model, q, rows, labels=None, targets=None):
    model = as_layers(model)
    head = model["output"]
    n_in, n_out = len(model["layers"][0]["w"]), len(model["layers"][-1]["b"])
    unit_y = 2.0 ** q8_model.OUTPUT_EXPONENT[head]
    r = {"rows": 0, "float_correct": 0, "int8_correct": 0, "agree": 0, "max_output_error": 0.0, "cosines": [],
         "blank": 0, "all_rows": [], "labelled": labels is not None, "targets": targets is not None, "head": head,
         "float_sq_error": 0.0, "int8_sq_error": 0.0}
    for s, row in enumerate(rows):
        x = row[:n_in]
        y_code, hidden = q8_model.forward(q, q8_model.input_codes(q, x))
        y8 = [c * unit_y for c in y_code]
        if head == "linear":
            target = list(targets[s]) if targets is not None else [0.0] * n_out
            y, dx, dtheta = float_forward_and_gradient(model, x, target)
            t_codes = [max(-(1 << 30) + 1, min((1 << 30) - 1, round(v * 4096))) for v in target]
            dx_code, exponent = q8_model.input_gradient(q, hidden, y_code, target=t_codes)
            r["float_sq_error"] += sum((a - b) ** 2 for a, b in zip(y, target))
            r["int8_sq_error"] += sum((a - b) ** 2 for a, b in zip(y8, target))
        else:
            label = labels[s] if labels is not None else None
            if label is None:
                _, outs = quantize.float_forward(model, x)
                label = predicted_class(head, head_outputs(head, outs[-1]))
            y, dx, dtheta = float_forward_and_gradient(model, x, onehot(head, label, n_out))
            dx_code, exponent = q8_model.input_gradient(q, hidden, y_code, label)
            pf, pq = predicted_class(head, y), predicted_class(head, y8)
            r["float_correct"] += pf == label
            r["int8_correct"] += pq == label
            r["agree"] += pf == pq
        r["rows"] += 1
        r["max_output_error"] = max(r["max_output_error"], max(abs(a - b) for a, b in zip(y8, y)))
        dx8 = [c * 2.0 ** exponent / si for c, si in zip(dx_code, q["input_scale"])]
        nf, nq = sum(a * a for a in dx), sum(b * b for b in dx8)
        dot = sum(a * b for a, b in zip(dx, dx8))
        cosine = dot / math.sqrt(nf * nq) if nf > 0 and nq > 0 else 0.0
        # (cosine, the float ŷ is more than 2^-14 from the target somewhere: what a Q15 ŷ resolves)
        r["all_rows"].append((cosine, max(abs(v) for v in dtheta) >= 2.0 ** -14))
        if nq == 0 and nf > 0:
            r["blank"] += 1
        r["cosines"].append(cosine)
    return r


def summary(r):
    n = r["rows"]
    parts = []
    if r["labelled"]:
        parts.append(f"accuracy float {100 * r['float_correct'] / n:.1f}%, int8 {100 * r['int8_correct'] / n:.1f}%")
    if r["targets"]:
        parts.append(f"RMS error float {math.sqrt(r['float_sq_error'] / n):.4g}, int8 {math.sqrt(r['int8_sq_error'] / n):.4g}")
    if r["head"] != "linear":
        parts.append(f"argmax agreement {100 * r['agree'] / n:.1f}%")
    parts.append(f"max |y_int8 - y_float| {r['max_output_error']:.4f}")
    c = r["cosines"]
    parts.append(f"dJ/dx cosine median {percentile(c, 0.5):.4f}, 5th percentile {percentile(c, 0.05):.4f}, "
                 f"minimum {min(c):.4f} over all {len(c)} rows ({r['blank']} blank int8 maps)")
    return f"{n} rows: " + "; ".join(parts)
