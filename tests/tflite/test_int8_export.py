#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The int8 `.tflite` models exported to C++ (tools/export_model.py → include/ugrad/tflite/), compiled
with g++ and clang++ and the repo's warnings as errors, give exactly TFLM's output tensors on every reference input;
the fixed-point primitives equal the numpy reference's; the planned buffer holds no two live tensors in
the same bytes (but an in-place operator's output over its dying input, at the same offset: int8_export's
in_place rule) and is smaller than TFLM's arena; a
model the int8 path does not take is refused in one line, exit status 1, no file written."""
import itertools
import json
import os
import struct
import subprocess
import sys
import tempfile
import unittest

import common
from common import DATA, MODELS, ROOT

import int8_export
import reader

EXPORTER = ROOT / "tools" / "export_model.py"
BUILD = ROOT / "build" / "tflite-int8"
WARN = ["-Wall", "-Wextra", "-Wpedantic", "-Wconversion", "-Wdouble-promotion", "-Wshadow", "-Werror"]
CXX = "g++"
COMPILERS = ["g++", "clang++"]  # the models are run as each builds them


def export(model, out, name):
    return subprocess.run([sys.executable, str(EXPORTER), str(model), "--name", name, "--out", str(out)],
                          capture_output=True, text=True)


class ModelsBitExactAgainstTflm(unittest.TestCase):
    def test_every_model_every_case(self):
        BUILD.mkdir(parents=True, exist_ok=True)
        for name in MODELS:
            header = BUILD / f"{name}.hpp"
            r = export(DATA / f"{name}.tflite", header, name)
            self.assertEqual(r.returncode, 0, r.stderr)
            ref = json.loads((DATA / f"{name}.json").read_text())
            lines = "".join(case["input_hex"] + "\n" for case in ref["cases"])
            for cxx in COMPILERS:
                with self.subTest(model=name, compiler=cxx):
                    program = BUILD / f"{name}-{cxx}"
                    subprocess.run([cxx, "-std=c++17", "-O2", "-ffp-contract=off", *WARN, f"-I{ROOT / 'include'}",
                                    f"-I{BUILD}", f'-DUGRAD_MODEL_HEADER="{name}.hpp"', f"-DUGRAD_MODEL={name}",
                                    str(ROOT / "tests" / "tflite" / "int8_runner.cpp"), "-o", str(program)], check=True)
                    got = subprocess.run([str(program)], input=lines, capture_output=True, text=True,
                                         check=True).stdout.split("\n")
                    self.assertEqual(len(ref["cases"]), len(got) - 1)
                    for case, out in zip(ref["cases"], got):
                        self.assertEqual(out, case["output_hex"], f"{name} seed {case['seed']}")


class BufferPlan(unittest.TestCase):
    def test_live_tensors_disjoint_and_arena_below_tflm(self):
        for name in MODELS:
            with self.subTest(model=name):
                model = reader.read_file(DATA / f"{name}.tflite")
                steps, _ = int8_export.translate(model, name)
                offset, arena, bound = int8_export.plan(model, steps)
                alias, life, size = int8_export._lifetimes(model, steps)
                pairs = int8_export.in_place(model, steps, life, alias)
                # an operator's output may share bytes with an input only at the same offset, only where
                # in_place allows it (the kernel writes over it, the input dies there)
                in_place = {frozenset((i, steps[k][0].outputs[0])) for k, inputs in pairs.items() for i in inputs}
                owners = sorted(life)
                for a in owners:
                    self.assertLessEqual(offset[a] + size[a], arena)
                    for b in owners:
                        if a < b and not (life[a][1] < life[b][0] or life[b][1] < life[a][0]):
                            disjoint = offset[a] + size[a] <= offset[b] or offset[b] + size[b] <= offset[a]
                            shared = frozenset((a, b)) in in_place and offset[a] == offset[b]
                            self.assertTrue(disjoint or shared, f"tensors {a} and {b} share bytes while both live")
                for k, inputs in pairs.items():
                    op = steps[k][0]
                    self.assertIn(op.opcode, ("CONV_2D", "DEPTHWISE_CONV_2D", "ADD"))
                    for i in inputs:
                        self.assertEqual(life[i][1], k, f"operator {k} may overwrite tensor {i}, read later")
                for i, r in alias.items():
                    self.assertEqual(offset[i], offset[r])
                self.assertGreaterEqual(arena, bound)
                self.assertEqual(arena, bound, "the plan reaches the live-bytes lower bound (docs/tflite.md)")
                tflm = json.loads((DATA / f"{name}.json").read_text())["arena_used_bytes"]
                self.assertLess(arena, tflm)


class InPlaceKernels(unittest.TestCase):
    """pointwise_conv2d and depthwise_conv2d with InPlace (y = x) give the out-of-place kernel's bytes
    (tests/tflite/in_place_runner.cpp, g++ and clang++), over F < C, F = C, F > C, odd pixel counts,
    strides, dilations, SAME and VALID padding, C mod 4 ≠ 0; and int8_export's _depthwise_fits (the
    planner's rule) is the kernel's depthwise_in_place_fits on every depthwise shape (static_assert)."""

    def test_in_place_equals_out_of_place(self):
        import int8_reference as R
        import numpy as np
        BUILD.mkdir(parents=True, exist_ok=True)
        rng = np.random.default_rng(7)
        lines, fits = [], []
        for P, C, F in itertools.product((1, 2, 3, 7), (1, 3, 4, 8), (1, 2, 3, 5, 8, 12)):
            lines.append(f"POINTWISE({P}, {C}, {F})")
        shapes = [(25, 5, 64, 3, 3, 1, 1, 1, 1, "SAME")]  # KWS's depthwise layers
        while len(shapes) < 160:
            h, w = (int(v) for v in rng.integers(1, 9, 2))
            c = int(rng.choice([1, 3, 4, 5, 8]))
            kh, kw, sh, sw, dh, dw = (int(v) for v in rng.integers(1, 4, 6))
            shapes.append((h, w, c, kh, kw, sh, sw, dh, dw, str(rng.choice(["SAME", "VALID"]))))
        for h, w, c, kh, kw, sh, sw, dh, dw, pad in shapes:
            oh, pt = R.padding(pad, h, sh, dh, kh)
            ow, pl = R.padding(pad, w, sw, dw, kw)
            if oh < 1 or ow < 1:
                continue
            ok = int8_export._depthwise_fits(h, w, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl)
            inside = pt == pl == 0 and (oh - 1) * sh + (kh - 1) * dh < h and (ow - 1) * sw + (kw - 1) * dw < w
            fits.append("read from x" if inside else "ring" if ok else "not in place")
            lines.append(f"DEPTHWISE({h}, {w}, {c}, {oh}, {ow}, {kh}, {kw}, {sh}, {sw}, {dh}, {dw}, {pt}, {pl}, "
                         f"{'true' if ok else 'false'})")
        self.assertEqual(set(fits), {"read from x", "ring", "not in place"}, "every side of the rule exercised")
        cases = BUILD / "in_place_cases.hpp"
        cases.write_text("\n".join(lines) + "\n")
        for cxx in COMPILERS:
            with self.subTest(compiler=cxx):
                program = BUILD / f"in_place_runner-{cxx}"
                subprocess.run([cxx, "-std=c++17", "-O1", *WARN, f"-I{ROOT / 'include'}",
                                f'-DUGRAD_IN_PLACE_CASES="{cases}"',
                                str(ROOT / "tests" / "tflite" / "in_place_runner.cpp"), "-o", str(program)], check=True)
                got = subprocess.run([str(program)], capture_output=True, text=True, check=True).stdout.split()
                self.assertEqual(got[-1], str(len(lines)))
                bad = [line for line, g in zip(lines, got) if g != "ok"]
                self.assertEqual(bad, [], f"{len(bad)} of {len(lines)} cases differ")


class PrimitivesAgainstTheReference(unittest.TestCase):
    """The C++ fixed-point primitives (include/ugrad/tflite/) give the numpy reference's integers
    (tools/tflite/int8_reference.py, itself checked against exact rational arithmetic) on edge and
    seeded random arguments; kernel_taps gives exactly the taps inside the image (brute force over
    small strides, paddings, dilations, kernels and sizes)."""

    def test_every_primitive(self):
        import int8_reference as R
        import numpy as np
        BUILD.mkdir(parents=True, exist_ok=True)
        program = BUILD / "fixed_point_runner"
        subprocess.run([CXX, "-std=c++17", "-O2", *WARN, f"-I{ROOT / 'include'}",
                        str(ROOT / "tests" / "tflite" / "fixed_point_runner.cpp"), "-o", str(program)], check=True)
        rng = np.random.default_rng(23)
        lo, hi = -(1 << 31), (1 << 31) - 1
        edges = [lo, lo + 1, -(1 << 30), -1, 0, 1, 1 << 30, hi - 1, hi]
        rand = lambda n, a=lo, b=hi: [int(v) for v in rng.integers(a, b, n, endpoint=True)]  # noqa: E731
        calls, want = [], []
        for a, b in ((-(1 << 30), 1), (1 << 30, 1), (1, -(1 << 30)), (-(3 << 28), 4), (-(3 << 29), 2)):  # ties
            calls.append(f"srdhm {a} {b}")
            want.append(int(R.srdhm(a, b)))
        for a in edges + rand(3000):
            for b in edges[:3] + rand(3):
                calls.append(f"srdhm {a} {b}")
                want.append(int(R.srdhm(a, b)))
        for x in edges + rand(2000) + rand(2000, -5000, 5000):
            for e in (0, 1, 2, 7, 12, 20, 31, 32, 33, 35, 40):  # past 31: the softmax's k + 23 for a large sum
                calls.append(f"rdpot {x} {e}")
                want.append(int(R.rounding_divide_by_pot(x, e)))
            for e in (-5, -1, 1, 2, 5):
                calls.append(f"satpot {x} {e}")
                want.append(R._sat_mul_pot(x, e))
        for x in rand(4000, -(1 << 22), 1 << 22) + rand(4000) + edges:
            m = int(rng.integers(1 << 30, 1 << 31))
            s = int(rng.integers(-31, 3))
            calls.append(f"mbqm {x} {m} {s}")
            want.append(int(R.multiply_by_quantized_multiplier(x, m, s)))
        for x in edges + rand(300):  # every shift, the multiplier's ends, and quantize_multiplier's (0, 0)
            for m, s in [(0, 0)] + [(m, s) for m in ((1 << 30), (1 << 31) - 1, int(rng.integers(1 << 30, 1 << 31)))
                                    for s in range(-31, 4)]:
                calls.append(f"mbqm {x} {m} {s}")
                want.append(int(R.multiply_by_quantized_multiplier(x, m, s)))
        for x in [lo + 1, lo + 2, -(1 << 30), -2, -1, 0, 1, 2, 1 << 30, hi - 1] + rand(3000, lo + 1, hi - 1):
            for e in range(1, 32):  # the four-operation divide: 1 <= e <= 31, INT32_MIN < x < INT32_MAX
                calls.append(f"rdpot131 {x} {e}")
                want.append(int(R.rounding_divide_by_pot(x, e)))
        for x in range(-(1 << 12), 1 << 12):  # small x exhaustively at a few shifts, where ties are frequent
            for e in (1, 2, 3, 5):
                calls.append(f"rdpot131 {x} {e}")
                want.append(int(R.rounding_divide_by_pot(x, e)))
        for x in edges + rand(6000):  # SMMLAR(x, 2m − 2^32, x) = SRDHM(x, m) for m ∈ [2^30, 2^31)
            for m in [1 << 30, (1 << 30) + 1, (1 << 31) - 1] + rand(3, 1 << 30, (1 << 31) - 1):
                calls.append(f"smmlar {x} {m}")
                want.append(int(R.srdhm(x, m)))
        bound = (1 << 31) - (1 << 9) - 1  # the exporter's bound on |acc| for requantize_depthwise
        for x in [-bound, -(1 << 20), -2, -1, 0, 1, 2, 1 << 20, bound] + rand(3000, -bound, bound) + rand(3000, -(1 << 18), 1 << 18):
            m = int(rng.integers(1 << 30, 1 << 31))
            s = int(rng.integers(-31, 0))
            zp = int(rng.integers(-128, 128))
            lo_hi = (-128, 127) if x % 2 else (zp, 127)
            calls.append(f"dwrq {x} {m} {s} {zp} {lo_hi[0]} {lo_hi[1]}")
            want.append(int(np.clip(R.multiply_by_quantized_multiplier(x, m, s) + zp, *lo_hi)))
        for x in range(-(1 << 11), 1 << 11):  # small x at shifts where ties are frequent, every zero point's parity
            for s, zp in ((-1, -128), (-1, 5), (-2, -3), (-3, 0), (-5, 127)):
                calls.append(f"dwrq {x} {(1 << 30) + 12345} {s} {zp} -128 127")
                want.append(int(np.clip(R.multiply_by_quantized_multiplier(x, (1 << 30) + 12345, s) + zp, -128, 127)))
        for a in [lo + 1, -(1 << 26), -1, 0] + rand(4000, lo + 1, 0):
            calls.append(f"exp {a}")
            want.append(R.exp_on_negative_values(a))
        for a in [0, 1, hi] + rand(4000, 0, hi):
            calls.append(f"recip {a}")
            want.append(R.one_over_one_plus_x(a))
        for o, S, P, D, K, N in itertools.product(range(14), range(1, 4), range(5), range(1, 4), range(1, 6), range(1, 12)):
            valid = [k for k in range(K) if 0 <= o * S - P + k * D < N]  # the taps inside, by brute force
            calls.append(f"taps {o} {S} {P} {D} {K} {N}")
            want.append(valid[0] * 256 + valid[-1] + 1 if valid else None)
        got = subprocess.run([str(program)], input="\n".join(calls) + "\n", capture_output=True, text=True,
                             check=True).stdout.split()
        self.assertEqual(len(got), len(calls))
        # a tap range with no tap inside only needs to be empty: begin·256 + end with end == begin
        bad = [(c, g, w) for c, g, w in zip(calls, got, want)
               if (int(g) != w if w is not None else int(g) // 256 != int(g) % 256)]
        self.assertEqual(bad[:5], [], f"{len(bad)} of {len(calls)} calls differ")


def patched_opcode(name, opcode_of, new_code):
    """The model's bytes with the operator code used by operator `opcode_of` set to new_code, and that
    operator's builtin options type set to none (what an operator without options has)."""
    b = bytearray((DATA / f"{name}.tflite").read_bytes())
    root = struct.unpack_from("<I", b, 0)[0]
    buf = reader._Buf(bytes(b))
    model = reader._Table(buf, root, "Model")
    graph = model.tables(2, "subgraphs")[0]
    op = graph.tables(3, "operators")[opcode_of]
    code_index = op.scalar(0, "I", 0, "opcode_index")
    p = op._field(3)
    if p is not None:
        b[p] = 0
    code = model.tables(1, "operator_codes")[code_index]
    p = code._field(0)
    if p is not None:
        b[p] = min(new_code, 127)
    p = code._field(3)
    if p is not None:
        b[p:p + 4] = struct.pack("<i", new_code)
    return bytes(b)


class Refusals(unittest.TestCase):
    def refused(self, blob, fragment):
        with tempfile.TemporaryDirectory() as work:
            src = os.path.join(work, "m.tflite")
            with open(src, "wb") as f:
                f.write(blob)
            out_dir = os.path.join(work, "out")
            os.mkdir(out_dir)
            r = export(src, os.path.join(out_dir, "m.hpp"), "m")
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
            self.assertIn(fragment, r.stderr)
            self.assertEqual(os.listdir(out_dir), [], "a file was written")

    def test_an_operator_the_int8_path_does_not_take(self):
        # KWS's last operator (SOFTMAX) read as DEQUANTIZE: the reader knows it, the int8 path does not
        self.refused(patched_opcode("kws_ref_model", 12, 6), "m.tflite: operator 12 DEQUANTIZE: not supported by the int8 path")

    def test_an_operator_the_reader_does_not_know(self):
        self.refused(patched_opcode("kws_ref_model", 12, 97), "builtin operator 97 not supported")

    def test_a_truncated_file(self):
        self.refused((DATA / "vww_96_int8.tflite").read_bytes()[:5000], "m.tflite: ")


class GraphsNotTranslated(unittest.TestCase):
    """An int8 graph, read, then altered one fact at a time: each is refused in one line naming it."""

    def refused(self, name, alter, fragment):
        m = reader.read_file(DATA / f"{name}.tflite")
        alter(m)
        with self.assertRaises(int8_export.Refused) as caught:
            int8_export.translate(m, name)
        self.assertEqual(len(str(caught.exception).splitlines()), 1)
        self.assertIn(fragment, str(caught.exception))

    def test_depth_multiplier(self):
        self.refused("kws_ref_model", lambda m: m.operators[1].options.update(depth_multiplier=2),
                     "operator 1 DEPTHWISE_CONV_2D: depth_multiplier 2 not supported")

    def test_softmax_output_scale(self):
        self.refused("kws_ref_model", lambda m: m.tensors[m.operators[12].outputs[0]].quantization.zero_point.__setitem__(0, 0),
                     "operator 12 SOFTMAX: output scale 0.00390625 zero point 0")

    def test_broadcasting_add(self):
        def alter(m):  # the last ADD's second input, the first block's output: 32x32x16 + 8x8x64
            m.operators[11].inputs[1] = m.operators[3].outputs[0]
        self.refused("pretrainedResnet_quant", alter, "operator 11 ADD: shapes [1, 8, 8, 64] + [1, 32, 32, 16]")

    def test_weights_with_a_zero_point(self):
        self.refused("ad01_int8", lambda m: m.tensors[m.operators[0].inputs[1]].quantization.zero_point.__setitem__(0, 3),
                     "operator 0 FULLY_CONNECTED: weights")

    def test_float_activations(self):
        def alter(m):
            m.tensors[m.operators[0].outputs[0]].dtype = "float32"
        self.refused("ad01_int8", alter, "operator 0 FULLY_CONNECTED: output")

    def test_an_operator_reading_a_tensor_nobody_writes(self):
        def alter(m):  # the second convolution reads the third's output, not yet written
            m.operators[1].inputs[0] = m.operators[2].outputs[0]
        self.refused("kws_ref_model", alter, "operator 1 DEPTHWISE_CONV_2D: reads tensor")

    def test_a_graph_output_nobody_writes(self):
        def alter(m):
            m.outputs = [m.operators[0].inputs[1]]  # a constant
            m.tensors[m.outputs[0]].dtype = "int8"
        self.refused("ad01_int8", alter, "no operator writes the graph output")

    def test_pool_that_requantizes(self):
        def alter(m):
            t = m.tensors[m.operators[9].outputs[0]]
            t.quantization = reader.Quantization([t.quantization.scale[0] * 2], list(t.quantization.zero_point))
        self.refused("kws_ref_model", alter, "operator 9 AVERAGE_POOL_2D: input and output quantization differ")


class Fuzz(unittest.TestCase):
    """Seeded mutations of each model (as tests/tflite/test_reader.py makes them): every file the reader
    reads is translated and planned by the int8 exporter or refused with Refused, one line, never
    another exception."""

    CASES_PER_MODEL = 150

    def test_mutations_translate_or_refuse(self):
        import random
        rng = random.Random(20261205)
        counts = {"unread": 0, "planned": 0, "refused": 0}
        for name in MODELS:
            base = (DATA / f"{name}.tflite").read_bytes()
            n = len(base)
            for k in range(self.CASES_PER_MODEL):
                b = bytearray(base)
                if k % 3 == 0:
                    for _ in range(rng.randint(1, 8)):
                        b[rng.randrange(n)] ^= 1 << rng.randrange(8)
                elif k % 3 == 1:  # an aligned word near the start (offsets, lengths, shapes, indices)
                    at = rng.randrange(0, min(n, 4096) - 4) & ~3
                    b[at:at + 4] = struct.pack("<I", rng.choice([0, 1, 2, 3, 0xFFFFFFFF, rng.randrange(1 << 32)]))
                else:  # a vtable slot (16-bit) anywhere
                    at = rng.randrange(0, n - 2) & ~1
                    b[at:at + 2] = struct.pack("<H", rng.randrange(1 << 16))
                try:
                    m = reader.read(bytes(b))
                except reader.TfliteError:
                    counts["unread"] += 1
                    continue
                try:
                    steps, _ = int8_export.translate(m, name)
                    int8_export.plan(m, steps)
                    counts["planned"] += 1
                except int8_export.Refused as e:
                    self.assertNotIn("\n", str(e))
                    counts["refused"] += 1
        print(f"\nint8 export fuzz: {sum(counts.values())} mutated files: {counts['unread']} refused by the reader, "
              f"{counts['planned']} translated and planned, {counts['refused']} refused by the exporter", file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
