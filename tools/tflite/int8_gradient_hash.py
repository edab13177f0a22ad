#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""int8_gradient_hash.py GEN_DIR NAME... > gradient_hashes.hpp — the host's integer dJ/dx of each
exported int8 model (GEN_DIR/NAME.hpp) on its reference inputs (data/mlperf-tiny/NAME.json, the
predicted class), built with g++ -O2 (tests/tflite/int8_gradient_runner.cpp), hashed as
bench/tflite_int8_gradient_bench.cpp hashes it on a target: FNV-1a 64 over the little-endian bytes of
the int32 words exponent, label, dJ/dx codes, case after case. NAME_gradient_hash for each model."""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "mlperf-tiny"


def fnv1a(h, words):
    for w in words:
        for b in (int(w) & 0xFFFFFFFF).to_bytes(4, "little"):
            h = ((h ^ b) * 0x100000001B3) & 0xFFFFFFFFFFFFFFFF
    return h


def main(gen, names):
    print("// SPDX-License-Identifier: Apache-2.0")
    print("// Written by tools/tflite/int8_gradient_hash.py: the host's integer dJ/dx of each model, hashed.")
    print("#pragma once\n#include <stdint.h>\n")
    for name in names:
        program = Path(gen) / f"{name}-gradient-host"
        subprocess.run(["g++", "-std=c++17", "-O2", f"-I{ROOT / 'include'}", f"-I{gen}", f'-DUGRAD_MODEL_HEADER="{name}.hpp"',
                        f"-DUGRAD_MODEL={name}", str(ROOT / "tests" / "tflite" / "int8_gradient_runner.cpp"), "-o",
                        str(program)], check=True)
        cases = json.loads((DATA / f"{name}.json").read_text())["cases"]
        text = "".join(f"-1 {c['input_hex']}\n" for c in cases)
        out = subprocess.run([str(program)], input=text, capture_output=True, text=True, check=True).stdout
        h = 0xCBF29CE484222325
        for line in out.split("\n")[:-1]:
            p = line.split()
            h = fnv1a(h, [int(v) for v in p[1:]])
        print(f"inline constexpr uint64_t {name}_gradient_hash = 0x{h:016x}ull;")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2:])
