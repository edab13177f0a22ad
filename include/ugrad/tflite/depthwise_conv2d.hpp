// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/depthwise_conv2d.hpp — TFLite's int8 DEPTHWISE_CONV_2D, depth multiplier 1
// (per-channel weights), batch 1, NHWC.
//
// x [H][W][C], w [KH][KW][C] (TFLite's [1][KH][KW][C]), y [OH][OW][C]:
//   acc[oy][ox][c] = Σ_{ky<KH, kx<KW} (x[iy][ix][c] − input_zero_point)·w[ky][kx][c],
//   iy = oy·SH − PadTop + ky·DH,  ix = ox·SW − PadLeft + kx·DW;
// taps outside the image (padding, which holds input_zero_point) add 0 and are skipped.
// y[oy][ox][c] = requantize_channel(c, acc) (weighted_layer.hpp). y must not overlap x.
#pragma once

#include <stdint.h>

#include <ugrad/tflite/weighted_layer.hpp>

namespace ugrad::tflite {

template <int H, int W, int C, int OH, int OW, int KH, int KW, int SH, int SW, int DH, int DW, int PadTop,
          int PadLeft>
inline void depthwise_conv2d(const int8_t* x, const WeightedLayer& p, int8_t* y) noexcept {
    for (int oy = 0; oy < OH; ++oy) {
        for (int ox = 0; ox < OW; ++ox) {
            for (int c = 0; c < C; ++c) {
                int32_t acc = 0;
                for (int ky = 0; ky < KH; ++ky) {
                    const int iy = oy * SH - PadTop + ky * DH;
                    if (iy < 0 || iy >= H) continue;
                    for (int kx = 0; kx < KW; ++kx) {
                        const int ix = ox * SW - PadLeft + kx * DW;
                        if (ix < 0 || ix >= W) continue;
                        acc += (int32_t(x[(iy * W + ix) * C + c]) - p.input_zero_point) *
                               int32_t(p.weights[(ky * KW + kx) * C + c]);
                    }
                }
                y[(oy * OW + ox) * C + c] = requantize_channel(p, c, acc);
            }
        }
    }
}

}  // namespace ugrad::tflite
