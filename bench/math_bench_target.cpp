// SPDX-License-Identifier: Apache-2.0
// bench/math_bench_target.cpp — `make bench-math TARGET=mps2-an386`: executed instructions per call
// of ugrad's float exp, log, sigmoid_pair and tanh next to newlib's expf, logf and tanhf, under QEMU's
// instruction counter (platform/hal.h). Same inputs and ranges as bench/math_bench.cpp.
//
// Each function runs over 512 inputs, summing its outputs; a loop that only sums its inputs is
// measured the same way and subtracted, so what remains is the calls themselves. The counter
// advances in steps of 40 instructions, so each figure is good to 40/512 < 0.1 instruction.
#include <math.h>
#include <stdint.h>
#include <stdio.h>

#include <ugrad/math.hpp>

#include "hal.h"

namespace {

constexpr int inputs = 512;
float exp_in[inputs], log_in[inputs], sig_in[inputs], tanh_in[inputs];
volatile float sink;

void spread(float (&v)[inputs], float lo, float hi, bool logarithmic) {
    uint32_t s = 12345u;
    for (float& x : v) {
        s = s * 1664525u + 1013904223u;
        const float t = static_cast<float>(s >> 8) / 16777216.0f;
        x = logarithmic ? lo * ugrad::exp(t * ugrad::log(hi / lo)) : lo + (hi - lo) * t;
    }
}

// Instructions to run f over v once, summing the results.
template <typename F>
__attribute__((noinline)) uint64_t count(const float (&v)[inputs], F f) {
    float acc = 0.0f;
    const uint64_t t0 = hal_instructions();
    for (const float x : v) acc += f(x);
    const uint64_t t1 = hal_instructions();
    sink = acc;
    return t1 - t0;
}

void row(const char* name, const char* range, uint64_t n, uint64_t baseline) {
    printf("| %s | %s | %.1f |\n", name, range, static_cast<double>(n - baseline) / inputs);
}

}  // namespace

int main() {
    spread(exp_in, -20.0f, 5.0f, false);
    spread(log_in, 1e-3f, 1e3f, true);
    spread(sig_in, -12.0f, 12.0f, false);
    spread(tanh_in, -4.0f, 4.0f, false);
    const uint64_t base = count(exp_in, [](float x) { return x; });
    printf("%s, arm-none-eabi-g++ -O2 -ffp-contract=off, newlib's libm; instructions per call over %d inputs, "
           "minus the loop (%.1f per input)\n\n",
           HAL_TARGET_NAME, inputs, static_cast<double>(base) / inputs);
    printf("| function | inputs | instructions per call |\n|---|---|---|\n");
    row("ugrad::exp", "[-20, 5]", count(exp_in, [](float x) { return ugrad::exp(x); }), base);
    row("newlib expf", "[-20, 5]", count(exp_in, [](float x) { return expf(x); }), base);
    row("ugrad::log", "[1e-3, 1e3]", count(log_in, [](float x) { return ugrad::log(x); }), base);
    row("newlib logf", "[1e-3, 1e3]", count(log_in, [](float x) { return logf(x); }), base);
    row("ugrad::sigmoid_pair", "[-12, 12]", count(sig_in, [](float r) {
            const ugrad::SigmoidPair<float> s = ugrad::sigmoid_pair(r);
            return s.value + s.complement;
        }), base);
    row("newlib 1/(1+expf(-r)), 1/(1+expf(r))", "[-12, 12]",
        count(sig_in, [](float r) { return 1.0f / (1.0f + expf(-r)) + 1.0f / (1.0f + expf(r)); }), base);
    row("ugrad::tanh", "[-4, 4]", count(tanh_in, [](float x) { return ugrad::tanh(x); }), base);
    row("newlib tanhf", "[-4, 4]", count(tanh_in, [](float x) { return tanhf(x); }), base);
    return 0;
}
