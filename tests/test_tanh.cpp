// Specs: ugrad::tanh — known values from a 200-bit evaluation, odd symmetry and the same bits on
// every target (a checksum over 2^16 inputs spread across all 2^32), and its derivative
// (1 − t)(1 + t) against central finite differences in double. Small enough for the emulated
// targets; the boundaries and special values are in test_math.cpp, a million random inputs in
// test_math_sampled.cpp, and every float input in `make test-exhaustive`.
#include <doctest/doctest.h>

#include <stdint.h>

#include <cmath>

#include "math_accuracy.hpp"

namespace {
constexpr double tanh_bound = 2.0;  // ULP, issue 12

// x = i·65537 as bits, i = 0..65535: 2^16 inputs from 0x00000000 to 0xffffffff, every exponent
// and both signs, NaNs and infinities included.
float spread_input(uint32_t i) { return ugrad::bit_cast<float>(i * 65537u); }
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
        const float x = spread_input(i);  // i·65537 < 2^31 for i < 32768
        not_odd += ugrad::bit_cast<uint32_t>(ugrad::tanh(-x)) != (ugrad::bit_cast<uint32_t>(ugrad::tanh(x)) ^ 0x80000000u) &&
                   !std::isnan(x);
    }
    CHECK(not_odd == 0);
}

TEST_CASE("float tanh gives the same bits on every target: FNV-1a of 2^16 outputs across all inputs") {
    // FNV-1a 64 over the output bits (any NaN counted as 0x7fc00000: the NaN's sign and payload
    // are not promised). The constant is the host's (g++ and clang++, -ffp-contract=off); the
    // doctest suite on the M4F and M3 checks it there too.
    uint64_t h = 0xcbf29ce484222325ull;
    for (uint32_t i = 0; i < 65536u; ++i) {
        const float t = ugrad::tanh(spread_input(i));
        const uint32_t bits = std::isnan(t) ? 0x7fc00000u : ugrad::bit_cast<uint32_t>(t);
        for (int byte = 0; byte < 4; ++byte) h = (h ^ ((bits >> (8 * byte)) & 0xffu)) * 0x100000001b3ull;
    }
    CHECK(h == 0x81a77f5ebae76ce4ull);
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
