// SPDX-License-Identifier: Apache-2.0
// tests/fuzz/fuzz_math.cpp — libFuzzer target: ugrad::exp, ugrad::log and ugrad::sigmoid_pair on
// arbitrary bit patterns, float and double.
//
// The input is read twice: as consecutive 4-byte floats and as consecutive 8-byte doubles (every
// bit pattern counts: NaNs with payloads, ±inf, ±0, subnormals, the overflow and underflow edges).
// For each value the target checks, and aborts on the first violation:
//   special values   exp(NaN) = NaN, exp(+inf) = +inf, exp(−inf) = +0; log(NaN) = NaN,
//                    log(±0) = −inf, log(x < 0) = NaN, log(+inf) = +inf; σ(NaN) = NaN
//   range            exp(x) >= 0; σ(r) and 1 − σ(r) in [0, 1]
//   accuracy         the documented bounds (include/ugrad/math.hpp, docs/math.md): float exp and
//                    log within 1 ULP and σ(r), 1 − σ(r) within 2 ULP of the double-precision libm
//                    value, ULPs as docs/math.md defines them; the double path within 8·DBL_EPSILON
//                    relative (plus 2^-1074) of the long double libm value. A result whose
//                    reference rounds past the largest finite value must be +inf.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include <ugrad/math.hpp>

namespace {

constexpr double nan_ = std::numeric_limits<double>::quiet_NaN();
constexpr double inf_ = std::numeric_limits<double>::infinity();

template <typename T> struct Format;
template <> struct Format<float> {
    using Wide = double;
    using Bits = uint32_t;
};
template <> struct Format<double> {
    using Wide = long double;
    using Bits = uint64_t;
};

[[noreturn]] void fail(const char* what, double x, double got, double want) {
    std::fprintf(stderr, "fuzz_math: %s: x = %a, got %a, want %a\n", what, x, got, want);
    std::abort();
}

// Float: the error in ULPs as docs/math.md defines it, |got − ref| / ulp(RN32(ref)) with
// ulp(y) = 2^(max(⌊log2 |y|⌋, −126) − 23); where RN32(ref) is ±inf, got must be that infinity.
bool close(float got, double want, double ulps) {
    const float want32 = static_cast<float>(want);
    if (std::isinf(want32) || std::isinf(got)) return got == want32;
    const int exponent = want32 == 0.0f ? -126 : std::max(std::ilogb(want32), -126);
    return std::fabs(static_cast<double>(got) - want) <= ulps * std::ldexp(1.0, exponent - 23);
}
// Double: relative error within `relative`, plus one subnormal spacing 2^-1074 for results in
// or near the subnormal range; where the reference rounds past DBL_MAX, got may be +inf.
bool close(double got, long double want, double relative) {
    const long double tolerance = static_cast<long double>(relative) * std::fabs(want) + 0x1p-1074L;
    if (std::isinf(got)) return std::fabs(want) + tolerance >= static_cast<long double>(DBL_MAX) && (got > 0) == (want > 0);
    return std::fabs(static_cast<long double>(got) - want) <= tolerance;
}

// The documented accuracy (include/ugrad/math.hpp, docs/math.md): float exp and log within 1 ULP
// and both members of sigmoid_pair within 2 ULP; the double path (the host reference) within
// 8·DBL_EPSILON relative, as tests/test_math_sampled.cpp states it.
double exp_log_tolerance(float) { return 1.0; }
double sigmoid_tolerance(float) { return 2.0; }
double exp_log_tolerance(double) { return 8 * DBL_EPSILON; }
double sigmoid_tolerance(double) { return 8 * DBL_EPSILON; }

template <typename T>
void check(T x) {
    using W = typename Format<T>::Wide;
    const W xw = static_cast<W>(x);
    const double xd = static_cast<double>(x);

    // exp
    const T e = ugrad::exp(x);
    if (std::isnan(x)) {
        if (!std::isnan(e)) fail("exp(NaN) not NaN", xd, static_cast<double>(e), nan_);
    } else if (std::isinf(x)) {
        const bool right = x > 0 ? (std::isinf(e) && e > 0) : (e == 0 && !std::signbit(e));
        if (!right) fail("exp(±inf)", xd, static_cast<double>(e), x > 0 ? inf_ : 0.0);
    } else {
        const W want = std::exp(xw);
        if (std::isnan(e) || e < 0 || !close(e, want, exp_log_tolerance(x)))
            fail("exp", xd, static_cast<double>(e), static_cast<double>(want));
    }

    // log
    const T l = ugrad::log(x);
    if (std::isnan(x)) {
        if (!std::isnan(l)) fail("log(NaN) not NaN", xd, static_cast<double>(l), nan_);
    } else if (x == 0) {
        if (!(std::isinf(l) && l < 0)) fail("log(±0) not -inf", xd, static_cast<double>(l), -inf_);
    } else if (x < 0) {
        if (!std::isnan(l)) fail("log(x < 0) not NaN", xd, static_cast<double>(l), nan_);
    } else if (std::isinf(x)) {
        if (!(std::isinf(l) && l > 0)) fail("log(+inf) not +inf", xd, static_cast<double>(l), inf_);
    } else {
        const W want = std::log(xw);
        if (!close(l, want, exp_log_tolerance(x))) fail("log", xd, static_cast<double>(l), static_cast<double>(want));
    }

    // σ(r) and 1 − σ(r) = σ(−r)
    const ugrad::SigmoidPair<T> s = ugrad::sigmoid_pair(x);
    if (std::isnan(x)) {
        if (!std::isnan(s.value) || !std::isnan(s.complement))
            fail("sigmoid(NaN) not NaN", xd, static_cast<double>(s.value), nan_);
        return;
    }
    if (!(s.value >= 0 && s.value <= 1 && s.complement >= 0 && s.complement <= 1))
        fail("sigmoid out of [0, 1]", xd, static_cast<double>(s.value), static_cast<double>(s.complement));
    const W value = 1 / (1 + std::exp(-xw)), complement = 1 / (1 + std::exp(xw));
    if (!close(s.value, value, sigmoid_tolerance(x))) fail("sigmoid", xd, static_cast<double>(s.value), static_cast<double>(value));
    if (!close(s.complement, complement, sigmoid_tolerance(x)))
        fail("1 - sigmoid", xd, static_cast<double>(s.complement), static_cast<double>(complement));
    if (ugrad::sigmoid(x) != s.value) fail("sigmoid differs from sigmoid_pair", xd, static_cast<double>(ugrad::sigmoid(x)), static_cast<double>(s.value));
}

template <typename T>
void check_all(const uint8_t* data, size_t size) {
    for (size_t at = 0; at + sizeof(T) <= size; at += sizeof(T)) {
        typename Format<T>::Bits bits;
        memcpy(&bits, data + at, sizeof bits);
        T x;
        memcpy(&x, &bits, sizeof x);
        check(x);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    check_all<float>(data, size);
    check_all<double>(data, size);
    return 0;
}
