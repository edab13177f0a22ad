// SPDX-License-Identifier: Apache-2.0
// ugrad/layers/conv2d.hpp — a 2-D convolution (TFLite's CONV_2D, PyTorch's Conv2d), its input
// gradient (a transposed convolution) and its weight gradient (a correlation of the input with
// the output's gradient). Conv1D is the same layer one row high.
//
// Shapes (include/ugrad/layers/image.hpp for Hwc, the window walk and the paddings):
//   x [H][W][C]   w [KH][KW][C][F]   b [F]   r, y [OH][OW][F]     (F filters, HWC, batch 1)
// Forward, for each output pixel (oy, ox) and filter f, over the taps inside the input:
//   r[oy][ox][f] = b[f] + Σ_{ky} Σ_{kx} Σ_{c} x[iy][ix][c]·w[ky][kx][c][f],
//   iy = oy·S_h + ky − pad_top, ix = ox·S_w + kx − pad_left;       y = act(r)
// the sum formed from b term by term in the order ky, kx, c (a dense layer's order: a 1×1 kernel
// is a dense layer at each pixel, and runs on the dense kernels), one fixed order on every target.
// Backward, from dr = dJ/dr [OH][OW][F] (dJ/dy already multiplied by the activation's slope):
//   dx[iy][ix][c] = Σ_{ky} Σ_{kx} Σ_{f} dr[oy][ox][f]·w[ky][kx][c][f]     over the taps (ky, kx)
//                   whose window (oy, ox) reads (iy, ix): the transposed convolution, in a dense
//                   layer's dot-product order stretched over the taps: eight lanes from +0, lane k
//                   taking the terms f ≡ k (mod 8) tap by tap (ky, then kx ascending; within a tap
//                   its blocks of eight, then its tail), then the lanes' one fixed tree — with one
//                   tap (a 1×1 kernel) exactly the dense dot product (+0 where no window reads the pixel)
//   dW[ky][kx][c][f] += x[iy][ix][c]·dr[oy][ox][f]    for each output pixel in turn (oy, then ox),
//                                                     a term with x = 0 skipped
//   db[f]            += dr[oy][ox][f]                 likewise
// and the batch-1 step without a gradient buffer, weight by weight, each sum in that same order of
// output pixels, so that it rounds as the two lines above into zeros followed by W − η·dW:
//   W[ky][kx][c][f] ← W − η·(Σ_{oy} Σ_{ox} x[iy][ix][c]·dr[oy][ox][f]),  b[f] ← b − η·(Σ dr[oy][ox][f])
#pragma once

#include <stddef.h>

#include <ugrad/activations.hpp>
#include <ugrad/fp_contract.hpp>
#include <ugrad/kernels.hpp>
#include <ugrad/updates.hpp>
#include <ugrad/layers.hpp>
#include <ugrad/layers/image.hpp>
#include <ugrad/layers/layer_calls.hpp>

UGRAD_FP_CONTRACT_OFF_BEGIN

namespace ugrad {

// y = act(x ⊛ W + b): F filters of KernelT over an In image. A plain aggregate, `const` in flash:
// `const Conv2D<Hwc<8, 8, 1>, 4, Kernel<3, 3>> layer = {{...w...}, {...b...}};`
template <class In, size_t F, class KernelT, class StrideT = Stride<1, 1>, class Padding = Valid, class Act = Identity,
          typename T = float>
struct Conv2D {
    static_assert(F >= 1, "a convolution needs at least one filter");
    using input_shape = In;
    using kernel = KernelT;
    using stride = StrideT;
    using padding = Padding;
    using windows = detail::Windows<In, KernelT, StrideT, Padding>;
    using output_shape = Hwc<windows::out_height, windows::out_width, F>;
    using activation = Act;
    using value_type = T;
    static constexpr size_t inputs = In::size;
    static constexpr size_t outputs = output_shape::size;
    static constexpr size_t parameters = KernelT::height * KernelT::width * In::channels * F + F;  // W and b
    T w[KernelT::height][KernelT::width][In::channels][F];
    T b[F];
};

// A 1-D convolution over a signal of Length steps with C channels (a sensor window): a Conv2D one
// row high. x [Length][C], w [1][K][C][F].
template <size_t Length, size_t C, size_t F, size_t K, size_t S = 1, class Padding = Valid, class Act = Identity,
          typename T = float>
using Conv1D = Conv2D<Hwc<1, Length, C>, F, Kernel<1, K>, Stride<1, S>, Padding, Act, T>;

namespace detail {

// Filters j0 .. j0+B−1 of output pixel (oy, ox), B at a time in registers: acc = b, then each tap
// inside the input (ky, kx ascending) and each channel c ascending: acc += x·w.
template <size_t B, class L, typename T, size_t N>
inline void conv2d_filters(const L& layer, const T (&x)[N], size_t oy, size_t ox, T* r, size_t j0) noexcept {
    constexpr size_t C = L::input_shape::channels;
    T acc[B];
    for (size_t k = 0; k < B; ++k) acc[k] = layer.b[j0 + k];
    L::windows::for_each_tap(oy, ox, [&](size_t ky, size_t kx, size_t pixel) {
        const T* xp = &x[pixel * C];
        for (size_t c = 0; c < C; ++c) {
            const T v = xp[c];
            const T* w = &layer.w[ky][kx][c][j0];
#pragma GCC unroll 16
            for (size_t k = 0; k < B; ++k) acc[k] = acc[k] + v * w[k];
        }
    });
    for (size_t k = 0; k < B; ++k) r[j0 + k] = acc[k];
}

// Output pixel (oy, ox) of a window that lies inside the input: each kernel row's taps are one run
// of KW·C inputs against W[ky] seen as [KW·C][F], a dense layer from the previous rows' sums (b for
// the first) — the same additions in the same order as conv2d_filters — on the dense kernels.
template <class L, typename T, size_t N, size_t F>
inline void conv2d_rows(const L& layer, const T (&x)[N], size_t oy, size_t ox, T (&out)[F]) noexcept {
    using In = typename L::input_shape;
    using K = typename L::kernel;
    using Win = typename L::windows;
    constexpr size_t C = In::channels;
    T sums[2][F];  // NOLINT(cppcoreguidelines-pro-type-member-init,hicpp-member-init): affine writes each before it is read
    const T* from = layer.b;
    for (size_t ky = 0; ky < K::height; ++ky) {
        const size_t start = (Win::in_row(oy, ky) * In::width + Win::in_col(ox, 0)) * C;
        T(&to)[F] = ky + 1 == K::height ? out : sums[ky % 2];
        affine(as_array<K::width * C>(&x[start]), as_matrix<K::width * C, F>(&layer.w[ky][0][0][0]), as_array<F>(from), to);
        from = &to[0];
    }
}

// Output pixel (oy, ox) of a kernel larger than 1×1, all F filters, on the core's own kernel (float,
// blocks of 16 filters, then one of 8, then the last F mod 8 in the portable loop; ugrad/armv7em_vfp/
// conv2d.hpp): the same sums in the same order as conv2d_filters. False where there is none.
template <class L, typename T, size_t N>
inline bool conv2d_pixel_target(const L& layer, const T (&x)[N], size_t oy, size_t ox, T* out) noexcept {
#if UGRAD_HAS_TARGET_CONV
    if constexpr (same_type<T, float>::value) {
        using Win = typename L::windows;
        using In = typename L::input_shape;
        constexpr size_t C = In::channels, KW = L::kernel::width, F = L::output_shape::channels;
        const size_t ky0 = Win::ky0(oy), ky1 = Win::ky1(oy), kx0 = Win::kx0(ox), kx1 = Win::kx1(ox);
        if (ky1 <= ky0 || kx1 <= kx0) return false;
        const float* xp = &x[(Win::in_row(oy, ky0) * In::width + Win::in_col(ox, kx0)) * C];
        size_t j0 = 0;
        for (; j0 + 16 <= F; j0 += 16)
            target::conv_window<C, In::width, KW, F, 16>(xp, &layer.w[ky0][kx0][0][j0], &layer.b[j0], &out[j0],
                                                        ky1 - ky0, kx1 - kx0);
        if constexpr (F % 16 >= 8) {
            target::conv_window<C, In::width, KW, F, 8>(xp, &layer.w[ky0][kx0][0][j0], &layer.b[j0], &out[j0],
                                                       ky1 - ky0, kx1 - kx0);
            j0 += 8;
        }
        if constexpr (F % 8 != 0) conv2d_filters<F % 8>(layer, x, oy, ox, out, j0);
        return true;
    }
#endif
    (void)layer, (void)x, (void)oy, (void)ox, (void)out;
    return false;
}


// Channel c of input pixel (iy, ix) of the transposed convolution, a kernel larger than 1×1, in
// the fixed order: eight lanes from +0 that run through every tap whose window reads the pixel (ky,
// then kx ascending; rows and cols: Windows::row_readers, col_readers), each tap's terms f ≡ k
// (mod 8) into lane k — its blocks of eight in order, then its last F mod 8 terms into lanes
// 0 .. F mod 8 − 1 — then the dense kernels' tree (scalar::fold_lanes). A pixel no tap reads: +0.
template <class L, typename T, size_t M, class Run>
inline T conv2d_t_channel(const L& layer, const T (&dr)[M], const Run& rows, const Run& cols, size_t c) noexcept {
    using S = typename L::stride;
    constexpr size_t F = L::output_shape::channels, OW = L::windows::out_width;
    constexpr size_t full = F - F % dot_lanes;
    T lane[dot_lanes] = {};
    for (size_t r = 0; r < rows.count; ++r)
        for (size_t t = 0; t < cols.count; ++t) {
            // Kernel row k0 + r·S_h of output row o0 − r; tap kx0 + t·S_w of output column ox0 − t.
            const T* g = &dr[((rows.o0 - r) * OW + cols.o0 - t) * F];
            const T* w = &layer.w[rows.k0 + r * S::height][cols.k0 + t * S::width][c][0];
            UGRAD_BLOCKS_LOOP
            for (size_t j = 0; j < full; j += dot_lanes)
#pragma GCC unroll 8
                for (size_t k = 0; k < dot_lanes; ++k) lane[k] = lane[k] + g[j + k] * w[j + k];
#pragma GCC unroll 8
            for (size_t k = 0; k < F % dot_lanes; ++k) lane[k] = lane[k] + g[full + k] * w[full + k];
        }
    return scalar::fold_lanes(lane);
}

// Input pixel (iy, ix) of the transposed convolution, a kernel larger than 1×1 with F a multiple of
// 8 (up to 64), every channel, on the core's own kernel (float; ugrad/armv7em_vfp/conv2d.hpp, two
// channels at a time): the same sums in the same order as conv2d_t_channel. False where there is
// no such kernel, or no tap reads the pixel.
template <class L, typename T, size_t M, class Run>
__attribute__((always_inline)) inline bool conv2d_t_pixel_target(const L& layer, const T (&dr)[M], const Run& rows,
                                                                 const Run& cols, T* d) noexcept {
#if UGRAD_HAS_TARGET_CONV
    using K = typename L::kernel;
    constexpr size_t F = L::output_shape::channels;
    if constexpr (same_type<T, float>::value && F % 8 == 0 && F <= target::conv_t_max_filters &&
                  K::height * K::width > 1) {
        using Win = typename L::windows;
        using S = typename L::stride;
        constexpr size_t C = L::input_shape::channels, OW = Win::out_width;
        if (rows.count == 0 || cols.count == 0) return false;
        target::conv_t_pixel<C, F, OW, K::width, S::height, S::width>(
            &dr[(rows.o0 * OW + cols.o0) * F], &layer.w[rows.k0][cols.k0][0][0], d, rows.count, cols.count);
        return true;
    }
#endif
    (void)layer, (void)dr, (void)rows, (void)cols, (void)d;
    return false;
}

}  // namespace detail

// r = x ⊛ W + b (the activation follows: include/ugrad/layers/layer_calls.hpp).   x [In::size], r [outputs].
// Each output pixel's F values are a dense layer's over the taps inside its window: from b, then
// x·w tap by tap (ky, kx ascending), channel by channel — with a 1×1 kernel, exactly y = x·W + b
// of the pixel, which the dense kernels compute (the core's own where it has them: the same bits).
template <class In, size_t F, class K, class S, class P, class Act, typename T>
void layer_map(const Conv2D<In, F, K, S, P, Act, T>& layer, const T (&x)[In::size],
               T (&r)[Conv2D<In, F, K, S, P, Act, T>::outputs]) noexcept {
    using Win = typename Conv2D<In, F, K, S, P, Act, T>::windows;
    constexpr size_t C = In::channels, block = scalar::affine_block, full = F - F % block;
    for (size_t oy = 0; oy < Win::out_height; ++oy)
        for (size_t ox = 0; ox < Win::out_width; ++ox) {
            T* out = &r[(oy * Win::out_width + ox) * F];
            if constexpr (K::height == 1 && K::width == 1) {
                const size_t pixel = Win::in_row(oy, 0) * In::width + Win::in_col(ox, 0);
                affine(detail::as_array<C>(&x[pixel * C]), layer.w[0][0], layer.b, detail::as_array<F>(out));
            } else if (detail::conv2d_pixel_target(layer, x, oy, ox, out)) {
                // the core's own kernel: the same sums as below
            } else if (Win::ky0(oy) == 0 && Win::ky1(oy) == K::height && Win::kx0(ox) == 0 && Win::kx1(ox) == K::width) {
                detail::conv2d_rows(layer, x, oy, ox, detail::as_array<F>(out));
            } else {
                for (size_t j0 = 0; j0 < full; j0 += block) detail::conv2d_filters<block>(layer, x, oy, ox, out, j0);
                if constexpr (F % block != 0) detail::conv2d_filters<F % block>(layer, x, oy, ox, out, full);
            }
        }
}

// dx = dr ⊛ᵀ W: the transposed convolution.   dr [outputs], dx [In::size].
// A 1×1 kernel: each input pixel is read by at most one window, and its C values are that window's
// dr·W[0][0]ᵀ — a dense layer's backward, on the dense kernels (0 where no window reads it). A
// larger kernel: each input pixel's channel c by conv2d_t_channel, the lanes running through all its
// taps before the one tree; on a core with its own kernel (F a multiple of 8), the same sums.
template <class In, size_t F, class K, class S, class P, class Act, typename T>
void layer_backward_input(const Conv2D<In, F, K, S, P, Act, T>& layer,
                          const T (&dr)[Conv2D<In, F, K, S, P, Act, T>::outputs], T (&dx)[In::size]) noexcept {
    using Win = typename Conv2D<In, F, K, S, P, Act, T>::windows;
    constexpr size_t C = In::channels;
    for (size_t iy = 0; iy < In::height; ++iy) {
        const auto rows = Win::row_readers(iy);
        for (size_t ix = 0; ix < In::width; ++ix) {
            T(&d)[C] = detail::as_array<C>(&dx[(iy * In::width + ix) * C]);
            const auto cols = Win::col_readers(ix);
            if constexpr (K::height == 1 && K::width == 1) {
                if (rows.count != 0 && cols.count != 0)
                    affine_t(detail::as_array<F>(&dr[(rows.o0 * Win::out_width + cols.o0) * F]), layer.w[0][0], d);
                else
                    for (size_t c = 0; c < C; ++c) d[c] = T(0);
            } else if (!detail::conv2d_t_pixel_target(layer, dr, rows, cols, &d[0])) {
                for (size_t c = 0; c < C; ++c) d[c] = detail::conv2d_t_channel(layer, dr, rows, cols, c);
            }
        }
    }
}

// grads.w += x ⋆ dr, grads.b += Σ dr: this sample's dJ/dW and dJ/db added in, output pixel by
// output pixel: W_tap += x_pixelᵀ·dr_window for each tap inside (a dense layer's outer product,
// on its kernels: a pixel channel that is 0 adds nothing and is skipped), then b += dr_window.
template <class In, size_t F, class K, class S, class P, class Act, typename T>
void layer_accumulate(const T (&x)[In::size], const T (&dr)[Conv2D<In, F, K, S, P, Act, T>::outputs],
                      Conv2D<In, F, K, S, P, Act, T>& grads) noexcept {
    using Win = typename Conv2D<In, F, K, S, P, Act, T>::windows;
    constexpr size_t C = In::channels;
    for (size_t oy = 0; oy < Win::out_height; ++oy)
        for (size_t ox = 0; ox < Win::out_width; ++ox) {
            const T(&g)[F] = detail::as_array<F>(&dr[(oy * Win::out_width + ox) * F]);
            Win::for_each_tap(oy, ox, [&](size_t ky, size_t kx, size_t pixel) {
                detail::add_outer(detail::as_array<C>(&x[pixel * C]), g, grads.w[ky][kx]);
            });
            detail::add(g, grads.b);
        }
}

// W ← W − η·(x ⋆ dr), b ← b − η·Σ dr.
template <class In, size_t F, class K, class S, class P, class Act, typename T>
void layer_descend(Conv2D<In, F, K, S, P, Act, T>& layer, const T (&x)[In::size],
                   const T (&dr)[Conv2D<In, F, K, S, P, Act, T>::outputs], T learning_rate) noexcept {
    using Win = typename Conv2D<In, F, K, S, P, Act, T>::windows;
    constexpr size_t C = In::channels;
    for (size_t ky = 0; ky < K::height; ++ky)
        for (size_t kx = 0; kx < K::width; ++kx)
            for (size_t c = 0; c < C; ++c)
                for (size_t f = 0; f < F; ++f) {
                    T g = T(0);
                    Win::for_each_window_with_tap(ky, kx, [&](size_t pixel, size_t out_pixel) {
                        const T v = x[pixel * C + c];
                        if (v != T(0)) g = g + v * dr[out_pixel * F + f];  // as layer_accumulate: zeros skipped
                    });
                    layer.w[ky][kx][c][f] = layer.w[ky][kx][c][f] - learning_rate * g;
                }
    for (size_t f = 0; f < F; ++f) {
        T g = T(0);
        for (size_t o = 0; o < Win::out_height * Win::out_width; ++o) g = g + dr[o * F + f];
        layer.b[f] = layer.b[f] - learning_rate * g;
    }
}

}  // namespace ugrad

UGRAD_FP_CONTRACT_OFF_END
