// SPDX-License-Identifier: Apache-2.0
// ugrad/layers/conv2d.hpp — a 2-D convolution (TFLite's CONV_2D, PyTorch's Conv2d), its input
// gradient (a transposed convolution) and its weight gradient (a correlation of the input with
// the output's gradient). Conv1D is the same layer one row high.
//
// Shapes (include/ugrad/layers/image.hpp for Hwc, the window walk and the paddings):
//   x [H][W][C]   w [KH][KW][C][F]   b [F]   r, y [OH][OW][F]     (F filters, HWC, batch 1)
// Forward, for each output pixel (oy, ox) and filter f, over the taps inside the input:
//   r[oy][ox][f] = (Σ_{ky} Σ_{kx} Σ_{c} x[iy][ix][c]·w[ky][kx][c][f]) + b[f],
//   iy = oy·S_h + ky − pad_top, ix = ox·S_w + kx − pad_left;       y = act(r)
// the sum formed from +0 term by term in the order ky, kx, c, then b added: TFLite's reference
// order, one fixed order on every target.
// Backward, from dr = dJ/dr [OH][OW][F] (dJ/dy already multiplied by the activation's slope):
//   dx[iy][ix][c] = Σ_{ky} Σ_{kx} Σ_{f} dr[oy][ox][f]·w[ky][kx][c][f]     over the taps (ky, kx)
//                   whose window (oy, ox) reads (iy, ix): the transposed convolution, formed from
//                   +0 in the order ky, kx, f (0 where no window reads the pixel)
//   dW[ky][kx][c][f] += x[iy][ix][c]·dr[oy][ox][f]    for each output pixel in turn (oy, then ox)
//   db[f]            += dr[oy][ox][f]                 likewise
// and the batch-1 step without a gradient buffer, weight by weight, each sum in that same order of
// output pixels, so that it rounds as the two lines above into zeros followed by W − η·dW:
//   W[ky][kx][c][f] ← W − η·(Σ_{oy} Σ_{ox} x[iy][ix][c]·dr[oy][ox][f]),  b[f] ← b − η·(Σ dr[oy][ox][f])
#pragma once

#include <stddef.h>

#include <ugrad/activations.hpp>
#include <ugrad/fp_contract.hpp>
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

// r = x ⊛ W + b (the activation follows: include/ugrad/layers/layer_calls.hpp).   x [In::size], r [outputs].
template <class In, size_t F, class K, class S, class P, class Act, typename T>
void layer_map(const Conv2D<In, F, K, S, P, Act, T>& layer, const T (&x)[In::size],
               T (&r_out)[Conv2D<In, F, K, S, P, Act, T>::outputs]) noexcept {
    using L = Conv2D<In, F, K, S, P, Act, T>;
    using Win = typename L::windows;
    constexpr size_t C = In::channels;
    T* r = r_out;
    for (size_t oy = 0; oy < Win::out_height; ++oy)
        for (size_t ox = 0; ox < Win::out_width; ++ox) {
            T sum[F];
            for (size_t f = 0; f < F; ++f) sum[f] = T(0);
            Win::for_each_tap(oy, ox, [&](size_t ky, size_t kx, size_t pixel) {
                for (size_t c = 0; c < C; ++c) {
                    const T v = x[pixel * C + c];
                    const T* w = layer.w[ky][kx][c];
                    for (size_t f = 0; f < F; ++f) sum[f] = sum[f] + v * w[f];
                }
            });
            for (size_t f = 0; f < F; ++f) r[f] = sum[f] + layer.b[f];
            r += F;
        }
}

// dx = dr ⊛ᵀ W: the transposed convolution.   dr [outputs], dx [In::size].
template <class In, size_t F, class K, class S, class P, class Act, typename T>
void layer_backward_input(const Conv2D<In, F, K, S, P, Act, T>& layer,
                          const T (&dr)[Conv2D<In, F, K, S, P, Act, T>::outputs], T (&dx)[In::size]) noexcept {
    using Win = typename Conv2D<In, F, K, S, P, Act, T>::windows;
    constexpr size_t C = In::channels;
    for (size_t iy = 0; iy < In::height; ++iy)
        for (size_t ix = 0; ix < In::width; ++ix) {
            T* d = &dx[(iy * In::width + ix) * C];
            for (size_t c = 0; c < C; ++c) d[c] = T(0);
            Win::for_each_reader(iy, ix, [&](size_t ky, size_t kx, size_t out_pixel) {
                const T* g = &dr[out_pixel * F];
                for (size_t c = 0; c < C; ++c) {
                    const T* w = layer.w[ky][kx][c];
                    T sum = d[c];
                    for (size_t f = 0; f < F; ++f) sum = sum + g[f] * w[f];
                    d[c] = sum;
                }
            });
        }
}

// grads.w += x ⋆ dr, grads.b += Σ dr: this sample's dJ/dW and dJ/db added in.
template <class In, size_t F, class K, class S, class P, class Act, typename T>
void layer_accumulate(const T (&x)[In::size], const T (&dr)[Conv2D<In, F, K, S, P, Act, T>::outputs],
                      Conv2D<In, F, K, S, P, Act, T>& grads) noexcept {
    using Win = typename Conv2D<In, F, K, S, P, Act, T>::windows;
    constexpr size_t C = In::channels;
    const T* g = dr;
    for (size_t oy = 0; oy < Win::out_height; ++oy)
        for (size_t ox = 0; ox < Win::out_width; ++ox) {
            Win::for_each_tap(oy, ox, [&](size_t ky, size_t kx, size_t pixel) {
                for (size_t c = 0; c < C; ++c) {
                    const T v = x[pixel * C + c];
                    T* w = grads.w[ky][kx][c];
                    for (size_t f = 0; f < F; ++f) w[f] = w[f] + v * g[f];
                }
            });
            for (size_t f = 0; f < F; ++f) grads.b[f] = grads.b[f] + g[f];
            g += F;
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
                        g = g + x[pixel * C + c] * dr[out_pixel * F + f];
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
