// SPDX-License-Identifier: Apache-2.0
// ugrad/q8/fixed_point.hpp — the integer arithmetic every int8 layer shares: requantization by a
// 32-bit multiplier and a shift, rounding shifts, and the block exponent of a gradient vector.
//
// A real factor f > 0 is held as f = m·2^−n, m ∈ [2^30, 2^31) (31 significant bits), n ∈ [1, 62].
// requantize(acc, m, n) = round(acc·m / 2^n), one rounding, ties toward +∞ (floor(x + ½)), from the
// exact 64-bit product: the result is the exact rational acc·m/2^n rounded once (TFLite rounds
// twice, SaturatingRoundingDoublingHighMul then RoundingDivideByPOT; one rounding is never worse).
// Right shifts of negative integers are arithmetic (floor): what g++ and clang++ define.
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace ugrad::q8 {

// Every requantized value is saturated to ±2^30: two of them subtract without overflow, and a
// code of 2^30 (Q12: 262,144) is far beyond any table or head.
constexpr int32_t requantize_limit = int32_t(1) << 30;

// floor(v/2^s) for 0 <= s <= 63 (larger s as 63), from 32-bit shifts of v's two words (a variable 64-bit shift is
// a libgcc call on ARMv6-M; shifts by 32 are word moves).
inline int64_t shift_right_floor(int64_t v, uint32_t s) noexcept {
    const int32_t hi = int32_t(uint32_t(uint64_t(v) >> 32));
    const uint32_t lo = uint32_t(uint64_t(v));
    // cppcheck-suppress shiftTooManyBitsSigned ; arithmetic shift of the sign (see the header)
    if (s >= 32) return hi >> (s > 63 ? 31 : s - 32);
    if (s == 0) return v;
    const uint32_t low = (lo >> s) | (uint32_t(hi) << (32 - s));
    // cppcheck-suppress shiftTooManyBitsSigned ; s < 32 here (cppcheck does not follow the return above)
    return int64_t((uint64_t(uint32_t(hi >> s)) << 32) | low);
}

// floor(a·b/2^32) for int32 a and b ∈ [0, 2^31), from 16-bit halves in 32-bit arithmetic: for cores
// without a 32×32 → 64 multiply (ARMv6-M, where int64_t products are a libgcc call).
// a = ah·2^16 + al, b = bh·2^16 + bl (al, bl ∈ [0, 2^16)): a·b = ah·bh·2^32 + (ah·bl + al·bh)·2^16
// + al·bl, each partial product within int32 (|ah| <= 2^15, bh < 2^15) or uint32 (al·bl).
inline int32_t high_product(int32_t a, int32_t b) noexcept {
    const int32_t ah = a >> 16, bh = b >> 16;
    const uint32_t al = uint32_t(a) & 0xffffu, bl = uint32_t(b) & 0xffffu;
    const int32_t cross1 = ah * int32_t(bl), cross2 = int32_t(al) * bh;  // |·| < 2^31
    // the low 16 bits of both cross products and the high half of al·bl: < 3·2^16, no overflow
    const uint32_t carry = ((al * bl) >> 16) + (uint32_t(cross1) & 0xffffu) + (uint32_t(cross2) & 0xffffu);
    return ah * bh + (cross1 >> 16) + (cross2 >> 16) + int32_t(carry >> 16);
}

// round(acc·m/2^n), ties toward +∞, saturated to [−2^30, 2^30]: floor(acc·m/2^(n−1)) = 2q or
// 2q + 1 gives floor((2q or 2q + 1, + 1)/2) = q + its last bit, i.e. floor(acc·m/2^n + ½).
// |acc·m| < 2^62.
// Except at -Os: for n > 32 (factors below ½) the high word alone
// holds floor(acc·m/2^(n−1)) after a 32-bit shift, and |acc·m/2^n| < 2^29 needs no saturation.
inline int32_t requantize(int32_t acc, int32_t m, uint8_t n) noexcept {
#if !defined(__OPTIMIZE_SIZE__)
    if (n > 32) {
#if defined(__ARM_ARCH_6M__)
        const int32_t high = high_product(acc, m);
#else
        const int32_t high = int32_t(uint32_t(uint64_t(int64_t(acc) * m) >> 32));
#endif
        // floor(product/2^32), |high| < 2^30
        const int32_t twice = high >> (n - 33);
        return (twice + 1) >> 1;
    }
#endif
    const int64_t product = int64_t(acc) * m;
    const int64_t twice = shift_right_floor(product, uint32_t(n) - 1);
    const int64_t rounded = (twice + 1) >> 1;
    if (rounded > requantize_limit) return requantize_limit;
    if (rounded < -requantize_limit) return -requantize_limit;
    return int32_t(rounded);
}

// round(v/2^s) for s >= 1, ties toward +∞, without forming v + 2^(s−1) (no overflow for any v).
inline int32_t rounding_shift_right(int32_t v, uint32_t s) noexcept {
    return (v >> s) + ((v >> (s - 1)) & 1);
}
// The same in one shift fewer, floor((floor(v/2^(s−1)) + 1)/2), for s >= 2 and any v, or s = 1 and
// v < 2^31 − 1 (the + 1 must not overflow): what a block shift's rescale meets (|v| < 2^(s+16)).
inline int32_t rounding_shift_right_bounded(int32_t v, uint32_t s) noexcept {
    return ((v >> (s - 1)) + 1) >> 1;
}

// A block exponent: the vector v [n] stands for v·2^e. normalize15 rescales it by a power of two
// so that every |v_i| <= 2^15 − 1 (an int16: what the Armv7E-M kernels pack two to a register) and
// max |v| >= 2^13, adding the shift to e: right shifts round half up, by the fewest bits that keep
// the rounded OR of the |v_i| (an upper bound of every rounded |v_i|) below 2^15; left shifts are
// exact, up to max |v| >= 2^14. An all-zero vector is left as it is.
// In two steps, so that the backward walk can fold them into the loops before and after:
// block_shift(bits, e) picks the shift from the OR of the |v_i|, rescale(v_i, shift) applies it.
struct BlockShift {
    uint32_t right;  // round(v/2^right) if right > 0
    uint32_t left;   // else v·2^left
};

inline uint32_t magnitude(int32_t v) noexcept {
    // cppcheck-suppress shiftTooManyBitsSigned ; arithmetic shift of the sign (see the header)
    const uint32_t sign = uint32_t(v >> 31);  // all ones for v < 0: (v ^ sign) − sign = −v
    return (uint32_t(v) ^ sign) - sign;
}

// With a count-leading-zeros instruction (the compiler's own macros say so), the shift comes from
// the bit length L of bits: right = L − 15, one more when bits >> (L − 16) is 65535 (it would round
// up to 2^15); left = 15 − L. Otherwise by the loops that define it.
#if defined(__ARM_FEATURE_CLZ) || defined(__x86_64__) || defined(__i386__) || defined(__aarch64__)
inline BlockShift block_shift(uint32_t bits, int32_t& e) noexcept {
    if (bits == 0) return {0, 0};
    const uint32_t length = 32u - uint32_t(__builtin_clz(bits));
    if (length >= 16) {
        const uint32_t right = length - 15 + ((bits >> (length - 16)) == 65535u ? 1u : 0u);
        e += int32_t(right);
        return {right, 0};
    }
    const uint32_t left = length >= 15 ? 0 : 15 - length;
    e -= int32_t(left);
    return {0, left};
}
#else
inline BlockShift block_shift(uint32_t bits, int32_t& e) noexcept {
    if (bits == 0) return {0, 0};
    if (bits >= 0x8000u) {
        // round(bits/2^right) = ((bits >> (right − 1)) + 1) >> 1 <= 2^15 − 1
        uint32_t right = 1;
        while ((bits >> (right - 1)) > 65534u) ++right;
        e += int32_t(right);
        return {right, 0};
    }
    uint32_t left = 0;
    while ((bits << left) < 0x4000u) ++left;
    e -= int32_t(left);
    return {0, left};
}
#endif

// The number of bits of v >= 1 (32 − its leading zeros).
inline uint32_t bit_length(uint32_t v) noexcept {
#if defined(__ARM_FEATURE_CLZ) || defined(__x86_64__) || defined(__i386__) || defined(__aarch64__)
    return 32u - uint32_t(__builtin_clz(v));
#else
    uint32_t n = 1;
    while (v >>= 1) ++n;
    return n;
#endif
}

// v rescaled by the shift block_shift chose for it (its bits included v's): |v| < 2^(right+16).
inline int32_t rescale(int32_t v, BlockShift s) noexcept {
    return s.right ? rounding_shift_right_bounded(v, s.right) : int32_t(uint32_t(v) << s.left);
}

inline void normalize15(int32_t* v, size_t n, int32_t& e) noexcept {
    uint32_t bits = 0;  // OR of |v_i|: the same bit length as max |v_i|
    for (size_t i = 0; i < n; ++i) bits |= magnitude(v[i]);
#if defined(__OPTIMIZE_SIZE__)  // the same shifts as block_shift's loops, in the least code
    if (bits == 0) return;
    if (bits >= 0x8000u) {
        uint32_t right = 1;
        while ((bits >> (right - 1)) > 65534u) ++right;
        for (size_t i = 0; i < n; ++i) v[i] = rounding_shift_right(v[i], right);
        e += int32_t(right);
        return;
    }
    uint32_t left = 0;
    while ((bits << left) < 0x4000u) ++left;
    for (size_t i = 0; i < n; ++i) v[i] = int32_t(uint32_t(v[i]) << left);
    e -= int32_t(left);
#else
    const BlockShift s = block_shift(bits, e);
    for (size_t i = 0; i < n; ++i) v[i] = rescale(v[i], s);
#endif
}

}  // namespace ugrad::q8
