#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""ugrad's own head on the int8 `.tflite` classifiers (include/ugrad/tflite/own_head.hpp, the
exported members probabilities_q15 and loss), compiled with g++ -Werror, beside TFLite's int8 softmax:

- J = −log ŷ_label in float for every label, against J of the exact logits θ = s_l·(l − z_l) in
  float64, within docs/derivation.md's bound ((e^{2Δ} − 1) + (w + 2K + 14)·u)·J, u = 2^−24,
  Δ = u·max|θ| (θ's one rounding), w the logits' spread — on the reference inputs of
  data/mlperf-tiny/ (through forward) and on logits written directly: random ones, and the most
  confident the int8 logits allow (one at 127, the rest at −128), where J is far below float's
  rounding of 1 and must still come out to relative accuracy, not 0;
- Q15 ŷ against 2^15·softmax(θ) within the bound derived from ugrad::q8's head (exp_q16 within 0.7
  of its Q16 value and low by up to a factor 2^(1.51e−5·a/4096); θ's Q12 codes within
  |θ|·2^−15 + 2^−13; one rounding of the quotient);
- a label outside [0, K) gives label_out_of_range and a NaN J."""
import json
import math
import subprocess
import sys
import unittest

import numpy as np

from common import DATA, ROOT

EXPORTER = ROOT / "tools" / "export_model.py"
BUILD = ROOT / "build" / "tflite-int8-head"
WARN = ["-Wall", "-Wextra", "-Wpedantic", "-Wconversion", "-Wdouble-promotion", "-Wshadow", "-Werror"]
CLASSIFIERS = ["kws_ref_model", "pretrainedResnet_quant", "vww_96_int8", "str_ww_ref_model"]
U = 2.0 ** -24


def program(name):
    BUILD.mkdir(parents=True, exist_ok=True)
    header = BUILD / f"{name}.hpp"
    subprocess.run([sys.executable, str(EXPORTER), str(DATA / f"{name}.tflite"), "--name", name, "--out",
                    str(header)], check=True, capture_output=True)
    exe = BUILD / f"{name}-head"
    subprocess.run(["g++", "-std=c++17", "-O2", "-ffp-contract=off", *WARN, f"-I{ROOT / 'include'}", f"-I{BUILD}",
                    f'-DUGRAD_MODEL_HEADER="{name}.hpp"', f"-DUGRAD_MODEL={name}",
                    str(ROOT / "tests" / "tflite" / "int8_head_runner.cpp"), "-o", str(exe)], check=True)
    text = header.read_text()

    def constant(key):
        line = next(ln for ln in text.split("\n") if f" {key} = " in ln)
        return line.split(" = ")[1].rstrip(";f")

    scale = float.fromhex(constant("logit_scale"))
    return exe, scale, int(constant("logit_zero_point")), int(constant("classes"))


def run(exe, lines):
    out = subprocess.run([str(exe)], input="".join(lines), capture_output=True, text=True, check=True).stdout
    return [ln.split() for ln in out.strip().split("\n")]


def f32(hexbits):
    return float(np.frombuffer(bytes.fromhex(hexbits)[::-1], dtype=np.float32)[0])


def exact_loss(theta, k):
    """J = (m − θ_k) + log1p(Σ_{j≠top} e^{θ_j − m}) in float64 (terms of one sign)."""
    top = int(np.argmax(theta))
    m = theta[top]
    t = math.fsum(math.exp(theta[j] - m) for j in range(len(theta)) if j != top)
    return (m - theta[k]) + math.log1p(t)


def loss_bound(theta, J):
    K = len(theta)
    delta = U * float(np.max(np.abs(theta)))
    w = float(np.max(theta) - np.min(theta))
    return (math.expm1(2 * delta) + (w + 2 * K + 14) * U) * J


def q15_bound(theta):
    """|ŷ̂_k − 2^15 ŷ_k| per k, from the Q12 codes' error and q8's exp and division (module doc)."""
    K = len(theta)
    d = float(np.max(np.abs(theta))) * 2.0 ** -15 + 2.0 ** -13  # θ's Q12 codes
    e = 65536.0 * np.exp(theta - np.max(theta))  # exact Q16 exps
    S = float(np.sum(e))
    rho = 2.0 ** (1.51e-5 * float(np.max(theta) - np.min(theta))) - 1.0  # exp_q16's constant, per nat
    y = e / S
    spread = y * math.expm1(2 * d) * 32768.0  # what θ's Q12 error moves ŷ by
    err = (0.7 + e * rho + y * (0.7 * K + S * rho)) / (S - 0.7 * K - S * rho) * 32768.0
    return 0.5 + spread + err


class OwnHead(unittest.TestCase):
    def check(self, name, out, scale, zp, K):
        """One runner line: K logits, K Q15 ŷ, K losses, the status and J of label K."""
        codes = np.array(out[:K], dtype=np.float64)
        theta = (codes - zp) * scale  # exact in float64: 9 bits times float32's 24
        y_hat = np.array(out[K:2 * K], dtype=np.float64)
        exact = 32768.0 * np.exp(theta - np.max(theta)) / np.sum(np.exp(theta - np.max(theta)))
        self.assertTrue(np.all(np.abs(y_hat - exact) <= q15_bound(theta)), (name, out[:2 * K]))
        losses = []
        for k in range(K):
            J = exact_loss(theta, k)
            got = f32(out[2 * K + k])
            self.assertLessEqual(abs(got - J), loss_bound(theta, J), (name, k, got, J))
            losses.append((got, J))
        self.assertEqual(out[3 * K], "label_out_of_range")
        self.assertTrue(math.isnan(f32(out[3 * K + 1])))
        return losses

    def test_reference_inputs_and_direct_logits(self):
        rng = np.random.default_rng(7)
        below_rounding = []
        for name in CLASSIFIERS:
            with self.subTest(model=name):
                exe, scale, zp, K = program(name)
                cases = json.loads((DATA / f"{name}.json").read_text())["cases"]
                direct = [rng.integers(-128, 128, K).astype(np.int8) for _ in range(20)]
                sure = np.full(K, -128, np.int8)
                sure[K // 2] = 127  # the most confident logits int8 can hold
                direct.append(sure)
                lines = [f"x {c['input_hex']}\n" for c in cases] + [f"l {d.tobytes().hex()}\n" for d in direct]
                out = run(exe, lines)
                self.assertEqual(len(out), len(lines))
                for c, o in zip(cases, out):  # forward left TFLite's logits: the head reads those
                    if "logits" in c:  # TFLM's, recorded in data/mlperf-tiny/
                        self.assertEqual([int(v) for v in o[:K]], list(c["logits"]))
                    self.check(name, o, scale, zp, K)
                for d, o in zip(direct, out[len(cases):]):
                    self.assertEqual([int(v) for v in o[:K]], d.tolist())
                    self.check(name, o, scale, zp, K)
                got, J = self.check(name, out[-1], scale, zp, K)[K // 2]
                self.assertGreater(got, 0.0)
                if J < U:
                    below_rounding.append(name)
                print(f"\n{name}: the most confident logits give J = {got:.6g} (float64 of the exact logits "
                      f"{J:.6g})", file=sys.stderr)
        # the regime the head is for: J below float's rounding of 1 (where 1 − ŷ is 0) still right
        self.assertTrue(below_rounding)


if __name__ == "__main__":
    unittest.main()
