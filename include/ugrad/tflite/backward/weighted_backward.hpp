// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/backward/weighted_backward.hpp — step (2) of block_gradient.hpp for CONV_2D,
// DEPTHWISE_CONV_2D and FULLY_CONNECTED: the transposed product with the int8 weights.
//
// h is the output gradient already masked and scaled, packed (activation_mask.hpp: |h| <= 2^14); the
// forward's acc = Σ (x − z_x)·w gives d acc / d x = w (the bias and zero points are constants: the
// backward does not read them). Every sum below is exact in int32: an input element receives at most
// N terms |h·w| <= 2^21, N <= max_terms (static_assert), the most of one element:
//   conv       N = ceil(KH/SH)·ceil(KW/SW)·F (dilation 1; KH·KW·F otherwise)
//   depthwise  N = ceil(KH/SH)·ceil(KW/SW)
//   fully connected N = Out.
// Outputs are zeroed first; entries h = 0 (masked by a ReLU: often half) are skipped.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/tflite/backward/block_gradient.hpp>
#include <ugrad/tflite/backward/dual_rows.hpp>
#include <ugrad/tflite/kernel_taps.hpp>

namespace ugrad::tflite::backward {

constexpr int taps_per_input(int K, int S, int D) noexcept { return D == 1 ? (K + S - 1) / S : K; }

// x [H][W][C], w [F][KH][KW][C], h [OH][OW][F]:
//   gx[iy][ix][c] = Σ_{oy, ox, f, ky, kx: iy = oy·SH − PadTop + ky·DH, ix = ox·SW − PadLeft + kx·DW} h[oy][ox][f]·w[f][ky][kx][c]
// as a scatter: each nonzero h adds h·w[f][ky][kx][0..C) to the C gradients of the input cell it read.
template <int H, int W, int C, int OH, int OW, int F, int KH, int KW, int SH, int SW, int DH, int DW,
          int PadTop, int PadLeft>
inline void conv2d_backward(const int32_t* h, const int8_t* w, int32_t* gx) noexcept {
    static_assert(taps_per_input(KH, SH, DH) * taps_per_input(KW, SW, DW) * F <= max_terms, "int32 sums");
    for (int i = 0; i < H * W * C; ++i) gx[i] = 0;
    for (int oy = 0; oy < OH; ++oy) {
        const TapRange ry = kernel_taps(oy, SH, PadTop, DH, KH, H);
        for (int ox = 0; ox < OW; ++ox) {
            const TapRange rx = kernel_taps(ox, SW, PadLeft, DW, KW, W);
            const size_t hp = size_t(oy * OW + ox) * F;
            // two filters at a time (dual_rows.hpp), their gradients one packed word when hp is even
            for (int f = 0; f < F; f += 2) {
                const int32_t va = packed_get(h, hp + size_t(f));
                const int32_t vb = f + 1 < F ? packed_get(h, hp + size_t(f) + 1) : 0;
                if (va == 0 && vb == 0) continue;
                const int32_t hw = int32_t((uint32_t(va) & 0xFFFFu) | (uint32_t(vb) << 16));
                const int8_t* wf = w + ptrdiff_t(f) * KH * KW * C;
                const int8_t* wg = f + 1 < F ? wf + ptrdiff_t(KH) * KW * C : wf;  // vb = 0 then
                for (int ky = ry.begin; ky < ry.end; ++ky) {
                    const int iy = oy * SH - PadTop + ky * DH;
                    for (int kx = rx.begin; kx < rx.end; ++kx) {
                        const int ix = ox * SW - PadLeft + kx * DW;
                        const ptrdiff_t tap = ptrdiff_t(ky * KW + kx) * C;
                        dual_rows<C>(gx + ptrdiff_t(iy * W + ix) * C, wf + tap, wg + tap, hw);
                    }
                }
            }
        }
    }
}

// x [H][W][C], w [KH][KW][C], h [OH][OW][C]: gx[iy][ix][c] = Σ h[oy][ox][c]·w[ky][kx][c] over the
// (oy, ox, ky, kx) that read (iy, ix).
template <int H, int W, int C, int OH, int OW, int KH, int KW, int SH, int SW, int DH, int DW, int PadTop,
          int PadLeft>
inline void depthwise_conv2d_backward(const int32_t* h, const int8_t* w, int32_t* gx) noexcept {
    static_assert(taps_per_input(KH, SH, DH) * taps_per_input(KW, SW, DW) <= max_terms, "int32 sums");
    for (int i = 0; i < H * W * C; ++i) gx[i] = 0;
    for (int oy = 0; oy < OH; ++oy) {
        const TapRange ry = kernel_taps(oy, SH, PadTop, DH, KH, H);
        for (int ox = 0; ox < OW; ++ox) {
            const TapRange rx = kernel_taps(ox, SW, PadLeft, DW, KW, W);
            const size_t hp = size_t(oy * OW + ox) * C;
            int32_t v[C];  // this output pixel's C gradients, unpacked once for every tap
            for (int c = 0; c < C; ++c) v[c] = packed_get(h, hp + size_t(c));
            for (int ky = ry.begin; ky < ry.end; ++ky) {
                const int iy = oy * SH - PadTop + ky * DH;
                for (int kx = rx.begin; kx < rx.end; ++kx) {
                    const int ix = ox * SW - PadLeft + kx * DW;
                    int32_t* gp = gx + ptrdiff_t(iy * W + ix) * C;
                    const int8_t* wp = w + ptrdiff_t(ky * KW + kx) * C;
                    for (int c = 0; c < C; ++c) gp[c] += v[c] * int32_t(wp[c]);
                }
            }
        }
    }
}

// w [Out][In], h [Out]: gx[i] = Σ_o h[o]·w[o][i].
template <int In, int Out>
inline void fully_connected_backward(const int32_t* h, const int8_t* w, int32_t* gx) noexcept {
    static_assert(Out <= max_terms, "int32 sums");
    for (int i = 0; i < In; ++i) gx[i] = 0;
    for (int o = 0; o < Out; o += 2) {  // two outputs' rows at a time (dual_rows.hpp)
        const int32_t va = packed_get(h, size_t(o));
        const int32_t vb = o + 1 < Out ? packed_get(h, size_t(o) + 1) : 0;
        if (va == 0 && vb == 0) continue;
        const int8_t* wo = w + ptrdiff_t(o) * In;
        dual_rows<In>(gx, wo, o + 1 < Out ? wo + In : wo, int32_t((uint32_t(va) & 0xFFFFu) | (uint32_t(vb) << 16)));
    }
}

}  // namespace ugrad::tflite::backward
