// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/fully_connected.hpp — TFLite's int8 FULLY_CONNECTED, batch 1.
//
// x [In] (any input read flat, as TFLite flattens NHWC), w [Out][In], y [Out]:
//   acc[o] = Σ_{i<In} (x[i] − input_zero_point)·w[o][i],   y[o] = requantize_channel(o, acc)
// with one multiplier and shift per output (PerChannel) or the first for every output (per-tensor
// weight scale). y must not overlap x.
#pragma once

#include <stdint.h>

#include <ugrad/tflite/weighted_layer.hpp>

namespace ugrad::tflite {

template <int In, int Out, bool PerChannel>
inline void fully_connected(const int8_t* x, const WeightedLayer& p, int8_t* y) noexcept {
    for (int o = 0; o < Out; ++o) {
        const int8_t* wo = p.weights + o * In;
        int32_t acc = 0;
        for (int i = 0; i < In; ++i) acc += (int32_t(x[i]) - p.input_zero_point) * int32_t(wo[i]);
        if (p.bias) acc += p.bias[o];
        const int32_t q = PerChannel ? o : 0;
        int32_t v = multiply_by_quantized_multiplier(acc, p.multiplier[q], p.shift[q]) + p.output_zero_point;
        if (v < p.activation_min) v = p.activation_min;
        if (v > p.activation_max) v = p.activation_max;
        y[o] = int8_t(v);
    }
}

}  // namespace ugrad::tflite
