#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""cores_table.py BUILD "MODEL..." "COLUMN..." — the table of `make tflite-int8-cores`
(mk/tflite_cores.mk): each MLPerf Tiny int8 model (a row) on the host and each core (a column).

Reads BUILD/<column>/tflite-int8-cores/<model>.txt (tools/tflite/core_model.py's line, the host's
from mk/tflite_cores.mk) and data/mlperf-tiny/<model>.json, whose TFLM outputs give each model's
golden hash: FNV-1a 64 over the output bytes of every reference case in order, the hash
tests/tflite/int8_core_runner.cpp computes from its own outputs. A cell is `ok` when the run's
outputs all equal TFLM's and its hash is the golden one; `does not fit` with the region that
overflows. A second table does the same for the runners built with -DUGRAD_CORE_GRADIENT=1: the hash of
every case's integer dJ/dx (BUILD/<column>/tflite-int8-cores/<model>.grad.txt) against the host's.
Exits 1 if any run differs, any hash differs, or any result is missing.
"""
import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CORES = {"host": "host g++", "mps2-an386": "M4F (an386)", "mps2-an500": "M7 (an500)", "mps2-an505": "M33 (an505)",
         "mps3-an547": "M55 (an547)", "mps2-an385": "M3 (an385)", "rv32": "rv32imac", "microbit": "M0 (microbit)"}


def golden(model):
    """FNV-1a 64 over TFLM's output bytes, every case in order."""
    h = 14695981039346656037
    for case in json.loads((ROOT / "data" / "mlperf-tiny" / f"{model}.json").read_text())["cases"]:
        for b in bytes.fromhex(case["output_hex"]):
            h = ((h ^ b) * 1099511628211) % (1 << 64)
    return f"{h:016x}"


def parse(path):
    """(verdict, flash, ram, fields of the runner's line or the reason)."""
    if not path.exists():
        return "missing", None, None, {}
    verdict, flash, ram, rest = (path.read_text().strip().split(" ", 3) + [""] * 4)[:4]
    fields = {}
    if verdict in ("ok", "mismatch") and rest.startswith("tflite-int8-core "):
        words = rest.split()[2:]
        fields = dict(zip(words[::2], words[1::2]))
    else:
        fields = {"reason": rest}
    return verdict, flash, ram, fields


def kib(b):
    return "—" if b == "-" else f"{int(b) / 1024:.0f} KiB"


def gradients(build, models, columns, failures):
    """The table of the runners built with -DUGRAD_CORE_GRADIENT=1: dJ/dx's hash against the host's."""
    head = ["model", "host g++: hash of dJ/dx"] + [CORES.get(c, c) for c in columns[1:]]
    rows = [head, ["---"] * len(head)]
    for m in models:
        hv, _, _, hf = parse(Path(build) / "host" / "tflite-int8-cores" / f"{m}.grad.txt")
        want = hf.get("gradient")
        if hv != "ok" or want is None:
            failures.append(f"{m} dJ/dx on the host: {hv} {hf}")
        row = [m, f"`{want}`"]
        for c in columns[1:]:
            verdict, flash, ram, f = parse(Path(build) / c / "tflite-int8-cores" / f"{m}.grad.txt")
            if verdict == "does-not-fit":
                row.append("does not fit: " + f["reason"].replace(" (platform/", " (").replace("/link.ld)", ")"))
            elif verdict == "ok" and want is not None and f.get("gradient") == want and f.get("hash") == f.get("tflm"):
                row.append(f"ok, {int(f['backward']):,}")
            else:
                row.append(f"**{verdict}** `{f.get('gradient', '?')}`")
                failures.append(f"{m} dJ/dx on {c}: {verdict} {f}")
        rows.append(row)
    return ["", "The same runners built with `-DUGRAD_CORE_GRADIENT=1`: forward_keeping (outputs = TFLM's again), then",
            "the integer dJ/dx at the predicted class of every case (include/ugrad/tflite/backward/); `ok, B`: the",
            "hash over every case's exponent, label and dJ/dx codes is the host's, B input_gradient's instructions per",
            "case (the tape and gradient buffers in RAM too):", ""] + ["| " + " | ".join(r) + " |" for r in rows]


def main(build, models, columns):
    failures = []
    head = ["model", "golden hash (TFLM's outputs)"] + [CORES.get(c, c) for c in columns]
    rows = [head, ["---"] * len(head)]
    speed = [["model"] + [CORES.get(c, c) for c in columns[1:]], ["---"] + ["---:"] * (len(columns) - 1)]
    for m in models:
        want = golden(m)
        row, srow = [m, f"`{want}`"], [m]
        for c in columns:
            verdict, flash, ram, f = parse(Path(build) / c / "tflite-int8-cores" / f"{m}.txt")
            if verdict == "does-not-fit":
                row.append("does not fit: " + f["reason"].replace(" (platform/", " (").replace("/link.ld)", ")"))
                cell = "—"
            elif verdict == "ok" and f.get("hash") == want and f.get("tflm") == want and f.get("equal") == f.get("cases"):
                row.append(f"ok {f['equal']}/{f['cases']}")
                cell = f"{int(f['instructions']):,} ({kib(flash)} / {kib(ram)})" if c != "host" else ""
            else:
                row.append(f"**{verdict}** {f.get('equal', '?')}/{f.get('cases', '?')} `{f.get('hash', '?')}`")
                failures.append(f"{m} on {c}: {verdict} {f}")
                cell = "?"
            if c != "host":
                srow.append(cell)
        rows.append(row)
        speed.append(srow)
    out = ["Every reference input of data/mlperf-tiny/ through each model's runner (tests/tflite/int8_core_runner.cpp),",
           "built once per core; `ok E/C`: E of the C outputs equal TFLM's byte for byte and the hash over all of",
           "them is the golden hash (FNV-1a 64 of TFLM's output bytes, the cases in order).", ""]
    out += ["| " + " | ".join(r) + " |" for r in rows]
    out += ["", "Instructions per inference (QEMU -icount shift=0; flash / RAM of the whole program, RAM with its stack,",
            "the reference inputs in flash; rv32 has RAM only):", ""]
    out += ["| " + " | ".join(r) + " |" for r in speed]
    out += gradients(build, models, columns, failures)
    print("\n".join(out))
    for f in failures:
        print("tflite-int8-cores: " + f, file=sys.stderr)
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1], sys.argv[2].split(), sys.argv[3].split()))
