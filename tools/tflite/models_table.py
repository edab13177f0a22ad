#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""models_table.py — docs/tflite.md's table of the MLPerf Tiny int8 models: operators, MACs, and how
many of TFLM's reference cases tools/tflite/int8_reference.py matches bit for bit (written to
standard output; `make tflite-table` puts it into the page)."""
import json
import sys
from collections import Counter
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import int8_reference  # noqa: E402
import reader  # noqa: E402

DATA = Path(__file__).resolve().parents[2] / "data" / "mlperf-tiny"
MODELS = ["ad01_int8", "kws_ref_model", "pretrainedResnet_quant", "vww_96_int8", "str_ww_ref_model"]


def row(name):
    m = reader.read_file(DATA / f"{name}.tflite")
    ref = json.loads((DATA / f"{name}.json").read_text())
    ops = ", ".join(f"{op} ×{n}" for op, n in Counter(o.opcode for o in m.operators).items())
    total = sum(reader.macs(m, o) for o in m.operators)
    outs = logits = n_logits = 0
    for c in ref["cases"]:
        T = int8_reference.run(m, np.frombuffer(bytes.fromhex(c["input_hex"]), dtype=np.int8))
        outs += bytes(T[m.outputs[0]].ravel().astype(np.int8)) == bytes.fromhex(c["output_hex"])
        if "logits_hex" in c:
            n_logits += 1
            logits += bytes(T[ref["logits"]["tensor_index"]].ravel().astype(np.int8)) == bytes.fromhex(c["logits_hex"])
    lg = f"{logits}/{n_logits}" if n_logits else "—"
    return f"| `{name}.tflite` | {ops} | {total:,} | {outs}/{len(ref['cases'])} | {lg} |"


def main():
    print("| model | operators | MACs | outputs bit-exact | logits bit-exact |")
    print("|---|---|---:|---:|---:|")
    for name in MODELS:
        print(row(name))
    return 0


if __name__ == "__main__":
    sys.exit(main())
