// The doctest runner for the host suite. After the tests it prints the largest relative
// finite-difference error any gradient spec saw (tests/support.hpp records it).
#define DOCTEST_CONFIG_IMPLEMENT
#include <doctest/doctest.h>

#include <cstdio>

#include "support.hpp"

int main(int argc, char** argv) {
    doctest::Context context(argc, argv);
    const int failed = context.run();
    if (context.shouldExit()) return failed;
    std::printf("largest finite-difference error (norm-wise relative, double): %.3g\n", test::worst_fd_error());
    return failed;
}
