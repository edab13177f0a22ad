// SPDX-License-Identifier: Apache-2.0
// ugrad/armv7em_vfp/kernels.hpp — ugrad's two kernels for the Armv7E-M single-precision VFP
// (FPv4-SP) instructions, in inline assembly: Cortex-M4F, and the later M-profile cores whose FPU
// has the same instructions and registers s0-s31 (Cortex-M7, M33, M55).
//
// Picked by include/ugrad/kernels.hpp when the compiler targets such a core (__ARM_FP & 4, M
// profile, Thumb-2), with no flag from the user; -DUGRAD_PORTABLE_KERNELS=1 turns them off. Same
// bits as ugrad::scalar, by construction and by test (tests/target/kernels_vs_scalar.cpp, run on
// each such core by `make TARGET=<t> test`):
//   - the sums are formed in the fixed order of include/ugrad/kernels.hpp, term for term;
//   - VMLA.F32 Sd, Sn, Sm is Sd + (Sn·Sm) with the product rounded first: two roundings, the
//     same as the C expression acc + x·w with -ffp-contract=off (VFMA would be the fused one).
// What makes it cheaper than GCC's code for the portable loops (which at -O2 emits a separate
// vmul and vadd per term, and one vldr per operand): VLDM loads eight consecutive floats in one
// instruction, and VMLA does a term in one.
//
// Registers: s0-s7 hold eight partial sums (eight output columns, or the eight dot lanes),
// s8-s15 x or d, s16-s23 a piece of a weight row; when affine_t takes two rows at once
// (dot_row_pairs), s0-s15 their lanes, s16-s23 d, s24-s31 a piece of either row. All are declared
// clobbered, so the compiler saves the callee-saved s16-s31 it sees used around each call.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace ugrad {
namespace target {

// Built for size (-Os: UGRAD_COMPACT_KERNELS, include/ugrad/kernels.hpp), the loops below take
// two rows, or two blocks of eight terms, per pass instead of eight rows or four blocks: the same
// instructions in the same order, about a third of the code, a few more branches.
constexpr uint32_t unroll = UGRAD_COMPACT_KERNELS ? 0 : 1;

// +0.0f, loaded by one VLDM to start the dot lanes at +0 exactly as the scalar code does (eight
// lanes, or sixteen for two rows at once).
alignas(8) inline constexpr float zero_lanes[16] = {};

#define UGRAD_VFP_CLOBBERS                                                                         \
    "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12", "s13", "s14", \
        "s15", "s16", "s17", "s18", "s19", "s20", "s21", "s22", "s23", "cc", "memory"

// Every instruction below is written out (no .rept or .irp): GCC sizes an asm statement by its
// lines, and an under-estimate can put its literal pools out of reach.

// The rows loops of both affine kernels, around ROW(X) = one row's terms with x[i] in s<X>: eight
// rows per pass (s8-s15 = x[i..i+7]) while `groups` lasts, or two (s8-s9) when built for size;
// then one row per pass (s8 = x[i]) for the `rest`.
#define UGRAD_VFP_ROW_LOOPS(ROW)                                  \
    "cmp       %[groups], #0\n\t"                                 \
    "beq       2f\n"                                               \
    "1:\n\t"                                                      \
    ".if %c[unroll]\n\t"                                          \
    "vldmia    %[x]!, {s8-s15}\n\t"                               \
    ROW(8) ROW(9) ROW(10) ROW(11) ROW(12) ROW(13) ROW(14) ROW(15) \
    ".else\n\t"                                                   \
    "vldmia    %[x]!, {s8-s9}\n\t"                                \
    ROW(8) ROW(9)                                                 \
    ".endif\n\t"                                                  \
    "subs      %[groups], %[groups], #1\n\t"                      \
    "bne       1b\n"                                               \
    "2:\n\t"                                                      \
    "cmp       %[rest], #0\n\t"                                   \
    "beq       4f\n"                                               \
    "3:\n\t"                                                      \
    "vldmia    %[x]!, {s8}\n\t"                                   \
    ROW(8)                                                        \
    "subs      %[rest], %[rest], #1\n\t"                          \
    "bne       3b\n"                                               \
    "4:\n\t"

// One row of affine: s16-s23 = the row's eight weights, then s_k = s_k + x·s(16+k), x in s<X>.
#define UGRAD_VFP_AFFINE_ROW(X)                \
    "vldm      %[w], {s16-s23}\n\t"            \
    "add       %[w], %[w], %[row_bytes]\n\t"   \
    "vmla.f32  s0, s" #X ", s16\n\t"           \
    "vmla.f32  s1, s" #X ", s17\n\t"           \
    "vmla.f32  s2, s" #X ", s18\n\t"           \
    "vmla.f32  s3, s" #X ", s19\n\t"           \
    "vmla.f32  s4, s" #X ", s20\n\t"           \
    "vmla.f32  s5, s" #X ", s21\n\t"           \
    "vmla.f32  s6, s" #X ", s22\n\t"           \
    "vmla.f32  s7, s" #X ", s23\n\t"

// Eight output columns of y = x·W + b: y[k] = b[k] + x[0]·w[0][k] + ... (i ascending), k = 0..7.
// w points at W[0][j0]; consecutive rows are row_bytes apart. Eight rows per loop pass:
//   s8-s15 = x[i..i+7];  then for each of those rows r, s16-s23 = W[i+r][j0..j0+7] and
//   s_k = s_k + s(8+r)·s(16+k);  the last rows mod 8 one at a time (s8 = x[i]).
inline void affine_8_columns(const float* x, const float* w, size_t row_bytes, size_t rows, const float* b,
                             float* y) noexcept {
    constexpr size_t group = unroll ? 8 : 2;  // rows per pass of the first loop
    uint32_t groups = static_cast<uint32_t>(rows / group);
    uint32_t rest = static_cast<uint32_t>(rows % group);
    __asm__ volatile(
        "vldm      %[b], {s0-s7}\n\t"
        UGRAD_VFP_ROW_LOOPS(UGRAD_VFP_AFFINE_ROW)
        "vstm      %[y], {s0-s7}\n\t"
        : [x] "+r"(x), [w] "+r"(w), [groups] "+r"(groups), [rest] "+r"(rest)
        : [row_bytes] "r"(row_bytes), [b] "r"(b), [y] "r"(y), [unroll] "i"(unroll)
        : UGRAD_VFP_CLOBBERS);
}

#undef UGRAD_VFP_AFFINE_ROW

// One term of the last C < 8 columns (column K of the block, if C > K): s_K = s_K + x·w[K], x in s<X>.
#define UGRAD_VFP_TAIL_TERM(X, K)          \
    ".if " #K " < %c[columns]\n\t"         \
    "vldr      s16, [%[w], #4*" #K "]\n\t" \
    "vmla.f32  s" #K ", s" #X ", s16\n\t"  \
    ".endif\n\t"
#define UGRAD_VFP_TAIL_ROW(X)                                                                     \
    UGRAD_VFP_TAIL_TERM(X, 0) UGRAD_VFP_TAIL_TERM(X, 1) UGRAD_VFP_TAIL_TERM(X, 2)                 \
    UGRAD_VFP_TAIL_TERM(X, 3) UGRAD_VFP_TAIL_TERM(X, 4) UGRAD_VFP_TAIL_TERM(X, 5)                 \
    UGRAD_VFP_TAIL_TERM(X, 6) "add       %[w], %[w], %[row_bytes]\n\t"
#define UGRAD_VFP_TAIL_MOVE(INSN, K) ".if " #K " < %c[columns]\n\t" INSN " s" #K ", [%[v], #4*" #K "]\n\t.endif\n\t"
#define UGRAD_VFP_TAIL_MOVES(INSN)                                                                 \
    UGRAD_VFP_TAIL_MOVE(INSN, 0) UGRAD_VFP_TAIL_MOVE(INSN, 1) UGRAD_VFP_TAIL_MOVE(INSN, 2)         \
    UGRAD_VFP_TAIL_MOVE(INSN, 3) UGRAD_VFP_TAIL_MOVE(INSN, 4) UGRAD_VFP_TAIL_MOVE(INSN, 5)         \
    UGRAD_VFP_TAIL_MOVE(INSN, 6)

// The last C = 1..7 output columns, the same sums as affine_8_columns with one VLDR per weight:
//   s0..s(C-1) = b;  eight rows per pass: s8-s15 = x[i..i+7], s_k = s_k + s(8+r)·W[i+r][j0+k];
//   the last rows mod 8 one at a time.
template <size_t C>
inline void affine_tail_columns(const float* x, const float* w, size_t row_bytes, size_t rows, const float* b,
                                float* y) noexcept {
    static_assert(C >= 1 && C < 8, "one to seven columns");
    constexpr size_t group = unroll ? 8 : 2;  // rows per pass of the first loop
    uint32_t groups = static_cast<uint32_t>(rows / group);
    uint32_t rest = static_cast<uint32_t>(rows % group);
    const float* v = b;
    __asm__ volatile(
        UGRAD_VFP_TAIL_MOVES("vldr     ")
        UGRAD_VFP_ROW_LOOPS(UGRAD_VFP_TAIL_ROW)
        "mov       %[v], %[y]\n\t"
        UGRAD_VFP_TAIL_MOVES("vstr     ")
        : [x] "+r"(x), [w] "+r"(w), [groups] "+r"(groups), [rest] "+r"(rest), [v] "+r"(v)
        : [row_bytes] "r"(row_bytes), [y] "r"(y), [columns] "i"(C), [unroll] "i"(unroll)
        : UGRAD_VFP_CLOBBERS);
}

#undef UGRAD_VFP_TAIL_TERM
#undef UGRAD_VFP_TAIL_ROW
#undef UGRAD_VFP_TAIL_MOVE
#undef UGRAD_VFP_TAIL_MOVES
#undef UGRAD_VFP_ROW_LOOPS

// One block of eight dot terms: s8-s15 = d[j..j+7], s16-s23 = W[i][j..j+7], s_k = s_k + s(8+k)·s(16+k).
#define UGRAD_VFP_DOT_BLOCK              \
    "vldmia    %[dp]!, {s8-s15}\n\t"     \
    "vldmia    %[w]!, {s16-s23}\n\t"     \
    "vmla.f32  s0, s8, s16\n\t"          \
    "vmla.f32  s1, s9, s17\n\t"          \
    "vmla.f32  s2, s10, s18\n\t"         \
    "vmla.f32  s3, s11, s19\n\t"         \
    "vmla.f32  s4, s12, s20\n\t"         \
    "vmla.f32  s5, s13, s21\n\t"         \
    "vmla.f32  s6, s14, s22\n\t"         \
    "vmla.f32  s7, s15, s23\n\t"

// Tail term k (j = 8·Blocks + k) into lane k, if the tail is that long.
#define UGRAD_VFP_DOT_TAIL(K)                      \
    ".if " #K " < %c[tail]\n\t"                    \
    "vldr      s8, [%[dp], #4*" #K "]\n\t"         \
    "vldr      s16, [%[w], #4*" #K "]\n\t"         \
    "vmla.f32  s" #K ", s8, s16\n\t"               \
    ".endif\n\t"

// Dot products y[i] = dot(W[i], d) for `rows` consecutive rows of length M = 8·Blocks + Tail,
// in the fixed order: lanes s0-s7 start at +0 (zero_lanes); then the blocks of eight terms in
// order (four per pass of an inner loop if there are eight or more, then the last Blocks mod 4;
// two per pass when built for size); then the Tail terms j = 8·Blocks + k into lane k; then ((s0+s1)+(s2+s3)) + ((s4+s5)+(s6+s7)).
// The rows loop.
template <size_t Blocks, size_t Tail>
inline void dot_rows(const float* d, const float* w, float* y, size_t rows) noexcept {
    static_assert(Tail < 8, "a tail is shorter than a block");
    const float* dp = d;
    uint32_t quads = 0;
    uint32_t n = static_cast<uint32_t>(rows);
    __asm__ volatile(
        "1:\n\t"
        "vldm      %[zero], {s0-s7}\n\t"
        "mov       %[dp], %[d]\n\t"
        ".if %c[unroll] == 0\n\t"
        ".if %c[blocks] > 1\n\t"
        "mov       %[quads], %[pairs]\n"
        "2:\n\t"
        UGRAD_VFP_DOT_BLOCK UGRAD_VFP_DOT_BLOCK
        "subs      %[quads], %[quads], #1\n\t"
        "bne       2b\n\t"
        ".endif\n\t"
        ".if %c[odd]\n\t" UGRAD_VFP_DOT_BLOCK ".endif\n\t"
        ".elseif %c[quad_count] == 1\n\t"
        UGRAD_VFP_DOT_BLOCK UGRAD_VFP_DOT_BLOCK UGRAD_VFP_DOT_BLOCK UGRAD_VFP_DOT_BLOCK
        ".elseif %c[quad_count] > 1\n\t"
        "mov       %[quads], %[quad_count]\n"
        "2:\n\t"
        UGRAD_VFP_DOT_BLOCK UGRAD_VFP_DOT_BLOCK UGRAD_VFP_DOT_BLOCK UGRAD_VFP_DOT_BLOCK
        "subs      %[quads], %[quads], #1\n\t"
        "bne       2b\n\t"
        ".endif\n\t"
        ".if %c[unroll] && %c[rest] > 0\n\t" UGRAD_VFP_DOT_BLOCK ".endif\n\t"
        ".if %c[unroll] && %c[rest] > 1\n\t" UGRAD_VFP_DOT_BLOCK ".endif\n\t"
        ".if %c[unroll] && %c[rest] > 2\n\t" UGRAD_VFP_DOT_BLOCK ".endif\n\t"
        UGRAD_VFP_DOT_TAIL(0) UGRAD_VFP_DOT_TAIL(1) UGRAD_VFP_DOT_TAIL(2) UGRAD_VFP_DOT_TAIL(3)
        UGRAD_VFP_DOT_TAIL(4) UGRAD_VFP_DOT_TAIL(5) UGRAD_VFP_DOT_TAIL(6)
        ".if %c[tail] > 0\n\t"
        "add       %[w], %[w], #4*%c[tail]\n\t"
        ".endif\n\t"
        "vadd.f32  s0, s0, s1\n\t"
        "vadd.f32  s2, s2, s3\n\t"
        "vadd.f32  s4, s4, s5\n\t"
        "vadd.f32  s6, s6, s7\n\t"
        "vadd.f32  s0, s0, s2\n\t"
        "vadd.f32  s4, s4, s6\n\t"
        "vadd.f32  s0, s0, s4\n\t"
        "vstmia    %[y]!, {s0}\n\t"
        "subs      %[n], %[n], #1\n\t"
        "bne       1b\n\t"
        : [w] "+r"(w), [y] "+r"(y), [n] "+r"(n), [dp] "=&r"(dp), [quads] "+r"(quads)
        : [d] "r"(d), [zero] "r"(zero_lanes), [quad_count] "i"(Blocks / 4), [rest] "i"(Blocks % 4),
          [tail] "i"(Tail), [blocks] "i"(Blocks), [pairs] "i"(Blocks / 2), [odd] "i"(Blocks % 2), [unroll] "i"(unroll)
        : UGRAD_VFP_CLOBBERS);
}

#undef UGRAD_VFP_DOT_BLOCK
#undef UGRAD_VFP_DOT_TAIL

// One block of eight dot terms for two rows at once: s16-s23 = d[j..j+7] (read once for both),
// s24-s31 = W[i][j..j+7] then W[i+1][j..j+7];  s_k = s_k + s(16+k)·s(24+k) (row i, lanes s0-s7),
// s(8+k) = s(8+k) + s(16+k)·s(24+k) (row i+1, lanes s8-s15).
#define UGRAD_VFP_DOT_PAIR_BLOCK         \
    "vldmia    %[dp]!, {s16-s23}\n\t"    \
    "vldmia    %[w]!, {s24-s31}\n\t"     \
    "vmla.f32  s0, s16, s24\n\t"         \
    "vmla.f32  s1, s17, s25\n\t"         \
    "vmla.f32  s2, s18, s26\n\t"         \
    "vmla.f32  s3, s19, s27\n\t"         \
    "vmla.f32  s4, s20, s28\n\t"         \
    "vmla.f32  s5, s21, s29\n\t"         \
    "vmla.f32  s6, s22, s30\n\t"         \
    "vmla.f32  s7, s23, s31\n\t"         \
    "vldmia    %[wb]!, {s24-s31}\n\t"    \
    "vmla.f32  s8, s16, s24\n\t"         \
    "vmla.f32  s9, s17, s25\n\t"         \
    "vmla.f32  s10, s18, s26\n\t"        \
    "vmla.f32  s11, s19, s27\n\t"        \
    "vmla.f32  s12, s20, s28\n\t"        \
    "vmla.f32  s13, s21, s29\n\t"        \
    "vmla.f32  s14, s22, s30\n\t"        \
    "vmla.f32  s15, s23, s31\n\t"

// The lanes s<A>..s<A+7> folded into s<A> by the fixed tree ((l0+l1)+(l2+l3)) + ((l4+l5)+(l6+l7)).
#define UGRAD_VFP_DOT_TREE(A0, A1, A2, A3, A4, A5, A6, A7) \
    "vadd.f32  s" #A0 ", s" #A0 ", s" #A1 "\n\t"         \
    "vadd.f32  s" #A2 ", s" #A2 ", s" #A3 "\n\t"         \
    "vadd.f32  s" #A4 ", s" #A4 ", s" #A5 "\n\t"         \
    "vadd.f32  s" #A6 ", s" #A6 ", s" #A7 "\n\t"         \
    "vadd.f32  s" #A0 ", s" #A0 ", s" #A2 "\n\t"         \
    "vadd.f32  s" #A4 ", s" #A4 ", s" #A6 "\n\t"         \
    "vadd.f32  s" #A0 ", s" #A0 ", s" #A4 "\n\t"

// Dot products y[i] = dot(W[i], d) for `pairs` pairs of consecutive rows of length M = 8·Blocks
// (no tail, Blocks >= 2), each in the fixed order of dot_rows — lanes from +0 (sixteen zeros, both
// rows' lanes), the blocks of eight terms in order (four per pass of an inner loop while there are
// four, then the last Blocks mod 4), then the tree — two rows per pass so that each block of d is
// loaded once for both:
//   s0-s7 = s8-s15 = +0;  for each block j:  s16-s23 = d[j..j+7];  row i's lanes += s16-s23 · W[i][j..j+7];
//   row i+1's lanes += s16-s23 · W[i+1][j..j+7];  then y[i] = tree(s0-s7), y[i+1] = tree(s8-s15).
template <size_t Blocks>
inline void dot_row_pairs(const float* d, const float* w, float* y, size_t pairs) noexcept {
    static_assert(Blocks >= 2, "rows of two blocks or more");
    const float* dp = nullptr;  // the block's d (outputs: no register shared with an input)
    const float* wb = nullptr;  // the second row's block
    uint32_t quads = 0;
    uint32_t n = static_cast<uint32_t>(pairs);
    __asm__ volatile(
        "1:\n\t"
        "vldm      %[zero], {s0-s15}\n\t"
        "mov       %[dp], %[d]\n\t"
        "add       %[wb], %[w], %[row_bytes]\n\t"
        ".if %c[quad_count] == 1\n\t"
        UGRAD_VFP_DOT_PAIR_BLOCK UGRAD_VFP_DOT_PAIR_BLOCK UGRAD_VFP_DOT_PAIR_BLOCK UGRAD_VFP_DOT_PAIR_BLOCK
        ".elseif %c[quad_count] > 1\n\t"
        "mov       %[quads], %[quad_count]\n"
        "2:\n\t"
        UGRAD_VFP_DOT_PAIR_BLOCK UGRAD_VFP_DOT_PAIR_BLOCK UGRAD_VFP_DOT_PAIR_BLOCK UGRAD_VFP_DOT_PAIR_BLOCK
        "subs      %[quads], %[quads], #1\n\t"
        "bne       2b\n\t"
        ".endif\n\t"
        ".if %c[rest] > 0\n\t" UGRAD_VFP_DOT_PAIR_BLOCK ".endif\n\t"
        ".if %c[rest] > 1\n\t" UGRAD_VFP_DOT_PAIR_BLOCK ".endif\n\t"
        ".if %c[rest] > 2\n\t" UGRAD_VFP_DOT_PAIR_BLOCK ".endif\n\t"
        UGRAD_VFP_DOT_TREE(0, 1, 2, 3, 4, 5, 6, 7)
        UGRAD_VFP_DOT_TREE(8, 9, 10, 11, 12, 13, 14, 15)
        "vstmia    %[y]!, {s0}\n\t"
        "vstmia    %[y]!, {s8}\n\t"
        "mov       %[w], %[wb]\n\t"
        "subs      %[n], %[n], #1\n\t"
        "bne       1b\n\t"
        : [w] "+r"(w), [y] "+r"(y), [n] "+r"(n), [dp] "=&r"(dp), [wb] "=&r"(wb), [quads] "+r"(quads)
        : [d] "r"(d), [zero] "r"(zero_lanes), [row_bytes] "r"(Blocks * 8 * sizeof(float)),
          [quad_count] "i"(Blocks / 4), [rest] "i"(Blocks % 4)
        : UGRAD_VFP_CLOBBERS, "s24", "s25", "s26", "s27", "s28", "s29", "s30", "s31");
}

#undef UGRAD_VFP_DOT_PAIR_BLOCK
#undef UGRAD_VFP_DOT_TREE

// Short rows and narrow matrices (M <= 10, as the output layer's 10): all of d, or a whole row of
// W, sits in the registers at once. Registers s0-s23 only, as above (so the same s16-s23 are saved).
constexpr size_t short_max = 10;

// Load s<FIRST>..s<FIRST+COUNT-1> from [P] (COUNT >= 1; %c[last_FIRST] = FIRST + COUNT - 1).
#define UGRAD_VFP_LOAD(INSN, P, FIRST, COUNT)                                   \
    ".if " COUNT " == 1\n\t" INSN " " P ", {s" FIRST "}\n\t"                   \
    ".else\n\t" INSN " " P ", {s" FIRST "-s%c[last_" FIRST "]}\n\t.endif\n\t"

// One term of a short dot, if J < M: lane K += d[J]·w[J], d[J] in s<DJ>, w[J] in s<WJ>.
#define UGRAD_VFP_SHORT_TERM(K, J, DJ, WJ) ".if " #J " < %c[m]\n\tvmla.f32  s" #K ", s" #DJ ", s" #WJ "\n\t.endif\n\t"

// Dot products y[i] = dot(W[i], d) for rows of M <= 10 terms, in the fixed order: d in s8..s(7+M)
// for every row; lanes s0-s7 = +0; a row of M <= 8 in s16.. by one VLDM, lane k += d[k]·w[k];
// a row of 9 or 10 in two: w[0..5] in s18-s23 (lanes 0-5), then w[6..] in s18.. (lanes 6, 7, and
// j = 8, 9 into lanes 0, 1, after their j = 0, 1); then the tree.
template <size_t M>
inline void dot_rows_short(const float* d, const float* w, float* y, size_t rows) noexcept {
    static_assert(M >= 1 && M <= short_max, "a short row");
    uint32_t n = static_cast<uint32_t>(rows);
    __asm__ volatile(
        UGRAD_VFP_LOAD("vldm     ", "%[d]", "8", "%c[m]")
        "1:\n\t"
        "vldm      %[zero], {s0-s7}\n\t"
        ".if %c[m] <= 8\n\t"
        UGRAD_VFP_LOAD("vldmia   ", "%[w]!", "16", "%c[m]")
        UGRAD_VFP_SHORT_TERM(0, 0, 8, 16) UGRAD_VFP_SHORT_TERM(1, 1, 9, 17) UGRAD_VFP_SHORT_TERM(2, 2, 10, 18)
        UGRAD_VFP_SHORT_TERM(3, 3, 11, 19) UGRAD_VFP_SHORT_TERM(4, 4, 12, 20) UGRAD_VFP_SHORT_TERM(5, 5, 13, 21)
        UGRAD_VFP_SHORT_TERM(6, 6, 14, 22) UGRAD_VFP_SHORT_TERM(7, 7, 15, 23)
        ".else\n\t"
        "vldmia    %[w]!, {s18-s23}\n\t"
        "vmla.f32  s0, s8, s18\n\t"
        "vmla.f32  s1, s9, s19\n\t"
        "vmla.f32  s2, s10, s20\n\t"
        "vmla.f32  s3, s11, s21\n\t"
        "vmla.f32  s4, s12, s22\n\t"
        "vmla.f32  s5, s13, s23\n\t"
        UGRAD_VFP_LOAD("vldmia   ", "%[w]!", "18", "%c[m] - 6")
        "vmla.f32  s6, s14, s18\n\t"
        "vmla.f32  s7, s15, s19\n\t"
        "vmla.f32  s0, s16, s20\n\t"
        UGRAD_VFP_SHORT_TERM(1, 9, 17, 21)
        ".endif\n\t"
        "vadd.f32  s0, s0, s1\n\t"
        "vadd.f32  s2, s2, s3\n\t"
        "vadd.f32  s4, s4, s5\n\t"
        "vadd.f32  s6, s6, s7\n\t"
        "vadd.f32  s0, s0, s2\n\t"
        "vadd.f32  s4, s4, s6\n\t"
        "vadd.f32  s0, s0, s4\n\t"
        "vstmia    %[y]!, {s0}\n\t"
        "subs      %[n], %[n], #1\n\t"
        "bne       1b\n\t"
        : [w] "+r"(w), [y] "+r"(y), [n] "+r"(n)
        : [d] "r"(d), [zero] "r"(zero_lanes), [m] "i"(M), [last_8] "i"(7 + M), [last_16] "i"(15 + M),
          [last_18] "i"(M > 8 ? 11 + M : 18)
        : UGRAD_VFP_CLOBBERS);
}

#undef UGRAD_VFP_SHORT_TERM

// One row of a narrow affine: s14.. = the row's C weights (one VLDM), s_k = s_k + x·s(14+k), x in s<X>.
#define UGRAD_VFP_NARROW_TERM(X, K, WK) ".if " #K " < %c[columns]\n\tvmla.f32  s" #K ", s" #X ", s" #WK "\n\t.endif\n\t"
#define UGRAD_VFP_NARROW_ROW(X)                                                                         \
    UGRAD_VFP_LOAD("vldm     ", "%[w]", "14", "%c[columns]")                                           \
    "add       %[w], %[w], %[row_bytes]\n\t"                                                          \
    UGRAD_VFP_NARROW_TERM(X, 0, 14) UGRAD_VFP_NARROW_TERM(X, 1, 15) UGRAD_VFP_NARROW_TERM(X, 2, 16)   \
    UGRAD_VFP_NARROW_TERM(X, 3, 17) UGRAD_VFP_NARROW_TERM(X, 4, 18) UGRAD_VFP_NARROW_TERM(X, 5, 19)   \
    UGRAD_VFP_NARROW_TERM(X, 6, 20) UGRAD_VFP_NARROW_TERM(X, 7, 21) UGRAD_VFP_NARROW_TERM(X, 8, 22)   \
    UGRAD_VFP_NARROW_TERM(X, 9, 23)

// All C <= 10 output columns of y = x·W + b at once (W has C columns): s0.. = b; four rows per
// pass (s10-s13 = x[i..i+3], unless built for size), then one row per pass (s10 = x[i]); for each
// row, s_k = s_k + x[i]·W[i][k], i ascending: the sums of affine_8_columns, C of them.
template <size_t C>
inline void affine_narrow(const float* x, const float* w, size_t rows, const float* b, float* y) noexcept {
    static_assert(C >= 1 && C <= short_max, "a narrow matrix");
    uint32_t fours = unroll ? static_cast<uint32_t>(rows / 4) : 0;
    uint32_t rest = unroll ? static_cast<uint32_t>(rows % 4) : static_cast<uint32_t>(rows);
    __asm__ volatile(
        UGRAD_VFP_LOAD("vldm     ", "%[b]", "0", "%c[columns]")
        ".if %c[unroll]\n\t"
        "cmp       %[fours], #0\n\t"
        "beq       2f\n"
        "1:\n\t"
        "vldmia    %[x]!, {s10-s13}\n\t"
        UGRAD_VFP_NARROW_ROW(10) UGRAD_VFP_NARROW_ROW(11) UGRAD_VFP_NARROW_ROW(12) UGRAD_VFP_NARROW_ROW(13)
        "subs      %[fours], %[fours], #1\n\t"
        "bne       1b\n"
        "2:\n\t"
        ".endif\n\t"
        "cmp       %[rest], #0\n\t"
        "beq       4f\n"
        "3:\n\t"
        "vldmia    %[x]!, {s10}\n\t"
        UGRAD_VFP_NARROW_ROW(10)
        "subs      %[rest], %[rest], #1\n\t"
        "bne       3b\n"
        "4:\n\t"
        UGRAD_VFP_LOAD("vstm     ", "%[y]", "0", "%c[columns]")
        : [x] "+r"(x), [w] "+r"(w), [fours] "+r"(fours), [rest] "+r"(rest)
        : [row_bytes] "r"(C * sizeof(float)), [b] "r"(b), [y] "r"(y), [columns] "i"(C), [unroll] "i"(unroll),
          [last_0] "i"(C - 1), [last_14] "i"(13 + C)
        : UGRAD_VFP_CLOBBERS);
}

#undef UGRAD_VFP_NARROW_TERM
#undef UGRAD_VFP_NARROW_ROW
#undef UGRAD_VFP_LOAD
#undef UGRAD_VFP_CLOBBERS

// y = x·W + b (float): a narrow W (M <= 12, not a multiple of 8) in one pass; otherwise blocks of
// eight columns, then the last M mod 8.
template <size_t N, size_t M>
inline void affine(const float (&x)[N], const float (&w)[N][M], const float (&b)[M], float (&y)[M]) noexcept {
    if constexpr (M <= short_max && M % 8 != 0) {
        affine_narrow<M>(x, &w[0][0], N, b, y);  // all columns in one pass
        return;
    }
    constexpr size_t full = M - M % 8;
    for (size_t j0 = 0; j0 < full; j0 += 8) affine_8_columns(x, &w[0][j0], M * sizeof(float), N, &b[j0], &y[j0]);
    if constexpr (M % 8 != 0) affine_tail_columns<M % 8>(x, &w[0][full], M * sizeof(float), N, &b[full], &y[full]);
}

// y = d·Wᵀ (float): short rows (M <= 10) with d kept in registers; rows of whole blocks (M a
// multiple of 8, 16 or more) two at a time, sharing each block of d (one at a time when built for
// size), the last odd row alone; other rows by blocks and a tail.
template <size_t N, size_t M>
inline void affine_t(const float (&d)[M], const float (&w)[N][M], float (&y)[N]) noexcept {
    if constexpr (M <= short_max) {
        dot_rows_short<M>(d, &w[0][0], y, N);  // d held in registers for every row
    } else if constexpr (unroll && M % 8 == 0 && N >= 2) {
        dot_row_pairs<M / 8>(d, &w[0][0], y, N / 2);
        if constexpr (N % 2 != 0) dot_rows<M / 8, 0>(d, &w[N - 1][0], &y[N - 1], 1);
    } else {
        dot_rows<M / 8, M % 8>(d, &w[0][0], y, N);
    }
}

}  // namespace target
}  // namespace ugrad
