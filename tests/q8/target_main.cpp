// SPDX-License-Identifier: Apache-2.0
// tests/q8/target_main.cpp — the int8 golden vectors on an emulated target (make TARGET=<t> q8-target).
#include "golden_q8.hpp"
#include "hal.h"

int main() {
    golden_q8::run(hal_write);
    return 0;
}
