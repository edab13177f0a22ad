// SPDX-License-Identifier: Apache-2.0
// int8_gradient_runner.cpp — dJ/dx of one exported int8 `.tflite` header (tools/export_model.py) in
// integers: reads lines "LABEL HEX" (LABEL −1: the predicted class; HEX the int8 input, two digits a
// byte) and prints per line "STATUS EXPONENT LABEL G0 G1 ...", dJ/dx_i = G_i·2^EXPONENT per input code.
// Built by tests/tflite/test_int8_gradient.py with -DUGRAD_MODEL_HEADER="NAME.hpp" -DUGRAD_MODEL=NAME.
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

alignas(4) int8_t tape[UGRAD_MODEL.tape_bytes];
int32_t gradient[UGRAD_MODEL.gradient_words];

}  // namespace

int main() {
    const auto& model = UGRAD_MODEL;
    int label = 0;
    while (scanf("%d ", &label) == 1) {
        int8_t* x = model.tape_input(tape);
        size_t n = 0;
        for (int c = getchar(); c != '\n' && c != EOF; c = getchar()) {
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
        model.forward_keeping(tape);
        const ugrad::tflite::backward::InputGradient r = model.input_gradient(tape, gradient, label);
        printf("%s %d %d", ugrad::status_name(r.status), int(r.exponent), int(r.label));
        for (size_t i = 0; i < model.input_size; ++i) printf(" %d", int(gradient[model.input_gradient_offset + i]));
        printf("\n");
    }
    return 0;
}
