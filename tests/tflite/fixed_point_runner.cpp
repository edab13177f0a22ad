// SPDX-License-Identifier: Apache-2.0
// fixed_point_runner.cpp — include/ugrad/tflite/'s integer primitives on the arguments read from
// standard input, one call per line ("srdhm a b", "rdpot x e", "mbqm x m s", "satpot x e",
// "rdpot131 x e" (the four-operation rounding divide), "smmlar x m" (high_mul_positive's Armv7E-M identity:
// SMMLAR(x, 2m − 2^32, x) by SMMLAR's definition, in int64),
// "dwrq x m s zp lo hi" (requantize_depthwise from the exporter's M = 2m − 2^32, E = −s − 1 and
// k = 2·zp + 1: clamp(zp + mbqm(x, m, s), lo, hi); 1000 if the FullRange variant disagrees), "exp a", "recip a", "taps o stride pad dilation kernel size" → begin·256 + end), one result per line: tests/tflite/test_int8_export.py compares them with
// tools/tflite/int8_reference.py's.
#include <stdio.h>
#include <string.h>

#include <ugrad/tflite/depthwise_requant.hpp>
#include <ugrad/tflite/fixed_point.hpp>
#include <ugrad/tflite/kernel_taps.hpp>
#include <ugrad/tflite/softmax.hpp>

int main() {
    namespace t = ugrad::tflite;
    char op[16];
    long long a = 0, b = 0, c = 0;
    int d = 0, e = 0, f = 0;
    char line[160];
    while (fgets(line, sizeof line, stdin)) {
        const int n = sscanf(line, "%15s %lld %lld %lld %d %d %d", op, &a, &b, &c, &d, &e, &f);
        if (n < 2) return 2;
        const int32_t x = int32_t(a), y = int32_t(b), z = int32_t(c);
        int32_t r = 0;
        if (!strcmp(op, "srdhm")) r = t::saturating_rounding_doubling_high_mul(x, y);
        else if (!strcmp(op, "rdpot")) r = t::rounding_divide_by_pot(x, y);
        else if (!strcmp(op, "rdpot131")) r = t::rounding_divide_by_pot_1_31(x, y);
        else if (!strcmp(op, "smmlar")) {
            const int64_t b2 = int64_t(int32_t(uint32_t(y) << 1));                 // 2m − 2^32 as SMMLAR's operand
            r = int32_t(((int64_t(x) * 4294967296LL) + int64_t(x) * b2 + 2147483648LL) >> 32);  // the high word
        } else if (!strcmp(op, "dwrq")) {
            const t::DepthwiseLayer p{nullptr, nullptr, 0, d, e, f};
            const int32_t M = int32_t(uint32_t(y) << 1), E = -z - 1, k = 2 * d + 1;
            r = t::requantize_depthwise<true, false>(x, M, E, k, p);
            if (e == -128 && f == 127 && t::requantize_depthwise<true, true>(x, M, E, k, p) != r) r = 1000;
        } else if (!strcmp(op, "mbqm")) r = t::multiply_by_quantized_multiplier(x, y, z);
        else if (!strcmp(op, "satpot")) r = t::saturating_rounding_multiply_by_pot(x, y);
        else if (!strcmp(op, "exp")) r = t::exp_on_negative_values(x);
        else if (!strcmp(op, "recip")) r = t::one_over_one_plus_x_for_x_in_0_1(x);
        else if (!strcmp(op, "taps")) {
            const t::TapRange taps = t::kernel_taps(x, y, z, d, e, f);
            r = taps.begin * 256 + taps.end;
        } else return 2;
        printf("%ld\n", long(r));
    }
    return 0;
}
