# SPDX-License-Identifier: Apache-2.0
"""tools/export_model.py: the header it writes, its rounding, and every documented error case —
one line on standard error naming the problem, exit status 1 (2 for a bad command line), no file."""
import os
import struct
import subprocess
import sys
import unittest
from decimal import Decimal

from common import ROOT, export_model, read, run_exporter, scratch_dir

VALID = '{"w1": [[0.5, -1.0, 0.25], [1.5, 0.75, -0.5]], "b1": [0.1, -0.2, 0], ' \
        '"w2": [[1.0, -1.0], [-0.5, 0.5], [2.0, 0.0]], "b2": [0.0, 0.1], "source": "ignored"}'


def float32_via_double(text: str) -> float:
    """decimal -> double -> float32 by the C library: the same as direct rounding except in rare
    double-rounding cases, which the values below avoid."""
    return struct.unpack("<f", struct.pack("<f", float(text)))[0]


class Rounding(unittest.TestCase):
    def test_agrees_with_the_c_library_on_ordinary_values(self):
        for text in ["0.1", "-0.2", "1e-3", "3.14159265358979", "123456789", "-7.5e-40", "1e-45", "3.4028235e38", "0.333333343267"]:
            self.assertEqual(export_model.to_float32(Decimal(text)), float32_via_double(text), text)

    def test_ties_go_to_even_and_a_hair_above_goes_up(self):
        one_plus_half_ulp = "1.000000059604644775390625"  # 1 + 2^-24, exactly halfway
        self.assertEqual(export_model.to_float32(Decimal(one_plus_half_ulp)), 1.0)
        self.assertEqual(export_model.to_float32(Decimal(one_plus_half_ulp + "01")), 1.0 + 2.0**-23)

    def test_signed_zero_and_underflow(self):
        self.assertEqual(str(export_model.to_float32(Decimal("-0.0"))), "-0.0")
        self.assertEqual(export_model.to_float32(Decimal("1e-46")), 0.0)
        self.assertEqual(export_model.to_float32(Decimal("-1e-999999")), 0.0)

    def test_overflow_is_refused_at_the_rounding_boundary(self):
        flt_max = (2 - 2.0**-23) * 2.0**127
        self.assertEqual(export_model.to_float32(Decimal(2**128 - 2**103 - 1)), flt_max)
        for too_big in [Decimal(2**128 - 2**103), Decimal("3.5e38"), Decimal("-1e39"), Decimal("1e999999")]:
            with self.assertRaises(OverflowError):
                export_model.to_float32(too_big)

    def test_hex_literals_are_exact(self):
        for v in [0.1, -1.5, 2.0**-149, -0.0, 0.0, (2 - 2.0**-23) * 2.0**127]:
            f = export_model.to_float32(Decimal(repr(v)))
            literal = export_model.hex_literal(f)
            self.assertTrue(literal.endswith("f"))
            self.assertEqual(float.fromhex(literal[:-1]), f)


LAYERS = '{"layers": [{"w": [[0.5, -1.0, 0.25], [1.5, 0.75, -0.5]], "b": [0.1, -0.2, 0], "activation": "relu"}, ' \
         '{"w": [[1.0], [-0.5], [2.0]], "b": [0.1], "activation": "tanh"}, ' \
         '{"w": [[1.0, -1.0]], "b": [0.0, 0.1], "activation": "identity"}], "output": "softmax", "source": "ignored"}'


class Output(unittest.TestCase):
    def test_layers_format_defines_the_constexpr_network(self):
        work = scratch_dir(self, "output_layers_")
        src, out = os.path.join(work, "m.json"), os.path.join(work, "m.hpp")
        with open(src, "w") as f:
            f.write(LAYERS)
        status, err, said = run_exporter([src, "--name", "deep_net", "--out", out])
        self.assertEqual(status, 0, err)
        network = ("ugrad::Network<ugrad::Softmax, ugrad::Dense<2, 3, ugrad::Relu>, ugrad::Dense<3, 1, ugrad::Tanh>, "
                   "ugrad::Dense<1, 2, ugrad::Identity>> deep_net")
        self.assertIn(network, said)
        text = read(out)
        self.assertIn("inline constexpr ugrad::Network<ugrad::Softmax,\n", text)
        self.assertIn("ugrad::Dense<1, 2, ugrad::Identity>> deep_net = {", text)
        self.assertIn("0x1.99999ap-4f", text)  # 0.1 rounded to float32
        self.assertEqual(text.count("// layer "), 3)
        for head, tag in (("logistic", "Logistic"), ("linear", "Linear")):
            with open(src, "w") as f:
                f.write(LAYERS.replace('"softmax"', f'"{head}"'))
            status, err, _ = run_exporter([src, "--name", "deep_net", "--out", out])
            self.assertEqual(status, 0, err)
            self.assertIn(f"ugrad::Network<ugrad::{tag},", read(out))

    def test_c_api_for_a_network(self):
        work = scratch_dir(self, "output_layers_c_")
        src, out = os.path.join(work, "m.json"), os.path.join(work, "m.hpp")
        with open(src, "w") as f:
            f.write(LAYERS)
        status, err, _ = run_exporter([src, "--name", "deep_net", "--out", out, "--c-api"])
        self.assertEqual(status, 0, err)
        # Activations: y of each layer (3 + 1 + 2 floats), then log ŷ and ŷ of the softmax (2 + 2).
        self.assertIn("UGRAD_C_DECLARE_NETWORK(deep_net, 2, 2, 10)", read(os.path.join(work, "m.h")))
        self.assertIn("UGRAD_C_DEFINE_NETWORK(deep_net)", read(os.path.join(work, "m_c_api.cpp")))

    def test_a_python_dict_writes_the_same_header(self):
        import json
        work = scratch_dir(self, "output_dict_")
        src, from_json, from_dict = (os.path.join(work, n) for n in ("m.json", "a.hpp", "b.hpp"))
        with open(src, "w") as f:
            f.write(LAYERS)
        self.assertEqual(run_exporter([src, "--name", "net", "--out", from_json])[0], 0)
        doc = json.loads(LAYERS)  # Python floats now: the same exact values, rounded the same way
        self.assertEqual(export_model.write_header(doc, "net", from_dict).split("<")[0], "ugrad::Network")
        self.assertEqual(read(from_json).split("\n")[1:], read(from_dict).split("\n")[1:])


    def test_header_defines_the_constexpr_model(self):
        work = scratch_dir(self, "output_")
        src, out = os.path.join(work, "m.json"), os.path.join(work, "m.hpp")
        with open(src, "w") as f:
            f.write(VALID)
        status, err, said = run_exporter([src, "--name", "tiny_net", "--out", out, "--note", "from a test"])
        self.assertEqual(status, 0, err)
        self.assertIn("ugrad::Mlp<2, 3, 2> tiny_net", said)
        text = read(out)
        self.assertIn("inline constexpr ugrad::Mlp<2, 3, 2> tiny_net = {", text)
        self.assertIn("// from a test", text)
        self.assertIn("0x1.99999ap-4f", text)  # 0.1 rounded to float32
        self.assertEqual(sorted(os.listdir(work)), ["m.hpp", "m.json"])
        umask = os.umask(0)
        os.umask(umask)
        self.assertEqual(os.stat(out).st_mode & 0o777, 0o666 & ~umask, "the header has the mode of an ordinary new file")

    def test_c_api_writes_the_declarations_and_the_definitions(self):
        work = scratch_dir(self, "output_c_")
        src, out = os.path.join(work, "m.json"), os.path.join(work, "m.hpp")
        with open(src, "w") as f:
            f.write(VALID)
        status, err, _ = run_exporter([src, "--name", "tiny_net", "--out", out, "--c-api"])
        self.assertEqual(status, 0, err)
        self.assertIn("UGRAD_C_DECLARE(tiny_net, 2, 3, 2)", read(os.path.join(work, "m.h")))
        self.assertIn("UGRAD_C_DEFINE(tiny_net)", read(os.path.join(work, "m_c_api.cpp")))


class Errors(unittest.TestCase):
    """Each malformed input: exit status, one line naming the problem, and no file written."""

    def assert_refused(self, text, fragment, name="model", extra=(), status=1, raw=None):
        work = scratch_dir(self, "error_")
        src, out = os.path.join(work, "in.json"), os.path.join(work, "out.hpp")
        with open(src, "wb") as f:
            f.write(raw if raw is not None else text.encode())
        got, err, _ = run_exporter([src, "--name", name, "--out", out, *extra])
        self.assertEqual(got, status, err)
        self.assertEqual(len(err.splitlines()), 1, err)
        self.assertTrue(err.startswith("export_model: error: "), err)
        self.assertIn(fragment, err)
        self.assertEqual(os.listdir(work), ["in.json"], "a file was written")

    def test_layers_that_do_not_chain(self):
        self.assert_refused(LAYERS.replace('[[1.0], [-0.5], [2.0]]', '[[1.0], [-0.5]]'),
                            "'layers[1].w' has 2 rows, expected 3 (the outputs of layers[0]: layer sizes must chain)")
        self.assert_refused(LAYERS.replace('"b": [0.1], "activation": "tanh"', '"b": [0.1, 0.2], "activation": "tanh"'),
                            "'layers[1].b' has 2 entries, expected 1")

    def test_layers_format_errors(self):
        self.assert_refused(LAYERS.replace('"tanh"', '"leaky_relu"'),
                            "layers[1].activation is 'leaky_relu', expected one of identity, sigmoid, tanh, relu, relu6")
        self.assert_refused(LAYERS.replace('"tanh"', '3'), "layers[1].activation is a number")
        self.assert_refused(LAYERS.replace('"softmax"', '"log_softmax"'), "'output' is 'log_softmax', expected one of softmax")
        self.assert_refused(LAYERS.replace('"output"', '"outputs"'), "missing key 'output'")
        self.assert_refused(LAYERS.replace('"activation": "relu"', '"act": "relu"'), "layers[0]: missing key 'activation'")
        self.assert_refused('{"layers": [], "output": "linear"}', "'layers' is empty")
        self.assert_refused('{"layers": {"w": []}, "output": "linear"}', "'layers' is an object, expected a list of layers")
        self.assert_refused('{"layers": [[1]], "output": "linear"}', "'layers[0]' is a list, expected an object")
        self.assert_refused(LAYERS.replace("0.25", '"x"'), "layers[0].w[0][2] is a string")
        self.assert_refused(LAYERS.replace("-0.2", "NaN"), "NaN is not allowed")
        self.assert_refused(LAYERS.replace("-0.2", "1e39"), "layers[0].b[1] = 1E+39 is outside the float range")

    def test_not_json(self):
        self.assert_refused('{"w1": [[1, 2]', "not valid JSON")
        self.assert_refused("", "not valid JSON")
        self.assert_refused("", "not UTF-8", raw=b'{"w1": "\xff"}')

    def test_model_files_it_does_not_read_are_named_with_what_to_do(self):
        cases = {
            "model.pt": "a PyTorch file is not read (it is a pickle: loading it runs code); load the model in Python",
            "model.PTH": "or torch.onnx.export it and pass the .onnx",
            "model.pkl": "a pickle/joblib file is not read",
            "model.joblib": "call export_model.write_header(model, ...)",
            "model.h5": "a Keras file is not read; convert the model to ONNX (tf2onnx)",
            "model.keras": "a Keras file is not read",
            "model.tflite": "is not b'TFL3' (not a .tflite model)",
        }
        for file_name, fragment in cases.items():
            with self.subTest(file_name):
                work = scratch_dir(self, "unread_")
                src, out = os.path.join(work, file_name), os.path.join(work, "out.hpp")
                with open(src, "wb") as f:
                    f.write(b"PK\x03\x04 not a model the exporter reads \x80\x02")
                for extra in ((), ("--quantize", "int8", "--calibration", src)):
                    got, err, _ = run_exporter([src, "--name", "m", "--out", out, *extra])
                    self.assertEqual(got, 1, err)
                    self.assertEqual(len(err.splitlines()), 1, err)
                    self.assertIn(fragment, err)
                    self.assertNotIn("JSON", err)
                    self.assertEqual(os.listdir(work), [file_name], "a file was written")

    def test_top_level_not_an_object(self):
        self.assert_refused("[1, 2, 3]", "expected an object")

    def test_missing_keys(self):
        for key in ("w1", "b1", "w2", "b2"):
            self.assert_refused(VALID.replace(f'"{key}"', '"other"'), f"missing key '{key}'")

    def test_ragged_and_mismatched_shapes(self):
        self.assert_refused(VALID.replace("[1.5, 0.75, -0.5]", "[1.5, 0.75]"), "ragged")
        self.assert_refused(VALID.replace("[0.1, -0.2, 0]", "[0.1, -0.2]"), "'b1' has 2 entries, expected 3")
        self.assert_refused(VALID.replace("[2.0, 0.0]]", "[2.0, 0.0], [1, 1]]"), "'w2' has 4 rows, expected 3")
        self.assert_refused(VALID.replace("[2.0, 0.0]]", "[2.0]]"), "ragged")
        self.assert_refused(VALID.replace('"b2": [0.0, 0.1]', '"b2": [0.0]'), "'b2' has 1 entries, expected 2")
        self.assert_refused(VALID.replace('"w1": [[0.5, -1.0, 0.25], [1.5, 0.75, -0.5]]', '"w1": []'), "'w1' has no rows")
        self.assert_refused(VALID.replace('[[0.5, -1.0, 0.25], [1.5, 0.75, -0.5]]', '[[], []]'), "w1[0] is empty")
        self.assert_refused(VALID.replace('[[0.5, -1.0, 0.25], [1.5, 0.75, -0.5]]', '[0.5, 1.5]'), "expected a row")
        self.assert_refused(VALID.replace('[0.1, -0.2, 0]', '0.1'), "expected a list")

    def test_non_numbers(self):
        self.assert_refused(VALID.replace("0.25", '"0.25"'), "w1[0][2] is a string")
        self.assert_refused(VALID.replace("0.25", "null"), "w1[0][2] is null")
        self.assert_refused(VALID.replace("0.25", "true"), "w1[0][2] is a boolean")
        self.assert_refused(VALID.replace("0.25", "[0.25]"), "w1[0][2] is a list")

    def test_nan_and_infinity(self):
        for token in ("NaN", "Infinity", "-Infinity"):
            self.assert_refused(VALID.replace("-0.2", token), token)

    def test_outside_the_float_range(self):
        self.assert_refused(VALID.replace("-0.2", "3.5e38"), "b1[1] = 3.5E+38 is outside the float range")
        self.assert_refused(VALID.replace("0.1]", "-1e400]"), "b2[1] = -1E+400 is outside the float range")

    def test_invalid_names(self):
        for name, fragment in [("1net", "not a C++ identifier"), ("my-net", "not a C++ identifier"),
                               ("", "not a C++ identifier"), ("ns::net", "not a C++ identifier"),
                               ("class", "keyword"), ("restrict", "keyword"), ("a__b", "reserved"),
                               ("_Net", "reserved"), ("ugrad", "collides")]:
            self.assert_refused(VALID, fragment, name=name)

    def test_c_api_writes_none_of_its_files_on_error(self):
        self.assert_refused(VALID.replace("0.25", "NaN"), "NaN", extra=("--c-api",))

    def test_unreadable_input_and_missing_output_directory(self):
        status, err, _ = run_exporter(["/nonexistent/model.json", "--name", "m", "--out", os.path.join(scratch_dir(self, "io_"), "m.hpp")])
        self.assertEqual((status, len(err.splitlines())), (1, 1))
        self.assertIn("cannot read", err)
        status, err, _ = run_exporter([__file__, "--name", "m", "--out", "/nonexistent/dir/m.hpp"])
        self.assertEqual((status, len(err.splitlines())), (1, 1))
        self.assertIn("does not exist", err)

    def test_bad_command_line_is_one_line_too(self):
        status, err, _ = run_exporter(["model.json", "--out", "x.hpp"])
        self.assertEqual((status, len(err.splitlines())), (2, 1))
        self.assertIn("--name", err)

    def test_the_command_itself(self):
        """The script run as a program: the same one line and status."""
        work = scratch_dir(self, "cli_")
        src, out = os.path.join(work, "in.json"), os.path.join(work, "out.hpp")
        with open(src, "w") as f:
            f.write(VALID.replace('"b2"', '"b3"'))
        run = subprocess.run([sys.executable, os.path.join(ROOT, "tools", "export_model.py"), src, "--name", "m", "--out", out],
                             capture_output=True, text=True)
        self.assertEqual(run.returncode, 1)
        self.assertEqual(run.stderr, f"export_model: error: {src}: missing key 'b2'\n")
        self.assertFalse(os.path.exists(out))


if __name__ == "__main__":
    unittest.main()
