// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/backward/pool_add_backward.hpp — the backward of AVERAGE_POOL_2D, MAX_POOL_2D and ADD
// in the block-exponent integers of block_gradient.hpp: g packed (masked already where the clamp
// bit), the input gradients int32.
//
// AVERAGE_POOL_2D: y = round(Σ_window x / n), dy/dx = 1/n for each of the n cells of the window
// inside the image (pool_window.hpp). With n_min the fewest cells of any window and
// K = 15 + floor(log2 n_min), r_n = round(2^K/n) <= 2^15 (a Q15 factor): each cell of the window
// receives round(g·r_n/2^15) (<= 2^14), and the exponent gains 15 − K (average_pool_exponent). A cell
// receives at most ceil(KH/SH)·ceil(KW/SW) such terms: the sum stays below 2^31 (static_assert).
// MAX_POOL_2D: dy/dx = 1 at the window's first largest cell (the forward's argmax, recorded on the
// tape as its offset ky·KW + kx in the window), 0 elsewhere; the exponent is unchanged.
// ADD: y ≈ z_y + (s_a(a − z_a) + s_b(b − z_b))/s_y, so dy/da = s_a/s_y, dy/db = s_b/s_y: the
// exporter writes both as Q15 factors m_a, m_b < 2^15 with one exponent E (the larger below 1·2^E),
// ga = round(g·m_a/2^15), gb = round(g·m_b/2^15), both with exponent e + E.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/tflite/backward/block_gradient.hpp>
#include <ugrad/tflite/backward/weighted_backward.hpp>
#include <ugrad/tflite/pool_window.hpp>

namespace ugrad::tflite::backward {

template <int H, int W, int OH, int OW, int KH, int KW, int SH, int SW, int PadTop, int PadLeft>
constexpr int32_t fewest_cells() noexcept {
    int32_t least = KH * KW;
    for (int oy = 0; oy < OH; ++oy)
        for (int ox = 0; ox < OW; ++ox) {
            const PoolRange ry = pool_range(oy, SH, PadTop, KH, H), rx = pool_range(ox, SW, PadLeft, KW, W);
            const int32_t n = (ry.end - ry.begin) * (rx.end - rx.begin);
            if (n > 0 && n < least) least = n;
        }
    return least;
}

constexpr int32_t floor_log2(int32_t n) noexcept {
    int32_t k = 0;
    while (n > 1) {
        n >>= 1;
        ++k;
    }
    return k;
}

// The exponent's change through average_pool2d_backward: 15 − K.
template <int H, int W, int OH, int OW, int KH, int KW, int SH, int SW, int PadTop, int PadLeft>
constexpr int32_t average_pool_exponent() noexcept {
    return -floor_log2(fewest_cells<H, W, OH, OW, KH, KW, SH, SW, PadTop, PadLeft>());
}

// g [OH][OW][C] → gx [H][W][C].
template <int H, int W, int C, int OH, int OW, int KH, int KW, int SH, int SW, int PadTop, int PadLeft>
inline void average_pool2d_backward(const int32_t* g, int32_t* gx) noexcept {
    static_assert(taps_per_input(KH, SH, 1) * taps_per_input(KW, SW, 1) <= (1 << 16), "int32 sums");
    constexpr int32_t K = 15 + floor_log2(fewest_cells<H, W, OH, OW, KH, KW, SH, SW, PadTop, PadLeft>());
    for (int i = 0; i < H * W * C; ++i) gx[i] = 0;
    for (int oy = 0; oy < OH; ++oy) {
        const PoolRange ry = pool_range(oy, SH, PadTop, KH, H);
        for (int ox = 0; ox < OW; ++ox) {
            const PoolRange rx = pool_range(ox, SW, PadLeft, KW, W);
            const int32_t n = (ry.end - ry.begin) * (rx.end - rx.begin);
            if (n <= 0) continue;
            const int32_t r = ((int32_t(1) << K) + n / 2) / n;  // round(2^K/n) <= 2^15
            for (int c = 0; c < C; ++c) {
                const int32_t v = q15_multiply(packed_get(g, (size_t(oy) * size_t(OW) + size_t(ox)) * size_t(C) + size_t(c)), r);
                if (v == 0) continue;
                for (int iy = ry.begin; iy < ry.end; ++iy)
                    for (int ix = rx.begin; ix < rx.end; ++ix) gx[(iy * W + ix) * C + c] += v;
            }
        }
    }
}

// The forward's record for MAX_POOL_2D: arg [OH][OW][C], the offset ky·KW + kx of the first largest
// cell of each window (scanned as the forward scans it), from its input x [H][W][C].
template <int H, int W, int C, int OH, int OW, int KH, int KW, int SH, int SW, int PadTop, int PadLeft>
inline void record_argmax(const int8_t* x, uint8_t* arg) noexcept {
    static_assert(KH * KW <= 256, "an offset in a byte");
    for (int oy = 0; oy < OH; ++oy) {
        const PoolRange ry = pool_range(oy, SH, PadTop, KH, H);
        for (int ox = 0; ox < OW; ++ox) {
            const PoolRange rx = pool_range(ox, SW, PadLeft, KW, W);
            for (int c = 0; c < C; ++c) {
                int32_t m = -129, at = 0;
                for (int iy = ry.begin; iy < ry.end; ++iy)
                    for (int ix = rx.begin; ix < rx.end; ++ix) {
                        const int32_t v = int32_t(x[(iy * W + ix) * C + c]);
                        if (v > m) {
                            m = v;
                            at = (iy - (oy * SH - PadTop)) * KW + (ix - (ox * SW - PadLeft));
                        }
                    }
                arg[(oy * OW + ox) * C + c] = uint8_t(at);
            }
        }
    }
}

// g [OH][OW][C] → gx [H][W][C]: each g to its window's argmax.
template <int H, int W, int C, int OH, int OW, int KH, int KW, int SH, int SW, int PadTop, int PadLeft>
inline void max_pool2d_backward(const int32_t* g, const uint8_t* arg, int32_t* gx) noexcept {
    static_assert(taps_per_input(KH, SH, 1) * taps_per_input(KW, SW, 1) <= (1 << 16), "int32 sums");
    for (int i = 0; i < H * W * C; ++i) gx[i] = 0;
    for (int oy = 0; oy < OH; ++oy)
        for (int ox = 0; ox < OW; ++ox)
            for (int c = 0; c < C; ++c) {
                const int o = (oy * OW + ox) * C + c;
                const int iy = oy * SH - PadTop + arg[o] / KW, ix = ox * SW - PadLeft + arg[o] % KW;
                gx[(iy * W + ix) * C + c] += packed_get(g, size_t(o));
            }
}

// g [N] packed → ga, gb [N] int32 (three distinct buffers).
template <int N>
inline void add_backward(const int32_t* g, int32_t m_a, int32_t m_b, int32_t* ga, int32_t* gb) noexcept {
    for (int i = 0; i < N; ++i) {
        const int32_t v = packed_get(g, size_t(i));
        ga[i] = q15_multiply(v, m_a);
        gb[i] = q15_multiply(v, m_b);
    }
}

}  // namespace ugrad::tflite::backward
