// SPDX-License-Identifier: Apache-2.0
// tests/q8/golden_q8.cpp — see golden_q8.hpp.
#include "golden_q8.hpp"

#include <stddef.h>
#include <stdint.h>

#include <ugrad/q8/q8.hpp>

#include "../splitmix64.hpp"

namespace golden_q8 {
namespace {

namespace q8 = ugrad::q8;

// FNV-1a over the little-endian bytes of each value.
struct Hash {
    uint64_t h = 0xcbf29ce484222325ull;
    void add(uint32_t v) {
        for (int b = 0; b < 4; ++b) {
            h ^= (v >> (8 * b)) & 0xffu;
            h *= 0x100000001b3ull;
        }
    }
    void add(int32_t v) { add(static_cast<uint32_t>(v)); }
};

struct Draw {
    uint64_t state;
    uint32_t next() { return static_cast<uint32_t>(test::splitmix64(state) >> 32); }
    int32_t in(int32_t lo, int32_t hi) { return lo + static_cast<int32_t>(next() % static_cast<uint32_t>(hi - lo + 1)); }
};

// A random layer: weights in ±127, biases in ±2^bias_bits, m ∈ [2^30, 2^31), n = base ± 2.
template <size_t In, size_t Out, class Act>
void fill(q8::Dense<In, Out, Act>& l, Draw& d, uint8_t base_shift, int32_t bias_limit) {
    for (auto& row : l.w)
        for (int8_t& w : row) w = static_cast<int8_t>(d.in(-127, 127));
    for (size_t j = 0; j < Out; ++j) {
        l.b[j] = d.in(-bias_limit, bias_limit);
        l.multiplier[j] = static_cast<int32_t>((1u << 30) | (d.next() >> 2));
        l.shift[j] = static_cast<uint8_t>(base_shift + d.in(-2, 2));
    }
    l.output_zero_point = d.in(-20, 20);
}

template <class Net>
void run_net(const Net& net, Draw& d, Hash& h) {
    constexpr size_t In = Net::inputs, Out = Net::outputs;
    for (int sample = 0; sample < 6; ++sample) {
        int8_t x[In];
        for (int8_t& c : x) c = static_cast<int8_t>(d.in(-128, 127));
        typename Net::Activations act;
        h.add(static_cast<int32_t>(q8::forward(net, x, act)));
        for (size_t k = 0; k < Out; ++k) h.add(q8::outputs(act)[k]);
        q8::InputGradient<In> dx;
        int32_t target[Out];
        if constexpr (q8::detail::is_same_head<typename Net::head, ugrad::Linear>::value) {
            for (int32_t& t : target) t = d.in(-40000, 40000);
        } else {
            const size_t label = static_cast<size_t>(d.in(0, static_cast<int32_t>(Out) - 1));
            h.add(static_cast<int32_t>(q8::input_gradient(net, act, label, dx)));
            for (int32_t c : dx.code) h.add(c);
            h.add(dx.exponent);
            int32_t left = 32768;
            for (size_t k = 0; k + 1 < Out; ++k) left -= (target[k] = d.in(0, left));
            target[Out - 1] = left;
        }
        h.add(static_cast<int32_t>(q8::input_gradient(net, act, target, dx)));
        for (int32_t c : dx.code) h.add(c);
        h.add(dx.exponent);
    }
}

// A model sure of its answer: class c's bias raised by 2^(17 + 2·sample) accumulator units (with
// the digits layer's factors, from under a nat to logits saturated at ±2^30), every label in turn:
// the head's confident seed (the top class; heads.hpp) and its Q15 one (the others), and a one-hot
// target of the top class.
template <class Net>
void run_confident(Net& net, Draw& d, Hash& h) {
    constexpr size_t In = Net::inputs, Out = Net::outputs;
    for (int sample = 0; sample < 7; ++sample) {
        const size_t c = static_cast<size_t>(sample) % Out;
        const int32_t saved = net.layers.rest.layer.b[c];
        net.layers.rest.layer.b[c] += int32_t(1) << (17 + 2 * sample);
        int8_t x[In];
        for (int8_t& v : x) v = static_cast<int8_t>(d.in(-128, 127));
        typename Net::Activations act;
        h.add(static_cast<int32_t>(q8::forward(net, x, act)));
        for (size_t k = 0; k < Out; ++k) h.add(q8::outputs(act)[k]);
        q8::InputGradient<In> dx;
        for (size_t label = 0; label < Out; ++label) {
            h.add(static_cast<int32_t>(q8::input_gradient(net, act, label, dx)));
            for (int32_t v : dx.code) h.add(v);
            h.add(dx.exponent);
        }
        int32_t target[Out] = {};
        target[c] = 32768;
        h.add(static_cast<int32_t>(q8::input_gradient(net, act, target, dx)));
        for (int32_t v : dx.code) h.add(v);
        h.add(dx.exponent);
        net.layers.rest.layer.b[c] = saved;
    }
}

void write_hex(Writer write, uint64_t v) {
    char text[17];
    for (int i = 15; i >= 0; --i, v >>= 4) text[i] = "0123456789abcdef"[v & 15];
    text[16] = 0;
    write(text);
}

using Digits = q8::Network<ugrad::Softmax, q8::Dense<64, 32, ugrad::Sigmoid>, q8::Dense<32, 10>>;
using TanhLogistic = q8::Network<ugrad::Logistic, q8::Dense<16, 8, ugrad::Tanh>, q8::Dense<8, 3>>;
using ReluLinear = q8::Network<ugrad::Linear, q8::Dense<16, 8, ugrad::Relu>, q8::Dense<8, 2>>;
using Deep = q8::Network<ugrad::Softmax, q8::Dense<8, 6, ugrad::Relu>, q8::Dense<6, 5, ugrad::Sigmoid>, q8::Dense<5, 4>>;

Digits digits;
TanhLogistic tanh_logistic;
ReluLinear relu_linear;
Deep deep;

}  // namespace

uint64_t run(Writer write) {
    Hash total;
    struct Case {
        const char* name;
        uint64_t hash;
    } cases[5];
    Draw d{0x51a8};
    // Shifts put a typical accumulator (√In·127·128) near 1..8 in Q12.
    fill(digits.layers.layer, d, 38, 1 << 16);
    fill(digits.layers.rest.layer, d, 36, 1 << 14);
    digits.input_zero_point = -128;
    fill(tanh_logistic.layers.layer, d, 37, 1 << 14);
    fill(tanh_logistic.layers.rest.layer, d, 35, 1 << 12);
    tanh_logistic.input_zero_point = 3;
    fill(relu_linear.layers.layer, d, 46, 1 << 14);
    fill(relu_linear.layers.rest.layer, d, 35, 1 << 12);
    relu_linear.input_zero_point = -7;
    fill(deep.layers.layer, d, 45, 1 << 12);
    fill(deep.layers.rest.layer, d, 36, 1 << 12);
    fill(deep.layers.rest.rest.layer, d, 35, 1 << 12);
    deep.input_zero_point = 0;
    {
        Hash h;
        run_net(digits, d, h);
        cases[0] = {"sigmoid-softmax-64-32-10", h.h};
    }
    {
        Hash h;
        run_net(tanh_logistic, d, h);
        cases[1] = {"tanh-logistic-16-8-3", h.h};
    }
    {
        Hash h;
        run_net(relu_linear, d, h);
        cases[2] = {"relu-linear-16-8-2", h.h};
    }
    {
        Hash h;
        run_net(deep, d, h);
        cases[3] = {"relu-sigmoid-softmax-8-6-5-4", h.h};
    }
    {
        Hash h;
        run_confident(digits, d, h);
        cases[4] = {"sigmoid-softmax-64-32-10-confident", h.h};
    }
    for (const Case& c : cases) {
        write("q8golden ");
        write(c.name);
        write(" ");
        write_hex(write, c.hash);
        write("\n");
        total.add(static_cast<uint32_t>(c.hash));
        total.add(static_cast<uint32_t>(c.hash >> 32));
    }
    write("q8golden total ");
    write_hex(write, total.h);
    write("\n");
    return total.h;
}

}  // namespace golden_q8
