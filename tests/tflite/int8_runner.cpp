// SPDX-License-Identifier: Apache-2.0
// int8_runner.cpp — runs one exported int8 `.tflite` header (tools/export_model.py) on inputs read
// from standard input, one line of hex bytes each, and prints each output as one line of hex bytes.
// Built by tests/tflite/test_int8_export.py with -DUGRAD_MODEL_HEADER="NAME.hpp" -DUGRAD_MODEL=NAME.
#include <stdint.h>
#include <stdio.h>

#include UGRAD_MODEL_HEADER
#include "hex_line.hpp"

namespace {

alignas(4) int8_t arena[UGRAD_MODEL.arena_bytes];

}  // namespace

int main() {
    const auto& model = UGRAD_MODEL;
    for (;;) {
        int8_t* x = model.input(arena);
        const int c = getchar();
        if (c == EOF) return 0;
        if (!hex_line::read(c, x, model.input_size)) return 2;
        model.forward(arena);
        const int8_t* y = model.output(arena);
        for (size_t i = 0; i < model.output_size; ++i) printf("%02x", unsigned(uint8_t(y[i])));
        printf("\n");
    }
}
