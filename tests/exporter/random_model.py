#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""random_model.py SEED IN HIDDEN OUT — print a model JSON with seeded random weights.
random_model.py SEED HEAD IN ACT:N ... — the same in the layers format, e.g. 7 softmax 6 relu:5 tanh:4 identity:3.

The values are decimal text of random doubles in ±2 (so most of them are not float32 values and
the exporter has to round them), mixed with edge cases: ±0, subnormal floats, integers, exponent
notation, and decimals lying exactly on or just beside a halfway point between two floats.
Used by the round-trip test and the C API test as an input, never as an expected result.
"""
import json
import random
import sys

# Decimal texts whose rounding to float32 is easy to get wrong: 1 + 2^-24 is exactly halfway
# between 1 and the next float (ties to even: 1); a hair above it rounds up; 2^-149 is the smallest
# subnormal; 2^-150 is halfway between it and 0 (ties to even: 0).
TRICKY = [
    "1.000000059604644775390625",
    "1.0000000596046447753906250001",
    "-1.000000178813934326171875",
    "1.40129846432481707092372958328991613128026194187651577175706828388979108268586060148663818836212158203125e-45",
    "7.006492321624085354618647916449580656401309709382578858785341419448955413429303e-46",
    "1.1754942e-38",
    "-0.0",
    "0",
    "3",
    "-2.5e-1",
    "1E+0",
]


def model(seed: int, n_in: int, hidden: int, out: int) -> str:
    rng = random.Random(seed)
    tokens = []

    def value() -> str:
        if rng.random() < 0.05:
            return rng.choice(TRICKY)
        return repr(rng.uniform(-2.0, 2.0))

    def row(n):
        return "[" + ", ".join(value() for _ in range(n)) + "]"

    def mat(r, c):
        return "[\n  " + ",\n  ".join(row(c) for _ in range(r)) + "]"

    text = '{"w1": %s,\n "b1": %s,\n "w2": %s,\n "b2": %s}\n' % (mat(n_in, hidden), row(hidden), mat(hidden, out), row(out))
    json.loads(text)  # well-formed by construction
    return text




def layers_model(seed: int, sizes, activations, head: str) -> str:
    """A layers-format model: len(sizes) - 1 layers, sizes[0] inputs, seeded values as in model()."""
    rng = random.Random(seed)

    def value() -> str:
        return rng.choice(TRICKY) if rng.random() < 0.05 else repr(rng.uniform(-1.5, 1.5))

    layers = []
    for n_in, n_out, act in zip(sizes, sizes[1:], activations):
        w = "[" + ", ".join("[" + ", ".join(value() for _ in range(n_out)) + "]" for _ in range(n_in)) + "]"
        b = "[" + ", ".join(value() for _ in range(n_out)) + "]"
        layers.append('{"w": %s, "b": %s, "activation": "%s"}' % (w, b, act))
    text = '{"layers": [\n  %s],\n "output": "%s"}\n' % (",\n  ".join(layers), head)
    json.loads(text)
    return text


if __name__ == "__main__":
    if sys.argv[2].isdigit():
        seed, n_in, hidden, out = (int(a) for a in sys.argv[1:5])
        sys.stdout.write(model(seed, n_in, hidden, out))
    else:
        specs = [a.split(":") for a in sys.argv[4:]]
        sizes = [int(sys.argv[3])] + [int(n) for _, n in specs]
        sys.stdout.write(layers_model(int(sys.argv[1]), sizes, [a for a, _ in specs], sys.argv[2]))
