// SPDX-License-Identifier: Apache-2.0
// tests/math_bits.hpp — the checksum that pins float tanh's bits: FNV-1a 64 over the outputs of
// ugrad::tanh at 2^16 inputs spread across all 2^32 bit patterns (every exponent, both signs, NaNs
// and infinities). Freestanding (<stdint.h> and ugrad/math.hpp only), so the doctest suite
// (tests/test_tanh.cpp: host, M4F, M3) and the freestanding program for rv32
// (tools/math/tanh_bits.cpp, `make TARGET=<t> tanh-bits`) compute the same sum.
#pragma once

#include <stdint.h>

#include <ugrad/math.hpp>

namespace test {

// The host's sum (g++ and clang++, -ffp-contract=off): every target must give the same.
constexpr uint64_t tanh_bits_expected = 0x81a77f5ebae76ce4ull;

// Input i = 0..65535: the bits i·65537, from 0x00000000 to 0xffffffff.
inline float tanh_spread_input(uint32_t i) { return ugrad::bit_cast<float>(i * 65537u); }

// FNV-1a 64 over the output bits, byte by byte from the lowest; any NaN counts as 0x7fc00000 (the
// NaN's sign and payload are not promised).
inline uint64_t tanh_bits_hash() {
    uint64_t h = 0xcbf29ce484222325ull;
    for (uint32_t i = 0; i < 65536u; ++i) {
        const float t = ugrad::tanh(tanh_spread_input(i));
        const uint32_t bits = ugrad::is_nan(t) ? 0x7fc00000u : ugrad::bit_cast<uint32_t>(t);
        for (int byte = 0; byte < 4; ++byte) h = (h ^ ((bits >> (8 * byte)) & 0xffu)) * 0x100000001b3ull;
    }
    return h;
}

}  // namespace test
