// SPDX-License-Identifier: Apache-2.0
// ugrad: host-only
// Specs: the fixed-point primitives of the int8 path (include/ugrad/q8/) against exact arithmetic —
// every representable input where the domain is at most 2^16 (plus the exp's 2^16 + 1 codes and
// the logistic head's 2^17 + 1), and exact rational references (int128) for the requantization.
#include <doctest/doctest.h>

#include <algorithm>
#include <cmath>
#include <cstdlib>
#include <initializer_list>
#include <vector>

#include <ugrad/q8/network.hpp>
#include <ugrad/q8/to_float.hpp>

#include "support.hpp"

namespace q8 = ugrad::q8;

namespace {

// 128-bit integers: exact products of two int32 and a power of two.
__extension__ typedef __int128 int128;

// floor(a / 2^n) for a 128-bit a: exact.
int128 floor_shift(int128 a, unsigned n) {
    const int128 d = static_cast<int128>(1) << n;
    int128 q = a / d;
    if (a % d != 0 && a < 0) --q;
    return q;
}

// round(acc·m/2^n) with ties toward +∞, saturated to ±2^30: the exact rational, from 128 bits.
int32_t requantize_exact(int32_t acc, int32_t m, unsigned n) {
    const int128 q = floor_shift(static_cast<int128>(acc) * m * 2 + (static_cast<int128>(1) << n), n + 1);
    const int128 limit = static_cast<int128>(1) << 30;
    return static_cast<int32_t>(q > limit ? limit : q < -limit ? -limit : q);
}

}  // namespace

TEST_CASE("high_product is floor(a·b/2^32) for every int32 a at the edges and sampled, and b in [0, 2^31)") {
    uint64_t state = 0x9e3779b97f4a7c15u;
    const int32_t edges[] = {INT32_MIN, INT32_MIN + 1, -65537, -65536, -65535, -1, 0, 1, 65535, 65536, 65537, INT32_MAX};
    const int32_t b_edges[] = {0, 1, 65535, 65536, 65537, 1 << 30, INT32_MAX - 1, INT32_MAX};
    for (int32_t a : edges)
        for (int32_t b : b_edges)
            REQUIRE(q8::high_product(a, b) == static_cast<int32_t>(floor_shift(static_cast<int128>(a) * b, 32)));
    for (int k = 0; k < 1000000; ++k) {
        state = state * 6364136223846793005u + 1442695040888963407u;
        const int32_t a = static_cast<int32_t>(static_cast<uint32_t>(state >> 32));
        const int32_t b = static_cast<int32_t>(static_cast<uint32_t>(state) >> 1);
        REQUIRE(q8::high_product(a, b) == static_cast<int32_t>(floor_shift(static_cast<int128>(a) * b, 32)));
    }
}

TEST_CASE("shift_right_floor is floor(v/2^s) for every s up to 80 (beyond 63 as 63) at the int64 edges and sampled") {
    uint64_t state = 0x853c49e6748fea9bu;
    std::vector<int64_t> values = {INT64_MIN, INT64_MIN + 1, -(int64_t(1) << 32) - 1, -(int64_t(1) << 32), -65537, -2, -1,
                                   0, 1, 2, 65537, int64_t(1) << 32, (int64_t(1) << 32) + 1, INT64_MAX - 1, INT64_MAX};
    for (int k = 0; k < 2000; ++k) {
        state = state * 6364136223846793005u + 1442695040888963407u;
        values.push_back(static_cast<int64_t>(state) >> (k % 64));
    }
    for (int64_t v : values)
        for (uint32_t s = 0; s <= 80; ++s)
            REQUIRE(q8::shift_right_floor(v, s) == static_cast<int64_t>(floor_shift(v, s)));
}

TEST_CASE("the int8 affine_t is v_i = sum_j w_ij·g_j exactly, for every in up to 20 and out up to 6") {
    uint64_t state = 0x1f83d9abfb41bd6bu;
    const auto next = [&state] {
        state = state * 6364136223846793005u + 1442695040888963407u;
        return static_cast<uint32_t>(state >> 32);
    };
    for (size_t in = 1; in <= 20; ++in)
        for (size_t out = 1; out <= 6; ++out)
            for (int trial = 0; trial < 4; ++trial) {
                int8_t w[20 * 6];
                int32_t g[6], v[20];
                for (size_t k = 0; k < in * out; ++k)
                    w[k] = static_cast<int8_t>(trial == 0 ? (k % 2 ? 127 : -128) : static_cast<int32_t>(next() % 256) - 128);
                for (size_t j = 0; j < out; ++j)
                    g[j] = trial == 0 ? 32767 - static_cast<int32_t>(j) : static_cast<int32_t>(next() % 65535) - 32767;
                int64_t exact[20];
                for (size_t i = 0; i < in; ++i) {
                    exact[i] = 0;
                    for (size_t j = 0; j < out; ++j) exact[i] += int64_t(w[i * out + j]) * g[j];
                }
                q8::detail::affine_t(g, w, in, out, v);
                for (size_t i = 0; i < in; ++i) REQUIRE(v[i] == exact[i]);
            }
}

TEST_CASE("apply_factors is g_j = round(g_j·(m_j >> 16)·2^-(n_j - n_min)), ties toward +inf, and e += 16 - n_min") {
    uint64_t state = 0x6a09e667f3bcc909u;
    const auto next = [&state] {
        state = state * 6364136223846793005u + 1442695040888963407u;
        return static_cast<uint32_t>(state >> 32);
    };
    for (int trial = 0; trial < 20000; ++trial) {
        const size_t out = 1 + next() % 8;
        int32_t g[8], m[8], expected[8];
        alignas(4) uint8_t n[8];
        uint32_t n_min = 62;
        for (size_t j = 0; j < out; ++j) {
            g[j] = static_cast<int32_t>(next() % 65535) - 32767;
            m[j] = static_cast<int32_t>((1u << 30) + next() % (1u << 30));
            n[j] = static_cast<uint8_t>(1 + next() % (trial % 2 ? 62 : 8));
            n_min = n[j] < n_min ? n[j] : n_min;
        }
        for (size_t j = 0; j < out; ++j) {
            const int128 p = static_cast<int128>(g[j]) * (m[j] >> 16);
            const unsigned d = n[j] - n_min;
            expected[j] = static_cast<int32_t>(floor_shift(2 * p + (static_cast<int128>(1) << d), d + 1));
        }
        int32_t e = 5;
        q8::detail::apply_factors(g, m, n, out, e);
        REQUIRE(e == 5 + 16 - static_cast<int32_t>(n_min));
        for (size_t j = 0; j < out; ++j) REQUIRE(g[j] == expected[j]);
    }
}

TEST_CASE("to_float and outputs_to_float give code·2^exponent (over the input scale) exactly") {
    q8::InputGradient<3> dx{{3, -2, 0}, -4};
    double x[3];
    q8::to_float(dx, 0.5, x);
    CHECK(x[0] == 0.375);
    CHECK(x[1] == -0.25);
    CHECK(x[2] == 0.0);
    const int32_t q15[2] = {16384, 32768}, q12[2] = {-2048, 6144};
    double y[2];
    q8::outputs_to_float<ugrad::Softmax>(q15, y);
    CHECK(y[0] == 0.5);
    CHECK(y[1] == 1.0);
    q8::outputs_to_float<ugrad::Linear>(q12, y);
    CHECK(y[0] == -0.5);
    CHECK(y[1] == 1.5);
    CHECK(q8::power_of_two(-1074 + 1000) == std::ldexp(1.0, -74));
    CHECK(q8::power_of_two(999) == std::ldexp(1.0, 999));
}

TEST_CASE("high_product_unsigned is floor(a·b/2^32) for uint32 a and b at the edges and sampled") {
    uint64_t state = 0x2545f4914f6cdd1du;
    const uint32_t edges[] = {0u, 1u, 2u, 65535u, 65536u, 65537u, 0x7fffffffu, 0x80000000u, 0xfffeffffu, 0xffff0000u, 0xfffffffeu, 0xffffffffu};
    for (uint32_t a : edges)
        for (uint32_t b : edges)
            REQUIRE(q8::high_product_unsigned(a, b) == static_cast<uint32_t>((static_cast<uint64_t>(a) * b) >> 32));
    for (int k = 0; k < 1000000; ++k) {
        state = state * 6364136223846793005u + 1442695040888963407u;
        const uint32_t a = static_cast<uint32_t>(state >> 32), b = static_cast<uint32_t>(state);
        REQUIRE(q8::high_product_unsigned(a, b) == static_cast<uint32_t>((static_cast<uint64_t>(a) * b) >> 32));
    }
}

TEST_CASE("Relu and Identity output codes are z + round(acc·m/2^n) clamped to [z, 127] and [-128, 127], for every zero point") {
    // m·2^−n = 2^30·2^−30 = 1: the code before clamping is z + acc.
    const int32_t m = 1 << 30;
    const uint8_t n = 30;
    for (int32_t z = -128; z <= 127; ++z)
        for (int32_t acc = -300; acc <= 300; ++acc) {
            const int32_t v = z + acc;
            const int32_t relu = v < z ? z : v > 127 ? 127 : v, identity = v < -128 ? -128 : v > 127 ? 127 : v;
            REQUIRE(q8::activation_code(ugrad::Relu{}, acc, m, n, z) == relu);
            REQUIRE(q8::activation_code(ugrad::Identity{}, acc, m, n, z) == identity);
        }
}

TEST_CASE("requantize is round(acc·m/2^n), ties toward +inf, saturated to ±2^30: every acc in [-2^15, 2^15) and sampled int32") {
    const int32_t multipliers[] = {1 << 30, (1 << 30) + 1, 1518500250, 2147483647};
    const uint8_t shifts[] = {1, 15, 31, 38, 46, 62};
    for (int32_t m : multipliers)
        for (uint8_t n : shifts) {
            for (int32_t acc = -32768; acc < 32768; ++acc)
                if (q8::requantize(acc, m, n) != requantize_exact(acc, m, n)) {
                    CHECK(q8::requantize(acc, m, n) == requantize_exact(acc, m, n));
                    break;
                }
            test::Rng rng{static_cast<uint64_t>(m) * 131 + n};
            for (int s = 0; s < 20000; ++s) {
                const int32_t acc = static_cast<int32_t>(static_cast<uint32_t>(rng.next()));
                REQUIRE(q8::requantize(acc, m, n) == requantize_exact(acc, m, n));
            }
            REQUIRE(q8::requantize(INT32_MIN, m, n) == requantize_exact(INT32_MIN, m, n));
            REQUIRE(q8::requantize(INT32_MAX, m, n) == requantize_exact(INT32_MAX, m, n));
        }
}

TEST_CASE("rounding_shift_right (and its bounded form) is round(v/2^s), ties toward +inf, for every v in [-2^15, 2^15) and the int32 ends") {
    for (uint32_t s = 1; s < 31; ++s) {
        for (int32_t v = -32768; v < 32768; ++v) {
            const int32_t exact =
                static_cast<int32_t>(floor_shift(static_cast<int128>(v) * 2 + (static_cast<int128>(1) << s), s + 1));
            REQUIRE(q8::rounding_shift_right(v, s) == exact);
            REQUIRE(q8::rounding_shift_right_bounded(v, s) == exact);
        }
        for (int32_t v : {INT32_MIN, INT32_MAX, INT32_MIN + 1, INT32_MAX - 1}) {
            const int32_t exact =
                static_cast<int32_t>(floor_shift(static_cast<int128>(v) * 2 + (static_cast<int128>(1) << s), s + 1));
            REQUIRE(q8::rounding_shift_right(v, s) == exact);
            if (s >= 2 || v != INT32_MAX) REQUIRE(q8::rounding_shift_right_bounded(v, s) == exact);
        }
    }
}

TEST_CASE("sigmoid and tanh codes are correctly rounded, round(256σ(r)) - 128 and round(128·tanh r) clamped to int8, for every Q12 code r in [-2^15, 2^15)") {
    long double closest_tie = 1;
    for (int32_t r = -32768; r < 32768; ++r) {
        const long double x = static_cast<long double>(r) / 4096;
        const long double s = 256 / (1 + std::exp(-x)), t = 128 * std::tanh(x);
        closest_tie = std::fmin(closest_tie, std::fabs(s - std::floor(s) - 0.5L));
        closest_tie = std::fmin(closest_tie, std::fabs(t - std::floor(t) - 0.5L));
        const long double s_code = std::fmin(std::nearbyint(s) - 128, 127.0L);
        const long double t_code = std::fmax(std::fmin(std::nearbyint(t), 127.0L), -128.0L);
        const int32_t a = r < 0 ? -r : r;
        // Both searches: the binary one of |r| (-Os) and the signed buckets (otherwise).
        const int32_t s_search = q8::detail::thresholds_at_or_below(q8::tables::sigmoid_thresholds, a);
        const int32_t t_search = q8::detail::thresholds_at_or_below(q8::tables::tanh_thresholds, a);
        REQUIRE(q8::detail::symmetric_code(r, s_search) == static_cast<int>(s_code));
        REQUIRE(q8::detail::symmetric_code(r, t_search) == static_cast<int>(t_code));
        REQUIRE(q8::detail::signed_code(q8::tables::sigmoid_signed, q8::tables::sigmoid_signed_buckets, 6, r) ==
                static_cast<int>(s_code));
        REQUIRE(q8::detail::signed_code(q8::tables::tanh_signed, q8::tables::tanh_signed_buckets, 5, r) ==
                static_cast<int>(t_code));
        REQUIRE(q8::detail::sigmoid_code(r) == static_cast<int>(s_code));
        REQUIRE(q8::detail::tanh_code(r) == static_cast<int>(t_code));
    }
    // No code lies within long double's error of a rounding tie, so the references above are exact.
    CHECK(closest_tie > 1e-12L);
    // Beyond the Q12 int16 range the codes stay saturated.
    for (int32_t r : {1 << 30, 25600, 32768, 1 << 20, -(1 << 30), -25601, -32769, -(1 << 20)}) {
        CHECK(q8::detail::signed_code(q8::tables::sigmoid_signed, q8::tables::sigmoid_signed_buckets, 6, r) ==
              (r < 0 ? -128 : 127));
        CHECK(q8::detail::signed_code(q8::tables::tanh_signed, q8::tables::tanh_signed_buckets, 5, r) ==
              (r < 0 ? -128 : 127));
    }
    CHECK(q8::detail::sigmoid_code(1 << 30) == 127);
    CHECK(q8::detail::sigmoid_code(-(1 << 30)) == -128);
    CHECK(q8::detail::tanh_code(-(1 << 30)) == -128);
    CHECK(q8::detail::tanh_code(1 << 30) == 127);
}

TEST_CASE("the slopes from the output codes are exactly σ' = h(1-h), 1 - t², and ReLU's step, for all 256 codes") {
    for (int y = -128; y < 128; ++y) {
        const int8_t c = static_cast<int8_t>(y);
        const double h = (y + 128) / 256.0, t = y / 128.0;
        CHECK(std::ldexp(q8::Slope<ugrad::Sigmoid>::of(c, 0), -16) == h * (1 - h));
        CHECK(std::ldexp(q8::Slope<ugrad::Tanh>::of(c, 0), -14) == 1 - t * t);
        CHECK(q8::Slope<ugrad::Relu>::of(c, -5) == (y > -5 ? 1 : 0));
        CHECK(q8::Slope<ugrad::Identity>::of(c, 3) == 1);
        // The chain rule in codes: act'·(output scale)^-1·(pre-activation scale) = slope·2^exponent.
        CHECK(std::ldexp(q8::Slope<ugrad::Sigmoid>::of(c, 0), q8::Slope<ugrad::Sigmoid>::gradient_exponent) ==
              h * (1 - h) * 256 / 4096);
        CHECK(std::ldexp(q8::Slope<ugrad::Tanh>::of(c, 0), q8::Slope<ugrad::Tanh>::gradient_exponent) ==
              (1 - t * t) * 128 / 4096);
    }
}

TEST_CASE("product_shift20 is floor(a·b/2^20) for every table entry a and every 2^-g in exp_q16's range, and at the edges") {
    for (uint32_t a : q8::tables::exp2_neg)
        for (uint32_t b = (1u << 21) - 45426u; b <= (1u << 21); ++b)
            REQUIRE(q8::product_shift20(a, b) == static_cast<uint32_t>((static_cast<uint64_t>(a) * b) >> 20));
    for (uint32_t a : {0u, 1u, 65535u, 65536u, 0x7fffffffu})
        for (uint32_t b : {0u, 1u, 65535u, 65536u, 1u << 21})
            REQUIRE(q8::product_shift20(a, b) == static_cast<uint32_t>((static_cast<uint64_t>(a) * b) >> 20));
}

TEST_CASE("divide_by_reciprocal is floor(n/d) for every d up to 2^16 with sampled n, sampled d above, and the extremes") {
    uint64_t state = 7;
    const auto check = [](uint32_t n, uint32_t d) {
        return q8::divide_by_reciprocal(n, d, 0xffffffffu / d) == n / d;
    };
    for (uint32_t d = 1; d <= 65536; ++d) {
        REQUIRE(check(0, d));
        REQUIRE(check(0xffffffffu, d));
        REQUIRE(check(d - 1, d));
        REQUIRE(check(d, d));
        for (int k = 0; k < 16; ++k) {
            state = state * 6364136223846793005u + 1442695040888963407u;
            REQUIRE(check(static_cast<uint32_t>(state >> 32), d));
        }
    }
    for (int k = 0; k < 1000000; ++k) {
        state = state * 6364136223846793005u + 1442695040888963407u;
        const uint32_t d = static_cast<uint32_t>(state) | 1u, n = static_cast<uint32_t>(state >> 32);
        REQUIRE(check(n, (d >> (k % 32)) | 1u));
        REQUIRE(check(n, d));
    }
    for (uint32_t d : {0x7fffffffu, 0x80000000u, 0xfffffffeu, 0xffffffffu})
        for (uint32_t n : {0u, 1u, d - 1, d, 0xffffffffu}) REQUIRE(check(n, d));
}

TEST_CASE("exp_q16(d) is within 0.7 of 65536·e^(d/4096) for every Q12 code d in [-2^16, 0], and 0 below") {
    long double worst = 0;
    for (int32_t d = -65536; d <= 0; ++d) {
        const long double exact = 65536 * std::exp(static_cast<long double>(d) / 4096);
        worst = test::worse_error(worst, std::fabs(static_cast<long double>(q8::exp_q16(d)) - exact));
    }
    MESSAGE("exp_q16: largest error " << static_cast<double>(worst) << " (Q16 steps)");
    CHECK(worst <= 0.7L);
    CHECK(q8::exp_q16(0) == 65536u);
    CHECK(q8::exp_q16(-65537) == 0u);
    CHECK(q8::exp_q16(-(1 << 30)) == 0u);
    CHECK(65536 * std::exp(-65537.0L / 4096) < 0.5L);
}

TEST_CASE("exp_scaled(a) = m·2^(−15−k) is e^(−a/4096) within 2^−14, times at most 2^(1.51e−5 per nat), for every a up to 2^31; exp_q16's t below 2^16") {
    double worst = 0;
    const auto check = [&](uint32_t a) {
        const q8::ScaledExp x = q8::exp_scaled(a);
        REQUIRE(x.mantissa >= (1u << 14));
        REQUIRE(x.mantissa <= (1u << 15));
        // the ratio value/exact, in long double: 2^((log2 m − 15 − k) + a·log2(e)/4096). log2 e in Q15
        // (47274) is low by 0.4935/2^15: t is low by up to 1.51e−5 per nat, the value that much too
        // large; m is rounded (2^−15), 2^−g and the Q31 product add under 2^−17.
        const long double ratio = std::exp2(std::log2(static_cast<long double>(x.mantissa)) - 15 - x.power +
                                            static_cast<long double>(a) / 4096 / std::log(2.0L));
        const long double high = std::exp2(1.51e-5L * a / 4096) * (1 + std::ldexp(1.0L, -14)), low = 1 - std::ldexp(1.0L, -14);
        REQUIRE(ratio <= high);
        REQUIRE(ratio >= low);
        worst = std::max(worst, static_cast<double>(std::max((ratio - 1) / (high - 1), (1 - ratio) / (1 - low))));
    };
    for (uint32_t a = 0; a <= 65536; ++a) check(a);
    for (uint32_t a = 65537; a < (1u << 31) - 40000000u; a += 39999989u) check(a);
    check(1u << 31);
    MESSAGE("exp_scaled: largest relative error / bound " << worst);
    // below 2^16 the parts are exp_q16's (its t = a·47274 in Q27, whose −O2 form skips the split)
    for (uint32_t a = 0; a <= 65536; ++a) {
        const q8::ExpParts p = q8::exp_parts(a);
        const uint32_t t = a * 47274u;
        REQUIRE(p.power == t >> 27);
        REQUIRE(p.q31 == q8::exp2_neg_fraction_q31(t & 0x7ffffffu));
    }
}

TEST_CASE("shift_subtract_quotient and quotient are floor(n/d) for every d up to 2^16 with sampled n, and sampled d up to 2^31 - 1") {
    uint64_t state = 11;
    for (uint32_t d = 1; d <= 65536; ++d)
        for (int k = 0; k < 8; ++k) {
            state = state * 6364136223846793005u + 1442695040888963407u;
            const uint32_t n = k == 0 ? 0xffffffffu : k == 1 ? d - 1 : static_cast<uint32_t>(state >> 32);
            REQUIRE(q8::shift_subtract_quotient(n, d) == n / d);
            REQUIRE(q8::quotient(n, d) == n / d);
        }
    for (int k = 0; k < 100000; ++k) {
        state = state * 6364136223846793005u + 1442695040888963407u;
        const uint32_t d = (static_cast<uint32_t>(state) & 0x7fffffffu) >> (k % 31) | 1u, n = static_cast<uint32_t>(state >> 32);
        REQUIRE(q8::shift_subtract_quotient(n, d) == n / d);
    }
    REQUIRE(q8::shift_subtract_quotient(0xffffffffu, 0x7fffffffu) == 2u);
}

TEST_CASE("bit_length is the number of bits of every power of two and its neighbours") {
    for (uint32_t b = 0; b < 32; ++b) {
        CHECK(q8::bit_length(1u << b) == b + 1);
        CHECK(q8::bit_length((1u << b) | ((1u << b) - 1)) == b + 1);
    }
}

TEST_CASE("the logistic head is within 0.85 Q15 steps of 32768·σ(θ) for every Q12 code θ in [-2^16, 2^16], exactly saturated beyond") {
    long double worst = 0;
    for (int32_t theta = -65536; theta <= 65536; ++theta) {
        const int32_t logits[1] = {theta};
        int32_t p[1];
        q8::head_outputs(ugrad::Logistic{}, logits, p);
        const long double exact = 32768 / (1 + std::exp(-static_cast<long double>(theta) / 4096));
        worst = test::worse_error(worst, std::fabs(p[0] - exact));
    }
    MESSAGE("logistic head: largest error " << static_cast<double>(worst) << " (Q15 steps)");
    // exp_q16's 0.7 Q16 steps move σ by at most 0.7·2^16/(2^16)^2, 0.35 Q15 steps; the division rounds (0.5).
    CHECK(worst <= 0.85L);
    const int32_t far[2] = {1 << 30, -(1 << 30)};
    int32_t p[2];
    q8::head_outputs(ugrad::Logistic{}, far, p);
    CHECK(p[0] == 32768);
    CHECK(p[1] == 0);
}

TEST_CASE("the softmax head is within 0.5 + 0.35·(1 + Out·ŷ) Q15 steps of 32768·softmax(θ), sampled, and sums to 2^15 within Out/2") {
    test::Rng rng{15};
    long double worst_excess = -1;
    for (int s = 0; s < 20000; ++s) {
        int32_t logits[10], p[10];
        const double spread = s % 4 == 0 ? 4096.0 : s % 4 == 1 ? 40000.0 : s % 4 == 2 ? 400000.0 : 4.0;
        for (int32_t& t : logits) t = static_cast<int32_t>(rng.uniform(-spread, spread));
        q8::head_outputs(ugrad::Softmax{}, logits, p);
        long double m = logits[0], sum = 0, e[10];
        for (int32_t t : logits) m = std::fmax(m, static_cast<long double>(t));
        for (int k = 0; k < 10; ++k) sum += e[k] = std::exp((logits[k] - m) / 4096);
        int32_t total = 0;
        for (int k = 0; k < 10; ++k) {
            const long double y = e[k] / sum;
            // First-order: each e_k off by <= 0.7/65536 of the largest (= 1), S >= 1.
            const long double bound = 0.5L + 0.35L * (1 + 10 * y) * 1.001L;
            worst_excess = test::worse_error(worst_excess, std::fabs(p[k] - 32768 * y) - bound);
            total += p[k];
        }
        REQUIRE(std::abs(total - 32768) <= 5);
    }
    CHECK(worst_excess <= 0);
}

TEST_CASE("block_shift is the fewest right shifts keeping the rounded OR below 2^15, or the left shifts up to 2^14: every OR below 2^20, each bit length's edges, sampled") {
    // The definition, by the loops normalize15 had (and -Os and cores without CLZ still run).
    const auto defined = [](uint32_t bits, int32_t& e) -> q8::BlockShift {
        if (bits == 0) return {0, 0};
        if (bits >= 0x8000u) {
            uint32_t right = 1;
            while ((bits >> (right - 1)) > 65534u) ++right;
            e += static_cast<int32_t>(right);
            return {right, 0};
        }
        uint32_t left = 0;
        while ((bits << left) < 0x4000u) ++left;
        e -= static_cast<int32_t>(left);
        return {0, left};
    };
    const auto same = [&](uint32_t bits) {
        int32_t e1 = 5, e2 = 5;
        const q8::BlockShift a = q8::block_shift(bits, e1), b = defined(bits, e2);
        return a.right == b.right && a.left == b.left && e1 == e2;
    };
    for (uint32_t bits = 0; bits < (1u << 20); ++bits) REQUIRE(same(bits));
    for (uint32_t length = 16; length <= 32; ++length)
        for (uint32_t low = 0; low < 64; ++low) {
            const uint32_t top = 0xffffu << (length - 16);  // the prefix that rounds up to 2^15
            REQUIRE(same(top | (low & ((1u << (length - 16)) - 1u))));
            REQUIRE(same((top - (1u << (length - 16))) | low));
        }
    uint64_t state = 1;
    for (int k = 0; k < 1000000; ++k) {
        state = state * 6364136223846793005u + 1442695040888963407u;
        REQUIRE(same(static_cast<uint32_t>(state >> 32) >> (state & 31u)));
    }
}

TEST_CASE("normalize15 rescales by a power of two to max |v| in [2^13, 2^15 - 1], within half a step, keeping v·2^e") {
    test::Rng rng{1515};
    for (int s = 0; s < 20000; ++s) {
        int32_t v[7], before[7];
        const int bits = 1 + s % 31;
        for (int32_t& x : v) x = static_cast<int32_t>(static_cast<int64_t>(rng.next() >> 33) % (int64_t(1) << bits) - (int64_t(1) << (bits - 1)));
        if (s % 5 == 0)  // the edge: values a one-bit shift would round up to 2^15
            for (int32_t& x : v) x = static_cast<int32_t>(65535 - (rng.next() % 3)) * ((s / 5) % 2 ? 1 : -1);
        int32_t e = 3;
        for (int i = 0; i < 7; ++i) before[i] = v[i];
        q8::normalize15(v, 7, e);
        int32_t largest = 0, largest_before = 0;
        for (int i = 0; i < 7; ++i) {
            largest = std::max(largest, std::abs(v[i]));
            largest_before = std::max(largest_before, std::abs(before[i]));
        }
        if (largest_before == 0) {
            REQUIRE(e == 3);
            continue;
        }
        REQUIRE(largest >= 1 << 13);
        REQUIRE(largest <= (1 << 15) - 1);
        if (largest_before < 1 << 15) REQUIRE(largest >= 1 << 14);  // left shifts (or none): exact
        for (int i = 0; i < 7; ++i)
            REQUIRE(std::fabs(std::ldexp(static_cast<double>(v[i]), e - 3) - before[i]) <= std::ldexp(0.5, e - 3 < 0 ? 0 : e - 3));
    }
}

TEST_CASE("smallest_shift is the smallest of the shifts in [1, 62], for every count up to 40 and every position of the smallest") {
    uint64_t state = 0x5a11e57;
    for (size_t count = 1; count <= 40; ++count)
        for (size_t where = 0; where < count; ++where)
            for (int trial = 0; trial < 8; ++trial) {
                alignas(4) uint8_t n[40];  // as Dense::shift
                const uint8_t low = static_cast<uint8_t>(1 + test::splitmix64(state) % 62);
                for (size_t j = 0; j < count; ++j)
                    n[j] = static_cast<uint8_t>(low + test::splitmix64(state) % static_cast<uint64_t>(63 - low));
                n[where] = low;
                REQUIRE(q8::detail::smallest_shift(n, count) == low);
                REQUIRE(*std::min_element(n, n + count) == low);
            }
}
