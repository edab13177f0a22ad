#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""quantize.py — float model to ugrad's int8 path (include/ugrad/q8/).

For tools/export_model.py --quantize int8, any stack (docs/int8-export.md says what it chooses):
    q = quantize_network({"layers": [{w, b, activation}, ...], "output": head}, calibration_rows)
    text = q8_network_header(q, "NAME")      # NAME, NAME_input_scale [In], NAME_input_zero_point [In]

The seed shape with one input scale for all features, the same arithmetic as tests/q8_quantize.hpp
(which the specs use; make demo's int8 model):

    from quantize import quantize_mlp, q8_header
    q = quantize_mlp(w1, b1, w2, b2, calibration_rows)      # lists of floats, W [In][Out]
    text = q8_header(q, "digits_q8")                          # a C++ header, const in flash

  input     asymmetric int8 from the calibration range [lo, hi] (widened to hold 0):
            s_x = (hi - lo)/255, z_x = round(-128 - lo/s_x)
  weights   symmetric per output unit: s_j = max_i |W_ij|/127 (1 for an all-zero column)
  biases    round(b_j/(s_in*s_j)), clipped to +-2^30
  factors   s_in*s_j*4096 (Q12 pre-activation of the sigmoid layer, Q12 logits) as m*2^-n,
            m in [2^30, 2^31); the sigmoid layer's output scale is 1/256 (zero point -128)
Bad calibration data (empty, wrong width, non-finite) raises ValueError with one line.
    rows, labels = read_csv(path, In, Out)   # a CSV of In inputs per row, or In inputs and a label
                                             # (an integer in [0, Out)) on every row
Usage as a program: quantize.py MODEL_HEADER CALIBRATION.csv NAME > OUT.hpp, where MODEL_HEADER is
an Mlp<In, Hidden, Out> header written by export_model.py (hex-float literals in declaration order)
and the CSV is read by read_csv.
"""
import math
import re
import sys


def _round(x):
    return math.floor(x + 0.5) if x >= 0 else -math.floor(-x + 0.5)  # C's nearbyint differs only at ties


def factor(f):
    fraction, e = math.frexp(f)
    m = int(round(math.ldexp(fraction, 31)))
    if m >= 1 << 31:
        m //= 2
        e += 1
    n = 31 - e
    if not 1 <= n <= 62:
        raise ValueError(f"quantize: scale {f!r} is outside what m*2^-n with n in [1, 62] holds")
    return m, n


def input_quantization(rows, width):
    if not rows:
        raise ValueError("quantize: the calibration data is empty")
    lo, hi = 0.0, 0.0
    for r, row in enumerate(rows):
        if len(row) != width:
            raise ValueError(f"quantize: calibration row {r + 1} has {len(row)} values, the model takes {width}")
        for v in row[:width]:
            if not math.isfinite(v):
                raise ValueError(f"quantize: calibration row {r + 1} holds a non-finite value")
            lo, hi = min(lo, v), max(hi, v)
    if hi == lo:
        hi = lo + 1
    scale = (hi - lo) / 255
    z = max(-128, min(127, _round(-128 - lo / scale)))
    return scale, z


def read_csv(path, width, n_out, targets=False):
    """(rows [n][width] of floats, labels [n] or None) from a CSV file of `width` numbers per line,
    or `width` numbers and a label on every line (with targets: `width` numbers and n_out target
    values, whose lists take the labels' place). Empty lines are skipped; anything else wrong
    raises ValueError (one line, naming the file and line)."""
    rows, labels = [], []
    try:
        f = open(path)
    except OSError as e:
        raise ValueError(f"quantize: {path}: cannot read: {e.strerror}")
    with f:
        for number, line in enumerate(f, 1):
            if not line.strip():
                continue
            fields = line.split(",")
            extra = n_out if targets else 1
            if len(fields) not in (width, width + extra):
                raise ValueError(f"quantize: {path} line {number} has {len(fields)} values, the model takes {width} "
                                 f"(and {f'{n_out} targets' if targets else 'a label'} may follow)")
            if rows and (len(fields) == width + extra) != bool(labels):
                raise ValueError(f"quantize: {path} line {number} has {len(fields)} values, the lines before it "
                                 f"{len(rows[0]) + (1 if labels else 0)}")
            try:
                row = [float(v) for v in fields[:width]]
                target = [float(v) for v in fields[width:]] if targets else None
            except ValueError:
                raise ValueError(f"quantize: {path} line {number} holds something that is not a number")
            if not all(math.isfinite(v) for v in row + (target or [])):
                raise ValueError(f"quantize: {path} line {number} holds a non-finite value")
            if targets and target:
                labels.append(target)
            elif len(fields) == width + 1:
                label = fields[width].strip()
                if not re.fullmatch(r"\d+", label) or int(label) >= n_out:
                    raise ValueError(f"quantize: {path} line {number}: the label {label[:20]!r} is not an integer "
                                     f"in [0, {n_out})")
                labels.append(int(label))
            rows.append(row)
    if not rows:
        raise ValueError(f"quantize: {path}: the calibration data is empty")
    return rows, (labels if labels else None)


def quantize_dense(w, b, input_scale):
    n_in, n_out = len(w), len(b)
    layer = {"w": [[0] * n_out for _ in range(n_in)], "b": [], "m": [], "n": []}
    for j in range(n_out):
        largest = max(abs(w[i][j]) for i in range(n_in))
        s = largest / 127 if largest > 0 else 1.0
        for i in range(n_in):
            layer["w"][i][j] = int(_round(w[i][j] / s))
        layer["b"].append(int(max(-(1 << 30), min(1 << 30, _round(b[j] / (input_scale * s))))))
        m, n = factor(input_scale * s * 4096)
        layer["m"].append(m)
        layer["n"].append(n)
    return layer


def quantize_mlp(w1, b1, w2, b2, calibration_rows):
    """The seed shape as tests/q8_quantize.hpp quantizes it (one input scale for every feature)."""
    scale, z = input_quantization(calibration_rows, len(w1))
    l1, l2 = quantize_dense(w1, b1, scale), quantize_dense(w2, b2, 1 / 256)
    l1.update(activation="sigmoid", z=0)
    l2.update(activation="identity", z=0)
    return {"input_scale": [scale] * len(w1), "input_zero_point": [z] * len(w1), "network_zero_point": z,
            "layers": [l1, l2], "head": "softmax", "shape": (len(w1), len(b1), len(b2))}


# ---- Any stack (the exporter's int8 path): per-feature input quantization folded into layer 0,
# robust ranges, bias correction. See docs/int8-export.md for the choices and the measurements.

CLIP_FRACTION = 0.001     # at most this share of the calibration values is left out at each end
MARGIN = 0.125            # then the range is widened by this share of its width at each end
ACTIVATION_Q12 = ("sigmoid", "tanh")
OUTPUT_SCALE = {"sigmoid": 1 / 256, "tanh": 1 / 128}
OUTPUT_ZERO_POINT = {"sigmoid": -128, "tanh": 0}


def sigmoid(r):
    return 1 / (1 + math.exp(-r)) if r >= 0 else math.exp(r) / (1 + math.exp(r))


ACTIVATION = {"sigmoid": sigmoid, "tanh": math.tanh, "relu": lambda r: r if r > 0 else 0.0, "identity": lambda r: r}


def dense_forward(x, w, b):
    """r_j = b_j + Σ_i x_i·w_ij (double)."""
    acc = list(b)
    for xi, row in zip(x, w):
        if xi:
            acc = [a + xi * wij for a, wij in zip(acc, row)]
    return acc


def float_forward(model, x):
    """(the pre-activations of every layer, the outputs of every layer) of the float model in double;
    the last layer's output is the logits θ."""
    pre, out = [], []
    for layer in model["layers"]:
        r = dense_forward(x, layer["w"], layer["b"])
        f = ACTIVATION[layer["activation"]]
        x = [f(v) for v in r]
        pre.append(r)
        out.append(x)
    return pre, out


def robust_range(values, clip=CLIP_FRACTION, margin=MARGIN):
    """[lo, hi]: the values with the floor(clip·n) smallest and largest left out (the whole range if
    that leaves a single value: a sparse feature, mostly one value), widened by margin·(hi − lo) at
    each end for the values the calibration rows did not reach — see docs/int8-export.md."""
    v = sorted(values)
    k = int(clip * len(v))
    lo, hi = v[k], v[len(v) - 1 - k]
    if hi <= lo:
        lo, hi = v[0], v[-1]
    return lo - margin * (hi - lo), hi + margin * (hi - lo)


def grid_step(values):
    """δ if every value is v0 + k·δ for integers k (sensor counts, pixel levels k/16), else None."""
    distinct = sorted(set(values))
    if len(distinct) < 2 or len(distinct) > 256:
        return None
    step = min(b - a for a, b in zip(distinct, distinct[1:]))
    if all(abs((v - distinct[0]) / step - round((v - distinct[0]) / step)) < 1e-6 for v in distinct):
        return step
    return None


def check_rows(rows, width):
    if not rows:
        raise ValueError("quantize: the calibration data is empty")
    for r, row in enumerate(rows):
        if len(row) != width:
            raise ValueError(f"quantize: calibration row {r + 1} has {len(row)} values, the model takes {width}")
        if not all(math.isfinite(v) for v in row):
            raise ValueError(f"quantize: calibration row {r + 1} holds a non-finite value")


def feature_quantization(rows, width, clip=CLIP_FRACTION, margin=MARGIN):
    """Per input feature i: s_i = (hi − lo)/255 and z_i = round(−128 − lo/s_i) (any integer) from its
    robust calibration range, so that codes −128..127 span [lo, hi]. A feature whose calibration
    values lie on a grid v0 + k·δ (at most 256 levels) gets s_i = δ and the 255 steps centred on its
    range: when the grid passes through 0 (pixel levels, integer sensor counts) those inputs are
    exact, and the most of the grid the codes can hold is covered. A feature constant in the calibration
    data gets the median width of the others (1 if none), centred on its value."""
    check_rows(rows, width)
    columns = [[row[i] for row in rows] for i in range(width)]
    ranges = [robust_range(c, clip, margin) for c in columns]
    widths = sorted(hi - lo for lo, hi in ranges if hi > lo)
    typical = widths[len(widths) // 2] if widths else 1.0
    scales, zero_points = [], []
    for column, (lo, hi) in zip(columns, ranges):
        if hi <= lo:
            lo, hi = lo - typical / 2, lo + typical / 2
        step = grid_step(column)
        if step is not None and (hi - lo) / step <= 255:
            # s = δ: every grid value in the 255 steps around the range is a code of its own (exact
            # when the grid passes through 0): the most of the grid the codes can cover
            scales.append(step)
            zero_points.append(int(_round(-128 - ((lo + hi) / 2 - 127.5 * step) / step)))
            continue
        s = (hi - lo) / 255
        scales.append(s)
        zero_points.append(int(_round(-128 - lo / s)))
    return scales, zero_points


def output_quantization(act, values, clip=CLIP_FRACTION, margin=MARGIN):
    """(scale, zero point) of a ReLU or identity hidden layer's output codes, from its calibration
    outputs (every unit, every row): ReLU [0, hi] with zero point −128; identity [lo, hi] widened to
    hold 0 (the zero point must be an int8)."""
    lo, hi = robust_range(values, clip, margin)
    lo, hi = min(lo, 0.0), max(hi, 0.0)
    if hi == lo:
        hi = lo + 1
    if act == "relu":
        return hi / 255, -128
    s = (hi - lo) / 255
    return s, int(max(-128, min(127, _round(-128 - lo / s))))


def quantize_layer(w, b, in_scales, in_zero_points, z, factor_of_scale):
    """Dense weights in codes: with the real input x_i = s_i·(c_i − z_i), the weight of a code is
    s_i·w_ij; t_j = max_i |s_i·w_ij|/127 (1 for an all-zero column), c_ij = round(s_i·w_ij/t_j);
    the bias round(b_j/t_j) + Σ_i (z − z_i)·c_ij (the features' own zero points folded into it, so
    that the network subtracts its one z); the factor f(t_j) = m_j·2^−n_j."""
    n_out = len(b)
    layer = {"w": [[0] * n_out for _ in w], "b": [], "m": [], "n": [], "t": []}
    for j in range(n_out):
        column = [s * row[j] for s, row in zip(in_scales, w)]
        largest = max(abs(v) for v in column)
        t = largest / 127 if largest > 0 else 1.0
        fold = 0
        for i, v in enumerate(column):
            c = int(_round(v / t))
            layer["w"][i][j] = c
            fold += (z - in_zero_points[i]) * c
        bias = _round(b[j] / t) + fold
        if abs(bias) > 1 << 30:
            raise ValueError(f"quantize: the bias of unit {j} is {bias} codes, beyond the int8 path's 2^30 "
                             f"(inputs far from 0 relative to their range?)")
        layer["b"].append(int(bias))
        m, n = factor(factor_of_scale(t))
        layer["m"].append(m)
        layer["n"].append(n)
        layer["t"].append(t)
    return layer


def quantize_network(model, calibration_rows, clip=CLIP_FRACTION, margin=MARGIN, bias_correction=True):
    """The int8 model of a layers-format model (dict: layers [{w [In][Out], b, activation}], output
    head) for tools/q8_model.py and q8_network_header: per-feature input scales and zero points, each
    layer's weights per output unit, ReLU/identity output ranges and bias correction from the
    calibration rows. Raises ValueError (one line) on bad calibration data."""
    import q8_model
    layers = model["layers"]
    n_in = len(layers[0]["w"])
    scales, zero_points = feature_quantization(calibration_rows, n_in, clip, margin)
    network_z = 0
    q = {"input_scale": scales, "input_zero_point": zero_points, "network_zero_point": network_z,
         "layers": [], "head": model["output"], "shape": tuple([n_in] + [len(l["b"]) for l in layers])}
    codes = [q8_model.input_codes(q, row) for row in calibration_rows]
    reference = [float_forward(model, row)[0] for row in calibration_rows]   # float pre-activations
    in_scales, in_zps, z = scales, zero_points, network_z
    for k, layer in enumerate(layers):
        act, last = layer["activation"], k == len(layers) - 1
        if last or act in ACTIVATION_Q12:
            out_scale, out_z = OUTPUT_SCALE.get(act), OUTPUT_ZERO_POINT.get(act, 0)
            to_next = lambda t: t * 4096  # noqa: E731  (Q12 pre-activation or logits)
        else:
            f = ACTIVATION[act]
            out_scale, out_z = output_quantization(act, [f(v) for r in reference for v in r[k]], clip, margin)
            to_next = lambda t, s=out_scale: t / s  # noqa: E731
        ql = quantize_layer(layer["w"], layer["b"], in_scales, in_zps, z, to_next)
        ql["activation"], ql["z"] = ("identity" if last else act), out_z
        accs = [q8_model.affine(c, z, ql) for c in codes]
        if bias_correction:
            # The mean over the calibration rows of what the int8 pre-activation misses of the float
            # one (weight rounding, input clipping, the layers before), added back to the bias.
            for j, t in enumerate(ql["t"]):
                miss = sum(r[k][j] - a[j] * t for r, a in zip(reference, accs)) / len(accs)
                shift = int(_round(miss / t))
                if shift and abs(ql["b"][j] + shift) <= 1 << 30:
                    ql["b"][j] += shift
                    for a in accs:
                        a[j] += shift
        q["layers"].append(ql)
        if not last:
            codes = [q8_model.layer_codes(ql, a) for a in accs]
            in_scales = [out_scale] * len(ql["b"])
            z = q8_model.next_zero_point(ql)
            in_zps = [z] * len(ql["b"])
    return q


def q8_network_header(q, name, note=""):
    """The C++ header of a quantize_network model: NAME (a ugrad::q8::Network), NAME_input_scale
    [In] and NAME_input_zero_point [In] (the codes the firmware feeds)."""
    acts = {"sigmoid": "ugrad::Sigmoid", "tanh": "ugrad::Tanh", "relu": "ugrad::Relu", "identity": None}
    heads = {"softmax": "ugrad::Softmax", "logistic": "ugrad::Logistic", "linear": "ugrad::Linear"}
    dense = []
    for l in q["layers"]:
        n_in, n_out, act = len(l["w"]), len(l["b"]), acts[l["activation"]]
        dense.append(f"ugrad::q8::Dense<{n_in}, {n_out}{', ' + act if act else ''}>")
    net = f"ugrad::q8::Network<{heads[q['head']]}, {', '.join(dense)}>"

    def layer_text(l):
        rows = ",\n".join("        {" + ", ".join(str(v) for v in row) + "}" for row in l["w"])
        return ("{{\n" + rows + "},\n    {" + ", ".join(map(str, l["b"])) + "},\n    {"
                + ", ".join(map(str, l["m"])) + "},\n    {" + ", ".join(map(str, l["n"])) + f"}},\n    {l['z']}}}")

    nested = layer_text(q["layers"][-1])
    for l in reversed(q["layers"][:-1]):
        nested = layer_text(l) + ",\n    {" + nested + "}"
    n_in = len(q["input_scale"])
    shape = "-".join(map(str, q["shape"]))
    lines = ["// Generated by tools/quantize.py (through tools/export_model.py --quantize int8); do not edit by hand."]
    if note:
        lines.append(f"// {note}")
    lines += [
        f"// int8 {shape}: {', '.join(l['activation'] for l in q['layers'][:-1]) or 'no hidden layer'}; {q['head']} head.",
        f"// Input codes, one scale and zero point per feature: c_i = clamp(round(x_i/{name}_input_scale[i])",
        f"// + {name}_input_zero_point[i], -128, 127); dJ/dx_i = dx.code[i]*2^dx.exponent / {name}_input_scale[i]",
        "// (ugrad::q8::to_float with the array). The zero points are folded into the first layer's biases.",
        "#pragma once",
        "",
        "#include <stdint.h>",
        "",
        "#include <ugrad/q8/q8.hpp>",
        "",
        f"inline constexpr double {name}_input_scale[{n_in}] = {{"
        + ", ".join(float(s).hex() for s in q["input_scale"]) + "};",
        f"inline constexpr int32_t {name}_input_zero_point[{n_in}] = {{" + ", ".join(map(str, q["input_zero_point"])) + "};",
        f"inline constexpr {net} {name} = {{",
        f"    {q['network_zero_point']},",
        "    {" + nested + "}};",
        "",
    ]
    return "\n".join(lines)


def q8_header(q, name):
    n_in, hidden, n_out = q["shape"]
    net = (f"ugrad::q8::Network<ugrad::Softmax, ugrad::q8::Dense<{n_in}, {hidden}, ugrad::Sigmoid>, "
           f"ugrad::q8::Dense<{hidden}, {n_out}>>")

    def dense(layer):
        rows = ",\n".join("        {" + ", ".join(str(v) for v in row) + "}" for row in layer["w"])
        return ("    {{\n" + rows + "},\n    {" + ", ".join(map(str, layer["b"])) + "},\n    {"
                + ", ".join(map(str, layer["m"])) + "},\n    {" + ", ".join(map(str, layer["n"])) + "},\n    0}")

    l1, l2 = q["layers"]
    return "\n".join([
        "// Generated by tools/quantize.py; do not edit by hand.",
        f"// int8 codes x = round(x_real/s_x) + z_x with s_x = {q['input_scale'][0]!r} ({float(q['input_scale'][0]).hex()}),",
        f"// z_x = {q['network_zero_point']}; dJ/dx = dx.code*2^dx.exponent / s_x.",
        "#pragma once",
        "",
        "#include <ugrad/q8/q8.hpp>",
        "",
        f"inline constexpr double {name}_input_scale = {float(q['input_scale'][0]).hex()};",
        f"inline constexpr {net} {name} = {{",
        f"    {q['network_zero_point']},",
        "    {" + dense(l1) + ",\n    {" + dense(l2) + "}}};",
        "",
    ])


def read_mlp_header(path, n_in, hidden, n_out):
    with open(path) as f:
        values = [float.fromhex(v) for v in re.findall(r"-?0x[0-9a-fA-F.]+p[-+]?\d+", f.read())]
    sizes = [n_in * hidden, hidden, hidden * n_out, n_out]
    if len(values) != sum(sizes):
        raise ValueError(f"quantize: {path} holds {len(values)} numbers, expected {sum(sizes)}")
    w1 = [values[i * hidden:(i + 1) * hidden] for i in range(n_in)]
    b1 = values[sizes[0]:sizes[0] + hidden]
    o = sizes[0] + hidden
    w2 = [values[o + j * n_out:o + (j + 1) * n_out] for j in range(hidden)]
    b2 = values[o + sizes[2]:]
    return w1, b1, w2, b2


def main():
    if len(sys.argv) != 4:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    with open(sys.argv[1]) as f:
        text = f.read()
    shape = re.search(r"Mlp<(\d+), (\d+), (\d+)>", text)
    n_in, hidden, n_out = (int(v) for v in shape.groups())
    try:
        rows, _ = read_csv(sys.argv[2], n_in, n_out)
        q = quantize_mlp(*read_mlp_header(sys.argv[1], n_in, hidden, n_out), rows)
    except ValueError as e:
        print(e if str(e).startswith("quantize:") else f"quantize: {e}", file=sys.stderr)
        return 1
    sys.stdout.write(q8_header(q, sys.argv[3]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
