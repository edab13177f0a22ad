#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""q8_error_sources.py — where an int8 model's max |ŷ − ŷ_float| comes from, one part at a time.

For a layers-format float model, the int8 model tools/quantize.py made of it and some test rows:

    rows = decompose(model, q, calibration_rows, test_rows)

gives max |ŷ − ŷ_float| over the test rows (ŷ_float: the float model in double) when only one
part is quantized, everything else in double:
  inputs   x_i → s_i·(c_i − z_i), c_i the int8 code the firmware feeds (q8_model.input_codes)
  weights  w_ij → c_ij·t_j / s_i, the exported per-output-unit symmetric int8 weight codes and the
           layer's input scales (per feature in layer 0, the previous layer's output scale after);
           the biases stay double (int32 codes at the accumulator's scale: their rounding is ~1e-6);
           and the same with the biases corrected for the weights' rounding as quantize_network does
           (+ the mean over the calibration rows of the float pre-activation minus this one)
  hidden   each hidden layer's output → its int8 code's value (sigmoid round(256σ)/256, tanh
           round(128·tanh)/128, ReLU/identity on the layer's output scale), pre-activations double
  all      the integer model itself (q8_model.forward: every code, the Q12 logits, the Q15 head)
and for each the worst row's float margin (largest minus second logit; |θ| for one logistic output)
and its largest logit error |θ_q − θ|. Run as a program, it prints the table for the held-out
scikit-learn models of tests/exporter/frameworks/test_int8_models.py (the figures of
docs/int8-export.md): /usr/bin/python3 tools/q8_error_sources.py [--sweep] [part of a model's name ...];
with --sweep, instead, the same errors with other input range margins (inputs only) and ReLU output
ranges (hidden codes only): sweep().
"""
import os
import sys

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import q8_model  # noqa: E402
import quantize  # noqa: E402


def _act(name, r):
    if name == "sigmoid":
        return 1 / (1 + np.exp(-r))
    if name == "tanh":
        return np.tanh(r)
    if name == "relu":
        return np.maximum(r, 0)
    return r


def _head(head, theta):
    if head == "softmax":
        e = np.exp(theta - theta.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    if head == "logistic":
        return 1 / (1 + np.exp(-theta))
    return theta


def output_scales(model, q, calibration_rows):
    """Each hidden layer's output (scale, zero point) as quantize_network chose it."""
    scales = []
    reference = [quantize.float_forward(model, row)[0] for row in calibration_rows]
    for k, layer in enumerate(model["layers"][:-1]):
        act = layer["activation"]
        if act in quantize.ACTIVATION_Q12:
            scales.append((quantize.OUTPUT_SCALE[act], quantize.OUTPUT_ZERO_POINT[act]))
        else:
            f = quantize.ACTIVATION[act]
            scales.append(quantize.output_quantization(act, [f(v) for r in reference for v in r[k]]))
    return scales


def hidden_round(act, y, scale, z):
    """The value of the int8 code a hidden layer's output y becomes."""
    if act == "sigmoid":
        return (np.clip(np.round(256 * y) - 128, -128, 127) + 128) / 256
    if act == "tanh":
        return np.clip(np.round(128 * y), -128, 127) / 128
    lo = 0 if act == "relu" else -128 - z
    return np.clip(np.round(y / scale), lo, 127 - z) * scale


def forward(model, x, weights=None, hidden=None):
    """The logits of the model in double for rows x [n][In]; weights: per layer the matrix to use
    instead of the float one; hidden: per hidden layer a function of its output."""
    for k, layer in enumerate(model["layers"]):
        w = weights[k] if weights is not None else np.array(layer["w"], dtype=float)
        x = _act(layer["activation"], x @ w + np.array(layer["b"], dtype=float))
        if hidden is not None and k < len(model["layers"]) - 1:
            x = hidden[k](x)
    return x


def forward_bias_corrected(model, weights, calibration, x):
    """The logits for rows x with the weights given and each layer's biases corrected as
    quantize_network does: + the mean over the calibration rows of (float pre-activation − this
    model's), layer by layer."""
    reference, c = [], calibration
    for layer in model["layers"]:
        r = c @ np.array(layer["w"], dtype=float) + np.array(layer["b"], dtype=float)
        reference.append(r)
        c = _act(layer["activation"], r)
    c = calibration
    for k, layer in enumerate(model["layers"]):
        b = np.array(layer["b"], dtype=float)
        b = b + (reference[k] - (c @ weights[k] + b)).mean(axis=0)
        c, x = _act(layer["activation"], c @ weights[k] + b), _act(layer["activation"], x @ weights[k] + b)
    return x


def margin(head, theta):
    if head == "logistic" and theta.shape[1] == 1:
        return np.abs(theta[:, 0])
    s = np.sort(theta, axis=1)
    return s[:, -1] - s[:, -2]


def decompose(model, q, calibration_rows, test_rows):
    """{part: (max |ŷ − ŷ_float|, the worst row's float margin, its max logit error)} for the parts
    inputs, weights, hidden, all."""
    head = model["output"]
    n_in = len(model["layers"][0]["w"])
    x = np.array([r[:n_in] for r in test_rows], dtype=float)
    theta = forward(model, x)
    y = _head(head, theta)
    m = margin(head, theta)
    scales = output_scales(model, q, calibration_rows)
    in_scale = np.array(q["input_scale"])
    codes = np.array([q8_model.input_codes(q, r) for r in x.tolist()], dtype=float)
    theta_in = forward(model, in_scale * (codes - np.array(q["input_zero_point"])))
    weights, s_in = [], in_scale
    for k, ql in enumerate(q["layers"]):
        weights.append(np.array(ql["w"], dtype=float) * np.array(ql["t"])[None, :] / s_in[:, None])
        if k < len(scales):
            s_in = np.full(len(ql["b"]), scales[k][0])
    theta_w = forward(model, x, weights=weights)
    theta_wc = forward_bias_corrected(model, weights, np.array(calibration_rows, dtype=float), x)
    acts = [l["activation"] for l in model["layers"]]
    theta_h = forward(model, x, hidden=[lambda v, a=acts[k], s=s: hidden_round(a, v, *s) for k, s in enumerate(scales)])
    all_logits, all_y = [], []
    unit_y = 2.0 ** q8_model.OUTPUT_EXPONENT[head]
    for c in codes.astype(int).tolist():
        y_code, _ = q8_model.forward(q, c)
        all_logits.append([v / 4096 for v in y_code.logits])
        all_y.append([v * unit_y for v in y_code])
    out = {}
    for part, th, yq in (("inputs", theta_in, None), ("weights", theta_w, None), ("weights, bias-corrected", theta_wc, None),
                         ("hidden", theta_h, None),
                         ("all", np.array(all_logits), np.array(all_y))):
        err = np.abs((yq if yq is not None else _head(head, th)) - y).max(axis=1)
        worst = int(err.argmax())
        out[part] = (float(err[worst]), float(m[worst]), float(np.abs(th[worst] - theta[worst]).max()))
    return out


def sweep(model, q, calibration_rows, test_rows, margins=(0.125, 0.1875, 0.25, 0.375, 0.5),
          relu_factors=(0.7, 0.85, 1.0, 1.2, 1.5)):
    """Other choices of the ranges, one part at a time: max |ŷ − ŷ_float| with only the inputs
    quantized, their ranges widened by each margin (quantize.feature_quantization); with only the
    hidden codes quantized, every ReLU layer's range scaled by each factor; with the chosen input
    scales, the inputs only rounded (not clamped) and only clamped (not rounded). ([(margin, error)],
    [(factor, error)] (empty without a ReLU layer), (rounded only, clamped only, values clamped,
    values))"""
    head = model["output"]
    n_in = len(model["layers"][0]["w"])
    x = np.array([r[:n_in] for r in test_rows], dtype=float)
    y = _head(head, forward(model, x))

    def error(theta):
        return float(np.abs(_head(head, theta) - y).max())

    s, z = np.array(q["input_scale"]), np.array(q["input_zero_point"])
    split = (error(forward(model, s * np.round(x / s))), error(forward(model, np.clip(x, s * (-128 - z), s * (127 - z)))),
             int(((x < s * (-128 - z)) | (x > s * (127 - z))).sum()), x.size)
    by_margin = []
    for m in margins:
        s, z = (np.array(v) for v in quantize.feature_quantization(calibration_rows, n_in, margin=m))
        by_margin.append((m, error(forward(model, s * (np.clip(np.round(x / s) + z, -128, 127) - z)))))
    acts = [l["activation"] for l in model["layers"][:-1]]
    scales = output_scales(model, q, calibration_rows)
    by_factor = []
    if "relu" in acts:
        for f in relu_factors:
            hidden = [lambda v, a=a, s=s: hidden_round(a, v, s[0] * (f if a == "relu" else 1), s[1])
                      for a, s in zip(acts, scales)]
            by_factor.append((f, error(forward(model, x, hidden=hidden))))
    return by_margin, by_factor, split


def table(results):
    """The markdown table of [(model name, decompose's dict)]."""
    lines = ["| model | inputs only | weights only | weights only, bias-corrected | hidden codes only | all (the int8 model) |",
             "|---|---|---|---|---|---|"]
    for name, r in results:
        cells = [f"{e:.4f} (margin {mg:.2f}, Δθ {d:.3f})" for e, mg, d in (r[p] for p in ("inputs", "weights", "weights, bias-corrected", "hidden", "all"))]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def main():
    frameworks = os.path.join(os.path.dirname(HERE), "tests", "exporter", "frameworks")
    sys.path.insert(0, os.path.dirname(frameworks))
    sys.path.insert(0, frameworks)
    import warnings
    from sklearn.exceptions import ConvergenceWarning
    from sklearn.model_selection import train_test_split
    from sklearn.neural_network import MLPClassifier
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler
    import export_model
    import test_int8_models as held_out

    sweeping = "--sweep" in sys.argv[1:]
    models = [a for a in sys.argv[1:] if a != "--sweep"] or None
    results, sweeps = [], []
    for name, hidden, act in held_out.MODELS:
        (X, y), standardize = held_out.dataset(name)
        Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.3, random_state=0, stratify=y)
        steps = [StandardScaler()] if standardize else []
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            pipe = make_pipeline(*steps, MLPClassifier(hidden, activation=act, max_iter=500, random_state=0)).fit(Xtr, ytr)
        model = export_model.int8_layers(export_model.load_doc(export_model.convert(pipe), "model"))
        shape = "-".join(str(n) for n in (X.shape[1],) + hidden + (len(model["layers"][-1]["b"]),))
        label = f"{name} {shape} {act}"
        if models and not any(s in label for s in models):
            continue
        q = quantize.quantize_network(model, Xtr.tolist())
        if sweeping:
            sweeps.append((label,) + sweep(model, q, Xtr.tolist(), Xte.tolist()))
        else:
            results.append((label, decompose(model, q, Xtr.tolist(), Xte.tolist())))
        print(label, file=sys.stderr)
    if sweeping:
        for label, by_margin, by_factor, split in sweeps:
            print(f"{label}: inputs only, input range margin " + ", ".join(f"{m:g}: {e:.4f}" for m, e in by_margin))
            print(f"{label}: inputs only, chosen scales: rounded, not clamped {split[0]:.4f}; clamped, not rounded "
                  f"{split[1]:.4f} ({split[2]} of {split[3]} test values clamped)")
            if by_factor:
                print(f"{label}: hidden codes only, ReLU ranges × " + ", ".join(f"{f:g}: {e:.4f}" for f, e in by_factor))
    else:
        print(table(results))
    return 0


if __name__ == "__main__":
    sys.exit(main())
