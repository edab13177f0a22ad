// SPDX-License-Identifier: Apache-2.0
// int8_head_runner.cpp — ugrad's own head (include/ugrad/tflite/own_head.hpp) of one exported int8
// `.tflite` classifier (tools/export_model.py): reads lines "x HEX" (an int8 input: forward, then the
// head on the logits forward left) or "l HEX" (int8 logits written straight into logits(arena)),
// two hex digits a byte, and prints per line
//     the logits l_0 .. l_{K−1}, Q15 ŷ_0 .. ŷ_{K−1}, then J for every label 0 .. K−1 as float bits in hex, then the status and J
//     bits for label K (out of range)
// all on one line. Built by tests/tflite/test_int8_head.py with -DUGRAD_MODEL_HEADER="NAME.hpp"
// -DUGRAD_MODEL=NAME.
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include UGRAD_MODEL_HEADER
#include "hex_line.hpp"

namespace {

alignas(4) int8_t arena[UGRAD_MODEL.arena_bytes];

uint32_t bits(float v) {
    uint32_t b;
    memcpy(&b, &v, sizeof b);
    return b;
}

}  // namespace

int main() {
    const auto& model = UGRAD_MODEL;
    constexpr size_t K = UGRAD_MODEL.classes;
    char kind = 0;
    while (scanf(" %c ", &kind) == 1) {
        const bool logits = kind == 'l';
        int8_t* x = logits ? const_cast<int8_t*>(model.logits(arena)) : model.input(arena);
        const size_t want = logits ? K : model.input_size;
        if (!hex_line::read(getchar(), x, want)) return 2;
        if (!logits) model.forward(arena);
        for (size_t k = 0; k < K; ++k) printf("%d ", int(model.logits(arena)[k]));
        int32_t y_hat[K];
        model.probabilities_q15(arena, y_hat);
        for (size_t k = 0; k < K; ++k) printf("%d ", int(y_hat[k]));
        for (size_t k = 0; k <= K; ++k) {
            float J = 0.0f;
            const ugrad::Status s = model.loss(arena, int(k), J);
            if (k == K) printf("%s ", ugrad::status_name(s));
            printf("%08x%s", unsigned(bits(J)), k == K ? "\n" : " ");
        }
    }
    return 0;
}
