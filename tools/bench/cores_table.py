#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""cores_table.py BUILD TARGET... — README's "bench-cores": one row per emulated core, 64-32-10.

Reads what `make bench TARGET=<t>` left in BUILD/<t>/: bench.md (built with the target's usual
flags at -O2) and bench-os.md (-Os), each a Markdown table of instructions per call, ugrad and
textbook loops. Prints a Markdown table on standard output.
"""
import re
import sys
from pathlib import Path

SHAPE = "64-32-10"


def row_of(path: Path):
    """(ugrad, textbook) instructions of SHAPE in one bench table, and the flags line."""
    text = path.read_text()
    flags = re.search(r"built with `([^`]*)`", text)
    for line in text.splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if cells and cells[0] == SHAPE:
            return int(cells[2]), int(cells[4]), flags.group(1) if flags else ""
    raise SystemExit(f"cores_table: no {SHAPE} row in {path}")


def main() -> int:
    if len(sys.argv) < 3:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    build = Path(sys.argv[1])
    print(f"Instructions per call ({SHAPE}: forward + cross_entropy + input_gradient), counted by QEMU with "
          "-icount shift=0 on each emulated core, built with the core's usual flags and no ugrad macro "
          "(the kernels are picked from the compiler's macros); textbook = plain loops with newlib's expf/logf.")
    print()
    print("| target | core flags | ugrad -O2 | textbook -O2 | textbook/ugrad | ugrad -Os | textbook -Os | textbook/ugrad |")
    print("|---|---|---:|---:|---:|---:|---:|---:|")
    for target in sys.argv[2:]:
        u2, t2, flags = row_of(build / target / "bench.md")
        us, ts, _ = row_of(build / target / "bench-os.md")
        cpu = " ".join(f for f in flags.split() if f.startswith(("-mcpu", "-mfpu", "-mfloat-abi", "-march")))
        print(f"| `{target}` | `{cpu}` | {u2:,} | {t2:,} | {t2 / u2:.2f}× | {us:,} | {ts:,} | {ts / us:.2f}× |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
