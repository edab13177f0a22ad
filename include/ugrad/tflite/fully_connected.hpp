// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/fully_connected.hpp — TFLite's int8 FULLY_CONNECTED, batch 1.
//
// x [In] (any input read flat, as TFLite flattens NHWC), w [Out][In], y [Out]:
//   acc[o] = bias[o] + Σ_{i<In} x[i]·w[o][i],   y[o] = requantize(o, acc)
// raw int8 codes: bias holds the model's bias − input_zero_point·Σ_i w[o][i] (weighted_layer.hpp), the
// same integer as TFLite's bias + Σ (x − input_zero_point)·w. One multiplier and shift per output
// (PerChannel) or the first for every output (per-tensor weight scale). y must not overlap x. Four
// outputs at a time: each input byte is loaded once for four products (dot_four.hpp; on Armv7E-M two
// products per SMLAD; the sums are the same integers in any order), the sums starting at the bias and
// requantized in requantize_doubled.hpp's form (weighted_layer.hpp's doubled_requant).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/tflite/dot_four.hpp>
#include <ugrad/tflite/weighted_layer.hpp>

namespace ugrad::tflite {

template <int In, int Out, bool PerChannel, bool RightShift = false, bool FullRange = false>
inline void fully_connected(const int8_t* x, const WeightedLayer& p, int8_t* y) noexcept {
    constexpr int blocked = Out - Out % 4;  // outputs taken four at a time
    const int32_t k = 2 * p.output_zero_point + 1;  // the zero point folded into the rounding
    for (int o = 0; o < blocked; o += 4) {
        const int8_t* w0 = p.weights + ptrdiff_t(o) * In;
        const int8_t* w1 = w0 + In;
        const int8_t* w2 = w1 + In;
        const int8_t* w3 = w2 + In;
        int32_t acc0 = p.bias[o], acc1 = p.bias[o + 1], acc2 = p.bias[o + 2], acc3 = p.bias[o + 3];  // from the bias
        dot_four<In>(x, w0, w1, w2, w3, acc0, acc1, acc2, acc3);
        const int8_t r0 = requantize_doubled<RightShift, FullRange>(p, doubled_requant(p, o, PerChannel ? o : 0), acc0, k);
        const int8_t r1 = requantize_doubled<RightShift, FullRange>(p, doubled_requant(p, o + 1, PerChannel ? o + 1 : 0), acc1, k);
        const int8_t r2 = requantize_doubled<RightShift, FullRange>(p, doubled_requant(p, o + 2, PerChannel ? o + 2 : 0), acc2, k);
        const int8_t r3 = requantize_doubled<RightShift, FullRange>(p, doubled_requant(p, o + 3, PerChannel ? o + 3 : 0), acc3, k);
        y[o] = r0;
        y[o + 1] = r1;
        y[o + 2] = r2;
        y[o + 3] = r3;
    }
    for (int o = blocked; o < Out; ++o) {  // the last Out mod 4 outputs
        const int8_t* wo = p.weights + ptrdiff_t(o) * In;
        int32_t acc = p.bias[o];
        for (int i = 0; i < In; ++i) acc += int32_t(x[i]) * int32_t(wo[i]);
        y[o] = requantize_doubled<RightShift, FullRange>(p, doubled_requant(p, o, PerChannel ? o : 0), acc, k);
    }
}

}  // namespace ugrad::tflite
