#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""q8_model_dump.py MODEL_HEADER CALIBRATION.csv — make q8-quantize-check: for each of the 360 test
digits of data/digits.csv, the ŷ codes, dx.exponent and dx.code that tools/q8_model.py (the integer
pipeline the exporter's int8 report runs) computes for the digits model quantized by
tools/quantize.py, in the format of `quantize_py_check dump`, which computes them in C++."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))

import q8_model  # noqa: E402
import quantize  # noqa: E402


def main():
    rows, _ = quantize.read_csv(sys.argv[2], 64, 10)
    q = quantize.quantize_mlp(*quantize.read_mlp_header(sys.argv[1], 64, 32, 10), rows)
    for i, line in enumerate(open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "data", "digits.csv"))):
        if i % 5:
            continue
        fields = [int(v) for v in line.split(",")]
        y, hidden = q8_model.forward(q, q8_model.input_codes(q, [v / 16 for v in fields[:64]]))
        dx, e = q8_model.input_gradient(q, hidden, y, fields[64])
        print(" ".join(map(str, y)) + f" | {e} |" + "".join(f" {c}" for c in dx))


if __name__ == "__main__":
    main()
