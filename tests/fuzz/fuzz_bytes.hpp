// SPDX-License-Identifier: Apache-2.0
// tests/fuzz/fuzz_bytes.hpp — how the fuzz targets turn input bytes into floats: each value by one
// of four encodings (any bits, an ordinary bounded number, an edge value, a wide bounded number).
// Shared by fuzz_network.cpp and fuzz_layers.cpp, so their seed corpora decode the same way.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <cfloat>

#include <ugrad/ugrad.hpp>

namespace fuzz {

// How a value is made from the input bytes.
enum Encoding : uint8_t {
    raw_bits,      // 4 bytes, any float: NaNs, ±inf, subnormals, huge
    bounded,       // 2 bytes, int16 / 2^12: in [-8, 8), the ordinary regime
    special,       // 1 byte, one of special_values: the edges
    bounded_wide,  // 2 bytes, int16 / 2^4: in [-2048, 2048), saturating units, far-apart outputs
};

const float special_values[] = {
    0.0f, -0.0f, 1.0f, -1.0f, 0.5f, 0.25f, 1e-3f, 1.0005f, 0.999f, 2.0f, -1e-8f, 20.0f, -20.0f, 100.0f,
    -100.0f, 88.72f, -103.9f, 1e30f, -1e30f, 3e38f, -3e38f, FLT_MAX, -FLT_MAX, FLT_MIN, -FLT_MIN,
    FLT_TRUE_MIN, -FLT_TRUE_MIN, 1e-40f, ugrad::infinity<float>(), -ugrad::infinity<float>(),
    ugrad::quiet_nan<float>(), -ugrad::quiet_nan<float>(), ugrad::bit_cast<float>(0x7f800001u),  // a signalling NaN
};

struct Bytes {
    const uint8_t* at;
    size_t left;
    uint8_t byte() {
        if (left == 0) return 0;
        --left;
        return *at++;
    }
    uint32_t bits(int n) {
        uint32_t v = 0;
        for (int i = 0; i < n; ++i) v = v << 8 | byte();
        return v;
    }
    float value(Encoding e) {
        switch (e) {
            case raw_bits: return ugrad::bit_cast<float>(bits(4));
            case bounded: return static_cast<float>(static_cast<int16_t>(bits(2))) / 4096.0f;
            case special: return special_values[byte() % (sizeof special_values / sizeof special_values[0])];
            case bounded_wide: return static_cast<float>(static_cast<int16_t>(bits(2))) / 16.0f;
        }
        return 0.0f;
    }
    template <size_t N>
    void fill(float (&v)[N], Encoding e) {
        for (size_t i = 0; i < N; ++i) v[i] = value(e);
    }
    template <size_t N, size_t M>
    void fill(float (&v)[N][M], Encoding e) {
        for (size_t i = 0; i < N; ++i) fill(v[i], e);
    }
};

}  // namespace fuzz
