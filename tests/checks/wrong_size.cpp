// SPDX-License-Identifier: Apache-2.0
// Compile-fail checks: shapes that do not fit must not compile.
// Built by mk/checks.mk as is (must compile), then once with each UGRAD_WRONG_* macro (each must fail,
// with the message named there):
//   UGRAD_WRONG_SIZE   an input array of the wrong size for Mlp's forward
//   UGRAD_WRONG_INPUT  an input array of the wrong size for a Network's forward
//   UGRAD_WRONG_CHAIN  a Network whose layer sizes do not chain
//   UGRAD_LINEAR_LABEL a label handed to a Linear head (it takes a target)
//   UGRAD_ZERO_INPUTS, UGRAD_ZERO_OUTPUTS          a float Dense with no input, or no output unit
//   UGRAD_Q8_ZERO_INPUTS, UGRAD_Q8_ZERO_OUTPUTS    the same for the int8 path's Dense
#include <ugrad/ugrad.hpp>
#include <ugrad/q8/network.hpp>

ugrad::Status call(const ugrad::Mlp<4, 3, 2>& net, ugrad::Activations<4, 3, 2>& act) {
#ifdef UGRAD_WRONG_SIZE
    const float x[5] = {};  // In is 4
#else
    const float x[4] = {};
#endif
    return ugrad::forward(net, x, act);
}

#ifdef UGRAD_WRONG_CHAIN
using Net = ugrad::Network<ugrad::Softmax, ugrad::Dense<4, 3, ugrad::Relu>, ugrad::Dense<5, 2>>;  // 3 != 5
#else
using Net = ugrad::Network<ugrad::Softmax, ugrad::Dense<4, 3, ugrad::Relu>, ugrad::Dense<3, 2>>;
#endif
using Regression = ugrad::Network<ugrad::Linear, ugrad::Dense<4, 2>>;

ugrad::Status call_network(const Net& net, Net::Activations& act, const Regression& reg,
                           Regression::Activations& reg_act, float& J) {
#ifdef UGRAD_WRONG_INPUT
    const float x[3] = {};  // In is 4
#else
    const float x[4] = {};
#endif
    const ugrad::Status s = ugrad::forward(net, x, act);
    if (s != ugrad::Status::ok) return s;
    if (ugrad::forward(reg, x, reg_act) != ugrad::Status::ok) return ugrad::Status::non_finite_result;
#ifdef UGRAD_LINEAR_LABEL
    return ugrad::loss(reg_act, 1, J);
#else
    const float target[2] = {0.5f, -1.0f};
    return ugrad::loss(reg_act, target, J);
#endif
}

#if defined(UGRAD_ZERO_INPUTS)
ugrad::Dense<0, 3> zero_inputs;
#elif defined(UGRAD_ZERO_OUTPUTS)
ugrad::Dense<3, 0> zero_outputs;
#elif defined(UGRAD_Q8_ZERO_INPUTS)
ugrad::q8::Dense<0, 3> q8_zero_inputs;
#elif defined(UGRAD_Q8_ZERO_OUTPUTS)
ugrad::q8::Dense<3, 0> q8_zero_outputs;
#endif
