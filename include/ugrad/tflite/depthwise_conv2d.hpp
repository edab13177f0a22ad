// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/depthwise_conv2d.hpp — TFLite's int8 DEPTHWISE_CONV_2D, depth multiplier 1
// (per-channel weights), batch 1, NHWC.
//
// x [H][W][C], w [KH][KW][C] (TFLite's [1][KH][KW][C]), y [OH][OW][C]:
//   acc[oy][ox][c] = Σ_{ky<KH, kx<KW} (x[iy][ix][c] − input_zero_point)·w[ky][kx][c],
//   iy = oy·SH − PadTop + ky·DH,  ix = ox·SW − PadLeft + kx·DW;
// taps outside the image (padding, which holds input_zero_point) add 0 and are skipped
// (kernel_taps.hpp gives each output row's and column's taps inside the image).
// y[oy][ox][c] = requantize_channel(c, acc) (weighted_layer.hpp). y must not overlap x.
// Four channels at a time: one pass over the window's taps (and their bounds checks) serves four
// neighbouring channels, whose bytes are adjacent in x and w.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/tflite/kernel_taps.hpp>
#include <ugrad/tflite/weighted_layer.hpp>

namespace ugrad::tflite {

template <int H, int W, int C, int OH, int OW, int KH, int KW, int SH, int SW, int DH, int DW, int PadTop,
          int PadLeft>
inline void depthwise_conv2d(const int8_t* x, const WeightedLayer& p, int8_t* y) noexcept {  // NOLINT(readability-function-cognitive-complexity): the loops over the output, the window and the channels
    constexpr int blocked = C - C % 4;  // channels taken four at a time
    const int32_t zp = p.input_zero_point;
    for (int oy = 0; oy < OH; ++oy) {
        const TapRange ry = kernel_taps(oy, SH, PadTop, DH, KH, H);
        for (int ox = 0; ox < OW; ++ox) {
            const TapRange rx = kernel_taps(ox, SW, PadLeft, DW, KW, W);
            int8_t* yp = y + ptrdiff_t(oy * OW + ox) * C;
            for (int c = 0; c < blocked; c += 4) {
                int32_t acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
                for (int ky = ry.begin; ky < ry.end; ++ky) {
                    const int iy = oy * SH - PadTop + ky * DH;
                    for (int kx = rx.begin; kx < rx.end; ++kx) {
                        const int ix = ox * SW - PadLeft + kx * DW;
                        const int8_t* xp = x + ptrdiff_t(iy * W + ix) * C + c;
                        const int8_t* wp = p.weights + ptrdiff_t(ky * KW + kx) * C + c;
                        acc0 += (int32_t(xp[0]) - zp) * int32_t(wp[0]);
                        acc1 += (int32_t(xp[1]) - zp) * int32_t(wp[1]);
                        acc2 += (int32_t(xp[2]) - zp) * int32_t(wp[2]);
                        acc3 += (int32_t(xp[3]) - zp) * int32_t(wp[3]);
                    }
                }
                yp[c] = requantize_channel(p, c, acc0);
                yp[c + 1] = requantize_channel(p, c + 1, acc1);
                yp[c + 2] = requantize_channel(p, c + 2, acc2);
                yp[c + 3] = requantize_channel(p, c + 3, acc3);
            }
            for (int c = blocked; c < C; ++c) {  // the last C mod 4 channels
                int32_t acc = 0;
                for (int ky = ry.begin; ky < ry.end; ++ky) {
                    const int iy = oy * SH - PadTop + ky * DH;
                    for (int kx = rx.begin; kx < rx.end; ++kx) {
                        const int ix = ox * SW - PadLeft + kx * DW;
                        acc += (int32_t(x[(iy * W + ix) * C + c]) - zp) * int32_t(p.weights[(ky * KW + kx) * C + c]);
                    }
                }
                yp[c] = requantize_channel(p, c, acc);
            }
        }
    }
}

}  // namespace ugrad::tflite
