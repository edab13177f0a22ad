// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/conv2d.hpp — TFLite's int8 CONV_2D (per-channel weights), batch 1, NHWC.
//
// x [H][W][C], w [F][KH][KW][C] (TFLite's OHWI), y [OH][OW][F]:
//   acc[oy][ox][f] = bias[f] + Σ_{ky<KH, kx<KW, c<C} x[iy][ix][c]·w[f][ky][kx][c],
//   iy = oy·SH − PadTop + ky·DH,  ix = ox·SW − PadLeft + kx·DW;
// raw int8 codes: bias holds the model's bias − input_zero_point·Σw[f] (weighted_layer.hpp), so a tap
// outside the image reads the padding value input_zero_point (TFLite's padding, which adds
// (zp − zp)·w = 0 to TFLite's sum). y[oy][ox][f] = requantize(f, acc). OH, OW, PadTop and PadLeft are
// TFLite's for its SAME or VALID padding (the exporter computes them). y must not overlap x.
// Two output pixels at a time (n and n + 1 in row-major order): each one's window [KH][KW][C] is copied
// into a stack buffer (padding taps set to input_zero_point; the rows of KW·C adjacent bytes copied as
// one run when DW = 1), so the inner loop is one straight dot product of K = KH·KW·C bytes, two windows ×
// every filter (two_pixels_every_filter.hpp: two filters at a time, dot_two_by_two.hpp; on Armv7E-M the
// windows are first expanded to int16 pairs, so the filters' loop does no SXTB16 on the input side).
// Stack: two windows of K bytes rounded up to a word, and on Armv7E-M their int16 copies, 4·K bytes.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/tflite/dot_two_by_two.hpp>
#include <ugrad/tflite/two_pixels_every_filter.hpp>
#include <ugrad/tflite/weighted_layer.hpp>

namespace ugrad::tflite {

// Output pixel (oy, ox)'s window [KH][KW][C] into win, padding taps holding pad.
template <int H, int W, int C, int KH, int KW, int SH, int SW, int DH, int DW, int PadTop, int PadLeft>
inline void conv_window(const int8_t* x, int oy, int ox, int8_t pad, int8_t* win) noexcept {
    for (int ky = 0; ky < KH; ++ky) {
        const int iy = oy * SH - PadTop + ky * DH;
        int8_t* row = win + ptrdiff_t(ky) * KW * C;
        const int ix0 = ox * SW - PadLeft;
        if (iy < 0 || iy >= H) {
            for (int i = 0; i < KW * C; ++i) row[i] = pad;
        } else if (DW == 1 && ix0 >= 0 && ix0 + KW <= W) {  // the whole row inside: one run
            __builtin_memcpy(row, x + (ptrdiff_t(iy) * W + ix0) * C, size_t(KW) * C);
        } else {
            for (int kx = 0; kx < KW; ++kx) {
                const int ix = ix0 + kx * DW;
                int8_t* tap = row + ptrdiff_t(kx) * C;
                if (ix < 0 || ix >= W) {
                    for (int c = 0; c < C; ++c) tap[c] = pad;
                } else {
                    __builtin_memcpy(tap, x + (ptrdiff_t(iy) * W + ix) * C, size_t(C));
                }
            }
        }
    }
}

template <int H, int W, int C, int OH, int OW, int F, int KH, int KW, int SH, int SW, int DH, int DW,
          int PadTop, int PadLeft, bool RightShift = false, bool FullRange = false>
inline void conv2d(const int8_t* x, const WeightedLayer& p, int8_t* y) noexcept {  // NOLINT(readability-function-cognitive-complexity): the loops over the output pairs and the filters
    constexpr int K = KH * KW * C;         // one filter's weights, one window's bytes
    constexpr int Kp = (K + 3) / 4 * 4;    // a window's stride in the buffer
    constexpr int pixels = OH * OW;
    const int8_t pad = int8_t(p.input_zero_point);
    const int8_t* const w = p.weights;
    alignas(4) int8_t win[2 * Kp];
#if defined(__ARM_FEATURE_DSP)
    alignas(8) uint32_t xq[2][q15_words<K> + 1];  // the two windows as int16 pairs (dot_two_by_two.hpp)
#endif
    for (int n = 0; n < pixels; n += 2) {
        const bool pair = n + 1 < pixels;
        conv_window<H, W, C, KH, KW, SH, SW, DH, DW, PadTop, PadLeft>(x, n / OW, n % OW, pad, win);
        int8_t* y0 = y + ptrdiff_t(n) * F;
        if (pair) {
            conv_window<H, W, C, KH, KW, SH, SW, DH, DW, PadTop, PadLeft>(x, (n + 1) / OW, (n + 1) % OW, pad,
                                                                          win + Kp);
#if defined(__ARM_FEATURE_DSP)
            expand_q15<K>(win, xq[0]);
            expand_q15<K>(win + Kp, xq[1]);
            two_pixels_every_filter<K, F, RightShift, FullRange>(xq[0], xq[1], win, win + Kp, p, y0);
#else
            two_pixels_every_filter<K, F, RightShift, FullRange>(win, win + Kp, p, y0);
#endif
        } else {  // the last pixel of an odd count
            for (int f = 0; f < F; ++f) y0[f] = requantize_channel_doubled<RightShift, FullRange>(p, f, dot_one<K>(win, w + ptrdiff_t(f) * K));
        }
    }
}

}  // namespace ugrad::tflite
