// SPDX-License-Identifier: Apache-2.0
// ugrad/q8/activations.hpp — the element-wise activations of the int8 path: the output code of a
// hidden unit from its accumulator, and the slope act′ from the output code alone.
//
// Scales (real value = scale·(code − zero point)):
//   Sigmoid  pre-activation r: Q12 (r = a/4096);  output y: scale 1/256, zero point −128
//   Tanh     pre-activation r: Q12;               output y: scale 1/128, zero point 0
//   Relu, Identity  no intermediate code: the accumulator is requantized straight to y, with the
//            layer's own (calibrated) output scale and zero point z.
// Sigmoid and tanh are correctly rounded: y = round(256σ(r)) − 128, y = round(128·tanh r), both
// clamped to int8, for every Q12 code r (tests/test_q8_primitives.cpp checks all 2^16 codes).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/layers.hpp>
#include <ugrad/q8/fixed_point.hpp>
#include <ugrad/q8/tables.hpp>

namespace ugrad::q8 {
namespace detail {

// How many of the 128 ascending thresholds t are <= a: a uniform binary search over t[0..126]
// (7 steps), then t[127].
inline int32_t thresholds_at_or_below(const int16_t* t, int32_t a) noexcept {
    int32_t count = 0;
    for (int32_t step = 64; step > 0; step >>= 1)
        if (t[count + step - 1] <= a) count += step;
    return count + (t[127] <= a ? 1 : 0);
}

// The int8 code of a signed r from the signed thresholds t [256] (tables.hpp: 255 of them, then
// a sentinel above any r searched) and their buckets [800] of 2^width_bits codes from
// −400·2^width_bits: bucket[b] counts the thresholds at or below the bucket's start, and the
// thresholds lie at least 2^width_bits apart, so at most one more is <= r (t[count] exists:
// count <= 255). The code is count − 128; below the buckets every threshold is above r (−128),
// past them every one is at or below it (127).
inline int8_t signed_code(const int16_t* t, const uint8_t* bucket, uint32_t width_bits, int32_t r) noexcept {
    const uint32_t offset = 400u << width_bits;
    const uint32_t u = uint32_t(r) + offset;  // in [0, 2·offset) iff r in [−offset, offset), for any int32 r
    if (u >= 2 * offset) return int8_t(r < 0 ? -128 : 127);
    const int32_t count = bucket[u >> width_bits];
    return int8_t(count + (t[count] <= r ? 1 : 0) - 128);
}

// An odd-symmetric activation from its count of thresholds c = count(|r|): f(r) = min(c, 127) for
// r >= 0, −c for r < 0 (down to −128). Sigmoid fits this after the shift by its zero point:
// round(256σ(−r)) − 128 = −(round(256σ(r)) − 128), there being no ties.
// count <= 128: less 1 if it is 128 (count >> 7) for r >= 0 (two conditional instructions on Arm).
inline int8_t symmetric_code(int32_t r, int32_t count) noexcept {
    return int8_t(r < 0 ? -count : count - (count >> 7));
}

// The codes, by the smaller search at -Os (__OPTIMIZE_SIZE__) and by the signed buckets otherwise
// (1,312 B of table each, about a sixth of the instructions): the same codes.
inline int8_t sigmoid_code(int32_t r) noexcept {
#if defined(__OPTIMIZE_SIZE__)
    return symmetric_code(r, thresholds_at_or_below(tables::sigmoid_thresholds, int32_t(magnitude(r))));
#else
    return signed_code(tables::sigmoid_signed, tables::sigmoid_signed_buckets, 6, r);
#endif
}
inline int8_t tanh_code(int32_t r) noexcept {
#if defined(__OPTIMIZE_SIZE__)
    return symmetric_code(r, thresholds_at_or_below(tables::tanh_thresholds, int32_t(magnitude(r))));
#else
    return signed_code(tables::tanh_signed, tables::tanh_signed_buckets, 5, r);
#endif
}

inline int8_t clamp_int8(int32_t v, int32_t lo) noexcept {
    return int8_t(v < lo ? lo : v > 127 ? 127 : v);
}

}  // namespace detail

// The output code of one unit from its accumulator acc (scale s_in·s_w), with the unit's
// requantization factor m·2^−n (to Q12 for sigmoid and tanh, to the output scale otherwise) and
// the layer's output zero point z (Relu, Identity).
inline int8_t activation_code(Sigmoid /*act*/, int32_t acc, int32_t m, uint8_t n, int32_t /*z*/) noexcept {
    return detail::sigmoid_code(requantize(acc, m, n));
}
inline int8_t activation_code(Tanh /*act*/, int32_t acc, int32_t m, uint8_t n, int32_t /*z*/) noexcept {
    return detail::tanh_code(requantize(acc, m, n));
}
inline int8_t activation_code(Relu /*act*/, int32_t acc, int32_t m, uint8_t n, int32_t z) noexcept {
    return detail::clamp_int8(z + requantize(acc, m, n), z);
}
inline int8_t activation_code(Identity /*act*/, int32_t acc, int32_t m, uint8_t n, int32_t z) noexcept {
    return detail::clamp_int8(z + requantize(acc, m, n), -128);
}

// The slope from the output code y: act′ = slope·2^slope_exponent, and what one unit of the
// pre-activation code is worth in units of the output code (the chain rule in codes):
//   dJ/d(pre-activation code) = slope(y)·2^gradient_exponent·dJ/dy_code.
//   Sigmoid  σ′ = h(1 − h), h = (y + 128)/256:  slope = (y + 128)(128 − y) <= 2^14, act′ = slope·2^−16;
//            in codes ×(1/4096)/(1/256): gradient_exponent = −16 − 12 + 8 = −20
//   Tanh     1 − t², t = y/128:  slope = 16384 − y² <= 2^14, act′ = slope·2^−14; −14 − 12 + 7 = −19
//   Relu     slope = 1 if y > z (the real output is positive) else 0; 0
//   Identity slope = 1; 0
// zero_point(z) is the output code's zero point (fixed for sigmoid and tanh, the layer's z otherwise).
template <class Act>
struct Slope;
template <>
struct Slope<Sigmoid> {
    static constexpr int32_t zero_point(int32_t /*layer_z*/) noexcept { return -128; }
    static constexpr int32_t gradient_exponent = -20;
    static int32_t of(int8_t y, int32_t /*z*/) noexcept { return 16384 - int32_t(y) * int32_t(y); }  // (y + 128)(128 − y)
};
template <>
struct Slope<Tanh> {
    static constexpr int32_t zero_point(int32_t /*layer_z*/) noexcept { return 0; }
    static constexpr int32_t gradient_exponent = -19;
    static int32_t of(int8_t y, int32_t /*z*/) noexcept { return 16384 - int32_t(y) * int32_t(y); }
};
template <>
struct Slope<Relu> {
    static constexpr int32_t zero_point(int32_t layer_z) noexcept { return layer_z; }
    static constexpr int32_t gradient_exponent = 0;
    static int32_t of(int8_t y, int32_t z) noexcept { return int32_t(y) > z ? 1 : 0; }
};
template <>
struct Slope<Identity> {
    static constexpr int32_t zero_point(int32_t layer_z) noexcept { return layer_z; }
    static constexpr int32_t gradient_exponent = 0;
    static int32_t of(int8_t /*y*/, int32_t /*z*/) noexcept { return 1; }
};

}  // namespace ugrad::q8
