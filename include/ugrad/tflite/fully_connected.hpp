// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/fully_connected.hpp — TFLite's int8 FULLY_CONNECTED, batch 1.
//
// x [In] (any input read flat, as TFLite flattens NHWC), w [Out][In], y [Out]:
//   acc[o] = Σ_{i<In} (x[i] − input_zero_point)·w[o][i],   y[o] = requantize_channel(o, acc)
// with one multiplier and shift per output (PerChannel) or the first for every output (per-tensor
// weight scale). y must not overlap x. Four outputs at a time: each input byte, less the zero
// point, is loaded once for four products (dot_four.hpp; on Armv7E-M two products per SMLAD; the
// sums are the same integers in any order).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/tflite/dot_four.hpp>
#include <ugrad/tflite/weighted_layer.hpp>

namespace ugrad::tflite {

template <int In, int Out, bool PerChannel>
inline int8_t requantize_output(const WeightedLayer& p, int32_t o, int32_t acc) noexcept {
    if (p.bias) acc += p.bias[o];
    const int32_t q = PerChannel ? o : 0;
    int32_t v = multiply_by_quantized_multiplier(acc, p.multiplier[q], p.shift[q]) + p.output_zero_point;
    if (v < p.activation_min) v = p.activation_min;
    if (v > p.activation_max) v = p.activation_max;
    return int8_t(v);
}

template <int In, int Out, bool PerChannel>
inline void fully_connected(const int8_t* x, const WeightedLayer& p, int8_t* y) noexcept {
    constexpr int blocked = Out - Out % 4;  // outputs taken four at a time
    const int32_t zp = p.input_zero_point;
    for (int o = 0; o < blocked; o += 4) {
        const int8_t* w0 = p.weights + ptrdiff_t(o) * In;
        const int8_t* w1 = w0 + In;
        const int8_t* w2 = w1 + In;
        const int8_t* w3 = w2 + In;
        int32_t acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
        dot_four<In>(x, zp, w0, w1, w2, w3, acc0, acc1, acc2, acc3);
        y[o] = requantize_output<In, Out, PerChannel>(p, o, acc0);
        y[o + 1] = requantize_output<In, Out, PerChannel>(p, o + 1, acc1);
        y[o + 2] = requantize_output<In, Out, PerChannel>(p, o + 2, acc2);
        y[o + 3] = requantize_output<In, Out, PerChannel>(p, o + 3, acc3);
    }
    for (int o = blocked; o < Out; ++o) {  // the last Out mod 4 outputs
        const int8_t* wo = p.weights + ptrdiff_t(o) * In;
        int32_t acc = 0;
        for (int i = 0; i < In; ++i) acc += (int32_t(x[i]) - zp) * int32_t(wo[i]);
        y[o] = requantize_output<In, Out, PerChannel>(p, o, acc);
    }
}

}  // namespace ugrad::tflite
