// SPDX-License-Identifier: Apache-2.0
// tests/q8_quantize.hpp — the host-side quantizer the int8 specs use: a float Mlp<In, Hidden, Out>
// (sigmoid hidden layer, softmax head) into a q8::Network, in double (tools/quantize.py does the
// same for the exporter).
//   input     asymmetric int8 from the calibration range [lo, hi] (widened to hold 0):
//             s_x = (hi − lo)/255, z_x = round(−128 − lo/s_x)
//   weights   symmetric per output unit: s_j = max_i |W_ij|/127 (1 for an all-zero column),
//             c_ij = round(W_ij/s_j)
//   biases    round(b_j/(s_in·s_j)), clipped to ±2^30
//   factors   s_in·s_j·4096 (to the Q12 pre-activation, or Q12 logits) as m·2^−n
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <cmath>

#include <ugrad/mlp.hpp>
#include <ugrad/q8/network.hpp>

namespace test {

template <size_t In, size_t Hidden, size_t Out>
using Q8Mlp = ugrad::q8::Network<ugrad::Softmax, ugrad::q8::Dense<In, Hidden, ugrad::Sigmoid>, ugrad::q8::Dense<Hidden, Out>>;

struct InputQuantization {
    double scale;
    int32_t zero_point;
    int8_t code(double x) const {
        const double c = std::nearbyint(x / scale) + zero_point;
        return static_cast<int8_t>(c < -128 ? -128 : c > 127 ? 127 : c);
    }
};

inline InputQuantization input_quantization(double lo, double hi) {
    if (lo > 0) lo = 0;
    if (hi < 0) hi = 0;
    if (hi == lo) hi = lo + 1;
    const double scale = (hi - lo) / 255.0;
    double z = std::nearbyint(-128.0 - lo / scale);
    if (z < -128) z = -128;
    if (z > 127) z = 127;
    return {scale, static_cast<int32_t>(z)};
}

// f = m·2^−n, m ∈ [2^30, 2^31).
inline void factor(double f, int32_t& m, uint8_t& n) {
    int e = 0;
    const double fraction = std::frexp(f, &e);  // f = fraction·2^e, fraction ∈ [0.5, 1)
    double mantissa = std::nearbyint(std::ldexp(fraction, 31));
    if (mantissa >= 2147483648.0) {
        mantissa /= 2;
        ++e;
    }
    m = static_cast<int32_t>(mantissa);
    n = static_cast<uint8_t>(31 - e);
}

template <size_t In, size_t Out, class Act, typename T>
void quantize_dense(const T (&w)[In][Out], const T (&b)[Out], double input_scale, ugrad::q8::Dense<In, Out, Act>& q) {
    for (size_t j = 0; j < Out; ++j) {
        double largest = 0;
        for (size_t i = 0; i < In; ++i) largest = std::fmax(largest, std::fabs(static_cast<double>(w[i][j])));
        const double s = largest > 0 ? largest / 127.0 : 1.0;
        for (size_t i = 0; i < In; ++i)
            q.w[i][j] = static_cast<int8_t>(std::nearbyint(static_cast<double>(w[i][j]) / s));
        const double bias = std::nearbyint(static_cast<double>(b[j]) / (input_scale * s));
        q.b[j] = static_cast<int32_t>(std::fmax(-1073741824.0, std::fmin(1073741824.0, bias)));
        factor(input_scale * s * 4096.0, q.multiplier[j], q.shift[j]);
    }
    q.output_zero_point = 0;
}

template <size_t In, size_t Hidden, size_t Out, typename T>
void quantize(const ugrad::Mlp<In, Hidden, Out, T>& net, const InputQuantization& input, Q8Mlp<In, Hidden, Out>& q) {
    q.input_zero_point = input.zero_point;
    quantize_dense(net.w1, net.b1, input.scale, q.layers.layer);
    quantize_dense(net.w2, net.b2, 1.0 / 256.0, q.layers.rest.layer);
}

}  // namespace test
