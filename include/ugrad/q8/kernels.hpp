// SPDX-License-Identifier: Apache-2.0
// ugrad/q8/kernels.hpp — the two loops over an int8 layer's weights: affine (forward) and affine_t
// (backward). Integer sums are exact, so every schedule here gives the same bits; which one runs is
// picked from the compiler's own macros (__ARM_FEATURE_DSP, __ARM_ARCH_6M__, __ARM_ARCH_7M__,
// __OPTIMIZE_SIZE__: each core's compact variant), and UGRAD_Q8_DSP_KERNELS, UGRAD_Q8_ARMV6M_KERNELS,
// UGRAD_Q8_ARMV6M_COMPACT_KERNELS, UGRAD_Q8_ARMV7M_KERNELS, UGRAD_Q8_ARMV7M_COMPACT_KERNELS (0 or 1)
// override them.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/q8/fixed_point.hpp>

#if !defined(UGRAD_Q8_DSP_KERNELS)
#if defined(__ARM_FEATURE_DSP)
#define UGRAD_Q8_DSP_KERNELS 1
#else
#define UGRAD_Q8_DSP_KERNELS 0
#endif
#endif

// Except at -Os, the kernels are inlined into each call (always_inline), where the network's
// layer sizes are constants: strides become immediate offsets and loop counts known.
#if !defined(UGRAD_Q8_KERNEL)
#if defined(__OPTIMIZE_SIZE__)
#define UGRAD_Q8_KERNEL inline
#else
#define UGRAD_Q8_KERNEL inline __attribute__((always_inline))
#endif
#endif

// ARMv6-M (Cortex-M0, M0+) and ARMv7-M without DSP (Cortex-M3): armv6m.hpp's and armv7m.hpp's
// kernels, with GCC (their assembly takes sizes that are constants only once inlined), except at
// -Os (they are larger); at -Os, their compact ones (the portable -Os schedules, no larger).
#if !defined(UGRAD_Q8_ARMV6M_KERNELS)
#if defined(__ARM_ARCH_6M__) && defined(__OPTIMIZE__) && !defined(__OPTIMIZE_SIZE__) && !defined(__clang__)
#define UGRAD_Q8_ARMV6M_KERNELS 1
#else
#define UGRAD_Q8_ARMV6M_KERNELS 0
#endif
#endif
#if !defined(UGRAD_Q8_ARMV7M_KERNELS)
#if defined(__ARM_ARCH_7M__) && defined(__OPTIMIZE__) && !defined(__OPTIMIZE_SIZE__) && !defined(__clang__)
#define UGRAD_Q8_ARMV7M_KERNELS 1
#else
#define UGRAD_Q8_ARMV7M_KERNELS 0
#endif
#endif

#if !defined(UGRAD_Q8_ARMV6M_COMPACT_KERNELS)
#if defined(__ARM_ARCH_6M__) && defined(__OPTIMIZE_SIZE__) && !defined(__clang__)
#define UGRAD_Q8_ARMV6M_COMPACT_KERNELS 1
#else
#define UGRAD_Q8_ARMV6M_COMPACT_KERNELS 0
#endif
#endif
#if !defined(UGRAD_Q8_ARMV7M_COMPACT_KERNELS)
#if defined(__ARM_ARCH_7M__) && defined(__OPTIMIZE_SIZE__) && !defined(__clang__)
#define UGRAD_Q8_ARMV7M_COMPACT_KERNELS 1
#else
#define UGRAD_Q8_ARMV7M_COMPACT_KERNELS 0
#endif
#endif

#if UGRAD_Q8_DSP_KERNELS
#include <ugrad/q8/armv7em.hpp>
#elif UGRAD_Q8_ARMV6M_KERNELS || UGRAD_Q8_ARMV6M_COMPACT_KERNELS
#include <ugrad/q8/armv6m.hpp>
#elif UGRAD_Q8_ARMV7M_KERNELS || UGRAD_Q8_ARMV7M_COMPACT_KERNELS
#include <ugrad/q8/armv7m.hpp>
#endif

namespace ugrad::q8::detail {

// acc[j] = b[j] + Σ_i (x[i] − z)·w[i][j], i ascending.   x [in], w [in][out], b, acc [out].
// Integer sums are exact, so the schedules below give the same bits:
//   with the Armv7E-M DSP instructions: armv7em.hpp's kernel, two rows per SMLAD (at -Os its compact one);
//   on ARMv6-M or ARMv7-M (not at -Os, sizes known to the compiler): armv6m.hpp's or armv7m.hpp's;
//   -Os (__OPTIMIZE_SIZE__): row by row, acc[] in memory (w read in memory order): the least code
//   (on ARMv6-M and ARMv7-M, armv6m.hpp's and armv7m.hpp's affine_compact, the same schedule);
//   otherwise: the inputs less their zero point go once into xz [in], then eight output units at a
//   time keep their sums in registers down the rows (w read with a stride of out), then four, two, one.
// (xz: the -O2 schedules write it, -Os does not.)
UGRAD_Q8_KERNEL void affine(const int8_t* x, int32_t z, const int8_t* w, const int32_t* b, size_t in, size_t out,
                            int32_t* acc, int32_t* xz) noexcept {  // NOLINT(readability-non-const-parameter)
#if UGRAD_Q8_DSP_KERNELS && defined(__OPTIMIZE_SIZE__)
    armv7em::affine_compact(x, z, w, b, in, out, acc, xz);
#elif UGRAD_Q8_DSP_KERNELS
    armv7em::affine(x, z, w, b, in, out, acc, xz);
#elif UGRAD_Q8_ARMV6M_COMPACT_KERNELS
    (void)xz;
    armv6m::affine_compact(x, z, w, b, in, out, acc);
#elif UGRAD_Q8_ARMV7M_COMPACT_KERNELS
    (void)xz;
    armv7m::affine_compact(x, z, w, b, in, out, acc);
#elif defined(__OPTIMIZE_SIZE__)
    (void)xz;
    for (size_t j = 0; j < out; ++j) acc[j] = b[j];
    for (size_t i = 0; i < in; ++i, w += out) {
        const int32_t xi = int32_t(x[i]) - z;
        for (size_t j = 0; j < out; ++j) acc[j] += xi * int32_t(w[j]);
    }
#else
#if UGRAD_Q8_ARMV6M_KERNELS
    if (armv6m::affine(x, z, w, b, in, out, acc, xz)) return;
#elif UGRAD_Q8_ARMV7M_KERNELS
    if (armv7m::affine(x, z, w, b, in, out, acc, xz)) return;
#endif
    for (size_t i = 0; i < in; ++i) xz[i] = int32_t(x[i]) - z;
    const size_t eights = out - out % 8;
    for (size_t j = 0; j < eights; j += 8) {
        int32_t a0 = b[j], a1 = b[j + 1], a2 = b[j + 2], a3 = b[j + 3];
        int32_t a4 = b[j + 4], a5 = b[j + 5], a6 = b[j + 6], a7 = b[j + 7];
        const int8_t* column = w + j;
        for (size_t i = 0; i < in; ++i, column += out) {
            const int32_t v = xz[i];
            a0 += v * column[0];
            a1 += v * column[1];
            a2 += v * column[2];
            a3 += v * column[3];
            a4 += v * column[4];
            a5 += v * column[5];
            a6 += v * column[6];
            a7 += v * column[7];
        }
        acc[j] = a0;
        acc[j + 1] = a1;
        acc[j + 2] = a2;
        acc[j + 3] = a3;
        acc[j + 4] = a4;
        acc[j + 5] = a5;
        acc[j + 6] = a6;
        acc[j + 7] = a7;
    }
    const size_t blocked = out - out % 4;
    for (size_t j = eights; j < blocked; j += 4) {
        int32_t a0 = b[j], a1 = b[j + 1], a2 = b[j + 2], a3 = b[j + 3];
        const int8_t* column = w + j;
        for (size_t i = 0; i < in; ++i, column += out) {
            const int32_t v = xz[i];
            a0 += v * column[0];
            a1 += v * column[1];
            a2 += v * column[2];
            a3 += v * column[3];
        }
        acc[j] = a0;
        acc[j + 1] = a1;
        acc[j + 2] = a2;
        acc[j + 3] = a3;
    }
    size_t j = blocked;
    if (out - j >= 2) {
        int32_t a0 = b[j], a1 = b[j + 1];
        const int8_t* column = w + j;
        for (size_t i = 0; i < in; ++i, column += out) {
            a0 += xz[i] * column[0];
            a1 += xz[i] * column[1];
        }
        acc[j] = a0;
        acc[j + 1] = a1;
        j += 2;
    }
    if (j < out) {
        int32_t a = b[j];
        for (size_t i = 0; i < in; ++i) a += xz[i] * w[i * out + j];
        acc[j] = a;
    }
#endif
}

// v[i] = Σ_j w[i][j]·g[j], j ascending.   g [out] (|g_j| < 2^15; the call may overwrite it),
// w [in][out], v [in]. Except at -Os, eight rows (four on ARMv6-M) at a time share each load of
// g[j] (the sums stay in registers); with the Armv7E-M DSP instructions, armv7em.hpp's kernel; on
// ARMv6-M and ARMv7-M, armv6m.hpp's and armv7m.hpp's (at -Os, their affine_t_compact: a row at a
// time, as the portable -Os loop).
// (g: the Armv7E-M kernel packs it in place, the portable ones only read it.)
// cppcheck-suppress constParameter
UGRAD_Q8_KERNEL void affine_t(int32_t* g,  // NOLINT(readability-non-const-parameter)
                              const int8_t* w, size_t in, size_t out, int32_t* v) noexcept {
#if UGRAD_Q8_DSP_KERNELS && defined(__OPTIMIZE_SIZE__)
    armv7em::affine_t_compact(g, w, in, out, v);
#elif UGRAD_Q8_DSP_KERNELS
    armv7em::affine_t<false>(g, BlockShift{0, 0}, w, in, out, v);
#elif UGRAD_Q8_ARMV6M_COMPACT_KERNELS
    armv6m::affine_t_compact(g, w, in, out, v);
#elif UGRAD_Q8_ARMV7M_COMPACT_KERNELS
    armv7m::affine_t_compact(g, w, in, out, v);
#else
#if UGRAD_Q8_ARMV6M_KERNELS
    if (armv6m::affine_t(g, w, in, out, v)) return;
#elif UGRAD_Q8_ARMV7M_KERNELS
    if (armv7m::affine_t(g, w, in, out, v)) return;
#endif
    size_t i = 0;
#if !defined(__OPTIMIZE_SIZE__)
#if !defined(__ARM_ARCH_6M__)  // eight sums need more than ARMv6-M's eight low registers
    const size_t eights = in - in % 8;
    for (; i < eights; i += 8, w += 8 * out) {
        int32_t s[8] = {0, 0, 0, 0, 0, 0, 0, 0};
        for (size_t j = 0; j < out; ++j) {
            const int32_t gj = g[j];
#pragma GCC unroll 8
            for (size_t r = 0; r < 8; ++r) s[r] += int32_t(w[r * out + j]) * gj;
        }
#pragma GCC unroll 8
        for (size_t r = 0; r < 8; ++r) v[i + r] = s[r];
    }
#endif
    const size_t blocked = in - in % 4;
    for (; i < blocked; i += 4, w += 4 * out) {
        int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (size_t j = 0; j < out; ++j) {
            const int32_t gj = g[j];
            s0 += int32_t(w[j]) * gj;
            s1 += int32_t(w[out + j]) * gj;
            s2 += int32_t(w[2 * out + j]) * gj;
            s3 += int32_t(w[3 * out + j]) * gj;
        }
        v[i] = s0;
        v[i + 1] = s1;
        v[i + 2] = s2;
        v[i + 3] = s3;
    }
#endif
    for (; i < in; ++i, w += out) {
        int32_t sum = 0;
#pragma GCC unroll 8
        for (size_t j = 0; j < out; ++j) sum += int32_t(w[j]) * g[j];
        v[i] = sum;
    }
#endif
}

// affine_t on g still to be rescaled by s (a normalize15's shift, fixed_point.hpp): g_j = rescale(g_j, s),
// then v = affine_t(g). With Bits, also returns the OR of the |v_i| (the next normalize15's bits),
// else 0. The Armv7E-M kernel folds both into its loops (the rescale into its packing of g).
template <bool Bits>
UGRAD_Q8_KERNEL uint32_t affine_t_rescaled(int32_t* g, BlockShift s, const int8_t* w, size_t in, size_t out,
                                           int32_t* v) noexcept {
#if UGRAD_Q8_DSP_KERNELS && !defined(__OPTIMIZE_SIZE__)
    return armv7em::affine_t<Bits>(g, s, w, in, out, v);
#else
    for (size_t j = 0; j < out; ++j) g[j] = rescale(g[j], s);
    affine_t(g, w, in, out, v);
    uint32_t bits = 0;
    if (Bits)
        for (size_t i = 0; i < in; ++i) bits |= magnitude(v[i]);
    return bits;
#endif
}

}  // namespace ugrad::q8::detail
