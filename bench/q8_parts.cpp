// SPDX-License-Identifier: Apache-2.0
// bench/q8_parts.cpp — where the instructions of one int8 64-32-10 call go (make TARGET=<t>
// q8-bench-parts): forward and input_gradient, then each kernel and step alone on the same data,
// averaged over 16 calls. A tool for tuning the kernels; not a test, and not in README.
#include <stddef.h>
#include <stdint.h>
#include <ugrad/q8/q8.hpp>
#include "../tests/splitmix64.hpp"
#include "hal.h"
namespace q8 = ugrad::q8;
using Net = q8::Network<ugrad::Softmax, q8::Dense<64, 32, ugrad::Sigmoid>, q8::Dense<32, 10>>;
Net net; int8_t x[64]; Net::Activations act; q8::InputGradient<64> dx; volatile int32_t sink;
int32_t dd[10]; int32_t acc[32], xz[64], g[32], v[64];
int32_t draw(uint64_t& s, int32_t lo, int32_t hi) { return lo + static_cast<int32_t>((test::splitmix64(s) >> 33) % static_cast<uint64_t>(hi - lo + 1)); }
template <size_t In, size_t Out, class Act> void fill(q8::Dense<In, Out, Act>& l, uint64_t& s, uint8_t shift) {
    for (auto& row : l.w) for (int8_t& w : row) w = static_cast<int8_t>(draw(s, -127, 127));
    for (size_t j = 0; j < Out; ++j) { l.b[j] = draw(s, -(1 << 15), 1 << 15); l.multiplier[j] = (1 << 30) + draw(s, 0, (1 << 30) - 1); l.shift[j] = static_cast<uint8_t>(shift + draw(s, -1, 1)); }
}
#define T(name, stmt) { stmt; uint64_t t0 = hal_instructions(); for (int r = 0; r < 16; ++r) { stmt; } uint64_t t1 = hal_instructions(); hal_write(name); hal_write(" "); hal_write_uint((t1 - t0) / 16); hal_write("\n"); }
int main() {
    uint64_t s = 1; fill(net.layers.layer, s, 38); fill(net.layers.rest.layer, s, 36); net.input_zero_point = -128;
    for (int8_t& c : x) c = static_cast<int8_t>(draw(s, -127, 127));
    T("forward", q8::forward(net, x, act));
    T("input_gradient", q8::input_gradient(net, act, 3, dx));
    T("affine 64x32", q8::detail::affine(x, -128, &net.layers.layer.w[0][0], net.layers.layer.b, 64, 32, acc, xz));
    T("affine 32x10", q8::detail::affine(act.y, -128, &net.layers.rest.layer.w[0][0], net.layers.rest.layer.b, 32, 10, acc, xz));
    T("affine_t 64x32", q8::detail::affine_t(g, &net.layers.layer.w[0][0], 64, 32, v));
    T("affine_t 32x10", q8::detail::affine_t(g, &net.layers.rest.layer.w[0][0], 32, 10, v));
    T("affine_t_rescaled<bits> 64x32", for (int j = 0; j < 32; ++j) g[j] = acc[j] >> 6; q8::detail::affine_t_rescaled<true>(g, q8::BlockShift{1, 0}, &net.layers.layer.w[0][0], 64, 32, v));
    T("affine_t_rescaled<bits> 32x10", for (int j = 0; j < 10; ++j) g[j] = acc[j] >> 6; q8::detail::affine_t_rescaled<true>(g, q8::BlockShift{1, 0}, &net.layers.rest.layer.w[0][0], 32, 10, v));
    T("32 sigmoid codes", for (int j = 0; j < 32; ++j) act.y[j] = q8::activation_code(ugrad::Sigmoid{}, acc[j]*(j+1), net.layers.layer.multiplier[j], net.layers.layer.shift[j], 0));
    T("softmax", q8::head_outputs(ugrad::Softmax{}, act.rest.logits, act.rest.outputs));
    T("seed (Q15 ŷ − y)", q8::label_gradient(ugrad::Softmax{}, act.rest.logits, act.rest.outputs, 3, dd));
    {  // the head's confident seed: logits 2 nats apart, the label the top class
        Net::Activations sure = act;
        for (size_t k = 0; k < 10; ++k) sure.rest.logits[k] = static_cast<int32_t>(k) * 8192;
        q8::head_outputs(ugrad::Softmax{}, sure.rest.logits, sure.rest.outputs);
        T("input_gradient, confident", q8::input_gradient(net, sure, 9, dx));
        T("seed, confident", q8::label_gradient(ugrad::Softmax{}, sure.rest.logits, sure.rest.outputs, 9, dd));
    }
    int32_t e = 0;
    T("normalize15 x32", for (int j = 0; j < 32; ++j) g[j] = acc[j]; q8::normalize15(g, 32, e));
    T("apply_factors x32", q8::detail::apply_factors(g, net.layers.layer.multiplier, net.layers.layer.shift, 32, e));
    T("apply_slope x32", q8::detail::apply_slope<ugrad::Sigmoid>(g, act.y, 0, 32, e));
    T("last layer backward", for (int k = 0; k < 10; ++k) dd[k] = acc[k] >> 8; q8::detail::backward_layers<true>(net.layers.rest, act.rest, dd, q8::detail::magnitudes(dd, 10), g, e));
    T("copy x32", for (int j = 0; j < 32; ++j) g[j] = acc[j]);
    sink = act.y[0] + e;
    return 0;
}
