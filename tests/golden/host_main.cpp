// SPDX-License-Identifier: Apache-2.0
// tests/golden/host_main.cpp — the golden vectors on the host: prints the lines of
// golden_vectors.hpp to stdout (make golden, make golden-update).
#include <stdio.h>

#include "golden_vectors.hpp"

int main() {
    golden::run([](const char* text) { fputs(text, stdout); });
    return 0;
}
