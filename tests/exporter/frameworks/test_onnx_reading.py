# SPDX-License-Identifier: Apache-2.0
"""The ONNX reader on graphs it accepts (what each operator becomes) and on random corruptions of a
valid file: every corrupted file is either read as a model or refused with one line, exit status 1
and no file — never a traceback."""
import os
import random
import unittest

import torch.nn as nn

from common_frameworks import export_model, helper, np, onnx_model, run_exporter, scratch_dir, weights

W1, B1 = weights(3, 4, seed=1)
W2, B2 = weights(4, 2, seed=2)


def exported(test, model, extra=()):
    work = scratch_dir(test, "onnx_ok_")
    src = os.path.join(work, "m.onnx")
    with open(src, "wb") as f:
        f.write(model.SerializeToString())
    status, err, said = run_exporter([src, "--name", "m", "--out", os.path.join(work, "m.hpp"), *extra])
    test.assertEqual(status, 0, err)
    return export_model.load_onnx(model.SerializeToString(), src, dict(zip(extra[::2], extra[1::2])).get("--head")), said


class Accepted(unittest.TestCase):
    def test_gemm_forms_and_pass_through_operators(self):
        """Gemm with transB and without a bias, Flatten, Identity, Dropout (inference), Tanh; a final Sigmoid head."""
        nodes = [helper.make_node("Flatten", ["x"], ["f"], name="flat"),
                 helper.make_node("Gemm", ["f", "W1t"], ["r"], name="fc1", transB=1),
                 helper.make_node("Identity", ["r"], ["i"], name="id"),
                 helper.make_node("Tanh", ["i"], ["h"], name="tanh"),
                 helper.make_node("Dropout", ["h", "ratio"], ["d"], name="drop"),
                 helper.make_node("Gemm", ["d", "W2", "B2"], ["t"], name="fc2"),
                 helper.make_node("Sigmoid", ["t"], ["y"], name="head")]
        model, said = exported(self, onnx_model(nodes, {"W1t": W1.T.copy(), "W2": W2, "B2": B2, "ratio": np.array(0.5, np.float32)}))
        self.assertIn("ugrad::Network<ugrad::Logistic, ugrad::Dense<3, 4, ugrad::Tanh>, ugrad::Dense<4, 2, ugrad::Identity>>", said)
        self.assertEqual(model["layers"][0]["w"], W1.astype(np.float64).tolist())
        self.assertEqual(model["layers"][0]["b"], [0.0] * 4)
        self.assertEqual(model["layers"][1]["b"], B2.astype(np.float64).tolist())

    def test_a_final_sigmoid_is_an_activation_under_a_linear_head(self):
        nodes = [helper.make_node("Gemm", ["x", "W1", "B1"], ["r"], name="fc1"), helper.make_node("Sigmoid", ["r"], ["y"], name="s")]
        model, said = exported(self, onnx_model(nodes, {"W1": W1, "B1": B1}, n_out=4), ("--head", "linear"))
        self.assertIn("ugrad::Network<ugrad::Linear, ugrad::Dense<3, 4, ugrad::Sigmoid>>", said)

    def test_a_bias_from_a_constant_node_broadcast_from_one_value(self):
        nodes = [helper.make_node("Constant", [], ["c"], value=helper.make_tensor("c", 1, [1], [0.25])),
                 helper.make_node("MatMul", ["x", "W1"], ["m"], name="mm"), helper.make_node("Add", ["m", "c"], ["y"], name="add")]
        model, _ = exported(self, onnx_model(nodes, {"W1": W1}, n_out=4), ("--head", "linear"))
        self.assertEqual(model["layers"][0]["b"], [0.25] * 4)

    def test_torch_bias_free_linear(self):
        doc = export_model.convert(nn.Sequential(nn.Linear(3, 2, bias=False)), head="linear")
        self.assertEqual(doc["layers"][0]["b"], [0.0, 0.0])


class CorruptedFiles(unittest.TestCase):
    CASES = 300

    def test_random_corruptions_are_read_or_refused_in_one_line(self):
        nodes = [helper.make_node("Gemm", ["x", "W1", "B1"], ["r"], name="fc1"), helper.make_node("Relu", ["r"], ["h"], name="relu"),
                 helper.make_node("Gemm", ["h", "W2", "B2"], ["t"], name="fc2"), helper.make_node("Softmax", ["t"], ["y"], name="sm")]
        valid = onnx_model(nodes, {"W1": W1, "B1": B1, "W2": W2, "B2": B2}).SerializeToString()
        rng = random.Random(20261129)
        work = scratch_dir(self, "onnx_fuzz_")
        src, out = os.path.join(work, "in.onnx"), os.path.join(work, "out.hpp")
        refused = read = 0
        for case in range(self.CASES):
            data = bytearray(valid)
            kind = case % 3
            if kind == 0:  # flip a few bytes
                for _ in range(rng.randrange(1, 6)):
                    data[rng.randrange(len(data))] = rng.randrange(256)
            elif kind == 1:  # cut it short
                data = data[:rng.randrange(len(data))]
            else:  # splice in random bytes
                i = rng.randrange(len(data))
                data[i:i] = bytes(rng.randrange(256) for _ in range(rng.randrange(1, 40)))
            with open(src, "wb") as f:
                f.write(bytes(data))
            with self.subTest(case=case):
                status, err, _ = run_exporter([src, "--name", "m", "--out", out])
                self.assertIn(status, (0, 1), err)
                if status == 1:
                    self.assertEqual(len(err.splitlines()), 1, err)
                    self.assertTrue(err.startswith("export_model: error: "), err)
                    self.assertEqual(os.listdir(work), ["in.onnx"], "a file was written")
                    refused += 1
                else:
                    self.assertTrue(os.path.exists(out))
                    os.unlink(out)
                    read += 1
        self.assertGreater(refused, self.CASES // 2)
        print(f"\nONNX corruption fuzz: {self.CASES} corrupted files, {refused} refused with one line, {read} still a model", end=" ")


if __name__ == "__main__":
    unittest.main()
