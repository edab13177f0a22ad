# SPDX-License-Identifier: Apache-2.0
"""Convolutional torch models the exporter cannot express: one line naming the layer and why
(ModelError from write_header), and no file written — case by case."""
import os
import unittest

import torch.nn as nn

from common_frameworks import export_model, scratch_dir


class TorchImageRefused(unittest.TestCase):
    def refused(self, model, fragment, input_shape=(2, 8, 8)):
        work = scratch_dir(self, "cnn_error_")
        with self.assertRaises(export_model.ModelError) as caught:
            export_model.write_header(model.eval(), "m", os.path.join(work, "m.hpp"), head="softmax", input_shape=input_shape)
        message = str(caught.exception)
        self.assertEqual(len(message.splitlines()), 1, message)
        self.assertIn(fragment, message)
        self.assertEqual(os.listdir(work), [], "a file was written")

    def head(self, *modules, features):
        return nn.Sequential(*modules, nn.Flatten(), nn.Linear(features, 3))

    def test_dilation(self):
        self.refused(self.head(nn.Conv2d(2, 2, 3, dilation=2), features=2 * 4 * 4),
                     "torch layer 0 (Conv2d): dilation=(2, 2); ugrad's convolutions have dilation 1")

    def test_grouped_convolution_that_is_not_depthwise(self):
        self.refused(self.head(nn.Conv2d(2, 4, 3, groups=2), features=4 * 6 * 6),
                     "torch layer 0 (Conv2d): groups=2, in_channels=2, out_channels=4; ugrad takes groups=1")

    def test_depthwise_with_multiplier_two(self):
        self.refused(self.head(nn.Conv2d(2, 4, 3, groups=2, padding=1), features=4 * 8 * 8), "(depthwise, multiplier 1)")

    def test_padding_that_is_not_tflite_same(self):
        # padding 1 with a 2×2 kernel: 9 outputs (TFLite's same gives 8) and the padding on both sides
        self.refused(self.head(nn.Conv2d(2, 2, 2, padding=1), features=2 * 9 * 9),
                     "torch layer 0 (Conv2d): padding=(1, 1) over 8 rows (kernel 2, stride 1) is neither 0 (valid) nor TFLite's same")
        # padding 2 with a 3×3 kernel: more than same
        self.refused(self.head(nn.Conv2d(2, 2, 3, padding=2), features=2 * 10 * 10), "is neither 0 (valid) nor TFLite's same")
        # stride 2, even input, kernel 3, padding 1: TFLite's same pads 0 before and 1 after
        self.refused(self.head(nn.Conv2d(2, 2, 3, stride=2, padding=1), features=2 * 4 * 4),
                     "(0 before, 1 after, 4 outputs)")

    def test_padding_mode_other_than_zeros(self):
        self.refused(self.head(nn.Conv2d(2, 2, 3, padding=1, padding_mode="reflect"), features=2 * 8 * 8),
                     "padding_mode='reflect'")

    def test_pool_options(self):
        self.refused(self.head(nn.MaxPool2d(3, stride=2, ceil_mode=True), features=2 * 4 * 4), "MaxPool2d): ceil_mode=True")
        self.refused(self.head(nn.MaxPool2d(2, dilation=2), features=2 * 3 * 3), "MaxPool2d): dilation=2")
        self.refused(self.head(nn.AvgPool2d(2, divisor_override=3), features=2 * 4 * 4), "AvgPool2d): divisor_override=3")
        self.refused(self.head(nn.AvgPool2d(3, stride=1, padding=1), features=2 * 8 * 8),
                     "AvgPool2d): count_include_pad=True with padding")
        self.refused(self.head(nn.AdaptiveAvgPool2d(2), features=2 * 2 * 2), "output_size=2; ugrad takes AdaptiveAvgPool2d(1)")

    def test_linear_right_after_an_image_layer(self):
        model = nn.Sequential(nn.Conv2d(2, 2, 3), nn.Linear(6, 3))
        self.refused(model, "torch layer 1 (Linear): after an image layer without a Flatten")

    def test_image_layer_after_flatten(self):
        model = nn.Sequential(nn.Flatten(), nn.Linear(128, 16), nn.Conv2d(1, 1, 3))
        self.refused(model, "torch layer 2 (Conv2d): an image layer needs an image input", input_shape=(2, 8, 8))

    def test_wrong_channels_and_wrong_flatten_size(self):
        self.refused(self.head(nn.Conv2d(3, 2, 3), features=2 * 6 * 6),
                     "torch layer 0 (Conv2d): in_channels=3, but its input has 2 channels (8x8x2)")
        self.refused(self.head(nn.Conv2d(2, 2, 3), features=2 * 8 * 8),
                     "torch layer 2 (Linear): in_features=128, but the Flatten before it gives 2x6x6 = 72")

    def test_ends_in_an_image(self):
        self.refused(nn.Sequential(nn.Conv2d(2, 3, 3), nn.Flatten()), "the model ends in a 3x6x6 image")

    def test_batch_norm_2d_not_after_a_convolution(self):
        self.refused(self.head(nn.Conv2d(2, 2, 3), nn.ReLU(), nn.BatchNorm2d(2), features=2 * 6 * 6),
                     "torch layer 2 (BatchNorm2d): ugrad folds a BatchNorm2d only into the Conv2d right before it")
        self.refused(self.head(nn.BatchNorm2d(2), nn.Conv2d(2, 2, 3), features=2 * 6 * 6),
                     "torch layer 0 (BatchNorm2d): ugrad folds a BatchNorm2d only into the Conv2d right before it")
        bn = nn.BatchNorm2d(2, track_running_stats=False)
        self.refused(self.head(nn.Conv2d(2, 2, 3), bn, features=2 * 6 * 6), "no running statistics")

    def test_input_shape_of_the_wrong_form(self):
        self.refused(self.head(nn.Conv2d(2, 2, 3), features=72), "input_shape=(8, 8): expected (C, H, W)", input_shape=(8, 8))

    def test_kernel_larger_than_its_input(self):
        self.refused(self.head(nn.Conv2d(2, 2, 9), features=2), "kernel (9, 9) does not fit in its 8x8 input")



class OnnxImageRefused(unittest.TestCase):
    """Hand-built ONNX graphs over x [N, 2, 8, 8]: a Conv (or pool) node with one option ugrad cannot
    express, then Flatten and Gemm."""

    def refused(self, node, fragment, initializers=None, features=2 * 6 * 6, shape=(2, 8, 8)):
        from common_frameworks import TensorProto, helper, np, onnx_model, run_exporter
        inits = {"W": np.ones((2, 2, 3, 3), np.float32), "B": np.zeros(2, np.float32),
                 "G": np.ones((3, features), np.float32), "C": np.zeros(3, np.float32)}
        inits.update(initializers or {})
        nodes = [node, helper.make_node("Flatten", ["h"], ["f"]),
                 helper.make_node("Gemm", ["f", "G", "C"], ["y"], transB=1)]
        model = onnx_model(nodes, inits, inputs=[helper.make_tensor_value_info("x", TensorProto.FLOAT, ["N", *shape])], n_out=3)
        work = scratch_dir(self, "onnx_cnn_error_")
        src, out = os.path.join(work, "in.onnx"), os.path.join(work, "out.hpp")
        with open(src, "wb") as f:
            f.write(model.SerializeToString())
        status, err, _ = run_exporter([src, "--name", "m", "--out", out, "--head", "softmax"])
        self.assertEqual(status, 1, err)
        self.assertEqual(len(err.splitlines()), 1, err)
        self.assertIn(fragment, err)
        self.assertEqual(os.listdir(work), ["in.onnx"], "a file was written")

    def test_conv_options(self):
        from common_frameworks import helper, np
        conv = helper.make_node
        self.refused(conv("Conv", ["x", "W", "B"], ["h"], dilations=[2, 2]), "dilations=[2, 2]", features=2 * 4 * 4)
        self.refused(conv("Conv", ["x", "W", "B"], ["h"], group=2), "group=2 with 2 input and 4 output channels",
                     initializers={"W": np.ones((4, 1, 3, 3), np.float32), "B": np.zeros(4, np.float32)}, features=4 * 6 * 6)
        self.refused(conv("Conv", ["x", "W", "B"], ["h"], pads=[1, 1, 0, 0]),
                     "pads=[1, 1, 0, 0] are neither 0 (valid) nor TFLite's same", features=2 * 7 * 7)
        self.refused(conv("Conv", ["x", "W", "B"], ["h"], auto_pad="SAME_LOWER", kernel_shape=[2, 2]),
                     "auto_pad=SAME_LOWER puts the extra padding before the input", features=2 * 8 * 8,
                     initializers={"W": np.ones((2, 2, 2, 2), np.float32)})
        self.refused(conv("Conv", ["x", "W", "B"], ["h"]), "the weight takes 3 channels, its input has 2",
                     initializers={"W": np.ones((2, 3, 3, 3), np.float32)})
        self.refused(conv("Conv", ["x", "W", "B"], ["h"]), "an image operator needs an image input", shape=(128,))

    def test_pool_options_and_clip(self):
        from common_frameworks import helper
        node = helper.make_node
        self.refused(node("MaxPool", ["x"], ["h"], kernel_shape=[3, 3], strides=[2, 2], ceil_mode=1), "ceil_mode=1",
                     features=2 * 4 * 4)
        self.refused(node("AveragePool", ["x"], ["h"], kernel_shape=[3, 3], pads=[1, 1, 1, 1], count_include_pad=1),
                     "count_include_pad=1 with padding", features=2 * 8 * 8)
        self.refused(node("MaxPool", ["x"], ["h"], kernel_shape=[3, 3, 3]), "kernel_shape=[3, 3, 3]; ugrad takes 2-D kernels")
        self.refused(node("Clip", ["x"], ["h"], min=0.0, max=1.0), "Clip(0.0, 1.0); ugrad takes Clip(0, 6)", features=128)

    def test_batch_normalization_not_after_a_conv(self):
        from common_frameworks import helper, np
        one = np.ones(2, np.float32)
        self.refused(helper.make_node("BatchNormalization", ["x", "g", "b", "m", "v"], ["h"]),
                     "ugrad folds a BatchNormalization only into the Conv right before it",
                     initializers={"g": one, "b": one, "m": one, "v": one}, features=128)


if __name__ == "__main__":
    unittest.main()
