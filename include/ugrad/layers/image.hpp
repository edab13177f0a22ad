// SPDX-License-Identifier: Apache-2.0
// ugrad/layers/image.hpp — the shapes the image layers are written in: an HWC tensor, a kernel or
// pooling window, a stride, and TFLite's two paddings; and where a window lands in its input.
//
// A tensor of shape Hwc<H, W, C> is H·W·C values, row by row, channels innermost (HWC, batch 1):
// value (y, x, c) is at (y·W + x)·C + c. A 1-D signal of length N with C channels is Hwc<1, N, C>.
//
// Output size and padding, as TFLite defines them (per axis; in, k, s the input size, the kernel
// size and the stride; dilation 1):
//   Valid  out = (in − k)/s + 1   (floor; no padding: every window lies inside the input)
//   Same   out = ⌈in/s⌉; total = max((out − 1)·s + k − in, 0) padded positions, ⌊total/2⌋ before
//          the input and the rest after it (an odd total puts the extra one at the bottom/right)
// Padded positions hold no value: a window's sum skips them (it does not add 0·w), so a padded
// position can never turn an infinite weight into a NaN.
#pragma once

#include <stddef.h>

#include <ugrad/fp_contract.hpp>

UGRAD_FP_CONTRACT_OFF_BEGIN

namespace ugrad {

// An H×W image with C channels, HWC order.
template <size_t H, size_t W, size_t C>
struct Hwc {
    static_assert(H >= 1 && W >= 1 && C >= 1, "an image needs at least one row, one column and one channel");
    static constexpr size_t height = H;
    static constexpr size_t width = W;
    static constexpr size_t channels = C;
    static constexpr size_t size = H * W * C;
};

// A kernel's (or a pooling window's) height and width, and the steps between windows.
template <size_t KH, size_t KW>
struct Kernel {
    static_assert(KH >= 1 && KW >= 1, "a kernel is at least 1×1");
    static constexpr size_t height = KH;
    static constexpr size_t width = KW;
};
template <size_t KH, size_t KW>
using Window = Kernel<KH, KW>;
template <size_t SH, size_t SW>
struct Stride {
    static_assert(SH >= 1 && SW >= 1, "a stride is at least 1");
    static constexpr size_t height = SH;
    static constexpr size_t width = SW;
};

// TFLite's paddings (see the top of this file).
struct Valid {};
struct Same {};

namespace detail {

// One axis of a window walk: In input positions, windows of K every S, padding P.
template <size_t In, size_t K, size_t S, class Padding>
struct Axis;
template <size_t In, size_t K, size_t S>
struct Axis<In, K, S, Valid> {
    static_assert(K <= In, "a Valid window must fit in its input");
    static constexpr size_t out = (In - K) / S + 1;
    static constexpr size_t before = 0;
};
template <size_t In, size_t K, size_t S>
struct Axis<In, K, S, Same> {
    static constexpr size_t out = (In + S - 1) / S;
    static constexpr size_t total = (out - 1) * S + K > In ? (out - 1) * S + K - In : 0;
    static constexpr size_t before = total / 2;
};

// The positions k of a window at output position o that land inside the input:
// i = o·S + k − before ∈ [0, In)  ⇔  k ∈ [first(o), last(o)).
template <class A, size_t In, size_t K, size_t S>
constexpr size_t first_tap(size_t o) noexcept {
    return o * S >= A::before ? 0 : A::before - o * S;
}
template <class A, size_t In, size_t K, size_t S>
constexpr size_t end_tap(size_t o) noexcept {
    // i < In ⇔ k < In + before − o·S
    return In + A::before - o * S < K ? In + A::before - o * S : K;
}

// A window walk in two dimensions: where the window of output pixel (oy, ox) starts in the input,
// and which of its taps lie inside it. Every image layer is written over this.
template <class In, class K, class S, class Padding>
struct Windows {
    using rows = Axis<In::height, K::height, S::height, Padding>;
    using cols = Axis<In::width, K::width, S::width, Padding>;
    static constexpr size_t out_height = rows::out;
    static constexpr size_t out_width = cols::out;
    // Taps [ky0, ky1) × [kx0, kx1) of the window at (oy, ox) lie inside; tap (ky, kx) reads input
    // pixel (oy·S_h + ky − before_h, ox·S_w + kx − before_w).
    static constexpr size_t ky0(size_t oy) noexcept { return first_tap<rows, In::height, K::height, S::height>(oy); }
    static constexpr size_t ky1(size_t oy) noexcept { return end_tap<rows, In::height, K::height, S::height>(oy); }
    static constexpr size_t kx0(size_t ox) noexcept { return first_tap<cols, In::width, K::width, S::width>(ox); }
    static constexpr size_t kx1(size_t ox) noexcept { return end_tap<cols, In::width, K::width, S::width>(ox); }
    static constexpr size_t in_row(size_t oy, size_t ky) noexcept { return oy * S::height + ky - rows::before; }
    static constexpr size_t in_col(size_t ox, size_t kx) noexcept { return ox * S::width + kx - cols::before; }
    // The number of taps inside the input (an average pool's divisor).
    static constexpr size_t taps_inside(size_t oy, size_t ox) noexcept {
        return (ky1(oy) - ky0(oy)) * (kx1(ox) - kx0(ox));
    }
    // The inverse, for the transposed walk: input row iy is tap ky of output row oy exactly when
    // iy + before − ky = oy·S with 0 <= oy < out; row_hit says whether it is, and which oy.
    static constexpr bool row_hit(size_t iy, size_t ky, size_t& oy) noexcept {
        return hit<rows, K::height, S::height>(iy, ky, oy);
    }
    static constexpr bool col_hit(size_t ix, size_t kx, size_t& ox) noexcept {
        return hit<cols, K::width, S::width>(ix, kx, ox);
    }

    // step(ky, kx, pixel) for each tap of the window at (oy, ox) inside the input, in the order ky,
    // then kx; pixel = iy·W + ix, the input pixel it reads.
    template <class Step>
    static void for_each_tap(size_t oy, size_t ox, Step step) noexcept {
        for (size_t ky = ky0(oy); ky < ky1(oy); ++ky)
            for (size_t kx = kx0(ox); kx < kx1(ox); ++kx) step(ky, kx, in_row(oy, ky) * In::width + in_col(ox, kx));
    }
    // step(ky, kx, out_pixel) for each window that reads input pixel (iy, ix), and the tap it reads
    // it with, in the order ky, then kx; out_pixel = oy·OW + ox. The transposed walk.
    template <class Step>
    static void for_each_reader(size_t iy, size_t ix, Step step) noexcept {
        for (size_t ky = 0; ky < K::height; ++ky) {
            size_t oy = 0;
            if (!row_hit(iy, ky, oy)) continue;
            for (size_t kx = 0; kx < K::width; ++kx) {
                size_t ox = 0;
                if (col_hit(ix, kx, ox)) step(ky, kx, oy * out_width + ox);
            }
        }
    }

    // The same walk along one axis, as one run: input row iy is read by taps k0, k0 + S_h, ...
    // (count of them, 0 if none) of the output rows o0, o0 − 1, ... (as k grows by the stride, the
    // window that reads iy with it is one row earlier); col_readers likewise for column ix. The
    // taps of for_each_reader(iy, ix) are the product of the two runs, in the same order.
    struct Run {
        size_t k0, count, o0;
    };
    static constexpr Run row_readers(size_t iy) noexcept { return readers<rows, K::height, S::height>(iy); }
    static constexpr Run col_readers(size_t ix) noexcept { return readers<cols, K::width, S::width>(ix); }

    // step(pixel, out_pixel) for each window whose tap (ky, kx) lies inside the input, in the
    // order oy, then ox: the pixel that tap reads and the window's output pixel. A weight's walk.
    template <class Step>
    static void for_each_window_with_tap(size_t ky, size_t kx, Step step) noexcept {
        for (size_t oy = 0; oy < out_height; ++oy) {
            if (ky < ky0(oy) || ky >= ky1(oy)) continue;
            for (size_t ox = 0; ox < out_width; ++ox)
                if (kx >= kx0(ox) && kx < kx1(ox)) step(in_row(oy, ky) * In::width + in_col(ox, kx), oy * out_width + ox);
        }
    }

private:
    // Tap k reads i for window o = (p − k)/S, p = i + before, when S divides p − k, k <= p and
    // o < out. The first such k takes the last window allowed, o0 = min(⌊p/S⌋, out − 1); the run
    // goes on by S while k stays below K and at most p (o >= 0): the hits of hit(), in k order.
    template <class A, size_t KS, size_t SS>
    static constexpr Run readers(size_t i) noexcept {
        const size_t p = i + A::before;
        const size_t o0 = p / SS < A::out - 1 ? p / SS : A::out - 1;
        const size_t k0 = p - o0 * SS;
        if (k0 >= KS) return Run{0, 0, 0};
        const size_t last = KS - 1 < p ? KS - 1 : p;
        return Run{k0, (last - k0) / SS + 1, o0};
    }
    template <class A, size_t KS, size_t SS>
    static constexpr bool hit(size_t i, size_t k, size_t& o) noexcept {
        if (i + A::before < k) return false;
        const size_t t = i + A::before - k;
        if (t % SS != 0) return false;
        o = t / SS;
        return o < A::out;
    }
};

}  // namespace detail

}  // namespace ugrad

UGRAD_FP_CONTRACT_OFF_END
