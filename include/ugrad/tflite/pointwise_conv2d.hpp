// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/pointwise_conv2d.hpp — TFLite's int8 CONV_2D with a 1×1 kernel and stride 1 (no
// padding: the output has the input's pixels), per-channel weights, batch 1, NHWC.
//
// x [P][C] (P = H·W pixels), w [F][C] (TFLite's [F][1][1][C]), y [P][F]:
//   y[i][f] = requantize(f, bias[f] + Σ_{c<C} x[i][c]·w[f][c])   (weighted_layer.hpp: bias holds
//   the model's bias − input_zero_point·Σ_c w[f][c], so the sum takes the raw int8 codes).
// Two pixels × two filters per pass (dot_two_by_two.hpp: each loaded input word serves two filters
// and each weight word two pixels; on Armv7E-M the pair's inputs are first expanded to int16 pairs on
// the stack, 4·C bytes, then eight SMLAD per four channels of the two filters); an odd last pixel or
// filter one dot product at a time. y must not overlap x.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/tflite/dot_two_by_two.hpp>
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
#endif
        int f = 0;
        for (; f + 2 <= F; f += 2) {
            Acc2x2 a{0, 0, 0, 0};
#if defined(__ARM_FEATURE_DSP)
            dot_two_by_two_q15<C>(xq[0], xq[1], x0, x0 + C, w + ptrdiff_t(f) * C, w + ptrdiff_t(f + 1) * C, a);
#else
            dot_two_by_two<C>(x0, x0 + C, w + ptrdiff_t(f) * C, w + ptrdiff_t(f + 1) * C, a);
#endif
            const ChannelRequant q0 = channel_requant(p, f), q1 = channel_requant(p, f + 1);
            const int8_t r00 = requantize<RightShift, FullRange>(p, q0, a.a00), r01 = requantize<RightShift, FullRange>(p, q1, a.a01);
            const int8_t r10 = requantize<RightShift, FullRange>(p, q0, a.a10), r11 = requantize<RightShift, FullRange>(p, q1, a.a11);
            y0[f] = r00;
            y0[f + 1] = r01;
            y0[F + f] = r10;
            y0[F + f + 1] = r11;
        }
        if constexpr (F % 2 != 0) {
            const int8_t* wf = w + ptrdiff_t(F - 1) * C;
            const ChannelRequant q = channel_requant(p, F - 1);
            const int8_t r0 = requantize<RightShift, FullRange>(p, q, dot_one<C>(x0, wf)), r1 = requantize<RightShift, FullRange>(p, q, dot_one<C>(x0 + C, wf));
            y0[F - 1] = r0;
            y0[2 * F - 1] = r1;
        }
    }
    if constexpr (P % 2 != 0) {
        const int8_t* x0 = x + ptrdiff_t(P - 1) * C;
        int8_t* y0 = y + ptrdiff_t(P - 1) * F;
        for (int f = 0; f < F; ++f) y0[f] = requantize_channel<RightShift, FullRange>(p, f, dot_one<C>(x0, w + ptrdiff_t(f) * C));
    }
}

}  // namespace ugrad::tflite
