// SPDX-License-Identifier: Apache-2.0
// round_trip.cpp — the exported header against the JSON it came from, bit for bit.
//
// Built by tests/exporter/test_round_trip.py with MODEL_HEADER naming the exported header (which
// defines `exported`) and run with a text file holding the JSON's number tokens as they were written:
// "In Hidden Out" and then w1, b1, w2, b2 in row-major order. The reference model is read from those
// tokens with strtof (the C library's correctly rounded decimal-to-float conversion, independent of
// the exporter's own rounding); both models then run forward, cross_entropy and input_gradient on
// the same seeded inputs, and every weight and every output must have identical bits.
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ugrad/ugrad.hpp>

#include MODEL_HEADER

#include "support.hpp"

namespace {

constexpr size_t In = sizeof(exported.w1) / sizeof(exported.w1[0]);
constexpr size_t Hidden = sizeof(exported.b1) / sizeof(float);
constexpr size_t Out = sizeof(exported.b2) / sizeof(float);
using Model = ugrad::Mlp<In, Hidden, Out>;

int failures = 0;

void check_same(const char* what, const void* a, const void* b, size_t bytes) {
    if (memcmp(a, b, bytes) != 0) {
        printf("MISMATCH: %s differs between the exported header and strtof of the JSON\n", what);
        ++failures;
    }
}

bool read_value(FILE* f, float& v) {
    char token[4096];
    if (fscanf(f, "%4095s", token) != 1) return false;
    char* end = nullptr;
    v = strtof(token, &end);
    return *end == '\0';
}

template <size_t N>
bool read_values(FILE* f, float (&v)[N]) {
    for (size_t i = 0; i < N; ++i)
        if (!read_value(f, v[i])) return false;
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc != 2) {
        fprintf(stderr, "usage: round_trip TOKENS.txt\n");
        return 2;
    }
    FILE* f = fopen(argv[1], "r");
    size_t in = 0, hidden = 0, out = 0;
    if (!f || fscanf(f, "%zu %zu %zu", &in, &hidden, &out) != 3 || in != In || hidden != Hidden || out != Out) {
        fprintf(stderr, "round_trip: %s: missing or with a shape other than the header's\n", argv[1]);
        return 2;
    }
    static Model reference;
    bool ok = true;
    for (size_t i = 0; i < In; ++i) ok = ok && read_values(f, reference.w1[i]);
    ok = ok && read_values(f, reference.b1);
    for (size_t j = 0; j < Hidden; ++j) ok = ok && read_values(f, reference.w2[j]);
    ok = ok && read_values(f, reference.b2);
    fclose(f);
    if (!ok) {
        fprintf(stderr, "round_trip: %s: a token is not a number\n", argv[1]);
        return 2;
    }
    check_same("w1", exported.w1, reference.w1, sizeof reference.w1);
    check_same("b1", exported.b1, reference.b1, sizeof reference.b1);
    check_same("w2", exported.w2, reference.w2, sizeof reference.w2);
    check_same("b2", exported.b2, reference.b2, sizeof reference.b2);

    // Forward, loss and dJ/dx for seeded inputs in [-1, 1) and every label in turn.
    test::Rng rng{12345};
    const int samples = 20;
    for (int n = 0; n < samples; ++n) {
        float x[In];
        test::fill_uniform(x, rng, -1.0, 1.0);
        const size_t label = static_cast<size_t>(n) % Out;
        ugrad::Activations<In, Hidden, Out> a, b;
        float loss_a = 0, loss_b = 0, dx_a[In], dx_b[In];
        const ugrad::Status sa = ugrad::forward(exported, x, a), sb = ugrad::forward(reference, x, b);
        const ugrad::Status la = ugrad::cross_entropy(a, label, loss_a), lb = ugrad::cross_entropy(b, label, loss_b);
        const ugrad::Status ga = ugrad::input_gradient(exported, a, label, dx_a);
        const ugrad::Status gb = ugrad::input_gradient(reference, b, label, dx_b);
        if (sa != sb || la != lb || ga != gb) {
            printf("MISMATCH: statuses differ for sample %d\n", n);
            ++failures;
        }
        check_same("activations", &a, &b, sizeof a);
        check_same("loss", &loss_a, &loss_b, sizeof loss_a);
        check_same("dJ/dx", dx_a, dx_b, sizeof dx_a);
    }
    if (failures) return 1;
    printf("round_trip: %zu-%zu-%zu: all %zu weights and %d samples' activations, loss and dJ/dx bit-identical\n",
           In, Hidden, Out, In * Hidden + Hidden + Hidden * Out + Out, samples);
    return 0;
}
