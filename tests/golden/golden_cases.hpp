// SPDX-License-Identifier: Apache-2.0
// tests/golden/golden_cases.hpp — the Network cases, each in the file that instantiates its
// networks (golden_networks.cpp, golden_network_edges.cpp, golden_conv.cpp), so that a build
// compiles them side by side; golden_vectors.cpp's run() reports them in this order.
#pragma once

#include <stdint.h>

// The Network cases instantiate every call for dozens of network types: more code than a board with
// 256 KB of flash holds. Such a board's runner is built with UGRAD_GOLDEN_NETWORKS=0: the files of
// Network cases compile to nothing and it prints the seed network's lines only (tests/golden/check.sh
// compares them with its `seed` argument).
#ifndef UGRAD_GOLDEN_NETWORKS
#define UGRAD_GOLDEN_NETWORKS 1
#endif

namespace golden {

// golden_networks.cpp: one activation on every layer, each depth 1 to 4 and each head.
uint64_t case_network_identity();
uint64_t case_network_sigmoid();
uint64_t case_network_relu();
uint64_t case_network_tanh();
// golden_network_edges.cpp
uint64_t case_network_binary();
uint64_t case_network_saturation();
uint64_t case_network_failures();
uint64_t case_network_overflow();
uint64_t case_network_bad_input();
uint64_t case_network_tanh_edges();
// golden_conv.cpp
uint64_t case_conv_cnn();
uint64_t case_conv_residual();
uint64_t case_conv_failures();

}  // namespace golden
