// SPDX-License-Identifier: Apache-2.0
// ugrad/math.hpp — the library's own elementary functions: no libm, no double in the float path.
//
// Float path (what the network uses for T = float): exp, log, sigmoid_pair<float> and tanh use only
// binary32 + − × ÷, comparisons and integer bit operations (no conversion between float and int, no
// FMA, one 16-entry table), so with -ffp-contract=off the same bits come out on every IEEE target.
// Proven on all 2^32 inputs against libm in double (tools/math/exhaustive.cpp, `make
// test-exhaustive`): exp and log within 1 ULP, both members of sigmoid_pair and tanh within 2 ULP,
// every special value exact. The error analysis and the measured figures: docs/math.md.
// Double path (the host reference, T = double): another algorithm — a degree-13 Taylor polynomial
// for exp and the atanh series for log, in binary64, with the generic sigmoid_pair, and tanh from
// the sinh and cosh series and that exp — accurate to a few double ULPs; it also uses no libm, so
// every header compiles freestanding.
#pragma once

#include <stdint.h>

#include <ugrad/fp_contract.hpp>

UGRAD_FP_CONTRACT_OFF_BEGIN

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
// 2^k as a double, for k in [-1022, 1023] (normal range).
constexpr double pow2d(int64_t k) noexcept { return bit_cast<double>(static_cast<uint64_t>(k + 1023) << 52); }

// 2^(j/16) = hi + lo for j = 0..15: hi is the binary32 nearest, lo the binary32 nearest the rest
// (|2^(j/16) − hi − lo| < 2^−49). Printed by tools/math/minimax.py.
struct ExpTableEntry {
    float hi, lo;
};
constexpr ExpTableEntry exp_table[16] = {
    {1.0f, 0.0f},
    {1.0442737340927124f, 4.8334701574503924e-08f},
    {1.0905077457427979f, -1.3077539939843064e-08f},
    {1.1387885808944702f, 5.386222312608879e-08f},
    {1.1892070770263672f, 3.797635272917432e-08f},
    {1.2418577671051025f, 4.496838101886169e-08f},
    {1.2968395948410034f, -4.018999533172973e-08f},
    {1.3542555570602417f, -1.0123349269974824e-08f},
    {1.4142135381698608f, 2.4203234971764687e-08f},
    {1.4768261909484863f, -4.500898853621038e-08f},
    {1.5422108173370361f, 8.070904833346049e-09f},
    {1.610490322113037f, 9.836217174097328e-09f},
    {1.6817928552627563f, -2.4755326677450284e-08f},
    {1.7562521696090698f, -9.235770370707996e-09f},
    {1.8340080976486206f, -1.1239277952768134e-08f},
    {1.9152065515518188f, 9.845328108326612e-09f},
};

// 1.5·2^23: for |t| < 2^22, t + round_shift lies in [2^23, 2^24), where the spacing of floats is
// 1, so the addition rounds t to the nearest integer k and the low bits of the sum hold k:
// bits(t + round_shift) = 0x4b400000 + k.
constexpr float round_shift = 12582912.0f;

// e^x = 2^(k/16)·e^r for |x| <= 104, in pieces: 2^(j/16)·e^r = hi + tail (j = k mod 16; hi + tail
// in [0.98, 1.96], |tail| < 0.09·hi, not yet added so that sigmoid_pair can keep what the addition
// rounds off) and the bits u = 0x4b400000 + k, from which j = u & 15 and (u >> 4) << 23 is
// floor(k/16)·2^23 mod 2^32 (0x4b400000 is a multiple of 16, and 0x4b40000·2^23 ≡ 0 mod 2^32).
struct ExpParts {
    float hi, tail;
    uint32_t u;
};
// exp_parts' constants: 16/ln2 rounded; ln2/16 = exp_step_hi + exp_step_lo, exp_step_hi of 12
// bits; the cubic's coefficients (tools/math/minimax.py). include/ugrad/elementwise.hpp uses them too.
constexpr float exp_inv_step = 23.083120346069336f;
constexpr float exp_step_hi = 0.0433197021484375f;
constexpr float exp_step_lo = 1.9966364561696537e-06f;
constexpr float exp_c2 = 0.5000196099281311f;
constexpr float exp_c3 = 0.16667057573795319f;

inline ExpParts exp_parts(float x) noexcept {
    // k = round(x·16/ln2); r = x − k·ln2/16 with ln2/16 = step_hi + step_lo, step_hi of 12 bits
    // so k·step_hi and x − k·step_hi are exact (|k| <= 2401); |r| <= 1.0005·ln2/32 (x·16/ln2 is
    // rounded before k is).
    const float shifted = x * exp_inv_step + round_shift;
    const float kf = shifted - round_shift;
    const float r = (x - kf * exp_step_hi) - kf * exp_step_lo;
    // e^r − 1 = r + r²(c2 + c3·r): minimax on |r| <= ln2/32, relative error < 2^-28.6.
    const float p = r + (r * r) * (exp_c2 + r * exp_c3);
    const uint32_t u = bit_cast<uint32_t>(shifted);
    const ExpTableEntry& t = exp_table[u & 15u];
    // 2^(j/16)·(1 + p) = hi + (lo + hi·p)
    return {t.hi, t.lo + t.hi * p, u};
}

// e^x for |x| >= 87, ±inf and NaN: results that may overflow, be subnormal or underflow to 0.
// The scaling by 2^floor(k/16) is split in two so that the first step stays exact and the second
// (×2, or ×2^-64 into the subnormal range) is the only rounding.
inline float exp_outside(float x) noexcept {
    if (is_nan(x)) return x + x;
    if (x > 89.0f) return infinity<float>();  // e^89 > FLT_MAX: +inf, as for every larger x
    if (x < -104.0f) return 0.0f;             // e^-104 < 2^-150: rounds to +0, as for -inf
    const ExpParts e = exp_parts(x);
    const uint32_t y = bit_cast<uint32_t>(e.hi + e.tail);
    if (x > 0.0f) return bit_cast<float>(y + (((e.u >> 4) - 1u) << 23)) * 2.0f;
    return bit_cast<float>(y + (((e.u >> 4) + 64u) << 23)) * 5.42101086242752217e-20f;  // 2^-64
}
}  // namespace detail

// e^x in binary32 arithmetic (Tang's method with a 16-entry table). x = (16m + j)·ln2/16 + r,
// |r| <= ln2/32; e^x = 2^m·2^(j/16)·e^r, with 2^(j/16) from a table held as hi + lo and e^r − 1 a
// cubic. Within 1 ULP of e^x on every float input: the analysis bounds it by 0.64 ULP for normal
// results and 0.82 for subnormal ones (docs/math.md).
// Special values: exp(NaN) = NaN, exp(+inf) = +inf, exp(−inf) = +0, overflow → +inf, results
// below FLT_MIN are the subnormal nearest (within 1 ULP) or +0.
inline float exp(float x) noexcept {
    // |x| < 87: e^x is a normal float, so 2^m goes straight into the exponent field of y.
    if ((bit_cast<uint32_t>(x) & 0x7fffffffu) >= 0x42ae0000u) return detail::exp_outside(x);  // 87.0f
    const detail::ExpParts e = detail::exp_parts(x);
    return bit_cast<float>(bit_cast<uint32_t>(e.hi + e.tail) + ((e.u >> 4) << 23));
}

namespace detail {
// The logarithm's main path: log of the positive normal float with these bits, times 2^-scaled
// (scaled = 23 when a subnormal x was scaled by 2^23 first). The scheme is described at log below.
inline float log_main(uint32_t bits, uint32_t scaled) noexcept {
    // Mantissa bits at least those of sqrt 2 (0x3504f3) carry 1 into bit 23: then m = mantissa/2.
    const uint32_t mantissa = bits & 0x007fffffu;
    const uint32_t halve = (mantissa + 0x004afb0du) & 0x00800000u;
    const float m = bit_cast<float>(mantissa | (halve ^ 0x3f800000u));
    // k = biased exponent − 127 (+1 when halved, −23 when scaled), made a float without a
    // conversion: bits 0x4b400000 + n are the float 1.5·2^23 + n.
    const float k = bit_cast<float>(0x4b400000u + (bits >> 23) + (halve >> 23) - scaled) - 12583039.0f;
    const float f = m - 1.0f;
    const float s = f / (2.0f + f);
    const float z = s * s;
    const float w = z * z;
    // R = z·(c1 + c2 z + c3 z² + c4 z³), minimax on z <= 0.0295, |error| < 2^-30.7
    const float R = z * (0.6666666865348816f + w * 0.2854679524898529f) +
                    w * (0.40000152587890625f + w * 0.23428520560264587f);
    const float half_f2 = 0.5f * f * f;
    return k * 0.693145751953125f - ((half_f2 - (s * (half_f2 + R) + k * 1.428606765330187e-06f)) - f);
}
}  // namespace detail

// Natural logarithm in binary32 arithmetic (the fdlibm scheme). x = 2^k·m, m in [sqrt(1/2), sqrt 2),
// f = m − 1 (exact), s = f/(2 + f), log m = 2 atanh(s) = 2s + s·R(s²) and, since 2s = f − s·f,
// log m = f − f²/2 + s·(f²/2 + R): the large terms f and f²/2 carry no error from s.
// log x = k·ln2_hi + (log m + k·ln2_lo), ln2_hi of 16 bits so k·ln2_hi is exact.
// Special values: log(±0) = −inf, log(x < 0) = NaN, log(+inf) = +inf, log(NaN) = NaN;
// subnormal x are scaled by 2^23 first.
inline float log(float x) noexcept {
    const uint32_t bits = bit_cast<uint32_t>(x);
    if (bits - 0x00800000u >= 0x7f000000u) {  // not a positive normal float
        if ((bits & 0x7fffffffu) == 0) return -infinity<float>();
        if (bits == 0x7f800000u) return x;
        if (is_nan(x)) return x + x;
        if (bits >> 31) return quiet_nan<float>();
        return detail::log_main(bit_cast<uint32_t>(x * 8388608.0f), 23);  // 2^23
    }
    return detail::log_main(bits, 0);
}

// Double versions: the host reference path (T = double). exp: k = round(x/ln2), Cody–Waite r,
// Taylor polynomial of degree 13; log: the atanh series in s = (m−1)/(m+1) to s^25.
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

namespace detail {
// log s for softmax's sum s = Σ_k e^(θ_k − m), which is at least 1 (its largest term is e^0 = 1)
// unless θ held NaN or ±inf, when it is NaN: for float the main path of log alone, the same bits
// as log(s) on every s >= 1 and on NaN, without the code for the cases that cannot occur.
inline float log_of_sum(float s) noexcept { return s >= 1.0f ? log_main(bit_cast<uint32_t>(s), 0) : s + s; }
inline double log_of_sum(double s) noexcept { return ugrad::log(s); }

// log(1 + x) for x >= 0 (x < 2^24 for float; NaN gives NaN), to a few units of relative error
// however small x is (Goldberg's method): u = 1 + x rounded; u − 1 is exact (Sterbenz for u <= 2,
// and ulp(u) <= 1 above), so x/(u − 1) is the factor by which u missed 1 + x and log(u)·x/(u − 1)
// corrects for it; u = 1 means x < ulp(1)/2, where log(1 + x) = x to within x²/2.
// The softmax's log Σ e^(θ − m) = log1p(Σ_{k≠top} e^(θ_k − m)) and the logistic's softplus tail
// log(1 + e^−|θ|) use it (include/ugrad/softmax.hpp, include/ugrad/heads.hpp).
template <typename T>
inline T log1p_nonnegative(T x) noexcept {
    const T u = T(1) + x;
    return u == T(1) ? x : log_of_sum(u) * (x / (u - T(1)));
}
}  // namespace detail

// Logistic sigmoid σ(r) = 1/(1+e^{-r}) together with its complement 1-σ(r) = σ(-r), both from one
// exp of -|r| so that neither overflows and neither loses precision for large |r|:
// with e = e^{-|r|}, σ(-|r|) = e/(1+e) and σ(|r|) = 1 - σ(-|r|).
template <typename T>
struct SigmoidPair {
    T value;       // σ(r)
    T complement;  // 1 - σ(r), computed as σ(-r)
};

// The double instantiation (the host reference): d = 1/(1+e), σ(-|r|) = e·d, in binary64.
template <typename T>
inline SigmoidPair<T> sigmoid_pair(T r) noexcept {
    const bool negative = r < T(0);
    const T e = ugrad::exp(negative ? r : -r);
    const T d = T(1) / (T(1) + e);
    const T small = e * d;
    return negative ? SigmoidPair<T>{small, d} : SigmoidPair<T>{d, small};
}

// The float path: within 2 ULP for both members on every input (docs/math.md). Rounding e^{-|r|}
// and 1 + e each cost up to half an ULP that the quotient e/(1+e) would inherit, so both are kept:
// e + e_lo = e^{-|r|} and d + d_lo = 1 + e + e_lo exactly (two Fast2Sums), and
// σ(-|r|) = (e + e_lo)/(d + d_lo) ≈ q + (e_lo − q·d_lo)/d with q = e/d and 1/d ≈ 1 − q.
template <>
inline SigmoidPair<float> sigmoid_pair<float>(float r) noexcept {
    const uint32_t bits = bit_cast<uint32_t>(r);
    const float minus_abs = bit_cast<float>(bits | 0x80000000u);  // −|r|
    float small, big;
    if ((bits & 0x7fffffffu) >= 0x42ae0000u) {  // |r| >= 87 or NaN: e < 2^-125, so 1 + e rounds to 1
        small = ugrad::exp(minus_abs);            // and e/(1+e) = e.  (1/(1+e), not 1 − e: a
        big = 1.0f / (1.0f + small);              // software-float 1 − NaN may flip the NaN's sign)
    } else {
        const detail::ExpParts p = detail::exp_parts(minus_abs);
        const float scale = bit_cast<float>(((p.u >> 4) << 23) + 0x3f800000u);  // 2^floor(k/16), normal
        const float y = p.hi + p.tail;
        const float e = y * scale;                         // e^{-|r|} rounded, as exp returns it
        const float e_lo = (p.tail - (y - p.hi)) * scale;  // what that rounding dropped
        const float d = 1.0f + e;
        const float d_lo = (e - (d - 1.0f)) + e_lo;        // 1 + e^{-|r|} = d + d_lo
        const float q = e / d;
        small = q + (e_lo - q * d_lo) * (1.0f - q);
        big = 1.0f - small;
    }
    return (bits >> 31) ? SigmoidPair<float>{small, big} : SigmoidPair<float>{big, small};
}

template <typename T>
inline T sigmoid(T r) noexcept { return sigmoid_pair(r).value; }

namespace detail {
// tanh x ≈ x + x·z·(c1 + c2 z + c3 z² + c4 z³ + c5 z⁴), z = x², for |x| < 0.55: minimax for the
// relative error on |x| <= 1.001·0.55, 2^-27.9 with these float coefficients (tools/math/minimax.py).
constexpr float tanh_c1 = -0.3333333432674408f;
constexpr float tanh_c2 = 0.13333016633987427f;
constexpr float tanh_c3 = -0.0538899265229702f;
constexpr float tanh_c4 = 0.021204311400651932f;
constexpr float tanh_c5 = -0.006438038777559996f;
}  // namespace detail

// Hyperbolic tangent in binary32 arithmetic, odd bit for bit: computed for a = |x|, then given x's
// sign. a < 0.55 (tanh a < 0.5): the odd polynomial above, which returns x itself for tiny x.
// 0.55 <= a < 9.5: with E = e^{-2a}, tanh a = (½ − E/2)/(½ + E/2), where E/2 comes from exp's pieces
// with what its rounding dropped (e + e_lo = E/2), and ½ − E/2 and ½ + E/2 are each kept exactly as
// a pair (Fast2Sum): (n + n_lo)/(d + d_lo) ≈ q + (n_lo − q·d_lo)/d with q = n/d and
// 1/d = 1 + tanh a ≈ 1 + q — one exp-like evaluation, one division. a >= 9.5: tanh a rounds to 1
// (1 − tanh a < 2^-25 from a = 9.011). Within 2 ULP on every input (docs/math.md).
// Special values: tanh(±0) = ±0, tanh(±inf) = ±1, tanh(NaN) = NaN.
inline float tanh(float x) noexcept {
    const uint32_t bits = bit_cast<uint32_t>(x);
    const uint32_t abs_bits = bits & 0x7fffffffu;
    const uint32_t sign = bits & 0x80000000u;
    if (abs_bits < 0x3f0ccccdu) {  // |x| < 0.55: x + x·z·P(z), symmetric in the sign of x as it stands
        // |x| < 2^-12 (±0 and the subnormals too): tanh x = x(1 − x²/3 + …) rounds to x itself
        if (abs_bits < 0x39800000u) return x;
        const float z = x * x;
        const float p = detail::tanh_c1 +
                        z * (detail::tanh_c2 + z * (detail::tanh_c3 + z * (detail::tanh_c4 + z * detail::tanh_c5)));
        return x + x * (z * p);
    }
    if (abs_bits >= 0x41180000u) return is_nan(x) ? x + x : bit_cast<float>(sign | 0x3f800000u);  // 9.5f: ±1
    // e + e_lo = e^{-2a}/2 exactly (2a is exact; e^{-2a} >= e^-19 is a normal float)
    const detail::ExpParts p = detail::exp_parts(bit_cast<float>(abs_bits | 0x80000000u) * 2.0f);
    const float half_scale = bit_cast<float>(((p.u >> 4) << 23) + 0x3f000000u);  // 2^floor(k/16)/2, normal
    const float y = p.hi + p.tail;
    const float e = y * half_scale;
    const float e_lo = (p.tail - (y - p.hi)) * half_scale;
    // tanh a = (n + n_lo)/(d + d_lo), n + n_lo = ½ − e − e_lo, d + d_lo = ½ + e + e_lo, e < 1/6:
    // d − ½ and ½ − n are exact, so d_lo is one rounding and n_lo + d_lo = (½ − n) − (d − ½) exact
    const float n = 0.5f - e;
    const float d = 0.5f + e;
    const float d_part = d - 0.5f;
    const float d_lo = (e - d_part) + e_lo;
    const float sum_lo = (0.5f - n) - d_part;
    // q = n/d; then (n + n_lo)/(d + d_lo) ≈ q + (n_lo − q·d_lo)/d, n_lo − q·d_lo = sum_lo − d_lo·(1 + q),
    // and 1/d = 1 + tanh a ≈ 1 + q
    const float q = n / d;
    const float h = 1.0f + q;
    const float t = q + (sum_lo - d_lo * h) * h;
    return bit_cast<float>(bit_cast<uint32_t>(t) | sign);
}

// The double version (the host reference path): |x| < 0.55, sinh and cosh from their Taylor
// series to x^19 and x^18 (the first term left out is below 2^-78 of the sum) and tanh = sinh/cosh;
// above, (1 − e)/(1 + e) with e = exp(−2|x|) in double. A few double ULPs.
inline double tanh(double x) noexcept {
    if (is_nan(x)) return x + x;
    const uint64_t sign = bit_cast<uint64_t>(x) & 0x8000000000000000ull;
    const double a = bit_cast<double>(bit_cast<uint64_t>(x) ^ sign);
    double t;
    if (a < 0.55) {
        // sinh a = a·(1 + z/(2·3)·(1 + z/(4·5)·(…))), cosh a = 1 + z/(1·2)·(1 + z/(3·4)·(…)), z = a²
        const double z = a * a;
        double s = 1.0, c = 1.0;
        for (int k = 9; k >= 1; --k) {
            s = 1.0 + s * z / static_cast<double>((2 * k) * (2 * k + 1));
            c = 1.0 + c * z / static_cast<double>((2 * k - 1) * (2 * k));
        }
        t = a * s / c;
    } else {
        const double e = ugrad::exp(-2.0 * a);  // +0 for a > 372.6, and then t = 1
        t = (1.0 - e) / (1.0 + e);
    }
    return bit_cast<double>(bit_cast<uint64_t>(t) | sign);
}

}  // namespace ugrad

UGRAD_FP_CONTRACT_OFF_END
