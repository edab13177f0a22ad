// SPDX-License-Identifier: Apache-2.0
// ugrad/q8/armv7m.hpp — the int8 kernels for ARMv7-M without the DSP extension (Cortex-M3): one
// multiply-accumulate is two instructions, LDRSB t, [p, #offset] and MLA a, t, x, a. The same
// integer sums as the portable loops of kernels.hpp, in another order: exact, so the same bits (the
// q8 golden vectors run on mps2-an385 with these kernels and must hash as on the host).
// Eight sums stay in registers; each loop pass takes two multipliers in one LDRD and moves the
// weight pointer with the post-index of one of its loads, so a pass of 16 multiply-accumulates
// costs 35 instructions. The weight offsets are immediates: only where the sizes are known to the
// compiler (the kernels are inlined into the network's calls except at -Os); otherwise kernels.hpp's
// loops run. At -Os, affine_compact and affine_t_compact: the portable -Os schedules (a row at a
// time) with post-indexed loads, one instruction fewer per multiply-accumulate.
#pragma once

#include <stddef.h>
#include <stdint.h>

#if !defined(UGRAD_Q8_KERNEL)
#define UGRAD_Q8_KERNEL inline
#endif

namespace ugrad::q8::armv7m {

// A loop pass repeats its body four times where the count allows (five times where the count is
// 5), else twice, or once: written out, not .rept, so that the compiler, which counts an asm's
// lines, knows its length.
#define UGRAD_Q8_ARMV7M_TWICE(body) body body
#define UGRAD_Q8_ARMV7M_FOUR_TIMES(body) body body body body
#define UGRAD_Q8_ARMV7M_FIVE_TIMES(body) body body body body body

// One row of eight columns: a_c += t·x for t = w[i][c], p = &w[i][0] moved on to the next row by
// the post-index of the last load.
#define UGRAD_Q8_ARMV7M_ROW8(x)                                                \
    "ldrsb %[t], [%[p], #1]\n\tmla %[a1], %[t], %[" x "], %[a1]\n\t"           \
    "ldrsb %[t], [%[p], #2]\n\tmla %[a2], %[t], %[" x "], %[a2]\n\t"           \
    "ldrsb %[t], [%[p], #3]\n\tmla %[a3], %[t], %[" x "], %[a3]\n\t"           \
    "ldrsb %[t], [%[p], #4]\n\tmla %[a4], %[t], %[" x "], %[a4]\n\t"           \
    "ldrsb %[t], [%[p], #5]\n\tmla %[a5], %[t], %[" x "], %[a5]\n\t"           \
    "ldrsb %[t], [%[p], #6]\n\tmla %[a6], %[t], %[" x "], %[a6]\n\t"           \
    "ldrsb %[t], [%[p], #7]\n\tmla %[a7], %[t], %[" x "], %[a7]\n\t"           \
    "ldrsb %[t], [%[p]], #%c[out]\n\tmla %[a0], %[t], %[" x "], %[a0]\n\t"

// acc[c] = b[c] + Σ_i xz[i]·w[i][c] for eight columns c, rows i = 0 .. in − 1: an odd first row
// in C, then two at a time (one LDRD), four row pairs per loop pass (or two, or one). column:
// &w[0][0] of the block, the rows out bytes apart (out a constant < 256). Registers: p = &w[i][0],
// xz walked by LDRD's post-index up to xend.
UGRAD_Q8_KERNEL void columns8(const int32_t* xz, const int8_t* column, size_t in, size_t out, const int32_t* b,
                              int32_t* acc) noexcept {
    const size_t odd = in % 2;
    const int32_t x_first = odd ? xz[0] : 0;
    int32_t a0 = b[0] + x_first * column[0], a1 = b[1] + x_first * column[1];
    int32_t a2 = b[2] + x_first * column[2], a3 = b[3] + x_first * column[3];
    int32_t a4 = b[4] + x_first * column[4], a5 = b[5] + x_first * column[5];
    int32_t a6 = b[6] + x_first * column[6], a7 = b[7] + x_first * column[7];
    if (in >= 2) {
        const int32_t* const xend = xz + in;
        xz += odd;
        const int8_t* p = column + odd * out;
        int32_t x0, x1, t;
#define UGRAD_Q8_ARMV7M_PAIR "ldrd %[x0], %[x1], [%[xz]], #8\n\t" UGRAD_Q8_ARMV7M_ROW8("x0") UGRAD_Q8_ARMV7M_ROW8("x1")
#define UGRAD_Q8_ARMV7M_LOOP(body)                                                                                 \
    __asm__ volatile("1:\n\t" body "cmp %[xz], %[xend]\n\tbne 1b"                                               \
                     : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [a4] "+r"(a4), [a5] "+r"(a5), \
                       [a6] "+r"(a6), [a7] "+r"(a7), [xz] "+r"(xz), [p] "+r"(p), [x0] "=&r"(x0), [x1] "=&r"(x1), \
                       [t] "=&r"(t)                                                                               \
                     : [xend] "r"(xend), [out] "n"(out)                                                           \
                     : "cc", "memory")
        // NOLINTBEGIN(hicpp-no-assembler): the instruction schedule is the kernel
        const size_t pairs = in / 2;
        if (pairs % 4 == 0) {
            UGRAD_Q8_ARMV7M_LOOP(UGRAD_Q8_ARMV7M_FOUR_TIMES(UGRAD_Q8_ARMV7M_PAIR));
        } else if (pairs % 2 == 0) {
            UGRAD_Q8_ARMV7M_LOOP(UGRAD_Q8_ARMV7M_TWICE(UGRAD_Q8_ARMV7M_PAIR));
        } else {
            UGRAD_Q8_ARMV7M_LOOP(UGRAD_Q8_ARMV7M_PAIR);
        }
        // NOLINTEND(hicpp-no-assembler)
#undef UGRAD_Q8_ARMV7M_LOOP
#undef UGRAD_Q8_ARMV7M_PAIR
    }
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
    acc[4] = a4;
    acc[5] = a5;
    acc[6] = a6;
    acc[7] = a7;
}
#undef UGRAD_Q8_ARMV7M_ROW8

// acc[c] = b[c] + Σ_i xz[i]·w[i][c] for two columns c, as columns8.
UGRAD_Q8_KERNEL void columns2(const int32_t* xz, const int8_t* column, size_t in, size_t out, const int32_t* b,
                              int32_t* acc) noexcept {
    const size_t odd = in % 2;
    const int32_t x_first = odd ? xz[0] : 0;
    int32_t a0 = b[0] + x_first * column[0], a1 = b[1] + x_first * column[1];
    if (in >= 2) {
        const int32_t* const xend = xz + in;
        xz += odd;
        const int8_t* p = column + odd * out;
        int32_t x0, x1, t;
#define UGRAD_Q8_ARMV7M_PAIR                                                  \
    "ldrd %[x0], %[x1], [%[xz]], #8\n\t"                                     \
    "ldrsb %[t], [%[p], #1]\n\tmla %[a1], %[t], %[x0], %[a1]\n\t"          \
    "ldrsb %[t], [%[p]], #%c[out]\n\tmla %[a0], %[t], %[x0], %[a0]\n\t"    \
    "ldrsb %[t], [%[p], #1]\n\tmla %[a1], %[t], %[x1], %[a1]\n\t"          \
    "ldrsb %[t], [%[p]], #%c[out]\n\tmla %[a0], %[t], %[x1], %[a0]\n\t"
#define UGRAD_Q8_ARMV7M_LOOP(body)                                                                           \
    __asm__ volatile("1:\n\t" body "cmp %[xz], %[xend]\n\tbne 1b"                                         \
                     : [a0] "+r"(a0), [a1] "+r"(a1), [xz] "+r"(xz), [p] "+r"(p), [x0] "=&r"(x0), [x1] "=&r"(x1), \
                       [t] "=&r"(t)                                                                         \
                     : [xend] "r"(xend), [out] "n"(out)                                                     \
                     : "cc", "memory")
        // NOLINTBEGIN(hicpp-no-assembler): the instruction schedule is the kernel
        const size_t pairs = in / 2;
        if (pairs % 4 == 0) {
            UGRAD_Q8_ARMV7M_LOOP(UGRAD_Q8_ARMV7M_FOUR_TIMES(UGRAD_Q8_ARMV7M_PAIR));
        } else if (pairs % 2 == 0) {
            UGRAD_Q8_ARMV7M_LOOP(UGRAD_Q8_ARMV7M_TWICE(UGRAD_Q8_ARMV7M_PAIR));
        } else {
            UGRAD_Q8_ARMV7M_LOOP(UGRAD_Q8_ARMV7M_PAIR);
        }
        // NOLINTEND(hicpp-no-assembler)
#undef UGRAD_Q8_ARMV7M_LOOP
#undef UGRAD_Q8_ARMV7M_PAIR
    }
    acc[0] = a0;
    acc[1] = a1;
}

// One column pair of eight rows: s_r += w[r][j]·g0 + w[r][j+1]·g1, p = &w[0][j] moved on by two
// by the post-index of the last load. _FIRST: the first pair, whose first product of each row is
// the sum's start (MUL, not MLA: no zeroing).
#define UGRAD_Q8_ARMV7M_PAIR8 \
    "ldrd %[g0], %[g1], [%[g]], #8\n\t"                                    \
    "ldrsb %[t], [%[p], #1]\n\tmla %[s0], %[t], %[g1], %[s0]\n\t"          \
    "ldrsb %[t], [%[p], #%c[n]]\n\tmla %[s1], %[t], %[g0], %[s1]\n\t"      \
    "ldrsb %[t], [%[p], #%c[n]+1]\n\tmla %[s1], %[t], %[g1], %[s1]\n\t"    \
    "ldrsb %[t], [%[p], #2*%c[n]]\n\tmla %[s2], %[t], %[g0], %[s2]\n\t"    \
    "ldrsb %[t], [%[p], #2*%c[n]+1]\n\tmla %[s2], %[t], %[g1], %[s2]\n\t"  \
    "ldrsb %[t], [%[p], #3*%c[n]]\n\tmla %[s3], %[t], %[g0], %[s3]\n\t"    \
    "ldrsb %[t], [%[p], #3*%c[n]+1]\n\tmla %[s3], %[t], %[g1], %[s3]\n\t"  \
    "ldrsb %[t], [%[p], #4*%c[n]]\n\tmla %[s4], %[t], %[g0], %[s4]\n\t"    \
    "ldrsb %[t], [%[p], #4*%c[n]+1]\n\tmla %[s4], %[t], %[g1], %[s4]\n\t"  \
    "ldrsb %[t], [%[p], #5*%c[n]]\n\tmla %[s5], %[t], %[g0], %[s5]\n\t"    \
    "ldrsb %[t], [%[p], #5*%c[n]+1]\n\tmla %[s5], %[t], %[g1], %[s5]\n\t"  \
    "ldrsb %[t], [%[p], #6*%c[n]]\n\tmla %[s6], %[t], %[g0], %[s6]\n\t"    \
    "ldrsb %[t], [%[p], #6*%c[n]+1]\n\tmla %[s6], %[t], %[g1], %[s6]\n\t"  \
    "ldrsb %[t], [%[p], #7*%c[n]]\n\tmla %[s7], %[t], %[g0], %[s7]\n\t"    \
    "ldrsb %[t], [%[p], #7*%c[n]+1]\n\tmla %[s7], %[t], %[g1], %[s7]\n\t"  \
    "ldrsb %[t], [%[p]], #2\n\tmla %[s0], %[t], %[g0], %[s0]\n\t"
#define UGRAD_Q8_ARMV7M_PAIR8_FIRST \
    "ldrd %[g0], %[g1], [%[g]], #8\n\t"                                    \
    "ldrsb %[t], [%[p], #1]\n\tmul %[s0], %[t], %[g1]\n\t"                 \
    "ldrsb %[t], [%[p], #%c[n]]\n\tmul %[s1], %[t], %[g0]\n\t"             \
    "ldrsb %[t], [%[p], #%c[n]+1]\n\tmla %[s1], %[t], %[g1], %[s1]\n\t"    \
    "ldrsb %[t], [%[p], #2*%c[n]]\n\tmul %[s2], %[t], %[g0]\n\t"           \
    "ldrsb %[t], [%[p], #2*%c[n]+1]\n\tmla %[s2], %[t], %[g1], %[s2]\n\t"  \
    "ldrsb %[t], [%[p], #3*%c[n]]\n\tmul %[s3], %[t], %[g0]\n\t"           \
    "ldrsb %[t], [%[p], #3*%c[n]+1]\n\tmla %[s3], %[t], %[g1], %[s3]\n\t"  \
    "ldrsb %[t], [%[p], #4*%c[n]]\n\tmul %[s4], %[t], %[g0]\n\t"           \
    "ldrsb %[t], [%[p], #4*%c[n]+1]\n\tmla %[s4], %[t], %[g1], %[s4]\n\t"  \
    "ldrsb %[t], [%[p], #5*%c[n]]\n\tmul %[s5], %[t], %[g0]\n\t"           \
    "ldrsb %[t], [%[p], #5*%c[n]+1]\n\tmla %[s5], %[t], %[g1], %[s5]\n\t"  \
    "ldrsb %[t], [%[p], #6*%c[n]]\n\tmul %[s6], %[t], %[g0]\n\t"           \
    "ldrsb %[t], [%[p], #6*%c[n]+1]\n\tmla %[s6], %[t], %[g1], %[s6]\n\t"  \
    "ldrsb %[t], [%[p], #7*%c[n]]\n\tmul %[s7], %[t], %[g0]\n\t"           \
    "ldrsb %[t], [%[p], #7*%c[n]+1]\n\tmla %[s7], %[t], %[g1], %[s7]\n\t"  \
    "ldrsb %[t], [%[p]], #2\n\tmla %[s0], %[t], %[g0], %[s0]\n\t"

// v[r] = Σ_j w[r][j]·g[j] for eight rows r (stride bytes apart, a constant < 512) over the cols
// columns from row, two at a time (cols even, >= 2): the first pass of four pairs (five, two,
// one: what divides cols/2) written out, then a loop of such passes.
// Registers: p = &w[0][j], g walked by LDRD's post-index up to gend.
UGRAD_Q8_KERNEL void rows8(const int32_t* g, const int8_t* row, size_t stride, size_t cols, int32_t* v) noexcept {
    const int32_t* const gend = g + cols;
    const int8_t* p = row;
    int32_t s0, s1, s2, s3, s4, s5, s6, s7, g0, g1, t;
#define UGRAD_Q8_ARMV7M_ROWS8(first, loop)                                                                         \
    __asm__ volatile(first loop                                                                                   \
                     : [s0] "=&r"(s0), [s1] "=&r"(s1), [s2] "=&r"(s2), [s3] "=&r"(s3), [s4] "=&r"(s4),             \
                       [s5] "=&r"(s5), [s6] "=&r"(s6), [s7] "=&r"(s7), [g] "+r"(g), [p] "+r"(p), [g0] "=&r"(g0),   \
                       [g1] "=&r"(g1), [t] "=&r"(t)                                                               \
                     : [gend] "r"(gend), [n] "n"(stride)                                                          \
                     : "cc", "memory")
#define UGRAD_Q8_ARMV7M_LOOP(body) "1:\n\t" body "cmp %[g], %[gend]\n\tbne 1b"
    // NOLINTBEGIN(hicpp-no-assembler): the instruction schedule is the kernel
    const size_t pairs = cols / 2;
    if (pairs == 5) {
        UGRAD_Q8_ARMV7M_ROWS8(UGRAD_Q8_ARMV7M_PAIR8_FIRST UGRAD_Q8_ARMV7M_FOUR_TIMES(UGRAD_Q8_ARMV7M_PAIR8), "");
    } else if (pairs == 4) {
        UGRAD_Q8_ARMV7M_ROWS8(UGRAD_Q8_ARMV7M_PAIR8_FIRST UGRAD_Q8_ARMV7M_PAIR8 UGRAD_Q8_ARMV7M_PAIR8 UGRAD_Q8_ARMV7M_PAIR8,
                              "");
    } else if (pairs % 4 == 0) {
        UGRAD_Q8_ARMV7M_ROWS8(UGRAD_Q8_ARMV7M_PAIR8_FIRST UGRAD_Q8_ARMV7M_PAIR8 UGRAD_Q8_ARMV7M_PAIR8 UGRAD_Q8_ARMV7M_PAIR8,
                              UGRAD_Q8_ARMV7M_LOOP(UGRAD_Q8_ARMV7M_FOUR_TIMES(UGRAD_Q8_ARMV7M_PAIR8)));
    } else if (pairs == 2) {
        UGRAD_Q8_ARMV7M_ROWS8(UGRAD_Q8_ARMV7M_PAIR8_FIRST UGRAD_Q8_ARMV7M_PAIR8, "");
    } else if (pairs % 2 == 0) {
        UGRAD_Q8_ARMV7M_ROWS8(UGRAD_Q8_ARMV7M_PAIR8_FIRST UGRAD_Q8_ARMV7M_PAIR8,
                              UGRAD_Q8_ARMV7M_LOOP(UGRAD_Q8_ARMV7M_TWICE(UGRAD_Q8_ARMV7M_PAIR8)));
    } else if (pairs == 1) {
        UGRAD_Q8_ARMV7M_ROWS8(UGRAD_Q8_ARMV7M_PAIR8_FIRST, "");
    } else {
        UGRAD_Q8_ARMV7M_ROWS8(UGRAD_Q8_ARMV7M_PAIR8_FIRST, UGRAD_Q8_ARMV7M_LOOP(UGRAD_Q8_ARMV7M_PAIR8));
    }
    // NOLINTEND(hicpp-no-assembler)
#undef UGRAD_Q8_ARMV7M_LOOP
#undef UGRAD_Q8_ARMV7M_ROWS8
    v[0] = s0;
    v[1] = s1;
    v[2] = s2;
    v[3] = s3;
    v[4] = s4;
    v[5] = s5;
    v[6] = s6;
    v[7] = s7;
}
#undef UGRAD_Q8_ARMV7M_PAIR8
#undef UGRAD_Q8_ARMV7M_PAIR8_FIRST

// acc[j] = b[j] + Σ_i (x[i] − z)·w[i][j].   x [in], w [in][out], b, acc [out]; xz: scratch [in].
// xz[i] = x[i] − z once; then eight columns at a time run down the rows in registers, then two,
// then one in C. Returns false, having done nothing, unless in and out are constants, out < 256
// (then kernels.hpp's loops run).
UGRAD_Q8_KERNEL bool affine(const int8_t* x, int32_t z, const int8_t* w, const int32_t* b, size_t in, size_t out,
                            int32_t* acc, int32_t* xz) noexcept {
    if (!(__builtin_constant_p(in) && __builtin_constant_p(out) && out < 256)) return false;
    const size_t fours = in - in % 4;
    for (size_t i = 0; i < fours; i += 4) {  // four codes in one word load (ARMv7-M allows it unaligned)
        uint32_t four;
        __builtin_memcpy(&four, x + i, 4);
        xz[i] = (int32_t(four << 24) >> 24) - z;
        xz[i + 1] = (int32_t(four << 16) >> 24) - z;
        xz[i + 2] = (int32_t(four << 8) >> 24) - z;
        xz[i + 3] = (int32_t(four) >> 24) - z;
    }
    for (size_t i = fours; i < in; ++i) xz[i] = int32_t(x[i]) - z;
    size_t j = 0;
    for (; j + 8 <= out; j += 8) columns8(xz, w + j, in, out, b + j, acc + j);
    for (; j + 2 <= out; j += 2) columns2(xz, w + j, in, out, b + j, acc + j);
    if (j < out) {
        int32_t a0 = b[j];
        for (size_t i = 0; i < in; ++i) a0 += xz[i] * w[i * out + j];
        acc[j] = a0;
    }
    return true;
}

// v[i] = Σ_j w[i][j]·g[j].   g [out], w [in][out], v [in]. Eight rows at a time share each load of
// g[j] (an odd first column added in C), the last in % 8 rows four, then one at a time in C.
// Returns false, having done nothing, unless out is a constant < 512.
UGRAD_Q8_KERNEL bool affine_t(const int32_t* g, const int8_t* w, size_t in, size_t out, int32_t* v) noexcept {
    if (!(__builtin_constant_p(out) && out < 512)) return false;
    const size_t odd = out % 2, cols = out - odd;
    size_t i = 0;
    for (; i + 8 <= in; i += 8) {
        const int8_t* row = w + i * out;
        if (cols) {
            rows8(g + odd, row + odd, out, cols, v + i);
        } else {
            for (size_t r = 0; r < 8; ++r) v[i + r] = 0;
        }
        if (odd)
            for (size_t r = 0; r < 8; ++r) v[i + r] += int32_t(row[r * out]) * g[0];
    }
    for (; i + 4 <= in; i += 4) {
        const int8_t* row = w + i * out;
        int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (size_t j = 0; j < out; ++j) {
            const int32_t gj = g[j];
            s0 += int32_t(row[j]) * gj;
            s1 += int32_t(row[out + j]) * gj;
            s2 += int32_t(row[2 * out + j]) * gj;
            s3 += int32_t(row[3 * out + j]) * gj;
        }
        v[i] = s0;
        v[i + 1] = s1;
        v[i + 2] = s2;
        v[i + 3] = s3;
    }
    for (; i < in; ++i) {
        int32_t sum = 0;
        for (size_t j = 0; j < out; ++j) sum += int32_t(w[i * out + j]) * g[j];
        v[i] = sum;
    }
    return true;
}

// -Os: the least code, sizes at run time (in, out >= 1). acc[j] = b[j] + Σ_i (x[i] − z)·w[i][j],
// row by row, acc in memory (w read in memory order, by post-indexed loads).
__attribute__((noinline)) inline void affine_compact(const int8_t* x, int32_t z, const int8_t* w, const int32_t* b,
                                                     size_t in, size_t out, int32_t* acc) noexcept {
    for (size_t j = 0; j < out; ++j) acc[j] = b[j];
    int32_t* const acc_end = acc + out;
    for (const int8_t* const x_end = x + in; x != x_end; ++x) {
        int32_t* ap = acc;
        int32_t a, t;
        // NOLINTNEXTLINE(hicpp-no-assembler): the instruction schedule is the kernel
        __asm__ volatile(
            "1:\n\tldrsb %[t], [%[p]], #1\n\tldr %[a], [%[ap]]\n\tmla %[a], %[t], %[x], %[a]\n\t"
            "str %[a], [%[ap]], #4\n\tcmp %[ap], %[end]\n\tbne 1b"
            : [ap] "+r"(ap), [p] "+r"(w), [a] "=&r"(a), [t] "=&r"(t)
            : [x] "r"(int32_t(*x) - z), [end] "r"(acc_end)
            : "cc", "memory");
    }
}

// -Os: v[i] = Σ_j w[i][j]·g[j], one row at a time (in, out >= 1), w read by post-indexed loads.
__attribute__((noinline)) inline void affine_t_compact(const int32_t* g, const int8_t* w, size_t in, size_t out,
                                                       int32_t* v) noexcept {
    const int32_t* const g_end = g + out;
    for (const int32_t* const v_end = v + in; v != v_end; ++v) {
        const int32_t* gp = g;
        int32_t s = 0, gj, t;
        // NOLINTNEXTLINE(hicpp-no-assembler): the instruction schedule is the kernel
        __asm__ volatile(
            "1:\n\tldr %[gj], [%[g]], #4\n\tldrsb %[t], [%[p]], #1\n\tmla %[s], %[t], %[gj], %[s]\n\t"
            "cmp %[g], %[end]\n\tbne 1b"
            : [s] "+r"(s), [g] "+r"(gp), [p] "+r"(w), [gj] "=&r"(gj), [t] "=&r"(t)
            : [end] "r"(g_end)
            : "cc", "memory");
        *v = s;
    }
}

#undef UGRAD_Q8_ARMV7M_TWICE
#undef UGRAD_Q8_ARMV7M_FOUR_TIMES
#undef UGRAD_Q8_ARMV7M_FIVE_TIMES

}  // namespace ugrad::q8::armv7m
