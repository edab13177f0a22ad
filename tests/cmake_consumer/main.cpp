// SPDX-License-Identifier: Apache-2.0
// The consumer's C++ program: forward, loss and dJ/dx of the exported model, printed as hex floats
// so that the builds (CMake subdirectory, installed package, pkg-config, C) can be compared exactly.
#include <stdio.h>

#include <ugrad/ugrad.hpp>

#include "tiny.hpp"

int main() {
    const float x[2] = {0.3f, -0.7f};
    ugrad::Activations<2, 3, 2> act;
    float loss = 0.0f, dx[2];
    if (ugrad::forward(tiny, x, act) != ugrad::Status::ok) return 1;
    if (ugrad::cross_entropy(act, 1, loss) != ugrad::Status::ok) return 1;
    if (ugrad::input_gradient(tiny, act, 1, dx) != ugrad::Status::ok) return 1;
    printf("p = %a %a  loss = %a  dJ/dx = %a %a\n", static_cast<double>(act.probs[0]), static_cast<double>(act.probs[1]),
           static_cast<double>(loss), static_cast<double>(dx[0]), static_cast<double>(dx[1]));
    return 0;
}
