// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/backward/activation_mask.hpp — where a fused activation (ReLU, ReLU6, or the int8
// range itself) passed the gradient, and the first step of a layer's backward.
//
// The forward clamps each output code to [lo, hi]; its derivative is 1 strictly inside and 0 where
// the code sits at either end (a ReLU's zero, ReLU6's 6, or a saturated int8). The forward that keeps
// a tape records one bit per output code, bit i%8 of byte i/8: 1 where lo < y_i < hi.
// scale_masked then forms H = mask·round(G·m_c/2^15) (block_gradient.hpp, step (1)) in place, for a
// packed gradient G [P][C] with one Q15 factor m_c per channel (PerChannel) or m_0 for all.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/tflite/backward/block_gradient.hpp>

namespace ugrad::tflite::backward {

inline bool mask_bit(const uint8_t* bits, size_t i) noexcept { return (bits[i >> 3] >> (i & 7)) & 1u; }

// lo < y < hi ⟺ y − lo − 1 < hi − lo − 1 as unsigned (below lo it wraps to a large number): one
// compare per code, eight codes to a byte.
inline void record_mask(const int8_t* y, size_t n, int32_t lo, int32_t hi, uint8_t* bits) noexcept {
    const uint32_t base = uint32_t(lo + 1), width = uint32_t(hi - lo - 1);
    for (size_t b = 0; b < n / 8; ++b) {
        const int8_t* p = y + 8 * b;
        uint32_t byte = 0;
        for (uint32_t j = 0; j < 8; ++j) byte |= uint32_t(uint32_t(int32_t(p[j])) - base < width) << j;
        bits[b] = uint8_t(byte);
    }
    if (n % 8) {
        uint32_t byte = 0;
        for (size_t j = 0; j < n % 8; ++j) byte |= uint32_t(uint32_t(int32_t(y[n - n % 8 + j])) - base < width) << j;
        bits[n / 8] = uint8_t(byte);
    }
}

// g [P][C] packed: g[p][c] = mask(p·C + c) ? round(g[p][c]·m[c or 0]/2^15) : 0; bits null: no mask.
template <int P, int C, bool PerChannel>
inline void scale_masked(int32_t* g, const uint8_t* bits, const int32_t* m) noexcept {
    for (int p = 0; p < P; ++p)
        for (int c = 0; c < C; ++c) {
            const size_t i = size_t(p) * C + size_t(c);
            packed_set(g, i, (bits && !mask_bit(bits, i)) ? 0 : q15_multiply(packed_get(g, i), m[PerChannel ? c : 0]));
        }
}

// g [n] packed = 0 where the mask is 0 (ADD's clamp, a pool's clamp narrower than the int8 range).
inline void apply_mask(int32_t* g, size_t n, const uint8_t* bits) noexcept {
    for (size_t i = 0; i < n; ++i)
        if (!mask_bit(bits, i)) packed_set(g, i, 0);
}

}  // namespace ugrad::tflite::backward
