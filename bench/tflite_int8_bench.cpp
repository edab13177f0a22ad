// SPDX-License-Identifier: Apache-2.0
// bench/tflite_int8_bench.cpp — the MLPerf Tiny int8 `.tflite` models, exported by
// tools/export_model.py (include/ugrad/tflite/), on an emulated core: each reference input of
// data/mlperf-tiny/ through forward, its output compared byte for byte with TFLM's, the executed
// instructions (hal_instructions, QEMU -icount shift=0) averaged over the cases, the planned
// buffer (RAM for activations), the constants (flash) and the stack forward used.
// Prints Markdown rows; exits 1 if any output differs from TFLM's. `make TARGET=mps2-an386 tflite-int8-bench`.
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <hal.h>

#include "ad01_int8.hpp"
#include "cases.hpp"
#include "kws_ref_model.hpp"
#include "pretrainedResnet_quant.hpp"
#include "str_ww_ref_model.hpp"
#include "vww_96_int8.hpp"

namespace {

// One buffer for every model in turn: the largest plan.
constexpr size_t arena_size() {
    size_t n = 0;
    const size_t sizes[] = {ad01_int8_network::arena_bytes, kws_ref_model_network::arena_bytes,
                            pretrainedResnet_quant_network::arena_bytes, vww_96_int8_network::arena_bytes,
                            str_ww_ref_model_network::arena_bytes};
    for (size_t s : sizes) n = s > n ? s : n;
    return n;
}
alignas(4) int8_t arena[arena_size()];

// TFLM + CMSIS-NN on the same emulated core (QEMU mps2-an386, -icount, arm-none-eabi-g++ -O2):
// instructions per inference and arena bytes, measured numbers quoted from the project's notes.
struct Tflm {
    double instructions;
    double arena;
};

template <class Net, size_t Cases, size_t In, size_t Out>
bool row(const char* name, const Net& net, const int8_t (&inputs)[Cases][In], const int8_t (&outputs)[Cases][Out],
         Tflm tflm) {
    static_assert(In == Net::input_size && Out == Net::output_size, "cases of another shape");
    size_t equal = 0;
    uint64_t total = 0;
    uint32_t stack = 0;
    for (size_t c = 0; c < Cases; ++c) {
        memcpy(net.input(arena), inputs[c], In);
        hal_stack_paint(hal_stack_pointer());
        const uint64_t t0 = hal_instructions();
        net.forward(arena);
        const uint64_t t1 = hal_instructions();
        const uint32_t used = hal_stack_peak();
        stack = used > stack ? used : stack;
        total += t1 - t0;
        if (memcmp(net.output(arena), outputs[c], Out) == 0) ++equal;
    }
    const double per = static_cast<double>(total) / static_cast<double>(Cases);
    const double macs = static_cast<double>(Net::macs);
    printf("| %s | %lu/%lu | %.3f M | %.0f | %.2f | %.2f (%.0f) | %lu (%.0f) | %lu | %lu |\n", name,
           static_cast<unsigned long>(equal), static_cast<unsigned long>(Cases), macs / 1e6, per, per / macs,
           tflm.instructions / macs, tflm.instructions, static_cast<unsigned long>(Net::arena_bytes), tflm.arena,
           static_cast<unsigned long>(stack), static_cast<unsigned long>(Net::constant_bytes));
    return equal == Cases;
}

}  // namespace

int main() {
    printf("| model | outputs = TFLM's | MACs | instructions per inference | per MAC | TFLM + CMSIS-NN per MAC "
           "(per inference) | RAM: planned buffer, B (TFLM arena) | stack, B | flash: constants, B |\n");
    printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    bool ok = true;
    ok &= row("ad01_int8 (AD)", ad01_int8, ad01_int8_inputs, ad01_int8_outputs, {583400, 2580});
    ok &= row("kws_ref_model (KWS)", kws_ref_model, kws_ref_model_inputs, kws_ref_model_outputs, {7697520, 22820});
    ok &= row("pretrainedResnet_quant (IC)", pretrainedResnet_quant, pretrainedResnet_quant_inputs,
              pretrainedResnet_quant_outputs, {29865280, 54996});
    ok &= row("vww_96_int8 (VWW)", vww_96_int8, vww_96_int8_inputs, vww_96_int8_outputs, {24103480, 100708});
    ok &= row("str_ww_ref_model (SWW)", str_ww_ref_model, str_ww_ref_model_inputs, str_ww_ref_model_outputs,
              {2227600, 16596});
    return ok ? 0 : 1;
}
