// SPDX-License-Identifier: Apache-2.0
// bench/q8_bench.cpp — executed instructions per call of the int8 path on an emulated target:
// q8::forward alone, q8::forward + q8::input_gradient (label: the labels 0..9 in turn; and a
// confident model's answer), for a 64-32-10 network (sigmoid hidden layer, softmax head) with
// random weights and inputs drawn from SplitMix64. Counted by
// hal_instructions() (QEMU -icount shift=0: steps of 40 on mps2, exact on rv32), averaged over 64
// calls. Prints one Markdown row; mk/q8.mk collects them.
#include <stddef.h>
#include <stdint.h>

#include <ugrad/q8/q8.hpp>

#include "../tests/splitmix64.hpp"
#include "hal.h"

namespace {

namespace q8 = ugrad::q8;
using Net = q8::Network<ugrad::Softmax, q8::Dense<64, 32, ugrad::Sigmoid>, q8::Dense<32, 10>>;

Net net, sure;
int8_t x[8][64];
Net::Activations act;
q8::InputGradient<64> dx;
volatile int32_t sink;

int32_t draw(uint64_t& s, int32_t lo, int32_t hi) {
    return lo + static_cast<int32_t>((test::splitmix64(s) >> 33) % static_cast<uint64_t>(hi - lo + 1));
}

template <size_t In, size_t Out, class Act>
void fill(q8::Dense<In, Out, Act>& l, uint64_t& s, uint8_t shift) {
    for (auto& row : l.w)
        for (int8_t& w : row) w = static_cast<int8_t>(draw(s, -127, 127));
    for (size_t j = 0; j < Out; ++j) {
        l.b[j] = draw(s, -(1 << 15), 1 << 15);
        l.multiplier[j] = (1 << 30) + draw(s, 0, (1 << 30) - 1);
        l.shift[j] = static_cast<uint8_t>(shift + draw(s, -1, 1));
    }
}

template <typename Call>
uint32_t per_call(Call call) {
    constexpr uint32_t repeat = 64;
    call(0);
    const uint64_t t0 = hal_instructions();
    for (uint32_t c = 0; c < repeat; ++c) call(c);
    const uint64_t t1 = hal_instructions();
    return static_cast<uint32_t>((t1 - t0 + repeat / 2) / repeat);
}

}  // namespace

int main() {
    uint64_t s = 0x64320a;
    fill(net.layers.layer, s, 38);
    fill(net.layers.rest.layer, s, 36);
    net.input_zero_point = -128;
    // Inputs in the codes' full range (no row equal to the zero point is skipped by chance more
    // than 1 in 256).
    for (auto& row : x)
        for (int8_t& c : row) c = static_cast<int8_t>(draw(s, -127, 127));
    const uint32_t forward = per_call([](uint32_t c) {
        q8::forward(net, x[c % 8], act);
        sink = q8::outputs(act)[0];
    });
    const uint32_t both = per_call([](uint32_t c) {
        q8::forward(net, x[c % 8], act);
        q8::input_gradient(net, act, c % 10, dx);
        sink = dx.code[0];
    });
    // A confident model (the same with class 3's logit raised: ŷ_3 ≈ 0.94 on
    // every input), the label its own answer, 3: the head's confident path (heads.hpp), which carries
    // 1 − ŷ_k as the sum of the other classes with an exponent of its own.
    sure = net;
    sure.layers.rest.layer.b[3] += 1 << 21;
    const uint32_t answer = per_call([](uint32_t c) {
        q8::forward(sure, x[c % 8], act);
        q8::input_gradient(sure, act, 3, dx);
        sink = dx.code[0];
    });
    hal_write("| " Q8_BENCH_ROW " | ");
    hal_write_uint(forward);
    hal_write(" | ");
    hal_write_uint(both);
    hal_write(" | ");
    hal_write_uint(answer);
    hal_write(" | ");
    hal_write_uint(sizeof(Net));
    hal_write(" B |\n");
    return 0;
}
