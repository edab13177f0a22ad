// SPDX-License-Identifier: Apache-2.0
// examples/firmware/main.cpp — ugrad in a Cortex-M4F firmware, as small as it gets.
//
// The model is `const` with an initializer, so the compiler puts it in .rodata and the linker in
// flash; nothing of the library lands in RAM except the Activations this program owns. One sensor
// reading (4 features) is classified (3 classes) and dJ/dx tells which feature drove the decision.
// Build and run in QEMU: make TARGET=mps2-an386 example (see README.md in this folder).
#include <stddef.h>
#include <stdio.h>

#include <ugrad/ugrad.hpp>

#include "hal.h"  // only for the instruction counter; output is plain printf (newlib, semihosting)

namespace {

// 4 inputs, 5 hidden units, 3 classes; illustrative weights (a real model comes from
// tools/export_model.py or from training).
const ugrad::Mlp<4, 5, 3> model = {
    {{0.8f, -0.4f, 0.3f, 0.1f, -0.6f},
     {-0.5f, 0.9f, 0.2f, -0.3f, 0.4f},
     {0.3f, 0.1f, -0.9f, 0.7f, 0.2f},
     {-0.2f, -0.6f, 0.5f, 0.8f, -0.1f}},          // w1 [In][Hidden]
    {0.1f, -0.1f, 0.0f, 0.2f, -0.2f},               // b1 [Hidden]
    {{1.2f, -0.7f, -0.4f},
     {-0.8f, 1.1f, -0.2f},
     {-0.3f, -0.5f, 1.3f},
     {0.6f, 0.2f, -0.9f},
     {-1.0f, 0.4f, 0.7f}},                          // w2 [Hidden][Out]
    {0.0f, 0.1f, -0.1f},                            // b2 [Out]
};

const char* const class_names[3] = {"idle", "walking", "running"};

}  // namespace

int main() {
    const float reading[4] = {0.9f, -0.2f, 0.4f, 0.3f};
    ugrad::Activations<4, 5, 3> act;  // 5·2 + 3·3 floats = 76 bytes, on the stack

    const uint64_t t0 = hal_instructions();
    if (ugrad::forward(model, reading, act) != ugrad::Status::ok) return 1;
    const uint64_t t1 = hal_instructions();

    size_t best = 0;
    for (size_t k = 1; k < 3; ++k)
        if (act.probs[k] > act.probs[best]) best = k;

    // dJ/dx for J = −log ŷ[best]: a step of −dx makes the chosen class more likely.
    float dx[4];
    const uint64_t t2 = hal_instructions();
    if (ugrad::input_gradient(model, act, best, dx) != ugrad::Status::ok) return 1;
    const uint64_t t3 = hal_instructions();

    printf("class %s, p = [%.4f %.4f %.4f]\n", class_names[best], static_cast<double>(act.probs[0]),
           static_cast<double>(act.probs[1]), static_cast<double>(act.probs[2]));
    printf("dJ/dx = [%+.4f %+.4f %+.4f %+.4f]\n", static_cast<double>(dx[0]), static_cast<double>(dx[1]),
           static_cast<double>(dx[2]), static_cast<double>(dx[3]));
    printf("forward: %lu instructions, input_gradient: %lu (QEMU -icount, steps of 40)\n",
           static_cast<unsigned long>(t1 - t0), static_cast<unsigned long>(t3 - t2));
    return 0;
}
