// SPDX-License-Identifier: Apache-2.0
// tests/golden/golden_networks.cpp — the network-identity, -sigmoid, -relu and -tanh cases: Networks of
// depth 1 to 4 under each head (see golden_vectors.cpp).
#include "golden_cases.hpp"

#if UGRAD_GOLDEN_NETWORKS
#include "golden_network_case.hpp"

namespace golden {
namespace {

// The five shapes, activation A on every layer but (from depth 2 on) the last: depth 1; depth 2;
// depth 3 through a one-unit layer; depth 4 with odd sizes; one output.
template <size_t Shape, class A, class Head>
void shape(Hash& hash, uint64_t seed) {
    if constexpr (Shape == 0) network_case<Network<Head, Dense<5, 3, A>>>(hash, seed);
    if constexpr (Shape == 1) network_case<Network<Head, Dense<3, 7, A>, Dense<7, 4>>>(hash, seed);
    if constexpr (Shape == 2) network_case<Network<Head, Dense<6, 1, A>, Dense<1, 5, A>, Dense<5, 3>>>(hash, seed);
    if constexpr (Shape == 3)
        network_case<Network<Head, Dense<9, 7, A>, Dense<7, 5, A>, Dense<5, 3, A>, Dense<3, 2>>>(hash, seed);
    if constexpr (Shape == 4) network_case<Network<Head, Dense<4, 3, A>, Dense<3, 1>>>(hash, seed);
}

// Activation number I (of four) under one head (number H of three): two of the five shapes,
// (2I + H) mod 5 and the next, two draws each. Under each head the four activations take all five
// shapes between them, and each activation meets four of the shapes over the three heads: the
// kernels see every shape under every head, the activations every depth, at a third of the types
// every (activation, head, shape) would instantiate.
template <class A, size_t I, class Head, size_t H>
void depths(Hash& hash, uint64_t seed) {
    constexpr size_t first = (2 * I + H) % 5, second = (first + 1) % 5;
    for (uint64_t draw = 0; draw < 2; ++draw, seed += 10) {
        shape<first, A, Head>(hash, seed + 1 + first);
        shape<second, A, Head>(hash, seed + 1 + second);
    }
}

// One activation under every head.
template <class A, size_t I>
uint64_t network_activation(uint64_t seed) {
    Hash hash;
    depths<A, I, Softmax, 0>(hash, seed);
    depths<A, I, Logistic, 1>(hash, seed + 100);
    depths<A, I, Linear, 2>(hash, seed + 200);
    return hash.state;
}

}  // namespace

uint64_t case_network_identity() { return network_activation<Identity, 0>(10000); }
uint64_t case_network_sigmoid() { return network_activation<Sigmoid, 1>(20000); }
uint64_t case_network_relu() { return network_activation<Relu, 2>(30000); }
uint64_t case_network_tanh() { return network_activation<Tanh, 3>(40000); }

}  // namespace golden
#endif  // UGRAD_GOLDEN_NETWORKS
