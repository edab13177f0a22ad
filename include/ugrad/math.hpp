// ugrad/math.hpp — the library's own elementary functions: no libm, no double in the float path.
//
// Float path (what the network uses for T = float): only binary32 + - * /, comparisons and
// integer bit operations, so with -ffp-contract=off the same bits come out on every IEEE target.
// Double path (the host reference, T = double): the same algorithms carried out in binary64 with
// longer polynomials; it also uses no libm, so every header compiles freestanding.
#pragma once

#include <stdint.h>

namespace ugrad {

// Reinterpret the bits of one trivially copyable value as another of the same size.
template <typename To, typename From>
constexpr To bit_cast(const From& from) noexcept {
    static_assert(sizeof(To) == sizeof(From), "bit_cast needs equal sizes");
    return __builtin_bit_cast(To, from);
}

// True when x is neither NaN nor ±inf (decided on the exponent bits, immune to -ffast-math).
constexpr bool is_finite(float x) noexcept {
    return (bit_cast<uint32_t>(x) & 0x7f800000u) != 0x7f800000u;
}
constexpr bool is_finite(double x) noexcept {
    return (bit_cast<uint64_t>(x) & 0x7ff0000000000000ull) != 0x7ff0000000000000ull;
}
constexpr bool is_nan(float x) noexcept { return (bit_cast<uint32_t>(x) & 0x7fffffffu) > 0x7f800000u; }
constexpr bool is_nan(double x) noexcept {
    return (bit_cast<uint64_t>(x) & 0x7fffffffffffffffull) > 0x7ff0000000000000ull;
}

// Quiet NaN and +inf of each type, built from bits.
template <typename T> constexpr T quiet_nan() noexcept;
template <> constexpr float quiet_nan<float>() noexcept { return bit_cast<float>(0x7fc00000u); }
template <> constexpr double quiet_nan<double>() noexcept { return bit_cast<double>(0x7ff8000000000000ull); }
template <typename T> constexpr T infinity() noexcept;
template <> constexpr float infinity<float>() noexcept { return bit_cast<float>(0x7f800000u); }
template <> constexpr double infinity<double>() noexcept { return bit_cast<double>(0x7ff0000000000000ull); }

namespace detail {
// 2^k as a float, for k in [-126, 127] (normal range).
constexpr float pow2f(int32_t k) noexcept { return bit_cast<float>(static_cast<uint32_t>(k + 127) << 23); }
constexpr double pow2d(int64_t k) noexcept { return bit_cast<double>(static_cast<uint64_t>(k + 1023) << 52); }
}  // namespace detail

// e^x. x = k·ln2 + r with |r| <= ln2/2 (Cody–Waite split of ln2), e^r by polynomial, then 2^k
// applied in two exact steps so that subnormal results round once.
// Special values: exp(NaN) = NaN, exp(+inf) = +inf, exp(-inf) = +0, overflow -> +inf, underflow -> 0.
inline float exp(float x) noexcept {
    if (is_nan(x)) return x;
    if (x > 88.72284f) return infinity<float>();
    if (x < -103.97909f) return 0.0f;
    const float log2e = 1.44269504f;
    const float t = x * log2e;
    const int32_t k = static_cast<int32_t>(t < 0.0f ? t - 0.5f : t + 0.5f);
    const float kf = static_cast<float>(k);
    const float r = (x - kf * 0.693145751953125f) - kf * 1.428606765330187e-06f;
    // Taylor polynomial of e^r to degree 7, Horner form.
    float p = 1.0f / 5040.0f;
    p = p * r + 1.0f / 720.0f;
    p = p * r + 1.0f / 120.0f;
    p = p * r + 1.0f / 24.0f;
    p = p * r + 1.0f / 6.0f;
    p = p * r + 0.5f;
    p = p * r + 1.0f;
    p = p * r + 1.0f;
    if (k > 127) return (p * 2.0f) * detail::pow2f(k - 1);
    if (k < -126) return (p * detail::pow2f(k + 64)) * detail::pow2f(-64);
    return p * detail::pow2f(k);
}

// Natural logarithm. x = 2^e·m with m in [sqrt(1/2), sqrt(2)), s = (m-1)/(m+1),
// log m = 2·atanh(s) = 2(s + s^3/3 + s^5/5 + ...), log x = e·ln2 + log m.
// Special values: log(±0) = -inf, log(x < 0) = NaN, log(+inf) = +inf, log(NaN) = NaN; subnormals exact-scaled.
inline float log(float x) noexcept {
    uint32_t bits = bit_cast<uint32_t>(x);
    if (is_nan(x)) return x;
    if ((bits & 0x7fffffffu) == 0) return -infinity<float>();
    if (bits >> 31) return quiet_nan<float>();
    if (bits == 0x7f800000u) return x;
    int32_t e = 0;
    if (bits < 0x00800000u) {  // subnormal: scale by 2^25 exactly
        bits = bit_cast<uint32_t>(x * 33554432.0f);
        e = -25;
    }
    e += static_cast<int32_t>(bits >> 23) - 127;
    uint32_t mbits = (bits & 0x007fffffu) | 0x3f800000u;  // m in [1, 2)
    if (mbits > 0x3fb504f3u) {                             // m > sqrt(2): halve it
        mbits -= 0x00800000u;
        e += 1;
    }
    const float m = bit_cast<float>(mbits);
    const float s = (m - 1.0f) / (m + 1.0f);
    const float s2 = s * s;
    float p = 1.0f / 11.0f;
    p = p * s2 + 1.0f / 9.0f;
    p = p * s2 + 1.0f / 7.0f;
    p = p * s2 + 1.0f / 5.0f;
    p = p * s2 + 1.0f / 3.0f;
    const float log_m = 2.0f * s + 2.0f * s * s2 * p;
    const float ef = static_cast<float>(e);
    return ef * 0.693145751953125f + (ef * 1.428606765330187e-06f + log_m);
}

// Double versions: the host reference path (T = double). Same shape, longer polynomials.
inline double exp(double x) noexcept {
    if (is_nan(x)) return x;
    if (x > 709.782712893384) return infinity<double>();
    if (x < -745.1332191019412) return 0.0;
    const double t = x * 1.4426950408889634;
    const int64_t k = static_cast<int64_t>(t < 0.0 ? t - 0.5 : t + 0.5);
    const double kd = static_cast<double>(k);
    const double r = (x - kd * 6.93147180369123816490e-01) - kd * 1.90821492927058770002e-10;
    // Taylor polynomial of e^r to degree 13.
    double p = 1.0 / 6227020800.0;
    const double inv_fact[] = {1.0 / 479001600.0, 1.0 / 39916800.0, 1.0 / 3628800.0, 1.0 / 362880.0,
                               1.0 / 40320.0,     1.0 / 5040.0,     1.0 / 720.0,     1.0 / 120.0,
                               1.0 / 24.0,        1.0 / 6.0,        0.5,             1.0,
                               1.0};
    for (double c : inv_fact) p = p * r + c;
    if (k > 1023) return (p * 2.0) * detail::pow2d(k - 1);
    if (k < -1022) return (p * detail::pow2d(k + 512)) * detail::pow2d(-512);
    return p * detail::pow2d(k);
}

inline double log(double x) noexcept {
    uint64_t bits = bit_cast<uint64_t>(x);
    if (is_nan(x)) return x;
    if ((bits & 0x7fffffffffffffffull) == 0) return -infinity<double>();
    if (bits >> 63) return quiet_nan<double>();
    if (bits == 0x7ff0000000000000ull) return x;
    int64_t e = 0;
    if (bits < 0x0010000000000000ull) {
        bits = bit_cast<uint64_t>(x * 18014398509481984.0);  // 2^54
        e = -54;
    }
    e += static_cast<int64_t>(bits >> 52) - 1023;
    uint64_t mbits = (bits & 0x000fffffffffffffull) | 0x3ff0000000000000ull;
    if (mbits > 0x3ff6a09e667f3bcdull) {
        mbits -= 0x0010000000000000ull;
        e += 1;
    }
    const double m = bit_cast<double>(mbits);
    const double s = (m - 1.0) / (m + 1.0);
    const double s2 = s * s;
    double p = 1.0 / 25.0;
    for (int n = 23; n >= 3; n -= 2) p = p * s2 + 1.0 / n;
    const double log_m = 2.0 * s + 2.0 * s * s2 * p;
    const double ed = static_cast<double>(e);
    return ed * 6.93147180369123816490e-01 + (ed * 1.90821492927058770002e-10 + log_m);
}

// Logistic sigmoid σ(r) = 1/(1+e^{-r}) together with its complement 1-σ(r) = σ(-r), both from one
// exp of -|r| so that neither overflows and neither loses precision for large |r|:
// with e = e^{-|r|} and d = 1/(1+e), σ(|r|) = d and σ(-|r|) = e·d.
template <typename T>
struct SigmoidPair {
    T value;       // σ(r)
    T complement;  // 1 - σ(r), computed as σ(-r)
};
template <typename T>
inline SigmoidPair<T> sigmoid_pair(T r) noexcept {
    const bool negative = r < T(0);
    const T e = ugrad::exp(negative ? r : -r);
    const T d = T(1) / (T(1) + e);
    const T small = e * d;
    return negative ? SigmoidPair<T>{small, d} : SigmoidPair<T>{d, small};
}
template <typename T>
inline T sigmoid(T r) noexcept { return sigmoid_pair(r).value; }

}  // namespace ugrad
