// SPDX-License-Identifier: Apache-2.0
// examples/firmware/main.cpp — ugrad in a Cortex-M4F firmware, as small as it gets.
//
// The model is an exported header: a `constexpr` ugrad::Network with an initializer, so the compiler
// puts it in .rodata and the linker in flash; nothing of the library lands in RAM except the Activations this program owns. One sensor
// reading (4 features) is classified (3 classes) and dJ/dx tells which feature drove the decision.
// Build and run in QEMU: make TARGET=mps2-an386 example (see README.md in this folder).
#include <stddef.h>
#include <stdio.h>

#include <ugrad/ugrad.hpp>

#include "hal.h"           // only for the instruction counter; output is plain printf (newlib, semihosting)
#include "sensor_model.hpp"  // the model: 4 inputs, 5 ReLU units, 3 classes (softmax), exported by
                             // tools/export_model.py from sensor_model.json (make firmware-model)

namespace {

const char* const class_names[3] = {"idle", "walking", "running"};

}  // namespace

int main() {
    const float reading[4] = {0.9f, -0.2f, 0.4f, 0.3f};
    using Model = decltype(sensor_model);  // const ugrad::Network<Softmax, Dense<4, 5, Relu>, Dense<5, 3>>
    Model::Activations act;                // 5 + 3 layer outputs, 2·3 softmax values, the walk's 3 + 5: 88 bytes
    static_assert(sizeof act == 88, "5 + 3 + 2·3 + 3 + 5 floats");

    const uint64_t t0 = hal_instructions();
    if (ugrad::forward(sensor_model, reading, act) != ugrad::Status::ok) return 1;
    const uint64_t t1 = hal_instructions();

    size_t best = 0;
    const auto& p = ugrad::outputs(act);  // ŷ, the softmax probabilities [3]
    for (size_t k = 1; k < 3; ++k)
        if (p[k] > p[best]) best = k;

    // dJ/dx for J = −log ŷ[best]: a step of −dx makes the chosen class more likely.
    float dx[4];
    const uint64_t t2 = hal_instructions();
    if (ugrad::input_gradient(sensor_model, act, best, dx) != ugrad::Status::ok) return 1;
    const uint64_t t3 = hal_instructions();

    printf("class %s, p = [%.4f %.4f %.4f]\n", class_names[best], static_cast<double>(p[0]),
           static_cast<double>(p[1]), static_cast<double>(p[2]));
    printf("dJ/dx = [%+.4f %+.4f %+.4f %+.4f]\n", static_cast<double>(dx[0]), static_cast<double>(dx[1]),
           static_cast<double>(dx[2]), static_cast<double>(dx[3]));
    printf("forward: %lu instructions, input_gradient: %lu (QEMU -icount, steps of 40)\n",
           static_cast<unsigned long>(t1 - t0), static_cast<unsigned long>(t3 - t2));
    return 0;
}
