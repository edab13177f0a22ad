// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/pointwise_conv2d.hpp — TFLite's int8 CONV_2D with a 1×1 kernel and stride 1 (no
// padding: the output has the input's pixels), per-channel weights, batch 1, NHWC.
//
// x [P][C] (P = H·W pixels), w [F][C] (TFLite's [F][1][1][C]), y [P][F]:
//   y[i][f] = requantize(f, bias[f] + Σ_{c<C} x[i][c]·w[f][c])   (weighted_layer.hpp: bias holds
//   the model's bias − input_zero_point·Σ_c w[f][c], so the sum takes the raw int8 codes).
// Two pixels × every filter per pass (two_pixels_every_filter.hpp: two filters at a time,
// dot_two_by_two.hpp, each loaded input word serving two filters and each weight word two pixels; on
// Armv7E-M the pair's inputs are first expanded to int16 pairs on the stack, 4·C bytes, then eight
// SMLAD per four channels of the two filters); an odd last pixel or filter one dot product at a time.
// y must not overlap x.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/tflite/dot_two_by_two.hpp>
#include <ugrad/tflite/two_pixels_every_filter.hpp>
#include <ugrad/tflite/weighted_layer.hpp>

namespace ugrad::tflite {

template <int P, int C, int F, bool RightShift = false, bool FullRange = false>
inline void pointwise_conv2d(const int8_t* x, const WeightedLayer& p, int8_t* y) noexcept {
    const int8_t* const w = p.weights;
#if defined(__ARM_FEATURE_DSP)
    alignas(8) uint32_t xq[2][q15_words<C> + 1];  // the pair's inputs as int16 pairs (dot_two_by_two.hpp)
#endif
    for (int i = 0; i + 2 <= P; i += 2) {
        const int8_t* x0 = x + ptrdiff_t(i) * C;
        int8_t* y0 = y + ptrdiff_t(i) * F;
#if defined(__ARM_FEATURE_DSP)
        expand_q15<C>(x0, xq[0]);
        expand_q15<C>(x0 + C, xq[1]);
        two_pixels_every_filter<C, F, RightShift, FullRange>(xq[0], xq[1], x0, x0 + C, p, y0);
#else
        two_pixels_every_filter<C, F, RightShift, FullRange>(x0, x0 + C, p, y0);
#endif
    }
    if constexpr (P % 2 != 0) {
        const int8_t* x0 = x + ptrdiff_t(P - 1) * C;
        int8_t* y0 = y + ptrdiff_t(P - 1) * F;
        for (int f = 0; f < F; ++f) y0[f] = requantize_channel<RightShift, FullRange>(p, f, dot_one<C>(x0, w + ptrdiff_t(f) * C));
    }
}

}  // namespace ugrad::tflite
