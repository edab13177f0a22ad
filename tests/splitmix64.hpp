// SPDX-License-Identifier: Apache-2.0
// tests/splitmix64.hpp — the one pseudo-random sequence the host specs, the golden vectors and the
// on-target runners draw from: SplitMix64 (Steele, Lea and Flood, 2014), integer arithmetic only,
// so every platform draws the same numbers. Freestanding: <stdint.h> only.
#pragma once

#include <stdint.h>

namespace test {

// Advance the state by the golden-ratio step and return the mixed value.
inline uint64_t splitmix64(uint64_t& state) noexcept {
    uint64_t z = (state += 0x9e3779b97f4a7c15ull);
    z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
    z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
    return z ^ (z >> 31);
}

}  // namespace test
