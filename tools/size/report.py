#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""report.py — the figures of `make size` (mk/targets.mk).

  report.py row TARGET SIZE_TOOL OBJECT LINKED_ELF FORWARD_ELF CALLGRAPH [PAINTED.out] [Q8_OBJECT.o] > row.json
      one target: flash and RAM of the measured object (tools/size/measured.cpp, weights
      excluded), the same once linked with the runtime helpers it calls (libgcc's software
      floating point, memset), the library's flash of forward alone (FORWARD_ELF: linked with
      forward as its only entry point, runtime helpers not counted), the worst-case stack of each
      entry point from GCC's call graph with -fstack-usage figures (-fcallgraph-info=su), the
      stack painted in QEMU, and the flash of the int8 path's object (tools/q8/measured.cpp:
      q8 forward + input_gradient).
  report.py table ROW.json... > table.md
      the README table, and the goals checked against the M4F row.
"""
import json
import re
import subprocess
import sys

ENTRIES = ["forward", "cross_entropy", "input_gradient"]
GOAL_CODE = 2048   # bytes of code on the M4F at -Os (forward + cross_entropy + input_gradient)
GOAL_STACK = 256   # bytes of stack beyond Activations


def sections(size_tool, path):
    """{section name: size} from `size -A`."""
    out = subprocess.run([size_tool, "-A", path], check=True, capture_output=True, text=True).stdout
    result = {}
    for line in out.splitlines():
        m = re.match(r"^(\S+)\s+(\d+)\s+\d+\s*$", line)
        if m:
            result[m.group(1)] = result.get(m.group(1), 0) + int(m.group(2))
    return result


def classify(secs):
    """text, rodata, data, bss totals; .ARM.exidx/extab count as flash with rodata."""
    total = {"text": 0, "rodata": 0, "data": 0, "bss": 0}
    for name, size in secs.items():
        if name.startswith(".text"):
            total["text"] += size
        elif name.startswith((".rodata", ".srodata", ".ARM.exidx", ".ARM.extab")):
            total["rodata"] += size
        elif name.startswith((".data", ".sdata")):
            total["data"] += size
        elif name.startswith((".bss", ".sbss")):
            total["bss"] += size
    return total


def worst_stack(callgraph_path):
    """Worst-case stack of each entry point: its own frame plus the deepest callee chain, from the
    VCG graph GCC writes with -fcallgraph-info=su. Callees outside the object (no frame size in
    the graph) are listed; they count 0 here, which is what the painted figure checks."""
    text = open(callgraph_path).read()
    frame, callees, external = {}, {}, set()
    for m in re.finditer(r'node: \{ title: "([^"]+)" label: "([^"]*)"', text):
        title, label = m.group(1), m.group(2)
        s = re.search(r"(\d+) bytes \((static|dynamic[^)]*)\)", label)
        if s:
            frame[title] = int(s.group(1))
            if s.group(2) != "static":
                external.add(title + " (" + s.group(2) + ")")
        else:
            frame[title] = 0
            external.add(title)
    for m in re.finditer(r'edge: \{ sourcename: "([^"]+)" targetname: "([^"]+)"', text):
        callees.setdefault(m.group(1), set()).add(m.group(2))

    memo = {}

    def depth(node, seen=()):
        if node in seen:
            raise SystemExit(f"report.py: recursion through {node}: no static bound")
        if node not in memo:
            memo[node] = frame.get(node, 0) + max(
                (depth(c, seen + (node,)) for c in callees.get(node, ())), default=0)
        return memo[node]

    return {e: depth("ugrad_size_" + e) for e in ENTRIES}, sorted(external)


def forward_alone(size_tool, obj, forward_elf):
    """Flash of forward alone: the library's symbols the forward-only link keeps (functions with
    their literal pools, and tables), runtime helpers not counted."""
    nm = size_tool.replace("size", "nm")
    mine = {l.split()[-1] for l in subprocess.run([nm, "--defined-only", obj], check=True, capture_output=True,
                                                    text=True).stdout.splitlines() if l.strip()}
    kept = 0
    for line in subprocess.run([nm, "-S", "--defined-only", forward_elf], check=True, capture_output=True,
                               text=True).stdout.splitlines():
        m = re.match(r"^[0-9a-f]+ ([0-9a-f]+) [TtWRrVv] (\S+)$", line)
        if m and m.group(2) in mine:
            kept += int(m.group(1), 16)
    return kept


def row(argv):
    target, size_tool, obj, linked, forward_elf, callgraph = argv[:6]
    argv = argv[:4] + argv[5:]
    painted_path = next((a for a in argv[5:] if a.endswith(".out")), None)
    q8_path = next((a for a in argv[5:] if a.endswith(".o")), None)
    painted = {}
    if painted_path:
        for line in open(painted_path):
            m = re.match(r"^stack (\S+) (\d+)$", line.strip())
            if m:
                painted[m.group(1)] = int(m.group(2))
        if sorted(painted) != sorted(ENTRIES + ["baseline"]):
            raise SystemExit(f"report.py: {painted_path} lacks stack lines for {ENTRIES} and the baseline")
        # The painting function's own frame is never painted: subtract the reading of no call.
        baseline = painted.pop("baseline")
        painted = {e: b - baseline for e, b in painted.items()}
    own = classify(sections(size_tool, obj))
    total = classify(sections(size_tool, linked))
    static, external = worst_stack(callgraph)
    nm = subprocess.run([size_tool.replace("size", "nm"), "--defined-only", linked],
                        check=True, capture_output=True, text=True).stdout
    own_symbols = subprocess.run([size_tool.replace("size", "nm"), "--defined-only", obj],
                                 check=True, capture_output=True, text=True).stdout
    mine = {l.split()[-1] for l in own_symbols.splitlines() if l.strip()}
    helpers = sorted({l.split()[-1] for l in nm.splitlines()
                      if re.match(r"^[0-9a-f]+ [TtW] ", l) and l.split()[-1] not in mine
                      and not l.split()[-1].startswith("$")})
    sized = subprocess.run([size_tool.replace("size", "nm"), "-S", "-C", "--defined-only", obj],
                           check=True, capture_output=True, text=True).stdout
    symbols = {}
    for line in sized.splitlines():
        m = re.match(r"^[0-9a-f]+ ([0-9a-f]+) [TtWVRr] (.*)$", line)
        if m:
            symbols[m.group(2)] = symbols.get(m.group(2), 0) + int(m.group(1), 16)
    q8 = classify(sections(size_tool, q8_path)) if q8_path else None
    json.dump({"target": target, "own": own, "linked": total, "forward": forward_alone(size_tool, obj, forward_elf),
               "static": static, "painted": painted,
               "external": external, "helpers": helpers, "symbols": symbols, "q8": q8}, sys.stdout, indent=1)
    print()
    return 0


def table(paths):
    rows = [json.load(open(p)) for p in paths]
    out = []
    out.append("| target | code (.text) | rodata | flash | RAM (.data + .bss) | flash with runtime helpers | "
               "forward alone | stack, worst path (-fstack-usage) | stack, painted in QEMU | int8 path (`ugrad::q8`): flash |")
    out.append("|---|" + "---:|" * 9)
    for r in rows:
        own, linked = r["own"], r["linked"]
        flash = own["text"] + own["rodata"]
        linked_flash = linked["text"] + linked["rodata"]
        static = max(r["static"].values())
        painted = max(r["painted"].values()) if r["painted"] else None
        out.append(f"| `{r['target']}` | {own['text']:,} B | {own['rodata']:,} B | {flash:,} B | "
                   f"{own['data'] + own['bss']} B | {linked_flash:,} B | {r['forward']:,} B | {static} B | "
                   + (f"{painted} B |" if painted is not None else "(not emulated) |")
                   + (f" {r['q8']['text'] + r['q8']['rodata']:,} B |" if r.get("q8") else " – |"))
    out.append("")
    out.append("The int8 path's column: `q8::forward` and `q8::input_gradient` of the same 64-32-10 network "
               "(tools/q8/measured.cpp, -Os, weights excluded; README's int8 section gives their size), "
               "its code and its tables (sigmoid thresholds, exp).")
    out.append("")
    out.append("Per call (worst path / painted), bytes of stack beyond `Activations`:")
    out.append("")
    out.append("| target | " + " | ".join(f"`{e}`" for e in ENTRIES) + " | runtime helpers linked |")
    out.append("|---|" + "---:|" * len(ENTRIES) + "---|")
    for r in rows:
        cells = []
        for e in ENTRIES:
            p = r["painted"].get(e)
            cells.append(f"{r['static'][e]} / {p}" if p is not None else f"{r['static'][e]} / –")
        soft = [h for h in r["helpers"] if h.startswith("__")]
        libc = [h for h in r["helpers"] if not h.startswith("__")]
        helpers = ", ".join(([f"{len(soft)} soft-float symbols (libgcc)"] if soft else [])
                            + [f"`{h}`" for h in libc]) or "none"
        out.append(f"| `{r['target']}` | " + " | ".join(cells) + f" | {helpers} |")
    for r in rows:
        over = {e: r["painted"][e] - r["static"][e] for e in r["painted"] if r["painted"][e] > r["static"][e]}
        if over:
            out.append("")
            out.append(f"`{r['target']}`: painting found more than the worst path for "
                       + ", ".join(f"`{e}` (+{n} B)" for e, n in over.items())
                       + ": the frames of runtime helpers, which the call graph cannot see.")
    m4 = next((r for r in rows if r["target"] == "mps2-an386"), None)
    if m4:
        code = m4["own"]["text"] + m4["own"]["rodata"]
        ram = m4["own"]["data"] + m4["own"]["bss"]
        stack = max(max(m4["static"].values()), max(m4["painted"].values(), default=0))
        groups = {"exp, log, sigmoid and the exp table": 0, "kernels": 0,
                  "forward, cross_entropy, input_gradient and their checks": 0}
        for name, n in m4.get("symbols", {}).items():
            if re.search(r"ugrad::(exp|log|sigmoid_pair|detail::exp_)", name):
                groups["exp, log, sigmoid and the exp table"] += n
            elif re.search(r"ugrad::(target|compact|scalar|vector)::", name):
                groups["kernels"] += n
            else:
                groups["forward, cross_entropy, input_gradient and their checks"] += n
        out.append("")
        out.append("Where the M4F's bytes go (symbol sizes with their literal pools; a function the compiler inlined counts where it landed, as log's main path in `forward`): "
                   + "; ".join(f"{k} {v:,} B" for k, v in groups.items()) + ".")
        out.append("")
        out.append("Goals on the M4F: code ≤ 2,048 B: **%s** (%s B); no `.data`/`.bss`: **%s** (%d B); "
                   "stack ≤ 256 B beyond `Activations`: **%s** (%d B)." % (
                       "met" if code <= GOAL_CODE else "missed", f"{code:,}",
                       "met" if ram == 0 else "missed", ram,
                       "met" if stack <= GOAL_STACK else "missed", stack))
    print("\n".join(out))
    return 0


def main():
    if len(sys.argv) >= 8 and sys.argv[1] == "row":
        return row(sys.argv[2:])
    if len(sys.argv) >= 3 and sys.argv[1] == "table":
        return table(sys.argv[2:])
    print(__doc__.strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
