// SPDX-License-Identifier: Apache-2.0
// tests/golden/golden_networks.cpp — the network-identity, -sigmoid, -relu and -tanh cases: Networks of
// depth 1 to 4 under each head (see golden_vectors.cpp).
#include "golden_cases.hpp"

#if UGRAD_GOLDEN_NETWORKS
#include "golden_network_case.hpp"

namespace golden {
namespace {

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
uint64_t network_activation(uint64_t seed) {
    Hash hash;
    depths<A, Softmax>(hash, seed);
    depths<A, Logistic>(hash, seed + 100);
    depths<A, Linear>(hash, seed + 200);
    return hash.state;
}

}  // namespace

uint64_t case_network_identity() { return network_activation<Identity>(10000); }
uint64_t case_network_sigmoid() { return network_activation<Sigmoid>(20000); }
uint64_t case_network_relu() { return network_activation<Relu>(30000); }
uint64_t case_network_tanh() { return network_activation<Tanh>(40000); }

}  // namespace golden
#endif  // UGRAD_GOLDEN_NETWORKS
