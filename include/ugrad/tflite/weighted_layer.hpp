// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/weighted_layer.hpp — what Conv2D, DepthwiseConv2D and FullyConnected read besides
// their input: int8 weights, int32 biases, and the requantization of each output channel.
//
// Output channel o: y = clamp(output_zero_point + multiply_by_quantized_multiplier(acc, multiplier[o],
// shift[o]), activation_min, activation_max), acc = bias[o] + Σ (x − input_zero_point)·w. The weights'
// zero point is 0 (TFLite's int8 weights are symmetric). [activation_min, activation_max] is the fused
// activation's range in output codes (NONE: [−128, 127]; RELU: [zero_point, 127]; RELU6 also
// ≤ quantize(6)), computed by the exporter from the output scale as TFLite computes it.
// All pointers point to const arrays (flash); bias may be null (no bias).
#pragma once

#include <stdint.h>

#include <ugrad/tflite/fixed_point.hpp>

namespace ugrad::tflite {

struct WeightedLayer {
    const int8_t* weights;
    const int32_t* bias;
    const int32_t* multiplier;
    const int32_t* shift;
    int32_t input_zero_point;
    int32_t output_zero_point;
    int32_t activation_min;
    int32_t activation_max;
};

// The int8 output of output channel o from its int32 accumulator (bias not yet added).
inline int8_t requantize_channel(const WeightedLayer& p, int32_t o, int32_t acc) noexcept {
    if (p.bias) acc += p.bias[o];
    int32_t v = multiply_by_quantized_multiplier(acc, p.multiplier[o], p.shift[o]) + p.output_zero_point;
    if (v < p.activation_min) v = p.activation_min;
    if (v > p.activation_max) v = p.activation_max;
    return int8_t(v);
}

}  // namespace ugrad::tflite
