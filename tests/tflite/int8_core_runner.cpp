// SPDX-License-Identifier: Apache-2.0
// int8_core_runner.cpp — one MLPerf Tiny int8 model (exported by tools/export_model.py) on one core:
// every reference input of data/mlperf-tiny/MODEL.json through forward, each output compared byte
// for byte with TFLM's, and one hash over all the outputs, so that every core (and the host) can be
// shown to compute the same bits (mk/tflite_cores.mk, `make tflite-int8-cores`).
// Built once per model and core with -DUGRAD_MODEL=NAME -DUGRAD_MODEL_HEADER="NAME.hpp"
// -DUGRAD_CASES_HEADER="cases/NAME.hpp"; NAME's forward pass is compiled in a file of its own
// (NAME_forward.cpp, as bench/tflite_int8_bench.cpp has it). Written against platform/hal.h only, so
// it runs on the freestanding rv32 and, through platform/host/hal.c, on the host.
// Prints one line
//     tflite-int8-core NAME cases C equal E hash H tflm T instructions I stack S arena A
// (H: FNV-1a 64 over the C outputs' bytes in case order; T: the same over TFLM's outputs; I: executed
// instructions per inference, averaged; S: the most stack bytes one case used, in forward (with the
// gradient: forward_keeping and input_gradient); A: the planned buffer) and
// exits 1 unless E == C.
// With -DUGRAD_CORE_GRADIENT=1 it runs forward_keeping instead (NAME_forward_keeping, and
// NAME_input_gradient: mk/tflite.mk's NAME_gradient.cpp), then the integer dJ/dx at the predicted
// class for every case, and adds "gradient G backward B": G the FNV-1a 64 over the little-endian
// bytes of the int32 words exponent, label and the input's dJ/dx codes, case after case (as
// bench/tflite_int8_gradient_bench.cpp hashes them), B input_gradient's instructions, averaged.
#include <stddef.h>
#include <stdint.h>

#include <hal.h>

#include UGRAD_MODEL_HEADER
#include UGRAD_CASES_HEADER

#define UGRAD_CAT2(a, b) a##b
#define UGRAD_CAT(a, b) UGRAD_CAT2(a, b)
#define UGRAD_STR2(a) #a
#define UGRAD_STR(a) UGRAD_STR2(a)

#ifndef UGRAD_CORE_GRADIENT
#define UGRAD_CORE_GRADIENT 0
#endif

void UGRAD_CAT(UGRAD_MODEL, _forward)(int8_t* arena);
#if UGRAD_CORE_GRADIENT
void UGRAD_CAT(UGRAD_MODEL, _forward_keeping)(int8_t* tape);
ugrad::tflite::backward::InputGradient UGRAD_CAT(UGRAD_MODEL, _input_gradient)(const int8_t* tape, int32_t* gradient,
                                                                                int label);
#endif

namespace {

using Net = UGRAD_CAT(UGRAD_MODEL, _network);
#if UGRAD_CORE_GRADIENT
alignas(4) int8_t arena[Net::tape_bytes];
int32_t gradient[Net::gradient_words];
#else
alignas(4) int8_t arena[Net::arena_bytes];
#endif

// FNV-1a, 64 bits: h = (h xor byte) · 1099511628211 mod 2^64 for each byte, from 14695981039346656037.
struct Fnv1a {
    uint64_t h = 14695981039346656037u;
    void add(const int8_t* bytes, size_t n) {
        for (size_t i = 0; i < n; ++i) {
            h ^= static_cast<uint8_t>(bytes[i]);
            h *= 1099511628211u;
        }
    }
    // An int32 word as its four little-endian bytes.
    void add(int32_t word) {
        const uint32_t u = static_cast<uint32_t>(word);
        const int8_t bytes[4] = {static_cast<int8_t>(u & 0xffu), static_cast<int8_t>((u >> 8) & 0xffu),
                                 static_cast<int8_t>((u >> 16) & 0xffu), static_cast<int8_t>(u >> 24)};
        add(bytes, 4);
    }
};

void field(const char* name, uint64_t value) {
    hal_write(" ");
    hal_write(name);
    hal_write(" ");
    hal_write_uint(value);
}

}  // namespace

int main() {
    const auto& net = UGRAD_MODEL;
    const auto& inputs = UGRAD_CAT(UGRAD_MODEL, _inputs);
    const auto& outputs = UGRAD_CAT(UGRAD_MODEL, _outputs);
    constexpr size_t cases = UGRAD_CAT(UGRAD_MODEL, _cases);
    static_assert(sizeof(inputs[0]) == Net::input_size && sizeof(outputs[0]) == Net::output_size,
                  "cases of another shape");
    Fnv1a ours, tflm, dx;
    size_t equal = 0;
    uint64_t instructions = 0, backward = 0;
    uint32_t stack = 0;
    bool gradient_ok = true;
    for (size_t c = 0; c < cases; ++c) {
#if UGRAD_CORE_GRADIENT
        int8_t* x = net.tape_input(arena);
#else
        int8_t* x = net.input(arena);
#endif
        for (size_t i = 0; i < Net::input_size; ++i) x[i] = inputs[c][i];
        hal_stack_paint(hal_stack_pointer());
        const uint64_t t0 = hal_instructions();
#if UGRAD_CORE_GRADIENT
        UGRAD_CAT(UGRAD_MODEL, _forward_keeping)(arena);
#else
        UGRAD_CAT(UGRAD_MODEL, _forward)(arena);
#endif
        instructions += hal_instructions() - t0;
#if UGRAD_CORE_GRADIENT
        const uint64_t t1 = hal_instructions();
        const auto g = UGRAD_CAT(UGRAD_MODEL, _input_gradient)(arena, gradient, -1);
        backward += hal_instructions() - t1;
        gradient_ok = gradient_ok && g.status == ugrad::Status::ok;
        dx.add(g.exponent);
        dx.add(g.label);
        for (size_t i = 0; i < Net::input_size; ++i) dx.add(gradient[Net::input_gradient_offset + i]);
        const int8_t* y = net.tape_output(arena);
#else
        const int8_t* y = net.output(arena);
#endif
        const uint32_t used = hal_stack_peak();  // forward (and forward_keeping with input_gradient)
        stack = used > stack ? used : stack;
        bool same = true;
        for (size_t i = 0; i < Net::output_size; ++i) same = same && y[i] == outputs[c][i];
        equal += same ? 1 : 0;
        ours.add(y, Net::output_size);
        tflm.add(outputs[c], Net::output_size);
    }
    hal_write("tflite-int8-core " UGRAD_STR(UGRAD_MODEL));
    field("cases", cases);
    field("equal", equal);
    hal_write(" hash ");
    hal_write_hex(ours.h, 16);
    hal_write(" tflm ");
    hal_write_hex(tflm.h, 16);
    field("instructions", (instructions + cases / 2) / cases);
    field("stack", stack);
    field("arena", Net::arena_bytes);
    if (UGRAD_CORE_GRADIENT) {
        hal_write(" gradient ");
        hal_write_hex(dx.h, 16);
        field("backward", (backward + cases / 2) / cases);
    }
    hal_write("\n");
    return equal == cases && gradient_ok ? 0 : 1;
}
