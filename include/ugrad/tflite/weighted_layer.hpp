// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/weighted_layer.hpp — what Conv2D, DepthwiseConv2D and FullyConnected read besides
// their input: int8 weights, int32 biases, and the requantization of each output channel.
//
// Output channel o: y = clamp(output_zero_point + multiply_by_quantized_multiplier(acc, m[o], s[o]),
// activation_min, activation_max) (m, s as TFLite computes them: fixed_point.hpp), with TFLite's
// accumulator
//   acc = b[o] + Σ (x − input_zero_point)·w   (b: the model's bias; the sum over every tap of the window,
//                                            padding taps holding input_zero_point and adding 0).
// The weights' zero point is 0 (TFLite's int8 weights are symmetric). The exporter folds the input zero
// point into the bias: the field `bias` holds b[o] − input_zero_point·Σw[o] (Σ over output channel o's
// weights), so the kernels compute the same integer as acc = bias[o] + Σ x·w over every tap, multiplying
// the raw int8 codes; a tap in the padding then reads input_zero_point (the padding value), which is
// the one use of input_zero_point left. (So `bias` is not the model's bias: code that wants the model's
// bias adds input_zero_point·Σw back.) [activation_min, activation_max] is the fused activation's range
// in output codes (NONE: [−128, 127]; RELU: [zero_point, 127]; RELU6 also ≤ quantize(6)), computed by
// the exporter from the output scale as TFLite computes it.
// The fields `multiplier` and `shift` hold m and s in the kernels' form (requantize_doubled.hpp): with
// the kernel's RightShift (the exporter checks every s < 0 and |bias| + K·2^14 < 2^31 − 2^9, K the
// products in one output's sum) M = 2m − 2^32 (m << 1 wrapped to int32) and E = −s − 1 (= ~s), so the
// requantization needs neither the LSL before SMMLAR nor the MVN of the shift; otherwise m and s.
// All pointers point to const arrays (flash), none null (the exporter writes a bias for every layer).
#pragma once

#include <stdint.h>

#include <ugrad/tflite/requantize_doubled.hpp>

namespace ugrad::tflite {

struct WeightedLayer {
    const int8_t* weights;
    const int32_t* bias;  // the model's bias − input_zero_point·Σw per output channel (see above)
    const int32_t* multiplier;
    const int32_t* shift;
    int32_t input_zero_point;
    int32_t output_zero_point;
    int32_t activation_min;
    int32_t activation_max;
};

// One output channel's bias, M and E (requantize_doubled.hpp: the accumulators start at the bias).
struct DoubledRequant {
    int32_t bias;
    int32_t M;
    int32_t E;
};

// Output o's bias with multiplier and shift r (r = o per channel; FULLY_CONNECTED with a per-tensor
// weight scale: r = 0).
__attribute__((always_inline)) inline DoubledRequant doubled_requant(const WeightedLayer& p, int32_t o, int32_t r) noexcept {
    return DoubledRequant{p.bias[o], p.multiplier[r], p.shift[r]};
}

__attribute__((always_inline)) inline DoubledRequant doubled_requant(const WeightedLayer& p, int32_t o) noexcept {
    return doubled_requant(p, o, o);
}

// The int8 output from acc = bias + Σ x·w (bias included) with k = 2·output_zero_point + 1.
template <bool RightShift, bool FullRange>
__attribute__((always_inline)) inline int8_t requantize_doubled(const WeightedLayer& p, const DoubledRequant& q, int32_t acc,
                                                                int32_t k) noexcept {
    return requantize_doubled<RightShift, FullRange>(acc, q.M, q.E, k, p.output_zero_point, p.activation_min,
                                                     p.activation_max);
}

// Output channel o's int8 output from its sum Σ x·w (bias not yet added), in that form.
template <bool RightShift, bool FullRange>
inline int8_t requantize_channel_doubled(const WeightedLayer& p, int32_t o, int32_t acc) noexcept {
    const DoubledRequant q = doubled_requant(p, o);
    return requantize_doubled<RightShift, FullRange>(p, q, q.bias + acc, 2 * p.output_zero_point + 1);
}

}  // namespace ugrad::tflite
