// SPDX-License-Identifier: Apache-2.0
// tests/q8/golden_q8.hpp — the int8 path's golden vectors: fixed networks and inputs drawn from
// SplitMix64, whose every integer result (codes, logits, ŷ, dJ/dx and its exponent) must hash the
// same on every compiler and target. Freestanding: the library, <stdint.h> and <stddef.h> only.
#pragma once

#include <stdint.h>

namespace golden_q8 {

using Writer = void (*)(const char* text);

// Writes "q8golden <case> <16 hex digits>" per case and "q8golden total <16 hex digits>"; returns
// the total.
uint64_t run(Writer write);

}  // namespace golden_q8
