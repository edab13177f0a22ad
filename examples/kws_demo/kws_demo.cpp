// SPDX-License-Identifier: Apache-2.0
// kws_demo.cpp — the MLPerf Tiny keyword-spotting model (kws_ref_model.tflite, int8, exported by
// tools/export_model.py) on a microcontroller: one spoken word's 49×10 MFCC codes (kws_input, from
// make_input.py, linked in from a file of its own) through forward, the 12 class scores and the
// decision; and, when the exported header has the integer dJ/dx (forward_keeping, input_gradient:
// include/ugrad/tflite/backward/), dJ/dx of the decision's loss J = −log p_label for every input
// cell. `make demo-kws` (mk/tflite_demo_kws.mk) runs it on the emulated Cortex-M4F (and `make
// test-demo-kws` on the host too, through platform/host/hal.c); draw.py reads what it prints:
//     kws word W
//     kws forward I instructions  (or forward_keeping: the forward that keeps what dJ/dx needs)
//     kws score LABEL Q          (Q the int8 output: p = (Q + 128)/256)
//     kws decision LABEL Q
//     kws gradient none          (the header has no input_gradient), or
//     kws gradient exponent E label L instructions I
//     kws gradient row T G0 … G9 (dJ/dx of input cell (T, j) = Gj·2^E, T = 0..48)
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <hal.h>
#include <ugrad/status.hpp>

#include "kws_ref_model.hpp"

extern const int8_t kws_input[kws_ref_model_network::input_size];
extern const char kws_word[];

namespace {

// MLPerf Tiny's label order (benchmark/training/keyword_spotting: label ids 0..11).
const char* const labels[12] = {"down", "go",   "left", "no",  "off",     "on",
                                "right", "stop", "up",   "yes", "silence", "unknown"};
constexpr size_t frames = 49, coefficients = 10;
static_assert(kws_ref_model_network::input_size == frames * coefficients, "the KWS model takes 49×10 MFCCs");
static_assert(kws_ref_model_network::output_size == 12, "the KWS model has 12 classes");

// The integer dJ/dx is there when the exported header declares tape_bytes (int8_gradient_export.py).
template <class N, class = void>
struct HasGradient {
    static constexpr bool value = false;
};
template <class N>
struct HasGradient<N, decltype(void(N::tape_bytes))> {
    static constexpr bool value = true;
};

void print_scores(const int8_t* y) {
    size_t best = 0;
    for (size_t k = 0; k < 12; ++k) {
        printf("kws score %s %d\n", labels[k], int(y[k]));
        if (y[k] > y[best]) best = k;
    }
    printf("kws decision %s %d\n", labels[best], int(y[best]));
}

template <class Net>
int run(const Net& net) {
    printf("kws word %s\n", kws_word);
    if constexpr (HasGradient<Net>::value) {
        // The forward that keeps what the backward needs, then dJ/dx for the decided class.
        alignas(4) static int8_t tape[Net::tape_bytes];
        static int32_t gradient[Net::gradient_words];
        int8_t* x = net.tape_input(tape);
        for (size_t i = 0; i < Net::input_size; ++i) x[i] = kws_input[i];
        const uint64_t t0 = hal_instructions();
        net.forward_keeping(tape);
        const uint64_t t1 = hal_instructions();
        printf("kws forward_keeping %llu instructions\n", static_cast<unsigned long long>(t1 - t0));
        print_scores(net.tape_output(tape));
        const uint64_t t2 = hal_instructions();
        const auto g = net.input_gradient(tape, gradient, -1);
        const uint64_t t3 = hal_instructions();
        if (g.status != ugrad::Status::ok) {
            printf("kws gradient failed\n");
            return 1;
        }
        printf("kws gradient exponent %ld label %ld instructions %llu\n", static_cast<long>(g.exponent),
               static_cast<long>(g.label), static_cast<unsigned long long>(t3 - t2));
        // Row t: dJ/dx of the 10 coefficients of frame t, gradient[offset + t·10 + j]·2^exponent.
        for (size_t t = 0; t < frames; ++t) {
            printf("kws gradient row %u", static_cast<unsigned>(t));
            for (size_t j = 0; j < coefficients; ++j)
                printf(" %ld", static_cast<long>(gradient[Net::input_gradient_offset + t * coefficients + j]));
            printf("\n");
        }
    } else {
        alignas(4) static int8_t arena[Net::arena_bytes];
        int8_t* x = net.input(arena);
        for (size_t i = 0; i < Net::input_size; ++i) x[i] = kws_input[i];
        const uint64_t t0 = hal_instructions();
        net.forward(arena);
        const uint64_t t1 = hal_instructions();
        printf("kws forward %llu instructions\n", static_cast<unsigned long long>(t1 - t0));
        print_scores(net.output(arena));
        printf("kws gradient none\n");
    }
    return 0;
}

}  // namespace

int main() { return run(kws_ref_model); }
