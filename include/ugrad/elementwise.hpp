// SPDX-License-Identifier: Apache-2.0
// ugrad/elementwise.hpp — the element-wise functions over a whole layer: the hidden layer's
// sigmoid (with its slope) and the softmax's exps.
//
// Every entry is computed alone, by the float functions of include/ugrad/math.hpp, so the order of
// operations inside each entry is math.hpp's and nothing else. Two schedules give the same bits,
// as in include/ugrad/kernels.hpp (and selected the same way, by schedule_for<T>):
//   scalar   one entry after another with sigmoid_pair and exp (T = double, a core's own kernels,
//            compact, and every core without SIMD registers).
//   vector   the main path of sigmoid_pair<float> and of exp(float) (|x| < 87), operation for
//            operation, with 4 or 8 entries in the lanes of one vector (GCC/Clang `vector_size`):
//            the same binary32 operations in the same order on the same constants, so every lane
//            rounds exactly as the scalar function does for that entry. Lanes are never combined.
//            The 16-entry table is read lane by lane. A group of lanes with any entry outside the
//            main path (|x| >= 87, ±inf, NaN), and the sigmoid's last N mod 4 entries, go to the
//            scalar function, entry by entry (the softmax's last K mod 4 exps ride in the first
//            lanes of one more vector).
// tests/test_elementwise.cpp checks the vector schedule bit for bit against sigmoid_pair and exp.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/fp_contract.hpp>
#include <ugrad/kernels.hpp>
#include <ugrad/math.hpp>

UGRAD_FP_CONTRACT_OFF_BEGIN

namespace ugrad {

// ---------------------------------------------------------------------------------------------
// The functions.
//
// sigmoid_layer: h = σ(r), dh_dr = σ'(r).   r, h, dh_dr: [N]; h may alias r (forward keeps r in h).
//   (v, c) = sigmoid_pair(r[j]);  h[j] = v;  dh_dr[j] = v·c        (c = σ(−r[j]), exact for large |r|)
//
// exp_shifted: p = e^(θ − m) and s = Σ_{k≠skip} p.   θ, p: [K] (p must not alias θ), m a scalar,
// skip an index (K, the default, skips nothing).
//   p[k] = exp(θ[k] − m);   s = ((+0 + p[0]) + p[1]) + ... + p[K−1],   k ascending, one sum, p[skip]
//   added as +0 (the softmax sums every term but its largest, e^0 = 1: include/ugrad/softmax.hpp).

namespace scalar {

// Entries 0 .. n−1 of sigmoid_layer, one after another (r may equal h).
template <typename T>
inline void sigmoid_entries(const T* r, T* h, T* dh_dr, size_t n) noexcept {
    for (size_t j = 0; j < n; ++j) {
        const SigmoidPair<T> s = sigmoid_pair(r[j]);
        h[j] = s.value;
        dh_dr[j] = s.value * s.complement;
    }
}

// h[j] = σ(r[j]), dh_dr[j] = σ(r[j])·σ(−r[j]),  j ascending.   r, h, dh_dr: [N].
template <size_t N, typename T>
inline void sigmoid_layer(const T (&r)[N], T (&h)[N], T (&dh_dr)[N]) noexcept {
    sigmoid_entries(&r[0], &h[0], &dh_dr[0], N);
}

// p[k] = exp(θ[k] − m), k ascending.   θ, p: [n].
template <typename T>
inline void exp_entries(const T* theta, T m, T* p, size_t n) noexcept {
    for (size_t k = 0; k < n; ++k) p[k] = ugrad::exp(theta[k] - m);
}

// The sum s = Σ_{k≠skip} p[k], k ascending from +0 (p[skip] added as +0).   p: [K].
template <size_t K, typename T>
inline T sum(const T (&p)[K], size_t skip = K) noexcept {
    T s = T(0);
    for (size_t k = 0; k < K; ++k) s = s + (k == skip ? T(0) : p[k]);
    return s;
}

// p[k] = exp(θ[k] − m);  returns Σ_{k≠skip} p[k], k ascending (one loop: the smallest code).   θ, p: [K].
template <size_t K, typename T>
inline T exp_shifted(const T (&theta)[K], T m, T (&p)[K], size_t skip = K) noexcept {
    T s = T(0);
    for (size_t k = 0; k < K; ++k) {
        p[k] = ugrad::exp(theta[k] - m);
        s = s + (k == skip ? T(0) : p[k]);
    }
    return s;
}

}  // namespace scalar

namespace vector {

// Four or eight unsigned 32-bit lanes: the bits of an f32x4 or f32x8 (one SSE or AVX register).
// As with f32x8, an eight-lane vector is never passed or returned by value (no ABI question
// without AVX): vectors are locals, or go by reference.
typedef uint32_t u32x4 __attribute__((vector_size(4 * sizeof(uint32_t))));
typedef uint32_t u32x8 __attribute__((vector_size(8 * sizeof(uint32_t))));

// The vector types of W lanes.
template <size_t W>
struct Lanes;
template <>
struct Lanes<4> {
    typedef f32x4 f32;
    typedef u32x4 u32;
};
template <>
struct Lanes<8> {
    typedef f32x8 f32;
    typedef u32x8 u32;
};

// Is any lane outside the main path of exp and sigmoid_pair, |x| >= 87 (bits 0x42ae0000), ±inf or
// NaN? |x|'s bits are below 2^31, and adding 0x3d520000 = 2^31 − 0x42ae0000 to them sets bit 31
// exactly when they are at least 0x42ae0000; OR-ing the sums of all lanes keeps any such bit 31.
template <size_t W>
inline bool any_outside(const typename Lanes<W>::u32& bits) noexcept {
    const typename Lanes<W>::u32 carries = (bits & 0x7fffffffu) + 0x3d520000u;
    uint32_t any = 0;
    for (size_t i = 0; i < W; ++i) any |= carries[i];
    return (any >> 31) != 0;
}

// detail::exp_parts lane by lane, for lanes with |x| < 87.
template <size_t W>
struct ExpParts {
    typename Lanes<W>::f32 hi, tail;
    typename Lanes<W>::u32 u;
};

// Per lane, as detail::exp_parts(x):
//   shifted = x·(16/ln2) + 1.5·2^23;  kf = shifted − 1.5·2^23 (= k);  u = bits(shifted)
//   r = (x − kf·step_hi) − kf·step_lo;  p = r + r²·(c2 + c3·r)
//   (hi, lo) = exp_table[u & 15] (one scalar read per lane);  tail = lo + hi·p
template <size_t W>
inline void exp_parts(const typename Lanes<W>::f32& x, ExpParts<W>& e) noexcept {
    typedef typename Lanes<W>::f32 F;
    typedef typename Lanes<W>::u32 U;
    const F shifted = x * detail::exp_inv_step + detail::round_shift;
    const F kf = shifted - detail::round_shift;
    const F r = (x - kf * detail::exp_step_hi) - kf * detail::exp_step_lo;
    const F p = r + (r * r) * (detail::exp_c2 + r * detail::exp_c3);
    e.u = __builtin_bit_cast(U, shifted);
    const U j = e.u & 15u;
    const detail::ExpTableEntry* t[W];
    for (size_t i = 0; i < W; ++i) t[i] = &detail::exp_table[j[i]];
    F lo;
    if constexpr (W == 4) {
        e.hi = F{t[0]->hi, t[1]->hi, t[2]->hi, t[3]->hi};
        lo = F{t[0]->lo, t[1]->lo, t[2]->lo, t[3]->lo};
    } else {
        e.hi = F{t[0]->hi, t[1]->hi, t[2]->hi, t[3]->hi, t[4]->hi, t[5]->hi, t[6]->hi, t[7]->hi};
        lo = F{t[0]->lo, t[1]->lo, t[2]->lo, t[3]->lo, t[4]->lo, t[5]->lo, t[6]->lo, t[7]->lo};
    }
    e.tail = lo + e.hi * p;
}

// Entries 0 .. W−1 of sigmoid_layer (r may equal h). All lanes in the main path:
// sigmoid_pair<float>'s main path per lane, with e = e^{−|r|} and σ(−|r|) = small:
//   minus_abs = −|r|;  (hi, tail, u) = exp_parts(minus_abs);  scale = 2^floor(k/16) = bits(((u >> 4) << 23) + 0x3f800000)
//   y = hi + tail;  e = y·scale;  e_lo = (tail − (y − hi))·scale
//   d = 1 + e;  d_lo = (e − (d − 1)) + e_lo;  q = e/d
//   small = q + (e_lo − q·d_lo)·(1 − q);  big = 1 − small
//   (value, complement) = (small, big) where r's sign bit is set, else (big, small): blended with
//   the mask 0 − (bits >> 31) (all ones for a set sign bit), on the bits
//   h = value;  dh_dr = value·complement
// Otherwise the scalar sigmoid_pair for all W entries.
template <size_t W>
inline void sigmoid_group(const float* r, float* h, float* dh_dr) noexcept {
    typedef typename Lanes<W>::f32 F;
    typedef typename Lanes<W>::u32 U;
    U bits;
    __builtin_memcpy(&bits, r, sizeof bits);
    if (any_outside<W>(bits)) {
        scalar::sigmoid_entries(r, h, dh_dr, W);
        return;
    }
    const F minus_abs = __builtin_bit_cast(F, bits | 0x80000000u);
    ExpParts<W> p = {};
    exp_parts<W>(minus_abs, p);
    const F scale = __builtin_bit_cast(F, ((p.u >> 4u) << 23u) + 0x3f800000u);
    const F y = p.hi + p.tail;
    const F e = y * scale;
    const F e_lo = (p.tail - (y - p.hi)) * scale;
    const F d = 1.0f + e;
    const F d_lo = (e - (d - 1.0f)) + e_lo;
    const F q = e / d;
    const F small = q + (e_lo - q * d_lo) * (1.0f - q);
    const F big = 1.0f - small;
    const U negative = 0u - (bits >> 31u);
    const U small_bits = __builtin_bit_cast(U, small);
    const U big_bits = __builtin_bit_cast(U, big);
    const F value = __builtin_bit_cast(F, (small_bits & negative) | (big_bits & ~negative));
    const F complement = __builtin_bit_cast(F, (big_bits & negative) | (small_bits & ~negative));
    const F slope = value * complement;
    __builtin_memcpy(h, &value, sizeof value);
    __builtin_memcpy(dh_dr, &slope, sizeof slope);
}

// sigmoid_layer in groups of W entries (then one group of 4 when W = 8 and at least 4 remain),
// the last N mod 4 entries by the scalar function. W = 4 or 8 (default: as UGRAD_VECTOR_KERNELS
// says); same bits either way.
template <size_t W = width, size_t N>
inline void sigmoid_layer(const float (&r)[N], float (&h)[N], float (&dh_dr)[N]) noexcept {
    static_assert(W == 4 || W == 8, "vectors of four or eight floats");
    constexpr size_t full = N - N % W;
    for (size_t j = 0; j < full; j += W) sigmoid_group<W>(&r[j], &h[j], &dh_dr[j]);
    constexpr size_t fours = N % W >= 4 ? 4 : 0;
    if constexpr (fours != 0) sigmoid_group<4>(&r[full], &h[full], &dh_dr[full]);
    if constexpr (N % 4 != 0) scalar::sigmoid_entries(&r[full + fours], &h[full + fours], &dh_dr[full + fours], N % 4);
}

// Entries 0 .. W−1 of p = e^(θ − m), from x = θ − m (already in lanes). All lanes in the main
// path: exp(float)'s main path per lane:
//   (hi, tail, u) = exp_parts(x);  p = bits(bits(hi + tail) + ((u >> 4) << 23))
// Returns false, writing nothing, if a lane is outside it.
template <size_t W>
inline bool exp_main_path(const typename Lanes<W>::f32& x, typename Lanes<W>::f32& p) noexcept {
    typedef typename Lanes<W>::f32 F;
    typedef typename Lanes<W>::u32 U;
    if (any_outside<W>(__builtin_bit_cast(U, x))) return false;
    ExpParts<W> e = {};
    exp_parts<W>(x, e);
    p = __builtin_bit_cast(F, __builtin_bit_cast(U, e.hi + e.tail) + ((e.u >> 4u) << 23u));
    return true;
}

// Entries 0 .. W−1 of p = e^(θ − m): the main path above, else the scalar exp for all W entries.
template <size_t W>
inline void exp_group(const float* theta, float m, float* p) noexcept {
    typedef typename Lanes<W>::f32 F;
    F t, y;
    __builtin_memcpy(&t, theta, sizeof t);
    if (exp_main_path<W>(t - m, y))
        __builtin_memcpy(p, &y, sizeof y);
    else
        scalar::exp_entries(theta, m, p, W);
}

// The last n = 1..3 entries, in the first lanes of one vector of four (the others hold θ = m,
// whose e^0 is computed and dropped; nothing past entry n−1 is read or written).
template <size_t n>
inline void exp_group_first(const float* theta, float m, float* p) noexcept {
    f32x4 y;
    if (exp_main_path<4>(load_first<n>(theta, m) - m, y))
        store_first<n>(p, y);
    else
        scalar::exp_entries(theta, m, p, n);
}

// exp_shifted: the exps in groups as sigmoid_layer's, then the one sum, k ascending, skipping p[skip].
template <size_t W = width, size_t K>
inline float exp_shifted(const float (&theta)[K], float m, float (&p)[K], size_t skip = K) noexcept {
    static_assert(W == 4 || W == 8, "vectors of four or eight floats");
    constexpr size_t full = K - K % W;
    for (size_t k = 0; k < full; k += W) exp_group<W>(&theta[k], m, &p[k]);
    constexpr size_t fours = K % W >= 4 ? 4 : 0;
    if constexpr (fours != 0) exp_group<4>(&theta[full], m, &p[full]);
    if constexpr (K % 4 != 0) exp_group_first<K % 4>(&theta[full + fours], m, &p[full + fours]);
    return scalar::sum(p, skip);
}

}  // namespace vector

// ---------------------------------------------------------------------------------------------
// The functions the library calls: the vector schedule for float when kernels.hpp picks it (x86),
// else the scalar one. Same bits whichever runs.

template <size_t N, typename T>
inline void sigmoid_layer(const T (&r)[N], T (&h)[N], T (&dh_dr)[N]) noexcept {
    if constexpr (schedule_for<T>::value == Schedule::vector) vector::sigmoid_layer(r, h, dh_dr);
    else scalar::sigmoid_layer(r, h, dh_dr);
}

template <size_t K, typename T>
inline T exp_shifted(const T (&theta)[K], T m, T (&p)[K], size_t skip = K) noexcept {
    if constexpr (schedule_for<T>::value == Schedule::vector) return vector::exp_shifted(theta, m, p, skip);
    else return scalar::exp_shifted(theta, m, p, skip);
}

}  // namespace ugrad

UGRAD_FP_CONTRACT_OFF_END
