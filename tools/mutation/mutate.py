#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""tools/mutation/mutate.py — sampled mutation testing of include/ugrad (`make mutation`).

Plants one small bug (a mutant) at a time in a temporary copy of include/ugrad, builds what the
bug can reach against that copy, and runs it. A mutant is killed when any of these fails:
  1. the host doctest suite (tests/*.cpp), one test file at a time, each linked with tests/main.cpp
     and run with --abort-after=1;
  2. the golden programs (tests/golden, tests/q8): their lines must equal the committed hashes;
  3. the compile-fail checks (the `// case:` lines of tests/checks/wrong_size.cpp: each case must
     still fail, with its `first:` words in the message; the file must still compile).
Only the test files and golden programs that include the mutated header are built, in this order:
those that have killed mutants of that header earlier in the run first, then the cheapest (as the
unmutated suite timed them); the first failure kills the mutant.
A mutant that survives this with x86-64's default kernels (the vector schedule; tests/test_kernels.cpp
runs the scalar and compact ones explicitly) in a header whose code the schedule switches change
(kernels.hpp, elementwise.hpp) is tried once more with -DUGRAD_PORTABLE_KERNELS=1
-DUGRAD_SOFT_FLOAT_LANES=1 (the portable scalar schedule as a core without an FPU runs it), then
counted as a survivor. The campaign runs in a copy of the sources taken when it starts. A mutant that does not compile (an error, not a warning) is "stillborn" and
counts nowhere. A survivor listed in tools/mutation/equivalent.txt (reviewed: it cannot change
what any call computes) is "equivalent"; the score is killed / (killed + survived), equivalent left
out.

Mutation operators (each applied at one place, one at a time):
  relational   < <= > >= == != : each to its boundary neighbour (< to <=, ...) and to its negation
  arithmetic   binary + to -, - to +, * to +, / to *, % to *; << to >>, >> to <<
  logical      && to ||, || to &&; a `!` removed
  constant     an integer literal n to n + 1, except 1 to 0 (so 0 to 1; −128, a minus and 128, to −129)
  statement    an expression statement (an assignment, ++/--, a call) replaced by `;`
Binary operators are recognized by the spaces around them (the house style; `a<b>` is a template).
Never mutated: comments, preprocessor lines, static_assert declarations (their mutants are the
compile-fail checks' business, and tests/checks covers them), lines the host build at -O1 does not
compile (#if branches for other cores or for -Os: found by preprocessing), the instruction-set
headers (include/ugrad/armv7em_vfp/, q8/armv6m.hpp, armv7em.hpp, armv7m.hpp: they run on their
cores, checked against the portable kernels there), the generated tables (q8/tables.hpp, checked
entry by entry by make q8-tables-check), and headers that only include others.

Sampling: every candidate mutant of every header is listed, then each header's are sampled with a
random generator seeded by (--seed, the header's path): rate = --sample / all candidates, at least
one per header. So the same headers give the same mutants, and a change to one header leaves the
others' samples as they were.

  tools/mutation/mutate.py [--sample N] [--seed S] [--jobs J] [--file include/ugrad/x.hpp ...]
                           [--only TEXT ...] [--limit N] [--report docs/mutation.md] [--list]
                           [--no-baseline]
"""

import argparse
import hashlib
import json
import os
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from concurrent.futures import ThreadPoolExecutor

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
CXX = "g++"
BASE_FLAGS = ["-std=c++17", "-ffp-contract=off", "-O1", "-w"]
PORTABLE_FLAGS = ["-DUGRAD_PORTABLE_KERNELS=1", "-DUGRAD_SOFT_FLOAT_LANES=1"]
# A header whose code these switches change gets the second, portable run.
SCHEDULE_SWITCHES = re.compile(r"UGRAD_(SOFT_FLOAT_LANES|PORTABLE_KERNELS|VECTOR_KERNELS)|Schedule::")
EXCLUDED = {
    "include/ugrad/fp_contract.hpp": "macros only",
    "include/ugrad/ugrad.hpp": "includes the others",
    "include/ugrad/q8/q8.hpp": "includes the others",
    "include/ugrad/q8/tables.hpp": "generated tables, checked entry by entry by make q8-tables-check",
    "include/ugrad/q8/armv6m.hpp": "Cortex-M0 kernels: run on that core only",
    "include/ugrad/q8/armv7em.hpp": "Armv7E-M DSP kernels: run on those cores only",
    "include/ugrad/q8/armv7m.hpp": "Cortex-M3 kernels: run on that core only",
}
EQUIVALENT_FILE = os.path.join(ROOT, "tools", "mutation", "equivalent.txt")
# The unmutated suite's times (compile and run, per test file and golden program), from the last
# run with a baseline; --no-baseline orders by them.
BASELINE_CACHE = os.path.join(ROOT, "build", "mutation", "baseline.json")


def log(*a):
    print(*a, flush=True)


# ---- the headers and their candidate mutants ----

def headers():
    found = []
    for d, _, files in os.walk(os.path.join(ROOT, "include", "ugrad")):
        for f in files:
            rel = os.path.relpath(os.path.join(d, f), ROOT)
            if rel.endswith(".hpp") and rel not in EXCLUDED and "/armv7em_vfp/" not in rel:
                found.append(rel)
    return sorted(found)


def blank_comments_and_strings(text):
    """The text with comments and string/char literals replaced by spaces (newlines kept)."""
    out = []
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if text.startswith("//", i):
            j = text.find("\n", i)
            j = n if j < 0 else j
            out.append(" " * (j - i))
            i = j
        elif text.startswith("/*", i):
            j = text.find("*/", i + 2)
            j = n if j < 0 else j + 2
            out.append("".join(ch if ch == "\n" else " " for ch in text[i:j]))
            i = j
        elif c in "\"'":
            j = i + 1
            while j < n and text[j] != c:
                j += 2 if text[j] == "\\" else 1
            out.append(c + " " * (j - i - 1) + (c if j < n else ""))
            i = j + 1
        else:
            out.append(c)
            i += 1
    return "".join(out)


def static_assert_lines(code):
    """Line numbers (1-based) covered by static_assert(...) declarations."""
    lines = set()
    for m in re.finditer(r"\bstatic_assert\s*\(", code):
        depth, j = 0, m.end() - 1
        while j < len(code):
            if code[j] == "(":
                depth += 1
            elif code[j] == ")":
                depth -= 1
                if depth == 0:
                    break
            j += 1
        first = code.count("\n", 0, m.start()) + 1
        last = code.count("\n", 0, j) + 1
        lines.update(range(first, last + 1))
    return lines


def compiled_lines(files):
    """{file: set of line numbers} that survive the preprocessor in the host build at -O1."""
    src = "".join("#include <%s>\n" % f[len("include/"):] for f in files)
    out = subprocess.run([CXX] + BASE_FLAGS + ["-I", os.path.join(ROOT, "include"), "-E", "-x", "c++", "-"],
                         input=src, capture_output=True, text=True, check=True).stdout
    result = {f: set() for f in files}
    by_path = {os.path.join(ROOT, f): f for f in files}
    current, line = None, 0
    for text in out.split("\n"):
        m = re.match(r'# (\d+) "([^"]*)"', text)
        if m:
            line = int(m.group(1))
            current = by_path.get(os.path.normpath(m.group(2)))
            continue
        if current is not None and text.strip():
            result[current].add(line)
        line += 1
    return result


REL_SWAPS = {"<": ["<=", ">="], "<=": ["<", ">"], ">": [">=", "<="], ">=": [">", "<"], "==": ["!="], "!=": ["=="]}
ARITH_SWAPS = {"+": ["-"], "-": ["+"], "*": ["+"], "/": ["*"], "%": ["*"], "<<": [">>"], ">>": ["<<"]}
LOGIC_SWAPS = {"&&": ["||"], "||": ["&&"]}
BINARY = re.compile(r"(?<= )(<<|>>|<=|>=|==|!=|&&|\|\||<|>|\+|-|\*|/|%)(?= )")
INTEGER = re.compile(r"(?<![\w.])(?<![eE][+-])(0[xX][0-9a-fA-F]+|0|[1-9]\d*)([uU]?[lL]{0,2}[uU]?)(?![\w.])")
NOT = re.compile(r"!(?!=)")
STATEMENT = re.compile(r"^(\s*)((?:\+\+|--)?[A-Za-z_][\w.\[\]>:-]*(?:\s*\[[^\]]*\])*\s*(?:[-+*/|&^]?=(?!=)|\+\+|--|\()[^;{}]*;)\s*$")
DECLARATION = re.compile(r"^\s*(?:const\s+|constexpr\s+|static\s+)*(?:[A-Za-z_][\w:<>,\s]*?[\s&*])[A-Za-z_]\w*(?:\s*\[[^\]]*\])*\s*(?:=|\{|;)")
KEYWORDS = re.compile(r"^\s*(return|if|for|while|else|do|case|using|template|typedef|namespace|struct|class|goto|break|continue)\b")


def candidates(rel, active):
    """Every candidate mutant of one header: (line, column, old, new, operator)."""
    text = open(os.path.join(ROOT, rel)).read()
    code = blank_comments_and_strings(text)
    skip = static_assert_lines(code)
    muts = []
    for number, line in enumerate(code.split("\n"), start=1):
        if number in skip or number not in active or line.lstrip().startswith("#") or not line.strip():
            continue
        if re.match(r"^\s*(template|using|typedef)\b", line):
            continue
        for m in BINARY.finditer(line):
            op = m.group(1)
            for table, kind in ((REL_SWAPS, "relational"), (ARITH_SWAPS, "arithmetic"), (LOGIC_SWAPS, "logical")):
                for new in table.get(op, []):
                    muts.append((number, m.start(), op, new, kind))
        for m in NOT.finditer(line):
            muts.append((number, m.start(), "!", "", "logical"))
        for m in INTEGER.finditer(line):
            digits, suffix = m.group(1), m.group(2)
            value = int(digits, 0)
            for v in ([0] if value == 1 else [value + 1]):
                lit = (hex(v) if digits.lower().startswith("0x") else str(v)) + suffix
                muts.append((number, m.start(), m.group(0), lit, "constant"))
        st = STATEMENT.match(line)
        if st and not KEYWORDS.match(line) and not DECLARATION.match(line):
            body = st.group(2)
            if body.count("(") == body.count(")"):
                muts.append((number, len(st.group(1)), body, ";", "statement"))
    return text, muts


def apply(text, mutant):
    number, col, old, new, _ = mutant
    lines = text.split("\n")
    line = lines[number - 1]
    assert line[col:col + len(old)] == old, (number, col, old, line)
    lines[number - 1] = line[:col] + new + line[col + len(old):]
    return "\n".join(lines)


def sample(all_muts, total, seed, size):
    rate = size / total if total else 0
    chosen = []
    for rel in sorted(all_muts):
        muts = all_muts[rel][1]
        if not muts:
            continue
        k = min(len(muts), max(1, round(rate * len(muts))))
        rng = random.Random(int(hashlib.sha256(("%d:%s" % (seed, rel)).encode()).hexdigest()[:16], 16))
        for m in sorted(rng.sample(muts, k)):
            chosen.append((rel, m))
    return chosen


# ---- what a mutant is run against ----

def compile_fail_cases():
    """(macro, words) of each `// case:` of tests/checks/wrong_size.cpp (tests/checks/compile_fail.py
    reads the same lines): the `first:` text must be in the compiler's message."""
    sys.path.insert(0, os.path.join(SRC, "tests", "checks"))
    import compile_fail
    return [(macro, first) for macro, first, _ in compile_fail.cases(os.path.join(SRC, "tests", "checks", "wrong_size.cpp"))]


# The copy of the sources the campaign runs in (set by main): editing the worktree meanwhile
# changes nothing.
SRC = ROOT


def snapshot(work):
    global SRC
    SRC = os.path.join(work, "src")
    for d in ("include", "tests", "examples", "tools", "data", "mk"):
        shutil.copytree(os.path.join(ROOT, d), os.path.join(SRC, d), ignore=shutil.ignore_patterns("build", "__pycache__"))


def run(cmd, timeout=None, cwd=None):
    cwd = cwd or SRC
    try:
        p = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=timeout)
        return p.returncode, p.stdout + p.stderr
    except subprocess.TimeoutExpired:
        return "timeout", ""


class Suite:
    def __init__(self, work, jobs):
        self.work = work
        self.tests = sorted(f for f in os.listdir(os.path.join(SRC, "tests")) if re.match(r"test_.*\.cpp$", f))
        self.cases = compile_fail_cases()
        self.cost = {}
        self.deps = {}
        self.affinity = {}
        self.lock = threading.Lock()
        self.jobs = jobs
        self.skip_baseline = False

    def flags(self, include, extra):
        return [CXX] + BASE_FLAGS + extra + ["-I", include, "-I", os.path.join(SRC, "tests")]

    def baseline(self, reached_headers):
        """Builds main.o, finds the headers each test file includes, and times (compile, run) each
        test file that includes one of reached_headers on the unmutated library."""
        inc = os.path.join(SRC, "include")
        for t in self.tests:
            dep = subprocess.run(self.flags(inc, []) + ["-MM", "tests/" + t], cwd=SRC, capture_output=True,
                                 text=True).stdout.replace("\\\n", " ").split()
            self.deps[t] = {os.path.relpath(os.path.join(SRC, d), SRC) for d in dep[1:]}
        self.tests = [t for t in self.tests if self.deps[t] & reached_headers]
        if self.skip_baseline:
            self.main_o = os.path.join(self.work, "main.o")
            self.main_portable_o = os.path.join(self.work, "main-portable.o")
            run(self.flags(inc, []) + ["-c", "tests/main.cpp", "-o", self.main_o])
            run(self.flags(inc, PORTABLE_FLAGS) + ["-c", "tests/main.cpp", "-o", self.main_portable_o])
            cached = json.load(open(BASELINE_CACHE)) if os.path.exists(BASELINE_CACHE) else {}
            self.cost = {t: cached.get(t, os.path.getsize(os.path.join(SRC, "tests", t)) / 1000) for t in self.tests}
            for name, _ in self.GOLDEN:
                self.cost["golden:" + name] = cached.get("golden:" + name, 100)
            self.timeout = {t: 20 + 5 * c for t, c in self.cost.items()}
        self.golden_deps = {}
        for name, srcs in self.GOLDEN:
            dep = subprocess.run(self.flags(inc, []) + ["-MM"] + srcs, cwd=SRC, capture_output=True,
                                 text=True).stdout.replace("\\\n", " ").split()
            self.golden_deps[name] = {os.path.relpath(os.path.join(SRC, d), SRC) for d in dep if d.endswith(".hpp")}
        if self.skip_baseline:
            return
        self.main_o = os.path.join(self.work, "main.o")
        rc, out = run(self.flags(inc, []) + ["-c", "tests/main.cpp", "-o", self.main_o])
        if rc != 0:
            sys.exit("mutation: tests/main.cpp does not build:\n" + out)
        self.main_portable_o = os.path.join(self.work, "main-portable.o")
        run(self.flags(inc, PORTABLE_FLAGS) + ["-c", "tests/main.cpp", "-o", self.main_portable_o])

        def one(t):
            start = time.time()
            rc, out = self.test_file(inc, t, [], self.work)
            return t, rc, out, time.time() - start

        with ThreadPoolExecutor(self.jobs) as pool:
            for t, rc, out, took in pool.map(one, self.tests):
                if rc != 0:
                    sys.exit("mutation: %s fails on the unmutated library (%s):\n%s" % (t, rc, out[-3000:]))
                self.cost[t] = took
                log("  baseline %-32s %6.1f s" % (t, took))
        ok, detail = self.compile_fail(inc, [], self.work)
        if not ok:
            sys.exit("mutation: the compile-fail checks fail on the unmutated library: " + detail)
        for name, _ in self.GOLDEN:
            start = time.time()
            ok, detail = self.golden(inc, [], self.work, only=name)
            if not ok:
                sys.exit("mutation: the golden programs fail on the unmutated library: " + detail)
            self.cost["golden:" + name] = time.time() - start
            log("  baseline %-32s %6.1f s" % ("golden:" + name, self.cost["golden:" + name]))
        os.makedirs(os.path.dirname(BASELINE_CACHE), exist_ok=True)
        with open(BASELINE_CACHE, "w") as f:
            json.dump(self.cost, f, indent=1)
        self.timeout = {t: 20 + 5 * c for t, c in self.cost.items()}

    def test_file(self, include, t, extra, tmp, timeout=None):
        obj = os.path.join(tmp, t[:-4] + ".o")
        exe = os.path.join(tmp, t[:-4])
        rc, out = run(self.flags(include, extra) + ["-c", "tests/" + t, "-o", obj])
        if rc != 0:
            return "compile", out
        main_o = self.main_portable_o if extra else self.main_o
        rc, out = run([CXX, obj, main_o, "-o", exe])
        if rc != 0:
            return "link", out
        return run([exe, "--abort-after=1", "--no-intro", "--no-version"], timeout=timeout)

    def compile_fail(self, include, extra, tmp):
        src = "tests/checks/wrong_size.cpp"
        base = self.flags(include, extra) + ["-fsyntax-only", "-Wall", "-Wextra", "-Wpedantic", "-Werror", src]
        rc, out = run(base)
        if rc != 0:
            return False, "wrong_size.cpp no longer compiles"
        for macro, words in self.cases:
            rc, out = run(base + ["-D" + macro])
            if rc == 0:
                return False, "%s compiles" % macro
            if words not in out:
                return False, "%s rejected without '%s'" % (macro, words)
        return True, ""

    GOLDEN = (("golden", ["tests/golden/golden_vectors.cpp", "tests/golden/golden_networks.cpp",
                          "tests/golden/golden_network_edges.cpp", "tests/golden/golden_conv.cpp",
                          "tests/golden/host_main.cpp"]),
              ("q8", ["tests/q8/golden_q8.cpp", "tests/q8/host_main.cpp"]))

    def golden(self, include, extra, tmp, rel=None, only=None):
        for name, srcs in self.GOLDEN:
            if (rel is not None and rel not in self.golden_deps[name]) or (only and name != only):
                continue
            exe = os.path.join(tmp, name + "-golden")
            rc, out = run(self.flags(include, extra) + srcs + ["-o", exe])
            if rc != 0:
                return None, name + " golden program does not compile"
            rc, out = run([exe], timeout=120)
            if rc != 0:
                return False, "%s golden program exits %s" % (name, rc)
            got = [l for l in out.split("\n") if l.startswith("golden ")]
            want = [l for l in open(os.path.join(SRC, "tests", name, "golden.hash")).read().split("\n")
                    if l.startswith("golden ")]
            if got != want:
                return False, "%s golden lines differ" % name
        return True, ""

    def order(self, rel):
        reached = [t for t in self.tests if rel in self.deps.get(t, ())]
        with self.lock:
            aff = dict(self.affinity.get(rel, {}))
        reached += ["golden:" + name for name, _ in self.GOLDEN if rel in self.golden_deps[name]]
        return sorted(reached, key=lambda t: (-aff.get(t, 0), self.cost.get(t, 1e9)))

    def remember(self, rel, t):
        with self.lock:
            self.affinity.setdefault(rel, {})
            self.affinity[rel][t] = self.affinity[rel].get(t, 0) + 1

    def judge(self, rel, include, extra, tmp):
        """'killed by X', 'survived' or 'stillborn'. The golden programs first: one build each, and
        they run forward, the loss and every gradient of many networks, compared bit for bit."""
        tried = 0
        for t in self.order(rel):
            if t.startswith("golden:"):
                ok, detail = self.golden(include, extra, tmp, rel, only=t[len("golden:"):])
                if ok is None:
                    return "stillborn", detail
                if not ok:
                    self.remember(rel, t)
                    return "killed", detail
                tried += 1
                continue
            rc, out = self.test_file(include, t, extra, tmp, timeout=self.timeout[t])
            if rc == "compile" or rc == "link":
                return "stillborn", out
            tried += 1
            if rc != 0:
                self.remember(rel, t)
                return "killed", "%s (%s)" % (t, "timeout" if rc == "timeout" else "fails")
        ok, detail = self.compile_fail(include, extra, tmp)
        if not ok:
            return "killed", "compile-fail checks: " + detail
        return "survived", "%d test files" % tried


def mutant_id(rel, m):
    number, col, old, new, kind = m
    return "%s:%d:%d %s %r -> %r" % (rel, number, col + 1, kind, old, new)


def read_equivalent():
    """tools/mutation/equivalent.txt: `file:line:column operator 'old' -> 'new'  # reason`."""
    found = {}
    if os.path.exists(EQUIVALENT_FILE):
        for line in open(EQUIVALENT_FILE):
            line = line.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            key, _, reason = line.partition("  # ")
            found[key.strip()] = reason.strip()
    return found


LOG_LINE = re.compile(r"^\[\s*\d+/\d+\] (\w+)\s+(\S+?):(\d+):(\d+) (\w+) ('.*'|\".*\") -> ('.*'|\".*\")  \(\d+ s\) ?(.*)$")


def results_from_log(path, all_muts):
    """The verdicts a campaign printed, and its wall time and starting load (from its report)."""
    import ast
    results, wall, load = [], 0.0, 0.0
    for text in open(path):
        m = LOG_LINE.match(text.rstrip("\n"))
        if m:
            verdict, rel, number, col, kind, old, new, detail = m.groups()
            mut = (int(number), int(col) - 1, ast.literal_eval(old), ast.literal_eval(new), kind)
            line = all_muts[rel][0].split("\n")[mut[0] - 1].strip() if rel in all_muts else ""
            results.append((rel, mut, verdict, detail, line))
        w = re.search(r"jobs, (\d+) minutes \(load average ([\d.]+)", text)
        if w:
            wall, load = 60.0 * float(w.group(1)), float(w.group(2))
    return results, wall, load


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--sample", type=int, default=60, help="mutants to sample over all headers (default 60)")
    ap.add_argument("--seed", type=int, default=1729)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--file", action="append", default=[], help="only this header (repeatable)")
    ap.add_argument("--only", action="append", default=[],
                    help="only the sampled mutants whose name holds this text, e.g. 'math.hpp:219:' (repeatable)")
    ap.add_argument("--limit", type=int, default=0, help="run only the first N sampled mutants")
    ap.add_argument("--report", default="", help="write the report here (make mutation: docs/mutation.md)")
    ap.add_argument("--list", action="store_true", help="list the sampled mutants and stop")
    ap.add_argument("--from-log", default="",
                    help="take the verdicts of a campaign's log, run its survivors again (new tests since?) "
                         "and write the report (its wall time is the campaign's)")
    ap.add_argument("--no-baseline", action="store_true",
                    help="do not first run the suite on the unmutated library (quicker; run make test-host first)")
    args = ap.parse_args()
    os.chdir(ROOT)

    files = headers()
    active = compiled_lines(files)
    all_muts = {rel: candidates(rel, active[rel]) for rel in files}
    total = sum(len(m) for _, m in all_muts.values())
    chosen = sample(all_muts, total, args.seed, args.sample)
    if args.file:
        wanted = {os.path.normpath(f) for f in args.file}
        chosen = [(rel, m) for rel, m in chosen if rel in wanted]
    if args.only:
        chosen = [(rel, m) for rel, m in chosen if any(o in mutant_id(rel, m) for o in args.only)]
    if args.limit:
        chosen = chosen[:args.limit]
    if args.list:
        for rel, m in chosen:
            log(mutant_id(rel, m))
        log("%d of %d candidate mutants" % (len(chosen), total))
        return 0

    earlier = []
    if args.from_log:
        earlier, campaign_wall, campaign_load = results_from_log(args.from_log, all_muts)
        again = {mutant_id(rel, m) for rel, m, v, _, _ in earlier if v in ("survived", "equivalent")}
        chosen = [(rel, m) for rel, m, v, _, _ in earlier if mutant_id(rel, m) in again]
    started = time.time()
    load = os.getloadavg()[0]
    work = tempfile.mkdtemp(prefix="ugrad-mutation-")
    log("mutation: %d mutants sampled of %d candidates (seed %d) in %d headers; %d jobs; work in %s" %
        (len(chosen), total, args.seed, len(files), args.jobs, work))
    snapshot(work)
    suite = Suite(work, args.jobs)
    suite.skip_baseline = args.no_baseline
    log("mutation: the unmutated suite, timed")
    suite.baseline({rel for rel, _ in chosen})
    equivalent = read_equivalent()
    results = []

    def one(index_item):
        index, (rel, m) = index_item
        tmp = os.path.join(work, "m%04d" % index)
        shutil.copytree(os.path.join(SRC, "include"), os.path.join(tmp, "include"))
        path = os.path.join(tmp, rel)
        text = all_muts[rel][0]
        with open(path, "w") as f:
            f.write(apply(text, m))
        t0 = time.time()
        verdict, detail = suite.judge(rel, os.path.join(tmp, "include"), [], tmp)
        if verdict == "survived" and SCHEDULE_SWITCHES.search(text):
            verdict, detail2 = suite.judge(rel, os.path.join(tmp, "include"), PORTABLE_FLAGS, tmp)
            detail = detail2 + " (portable kernels)" if verdict != "survived" else detail
            if verdict == "stillborn":
                verdict, detail = "survived", detail + "; the portable build does not compile"
        key = mutant_id(rel, m)
        if verdict == "survived" and key in equivalent:
            verdict, detail = "equivalent", equivalent[key]
        shutil.rmtree(tmp, ignore_errors=True)
        line = all_muts[rel][0].split("\n")[m[0] - 1].strip()
        log("[%3d/%d] %-10s %s  (%.0f s) %s" % (index + 1, len(chosen), verdict, key, time.time() - t0, detail))
        return rel, m, verdict, detail, line

    with ThreadPoolExecutor(args.jobs) as pool:
        results = list(pool.map(one, enumerate(chosen)))
    shutil.rmtree(work, ignore_errors=True)
    wall = time.time() - started
    if args.from_log:
        rerun = {mutant_id(rel, m): r for r in results for rel, m in [r[:2]]}
        results = [rerun.get(mutant_id(r[0], r[1]), r) for r in earlier]
        wall, load = campaign_wall, campaign_load
    report = make_report(results, total, args, wall, load, all_muts)
    log(report)
    if args.report:
        with open(args.report, "w") as f:
            f.write(report)
        log("mutation: wrote " + args.report)
    return 0


def make_report(results, total, args, wall, load, all_muts):
    per = {}
    for rel, m, verdict, detail, line in results:
        per.setdefault(rel, {"killed": 0, "survived": 0, "equivalent": 0, "stillborn": 0})[verdict] += 1
    killed = sum(p["killed"] for p in per.values())
    survived = sum(p["survived"] for p in per.values())
    equivalent = sum(p["equivalent"] for p in per.values())
    stillborn = sum(p["stillborn"] for p in per.values())
    score = 100.0 * killed / (killed + survived) if killed + survived else 100.0
    out = []
    out.append("# Mutation testing\n")
    out.append("Generated by `make mutation` (tools/mutation/mutate.py, which documents the operators, what is "
               "sampled and what a mutant is run against); do not edit by hand.\n")
    out.append("Each mutant plants one small bug in a copy of include/ugrad, built at -O1 with g++ and run "
               "against the host suite, the compile-fail checks and both golden programs. **Score: %.1f %%** of "
               "the mutants that can change behaviour are killed (%d killed, %d survived; %d equivalent, %d "
               "did not compile). Seed %d, %d mutants sampled of %d candidates, %d jobs, %.0f minutes "
               "(load average %.1f at the start).\n" %
               (score, killed, survived, equivalent, stillborn, args.seed, len(results), total, args.jobs,
                wall / 60, load))
    if args.from_log:
        out.append("The verdicts are the campaign's, with its survivors run again after their tests were written "
                   "(`--from-log`): a mutant that no longer compiles then counts as did not compile.\n")
    out.append("| header | candidates | sampled | killed | survived | equivalent | did not compile | score |")
    out.append("|---|---:|---:|---:|---:|---:|---:|---:|")
    for rel in sorted(per):
        p = per[rel]
        k, s = p["killed"], p["survived"]
        out.append("| %s | %d | %d | %d | %d | %d | %d | %s |" % (
            rel[len("include/"):], len(all_muts[rel][1]), sum(p.values()), k, s, p["equivalent"], p["stillborn"],
            "%.1f %%" % (100.0 * k / (k + s)) if k + s else "–"))
    out.append("| **all** | %d | %d | %d | %d | %d | %d | **%.1f %%** |\n" % (
        total, len(results), killed, survived, equivalent, stillborn, score))
    for title, which in (("Survivors", "survived"), ("Equivalent (tools/mutation/equivalent.txt)", "equivalent")):
        rows = [(rel, m, d, line) for rel, m, v, d, line in results if v == which]
        out.append("## %s: %d\n" % (title, len(rows)))
        for rel, m, d, line in rows:
            out.append("- `%s` in `%s` — %s" % (mutant_id(rel, m), line.replace("`", "'"), d))
        out.append("")
    return "\n".join(out) + "\n"


if __name__ == "__main__":
    sys.exit(main())
