#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""readme_headlines.py [--check] — README.md's headline figures, taken from the measured sections of docs/.

Each figure is read from a section that a measuring command wrote (make bench, make size,
make readme-memory, make q8-report, make train), so README.md quotes only measured numbers and
never by hand. tools/readme_section.py runs this after every section it writes; --check (part of
`make test`'s checks) fails if README.md's "headlines" section is not what the sections say now.
"""
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import readme_section  # noqa: E402


def rows(name):
    """The Markdown table rows of section NAME, as lists of cells."""
    page, text = readme_section.section(name)
    if text is None:
        raise SystemExit(f"readme_headlines: no section '{name}' in README.md or docs/")
    return [[c.strip() for c in line.strip().strip("|").split("|")] for line in text.splitlines()
            if line.startswith("|") and not line.startswith("|---")]


def row(name, first):
    for r in rows(name):
        if r[0].strip("`") == first:
            return r
    raise SystemExit(f"readme_headlines: section '{name}' has no row '{first}'")


def match(name, pattern):
    _, text = readme_section.section(name)
    m = re.search(pattern, text or "")
    if not m:
        raise SystemExit(f"readme_headlines: section '{name}' does not say /{pattern}/")
    return m


def headlines() -> str:
    cores = rows("bench-cores")[0]
    m4f = row("bench-cores", "mps2-an386")
    col = {}
    for i, c in enumerate(cores):  # the first column of each name: the -O2 ones
        col.setdefault(c, i)
    size = rows("size")
    size_col = {c: i for i, c in enumerate(size[0])}
    size_m4f = row("size", "mps2-an386")
    act = row("memory", "64-32-10")
    host = row("bench-host", "64-32-10")
    q8_m4f = [r for r in rows("q8") if r[0].startswith("Cortex-M4F") and r[1] == "-O2"][0]
    q8_m0 = [r for r in rows("q8") if r[0].startswith("Cortex-M0") and r[1] == "-O2"][0]
    m0 = row("bench-cores", "microbit")
    q8_accuracy = match("q8", r"accuracy float ([0-9.]+%), int8 ([0-9.]+%)")
    trained = match("training", r"Test accuracy \*\*([0-9]+/[0-9]+ = [0-9.]+%)\*\*")
    out = [
        "The digits model (64 inputs, 32 sigmoid units, 10 classes), one call = forward + loss + dJ/dx:",
        "",
        "| | ugrad | beside it |",
        "|---|---:|---|",
        f"| Cortex-M4F, float, `-O2` | {m4f[col['ugrad -O2']]} instructions | textbook loops with newlib's expf/logf: "
        f"{m4f[col['textbook -O2']]} ({m4f[col['textbook/ugrad']]} slower) |",
        f"| Cortex-M4F, float, `-Os`: flash | {size_m4f[size_col['flash']]} code + {act[1]} weights, 0 B `.data`/`.bss` | |",
        f"| RAM: `Activations` + stack | {act[2]} + {size_m4f[size_col['stack, painted in QEMU']]} | |",
        f"| Cortex-M4F, int8, `-O2` | {int(q8_m4f[3]):,} instructions | |",
        f"| Cortex-M0 (no FPU), int8, `-O2` | {int(q8_m0[3]):,} instructions | float in software: {m0[col['ugrad -O2']]} |",
        f"| x86-64 host, float, `g++ -O2` | {host[2]} ns | Eigen 3.4: {host[3]} ns ({host[5].strip('*')} slower) |",
        f"| accuracy on 360 test digits | float {trained.group(1)} | int8 {q8_accuracy.group(2)} |",
        "",
        "Each figure comes from a measured table in docs/ ([speed](docs/speed.md), [size](docs/targets.md), "
        "[memory](docs/api.md#memory), [int8](docs/int8.md), [training](docs/training.md)).",
    ]
    return "\n".join(out) + "\n"


def main() -> int:
    text = headlines()
    if "--check" in sys.argv[1:]:
        _, now = readme_section.section("headlines")
        if now != text:
            print("README.md's headlines are stale: run tools/readme_headlines.py", file=sys.stderr)
            return 1
        print("README.md's headlines match the measured sections in docs/")
        return 0
    return write(text)


def write(text: str) -> int:
    page, _ = readme_section.section("headlines")
    src = readme_section.pattern("headlines").sub(lambda m: m.group(1) + text + m.group(3), page.read_text(), count=1)
    page.write_text(src)
    return 0


if __name__ == "__main__":
    sys.exit(main())
