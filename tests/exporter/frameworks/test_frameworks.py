# SPDX-License-Identifier: Apache-2.0
"""Models from scikit-learn, PyTorch and ONNX, exported and compiled, against the frameworks'
own answers: ŷ (predict_proba / predict / the torch module through its head), the loss (log_loss,
CrossEntropyLoss, BCEWithLogitsLoss, MSELoss with sum reduction ÷ 2) and dJ/dx (torch.autograd;
for scikit-learn, the same model rebuilt in torch from its coefs_ and intercepts_, in float64).

Each case trains a small model with fixed seeds, exports it, compiles tests/exporter/frameworks/
runner.cpp with the header (g++ -std=c++17 -ffp-contract=off -O2, every warning an error) and runs
it on held-out inputs (float32 values). How the tolerance is derived, not tuned:
  F  the exported float header, as compiled;
  D  the same header instantiated with double (every literal the same float32 value, T = double);
  R  the framework in float64 on the same float32 weights (scikit-learn: the estimator with its
     coefs_/intercepts_ replaced by the rounded values the header holds; torch: the module .double()).
B_f, the bound on |float answer − exact| per sample and value, is the library's own first-order
error analysis (tests/error_bound.hpp, NetworkErrorBound), which the runner evaluates at the double
answers; B_d is the same analysis for binary64 arithmetic (error_bound.py, numpy), which bounds both
ugrad's double instantiation and the framework's float64 computation. Asserted, per sample and value:
  |F − D| <= B_f + B_d   and   |D − R| <= 2·B_d   (ugrad's double path and the framework's each
                                                    within B_d of the exact answer),
so |F − R| <= B_f + 3·B_d. Each case prints its largest |F − R| for ŷ and dJ/dx and the largest
fraction of the bound used.
"""
import copy
import inspect
import os
import re
import subprocess
import unittest
import warnings

import torch
import torch.nn as nn
from sklearn.datasets import make_classification, make_multilabel_classification, make_regression
from sklearn.exceptions import ConvergenceWarning
from sklearn.metrics import log_loss
from sklearn.neural_network import MLPClassifier, MLPRegressor

import error_bound
from common_frameworks import BUILD, ROOT, TensorProto, export_model, helper, np, numpy_helper, onnx_model, run_exporter, scratch_dir

torch.set_num_threads(1)
CXX = ["g++", "-std=c++17", "-Wall", "-Wextra", "-Wpedantic", "-Wconversion", "-Wdouble-promotion", "-Wshadow", "-Werror",
       "-ffp-contract=off", "-O2", "-I" + os.path.join(ROOT, "include")]
RUNNER = os.path.join(ROOT, "tests", "exporter", "frameworks", "runner.cpp")
SUMMARY = []  # one line per case, printed at the end
# log_loss clips ŷ to [eps, 1 − eps]: as little as possible where eps can be given (scikit-learn
# 1.2, Debian 12); where it cannot, its clipping (machine epsilon) is part of the framework's error.
LOG_LOSS_EPS = {"eps": 1e-300} if "eps" in inspect.signature(log_loss).parameters else {}
LOG_LOSS_CLIP = 0.0 if LOG_LOSS_EPS else 2 * np.finfo(np.float64).eps


def float32_exact(a):
    return np.asarray(a, dtype=np.float32).astype(np.float64)


def double_header(text: str, name: str) -> str:
    """The exported header with T = double: the same float32 values, as double literals."""
    text = re.sub(r"(ugrad::Dense<\d+, \d+, ugrad::\w+)>", r"\1, double>", text)
    text = re.sub(r"(0x[0-9a-f.]+p[-+]\d+)f", r"\1", text)
    return text.replace(f"> {name} = {{", f"> {name}_double = {{")


def torch_rebuild(model: dict) -> nn.Sequential:
    """The exported model (its float32 values) as a float64 torch Sequential producing θ."""
    modules = []
    for layer in model["layers"]:
        w = torch.tensor(layer["w"], dtype=torch.float64)
        linear = nn.Linear(w.shape[0], w.shape[1]).double()
        with torch.no_grad():
            linear.weight.copy_(w.T)
            linear.bias.copy_(torch.tensor(layer["b"], dtype=torch.float64))
        modules.append(linear)
        act = {"identity": None, "sigmoid": nn.Sigmoid, "tanh": nn.Tanh, "relu": nn.ReLU}[layer["activation"]]
        if act:
            modules.append(act())
    return nn.Sequential(*modules)


def torch_reference(logits_module, head, X, labels=None, targets=None):
    """ŷ through the head, the head's loss per sample and dJ/dx by autograd, in float64; and how much
    further than B_d torch's own loss may be from the exact one (BCEWithLogitsLoss takes the log of
    e^−m + e^(−θ−m), a sum near 1, not log1p: up to (math_ulps + 3)·u_d per output, absolute)."""
    x = torch.tensor(X, dtype=torch.float64, requires_grad=True)
    theta = logits_module(x)
    if head == "softmax":
        y_hat = torch.softmax(theta, dim=1)
        J = nn.CrossEntropyLoss(reduction="none")(theta, torch.tensor(labels))
    elif head == "logistic":
        y_hat = torch.sigmoid(theta)
        Y = torch.tensor(labels[:, None] if labels is not None else targets, dtype=torch.float64)
        J = nn.BCEWithLogitsLoss(reduction="none")(theta, Y).sum(dim=1)  # reduction sum, per sample
    else:
        y_hat = theta
        J = nn.MSELoss(reduction="none")(theta, torch.tensor(targets, dtype=torch.float64)).sum(dim=1) / 2
    J.sum().backward()  # samples are independent: row n of x.grad is dJ_n/dx_n
    extra_J = theta.shape[1] * (error_bound.DOUBLE["math_ulps"] + 3) * error_bound.DOUBLE["u"] if head == "logistic" else 0.0
    return y_hat.detach().numpy(), J.detach().numpy(), x.grad.numpy(), extra_J


class AgainstFrameworks(unittest.TestCase):
    @classmethod
    def tearDownClass(cls):
        print("\n" + "\n".join(SUMMARY))

    def export(self, source, head=None, onnx_bytes=None):
        """Export (write_header, or the command line for ONNX); return (validated model, header path)."""
        work = scratch_dir(self, "framework_")
        hpp = os.path.join(work, "model.hpp")
        if onnx_bytes is not None:
            path = os.path.join(work, "model.onnx")
            with open(path, "wb") as f:
                f.write(onnx_bytes)
            status, err, _ = run_exporter([path, "--name", "model", "--out", hpp] + (["--head", head] if head else []))
            self.assertEqual(status, 0, err)
            model = export_model.load_onnx(onnx_bytes, path, head)
        else:
            export_model.write_header(source, "model", hpp, head=head)
            model = export_model.load_doc(source if isinstance(source, dict) else export_model.convert(source, head), "model")
        return model, hpp

    def run_header(self, hpp, model, X, labels=None, targets=None):
        """Compile the runner for the header and run it: (F, D), each (status [N, 3], ŷ, J, dx)."""
        work = os.path.dirname(hpp)
        with open(hpp) as f:
            text = f.read()
        with open(os.path.join(work, "model_double.hpp"), "w") as f:
            f.write(double_header(text, "model"))
        exe = os.path.join(work, "runner")
        subprocess.run(CXX + ["-I" + os.path.join(ROOT, "tests"), f'-DMODEL_HEADER="{hpp}"', f'-DMODEL_DOUBLE_HEADER="{os.path.join(work, "model_double.hpp")}"',
                              RUNNER, "-o", exe], check=True)
        n, n_in = X.shape
        n_out = model["shape"][-1]
        lines = [str(n)]
        for s in range(n):
            label = labels[s] if labels is not None else -1
            target = targets[s] if targets is not None else np.zeros(n_out)
            lines.append(" ".join(float(v).hex() for v in X[s]) + f" {label} " + " ".join(float(v).hex() for v in target))
        run = subprocess.run([exe], input="\n".join(lines) + "\n", capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        lines = run.stdout.splitlines()
        self.assertEqual(len(lines), 3 * n)
        a = np.array([[float.fromhex(v) for v in line.split()] for i, line in enumerate(lines) if i % 3 != 2])
        b = np.array([[float.fromhex(v) for v in line.split()] for line in lines[2::3]])

        def split(part):
            return part[:, :3], part[:, 3:3 + n_out], part[:, 3 + n_out], part[:, 4 + n_out:]
        return split(a[0::2]), split(a[1::2]), (b[:, :n_out], b[:, n_out], b[:, n_out + 1:])

    def compare(self, case, model, hpp, X, reference, labels=None, targets=None, extra_J=0.0):
        """The assertions of the module docstring; reference = (ŷ, J, dx) from the framework, float64."""
        (fs, fy, fJ, fdx), (ds, dy, dJ, ddx), bf = self.run_header(hpp, model, X, labels, targets)
        self.assertTrue((fs == 0).all() and (ds == 0).all(), f"{case}: a call did not return ok")
        self.assertGreater(np.count_nonzero(fdx), fdx.size // 4, f"{case}: dJ/dx mostly zero: a weak comparison")
        layers = [(np.array(l["w"]), np.array(l["b"]), l["activation"]) for l in model["layers"]]
        head = model["output"]
        bd = error_bound.bound(layers, head, X, labels, targets, **error_bound.DOUBLE)
        ry, rJ, rdx = reference
        ry = ry.reshape(fy.shape)
        used = {}
        for what, f, d, r, b_f, b_d, extra in (("ŷ", fy, dy, ry, bf[0], bd[0], 0.0), ("J", fJ, dJ, rJ, bf[1], bd[1], extra_J),
                                               ("dJ/dx", fdx, ddx, rdx, bf[2], bd[2], 0.0)):
            float_ok = np.abs(f - d) <= b_f + b_d
            double_ok = np.abs(d - r) <= 2 * b_d + extra
            bad = np.argwhere(~float_ok)
            self.assertTrue(float_ok.all(), f"{case}: {what} float vs double beyond the bound at {bad[:3].tolist()}: "
                            f"{np.abs(f - d)[~float_ok][:3]} > {(b_f + b_d)[~float_ok][:3]}")
            bad = np.argwhere(~double_ok)
            self.assertTrue(double_ok.all(), f"{case}: {what} double vs the framework beyond the bound at {bad[:3].tolist()}: "
                            f"{np.abs(d - r)[~double_ok][:3]} > {(2 * b_d + extra)[~double_ok][:3]}")
            used[what] = float(np.max(np.abs(f - r) / (b_f + 3 * b_d + extra)))
        SUMMARY.append(f"  {case}, {X.shape[0]} held-out samples:\n"
                       f"      max |ŷ − framework| {np.max(np.abs(fy - ry)):.2e} ({used['ŷ']:.3f} of its bound), "
                       f"max |dJ/dx − autograd| {np.max(np.abs(fdx - rdx)):.2e} ({used['dJ/dx']:.3f}), "
                       f"max |J − loss| {np.max(np.abs(fJ - rJ)):.2e} ({used['J']:.3f})")

    # ---- scikit-learn

    def sklearn_case(self, case, estimator, X, y, regression=False, multilabel=False):
        X = float32_exact(X)
        X_train, X_test = X[:-60], X[-60:]
        y_train, y_test = y[:-60], y[-60:]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            estimator.fit(X_train, y_train)
        model, hpp = self.export(estimator)
        self.check_sklearn(case, estimator, model, hpp, X_test, y_test, regression, multilabel)

    def check_sklearn(self, case, estimator, model, hpp, X_test, y_test, regression=False, multilabel=False):
        # The framework on the weights the header holds (float32 values).
        rounded = copy.deepcopy(estimator)
        rounded.coefs_ = [np.array(l["w"]) for l in model["layers"]]
        rounded.intercepts_ = [np.array(l["b"]) for l in model["layers"]]
        rebuilt = torch_rebuild(model)
        head = model["output"]
        extra_J = 0.0
        if regression:
            targets = y_test.reshape(len(y_test), -1).astype(np.float64)
            y_hat = rounded.predict(X_test).reshape(targets.shape)
            J = (nn.MSELoss(reduction="none")(torch.tensor(y_hat), torch.tensor(targets)).sum(dim=1) / 2).numpy()
            _, _, dx, _ = torch_reference(rebuilt, head, X_test, targets=targets)
            self.compare(case, model, hpp, X_test, (y_hat, J, dx), targets=targets)
            return
        if multilabel:
            targets = y_test.astype(np.float64)
            y_hat = rounded.predict_proba(X_test)
            J = np.array([log_loss(targets[n], y_hat[n], labels=[0, 1], **LOG_LOSS_EPS) * targets.shape[1]
                          for n in range(len(targets))])
            _, _, dx, _ = torch_reference(rebuilt, head, X_test, targets=targets)
            # log_loss takes log(1 − ŷ) of a rounded 1 − ŷ: a further 2·u_d/(1 − ŷ) per term.
            extra_J = (2 * error_bound.DOUBLE["u"] / np.minimum(y_hat, 1 - y_hat)).sum(axis=1) + 3 * LOG_LOSS_CLIP
            self.compare(case, model, hpp, X_test, (y_hat, J, dx), targets=targets, extra_J=extra_J)
            return
        labels = np.searchsorted(estimator.classes_, y_test)
        proba = rounded.predict_proba(X_test)
        J = np.array([log_loss([labels[n]], proba[n:n + 1], labels=list(range(proba.shape[1])), **LOG_LOSS_EPS)
                      for n in range(len(labels))])
        # log_loss renormalizes each row (Out + 1 roundings) and, for two classes, works from the
        # column 1 − ŷ that predict_proba formed: up to (Out + 2)·u_d + 2·u_d/ŷ_label more.
        p_label = proba[np.arange(len(labels)), labels]
        extra_J = (proba.shape[1] + 2) * error_bound.DOUBLE["u"] + 2 * error_bound.DOUBLE["u"] / p_label + LOG_LOSS_CLIP
        y_hat = proba[:, 1:] if head == "logistic" else proba
        _, _, dx, _ = torch_reference(rebuilt, head, X_test, labels=labels)
        self.compare(case, model, hpp, X_test, (y_hat, J, dx), labels=labels, extra_J=extra_J)

    def test_sklearn_classifier_multiclass(self):
        X, y = make_classification(n_samples=300, n_features=6, n_informative=4, n_classes=3, random_state=0)
        clf = MLPClassifier(hidden_layer_sizes=(8, 5), activation="tanh", max_iter=300, random_state=0)
        self.sklearn_case("sklearn MLPClassifier 3 classes (tanh 6-8-5-3)", clf, X, y)

    def test_sklearn_classifier_binary(self):
        X, y = make_classification(n_samples=300, n_features=5, n_informative=3, n_classes=2, random_state=1)
        clf = MLPClassifier(hidden_layer_sizes=(7,), activation="logistic", max_iter=300, random_state=1)
        self.sklearn_case("sklearn MLPClassifier binary (logistic 5-7-1)", clf, X, y)

    def test_sklearn_classifier_multilabel(self):
        X, y = make_multilabel_classification(n_samples=300, n_features=5, n_classes=3, random_state=2)
        clf = MLPClassifier(hidden_layer_sizes=(10,), activation="relu", max_iter=300, random_state=2)
        self.sklearn_case("sklearn MLPClassifier multi-label (relu 5-10-3)", clf, (X - X.mean(0)) / X.std(0), y, multilabel=True)

    def test_sklearn_regressor(self):
        X, y = make_regression(n_samples=300, n_features=5, n_targets=2, noise=0.1, random_state=3)
        reg = MLPRegressor(hidden_layer_sizes=(6, 4), activation="relu", max_iter=500, random_state=3)
        self.sklearn_case("sklearn MLPRegressor (relu 5-6-4-2)", reg, X, y / 100, regression=True)

    def test_sklearn_identity_regressor(self):
        X, y = make_regression(n_samples=300, n_features=4, n_targets=1, noise=0.1, random_state=4)
        reg = MLPRegressor(hidden_layer_sizes=(3,), activation="identity", max_iter=300, random_state=4)
        self.sklearn_case("sklearn MLPRegressor (identity 4-3-1)", reg, X, y / 100, regression=True)

    def test_sklearn_on_digits(self):
        data = np.loadtxt(os.path.join(ROOT, "data", "digits.csv"), delimiter=",")
        X, y = float32_exact(data[:, :64] / 16), data[:, 64].astype(int)
        test = np.arange(len(y)) % 5 == 0  # data/README.md: every fifth line is a test digit
        clf = MLPClassifier(hidden_layer_sizes=(32,), activation="relu", max_iter=60, random_state=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            clf.fit(X[~test], y[~test])
        accuracy = clf.score(X[test], y[test])
        self.assertGreater(accuracy, 0.9)
        model, hpp = self.export(clf)
        self.check_sklearn(f"sklearn on data/digits.csv (relu 64-32-10, {100 * accuracy:.1f}%)", clf, model, hpp,
                           X[test], y[test])

    # ---- PyTorch

    def train_torch(self, model, loss_fn, X, Y, steps=200):
        torch.manual_seed(0)
        opt = torch.optim.Adam(model.parameters(), lr=0.02)
        xt = torch.tensor(X, dtype=torch.float32)
        for _ in range(steps):
            opt.zero_grad()
            loss_fn(model(xt), Y).backward()
            opt.step()
        model.eval()

    def torch_case(self, case, model, head, loss_fn, X, Y_train, labels=None, targets=None, via_onnx=False):
        """Train on X[:-50], check on X[-50:]; labels/targets are those of the held-out samples."""
        X = float32_exact(X)
        self.train_torch(model, loss_fn, X[:-50], Y_train)
        X_test = X[-50:]
        trailing = isinstance(model[-1], (nn.Softmax, nn.Sigmoid)) and head is None
        logits_module = copy.deepcopy(model).double()
        if trailing:
            logits_module = logits_module[:-1]
        effective_head = head or ("softmax" if isinstance(model[-1], nn.Softmax) else "logistic")
        if via_onnx:
            path = os.path.join(scratch_dir(self, "onnx_"), "m.onnx")
            torch.onnx.export(model, torch.zeros(1, X.shape[1]), path, input_names=["x"], output_names=["y"],
                              dynamic_axes={"x": {0: "n"}, "y": {0: "n"}})
            with open(path, "rb") as f:
                model_doc, hpp = self.export(None, head=head, onnx_bytes=f.read())
        else:
            model_doc, hpp = self.export(model, head=head)
        y_hat, J, dx, extra_J = torch_reference(logits_module, effective_head, X_test, labels, targets)
        if trailing:  # the module's own output is ŷ: check the reference's head against it
            with torch.no_grad():
                own = copy.deepcopy(model).double()(torch.tensor(X_test)).numpy()
            np.testing.assert_allclose(own, y_hat, rtol=0, atol=1e-15)
            y_hat = own
        self.compare(case, model_doc, hpp, X_test, (y_hat, J, dx), labels=labels, targets=targets, extra_J=extra_J)

    def classification_data(self, seed, n_features=6, n_classes=3):
        X, y = make_classification(n_samples=250, n_features=n_features, n_informative=3, n_redundant=0, n_classes=n_classes, random_state=seed)
        return X, y

    def test_torch_sigmoid_softmax_head(self):
        X, y = self.classification_data(10)
        torch.manual_seed(10)
        model = nn.Sequential(nn.Linear(6, 9), nn.Sigmoid(), nn.Dropout(0.1), nn.Linear(9, 3))
        self.torch_case("torch sigmoid, head='softmax' (6-9-3)", model, "softmax", nn.CrossEntropyLoss(), X,
                        torch.tensor(y[:-50]), labels=y[-50:])

    def test_torch_tanh_logistic_head(self):
        X, Y = make_multilabel_classification(n_samples=250, n_features=5, n_classes=4, random_state=11)
        X = X / 4
        torch.manual_seed(11)
        model = nn.Sequential(nn.Flatten(), nn.Linear(5, 8), nn.Tanh(), nn.Linear(8, 7), nn.Tanh(), nn.Linear(7, 4))
        self.torch_case("torch tanh, head='logistic' (5-8-7-4)", model, "logistic", nn.BCEWithLogitsLoss(), X,
                        torch.tensor(Y[:-50], dtype=torch.float32), targets=Y[-50:].astype(np.float64))

    def test_torch_relu_linear_head(self):
        X, Y = make_regression(n_samples=250, n_features=5, n_targets=3, noise=0.1, random_state=12)
        Y = Y / 100
        torch.manual_seed(12)
        model = nn.Sequential(nn.Linear(5, 10), nn.ReLU(), nn.Linear(10, 6), nn.ReLU(), nn.Linear(6, 3))
        self.torch_case("torch relu, head='linear' (5-10-6-3)", model, "linear", lambda o, t: nn.MSELoss()(o, t), X,
                        torch.tensor(Y[:-50], dtype=torch.float32), targets=Y[-50:])

    def test_torch_identity_trailing_softmax(self):
        X, y = self.classification_data(13, n_features=4, n_classes=2)
        torch.manual_seed(13)
        model = nn.Sequential(nn.Linear(4, 5), nn.Identity(), nn.Linear(5, 2), nn.Softmax(dim=1))
        nll = lambda p, t: nn.NLLLoss()(torch.log(p), t)  # noqa: E731  (trained through its own softmax)
        self.torch_case("torch identity, trailing nn.Softmax (4-5-2)", model, None, nll, X, torch.tensor(y[:-50]),
                        labels=y[-50:])

    def test_torch_all_activations_trailing_sigmoid(self):
        X, y = self.classification_data(14, n_features=5, n_classes=2)
        torch.manual_seed(14)
        model = nn.Sequential(nn.Linear(5, 6), nn.Sigmoid(), nn.Linear(6, 6), nn.Tanh(), nn.Linear(6, 5), nn.ReLU(),
                              nn.Linear(5, 1), nn.Sigmoid())
        self.torch_case("torch sigmoid+tanh+relu, trailing nn.Sigmoid (5-6-6-5-1)", model, None,
                        lambda p, t: nn.BCELoss()(p, t), X, torch.tensor(y[:-50, None], dtype=torch.float32), labels=y[-50:])

    # ---- ONNX

    def test_torch_to_onnx(self):
        X, y = self.classification_data(15, n_features=6, n_classes=4)
        torch.manual_seed(15)
        model = nn.Sequential(nn.Linear(6, 10), nn.ReLU(), nn.Dropout(0.2), nn.Linear(10, 8), nn.Tanh(), nn.Linear(8, 4),
                              nn.Softmax(dim=1))
        nll = lambda p, t: nn.NLLLoss()(torch.log(p), t)  # noqa: E731
        self.torch_case("torch -> ONNX (Gemm; relu, tanh, Softmax head)", model, None, nll, X, torch.tensor(y[:-50]),
                        labels=y[-50:], via_onnx=True)

    def test_torch_to_onnx_logits_with_head_argument(self):
        X, y = self.classification_data(16, n_features=5, n_classes=3)
        torch.manual_seed(16)
        model = nn.Sequential(nn.Linear(5, 7), nn.Sigmoid(), nn.Linear(7, 3))
        self.torch_case("torch -> ONNX logits, --head softmax (5-7-3)", model, "softmax", nn.CrossEntropyLoss(), X,
                        torch.tensor(y[:-50]), labels=y[-50:], via_onnx=True)

    def test_onnx_matmul_add(self):
        """A graph as Keras/tf2onnx writes it: MatMul + Add, Relu, MatMul + Add, Sigmoid head."""
        rng = np.random.default_rng(17)
        w1, b1 = rng.normal(0, 0.6, (5, 6)).astype(np.float32), rng.normal(0, 0.3, 6).astype(np.float32)
        w2, b2 = rng.normal(0, 0.6, (6, 2)).astype(np.float32), rng.normal(0, 0.3, 2).astype(np.float32)
        nodes = [helper.make_node("MatMul", ["x", "w1"], ["m1"], name="dense/MatMul"),
                 helper.make_node("Add", ["m1", "b1"], ["r1"], name="dense/BiasAdd"),
                 helper.make_node("Relu", ["r1"], ["h1"], name="dense/Relu"),
                 helper.make_node("MatMul", ["h1", "w2"], ["m2"], name="out/MatMul"),
                 helper.make_node("Add", ["m2", "b2"], ["t"], name="out/BiasAdd"),
                 helper.make_node("Sigmoid", ["t"], ["y"], name="out/Sigmoid")]
        graph = onnx_model(nodes, {"w1": w1, "b1": b1, "w2": w2, "b2": b2}, n_in=5, n_out=2)
        model, hpp = self.export(None, onnx_bytes=graph.SerializeToString())
        X = float32_exact(rng.uniform(-2, 2, (50, 5)))
        targets = (rng.uniform(0, 1, (50, 2)) > 0.5).astype(np.float64)
        *reference, extra_J = torch_reference(torch_rebuild(model), "logistic", X, targets=targets)
        self.assertEqual(np.array(model["layers"][0]["w"]).tolist(), w1.astype(np.float64).tolist())
        self.compare("ONNX MatMul+Add, Relu, Sigmoid head (5-6-2)", model, hpp, X, reference, targets=targets, extra_J=extra_J)


if __name__ == "__main__":
    unittest.main()
