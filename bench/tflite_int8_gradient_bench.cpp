// SPDX-License-Identifier: Apache-2.0
// bench/tflite_int8_gradient_bench.cpp — dJ/dx in integers of the MLPerf Tiny int8 `.tflite` models
// (include/ugrad/tflite/backward/, tools/export_model.py) on an emulated core: for each reference
// input of data/mlperf-tiny/ and the predicted class, the executed instructions (hal_instructions,
// QEMU -icount shift=0) of forward, of forward_keeping (the forward that keeps the masks) and of
// input_gradient, averaged over the inputs; the tape and the int32 gradient buffers (RAM); the stack;
// and a hash of every gradient (exponent, label, codes) against the host's (g++ -O2,
// tools/tflite/int8_gradient_hash.py): exits 1 on a mismatch.
// Each model's functions in a translation unit of its own (mk/tflite.mk writes them).
// `make TARGET=mps2-an386 tflite-int8-gradient-bench`.
#include <stddef.h>
#include <stdint.h>

#include <hal.h>

#include "ad01_int8.hpp"
#include "cases.hpp"
#include "gradient_hashes.hpp"
#include "kws_ref_model.hpp"
#include "pretrainedResnet_quant.hpp"
#include "str_ww_ref_model.hpp"
#include "tflite_int8_bench_output.hpp"
#include "vww_96_int8.hpp"

using ugrad::tflite::backward::InputGradient;

#define UGRAD_MODEL_FUNCTIONS(m)                      \
    void m##_forward(int8_t* arena);                  \
    void m##_forward_keeping(int8_t* tape);           \
    InputGradient m##_input_gradient(const int8_t* tape, int32_t* gradient, int label);
UGRAD_MODEL_FUNCTIONS(ad01_int8)
UGRAD_MODEL_FUNCTIONS(kws_ref_model)
UGRAD_MODEL_FUNCTIONS(pretrainedResnet_quant)
UGRAD_MODEL_FUNCTIONS(str_ww_ref_model)
UGRAD_MODEL_FUNCTIONS(vww_96_int8)

namespace {

alignas(4) int8_t tape[largest({ad01_int8_network::tape_bytes, kws_ref_model_network::tape_bytes,
                                pretrainedResnet_quant_network::tape_bytes, vww_96_int8_network::tape_bytes,
                                str_ww_ref_model_network::tape_bytes})];
int32_t gradient[largest({ad01_int8_network::gradient_words, kws_ref_model_network::gradient_words,
                          pretrainedResnet_quant_network::gradient_words, vww_96_int8_network::gradient_words,
                          str_ww_ref_model_network::gradient_words})];

uint64_t fnv1a(uint64_t h, int32_t w) {
    const uint32_t u = uint32_t(w);
    for (int b = 0; b < 4; ++b) h = (h ^ ((u >> (8 * b)) & 0xFFu)) * 0x100000001B3ull;
    return h;
}

void write_hex(uint64_t v) {
    char s[17];
    for (int i = 15; i >= 0; --i) {
        s[i] = "0123456789abcdef"[v & 15u];
        v >>= 4;
    }
    s[16] = 0;
    hal_write(s);
}

template <class Net, size_t Cases, size_t In, size_t Out>
bool row(const char* name, const Net& net, void (*forward)(int8_t*), void (*keeping)(int8_t*),
         InputGradient (*input_gradient)(const int8_t*, int32_t*, int), const int8_t (&inputs)[Cases][In],
         const int8_t (&outputs)[Cases][Out], uint64_t host_hash) {
    static_assert(In == Net::input_size, "cases of another shape");
    uint64_t plain = 0, kept = 0, backward = 0, h = 0xCBF29CE484222325ull;
    uint32_t stack = 0;
    bool ok = true;
    for (size_t c = 0; c < Cases; ++c) {
        int8_t* x = net.tape_input(tape);
        for (size_t i = 0; i < In; ++i) x[i] = inputs[c][i];
        const uint64_t t0 = hal_instructions();
        forward(tape + Net::kept_bytes);  // the plain forward on the tape's arena
        const uint64_t t1 = hal_instructions();
        for (size_t i = 0; i < In; ++i) x[i] = inputs[c][i];  // the forward may have written over it
        hal_stack_paint(hal_stack_pointer());
        const uint64_t t2 = hal_instructions();
        keeping(tape);
        const uint64_t t3 = hal_instructions();
        for (size_t i = 0; i < Out; ++i) ok = ok && net.tape_output(tape)[i] == outputs[c][i];  // TFLM's
        const InputGradient r = input_gradient(tape, gradient, -1);
        const uint64_t t4 = hal_instructions();
        const uint32_t used = hal_stack_peak();
        stack = used > stack ? used : stack;
        plain += t1 - t0;
        kept += t3 - t2;
        backward += t4 - t3;
        ok = ok && r.status == ugrad::Status::ok;
        h = fnv1a(fnv1a(h, r.exponent), r.label);
        for (size_t i = 0; i < In; ++i) h = fnv1a(h, gradient[Net::input_gradient_offset + i]);
    }
    ok = ok && h == host_hash;
    hal_write("| ");
    hal_write(name);
    cell((plain + Cases / 2) / Cases);
    cell((kept + Cases / 2) / Cases);
    cell((backward + Cases / 2) / Cases);
    cell((kept + backward + Cases / 2) / Cases);
    hal_write(" | ");
    write_fixed(backward, plain, 2);
    cell(Net::tape_bytes);
    hal_write(" (");
    hal_write_uint(Net::kept_bytes);
    hal_write(")");
    cell(Net::gradient_words * 4);
    cell(stack);
    hal_write(" | ");
    write_hex(h);
    hal_write(h == host_hash ? " = host" : " ≠ host ");
    if (h != host_hash) write_hex(host_hash);
    hal_write(" |\n");
    return ok;
}

}  // namespace

#define UGRAD_ROW(m, label) \
    row(label, m, m##_forward, m##_forward_keeping, m##_input_gradient, m##_inputs, m##_outputs, m##_gradient_hash)

int main() {
    hal_write("| model | forward | forward_keeping | input_gradient | forward_keeping + input_gradient | "
              "input_gradient / forward | tape, B (kept) | gradient buffers, B | stack, B | hash of dJ/dx |\n");
    hal_write("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    bool ok = true;
    ok &= UGRAD_ROW(ad01_int8, "ad01_int8 (AD)");
    ok &= UGRAD_ROW(kws_ref_model, "kws_ref_model (KWS)");
    ok &= UGRAD_ROW(pretrainedResnet_quant, "pretrainedResnet_quant (IC)");
    ok &= UGRAD_ROW(vww_96_int8, "vww_96_int8 (VWW)");
    ok &= UGRAD_ROW(str_ww_ref_model, "str_ww_ref_model (SWW)");
    return ok ? 0 : 1;
}
