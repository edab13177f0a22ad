// SPDX-License-Identifier: Apache-2.0
// bench/tflite_int8_bench_output.hpp — what the int8 `.tflite` benches (tflite_int8_bench.cpp,
// tflite_int8_gradient_bench.cpp, tflite_int8_profile.cpp) share: the size of the one buffer every
// model uses in turn, and Markdown cells written with hal_write (no standard library: the benches run
// on the freestanding targets).
#pragma once
#include <stddef.h>
#include <stdint.h>

#include <hal.h>

// The largest of the models' sizes: one static buffer serves each model in turn.
template <size_t N>
constexpr size_t largest(const size_t (&sizes)[N]) {
    size_t n = 0;
    for (size_t s : sizes) n = s > n ? s : n;
    return n;
}

// numerator / denominator with that many decimals, rounded half up.
inline void write_fixed(uint64_t numerator, uint64_t denominator, int decimals) {
    uint64_t scale = 1;
    for (int i = 0; i < decimals; ++i) scale *= 10;
    const uint64_t v = (numerator * scale + denominator / 2) / denominator;
    hal_write_uint(v / scale);
    if (decimals == 0) return;
    hal_write(".");
    uint64_t frac = v % scale;
    for (uint64_t digit = scale / 10; digit > 0; digit /= 10) {
        const char d[2] = {static_cast<char>('0' + frac / digit), 0};
        hal_write(d);
        frac %= digit;
    }
}

// " | v": the next cell of a Markdown row.
inline void cell(uint64_t v) {
    hal_write(" | ");
    hal_write_uint(v);
}
