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
#include "../splitmix64.hpp"

#include <float.h>
#include <stddef.h>
#include <stdint.h>

#include <ugrad/ugrad.hpp>

namespace golden {
namespace {

// FNV-1a, 64 bits, fed byte by byte (little-endian order, whatever the machine's).
struct Hash {
    uint64_t state = 0xcbf29ce484222325ull;
    void byte(uint8_t b) {
        state ^= b;
        state *= 0x100000001b3ull;
    }
    void word(uint32_t w) {
        for (int shift = 0; shift < 32; shift += 8) byte(static_cast<uint8_t>(w >> shift));
    }
    void value(float f) { word(ugrad::bit_cast<uint32_t>(f)); }
    void status(ugrad::Status s) { byte(static_cast<uint8_t>(s)); }
    template <size_t N>
    void values(const float (&v)[N]) {
        for (size_t i = 0; i < N; ++i) value(v[i]);
    }
};

// SplitMix64 (tests/splitmix64.hpp) and values drawn from it.
struct Generator {
    uint64_t state;
    uint64_t next() {
        return test::splitmix64(state);
    }
    // Uniform in [-scale, scale): a 24-bit integer times an exact power-of-two step, so the value
    // is the same float everywhere (scale is a power of two).
    float symmetric(float scale) {
        const int32_t n = static_cast<int32_t>(next() >> 40) - 8388608;  // [-2^23, 2^23)
        return static_cast<float>(n) * (scale / 8388608.0f);
    }
};

template <size_t N>
void fill(float (&v)[N], Generator& g, float scale) {
    for (size_t i = 0; i < N; ++i) v[i] = g.symmetric(scale);
}
template <size_t N, size_t M>
void fill(float (&v)[N][M], Generator& g, float scale) {
    for (size_t i = 0; i < N; ++i) fill(v[i], g, scale);
}

// A probability vector: nonnegative integers scaled by their (exact) sum.
template <size_t Out>
void soft_target(float (&y)[Out], Generator& g) {
    uint32_t weight[Out];
    uint32_t sum = 0;
    for (size_t k = 0; k < Out; ++k) sum += (weight[k] = static_cast<uint32_t>(g.next() >> 56));
    if (sum == 0) {
        weight[0] = 1;
        sum = 1;
    }
    for (size_t k = 0; k < Out; ++k) y[k] = static_cast<float>(weight[k]) / static_cast<float>(sum);
}

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

// The Network cases instantiate every call for a dozen network types: more code than a board with
// 256 KB of flash holds. Such a board's runner is built with UGRAD_GOLDEN_NETWORKS=0 and prints the
// seed network's lines only (tests/golden/check.sh compares them with its `seed` argument).
#ifndef UGRAD_GOLDEN_NETWORKS
#define UGRAD_GOLDEN_NETWORKS 1
#endif
#if UGRAD_GOLDEN_NETWORKS
// ---- Networks (include/ugrad/network.hpp): any depth, each activation, each head ----

using ugrad::Dense;
using ugrad::Identity;
using ugrad::Linear;
using ugrad::Logistic;
using ugrad::Network;
using ugrad::Relu;
using ugrad::Sigmoid;
using ugrad::Softmax;
using ugrad::Tanh;

template <class A, class B>
constexpr bool same = false;
template <class A>
constexpr bool same<A, A> = true;

// Every parameter of a network (or of its Gradients), layer by layer, W then b.
template <size_t I = 0, class Net>
void hash_parameters(Hash& hash, const Net& net) {
    const auto& dense = ugrad::layer<I>(net);
    for (size_t i = 0; i < sizeof dense.w / sizeof dense.w[0]; ++i) hash.values(dense.w[i]);
    hash.values(dense.b);
    if constexpr (I + 1 < Net::depth) hash_parameters<I + 1>(hash, net);
}
template <size_t I = 0, class Net>
void fill_parameters(Net& net, Generator& g, float w_scale, float b_scale) {
    auto& dense = ugrad::layer<I>(net);
    fill(dense.w, g, w_scale);
    fill(dense.b, g, b_scale);
    if constexpr (I + 1 < Net::depth) fill_parameters<I + 1>(net, g, w_scale, b_scale);
}
// Everything forward keeps: each layer's output (and a sigmoid layer's slope), then the head's values.
template <size_t I = 0, class Net>
void hash_activations(Hash& hash, const typename Net::Activations& act) {
    const auto& out = ugrad::layer_output<I>(act);
    hash.values(out.y);
    if constexpr (same<typename Net::template layer_type<I>::activation, Sigmoid>) hash.values(out.slope);
    if constexpr (I + 1 < Net::depth) {
        hash_activations<I + 1, Net>(hash, act);
    } else {
        if constexpr (!same<typename Net::head_type, Linear>) {
            hash.values(act.log_probs);
            hash.values(act.probs);
        }
        if constexpr (same<typename Net::head_type, Logistic>) hash.values(act.log_complements);
        hash.values(ugrad::outputs(act));
    }
}
template <size_t Out, size_t In>
void hash_rows(Hash& hash, const float (&m)[Out][In]) {
    for (size_t k = 0; k < Out; ++k) hash.values(m[k]);
}

// A target the head takes: Softmax a probability vector; Logistic values n/255 in [0, 1] (0 and 1
// included); Linear values in ±2.
template <class Head, size_t Out>
void head_target(float (&y)[Out], Generator& g) {
    if constexpr (same<Head, Softmax>) {
        soft_target(y, g);
    } else if constexpr (same<Head, Logistic>) {
        for (size_t k = 0; k < Out; ++k) y[k] = static_cast<float>(g.next() >> 56) / 255.0f;
    } else {
        fill(y, g, 2.0f);
    }
}

// The inputs of one network evaluation.
template <class Net>
struct NetworkCase {
    Net net;
    float x[Net::inputs];
    float target[Net::outputs];
    float dlogits[Net::outputs];
    size_t label;
    float learning_rate;
};

// Every call of a Network, statuses and every output hashed: forward; loss, input_gradient,
// accumulate_gradients and the batch-1 sgd_step for the label (not for a Linear head) and for the
// target; backward and backward_to_weights of dlogits; sgd_step with momentum on the accumulated
// gradients; output_jacobian (and log_prob_jacobian for Softmax). Each step works on its own copy
// of the network.
template <class Net>
uint64_t evaluate_network(const NetworkCase<Net>& c) {
    using Head = typename Net::head_type;
    constexpr size_t In = Net::inputs, Out = Net::outputs;
    Hash hash;
    typename Net::Activations act;
    hash.status(ugrad::forward(c.net, c.x, act));
    hash_activations<0, Net>(hash, act);
    float J = 0.0f, dx[In];
    typename Net::Gradients grads = {};
    Net stepped = c.net;
    if constexpr (!same<Head, Linear>) {
        hash.status(ugrad::loss(act, c.label, J));
        hash.value(J);
        hash.status(ugrad::input_gradient(c.net, act, c.label, dx));
        hash.values(dx);
        hash.status(ugrad::accumulate_gradients(c.net, c.x, act, c.label, grads));
        hash_parameters(hash, grads);
        hash.status(ugrad::sgd_step(stepped, c.x, act, c.label, c.learning_rate));
        hash_parameters(hash, stepped);
    }
    hash.status(ugrad::loss(act, c.target, J));
    hash.value(J);
    hash.status(ugrad::input_gradient(c.net, act, c.target, dx));
    hash.values(dx);
    hash.status(ugrad::accumulate_gradients(c.net, c.x, act, c.target, grads));  // adds to the label's
    hash_parameters(hash, grads);
    stepped = c.net;
    hash.status(ugrad::sgd_step(stepped, c.x, act, c.target, c.learning_rate));
    hash_parameters(hash, stepped);
    hash.status(ugrad::backward(c.net, act, c.dlogits, dx));
    hash.values(dx);
    typename Net::Gradients upstream = {};
    hash.status(ugrad::backward_to_weights(c.net, c.x, act, c.dlogits, upstream));
    hash_parameters(hash, upstream);
    stepped = c.net;
    hash.status(ugrad::sgd_step(stepped, grads, c.learning_rate, 0.5f));
    hash_parameters(hash, stepped);
    hash_parameters(hash, grads);  // the velocity, μ·g
    float jac[Out][In];
    hash.status(ugrad::output_jacobian(c.net, act, jac));
    hash_rows(hash, jac);
    if constexpr (same<Head, Softmax>) {
        hash.status(ugrad::log_prob_jacobian(c.net, act, jac));
        hash_rows(hash, jac);
    }
    return hash.state;
}

// A network drawn from seed: weights in ±w_scale, biases in ±w_scale/2, x in ±x_scale, a target
// the head takes, dlogits in ±1, a label < Out (0 or 1 for a one-unit Logistic), η = 1/8; then
// edit(c) may change any of it. The evaluation's hash goes into hash.
struct NoEdit {
    template <class C>
    void operator()(C&) const {}
};
template <class Net, class Edit = NoEdit>
void network_case(Hash& hash, uint64_t seed, float w_scale = 1.0f, float x_scale = 2.0f, Edit edit = {}) {
    using Head = typename Net::head_type;
    static NetworkCase<Net> c;  // static: off the small stacks
    Generator g{seed};
    fill_parameters(c.net, g, w_scale, w_scale * 0.5f);
    fill(c.x, g, x_scale);
    head_target<Head>(c.target, g);
    fill(c.dlogits, g, 1.0f);
    const size_t labels = same<Head, Logistic> && Net::outputs == 1 ? 2 : Net::outputs;
    c.label = static_cast<size_t>(g.next() % labels);
    c.learning_rate = 0.125f;
    edit(c);
    hash.word(static_cast<uint32_t>(evaluate_network(c)));
}

// Depths 1 to 4 with activation A on every layer but (from depth 2 on) the last, odd sizes and a
// one-unit layer, for one head: two draws each.
template <class A, class Head>
void depths(Hash& hash, uint64_t seed) {
    for (uint64_t draw = 0; draw < 2; ++draw, seed += 10) {
        network_case<Network<Head, Dense<5, 3, A>>>(hash, seed + 1);
        network_case<Network<Head, Dense<3, 7, A>, Dense<7, 4>>>(hash, seed + 2);
        network_case<Network<Head, Dense<6, 1, A>, Dense<1, 5, A>, Dense<5, 3>>>(hash, seed + 3);
        network_case<Network<Head, Dense<9, 7, A>, Dense<7, 5, A>, Dense<5, 3, A>, Dense<3, 2>>>(hash, seed + 4);
        network_case<Network<Head, Dense<4, 3, A>, Dense<3, 1>>>(hash, seed + 5);  // one output
    }
}

// One activation under every head.
template <class A>
uint64_t case_network_activation(uint64_t seed) {
    Hash hash;
    depths<A, Softmax>(hash, seed);
    depths<A, Logistic>(hash, seed + 100);
    depths<A, Linear>(hash, seed + 200);
    return hash.state;
}

// A one-unit Logistic output (a binary classifier): label 0, label 1, label 2 (out of range),
// targets 0, 1 and in between, with each hidden activation but tanh.
template <class Net>
void binary_labels(Hash& hash, uint64_t seed, float w_scale) {
    const float targets[] = {0.0f, 1.0f, 0.25f};
    for (size_t label = 0; label < 3; ++label)
        network_case<Net>(hash, seed, w_scale, 2.0f, [&](NetworkCase<Net>& c) {
            c.label = label;
            c.target[0] = targets[label];
        });
}
uint64_t case_network_binary() {
    Hash hash;
    binary_labels<Network<Logistic, Dense<4, 3, Sigmoid>, Dense<3, 1>>>(hash, 500, 1.0f);
    binary_labels<Network<Logistic, Dense<4, 3, Relu>, Dense<3, 1>>>(hash, 501, 1.0f);
    binary_labels<Network<Logistic, Dense<4, 1>>>(hash, 502, 1.0f);
    binary_labels<Network<Logistic, Dense<5, 4, Relu>, Dense<4, 3, Sigmoid>, Dense<3, 1>>>(hash, 503, 1.0f);
    // θ far from zero both ways: σ(θ) rounds to 1 or to 0, log ŷ and log(1 − ŷ) stay finite.
    binary_labels<Network<Logistic, Dense<4, 3, Identity>, Dense<3, 1>>>(hash, 504, 64.0f);
    binary_labels<Network<Logistic, Dense<4, 3, Relu>, Dense<3, 1>>>(hash, 505, 256.0f);
    return hash.state;
}

// Saturated units and far-apart outputs: weights in ±64 (and ±1024 for ReLU, which does not
// saturate), sigmoid slopes tiny or subnormal, softmax probabilities that round to 0, logistic
// outputs that round to 0 or 1; and subnormal and signed-zero inputs.
template <class Head>
void saturating(Hash& hash, uint64_t seed) {
    network_case<Network<Head, Dense<6, 5, Sigmoid>, Dense<5, 4, Sigmoid>, Dense<4, 3>>>(hash, seed + 1, 64.0f);
    network_case<Network<Head, Dense<6, 5, Relu>, Dense<5, 4, Relu>, Dense<4, 3>>>(hash, seed + 2, 64.0f);
    network_case<Network<Head, Dense<6, 5, Relu>, Dense<5, 3>>>(hash, seed + 3, 1024.0f);
    network_case<Network<Head, Dense<6, 5, Identity>, Dense<5, 4, Sigmoid>, Dense<4, 3>>>(hash, seed + 4, 64.0f);
    network_case<Network<Head, Dense<6, 5, Sigmoid>, Dense<5, 3, Relu>>>(hash, seed + 5, 1.0f, 2.0f,
        [](NetworkCase<Network<Head, Dense<6, 5, Sigmoid>, Dense<5, 3, Relu>>>& c) {
            const float tiny[6] = {1e-40f, -3e-42f, 1.4e-45f, -0.0f, 0.0f, 1.1754942e-38f};
            for (size_t i = 0; i < 6; ++i) c.x[i] = tiny[i];
        });
}
uint64_t case_network_saturation() {
    Hash hash;
    saturating<Softmax>(hash, 600);
    saturating<Logistic>(hash, 610);
    saturating<Linear>(hash, 620);
    return hash.state;
}

// A NaN in layer l's first weight (bias = false) or first bias (bias = true).
template <size_t I, class Net>
void poison(Net& net, size_t l, float nan, bool bias) {
    if (I == l) {
        if (bias) ugrad::layer<I>(net).b[0] = nan;
        else ugrad::layer<I>(net).w[0][0] = nan;
    }
    if constexpr (I + 1 < Net::depth) poison<I + 1>(net, l, nan, bias);
}

// Inputs that fail: a NaN, +inf and −inf in x; a NaN weight or bias in each layer in turn (forward
// gives non_finite_result whatever the activation, ReLU included); and what follows from a failed
// forward in every later call. Every output is the same quiet NaN everywhere.
template <class Net>
void failing(Hash& hash, uint64_t seed) {
    const float nan = ugrad::quiet_nan<float>(), inf = ugrad::infinity<float>();
    const float bad_inputs[3] = {nan, inf, -inf};
    for (float bad : bad_inputs)
        network_case<Net>(hash, seed, 1.0f, 2.0f, [bad](NetworkCase<Net>& c) { c.x[Net::inputs / 2] = bad; });
    for (size_t l = 0; l < Net::depth; ++l) {
        network_case<Net>(hash, seed, 1.0f, 2.0f, [l, nan](NetworkCase<Net>& c) { poison<0>(c.net, l, nan, false); });
        network_case<Net>(hash, seed, 1.0f, 2.0f, [l, nan](NetworkCase<Net>& c) { poison<0>(c.net, l, nan, true); });
    }
}
uint64_t case_network_failures() {
    Hash hash;
    failing<Network<Softmax, Dense<4, 3, Identity>, Dense<3, 3, Identity>, Dense<3, 2>>>(hash, 700);
    failing<Network<Softmax, Dense<4, 3, Sigmoid>, Dense<3, 3, Sigmoid>, Dense<3, 2>>>(hash, 701);
    failing<Network<Logistic, Dense<4, 3, Tanh>, Dense<3, 3, Tanh>, Dense<3, 2>>>(hash, 702);
    failing<Network<Linear, Dense<4, 3, Relu>, Dense<3, 3, Relu>, Dense<3, 2>>>(hash, 703);
    failing<Network<Logistic, Dense<4, 3, Relu>, Dense<3, 1, Relu>>>(hash, 704);
    failing<Network<Linear, Dense<4, 2, Sigmoid>>>(hash, 705);
    return hash.state;
}

// Overflow: θ = +inf from finite weights (forward: non_finite_result), whatever the hidden
// activations; and a forward that succeeds while dx overflows (backward: non_finite_result; so do
// input_gradient and output_jacobian where ŷ − y is large enough, and the weight gradients where a
// dJ/dr overflows).
template <size_t I, class Net>
void positive_hidden(Net& net) {  // every hidden unit's r about +100: its output positive
    if constexpr (I + 1 < Net::depth) {
        for (float& b : ugrad::layer<I>(net).b) b = 100.0f;
        positive_hidden<I + 1>(net);
    }
}
template <class Net>
void overflowing(Hash& hash, uint64_t seed) {
    // θ overflows: positive hidden outputs into last-layer weights of 3e38.
    network_case<Net>(hash, seed, 1.0f, 2.0f, [](NetworkCase<Net>& c) {
        positive_hidden<0>(c.net);
        for (auto& row : ugrad::layer<Net::depth - 1>(c.net).w)
            for (float& w : row) w = 3e38f;
        for (float& v : c.x) v = 1.0f;
    });
    // dx overflows: the first layer's weights FLT_MAX, the forward kept finite by a tiny input.
    network_case<Net>(hash, seed + 1, 1.0f, 2.0f, [](NetworkCase<Net>& c) {
        for (auto& row : ugrad::layer<0>(c.net).w)
            for (float& w : row) w = FLT_MAX;
        for (float& v : c.x) v = 1e-38f;
        for (float& d : c.dlogits) d = 3e38f;
    });
}
uint64_t case_network_overflow() {
    Hash hash;
    overflowing<Network<Softmax, Dense<3, 4, Relu>, Dense<4, 4, Relu>, Dense<4, 3>>>(hash, 800);
    overflowing<Network<Logistic, Dense<3, 4, Sigmoid>, Dense<4, 2>>>(hash, 802);
    overflowing<Network<Linear, Dense<3, 4, Identity>, Dense<4, 4, Relu>, Dense<4, 2>>>(hash, 804);
    overflowing<Network<Linear, Dense<3, 2>>>(hash, 806);
    return hash.state;
}

// Bad labels, targets, upstream gradients and rates, each head: label = Out and SIZE_MAX; a
// Softmax target that does not sum to 1, a negative one; a Logistic target above 1, below 0, NaN;
// a Linear target ±inf or NaN; dlogits with a NaN; a NaN or infinite learning rate.
template <class Net>
void refusing(Hash& hash, uint64_t seed) {
    using Head = typename Net::head_type;
    const float nan = ugrad::quiet_nan<float>(), inf = ugrad::infinity<float>();
    if constexpr (!same<Head, Linear>) {
        const size_t labels[2] = {Net::outputs == 1 && same<Head, Logistic> ? 2 : Net::outputs, SIZE_MAX};
        for (size_t label : labels)
            network_case<Net>(hash, seed, 1.0f, 2.0f, [label](NetworkCase<Net>& c) { c.label = label; });
    }
    float bad_targets[3];
    if constexpr (same<Head, Softmax>) {
        bad_targets[0] = 0.5f, bad_targets[1] = -0.25f, bad_targets[2] = nan;
    } else if constexpr (same<Head, Logistic>) {
        bad_targets[0] = 1.0000001f, bad_targets[1] = -0.0000001f, bad_targets[2] = nan;
    } else {
        bad_targets[0] = inf, bad_targets[1] = -inf, bad_targets[2] = nan;
    }
    for (float bad : bad_targets)
        network_case<Net>(hash, seed, 1.0f, 2.0f, [bad](NetworkCase<Net>& c) {
            c.target[0] = bad;
            if (same<Head, Softmax> && bad == 0.5f)
                for (size_t k = 1; k < Net::outputs; ++k) c.target[k] = 0.0f;  // sums to 0.5
        });
    network_case<Net>(hash, seed, 1.0f, 2.0f, [nan](NetworkCase<Net>& c) { c.dlogits[Net::outputs - 1] = nan; });
    network_case<Net>(hash, seed, 1.0f, 2.0f, [nan](NetworkCase<Net>& c) { c.learning_rate = nan; });
    network_case<Net>(hash, seed, 1.0f, 2.0f, [inf](NetworkCase<Net>& c) { c.learning_rate = inf; });
}
uint64_t case_network_bad_input() {
    Hash hash;
    refusing<Network<Softmax, Dense<4, 3, Relu>, Dense<3, 3, Sigmoid>, Dense<3, 3>>>(hash, 900);
    refusing<Network<Logistic, Dense<4, 3, Relu>, Dense<3, 3, Sigmoid>, Dense<3, 2>>>(hash, 901);
    refusing<Network<Logistic, Dense<4, 3, Relu>, Dense<3, 1>>>(hash, 902);
    refusing<Network<Linear, Dense<4, 3, Relu>, Dense<3, 3, Sigmoid>, Dense<3, 2>>>(hash, 903);
    return hash.state;
}

// tanh beyond the depths above: saturated units (tanh r rounds to ±1, slope 0), the tiniest inputs
// (tanh r = r), a tanh last layer under each head, and an overflowing θ after tanh layers.
template <class Head>
void saturating_tanh(Hash& hash, uint64_t seed) {
    network_case<Network<Head, Dense<6, 5, Tanh>, Dense<5, 4, Tanh>, Dense<4, 3>>>(hash, seed + 1, 64.0f);
    network_case<Network<Head, Dense<6, 5, Tanh>, Dense<5, 3, Tanh>>>(hash, seed + 2, 1.0f);
    network_case<Network<Head, Dense<6, 5, Tanh>, Dense<5, 3>>>(hash, seed + 3, 1.0f, 2.0f,
        [](NetworkCase<Network<Head, Dense<6, 5, Tanh>, Dense<5, 3>>>& c) {
            const float tiny[6] = {1e-40f, -3e-42f, 1.4e-45f, -0.0f, 0.0f, 1.1754942e-38f};
            for (size_t i = 0; i < 6; ++i) c.x[i] = tiny[i];
            for (float& b : c.net.layer0.b) b = b * 1e-30f;
        });
}
uint64_t case_network_tanh_edges() {
    Hash hash;
    saturating_tanh<Softmax>(hash, 1000);
    saturating_tanh<Logistic>(hash, 1010);
    saturating_tanh<Linear>(hash, 1020);
    overflowing<Network<Softmax, Dense<3, 4, Tanh>, Dense<4, 4, Tanh>, Dense<4, 3>>>(hash, 1030);
    return hash.state;
}

// ---- Convolutional networks: image layers and residual blocks through every call ----

using ugrad::Conv2D;
using ugrad::DepthwiseConv2D;
using ugrad::GlobalAveragePool;
using ugrad::Hwc;
using ugrad::IdentityShortcut;
using ugrad::Kernel;
using ugrad::MaxPool2D;
using ugrad::Relu6;
using ugrad::Residual;
using ugrad::Same;
using ugrad::Stride;
using ugrad::Valid;
using ugrad::Window;

// Every parameter of any network, layer by layer, W then b (a block's: its branch's, then its shortcut's).
template <class Net, class F>
void each_parameter_array(Net& net, F f) {
    ugrad::detail::for_each_layer(net, [&](auto& l) { ugrad::detail::for_each_parameter(l, [&](auto& p) { f(ugrad::detail::flat(p)); }); });
}

template <size_t I, class Net>
void hash_layer_outputs(Hash& hash, const typename Net::Activations& act) {
    hash.values(ugrad::layer_output<I>(act).y);
    if constexpr (I + 1 < Net::depth) hash_layer_outputs<I + 1, Net>(hash, act);
}

// Every call of a convolutional network, statuses and every output hashed: forward (each layer's y
// and the head's values), predict, loss, input_gradient, accumulate_gradients and the batch-1
// sgd_step for the label; backward and backward_to_weights of dlogits; sgd_step with momentum;
// output_jacobian.
template <class Net>
uint64_t evaluate_conv_network(NetworkCase<Net>& c) {
    constexpr size_t In = Net::inputs, Out = Net::outputs;
    Hash hash;
    static typename Net::Activations act;
    static typename Net::Inference inf;
    static typename Net::Gradients grads, upstream;
    static Net stepped;
    hash.status(ugrad::forward(c.net, c.x, act));
    hash_layer_outputs<0, Net>(hash, act);
    hash.values(ugrad::outputs(act));
    hash.status(ugrad::predict(c.net, c.x, inf));
    hash.values(ugrad::outputs(inf));
    hash.values(ugrad::logits(inf));
    float J = 0.0f;
    static float dx[In];
    hash.status(ugrad::loss(act, c.label, J));
    hash.value(J);
    hash.status(ugrad::input_gradient(c.net, act, c.label, dx));
    hash.values(dx);
    each_parameter_array(grads, [](auto& p) { for (float& v : p) v = 0.0f; });
    hash.status(ugrad::accumulate_gradients(c.net, c.x, act, c.label, grads));
    each_parameter_array(grads, [&](auto& p) { hash.values(p); });
    stepped = c.net;
    hash.status(ugrad::sgd_step(stepped, c.x, act, c.label, c.learning_rate));
    each_parameter_array(stepped, [&](auto& p) { hash.values(p); });
    hash.status(ugrad::backward(c.net, act, c.dlogits, dx));
    hash.values(dx);
    each_parameter_array(upstream, [](auto& p) { for (float& v : p) v = 0.0f; });
    hash.status(ugrad::backward_to_weights(c.net, c.x, act, c.dlogits, upstream));
    each_parameter_array(upstream, [&](auto& p) { hash.values(p); });
    stepped = c.net;
    hash.status(ugrad::sgd_step(stepped, grads, c.learning_rate, 0.5f));
    each_parameter_array(stepped, [&](auto& p) { hash.values(p); });
    static float jac[Out][In];
    hash.status(ugrad::output_jacobian(c.net, act, jac));
    hash_rows(hash, jac);
    return hash.state;
}

template <class Net, class Edit = NoEdit>
void conv_case(Hash& hash, uint64_t seed, float w_scale, Edit edit = {}) {
    static NetworkCase<Net> c;  // static: off the small stacks
    Generator g{seed};
    each_parameter_array(c.net, [&](auto& p) { fill(p, g, w_scale); });
    fill(c.x, g, 1.0f);
    soft_target(c.target, g);
    fill(c.dlogits, g, 1.0f);
    c.label = static_cast<size_t>(g.next() % Net::outputs);
    c.learning_rate = 0.125f;
    edit(c);
    hash.word(static_cast<uint32_t>(evaluate_conv_network(c)));
}

// A small CNN as firmware runs them, and a smooth one: every image layer kind, Same and Valid,
// strides 1 and 2, a 1×1 convolution (the dense kernels) and a 3×3 one (the register loop).
using ConvRelu = Network<Softmax, Conv2D<Hwc<8, 8, 1>, 4, Kernel<3, 3>, Stride<1, 1>, Same, Relu>,
                         MaxPool2D<Hwc<8, 8, 4>, Window<2, 2>>,
                         DepthwiseConv2D<Hwc<4, 4, 4>, Kernel<3, 3>, Stride<1, 1>, Same, Relu6>,
                         Conv2D<Hwc<4, 4, 4>, 18, Kernel<1, 1>, Stride<2, 2>, Same, Relu>,
                         GlobalAveragePool<Hwc<2, 2, 18>>, Dense<18, 3>>;
using ConvSmooth = Network<Logistic, Conv2D<Hwc<7, 6, 2>, 17, Kernel<3, 2>, Stride<2, 1>, Same, Tanh>,
                           DepthwiseConv2D<Hwc<4, 6, 17>, Kernel<2, 3>, Stride<1, 1>, Valid, Sigmoid>,
                           ugrad::AveragePool2D<Hwc<3, 4, 17>, Window<2, 2>, Stride<1, 2>, Same>, Dense<102, 2>>;
uint64_t case_conv_cnn() {
    Hash hash;
    for (uint64_t draw = 0; draw < 3; ++draw) {
        conv_case<ConvRelu>(hash, 50000 + draw, 0.5f);
        conv_case<ConvSmooth>(hash, 50100 + draw, 0.5f);
    }
    return hash.state;
}

// ResNet's two blocks, small: an identity shortcut and a 1×1 stride-2 one.
using ResBlocks = Network<Softmax, Conv2D<Hwc<6, 6, 2>, 3, Kernel<3, 3>, Stride<1, 1>, Same, Relu>,
                          Residual<IdentityShortcut, Relu, Conv2D<Hwc<6, 6, 3>, 3, Kernel<3, 3>, Stride<1, 1>, Same, Relu>,
                                   Conv2D<Hwc<6, 6, 3>, 3, Kernel<3, 3>, Stride<1, 1>, Same>>,
                          Residual<Conv2D<Hwc<6, 6, 3>, 4, Kernel<1, 1>, Stride<2, 2>, Same>, Relu,
                                   Conv2D<Hwc<6, 6, 3>, 4, Kernel<3, 3>, Stride<2, 2>, Same, Relu>,
                                   Conv2D<Hwc<3, 3, 4>, 4, Kernel<3, 3>, Stride<1, 1>, Same>>,
                          GlobalAveragePool<Hwc<3, 3, 4>>, Dense<4, 3>>;
uint64_t case_conv_residual() {
    Hash hash;
    for (uint64_t draw = 0; draw < 3; ++draw) conv_case<ResBlocks>(hash, 51000 + draw, 0.5f);
    return hash.state;
}

// The statuses: a NaN pixel, an infinite weight, a label out of range.
uint64_t case_conv_failures() {
    Hash hash;
    conv_case<ConvRelu>(hash, 52000, 0.5f, [](NetworkCase<ConvRelu>& c) { c.x[9] = ugrad::quiet_nan<float>(); });
    conv_case<ConvRelu>(hash, 52001, 0.5f, [](NetworkCase<ConvRelu>& c) { ugrad::layer<3>(c.net).w[0][0][1][2] = __builtin_inff(); });
    conv_case<ResBlocks>(hash, 52002, 0.5f, [](NetworkCase<ResBlocks>& c) { c.label = 3; });
    return hash.state;
}

#endif  // UGRAD_GOLDEN_NETWORKS

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
    report(write, total, "network-identity", case_network_activation<ugrad::Identity>(10000));
    report(write, total, "network-sigmoid", case_network_activation<ugrad::Sigmoid>(20000));
    report(write, total, "network-relu", case_network_activation<ugrad::Relu>(30000));
    report(write, total, "network-tanh", case_network_activation<ugrad::Tanh>(40000));
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
