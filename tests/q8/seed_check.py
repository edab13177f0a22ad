#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""seed_check.py DUMP — make q8-seed-check: tools/q8_model.py's seed() (the exporter's integer
model) gives the C++ heads' d and e (include/ugrad/q8/heads.hpp) on every line of
tests/q8/seed_dump.cpp's output. Prints one line; exit status 1 on the first difference."""
import os
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools"))

import q8_model  # noqa: E402


def main():
    count, confident = 0, 0
    for number, text in enumerate(open(sys.argv[1]), 1):
        head_part, logits, y_hat, given, d, e = text.split("|")
        head, _ = head_part.split()
        logits, y_hat, d = ([int(v) for v in part.split()] for part in (logits, y_hat, d))
        kind, *values = given.split()
        values = [int(v) for v in values]
        if kind == "label":
            got = q8_model.seed(head, logits, y_hat, label=values[0])
        else:
            got = q8_model.seed(head, logits, y_hat, target=values)
        if got != (d, int(e)):
            print(f"q8-seed-check: FAIL: line {number} ({head}, {kind}): C++ d {d} e {int(e)}, tools/q8_model.py d {got[0]} e {got[1]}")
            return 1
        count += 1
        confident += int(e) < -45
    print(f"q8-seed-check: tools/q8_model.py computes the C++ heads' gradient seeds on all {count} calls "
          f"({confident} with an exponent below -45, beyond Q15)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
