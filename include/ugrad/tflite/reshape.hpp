// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/reshape.hpp — TFLite's RESHAPE costs nothing: NHWC tensors are flat arrays, so the
// exporter gives the output tensor the input's place in the planned buffer and emits no code.
// (The C++ side has nothing to run; this file records the rule.)
#pragma once
