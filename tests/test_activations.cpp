// SPDX-License-Identifier: Apache-2.0
// Specs: each activation's slope act′(r_j) as slope_at recovers it from what forward keeps
// (include/ugrad/activations.hpp), value by value, and the same slope multiply_by_slope applies.
#include <doctest/doctest.h>

#include <cmath>
#include <limits>

#include <ugrad/activations.hpp>

namespace {

// multiply_by_slope on a vector of ones gives the slopes themselves; slope_at must agree with it,
// NaN for NaN.
template <class Act, size_t N, typename T>
void check_agrees_with_multiply_by_slope(const ugrad::LayerOutput<Act, N, T>& out) {
    T d[N];
    for (T& e : d) e = T(1);
    ugrad::multiply_by_slope(out, d);
    for (size_t j = 0; j < N; ++j) {
        CAPTURE(j);
        const T s = ugrad::slope_at(out, j);
        if (std::isnan(d[j])) CHECK(std::isnan(s));
        else CHECK(s == d[j]);
    }
}

}  // namespace

TEST_CASE_TEMPLATE("slope_at: ReLU's slope is 1 above 0, 0 at 0 (and below, which forward never keeps), NaN for a NaN output", T, float, double) {
    const T nan = std::numeric_limits<T>::quiet_NaN();
    const ugrad::LayerOutput<ugrad::Relu, 6, T> out = {{T(2), T(0.5), T(0), T(1e-30), nan, T(-1)}};
    CHECK(ugrad::slope_at(out, 0) == T(1));
    CHECK(ugrad::slope_at(out, 1) == T(1));
    CHECK(ugrad::slope_at(out, 2) == T(0));
    CHECK(ugrad::slope_at(out, 3) == T(1));
    CHECK(std::isnan(ugrad::slope_at(out, 4)));
    CHECK(ugrad::slope_at(out, 5) == T(0));
    check_agrees_with_multiply_by_slope(out);
}

TEST_CASE_TEMPLATE("slope_at: Identity 1, Tanh (1 - y)(1 + y), Sigmoid its kept slope", T, float, double) {
    const ugrad::LayerOutput<ugrad::Identity, 3, T> identity = {{T(-3), T(0), T(5)}};
    for (size_t j = 0; j < 3; ++j) CHECK(ugrad::slope_at(identity, j) == T(1));
    check_agrees_with_multiply_by_slope(identity);
    const ugrad::LayerOutput<ugrad::Tanh, 3, T> tanh = {{T(-0.5), T(0), T(0.75)}};
    CHECK(ugrad::slope_at(tanh, 0) == T(0.75));
    CHECK(ugrad::slope_at(tanh, 1) == T(1));
    CHECK(ugrad::slope_at(tanh, 2) == T(0.4375));
    check_agrees_with_multiply_by_slope(tanh);
    const ugrad::LayerOutput<ugrad::Sigmoid, 2, T> sigmoid = {{T(0.5), T(0.75)}, {T(0.25), T(0.1875)}};
    CHECK(ugrad::slope_at(sigmoid, 0) == T(0.25));
    CHECK(ugrad::slope_at(sigmoid, 1) == T(0.1875));
    check_agrees_with_multiply_by_slope(sigmoid);
}
