// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/fully_connected.hpp — TFLite's int8 FULLY_CONNECTED, batch 1.
//
// x [In] (any input read flat, as TFLite flattens NHWC), w [Out][In], y [Out]:
//   acc[o] = bias[o] + Σ_{i<In} x[i]·w[o][i],   y[o] = requantize(o, acc)
// raw int8 codes: bias holds the model's bias − input_zero_point·Σ_i w[o][i] (weighted_layer.hpp), the
// same integer as TFLite's bias + Σ (x − input_zero_point)·w. One multiplier and shift per output
// (PerChannel) or the first for every output (per-tensor weight scale). y must not overlap x. Four
// outputs at a time: each input byte is loaded once for four products (dot_four.hpp; on Armv7E-M two
// products per SMLAD; the sums are the same integers in any order).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/tflite/dot_four.hpp>
#include <ugrad/tflite/weighted_layer.hpp>

namespace ugrad::tflite {

template <bool PerChannel>
inline ChannelRequant output_requant(const WeightedLayer& p, int32_t o) noexcept {
    const int32_t q = PerChannel ? o : 0;
    return ChannelRequant{p.bias[o], p.multiplier[q], p.shift[q]};
}

template <int In, int Out, bool PerChannel, bool RightShift = false, bool FullRange = false>
inline void fully_connected(const int8_t* x, const WeightedLayer& p, int8_t* y) noexcept {
    constexpr int blocked = Out - Out % 4;  // outputs taken four at a time
    for (int o = 0; o < blocked; o += 4) {
        const int8_t* w0 = p.weights + ptrdiff_t(o) * In;
        const int8_t* w1 = w0 + In;
        const int8_t* w2 = w1 + In;
        const int8_t* w3 = w2 + In;
        int32_t acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
        dot_four<In>(x, w0, w1, w2, w3, acc0, acc1, acc2, acc3);
        const int8_t r0 = requantize<RightShift, FullRange>(p, output_requant<PerChannel>(p, o), acc0);
        const int8_t r1 = requantize<RightShift, FullRange>(p, output_requant<PerChannel>(p, o + 1), acc1);
        const int8_t r2 = requantize<RightShift, FullRange>(p, output_requant<PerChannel>(p, o + 2), acc2);
        const int8_t r3 = requantize<RightShift, FullRange>(p, output_requant<PerChannel>(p, o + 3), acc3);
        y[o] = r0;
        y[o + 1] = r1;
        y[o + 2] = r2;
        y[o + 3] = r3;
    }
    for (int o = blocked; o < Out; ++o) {  // the last Out mod 4 outputs
        const int8_t* wo = p.weights + ptrdiff_t(o) * In;
        int32_t acc = 0;
        for (int i = 0; i < In; ++i) acc += int32_t(x[i]) * int32_t(wo[i]);
        y[o] = requantize<RightShift, FullRange>(p, output_requant<PerChannel>(p, o), acc);
    }
}

}  // namespace ugrad::tflite
