// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/weighted_layer.hpp — what Conv2D, DepthwiseConv2D and FullyConnected read besides
// their input: int8 weights, int32 biases, and the requantization of each output channel.
//
// Output channel o: y = clamp(output_zero_point + multiply_by_quantized_multiplier(acc, multiplier[o],
// shift[o]), activation_min, activation_max), with TFLite's accumulator
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
// All pointers point to const arrays (flash), none null (the exporter writes a bias for every layer).
#pragma once

#include <stdint.h>

#include <ugrad/tflite/fixed_point.hpp>
#include <ugrad/tflite/requantize_doubled.hpp>

#if defined(__ARM_FEATURE_DSP)
#include <ugrad/tflite/armv7em.hpp>
#endif

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

// One output channel's requantization, loaded once for every output of that channel in a block.
struct ChannelRequant {
    int32_t bias;
    int32_t multiplier;
    int32_t shift;
};

inline ChannelRequant channel_requant(const WeightedLayer& p, int32_t o) noexcept {
    return ChannelRequant{p.bias[o], p.multiplier[o], p.shift[o]};
}

// The same in the form requantize_doubled.hpp takes (CONV_2D): the bias (the accumulators start at it),
// and with RightShift M = m << 1 (wrapped to int32, = 2m − 2^32) and E = ~s (= −s − 1), formed once per
// channel for the outputs that share them; otherwise m and s. RightShift here means what the exporter
// checks for CONV_2D: every s < 0 and |bias| + K·2^14 < 2^31 − 2^9 (K the filter's taps).
struct DoubledRequant {
    int32_t bias;
    int32_t M;
    int32_t E;
};

template <bool RightShift>
__attribute__((always_inline)) inline DoubledRequant doubled_requant(const WeightedLayer& p, int32_t o) noexcept {
    if constexpr (RightShift) return DoubledRequant{p.bias[o], int32_t(uint32_t(p.multiplier[o]) << 1), ~p.shift[o]};
    return DoubledRequant{p.bias[o], p.multiplier[o], p.shift[o]};
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
    const DoubledRequant q = doubled_requant<RightShift>(p, o);
    return requantize_doubled<RightShift, FullRange>(p, q, q.bias + acc, 2 * p.output_zero_point + 1);
}

// The int8 output from the int32 sum Σ x·w (bias not yet added). RightShift: every channel's shift is
// negative (the exporter checks it and says so in the kernel's template arguments), so
// multiply_by_quantized_multiplier's s < 0 branch is the only one: the high multiply and the rounding
// divide with no test of the shift's sign (the same integers: fixed_point.hpp). FullRange: the
// activation range is [−128, 127] (the exporter checks it), so the clamp is int8's saturation: one SSAT
// on Armv7E-M.
template <bool RightShift = false, bool FullRange = false>
inline int8_t requantize(const WeightedLayer& p, const ChannelRequant& q, int32_t acc) noexcept {
    int32_t v;
    if constexpr (RightShift) {
        v = rounding_divide_by_pot_1_31(high_mul_positive(acc + q.bias, q.multiplier), -q.shift);
    } else {
        v = multiply_by_quantized_multiplier(acc + q.bias, q.multiplier, q.shift);
    }
    v += p.output_zero_point;
#if defined(__ARM_FEATURE_DSP)
    if constexpr (FullRange) return int8_t(armv7em::ssat8(v));
#endif
    const int32_t lo = FullRange ? -128 : p.activation_min, hi = FullRange ? 127 : p.activation_max;
    if (v < lo) v = lo;
    if (v > hi) v = hi;
    return int8_t(v);
}

// The int8 output of output channel o from its int32 sum Σ x·w (bias not yet added).
template <bool RightShift = false, bool FullRange = false>
inline int8_t requantize_channel(const WeightedLayer& p, int32_t o, int32_t acc) noexcept {
    return requantize<RightShift, FullRange>(p, channel_requant(p, o), acc);
}

}  // namespace ugrad::tflite
