// SPDX-License-Identifier: Apache-2.0
// instantiate_tflite.cpp — one int8 model exported by tools/export_model.py (UGRAD_MODEL, its header
// UGRAD_MODEL_HEADER), so that `make lint-tflite` runs clang-tidy over the templates of
// include/ugrad/tflite/ and include/ugrad/tflite/backward/ as that model instantiates them: its
// forward pass, the forward that keeps the tape, and the integer dJ/dx.
#include UGRAD_MODEL_HEADER

void lint_instantiate(int8_t* arena, int8_t* tape, int32_t* gradient);
void lint_instantiate(int8_t* arena, int8_t* tape, int32_t* gradient) {
    UGRAD_MODEL.forward(arena);
    UGRAD_MODEL.forward_keeping(tape);
    (void)UGRAD_MODEL.input_gradient(tape, gradient, -1);
}
