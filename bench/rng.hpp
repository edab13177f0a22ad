// SPDX-License-Identifier: Apache-2.0
// bench/rng.hpp — SplitMix64-driven uniform floats for the benchmarks: the same numbers on every target.
#pragma once

#include <stdint.h>

namespace bench {

struct Rng {
    uint64_t state;
    float uniform(float lo, float hi) {
        uint64_t z = (state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        z ^= z >> 31;
        return lo + (hi - lo) * static_cast<float>(z >> 40) * (1.0f / 16777216.0f);
    }
};

}  // namespace bench
