// SPDX-License-Identifier: Apache-2.0
// tests/target/kernels_vs_scalar.cpp — a core's own kernels (e.g. include/ugrad/armv7em_vfp/
// kernels.hpp, which kernels.hpp picks for the M4F, M7, M33, M55) give the scalar kernels' bits,
// on the core itself.
//
// Built by mk/bench.mk for every target whose compiler flags pick such kernels, run under QEMU by
// `make TARGET=<t> test`. Shapes cover every block count, column tail and dot tail; the
// data mixes signs and magnitudes over 2^±8 so that any change of order would change bits
// (tests/test_kernels.cpp shows on the host that it does). The training loops of gradients.hpp
// (ugrad/armv7em_vfp/updates.hpp on these cores) likewise, NaN, ±inf and ±0 included. Exit status
// 0 = all equal.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <hal.h>
#include <ugrad/gradients.hpp>
#include <ugrad/kernels.hpp>
#include <ugrad/layers/conv2d.hpp>
#include <ugrad/layers/depthwise_conv2d.hpp>

#include "../splitmix64.hpp"

#if !UGRAD_HAS_TARGET_KERNELS
#error "this core has no kernels of its own (include/ugrad/kernels.hpp picks them from the compiler's macros)"
#endif
#if !UGRAD_HAS_TARGET_DEPTHWISE
#error "this core has no depthwise kernel of its own (include/ugrad/kernels.hpp picks it with its kernels)"
#endif
#if !UGRAD_HAS_TARGET_CONV
#error "this core has no convolution kernel of its own (include/ugrad/kernels.hpp picks it with its kernels)"
#endif
#if !UGRAD_HAS_TARGET_UPDATES
#error "this core has no training loops of its own (include/ugrad/kernels.hpp picks them with its kernels)"
#endif

namespace {

uint64_t state = 0x2545f4914f6cdd1dull;
float random_float() {
    const uint64_t z = test::splitmix64(state);
    const float mantissa = static_cast<float>(z >> 40) * (1.0f / 16777216.0f);  // [0, 1)
    const int exponent = static_cast<int>((z >> 8) % 17) - 8;                   // 2^-8 .. 2^8
    float scale = 1.0f;
    for (int e = 0; e < exponent; ++e) scale *= 2.0f;
    for (int e = 0; e > exponent; --e) scale *= 0.5f;
    return (z & 1 ? -mantissa : mantissa) * scale;
}

int failures = 0;
int checks = 0;

template <size_t N, size_t M>
void check_shape() {
    static float w[N][M];
    float x[N], b[M], d[M], y_scalar[M], y_target[M], t_scalar[N], t_target[N];
    for (int trial = 0; trial < 3; ++trial) {
        for (auto& row : w)
            for (float& v : row) v = random_float();
        for (float& v : x) v = random_float();
        for (float& v : b) v = random_float();
        for (float& v : d) v = random_float();
        ugrad::scalar::affine(x, w, b, y_scalar);
        ugrad::target::affine(x, w, b, y_target);
        ugrad::scalar::affine_t(d, w, t_scalar);
        ugrad::target::affine_t(d, w, t_target);
        const bool affine_ok = memcmp(y_scalar, y_target, sizeof y_scalar) == 0;
        const bool affine_t_ok = memcmp(t_scalar, t_target, sizeof t_scalar) == 0;
        checks += 2;
        if (!affine_ok || !affine_t_ok) {
            ++failures;
            hal_write("target_kernels: MISMATCH at ");
            hal_write_uint(N);
            hal_write("x");
            hal_write_uint(M);
            hal_write(affine_ok ? " (affine_t)\n" : " (affine)\n");
        }
    }
}

// Values that are not ordinary numbers: ±inf, ±0, and with `nan` NaNs of both signs and two payloads.
float special_float(uint64_t z, bool nan) {
    static const uint32_t bits[] = {0x7f800000u, 0xff800000u, 0x00000000u, 0x80000000u,
                                    0x7fc00000u, 0xffc00000u, 0x7fc12345u, 0xffa00001u};
    float f;
    memcpy(&f, &bits[nan ? z % 8 : z % 4], sizeof f);
    return f;
}

// Random entries; with `special` about one in eight replaced by a special value (NaN among them
// if `nan`); with `zeros` one in eight by ±0 (a's skipped rows).
template <size_t K>
void fill_random(float (&v)[K], bool special, bool nan, bool zeros) {
    for (float& e : v) {
        e = random_float();
        const uint64_t z = test::splitmix64(state);
        if (zeros && z % 8 == 0) e = z & 8 ? 0.0f : -0.0f;
        else if (special && z % 8 == 1) e = special_float(z >> 8, nan);
    }
}

// Bit for bit, except that a NaN is any NaN: which NaN the portable loops give depends on how GCC
// compiles them, not on the C. At -Os for the M33 it turns p − η·v into VMLS, which flips a NaN
// product's sign. (For the M55 it vectorized them with MVE, whose float instructions give the
// default NaN, where the scalar VFP instructions (and x86) pass a NaN operand on, and flush
// subnormals; include/ugrad/fp_contract.hpp now keeps the library's loops off MVE floating point.)
// The kernels pass a NaN on, as VMUL and VSUB do.
bool same_values(const float* x, const float* y, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        uint32_t a, b;
        memcpy(&a, &x[i], sizeof a);
        memcpy(&b, &y[i], sizeof b);
        const bool a_nan = (a & 0x7fffffffu) > 0x7f800000u, b_nan = (b & 0x7fffffffu) > 0x7f800000u;
        if (a_nan ? !b_nan : a != b) return false;
    }
    return true;
}
template <size_t N, size_t M>
bool same_values(const float (&x)[N][M], const float (&y)[N][M]) {
    return same_values(&x[0][0], &y[0][0], N * M);
}
template <size_t N>
bool same_values(const float (&x)[N], const float (&y)[N]) {
    return same_values(&x[0], &y[0], N);
}

void report(bool ok, size_t n, size_t m, const char* what) {
    ++checks;
    if (ok) return;
    ++failures;
    hal_write("target_updates: MISMATCH at ");
    hal_write_uint(n);
    hal_write("x");
    hal_write_uint(m);
    hal_write(what);
}

// The training loops of gradients.hpp (target:: for float vs the portable scalar::), bit for bit
// (a NaN being any NaN, see same_values): G += aᵀ·b, P ← P − η·(aᵀ·b), p ← p − η·v with v ← 0 or
// μ·v, p ← p − η·d; and the finiteness sum (any order) finite exactly when the portable one is.
// Trials 0-1 ordinary numbers (a with zeros; η = 0 in trial 1); trials 2-5 also ±inf and ±0, and
// NaNs in one operand: a (with a, b, d special), then b and d (likewise), then G and p (with G, p,
// v special), then v (likewise). η and μ stay numbers, as every caller checks.
template <size_t N, size_t M>
void check_updates() {
    static float g_scalar[N][M], g_target[N][M], v_scalar[N][M], v_target[N][M];
    float a[N], b[M], d[M], p_scalar[M], p_target[M], dv_scalar[M], dv_target[M];
    for (int trial = 0; trial < 6; ++trial) {
        const bool special = trial >= 2;
        fill_random(a, trial == 2 || trial == 3, trial == 2, true);
        fill_random(b, trial == 2 || trial == 3, trial == 3, false);
        fill_random(d, trial == 2 || trial == 3, trial == 3, false);
        for (auto& row : g_scalar) fill_random(row, special, trial == 4, false);
        for (auto& row : v_scalar) fill_random(row, special, trial == 5, false);
        const float eta = trial == 1 ? 0.0f : random_float();
        const float mu = trial == 1 ? -random_float() : random_float();
        memcpy(g_target, g_scalar, sizeof g_scalar);
        memcpy(v_target, v_scalar, sizeof v_scalar);

        ugrad::scalar::add_outer(a, b, g_scalar);
        ugrad::target::add_outer(a, b, g_target);
        report(same_values(g_scalar, g_target), N, M, " (add_outer)\n");
        ugrad::scalar::descend_outer(g_scalar, a, b, eta);
        ugrad::target::descend_outer(g_target, a, b, eta);
        report(same_values(g_scalar, g_target), N, M, " (descend_outer)\n");

        ugrad::scalar::descend(g_scalar, v_scalar, eta, mu);
        ugrad::target::descend<N * M>(&g_target[0][0], &v_target[0][0], eta, mu);
        report(same_values(g_scalar, g_target) && same_values(v_scalar, v_target), N,
               M, " (descend, momentum)\n");

        if (trial == 5) {  // G took v's NaNs: new G, so that no two NaNs meet
            for (auto& row : g_scalar) fill_random(row, special, false, false);
            memcpy(g_target, g_scalar, sizeof g_scalar);
        }
        ugrad::scalar::descend(g_scalar, v_scalar, eta, 0.0f);
        ugrad::target::descend<N * M>(&g_target[0][0], &v_target[0][0], eta, 0.0f);
        report(same_values(g_scalar, g_target) && same_values(v_scalar, v_target), N,
               M, " (descend, no momentum)\n");

        fill_random(p_scalar, special, trial == 4, false);
        memcpy(p_target, p_scalar, sizeof p_scalar);
        memcpy(dv_scalar, d, sizeof d);
        memcpy(dv_target, d, sizeof d);
        ugrad::scalar::descend(p_scalar, d, eta);
        ugrad::target::descend<M>(p_target, d, eta);
        report(same_values(p_scalar, p_target) && memcmp(d, dv_scalar, sizeof d) == 0, 1, M,
               " (descend by d)\n");
        if (trial == 3) {  // p took d's NaNs: new p, as above
            fill_random(p_scalar, special, false, false);
            memcpy(p_target, p_scalar, sizeof p_scalar);
        }
        ugrad::scalar::descend(p_scalar, dv_scalar, eta, mu);
        ugrad::target::descend<M>(p_target, dv_target, eta, mu);
        report(same_values(p_scalar, p_target) && same_values(dv_scalar, dv_target), 1, M,
               " (descend, a vector)\n");

        // v's entries lie within 2^±8 or are special: these sums cannot overflow.
        const float s_scalar = ugrad::scalar::sum_for_check(v_scalar, 1.0f);
        const float s_target = 1.0f + ugrad::target::sum_any_order(&v_scalar[0][0], N * M);
        const float t_scalar = ugrad::scalar::sum_for_check(b, 1.0f);
        const float t_target = 1.0f + ugrad::target::sum_any_order(b, M);
        report(ugrad::is_finite(s_scalar) == ugrad::is_finite(s_target) &&
                   ugrad::is_finite(t_scalar) == ugrad::is_finite(t_target),
               N, M, " (sum_for_check)\n");

        // The finiteness check of the library's calls: non_finite_bits is 0 exactly when the bit
        // test says every entry is finite, for every length 0 .. N·M (every block and remainder).
        // (Entries: one in eight ±inf, or NaN on even trials, some ±0.)
        static float u[N][M];  // static: 64x64 does not belong on the stack
        for (auto& row : u) fill_random(row, true, trial % 2 == 0, true);
        bool agree = true;
        for (size_t n = 0; n <= N * M; ++n)
            agree = agree && ((ugrad::target::non_finite_bits(&u[0][0], n) == 0) ==
                              ugrad::detail::all_finite_bits(&u[0][0], n));
        report(agree, N, M, " (non_finite_bits)\n");
    }
}

// Every parameter of an image layer (W, then b) and its input x, drawn afresh.
template <class Layer, size_t N>
void fill_layer_and_input(Layer& layer, float (&x)[N]) {
    ugrad::detail::for_each_parameter(layer, [](auto& p) {
        for (float& v : ugrad::detail::flat(p)) v = random_float();
    });
    for (float& v : x) v = random_float();
}

// One image-layer comparison: counted, and on a difference a line naming the shape (filters = 0
// for a depthwise layer, which has none of its own).
void report_image(bool same, const char* what, size_t h, size_t w, size_t c, size_t filters, size_t kh, size_t kw) {
    ++checks;
    if (same) return;
    ++failures;
    hal_write(what);
    hal_write(": MISMATCH at ");
    hal_write_uint(h);
    hal_write("x");
    hal_write_uint(w);
    hal_write("x");
    hal_write_uint(c);
    if (filters != 0) {
        hal_write(" to ");
        hal_write_uint(filters);
    }
    hal_write(" kernel ");
    hal_write_uint(kh);
    hal_write("x");
    hal_write_uint(kw);
    hal_write("\n");
}

// A depthwise convolution's forward (layer_map: target::depthwise_window where it applies) against
// the portable loop (detail::depthwise_channels, 16 channels at a time), bit for bit: interior and
// edge windows, SAME and VALID, strides 1 and 2, kernel rows written out (1-4 taps) and looped
// (5, 10), channels in blocks of 16, a block of 8 and a portable rest.
template <size_t H, size_t W, size_t C, size_t KH, size_t KW, size_t S, class Padding>
void check_depthwise() {
    using Layer = ugrad::DepthwiseConv2D<ugrad::Hwc<H, W, C>, ugrad::Kernel<KH, KW>, ugrad::Stride<S, S>, Padding>;
    using Win = typename Layer::windows;
    static Layer layer;
    static float x[Layer::inputs], r_target[Layer::outputs], r_scalar[Layer::outputs];
    for (int trial = 0; trial < 2; ++trial) {
        fill_layer_and_input(layer, x);
        ugrad::layer_map(layer, x, r_target);
        for (size_t oy = 0; oy < Win::out_height; ++oy)
            for (size_t ox = 0; ox < Win::out_width; ++ox) {
                float* out = &r_scalar[(oy * Win::out_width + ox) * C];
                size_t c0 = 0;
                for (; c0 + 16 <= C; c0 += 16) ugrad::detail::depthwise_channels<16>(layer, x, oy, ox, out, c0);
                if constexpr (C % 16 != 0) ugrad::detail::depthwise_channels<C % 16>(layer, x, oy, ox, out, c0);
            }
        report_image(memcmp(r_target, r_scalar, sizeof r_scalar) == 0, "target_depthwise", H, W, C, 0, KH, KW);
    }
}

// A depthwise convolution's input gradient (layer_backward_input: target::depthwise_t_window where it
// applies) against the portable loop written out here as the layer documents it (each input pixel
// from +0, then dr·w for each tap whose window reads it, ky then kx ascending), bit for bit: the
// shapes of check_depthwise, so strides 1 and 2, SAME and VALID, edge pixels read by fewer taps or
// none, rows written out (1-4 taps) and looped; dr with ±0 among its values (signed zeros kept).
template <size_t H, size_t W, size_t C, size_t KH, size_t KW, size_t S, class Padding>
void check_depthwise_t() {
    using Layer = ugrad::DepthwiseConv2D<ugrad::Hwc<H, W, C>, ugrad::Kernel<KH, KW>, ugrad::Stride<S, S>, Padding>;
    using Win = typename Layer::windows;
    static Layer layer;
    static float x[Layer::inputs], dr[Layer::outputs], dx_target[Layer::inputs], dx_scalar[Layer::inputs];
    for (int trial = 0; trial < 2; ++trial) {
        fill_layer_and_input(layer, x);
        fill_random(dr, false, false, trial == 1);
        ugrad::layer_backward_input(layer, dr, dx_target);
        for (size_t iy = 0; iy < H; ++iy)
            for (size_t ix = 0; ix < W; ++ix) {
                float* d = &dx_scalar[(iy * W + ix) * C];
                for (size_t c = 0; c < C; ++c) d[c] = 0.0f;
                Win::for_each_reader(iy, ix, [&](size_t ky, size_t kx, size_t out_pixel) {
                    for (size_t c = 0; c < C; ++c) d[c] = d[c] + dr[out_pixel * C + c] * layer.w[ky][kx][c];
                });
            }
        report_image(memcmp(dx_target, dx_scalar, sizeof dx_scalar) == 0, "target_depthwise_t", H, W, C, 0, KH, KW);
    }
}

// A convolution's forward (layer_map: target::conv_window for a kernel larger than 1×1) against
// the portable loop (detail::conv2d_filters, 16 filters at a time), bit for bit: interior and edge
// windows, SAME and VALID, strides 1 and 2, kernel rows of up to eight terms (written out) and
// longer (four terms per pass, then one), filters in blocks of 16, a block of 8 and a portable rest.
template <size_t H, size_t W, size_t C, size_t F, size_t KH, size_t KW, size_t S, class Padding>
void check_conv() {
    using Layer = ugrad::Conv2D<ugrad::Hwc<H, W, C>, F, ugrad::Kernel<KH, KW>, ugrad::Stride<S, S>, Padding>;
    using Win = typename Layer::windows;
    static Layer layer;
    static float x[Layer::inputs], r_target[Layer::outputs], r_scalar[Layer::outputs];
    for (int trial = 0; trial < 2; ++trial) {
        fill_layer_and_input(layer, x);
        ugrad::layer_map(layer, x, r_target);
        for (size_t oy = 0; oy < Win::out_height; ++oy)
            for (size_t ox = 0; ox < Win::out_width; ++ox) {
                float* out = &r_scalar[(oy * Win::out_width + ox) * F];
                size_t j0 = 0;
                for (; j0 + 16 <= F; j0 += 16) ugrad::detail::conv2d_filters<16>(layer, x, oy, ox, out, j0);
                if constexpr (F % 16 != 0) ugrad::detail::conv2d_filters<F % 16>(layer, x, oy, ox, out, j0);
            }
        report_image(memcmp(r_target, r_scalar, sizeof r_scalar) == 0, "target_conv", H, W, C, F, KH, KW);
    }
}

// A convolution's input gradient (layer_backward_input: target::conv_t_pixel for a kernel larger
// than 1×1 and F a multiple of 8 up to 64) against the portable order written out here as the layer
// documents it (each input pixel's channel c: eight lanes from +0 through every tap whose window
// reads the pixel, ky then kx ascending, lane k taking the terms f ≡ k (mod 8), blocks then tail;
// then scalar::fold_lanes' tree; +0 where no tap reads it), bit for bit: F = 8 to 64 (the kernel,
// two channels at a time and an odd last one) and F = 12 (the portable loop); strides 1, 2 and 3,
// SAME and VALID, edge pixels read by fewer taps or none, rows of 1-4 taps written out and longer
// ones looped; dr with ±0 among its values.
template <size_t H, size_t W, size_t C, size_t F, size_t KH, size_t KW, size_t S, class Padding>
void check_conv_t() {
    using Layer = ugrad::Conv2D<ugrad::Hwc<H, W, C>, F, ugrad::Kernel<KH, KW>, ugrad::Stride<S, S>, Padding>;
    using Win = typename Layer::windows;
    static Layer layer;
    static float x[Layer::inputs], dr[Layer::outputs], dx_target[Layer::inputs], dx_scalar[Layer::inputs];
    constexpr size_t full = F - F % 8;
    for (int trial = 0; trial < 2; ++trial) {
        fill_layer_and_input(layer, x);
        fill_random(dr, false, false, trial == 1);
        ugrad::layer_backward_input(layer, dr, dx_target);
        for (size_t iy = 0; iy < H; ++iy)
            for (size_t ix = 0; ix < W; ++ix)
                for (size_t c = 0; c < C; ++c) {
                    float lane[8] = {};
                    Win::for_each_reader(iy, ix, [&](size_t ky, size_t kx, size_t out_pixel) {
                        const float* g = &dr[out_pixel * F];
                        const float* w = layer.w[ky][kx][c];
                        for (size_t j = 0; j < full; j += 8)
                            for (size_t k = 0; k < 8; ++k) lane[k] = lane[k] + g[j + k] * w[j + k];
                        for (size_t k = 0; k < F % 8; ++k) lane[k] = lane[k] + g[full + k] * w[full + k];
                    });
                    dx_scalar[(iy * W + ix) * C + c] = ugrad::scalar::fold_lanes(lane);
                }
        report_image(memcmp(dx_target, dx_scalar, sizeof dx_scalar) == 0, "target_conv_t", H, W, C, F, KH, KW);
    }
}

}  // namespace

int main() {
    check_conv_t<49, 10, 1, 64, 10, 4, 2, ugrad::Same>();
    check_conv_t<12, 12, 3, 8, 3, 3, 2, ugrad::Same>();
    check_conv_t<8, 8, 16, 16, 3, 3, 1, ugrad::Same>();
    check_conv_t<8, 8, 16, 32, 3, 3, 2, ugrad::Same>();
    check_conv_t<4, 4, 32, 64, 3, 3, 1, ugrad::Same>();
    check_conv_t<7, 6, 2, 24, 3, 3, 1, ugrad::Valid>();
    check_conv_t<9, 8, 5, 40, 2, 3, 2, ugrad::Valid>();
    check_conv_t<6, 5, 5, 48, 2, 3, 1, ugrad::Same>();
    check_conv_t<5, 7, 1, 56, 3, 2, 1, ugrad::Same>();
    check_conv_t<6, 5, 5, 12, 2, 3, 1, ugrad::Same>();
    check_conv_t<1, 30, 4, 32, 1, 5, 1, ugrad::Same>();
    check_conv_t<9, 9, 3, 16, 5, 5, 3, ugrad::Same>();
    check_conv_t<8, 8, 3, 8, 3, 3, 2, ugrad::Valid>();
    check_conv_t<10, 11, 2, 16, 2, 2, 3, ugrad::Valid>();
    check_conv_t<3, 12, 3, 16, 2, 6, 1, ugrad::Same>();
    check_conv_t<4, 4, 1, 8, 4, 4, 1, ugrad::Same>();
    check_conv<49, 10, 1, 64, 10, 4, 2, ugrad::Same>();
    check_conv<12, 12, 3, 8, 3, 3, 2, ugrad::Same>();
    check_conv<8, 8, 16, 16, 3, 3, 1, ugrad::Same>();
    check_conv<7, 6, 2, 24, 3, 3, 1, ugrad::Valid>();
    check_conv<6, 5, 5, 13, 2, 3, 1, ugrad::Same>();
    check_conv<5, 7, 1, 5, 3, 2, 1, ugrad::Same>();
    check_conv<1, 30, 4, 32, 1, 5, 1, ugrad::Same>();
    check_depthwise<25, 5, 64, 3, 3, 1, ugrad::Same>();
    check_depthwise<9, 7, 24, 3, 3, 2, ugrad::Same>();
    check_depthwise<6, 6, 13, 3, 3, 1, ugrad::Valid>();
    check_depthwise<5, 8, 8, 2, 4, 1, ugrad::Same>();
    check_depthwise<4, 3, 3, 3, 3, 1, ugrad::Same>();
    check_depthwise<1, 30, 40, 1, 5, 1, ugrad::Valid>();
    check_depthwise<1, 24, 32, 1, 10, 1, ugrad::Same>();
    check_depthwise<7, 5, 16, 1, 1, 1, ugrad::Valid>();
    check_depthwise_t<25, 5, 64, 3, 3, 1, ugrad::Same>();
    check_depthwise_t<9, 7, 24, 3, 3, 2, ugrad::Same>();
    check_depthwise_t<10, 8, 16, 3, 3, 2, ugrad::Same>();
    check_depthwise_t<6, 6, 13, 3, 3, 1, ugrad::Valid>();
    check_depthwise_t<7, 9, 8, 3, 3, 2, ugrad::Valid>();
    check_depthwise_t<8, 8, 16, 3, 3, 2, ugrad::Valid>();
    check_depthwise_t<11, 10, 8, 2, 2, 3, ugrad::Valid>();
    check_depthwise_t<5, 8, 8, 2, 4, 1, ugrad::Same>();
    check_depthwise_t<4, 3, 3, 3, 3, 1, ugrad::Same>();
    check_depthwise_t<1, 30, 40, 1, 5, 1, ugrad::Valid>();
    check_depthwise_t<1, 24, 32, 1, 10, 1, ugrad::Same>();
    check_depthwise_t<30, 1, 40, 3, 1, 1, ugrad::Valid>();
    check_depthwise_t<15, 1, 128, 15, 1, 1, ugrad::Valid>();
    check_depthwise_t<7, 5, 16, 1, 1, 1, ugrad::Valid>();
    check_depthwise_t<8, 7, 24, 5, 4, 3, ugrad::Same>();
    check_shape<1, 1>();
    check_shape<1, 8>();
    check_shape<2, 3>();
    check_shape<3, 7>();
    check_shape<5, 9>();
    check_shape<7, 16>();
    check_shape<8, 3>();
    check_shape<16, 8>();
    check_shape<9, 17>();
    check_shape<32, 10>();
    check_shape<64, 32>();
    check_shape<33, 37>();
    check_shape<13, 45>();
    check_shape<256, 64>();
    check_shape<128, 10>();
    check_shape<5, 90>();
    check_shape<19, 14>();
    check_shape<11, 100>();
    check_shape<784, 128>();
    // Rows of whole blocks two at a time (1 to 32 blocks, quads and their rest), an odd last row.
    check_shape<1, 32>();
    check_shape<2, 16>();
    check_shape<5, 24>();
    check_shape<4, 40>();
    check_shape<3, 96>();
    check_shape<13, 256>();
    // Every narrow width (M <= 10: one pass of all columns, d held in registers), rows mod 4 and 8.
    check_shape<6, 2>();
    check_shape<13, 4>();
    check_shape<4, 5>();
    check_shape<17, 6>();
    check_shape<3, 10>();
    check_shape<33, 9>();
    // The training loops: every row length mod 8, one to six blocks, skipped rows, odd sizes.
    check_updates<1, 1>();
    check_updates<3, 2>();
    check_updates<5, 3>();
    check_updates<2, 4>();
    check_updates<7, 5>();
    check_updates<4, 6>();
    check_updates<9, 7>();
    check_updates<6, 8>();
    check_updates<32, 10>();
    check_updates<11, 13>();
    check_updates<64, 32>();
    check_updates<13, 33>();
    check_updates<5, 39>();
    check_updates<3, 48>();
    check_updates<17, 50>();
    check_updates<64, 64>();
    hal_write("target_kernels: ");
    hal_write_uint(static_cast<uint64_t>(checks));
    hal_write(failures == 0 ? " comparisons, all bit-identical to ugrad::scalar (the training loops: any NaN for a NaN)\n"
                          : " comparisons, MISMATCHES\n");
    return failures == 0 ? 0 : 1;
}
