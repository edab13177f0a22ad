// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/depthwise_conv2d.hpp — TFLite's int8 DEPTHWISE_CONV_2D, depth multiplier 1
// (per-channel weights), batch 1, NHWC.
//
// x [H][W][C], w [KH][KW][C] (TFLite's [1][KH][KW][C]), y [OH][OW][C]:
//   acc[oy][ox][c] = bias[c] + Σ_{ky<KH, kx<KW} x[iy][ix][c]·w[ky][kx][c],
//   iy = oy·SH − PadTop + ky·DH,  ix = ox·SW − PadLeft + kx·DW;
// raw int8 codes: bias holds the model's bias − input_zero_point·Σ_{ky,kx} w[ky][kx][c]
// (weighted_layer.hpp), so a tap outside the image reads the padding value input_zero_point.
// y[oy][ox][c] = requantize(c, acc). y must not overlap x.
// A window wholly inside the image (kernel_taps.hpp: every tap row and column inside) reads x with no
// check; a border window reads input_zero_point for its outside taps. Four channels at a time (their
// bytes adjacent in x and w): on Armv7E-M one word of x and one of w per tap, SXTB16 (plain, ROR #8)
// giving channels (c, c + 2) and (c + 1, c + 3) as int16 pairs, SMLABB / SMLATT one product each.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/tflite/kernel_taps.hpp>
#include <ugrad/tflite/weighted_layer.hpp>

#if defined(__ARM_FEATURE_DSP)
#include <ugrad/tflite/armv7em.hpp>
#endif

namespace ugrad::tflite {

// Output pixel (oy, ox), all C channels; Border: taps outside [ry) × [rx) read pad.
template <bool Border, bool RightShift, int H, int W, int C, int KH, int KW, int SH, int SW, int DH, int DW, int PadTop, int PadLeft>
// NOLINTNEXTLINE(readability-function-cognitive-complexity): the channels, the taps, the border
inline void depthwise_pixel(const int8_t* x, const WeightedLayer& p, int oy, int ox, TapRange ry, TapRange rx,
                            int8_t* yp) noexcept {
    constexpr int blocked = C - C % 4;  // channels taken four at a time
    const int32_t zp = p.input_zero_point;
    const ptrdiff_t base = (ptrdiff_t(oy * SH - PadTop) * W + (ox * SW - PadLeft)) * C;  // tap (0, 0), maybe outside
    for (int c = 0; c < blocked; c += 4) {
        int32_t acc0 = 0, acc1 = 0, acc2 = 0, acc3 = 0;
#if defined(__ARM_FEATURE_DSP)
        const uint32_t pad_word = (uint32_t(zp) & 0xffu) * 0x01010101u;
#endif
        for (int ky = 0; ky < KH; ++ky) {
#pragma GCC unroll 16
            for (int kx = 0; kx < KW; ++kx) {
                const bool inside = !Border || (ky >= ry.begin && ky < ry.end && kx >= rx.begin && kx < rx.end);
                const ptrdiff_t at = (ptrdiff_t(ky) * DH * W + ptrdiff_t(kx) * DW) * C + c;
                const int8_t* wp = p.weights + ptrdiff_t(ky * KW + kx) * C + c;
#if defined(__ARM_FEATURE_DSP)
                const uint32_t xw = inside ? armv7em::load_word(x + (base + at)) : pad_word;
                const uint32_t ww = armv7em::load_word(wp);
                const uint32_t xe = armv7em::sxtb16(xw), we = armv7em::sxtb16(ww);
                const uint32_t xo = armv7em::sxtb16_ror8(xw), wo = armv7em::sxtb16_ror8(ww);
                acc0 = armv7em::smlabb(xe, we, acc0);
                acc2 = armv7em::smlatt(xe, we, acc2);
                acc1 = armv7em::smlabb(xo, wo, acc1);
                acc3 = armv7em::smlatt(xo, wo, acc3);
#else
                const int8_t* xp = x + (inside ? base + at : 0);
                acc0 += (inside ? int32_t(xp[0]) : zp) * int32_t(wp[0]);
                acc1 += (inside ? int32_t(xp[1]) : zp) * int32_t(wp[1]);
                acc2 += (inside ? int32_t(xp[2]) : zp) * int32_t(wp[2]);
                acc3 += (inside ? int32_t(xp[3]) : zp) * int32_t(wp[3]);
#endif
            }
        }
        const int8_t r0 = requantize_channel<RightShift>(p, c, acc0), r1 = requantize_channel<RightShift>(p, c + 1, acc1);
        const int8_t r2 = requantize_channel<RightShift>(p, c + 2, acc2), r3 = requantize_channel<RightShift>(p, c + 3, acc3);
        yp[c] = r0;
        yp[c + 1] = r1;
        yp[c + 2] = r2;
        yp[c + 3] = r3;
    }
    for (int c = blocked; c < C; ++c) {  // the last C mod 4 channels
        int32_t acc = 0;
        for (int ky = 0; ky < KH; ++ky) {
            for (int kx = 0; kx < KW; ++kx) {
                const bool inside = !Border || (ky >= ry.begin && ky < ry.end && kx >= rx.begin && kx < rx.end);
                const ptrdiff_t at = (ptrdiff_t(ky) * DH * W + ptrdiff_t(kx) * DW) * C + c;
                acc += (inside ? int32_t(x[base + at]) : zp) * int32_t(p.weights[(ky * KW + kx) * C + c]);
            }
        }
        yp[c] = requantize_channel<RightShift>(p, c, acc);
    }
}

template <int H, int W, int C, int OH, int OW, int KH, int KW, int SH, int SW, int DH, int DW, int PadTop,
          int PadLeft, bool RightShift = false>
inline void depthwise_conv2d(const int8_t* x, const WeightedLayer& p, int8_t* y) noexcept {
    for (int oy = 0; oy < OH; ++oy) {
        const TapRange ry = kernel_taps(oy, SH, PadTop, DH, KH, H);
        const bool rows_inside = ry.begin == 0 && ry.end == KH;
        for (int ox = 0; ox < OW; ++ox) {
            const TapRange rx = kernel_taps(ox, SW, PadLeft, DW, KW, W);
            int8_t* yp = y + ptrdiff_t(oy * OW + ox) * C;
            if (rows_inside && rx.begin == 0 && rx.end == KW) {
                depthwise_pixel<false, RightShift, H, W, C, KH, KW, SH, SW, DH, DW, PadTop, PadLeft>(x, p, oy, ox, ry, rx, yp);
            } else {
                depthwise_pixel<true, RightShift, H, W, C, KH, KW, SH, SW, DH, DW, PadTop, PadLeft>(x, p, oy, ox, ry, rx, yp);
            }
        }
    }
}

}  // namespace ugrad::tflite
