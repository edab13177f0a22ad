# SPDX-License-Identifier: Apache-2.0
"""Convolutional torch models exported and compiled, against torch itself: ŷ and dJ/dx.

Each case builds a small random torch nn.Sequential (fixed seed: Conv2d with valid, same and
symmetric paddings, strides, non-square kernels, depthwise, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d,
Flatten and Linear), exports it with write_header(..., input_shape=(C, H, W)), compiles
tests/exporter/frameworks/cnn_runner.cpp with the header (g++ -std=c++17 -ffp-contract=off -O2,
every warning an error) and runs it on random float32 inputs, transposed from torch's NCHW to the
header's HWC. As in test_frameworks.py, with
  F  the exported float header, as compiled;
  D  the same header instantiated with double (every literal the same float32 value);
  R  torch's own module in float64 (.double(): the float32 weights, exactly) on the NCHW inputs;
     ŷ = softmax(θ), dJ/dx by autograd seeded with dJ/dθ = ŷ − onehot formed as ugrad forms it
     (−Σ_{j≠k} ŷ_j at the label k), its gradient transposed NCHW → HWC;
B_f and B_d the first-order bounds of tests/exporter/frameworks/cnn_error_bound.py for binary32
and binary64 arithmetic, evaluated at D's inputs. Asserted, per sample and value:
  |F − D| <= B_f + B_d   and   |D − R| <= 2·B_d,
so |F − R| <= B_f + 3·B_d. A layout bug — a weight not transposed, the Flatten's rows left in CHW
order, a padding put on the wrong side — changes the answers by far more than these bounds.
"""
import os
import re
import subprocess
import unittest

import numpy as np
import torch
import torch.nn as nn

import cnn_error_bound
from common_frameworks import ROOT, export_model, scratch_dir

torch.set_num_threads(1)
CXX = ["g++", "-std=c++17", "-Wall", "-Wextra", "-Wpedantic", "-Wconversion", "-Wdouble-promotion", "-Wshadow", "-Werror",
       "-ffp-contract=off", "-O2", "-I" + os.path.join(ROOT, "include")]
RUNNER = os.path.join(ROOT, "tests", "exporter", "frameworks", "cnn_runner.cpp")
DOUBLE = dict(u=2.0 ** -53, eta=2.0 ** -1075, math_ulps=16.0, sigmoid_ulps=16.0, tanh_ulps=16.0)  # error_bound.DOUBLE
SUMMARY = []


def double_header(text: str, name: str) -> str:
    """The exported header with T = double: the same float32 values, as double literals."""
    text = re.sub(r"(ugrad::Dense<\d+, \d+, ugrad::\w+)>", r"\1, double>", text)
    text = text.replace(", float>", ", double>")
    text = re.sub(r"(0x[0-9a-f.]+p[-+]\d+)f", r"\1", text)
    return text.replace(f"> {name} = {{", f"> {name}_double = {{")


def torch_reference(model, X_nchw, labels):
    """ŷ and dJ/dx [N, C, H, W] of torch's module in float64, by autograd."""
    reference = nn.Sequential(*[m for m in model if not isinstance(m, nn.Softmax)]).double()  # θ
    x = torch.tensor(X_nchw, dtype=torch.float64, requires_grad=True)
    theta = reference(x)
    p = torch.softmax(theta, dim=1).detach()
    seed = p.clone()
    for n, k in enumerate(labels):
        seed[n, k] = -torch.cat([p[n, :k], p[n, k + 1:]]).sum()
    theta.backward(seed)
    return p.numpy(), x.grad.numpy()


class AgainstTorch(unittest.TestCase):
    @classmethod
    def tearDownClass(cls):
        print("\n" + "\n".join(SUMMARY))

    def check(self, case, model, input_shape, samples=16, seed=0, folded=False):
        """folded: a BatchNorm2d was folded into a convolution, so the header's weights are torch's
        rounded once more to float32 (a relative change of at most u_f each, which B_f covers: its
        terms carry at least u_f·|W| for every product, forward and transposed): then
        |D − R| <= B_f + 2·B_d."""
        model = model.eval()
        work = scratch_dir(self, "cnn_")
        hpp = os.path.join(work, "model.hpp")
        export_model.write_header(model, "model", hpp, head="softmax", input_shape=input_shape)
        exported = export_model.load_doc(export_model.convert(model, "softmax", input_shape), "model")
        with open(hpp) as f:
            text = f.read()
        self.assertIn("HWC", text.splitlines()[1])
        dbl = os.path.join(work, "model_double.hpp")
        with open(dbl, "w") as f:
            f.write(double_header(text, "model"))
        exe = os.path.join(work, "runner")
        subprocess.run(CXX + [f'-DMODEL_HEADER="{hpp}"', f'-DMODEL_DOUBLE_HEADER="{dbl}"', RUNNER, "-o", exe], check=True)

        rng = np.random.default_rng(seed)
        C, H, W = input_shape
        X = rng.uniform(-1, 1, (samples, C, H, W)).astype(np.float32).astype(np.float64)
        X_hwc = X.transpose(0, 2, 3, 1).reshape(samples, -1)
        n_out = exported["shape"][-1]
        labels = rng.integers(0, n_out, samples)
        lines = [str(samples)] + [" ".join(float(v).hex() for v in X_hwc[s]) + f" {labels[s]}" for s in range(samples)]
        run = subprocess.run([exe], input="\n".join(lines) + "\n", capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        values = np.array([[float.fromhex(v) for v in line.split()] for line in run.stdout.splitlines()])
        self.assertEqual(values.shape, (2 * samples, 3 + n_out + 1 + C * H * W))
        f, d = values[0::2], values[1::2]
        self.assertTrue((f[:, :3] == 0).all() and (d[:, :3] == 0).all(), f"{case}: a call did not return ok")
        fy, dy = f[:, 3:3 + n_out], d[:, 3:3 + n_out]
        fdx, ddx = f[:, 4 + n_out:], d[:, 4 + n_out:]
        self.assertGreater(np.count_nonzero(fdx), fdx.size // 4, f"{case}: dJ/dx mostly zero: a weak comparison")

        ry, rdx = torch_reference(model, X, labels)
        rdx = rdx.transpose(0, 2, 3, 1).reshape(samples, -1)  # NCHW -> HWC
        _, by_f, bdx_f = cnn_error_bound.bound(exported, X_hwc, labels, cnn_error_bound.FLOAT)
        _, by_d, bdx_d = cnn_error_bound.bound(exported, X_hwc, labels, DOUBLE)
        used = {}
        for what, fv, dv, rv, b_f, b_d in (("ŷ", fy, dy, ry, by_f, by_d), ("dJ/dx", fdx, ddx, rdx, bdx_f, bdx_d)):
            float_ok = np.abs(fv - dv) <= b_f + b_d
            double_ok = np.abs(dv - rv) <= 2 * b_d + (b_f if folded else 0)
            bad = np.argwhere(~float_ok)
            self.assertTrue(float_ok.all(), f"{case}: {what} float vs double beyond the bound at {bad[:3].tolist()}: "
                            f"{np.abs(fv - dv)[~float_ok][:3]} > {(b_f + b_d)[~float_ok][:3]}")
            bad = np.argwhere(~double_ok)
            self.assertTrue(double_ok.all(), f"{case}: {what} double vs torch beyond the bound at {bad[:3].tolist()}: "
                            f"{np.abs(dv - rv)[~double_ok][:3]} > {(2 * b_d + (b_f if folded else 0))[~double_ok][:3]}")
            used[what] = float(np.max(np.abs(fv - rv) / ((2 if folded else 1) * b_f + 3 * b_d)))
        SUMMARY.append(f"  {case}, {samples} samples: max |ŷ − torch| {np.max(np.abs(fy - ry)):.2e} ({used['ŷ']:.3f} of "
                       f"its bound), max |dJ/dx − autograd| {np.max(np.abs(fdx - rdx)):.2e} ({used['dJ/dx']:.3f})")

    def same_through_onnx(self, model, input_shape):
        """torch.onnx.export, then the exporter's ONNX reader: the header holds the same layers and values
        as the torch path's (everything after the comment lines)."""
        work = scratch_dir(self, "cnn_onnx_")
        model = model.eval()
        direct, onnx_path, via_onnx = (os.path.join(work, n) for n in ("direct.hpp", "model.onnx", "via_onnx.hpp"))
        export_model.write_header(model, "model", direct, head="softmax", input_shape=input_shape)
        torch.onnx.export(model, torch.zeros(1, *input_shape), onnx_path, input_names=["x"], dynamic_axes={"x": {0: "batch"}})
        status = export_model.main([onnx_path, "--name", "model", "--out", via_onnx, "--head", "softmax"])
        self.assertEqual(status, 0)
        with open(direct) as a, open(via_onnx) as b:
            first, second = a.read(), b.read()
        start = first.index("#pragma once")
        self.assertEqual(first[start:], second[second.index("#pragma once"):])

    def test_onnx_export_of_the_same_models_reads_back_the_same_header(self):
        torch.manual_seed(6)
        self.same_through_onnx(nn.Sequential(nn.Conv2d(2, 3, (3, 2), stride=(2, 1)), nn.ReLU(), nn.MaxPool2d(2, stride=1),
                                             nn.Flatten(), nn.Linear(3 * 3 * 5, 4)), (2, 9, 7))
        self.same_through_onnx(nn.Sequential(nn.Conv2d(3, 4, 3, stride=2, padding=1), nn.ReLU6(),
                                             nn.MaxPool2d(3, stride=2, padding=1),
                                             nn.Conv2d(4, 4, 3, groups=4, padding=1), nn.Sigmoid(),
                                             nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False),
                                             nn.Flatten(), nn.Linear(4 * 3 * 3, 5), nn.Tanh(), nn.Linear(5, 3)), (3, 9, 9))
        self.same_through_onnx(nn.Sequential(nn.Conv2d(1, 4, 3), nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(),
                                             nn.Linear(4, 3)), (1, 6, 6))

    def test_onnx_batch_normalization_is_folded_as_torch_batch_norm_2d_is(self):
        from common_frameworks import TensorProto, helper, onnx_model
        torch.manual_seed(8)
        eps = 2.0 ** -17  # a float32 value: ONNX keeps epsilon as a float32 attribute
        model = nn.Sequential(nn.Conv2d(2, 3, 3, padding=1), nn.BatchNorm2d(3, eps=eps), nn.ReLU(), nn.Flatten(),
                              nn.Linear(3 * 4 * 4, 2)).eval()
        with torch.no_grad():
            model[1].running_mean.uniform_(-0.5, 0.5)
            model[1].running_var.uniform_(0.5, 2.0)
            model[1].weight.uniform_(0.5, 1.5)
            model[1].bias.uniform_(-0.5, 0.5)
        work = scratch_dir(self, "cnn_onnx_bn_")
        direct, onnx_path, via_onnx = (os.path.join(work, n) for n in ("direct.hpp", "model.onnx", "via_onnx.hpp"))
        export_model.write_header(model, "model", direct, head="softmax", input_shape=(2, 4, 4))

        def array(t):
            return t.detach().numpy()
        conv, bn, linear = model[0], model[1], model[4]
        nodes = [helper.make_node("Conv", ["x", "W", "B"], ["c"], kernel_shape=[3, 3], pads=[1, 1, 1, 1]),
                 helper.make_node("BatchNormalization", ["c", "g", "beta", "mean", "var"], ["n"], epsilon=eps),
                 helper.make_node("Relu", ["n"], ["r"]), helper.make_node("Flatten", ["r"], ["f"]),
                 helper.make_node("Gemm", ["f", "L", "LB"], ["y"], transB=1)]
        graph = onnx_model(nodes, {"W": array(conv.weight), "B": array(conv.bias), "g": array(bn.weight), "beta": array(bn.bias),
                                   "mean": array(bn.running_mean), "var": array(bn.running_var), "L": array(linear.weight),
                                   "LB": array(linear.bias)},
                           inputs=[helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", 2, 4, 4])], n_out=2)
        with open(onnx_path, "wb") as f:
            f.write(graph.SerializeToString())
        self.assertEqual(export_model.main([onnx_path, "--name", "model", "--out", via_onnx, "--head", "softmax"]), 0)
        with open(direct) as a, open(via_onnx) as b:
            first, second = a.read(), b.read()
        self.assertEqual(first[first.index("#pragma once"):], second[second.index("#pragma once"):])

    def test_valid_strided_non_square_kernel_then_overlapping_max_pool(self):
        torch.manual_seed(1)
        model = nn.Sequential(nn.Conv2d(2, 3, (3, 2), stride=(2, 1)), nn.ReLU(), nn.MaxPool2d(2, stride=1),
                              nn.Flatten(), nn.Linear(3 * 3 * 5, 4))
        self.check("Conv2d 3×2 stride 2×1 valid, ReLU, MaxPool2d 2 stride 1, Flatten, Linear (2×9×7 in)", model, (2, 9, 7))

    def test_same_tanh_average_pool_depthwise_relu6_global_pool(self):
        torch.manual_seed(2)
        model = nn.Sequential(nn.Conv2d(1, 4, 3, padding="same"), nn.Tanh(), nn.AvgPool2d(2),
                              nn.Conv2d(4, 4, 3, groups=4, padding=1), nn.ReLU6(), nn.AdaptiveAvgPool2d(1),
                              nn.Flatten(), nn.Linear(4, 3))
        self.check("Conv2d same Tanh, AvgPool2d 2, depthwise 3×3 same ReLU6, AdaptiveAvgPool2d(1), Linear (1×8×6 in)",
                   model, (1, 8, 6))

    def test_strided_same_sigmoid_padded_pools_and_two_linears(self):
        torch.manual_seed(3)
        model = nn.Sequential(nn.Conv2d(3, 4, 3, stride=2, padding=1), nn.Sigmoid(),
                              nn.MaxPool2d(3, stride=2, padding=1),
                              nn.AvgPool2d(3, stride=1, padding=1, count_include_pad=False),
                              nn.Flatten(), nn.Linear(4 * 3 * 3, 5), nn.ReLU(), nn.Linear(5, 3))
        self.check("Conv2d 3×3 stride 2 pad 1 (same) Sigmoid, MaxPool2d 3/2 pad 1, AvgPool2d 3/1 pad 1, Linear ReLU Linear "
                   "(3×9×9 in)", model, (3, 9, 9))

    def test_even_kernel_same_uneven_split_and_depthwise_row_kernel(self):
        torch.manual_seed(4)
        model = nn.Sequential(nn.Conv2d(2, 3, 2, padding="same"), nn.ReLU(), nn.Conv2d(3, 3, (1, 3), groups=3),
                              nn.Tanh(), nn.Flatten(), nn.Linear(3 * 5 * 4, 4))
        self.check("Conv2d 2×2 same (the extra padding after), ReLU, depthwise 1×3 valid, Tanh, Linear (2×5×6 in)",
                   model, (2, 5, 6))

    def test_batch_norm_folded_into_the_convolutions_before_it(self):
        torch.manual_seed(7)
        model = nn.Sequential(nn.Conv2d(2, 4, 3, padding=1), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
                              nn.Conv2d(4, 4, 3, groups=4, padding=1, bias=False), nn.BatchNorm2d(4, affine=False), nn.ReLU6(),
                              nn.Flatten(), nn.Linear(4 * 3 * 3, 3))
        with torch.no_grad():
            for bn in (model[1], model[5]):
                bn.running_mean.uniform_(-0.5, 0.0)  # mostly positive outputs: the ReLUs pass a gradient
                bn.running_var.uniform_(0.5, 2.0)
            model[1].weight.uniform_(0.5, 1.5)
            model[1].bias.uniform_(-0.5, 0.5)
        self.check("Conv2d + BatchNorm2d (affine) ReLU, MaxPool2d, depthwise + BatchNorm2d (no affine) ReLU6, Linear "
                   "(2×6×6 in)", model, (2, 6, 6), folded=True)

    def test_a_conv1d_shaped_signal(self):
        torch.manual_seed(5)
        model = nn.Sequential(nn.Conv2d(3, 6, (1, 5), stride=(1, 2)), nn.ReLU(), nn.Conv2d(6, 6, (1, 3), groups=6, padding=(0, 1)),
                              nn.ReLU(), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(6, 2), nn.Softmax(dim=1))
        self.check("a signal (Conv1D): 1×5 stride 2 valid, depthwise 1×3 same, global pool, Linear (3×1×20 in)", model, (3, 1, 20))


if __name__ == "__main__":
    unittest.main()
