// SPDX-License-Identifier: Apache-2.0
// ugrad/layers/depthwise_conv2d.hpp — a depthwise 2-D convolution (TFLite's DEPTHWISE_CONV_2D with
// depth multiplier 1, PyTorch's Conv2d with groups = channels): each channel convolved with its
// own kernel. Its input gradient is the same per-channel convolution transposed.
//
// Shapes: x [H][W][C]   w [KH][KW][C]   b [C]   r, y [OH][OW][C]   (HWC, batch 1)
//   r[oy][ox][c] = b[c] + Σ_{ky} Σ_{kx} x[iy][ix][c]·w[ky][kx][c]     over the taps inside the
//                  input, formed from b in the order ky, kx (as Conv2D)
//   dx[iy][ix][c] = Σ_{ky} Σ_{kx} dr[oy][ox][c]·w[ky][kx][c]    over the taps whose window reads
//                  (iy, ix), from +0 in the order ky, kx
//   dW[ky][kx][c] += x[iy][ix][c]·dr[oy][ox][c],  db[c] += dr[oy][ox][c]   output pixel by pixel
//   the batch-1 step W ← W − η·dW, b ← b − η·db weight by weight, each sum in that order of pixels
// (iy = oy·S_h + ky − pad_top, ix = ox·S_w + kx − pad_left: include/ugrad/layers/image.hpp.)
#pragma once

#include <stddef.h>

#include <ugrad/activations.hpp>
#include <ugrad/fp_contract.hpp>
#include <ugrad/kernels.hpp>
#include <ugrad/layers.hpp>
#include <ugrad/layers/image.hpp>
#include <ugrad/layers/layer_calls.hpp>

UGRAD_FP_CONTRACT_OFF_BEGIN

namespace ugrad {

// y = act(x ⊛_channel W + b). A plain aggregate: `const DepthwiseConv2D<...> layer = {{w}, {b}};`
template <class In, class KernelT, class StrideT = Stride<1, 1>, class Padding = Valid, class Act = Identity,
          typename T = float>
struct DepthwiseConv2D {
    using input_shape = In;
    using kernel = KernelT;
    using stride = StrideT;
    using padding = Padding;
    using windows = detail::Windows<In, KernelT, StrideT, Padding>;
    using output_shape = Hwc<windows::out_height, windows::out_width, In::channels>;
    using activation = Act;
    using value_type = T;
    static constexpr size_t inputs = In::size;
    static constexpr size_t outputs = output_shape::size;
    static constexpr size_t parameters = KernelT::height * KernelT::width * In::channels + In::channels;  // W and b
    T w[KernelT::height][KernelT::width][In::channels];
    T b[In::channels];
};

namespace detail {
// Channels c0 .. c0+B−1 of output pixel (oy, ox), B at a time in registers: acc = b, then each tap
// inside the input (ky, kx ascending): acc += x·w.
template <size_t B, class L, typename T, size_t N>
inline void depthwise_channels(const L& layer, const T (&x)[N], size_t oy, size_t ox, T* r, size_t c0) noexcept {
    constexpr size_t C = L::input_shape::channels;
    T acc[B];
    for (size_t k = 0; k < B; ++k) acc[k] = layer.b[c0 + k];
    L::windows::for_each_tap(oy, ox, [&](size_t ky, size_t kx, size_t pixel) {
        const T* xp = &x[pixel * C + c0];
        const T* w = &layer.w[ky][kx][c0];
#pragma GCC unroll 16
        for (size_t k = 0; k < B; ++k) acc[k] = acc[k] + xp[k] * w[k];
    });
    for (size_t k = 0; k < B; ++k) r[c0 + k] = acc[k];
}

// Output pixel (oy, ox), all C channels: on the core's own kernel where it has one (float, blocks of
// 16 channels, then one of 8, then the last C mod 8 in the portable loop; ugrad/armv7em_vfp/
// depthwise.hpp), the same sums in the same order; on every other core the portable loop above,
// 16 channels at a time.
template <class L, typename T, size_t N>
inline void depthwise_pixel(const L& layer, const T (&x)[N], size_t oy, size_t ox, T* out) noexcept {
    constexpr size_t C = L::input_shape::channels, block = 16;
    size_t c0 = 0;
#if UGRAD_HAS_TARGET_DEPTHWISE
    if constexpr (same_type<T, float>::value) {
        using Win = typename L::windows;
        using In = typename L::input_shape;
        constexpr size_t KW = L::kernel::width;
        const size_t ky0 = Win::ky0(oy), ky1 = Win::ky1(oy), kx0 = Win::kx0(ox), kx1 = Win::kx1(ox);
        if (ky1 > ky0 && kx1 > kx0) {
            const size_t pixel = Win::in_row(oy, ky0) * In::width + Win::in_col(ox, kx0);
            for (; c0 + 16 <= C; c0 += 16)
                target::depthwise_window<C, In::width, KW, 16>(&x[pixel * C + c0], &layer.w[ky0][kx0][c0], &layer.b[c0],
                                                               &out[c0], ky1 - ky0, kx1 - kx0);
            if constexpr (C % 16 >= 8) {
                target::depthwise_window<C, In::width, KW, 8>(&x[pixel * C + c0], &layer.w[ky0][kx0][c0], &layer.b[c0],
                                                              &out[c0], ky1 - ky0, kx1 - kx0);
                c0 += 8;
            }
            if constexpr (C % 8 != 0) depthwise_channels<C % 8>(layer, x, oy, ox, out, c0);
            return;
        }
    }
#endif
    for (; c0 + block <= C; c0 += block) depthwise_channels<block>(layer, x, oy, ox, out, c0);
    if constexpr (C % block != 0) depthwise_channels<C % block>(layer, x, oy, ox, out, c0);
}

// Channels c0 .. c0+B−1 of input pixel (iy, ix) of the transposed convolution, B at a time:
// d = +0, then each tap whose window reads the pixel (ky, kx ascending): d += dr·w.
template <size_t B, class L, typename T, size_t M>
inline void depthwise_t_channels(const L& layer, const T (&dr)[M], size_t iy, size_t ix, T* d, size_t c0) noexcept {
    constexpr size_t C = L::input_shape::channels;
    T acc[B];
    for (size_t k = 0; k < B; ++k) acc[k] = T(0);
    L::windows::for_each_reader(iy, ix, [&](size_t ky, size_t kx, size_t out_pixel) {
        const T* g = &dr[out_pixel * C + c0];
        const T* w = &layer.w[ky][kx][c0];
#pragma GCC unroll 16
        for (size_t k = 0; k < B; ++k) acc[k] = acc[k] + g[k] * w[k];
    });
    for (size_t k = 0; k < B; ++k) d[c0 + k] = acc[k];
}

// Input pixel (iy, ix) of the transposed convolution, all C channels, on the core's own kernel
// (float, blocks of 16 channels, then one of 8, then the last C mod 8 in depthwise_t_channels;
// ugrad/armv7em_vfp/depthwise.hpp): the same sums in the same order as layer_backward_input's
// portable loop. rows and cols: the pixel's readers (Windows::row_readers, col_readers). False where
// there is no such kernel.
template <class L, typename T, size_t M, class Run>
__attribute__((always_inline)) inline bool depthwise_t_pixel_target(const L& layer, const T (&dr)[M], size_t iy, size_t ix, const Run& rows,
                                     const Run& cols, T* d) noexcept {
#if UGRAD_HAS_TARGET_DEPTHWISE
    if constexpr (same_type<T, float>::value) {
        using Win = typename L::windows;
        using K = typename L::kernel;
        using S = typename L::stride;
        constexpr size_t C = L::input_shape::channels;
        if (rows.count == 0 || cols.count == 0) return false;
        const float* g = &dr[(rows.o0 * Win::out_width + cols.o0) * C];
        const float* w = &layer.w[rows.k0][cols.k0][0];
        size_t c0 = 0;
        for (; c0 + 16 <= C; c0 += 16)
            target::depthwise_t_window<C, Win::out_width, K::width, S::height, S::width, 16>(&g[c0], &w[c0], &d[c0],
                                                                                          rows.count, cols.count);
        if constexpr (C % 16 >= 8) {
            target::depthwise_t_window<C, Win::out_width, K::width, S::height, S::width, 8>(&g[c0], &w[c0], &d[c0],
                                                                                         rows.count, cols.count);
            c0 += 8;
        }
        if constexpr (C % 8 != 0) depthwise_t_channels<C % 8>(layer, dr, iy, ix, d, c0);
        return true;
    }
#endif
    (void)layer, (void)dr, (void)iy, (void)ix, (void)rows, (void)cols, (void)d;
    return false;
}
}  // namespace detail

// r = x ⊛_channel W + b (the activation follows).   x [In::size], r [outputs].
template <class In, class K, class S, class P, class Act, typename T>
void layer_map(const DepthwiseConv2D<In, K, S, P, Act, T>& layer, const T (&x)[In::size],
               T (&r)[DepthwiseConv2D<In, K, S, P, Act, T>::outputs]) noexcept {
    using Win = typename DepthwiseConv2D<In, K, S, P, Act, T>::windows;
    constexpr size_t C = In::channels;
    for (size_t oy = 0; oy < Win::out_height; ++oy)
        for (size_t ox = 0; ox < Win::out_width; ++ox) {
            detail::depthwise_pixel(layer, x, oy, ox, &r[(oy * Win::out_width + ox) * C]);
        }
}

// dx = dr ⊛ᵀ_channel W.   dr [outputs], dx [In::size].
// Each input pixel from +0, adding dr·w for each tap whose window reads it (ky, kx ascending),
// channel by channel; on the core's own kernel where it has one (the same sums, in the same order).
template <class In, class K, class S, class P, class Act, typename T>
void layer_backward_input(const DepthwiseConv2D<In, K, S, P, Act, T>& layer,
                          const T (&dr)[DepthwiseConv2D<In, K, S, P, Act, T>::outputs], T (&dx)[In::size]) noexcept {
    using Win = typename DepthwiseConv2D<In, K, S, P, Act, T>::windows;
    constexpr size_t C = In::channels;
    for (size_t iy = 0; iy < In::height; ++iy) {
        const auto rows = Win::row_readers(iy);
        for (size_t ix = 0; ix < In::width; ++ix) {
            T* d = &dx[(iy * In::width + ix) * C];
            if (detail::depthwise_t_pixel_target(layer, dr, iy, ix, rows, Win::col_readers(ix), d)) continue;
            for (size_t c = 0; c < C; ++c) d[c] = T(0);
            Win::for_each_reader(iy, ix, [&](size_t ky, size_t kx, size_t out_pixel) {
                const T* g = &dr[out_pixel * C];
                const T* w = layer.w[ky][kx];
                for (size_t c = 0; c < C; ++c) d[c] = d[c] + g[c] * w[c];
            });
        }
    }
}

// grads.w += x ⋆_channel dr, grads.b += Σ dr.
template <class In, class K, class S, class P, class Act, typename T>
void layer_accumulate(const T (&x)[In::size], const T (&dr)[DepthwiseConv2D<In, K, S, P, Act, T>::outputs],
                      DepthwiseConv2D<In, K, S, P, Act, T>& grads) noexcept {
    using Win = typename DepthwiseConv2D<In, K, S, P, Act, T>::windows;
    constexpr size_t C = In::channels;
    const T* g = dr;
    for (size_t oy = 0; oy < Win::out_height; ++oy)
        for (size_t ox = 0; ox < Win::out_width; ++ox) {
            Win::for_each_tap(oy, ox, [&](size_t ky, size_t kx, size_t pixel) {
                T* w = grads.w[ky][kx];
                for (size_t c = 0; c < C; ++c) w[c] = w[c] + x[pixel * C + c] * g[c];
            });
            for (size_t c = 0; c < C; ++c) grads.b[c] = grads.b[c] + g[c];
            g += C;
        }
}

// W ← W − η·(x ⋆_channel dr), b ← b − η·Σ dr.
template <class In, class K, class S, class P, class Act, typename T>
void layer_descend(DepthwiseConv2D<In, K, S, P, Act, T>& layer, const T (&x)[In::size],
                   const T (&dr)[DepthwiseConv2D<In, K, S, P, Act, T>::outputs], T learning_rate) noexcept {
    using Win = typename DepthwiseConv2D<In, K, S, P, Act, T>::windows;
    constexpr size_t C = In::channels;
    for (size_t ky = 0; ky < K::height; ++ky)
        for (size_t kx = 0; kx < K::width; ++kx)
            for (size_t c = 0; c < C; ++c) {
                T g = T(0);
                Win::for_each_window_with_tap(ky, kx, [&](size_t pixel, size_t out_pixel) {
                    g = g + x[pixel * C + c] * dr[out_pixel * C + c];
                });
                layer.w[ky][kx][c] = layer.w[ky][kx][c] - learning_rate * g;
            }
    for (size_t c = 0; c < C; ++c) {
        T g = T(0);
        for (size_t o = 0; o < Win::out_height * Win::out_width; ++o) g = g + dr[o * C + c];
        layer.b[c] = layer.b[c] - learning_rate * g;
    }
}

}  // namespace ugrad

UGRAD_FP_CONTRACT_OFF_END
