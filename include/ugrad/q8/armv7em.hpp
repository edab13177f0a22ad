// SPDX-License-Identifier: Apache-2.0
// ugrad/q8/armv7em.hpp — the int8 kernels with the Armv7E-M DSP instructions (Cortex-M4, M7, M33
// with DSP): two int16 products and their sum in one SMLAD. The same integer sums as the portable
// loops of kernels.hpp, in another order: exact, so the same bits (the q8 golden vectors run on
// mps2-an386 with these kernels and must hash as on the host; tests/q8/kernels_vs_reference.cpp
// checks every shape's tails against plain loops on the target).
//   SXTB16 r, w          the bytes 0 and 2 of w, sign-extended to two int16: (w0, w2)
//   SXTB16 r, w, ROR #8  the bytes 1 and 3: (w1, w3)
//   PKHBT / PKHTB        two int16 halves from two registers
//   SSUB16 r, a, b       (a.lo − b.lo, a.hi − b.hi)
//   SMLAD a, b, s        s + a.lo·b.lo + a.hi·b.hi
// Word loads of the int8 rows may be unaligned (Out % 4 != 0): Armv7E-M allows it for LDR (not for
// LDRD: the 8-byte loads below are only of int32 arrays, or of rows when Out % 4 == 0, the rows of
// Dense::w then starting on a word, Dense being word-aligned with w first).
// Two variants of each kernel: the fast one (inlined, blocked and unrolled) and, at -Os, a compact
// one (one pair of rows or one word of a row per step, no unrolling): kernels.hpp picks.
// Some steps are whole asm statements, loads included: in the fast kernels, where GCC would hoist
// the loads of an unrolled loop ahead and spill (with immediate offsets: when Out is a constant,
// as in the network's calls; C otherwise, and without optimization, -O0, where the operands would
// not fit the registers); in the compact ones, the inner loops themselves (-Os allocation spills
// in them). Instructions per call, 64-32-10 on the M4F: make TARGET=mps2-an386 q8-bench-parts.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/armv7em_dsp.hpp>
#include <ugrad/q8/fixed_point.hpp>

#if !defined(UGRAD_Q8_KERNEL)
#define UGRAD_Q8_KERNEL inline
#endif

namespace ugrad::q8::armv7em {

// The instruction wrappers (SXTB16, PKHBT/PKHTB, SSUB16, SMLAD, unaligned loads): ugrad/armv7em_dsp.hpp.
using ::ugrad::armv7em_dsp::high_halves;
using ::ugrad::armv7em_dsp::load_half;
using ::ugrad::armv7em_dsp::load_word;
using ::ugrad::armv7em_dsp::low_halves;
using ::ugrad::armv7em_dsp::smlad;
using ::ugrad::armv7em_dsp::ssub16;
using ::ugrad::armv7em_dsp::sxtb16;
using ::ugrad::armv7em_dsp::sxtb16_ror8;

// (low half of lo, low half of hi): one PKHBT.
inline uint32_t halves(int32_t lo, int32_t hi) noexcept {
    return low_halves(uint32_t(lo), uint32_t(hi));
}

// The inputs less their zero point, as int16 pairs for SMLAD: xz [in/2 + 1] words. For each
// quad q of inputs (x[4q..4q+3] − z), one word load: xz[2q] = (x[4q] − z, x[4q+2] − z),
// xz[2q+1] = (x[4q+1] − z, x[4q+3] − z); then, if in % 4 >= 2, xz[2·(in/4)] = the pair
// (x[4Q] − z, x[4Q+1] − z) of the first two inputs left (Q = in/4). |x − z| <= 255.
// Returns the last input less z when in is odd (else 0).
UGRAD_Q8_KERNEL int32_t input_pairs(const int8_t* x, int32_t z, size_t in, uint32_t* xz) noexcept {
    const size_t quads = in / 4;
    const uint32_t zz = halves(z, z);
    for (size_t q = 0; q < quads; ++q) {
        const uint32_t word = load_word(x + 4 * q);
        xz[2 * q] = ssub16(sxtb16(word), zz);
        xz[2 * q + 1] = ssub16(sxtb16_ror8(word), zz);
    }
    if (in % 4 >= 2) xz[2 * quads] = halves(int32_t(x[4 * quads]) - z, int32_t(x[4 * quads + 1]) - z);
    return in % 2 ? int32_t(x[in - 1]) - z : 0;
}

// A word of int8 weights at any address (may alias them), for the loads inside asm below.
typedef uint32_t unaligned_word __attribute__((may_alias, aligned(1)));
// A doubleword of int8 weights or packed pairs at a word-aligned address, for LDRD inside asm.
typedef uint64_t aligned_doubleword __attribute__((may_alias, aligned(4)));
// The memory operands of the asm statements: the word or doubleword at p (types that may alias).
inline const unaligned_word& word_at(const int8_t* p) noexcept {
    return *reinterpret_cast<const unaligned_word*>(p);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast): may_alias
}
inline const aligned_doubleword& doubleword_at(const void* p) noexcept {
    return *static_cast<const aligned_doubleword*>(p);
}
// An int32 array as uint32 (a signed type and its unsigned variant may alias each other).
inline uint32_t* as_unsigned(int32_t* p) noexcept {
    return reinterpret_cast<uint32_t*>(p);  // NOLINT(cppcoreguidelines-pro-type-reinterpret-cast): allowed alias
}

// Four columns a0..a3 += Σ over a row pair (r, r') of (x_r − z)·w[r][j] + (x_r' − z)·w[r'][j], from
// the words of the two rows at columns j..j+3 (upper: &w[r][j], lower: &w[r'][j]) and the pair
// X = (x_r − z, x_r' − z): PKHBT/PKHTB re-pair the rows' halves, (w[r][j], w[r][j+1], w[r'][j],
// w[r'][j+1]) and (… j+2, j+3 …), whose bytes SXTB16 then takes as (w[r][j], w[r'][j]) and, rotated
// by 8, (w[r][j+1], w[r'][j+1]). 12 instructions for 8 products.
__attribute__((always_inline)) inline void row_pair_4(const int8_t* upper, const int8_t* lower, uint32_t X, int32_t& a0,
                                                     int32_t& a1, int32_t& a2, int32_t& a3) noexcept {
    const uint32_t u = load_word(upper), l = load_word(lower);
    const uint32_t lo = low_halves(u, l), hi = high_halves(u, l);
    a0 = smlad(sxtb16(lo), X, a0);
    a1 = smlad(sxtb16_ror8(lo), X, a1);
    a2 = smlad(sxtb16(hi), X, a2);
    a3 = smlad(sxtb16_ror8(hi), X, a3);
}
// Keeps the compiler from hoisting the loads of later steps of an unrolled loop above this one
// (it would, to hide their latency, and run out of registers: spills).
inline void step_barrier() noexcept {
    __asm__ __volatile__("" ::: "memory");  // NOLINT(hicpp-no-assembler): a scheduling barrier, no instruction
}
// The PKHBT/PKHTB/SXTB16/SMLAD steps of row_pair_4 as asm text (u: the upper row's word, l: the
// lower's, x: their inputs' pair, t: scratch; u and l are overwritten).
#define UGRAD_Q8_ROW_PAIR_4(u, l, x, t)           \
    "pkhbt " t ", " u ", " l ", lsl #16\n\t"       \
    "pkhtb " l ", " l ", " u ", asr #16\n\t"       \
    "sxtb16 " u ", " t "\n\t"                      \
    "smlad %[a0], " u ", " x ", %[a0]\n\t"         \
    "sxtb16 " t ", " t ", ror #8\n\t"              \
    "smlad %[a1], " t ", " x ", %[a1]\n\t"         \
    "sxtb16 " u ", " l "\n\t"                      \
    "smlad %[a2], " u ", " x ", %[a2]\n\t"         \
    "sxtb16 " l ", " l ", ror #8\n\t"              \
    "smlad %[a3], " l ", " x ", %[a3]\n\t"

// A quad of rows r..r+3 (row: &w[r][j], out: the row stride) with its two input pairs (X: xz's
// words 2q, 2q+1, one LDRD): the pairs (r, r+2) and (r+1, r+3). 25 instructions for 16 products.
// When out is a constant (the network's calls) small enough for the five loads to be immediate
// offsets from two registers (3·out <= 1020), one asm statement with the loads inside: the
// compiler then neither hoists loads ahead nor splits the LDRD. Otherwise C (any out fits).
inline void row_quad_4(const int8_t* row, size_t out, const uint32_t* X, int32_t& a0, int32_t& a1, int32_t& a2,
                       int32_t& a3) noexcept {
    if (__builtin_constant_p(out) && out <= 340) {
        uint32_t u, l, t, x0, x1;
        __asm__(  // NOLINT(hicpp-no-assembler): the instructions are the kernel
            "ldrd %[x0], %[x1], %[xs]\n\t"
            "ldr %[u], %[r0]\n\t"
            "ldr %[l], %[r2]\n\t"
            UGRAD_Q8_ROW_PAIR_4("%[u]", "%[l]", "%[x0]", "%[t]")
            "ldr %[u], %[r1]\n\t"
            "ldr %[l], %[r3]\n\t"
            UGRAD_Q8_ROW_PAIR_4("%[u]", "%[l]", "%[x1]", "%[t]")
            : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [u] "=&r"(u), [l] "=&r"(l), [t] "=&r"(t),
              [x0] "=&r"(x0), [x1] "=&r"(x1)
            : [r0] "m"(word_at(row)),
              [r1] "m"(word_at(row + out)),
              [r2] "m"(word_at(row + 2 * out)),
              [r3] "m"(word_at(row + 3 * out)),
              [xs] "m"(doubleword_at(X)));
    } else {
        uint64_t pairs;
        __builtin_memcpy(&pairs, X, 8);
        row_pair_4(row, row + 2 * out, uint32_t(pairs), a0, a1, a2, a3);
        row_pair_4(row + out, row + 3 * out, uint32_t(pairs >> 32), a0, a1, a2, a3);
        step_barrier();
    }
}
// The compact walk (-Os) of four columns down pairs (>= 1) row pairs: for each, row_pair_4 of the
// rows at row and row + out with the next pair X of xz, then row += 2·out — the whole loop one asm
// statement (16 instructions per 8 products), so that -Os register allocation cannot spill in it.
__attribute__((always_inline)) inline void row_pairs_4(const int8_t* row, size_t out, const uint32_t* xz, size_t pairs,
                                                      int32_t& a0, int32_t& a1, int32_t& a2, int32_t& a3) noexcept {
#if !defined(__OPTIMIZE__)  // -O0: the twelve operands would not fit the registers
    for (size_t k = 0; k < pairs; ++k, row += 2 * out) row_pair_4(row, row + out, xz[k], a0, a1, a2, a3);
#else
    const uint32_t* const end = xz + pairs;
    uint32_t x, u, l, t;
    __asm__(  // NOLINT(hicpp-no-assembler): the instructions are the kernel
        "1:\n\t"
        "ldr %[x], [%[xz]], #4\n\t"
        "ldr %[u], [%[row]]\n\t"
        "ldr %[l], [%[row], %[out]]\n\t"
        "add %[row], %[row], %[out], lsl #1\n\t"
        UGRAD_Q8_ROW_PAIR_4("%[u]", "%[l]", "%[x]", "%[t]")
        "cmp %[xz], %[end]\n\t"
        "bne 1b"
        : [a0] "+r"(a0), [a1] "+r"(a1), [a2] "+r"(a2), [a3] "+r"(a3), [row] "+r"(row), [xz] "+r"(xz), [x] "=&r"(x),
          [u] "=&r"(u), [l] "=&r"(l), [t] "=&r"(t)
        : [out] "r"(out), [end] "r"(end)
        : "cc", "memory");
#endif
}
#undef UGRAD_Q8_ROW_PAIR_4
// The same for two columns, from the rows' halfwords at j, j+1.
inline void row_pair_2(uint32_t upper, uint32_t lower, uint32_t X, int32_t (&a)[2]) noexcept {
    const uint32_t both = low_halves(upper, lower);
    a[0] = smlad(sxtb16(both), X, a[0]);
    a[1] = smlad(sxtb16_ror8(both), X, a[1]);
}

// acc[j] = b[j] + Σ_i (x[i] − z)·w[i][j].   x [in], w [in][out], b, acc [out]; xz: scratch of in
// int32 (input_pairs). Four columns at a time: down the rows a quad at a time, the rows 4q and
// 4q+2 paired with xz[2q], 4q+1 and 4q+3 with xz[2q+1] (row_pair_4: 25 instructions per 16
// products); then the pair of rows left (in % 4 >= 2) and the last row (in odd). Then the
// columns left: two (halfword loads, row_pair_2), one (byte loads).
UGRAD_Q8_KERNEL void affine(const int8_t* x, int32_t z, const int8_t* w, const int32_t* b, size_t in, size_t out,
                            int32_t* acc, int32_t* xz_) noexcept {
    uint32_t* xz = as_unsigned(xz_);
    const int32_t x_last = input_pairs(x, z, in, xz);
    const size_t quads = in / 4, pair_left = in % 4 >= 2, stride = 4 * out;
    const size_t blocked = out - out % 4;
    size_t j = 0;
    for (; j < blocked; j += 4) {
        int32_t a0 = b[j], a1 = b[j + 1], a2 = b[j + 2], a3 = b[j + 3];
        const int8_t* row = w + j;
        const uint32_t* X = xz;
        size_t q = 0;
        for (; q + 8 <= quads; q += 8, row += 8 * stride, X += 16) {
            row_quad_4(row, out, X, a0, a1, a2, a3);
            row_quad_4(row + stride, out, X + 2, a0, a1, a2, a3);
            row_quad_4(row + 2 * stride, out, X + 4, a0, a1, a2, a3);
            row_quad_4(row + 3 * stride, out, X + 6, a0, a1, a2, a3);
            row_quad_4(row + 4 * stride, out, X + 8, a0, a1, a2, a3);
            row_quad_4(row + 5 * stride, out, X + 10, a0, a1, a2, a3);
            row_quad_4(row + 6 * stride, out, X + 12, a0, a1, a2, a3);
            row_quad_4(row + 7 * stride, out, X + 14, a0, a1, a2, a3);
        }
        if (quads - q >= 4) {
            row_quad_4(row, out, X, a0, a1, a2, a3);
            row_quad_4(row + stride, out, X + 2, a0, a1, a2, a3);
            row_quad_4(row + 2 * stride, out, X + 4, a0, a1, a2, a3);
            row_quad_4(row + 3 * stride, out, X + 6, a0, a1, a2, a3);
            q += 4;
            row += 4 * stride;
            X += 8;
        }
        for (; q < quads; ++q, row += stride, X += 2) row_quad_4(row, out, X, a0, a1, a2, a3);
        if (pair_left) {
            row_pair_4(row, row + out, X[0], a0, a1, a2, a3);
            row += 2 * out;
        }
        if (in % 2) {
            a0 += x_last * row[0];
            a1 += x_last * row[1];
            a2 += x_last * row[2];
            a3 += x_last * row[3];
        }
        acc[j] = a0;
        acc[j + 1] = a1;
        acc[j + 2] = a2;
        acc[j + 3] = a3;
    }
    if (out - j >= 2) {
        int32_t a[2] = {b[j], b[j + 1]};
        const int8_t* row = w + j;
        const uint32_t* X = xz;
#pragma GCC unroll 4
        for (size_t q = 0; q < quads; ++q, row += stride, X += 2) {
            row_pair_2(load_half(row), load_half(row + 2 * out), X[0], a);
            row_pair_2(load_half(row + out), load_half(row + 3 * out), X[1], a);
        }
        if (pair_left) {
            row_pair_2(load_half(row), load_half(row + out), X[0], a);
            row += 2 * out;
        }
        if (in % 2) {
            a[0] += x_last * row[0];
            a[1] += x_last * row[1];
        }
        acc[j] = a[0];
        acc[j + 1] = a[1];
        j += 2;
    }
    if (j < out) {
        int32_t a = b[j];
        const int8_t* row = w + j;
        const uint32_t* X = xz;
        for (size_t q = 0; q < quads; ++q, row += stride, X += 2) {
            a = smlad(halves(row[0], row[2 * out]), X[0], a);
            a = smlad(halves(row[out], row[3 * out]), X[1], a);
        }
        if (pair_left) {
            a = smlad(halves(row[0], row[out]), X[0], a);
            row += 2 * out;
        }
        if (in % 2) a += x_last * row[0];
        acc[j] = a;
    }
}

// The gradient g [out] rescaled by s (rescale, fixed_point.hpp; then |g_j| < 2^15) and packed in
// place as int16 pairs for SMLAD, four entries into two words per quad of columns:
// (g[4q], g[4q+2]) and (g[4q+1], g[4q+3]) — the pairing SXTB16 gives a row's word; the out % 4
// entries left, rescaled, follow as int32 (g[2Q + k] = g[4Q + k], Q = out/4).
UGRAD_Q8_KERNEL void gradient_pairs(int32_t* g, BlockShift s, size_t out) noexcept {
    const size_t quads = out / 4;
    for (size_t q = 0; q < quads; ++q) {
        const int32_t g0 = rescale(g[4 * q], s), g1 = rescale(g[4 * q + 1], s);
        const int32_t g2 = rescale(g[4 * q + 2], s), g3 = rescale(g[4 * q + 3], s);
        g[2 * q] = int32_t(halves(g0, g2));
        g[2 * q + 1] = int32_t(halves(g1, g3));
    }
    for (size_t k = 0; k < out % 4; ++k) g[2 * quads + k] = rescale(g[4 * quads + k], s);
}

// One row's sum over the columns left after the quads: s + Σ_k w[i][4Q + k]·t[k], k < out % 4.
inline int32_t row_tail(const int8_t* row, size_t out, const int32_t* t, int32_t s) noexcept {
    const int8_t* left = row + (out - out % 4);
    for (size_t k = 0; k < out % 4; ++k) s += int32_t(left[k]) * t[k];
    return s;
}


// The SXTB16/SMLAD steps of one row's word w against the pairs e (columns 4q, 4q+2) and o (4q+1,
// 4q+3): s += w[4q]·g[4q] + w[4q+2]·g[4q+2] + w[4q+1]·g[4q+1] + w[4q+3]·g[4q+3] (t: scratch, w is
// overwritten).
#define UGRAD_Q8_ROW_WORD(s, w, e, o, t) \
    "sxtb16 " t ", " w "\n\t"           \
    "smlad " s ", " t ", " e ", " s "\n\t" \
    "sxtb16 " w ", " w ", ror #8\n\t"   \
    "smlad " s ", " w ", " o ", " s "\n\t"

// Two rows (upper, lower: &w[r][j], &w[r'][j], word-aligned) times eight columns j..j+7 (e0, o0,
// e1, o1: the packed words of their two quads): su, sl += the rows' products, one LDRD per row.
// (Without optimization, -O0, the operands would not fit the registers: C instead.)
inline void rows_2_octet(const int8_t* upper, const int8_t* lower, uint32_t e0, uint32_t o0, uint32_t e1, uint32_t o1,
                         int32_t& su, int32_t& sl) noexcept {
#if !defined(__OPTIMIZE__)
    const uint32_t u0 = load_word(upper), u1 = load_word(upper + 4), l0 = load_word(lower), l1 = load_word(lower + 4);
    su = smlad(sxtb16_ror8(u1), o1, smlad(sxtb16(u1), e1, smlad(sxtb16_ror8(u0), o0, smlad(sxtb16(u0), e0, su))));
    sl = smlad(sxtb16_ror8(l1), o1, smlad(sxtb16(l1), e1, smlad(sxtb16_ror8(l0), o0, smlad(sxtb16(l0), e0, sl))));
#else
    uint32_t w0, w1, t;
    __asm__(  // NOLINT(hicpp-no-assembler): the instructions are the kernel
        "ldrd %[w0], %[w1], %[ru]\n\t"
        UGRAD_Q8_ROW_WORD("%[su]", "%[w0]", "%[e0]", "%[o0]", "%[t]")
        UGRAD_Q8_ROW_WORD("%[su]", "%[w1]", "%[e1]", "%[o1]", "%[t]")
        "ldrd %[w0], %[w1], %[rl]\n\t"
        UGRAD_Q8_ROW_WORD("%[sl]", "%[w0]", "%[e0]", "%[o0]", "%[t]")
        UGRAD_Q8_ROW_WORD("%[sl]", "%[w1]", "%[e1]", "%[o1]", "%[t]")
        : [su] "+r"(su), [sl] "+r"(sl), [w0] "=&r"(w0), [w1] "=&r"(w1), [t] "=&r"(t)
        : [ru] "m"(doubleword_at(upper)),
          [rl] "m"(doubleword_at(lower)), [e0] "r"(e0), [o0] "r"(o0), [e1] "r"(e1),
          [o1] "r"(o1));
#endif
}
// Four rows r..r+3 (row: &w[r][j], word-aligned, stride out) times eight columns j..j+7 (G: the four
// packed words of their two quads): s0..s3 += the rows' products. One LDRD per row (its two
// words), two for G: 38 instructions for 32 products.
inline void rows_4_octet(const int8_t* row, size_t out, const uint32_t* G, int32_t& s0, int32_t& s1, int32_t& s2,
                         int32_t& s3) noexcept {
    const uint32_t* g = static_cast<const uint32_t*>(__builtin_assume_aligned(G, 4));
    const uint32_t e0 = g[0], o0 = g[1], e1 = g[2], o1 = g[3];
    rows_2_octet(row, row + out, e0, o0, e1, o1, s0, s1);
    rows_2_octet(row + 2 * out, row + 3 * out, e0, o0, e1, o1, s2, s3);
}
// Four rows times four columns (one word per row, at any address; G: the quad's two packed
// words): 21 instructions for 16 products.
inline void rows_4_quad(const int8_t* row, size_t out, const uint32_t* G, int32_t& s0, int32_t& s1, int32_t& s2,
                        int32_t& s3) noexcept {
    uint32_t e, o, w, t;
    __asm__(  // NOLINT(hicpp-no-assembler): the instructions are the kernel
        "ldrd %[e], %[o], %[g]\n\t"
        "ldr %[w], %[r0]\n\t"
        UGRAD_Q8_ROW_WORD("%[s0]", "%[w]", "%[e]", "%[o]", "%[t]")
        "ldr %[w], %[r1]\n\t"
        UGRAD_Q8_ROW_WORD("%[s1]", "%[w]", "%[e]", "%[o]", "%[t]")
        "ldr %[w], %[r2]\n\t"
        UGRAD_Q8_ROW_WORD("%[s2]", "%[w]", "%[e]", "%[o]", "%[t]")
        "ldr %[w], %[r3]\n\t"
        UGRAD_Q8_ROW_WORD("%[s3]", "%[w]", "%[e]", "%[o]", "%[t]")
        : [s0] "+r"(s0), [s1] "+r"(s1), [s2] "+r"(s2), [s3] "+r"(s3), [e] "=&r"(e), [o] "=&r"(o), [w] "=&r"(w),
          [t] "=&r"(t)
        : [g] "m"(doubleword_at(G)),
          [r0] "m"(word_at(row)),
          [r1] "m"(word_at(row + out)),
          [r2] "m"(word_at(row + 2 * out)),
          [r3] "m"(word_at(row + 3 * out)));
}
#undef UGRAD_Q8_ROW_WORD

// v[i] = Σ_j w[i][j]·g[j].   w [in][out], v [in]; g [out], to be rescaled by s (BlockShift,
// fixed_point.hpp) to |g_j| < 2^15: packed in place (gradient_pairs, so the call overwrites it).
// Four rows at a time: for each quad of columns, the packed pair words against each row's word
// (SXTB16 and SXTB16 ROR 8: (w[i][4q], w[i][4q+2]), (w[i][4q+1], w[i][4q+3])); two quads at a time
// (rows_4_octet, LDRD of the rows) when out % 4 == 0 (the rows of Dense::w then start on a word),
// else one (rows_4_quad, LDR), then the columns left (row_tail). Then the rows left one at a time.
// With Bits, returns the OR of the |v_i| (the next normalize15's bits), else 0.
template <bool Bits>
UGRAD_Q8_KERNEL uint32_t affine_t(int32_t* g, BlockShift s, const int8_t* w, size_t in, size_t out,
                                  int32_t* v) noexcept {
    gradient_pairs(g, s, out);
    const uint32_t* G = as_unsigned(g);
    const size_t quads = out / 4, octets = out % 4 == 0 ? quads / 2 : 0;
    const int32_t* t = g + 2 * quads;
    uint32_t bits = 0;
    const size_t blocked = in - in % 4;
    size_t i = 0;
    for (; i < blocked; i += 4, w += 4 * out) {
        int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        size_t k = 0;
        for (; k + 4 <= octets; k += 4) {
            rows_4_octet(w + 8 * k, out, G + 4 * k, s0, s1, s2, s3);
            rows_4_octet(w + 8 * k + 8, out, G + 4 * k + 4, s0, s1, s2, s3);
            rows_4_octet(w + 8 * k + 16, out, G + 4 * k + 8, s0, s1, s2, s3);
            rows_4_octet(w + 8 * k + 24, out, G + 4 * k + 12, s0, s1, s2, s3);
        }
        for (; k < octets; ++k) rows_4_octet(w + 8 * k, out, G + 4 * k, s0, s1, s2, s3);
#pragma GCC unroll 4
        for (size_t q = 2 * octets; q < quads; ++q) rows_4_quad(w + 4 * q, out, G + 2 * q, s0, s1, s2, s3);
        if (out % 4) {
            s0 = row_tail(w, out, t, s0);
            s1 = row_tail(w + out, out, t, s1);
            s2 = row_tail(w + 2 * out, out, t, s2);
            s3 = row_tail(w + 3 * out, out, t, s3);
        }
        v[i] = s0;
        v[i + 1] = s1;
        v[i + 2] = s2;
        v[i + 3] = s3;
        if (Bits) bits |= magnitude(s0) | magnitude(s1) | magnitude(s2) | magnitude(s3);
    }
    for (; i < in; ++i, w += out) {
        int32_t sum = 0;
        for (size_t q = 0; q < quads; ++q) {
            const uint32_t word = load_word(w + 4 * q);
            sum = smlad(sxtb16_ror8(word), G[2 * q + 1], smlad(sxtb16(word), G[2 * q], sum));
        }
        sum = row_tail(w, out, t, sum);
        v[i] = sum;
        if (Bits) bits |= magnitude(sum);
    }
    return bits;
}

// ---- compact variants (-Os): the same sums, one step per loop iteration ----

// affine: xz[k] = (x[2k] − z, x[2k+1] − z), then four columns at a time a walk down the row
// pairs (2k, 2k+1), one row_pair_4 per step (16 instructions per 8 products with the loop); the
// columns left one at a time, one SMLAD of (w[2k][j], w[2k+1][j]) (two byte loads) per step; the
// last row (in odd) alone.
UGRAD_Q8_KERNEL void affine_compact(const int8_t* x, int32_t z, const int8_t* w, const int32_t* b, size_t in,
                                    size_t out, int32_t* acc, int32_t* xz_) noexcept {
    uint32_t* xz = as_unsigned(xz_);
    const size_t pairs = in / 2;
    const int32_t x_last = int32_t(x[in - 1]) - z;  // used only when in is odd
    for (size_t k = 0; k < pairs; ++k) xz[k] = halves(int32_t(x[2 * k]) - z, int32_t(x[2 * k + 1]) - z);
    size_t j = 0;
    for (; j + 4 <= out; j += 4) {
        int32_t a0 = b[j], a1 = b[j + 1], a2 = b[j + 2], a3 = b[j + 3];
        const int8_t* row = w + j;
        if (pairs) row_pairs_4(row, out, xz, pairs, a0, a1, a2, a3);
        row += 2 * pairs * out;
        if (in % 2) {
            a0 += x_last * row[0];
            a1 += x_last * row[1];
            a2 += x_last * row[2];
            a3 += x_last * row[3];
        }
        acc[j] = a0;
        acc[j + 1] = a1;
        acc[j + 2] = a2;
        acc[j + 3] = a3;
    }
    for (; j < out; ++j) {
        int32_t a = b[j];
        const int8_t* row = w + j;
        for (size_t k = 0; k < pairs; ++k, row += 2 * out) a = smlad(halves(row[0], row[out]), xz[k], a);
        if (in % 2) a += x_last * row[0];
        acc[j] = a;
    }
}

// affine_t: gradient_pairs, then per row a walk along its words, two SMLAD each; the columns left
// (row_tail).
UGRAD_Q8_KERNEL void affine_t_compact(int32_t* g, const int8_t* w, size_t in, size_t out, int32_t* v) noexcept {
    for (size_t q = 0; q < out / 4; ++q) {  // gradient_pairs without a rescale
        const int32_t g0 = g[4 * q], g1 = g[4 * q + 1];
        g[2 * q] = int32_t(halves(g0, g[4 * q + 2]));
        g[2 * q + 1] = int32_t(halves(g1, g[4 * q + 3]));
    }
    for (size_t k = 0; k < out % 4; ++k) g[2 * (out / 4) + k] = g[4 * (out / 4) + k];
    const uint32_t* G = as_unsigned(g);
    const size_t quads = out / 4;
    const int32_t* t = g + 2 * quads;
    for (size_t i = 0; i < in; ++i, w += out) {
        int32_t sum = 0;
        if (quads) {
            // sum = Σ_q w[i][4q..4q+3]·g[4q..4q+3]: one asm loop (8 instructions per 4 products)
            const int8_t* word = w;
            const uint32_t* pair = G;
            const uint32_t* const end = G + 2 * quads;
            uint32_t e, o, x, y;
            __asm__(  // NOLINT(hicpp-no-assembler): the instructions are the kernel
                "1:\n\t"
                "ldr %[x], [%[word]], #4\n\t"
                "ldrd %[e], %[o], [%[pair]], #8\n\t"
                "sxtb16 %[y], %[x]\n\t"
                "smlad %[sum], %[y], %[e], %[sum]\n\t"
                "sxtb16 %[x], %[x], ror #8\n\t"
                "smlad %[sum], %[x], %[o], %[sum]\n\t"
                "cmp %[pair], %[end]\n\t"
                "bne 1b"
                : [sum] "+r"(sum), [word] "+r"(word), [pair] "+r"(pair), [e] "=&r"(e), [o] "=&r"(o), [x] "=&r"(x),
                  [y] "=&r"(y)
                : [end] "r"(end)
                : "cc", "memory");
        }
        v[i] = row_tail(w, out, t, sum);
    }
}

}  // namespace ugrad::q8::armv7em
