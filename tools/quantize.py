#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""quantize.py — float model to ugrad's int8 path (include/ugrad/q8/), the same arithmetic as
tests/q8_quantize.hpp (which the specs use), for tools/export_model.py to import:

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


def read_csv(path, width, n_out):
    """(rows [n][width] of floats, labels [n] or None) from a CSV file of `width` numbers per line,
    or `width` numbers and a label on every line. Empty lines are skipped; anything else wrong
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
            if len(fields) not in (width, width + 1):
                raise ValueError(f"quantize: {path} line {number} has {len(fields)} values, the model takes {width} "
                                 f"(and a label may follow)")
            if rows and (len(fields) == width + 1) != bool(labels):
                raise ValueError(f"quantize: {path} line {number} has {len(fields)} values, the lines before it "
                                 f"{len(rows[0]) + (1 if labels else 0)}")
            try:
                row = [float(v) for v in fields[:width]]
            except ValueError:
                raise ValueError(f"quantize: {path} line {number} holds something that is not a number")
            if not all(math.isfinite(v) for v in row):
                raise ValueError(f"quantize: {path} line {number} holds a non-finite value")
            if len(fields) == width + 1:
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
    scale, z = input_quantization(calibration_rows, len(w1))
    return {"input_scale": scale, "input_zero_point": z,
            "layers": [quantize_dense(w1, b1, scale), quantize_dense(w2, b2, 1 / 256)],
            "shape": (len(w1), len(b1), len(b2))}


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
        f"// int8 codes x = round(x_real/s_x) + z_x with s_x = {q['input_scale']!r} ({float(q['input_scale']).hex()}),",
        f"// z_x = {q['input_zero_point']}; dJ/dx = dx.code*2^dx.exponent / s_x.",
        "#pragma once",
        "",
        "#include <ugrad/q8/q8.hpp>",
        "",
        f"inline constexpr double {name}_input_scale = {float(q['input_scale']).hex()};",
        f"inline constexpr {net} {name} = {{",
        f"    {q['input_zero_point']},",
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
