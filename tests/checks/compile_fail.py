#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Compile-fail checks: each `case:` of a C++ file must not compile, and the compiler must say why early.

    compile_fail.py FILE REPORT COMPILER... -- FLAG...

FILE (tests/checks/wrong_size.cpp) must compile as it is with every COMPILER; with -DMACRO for each
line `// case: MACRO  first: TEXT  [also: TEXT]` of FILE it must not, and the output must hold the
`first:` text by the line of its first error (a user reads no further to know what went wrong) and
the `also:` text anywhere. REPORT (Markdown) gets, per case and compiler, the output's first line and
its first error line: what a user sees.
"""
import os
import re
import subprocess
import sys


def cases(path):
    """[(macro, first, also)] from the `case:` lines (an `also:` may sit on the next comment line)."""
    found = []
    for line in open(path, encoding="utf-8"):
        m = re.match(r"//\s*case:\s*(\w+)\s+first:\s*(.*?)\s*(?:also:\s*(.*?))?\s*$", line)
        if m:
            found.append([m.group(1), m.group(2), m.group(3)])
            continue
        m = re.match(r"//\s+also:\s*(.*?)\s*$", line)
        if m and found:
            found[-1][2] = m.group(1)
    return [tuple(c) for c in found]


def compile_(compiler, flags, path, macro=None):
    command = [compiler] + flags + ["-fsyntax-only", path] + (["-D" + macro] if macro else [])
    run = subprocess.run(command, capture_output=True, text=True, env=dict(os.environ, LC_ALL="C"))
    return run.returncode, run.stderr


def main(argv):
    split = argv.index("--")
    path, report, compilers, flags = argv[1], argv[2], argv[3:split], argv[split + 1:]
    todo = cases(path)
    if not todo:
        sys.exit(f"{path}: no `// case:` lines")
    failures = []
    rows = ["| case | compiler | first line of the output | first error line |", "|---|---|---|---|"]
    for compiler in compilers:
        code, output = compile_(compiler, flags, path)
        if code != 0:
            sys.exit(f"{path} must compile as it is with {compiler}:\n{output}")
    for macro, first, also in todo:
        for compiler in compilers:
            code, output = compile_(compiler, flags, path, macro)
            lines = output.splitlines()
            error_at = next((i for i, l in enumerate(lines) if re.search(r"\berror: ", l)), None)
            if code == 0:
                failures.append(f"{macro}, {compiler}: compiled, but must not")
                continue
            if error_at is None:
                failures.append(f"{macro}, {compiler}: failed without an error line")
                continue
            upto = "\n".join(lines[: error_at + 1])
            if first not in upto:
                failures.append(f"{macro}, {compiler}: '{first}' not in the output by its first error line:\n{upto}")
            if also and also not in output:
                failures.append(f"{macro}, {compiler}: '{also}' not in the output")
            shown = [l.replace("|", "\\|") for l in (lines[0], lines[error_at])]
            rows.append(f"| {macro} | {compiler} | `{shown[0]}` | `{shown[1]}` |")
            print(f"{macro} ({compiler}): rejected, saying '{first}' by its first error line")
    with open(report, "w", encoding="utf-8") as out:
        out.write("\n".join(rows) + "\n")
    if failures:
        sys.exit("\n".join(failures))
    print(f"{len(todo)} compile-fail cases, {len(compilers)} compilers: each rejected with its message (table: {report})")


if __name__ == "__main__":
    main(sys.argv)
