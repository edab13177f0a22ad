#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""network_check.py DIR — make q8-quantize-check: int8 models of every activation and head, written
by the exporter's quantizer (tools/quantize.py quantize_network, q8_network_header), for
tests/q8/network_dump.cpp to run in C++ and this script in Python (tools/q8_model.py). For each
case NAME it writes DIR/NAME.hpp, DIR/NAME.rows (input codes | label or target codes, one row per
line) and DIR/NAME.expected (ŷ codes | dx.exponent | dx.code per row, from tools/q8_model.py), and
prints the case names. The models are seeded random ones (tests/exporter/random_model.py), plus the
bundled digits model (the 64-32-10 seed shape) on the 360 test digits; the inputs of the random
ones are Gaussian with a different offset and spread per feature, the test rows wider than the
calibration rows (so that some codes clamp). Standard library only."""
import json
import os
import random
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(os.path.dirname(HERE))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.join(ROOT, "tests", "exporter"))

import export_model  # noqa: E402
import q8_model  # noqa: E402
import quantize  # noqa: E402
import random_model  # noqa: E402

# name: random_model.py's arguments (SEED HEAD IN ACT:N ...)
CASES = {
    "q8_deep_softmax": "11 softmax 7 relu:6 sigmoid:5 tanh:4 identity:3",
    "q8_relu_softmax": "21 softmax 10 relu:16 identity:3",
    "q8_tanh_logistic": "12 logistic 5 tanh:4 identity:1",
    "q8_relu_logistic_multi": "22 logistic 6 relu:8 relu:6 identity:3",
    "q8_linear": "13 linear 4 sigmoid:3 relu:3 identity:2",
    "q8_identity_hidden": "23 softmax 6 identity:5 tanh:5 identity:4",
}


def gaussian_rows(rng, n, n_in, spread):
    centre = [rng.uniform(-20, 20) for _ in range(n_in)]
    scale = [rng.uniform(0.05, 5) for _ in range(n_in)]
    return [[c + spread * s * rng.gauss(0, 1) for c, s in zip(centre, scale)] for _ in range(n)]


def write_case(directory, name, model, q, rows, labels):
    with open(os.path.join(directory, name + ".hpp"), "w") as f:
        f.write(quantize.q8_network_header(q, name))
    with open(os.path.join(directory, name + ".rows"), "w") as rows_file, \
            open(os.path.join(directory, name + ".expected"), "w") as expected:
        for x, label in zip(rows, labels):
            codes = q8_model.input_codes(q, x)
            y, hidden = q8_model.forward(q, codes)
            if model["output"] == "linear":
                dx, e = q8_model.input_gradient(q, hidden, y, target=label)
                rows_file.write(" ".join(map(str, codes)) + " | " + " ".join(map(str, label)) + "\n")
            else:
                dx, e = q8_model.input_gradient(q, hidden, y, label)
                rows_file.write(" ".join(map(str, codes)) + f" | {label}\n")
            expected.write(" ".join(map(str, y)) + f" | {e} |" + "".join(f" {c}" for c in dx) + "\n")


def main():
    directory = sys.argv[1]
    os.makedirs(directory, exist_ok=True)
    for name, spec in CASES.items():
        args = spec.split()
        seed, head, n_in = int(args[0]), args[1], int(args[2])
        specs = [a.split(":") for a in args[3:]]
        doc = json.loads(random_model.layers_model(seed, [n_in] + [int(n) for _, n in specs], [a for a, _ in specs], head))
        model = export_model.load_doc(doc, name)
        rng = random.Random(seed)
        calibration = gaussian_rows(random.Random(seed), 300, n_in, 1.0)
        test = gaussian_rows(random.Random(seed), 200, n_in, 1.4)
        q = quantize.quantize_network(model, calibration)
        n_out = len(model["layers"][-1]["b"])
        if head == "linear":
            labels = [[rng.randrange(-1 << 14, 1 << 14) for _ in range(n_out)] for _ in test]
        else:
            labels = [rng.randrange(2 if n_out == 1 else n_out) for _ in test]
        write_case(directory, name, model, q, test, labels)
        print(name)
    # The seed shape: the bundled digits model, calibrated on the training digits, on the test digits.
    w1, b1, w2, b2 = quantize.read_mlp_header(os.path.join(ROOT, "examples", "demo", "digits_model.hpp"), 64, 32, 10)
    model = {"layers": [{"w": w1, "b": b1, "activation": "sigmoid"}, {"w": w2, "b": b2, "activation": "identity"}],
             "output": "softmax"}
    train, test, labels = [], [], []
    with open(os.path.join(ROOT, "data", "digits.csv")) as f:
        for i, line in enumerate(f):
            v = [int(p) for p in line.split(",")]
            (test if i % 5 == 0 else train).append([p / 16 for p in v[:64]])
            if i % 5 == 0:
                labels.append(v[64])
    write_case(directory, "q8_digits", model, quantize.quantize_network(model, train), test, labels)
    print("q8_digits")


if __name__ == "__main__":
    main()
