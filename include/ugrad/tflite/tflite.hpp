// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/tflite.hpp — TFLite's int8 kernels, bit for bit: what a header written by
// tools/export_model.py from an int8 `.tflite` model includes.
//
// Freestanding: only <stdint.h> and these headers; no heap, no libm, no mutable state. Shapes are
// template parameters; weights, biases, multipliers and shifts are const arrays (flash) written by
// the exporter; activations live in one buffer the caller gives, planned at export time.
#pragma once

#include <ugrad/tflite/add.hpp>
#include <ugrad/tflite/average_pool2d.hpp>
#include <ugrad/tflite/conv2d.hpp>
#include <ugrad/tflite/depthwise_conv2d.hpp>
#include <ugrad/tflite/depthwise_requant.hpp>
#include <ugrad/tflite/dot_four.hpp>
#include <ugrad/tflite/dot_two_by_two.hpp>
#include <ugrad/tflite/fixed_point.hpp>
#include <ugrad/tflite/fully_connected.hpp>
#include <ugrad/tflite/kernel_taps.hpp>
#include <ugrad/tflite/max_pool2d.hpp>
#include <ugrad/tflite/pointwise_conv2d.hpp>
#include <ugrad/tflite/pool_window.hpp>
#include <ugrad/tflite/requantize_doubled.hpp>
#include <ugrad/tflite/reshape.hpp>
#include <ugrad/tflite/softmax.hpp>
#include <ugrad/tflite/two_pixels_every_filter.hpp>
#include <ugrad/tflite/weighted_layer.hpp>
