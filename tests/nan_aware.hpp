// SPDX-License-Identifier: Apache-2.0
// tests/nan_aware.hpp — how the specs fold errors into a worst case: a NaN counts as an infinite
// error. std::fmax(0, NaN) is 0 and std::max(0.0, NaN) is 0.0, so a worst case kept with either
// drops a NaN, and an all-NaN result would score an error of 0 and pass any tolerance.
// tests/test_nan_aware.cpp checks these helpers themselves.
#pragma once

#include <limits>

namespace test {

// e, with a NaN read as +inf: an error no tolerance accepts.
template <typename T>
T as_error(T e) {
    return e != e ? std::numeric_limits<T>::infinity() : e;
}

// The larger of two errors, a NaN in either counting as +inf.
template <typename T>
T worse_error(T worst, T e) {
    worst = as_error(worst);
    e = as_error(e);
    return e > worst ? e : worst;
}

// The smaller of two scores where smaller is worse (a cosine, a ratio of agreement): a NaN in
// either counts as −inf, the worst score there is.
template <typename T>
T worse_score(T worst, T s) {
    const T lowest = -std::numeric_limits<T>::infinity();
    if (worst != worst || s != s) return lowest;
    return s < worst ? s : worst;
}

// The larger of two error bounds, a NaN in either kept as NaN: every `error <= bound` against it
// then fails (a NaN bound read as +inf would accept anything).
template <typename T>
T larger_bound(T a, T b) {
    if (a != a || b != b) return std::numeric_limits<T>::quiet_NaN();
    return a > b ? a : b;
}

}  // namespace test
