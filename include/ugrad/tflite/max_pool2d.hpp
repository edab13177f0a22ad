// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/max_pool2d.hpp — TFLite's int8 MAX_POOL_2D, batch 1, NHWC.
//
// x [H][W][C], y [OH][OW][C], input and output with the same scale and zero point:
//   y[oy][ox][c] = clamp(max_{(iy, ix) in the window ∩ image} x[iy][ix][c], activation_min, activation_max)
// (pool_window.hpp gives the window ∩ image). y must not overlap x.
#pragma once

#include <stdint.h>

#include <ugrad/tflite/average_pool2d.hpp>
#include <ugrad/tflite/pool_window.hpp>

namespace ugrad::tflite {

template <int H, int W, int C, int OH, int OW, int KH, int KW, int SH, int SW, int PadTop, int PadLeft>
inline void max_pool2d(const int8_t* x, const PoolActivation& a, int8_t* y) noexcept {  // NOLINT(readability-function-cognitive-complexity): the loops over the output, the window and the channels
    for (int oy = 0; oy < OH; ++oy) {
        const PoolRange ry = pool_range(oy, SH, PadTop, KH, H);
        for (int ox = 0; ox < OW; ++ox) {
            const PoolRange rx = pool_range(ox, SW, PadLeft, KW, W);
            for (int c = 0; c < C; ++c) {
                int32_t m = -128;
                for (int iy = ry.begin; iy < ry.end; ++iy)
                    for (int ix = rx.begin; ix < rx.end; ++ix) {
                        const int32_t v = int32_t(x[(iy * W + ix) * C + c]);
                        if (v > m) m = v;
                    }
                if (m < a.activation_min) m = a.activation_min;
                if (m > a.activation_max) m = a.activation_max;
                y[(oy * OW + ox) * C + c] = int8_t(m);
            }
        }
    }
}

}  // namespace ugrad::tflite
