// SPDX-License-Identifier: Apache-2.0
// bench/tflite_int8_profile.cpp — where the instructions of each MLPerf Tiny int8 model's forward
// pass go, operator by operator, on an emulated core (QEMU -icount shift=0):
// `make TARGET=mps2-an386 tflite-int8-profile`. Each model's forward statements are copied from its
// exported header by tools/tflite/int8_profile.py with the instruction counter read between them;
// the reads' own cost (two back to back) is taken off every operator. Run on the first reference
// input of data/mlperf-tiny/; prints one Markdown table per model and one per kernel over all five.
#include <stddef.h>
#include <stdint.h>

#include <hal.h>

#include "ad01_int8.hpp"
#include "cases.hpp"
#include "kws_ref_model.hpp"
#include "pretrainedResnet_quant.hpp"
#include "str_ww_ref_model.hpp"
#include "tflite_int8_bench_output.hpp"
#include "tflite_int8_profile.hpp"
#include "vww_96_int8.hpp"

#define UGRAD_PROFILED(m)                                  \
    extern const ProfileStep m##_profile_steps[];          \
    extern const size_t m##_profile_count;                 \
    void m##_profile(int8_t* arena, uint64_t* t);
UGRAD_PROFILED(ad01_int8)
UGRAD_PROFILED(kws_ref_model)
UGRAD_PROFILED(pretrainedResnet_quant)
UGRAD_PROFILED(str_ww_ref_model)
UGRAD_PROFILED(vww_96_int8)

namespace {

alignas(4) int8_t arena[largest({ad01_int8_network::arena_bytes, kws_ref_model_network::arena_bytes,
                                 pretrainedResnet_quant_network::arena_bytes, vww_96_int8_network::arena_bytes,
                                 str_ww_ref_model_network::arena_bytes})];
constexpr size_t max_steps = 64;
uint64_t ticks[max_steps + 1];

// Per kernel over every model: MACs and instructions.
struct KernelTotal {
    const char* kernel;
    uint64_t macs, instructions;
    uint32_t operators;
};
KernelTotal kernels[16];
size_t kernel_count = 0;

bool same(const char* a, const char* b) {
    while (*a && *a == *b) ++a, ++b;
    return *a == *b;
}

template <class Net, size_t Cases, size_t In>
bool profile(const char* name, const Net& net, void (*run)(int8_t*, uint64_t*), const ProfileStep* steps,
             size_t count, const int8_t (&inputs)[Cases][In], uint64_t overhead) {
    if (count > max_steps) return false;
    int8_t* x = net.input(arena);
    for (size_t i = 0; i < In; ++i) x[i] = inputs[0][i];
    run(arena, ticks);
    const uint64_t total = ticks[count] - ticks[0] - overhead * count;
    hal_write("\n");
    hal_write(name);
    hal_write(": ");
    hal_write_uint(total);
    hal_write(" instructions over its operators (first reference input)\n\n");
    hal_write("| operator | kernel | MACs | instructions | per MAC | share |\n|---|---|---:|---:|---:|---:|\n");
    for (size_t k = 0; k < count; ++k) {
        const uint64_t n = ticks[k + 1] - ticks[k] - overhead;
        hal_write("| ");
        hal_write(steps[k].label);
        hal_write(" | ");
        hal_write(steps[k].kernel);
        hal_write(" | ");
        hal_write_uint(steps[k].macs);
        hal_write(" | ");
        hal_write_uint(n);
        hal_write(" | ");
        if (steps[k].macs) write_fixed(n, steps[k].macs, 2);
        hal_write(" | ");
        write_fixed(n * 100, total, 2);
        hal_write(" % |\n");
        size_t j = 0;
        while (j < kernel_count && !same(kernels[j].kernel, steps[k].kernel)) ++j;
        if (j == kernel_count) {
            if (kernel_count == sizeof kernels / sizeof kernels[0]) return false;
            kernels[kernel_count++] = KernelTotal{steps[k].kernel, 0, 0, 0};
        }
        kernels[j].macs += steps[k].macs;
        kernels[j].instructions += n;
        kernels[j].operators += 1;
    }
    return true;
}

}  // namespace

int main() {
    const uint64_t a = hal_instructions();
    const uint64_t b = hal_instructions();
    const uint64_t overhead = b - a;
    hal_write("Instructions between two counter reads, taken off every operator: ");
    hal_write_uint(overhead);
    hal_write("\n");
    bool ok = true;
    ok &= profile("ad01_int8 (AD)", ad01_int8, ad01_int8_profile, ad01_int8_profile_steps, ad01_int8_profile_count,
                  ad01_int8_inputs, overhead);
    ok &= profile("kws_ref_model (KWS)", kws_ref_model, kws_ref_model_profile, kws_ref_model_profile_steps,
                  kws_ref_model_profile_count, kws_ref_model_inputs, overhead);
    ok &= profile("pretrainedResnet_quant (IC)", pretrainedResnet_quant, pretrainedResnet_quant_profile,
                  pretrainedResnet_quant_profile_steps, pretrainedResnet_quant_profile_count,
                  pretrainedResnet_quant_inputs, overhead);
    ok &= profile("vww_96_int8 (VWW)", vww_96_int8, vww_96_int8_profile, vww_96_int8_profile_steps,
                  vww_96_int8_profile_count, vww_96_int8_inputs, overhead);
    ok &= profile("str_ww_ref_model (SWW)", str_ww_ref_model, str_ww_ref_model_profile,
                  str_ww_ref_model_profile_steps, str_ww_ref_model_profile_count, str_ww_ref_model_inputs, overhead);
    hal_write("\nPer kernel, all five models:\n\n| kernel | operators | MACs | instructions | per MAC |\n"
              "|---|---:|---:|---:|---:|\n");
    for (size_t j = 0; j < kernel_count; ++j) {
        hal_write("| ");
        hal_write(kernels[j].kernel);
        hal_write(" | ");
        hal_write_uint(kernels[j].operators);
        hal_write(" | ");
        hal_write_uint(kernels[j].macs);
        hal_write(" | ");
        hal_write_uint(kernels[j].instructions);
        hal_write(" | ");
        if (kernels[j].macs) write_fixed(kernels[j].instructions, kernels[j].macs, 2);
        hal_write(" |\n");
    }
    return ok ? 0 : 1;
}
