// SPDX-License-Identifier: Apache-2.0
// bench/tflite_int8_bench.cpp — the MLPerf Tiny int8 `.tflite` models, exported by
// tools/export_model.py (include/ugrad/tflite/), on an emulated core: each reference input of
// data/mlperf-tiny/ through forward (each model's in a translation unit of its own), its output
// compared byte for byte with TFLM's, the executed instructions (hal_instructions, QEMU -icount
// shift=0) averaged over the cases, the planned buffer (RAM for activations), the constants (flash)
// and the stack forward used.
// Prints Markdown rows with hal_write (no standard library: it runs on the freestanding targets too);
// exits 1 if any output differs from TFLM's. `make TARGET=mps2-an386 tflite-int8-bench`.
#include <stddef.h>
#include <stdint.h>

#include <hal.h>

#include "ad01_int8.hpp"
#include "cases.hpp"
#include "kws_ref_model.hpp"
#include "pretrainedResnet_quant.hpp"
#include "str_ww_ref_model.hpp"
#include "tflite_int8_bench_output.hpp"
#include "vww_96_int8.hpp"

// Each model's forward pass, compiled in a file of its own (mk/tflite.mk writes them).
void ad01_int8_forward(int8_t* arena);
void kws_ref_model_forward(int8_t* arena);
void pretrainedResnet_quant_forward(int8_t* arena);
void str_ww_ref_model_forward(int8_t* arena);
void vww_96_int8_forward(int8_t* arena);

namespace {

// One buffer for every model in turn: the largest plan.
alignas(4) int8_t arena[largest({ad01_int8_network::arena_bytes, kws_ref_model_network::arena_bytes,
                                 pretrainedResnet_quant_network::arena_bytes, vww_96_int8_network::arena_bytes,
                                 str_ww_ref_model_network::arena_bytes})];

// TFLM + CMSIS-NN on the same emulated core (QEMU mps2-an386, -icount, arm-none-eabi-g++ -O2):
// instructions per inference and arena bytes, measured numbers quoted from the project's notes.
struct Tflm {
    uint64_t instructions;
    uint64_t arena;
};


template <class Net, size_t Cases, size_t In, size_t Out>
bool row(const char* name, const Net& net, void (*forward)(int8_t*), const int8_t (&inputs)[Cases][In],
         const int8_t (&outputs)[Cases][Out], Tflm tflm) {
    static_assert(In == Net::input_size && Out == Net::output_size, "cases of another shape");
    size_t equal = 0;
    uint64_t total = 0;
    uint32_t stack = 0;
    for (size_t c = 0; c < Cases; ++c) {
        int8_t* x = net.input(arena);
        for (size_t i = 0; i < In; ++i) x[i] = inputs[c][i];
        hal_stack_paint(hal_stack_pointer());
        const uint64_t t0 = hal_instructions();
        forward(arena);
        const uint64_t t1 = hal_instructions();
        const uint32_t used = hal_stack_peak();
        stack = used > stack ? used : stack;
        total += t1 - t0;
        const int8_t* y = net.output(arena);
        bool same = true;
        for (size_t i = 0; i < Out; ++i) same = same && y[i] == outputs[c][i];
        if (same) ++equal;
    }
    const uint64_t macs = Net::macs;
    hal_write("| ");
    hal_write(name);
    cell(equal);
    hal_write("/");
    hal_write_uint(Cases);
    hal_write(" | ");
    write_fixed(macs, 1000000, 3);
    hal_write(" M");
    cell((total + Cases / 2) / Cases);
    hal_write(" | ");
    write_fixed(total, macs * Cases, 2);
    hal_write(" | ");
    write_fixed(tflm.instructions, macs, 2);
    hal_write(" (");
    hal_write_uint(tflm.instructions);
    hal_write(")");
    cell(Net::arena_bytes);
    hal_write(" (");
    hal_write_uint(tflm.arena);
    hal_write(")");
    cell(stack);
    cell(Net::constant_bytes);
    hal_write(" |\n");
    return equal == Cases;
}

// TFLite's MultiplyByQuantizedMultiplier as TFLite writes it (the nudged, truncated SRDHM; the
// masked RoundingDivideByPOT), to check fixed_point.hpp's on this core (SMMLAR where it has DSP).
int32_t tflite_mbqm(int32_t x, int32_t m, int32_t s) {
    const int32_t left = s > 0 ? s : 0, right = s > 0 ? 0 : -s;
    const int64_t ab = int64_t(int32_t(uint32_t(x) << left)) * m;
    const int64_t nudged = ab + (ab >= 0 ? (int64_t(1) << 30) : 1 - (int64_t(1) << 30));
    const int32_t high = int32_t(nudged >= 0 ? nudged / (int64_t(1) << 31) : -((-nudged) / (int64_t(1) << 31)));
    const int32_t mask = int32_t((uint32_t(1) << right) - 1u);
    const int32_t threshold = (mask >> 1) + (high < 0 ? 1 : 0);
    return (high >> right) + ((high & mask) > threshold ? 1 : 0);
}

// Pseudo-random x (full int32 range, and small), m ∈ [2^30, 2^31), every shift −31..3: how many differ.
uint32_t fixed_point_mismatches(uint32_t n) {
    uint32_t state = 12345u, bad = 0;
    auto next = [&state] { state = state * 1664525u + 1013904223u; return state; };
    for (uint32_t i = 0; i < n; ++i) {
        const uint32_t r = next();
        const int32_t x = (i & 1u) ? int32_t(r) : int32_t(r) >> 8;
        const int32_t m = int32_t((next() >> 1) | 0x40000000u);
        for (int32_t s = -31; s <= 3; ++s)
            if (ugrad::tflite::multiply_by_quantized_multiplier(x, m, s) != tflite_mbqm(x, m, s)) ++bad;
    }
    return bad;
}

}  // namespace

int main() {
    hal_write("| model | outputs = TFLM's | MACs | instructions per inference | per MAC | TFLM + CMSIS-NN per MAC "
              "(per inference) | RAM: planned buffer, B (TFLM arena) | stack, B | flash: constants, B |\n");
    hal_write("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    bool ok = true;
    constexpr uint32_t draws = 4000;
    const uint32_t bad = fixed_point_mismatches(draws);
    ok &= bad == 0;
    ok &= row("ad01_int8 (AD)", ad01_int8, ad01_int8_forward, ad01_int8_inputs, ad01_int8_outputs,
              {583400, 2580});
    ok &= row("kws_ref_model (KWS)", kws_ref_model, kws_ref_model_forward, kws_ref_model_inputs,
              kws_ref_model_outputs, {7697520, 22820});
    ok &= row("pretrainedResnet_quant (IC)", pretrainedResnet_quant, pretrainedResnet_quant_forward,
              pretrainedResnet_quant_inputs, pretrainedResnet_quant_outputs, {29865280, 54996});
    ok &= row("vww_96_int8 (VWW)", vww_96_int8, vww_96_int8_forward, vww_96_int8_inputs, vww_96_int8_outputs,
              {24103480, 100708});
    ok &= row("str_ww_ref_model (SWW)", str_ww_ref_model, str_ww_ref_model_forward, str_ww_ref_model_inputs,
              str_ww_ref_model_outputs, {2227600, 16596});
    hal_write("\nmultiply_by_quantized_multiplier on this core against TFLite's formula: ");
    hal_write_uint(draws * 35 - bad);
    hal_write(" of ");
    hal_write_uint(draws * 35);
    hal_write(" equal (pseudo-random x and m, every shift from -31 to 3).\n");
    return ok ? 0 : 1;
}
