// SPDX-License-Identifier: Apache-2.0
// bench/target_bench.cpp — executed instructions per call on an emulated microcontroller.
//
// One call = forward + cross_entropy + input_gradient for one sample (bench/ugrad_call.hpp), and
// the same call as textbook loops with newlib's expf/logf (bench/textbook_call.hpp), built with the
// same flags. The counter is platform/hal.h's hal_instructions(): QEMU's -icount shift=0 makes it
// count executed instructions in steps of 40, so each figure is the count for `repeat` calls
// divided by `repeat`: 64 calls for the small networks, 4 for the largest (±10 on over a million).
// The stack figure is the painted-stack measurement of one ugrad call
// (platform/common/stack_paint.c); Activations is the caller's, on top of it.
//
// Prints Markdown rows; mk/bench.mk puts them into README.md.
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <hal.h>

#include "rng.hpp"

#include "textbook_call.hpp"
#include "ugrad_call.hpp"

namespace {


using bench::Rng;

template <size_t In, size_t Hidden, size_t Out>
struct Problem {
    static constexpr size_t samples = 4;
    ugrad::Mlp<In, Hidden, Out> net;
    float x[samples][In];
    float dx[In];

    void fill(uint64_t seed) {
        Rng rng{seed};
        const float s1 = 2.0f / static_cast<float>(In), s2 = 2.0f / static_cast<float>(Hidden);
        for (auto& row : net.w1)
            for (float& w : row) w = rng.uniform(-s1, s1) * 4.0f;
        for (float& b : net.b1) b = rng.uniform(-0.5f, 0.5f);
        for (auto& row : net.w2)
            for (float& w : row) w = rng.uniform(-s2, s2) * 4.0f;
        for (float& b : net.b2) b = rng.uniform(-0.5f, 0.5f);
        for (auto& s : x)
            for (float& v : s) v = rng.uniform(0.0f, 1.0f);
    }
};

volatile float sink;

template <typename Call>
uint32_t instructions_per_call(uint32_t repeat, Call call) {
    float acc = 0;
    acc += call(0);  // warm-up: the same path as the measured calls
    const uint64_t t0 = hal_instructions();
    for (uint32_t c = 0; c < repeat; ++c) acc += call(c);
    const uint64_t t1 = hal_instructions();
    sink = acc;
    return static_cast<uint32_t>((t1 - t0 + repeat / 2) / repeat);
}

template <size_t In, size_t Hidden, size_t Out>
void row(Problem<In, Hidden, Out>& p) {
    p.fill(In * 131u + Hidden);
    constexpr size_t samples = Problem<In, Hidden, Out>::samples;
    const double macs = 2.0 * (static_cast<double>(In) * Hidden + static_cast<double>(Hidden) * Out);
    const uint32_t repeat = macs < 50000 ? 64 : 4;
    const uint32_t ugrad_count = instructions_per_call(repeat,
        [&](uint32_t c) { return bench::call_ugrad(p.net, p.x[c % samples], c % Out, p.dx); });
    const uint32_t textbook_count = instructions_per_call(repeat,
        [&](uint32_t c) { return bench::call_textbook(p.net, p.x[c % samples], c % Out, p.dx); });
    hal_stack_paint(hal_stack_pointer());
    sink = bench::call_ugrad(p.net, p.x[0], 0, p.dx);
    const uint32_t stack = hal_stack_peak();
    printf("| %u-%u-%u | %.0f | %lu | %.2f | %lu | %.2f× | %u B | %u B |\n", static_cast<unsigned>(In),
           static_cast<unsigned>(Hidden), static_cast<unsigned>(Out), macs, static_cast<unsigned long>(ugrad_count),
           static_cast<double>(ugrad_count) / macs, static_cast<unsigned long>(textbook_count),
           static_cast<double>(textbook_count) / static_cast<double>(ugrad_count),
           static_cast<unsigned>(sizeof(ugrad::Activations<In, Hidden, Out>)), static_cast<unsigned>(stack));
}

// Static, so the largest network does not need the stack. A board with little RAM
// (HAL_RAM_BYTES: the microbit's 16 KB) measures the two smaller ones only.
#if !defined(HAL_RAM_BYTES) || HAL_RAM_BYTES >= 1048576
#define BENCH_LARGE 1
#else
#define BENCH_LARGE 0
#endif

#if BENCH_LARGE
// A Network with Mlp's shape holding the Mlp's numbers (the same bits, so the same path), and a
// 64-32-32-10 ReLU network beside the same call as textbook loops.
using MlpShaped = ugrad::Network<ugrad::Softmax, ugrad::Dense<64, 32, ugrad::Sigmoid>, ugrad::Dense<32, 10>>;
MlpShaped network64;
bench::ReluNet<64, 32, 32, 10> relu64;

template <size_t In, size_t Out, class Act>
void fill_dense(ugrad::Dense<In, Out, Act>& dense, Rng& rng) {
    const float s = 2.0f / static_cast<float>(In);
    for (auto& row : dense.w)
        for (float& w : row) w = rng.uniform(-s, s) * 4.0f;
    for (float& b : dense.b) b = rng.uniform(-0.5f, 0.5f);
}

template <class Net, typename Call>
uint32_t network_count(Call call, const Problem<64, 32, 10>& p) {
    return instructions_per_call(64, [&](uint32_t c) { return call(p.x[c % 4], c % Net::outputs); });
}

// Rows of the Network table: instructions per call of a Network beside what it is compared with.
void network_rows(Problem<64, 32, 10>& p) {
    for (size_t i = 0; i < 64; ++i)
        for (size_t j = 0; j < 32; ++j) network64.layer0.w[i][j] = p.net.w1[i][j];
    for (size_t j = 0; j < 32; ++j) network64.layer0.b[j] = p.net.b1[j];
    for (size_t j = 0; j < 32; ++j)
        for (size_t k = 0; k < 10; ++k) network64.layer1.w[j][k] = p.net.w2[j][k];
    for (size_t k = 0; k < 10; ++k) network64.layer1.b[k] = p.net.b2[k];
    Rng rng{6432};
    fill_dense(relu64.layer0, rng);
    fill_dense(relu64.layer1, rng);
    fill_dense(relu64.layer2, rng);
    float dx[64];
    const uint32_t mlp = network_count<MlpShaped>([&](const float(&x)[64], size_t label) {
        return bench::call_ugrad(p.net, x, label, dx); }, p);
    const uint32_t net = network_count<MlpShaped>([&](const float(&x)[64], size_t label) {
        return bench::call_ugrad_network(network64, x, label, dx); }, p);
    hal_stack_paint(hal_stack_pointer());
    sink = bench::call_ugrad_network(network64, p.x[0], 0, dx);
    const uint32_t net_stack = hal_stack_peak();
    const uint32_t relu = network_count<MlpShaped>([&](const float(&x)[64], size_t label) {
        return bench::call_ugrad_network(relu64, x, label, dx); }, p);
    const uint32_t textbook = network_count<MlpShaped>([&](const float(&x)[64], size_t label) {
        return bench::call_textbook_relu(relu64, x, label, dx); }, p);
    hal_stack_paint(hal_stack_pointer());
    sink = bench::call_ugrad_network(relu64, p.x[0], 0, dx);
    const uint32_t relu_stack = hal_stack_peak();
    printf("| Network | ugrad instructions | compared with | its instructions | ugrad/it | Activations | stack of the call |\n");
    printf("|---|---:|---|---:|---:|---:|---:|\n");
    printf("| Network 64-32-10 (sigmoid, softmax: Mlp's shape) | %lu | Mlp 64-32-10 | %lu | %.4f | %u B | %u B |\n",
           static_cast<unsigned long>(net), static_cast<unsigned long>(mlp),
           static_cast<double>(net) / static_cast<double>(mlp),
           static_cast<unsigned>(sizeof(MlpShaped::Activations)), static_cast<unsigned>(net_stack));
    printf("| Network 64-32-32-10 (ReLU, ReLU, softmax) | %lu | textbook loops | %lu | %.2f | %u B | %u B |\n",
           static_cast<unsigned long>(relu), static_cast<unsigned long>(textbook),
           static_cast<double>(relu) / static_cast<double>(textbook),
           static_cast<unsigned>(sizeof(bench::ReluNet<64, 32, 32, 10>::Activations)), static_cast<unsigned>(relu_stack));
}
#endif

Problem<16, 8, 3> p16;
Problem<64, 32, 10> p64;
#if BENCH_LARGE
Problem<256, 64, 10> p256;
Problem<784, 128, 10> p784;
#endif

}  // namespace

int main() {
    printf("| In-Hidden-Out | MACs/call | ugrad instructions | per MAC | textbook instructions | textbook/ugrad | "
           "Activations | stack of the call |\n");
    printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    row(p16);
    row(p64);
#if BENCH_LARGE
    row(p256);
    row(p784);
#endif

#if BENCH_LARGE
    printf("\n");
    network_rows(p64);
#endif

    return 0;
}
