// SPDX-License-Identifier: Apache-2.0
// ugrad/armv7em_vfp/depthwise.hpp — a depthwise convolution's forward and input gradient for the
// Armv7E-M single-precision VFP (FPv4-SP: Cortex-M4F, and the M7, M33, M55 with the same
// instructions and registers s0-s31), in inline assembly. The forward first; the input gradient
// (the transposed convolution) below it, with its own shapes.
//
// Picked by include/ugrad/kernels.hpp beside ugrad/armv7em_vfp/kernels.hpp, for the same cores and
// with no flag from the user (UGRAD_HAS_TARGET_DEPTHWISE); -DUGRAD_PORTABLE_KERNELS=1 turns it off.
// include/ugrad/layers/depthwise_conv2d.hpp calls it for each output pixel and each block of 16 (or
// 8) channels. Same bits as that file's portable loop, detail::depthwise_channels:
//   - each output r[c] is formed from b[c], then one term x·w per tap inside the input, in the
//     order ky, then kx — the portable loop's order, term for term;
//   - VMLA.F32 Sd, Sn, Sm is Sd + (Sn·Sm) with the product rounded first: two roundings, as the C
//     expression acc + x·w with -ffp-contract=off (VFMA would be the fused one).
// tests/target/kernels_vs_scalar.cpp checks it against the portable loop on each such core, and
// the golden vectors' depthwise cases (tests/golden/golden_conv.cpp) hash the same on every core.
//
// Shapes, for one output pixel and channels c0 .. c0+L−1 (L = 16 or 8 lanes):
//   x [H][W][C]   w [KH][KW][C]   b [C]   r [C]     (HWC)
//   s_k = b[c0+k];  for ky in [ky0, ky1), kx in [kx0, kx1):  s_k = s_k + x[iy][ix][c0+k]·w[ky][kx][c0+k]
// The taps of one kernel row read consecutive input pixels, so both x and w step by C floats from
// tap to tap; a tap's L values are one or two VLDM of eight. Registers: s0-s15 the sums, s16-s23
// x, s24-s31 w; all declared clobbered (the compiler saves the callee-saved s16-s31).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace ugrad {
namespace target {

// Kernel rows of at most this many taps are written out tap by tap; wider rows (a depthwise
// convolution along time with a kernel of 5 to 15 taps) run one loop pass per tap.
constexpr size_t depthwise_unrolled_taps = 4;

#define UGRAD_VFP_DW_CLOBBERS                                                                                      \
    "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12", "s13", "s14", "s15", "s16",   \
        "s17", "s18", "s19", "s20", "s21", "s22", "s23", "s24", "s25", "s26", "s27", "s28", "s29", "s30", "s31", \
        "cc", "memory"

// One tap's L lanes: eight x in s16-s23 and eight w in s24-s31 per half, s_k = s_k + x_k·w_k.
// x and w advance by the L values read.
#define UGRAD_VFP_DW_TAP                 \
    "vldmia    %[x]!, {s16-s23}\n\t"     \
    "vldmia    %[w]!, {s24-s31}\n\t"     \
    "vmla.f32  s0, s16, s24\n\t"         \
    "vmla.f32  s1, s17, s25\n\t"         \
    "vmla.f32  s2, s18, s26\n\t"         \
    "vmla.f32  s3, s19, s27\n\t"         \
    "vmla.f32  s4, s20, s28\n\t"         \
    "vmla.f32  s5, s21, s29\n\t"         \
    "vmla.f32  s6, s22, s30\n\t"         \
    "vmla.f32  s7, s23, s31\n\t"         \
    ".if %c[lanes] == 16\n\t"            \
    "vldmia    %[x]!, {s16-s23}\n\t"     \
    "vldmia    %[w]!, {s24-s31}\n\t"     \
    "vmla.f32  s8, s16, s24\n\t"         \
    "vmla.f32  s9, s17, s25\n\t"         \
    "vmla.f32  s10, s18, s26\n\t"        \
    "vmla.f32  s11, s19, s27\n\t"        \
    "vmla.f32  s12, s20, s28\n\t"        \
    "vmla.f32  s13, s21, s29\n\t"        \
    "vmla.f32  s14, s22, s30\n\t"        \
    "vmla.f32  s15, s23, s31\n\t"        \
    ".endif\n\t"

// Tap K of a kernel row written out (Taps of them, Taps <= 4): the tap, then the step to the next
// tap's channel c0 (C − L floats further), which the row's last tap leaves to the row step.
#define UGRAD_VFP_DW_ROW_TAP(K)                     \
    ".if " #K " < %c[taps]\n\t"                     \
    UGRAD_VFP_DW_TAP                                \
    ".if " #K " + 1 < %c[taps]\n\t"                 \
    "add       %[x], %[x], %[tap_skip]\n\t"         \
    "add       %[w], %[w], %[tap_skip]\n\t"         \
    ".endif\n\t"                                    \
    ".endif\n\t"

// Lanes L = 16 or 8 channels of one output pixel: r[0..L) = b[0..L) + the taps, rows of the window
// (`rows` of them, at least one) times Taps taps per row (Taps = 0: `taps` taps, a loop pass each).
// x and w point at the first tap's channel c0; from the end of a row, x_row_skip and w_row_skip
// bytes reach the next row's first tap.
template <size_t Taps, size_t Lanes>
inline void depthwise_lanes(const float* x, const float* w, const float* b, float* r, uint32_t rows, uint32_t taps,
                            uint32_t tap_skip, uint32_t x_row_skip, uint32_t w_row_skip) noexcept {
    static_assert(Lanes == 8 || Lanes == 16, "a block of 8 or 16 channels");
    static_assert(Taps <= depthwise_unrolled_taps, "rows of up to four taps are written out");
    uint32_t n = 0;
    __asm__ volatile(
        ".if %c[lanes] == 16\n\t"
        "vldm      %[b], {s0-s15}\n\t"
        ".else\n\t"
        "vldm      %[b], {s0-s7}\n\t"
        ".endif\n"
        "1:\n\t"
        ".if %c[taps] == 0\n\t"
        "mov       %[n], %[loop_taps]\n"
        "2:\n\t"
        UGRAD_VFP_DW_TAP
        "add       %[x], %[x], %[tap_skip]\n\t"
        "add       %[w], %[w], %[tap_skip]\n\t"
        "subs      %[n], %[n], #1\n\t"
        "bne       2b\n\t"
        ".else\n\t"
        UGRAD_VFP_DW_ROW_TAP(0) UGRAD_VFP_DW_ROW_TAP(1) UGRAD_VFP_DW_ROW_TAP(2) UGRAD_VFP_DW_ROW_TAP(3)
        ".endif\n\t"
        "add       %[x], %[x], %[x_row_skip]\n\t"
        "add       %[w], %[w], %[w_row_skip]\n\t"
        "subs      %[rows], %[rows], #1\n\t"
        "bne       1b\n\t"
        ".if %c[lanes] == 16\n\t"
        "vstm      %[r], {s0-s15}\n\t"
        ".else\n\t"
        "vstm      %[r], {s0-s7}\n\t"
        ".endif\n\t"
        : [x] "+r"(x), [w] "+r"(w), [rows] "+r"(rows), [n] "=&r"(n)
        : [b] "r"(b), [r] "r"(r), [loop_taps] "r"(taps), [tap_skip] "r"(tap_skip), [x_row_skip] "r"(x_row_skip),
          [w_row_skip] "r"(w_row_skip), [taps] "i"(Taps), [lanes] "i"(Lanes)
        : UGRAD_VFP_DW_CLOBBERS);
}

#undef UGRAD_VFP_DW_ROW_TAP
#undef UGRAD_VFP_DW_TAP
#undef UGRAD_VFP_DW_CLOBBERS

// Channels c0 .. c0+Lanes−1 of one output pixel whose window has `rows` rows of `taps` taps inside
// the input: x at the first tap's pixel and channel c0, w at that tap's weights for c0. C channels,
// an input row of W pixels, a kernel row of KW taps.
template <size_t C, size_t W, size_t KW, size_t Lanes>
inline void depthwise_window(const float* x, const float* w, const float* b, float* r, size_t rows,
                             size_t taps) noexcept {
    constexpr uint32_t tap_skip = static_cast<uint32_t>((C - Lanes) * sizeof(float));
    // From the end of a row: a written-out row has not taken its last tap's skip, a looped one has.
    const size_t unskipped = taps <= depthwise_unrolled_taps ? (C - Lanes) * sizeof(float) : 0;
    const size_t read = taps * C * sizeof(float) - unskipped;  // bytes from a row's first tap to its end
    const uint32_t x_row_skip = static_cast<uint32_t>(W * C * sizeof(float) - read);
    const uint32_t w_row_skip = static_cast<uint32_t>(KW * C * sizeof(float) - read);
    const uint32_t n = static_cast<uint32_t>(rows), t = static_cast<uint32_t>(taps);
    switch (taps) {
        case 1: depthwise_lanes<1, Lanes>(x, w, b, r, n, t, tap_skip, x_row_skip, w_row_skip); return;
        case 2: depthwise_lanes<2, Lanes>(x, w, b, r, n, t, tap_skip, x_row_skip, w_row_skip); return;
        case 3: depthwise_lanes<3, Lanes>(x, w, b, r, n, t, tap_skip, x_row_skip, w_row_skip); return;
        case 4: depthwise_lanes<4, Lanes>(x, w, b, r, n, t, tap_skip, x_row_skip, w_row_skip); return;
        default: depthwise_lanes<0, Lanes>(x, w, b, r, n, t, tap_skip, x_row_skip, w_row_skip); return;
    }
}

// ---------------------------------------------------------------------------------------------
// The input gradient: the same per-channel convolution transposed. Same bits as
// include/ugrad/layers/depthwise_conv2d.hpp's portable loop (layer_backward_input), term for term.
//
// Shapes, for one input pixel (iy, ix) and channels c0 .. c0+L−1 (L = 16 or 8 lanes):
//   dr [OH][OW][C]   w [KH][KW][C]   dx [H][W][C]     (HWC)
//   s_k = +0;  for ky = ky0, ky0+S_h, ... (rows of them), kx = kx0, kx0+S_w, ... (taps of them):
//              s_k = s_k + dr[oy][ox][c0+k]·w[ky][kx][c0+k]      oy = oy0 − (ky − ky0)/S_h,
//                                                                ox = ox0 − (kx − kx0)/S_w
// (the taps whose window reads the pixel, ky then kx ascending: as ky grows by the stride the
// window's row oy falls by one, so dr steps back by C floats from tap to tap and by OW·C from row to
// row, while w steps forward by S_w·C and S_h·KW·C). Registers as the forward's: s0-s15 the sums,
// s16-s23 dr, s24-s31 w.

// Sixteen +0.0f, loaded in one VLDM to start the sums at +0 as the portable loop does.
alignas(8) inline constexpr float depthwise_zeros[16] = {};

#define UGRAD_VFP_DWT_CLOBBERS                                                                                     \
    "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12", "s13", "s14", "s15", "s16",   \
        "s17", "s18", "s19", "s20", "s21", "s22", "s23", "s24", "s25", "s26", "s27", "s28", "s29", "s30", "s31", \
        "cc", "memory"

// One tap's L lanes: eight dr in s16-s23 and eight w in s24-s31 per half, s_k = s_k + dr_k·w_k,
// then the steps to the next tap (g_tap_skip and w_tap_skip bytes from the end of what was read).
#define UGRAD_VFP_DWT_TAP                    \
    "vldmia    %[g]!, {s16-s23}\n\t"         \
    "vldmia    %[w]!, {s24-s31}\n\t"         \
    "vmla.f32  s0, s16, s24\n\t"             \
    "vmla.f32  s1, s17, s25\n\t"             \
    "vmla.f32  s2, s18, s26\n\t"             \
    "vmla.f32  s3, s19, s27\n\t"             \
    "vmla.f32  s4, s20, s28\n\t"             \
    "vmla.f32  s5, s21, s29\n\t"             \
    "vmla.f32  s6, s22, s30\n\t"             \
    "vmla.f32  s7, s23, s31\n\t"             \
    ".if %c[lanes] == 16\n\t"                \
    "vldmia    %[g]!, {s16-s23}\n\t"         \
    "vldmia    %[w]!, {s24-s31}\n\t"         \
    "vmla.f32  s8, s16, s24\n\t"             \
    "vmla.f32  s9, s17, s25\n\t"             \
    "vmla.f32  s10, s18, s26\n\t"            \
    "vmla.f32  s11, s19, s27\n\t"            \
    "vmla.f32  s12, s20, s28\n\t"            \
    "vmla.f32  s13, s21, s29\n\t"            \
    "vmla.f32  s14, s22, s30\n\t"            \
    "vmla.f32  s15, s23, s31\n\t"            \
    ".endif\n\t"                             \
    "add       %[g], %[g], %[g_tap_skip]\n\t" \
    "add       %[w], %[w], %[w_tap_skip]\n\t"

#define UGRAD_VFP_DWT_ROW_TAP(K) ".if " #K " < %c[taps]\n\t" UGRAD_VFP_DWT_TAP ".endif\n\t"

// Lanes L = 16 or 8 channels of one input pixel: d[0..L) = +0 + the taps, `rows` rows (at least
// one) of Taps taps (Taps = 0: `taps` taps, a loop pass each). g and w point at the first tap's
// channel c0; the skips are byte steps from the end of a tap's reads (tap) and from the end of a
// row's last tap step (row), negative ones as their two's complement.
template <size_t Taps, size_t Lanes>
__attribute__((always_inline)) inline void depthwise_t_lanes(const float* g, const float* w, float* d, uint32_t rows, uint32_t taps,
                              uint32_t g_tap_skip, uint32_t w_tap_skip, uint32_t g_row_skip,
                              uint32_t w_row_skip) noexcept {
    static_assert(Lanes == 8 || Lanes == 16, "a block of 8 or 16 channels");
    static_assert(Taps <= depthwise_unrolled_taps, "rows of up to four taps are written out");
    uint32_t n = 0;
    __asm__ volatile(
        ".if %c[lanes] == 16\n\t"
        "vldm      %[zero], {s0-s15}\n\t"
        ".else\n\t"
        "vldm      %[zero], {s0-s7}\n\t"
        ".endif\n"
        "1:\n\t"
        ".if %c[taps] == 0\n\t"
        "mov       %[n], %[loop_taps]\n"
        "2:\n\t"
        UGRAD_VFP_DWT_TAP
        "subs      %[n], %[n], #1\n\t"
        "bne       2b\n\t"
        ".else\n\t"
        UGRAD_VFP_DWT_ROW_TAP(0) UGRAD_VFP_DWT_ROW_TAP(1) UGRAD_VFP_DWT_ROW_TAP(2) UGRAD_VFP_DWT_ROW_TAP(3)
        ".endif\n\t"
        "add       %[g], %[g], %[g_row_skip]\n\t"
        "add       %[w], %[w], %[w_row_skip]\n\t"
        "subs      %[rows], %[rows], #1\n\t"
        "bne       1b\n\t"
        ".if %c[lanes] == 16\n\t"
        "vstm      %[d], {s0-s15}\n\t"
        ".else\n\t"
        "vstm      %[d], {s0-s7}\n\t"
        ".endif\n\t"
        : [g] "+r"(g), [w] "+r"(w), [rows] "+r"(rows), [n] "=&r"(n)
        : [zero] "r"(depthwise_zeros), [d] "r"(d), [loop_taps] "r"(taps), [g_tap_skip] "r"(g_tap_skip),
          [w_tap_skip] "r"(w_tap_skip), [g_row_skip] "r"(g_row_skip), [w_row_skip] "r"(w_row_skip),
          [taps] "i"(Taps), [lanes] "i"(Lanes)
        : UGRAD_VFP_DWT_CLOBBERS);
}

#undef UGRAD_VFP_DWT_ROW_TAP
#undef UGRAD_VFP_DWT_TAP
#undef UGRAD_VFP_DWT_CLOBBERS

// Channels c0 .. c0+Lanes−1 of one input pixel read by `rows` × `taps` taps (both at least one; rows
// of 1-4 taps written out, except when built for size):
// g at dr[oy0][ox0][c0], the first tap's window, w at w[ky0][kx0][c0]. C channels, an output row of
// OW pixels, a kernel row of KW taps, strides SH and SW.
template <size_t C, size_t OW, size_t KW, size_t SH, size_t SW, size_t Lanes>
inline void depthwise_t_window(const float* g, const float* w, float* d, size_t rows, size_t taps) noexcept {
    constexpr size_t f = sizeof(float);
    // From tap to tap: dr back by one output pixel, w on by SW taps (each after the Lanes read).
    constexpr uint32_t g_tap_skip = static_cast<uint32_t>(0) - static_cast<uint32_t>((C + Lanes) * f);
    constexpr uint32_t w_tap_skip = static_cast<uint32_t>((SW * C - Lanes) * f);
    // From row to row (after `taps` tap steps): dr back by one output row, w on by SH kernel rows.
    const uint32_t g_row_skip = static_cast<uint32_t>(taps * C * f) - static_cast<uint32_t>(OW * C * f);
    const uint32_t w_row_skip = static_cast<uint32_t>((SH * KW * C - taps * SW * C) * f);
    const uint32_t n = static_cast<uint32_t>(rows), t = static_cast<uint32_t>(taps);
    if constexpr (UGRAD_COMPACT_KERNELS) {  // built for size: one looped copy for every row length
        depthwise_t_lanes<0, Lanes>(g, w, d, n, t, g_tap_skip, w_tap_skip, g_row_skip, w_row_skip);
        return;
    }
    switch (taps) {
        case 1: depthwise_t_lanes<1, Lanes>(g, w, d, n, t, g_tap_skip, w_tap_skip, g_row_skip, w_row_skip); return;
        case 2: depthwise_t_lanes<2, Lanes>(g, w, d, n, t, g_tap_skip, w_tap_skip, g_row_skip, w_row_skip); return;
        case 3: depthwise_t_lanes<3, Lanes>(g, w, d, n, t, g_tap_skip, w_tap_skip, g_row_skip, w_row_skip); return;
        case 4: depthwise_t_lanes<4, Lanes>(g, w, d, n, t, g_tap_skip, w_tap_skip, g_row_skip, w_row_skip); return;
        default: depthwise_t_lanes<0, Lanes>(g, w, d, n, t, g_tap_skip, w_tap_skip, g_row_skip, w_row_skip); return;
    }
}

}  // namespace target
}  // namespace ugrad
