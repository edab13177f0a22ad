// SPDX-License-Identifier: Apache-2.0
// tests/lint/instantiate_q8.cpp — the translation unit the static analysers (cppcheck, clang-tidy)
// read for the int8 path: it instantiates every template of include/ugrad/q8/ — forward, both
// input_gradient overloads, outputs and the host-side to_float helpers, on networks with every
// activation (Sigmoid, Tanh, Relu hidden layers, Identity logits) and every head (Softmax, Logistic,
// Linear), at several units per layer and at the smallest size — so that every line is analysed as
// compiled code. make lint runs it with the portable kernels, with -Os (the compact schedules) and
// with UGRAD_Q8_DSP_KERNELS=1 (the Armv7E-M kernels, parsed only: the host cannot assemble them).
#include <stddef.h>
#include <stdint.h>

#include <ugrad/q8/q8.hpp>
#include <ugrad/q8/to_float.hpp>

namespace lint_q8 {

namespace q8 = ugrad::q8;

template <size_t In, size_t Out, class Act>
void fill(q8::Dense<In, Out, Act>& l, int32_t seed) {
    for (size_t i = 0; i < In; ++i)
        for (size_t j = 0; j < Out; ++j) l.w[i][j] = static_cast<int8_t>((seed + 7 * static_cast<int32_t>(i + j)) % 127);
    for (size_t j = 0; j < Out; ++j) {
        l.b[j] = seed * 100 - static_cast<int32_t>(j);
        l.multiplier[j] = (1 << 30) + static_cast<int32_t>(j) * 4096;
        l.shift[j] = static_cast<uint8_t>(36 + j % 3);
    }
    l.output_zero_point = -3;
}

// Every call on one network: forward, outputs, input_gradient for a label (not for Linear) and for
// a target, the failing statuses, and the results as real numbers.
template <class Net>
int exercise(const Net& net, typename Net::head head) {
    int8_t x[Net::inputs];
    for (size_t i = 0; i < Net::inputs; ++i) x[i] = static_cast<int8_t>(static_cast<int32_t>(i * 37 % 255) - 127);
    typename Net::Activations act{};
    q8::InputGradient<Net::inputs> dx{};
    int failures = q8::forward(net, x, act) != ugrad::Status::ok;
    const int32_t(&y)[Net::outputs] = q8::outputs(act);
    int32_t target[Net::outputs];
    for (size_t k = 0; k < Net::outputs; ++k) target[k] = k == 0 ? q8::one_q15 : 0;
    failures += q8::input_gradient(net, act, target, dx) != ugrad::Status::ok;
    target[0] = q8::requantize_limit;  // outside every head's targets
    failures += q8::input_gradient(net, act, target, dx) != ugrad::Status::bad_target;
    double dx_real[Net::inputs], y_real[Net::outputs];
    q8::to_float(dx, 1.0 / 255.0, dx_real);
    q8::outputs_to_float<typename Net::head>(y, y_real);
    failures += (dx_real[0] > 1e30) + (y_real[0] > 1e30);
    (void)head;
    return failures;
}

template <class Net>
int exercise_label(const Net& net) {
    int8_t x[Net::inputs] = {};
    typename Net::Activations act{};
    q8::InputGradient<Net::inputs> dx{};
    int failures = q8::forward(net, x, act) != ugrad::Status::ok;
    failures += q8::input_gradient(net, act, 0, dx) != ugrad::Status::ok;
    failures += q8::input_gradient(net, act, Net::outputs + 1, dx) != ugrad::Status::label_out_of_range;
    return failures + exercise(net, typename Net::head{});
}

using Deep = q8::Network<ugrad::Softmax, q8::Dense<9, 6, ugrad::Sigmoid>, q8::Dense<6, 5, ugrad::Tanh>,
                         q8::Dense<5, 4, ugrad::Relu>, q8::Dense<4, 3>>;
using LogisticNet = q8::Network<ugrad::Logistic, q8::Dense<5, 3, ugrad::Relu>, q8::Dense<3, 1>>;
using LinearNet = q8::Network<ugrad::Linear, q8::Dense<3, 10, ugrad::Tanh>, q8::Dense<10, 2>>;
using Smallest = q8::Network<ugrad::Softmax, q8::Dense<1, 1>>;

static int exercise_all() {
    static Deep deep{};
    fill(deep.layers.layer, 1);
    fill(deep.layers.rest.layer, 2);
    fill(deep.layers.rest.rest.layer, 3);
    fill(deep.layers.rest.rest.rest.layer, 4);
    static LogisticNet logistic{};
    fill(logistic.layers.layer, 5);
    fill(logistic.layers.rest.layer, 6);
    static LinearNet linear{};
    fill(linear.layers.layer, 7);
    fill(linear.layers.rest.layer, 8);
    static Smallest smallest{};
    fill(smallest.layers.layer, 9);
    int32_t v[3] = {70000, -3, 5}, e = 0;
    q8::normalize15(v, 3, e);
    return exercise_label(deep) + exercise_label(logistic) + exercise(linear, ugrad::Linear{}) +
           exercise_label(smallest) + (q8::requantize(v[0], 1 << 30, 33) == 0) + (q8::exp_q16(-4096) == 0u);
}

}  // namespace lint_q8

int main() {
    return lint_q8::exercise_all();
}
