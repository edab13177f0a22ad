// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/backward/block_gradient.hpp — dJ/dx of an int8 `.tflite` model in integers: a tensor's
// gradient as int32 codes G with one power of two e per tensor, dJ/d(code) = G·2^e.
//
// The invariant between layers (after renormalize): every |G| <= 2^14 = 16,384 (so a code fits an
// int16, the operand of a 16×16 multiply), the largest >= 2^13 unless all are 0. Each layer's
// backward then
//   (1) multiplies G by a real factor per channel f_c = (m_c/2^15)·2^E, 0 <= m_c <= 2^15 a Q15
//       integer (the exporter's, from the scales; E from the largest): H = round(G·m_c/2^15) —
//       |G·m_c| <= 2^29, |H| <= 2^14 — and the exponent becomes e + E;
//   (2) sums at most N products H·w of int8 weights, |w| <= 2^7: |Σ| <= N·2^21 < 2^31 for
//       N <= 1023 (each kernel static_asserts its N: the most terms one input element receives);
//   (3) renormalizes: a rounding right shift by r = L − 14 (L the bit length of max |A|, so
//       |A| < 2^(14+r) and |round(A/2^r)| <= 2^14), or an exact left shift up to max >= 2^13.
// Rounding is half up, ((v >> (r−1)) + 1) >> 1, which cannot overflow.
// Between layers a gradient is stored packed, two int16 codes to an int32 word (element i in the low
// half of word i/2 for even i, the high half for odd i: the layout a 16×16 dual multiply reads),
// halving its RAM: |G| <= 2^14 fits. A layer's sums are formed in int32 words, renormalized, then
// packed in place into their first or last half (renormalize_packed, renormalize_packed_high); the
// model input's gradient, the result, stays int32.
// An all-zero gradient keeps the exponent zero_exponent, far below any other, so that adding it to
// another (block_add) leaves the other as it was.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace ugrad::tflite::backward {

constexpr int32_t gradient_bits = 14;           // |G| <= 2^14 between layers
constexpr int32_t zero_exponent = -(1 << 20);   // the exponent of an all-zero gradient
constexpr int32_t max_terms = 1023;             // N·2^21 < 2^31

inline uint32_t magnitude(int32_t v) noexcept {
    return v < 0 ? 0u - uint32_t(v) : uint32_t(v);  // |v| modulo 2^32: INT32_MIN gives 2^31
}

inline int32_t bit_length(uint32_t v) noexcept {
    int32_t n = 0;
    while (v) {
        v >>= 1;
        ++n;
    }
    return n;
}

// round(v/2^r), ties up, for r >= 1 (no v + 2^(r−1) is formed).
inline int32_t round_shift(int32_t v, int32_t r) noexcept { return ((v >> (r - 1)) + 1) >> 1; }

// G·m/2^15 rounded (|G| <= 2^14, 0 <= m <= 2^15: |the product| <= 2^29, the result <= 2^14).
inline int32_t q15_multiply(int32_t g, int32_t m) noexcept { return (g * m + (int32_t(1) << 14)) >> 15; }

// The invariant restored: returns the new exponent (zero_exponent for an all-zero g).
inline int32_t renormalize(int32_t* g, size_t n, int32_t exponent) noexcept {
    uint32_t bits = 0;  // OR of |g_i|: the bit length of the largest
    for (size_t i = 0; i < n; ++i) bits |= magnitude(g[i]);
    if (bits == 0) return zero_exponent;
    const int32_t length = bit_length(bits);
    if (length > gradient_bits) {
        const int32_t r = length - gradient_bits;
        for (size_t i = 0; i < n; ++i) g[i] = round_shift(g[i], r);
        return exponent + r;
    }
    const int32_t l = gradient_bits - length;
    if (l > 0)
        for (size_t i = 0; i < n; ++i) g[i] = int32_t(uint32_t(g[i]) << l);
    return exponent - l;
}

// v·2^−s rounded, for v with |v| <= 2^14 and any s >= 0 (0 from s = 16 on).
inline int32_t align(int32_t v, int32_t s) noexcept { return s == 0 ? v : s >= 16 ? 0 : round_shift(v, s); }

// dst·2^e_dst + src·2^e_src into dst (both within the invariant): the one with the smaller exponent
// is brought to the other's (|sum| <= 2^15), then renormalized. Returns the exponent.
inline int32_t block_add(int32_t* dst, int32_t e_dst, const int32_t* src, int32_t e_src, size_t n) noexcept {
    if (e_src == zero_exponent) return e_dst;
    const int32_t e = e_dst > e_src ? e_dst : e_src;
    const int32_t sd = e - e_dst, ss = e - e_src;
    for (size_t i = 0; i < n; ++i) dst[i] = align(dst[i], sd) + align(src[i], ss);
    return renormalize(dst, n, e);
}

// Element i of a packed gradient, and its store (the other half of the word kept).
inline int32_t packed_get(const int32_t* g, size_t i) noexcept {
    const int32_t w = g[i >> 1];
    return (i & 1) ? (w >> 16) : int32_t(uint32_t(w) << 16) >> 16;
}
inline void packed_set(int32_t* g, size_t i, int32_t v) noexcept {
    const uint32_t w = uint32_t(g[i >> 1]);
    const uint32_t h = uint32_t(v) & 0xFFFFu;
    g[i >> 1] = int32_t((i & 1) ? ((w & 0xFFFFu) | (h << 16)) : ((w & 0xFFFF0000u) | h));
}

// g [n] int32 (|g| <= 2^14) packed in place into its first ceil(n/2) words: word i/2 is written after
// word i was read (i/2 < i for i >= 1, and word 0's low half after word 0 itself was read).
inline void pack(int32_t* g, size_t n) noexcept {
    for (size_t i = 0; i < n; i += 2) {
        const uint32_t lo = uint32_t(g[i]) & 0xFFFFu;
        const uint32_t hi = i + 1 < n ? uint32_t(g[i + 1]) & 0xFFFFu : 0u;
        g[i >> 1] = int32_t(lo | (hi << 16));
    }
}

inline int32_t renormalize_packed(int32_t* g, size_t n, int32_t exponent) noexcept {
    const int32_t e = renormalize(g, n, exponent);
    pack(g, n);
    return e;
}

// g [n] int32 (|g| <= 2^14) packed in place into its last h = ceil(n/2) words, g + (n − h) the packed
// gradient (the plan puts a buffer's packed half at the top when the bottom is wanted next:
// tools/tflite/int8_gradient_export.py plan_buffers): word j = n − h + j holds codes 2j and 2j + 1,
// written from j = h − 1 down, after reading words 2j and 2j + 1; the words still to read are below
// 2j <= n − h + j (j <= h − 1 <= n − h).
inline void pack_high(int32_t* g, size_t n) noexcept {
    const size_t h = (n + 1) / 2;
    for (size_t j = h; j-- > 0;) {
        const uint32_t lo = uint32_t(g[2 * j]) & 0xFFFFu;
        const uint32_t hi = 2 * j + 1 < n ? uint32_t(g[2 * j + 1]) & 0xFFFFu : 0u;
        g[n - h + j] = int32_t(lo | (hi << 16));
    }
}

inline int32_t renormalize_packed_high(int32_t* g, size_t n, int32_t exponent) noexcept {
    const int32_t e = renormalize(g, n, exponent);
    pack_high(g, n);
    return e;
}

// block_add for a packed dst: the sum formed in src (int32 [n], within the invariant), renormalized
// there, then packed into dst. Returns the exponent.
inline int32_t block_add_packed(int32_t* dst, int32_t e_dst, int32_t* src, int32_t e_src, size_t n) noexcept {
    if (e_src == zero_exponent) return e_dst;
    const int32_t e = e_dst > e_src ? e_dst : e_src;
    const int32_t sd = e - e_dst, ss = e - e_src;
    for (size_t i = 0; i < n; ++i) src[i] = align(packed_get(dst, i), sd) + align(src[i], ss);
    const int32_t r = renormalize(src, n, e);
    for (size_t i = 0; i < n; ++i) packed_set(dst, i, src[i]);
    return r;
}

}  // namespace ugrad::tflite::backward
