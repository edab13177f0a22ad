// SPDX-License-Identifier: Apache-2.0
// bench/tflite_int8_profile.hpp — one operator of an exported int8 model's forward pass, as
// tools/tflite/int8_profile.py lists it for bench/tflite_int8_profile.cpp.
#pragma once
#include <stddef.h>
#include <stdint.h>

struct ProfileStep {
    const char* label;   // "k OPCODE input shape -> output shape", the header's comment
    const char* kernel;  // the ugrad::tflite function that runs it
    uint32_t macs;       // its multiply-accumulates (0 for pooling, softmax)
};
