// SPDX-License-Identifier: Apache-2.0
// ugrad/armv7em_vfp/conv2d.hpp — a convolution's forward, kernels larger than 1×1, for the
// Armv7E-M single-precision VFP (FPv4-SP: Cortex-M4F, and the M7, M33, M55 with the same
// instructions and registers s0-s31), in inline assembly.
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
// The input gradient, a kernel larger than 1×1 with F a multiple of 8: the transposed convolution.
// Same bits as include/ugrad/layers/conv2d.hpp's portable loop (layer_backward_input), term for
// term: that loop forms, for each tap whose window reads the input pixel (ky, kx ascending), the C
// values t = dr_window·W_tapᵀ with the dense kernels' dot (include/ugrad/kernels.hpp: eight lanes
// from +0, the blocks of eight terms in order, then the tree), the first tap's as they come, the
// others added.
//
// Shapes, for one input pixel and one tap (ky, kx) whose window (oy, ox) reads it:
//   dr [OH][OW][F]   w [KH][KW][C][F]   dx [H][W][C]     (HWC)
//   for c in [0, C):  lane_k = +0;  lane_k = lane_k + dr[oy][ox][8b+k]·w[ky][kx][c][8b+k],  b = 0 .. F/8 − 1;
//                     t = ((lane_0 + lane_1) + (lane_2 + lane_3)) + ((lane_4 + lane_5) + (lane_6 + lane_7));
//                     dx[iy][ix][c] = t (the pixel's first tap), else dx[iy][ix][c] + t
// Registers: s0-s7 the lanes; with F = 8 or 16 the tap's dr in s8-s15 or s8-s23 for all C rows
// and w in s16-s23 or s24-s31, otherwise dr and w a block of eight at a time in s8-s15 and
// s16-s23; all declared clobbered (the compiler saves the callee-saved s16-s31).

// Rows of up to 64 filters are written out (eight blocks of eight); wider ones run the portable loop.
constexpr size_t conv_t_max_filters = 64;

#define UGRAD_VFP_CONVT_CLOBBERS                                                                                   \
    "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12", "s13", "s14", "s15", "s16",   \
        "s17", "s18", "s19", "s20", "s21", "s22", "s23", "s24", "s25", "s26", "s27", "s28", "s29", "s30", "s31", \
        "cc", "memory"

// Eight terms of a lane block: s_k = s_k + s(G+k)·s(W+k), k = 0..7.
#define UGRAD_VFP_CONVT_TERMS(G0, G1, G2, G3, G4, G5, G6, G7, W0, W1, W2, W3, W4, W5, W6, W7) \
    "vmla.f32  s0, s" #G0 ", s" #W0 "\n\t"                                                   \
    "vmla.f32  s1, s" #G1 ", s" #W1 "\n\t"                                                   \
    "vmla.f32  s2, s" #G2 ", s" #W2 "\n\t"                                                   \
    "vmla.f32  s3, s" #G3 ", s" #W3 "\n\t"                                                   \
    "vmla.f32  s4, s" #G4 ", s" #W4 "\n\t"                                                   \
    "vmla.f32  s5, s" #G5 ", s" #W5 "\n\t"                                                   \
    "vmla.f32  s6, s" #G6 ", s" #W6 "\n\t"                                                   \
    "vmla.f32  s7, s" #G7 ", s" #W7 "\n\t"

// A block of eight terms read from memory: dr's eight in s8-s15, w's in s16-s23.
#define UGRAD_VFP_CONVT_BLOCK                                                  \
    "vldmia    %[dp]!, {s8-s15}\n\t"                                           \
    "vldmia    %[w]!, {s16-s23}\n\t"                                           \
    UGRAD_VFP_CONVT_TERMS(8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23)
#define UGRAD_VFP_CONVT_NTH_BLOCK(B) ".if " #B " < %c[blocks]\n\t" UGRAD_VFP_CONVT_BLOCK ".endif\n\t"

// One tap's C values t (see above) into d: the first tap's stored (First), a later tap's added to
// d (d + t, d first, as the portable loop). g at dr[oy][ox][0], w at w[ky][kx][0][0]; F = 8·Blocks.
template <size_t C, size_t Blocks, bool First>
__attribute__((always_inline)) inline void conv_t_tap(const float* g, const float* w, float* d) noexcept {
    static_assert(C >= 1 && Blocks >= 1, "a channel and a block of eight filters");
    static_assert(Blocks <= conv_t_max_filters / 8, "rows of up to eight blocks are written out");
    uint32_t n = static_cast<uint32_t>(C);
    const float* dp = nullptr;  // the block's dr (an output: no register shared with g)
    __asm__ volatile(
        ".if %c[blocks] == 1\n\t"
        "vldm      %[g], {s8-s15}\n\t"
        ".elseif %c[blocks] == 2\n\t"
        "vldm      %[g], {s8-s23}\n\t"
        ".endif\n"
        "1:\n\t"
        "vldm      %[zero], {s0-s7}\n\t"
        ".if %c[blocks] == 1\n\t"
        "vldmia    %[w]!, {s16-s23}\n\t"
        UGRAD_VFP_CONVT_TERMS(8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23)
        ".elseif %c[blocks] == 2\n\t"
        "vldmia    %[w]!, {s24-s31}\n\t"
        UGRAD_VFP_CONVT_TERMS(8, 9, 10, 11, 12, 13, 14, 15, 24, 25, 26, 27, 28, 29, 30, 31)
        "vldmia    %[w]!, {s24-s31}\n\t"
        UGRAD_VFP_CONVT_TERMS(16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31)
        ".else\n\t"
        "mov       %[dp], %[g]\n\t"
        UGRAD_VFP_CONVT_NTH_BLOCK(0) UGRAD_VFP_CONVT_NTH_BLOCK(1) UGRAD_VFP_CONVT_NTH_BLOCK(2)
        UGRAD_VFP_CONVT_NTH_BLOCK(3) UGRAD_VFP_CONVT_NTH_BLOCK(4) UGRAD_VFP_CONVT_NTH_BLOCK(5)
        UGRAD_VFP_CONVT_NTH_BLOCK(6) UGRAD_VFP_CONVT_NTH_BLOCK(7)
        ".endif\n\t"
        "vadd.f32  s0, s0, s1\n\t"
        "vadd.f32  s2, s2, s3\n\t"
        "vadd.f32  s4, s4, s5\n\t"
        "vadd.f32  s6, s6, s7\n\t"
        "vadd.f32  s0, s0, s2\n\t"
        "vadd.f32  s4, s4, s6\n\t"
        "vadd.f32  s0, s0, s4\n\t"
        ".if %c[first] == 0\n\t"
        "vldr      s1, [%[d]]\n\t"
        "vadd.f32  s0, s1, s0\n\t"
        ".endif\n\t"
        "vstmia    %[d]!, {s0}\n\t"
        "subs      %[n], %[n], #1\n\t"
        "bne       1b\n\t"
        : [w] "+r"(w), [d] "+r"(d), [n] "+r"(n), [dp] "=&r"(dp)
        : [g] "r"(g), [zero] "r"(zero_lanes), [blocks] "i"(Blocks), [first] "i"(First ? 1 : 0)
        : UGRAD_VFP_CONVT_CLOBBERS);
}

#undef UGRAD_VFP_CONVT_NTH_BLOCK
#undef UGRAD_VFP_CONVT_BLOCK
#undef UGRAD_VFP_CONVT_TERMS
#undef UGRAD_VFP_CONVT_CLOBBERS

}  // namespace target
}  // namespace ugrad
