#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""int8_cases.py NAME... > cases.hpp — the reference inputs and TFLM's outputs of MLPerf Tiny int8
models (data/mlperf-tiny/NAME.json) as C++ constants, for a program that runs the exported models
(bench/tflite_int8_bench.cpp): NAME_cases, NAME_inputs[cases][input bytes], NAME_outputs[cases][output bytes]."""
import json
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[2] / "data" / "mlperf-tiny"


def rows(cases, key):
    out = []
    for case in cases:
        values = [b - 256 if b > 127 else b for b in bytes.fromhex(case[key])]
        out.append("    {" + ",".join(str(v) for v in values) + "}")
    return ",\n".join(out)


def main(names):
    print("// SPDX-License-Identifier: Apache-2.0")
    print("// Written by tools/tflite/int8_cases.py from data/mlperf-tiny/*.json: inputs and TFLM's outputs.")
    print("#pragma once\n#include <stddef.h>\n#include <stdint.h>\n")
    for name in names:
        cases = json.loads((DATA / f"{name}.json").read_text())["cases"]
        n_in, n_out = len(cases[0]["input_hex"]) // 2, len(cases[0]["output_hex"]) // 2
        print(f"inline constexpr size_t {name}_cases = {len(cases)};")
        print(f"inline constexpr int8_t {name}_inputs[{len(cases)}][{n_in}] = {{\n{rows(cases, 'input_hex')}}};")
        print(f"inline constexpr int8_t {name}_outputs[{len(cases)}][{n_out}] = {{\n{rows(cases, 'output_hex')}}};\n")


if __name__ == "__main__":
    main(sys.argv[1:])
