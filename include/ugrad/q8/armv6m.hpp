// SPDX-License-Identifier: Apache-2.0
// ugrad/q8/armv6m.hpp — the int8 kernels for ARMv6-M (Cortex-M0, M0+, M1: Thumb-1, no multiply-
// accumulate, no immediate-offset LDRSB). The same integer sums as the portable loops of
// kernels.hpp, in another order: exact, so the same bits (the q8 golden vectors run on microbit with
// these kernels and must hash as on the host).
// One multiply-accumulate is three instructions: LDRSB t, [p, off] (register + register: the only
// signed byte load), MULS t, x, t, and ADD a, t — the sums a in r8–r11, which ADD reaches without
// setting flags, so the eight low registers hold the loop's pointers, offset, multiplier and t.
// The offset runs up to zero (ADDS sets Z: no compare), the multipliers come by LDM with write-back,
// and one pass of a loop runs four rows or columns (or two).
// Only where the sizes are known to the compiler (the kernels are inlined into the network's calls
// except at -Os): a row stride is an ADDS immediate (< 256), the unrolling fixed; otherwise
// kernels.hpp's loops run. At -Os, affine_compact and affine_t_compact: the portable -Os schedules
// (a row at a time) in three to four fewer instructions per multiply-accumulate and no more code.
#pragma once

#include <stddef.h>
#include <stdint.h>

#if !defined(UGRAD_Q8_KERNEL)
#define UGRAD_Q8_KERNEL inline
#endif

namespace ugrad::q8::armv6m {

// A loop pass repeats its body four times where the count allows, else twice (or once): written
// out, not .rept, so that the compiler, which counts an asm's lines, knows its length.
#define UGRAD_Q8_ARMV6M_TWICE(body) body body
#define UGRAD_Q8_ARMV6M_FOUR_TIMES(body) body body body body

// One row of four columns: a_c += w[i][c]·x for x = xz[i] (LDM), then off on to the next row.
#define UGRAD_Q8_ARMV6M_ROW4                                                    \
    "ldm %[xz]!, {%[x]}\n\t"                                                     \
    "ldrsb %[t], [%[p0], %[off]]\n\tmuls %[t], %[x], %[t]\n\tadd %[a0], %[t]\n\t" \
    "ldrsb %[t], [%[p1], %[off]]\n\tmuls %[t], %[x], %[t]\n\tadd %[a1], %[t]\n\t" \
    "ldrsb %[t], [%[p2], %[off]]\n\tmuls %[t], %[x], %[t]\n\tadd %[a2], %[t]\n\t" \
    "ldrsb %[t], [%[p3], %[off]]\n\tmuls %[t], %[x], %[t]\n\tadd %[a3], %[t]\n\t" \
    "adds %[off], %[step]\n\t"

// acc[c] = a_c + Σ_i xz[i]·w[i][c] for four columns c, over rows i = 0 .. rows − 1 (rows even,
// >= 2), four rows per loop pass (or two). column: &w[0][0] of the block; out: the row
// stride (bytes), a constant < 256.
// Registers: p_c = &w[rows][c] (one row past the last), off = (i − rows)·out from −rows·out up to 0.
UGRAD_Q8_KERNEL void columns4(const int32_t* xz, const int8_t* column, size_t rows, size_t out, int32_t a0, int32_t a1,
                              int32_t a2, int32_t a3, int32_t* acc) noexcept {
    // (addresses as integers: past the last row, column c's pointer is outside the array)
    const uintptr_t end = uintptr_t(column) + rows * out, p0 = end, p1 = end + 1, p2 = end + 2, p3 = end + 3;
    int32_t off = -int32_t(rows * out), x, t;
#define UGRAD_Q8_ARMV6M_LOOP(body)                                                                  \
    __asm__ volatile(".syntax unified\n1:\n\t" body "bne 1b"                                    \
                     : [a0] "+h"(a0), [a1] "+h"(a1), [a2] "+h"(a2), [a3] "+h"(a3), [xz] "+l"(xz), \
                       [off] "+l"(off), [x] "=&l"(x), [t] "=&l"(t)                                 \
                     : [p0] "l"(p0), [p1] "l"(p1), [p2] "l"(p2), [p3] "l"(p3), [step] "I"(out)     \
                     : "cc", "memory")
    // NOLINTBEGIN(hicpp-no-assembler): the instruction schedule is the kernel
    if (rows % 4 == 0) {
        UGRAD_Q8_ARMV6M_LOOP(UGRAD_Q8_ARMV6M_FOUR_TIMES(UGRAD_Q8_ARMV6M_ROW4));
    } else {
        UGRAD_Q8_ARMV6M_LOOP(UGRAD_Q8_ARMV6M_TWICE(UGRAD_Q8_ARMV6M_ROW4));
    }
    // NOLINTEND(hicpp-no-assembler)
#undef UGRAD_Q8_ARMV6M_LOOP
    acc[0] = a0;
    acc[1] = a1;
    acc[2] = a2;
    acc[3] = a3;
}
#undef UGRAD_Q8_ARMV6M_ROW4

// One row of two columns, as UGRAD_Q8_ARMV6M_ROW4.
#define UGRAD_Q8_ARMV6M_ROW2                                                    \
    "ldm %[xz]!, {%[x]}\n\t"                                                     \
    "ldrsb %[t], [%[p0], %[off]]\n\tmuls %[t], %[x], %[t]\n\tadd %[a0], %[t]\n\t" \
    "ldrsb %[t], [%[p1], %[off]]\n\tmuls %[t], %[x], %[t]\n\tadd %[a1], %[t]\n\t" \
    "adds %[off], %[step]\n\t"

// acc[c] = a_c + Σ_i xz[i]·w[i][c] for two columns, as columns4.
UGRAD_Q8_KERNEL void columns2(const int32_t* xz, const int8_t* column, size_t rows, size_t out, int32_t a0, int32_t a1,
                              int32_t* acc) noexcept {
    const uintptr_t end = uintptr_t(column) + rows * out, p0 = end, p1 = end + 1;
    int32_t off = -int32_t(rows * out), x, t;
#define UGRAD_Q8_ARMV6M_LOOP(body)                                                                  \
    __asm__ volatile(".syntax unified\n1:\n\t" body "bne 1b"                                    \
                     : [a0] "+h"(a0), [a1] "+h"(a1), [xz] "+l"(xz), [off] "+l"(off), [x] "=&l"(x), \
                       [t] "=&l"(t)                                                                \
                     : [p0] "l"(p0), [p1] "l"(p1), [step] "I"(out)                                 \
                     : "cc", "memory")
    // NOLINTBEGIN(hicpp-no-assembler): the instruction schedule is the kernel
    if (rows % 4 == 0) {
        UGRAD_Q8_ARMV6M_LOOP(UGRAD_Q8_ARMV6M_FOUR_TIMES(UGRAD_Q8_ARMV6M_ROW2));
    } else {
        UGRAD_Q8_ARMV6M_LOOP(UGRAD_Q8_ARMV6M_TWICE(UGRAD_Q8_ARMV6M_ROW2));
    }
    // NOLINTEND(hicpp-no-assembler)
#undef UGRAD_Q8_ARMV6M_LOOP
    acc[0] = a0;
    acc[1] = a1;
}
#undef UGRAD_Q8_ARMV6M_ROW2

// xz[i] = x[i] − z for i = 0 .. n − 1 (n >= 1), four per loop pass (or one).
// Registers: end = &x[n], off = i − n from −n up to 0.
UGRAD_Q8_KERNEL void less_zero_point(const int8_t* x, int32_t z, size_t n, int32_t* xz) noexcept {
    const uintptr_t end = uintptr_t(x) + n;
    int32_t off = -int32_t(n), t;
#define UGRAD_Q8_ARMV6M_LOOP(body)                                                   \
    __asm__ volatile(".syntax unified\n1:\n\t" body "bne 1b"                     \
                     : [xz] "+l"(xz), [off] "+l"(off), [t] "=&l"(t)              \
                     : [end] "l"(end), [z] "l"(z)                                \
                     : "cc", "memory")
#define UGRAD_Q8_ARMV6M_CODE \
    "ldrsb %[t], [%[end], %[off]]\n\tsubs %[t], %[t], %[z]\n\tstm %[xz]!, {%[t]}\n\tadds %[off], #1\n\t"
    // NOLINTBEGIN(hicpp-no-assembler): the instruction schedule is the kernel
    if (n % 4 == 0) {
        UGRAD_Q8_ARMV6M_LOOP(UGRAD_Q8_ARMV6M_FOUR_TIMES(UGRAD_Q8_ARMV6M_CODE));
    } else {
        UGRAD_Q8_ARMV6M_LOOP(UGRAD_Q8_ARMV6M_CODE);
    }
    // NOLINTEND(hicpp-no-assembler)
#undef UGRAD_Q8_ARMV6M_CODE
#undef UGRAD_Q8_ARMV6M_LOOP
}

// acc[j] = b[j] + Σ_i (x[i] − z)·w[i][j].   x [in], w [in][out], b, acc [out]; xz: scratch [in].
// xz[i] = x[i] − z once; then four columns at a time (two, then one for the last out % 4) run down
// the rows in registers; an odd first row is added in C. Returns false, having done nothing, unless
// in and out are constants, out < 256 (then kernels.hpp's loops run).
UGRAD_Q8_KERNEL bool affine(const int8_t* x, int32_t z, const int8_t* w, const int32_t* b, size_t in, size_t out,
                            int32_t* acc, int32_t* xz) noexcept {
    if (!(__builtin_constant_p(in) && __builtin_constant_p(out) && out < 256)) return false;
    less_zero_point(x, z, in, xz);
    const size_t odd = in % 2, rows = in - odd;
    const int32_t* xr = xz + odd;
    const int8_t* wr = w + odd * out;
    // the odd first row's product with column c (or 0)
    auto first = [&](size_t c) { return odd ? xz[0] * w[c] : 0; };
    size_t j = 0;
    for (; j + 4 <= out; j += 4) {
        const int32_t a0 = b[j] + first(j), a1 = b[j + 1] + first(j + 1);
        const int32_t a2 = b[j + 2] + first(j + 2), a3 = b[j + 3] + first(j + 3);
        if (rows) {
            columns4(xr, wr + j, rows, out, a0, a1, a2, a3, acc + j);
        } else {
            acc[j] = a0;
            acc[j + 1] = a1;
            acc[j + 2] = a2;
            acc[j + 3] = a3;
        }
    }
    if (j + 2 <= out) {
        const int32_t a0 = b[j] + first(j), a1 = b[j + 1] + first(j + 1);
        if (rows) {
            columns2(xr, wr + j, rows, out, a0, a1, acc + j);
        } else {
            acc[j] = a0;
            acc[j + 1] = a1;
        }
        j += 2;
    }
    if (j < out) {
        int32_t a = b[j];
        for (size_t i = 0; i < in; ++i) a += xz[i] * w[i * out + j];
        acc[j] = a;
    }
    return true;
}

// One column of four rows: s_r += w[r][j]·g for g = g[j] (LDM), then off on to the next column.
#define UGRAD_Q8_ARMV6M_COLUMN4                                                   \
    "ldm %[g]!, {%[gj]}\n\t"                                                       \
    "ldrsb %[t], [%[p0], %[off]]\n\tmuls %[t], %[gj], %[t]\n\tadd %[s0], %[t]\n\t" \
    "ldrsb %[t], [%[p1], %[off]]\n\tmuls %[t], %[gj], %[t]\n\tadd %[s1], %[t]\n\t" \
    "ldrsb %[t], [%[p2], %[off]]\n\tmuls %[t], %[gj], %[t]\n\tadd %[s2], %[t]\n\t" \
    "ldrsb %[t], [%[p3], %[off]]\n\tmuls %[t], %[gj], %[t]\n\tadd %[s3], %[t]\n\t" \
    "adds %[off], #1\n\t"

// v[r] = Σ_j w[r][j]·g[j] for four rows r, over the cols columns that end each row (cols even,
// >= 2), four columns per loop pass (or two). end: one past row 0's last byte; the rows
// stride bytes apart. Registers: p_r = end + r·stride, off = j − cols from −cols up to 0.
UGRAD_Q8_KERNEL void rows4(const int32_t* g, const int8_t* end, size_t stride, size_t cols, int32_t* v) noexcept {
    const int8_t *p0 = end, *p1 = p0 + stride, *p2 = p1 + stride, *p3 = p2 + stride;
    int32_t off = -int32_t(cols), gj, t;
    int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
#define UGRAD_Q8_ARMV6M_LOOP(body)                                                                 \
    __asm__ volatile(".syntax unified\n1:\n\t" body "bne 1b"                                   \
                     : [s0] "+h"(s0), [s1] "+h"(s1), [s2] "+h"(s2), [s3] "+h"(s3), [g] "+l"(g),  \
                       [off] "+l"(off), [gj] "=&l"(gj), [t] "=&l"(t)                              \
                     : [p0] "l"(p0), [p1] "l"(p1), [p2] "l"(p2), [p3] "l"(p3)                    \
                     : "cc", "memory")
    // NOLINTBEGIN(hicpp-no-assembler): the instruction schedule is the kernel
    if (cols % 4 == 0) {
        UGRAD_Q8_ARMV6M_LOOP(UGRAD_Q8_ARMV6M_FOUR_TIMES(UGRAD_Q8_ARMV6M_COLUMN4));
    } else {
        UGRAD_Q8_ARMV6M_LOOP(UGRAD_Q8_ARMV6M_TWICE(UGRAD_Q8_ARMV6M_COLUMN4));
    }
    // NOLINTEND(hicpp-no-assembler)
#undef UGRAD_Q8_ARMV6M_LOOP
    v[0] = s0;
    v[1] = s1;
    v[2] = s2;
    v[3] = s3;
}
#undef UGRAD_Q8_ARMV6M_COLUMN4

// v[i] = Σ_j w[i][j]·g[j].   g [out], w [in][out], v [in]. Four rows at a time share each load of
// g[j]; an odd first column is added in C, and the last in % 4 rows. Returns false, having done
// nothing, unless out is a constant (then kernels.hpp's loops run).
UGRAD_Q8_KERNEL bool affine_t(const int32_t* g, const int8_t* w, size_t in, size_t out, int32_t* v) noexcept {
    if (!__builtin_constant_p(out)) return false;
    const size_t odd = out % 2, cols = out - odd, blocked = in - in % 4;
    for (size_t i = 0; i < blocked; i += 4) {
        const int8_t* row = w + i * out;
        if (cols) {
            rows4(g + odd, row + out, out, cols, v + i);
        } else {
            for (size_t r = 0; r < 4; ++r) v[i + r] = 0;
        }
        if (odd)
            for (size_t r = 0; r < 4; ++r) v[i + r] += int32_t(row[r * out]) * g[0];
    }
    for (size_t i = blocked; i < in; ++i) {
        int32_t sum = 0;
        for (size_t j = 0; j < out; ++j) sum += int32_t(w[i * out + j]) * g[j];
        v[i] = sum;
    }
    return true;
}

// -Os: the least code, sizes at run time (in, out >= 1). acc[j] = b[j] + Σ_i (x[i] − z)·w[i][j],
// row by row, acc in memory (w read in memory order). Registers: p = &w[i][out] (the row's end, w
// moved on a row before each),
// off = j − out from −out up to 0, acc[j] by LDR and STM with write-back.
__attribute__((noinline)) inline void affine_compact(const int8_t* x, int32_t z, const int8_t* w, const int32_t* b,
                                                     size_t in, size_t out, int32_t* acc) noexcept {
    for (size_t j = 0; j < out; ++j) acc[j] = b[j];
    const int32_t first = -int32_t(out);
    for (const int8_t* const x_end = x + in; x != x_end; ++x) {
        w += out;
        int32_t* ap = acc;
        int32_t off = first, a, t;
        // NOLINTNEXTLINE(hicpp-no-assembler): the instruction schedule is the kernel
        __asm__ volatile(
            ".syntax unified\n1:\n\t"
            "ldrsb %[t], [%[p], %[off]]\n\tldr %[a], [%[ap]]\n\tmuls %[t], %[x], %[t]\n\tadds %[a], %[a], %[t]\n\t"
            "stm %[ap]!, {%[a]}\n\tadds %[off], #1\n\tbne 1b"
            : [ap] "+l"(ap), [off] "+l"(off), [a] "=&l"(a), [t] "=&l"(t)
            : [p] "l"(w), [x] "l"(int32_t(*x) - z)
            : "cc", "memory");
    }
}

// -Os: v[i] = Σ_j w[i][j]·g[j], one row at a time (in, out >= 1). Registers: p = &w[i][out] (the
// row's end, w moved on a row before each), off = j − out from −out up to 0, g[j] by LDM.
__attribute__((noinline)) inline void affine_t_compact(const int32_t* g, const int8_t* w, size_t in, size_t out,
                                                       int32_t* v) noexcept {
    const int32_t first = -int32_t(out);
    for (const int32_t* const v_end = v + in; v != v_end; ++v) {
        w += out;
        const int32_t* gp = g;
        int32_t s = 0, off = first, gj, t;
        // NOLINTNEXTLINE(hicpp-no-assembler): the instruction schedule is the kernel
        __asm__ volatile(
            ".syntax unified\n1:\n\t"
            "ldm %[g]!, {%[gj]}\n\tldrsb %[t], [%[p], %[off]]\n\tmuls %[t], %[gj], %[t]\n\tadds %[s], %[s], %[t]\n\t"
            "adds %[off], #1\n\tbne 1b"
            : [s] "+l"(s), [g] "+l"(gp), [off] "+l"(off), [gj] "=&l"(gj), [t] "=&l"(t)
            : [p] "l"(w)
            : "cc", "memory");
        *v = s;
    }
}

#undef UGRAD_Q8_ARMV6M_TWICE
#undef UGRAD_Q8_ARMV6M_FOUR_TIMES

}  // namespace ugrad::q8::armv6m
