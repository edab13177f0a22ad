# SPDX-License-Identifier: Apache-2.0
"""The float `.tflite` path of tools/export_model.py: pretrainedResnet.tflite (MLPerf Tiny's float ResNet-8)
exported, compiled with ugrad and run on the reference cases, agrees with TFLM's float outputs and logits
within twice float_bound's first-order bound (both are float32 evaluations of the same exact function,
each within the bound of it), and gives the same argmax;
models and graphs it does not take are refused in one line, exit status 1, no file."""
import json
import os
import struct
import subprocess
import sys
import tempfile
import unittest

import numpy as np

from common import DATA, ROOT
import float_bound

EXPORTER = ROOT / "tools" / "export_model.py"
BUILD = ROOT / "build" / "tflite"


def floats(hex_text):
    return np.array(struct.unpack(f">{len(hex_text) // 8}f", bytes.fromhex(hex_text)), dtype=np.float32)


def export(model, out, name="model"):
    return subprocess.run([sys.executable, str(EXPORTER), str(model), "--name", name, "--out", str(out)],
                          capture_output=True, text=True)


class ResnetAgreesWithTflm(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        BUILD.mkdir(parents=True, exist_ok=True)
        header = BUILD / "model.hpp"
        r = export(DATA / "pretrainedResnet.tflite", header)
        assert r.returncode == 0, r.stderr
        runner = BUILD / "float_runner"
        subprocess.run(["g++", "-std=c++17", "-O2", "-ffp-contract=off", "-Wall", "-Wextra", "-Wconversion",
                        "-Werror", f"-I{ROOT / 'include'}", f"-I{BUILD}", '-DUGRAD_MODEL_HEADER="model.hpp"',
                        "-o", str(runner), str(ROOT / "tests" / "tflite" / "float_runner.cpp")], check=True)
        cls.ref = json.loads((DATA / "pretrainedResnet.json").read_text())
        text = "\n".join(" ".join(c["input_hex"][i:i + 8] for i in range(0, len(c["input_hex"]), 8))
                         for c in cls.ref["cases"])
        out = subprocess.run([str(runner)], input=text, capture_output=True, text=True, check=True).stdout.split("\n")
        cls.y = [floats("".join(line.split()[1:])) for line in out if line.startswith("y")]
        cls.z = [floats("".join(line.split()[1:])) for line in out if line.startswith("z")]
        sys.path.insert(0, str(ROOT / "tools" / "tflite"))
        import reader
        import float_import
        cls.doc = float_import.layers_document(reader.read_file(DATA / "pretrainedResnet.tflite"), "resnet")

    def test_every_case_within_twice_the_first_order_bound(self):
        cases = self.ref["cases"]
        self.assertEqual(len(self.y), len(cases))
        worst = {"y": (0.0, 0.0, 0.0), "z": (0.0, 0.0, 0.0)}   # largest |Δ|, largest |Δ| / bound, largest bound
        for k, case in enumerate(cases):
            x = floats(case["input_hex"])
            _, _, ey, ez = float_bound.forward_with_bound(self.doc, x)
            for tag, got, want, bound in (("y", self.y[k], floats(case["output_hex"]), 2 * ey),
                                          ("z", self.z[k], floats(case["logits_hex"]), 2 * ez)):
                diff = np.abs(got.astype(np.float64) - want.astype(np.float64))
                with self.subTest(case=case["seed"], what=tag):
                    self.assertTrue(np.all(diff <= bound), f"|Δ| {diff[np.argmax(diff / bound)]:.3g} over its bound {bound[np.argmax(diff / bound)]:.3g} "
                                    f"at output {int(np.argmax(diff / bound))}")
                worst[tag] = (max(worst[tag][0], diff.max()), max(worst[tag][1], (diff / bound).max()),
                              max(worst[tag][2], bound.max()))
            self.assertEqual(int(np.argmax(self.y[k])), int(np.argmax(floats(case["output_hex"]))))
        type(self).worst = worst
        print(f"\npretrainedResnet.tflite, {len(cases)} cases: largest |Δŷ| {worst['y'][0]:.3g} "
              f"({worst['y'][1]:.3g} of its bound), largest |Δθ| {worst['z'][0]:.3g} "
              f"({worst['z'][1]:.3g} of its bound)", file=sys.stderr)


class HybridWeightsDequantized(unittest.TestCase):
    def test_int8_weights_become_scale_times_q_minus_zero_point_in_ugrad_layout(self):
        sys.path.insert(0, str(ROOT / "tools" / "tflite"))
        import reader
        import float_import
        m = reader.read_file(DATA / "kws_ref_model_float32.tflite")
        doc = float_import.layers_document(m, "kws")
        conv = m.operators[0]
        t = m.tensors[conv.inputs[1]]
        self.assertEqual((conv.opcode, t.dtype), ("CONV_2D", "int8"))
        q, zp = t.data.astype(np.float64), t.quantization.zero_point
        scale = np.array(t.quantization.scale).reshape([-1 if i == t.quantization.quantized_dimension else 1
                                                        for i in range(4)])
        want = (scale * (q - np.array(zp).reshape(scale.shape))).transpose(1, 2, 3, 0)   # [F][KH][KW][C] → [KH][KW][C][F]
        self.assertEqual(doc["layers"][0]["type"], "conv2d")
        np.testing.assert_array_equal(np.array(doc["layers"][0]["w"]), want)
        self.assertTrue(np.any(want != 0))
        self.assertEqual([layer.get("type", "dense") for layer in doc["layers"]],
                         ["conv2d"] + ["depthwise_conv2d", "conv2d"] * 4 + ["global_average_pool", "dense"])
        self.assertEqual(doc["output"], "softmax")


class Refusals(unittest.TestCase):
    def refused(self, src, fragment):
        with tempfile.TemporaryDirectory() as work:
            out = os.path.join(work, "m.hpp")
            r = export(src, out)
            self.assertEqual(r.returncode, 1, r.stderr)
            self.assertEqual(len(r.stderr.splitlines()), 1, r.stderr)
            self.assertIn(fragment, r.stderr)
            self.assertEqual(os.listdir(work), [], "a file was written")

    def test_an_int8_model_is_not_a_float_model(self):
        # export_model.py sends an int8 model to the int8 path (test_int8_export.py); the float
        # importer itself refuses it
        sys.path.insert(0, str(ROOT / "tools" / "tflite"))
        import reader
        import float_import
        with self.assertRaises(float_import.Refused) as caught:
            float_import.layers_document(reader.read_file(DATA / "pretrainedResnet_quant.tflite"), "resnet")
        self.assertIn("is int8; this is not a float model", str(caught.exception))

    def test_a_truncated_file(self):
        raw = (DATA / "pretrainedResnet.tflite").read_bytes()
        with tempfile.TemporaryDirectory() as work:
            src = os.path.join(work, "cut.tflite")
            with open(src, "wb") as f:
                f.write(raw[:len(raw) // 2])
            self.refused(src, "cut.tflite: ")


def report():
    """The generated section `tflite-float` of docs/tflite.md (make tflite-float-report)."""
    ResnetAgreesWithTflm.setUpClass()
    t = ResnetAgreesWithTflm("test_every_case_within_twice_the_first_order_bound")
    t.test_every_case_within_twice_the_first_order_bound()
    w, n = t.worst, len(t.ref["cases"])
    print("| model | cases | | largest \\|Δ\\| vs TFLM | largest \\|Δ\\| / its bound | largest bound |")
    print("|---|---:|---|---:|---:|---:|")
    for tag, what in (("y", "ŷ"), ("z", "θ (logits)")):
        print(f"| pretrainedResnet.tflite | {n} | {what} | {w[tag][0]:.3g} | {w[tag][1]:.2g} | {w[tag][2]:.3g} |")


class GraphsNotTranslated(unittest.TestCase):
    """The ResNet-8 graph, read, then altered one fact at a time: each is refused in one line naming it."""

    def refused(self, alter, fragment):
        sys.path.insert(0, str(ROOT / "tools" / "tflite"))
        import reader
        import float_import
        m = reader.read_file(DATA / "pretrainedResnet.tflite")
        alter(m)
        with self.assertRaises(float_import.Refused) as caught:
            float_import.layers_document(m, "resnet")
        self.assertEqual(len(str(caught.exception).splitlines()), 1)
        self.assertIn(fragment, str(caught.exception))

    def test_dilation(self):
        self.refused(lambda m: m.operators[0].options.update(dilation_h=2), "operator 0 CONV_2D: dilation 2x1")

    def test_an_add_activation_other_than_relu_or_relu6(self):
        self.refused(lambda m: m.operators[3].options.update(activation="RELU_N1_TO_1"),
                     "operator 3 ADD: fused activation RELU_N1_TO_1")

    def test_a_branch_that_ends_in_an_activation(self):
        self.refused(lambda m: m.operators[2].options.update(activation="RELU"),
                     "operator 2 CONV_2D: the last operator of a residual branch has fused activation RELU")

    def test_a_shortcut_with_an_activation_is_not_a_shortcut(self):
        self.refused(lambda m: m.operators[6].options.update(activation="RELU"),
                     "operator 7 ADD: neither input is the block's input or a 1x1 CONV_2D of it")

    def test_a_softmax_with_beta(self):
        self.refused(lambda m: m.operators[15].options.update(beta=2.0), "operator 15 SOFTMAX: beta 2.0")

    def test_a_softmax_that_is_not_last(self):
        def alter(m):       # RESHAPE → SOFTMAX → FULLY_CONNECTED, the graph ending at the FC
            flat, fc, softmax = m.operators[13].outputs[0], m.operators[14], m.operators[15]
            softmax.inputs = [flat]
            fc.inputs = [softmax.outputs[0]] + fc.inputs[1:]
            m.outputs = [fc.outputs[0]]
        self.refused(alter, "operator 15 SOFTMAX: a SOFTMAX only as the last operator")

    def test_an_operator_off_the_path(self):
        def alter(m):
            m.outputs = [m.operators[14].outputs[0]]
        self.refused(alter, "operator 15 SOFTMAX: not on the path from the graph input to its output")


if __name__ == "__main__":
    if sys.argv[1:] == ["--report"]:
        report()
    else:
        unittest.main()
