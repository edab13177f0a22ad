// tests/fuzz/fuzz_math.cpp — libFuzzer target: ugrad::exp, ugrad::log and ugrad::sigmoid_pair on
// arbitrary bit patterns, float and double.
//
// The input is read twice: as consecutive 4-byte floats and as consecutive 8-byte doubles (every
// bit pattern counts: NaNs with payloads, ±inf, ±0, subnormals, the overflow and underflow edges).
// For each value the target checks, and aborts on the first violation:
//   special values   exp(NaN) = NaN, exp(+inf) = +inf, exp(−inf) = +0; log(NaN) = NaN,
//                    log(±0) = −inf, log(x < 0) = NaN, log(+inf) = +inf; σ(NaN) = NaN
//   range            exp(x) >= 0; σ(r) and 1 − σ(r) in [0, 1]
//   accuracy         against the C library in the next wider format (double for float, long
//                    double for double), within the error model of tests/error_bound.hpp:
//                    |f − ref| <= ulps·u·|ref| + 2·η   (u = 2^-24 or 2^-53, η the subnormal spacing
//                    halved), with ulps = math_ulps for exp and log and sigmoid_ulps for σ and 1 − σ.
//                    A result that rounds past the format's largest value may be ±inf.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstdlib>
#include <limits>

#include "../error_bound.hpp"

namespace {

constexpr double nan_ = std::numeric_limits<double>::quiet_NaN();
constexpr double inf_ = std::numeric_limits<double>::infinity();

template <typename T> struct Format;
template <> struct Format<float> {
    using Wide = double;
    using Bits = uint32_t;
    static constexpr double u = 1.0 / 16777216.0;                         // 2^-24
    static constexpr double eta = 7.0064923216240861e-46;                 // 2^-150
    static constexpr double max = static_cast<double>(FLT_MAX);
};
template <> struct Format<double> {
    using Wide = long double;
    using Bits = uint64_t;
    static constexpr long double u = 1.0L / 9007199254740992.0L;          // 2^-53
    static constexpr long double eta = 2.4703282292062327209e-324L;       // 2^-1075
    static constexpr long double max = static_cast<long double>(DBL_MAX);
};

[[noreturn]] void fail(const char* what, double x, double got, double want) {
    std::fprintf(stderr, "fuzz_math: %s: x = %a, got %a, want %a\n", what, x, got, want);
    std::abort();
}

// got within ulps·u·|want| + 2η of want; or both infinite of the same sign; or got = ±inf when
// want is within that tolerance of the overflow threshold.
template <typename T>
bool close(T got, typename Format<T>::Wide want, double ulps) {
    using W = typename Format<T>::Wide;
    const W tol = static_cast<W>(ulps) * Format<T>::u * std::fabs(want) + 2 * Format<T>::eta;
    if (std::isinf(got)) return std::fabs(want) + tol >= Format<T>::max && (got > 0) == (want > 0);
    return std::fabs(static_cast<W>(got) - want) <= tol;
}

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
        if (std::isnan(e) || e < 0 || !close(e, want, test::math_ulps))
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
        if (!close(l, want, test::math_ulps)) fail("log", xd, static_cast<double>(l), static_cast<double>(want));
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
    if (!close(s.value, value, test::sigmoid_ulps)) fail("sigmoid", xd, static_cast<double>(s.value), static_cast<double>(value));
    if (!close(s.complement, complement, test::sigmoid_ulps))
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
