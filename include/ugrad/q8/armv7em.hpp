// SPDX-License-Identifier: Apache-2.0
// ugrad/q8/armv7em.hpp — the int8 kernels with the Armv7E-M DSP instructions (Cortex-M4, M7, M33
// with DSP): two int16 products and their sum in one SMLAD. The same integer sums as the portable
// loops of kernels.hpp, in another order: exact, so the same bits (the q8 golden vectors run on
// mps2-an386 with these kernels and must hash as on the host).
//   SXTB16 r, w          the bytes 0 and 2 of w, sign-extended to two int16: (w0, w2)
//   SXTB16 r, w, ROR #8  the bytes 1 and 3: (w1, w3)
//   PKHBT / PKHTB        two int16 halves from two registers
//   SMLAD a, b, s        s + a.lo·b.lo + a.hi·b.hi
// Word loads of the int8 rows may be unaligned (Out % 4 != 0): Armv7E-M allows it for LDR.
#pragma once

#include <stddef.h>
#include <stdint.h>

#if !defined(UGRAD_Q8_KERNEL)
#define UGRAD_Q8_KERNEL inline
#endif

namespace ugrad::q8::armv7em {

inline uint32_t sxtb16(uint32_t w) noexcept {
    uint32_t r;
    __asm__("sxtb16 %0, %1" : "=r"(r) : "r"(w));  // NOLINT(hicpp-no-assembler): the instruction is the kernel
    return r;
}
inline uint32_t sxtb16_ror8(uint32_t w) noexcept {
    uint32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(w));  // NOLINT(hicpp-no-assembler): the instruction is the kernel
    return r;
}
// (low half of lo, low half of hi)
inline uint32_t pack_low(uint32_t lo, uint32_t hi) noexcept {
    uint32_t r;
    __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(lo), "r"(hi));  // NOLINT(hicpp-no-assembler): the instruction is the kernel
    return r;
}
// (high half of lo, high half of hi)
inline uint32_t pack_high(uint32_t lo, uint32_t hi) noexcept {
    uint32_t r;
    __asm__("pkhtb %0, %1, %2, asr #16" : "=r"(r) : "r"(hi), "r"(lo));  // NOLINT(hicpp-no-assembler): the instruction is the kernel
    return r;
}
inline int32_t smlad(uint32_t a, uint32_t b, int32_t s) noexcept {
    int32_t r;
    __asm__("smlad %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(s));  // NOLINT(hicpp-no-assembler): the instruction is the kernel
    return r;
}
inline uint32_t load_word(const int8_t* p) noexcept {
    uint32_t w;
    __builtin_memcpy(&w, p, 4);
    return w;
}
inline uint32_t halves(int32_t lo, int32_t hi) noexcept {
    return (uint32_t(lo) & 0xffffu) | (uint32_t(hi) << 16);
}

// (a0, a1, b0, b1) from the words a = (a0, a1, a2, a3) and b = (b0, b1, b2, b3): SXTB16 then gives
// (a0, b0) and, rotated by 8, (a1, b1).
inline uint32_t low_halves(uint32_t a, uint32_t b) noexcept {
    return pack_low(a, b);
}
// (a2, a3, b2, b3): (a2, b2) and (a3, b3).
inline uint32_t high_halves(uint32_t a, uint32_t b) noexcept {
    return pack_high(a, b);
}

// acc[j] = b[j] + Σ_i (x[i] − z)·w[i][j].   xz: scratch of in int32 (holds the packed pairs
// (x[2k] − z, x[2k+1] − z), |x − z| <= 255). Four columns at a time, two rows per SMLAD: the rows'
// words (w[i][j..j+3]) and (w[i+1][j..j+3]) re-paired by halves (PKHBT/PKHTB), whose bytes SXTB16
// then takes as (w[i][j], w[i+1][j]) pairs; two row pairs per pass.
UGRAD_Q8_KERNEL void affine(const int8_t* x, int32_t z, const int8_t* w, const int32_t* b, size_t in, size_t out,
                   int32_t* acc, int32_t* xz) noexcept {
    const size_t pairs = in / 2;
    for (size_t k = 0; k < pairs; ++k) xz[k] = int32_t(halves(int32_t(x[2 * k]) - z, int32_t(x[2 * k + 1]) - z));
    const int32_t* xp = xz;
    const int32_t x_last = in % 2 ? int32_t(x[in - 1]) - z : 0;
    const size_t blocked = out - out % 4;
    for (size_t j = 0; j < blocked; j += 4) {
        int32_t a0 = b[j], a1 = b[j + 1], a2 = b[j + 2], a3 = b[j + 3];
        const int8_t* row = w + j;
        size_t k = 0;
        for (; k + 2 <= pairs; k += 2, row += 4 * out) {
            const uint32_t upper = load_word(row), lower = load_word(row + out), xk = uint32_t(xp[k]);
            const uint32_t lo = low_halves(upper, lower), hi = high_halves(upper, lower);
            a0 = smlad(sxtb16(lo), xk, a0);
            a1 = smlad(sxtb16_ror8(lo), xk, a1);
            a2 = smlad(sxtb16(hi), xk, a2);
            a3 = smlad(sxtb16_ror8(hi), xk, a3);
            const uint32_t upper2 = load_word(row + 2 * out), lower2 = load_word(row + 3 * out), xk2 = uint32_t(xp[k + 1]);
            const uint32_t lo2 = low_halves(upper2, lower2), hi2 = high_halves(upper2, lower2);
            a0 = smlad(sxtb16(lo2), xk2, a0);
            a1 = smlad(sxtb16_ror8(lo2), xk2, a1);
            a2 = smlad(sxtb16(hi2), xk2, a2);
            a3 = smlad(sxtb16_ror8(hi2), xk2, a3);
        }
        if (k < pairs) {
            const uint32_t upper = load_word(row), lower = load_word(row + out), xk = uint32_t(xp[k]);
            const uint32_t lo = low_halves(upper, lower), hi = high_halves(upper, lower);
            a0 = smlad(sxtb16(lo), xk, a0);
            a1 = smlad(sxtb16_ror8(lo), xk, a1);
            a2 = smlad(sxtb16(hi), xk, a2);
            a3 = smlad(sxtb16_ror8(hi), xk, a3);
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
    for (size_t j = blocked; j < out; ++j) {
        int32_t a = b[j];
        const int8_t* row = w + j;
        for (size_t k = 0; k < pairs; ++k, row += 2 * out) a = smlad(halves(row[0], row[out]), uint32_t(xp[k]), a);
        if (in % 2) a += x_last * row[0];
        acc[j] = a;
    }
}

// v[i] = Σ_j w[i][j]·g[j], |g_j| < 2^15. g is packed in place, four entries into two words,
// (g[4q], g[4q+2]) and (g[4q+1], g[4q+3]) — the pairing SXTB16 gives a row's word — the last
// out % 4 entries staying where they are. Four rows at a time (each g word loaded once for four),
// then two, then one.
UGRAD_Q8_KERNEL void affine_t(int32_t* g, const int8_t* w, size_t in, size_t out, int32_t* v) noexcept {
    const size_t quads = out / 4, blocked = 4 * quads;
    int32_t* gp = g;
    for (size_t q = 0; q < quads; ++q) {
        const int32_t g0 = g[4 * q], g1 = g[4 * q + 1], g2 = g[4 * q + 2], g3 = g[4 * q + 3];
        gp[2 * q] = int32_t(halves(g0, g2));
        gp[2 * q + 1] = int32_t(halves(g1, g3));
    }
    size_t i = 0;
    for (; i + 4 <= in; i += 4, w += 4 * out) {
        int32_t s0 = 0, s1 = 0, s2 = 0, s3 = 0;
        for (size_t q = 0; q < quads; ++q) {
            const uint32_t even = uint32_t(gp[2 * q]), odd = uint32_t(gp[2 * q + 1]);
            const uint32_t w0 = load_word(w + 4 * q), w1 = load_word(w + out + 4 * q);
            const uint32_t w2 = load_word(w + 2 * out + 4 * q), w3 = load_word(w + 3 * out + 4 * q);
            s0 = smlad(sxtb16(w0), even, s0);
            s0 = smlad(sxtb16_ror8(w0), odd, s0);
            s1 = smlad(sxtb16(w1), even, s1);
            s1 = smlad(sxtb16_ror8(w1), odd, s1);
            s2 = smlad(sxtb16(w2), even, s2);
            s2 = smlad(sxtb16_ror8(w2), odd, s2);
            s3 = smlad(sxtb16(w3), even, s3);
            s3 = smlad(sxtb16_ror8(w3), odd, s3);
        }
        for (size_t j = blocked; j < out; ++j) {
            s0 += int32_t(w[j]) * g[j];
            s1 += int32_t(w[out + j]) * g[j];
            s2 += int32_t(w[2 * out + j]) * g[j];
            s3 += int32_t(w[3 * out + j]) * g[j];
        }
        v[i] = s0;
        v[i + 1] = s1;
        v[i + 2] = s2;
        v[i + 3] = s3;
    }
    for (; i + 2 <= in; i += 2, w += 2 * out) {
        int32_t s0 = 0, s1 = 0;
        for (size_t q = 0; q < quads; ++q) {
            const uint32_t upper = load_word(w + 4 * q), lower = load_word(w + out + 4 * q);
            const uint32_t even = uint32_t(gp[2 * q]), odd = uint32_t(gp[2 * q + 1]);
            s0 = smlad(sxtb16(upper), even, s0);
            s0 = smlad(sxtb16_ror8(upper), odd, s0);
            s1 = smlad(sxtb16(lower), even, s1);
            s1 = smlad(sxtb16_ror8(lower), odd, s1);
        }
        for (size_t j = blocked; j < out; ++j) {
            s0 += int32_t(w[j]) * g[j];
            s1 += int32_t(w[out + j]) * g[j];
        }
        v[i] = s0;
        v[i + 1] = s1;
    }
    if (i < in) {
        int32_t s = 0;
        for (size_t q = 0; q < quads; ++q) {
            const uint32_t word = load_word(w + 4 * q);
            s = smlad(sxtb16(word), uint32_t(gp[2 * q]), s);
            s = smlad(sxtb16_ror8(word), uint32_t(gp[2 * q + 1]), s);
        }
        for (size_t j = blocked; j < out; ++j) s += int32_t(w[j]) * g[j];
        v[i] = s;
    }
}

}  // namespace ugrad::q8::armv7em
