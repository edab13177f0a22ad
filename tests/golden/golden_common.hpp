// SPDX-License-Identifier: Apache-2.0
// tests/golden/golden_common.hpp — what every golden-vector file shares: the hash their cases feed
// and the integer generator their models and inputs come from (see golden_vectors.cpp).
#pragma once

#include "../splitmix64.hpp"

#include <float.h>
#include <stddef.h>
#include <stdint.h>

#include <ugrad/ugrad.hpp>

namespace golden {

// FNV-1a, 64 bits, fed byte by byte (little-endian order, whatever the machine's).
struct Hash {
    uint64_t state = 0xcbf29ce484222325ull;
    void byte(uint8_t b) {
        state ^= b;
        state *= 0x100000001b3ull;
    }
    void word(uint32_t w) {
        for (int shift = 0; shift < 32; shift += 8) byte(static_cast<uint8_t>(w >> shift));
    }
    void value(float f) { word(ugrad::bit_cast<uint32_t>(f)); }
    void status(ugrad::Status s) { byte(static_cast<uint8_t>(s)); }
    template <size_t N>
    void values(const float (&v)[N]) {
        for (size_t i = 0; i < N; ++i) value(v[i]);
    }
};

// SplitMix64 (tests/splitmix64.hpp) and values drawn from it.
struct Generator {
    uint64_t state;
    uint64_t next() {
        return test::splitmix64(state);
    }
    // Uniform in [-scale, scale): a 24-bit integer times an exact power-of-two step, so the value
    // is the same float everywhere (scale is a power of two).
    float symmetric(float scale) {
        const int32_t n = static_cast<int32_t>(next() >> 40) - 8388608;  // [-2^23, 2^23)
        return static_cast<float>(n) * (scale / 8388608.0f);
    }
};

template <size_t N>
void fill(float (&v)[N], Generator& g, float scale) {
    for (size_t i = 0; i < N; ++i) v[i] = g.symmetric(scale);
}
template <size_t N, size_t M>
void fill(float (&v)[N][M], Generator& g, float scale) {
    for (size_t i = 0; i < N; ++i) fill(v[i], g, scale);
}

// A probability vector: nonnegative integers scaled by their (exact) sum.
template <size_t Out>
void soft_target(float (&y)[Out], Generator& g) {
    uint32_t weight[Out];
    uint32_t sum = 0;
    for (size_t k = 0; k < Out; ++k) sum += (weight[k] = static_cast<uint32_t>(g.next() >> 56));
    if (sum == 0) {
        weight[0] = 1;
        sum = 1;
    }
    for (size_t k = 0; k < Out; ++k) y[k] = static_cast<float>(weight[k]) / static_cast<float>(sum);
}

}  // namespace golden
