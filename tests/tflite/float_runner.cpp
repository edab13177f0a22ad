// SPDX-License-Identifier: Apache-2.0
// float_runner.cpp — ugrad's float forward of an imported .tflite model (UGRAD_MODEL_HEADER, named
// `model`) on inputs given as float32 bit patterns in hex on stdin (HWC order, one case after
// another); prints per case one line "y" with ŷ and one line "z" with the logits θ, as bit patterns.
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <type_traits>
#include UGRAD_MODEL_HEADER

using Net = std::remove_cv_t<decltype(model)>;
static Net::Activations act;
static float x[Net::inputs];

static void print(const char* tag, const float* v, size_t n) {
    printf("%s", tag);
    for (size_t i = 0; i < n; ++i) {
        uint32_t bits;
        memcpy(&bits, &v[i], sizeof bits);
        printf(" %08x", static_cast<unsigned>(bits));
    }
    printf("\n");
}

int main() {
    for (;;) {
        for (size_t i = 0; i < Net::inputs; ++i) {
            unsigned bits;
            if (scanf("%8x", &bits) != 1) return i == 0 ? 0 : 2;
            const uint32_t b = bits;
            memcpy(&x[i], &b, sizeof b);
        }
        if (ugrad::forward(model, x, act) != ugrad::Status::ok) return 3;
        print("y", ugrad::outputs(act), Net::outputs);
        print("z", ugrad::logits(act), Net::outputs);
    }
}
