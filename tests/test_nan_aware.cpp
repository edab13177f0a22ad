// SPDX-License-Identifier: Apache-2.0
// Specs of the specs' own comparison helpers (tests/nan_aware.hpp, tests/support.hpp,
// tests/network_support.hpp, tests/math_accuracy.hpp): a NaN is the worst error there is, never 0.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include "math_accuracy.hpp"
#include "nan_aware.hpp"
#include "network_support.hpp"
#include "support.hpp"

namespace {
constexpr double not_a_number = std::numeric_limits<double>::quiet_NaN();
constexpr double inf = std::numeric_limits<double>::infinity();
}  // namespace

TEST_CASE("comparison helpers: std::fmax and std::max drop a NaN, which is why the specs do not fold errors with them") {
    CHECK(std::fmax(0.0, not_a_number) == 0.0);
    CHECK(std::max(0.0, not_a_number) == 0.0);
}

TEST_CASE("comparison helpers: a NaN error counts as +inf in either place, and the larger finite error is kept") {
    CHECK(test::as_error(not_a_number) == inf);
    CHECK(test::as_error(0.5) == 0.5);
    CHECK(test::worse_error(0.0, not_a_number) == inf);
    CHECK(test::worse_error(not_a_number, 0.0) == inf);
    CHECK(test::worse_error(0.25, 0.5) == 0.5);
    CHECK(test::worse_error(0.5, 0.25) == 0.5);
    CHECK(test::worse_error(0.0L, static_cast<long double>(not_a_number)) == std::numeric_limits<long double>::infinity());
}

TEST_CASE("comparison helpers: a NaN score (a cosine) counts as -inf, and the smaller score is kept") {
    CHECK(test::worse_score(1.0, not_a_number) == -inf);
    CHECK(test::worse_score(not_a_number, 1.0) == -inf);
    CHECK(test::worse_score(0.9, 0.5) == 0.5);
    CHECK(test::worse_score(0.5, 0.9) == 0.5);
}

TEST_CASE("comparison helpers: a NaN bound stays NaN, so that no error is within it") {
    const double bound = test::larger_bound(1.0, not_a_number);
    CHECK_FALSE(0.0 <= bound);
    CHECK_FALSE(0.0 <= test::larger_bound(not_a_number, 1.0));
    CHECK(test::larger_bound(0.25, 0.5) == 0.5);
    CHECK(test::larger_bound(0.5, 0.25) == 0.5);
}

TEST_CASE("comparison helpers: relative_error of an all-NaN gradient, or against a NaN reference, is +inf") {
    const double reference[3] = {0.5, -1.0, 2.0}, all_nan[3] = {not_a_number, not_a_number, not_a_number}, one_nan[3] = {0.5, not_a_number, 2.0};
    CHECK(test::relative_error(all_nan, reference) == inf);
    CHECK(test::relative_error(one_nan, reference) == inf);
    CHECK(test::relative_error(reference, one_nan) == inf);
    CHECK(test::relative_error(reference, reference) == 0.0);
    const double off[3] = {0.5, -1.0, 2.5}, zero[3] = {0, 0, 0};
    CHECK(test::relative_error(off, reference) == 0.25);  // ‖a − b‖∞ / ‖b‖∞ = 0.5 / 2
    CHECK(test::relative_error(off, zero) == 2.5);        // absolute against a zero reference
}

TEST_CASE("comparison helpers: a NaN finite-difference error is recorded and returned as +inf") {
    const double before = test::worst_fd_error();
    CHECK(test::record_fd_error(not_a_number) == inf);
    CHECK(test::worst_fd_error() == inf);
    test::worst_fd_error() = before;  // the closing line reports the real errors
    auto& table = test::fd_errors_by_name();
    const auto saved = table;
    test::record_named_fd_error("nan-check", 0.0);
    test::record_named_fd_error("nan-check", not_a_number);
    CHECK(table.back().worst == inf);
    table = saved;
}

TEST_CASE("comparison helpers: a NaN result is the worst ULP error, at its input") {
    test::Worst w;
    w.see(1.0f, 0.5);
    w.see(2.0f, not_a_number);
    w.see(3.0f, 1.0);
    CHECK(w.err == inf);
    CHECK(w.at == 2.0f);
    CHECK(test::ulp_error(std::numeric_limits<float>::quiet_NaN(), 1.0) == inf);
}
