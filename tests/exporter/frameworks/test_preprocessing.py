# SPDX-License-Identifier: Apache-2.0
"""The model's preprocessing comes with it: a scikit-learn Pipeline of StandardScaler / MinMaxScaler
steps and an MLP, and a torch nn.Sequential that starts with a BatchNorm1d (eval mode), export as
one network whose layer 0 holds the affine map (w'_ij = a_i·w_ij, b'_j = b_j + Σ_i c_i·w_ij, each
rounded once to float32), so the firmware feeds raw inputs and dJ/dx is with respect to them.
Unsupported steps, a zero or non-finite scale: one line, no file."""
import math
import os
import unittest
import warnings

import torch
import torch.nn as nn
from sklearn.exceptions import ConvergenceWarning
from sklearn.neural_network import MLPClassifier, MLPRegressor
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import MinMaxScaler, PolynomialFeatures, StandardScaler

from common_frameworks import export_model, np, read, scratch_dir
from test_unsupported import Refused

import q8_report  # noqa: E402  (tools/, on the path through common)

RNG = np.random.default_rng(3)
# Raw sensor-like inputs: offsets and spreads far from a standardized range.
X = RNG.normal([500.0, -3.0, 0.02, 40.0], [120.0, 0.5, 0.004, 9.0], (300, 4))
Y = ((X[:, 0] - 500) / 120 + (X[:, 3] - 40) / 9 > 0).astype(int) + ((X[:, 1] + 3) / 0.5 > 0.5)


def fitted(pipeline, y=Y):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return pipeline.fit(X, y)


def f32(v):
    return float(np.float32(v))


class Folded(unittest.TestCase):
    def check_fold(self, doc, mlp_doc, a, c):
        """Layer 0 of doc is exactly float32(a_i·w_ij) and float32(fsum(b_j, c_i·w_ij)) from the MLP's own layer."""
        w, b = mlp_doc["layers"][0]["w"], mlp_doc["layers"][0]["b"]
        model = export_model.load_doc(doc, "pipeline")
        for i, row in enumerate(w):
            self.assertEqual(model["layers"][0]["w"][i], [f32(a[i] * v) for v in row])
        self.assertEqual(model["layers"][0]["b"], [f32(math.fsum([bj] + [c[i] * w[i][j] for i in range(len(w))]))
                                                   for j, bj in enumerate(b)])
        self.assertEqual(model["layers"][1:], export_model.load_doc(mlp_doc, "mlp")["layers"][1:])
        return model

    def check_against_pipeline(self, model, proba, gradient_of):
        """ŷ of the exported network (double) against the pipeline's own, and dJ/dx against autograd
        through the scaler, on raw inputs: equal up to the float32 rounding of the folded values."""
        for n in range(0, len(X), 7):
            label = int(np.argmax(proba[n]))
            y, dx, _ = q8_report.float_forward_and_gradient(model, X[n].tolist(), q8_report.onehot(model["output"], label, len(proba[n])))
            self.assertLess(np.max(np.abs(np.array(y) - proba[n])), 1e-5)
            g = gradient_of(X[n], label)
            self.assertLess(np.linalg.norm(np.array(dx) - g), 1e-5 * np.linalg.norm(g) + 1e-30)

    def test_standard_scaler_pipeline(self):
        pipe = fitted(make_pipeline(StandardScaler(), MLPClassifier((8,), max_iter=300, random_state=0)))
        scaler, mlp = pipe[0], pipe[-1]
        doc = export_model.convert(pipe)
        model = self.check_fold(doc, export_model.convert(mlp), 1 / scaler.scale_, -scaler.mean_ / scaler.scale_)

        def gradient(x, label):
            t = torch.tensor(x, requires_grad=True)
            h = torch.relu((t - torch.tensor(scaler.mean_)) / torch.tensor(scaler.scale_) @ torch.tensor(mlp.coefs_[0])
                           + torch.tensor(mlp.intercepts_[0]))
            logits = h @ torch.tensor(mlp.coefs_[1]) + torch.tensor(mlp.intercepts_[1])
            torch.nn.functional.cross_entropy(logits[None], torch.tensor([label])).backward()
            return t.grad.numpy()
        self.check_against_pipeline(model, pipe.predict_proba(X), gradient)

    def test_two_scalers_compose(self):
        pipe = fitted(Pipeline([("minmax", MinMaxScaler((-1, 1))), ("std", StandardScaler()),
                                ("mlp", MLPRegressor((5,), activation="tanh", max_iter=200, random_state=0))]),
                      y=X[:, 0] / 100)
        mm, sd = pipe[0], pipe[1]
        a = sd.scale_ ** -1 * mm.scale_
        c = (mm.min_ - sd.mean_) / sd.scale_
        doc = export_model.convert(pipe)
        model = export_model.load_doc(doc, "p")
        raw = export_model.load_doc(export_model.convert(pipe[-1]), "m")
        # the same network on x' = a·x + c: equal outputs up to float32 rounding
        for n in range(0, len(X), 11):
            y, _ = q8_report.quantize.float_forward(model, X[n].tolist())[1][-1], None
            ref = q8_report.quantize.float_forward(raw, (a * X[n] + c).tolist())[1][-1]
            self.assertLess(abs(y[0] - ref[0]), 1e-5 * (1 + abs(ref[0])))
            self.assertLess(abs(y[0] - pipe.predict(X[n:n + 1])[0]), 1e-5 * (1 + abs(ref[0])))

    def test_torch_batchnorm_first(self):
        torch.manual_seed(0)
        net = nn.Sequential(nn.BatchNorm1d(4), nn.Linear(4, 6), nn.Tanh(), nn.Linear(6, 3), nn.Softmax(dim=1)).double()
        net.train()
        net(torch.tensor(X))  # running statistics from the data
        with torch.no_grad():
            net[0].weight.copy_(torch.tensor([1.5, 0.5, 2.0, 1.0]))
            net[0].bias.copy_(torch.tensor([0.1, -0.2, 0.0, 0.3]))
        net.eval()
        model = export_model.load_doc(export_model.convert(net), "torch")
        with torch.no_grad():
            proba = net(torch.tensor(X)).numpy()

        def gradient(x, label):
            t = torch.tensor(x[None], requires_grad=True)
            torch.nn.functional.nll_loss(torch.log(net(t)), torch.tensor([label])).backward()
            return t.grad.numpy()[0]
        self.check_against_pipeline(model, proba, gradient)

    def test_the_int8_export_of_a_pipeline_takes_raw_calibration_rows(self):
        pipe = fitted(make_pipeline(StandardScaler(), MLPClassifier((8,), max_iter=300, random_state=0)))
        work = scratch_dir(self, "pipe_q8_")
        report = export_model.write_int8_header(pipe, "p", os.path.join(work, "p.hpp"), calibration=X[:200].tolist(),
                                                test=np.column_stack([X[200:], Y[200:]]).tolist())
        self.assertGreaterEqual(report["agree"], 0.99 * report["rows"])
        self.assertIn("p_input_zero_point[4]", read(os.path.join(work, "p.hpp")))


class PreprocessingRefused(Refused):
    def test_an_unsupported_step(self):
        pipe = fitted(make_pipeline(PolynomialFeatures(), StandardScaler(), MLPClassifier((3,), max_iter=5)))
        self.refused_by_api(pipe, ["scikit-learn Pipeline step 'polynomialfeatures' (PolynomialFeatures): not supported; "
                                   "ugrad takes StandardScaler and MinMaxScaler (clip=False) steps"])

    def test_a_clipping_min_max_scaler(self):
        pipe = fitted(make_pipeline(MinMaxScaler(clip=True), MLPClassifier((3,), max_iter=5)))
        self.refused_by_api(pipe, ["(MinMaxScaler): clip=True is not an affine map"])

    def test_a_zero_or_non_finite_scale(self):
        for bad in (0.0, float("nan"), float("inf")):
            with self.subTest(bad):
                pipe = fitted(make_pipeline(StandardScaler(), MLPClassifier((3,), max_iter=5)))
                pipe[0].scale_[2] = bad
                self.refused_by_api(pipe, [f"step 'standardscaler' (StandardScaler): scale_[2] is {bad!r}; a standard "
                                           f"deviation must be finite and nonzero"])
                pipe = fitted(make_pipeline(MinMaxScaler(), MLPClassifier((3,), max_iter=5)))
                pipe[0].scale_[1] = bad
                self.refused_by_api(pipe, [f"step 'minmaxscaler' (MinMaxScaler): scale_[1] is {bad!r}"])

    def test_an_unfitted_pipeline(self):
        self.refused_by_api(make_pipeline(StandardScaler(), MLPClassifier()), ["is not fitted"])

    def test_a_batchnorm_in_training_mode_or_elsewhere(self):
        net = nn.Sequential(nn.BatchNorm1d(3), nn.Linear(3, 2))
        self.refused_by_api(net, ["torch layer 0 (BatchNorm1d): the module is in training mode"], head="softmax")
        net = nn.Sequential(nn.Linear(3, 3), nn.BatchNorm1d(3), nn.Linear(3, 2)).eval()
        self.refused_by_api(net, ["torch layer 1 (BatchNorm1d): not supported"], head="softmax")
        net = nn.Sequential(nn.BatchNorm1d(3), nn.Linear(3, 2)).eval()
        with torch.no_grad():
            net[0].running_var[1] = float("nan")
        self.refused_by_api(net, ["running_var + eps is not finite and positive"], head="softmax")

    def test_int8_export_of_an_unsupported_layer(self):
        work = scratch_dir(self, "q8_layer_")
        net = nn.Sequential(nn.Linear(3, 4), nn.ReLU(), nn.Linear(4, 2), nn.ReLU())
        with self.assertRaises(export_model.ModelError) as caught:
            export_model.write_int8_header(net, "m", os.path.join(work, "m.hpp"), calibration=[[0.0, 1.0, 2.0]],
                                           head="linear")
        self.assertEqual(len(str(caught.exception).splitlines()), 1)
        self.assertIn("the last layer (1) has activation relu", str(caught.exception))
        self.assertEqual(os.listdir(work), [])


if __name__ == "__main__":
    unittest.main()
