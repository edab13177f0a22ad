// SPDX-License-Identifier: Apache-2.0
// ugrad/layers/pool2d.hpp — average and max pooling over windows of each channel (TFLite's
// AVERAGE_POOL_2D and MAX_POOL_2D), a global average pool, and their input gradients. No weights.
//
// Shapes: x [H][W][C], y [OH][OW][C] (HWC, batch 1), windows and paddings as in
// include/ugrad/layers/image.hpp; only the taps inside the input take part, as in TFLite.
//   average  r[oy][ox][c] = (Σ_{ky} Σ_{kx} x[iy][ix][c]) / n(oy, ox)   n: the taps inside the input;
//            the sum from +0 in the order ky, kx, then one division (TFLite's order)
//            dx[iy][ix][c] = Σ_{ky} Σ_{kx} dr[oy][ox][c] / n(oy, ox)   over the windows that read
//            (iy, ix), from +0 in the order ky, kx
//   max      r[oy][ox][c] = max x over the window (the first maximum in the order ky, kx; a NaN in
//            the window gives NaN); forward keeps which tap it was, one byte per output
//            dx = 0, then dx[the kept tap's pixel] += dr[oy][ox][c], output by output in order
//            (all of dx NaN if act came from a failed forward, which keeps no taps)
// y = act(r) as for every layer (a fused ReLU, say); Identity by default.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/activations.hpp>
#include <ugrad/fp_contract.hpp>
#include <ugrad/layers.hpp>
#include <ugrad/layers/image.hpp>
#include <ugrad/layers/layer_calls.hpp>
#include <ugrad/math.hpp>

UGRAD_FP_CONTRACT_OFF_BEGIN

namespace ugrad {

template <class In, class WindowT, class StrideT, class Padding, class Act, typename T>
struct PoolShape {
    using input_shape = In;
    using window = WindowT;
    using stride = StrideT;
    using padding = Padding;
    using windows = detail::Windows<In, WindowT, StrideT, Padding>;
    using output_shape = Hwc<windows::out_height, windows::out_width, In::channels>;
    using activation = Act;
    using value_type = T;
    static constexpr size_t inputs = In::size;
    static constexpr size_t outputs = output_shape::size;
    static constexpr size_t parameters = 0;
};

// The mean of each window, per channel. Empty: a pool has no parameters.
template <class In, class WindowT, class StrideT = WindowT, class Padding = Valid, class Act = Identity,
          typename T = float>
struct AveragePool2D : PoolShape<In, WindowT, StrideT, Padding, Act, T> {};

// The mean over the whole image, per channel: y [1][1][C].
template <class In, class Act = Identity, typename T = float>
using GlobalAveragePool = AveragePool2D<In, Window<In::height, In::width>, Stride<1, 1>, Valid, Act, T>;

// The largest value of each window, per channel.
template <class In, class WindowT, class StrideT = WindowT, class Padding = Valid, class Act = Identity,
          typename T = float>
struct MaxPool2D : PoolShape<In, WindowT, StrideT, Padding, Act, T> {
    static_assert(WindowT::height * WindowT::width <= 255, "a max pool keeps its tap in one byte: at most 255 taps");
};

// What forward keeps of a max pool: y, and which tap of its window each output came from
// (ky·KW + kx), for the backward pass.
template <class Act, size_t N, typename T>
struct MaxPoolOutput : LayerOutput<Act, N, T> {
    uint8_t tap[N];
};

// What the input gradient alone keeps of a max pool: its activation's slope and the taps.
template <class Act, size_t N, typename T>
struct MaxPoolSlope : ActivationSlope<Act, N, T> {
    uint8_t tap[N];
};

namespace detail {
template <class In, class Wn, class S, class P, class Act, typename T>
struct kept_output<MaxPool2D<In, Wn, S, P, Act, T>> {
    using type = MaxPoolOutput<Act, MaxPool2D<In, Wn, S, P, Act, T>::outputs, T>;
    static constexpr bool read_by_backward = true;
};
template <class In, class Wn, class S, class P, class Act, typename T>
struct kept_slope<MaxPool2D<In, Wn, S, P, Act, T>> {
    using type = MaxPoolSlope<Act, MaxPool2D<In, Wn, S, P, Act, T>::outputs, T>;
    static constexpr bool borrows_walk = false;
    static constexpr size_t inner_walk = 0;
};
// A failed forward fills y with NaN and every tap with no_tap, which backward turns into a NaN dx.
constexpr uint8_t no_tap = 255;
template <class Act, size_t N, typename T>
constexpr void fill(MaxPoolOutput<Act, N, T>& out, T value) noexcept {
    fill(static_cast<LayerOutput<Act, N, T>&>(out), value);
    for (size_t j = 0; j < N; ++j) out.tap[j] = no_tap;
}
template <class Act, size_t N, typename T>
constexpr void fill(MaxPoolSlope<Act, N, T>& kept, T value) noexcept {
    fill(static_cast<ActivationSlope<Act, N, T>&>(kept), value);
    for (size_t j = 0; j < N; ++j) kept.tap[j] = no_tap;
}
}  // namespace detail

// r = the window means (the activation follows).
template <class In, class Wn, class S, class P, class Act, typename T>
void layer_map(const AveragePool2D<In, Wn, S, P, Act, T>& /*layer*/, const T (&x)[In::size],
               T (&r_out)[AveragePool2D<In, Wn, S, P, Act, T>::outputs]) noexcept {
    using Win = typename AveragePool2D<In, Wn, S, P, Act, T>::windows;
    constexpr size_t C = In::channels;
    T* r = r_out;
    for (size_t oy = 0; oy < Win::out_height; ++oy)
        for (size_t ox = 0; ox < Win::out_width; ++ox) {
            for (size_t c = 0; c < C; ++c) r[c] = T(0);
            Win::for_each_tap(oy, ox, [&](size_t /*ky*/, size_t /*kx*/, size_t pixel) {
                for (size_t c = 0; c < C; ++c) r[c] = r[c] + x[pixel * C + c];
            });
            const T n = static_cast<T>(Win::taps_inside(oy, ox));
            for (size_t c = 0; c < C; ++c) r[c] = r[c] / n;
            r += C;
        }
}

// dx: each window's dr shared evenly among the taps it read.
template <class In, class Wn, class S, class P, class Act, typename T>
void layer_backward_input(const AveragePool2D<In, Wn, S, P, Act, T>& /*layer*/,
                          const T (&dr)[AveragePool2D<In, Wn, S, P, Act, T>::outputs], T (&dx)[In::size]) noexcept {
    using Win = typename AveragePool2D<In, Wn, S, P, Act, T>::windows;
    constexpr size_t C = In::channels;
    for (size_t iy = 0; iy < In::height; ++iy)
        for (size_t ix = 0; ix < In::width; ++ix) {
            T* d = &dx[(iy * In::width + ix) * C];
            for (size_t c = 0; c < C; ++c) d[c] = T(0);
            Win::for_each_reader(iy, ix, [&](size_t /*ky*/, size_t /*kx*/, size_t out_pixel) {
                const T* g = &dr[out_pixel * C];
                const T n = static_cast<T>(Win::taps_inside(out_pixel / Win::out_width, out_pixel % Win::out_width));
                for (size_t c = 0; c < C; ++c) d[c] = d[c] + g[c] / n;
            });
        }
}

// r = the window maxima, and their taps into tap[] unless it is null (the activation follows).
template <class In, class Wn, class S, class P, class Act, typename T>
void layer_map(const MaxPool2D<In, Wn, S, P, Act, T>& /*layer*/, const T (&x)[In::size],
               T (&r)[MaxPool2D<In, Wn, S, P, Act, T>::outputs], uint8_t* tap) noexcept {
    using Win = typename MaxPool2D<In, Wn, S, P, Act, T>::windows;
    constexpr size_t C = In::channels;
    size_t o = 0;
    for (size_t oy = 0; oy < Win::out_height; ++oy)
        for (size_t ox = 0; ox < Win::out_width; ++ox)
            for (size_t c = 0; c < C; ++c, ++o) {
                bool first = true;
                T best = T(0);
                size_t best_tap = 0;
                Win::for_each_tap(oy, ox, [&](size_t ky, size_t kx, size_t pixel) {
                    const T v = x[pixel * C + c];
                    // The first maximum; a NaN replaces anything and is never replaced.
                    if (first || (!is_nan(best) && (v > best || is_nan(v)))) {
                        best = v;
                        best_tap = ky * Wn::width + kx;
                        first = false;
                    }
                });
                r[o] = best;
                if (tap != nullptr) tap[o] = static_cast<uint8_t>(best_tap);
            }
}
// forward keeps the taps; inference does not.
template <class In, class Wn, class S, class P, class Act, typename T>
void layer_forward(const MaxPool2D<In, Wn, S, P, Act, T>& layer, const T (&x)[In::size],
                   MaxPoolOutput<Act, MaxPool2D<In, Wn, S, P, Act, T>::outputs, T>& out) noexcept {
    layer_map(layer, x, out.y, &out.tap[0]);
    activate(static_cast<LayerOutput<Act, MaxPool2D<In, Wn, S, P, Act, T>::outputs, T>&>(out));
}
template <class In, class Wn, class S, class P, class Act, typename T>
void layer_infer(const MaxPool2D<In, Wn, S, P, Act, T>& layer, const T (&x)[In::size],
                 T (&y)[MaxPool2D<In, Wn, S, P, Act, T>::outputs], T* /*scratch*/) noexcept {
    layer_map(layer, x, y, static_cast<uint8_t*>(nullptr));
    activate_values<Act>(y);
}

// The input gradient's forward: y as layer_infer gives it, the taps and act′ kept.
template <class In, class Wn, class S, class P, class Act, typename T>
void layer_forward_slope(const MaxPool2D<In, Wn, S, P, Act, T>& layer, const T (&x)[In::size],
                         T (&y)[MaxPool2D<In, Wn, S, P, Act, T>::outputs],
                         MaxPoolSlope<Act, MaxPool2D<In, Wn, S, P, Act, T>::outputs, T>& kept, T* /*scratch*/) noexcept {
    layer_map(layer, x, y, &kept.tap[0]);
    activate_keeping_slope(y, kept);
}

// dx: each output's dr to the pixel its maximum came from (kept: forward's MaxPoolOutput, or the
// input gradient's MaxPoolSlope: the taps are all it reads).
template <class In, class Wn, class S, class P, class Act, typename T, class Kept>
void layer_backward_input(const MaxPool2D<In, Wn, S, P, Act, T>& /*layer*/, const Kept& kept,
                          const T (&dr)[MaxPool2D<In, Wn, S, P, Act, T>::outputs], T (&dx)[In::size]) noexcept {
    using Win = typename MaxPool2D<In, Wn, S, P, Act, T>::windows;
    constexpr size_t C = In::channels;
    for (size_t i = 0; i < In::size; ++i) dx[i] = T(0);
    size_t o = 0;
    for (size_t oy = 0; oy < Win::out_height; ++oy)
        for (size_t ox = 0; ox < Win::out_width; ++ox)
            for (size_t c = 0; c < C; ++c, ++o) {
                const size_t ky = kept.tap[o] / Wn::width, kx = kept.tap[o] % Wn::width;
                // A tap that is not one forward writes (kept from a failed forward): dx is NaN.
                if (ky < Win::ky0(oy) || ky >= Win::ky1(oy) || kx < Win::kx0(ox) || kx >= Win::kx1(ox)) {
                    for (size_t i = 0; i < In::size; ++i) dx[i] = quiet_nan<T>();
                    return;
                }
                T& d = dx[(Win::in_row(oy, ky) * In::width + Win::in_col(ox, kx)) * C + c];
                d = d + dr[o];
            }
}

}  // namespace ugrad

UGRAD_FP_CONTRACT_OFF_END
