// SPDX-License-Identifier: Apache-2.0
// Specs: ugrad::tanh — known values from a 200-bit evaluation, odd symmetry and the same bits on
// every target (a checksum over 2^16 inputs spread across all 2^32), and its derivative
// (1 − t)(1 + t) against central finite differences in double. Small enough for the emulated
// targets; the boundaries and special values are in test_math.cpp, a million random inputs in
// test_math_sampled.cpp, and every float input in `make test-exhaustive`.
#include <doctest/doctest.h>

#include <stdint.h>

#include <cmath>

#include "math_accuracy.hpp"
#include "math_bits.hpp"

namespace {
constexpr double tanh_bound = 2.0;  // ULP, issue 12
}  // namespace

TEST_CASE("tanh agrees with tanh x from a 200-bit evaluation within 2 ULP at known values") {
    struct Known {
        float x;
        double tanh;  // mpmath, 200 bits, rounded to 17 digits
    };
    const Known known[] = {
        {0.125f, 0.12435300177159621}, {0.5f, 0.46211715726000976},     {0.546875f, 0.49817442622945506},
        {0.6875f, 0.59637355547924234}, {-0.75f, -0.63514895238728732}, {1.0f, 0.76159415595576489},
        {1.5f, 0.90514825364486644},    {2.0f, 0.96402758007581688},    {3.0f, 0.99505475368673045},
        {5.0f, 0.99990920426259513},    {8.5f, 0.99999991720124905},
    };
    for (const Known& k : known) {
        const float t = ugrad::tanh(k.x);
        INFO("tanh(", static_cast<double>(k.x), ") = ", static_cast<double>(t), ", want ", k.tanh);
        CHECK(test::ulp_error(t, k.tanh) <= tanh_bound);
    }
}

TEST_CASE("tanh is odd bit for bit: tanh(−x) = −tanh(x) on 2^15 positive inputs of every exponent") {
    size_t not_odd = 0;
    for (uint32_t i = 0; i < 32768u; ++i) {
        const float x = test::tanh_spread_input(i);  // bits i·65537 < 2^31 for i < 32768
        not_odd += ugrad::bit_cast<uint32_t>(ugrad::tanh(-x)) != (ugrad::bit_cast<uint32_t>(ugrad::tanh(x)) ^ 0x80000000u) &&
                   !std::isnan(x);
    }
    CHECK(not_odd == 0);
}

TEST_CASE("float tanh gives the same bits on every target: FNV-1a of 2^16 outputs across all inputs") {
    // tests/math_bits.hpp; the doctest suite checks it on the M4F and M3, `make TARGET=rv32
    // tanh-bits` on rv32
    CHECK(test::tanh_bits_hash() == test::tanh_bits_expected);
}

TEST_CASE("tanh's derivative (1 − t)(1 + t) matches central finite differences in double") {
    // x = −6..6 in steps of 1/64 (x ± h exact), h = 2^-16: the truncation h²·max|tanh‴|/6 = h²/3
    // < 0.67·2^-33, and the two values' errors (each below 8 DBL_EPSILON relative, as
    // test_math_sampled.cpp checks, with |tanh| <= 1) over 2h: 2·2^-49/2^-15 = 2^-33; together < 2^-32.
    const double h = 0x1p-16, bound = 0x1p-32;
    double worst = 0, worst_at = 0;
    for (int i = -384; i <= 384; ++i) {
        const double x = i / 64.0;
        const double t = ugrad::tanh(x);
        const double fd = (ugrad::tanh(x + h) - ugrad::tanh(x - h)) / (2 * h);
        const double err = std::fabs((1 - t) * (1 + t) - fd);
        if (err > worst) {
            worst = err;
            worst_at = x;
        }
    }
    INFO("largest |(1 − t)(1 + t) − finite difference| ", worst, " at x = ", worst_at);
    CHECK(worst <= bound);
}
