#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""readme_excerpt.py DEMO_OUTPUT — the part of the demo's output that README.md shows: the first
digit, the first digit it gets wrong, and the accuracy lines (the MLP's and the CNN's), as a Markdown text block."""
import sys


def main() -> int:
    blocks, current, tail = [], [], []
    for line in open(sys.argv[1]).read().splitlines():
        if line.startswith("--- digit"):
            current = [line]
            blocks.append(current)
        elif current and line.strip():
            current.append(line)
        else:
            current = []
            if line.startswith(("test digits:", "CNN on the test digits:")):
                tail.append(line)
    wrong = [b for b in blocks if "WRONG" in b[0]]
    shown = blocks[:1] + wrong[:1]
    out = ["```text"]
    for b in shown:
        out += b + ["..."]
    out += tail + ["```"]
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
