// SPDX-License-Identifier: Apache-2.0
// The doctest runner for the host suite. After the tests it prints the largest relative
// finite-difference error any gradient spec saw (tests/support.hpp records it), and for the Network
// specs the largest per activation and per head (tests/network_support.hpp).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>

#include "network_support.hpp"

int main(int argc, char** argv) {
    doctest::Context context(argc, argv);
    const int failed = context.run();
    if (context.shouldExit()) return failed;
    std::printf("largest finite-difference error (norm-wise relative, double): %.3g\n", test::worst_fd_error());
    if (!test::fd_errors_by_name().empty()) {
        std::printf("  Network specs, by activation and head:");
        for (const auto& entry : test::fd_errors_by_name()) std::printf(" %s %.3g", entry.name, entry.worst);
        std::printf("\n");
    }
    return failed;
}
