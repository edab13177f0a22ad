// SPDX-License-Identifier: Apache-2.0
// tests/math_special_values.hpp — issue 3's special values of exp, log and the sigmoid pair, and
// issue 12's of tanh, each with the exact result it must give (bit for bit; any NaN matches a NaN). Checked by
// tests/test_math.cpp and by tools/math/exhaustive.cpp.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <cmath>

#include <ugrad/math.hpp>

namespace test {

struct SpecialValue {
    const char* what;
    float got;
    float want;
    bool exact() const {
        return (std::isnan(got) && std::isnan(want)) ||
               ugrad::bit_cast<uint32_t>(got) == ugrad::bit_cast<uint32_t>(want);
    }
};

constexpr size_t special_value_count = 46;

inline void math_special_values(SpecialValue (&out)[special_value_count]) {
    const float inf = HUGE_VALF, nan = std::nanf(""), flt_max = ugrad::bit_cast<float>(0x7f7fffffu);
    const float denorm_min = ugrad::bit_cast<float>(1u), half_min = ugrad::bit_cast<float>(0x00400000u);
    const SpecialValue list[special_value_count] = {
        {"exp(NaN) = NaN", ugrad::exp(nan), nan},
        {"exp(-NaN) = NaN", ugrad::exp(-nan), nan},
        {"exp(+inf) = +inf", ugrad::exp(inf), inf},
        {"exp(-inf) = +0", ugrad::exp(-inf), 0.0f},
        {"exp(+0) = 1", ugrad::exp(0.0f), 1.0f},
        {"exp(-0) = 1", ugrad::exp(-0.0f), 1.0f},
        {"exp(89) = +inf (overflow)", ugrad::exp(89.0f), inf},
        {"exp(FLT_MAX) = +inf", ugrad::exp(flt_max), inf},
        {"exp(-104) = +0 (underflow)", ugrad::exp(-104.0f), 0.0f},
        {"exp(-FLT_MAX) = +0", ugrad::exp(-flt_max), 0.0f},
        {"log(+0) = -inf", ugrad::log(0.0f), -inf},
        {"log(-0) = -inf", ugrad::log(-0.0f), -inf},
        {"log(-1) = NaN", ugrad::log(-1.0f), nan},
        {"log(-denorm_min) = NaN", ugrad::log(-denorm_min), nan},
        {"log(-FLT_MAX) = NaN", ugrad::log(-flt_max), nan},
        {"log(-inf) = NaN", ugrad::log(-inf), nan},
        {"log(+inf) = +inf", ugrad::log(inf), inf},
        {"log(NaN) = NaN", ugrad::log(nan), nan},
        {"log(1) = +0", ugrad::log(1.0f), 0.0f},
        {"log(denorm_min) = RN32(-149 ln2)", ugrad::log(denorm_min), static_cast<float>(-149.0 * std::log(2.0))},
        {"log(2^-127) = RN32(-127 ln2)", ugrad::log(half_min), static_cast<float>(-127.0 * std::log(2.0))},
        {"log(2^127) = RN32(127 ln2)", ugrad::log(0x1p127f), static_cast<float>(127.0 * std::log(2.0))},
        {"sigmoid(NaN) = NaN", ugrad::sigmoid_pair(nan).value, nan},
        {"1-sigmoid(NaN) = NaN", ugrad::sigmoid_pair(nan).complement, nan},
        {"sigmoid(+inf) = 1", ugrad::sigmoid_pair(inf).value, 1.0f},
        {"1-sigmoid(+inf) = +0", ugrad::sigmoid_pair(inf).complement, 0.0f},
        {"sigmoid(-inf) = +0", ugrad::sigmoid_pair(-inf).value, 0.0f},
        {"1-sigmoid(-inf) = 1", ugrad::sigmoid_pair(-inf).complement, 1.0f},
        {"sigmoid(0) = 0.5", ugrad::sigmoid_pair(0.0f).value, 0.5f},
        {"1-sigmoid(-0) = 0.5", ugrad::sigmoid_pair(-0.0f).complement, 0.5f},
        {"tanh(+0) = +0", ugrad::tanh(0.0f), 0.0f},
        {"tanh(-0) = -0", ugrad::tanh(-0.0f), -0.0f},
        {"tanh(+inf) = 1", ugrad::tanh(inf), 1.0f},
        {"tanh(-inf) = -1", ugrad::tanh(-inf), -1.0f},
        {"tanh(NaN) = NaN", ugrad::tanh(nan), nan},
        {"tanh(-NaN) = NaN", ugrad::tanh(-nan), nan},
        {"tanh(FLT_MAX) = 1", ugrad::tanh(flt_max), 1.0f},
        {"tanh(-FLT_MAX) = -1", ugrad::tanh(-flt_max), -1.0f},
        {"tanh(9.5) = 1 (saturated)", ugrad::tanh(9.5f), 1.0f},
        {"tanh(-9.5) = -1 (saturated)", ugrad::tanh(-9.5f), -1.0f},
        {"tanh(9.02) = 1 (1 - tanh < 2^-25)", ugrad::tanh(9.02f), 1.0f},
        {"tanh(9) = 1 - 2^-24", ugrad::tanh(9.0f), 0x1.fffffep-1f},
        {"tanh(denorm_min) = denorm_min", ugrad::tanh(denorm_min), denorm_min},
        {"tanh(-denorm_min) = -denorm_min", ugrad::tanh(-denorm_min), -denorm_min},
        {"tanh(FLT_MIN) = FLT_MIN", ugrad::tanh(0x1p-126f), 0x1p-126f},
        {"tanh(-2^-12) = -2^-12", ugrad::tanh(-0x1p-12f), -0x1p-12f},
    };
    for (size_t i = 0; i < special_value_count; ++i) out[i] = list[i];
}

}  // namespace test
