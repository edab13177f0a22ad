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


def conv(input_shape, filters, kernel, start, activation="identity", stride=(1, 1), padding="same", zero=False):
    kh, kw = kernel
    c = input_shape[2]
    # small weights (n·scale: exact binary fractions times the number n), or zeros
    scale = 0.0 if zero else 1.0 / 64
    w = json.loads(json.dumps(numbers((kh, kw, c, filters), start)), parse_float=lambda t: float(t) * scale)
    return {"type": "conv2d", "input": list(input_shape), "filters": filters, "kernel": list(kernel), "stride": list(stride),
            "padding": padding, "w": w, "b": [0.0 if zero else 0.125 * (f - 1) for f in range(filters)],
            "activation": activation}


EQUIVALENT = r"""
#include <stdio.h>
#include <type_traits>
#include BLOCK_HEADER
#include PLAIN_HEADER
using Block = std::remove_const<decltype(block)>::type;
using Plain = std::remove_const<decltype(plain)>::type;
static_assert(Block::inputs == Plain::inputs && Block::outputs == Plain::outputs, "the same sizes");
int main() {
    static Block::Activations a;
    static Plain::Activations b;
    float x[Block::inputs], dx_a[Block::inputs], dx_b[Block::inputs];
    int differ = 0;
    for (int sample = 0; sample < 8; ++sample) {
        for (size_t i = 0; i < Block::inputs; ++i) x[i] = 0.125f * static_cast<float>((i * 7 + static_cast<size_t>(sample) * 5) % 17) - 1.0f;
        if (ugrad::forward(block, x, a) != ugrad::Status::ok || ugrad::forward(plain, x, b) != ugrad::Status::ok) return 2;
        const size_t label = static_cast<size_t>(sample) % Block::outputs;
        if (ugrad::input_gradient(block, a, label, dx_a) != ugrad::Status::ok) return 3;
        if (ugrad::input_gradient(plain, b, label, dx_b) != ugrad::Status::ok) return 3;
        for (size_t k = 0; k < Block::outputs; ++k) differ += ugrad::outputs(a)[k] != ugrad::outputs(b)[k];
        for (size_t i = 0; i < Block::inputs; ++i) differ += dx_a[i] != dx_b[i];
    }
    printf("%d values differ\n", differ);
    return differ != 0;
}
"""


class ResidualBlocks(unittest.TestCase):
    """A residual block whose branch ends in a convolution of zeros is act(shortcut(x)): exported, it
    computes exactly what the network with the shortcut (or, for an identity shortcut, a 1×1
    depthwise convolution of ones) in its place computes — ŷ and dJ/dx equal value for value."""

    def export(self, work, name, doc):
        path = os.path.join(work, name + ".json")
        with open(path, "w") as f:
            json.dump(doc, f)
        out = os.path.join(work, name + ".hpp")
        status, err, _ = run_exporter([path, "--name", name, "--out", out])
        self.assertEqual(status, 0, err)
        return out

    def equivalent(self, block_layer, replacement, shape=(6, 5, 2)):
        work = scratch_dir(self, "residual_")
        first = conv(shape, 3, (3, 3), 1, "relu")
        C = block_layer["branch"][-1]["filters"] if "filters" in block_layer["branch"][-1] else 3
        tail = [{"type": "global_average_pool"}, {"w": numbers((C, 4), 1), "b": [0.0, 0.5, -0.5, 1.0], "activation": "identity"}]
        a = self.export(work, "block", {"layers": [first, block_layer] + tail, "output": "softmax"})
        b = self.export(work, "plain", {"layers": [first, replacement] + tail, "output": "softmax"})
        with open(a) as f:
            self.assertIn("ugrad::Residual<", f.read())
        program = os.path.join(work, "equivalent.cpp")
        with open(program, "w") as f:
            f.write(EQUIVALENT)
        for cxx in COMPILERS:
            exe = os.path.join(work, "equivalent_" + cxx.replace("+", "x"))
            subprocess.run([cxx, *CXXFLAGS, f'-DBLOCK_HEADER="{a}"', f'-DPLAIN_HEADER="{b}"', program, "-o", exe], check=True)
            run = subprocess.run([exe], capture_output=True, text=True)
            self.assertEqual(run.returncode, 0, f"{cxx}: {run.stdout}{run.stderr}")

    def test_a_strided_conv_shortcut(self):
        shortcut = conv((6, 5, 3), 4, (1, 1), 3, stride=(2, 2))
        block = {"type": "residual", "activation": "relu", "shortcut": shortcut,
                 "branch": [conv((6, 5, 3), 4, (3, 3), 5, "tanh", stride=(2, 2)), {"type": "max_pool2d", "window": [1, 1]},
                            conv((3, 3, 4), 4, (3, 3), 0, zero=True)]}
        self.equivalent(block, dict(shortcut, activation="relu"))

    def test_an_identity_shortcut(self):
        block = {"type": "residual", "activation": "tanh", "shortcut": None,
                 "branch": [conv((6, 5, 3), 3, (3, 3), 2, "relu6"), conv((6, 5, 3), 3, (3, 3), 0, zero=True)]}
        ones = {"type": "depthwise_conv2d", "kernel": [1, 1], "padding": "valid", "w": [[[1.0, 1.0, 1.0]]], "b": [0.0] * 3,
                "activation": "tanh"}
        self.equivalent(block, ones)

    def test_refusals(self):
        good = {"type": "residual", "activation": "relu", "shortcut": None,
                "branch": [conv((6, 5, 3), 3, (3, 3), 2, "relu"), conv((6, 5, 3), 3, (3, 3), 0)]}
        cases = [
            (dict(good, branch=[conv((6, 5, 3), 3, (3, 3), 2, "relu")]), "layers[1].branch[0].activation is relu; a branch's last layer has none"),
            (dict(good, branch=[conv((6, 5, 3), 4, (3, 3), 2)]), "the branch gives [6, 5, 4] from [6, 5, 3]; an identity shortcut"),
            (dict(good, shortcut={"type": "max_pool2d", "window": [1, 1]}), "layers[1].shortcut is not a conv2d"),
            (dict(good, shortcut=conv((6, 5, 3), 3, (1, 1), 0, "relu")), "layers[1].shortcut.activation is relu"),
            (dict(good, shortcut=conv((6, 5, 3), 3, (1, 1), 0, stride=(2, 2))), "layers[1].shortcut gives [3, 3, 3], the branch [6, 5, 3]"),
            (dict(good, branch=[]), "layers[1].branch is empty"),
            (dict(good, branch=[{"w": [[1.0]], "b": [0.0], "activation": "identity"}]), "layers[1].branch[0].type is 'dense': a residual branch takes image layers"),
            (dict(good, scale=2), "layers[1] (residual): option 'scale' is not supported"),
            (dict(good, branch=[conv((6, 5, 3), 3, (3, 3), 2, "relu"), conv((6, 5, 4), 3, (3, 3), 0)]),
             "layers[1].branch[1].input is [6, 5, 4], but layers[1].branch[0] gives [6, 5, 3]: shapes must chain"),
        ]
        for block, fragment in cases:
            with self.subTest(fragment=fragment):
                work = scratch_dir(self, "residual_error_")
                src = os.path.join(work, "in.json")
                with open(src, "w") as f:
                    json.dump({"layers": [conv((6, 5, 2), 3, (3, 3), 1, "relu"), block, {"type": "global_average_pool"},
                                          {"w": numbers((3, 2), 0), "b": [0.0, 0.0], "activation": "identity"}],
                               "output": "softmax"}, f)
                status, err, _ = run_exporter([src, "--name", "m", "--out", os.path.join(work, "m.hpp")])
                self.assertEqual(status, 1, err)
                self.assertEqual(len(err.splitlines()), 1, err)
                self.assertIn(fragment, err)
                self.assertEqual(os.listdir(work), ["in.json"], "a file was written")
