// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/conv2d.hpp — TFLite's int8 CONV_2D (per-channel weights), batch 1, NHWC.
//
// x [H][W][C], w [F][KH][KW][C] (TFLite's OHWI), y [OH][OW][F]:
//   acc[oy][ox][f] = Σ_{ky<KH, kx<KW, c<C} (x[iy][ix][c] − input_zero_point)·w[f][ky][kx][c],
//   iy = oy·SH − PadTop + ky·DH,  ix = ox·SW − PadLeft + kx·DW;
// taps outside the image are padding, which holds input_zero_point: they add 0 and are skipped.
// y[oy][ox][f] = requantize_channel(f, acc) (weighted_layer.hpp). OH, OW, PadTop and PadLeft are
// TFLite's for its SAME or VALID padding (the exporter computes them). y must not overlap x.
#pragma once

#include <stdint.h>

#include <ugrad/tflite/weighted_layer.hpp>

namespace ugrad::tflite {

template <int H, int W, int C, int OH, int OW, int F, int KH, int KW, int SH, int SW, int DH, int DW,
          int PadTop, int PadLeft>
inline void conv2d(const int8_t* x, const WeightedLayer& p, int8_t* y) noexcept {
    for (int oy = 0; oy < OH; ++oy) {
        for (int ox = 0; ox < OW; ++ox) {
            for (int f = 0; f < F; ++f) {
                const int8_t* wf = p.weights + f * KH * KW * C;
                int32_t acc = 0;
                for (int ky = 0; ky < KH; ++ky) {
                    const int iy = oy * SH - PadTop + ky * DH;
                    if (iy < 0 || iy >= H) continue;
                    for (int kx = 0; kx < KW; ++kx) {
                        const int ix = ox * SW - PadLeft + kx * DW;
                        if (ix < 0 || ix >= W) continue;
                        const int8_t* xp = x + (iy * W + ix) * C;
                        const int8_t* wp = wf + (ky * KW + kx) * C;
                        for (int c = 0; c < C; ++c) acc += (int32_t(xp[c]) - p.input_zero_point) * int32_t(wp[c]);
                    }
                }
                y[(oy * OW + ox) * F + f] = requantize_channel(p, f, acc);
            }
        }
    }
}

}  // namespace ugrad::tflite
