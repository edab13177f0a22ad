// SPDX-License-Identifier: Apache-2.0
// tests/q8/host_main.cpp — the int8 golden vectors on the host (make q8-golden).
#include <stdio.h>

#include "golden_q8.hpp"

int main() {
    golden_q8::run([](const char* text) { fputs(text, stdout); });
    return 0;
}
