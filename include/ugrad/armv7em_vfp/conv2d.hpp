// SPDX-License-Identifier: Apache-2.0
// ugrad/armv7em_vfp/conv2d.hpp — a convolution's forward and input gradient, kernels larger than
// 1×1, for the Armv7E-M single-precision VFP (FPv4-SP: Cortex-M4F, and the M7, M33, M55 with the
// same instructions and registers s0-s31), in inline assembly. The forward first; the input
// gradient (the transposed convolution) below it, with its own shapes.
//
// Picked by include/ugrad/kernels.hpp beside ugrad/armv7em_vfp/kernels.hpp, for the same cores and
// with no flag from the user (UGRAD_HAS_TARGET_CONV); -DUGRAD_PORTABLE_KERNELS=1 turns it off.
// include/ugrad/layers/conv2d.hpp calls it for each output pixel and each block of 16 (or 8)
// filters. Same bits as that file's portable loop, detail::conv2d_filters:
//   - each output r[f] is formed from b[f], then one term x·w per tap inside the input and
//     channel, in the order ky, then kx, then c — the portable loop's order, term for term;
//   - VMLA.F32 Sd, Sn, Sm is Sd + (Sn·Sm) with the product rounded first: two roundings, as the C
//     expression acc + x·w with -ffp-contract=off (VFMA would be the fused one).
// tests/target/kernels_vs_scalar.cpp checks it against the portable loop on each such core, and
// the golden vectors' convolution cases (tests/golden/golden_conv.cpp) hash the same on every core.
//
// Shapes, for one output pixel and filters j0 .. j0+L−1 (L = 16 or 8 lanes):
//   x [H][W][C]   w [KH][KW][C][F]   b [F]   r [F]     (HWC)
//   s_k = b[j0+k];  for ky in [ky0, ky1), for i in [0, (kx1−kx0)·C):
//                   s_k = s_k + x[iy][ix0·C + i]·w[ky][kx0][i][j0+k]
// (the taps of one kernel row read consecutive input pixels, so a row's terms are one run of
// (kx1 − kx0)·C inputs against as many rows of F weights: a dense layer's terms). Registers:
// s0-s15 the sums, s16-s23 inputs, s24-s31 eight weights; all declared clobbered (the compiler
// saves the callee-saved s16-s31).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/armv7em_vfp/kernels.hpp>  // zero_lanes

namespace ugrad {
namespace target {

// Kernel rows of at most this many terms (taps × channels) are written out, their inputs loaded by
// one VLDM; longer rows run four terms per loop pass, then one.
constexpr size_t conv_unrolled_terms = 8;

#define UGRAD_VFP_CONV_CLOBBERS                                                                                    \
    "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12", "s13", "s14", "s15", "s16",   \
        "s17", "s18", "s19", "s20", "s21", "s22", "s23", "s24", "s25", "s26", "s27", "s28", "s29", "s30", "s31", \
        "cc", "memory"

// One term, the input in s<X>: the L weights of its row, eight at a time in s24-s31, and
// s_k = s_k + x·w_k. w advances by the L weights read.
#define UGRAD_VFP_CONV_TERM(X)           \
    "vldmia    %[w]!, {s24-s31}\n\t"     \
    "vmla.f32  s0, s" #X ", s24\n\t"     \
    "vmla.f32  s1, s" #X ", s25\n\t"     \
    "vmla.f32  s2, s" #X ", s26\n\t"     \
    "vmla.f32  s3, s" #X ", s27\n\t"     \
    "vmla.f32  s4, s" #X ", s28\n\t"     \
    "vmla.f32  s5, s" #X ", s29\n\t"     \
    "vmla.f32  s6, s" #X ", s30\n\t"     \
    "vmla.f32  s7, s" #X ", s31\n\t"     \
    ".if %c[lanes] == 16\n\t"            \
    "vldmia    %[w]!, {s24-s31}\n\t"     \
    "vmla.f32  s8, s" #X ", s24\n\t"     \
    "vmla.f32  s9, s" #X ", s25\n\t"     \
    "vmla.f32  s10, s" #X ", s26\n\t"    \
    "vmla.f32  s11, s" #X ", s27\n\t"    \
    "vmla.f32  s12, s" #X ", s28\n\t"    \
    "vmla.f32  s13, s" #X ", s29\n\t"    \
    "vmla.f32  s14, s" #X ", s30\n\t"    \
    "vmla.f32  s15, s" #X ", s31\n\t"    \
    ".endif\n\t"

// Term K of a written-out row (its input in s(16+K)), then the step to the next term's weights
// (F − L floats further), which the row's last term leaves to the row step.
#define UGRAD_VFP_CONV_ROW_TERM(K, X)               \
    ".if " #K " < %c[terms]\n\t"                    \
    UGRAD_VFP_CONV_TERM(X)                          \
    ".if " #K " + 1 < %c[terms]\n\t"                \
    "add       %[w], %[w], %[term_skip]\n\t"        \
    ".endif\n\t"                                    \
    ".endif\n\t"

// A looped term: the term, then the step to the next term's weights.
#define UGRAD_VFP_CONV_LOOP_TERM(X) UGRAD_VFP_CONV_TERM(X) "add       %[w], %[w], %[term_skip]\n\t"

// Lanes L = 16 or 8 filters of one output pixel: r[0..L) = b[0..L) + the terms, `rows` rows (at
// least one) of Terms terms (Terms = 0: `fours` passes of four terms, then `ones` of one). x points
// at the first row's first input, w at its weights for filter j0; from the end of a row,
// x_row_skip and w_row_skip bytes reach the next row's.
template <size_t Terms, size_t Lanes>
inline void conv_lanes(const float* x, const float* w, const float* b, float* r, uint32_t rows, uint32_t fours,
                       uint32_t ones, uint32_t term_skip, uint32_t x_row_skip, uint32_t w_row_skip) noexcept {
    static_assert(Lanes == 8 || Lanes == 16, "a block of 8 or 16 filters");
    static_assert(Terms <= conv_unrolled_terms, "rows of up to eight terms are written out");
    uint32_t n = 0;
    __asm__ volatile(
        ".if %c[lanes] == 16\n\t"
        "vldm      %[b], {s0-s15}\n\t"
        ".else\n\t"
        "vldm      %[b], {s0-s7}\n\t"
        ".endif\n"
        "1:\n\t"
        ".if %c[terms] == 0\n\t"
        "movs      %[n], %[fours]\n\t"
        "beq       3f\n"
        "2:\n\t"
        "vldmia    %[x]!, {s16-s19}\n\t"
        UGRAD_VFP_CONV_LOOP_TERM(16) UGRAD_VFP_CONV_LOOP_TERM(17) UGRAD_VFP_CONV_LOOP_TERM(18)
        UGRAD_VFP_CONV_LOOP_TERM(19)
        "subs      %[n], %[n], #1\n\t"
        "bne       2b\n"
        "3:\n\t"
        "movs      %[n], %[ones]\n\t"
        "beq       5f\n"
        "4:\n\t"
        "vldmia    %[x]!, {s16}\n\t"
        UGRAD_VFP_CONV_LOOP_TERM(16)
        "subs      %[n], %[n], #1\n\t"
        "bne       4b\n"
        "5:\n\t"
        ".else\n\t"
        ".if %c[terms] == 1\n\t"
        "vldmia    %[x]!, {s16}\n\t"
        ".else\n\t"
        "vldmia    %[x]!, {s16-s%c[last_x]}\n\t"
        ".endif\n\t"
        UGRAD_VFP_CONV_ROW_TERM(0, 16) UGRAD_VFP_CONV_ROW_TERM(1, 17) UGRAD_VFP_CONV_ROW_TERM(2, 18)
        UGRAD_VFP_CONV_ROW_TERM(3, 19) UGRAD_VFP_CONV_ROW_TERM(4, 20) UGRAD_VFP_CONV_ROW_TERM(5, 21)
        UGRAD_VFP_CONV_ROW_TERM(6, 22) UGRAD_VFP_CONV_ROW_TERM(7, 23)
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
        : [b] "r"(b), [r] "r"(r), [fours] "r"(fours), [ones] "r"(ones), [term_skip] "r"(term_skip),
          [x_row_skip] "r"(x_row_skip), [w_row_skip] "r"(w_row_skip), [terms] "i"(Terms), [lanes] "i"(Lanes),
          [last_x] "i"(Terms + 15)
        : UGRAD_VFP_CONV_CLOBBERS);
}

#undef UGRAD_VFP_CONV_LOOP_TERM
#undef UGRAD_VFP_CONV_ROW_TERM
#undef UGRAD_VFP_CONV_TERM
#undef UGRAD_VFP_CONV_CLOBBERS

// The rows of Taps taps (C·Taps terms each), written out if that is at most eight terms.
template <size_t C, size_t W, size_t KW, size_t F, size_t Lanes, size_t Taps>
inline void conv_rows(const float* x, const float* w, const float* b, float* r, size_t rows) noexcept {
    constexpr size_t terms = Taps * C;
    constexpr bool written_out = terms <= conv_unrolled_terms;
    constexpr uint32_t term_skip = static_cast<uint32_t>((F - Lanes) * sizeof(float));
    // A written-out row has not taken its last term's skip; a looped one has.
    constexpr size_t w_read = terms * F * sizeof(float) - (written_out ? (F - Lanes) * sizeof(float) : 0);
    constexpr uint32_t x_row_skip = static_cast<uint32_t>((W * C - terms) * sizeof(float));
    constexpr uint32_t w_row_skip = static_cast<uint32_t>(KW * C * F * sizeof(float) - w_read);
    conv_lanes<(written_out ? terms : 0), Lanes>(x, w, b, r, static_cast<uint32_t>(rows),
                                                 static_cast<uint32_t>(terms / 4), static_cast<uint32_t>(terms % 4),
                                                 term_skip, x_row_skip, w_row_skip);
}

// Filters j0 .. j0+Lanes−1 of one output pixel whose window has `rows` rows of `taps` taps inside
// the input (both at least one, taps <= KW): x at the first tap's first channel, w at
// W[ky0][kx0][0][j0]. C channels, an input row of W pixels, a kernel row of KW taps, F filters.
template <size_t C, size_t W, size_t KW, size_t F, size_t Lanes, size_t Taps = KW>
inline void conv_window(const float* x, const float* w, const float* b, float* r, size_t rows, size_t taps) noexcept {
    if constexpr (Taps > 1) {
        if (taps != Taps) {
            conv_window<C, W, KW, F, Lanes, Taps - 1>(x, w, b, r, rows, taps);
            return;
        }
    }
    conv_rows<C, W, KW, F, Lanes, Taps>(x, w, b, r, rows);
}

// ---------------------------------------------------------------------------------------------
// The input gradient, a kernel larger than 1×1 with F a multiple of 8 up to 64: the transposed
// convolution. Same bits as include/ugrad/layers/conv2d.hpp's portable loop
// (detail::conv2d_t_channel), term for term.
//
// Shapes, for one input pixel (iy, ix) and channel c (two channels c, c+1 at once):
//   dr [OH][OW][F]   w [KH][KW][C][F]   dx [H][W][C]     (HWC)
//   lane_k = +0;  for ky = ky0, ky0+S_h, ... (rows of them), kx = kx0, kx0+S_w, ... (taps of them),
//                 for each block b = 0 .. F/8 − 1:  lane_k = lane_k + dr[oy][ox][8b+k]·w[ky][kx][c][8b+k]
//                 (oy = oy0 − (ky − ky0)/S_h, ox = ox0 − (kx − kx0)/S_w: the windows that read the pixel)
//   dx[iy][ix][c] = ((lane_0 + lane_1) + (lane_2 + lane_3)) + ((lane_4 + lane_5) + (lane_6 + lane_7))
// From tap to tap dr steps back by F floats (one output pixel) and w on by S_w·C·F; from row to row
// dr back by OW·F, w on by S_h·KW·C·F. Registers: s0-s7 channel c's lanes, s8-s15 channel c+1's,
// s16-s23 eight dr (loaded once for both channels), s24-s31 eight w; all declared clobbered (the
// compiler saves the callee-saved s16-s31).

// Rows of up to 64 filters are written out (eight blocks of eight); wider ones run the portable loop.
constexpr size_t conv_t_max_filters = 64;

#define UGRAD_VFP_CONVT_CLOBBERS                                                                                   \
    "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12", "s13", "s14", "s15", "s16",   \
        "s17", "s18", "s19", "s20", "s21", "s22", "s23", "s24", "s25", "s26", "s27", "s28", "s29", "s30", "s31", \
        "cc", "memory"

// Block b of a tap, if there is one: s16-s23 = dr's eight, s24-s31 = channel c's eight weights,
// lanes s0-s7 += their products; with two channels, s24-s31 = channel c+1's, lanes s8-s15 likewise.
#define UGRAD_VFP_CONVT_BLOCK(B)             \
    ".if " #B " < %c[blocks]\n\t"            \
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
    ".if %c[pair]\n\t"                       \
    "vldmia    %[wb]!, {s24-s31}\n\t"        \
    "vmla.f32  s8, s16, s24\n\t"             \
    "vmla.f32  s9, s17, s25\n\t"             \
    "vmla.f32  s10, s18, s26\n\t"            \
    "vmla.f32  s11, s19, s27\n\t"            \
    "vmla.f32  s12, s20, s28\n\t"            \
    "vmla.f32  s13, s21, s29\n\t"            \
    "vmla.f32  s14, s22, s30\n\t"            \
    "vmla.f32  s15, s23, s31\n\t"            \
    ".endif\n\t"                             \
    ".endif\n\t"

// One tap: its blocks, then the steps to the next tap (dr back by 2F floats from the end of what
// was read, w on by w_tap_skip bytes).
#define UGRAD_VFP_CONVT_TAP                                                                      \
    UGRAD_VFP_CONVT_BLOCK(0) UGRAD_VFP_CONVT_BLOCK(1) UGRAD_VFP_CONVT_BLOCK(2) UGRAD_VFP_CONVT_BLOCK(3) \
    UGRAD_VFP_CONVT_BLOCK(4) UGRAD_VFP_CONVT_BLOCK(5) UGRAD_VFP_CONVT_BLOCK(6) UGRAD_VFP_CONVT_BLOCK(7) \
    "sub       %[g], %[g], #%c[g_back]\n\t"                                                     \
    "add       %[w], %[w], %[w_tap_skip]\n\t"                                                   \
    ".if %c[pair]\n\t"                                                                          \
    "add       %[wb], %[wb], %[w_tap_skip]\n\t"                                                 \
    ".endif\n\t"
#define UGRAD_VFP_CONVT_ROW_TAP(K) ".if " #K " < %c[taps]\n\t" UGRAD_VFP_CONVT_TAP ".endif\n\t"

// The lanes of one channel (Pair: two, c and c+1) of one input pixel over `rows` rows (at least
// one) of Taps taps (Taps = 0: `taps` taps, a loop pass each), then the tree into d[0] (and d[1]).
// g at dr[oy0][ox0][0], w at w[ky0][kx0][c][0]; F = 8·Blocks; the row skips are byte steps from the
// end of a row's last tap step, negative ones as their two's complement.
template <size_t Taps, size_t Blocks, bool Pair>
__attribute__((always_inline)) inline void conv_t_channels(const float* g, const float* w, float* d, uint32_t rows,
                                                           uint32_t taps, uint32_t w_tap_skip, uint32_t g_row_skip,
                                                           uint32_t w_row_skip) noexcept {
    static_assert(Blocks >= 1 && Blocks <= conv_t_max_filters / 8, "one to eight blocks of eight filters");
    static_assert(Taps <= 4, "rows of up to four taps are written out");
    const float* wb = nullptr;  // channel c+1's weights (an output: no register shared with an input)
    uint32_t t = 0;
    __asm__ volatile(
        ".if %c[pair]\n\t"
        "vldm      %[zero], {s0-s15}\n\t"
        "add       %[wb], %[w], #%c[row_bytes]\n\t"
        ".else\n\t"
        "vldm      %[zero], {s0-s7}\n\t"
        ".endif\n"
        "1:\n\t"
        ".if %c[taps] == 0\n\t"
        "mov       %[t], %[loop_taps]\n"
        "2:\n\t"
        UGRAD_VFP_CONVT_TAP
        "subs      %[t], %[t], #1\n\t"
        "bne       2b\n\t"
        ".else\n\t"
        UGRAD_VFP_CONVT_ROW_TAP(0) UGRAD_VFP_CONVT_ROW_TAP(1) UGRAD_VFP_CONVT_ROW_TAP(2) UGRAD_VFP_CONVT_ROW_TAP(3)
        ".endif\n\t"
        "add       %[g], %[g], %[g_row_skip]\n\t"
        "add       %[w], %[w], %[w_row_skip]\n\t"
        ".if %c[pair]\n\t"
        "add       %[wb], %[wb], %[w_row_skip]\n\t"
        ".endif\n\t"
        "subs      %[rows], %[rows], #1\n\t"
        "bne       1b\n\t"
        "vadd.f32  s0, s0, s1\n\t"
        "vadd.f32  s2, s2, s3\n\t"
        "vadd.f32  s4, s4, s5\n\t"
        "vadd.f32  s6, s6, s7\n\t"
        "vadd.f32  s0, s0, s2\n\t"
        "vadd.f32  s4, s4, s6\n\t"
        "vadd.f32  s0, s0, s4\n\t"
        ".if %c[pair]\n\t"
        "vadd.f32  s8, s8, s9\n\t"
        "vadd.f32  s10, s10, s11\n\t"
        "vadd.f32  s12, s12, s13\n\t"
        "vadd.f32  s14, s14, s15\n\t"
        "vadd.f32  s8, s8, s10\n\t"
        "vadd.f32  s12, s12, s14\n\t"
        "vadd.f32  s8, s8, s12\n\t"
        "vmov      s1, s8\n\t"
        "vstm      %[d], {s0-s1}\n\t"
        ".else\n\t"
        "vstr      s0, [%[d]]\n\t"
        ".endif\n\t"
        : [g] "+r"(g), [w] "+r"(w), [wb] "=&r"(wb), [rows] "+r"(rows), [t] "=&r"(t)
        : [d] "r"(d), [zero] "r"(zero_lanes), [loop_taps] "r"(taps), [w_tap_skip] "r"(w_tap_skip),
          [g_row_skip] "r"(g_row_skip), [w_row_skip] "r"(w_row_skip), [taps] "i"(Taps), [blocks] "i"(Blocks),
          [pair] "i"(Pair ? 1 : 0), [row_bytes] "i"(Blocks * 8 * sizeof(float)),
          [g_back] "i"(2 * Blocks * 8 * sizeof(float))
        : UGRAD_VFP_CONVT_CLOBBERS);
}

#undef UGRAD_VFP_CONVT_ROW_TAP
#undef UGRAD_VFP_CONVT_TAP
#undef UGRAD_VFP_CONVT_BLOCK
#undef UGRAD_VFP_CONVT_CLOBBERS

// Every channel of one input pixel read by `rows` × `taps` taps (both at least one): two channels
// at a time, then the last odd one; rows of 1-4 taps written out, except when built for size. g at dr[oy0][ox0][0], w at w[ky0][kx0][0][0], d at dx[iy][ix][0].
// C channels, F filters, an output row of OW pixels, a kernel row of KW taps, strides SH and SW.
template <size_t C, size_t F, size_t OW, size_t KW, size_t SH, size_t SW, size_t Taps>
__attribute__((always_inline)) inline void conv_t_pixel_taps(const float* g, const float* w, float* d, size_t rows,
                                                             size_t taps) noexcept {
    constexpr size_t f = sizeof(float), B = F / 8;
    constexpr uint32_t w_tap_skip = static_cast<uint32_t>((SW * C * F - F) * f);
    const uint32_t g_row_skip = static_cast<uint32_t>(taps * F * f) - static_cast<uint32_t>(OW * F * f);
    const uint32_t w_row_skip = static_cast<uint32_t>((SH * KW * C * F - taps * SW * C * F) * f);
    const uint32_t n = static_cast<uint32_t>(rows), t = static_cast<uint32_t>(taps);
    size_t c = 0;
    for (; c + 2 <= C; c += 2) conv_t_channels<Taps, B, true>(g, w + c * F, d + c, n, t, w_tap_skip, g_row_skip, w_row_skip);
    if constexpr (C % 2 != 0) conv_t_channels<Taps, B, false>(g, w + c * F, d + c, n, t, w_tap_skip, g_row_skip, w_row_skip);
}
template <size_t C, size_t F, size_t OW, size_t KW, size_t SH, size_t SW>
inline void conv_t_pixel(const float* g, const float* w, float* d, size_t rows, size_t taps) noexcept {
    if constexpr (UGRAD_COMPACT_KERNELS) {  // built for size: one looped copy for every row length
        conv_t_pixel_taps<C, F, OW, KW, SH, SW, 0>(g, w, d, rows, taps);
        return;
    }
    switch (taps) {
        case 1: conv_t_pixel_taps<C, F, OW, KW, SH, SW, 1>(g, w, d, rows, taps); return;
        case 2: conv_t_pixel_taps<C, F, OW, KW, SH, SW, 2>(g, w, d, rows, taps); return;
        case 3: conv_t_pixel_taps<C, F, OW, KW, SH, SW, 3>(g, w, d, rows, taps); return;
        case 4: conv_t_pixel_taps<C, F, OW, KW, SH, SW, 4>(g, w, d, rows, taps); return;
        default: conv_t_pixel_taps<C, F, OW, KW, SH, SW, 0>(g, w, d, rows, taps); return;
    }
}

}  // namespace target
}  // namespace ugrad
