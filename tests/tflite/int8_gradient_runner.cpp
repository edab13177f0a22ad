// SPDX-License-Identifier: Apache-2.0
// int8_gradient_runner.cpp — dJ/dx of one exported int8 `.tflite` header (tools/export_model.py) in
// integers: reads lines "LABEL HEX" (LABEL −1: the predicted class; HEX the int8 input, two digits a
// byte) and prints per line "STATUS EXPONENT LABEL G0 G1 ...", dJ/dx_i = G_i·2^EXPONENT per input code.
// Built by tests/tflite/test_int8_gradient.py with -DUGRAD_MODEL_HEADER="NAME.hpp" -DUGRAD_MODEL=NAME.
#include <stdint.h>
#include <stdio.h>

#include UGRAD_MODEL_HEADER
#include "hex_line.hpp"

namespace {

alignas(4) int8_t tape[UGRAD_MODEL.tape_bytes];
int32_t gradient[UGRAD_MODEL.gradient_words];

}  // namespace

int main() {
    const auto& model = UGRAD_MODEL;
    int label = 0;
    while (scanf("%d ", &label) == 1) {
        int8_t* x = model.tape_input(tape);
        if (!hex_line::read(getchar(), x, model.input_size)) return 2;
        model.forward_keeping(tape);
        const ugrad::tflite::backward::InputGradient r = model.input_gradient(tape, gradient, label);
        printf("%s %d %d", ugrad::status_name(r.status), int(r.exponent), int(r.label));
        for (size_t i = 0; i < model.input_size; ++i) printf(" %d", int(gradient[model.input_gradient_offset + i]));
        printf("\n");
    }
    return 0;
}
