# SPDX-License-Identifier: Apache-2.0
"""tools/export_model.py --quantize int8: the int8 header it writes (tools/quantize.py's), the
report it prints on the bundled digits model (issue 15's contract), and every bad calibration or
test file — one line on standard error, exit status 1, no file."""
import json
import os
import sys
import unittest

from common import ROOT, export_model, read, run_exporter, scratch_dir

import q8_report  # noqa: E402  (tools/, on the path through common)
import quantize  # noqa: E402
import random_model  # noqa: E402

DIGITS_HEADER = os.path.join(ROOT, "examples", "demo", "digits_model.hpp")


def digits_files(work):
    """The digits model as seed-format JSON; the training split's pixels/16 as calibration (no
    label) and the test split with labels, as data/README.md splits data/digits.csv."""
    w1, b1, w2, b2 = quantize.read_mlp_header(DIGITS_HEADER, 64, 32, 10)
    model = os.path.join(work, "digits.json")
    with open(model, "w") as f:
        json.dump({"w1": w1, "b1": b1, "w2": w2, "b2": b2}, f)
    train, test = os.path.join(work, "train.csv"), os.path.join(work, "test.csv")
    with open(os.path.join(ROOT, "data", "digits.csv")) as f, open(train, "w") as tr, open(test, "w") as te:
        for i, line in enumerate(f):
            v = line.strip().split(",")
            pixels = ",".join(str(int(p) / 16) for p in v[:64])
            if i % 5:
                tr.write(pixels + "\n")
            else:
                te.write(pixels + "," + v[64] + "\n")
    return model, train, test


class Int8Export(unittest.TestCase):
    def setUp(self):
        self.work = scratch_dir(self, "int8_")
        self.model, self.train, self.test = digits_files(self.work)
        self.out = os.path.join(self.work, "q.hpp")

    def test_the_digits_model_meets_the_accuracy_contract_in_the_report(self):
        status, err, said = run_exporter([self.model, "--name", "digits_q8", "--out", self.out, "--quantize", "int8",
                                          "--calibration", self.train, "--test", self.test])
        self.assertEqual(status, 0, err)
        lines = said.splitlines()
        self.assertEqual(len(lines), 2, said)
        self.assertIn("ugrad::q8::Network<ugrad::Softmax, ugrad::q8::Dense<64, 32, ugrad::Sigmoid>, "
                      "ugrad::q8::Dense<32, 10>> digits_q8", lines[0])
        self.assertRegex(lines[1], r"360 rows: accuracy float 98\.3%, int8 9[89]\.\d%; argmax agreement \d+\.\d%; "
                                   r"max \|y_int8 - y_float\| 0\.\d{4}; dJ/dx cosine median 0\.\d{4}, 5th percentile 0\.\d{4}, "
                                   r"minimum -?\d\.\d{4} over all 360 rows \(0 blank int8 maps\)")

    def digits_report(self):
        with open(self.model) as f:
            doc = json.load(f)
        return export_model.write_int8_header(doc, "digits_q8", self.out, calibration=self.train, test=self.test)

    def test_the_digits_model_meets_the_int8_contract(self):
        r = self.digits_report()
        self.assertLessEqual(r["max_output_error"], 0.02)
        self.assertGreaterEqual(r["agree"], 0.99 * r["rows"])
        self.assertLessEqual(abs(r["int8_correct"] - r["float_correct"]), 0.01 * r["rows"])
        # dJ/dx over the rows whose float ŷ is 2^-14 or more from the label somewhere (what a Q15 ŷ resolves)
        resolved = [c for c, ok in r["all_rows"] if ok]
        self.assertGreaterEqual(q8_report.percentile(resolved, 0.5), 0.99)
        self.assertGreaterEqual(q8_report.percentile(resolved, 0.05), 0.95)

    def test_the_digits_model_meets_the_dx_contract_on_every_row(self):
        r = self.digits_report()
        cosines = [c for c, _ in r["all_rows"]]
        self.assertEqual(len(cosines), 360)
        self.assertEqual(r["blank"], 0)  # the int8 head keeps ŷ − y where ŷ rounds to the label
        self.assertGreaterEqual(q8_report.percentile(cosines, 0.5), 0.99)
        self.assertGreaterEqual(q8_report.percentile(cosines, 0.05), 0.95)

    def test_the_header_is_what_quantize_py_writes(self):
        status, err, _ = run_exporter([self.model, "--name", "digits_q8", "--out", self.out, "--quantize", "int8",
                                       "--calibration", self.train])
        self.assertEqual(status, 0, err)
        rows, _ = quantize.read_csv(self.train, 64, 10)
        q = quantize.quantize_network(q8_report.as_layers(quantize.read_mlp_header(DIGITS_HEADER, 64, 32, 10)), rows)
        self.assertEqual(read(self.out), quantize.q8_network_header(q, "digits_q8"))

    def test_the_report_without_test_data_is_on_the_calibration_rows_without_accuracy(self):
        status, err, said = run_exporter([self.model, "--name", "q", "--out", self.out, "--quantize", "int8",
                                          "--calibration", self.train])
        self.assertEqual(status, 0, err)
        report = said.splitlines()[1]
        self.assertIn("1437 rows: argmax agreement", report)
        self.assertNotIn("accuracy", report)

    def test_the_python_api_takes_rows_and_returns_the_report(self):
        with open(self.model) as f:
            doc = json.load(f)
        with open(self.test) as f:
            rows = [[float(v) for v in line.split(",")] for line in f]
        report = export_model.write_int8_header(doc, "digits_q8", self.out, calibration=self.train, test=rows)
        self.assertEqual((report["rows"], report["int8_correct"], report["agree"]), (360, 354, 360))
        self.assertLessEqual(report["max_output_error"], 0.02)
        self.assertIn("digits_q8 = {", read(self.out))
        with self.assertRaises(export_model.ModelError):
            export_model.write_int8_header(doc, "q2", os.path.join(self.work, "q2.hpp"), calibration=[])
        self.assertFalse(os.path.exists(os.path.join(self.work, "q2.hpp")))

    def refused(self, args, message):
        status, err, said = run_exporter([self.model, "--name", "q", "--out", self.out] + args)
        self.assertEqual(status, 1, err + said)
        self.assertEqual(len(err.splitlines()), 1, err)
        self.assertIn(message, err)
        self.assertFalse(os.path.exists(self.out))
        self.assertEqual([n for n in os.listdir(self.work) if n.startswith(".export_model.")], [])

    def csv(self, name, text):
        path = os.path.join(self.work, name)
        with open(path, "w") as f:
            f.write(text)
        return path

    def test_bad_calibration_data_is_one_line_exit_1_and_no_file(self):
        row = ",".join(["0.5"] * 64)
        cases = {
            "empty": ("", "the calibration data is empty"),
            "blank lines only": ("\n\n", "the calibration data is empty"),
            "too narrow": (",".join(["0.5"] * 63) + "\n", "line 1 has 63 values, the model takes 64"),
            "too wide": (row + ",1,2\n", "line 1 has 66 values, the model takes 64"),
            "ragged": (row + "\n" + row + ",3\n", "line 2 has 65 values, the lines before it 64"),
            "NaN": (row + "\n" + ",".join(["0.5"] * 63 + ["nan"]) + "\n", "line 2 holds a non-finite value"),
            "infinity": (",".join(["-inf"] + ["0.5"] * 63) + "\n", "line 1 holds a non-finite value"),
            "not a number": (",".join(["0.5"] * 63 + ["x"]) + "\n", "line 1 holds something that is not a number"),
            "label out of range": (row + ",10\n", "line 1: the label '10' is not an integer in [0, 10)"),
            "label not an integer": (row + ",1.5\n", "line 1: the label '1.5' is not an integer in [0, 10)"),
        }
        for what, (text, message) in cases.items():
            with self.subTest(what):
                path = self.csv("bad.csv", text)
                self.refused(["--quantize", "int8", "--calibration", path], f"calibration: {path} {message}"
                             if not message.startswith("the calibration") else message)

    def test_the_command_line_itself_refuses_bad_calibration_with_one_line(self):
        import subprocess
        for what, text in (("empty", ""), ("wrong width", "1,2,3\n"), ("NaN", ",".join(["nan"] * 64) + "\n")):
            with self.subTest(what):
                path = self.csv("bad.csv", text)
                run = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "export_model.py"), self.model,
                                      "--name", "q", "--out", self.out, "--quantize", "int8", "--calibration", path],
                                     capture_output=True, text=True)
                self.assertEqual(run.returncode, 1, run.stderr)
                self.assertEqual(len(run.stderr.splitlines()), 1, run.stderr)
                self.assertTrue(run.stderr.startswith("export_model: error: calibration"), run.stderr)
                self.assertEqual(run.stdout, "")
                self.assertFalse(os.path.exists(self.out))

    def test_bad_test_data_and_missing_files_are_refused_the_same_way(self):
        self.refused(["--quantize", "int8", "--calibration", self.train, "--test", self.csv("t.csv", "1,2\n")],
                     "line 1 has 2 values")
        missing = os.path.join(self.work, "missing.csv")
        self.refused(["--quantize", "int8", "--calibration", missing], f"calibration: {missing}: cannot read")

    def test_the_options_go_together(self):
        self.refused(["--quantize", "int8"], "--quantize int8 needs --calibration DATA.csv")
        self.refused(["--calibration", self.train], "--calibration and --test go with --quantize int8")
        self.refused(["--quantize", "int8", "--calibration", self.train, "--c-api"], "--c-api is for the float model")

    def test_a_layer_the_int8_path_does_not_take_is_named(self):
        layers = {"layers": [{"w": [[0.5, -1.0]], "b": [0.1, 0.2], "activation": "relu"},
                             {"w": [[1.0], [2.0]], "b": [0.0], "activation": "relu"}], "output": "linear"}
        src = self.csv("relu.json", json.dumps(layers))
        status, err, _ = run_exporter([src, "--name", "q", "--out", self.out, "--quantize", "int8",
                                       "--calibration", self.csv("c.csv", "0.5\n")])
        self.assertEqual(status, 1)
        self.assertEqual(len(err.splitlines()), 1, err)
        self.assertIn("--quantize int8: the last layer (1) has activation relu; the int8 path takes the logits from a "
                      "last layer without one (identity), then the linear head", err)
        self.assertFalse(os.path.exists(self.out))

    def test_a_layer_wider_than_the_int8_sums_hold_is_named(self):
        layers = {"layers": [{"w": [[0.5] * 517], "b": [0.0] * 517, "activation": "relu"},
                             {"w": [[1.0]] * 517, "b": [0.0], "activation": "identity"}], "output": "linear"}
        status, err, _ = run_exporter([self.csv("wide.json", json.dumps(layers)), "--name", "q", "--out", self.out,
                                       "--quantize", "int8", "--calibration", self.csv("c.csv", "0.5\n")])
        self.assertEqual(status, 1)
        self.assertEqual(len(err.splitlines()), 1, err)
        self.assertIn("--quantize int8: layer 0 is 1x517; ugrad::q8::Dense takes at most 33,155 inputs and 516 outputs", err)
        self.assertFalse(os.path.exists(self.out))

    def test_every_activation_and_head_exports_and_reports(self):
        for spec in ("softmax 3 relu:5 tanh:4 identity:3", "logistic 3 sigmoid:4 identity:1", "linear 3 identity:4 relu:3 identity:2"):
            with self.subTest(spec):
                args = spec.split()
                specs = [a.split(":") for a in args[2:]]
                doc = json.loads(random_model.layers_model(5, [3] + [int(n) for _, n in specs], [a for a, _ in specs], args[0]))
                rows = [[0.1 * i, -0.05 * i, 1 + 0.02 * i] for i in range(40)]
                report = export_model.write_int8_header(doc, "q", self.out, calibration=rows)
                self.assertEqual(report["rows"], 40)
                self.assertIn(f"ugrad::q8::Network<ugrad::{args[0].capitalize()}, ugrad::q8::Dense<3, {specs[0][1]}", report["type"])
                text = read(self.out)
                self.assertIn("inline constexpr double q_input_scale[3] = {", text)
                self.assertIn("inline constexpr int32_t q_input_zero_point[3] = {", text)

    def test_the_layers_format_of_the_same_network_quantizes_the_same(self):
        with open(self.model) as f:
            m = json.load(f)
        doc = {"layers": [{"w": m["w1"], "b": m["b1"], "activation": "sigmoid"},
                          {"w": m["w2"], "b": m["b2"], "activation": "identity"}], "output": "softmax"}
        other = os.path.join(self.work, "layers.hpp")
        export_model.write_int8_header(doc, "digits_q8", other, calibration=self.train)
        export_model.write_int8_header(m, "digits_q8", self.out, calibration=self.train)
        self.assertEqual(read(other), read(self.out))


if __name__ == "__main__":
    sys.exit(unittest.main())
