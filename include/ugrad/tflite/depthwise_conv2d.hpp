// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/depthwise_conv2d.hpp — TFLite's int8 DEPTHWISE_CONV_2D, depth multiplier 1
// (per-channel weights), batch 1, NHWC.
//
// x [H][W][C], w [KH][KW][C] (TFLite's [1][KH][KW][C]; held as int16 pairs: depthwise_requant.hpp), y [OH][OW][C]:
//   acc[oy][ox][c] = bias[c] + Σ_{ky<KH, kx<KW} x[iy][ix][c]·w[ky][kx][c],
//   iy = oy·SH − PadTop + ky·DH,  ix = ox·SW − PadLeft + kx·DW;
// raw int8 codes: bias holds the model's bias − input_zero_point·Σ_{ky,kx} w[ky][kx][c]
// (depthwise_requant.hpp), so a tap outside the image reads the padding value input_zero_point.
// y[oy][ox][c] = requantize_depthwise(acc[oy][ox][c]) (depthwise_requant.hpp).
// If every window lies inside the image (no padding reached: known at compile time), the windows are
// read from x. Otherwise each output row first copies its KH input rows (iy for ky < KH), padded left
// and right to WS = (OW − 1)·SW + (KW − 1)·DW + 1 columns with input_zero_point (a row above or below
// the image: all input_zero_point), into a stack stripe [KH][WS][C]; every window of the row is then
// inside the stripe. Either way the window loop has no bounds check. Four channels at a time (their
// bytes adjacent in x): on Armv7E-M one word of x per tap, SXTB16 (plain, ROR #8) giving channels
// (c, c + 2) and (c + 1, c + 3) as int16 pairs, the weights' two words already in that form (one LDRD),
// SMLABB / SMLATT one product each.
//
// Aliasing: with InPlace = false, y must not overlap x. With InPlace = true, y must be x (the same
// address; output pixel q = oy·OW + ox at bytes [q·C, (q+1)·C)), and depthwise_in_place_fits must hold
// (a static_assert; tools/tflite/int8_export.py plans by the same rule, _depthwise_fits):
//   - every window inside the image: the windows are read from x as above. Output pixel q's taps are
//     input pixels iy·W + ix ≥ oy·SH·W + ox·SW ≥ q, none of them written before q (pixels in order);
//     at pixel q itself, channel c's output is written after channel c's taps are read (a depthwise
//     channel reads only its own channel), so the write never reaches a byte still to be read.
//   - otherwise the stripe is a ring: when SH is a multiple of DH and R = SH/DH < KH, output row oy's
//     stripe rows ky < KH − R are row oy − 1's rows ky + R (moved up in the stripe) and only rows
//     ky ≥ KH − R are read from x; otherwise all KH. Every input row read from x for output row oy ≥ 1
//     must start at or after the bytes rows 0 .. oy − 1 wrote: iy·W ≥ oy·OW for each such row inside
//     the image.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/tflite/depthwise_requant.hpp>

#if defined(__ARM_FEATURE_DSP)
#include <ugrad/tflite/armv7em.hpp>
#endif

namespace ugrad::tflite {

// One output pixel, all C channels: tap (ky, kx) of channel c at first[ky·RowStride + kx·TapStride + c].
// Each block of four channels starts its accumulators at the block's biases and ends with
// requantize_depthwise (depthwise_requant.hpp), reading biases, M and E at one base: rq = requant + 12·(c / 4).
// A block's four outputs are written after all of its taps are read (the in-place rule above: yp may be
// a byte of the window's own pixel; the int8 stores may alias the loads, so the compiler keeps the order).
template <int C, int KH, int KW, ptrdiff_t RowStride, ptrdiff_t TapStride, bool RightShift, bool FullRange>
__attribute__((always_inline)) inline void depthwise_window(const int8_t* first, const DepthwiseLayer& p, int8_t* yp) noexcept {
    constexpr int blocked = C - C % 4;  // channels taken four at a time
    const int32_t k = 2 * p.output_zero_point + 1;
    const int8_t* xb = first;
    const int32_t* wb = p.weights;  // block b's pairs of tap t at wb + 2·t·B, wb advancing by 2 per block
    const int32_t* rq = p.requant;
    constexpr ptrdiff_t tap_words = ptrdiff_t(2) * ((C + 3) / 4);  // one tap's words
    for (int c = 0; c < blocked; c += 4, xb += 4, wb += 2, rq += 12) {
        int32_t acc0 = rq[0], acc1 = rq[1], acc2 = rq[2], acc3 = rq[3];
#pragma GCC unroll 16
        for (int ky = 0; ky < KH; ++ky) {
#pragma GCC unroll 16
            for (int kx = 0; kx < KW; ++kx) {
                const int8_t* xp = xb + ky * RowStride + kx * TapStride;  // constant offsets from the block's base
                const int32_t* wp = wb + ptrdiff_t(ky * KW + kx) * tap_words;
#if defined(__ARM_FEATURE_DSP)
                const uint32_t xw = armv7em::load_word(xp);
                const uint32_t xe = armv7em::sxtb16(xw), we = uint32_t(wp[0]);
                const uint32_t xo = armv7em::sxtb16_ror8(xw), wo = uint32_t(wp[1]);
                acc0 = armv7em::smlabb(xe, we, acc0);
                acc2 = armv7em::smlatt(xe, we, acc2);
                acc1 = armv7em::smlabb(xo, wo, acc1);
                acc3 = armv7em::smlatt(xo, wo, acc3);
                // One tap's loads after the other's: unrolled, GCC would otherwise hoist every tap's loads
                // and spill (the registers hold four accumulators, the bases and one tap).
                __asm__ volatile("" ::: "memory");  // NOLINT(hicpp-no-assembler): a compiler barrier, no instruction
#else
                acc0 += int32_t(xp[0]) * (int32_t(uint32_t(wp[0]) << 16) >> 16);
                acc1 += int32_t(xp[1]) * (int32_t(uint32_t(wp[1]) << 16) >> 16);
                acc2 += int32_t(xp[2]) * (wp[0] >> 16);
                acc3 += int32_t(xp[3]) * (wp[1] >> 16);
#endif
            }
        }
        yp[c] = requantize_depthwise<RightShift, FullRange>(acc0, rq[4], rq[5], k, p);
        yp[c + 1] = requantize_depthwise<RightShift, FullRange>(acc1, rq[6], rq[7], k, p);
        yp[c + 2] = requantize_depthwise<RightShift, FullRange>(acc2, rq[8], rq[9], k, p);
        yp[c + 3] = requantize_depthwise<RightShift, FullRange>(acc3, rq[10], rq[11], k, p);
    }
    for (int c = blocked; c < C; ++c) {  // the last C mod 4 channels
        const int32_t* tail = p.requant + ptrdiff_t(blocked) * 3;
        const int j = c - blocked;
        int32_t acc = tail[j];
        for (int ky = 0; ky < KH; ++ky)
            for (int kx = 0; kx < KW; ++kx)
                acc += int32_t(first[ky * RowStride + kx * TapStride + c]) * depthwise_weight<C>(p.weights, ky * KW + kx, c);
        yp[c] = requantize_depthwise<RightShift, FullRange>(acc, tail[4 + 2 * j], tail[5 + 2 * j], k, p);
    }
}

// Output row oy's stripe [KH][WS][C], its rows ky ≥ first: input row oy·SH − PadTop + ky·DH, columns
// −PadLeft .. WS − PadLeft − 1, input_zero_point outside the image.
template <int H, int W, int C, int KH, int SH, int DH, int PadTop, int PadLeft, int WS>
inline void depthwise_stripe(const int8_t* x, int oy, int8_t pad, int8_t* stripe, int first = 0) noexcept {
    constexpr int left = PadLeft < WS ? PadLeft : WS;                        // columns left of the image
    constexpr int inside = WS - left < W ? WS - left : W;                    // columns in the image
    constexpr int right = WS - left - inside;                                // columns right of it
    for (int ky = first; ky < KH; ++ky) {
        const int iy = oy * SH - PadTop + ky * DH;
        int8_t* row = stripe + ptrdiff_t(ky) * WS * C;
        if (iy < 0 || iy >= H) {
            for (int i = 0; i < WS * C; ++i) row[i] = pad;
            continue;
        }
        for (int i = 0; i < left * C; ++i) row[i] = pad;
        __builtin_memcpy(row + ptrdiff_t(left) * C, x + ptrdiff_t(iy) * W * C, size_t(inside) * C);
        for (int i = 0; i < right * C; ++i) row[(left + inside) * C + i] = pad;
    }
}

// The in-place ring's rows kept from one output row to the next: KH − R when SH = R·DH, R < KH; else 0.
template <int KH, int SH, int DH>
constexpr int depthwise_ring_kept() noexcept {
    return SH % DH == 0 && SH / DH < KH ? KH - SH / DH : 0;
}

// Whether every window lies inside the image (no padding reached).
template <int H, int W, int OH, int OW, int KH, int KW, int SH, int SW, int DH, int DW, int PadTop, int PadLeft>
constexpr bool depthwise_all_inside() noexcept {
    return PadTop == 0 && PadLeft == 0 && (OH - 1) * SH + (KH - 1) * DH < H && (OW - 1) * SW + (KW - 1) * DW < W;
}

// Whether y = x is safe (the header's rule): every window inside the image; or else every input row
// (inside the image) that output row oy ≥ 1 reads from x, the ring rows ky ≥ depthwise_ring_kept,
// starts at or after the OW·oy pixels rows 0 .. oy − 1 wrote.
template <int H, int W, int OH, int OW, int KH, int KW, int SH, int SW, int DH, int DW, int PadTop, int PadLeft>
constexpr bool depthwise_in_place_fits() noexcept {
    if (depthwise_all_inside<H, W, OH, OW, KH, KW, SH, SW, DH, DW, PadTop, PadLeft>()) return true;
    for (int oy = 1; oy < OH; ++oy)
        for (int ky = depthwise_ring_kept<KH, SH, DH>(); ky < KH; ++ky) {
            const int iy = oy * SH - PadTop + ky * DH;
            if (iy >= 0 && iy < H && iy * W < oy * OW) return false;
        }
    return true;
}

// The in-place form (y = x): output row oy's stripe rolls from row oy − 1's (the header's ring).
template <int H, int W, int C, int OH, int OW, int KH, int KW, int SH, int SW, int DH, int DW, int PadTop,
          int PadLeft, bool RightShift, bool FullRange>
inline void depthwise_conv2d_ring(int8_t* xy, const DepthwiseLayer& p) noexcept {
    constexpr int WS = (OW - 1) * SW + (KW - 1) * DW + 1;  // the ring's columns
    constexpr int kept = depthwise_ring_kept<KH, SH, DH>(), moved = KH - kept;
    constexpr ptrdiff_t row_stride = ptrdiff_t(WS) * C, tap_stride = ptrdiff_t(DW) * C;
    alignas(4) int8_t stripe[KH * WS * C];
    for (int oy = 0; oy < OH; ++oy) {
        int first = 0;
        if constexpr (kept > 0) {
            if (oy > 0) {  // rows moved .. KH − 1 of row oy − 1 are rows 0 .. kept − 1 of row oy
                for (int ky = 0; ky < kept; ++ky)
                    __builtin_memcpy(stripe + ptrdiff_t(ky) * WS * C, stripe + ptrdiff_t(ky + moved) * WS * C,
                                     size_t(WS) * C);
                first = kept;
            }
        }
        depthwise_stripe<H, W, C, KH, SH, DH, PadTop, PadLeft, WS>(xy, oy, int8_t(p.input_zero_point), stripe, first);
        for (int ox = 0; ox < OW; ++ox)
            depthwise_window<C, KH, KW, row_stride, tap_stride, RightShift, FullRange>(
                stripe + ptrdiff_t(ox) * SW * C, p, xy + ptrdiff_t(oy * OW + ox) * C);
    }
}

template <int H, int W, int C, int OH, int OW, int KH, int KW, int SH, int SW, int DH, int DW, int PadTop,
          int PadLeft, bool RightShift = false, bool FullRange = false, bool InPlace = false>
inline void depthwise_conv2d(const int8_t* x, const DepthwiseLayer& p, int8_t* y) noexcept {
    constexpr bool all_inside = depthwise_all_inside<H, W, OH, OW, KH, KW, SH, SW, DH, DW, PadTop, PadLeft>();
    static_assert(!InPlace || depthwise_in_place_fits<H, W, OH, OW, KH, KW, SH, SW, DH, DW, PadTop, PadLeft>(),
                  "y = x would overwrite input bytes still to be read");
    if constexpr (InPlace && !all_inside) {
        (void)x;  // y = x
        depthwise_conv2d_ring<H, W, C, OH, OW, KH, KW, SH, SW, DH, DW, PadTop, PadLeft, RightShift, FullRange>(y, p);
    } else if constexpr (all_inside) {
        constexpr ptrdiff_t row_stride = ptrdiff_t(DH) * W * C, tap_stride = ptrdiff_t(DW) * C;
        for (int oy = 0; oy < OH; ++oy)
            for (int ox = 0; ox < OW; ++ox)
                depthwise_window<C, KH, KW, row_stride, tap_stride, RightShift, FullRange>(
                    x + (ptrdiff_t(oy) * SH * W + ptrdiff_t(ox) * SW) * C, p, y + ptrdiff_t(oy * OW + ox) * C);
    } else {
        constexpr int WS = (OW - 1) * SW + (KW - 1) * DW + 1;  // the stripe's columns
        constexpr ptrdiff_t row_stride = ptrdiff_t(WS) * C, tap_stride = ptrdiff_t(DW) * C;
        alignas(4) int8_t stripe[KH * WS * C];
        for (int oy = 0; oy < OH; ++oy) {
            depthwise_stripe<H, W, C, KH, SH, DH, PadTop, PadLeft, WS>(x, oy, int8_t(p.input_zero_point), stripe);
            for (int ox = 0; ox < OW; ++ox)
                depthwise_window<C, KH, KW, row_stride, tap_stride, RightShift, FullRange>(
                    stripe + ptrdiff_t(ox) * SW * C, p, y + ptrdiff_t(oy * OW + ox) * C);
        }
    }
}

}  // namespace ugrad::tflite
