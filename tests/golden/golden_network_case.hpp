// SPDX-License-Identifier: Apache-2.0
// tests/golden/golden_network_case.hpp — one Network evaluation through every call, hashed: what
// the network-* and conv-* cases of golden_networks.cpp, golden_network_edges.cpp and
// golden_conv.cpp are made of.
#pragma once

#include "golden_common.hpp"

namespace golden {

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

}  // namespace golden
