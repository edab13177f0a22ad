// SPDX-License-Identifier: Apache-2.0
// tools/size/stack_main.cpp — the stack each measured call really uses, by stack painting in QEMU
// (platform/hal.h): paint the free stack, make one call, see how deep the pattern was overwritten.
// The Activations, input and gradient live in static storage, outside the measured stack, so the
// figures are the stack beyond Activations. Prints "stack <call> <bytes>" lines for
// tools/size/report.py (and "stack baseline", the reading with no call in between), and fails if
// a call does not return ok.
#include <stddef.h>
#include <stdint.h>

#include "hal.h"
#include "measured.hpp"

namespace {

SizeNet net;
SizeActivations act;
float x[size_in], dx[size_in];

// A reproducible model and input with moderate values (any finite model exercises the same code).
void fill_model() {
    uint32_t state = 12345u;
    auto next = [&state]() {
        state = state * 1664525u + 1013904223u;
        return static_cast<float>(static_cast<int32_t>(state >> 8) - 8388608) / 16777216.0f;
    };
    for (auto& row : net.w1)
        for (float& w : row) w = next();
    for (float& b : net.b1) b = next();
    for (auto& row : net.w2)
        for (float& w : row) w = next();
    for (float& b : net.b2) b = next();
    for (float& v : x) v = next() + 0.5f;
}

void report(const char* call, uint32_t bytes) {
    hal_write("stack ");
    hal_write(call);
    hal_write(" ");
    hal_write_uint(bytes);
    hal_write("\n");
}

}  // namespace

int main() {
    fill_model();
    int failures = 0;
    float loss = 0;

    // No call at all: what painting itself leaves behind (its own frame), subtracted by report.py.
    hal_stack_paint(hal_stack_pointer());
    report("baseline", hal_stack_peak());

    hal_stack_paint(hal_stack_pointer());
    failures += ugrad_size_forward(net, x, act) != ugrad::Status::ok;
    report("forward", hal_stack_peak());

    hal_stack_paint(hal_stack_pointer());
    failures += ugrad_size_cross_entropy(act, 3, loss) != ugrad::Status::ok;
    report("cross_entropy", hal_stack_peak());

    hal_stack_paint(hal_stack_pointer());
    failures += ugrad_size_input_gradient(net, act, 3, dx) != ugrad::Status::ok;
    report("input_gradient", hal_stack_peak());

    return failures == 0 ? 0 : 1;
}
