# SPDX-License-Identifier: Apache-2.0
"""Everything the exporter cannot express, from each source: one line naming the layer or node and
why, exit status 1 (ModelError from the Python API), and no file written — case by case."""
import os
import unittest

import torch
import torch.nn as nn
from sklearn.linear_model import LogisticRegression
from sklearn.neural_network import MLPClassifier, MLPRegressor

from common_frameworks import (TensorProto, export_model, helper, np, numpy_helper, onnx, onnx_model, run_exporter,
                               scratch_dir, weights)

W, B = weights(3, 2)
W1, B1 = weights(3, 4, seed=1)
W2, B2 = weights(4, 2, seed=2)


def gemm(name, x, y, w, b, **attrs):
    return helper.make_node("Gemm", [x, w, b], [y], name=name, **attrs)


class Refused(unittest.TestCase):
    def refused_by_api(self, model, fragments, head=None):
        """write_header raises one line holding every fragment, and writes no file."""
        work = scratch_dir(self, "api_error_")
        with self.assertRaises(export_model.ModelError) as caught:
            export_model.write_header(model, "m", os.path.join(work, "m.hpp"), head=head, c_api=True)
        message = str(caught.exception)
        self.assertEqual(len(message.splitlines()), 1, message)
        for fragment in fragments:
            self.assertIn(fragment, message)
        self.assertEqual(os.listdir(work), [], "a file was written")
        return message

    def refused_by_command(self, data, fragments, extra=(), suffix=".onnx"):
        """tools/export_model.py on a file holding `data` (a ModelProto or bytes): status 1, one line, no file."""
        work = scratch_dir(self, "onnx_error_")
        src, out = os.path.join(work, "in" + suffix), os.path.join(work, "out.hpp")
        with open(src, "wb") as f:
            f.write(data if isinstance(data, bytes) else data.SerializeToString())
        status, err, _ = run_exporter([src, "--name", "m", "--out", out, "--c-api", *extra])
        self.assertEqual(status, 1, err)
        self.assertEqual(len(err.splitlines()), 1, err)
        self.assertTrue(err.startswith("export_model: error: "), err)
        for fragment in fragments:
            self.assertIn(fragment, err)
        self.assertEqual(os.listdir(work), ["in" + suffix], "a file was written")
        return err


class TorchRefused(Refused):
    def test_a_convolution_without_its_input_shape(self):
        model = nn.Sequential(nn.Conv2d(1, 2, 3), nn.Flatten(), nn.Linear(8, 2))
        self.refused_by_api(model, ["layer 0 (Conv2d): an image layer needs an image input: give input_shape=(C, H, W)"],
                            head="softmax")

    def test_leaky_relu(self):
        model = nn.Sequential(nn.Linear(3, 4), nn.LeakyReLU(), nn.Linear(4, 2))
        self.refused_by_api(model, ["layer 1 (LeakyReLU): not supported"], head="softmax")

    def test_an_activation_before_any_linear(self):
        self.refused_by_api(nn.Sequential(nn.ReLU(), nn.Linear(3, 2)), ["layer 0 (ReLU)", "before any Linear"], head="linear")

    def test_two_activations_in_a_row(self):
        model = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Tanh(), nn.Linear(4, 2))
        self.refused_by_api(model, ["layer 2 (Tanh)", "second activation after layer 1 (ReLU)"], head="softmax")

    def test_a_softmax_in_the_middle(self):
        model = nn.Sequential(nn.Linear(3, 4), nn.Softmax(dim=1), nn.Linear(4, 2))
        self.refused_by_api(model, ["layer 1 (Softmax)", "only as the last module"], head="linear")

    def test_a_softmax_over_the_batch(self):
        self.refused_by_api(nn.Sequential(nn.Linear(3, 2), nn.Softmax(dim=0)), ["layer 1 (Softmax): dim=0"])

    def test_a_flatten_that_merges_samples(self):
        model = nn.Sequential(nn.Flatten(0, -1), nn.Linear(3, 2))
        self.refused_by_api(model, ["layer 0 (Flatten): start_dim=0"], head="linear")

    def test_no_head(self):
        self.refused_by_api(nn.Sequential(nn.Linear(3, 2)), ["name the head", "CrossEntropyLoss"])

    def test_a_head_that_contradicts_the_model(self):
        self.refused_by_api(nn.Sequential(nn.Linear(3, 2), nn.Softmax(dim=1)), ["layer 1 (Softmax) ends the model", "head='linear'"],
                            head="linear")
        self.refused_by_api(nn.Sequential(nn.Linear(3, 2), nn.Sigmoid()), ["layer 1 (Sigmoid) ends the model", "head='softmax'"],
                            head="softmax")

    def test_an_unknown_head(self):
        self.refused_by_api(nn.Sequential(nn.Linear(3, 2)), ["head='sigmoid'", "expected"], head="sigmoid")

    def test_half_precision_weights(self):
        self.refused_by_api(nn.Sequential(nn.Linear(3, 2)).half(), ["layer 0 (Linear): weight has dtype torch.float16"],
                            head="softmax")

    def test_integer_nested_and_bfloat16(self):
        model = nn.Sequential(nn.Sequential(nn.Linear(3, 4), nn.ReLU()), nn.Linear(4, 2).to(torch.bfloat16))
        self.refused_by_api(model, ["layer 1 (Linear): weight has dtype torch.bfloat16"], head="softmax")

    def test_a_module_that_is_not_a_sequential(self):
        class Net(nn.Module):
            def __init__(self):
                super().__init__()
                self.fc = nn.Linear(3, 2)

            def forward(self, x):
                return self.fc(x) * 2

        self.refused_by_api(Net(), ["torch Net: only nn.Sequential"], head="softmax")

    def test_no_linear_layer(self):
        self.refused_by_api(nn.Sequential(nn.Identity(), nn.Dropout()), ["no Linear layer"], head="softmax")

    def test_non_finite_weights(self):
        model = nn.Sequential(nn.Linear(3, 2))
        with torch.no_grad():
            model[0].bias[1] = float("nan")
        self.refused_by_api(model, ["layers[0].b[1] is nan"], head="softmax")


class SklearnRefused(Refused):
    X = np.random.default_rng(0).uniform(-1, 1, (40, 3))
    y = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0)

    def fitted(self):
        import warnings
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return MLPClassifier(hidden_layer_sizes=(4,), max_iter=5, random_state=0).fit(self.X, self.y)

    def test_an_unfitted_estimator(self):
        self.refused_by_api(MLPClassifier(), ["scikit-learn MLPClassifier is not fitted"])
        self.refused_by_api(MLPRegressor(), ["scikit-learn MLPRegressor is not fitted"])

    def test_another_estimator(self):
        self.refused_by_api(LogisticRegression().fit(self.X, self.y), ["scikit-learn LogisticRegression: not supported"])

    def test_wrong_dtype(self):
        clf = self.fitted()
        clf.coefs_[1] = clf.coefs_[1].astype(np.int64)
        self.refused_by_api(clf, ["coefs_[1] has dtype int64, expected a float32 or float64 array"])
        clf = self.fitted()
        clf.intercepts_[0] = clf.intercepts_[0].astype(np.float16)
        self.refused_by_api(clf, ["intercepts_[0] has dtype float16"])

    def test_a_head_that_contradicts_the_estimator(self):
        self.refused_by_api(self.fitted(), ["its output is softmax, but head='linear'"], head="linear")

    def test_infinite_weights(self):
        clf = self.fitted()
        clf.coefs_[0][2, 1] = np.inf
        self.refused_by_api(clf, ["layers[0].w[2][1] is inf"])

    def test_not_a_model(self):
        self.refused_by_api(42, ["convert: int is not a fitted scikit-learn"])
        self.refused_by_api([[1.0]], ["convert: list"])


class OnnxRefused(Refused):
    def chain(self, *nodes, **kw):
        """x -> Gemm(W1, B1) -> h -> nodes... -> y, with W2/B2 available."""
        return onnx_model([gemm("fc1", "x", "h", "W1", "B1"), *nodes], {"W1": W1, "B1": B1, "W2": W2, "B2": B2}, **kw)

    def test_a_convolution_on_a_vector_input(self):
        model = onnx_model([helper.make_node("Conv", ["x", "K"], ["y"], name="conv1")],
                           {"K": np.ones((2, 1, 3), np.float32)})
        self.refused_by_command(model, ["node 'conv1' (Conv): an image operator needs an image input ([N, C, H, W]"])

    def test_leaky_relu(self):
        model = self.chain(helper.make_node("LeakyRelu", ["h"], ["a"], name="leaky"), gemm("fc2", "a", "y", "W2", "B2"))
        self.refused_by_command(model, ["node 'leaky' (LeakyRelu): operator LeakyRelu is not supported"], extra=("--head", "softmax"))

    def test_an_unnamed_node_is_named_by_its_index(self):
        model = self.chain(helper.make_node("BatchNormalization", ["h", "W1", "W1", "W1", "W1"], ["y"]))
        self.refused_by_command(model, ["node #1 (BatchNormalization)"])

    def test_two_activations_in_a_row(self):
        model = self.chain(helper.make_node("Relu", ["h"], ["a"], name="r"), helper.make_node("Tanh", ["a"], ["t"], name="t"),
                           gemm("fc2", "t", "y", "W2", "B2"))
        self.refused_by_command(model, ["node 't' (Tanh): a second activation after node 'r' (Relu)"], extra=("--head", "linear"))

    def test_an_activation_before_any_layer(self):
        model = onnx_model([helper.make_node("Relu", ["x"], ["a"], name="r"), gemm("fc", "a", "y", "W", "B")], {"W": W, "B": B})
        self.refused_by_command(model, ["node 'r' (Relu): an activation before any Gemm/MatMul"], extra=("--head", "linear"))

    def test_a_softmax_in_the_middle(self):
        model = self.chain(helper.make_node("Softmax", ["h"], ["s"], name="sm"), gemm("fc2", "s", "y", "W2", "B2"))
        self.refused_by_command(model, ["node 'sm' (Softmax): a Softmax only as the last node"], extra=("--head", "linear"))

    def test_a_log_softmax_head(self):
        model = self.chain(gemm("fc2", "h", "t", "W2", "B2"), helper.make_node("LogSoftmax", ["t"], ["y"], name="ls"))
        self.refused_by_command(model, ["node 'ls' (LogSoftmax): operator LogSoftmax is not supported"])

    def test_an_add_that_is_not_a_bias(self):
        model = self.chain(helper.make_node("Relu", ["h"], ["a"], name="r"), helper.make_node("Add", ["a", "B1"], ["y"], name="add"),
                           n_out=4)
        self.refused_by_command(model, ["node 'add' (Add): an Add is supported only as the bias"], extra=("--head", "linear"))

    def test_a_branch(self):
        model = self.chain(helper.make_node("Relu", ["h"], ["a"], name="r"), helper.make_node("Tanh", ["h"], ["b"], name="t"),
                           helper.make_node("Add", ["a", "b"], ["y"], name="add"), n_out=4)
        self.refused_by_command(model, ["value 'h' feeds 2 nodes", "a chain of layers"], extra=("--head", "linear"))

    def test_a_weight_computed_in_the_graph(self):
        model = onnx_model([helper.make_node("Relu", ["W"], ["Wr"], name="rw"), gemm("fc", "x", "y", "Wr", "B")], {"W": W, "B": B})
        self.refused_by_command(model, ["input 'Wr' is computed in the graph"], extra=("--head", "linear"))

    def test_a_cycle(self):
        nodes = [gemm("fc1", "x", "h", "W1", "B1"), helper.make_node("Add", ["h", "loop"], ["s"], name="add"),
                 helper.make_node("Relu", ["s"], ["loop"], name="back"), gemm("fc2", "loop", "y", "W2", "B2")]
        model = onnx_model(nodes, {"W1": W1, "B1": B1, "W2": W2, "B2": B2})
        self.refused_by_command(model, ["the graph has a cycle through node 'add' (Add)"], extra=("--head", "linear"))

    def test_a_node_off_the_path(self):
        model = self.chain(gemm("fc2", "h", "y", "W2", "B2"), helper.make_node("Relu", ["W1"], ["unused"], name="stray"))
        self.refused_by_command(model, ["node 'stray' (Relu): not on the path"], extra=("--head", "linear"))

    def test_gemm_with_a_scale(self):
        model = onnx_model([gemm("fc", "x", "y", "W", "B", alpha=2.0)], {"W": W, "B": B})
        self.refused_by_command(model, ["node 'fc' (Gemm): alpha=2.0"], extra=("--head", "linear"))

    def test_half_precision_weights(self):
        model = onnx_model([gemm("fc", "x", "y", "W", "B")], {"W": W.astype(np.float16), "B": B})
        self.refused_by_command(model, ["initializer 'W' has element type FLOAT16, expected FLOAT or DOUBLE"], extra=("--head", "linear"))

    def test_an_integer_input(self):
        model = onnx_model([gemm("fc", "x", "y", "W", "B")], {"W": W, "B": B}, input_type=TensorProto.INT64)
        self.refused_by_command(model, ["graph input 'x' has element type INT64"], extra=("--head", "linear"))

    def test_external_data(self):
        model = onnx_model([gemm("fc", "x", "y", "W", "B")], {"W": W, "B": B})
        w = model.graph.initializer[0]
        w.ClearField("raw_data")
        w.data_location = TensorProto.EXTERNAL
        w.external_data.add(key="location", value="/etc/passwd")
        self.refused_by_command(model, ["initializer 'W' keeps its data in an external file"], extra=("--head", "linear"))

    def test_no_head(self):
        model = onnx_model([gemm("fc", "x", "y", "W", "B")], {"W": W, "B": B})
        self.refused_by_command(model, ["ends in logits", "--head softmax|logistic|linear"])

    def test_a_head_that_contradicts_the_graph(self):
        model = self.chain(gemm("fc2", "h", "t", "W2", "B2"), helper.make_node("Softmax", ["t"], ["y"], name="sm"))
        self.refused_by_command(model, ["node 'sm' (Softmax) ends the graph, but --head logistic"], extra=("--head", "logistic"))

    def test_sizes_that_do_not_chain(self):
        model = onnx_model([gemm("fc1", "x", "h", "W1", "B1"), gemm("fc2", "h", "y", "W", "B")], {"W1": W1, "B1": B1, "W": W, "B": B})
        self.refused_by_command(model, ["'layers[1].w' has 3 rows, expected 4", "node 'fc2' (Gemm)"], extra=("--head", "linear"))

    def test_input_features_that_do_not_match(self):
        model = onnx_model([gemm("fc", "x", "y", "W", "B")], {"W": W, "B": B}, n_in=5)
        self.refused_by_command(model, ["graph input 'x' has 5 features per sample, the first layer takes 3"], extra=("--head", "linear"))

    def test_two_inputs(self):
        inputs = [helper.make_tensor_value_info(n, TensorProto.FLOAT, ["N", 3]) for n in ("x", "z")]
        model = onnx_model([gemm("fc", "x", "y", "W", "B")], {"W": W, "B": B}, inputs=inputs)
        self.refused_by_command(model, ["the graph has 2 inputs (x, z)"], extra=("--head", "linear"))

    def test_a_file_that_is_not_onnx(self):
        self.refused_by_command(b'{"layers": []}', ["not an ONNX model"])
        self.refused_by_command(b"", ["not an ONNX model"])
        self.refused_by_command(bytes(range(256)) * 4, ["not an ONNX model"])
        self.refused_by_command(b"\x80" * 64, ["not an ONNX model"])

    def test_onnx_bytes_under_another_name(self):
        model = onnx_model([gemm("fc", "x", "y", "W", "B")], {"W": W, "B": B})
        self.refused_by_command(model, ["not valid JSON", "ends in .onnx"], suffix=".bin")

    def test_head_on_a_json_model(self):
        self.refused_by_command(b'{"layers": []}', ["--head is for an ONNX model"], suffix=".json", extra=("--head", "linear"))


if __name__ == "__main__":
    unittest.main()
