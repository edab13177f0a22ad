// SPDX-License-Identifier: Apache-2.0
// hex_line.hpp — the tflite test runners' input: the rest of a line of standard input as bytes, two
// hex digits each (int8_runner.cpp, int8_gradient_runner.cpp, int8_head_runner.cpp).
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

namespace hex_line {

inline int digit(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

// Reads the line into dst [want]: true if it held exactly want bytes; otherwise says why on stderr.
// first: the line's first character, already read (EOF for an empty input).
inline bool read(int first, int8_t* dst, size_t want) {
    size_t n = 0;
    for (int c = first; c != '\n' && c != EOF; c = getchar()) {
        const int hi = digit(c), lo = digit(getchar());
        if (hi < 0 || lo < 0 || n >= want) {
            fprintf(stderr, "bad input line\n");
            return false;
        }
        dst[n++] = int8_t(uint8_t(hi * 16 + lo));
    }
    if (n != want) fprintf(stderr, "%zu bytes, want %zu\n", n, want);
    return n == want;
}

}  // namespace hex_line
