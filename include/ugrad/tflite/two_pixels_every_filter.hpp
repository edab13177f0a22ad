// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/two_pixels_every_filter.hpp — two output pixels of a convolution against every filter:
// the inner block of the pointwise convolution (two pixels' inputs) and of conv2d (two pixels' copied
// windows).
//
// x0, x1 [K] (the two pixels' inputs, raw int8 codes), w = p.weights [F][K], y [2][F] (y[0] at y, y[1]
// at y + F, the two pixels' output rows, adjacent as in NHWC):
//   y[i][f] = requantize(f, bias[f] + Σ_{k<K} x_i[k]·w[f][k]),   i ∈ {0, 1}, f < F
// (weighted_layer.hpp: bias holds the model's bias − input_zero_point·Σ_k w[f][k]; the sums start at
// it, and requantize_doubled.hpp's form takes them, each filter's M and E loaded once for its two
// outputs). The filters two at a time, four dot products per pair (dot_two_by_two.hpp: each loaded
// input word serves two filters, each weight word two pixels); on Armv7E-M the caller has expanded
// the two inputs' first K − K mod 4 bytes to int16 pairs in xq0, xq1 (expand_q15, q15_words<K> words
// each), so the filters' loop does no SXTB16 on the input side; an odd last filter one dot product per
// pixel.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/tflite/dot_two_by_two.hpp>
#include <ugrad/tflite/weighted_layer.hpp>

namespace ugrad::tflite {

// always_inline (with dot_two_by_two.hpp's functions): the block is the body of each caller's loop over
// pixel pairs; left to GCC's heuristics it is called, not inlined, and the loop over filters loses its
// registers (measured on the Cortex-M4F: VWW 22 %, IC 6 % more instructions per inference).
template <int K, int F, bool RightShift = false, bool FullRange = false>
__attribute__((always_inline)) inline void two_pixels_every_filter(
#if defined(__ARM_FEATURE_DSP)
    const uint32_t* xq0, const uint32_t* xq1,
#endif
    const int8_t* x0, const int8_t* x1, const WeightedLayer& p, int8_t* y) noexcept {
    const int8_t* const w = p.weights;
    const int32_t k = 2 * p.output_zero_point + 1;  // the zero point folded into the rounding
    int f = 0;
    for (; f + 2 <= F; f += 2) {
        const int32_t b0 = p.bias[f], b1 = p.bias[f + 1];
        Acc2x2 a{b0, b1, b0, b1};  // the sums start at the bias
#if defined(__ARM_FEATURE_DSP)
        dot_two_by_two_q15<K>(xq0, xq1, x0, x1, w + ptrdiff_t(f) * K, w + ptrdiff_t(f + 1) * K, a);
#else
        dot_two_by_two<K>(x0, x1, w + ptrdiff_t(f) * K, w + ptrdiff_t(f + 1) * K, a);
#endif
        const DoubledRequant q0 = doubled_requant(p, f), q1 = doubled_requant(p, f + 1);
        const int8_t r00 = requantize_doubled<RightShift, FullRange>(p, q0, a.a00, k);
        const int8_t r01 = requantize_doubled<RightShift, FullRange>(p, q1, a.a01, k);
        const int8_t r10 = requantize_doubled<RightShift, FullRange>(p, q0, a.a10, k);
        const int8_t r11 = requantize_doubled<RightShift, FullRange>(p, q1, a.a11, k);
        y[f] = r00;
        y[f + 1] = r01;
        y[F + f] = r10;
        y[F + f + 1] = r11;
    }
    if constexpr (F % 2 != 0) {
        const int8_t* wf = w + ptrdiff_t(F - 1) * K;
        const DoubledRequant q = doubled_requant(p, F - 1);
        const int8_t r0 = requantize_doubled<RightShift, FullRange>(p, q, q.bias + dot_one<K>(x0, wf), k);
        const int8_t r1 = requantize_doubled<RightShift, FullRange>(p, q, q.bias + dot_one<K>(x1, wf), k);
        y[F - 1] = r0;
        y[2 * F - 1] = r1;
    }
}

}  // namespace ugrad::tflite
