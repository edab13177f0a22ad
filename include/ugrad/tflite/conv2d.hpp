// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/conv2d.hpp — TFLite's int8 CONV_2D (per-channel weights), batch 1, NHWC.
//
// x [H][W][C], w [F][KH][KW][C] (TFLite's OHWI), y [OH][OW][F]:
//   acc[oy][ox][f] = Σ_{ky<KH, kx<KW, c<C} (x[iy][ix][c] − input_zero_point)·w[f][ky][kx][c],
//   iy = oy·SH − PadTop + ky·DH,  ix = ox·SW − PadLeft + kx·DW;
// taps outside the image are padding, which holds input_zero_point: they add 0 and are skipped
// (kernel_taps.hpp gives each output row's and column's taps inside the image).
// y[oy][ox][f] = requantize_channel(f, acc) (weighted_layer.hpp). OH, OW, PadTop and PadLeft are
// TFLite's for its SAME or VALID padding (the exporter computes them). y must not overlap x.
// Four filters at a time: each input byte, less the zero point, is loaded once for four products
// (dot_four.hpp; on Armv7E-M two products per SMLAD; the sums are the same integers in any order).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/tflite/dot_four.hpp>
#include <ugrad/tflite/kernel_taps.hpp>
#include <ugrad/tflite/weighted_layer.hpp>

namespace ugrad::tflite {

template <int H, int W, int C, int OH, int OW, int F, int KH, int KW, int SH, int SW, int DH, int DW,
          int PadTop, int PadLeft>
inline void conv2d(const int8_t* x, const WeightedLayer& p, int8_t* y) noexcept {  // NOLINT(readability-function-cognitive-complexity): the loops over the output, the window and the channels
    constexpr ptrdiff_t filter_size = ptrdiff_t(KH) * KW * C;  // one filter's weights
    constexpr int blocked = F - F % 4;        // filters taken four at a time
    const int32_t zp = p.input_zero_point;
    for (int oy = 0; oy < OH; ++oy) {
        const TapRange ry = kernel_taps(oy, SH, PadTop, DH, KH, H);
        for (int ox = 0; ox < OW; ++ox) {
            const TapRange rx = kernel_taps(ox, SW, PadLeft, DW, KW, W);
            int8_t* yp = y + ptrdiff_t(oy * OW + ox) * F;
            for (int f = 0; f < blocked; f += 4) {
                int32_t acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
                for (int ky = ry.begin; ky < ry.end; ++ky) {
                    const int iy = oy * SH - PadTop + ky * DH;
                    if constexpr (DW == 1) {
                        // the row's taps kx ∈ [rx.begin, rx.end) are adjacent in x and in w: one run
                        const int ix = ox * SW - PadLeft + rx.begin;
                        const int8_t* xp = x + ptrdiff_t(iy * W + ix) * C;
                        const int8_t* w0 = p.weights + ptrdiff_t(f) * filter_size + ptrdiff_t(ky * KW + rx.begin) * C;
                        dot_four_n(xp, zp, w0, w0 + filter_size, w0 + 2 * filter_size, w0 + 3 * filter_size,
                                   (rx.end - rx.begin) * C, acc0, acc1, acc2, acc3);
                    } else {
                        for (int kx = rx.begin; kx < rx.end; ++kx) {
                            const int ix = ox * SW - PadLeft + kx * DW;
                            const int8_t* xp = x + ptrdiff_t(iy * W + ix) * C;
                            const int8_t* w0 = p.weights + ptrdiff_t(f) * filter_size + ptrdiff_t(ky * KW + kx) * C;
                            dot_four<C>(xp, zp, w0, w0 + filter_size, w0 + 2 * filter_size, w0 + 3 * filter_size, acc0,
                                        acc1, acc2, acc3);
                        }
                    }
                }
                yp[f] = requantize_channel(p, f, acc0);
                yp[f + 1] = requantize_channel(p, f + 1, acc1);
                yp[f + 2] = requantize_channel(p, f + 2, acc2);
                yp[f + 3] = requantize_channel(p, f + 3, acc3);
            }
            for (int f = blocked; f < F; ++f) {  // the last F mod 4 filters
                int32_t acc = 0;
                for (int ky = ry.begin; ky < ry.end; ++ky) {
                    const int iy = oy * SH - PadTop + ky * DH;
                    for (int kx = rx.begin; kx < rx.end; ++kx) {
                        const int ix = ox * SW - PadLeft + kx * DW;
                        const int8_t* xp = x + ptrdiff_t(iy * W + ix) * C;
                        const int8_t* wp = p.weights + ptrdiff_t(f) * filter_size + ptrdiff_t(ky * KW + kx) * C;
                        for (int c = 0; c < C; ++c) acc += (int32_t(xp[c]) - zp) * int32_t(wp[c]);
                    }
                }
                yp[f] = requantize_channel(p, f, acc);
            }
        }
    }
}

}  // namespace ugrad::tflite
