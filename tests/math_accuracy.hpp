// SPDX-License-Identifier: Apache-2.0
// tests/math_accuracy.hpp — the error of a float result in units in the last place, as issue 3 and
// docs/math.md define it, the double-precision references, and the boundary inputs of exp, log,
// the sigmoid and tanh; shared by tests/test_math*.cpp, tests/test_tanh.cpp and tools/math/exhaustive.cpp.
#pragma once

#include <stdint.h>

#include <algorithm>
#include <cfloat>
#include <cmath>
#include <cstring>
#include <vector>

#include <ugrad/math.hpp>

#include "nan_aware.hpp"

namespace test {

// |got − ref| / ulp(RN32(ref)), measured in double. ref is the double-precision reference (libm),
// RN32 rounds it to binary32, and ulp(y) = 2^(max(⌊log2|y|⌋, −126) − 23): the spacing of the floats
// just above |y| (2^−149 for y = 0 and for subnormal y). Where RN32(ref) is NaN or ±inf the result
// must be exactly that: the error is 0 if it is and +inf if it is not; a NaN or an infinity where
// the reference is finite is also +inf.
inline double ulp_error(float got, double ref) {
    const float ref32 = static_cast<float>(ref);
    if (std::isnan(ref32)) return std::isnan(got) ? 0.0 : HUGE_VAL;
    if (std::isnan(got)) return HUGE_VAL;
    if (std::isinf(ref32)) return got == ref32 ? 0.0 : HUGE_VAL;
    if (std::isinf(got)) return HUGE_VAL;
    // ulp(ref32) from its biased exponent field b (1 for subnormals and 0): 2^(b − 127 − 23).
    uint32_t bits;
    std::memcpy(&bits, &ref32, sizeof bits);
    const uint64_t b = std::max<uint64_t>((bits >> 23) & 0xffu, 1u);
    const uint64_t ulp_bits = (b - 150u + 1023u) << 52;
    double ulp;
    std::memcpy(&ulp, &ulp_bits, sizeof ulp);
    return std::fabs(static_cast<double>(got) - ref) / ulp;
}

// The double-precision references of the float functions.
inline double ref_exp(float x) { return std::exp(static_cast<double>(x)); }
inline double ref_log(float x) { return std::log(static_cast<double>(x)); }
inline double ref_sigmoid(float r) { return 1.0 / (1.0 + std::exp(-static_cast<double>(r))); }
inline double ref_sigmoid_complement(float r) { return 1.0 / (1.0 + std::exp(static_cast<double>(r))); }
inline double ref_tanh(float x) { return std::tanh(static_cast<double>(x)); }

// The largest error seen, and the first input where it was seen; a NaN error counts as +inf.
struct Worst {
    double err = 0;
    float at = 0;
    void see(float x, double e) {
        if (as_error(e) > err) {
            err = as_error(e);
            at = x;
        }
    }
};

// Every boundary of the algorithms in include/ugrad/math.hpp, each with its 16 neighbours on either
// side, in both signs.
inline std::vector<float> math_boundary_inputs() {
    std::vector<float> centres = {
        0.0f, FLT_MIN, FLT_MAX, ugrad::bit_cast<float>(1u), ugrad::bit_cast<float>(0x007fffffu), 1.0f, 2.0f, 0.5f,
        87.0f, 89.0f, 104.0f,      // exp: the edge of its fast path, the overflow and the underflow cut
        88.72283935546875f,        // ln(FLT_MAX): e^x overflows above
        87.33654022216797f,        // −ln(FLT_MIN): e^−x is subnormal above
        103.27892608642578f,       // −ln(2^−149): e^−x is the smallest subnormal
        103.97207641601562f,       // −ln(2^−150): e^−x rounds to 0 above
        1.4142135381698608f, 0.7071067690849304f,  // log: where m is halved
        0.6931471824645996f, 16.0f, 1e-8f, 3e-5f,
        0.55f, 9.5f,               // tanh: the edges of its polynomial and of its saturation to ±1
        0.5493061542510986f,       // atanh(1/2): tanh x crosses 1/2
        9.010912895202637f,        // 13·ln2: tanh x rounds to 1 above
    };
    for (int e = -149; e <= 127; ++e) centres.push_back(std::ldexp(1.0f, e));  // every power of two
    // exp: the multiples of ln2/32, where k = round(x·16/ln2) steps and r changes sign.
    for (int j = 1; j < 64; ++j) centres.push_back(static_cast<float>(j * std::log(2.0) / 32));
    // tanh: where exp_parts(−2|x|) steps k, |x| = (2j + 1)·ln2/64, from 0.55 to 0.9.
    for (int j = 25; j < 42; ++j) centres.push_back(static_cast<float>((2 * j + 1) * std::log(2.0) / 64));
    std::vector<float> out;
    for (const float c : centres) {
        const int64_t b = ugrad::bit_cast<uint32_t>(c);
        for (int64_t d = -16; d <= 16; ++d)
            if (b + d >= 0 && b + d <= 0x7f800000)
                for (const uint32_t sign : {0u, 0x80000000u})
                    out.push_back(ugrad::bit_cast<float>(static_cast<uint32_t>(b + d) | sign));
    }
    return out;
}

}  // namespace test
