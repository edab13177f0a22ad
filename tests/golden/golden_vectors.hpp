// SPDX-License-Identifier: Apache-2.0
// tests/golden/golden_vectors.hpp — the golden vectors: a fixed set of models and inputs whose
// float outputs, taken as bits, must hash the same on every compiler and every target.
//
// Freestanding (only the library and <stdint.h>), so the same source runs on the host, on the
// Cortex-M targets and on rv32 with no standard library.
#pragma once

#include <stdint.h>

namespace golden {

using Writer = void (*)(const char* text);

// Runs every case. Writes one line per case, "golden <case> <16 hex digits>": the seed network's
// (Mlp) cases then "golden total <16 hex digits>" over them, the same since before Network existed;
// then the Network cases and "golden network-total <16 hex digits>", which it returns. The lines are what tests/golden/golden.hash
// holds and what every platform must reproduce exactly.
uint64_t run(Writer write);

}  // namespace golden
