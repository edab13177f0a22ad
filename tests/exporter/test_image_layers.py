# SPDX-License-Identifier: Apache-2.0
"""tools/export_model.py on image layers in the layers format: the C++ types and aggregate it writes
(compiled, and the weights read back through the type in the order the JSON gave them), and every
refusal — one line naming the layer and why, exit status 1, no file."""
import copy
import json
import os
import shutil
import subprocess
import unittest

from common import ROOT, export_model, run_exporter, scratch_dir

CXXFLAGS = ["-std=c++17", "-Wall", "-Wextra", "-Wpedantic", "-Wconversion", "-Wdouble-promotion", "-Wshadow",
            "-Werror", "-ffp-contract=off", "-O1", "-I" + os.path.join(ROOT, "include")]
COMPILERS = [c for c in ("g++", "clang++") if shutil.which(c)]


def numbers(shape, start):
    """A nested list of `shape` holding start, start + 1, ... (exact in float32), row-major."""
    if len(shape) == 1:
        return [float(start + i) for i in range(shape[0])]
    step = 1
    for n in shape[1:]:
        step *= n
    return [numbers(shape[1:], start + i * step) for i in range(shape[0])]


# 5×4×2 → conv 2×3 stride 2×1 same relu6 → 3×4×3 → max pool 2×2 same → 2×2×3 → depthwise 1×1 valid
# relu → 2×2×3 → average pool 2×1 stride 1 valid → 1×2×3 → global average pool → 1×1×3 → dense 3→2.
MODEL = {"layers": [
    {"type": "conv2d", "input": [5, 4, 2], "filters": 3, "kernel": [2, 3], "stride": [2, 1], "padding": "same",
     "w": numbers((2, 3, 2, 3), 1), "b": [0.5, -0.5, 0.25], "activation": "relu6"},
    {"type": "max_pool2d", "window": [2, 2], "padding": "same"},
    {"type": "depthwise_conv2d", "kernel": [1, 1], "padding": "valid", "w": [[[1.5, -2.0, 3.0]]], "b": [0.0, 1.0, -1.0],
     "activation": "relu"},
    {"type": "average_pool2d", "window": [2, 1], "stride": [1, 1]},
    {"type": "global_average_pool", "activation": "tanh"},
    {"w": [[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]], "b": [0.0, 0.0], "activation": "identity"}], "output": "softmax"}

PROGRAM = r"""
#include <stdio.h>
#include <type_traits>
#include MODEL_HEADER
using Net = std::remove_const<decltype(model)>::type;
static_assert(Net::inputs == 40 && Net::outputs == 2, "5x4x2 in, 2 out");
static_assert(Net::depth == 6, "six layers");
int main() {
    const auto& conv = ugrad::layer<0>(model);
    // w[ky][kx][c][f] = 1 + ((ky·3 + kx)·2 + c)·3 + f: the JSON's row-major numbering
    for (int ky = 0; ky < 2; ++ky) for (int kx = 0; kx < 3; ++kx) for (int c = 0; c < 2; ++c) for (int f = 0; f < 3; ++f)
        if (conv.w[ky][kx][c][f] != static_cast<float>(1 + ((ky * 3 + kx) * 2 + c) * 3 + f)) return 1;
    if (ugrad::layer<2>(model).w[0][0][2] != 3.0f || ugrad::layer<2>(model).b[1] != 1.0f) return 1;
    static Net::Activations act;
    float x[40], dx[40];
    for (int i = 0; i < 40; ++i) x[i] = 0.01f * static_cast<float>(i % 7) - 0.02f;
    if (ugrad::forward(model, x, act) != ugrad::Status::ok) return 2;
    if (ugrad::input_gradient(model, act, 1, dx) != ugrad::Status::ok) return 3;
    printf("ok\n");
    return 0;
}
"""


class ImageLayers(unittest.TestCase):
    def export(self, doc, extra=()):
        work = scratch_dir(self, "image_")
        src, out = os.path.join(work, "in.json"), os.path.join(work, "model.hpp")
        with open(src, "w") as f:
            json.dump(doc, f)
        status, err, stdout = run_exporter([src, "--name", "model", "--out", out, *extra])
        return work, out, status, err, stdout

    def test_types_and_weights_compile_and_run(self):
        work, out, status, err, stdout = self.export(MODEL)
        self.assertEqual(status, 0, err)
        with open(out) as f:
            text = f.read()
        for t in ("ugrad::Conv2D<ugrad::Hwc<5, 4, 2>, 3, ugrad::Kernel<2, 3>, ugrad::Stride<2, 1>, ugrad::Same, ugrad::Relu6, float>",
                  "ugrad::MaxPool2D<ugrad::Hwc<3, 4, 3>, ugrad::Window<2, 2>, ugrad::Stride<2, 2>, ugrad::Same, ugrad::Identity, float>",
                  "ugrad::DepthwiseConv2D<ugrad::Hwc<2, 2, 3>, ugrad::Kernel<1, 1>, ugrad::Stride<1, 1>, ugrad::Valid, ugrad::Relu, float>",
                  "ugrad::AveragePool2D<ugrad::Hwc<2, 2, 3>, ugrad::Window<2, 1>, ugrad::Stride<1, 1>, ugrad::Valid, ugrad::Identity, float>",
                  "ugrad::GlobalAveragePool<ugrad::Hwc<1, 2, 3>, ugrad::Tanh, float>",
                  "ugrad::Dense<3, 2, ugrad::Identity>"):
            self.assertIn(t, text)
        self.assertIn("HWC", text.splitlines()[1])
        program = os.path.join(work, "program.cpp")
        with open(program, "w") as f:
            f.write(PROGRAM)
        self.assertTrue(COMPILERS, "no C++ compiler")
        for cxx in COMPILERS:
            exe = os.path.join(work, "program_" + cxx.replace("+", "x"))
            subprocess.run([cxx, *CXXFLAGS, f'-DMODEL_HEADER="{out}"', program, "-o", exe], check=True)
            run = subprocess.run([exe], capture_output=True, text=True)
            self.assertEqual(run.returncode, 0, f"{cxx}: {run.stdout}{run.stderr}")

    def test_dense_then_image_layer_needs_its_input_and_checks_the_size(self):
        doc = {"layers": [{"w": numbers((2, 8), 0), "b": [0.0] * 8, "activation": "relu"},
                          {"type": "conv2d", "input": [2, 2, 2], "filters": 1, "kernel": [1, 1], "padding": "valid",
                           "w": [[[[1.0], [1.0]]]], "b": [0.0], "activation": "identity"},
                          {"w": [[1.0, 0.0]] * 4, "b": [0.0, 0.0], "activation": "identity"}], "output": "softmax"}
        _, out, status, err, _ = self.export(doc)
        self.assertEqual(status, 0, err)

    def refused(self, change, fragment, extra=()):
        doc = copy.deepcopy(MODEL)
        change(doc)
        work, _, status, err, _ = self.export(doc, extra)
        self.assertEqual(status, 1, err)
        self.assertEqual(len(err.splitlines()), 1, err)
        self.assertTrue(err.startswith("export_model: error: "), err)
        self.assertIn(fragment, err)
        self.assertEqual(os.listdir(work), ["in.json"], "a file was written")

    def test_refusals(self):
        L = "layers"
        cases = [
            (lambda d: d[L][0].update(type="conv3d"), "layers[0].type is 'conv3d': not supported"),
            (lambda d: d[L][0].update(dilation=[2, 2]), "layers[0] (conv2d): option 'dilation' is not supported"),
            (lambda d: d[L][2].update(depth_multiplier=2), "layers[2].depth_multiplier is 2; ugrad's DepthwiseConv2D has multiplier 1"),
            (lambda d: d[L][0].update(padding="causal"), "layers[0].padding is 'causal', expected \"valid\" or \"same\""),
            (lambda d: d[L][0].update(kernel=[2]), "layers[0].kernel has 1 entries, expected 2"),
            (lambda d: d[L][0].update(kernel=3), "layers[0].kernel is a number, expected [KH, KW]"),
            (lambda d: d[L][0].update(stride=[0, 1]), "layers[0].stride[0] is 0, expected a whole number in [1,"),
            (lambda d: d[L][0].update(stride=[1.5, 1]), "layers[0].stride[0] is 1.5, expected a whole number"),
            (lambda d: d[L][0].update(padding="valid", kernel=[6, 3], w=numbers((6, 3, 2, 3), 0)),
             "layers[0]: a valid row window of 6 does not fit in an input 5 rows wide"),
            (lambda d: d[L][0].pop("input"), "layers[0] (conv2d): missing key 'input'"),
            (lambda d: d[L][0].update(input=[5, 4]), "layers[0].input is 2 numbers, expected [H, W, C]"),
            (lambda d: d[L][1].update(input=[3, 4, 2]), "layers[1].input is [3, 4, 2], but layers[0] gives [3, 4, 3]: shapes must chain"),
            (lambda d: d[L][0].update(w=numbers((2, 3, 3, 3), 0)), "'layers[0].w[0][0]' has 3 entries, expected 2"),
            (lambda d: d[L][0].update(filters=4), "'layers[0].w[0][0][0]' has 3 entries, expected 4"),
            (lambda d: d[L][2].update(b=[0.0, 1.0]), "'layers[2].b' has 2 entries, expected 3 (C: the channels)"),
            (lambda d: d[L][0].pop("filters"), "layers[0] (conv2d): missing key 'filters'"),
            (lambda d: d[L][1].update(activation="gelu"), "layers[1].activation is 'gelu', expected one of"),
            (lambda d: d[L][5].update(w=[[1.0, 2.0]] * 4), "'layers[5].w' has 4 rows, expected 3 (the outputs of layers[4], "
                                                         "1x1x3 flattened in HWC order"),
            (lambda d: d[L][0]["w"][0][0][0].__setitem__(0, "x"), "layers[0].w[0][0][0][0] is a string, expected a number"),
        ]
        for change, fragment in cases:
            with self.subTest(fragment=fragment):
                self.refused(change, fragment)

    def test_c_api_and_int8_take_dense_networks_only(self):
        self.refused(lambda d: None, "--c-api: the C interface takes dense networks only", extra=("--c-api",))
        work = scratch_dir(self, "calibration_")
        calibration = os.path.join(work, "c.csv")
        with open(calibration, "w") as f:
            f.write(",".join(["0.5"] * 40) + "\n")
        self.refused(lambda d: None, "--quantize int8: ugrad::q8 takes dense layers", extra=("--quantize", "int8", "--calibration", calibration))


if __name__ == "__main__":
    unittest.main()
