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
// instructions per inference, averaged; S: stack bytes forward used; A: the planned buffer) and
// exits 1 unless E == C.
#include <stddef.h>
#include <stdint.h>

#include <hal.h>

#include UGRAD_MODEL_HEADER
#include UGRAD_CASES_HEADER

#define UGRAD_CAT2(a, b) a##b
#define UGRAD_CAT(a, b) UGRAD_CAT2(a, b)
#define UGRAD_STR2(a) #a
#define UGRAD_STR(a) UGRAD_STR2(a)

void UGRAD_CAT(UGRAD_MODEL, _forward)(int8_t* arena);

namespace {

using Net = UGRAD_CAT(UGRAD_MODEL, _network);
alignas(4) int8_t arena[Net::arena_bytes];

// FNV-1a, 64 bits: h = (h xor byte) · 1099511628211 mod 2^64 for each byte, from 14695981039346656037.
struct Fnv1a {
    uint64_t h = 14695981039346656037u;
    void add(const int8_t* bytes, size_t n) {
        for (size_t i = 0; i < n; ++i) {
            h ^= static_cast<uint8_t>(bytes[i]);
            h *= 1099511628211u;
        }
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
    Fnv1a ours, tflm;
    size_t equal = 0;
    uint64_t instructions = 0;
    uint32_t stack = 0;
    for (size_t c = 0; c < cases; ++c) {
        int8_t* x = net.input(arena);
        for (size_t i = 0; i < Net::input_size; ++i) x[i] = inputs[c][i];
        hal_stack_paint(hal_stack_pointer());
        const uint64_t t0 = hal_instructions();
        UGRAD_CAT(UGRAD_MODEL, _forward)(arena);
        instructions += hal_instructions() - t0;
        const uint32_t used = hal_stack_peak();
        stack = used > stack ? used : stack;
        const int8_t* y = net.output(arena);
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
    hal_write("\n");
    return equal == cases ? 0 : 1;
}
