#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""core_model.py TARGET MODEL ELF RESULT -- LINK COMMAND... — link one int8 model's runner
(tests/tflite/int8_core_runner.cpp) for TARGET, run it in QEMU and write one line to RESULT:

    ok FLASH RAM <the runner's line>        it linked and every output equals TFLM's
    mismatch FLASH RAM <the runner's line>  it ran and some output differs (or it failed: its status)
    does-not-fit FLASH RAM <reason>         the linker refused it: a memory region overflowed

FLASH and RAM are the bytes the program takes (allocated sections in each MEMORY region of the target's
link script; FLASH every region but RAM, `-` on a board with RAM only: rv32; RAM with the script's
__stack_size); the reason names the region, what the
program needs and the region's LENGTH from the link script. When the link fails for lack of room,
the same objects are linked once more against a copy of the script whose regions are 64 MiB, only
to measure what they would need. Exits 1 only if the link fails for another reason; the verdicts
are for mk/tflite_cores.mk's table (tools/tflite/cores_table.py) to judge.
"""
import re
import struct
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SIZE = {"K": 1024, "M": 1024 * 1024, "": 1}


def number(text):
    m = re.fullmatch(r"\s*(0x[0-9a-fA-F]+|\d+)\s*([KM]?)\s*", text)
    return int(m.group(1), 0) * SIZE[m.group(2)]


def memory(script):
    """{region: (origin, length)} and __stack_size of a link script."""
    text = script.read_text()
    regions = {m.group(1): (number(m.group(2)), number(m.group(3)))
               for m in re.finditer(r"(\w+)\s*\([rwx]+\)\s*:\s*ORIGIN\s*=\s*([^,]+),\s*LENGTH\s*=\s*([^\s;]+)", text)}
    stack = re.search(r"__stack_size\s*=\s*([^;]+);", text)
    return regions, number(stack.group(1)) if stack else 0


def allocated(elf):
    """(address, size) of each allocated section of a 32-bit little-endian ELF."""
    data = Path(elf).read_bytes()
    assert data[:4] == b"\x7fELF" and data[4] == 1, f"{elf}: not a 32-bit ELF"
    shoff, = struct.unpack_from("<I", data, 0x20)
    shentsize, shnum = struct.unpack_from("<HH", data, 0x2E)
    out = []
    for i in range(shnum):
        _, _, flags, addr, _, size = struct.unpack_from("<IIIIII", data, shoff + i * shentsize)
        if flags & 0x2 and size:
            out.append((addr, size))
    return out


def usage(elf, regions, stack):
    """Bytes used in each region (the stack added to the region the stack lives in: RAM). A section
    belongs to the region with the highest origin at or below its address (regions may lie closer
    together than 64 MiB, the length of the measuring link's regions)."""
    used = {name: 0 for name in regions}
    for addr, size in allocated(elf):
        below = [(origin, name) for name, (origin, _) in regions.items() if origin <= addr]
        if below:
            used[max(below)[1]] += size
    used["RAM"] = used.get("RAM", 0) + stack
    return used


def flash(used):
    """The bytes of every region but RAM (the vector table's ITCM with the code's FLASH on the M55);
    `-` on a board whose script has RAM only (rv32)."""
    rest = [n for name, n in used.items() if name != "RAM"]
    return sum(rest) if rest else "-"


def kib(n):
    return f"{n / 1024:g} KiB"


def main(argv):
    target, model, elf, result = argv[:4]
    assert argv[4] == "--"
    link = argv[5:]
    script_arg = next(a for a in link if a.startswith("-T"))
    script = ROOT / script_arg[2:]
    regions, stack = memory(script)
    Path(result).parent.mkdir(parents=True, exist_ok=True)
    run = subprocess.run(link, capture_output=True, text=True)
    if run.returncode != 0:
        if "overflow" not in run.stderr:
            sys.stderr.write(run.stderr)
            return 1
        # Measure what it needs: the same link against 64 MiB regions.
        big = Path(elf + ".measure.ld")
        big.write_text(re.sub(r"LENGTH\s*=\s*[^\s;,]+", "LENGTH = 64M", script.read_text()))
        measure = [f"-T{big}" if a == script_arg else a for a in link]
        measure = [elf + ".measure" if a == elf else a for a in measure]
        measure = [a for a in measure if not a.startswith("-Wl,-Map=")]
        subprocess.run(measure + [f"-L{script.parent}"], check=True, capture_output=True, text=True)
        used = usage(elf + ".measure", regions, stack)
        over = [f"{name.lower() if name == 'FLASH' else name} {used[name]:,} B > {kib(length)} ({script.relative_to(ROOT)})"
                + (f", {kib(stack)} of it stack" if name == "RAM" and stack else "")
                for name, (_, length) in regions.items() if used[name] > length]
        line = f"does-not-fit {flash(used)} {used['RAM']} " + "; ".join(over)
    else:
        used = usage(elf, regions, stack)
        runner = subprocess.run([str(ROOT / "tools" / "run-on-target.sh"), target, elf], capture_output=True, text=True)
        found = [l for l in runner.stdout.splitlines() if l.startswith("tflite-int8-core ")]
        verdict = "ok" if runner.returncode == 0 and len(found) == 1 else "mismatch"
        detail = found[0] if found else f"exit {runner.returncode}: {runner.stdout.strip()} {runner.stderr.strip()}"
        line = f"{verdict} {flash(used)} {used['RAM']} {detail}"
    Path(result).write_text(line + "\n")
    print(f"{target} {model}: {line}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
