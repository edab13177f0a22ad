// SPDX-License-Identifier: Apache-2.0
// tests/golden/golden_vectors.cpp — see golden_vectors.hpp.
//
// Each case builds a model and an input from a fixed integer generator (no floating point in the
// generation beyond exact scalings), runs forward, cross_entropy (label and soft target) and
// input_gradient (label and soft target), and feeds the statuses and the bits of every output
// (h, σ'(r), logits, log-probabilities, probabilities, both losses, both dJ/dx) to a 64-bit FNV-1a
// hash. Cases aim at the edges where targets could disagree: logits far apart (probabilities that
// round to 0 or underflow into subnormals), saturated sigmoids, subnormal and signed-zero inputs,
// and inputs that fail (NaN, an overflowing logit). A sweep of exp, log and sigmoid_pair covers
// the elementary functions directly. The network-* cases do the same for Network (any depth, each
// activation, each head) through every call: forward, loss, input_gradient, backward, the weight
// gradients, both sgd_steps and output_jacobian; tanh's results are in network-tanh and
// network-tanh-edges alone (and in network-failures only as NaN), so a change of tanh moves only those.
#include "golden_vectors.hpp"
#include "golden_cases.hpp"
#include "golden_common.hpp"

#include <float.h>
#include <stddef.h>
#include <stdint.h>

#include <ugrad/ugrad.hpp>

namespace golden {
namespace {

// Everything a case computes, hashed.
template <size_t In, size_t Hidden, size_t Out>
uint64_t evaluate(const ugrad::Mlp<In, Hidden, Out>& net, const float (&x)[In], size_t label,
                  const float (&y)[Out]) {
    Hash hash;
    ugrad::Activations<In, Hidden, Out> act;
    hash.status(ugrad::forward(net, x, act));
    hash.values(act.h);
    hash.values(act.dh_dr);
    hash.values(act.logits);
    hash.values(act.log_probs);
    hash.values(act.probs);
    float loss = 0.0f;
    hash.status(ugrad::cross_entropy(act, label, loss));
    hash.value(loss);
    hash.status(ugrad::cross_entropy(act, y, loss));
    hash.value(loss);
    float dx[In];
    hash.status(ugrad::input_gradient(net, act, label, dx));
    hash.values(dx);
    hash.status(ugrad::input_gradient(net, act, y, dx));
    hash.values(dx);
    return hash.state;
}

// Storage for the largest model, outside the stack (rv32 and the M0+ have small stacks).
ugrad::Mlp<64, 32, 10> big_net;

void report(Writer write, Hash& total, const char* name, uint64_t value) {
    static const char hex[] = "0123456789abcdef";
    char text[17];
    for (int i = 15; i >= 0; --i) {
        text[i] = hex[value & 0xfu];
        value >>= 4;
    }
    text[16] = '\0';
    write("golden ");
    write(name);
    write(" ");
    write(text);
    write("\n");
    for (int i = 0; i < 16; ++i) total.byte(static_cast<uint8_t>(text[i]));
}

// Ordinary: 16-8-3, weights in ±1, inputs in ±2, several draws.
uint64_t case_ordinary() {
    Hash hash;
    for (uint64_t seed = 1; seed <= 8; ++seed) {
        Generator g{seed};
        ugrad::Mlp<16, 8, 3> net;
        fill(net.w1, g, 1.0f);
        fill(net.b1, g, 1.0f);
        fill(net.w2, g, 1.0f);
        fill(net.b2, g, 1.0f);
        float x[16], y[3];
        fill(x, g, 2.0f);
        soft_target(y, g);
        hash.word(static_cast<uint32_t>(evaluate(net, x, static_cast<size_t>(seed % 3), y)));
    }
    return hash.state;
}

// The 64-32-10 network of the size figures, pixel-like inputs in [0, 1).
uint64_t case_digits_sized() {
    Hash hash;
    Generator g{64};
    fill(big_net.w1, g, 0.5f);
    fill(big_net.b1, g, 0.5f);
    fill(big_net.w2, g, 1.0f);
    fill(big_net.b2, g, 0.5f);
    for (size_t label = 0; label < 10; ++label) {
        float x[64], y[10];
        for (size_t i = 0; i < 64; ++i) x[i] = g.symmetric(0.5f) + 0.5f;
        soft_target(y, g);
        hash.word(static_cast<uint32_t>(evaluate(big_net, x, label, y)));
    }
    return hash.state;
}

// Extreme logits: W2 = 0 makes θ = b2 exactly, chosen so that θ_k − max reaches the normal,
// subnormal and zero ranges of e^(θ_k − max); and a scaled-up W2 that saturates the softmax.
uint64_t case_extreme_logits() {
    Hash hash;
    static const float spreads[4][6] = {
        {0.0f, -10.0f, -87.0f, -90.0f, -100.0f, -104.5f},     // e^-90, e^-100: subnormal probabilities
        {60.0f, -30.0f, -45.5f, -60.0f, 59.999996f, -120.0f},  // a near tie and total underflow
        {-80.0f, -80.0f, -80.0f, -80.0f, -80.0f, -80.0f},     // all equal, far from zero
        {88.0f, -88.0f, 1e-30f, -1e-30f, 0.0f, -0.0f},        // both ends of exp's range
    };
    for (int row = 0; row < 4; ++row) {
        Generator g{static_cast<uint64_t>(100 + row)};
        ugrad::Mlp<5, 4, 6> net;
        fill(net.w1, g, 1.0f);
        fill(net.b1, g, 1.0f);
        for (size_t j = 0; j < 4; ++j)
            for (size_t k = 0; k < 6; ++k) net.w2[j][k] = 0.0f;
        for (size_t k = 0; k < 6; ++k) net.b2[k] = spreads[row][k];
        float x[5], y[6];
        fill(x, g, 1.0f);
        soft_target(y, g);
        hash.word(static_cast<uint32_t>(evaluate(net, x, 5, y)));  // the least likely class
        // Saturated: W2 in ±64 on the same model.
        fill(net.w2, g, 64.0f);
        hash.word(static_cast<uint32_t>(evaluate(net, x, 2, y)));
    }
    return hash.state;
}

// Saturated sigmoids: W1 in ±64, so |r| reaches tens and σ'(r) falls to tiny or subnormal values.
uint64_t case_saturated_hidden() {
    Hash hash;
    for (uint64_t seed = 200; seed < 204; ++seed) {
        Generator g{seed};
        ugrad::Mlp<6, 8, 4> net;
        fill(net.w1, g, 64.0f);
        fill(net.b1, g, 16.0f);
        fill(net.w2, g, 2.0f);
        fill(net.b2, g, 1.0f);
        float x[6], y[4];
        fill(x, g, 2.0f);
        soft_target(y, g);
        hash.word(static_cast<uint32_t>(evaluate(net, x, 1, y)));
    }
    return hash.state;
}

// Subnormal, signed-zero and tiny inputs, and huge ones that drive r far past saturation.
uint64_t case_subnormal_inputs() {
    Hash hash;
    static const float inputs[3][6] = {
        {1e-40f, -3e-42f, 1.4e-45f, -1.4e-45f, 1.1754942e-38f, 0.0f},  // subnormals and a zero
        {-0.0f, 0.0f, 1e-38f, -5e-39f, 2e-44f, 7e-45f},                // signed zeros, tiny
        {1e20f, -3e19f, 1e-40f, 5e18f, -1e-44f, 2.5e30f},              // huge beside subnormal
    };
    for (int row = 0; row < 3; ++row) {
        Generator g{static_cast<uint64_t>(300 + row)};
        ugrad::Mlp<6, 5, 3> net;
        fill(net.w1, g, 1.0f);
        fill(net.b1, g, 1.0f / 1024.0f);
        fill(net.w2, g, 1.0f);
        fill(net.b2, g, 1.0f);
        float y[3];
        soft_target(y, g);
        hash.word(static_cast<uint32_t>(evaluate(net, inputs[row], 0, y)));
    }
    return hash.state;
}

// Failures: a NaN input, an infinite input, an overflowing logit, a label out of range, a bad
// target. Every output must be the same quiet NaN everywhere.
uint64_t case_failures() {
    Hash hash;
    Generator g{400};
    ugrad::Mlp<4, 3, 2> net;
    fill(net.w1, g, 1.0f);
    fill(net.b1, g, 1.0f);
    fill(net.w2, g, 1.0f);
    fill(net.b2, g, 1.0f);
    const float nan = ugrad::quiet_nan<float>(), inf = ugrad::infinity<float>();
    const float good_y[2] = {0.25f, 0.75f}, bad_y[2] = {0.5f, 0.25f};
    const float x_nan[4] = {0.5f, nan, 0.0f, 1.0f};
    const float x_inf[4] = {-inf, 0.5f, 0.0f, 1.0f};
    const float x_ok[4] = {0.5f, -0.5f, 0.25f, 1.0f};
    hash.word(static_cast<uint32_t>(evaluate(net, x_nan, 0, good_y)));
    hash.word(static_cast<uint32_t>(evaluate(net, x_inf, 1, good_y)));
    hash.word(static_cast<uint32_t>(evaluate(net, x_ok, 2, good_y)));  // label out of range
    hash.word(static_cast<uint32_t>(evaluate(net, x_ok, 1, bad_y)));   // target sums to 0.75
    net.w2[0][1] = 3e38f;
    net.w2[1][1] = 3e38f;  // θ_1 overflows to +inf
    hash.word(static_cast<uint32_t>(evaluate(net, x_ok, 1, good_y)));
    return hash.state;
}

// The elementary functions on their own: exp over [-110, 95) (normal, subnormal and zero
// results, overflow), log from the smallest subnormal up, sigmoid_pair over [-120, 120).
// The product is rounded on its own (volatile) even where the vectors are built without
// -ffp-contract=off (make golden's unfused builds): this file's own arithmetic is not the library's.
float next_log_input(float v) {
    const volatile float product = v * 1.0625f;
    return product + 1e-45f;
}
uint64_t case_elementary() {
    Hash hash;
    for (int32_t i = -4400; i < 3800; ++i) hash.value(ugrad::exp(static_cast<float>(i) * 0.025f));
    float v = 1.4e-45f;
    for (int i = 0; i < 2000; ++i, v = next_log_input(v)) hash.value(ugrad::log(v));
    for (int32_t i = -4800; i < 4800; ++i) {
        const ugrad::SigmoidPair<float> s = ugrad::sigmoid_pair(static_cast<float>(i) * 0.025f);
        hash.value(s.value);
        hash.value(s.complement);
    }
    return hash.state;
}

}  // namespace

uint64_t run(Writer write) {
    Hash total;
    report(write, total, "ordinary-16-8-3", case_ordinary());
    report(write, total, "digits-64-32-10", case_digits_sized());
    report(write, total, "extreme-logits", case_extreme_logits());
    report(write, total, "saturated-hidden", case_saturated_hidden());
    report(write, total, "subnormal-inputs", case_subnormal_inputs());
    report(write, total, "failures", case_failures());
    report(write, total, "elementary", case_elementary());
    // The seed network's total stays what it has been on every platform; the Network cases have their own.
    report(write, total, "total", total.state);
#if UGRAD_GOLDEN_NETWORKS
    total = Hash{};
    report(write, total, "network-identity", case_network_identity());
    report(write, total, "network-sigmoid", case_network_sigmoid());
    report(write, total, "network-relu", case_network_relu());
    report(write, total, "network-tanh", case_network_tanh());
    report(write, total, "network-binary", case_network_binary());
    report(write, total, "network-saturation", case_network_saturation());
    report(write, total, "network-failures", case_network_failures());
    report(write, total, "network-overflow", case_network_overflow());
    report(write, total, "network-bad-input", case_network_bad_input());
    report(write, total, "network-tanh-edges", case_network_tanh_edges());
    report(write, total, "network-total", total.state);
    const uint64_t network_total = total.state;
    total = Hash{};
    report(write, total, "conv-cnn", case_conv_cnn());
    report(write, total, "conv-residual", case_conv_residual());
    report(write, total, "conv-failures", case_conv_failures());
    report(write, total, "conv-total", total.state);
    total.state = network_total;
#endif
    return total.state;
}

}  // namespace golden
