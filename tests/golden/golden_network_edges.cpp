// SPDX-License-Identifier: Apache-2.0
// tests/golden/golden_network_edges.cpp — the Network cases at the edges: binary labels, saturation, failures,
// overflow, refused inputs, tanh's edges (see golden_vectors.cpp).
#include "golden_cases.hpp"

#if UGRAD_GOLDEN_NETWORKS
#include "golden_network_case.hpp"

namespace golden {
namespace {

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
uint64_t local_case_network_binary() {
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
// saturate), sigmoid slopes tiny or subnormal, ReLU outputs in the thousands, softmax
// probabilities that round to 0, logistic outputs that round to 0 or 1; and subnormal and
// signed-zero inputs.
template <class Head>
void saturating(Hash& hash, uint64_t seed) {
    network_case<Network<Head, Dense<6, 5, Sigmoid>, Dense<5, 4, Relu>, Dense<4, 3>>>(hash, seed + 1, 64.0f);
    network_case<Network<Head, Dense<6, 5, Relu>, Dense<5, 3>>>(hash, seed + 3, 1024.0f);
    network_case<Network<Head, Dense<6, 5, Sigmoid>, Dense<5, 3, Relu>>>(hash, seed + 5, 1.0f, 2.0f,
        [](NetworkCase<Network<Head, Dense<6, 5, Sigmoid>, Dense<5, 3, Relu>>>& c) {
            const float tiny[6] = {1e-40f, -3e-42f, 1.4e-45f, -0.0f, 0.0f, 1.1754942e-38f};
            for (size_t i = 0; i < 6; ++i) c.x[i] = tiny[i];
        });
}
uint64_t local_case_network_saturation() {
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
// The networks are those of the other edge cases (shared instantiations, a shorter compile): each
// hidden activation, each head.
uint64_t local_case_network_failures() {
    Hash hash;
    failing<Network<Softmax, Dense<4, 3, Relu>, Dense<3, 3, Sigmoid>, Dense<3, 3>>>(hash, 700);
    failing<Network<Logistic, Dense<4, 3, Relu>, Dense<3, 3, Sigmoid>, Dense<3, 2>>>(hash, 701);
    failing<Network<Softmax, Dense<6, 5, Tanh>, Dense<5, 4, Tanh>, Dense<4, 3>>>(hash, 702);
    failing<Network<Linear, Dense<4, 3, Relu>, Dense<3, 3, Sigmoid>, Dense<3, 2>>>(hash, 703);
    failing<Network<Logistic, Dense<4, 3, Relu>, Dense<3, 1>>>(hash, 704);
    failing<Network<Logistic, Dense<4, 3, Identity>, Dense<3, 1>>>(hash, 705);
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
uint64_t local_case_network_overflow() {
    Hash hash;
    overflowing<Network<Softmax, Dense<4, 3, Relu>, Dense<3, 3, Sigmoid>, Dense<3, 3>>>(hash, 800);
    overflowing<Network<Logistic, Dense<4, 3, Relu>, Dense<3, 3, Sigmoid>, Dense<3, 2>>>(hash, 802);
    overflowing<Network<Linear, Dense<4, 3, Relu>, Dense<3, 3, Sigmoid>, Dense<3, 2>>>(hash, 804);
    overflowing<Network<Linear, Dense<4, 2>>>(hash, 806);
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
uint64_t local_case_network_bad_input() {
    Hash hash;
    refusing<Network<Softmax, Dense<4, 3, Relu>, Dense<3, 3, Sigmoid>, Dense<3, 3>>>(hash, 900);
    refusing<Network<Logistic, Dense<4, 3, Relu>, Dense<3, 3, Sigmoid>, Dense<3, 2>>>(hash, 901);
    refusing<Network<Logistic, Dense<4, 3, Relu>, Dense<3, 1>>>(hash, 902);
    refusing<Network<Linear, Dense<4, 3, Relu>, Dense<3, 3, Sigmoid>, Dense<3, 2>>>(hash, 903);
    return hash.state;
}

// tanh beyond the depths above: saturated units (tanh r rounds to ±1, slope 0), the tiniest inputs
// (tanh r = r) into a tanh last layer, under each head; and an overflowing θ after tanh layers.
template <class Head>
void saturating_tanh(Hash& hash, uint64_t seed) {
    network_case<Network<Head, Dense<6, 5, Tanh>, Dense<5, 4, Tanh>, Dense<4, 3>>>(hash, seed + 1, 64.0f);
    network_case<Network<Head, Dense<6, 5, Tanh>, Dense<5, 3, Tanh>>>(hash, seed + 3, 1.0f, 2.0f,
        [](NetworkCase<Network<Head, Dense<6, 5, Tanh>, Dense<5, 3, Tanh>>>& c) {
            const float tiny[6] = {1e-40f, -3e-42f, 1.4e-45f, -0.0f, 0.0f, 1.1754942e-38f};
            for (size_t i = 0; i < 6; ++i) c.x[i] = tiny[i];
            for (float& b : c.net.layer0.b) b = b * 1e-30f;
        });
}
uint64_t local_case_network_tanh_edges() {
    Hash hash;
    saturating_tanh<Softmax>(hash, 1000);
    saturating_tanh<Logistic>(hash, 1010);
    saturating_tanh<Linear>(hash, 1020);
    overflowing<Network<Softmax, Dense<6, 5, Tanh>, Dense<5, 4, Tanh>, Dense<4, 3>>>(hash, 1030);
    return hash.state;
}

}  // namespace

uint64_t case_network_binary() { return local_case_network_binary(); }
uint64_t case_network_saturation() { return local_case_network_saturation(); }
uint64_t case_network_failures() { return local_case_network_failures(); }
uint64_t case_network_overflow() { return local_case_network_overflow(); }
uint64_t case_network_bad_input() { return local_case_network_bad_input(); }
uint64_t case_network_tanh_edges() { return local_case_network_tanh_edges(); }

}  // namespace golden
#endif  // UGRAD_GOLDEN_NETWORKS
