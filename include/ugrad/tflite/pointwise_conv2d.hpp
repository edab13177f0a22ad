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
//
// Aliasing: with InPlace = false, y must not overlap x. With InPlace = true, y must be x (the same
// address; output pixel i at bytes [i·F, (i+1)·F) over input pixel i's [i·C, (i+1)·C)): output pixels
// i, i+1 depend only on input pixels i, i+1, so each pair is written to the stack first (2·F bytes),
// then copied over y once all of the pair's inputs are read (on Armv7E-M the block reads only the
// int16 expansion, itself a copy, unless C mod 4 ≠ 0 or F is odd: then too the stack first). F ≤ C:
// pairs in increasing order (pair i writes below byte (i+2)·F ≤ (i+2)·C, over inputs already read);
// F > C: the odd last pixel, then the pairs in decreasing order (pair i writes from byte i·F ≥ i·C,
// above every input still to be read).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/tflite/dot_two_by_two.hpp>
#include <ugrad/tflite/two_pixels_every_filter.hpp>
#include <ugrad/tflite/weighted_layer.hpp>

namespace ugrad::tflite {

// Output pixels i, i + 1 (y0 their first output byte) from input pixels x0, x0 + C.
template <int C, int F, bool RightShift, bool FullRange>
__attribute__((always_inline)) inline void pointwise_block(const int8_t* x0, const WeightedLayer& p, int8_t* y0) noexcept {
#if defined(__ARM_FEATURE_DSP)
    alignas(8) uint32_t xq[2][q15_words<C> + 1];  // the pair's inputs as int16 pairs (dot_two_by_two.hpp)
    expand_q15<C>(x0, xq[0]);
    expand_q15<C>(x0 + C, xq[1]);
    two_pixels_every_filter<C, F, RightShift, FullRange>(xq[0], xq[1], x0, x0 + C, p, y0);
#else
    two_pixels_every_filter<C, F, RightShift, FullRange>(x0, x0 + C, p, y0);
#endif
}

// The same; with InPlace (y0 may overlap the pair's inputs), written to the stack and copied to y0
// after the pair's inputs are read, unless the block reads only the int16 expansion.
template <int C, int F, bool RightShift, bool FullRange, bool InPlace>
__attribute__((always_inline)) inline void pointwise_pair(const int8_t* x0, const WeightedLayer& p, int8_t* y0) noexcept {
#if defined(__ARM_FEATURE_DSP)
    constexpr bool reads_int8 = C % 4 != 0 || F % 2 != 0;  // tail channels or the odd filter
#else
    constexpr bool reads_int8 = true;
#endif
    if constexpr (InPlace && reads_int8) {
        alignas(4) int8_t yt[2 * F];
        pointwise_block<C, F, RightShift, FullRange>(x0, p, yt);
        __builtin_memcpy(y0, yt, size_t(2) * F);
    } else {
        pointwise_block<C, F, RightShift, FullRange>(x0, p, y0);
    }
}

// The odd last pixel (P − 1): one dot product per filter; with InPlace to the stack first.
template <int P, int C, int F, bool RightShift, bool FullRange, bool InPlace>
inline void pointwise_last_pixel(const int8_t* x, const WeightedLayer& p, int8_t* y) noexcept {
    const int8_t* x0 = x + ptrdiff_t(P - 1) * C;
    int8_t* y0 = y + ptrdiff_t(P - 1) * F;
    const int8_t* const w = p.weights;
    alignas(4) int8_t yt[InPlace ? F : 1];
    int8_t* out = InPlace ? yt : y0;
    for (int f = 0; f < F; ++f) out[f] = requantize_channel_doubled<RightShift, FullRange>(p, f, dot_one<C>(x0, w + ptrdiff_t(f) * C));
    if constexpr (InPlace) __builtin_memcpy(y0, yt, size_t(F));
}

template <int P, int C, int F, bool RightShift = false, bool FullRange = false, bool InPlace = false>
inline void pointwise_conv2d(const int8_t* x, const WeightedLayer& p, int8_t* y) noexcept {
    if constexpr (InPlace && F > C) {  // from the end: each write above every input still to be read
        if constexpr (P % 2 != 0) pointwise_last_pixel<P, C, F, RightShift, FullRange, true>(x, p, y);
        for (int i = P - P % 2 - 2; i >= 0; i -= 2)
            pointwise_pair<C, F, RightShift, FullRange, true>(x + ptrdiff_t(i) * C, p, y + ptrdiff_t(i) * F);
    } else {
        for (int i = 0; i + 2 <= P; i += 2)
            pointwise_pair<C, F, RightShift, FullRange, InPlace>(x + ptrdiff_t(i) * C, p, y + ptrdiff_t(i) * F);
        if constexpr (P % 2 != 0) pointwise_last_pixel<P, C, F, RightShift, FullRange, InPlace>(x, p, y);
    }
}

}  // namespace ugrad::tflite
