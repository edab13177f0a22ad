// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/tflite.hpp — TFLite's int8 kernels, bit for bit: what a header written by
// tools/export_model.py from an int8 `.tflite` model includes.
//
// Freestanding: only <stdint.h> and these headers; no heap, no libm, no mutable state. Shapes are
// template parameters; weights, biases, multipliers and shifts are const arrays (flash) written by
// the exporter; activations live in one buffer the caller gives, planned at export time.
#pragma once

#include "add.hpp"
#include "average_pool2d.hpp"
#include "conv2d.hpp"
#include "depthwise_conv2d.hpp"
#include "fixed_point.hpp"
#include "fully_connected.hpp"
#include "max_pool2d.hpp"
#include "pool_window.hpp"
#include "reshape.hpp"
#include "softmax.hpp"
#include "weighted_layer.hpp"
