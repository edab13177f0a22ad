// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/average_pool2d.hpp — TFLite's int8 AVERAGE_POOL_2D, batch 1, NHWC.
//
// x [H][W][C], y [OH][OW][C], input and output with the same scale and zero point:
//   s = Σ_{(iy, ix) in the window ∩ image} x[iy][ix][c],   n = the number of those cells,
//   y[oy][ox][c] = clamp(round(s / n), activation_min, activation_max),
// round half away from zero as (s + n/2)/n for s > 0, (s − n/2)/n otherwise, with C's truncating
// division (pool_window.hpp gives the window ∩ image). y must not overlap x.
#pragma once

#include <stdint.h>

#include <ugrad/tflite/pool_window.hpp>

namespace ugrad::tflite {

struct PoolActivation {
    int32_t activation_min;
    int32_t activation_max;
};

template <int H, int W, int C, int OH, int OW, int KH, int KW, int SH, int SW, int PadTop, int PadLeft>
inline void average_pool2d(const int8_t* x, const PoolActivation& a, int8_t* y) noexcept {  // NOLINT(readability-function-cognitive-complexity): the loops over the output, the window and the channels
    for (int oy = 0; oy < OH; ++oy) {
        const PoolRange ry = pool_range(oy, SH, PadTop, KH, H);
        for (int ox = 0; ox < OW; ++ox) {
            const PoolRange rx = pool_range(ox, SW, PadLeft, KW, W);
            const int32_t n = (ry.end - ry.begin) * (rx.end - rx.begin);
            for (int c = 0; c < C; ++c) {
                int32_t s = 0;
                for (int iy = ry.begin; iy < ry.end; ++iy)
                    for (int ix = rx.begin; ix < rx.end; ++ix) s += int32_t(x[(iy * W + ix) * C + c]);
                int32_t v = s > 0 ? (s + n / 2) / n : (s - n / 2) / n;
                if (v < a.activation_min) v = a.activation_min;
                if (v > a.activation_max) v = a.activation_max;
                y[(oy * OW + ox) * C + c] = int8_t(v);
            }
        }
    }
}

}  // namespace ugrad::tflite
