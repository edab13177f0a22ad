// SPDX-License-Identifier: Apache-2.0
// tools/size/network_stack_main.cpp — the stack each Network call really uses, by stack painting
// in QEMU (platform/hal.h), as tools/size/stack_main.cpp measures Mlp's calls: paint the free stack,
// make one call, see how deep the pattern was overwritten, less the reading with no call at all.
// The networks, Activations, Gradients, inputs and outputs live in static storage, so the figures
// are the stack beyond them: the calls' own frames and arrays. Each call sits in a noinline
// wrapper, so that its frame is below the painted mark, not merged into main's.
//
// Prints one Markdown row per network (mk/network_memory.mk puts them into README.md), beside the
// bytes of the vectors the backward walk keeps on the stack by construction (network.hpp's
// BackwardBuffers: two buffers, each as wide as the widest dJ/dr it ever holds, and the upstream
// dJ/dθ [Out] of input_gradient and the other label calls). Fails if a call does not return ok.
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <ugrad/ugrad.hpp>

#include "hal.h"

namespace {

using ugrad::Dense;
using ugrad::Network;
using ugrad::Status;

// Mlp's shape; two ReLU layers; four layers of every activation, an activated last layer.
using MlpShaped = Network<ugrad::Softmax, Dense<64, 32, ugrad::Sigmoid>, Dense<32, 10>>;
using TwoRelu = Network<ugrad::Softmax, Dense<64, 32, ugrad::Relu>, Dense<32, 32, ugrad::Relu>, Dense<32, 10>>;
using FourLayers = Network<ugrad::Logistic, Dense<64, 48, ugrad::Relu>, Dense<48, 32, ugrad::Tanh>,
                           Dense<32, 16, ugrad::Sigmoid>, Dense<16, 10, ugrad::Sigmoid>>;

template <class Net>
struct Case {
    Net net;
    typename Net::Activations act;
    typename Net::Gradients grads;
    float x[Net::inputs], dx[Net::inputs], dlogits[Net::outputs], jac[Net::outputs][Net::inputs];
};
Case<MlpShaped> mlp_shaped;
Case<TwoRelu> two_relu;
Case<FourLayers> four_layers;

// Moderate reproducible values (any finite model takes the same code path).
template <size_t I = 0, class Net>
void fill(Net& net, uint32_t& state) {
    auto next = [&state]() {
        state = state * 1664525u + 1013904223u;
        return static_cast<float>(static_cast<int32_t>(state >> 8) - 8388608) / 33554432.0f;
    };
    auto& dense = ugrad::layer<I>(net);
    for (auto& row : dense.w)
        for (float& w : row) w = next();
    for (float& b : dense.b) b = next();
    if constexpr (I + 1 < Net::depth) fill<I + 1>(net, state);
}

template <class Net>
__attribute__((noinline)) Status call_forward(Case<Net>& c) { return ugrad::forward(c.net, c.x, c.act); }
template <class Net>
__attribute__((noinline)) Status call_loss(Case<Net>& c) {
    float J = 0;
    return ugrad::loss(c.act, 3, J);
}
template <class Net>
__attribute__((noinline)) Status call_input_gradient(Case<Net>& c) { return ugrad::input_gradient(c.net, c.act, 3, c.dx); }
template <class Net>
__attribute__((noinline)) Status call_backward(Case<Net>& c) { return ugrad::backward(c.net, c.act, c.dlogits, c.dx); }
template <class Net>
__attribute__((noinline)) Status call_accumulate(Case<Net>& c) {
    return ugrad::accumulate_gradients(c.net, c.x, c.act, 3, c.grads);
}
template <class Net>
__attribute__((noinline)) Status call_sgd_step(Case<Net>& c) { return ugrad::sgd_step(c.net, c.grads, 0.01f, 0.9f); }
template <class Net>
__attribute__((noinline)) Status call_sgd_step_one(Case<Net>& c) { return ugrad::sgd_step(c.net, c.x, c.act, 3, 0.01f); }
template <class Net>
__attribute__((noinline)) Status call_output_jacobian(Case<Net>& c) { return ugrad::output_jacobian(c.net, c.act, c.jac); }

uint32_t baseline;
int failures;

template <class Net>
uint32_t measure(Status (*call)(Case<Net>&), Case<Net>& c) {
    hal_stack_paint(hal_stack_pointer());
    failures += call(c) != Status::ok;
    const uint32_t peak = hal_stack_peak();
    return peak > baseline ? peak - baseline : 0;
}

template <class Net>
void row(const char* name, Case<Net>& c, uint32_t seed) {
    fill(c.net, seed);
    for (float& v : c.x) v = static_cast<float>(seed++ % 17u) * 0.0625f;
    for (size_t k = 0; k < Net::outputs; ++k) c.dlogits[k] = k == 3 ? -0.5f : 0.05f;
    c.grads = {};
    using Buffers = ugrad::detail::WalkBuffers<typename Net::shape>;  // in Activations, not on the stack
    const size_t vectors = (Buffers::size1 + Buffers::size2) * sizeof(float);
    // In the order training uses them: the forward pass first, the steps last.
    const uint32_t forward = measure(call_forward<Net>, c), loss = measure(call_loss<Net>, c);
    const uint32_t input_gradient = measure(call_input_gradient<Net>, c), backward = measure(call_backward<Net>, c);
    const uint32_t jacobian = measure(call_output_jacobian<Net>, c), accumulate = measure(call_accumulate<Net>, c);
    const uint32_t step = measure(call_sgd_step<Net>, c), step_one = measure(call_sgd_step_one<Net>, c);
    printf("| %s | %u B | %u B | %u B | %u B | %u B | %u B | %u B | %u B | %lu B = (%lu + %lu)·4 |\n", name,
           static_cast<unsigned>(forward), static_cast<unsigned>(loss), static_cast<unsigned>(input_gradient),
           static_cast<unsigned>(backward), static_cast<unsigned>(jacobian), static_cast<unsigned>(accumulate),
           static_cast<unsigned>(step), static_cast<unsigned>(step_one), static_cast<unsigned long>(vectors),
           static_cast<unsigned long>(Buffers::size1), static_cast<unsigned long>(Buffers::size2));
}

}  // namespace

int main() {
    hal_stack_paint(hal_stack_pointer());
    baseline = hal_stack_peak();
    printf("| Network | `forward` | `loss` | `input_gradient` | `backward` | `output_jacobian` | "
           "`accumulate_gradients` | `sgd_step` (gradients) | `sgd_step` (batch 1) | the walk's two buffers, "
           "in `Activations` (dJ/dθ in the first) |\n");
    printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    row("Softmax 64-32-10, Sigmoid (Mlp's shape)", mlp_shaped, 11u);
    row("Softmax 64-32-32-10, ReLU ReLU", two_relu, 12u);
    row("Logistic 64-48-32-16-10, ReLU Tanh Sigmoid Sigmoid", four_layers, 13u);
    return failures == 0 ? 0 : 1;
}
