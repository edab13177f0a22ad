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
#include <ugrad/tflite/depthwise_requant.hpp>
#include <ugrad/tflite/kernel_taps.hpp>

#if defined(__ARM_FEATURE_DSP)
#include <ugrad/tflite/armv7em.hpp>
#endif

namespace ugrad::tflite::backward {

constexpr int taps_per_input(int K, int S, int D) noexcept { return D == 1 ? (K + S - 1) / S : K; }

// x [H][W][C], w [F][KH][KW][C], h [OH][OW][F]:
//   gx[iy][ix][c] = Σ_{oy, ox, f, ky, kx: iy = oy·SH − PadTop + ky·DH, ix = ox·SW − PadLeft + kx·DW} h[oy][ox][f]·w[f][ky][kx][c]
// as a scatter: each nonzero h adds h·w[f][ky][kx][0..C) to the C gradients of the input cell it read.
template <int H, int W, int C, int OH, int OW, int F, int KH, int KW, int SH, int SW, int DH, int DW,
          int PadTop, int PadLeft>
inline void conv2d_backward(const int32_t* h, const int8_t* w, int32_t* gx) noexcept {  // NOLINT(readability-function-cognitive-complexity): the loops over the output, the taps in range and the filters
    static_assert(taps_per_input(KH, SH, DH) * taps_per_input(KW, SW, DW) * F <= max_terms, "int32 sums");
    for (int i = 0; i < H * W * C; ++i) gx[i] = 0;
    for (int oy = 0; oy < OH; ++oy) {
        const TapRange ry = kernel_taps(oy, SH, PadTop, DH, KH, H);
        for (int ox = 0; ox < OW; ++ox) {
            const TapRange rx = kernel_taps(ox, SW, PadLeft, DW, KW, W);
            const size_t hp = size_t(oy * OW + ox) * F;
            constexpr ptrdiff_t filter = ptrdiff_t(KH) * KW * C;  // one filter's weights
            // four filters at a time (quad_rows, dual_rows.hpp), then a pair, then the last
            int f = 0;
            for (; f + 4 <= F; f += 4) {
                const int32_t va = packed_get(h, hp + size_t(f)), vb = packed_get(h, hp + size_t(f) + 1);
                const int32_t vc = packed_get(h, hp + size_t(f) + 2), vd = packed_get(h, hp + size_t(f) + 3);
                const bool ab = (va | vb) != 0, cd = (vc | vd) != 0;  // a pair all masked is skipped
                if (!ab && !cd) continue;
                const int32_t hab = int32_t((uint32_t(va) & 0xFFFFu) | (uint32_t(vb) << 16));
                const int32_t hcd = int32_t((uint32_t(vc) & 0xFFFFu) | (uint32_t(vd) << 16));
                const int8_t* wa = w + ptrdiff_t(f) * filter;
                for (int ky = ry.begin; ky < ry.end; ++ky) {
                    const int iy = oy * SH - PadTop + ky * DH;
                    for (int kx = rx.begin; kx < rx.end; ++kx) {
                        const int ix = ox * SW - PadLeft + kx * DW;
                        const int8_t* t = wa + ptrdiff_t(ky * KW + kx) * C;
                        int32_t* gp = gx + ptrdiff_t(iy * W + ix) * C;
                        if (ab && cd)
                            quad_rows<C>(gp, t, t + filter, t + 2 * filter, t + 3 * filter, hab, hcd);
                        else if (ab)
                            dual_rows<C>(gp, t, t + filter, hab);
                        else
                            dual_rows<C>(gp, t + 2 * filter, t + 3 * filter, hcd);
                    }
                }
            }
            for (; f < F; f += 2) {
                const int32_t va = packed_get(h, hp + size_t(f));
                const int32_t vb = f + 1 < F ? packed_get(h, hp + size_t(f) + 1) : 0;
                if (va == 0 && vb == 0) continue;
                const int32_t hw = int32_t((uint32_t(va) & 0xFFFFu) | (uint32_t(vb) << 16));
                const int8_t* wf = w + ptrdiff_t(f) * filter;
                const int8_t* wg = f + 1 < F ? wf + filter : wf;  // vb = 0 then
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
// (oy, ox, ky, kx) that read (iy, ix). w: the forward's int16 pairs (depthwise_requant.hpp), read by
// depthwise_weight.
template <int H, int W, int C, int OH, int OW, int KH, int KW, int SH, int SW, int DH, int DW, int PadTop,
          int PadLeft>
inline void depthwise_conv2d_backward(const int32_t* h, const int32_t* w, int32_t* gx) noexcept {
    static_assert(taps_per_input(KH, SH, DH) * taps_per_input(KW, SW, DW) <= max_terms, "int32 sums");
    constexpr ptrdiff_t tap_words = ptrdiff_t(2) * ((C + 3) / 4);  // one tap's words
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
                    const int32_t* wt = w + ptrdiff_t(ky * KW + kx) * tap_words;  // this tap's pairs
                    int c = 0;
                    for (; c + 4 <= C; c += 4, wt += 2) {  // a block's two words: (w[c], w[c+2]), (w[c+1], w[c+3])
#if defined(__ARM_FEATURE_DSP)
                        // |v| <= 2^14: v's low half is v as int16, so SMLABB / SMLABT take v[c]·(low or high half)
                        gp[c] = armv7em::smlabb(uint32_t(v[c]), uint32_t(wt[0]), gp[c]);
                        gp[c + 1] = armv7em::smlabb(uint32_t(v[c + 1]), uint32_t(wt[1]), gp[c + 1]);
                        gp[c + 2] = armv7em::smlabt(uint32_t(v[c + 2]), uint32_t(wt[0]), gp[c + 2]);
                        gp[c + 3] = armv7em::smlabt(uint32_t(v[c + 3]), uint32_t(wt[1]), gp[c + 3]);
#else
                        gp[c] += v[c] * (int32_t(uint32_t(wt[0]) << 16) >> 16);
                        gp[c + 1] += v[c + 1] * (int32_t(uint32_t(wt[1]) << 16) >> 16);
                        gp[c + 2] += v[c + 2] * (wt[0] >> 16);
                        gp[c + 3] += v[c + 3] * (wt[1] >> 16);
#endif
                    }
                    // cppcheck-suppress uninitvar ; v[0..C) is written above for every c < C (cppcheck assumes that loop empty)
                    for (; c < C; ++c) gp[c] += v[c] * depthwise_weight<C>(w, ky * KW + kx, c);
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
    int o = 0;
    for (; o + 4 <= Out; o += 4) {  // four outputs' rows at a time (quad_rows, dual_rows.hpp)
        const int32_t va = packed_get(h, size_t(o)), vb = packed_get(h, size_t(o) + 1);
        const int32_t vc = packed_get(h, size_t(o) + 2), vd = packed_get(h, size_t(o) + 3);
        const bool ab = (va | vb) != 0, cd = (vc | vd) != 0;  // a pair all masked is skipped
        const int32_t hab = int32_t((uint32_t(va) & 0xFFFFu) | (uint32_t(vb) << 16));
        const int32_t hcd = int32_t((uint32_t(vc) & 0xFFFFu) | (uint32_t(vd) << 16));
        const int8_t* wo = w + ptrdiff_t(o) * In;
        const int8_t* wc = wo + ptrdiff_t(2) * In;  // rows o + 2 and o + 3
        if (ab && cd)
            quad_rows<In>(gx, wo, wo + In, wc, wc + In, hab, hcd);
        else if (ab)
            dual_rows<In>(gx, wo, wo + In, hab);
        else if (cd)
            dual_rows<In>(gx, wc, wc + In, hcd);
    }
    for (; o < Out; o += 2) {  // then two, then the last
        const int32_t va = packed_get(h, size_t(o));
        const int32_t vb = o + 1 < Out ? packed_get(h, size_t(o) + 1) : 0;
        if (va == 0 && vb == 0) continue;
        const int8_t* wo = w + ptrdiff_t(o) * In;
        dual_rows<In>(gx, wo, o + 1 < Out ? wo + In : wo, int32_t((uint32_t(va) & 0xFFFFu) | (uint32_t(vb) << 16)));
    }
}

}  // namespace ugrad::tflite::backward
