// SPDX-License-Identifier: Apache-2.0
// int8_runner.cpp — runs one exported int8 `.tflite` header (tools/export_model.py) on inputs read
// from standard input, one line of hex bytes each, and prints each output as one line of hex bytes.
// Built by tests/tflite/test_int8_export.py with -DUGRAD_MODEL_HEADER="NAME.hpp" -DUGRAD_MODEL=NAME.
#include <stdint.h>
#include <stdio.h>

#include UGRAD_MODEL_HEADER

namespace {

int hex_digit(int c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

alignas(4) int8_t arena[UGRAD_MODEL.arena_bytes];

}  // namespace

int main() {
    const auto& model = UGRAD_MODEL;
    for (;;) {
        int8_t* x = model.input(arena);
        size_t n = 0;
        int c = getchar();
        if (c == EOF) return 0;
        for (; c != '\n' && c != EOF; c = getchar()) {
            const int hi = hex_digit(c), lo = hex_digit(getchar());
            if (hi < 0 || lo < 0 || n >= model.input_size) {
                fprintf(stderr, "bad input line\n");
                return 2;
            }
            x[n++] = int8_t(uint8_t(hi * 16 + lo));
        }
        if (n != model.input_size) {
            fprintf(stderr, "input of %zu bytes, the model takes %zu\n", n, model.input_size);
            return 2;
        }
        model.forward(arena);
        const int8_t* y = model.output(arena);
        for (size_t i = 0; i < model.output_size; ++i) printf("%02x", unsigned(uint8_t(y[i])));
        printf("\n");
    }
}
