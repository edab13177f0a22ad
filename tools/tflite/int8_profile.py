#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""int8_profile.py HEADER MODEL.tflite NAME — the exported model's forward pass (HEADER, written by
tools/export_model.py) as a C++ translation unit that reads the instruction counter after every
operator, for `make TARGET=mps2-an386 tflite-int8-profile` (bench/tflite_int8_profile.cpp).

Writes to standard output:
    NAME_profile_steps[]   {label, kernel, MACs} per operator with code, in the forward's order
    NAME_profile(arena, t) the forward's statements, copied from HEADER's forward(), with
                           t[k] = hal_instructions() before step k and after the last
The statements are the header's own, so the kernels and their template arguments are exactly what
forward() runs; only the counter reads (a call each) sit between them."""
import re
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import reader  # noqa: E402

KERNEL = re.compile(r"ugrad::tflite::(\w+)<")


def forward_body(text):
    start = text.index("void forward(int8_t* arena) const noexcept {")
    body = []
    for line in text[start:].split("\n")[1:]:
        if line.strip() == "}":
            return body
        body.append(line.strip())
    raise SystemExit("int8_profile.py: no end of forward() in the header")


def main(header, tflite, name):
    model = reader.read_file(tflite)
    steps, label = [], None
    for line in forward_body(Path(header).read_text()):
        if line.startswith("//"):
            label = line[2:].strip()
            continue
        kernel = KERNEL.search(line)
        if not kernel or label is None:
            raise SystemExit(f"int8_profile.py: unexpected line in forward(): {line}")
        op = model.operators[int(label.split()[0])]
        steps.append((label, kernel.group(1), reader.macs(model, op), line))
    out = ["// Written by tools/tflite/int8_profile.py from the exported header's forward(): do not edit.",
           "#include <hal.h>", f'#include "{Path(header).name}"', '#include "tflite_int8_profile.hpp"', "",
           f"extern const ProfileStep {name}_profile_steps[{len(steps)}] = {{"]
    out += [f'    {{"{lab}", "{kernel}", {macs}}},' for lab, kernel, macs, _ in steps]
    out += ["};", f"extern const size_t {name}_profile_count = {len(steps)};", "",
            f"void {name}_profile(int8_t* arena, uint64_t* t) {{"]
    for k, (_, _, _, statement) in enumerate(steps):
        out += [f"    t[{k}] = hal_instructions();", f"    {statement}"]
    out += [f"    t[{len(steps)}] = hal_instructions();", "}", ""]
    print("\n".join(out))


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit("usage: int8_profile.py HEADER MODEL.tflite NAME")
    main(*sys.argv[1:])
