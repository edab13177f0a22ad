// SPDX-License-Identifier: Apache-2.0
// Specs: ugrad::exp, ugrad::log, ugrad::sigmoid_pair and ugrad::tanh in float at every boundary of
// their algorithms and at every special value, against libm in double. Small enough to run on the
// emulated targets too; the million random inputs are in test_math_sampled.cpp, and the proof of
// record is the exhaustive run over all 2^32 inputs (`make test-exhaustive`).
#include <doctest/doctest.h>

#include <stdint.h>

#include <vector>

#include "math_accuracy.hpp"
#include "math_special_values.hpp"

namespace {
constexpr double exp_log_bound = 1.0;  // ULP, issue 3
constexpr double sigmoid_bound = 2.0;  // ULP, issue 3, for σ(r) and for σ(−r) alike
constexpr double tanh_bound = 2.0;     // ULP, issue 12
}  // namespace

TEST_CASE("the special values of exp, log, the sigmoid and tanh are exact") {
    test::SpecialValue list[test::special_value_count];
    test::math_special_values(list);
    for (const test::SpecialValue& s : list) {
        INFO(s.what, ": got ", static_cast<double>(s.got));
        CHECK(s.exact());
    }
}

TEST_CASE("exp and log are within 1 ULP, both sigmoid outputs within 2, at every boundary") {
    test::Worst e, l, value, complement;
    size_t sigmoid_differs = 0;  // inputs where sigmoid(r) is not bit for bit sigmoid_pair(r).value
    for (const float x : test::math_boundary_inputs()) {
        e.see(x, test::ulp_error(ugrad::exp(x), test::ref_exp(x)));
        l.see(x, test::ulp_error(ugrad::log(x), test::ref_log(x)));
        const ugrad::SigmoidPair<float> s = ugrad::sigmoid_pair(x);
        value.see(x, test::ulp_error(s.value, test::ref_sigmoid(x)));
        complement.see(x, test::ulp_error(s.complement, test::ref_sigmoid_complement(x)));
        sigmoid_differs += ugrad::bit_cast<uint32_t>(ugrad::sigmoid(x)) != ugrad::bit_cast<uint32_t>(s.value);
    }
    INFO("exp: worst input ", static_cast<double>(e.at), ", error ", e.err, " ULP");
    INFO("log: worst input ", static_cast<double>(l.at), ", error ", l.err, " ULP");
    INFO("sigmoid: worst input ", static_cast<double>(value.at), ", error ", value.err, " ULP");
    INFO("complement: worst input ", static_cast<double>(complement.at), ", error ", complement.err, " ULP");
    CHECK(e.err <= exp_log_bound);
    CHECK(l.err <= exp_log_bound);
    CHECK(value.err <= sigmoid_bound);
    CHECK(complement.err <= sigmoid_bound);
    CHECK(sigmoid_differs == 0);
}

TEST_CASE("tanh is within 2 ULP at every boundary, and odd bit for bit there") {
    test::Worst w;
    size_t not_odd = 0;  // inputs where tanh(−x) is not −tanh(x) bit for bit
    for (const float x : test::math_boundary_inputs()) {
        const float t = ugrad::tanh(x);
        w.see(x, test::ulp_error(t, test::ref_tanh(x)));
        not_odd += ugrad::bit_cast<uint32_t>(ugrad::tanh(-x)) != (ugrad::bit_cast<uint32_t>(t) ^ 0x80000000u);
    }
    INFO("tanh: worst input ", static_cast<double>(w.at), ", error ", w.err, " ULP");
    CHECK(w.err <= tanh_bound);
    CHECK(not_odd == 0);
}
