// SPDX-License-Identifier: Apache-2.0
// ugrad: host-only
// Specs: ugrad::exp, ugrad::log, ugrad::sigmoid_pair and ugrad::tanh in float on a million random bit patterns,
// on every input whose e^x is subnormal and on the subnormal inputs of log, against the host libm in
// double; and the double versions (the host reference path) against libm. Host only: a million
// software-double references are too slow for the emulated targets.
#include <doctest/doctest.h>

#include <stdint.h>

#include <cfloat>
#include <cmath>
#include <vector>

#include "math_accuracy.hpp"
#include "support.hpp"

namespace {

constexpr double exp_log_bound = 1.0;  // ULP, issue 3
constexpr double sigmoid_bound = 2.0;  // ULP, issue 3, for σ(r) and for σ(−r) alike
constexpr double tanh_bound = 2.0;     // ULP, issue 12

float float_of(uint32_t u) { return ugrad::bit_cast<float>(u); }

const std::vector<float>& random_inputs() {
    static const std::vector<float> in = [] {
        std::vector<float> v;
        test::Rng rng{0x3a7e5u};
        for (int i = 0; i < 1000000; ++i) v.push_back(float_of(static_cast<uint32_t>(rng.next() >> 32)));
        return v;
    }();
    return in;
}

}  // namespace

TEST_CASE("float exp is within 1 ULP of e^x on a million random inputs") {
    test::Worst w;
    for (const float x : random_inputs()) w.see(x, test::ulp_error(ugrad::exp(x), test::ref_exp(x)));
    INFO("worst input ", static_cast<double>(w.at), ", error ", w.err, " ULP");
    CHECK(w.err <= exp_log_bound);
}

TEST_CASE("float log is within 1 ULP of ln x on a million random inputs") {
    test::Worst w;
    for (const float x : random_inputs()) w.see(x, test::ulp_error(ugrad::log(x), test::ref_log(x)));
    INFO("worst input ", static_cast<double>(w.at), ", error ", w.err, " ULP");
    CHECK(w.err <= exp_log_bound);
}

TEST_CASE("float sigmoid_pair: both members within 2 ULP on a million random inputs") {
    test::Worst value, complement;
    for (const float r : random_inputs()) {
        const ugrad::SigmoidPair<float> s = ugrad::sigmoid_pair(r);
        value.see(r, test::ulp_error(s.value, test::ref_sigmoid(r)));
        complement.see(r, test::ulp_error(s.complement, test::ref_sigmoid_complement(r)));
    }
    INFO("value: worst input ", static_cast<double>(value.at), ", error ", value.err, " ULP");
    INFO("complement: worst input ", static_cast<double>(complement.at), ", error ", complement.err, " ULP");
    CHECK(value.err <= sigmoid_bound);
    CHECK(complement.err <= sigmoid_bound);
}

TEST_CASE("float tanh is within 2 ULP of tanh x on a million random inputs and on every x in [0.5, 1]") {
    // [0.5, 1]: where the polynomial hands over to (1 − e)/(1 + e), and where the latter's error peaks
    test::Worst w;
    for (const float x : random_inputs()) w.see(x, test::ulp_error(ugrad::tanh(x), test::ref_tanh(x)));
    for (uint32_t b = ugrad::bit_cast<uint32_t>(0.5f); b <= ugrad::bit_cast<uint32_t>(1.0f); ++b) {
        const float x = float_of(b);
        w.see(x, test::ulp_error(ugrad::tanh(x), test::ref_tanh(x)));
    }
    INFO("worst input ", static_cast<double>(w.at), ", error ", w.err, " ULP");
    CHECK(w.err <= tanh_bound);
}

TEST_CASE("exp's subnormal results and log of subnormals are within 1 ULP") {
    // Every x in [−104, −87] (e^x from subnormal to 0, and the edge of the fast path), and every
    // 7th subnormal x for log.
    test::Worst e, l;
    for (uint32_t b = ugrad::bit_cast<uint32_t>(-87.0f); b <= ugrad::bit_cast<uint32_t>(-104.0f); ++b) {
        const float x = float_of(b);
        e.see(x, test::ulp_error(ugrad::exp(x), test::ref_exp(x)));
    }
    for (uint32_t b = 1; b < 0x00800000u; b += 7) {
        const float x = float_of(b);
        l.see(x, test::ulp_error(ugrad::log(x), test::ref_log(x)));
    }
    INFO("exp: worst input ", static_cast<double>(e.at), ", error ", e.err, " ULP");
    INFO("log: worst input ", static_cast<double>(l.at), ", error ", l.err, " ULP");
    CHECK(e.err <= exp_log_bound);
    CHECK(l.err <= exp_log_bound);
}

TEST_CASE("the double exp and log (the host reference path) agree with libm to a few double ULPs") {
    test::Rng rng{77};
    double worst_exp = 0, worst_log = 0;
    for (int i = 0; i < 100000; ++i) {
        const double x = rng.uniform(-700.0, 700.0);
        worst_exp = test::worse_error(worst_exp, std::fabs(ugrad::exp(x) - std::exp(x)) / std::exp(x));
        const double y = std::ldexp(rng.uniform(0.5, 1.0), static_cast<int>(rng.next() % 2000) - 1000);
        worst_log = test::worse_error(worst_log, std::fabs(ugrad::log(y) - std::log(y)) / std::fabs(std::log(y)));
    }
    INFO("relative errors: exp ", worst_exp, ", log ", worst_log);
    CHECK(worst_exp < 8 * DBL_EPSILON);
    CHECK(worst_log < 8 * DBL_EPSILON);
}

TEST_CASE("the double tanh (the host reference path) agrees with libm to a few double ULPs") {
    // Uniform on [−20, 20], and |x| = 2^-30..2^0 on a logarithmic scale for the series path.
    test::Rng rng{78};
    double worst = 0;
    for (int i = 0; i < 100000; ++i) {
        const double x = rng.uniform(-20.0, 20.0);
        const double small = std::ldexp(rng.uniform(-1.0, 1.0), -static_cast<int>(rng.next() % 30));
        for (const double v : {x, small})
            if (v != 0.0) worst = test::worse_error(worst, std::fabs(ugrad::tanh(v) - std::tanh(v)) / std::fabs(std::tanh(v)));
    }
    INFO("relative error ", worst);
    CHECK(worst < 8 * DBL_EPSILON);
}
