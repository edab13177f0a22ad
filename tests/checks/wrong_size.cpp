// SPDX-License-Identifier: Apache-2.0
// Compile-fail checks: shapes that do not fit must not compile, and the compiler must say why in
// the first lines it prints. tests/checks/compile_fail.py builds this file as is (it must compile),
// then once with each UGRAD_* macro named in a `case:` line below (each must fail), with g++ and
// clang++. `first:` is what the output must hold by its first error line (the lines above it are
// where g++ names the template being instantiated); `also:` what it must hold anywhere.
//
// case: UGRAD_WRONG_INPUT       first: x_has<12>::entries_but_this_network_takes<13>
// case: UGRAD_WRONG_DX          first: dx_has<12>::entries_but_this_network_takes<13>
// case: UGRAD_WRONG_TARGET      first: target_has<4>::entries_but_this_network_gives<3>
// case: UGRAD_WRONG_LOSS_TARGET first: target_has<2>::entries_but_this_network_gives<3>
// case: UGRAD_WRONG_DLOGITS     first: dlogits_has<2>::entries_but_this_network_gives<3>
// case: UGRAD_WRONG_BACKWARD_DX first: dx_has<14>::entries_but_this_network_takes<13>
// case: UGRAD_WRONG_JACOBIAN    first: jac_is<3, 12>::but_this_network_needs<3, 13>
// case: UGRAD_WRONG_TRAINING_X  first: x_has<12>::entries_but_this_network_takes<13>
// case: UGRAD_WRONG_SGD_TARGET  first: target_has<4>::entries_but_this_network_gives<3>
// case: UGRAD_LINEAR_LABEL      first: a_linear_head_takes_a_target_not_a_label
// case: UGRAD_LINEAR_LABEL_DX   first: a_linear_head_takes_a_target_not_a_label
// case: UGRAD_WRONG_CHAIN       first: each layer's In must equal the previous layer's Out
//                               also: a_layer_gives<8>::outputs_but_the_next_layer_takes<7>
// case: UGRAD_TOO_DEEP          first: a Network has 1 to 32 layers    also: network_depth<33>
// case: UGRAD_ZERO_UNITS        first: a Dense layer needs at least one unit
// case: UGRAD_WRONG_SIZE        first: x_has<5>::entries_but_this_network_takes<4>
// case: UGRAD_MLP_WRONG_DX      first: dx_has<3>::entries_but_this_network_takes<4>
// case: UGRAD_MLP_WRONG_TARGET  first: target_has<3>::entries_but_this_network_gives<2>
// case: UGRAD_MLP_WRONG_JACOBIAN first: jac_is<4, 2>::but_this_network_needs<2, 4>
// case: UGRAD_Q8_WRONG_INPUT    first: x_has<12>::entries_but_this_network_takes<13>
// case: UGRAD_Q8_WRONG_DX       first: dx_has<12>::entries_but_this_network_takes<13>
// case: UGRAD_Q8_WRONG_TARGET   first: target_has<2>::entries_but_this_network_gives<3>
// case: UGRAD_Q8_WRONG_CHAIN    first: each layer's In must equal the previous layer's Out
//                               also: a_layer_gives<8>::outputs_but_the_next_layer_takes<7>
// case: UGRAD_Q8_ZERO_UNITS     first: a Dense layer needs at least one unit
// case: UGRAD_ZERO_INPUTS       first: a Dense layer needs at least one unit
// case: UGRAD_ZERO_OUTPUTS      first: a Dense layer needs at least one unit
// case: UGRAD_Q8_ZERO_INPUTS    first: a Dense layer needs at least one unit
// case: UGRAD_Q8_ZERO_OUTPUTS   first: a Dense layer needs at least one unit
// case: UGRAD_CONV_WRONG_IMAGE  first: x_has<63>::entries_but_this_network_takes<64>
// case: UGRAD_SLOPES_WRONG_INPUT first: x_has<12>::entries_but_this_network_takes<13>
// case: UGRAD_SLOPES_WRONG_DX   first: dx_has<12>::entries_but_this_network_takes<13>
// case: UGRAD_SLOPES_WRONG_TARGET first: target_has<4>::entries_but_this_network_gives<3>
// case: UGRAD_SLOPES_LINEAR_LABEL first: a_linear_head_takes_a_target_not_a_label
// case: UGRAD_SHORTCUT_ACT      first: a shortcut layer has no activation
// case: UGRAD_BRANCH_LAST_ACT   first: a residual branch's last layer has no activation
// case: UGRAD_SHORTCUT_SIZE     first: the shortcut takes the block's input and gives the branch's output size
#include <ugrad/q8/q8.hpp>
#include <ugrad/ugrad.hpp>
#include <ugrad/q8/network.hpp>

namespace {

// ---- Mlp: In 4, Out 2.
ugrad::Status call_mlp(const ugrad::Mlp<4, 3, 2>& net, ugrad::Activations<4, 3, 2>& act) {
#ifdef UGRAD_WRONG_SIZE
    const float x[5] = {};
#else
    const float x[4] = {};
#endif
#ifdef UGRAD_MLP_WRONG_DX
    float dx[3];
#else
    float dx[4];
#endif
#ifdef UGRAD_MLP_WRONG_TARGET
    const float target[3] = {0.5f, 0.5f, 0.0f};
#else
    const float target[2] = {0.5f, 0.5f};
#endif
#ifdef UGRAD_MLP_WRONG_JACOBIAN
    float jac[4][2];
#else
    float jac[2][4];
#endif
    if (ugrad::forward(net, x, act) != ugrad::Status::ok) return ugrad::Status::non_finite_input;
    if (ugrad::input_gradient(net, act, 1, dx) != ugrad::Status::ok) return ugrad::Status::non_finite_input;
    if (ugrad::input_gradient(net, act, target, dx) != ugrad::Status::ok) return ugrad::Status::non_finite_input;
    return ugrad::prob_jacobian(net, act, jac);
}

// ---- Network: In 13, Out 3.
#if defined(UGRAD_WRONG_CHAIN)
using Net = ugrad::Network<ugrad::Softmax, ugrad::Dense<13, 8, ugrad::Relu>, ugrad::Dense<7, 3>>;  // 8 != 7
#elif defined(UGRAD_TOO_DEEP)
using D = ugrad::Dense<8, 8, ugrad::Relu>;
using Net = ugrad::Network<ugrad::Softmax, ugrad::Dense<13, 8, ugrad::Relu>, D, D, D, D, D, D, D, D, D, D, D, D, D, D, D,
                           D, D, D, D, D, D, D, D, D, D, D, D, D, D, D, D, ugrad::Dense<8, 3>>;  // 33 layers
#elif defined(UGRAD_ZERO_UNITS)
using Net = ugrad::Network<ugrad::Softmax, ugrad::Dense<13, 0, ugrad::Relu>, ugrad::Dense<0, 3>>;
#else
using Net = ugrad::Network<ugrad::Softmax, ugrad::Dense<13, 8, ugrad::Relu>, ugrad::Dense<8, 3>>;
#endif
using Regression = ugrad::Network<ugrad::Linear, ugrad::Dense<13, 8, ugrad::Tanh>, ugrad::Dense<8, 3>>;

ugrad::Status call_network(const Net& net, Net::Activations& act) {
#if defined(UGRAD_WRONG_INPUT) || defined(UGRAD_WRONG_TRAINING_X)
    const float x[12] = {};
#else
    const float x[13] = {};
#endif
#if defined(UGRAD_WRONG_DX)
    float dx[12];
#elif defined(UGRAD_WRONG_BACKWARD_DX)
    float dx[14];
#else
    float dx[13];
#endif
#if defined(UGRAD_WRONG_TARGET) || defined(UGRAD_WRONG_SGD_TARGET)
    const float target[4] = {0.25f, 0.25f, 0.25f, 0.25f};
#elif defined(UGRAD_WRONG_LOSS_TARGET)
    const float target[2] = {0.5f, 0.5f};
#else
    const float target[3] = {0.5f, 0.5f, 0.0f};
#endif
#if defined(UGRAD_WRONG_DLOGITS)
    const float dlogits[2] = {};
#else
    const float dlogits[3] = {};
#endif
#if defined(UGRAD_WRONG_JACOBIAN)
    float jac[3][12];
#else
    float jac[3][13];
#endif
    float J = 0.0f;
    if (ugrad::forward(net, x, act) != ugrad::Status::ok) return ugrad::Status::non_finite_input;
    if (ugrad::loss(act, target, J) != ugrad::Status::ok) return ugrad::Status::non_finite_input;
    if (ugrad::input_gradient(net, act, 1, dx) != ugrad::Status::ok) return ugrad::Status::non_finite_input;
    if (ugrad::input_gradient(net, act, target, dx) != ugrad::Status::ok) return ugrad::Status::non_finite_input;
    if (ugrad::backward(net, act, dlogits, dx) != ugrad::Status::ok) return ugrad::Status::non_finite_input;
    if (ugrad::output_jacobian(net, act, jac) != ugrad::Status::ok) return ugrad::Status::non_finite_input;
    Net::Gradients grads = {};
    if (ugrad::accumulate_gradients(net, x, act, 1, grads) != ugrad::Status::ok) return ugrad::Status::non_finite_input;
    Net trained = net;
    return ugrad::sgd_step(trained, x, act, target, 0.01f);
}

ugrad::Status call_regression(const Regression& net, Regression::Activations& act) {
    const float x[13] = {};
    const float target[3] = {0.5f, -1.0f, 2.0f};
    float J = 0.0f;
    float dx[13];
    if (ugrad::forward(net, x, act) != ugrad::Status::ok) return ugrad::Status::non_finite_input;
#if defined(UGRAD_LINEAR_LABEL)
    if (ugrad::loss(act, 1, J) != ugrad::Status::ok) return ugrad::Status::non_finite_input;
#elif defined(UGRAD_LINEAR_LABEL_DX)
    if (ugrad::input_gradient(net, act, 1, dx) != ugrad::Status::ok) return ugrad::Status::non_finite_input;
#endif
    if (ugrad::loss(act, target, J) != ugrad::Status::ok) return ugrad::Status::non_finite_input;
    return ugrad::input_gradient(net, act, target, dx);
}

// ---- q8::Network: In 13, Out 3.
namespace q8 = ugrad::q8;
#if defined(UGRAD_Q8_WRONG_CHAIN)
using Q8Net = q8::Network<ugrad::Softmax, q8::Dense<13, 8, ugrad::Relu>, q8::Dense<7, 3>>;  // 8 != 7
#elif defined(UGRAD_Q8_ZERO_UNITS)
using Q8Net = q8::Network<ugrad::Softmax, q8::Dense<13, 0, ugrad::Relu>, q8::Dense<0, 3>>;
#else
using Q8Net = q8::Network<ugrad::Softmax, q8::Dense<13, 8, ugrad::Relu>, q8::Dense<8, 3>>;
#endif

ugrad::Status call_q8(const Q8Net& net, Q8Net::Activations& act) {
#if defined(UGRAD_Q8_WRONG_INPUT)
    const int8_t x[12] = {};
#else
    const int8_t x[13] = {};
#endif
#if defined(UGRAD_Q8_WRONG_DX)
    q8::InputGradient<12> dx;
#else
    q8::InputGradient<13> dx;
#endif
#if defined(UGRAD_Q8_WRONG_TARGET)
    const int32_t target[2] = {1 << 14, 1 << 14};
#else
    const int32_t target[3] = {1 << 14, 1 << 14, 0};
#endif
    if (q8::forward(net, x, act) != ugrad::Status::ok) return ugrad::Status::non_finite_input;
    if (q8::input_gradient(net, act, 1, dx) != ugrad::Status::ok) return ugrad::Status::non_finite_input;
    return q8::input_gradient(net, act, target, dx);
}

}  // namespace

// Every call above, reached from a function with external linkage (so that each is compiled).
ugrad::Status call_all(const ugrad::Mlp<4, 3, 2>& mlp, ugrad::Activations<4, 3, 2>& mlp_act, const Net& net,
                       Net::Activations& act, const Regression& regression, Regression::Activations& regression_act,
                       const Q8Net& q8_net, Q8Net::Activations& q8_act);
ugrad::Status call_all(const ugrad::Mlp<4, 3, 2>& mlp, ugrad::Activations<4, 3, 2>& mlp_act, const Net& net,
                       Net::Activations& act, const Regression& regression, Regression::Activations& regression_act,
                       const Q8Net& q8_net, Q8Net::Activations& q8_act) {
    if (call_mlp(mlp, mlp_act) != ugrad::Status::ok) return ugrad::Status::non_finite_input;
    if (call_network(net, act) != ugrad::Status::ok) return ugrad::Status::non_finite_input;
    if (call_regression(regression, regression_act) != ugrad::Status::ok) return ugrad::Status::non_finite_input;
    return call_q8(q8_net, q8_act);
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

// One Dense alone with no input, or no output unit (float and int8): each bound checked on its own.
#if defined(UGRAD_ZERO_INPUTS)
const ugrad::Dense<0, 3> zero_inputs = {};
#elif defined(UGRAD_ZERO_OUTPUTS)
const ugrad::Dense<3, 0> zero_outputs = {};
#elif defined(UGRAD_Q8_ZERO_INPUTS)
const ugrad::q8::Dense<0, 3> q8_zero_inputs = {};
#elif defined(UGRAD_Q8_ZERO_OUTPUTS)
const ugrad::q8::Dense<3, 0> q8_zero_outputs = {};
#endif

// An image of the wrong size for a convolutional network (8×8 expected).
#if defined(UGRAD_CONV_WRONG_IMAGE)
using ConvNet = ugrad::Network<ugrad::Softmax, ugrad::Conv2D<ugrad::Hwc<8, 8, 1>, 2, ugrad::Kernel<3, 3>>, ugrad::Dense<72, 3>>;
void conv_wrong_image(const ConvNet& net, ConvNet::Activations& act) {
    const float image[63] = {};
    (void)ugrad::forward(net, image, act);
}
#endif

// The same calls on Net::Slopes (dJ/dx alone): the same messages.
#if defined(UGRAD_SLOPES_WRONG_INPUT) || defined(UGRAD_SLOPES_WRONG_DX) || defined(UGRAD_SLOPES_WRONG_TARGET)
void slopes_wrong_size(const Net& net, Net::Slopes& s) {
#if defined(UGRAD_SLOPES_WRONG_INPUT)
    const float x[12] = {};
#else
    const float x[13] = {};
#endif
#if defined(UGRAD_SLOPES_WRONG_DX)
    float dx[12];
#else
    float dx[13];
#endif
#if defined(UGRAD_SLOPES_WRONG_TARGET)
    const float target[4] = {0.25f, 0.25f, 0.25f, 0.25f};
#else
    const float target[3] = {0.5f, 0.5f, 0.0f};
#endif
    (void)ugrad::forward(net, x, s);
    (void)ugrad::input_gradient(net, s, target, dx);
    (void)ugrad::input_gradient(net, s, 1, dx);
}
#elif defined(UGRAD_SLOPES_LINEAR_LABEL)
void slopes_linear_label(const Regression& net, Regression::Slopes& s) {
    float dx[13];
    (void)ugrad::input_gradient(net, s, 1, dx);
}
#endif

// Residual blocks: the block's activation follows the sum, so neither the shortcut layer nor the
// branch's last layer has one of its own; an identity shortcut needs In == Out.
#if defined(UGRAD_SHORTCUT_ACT)
const ugrad::Residual<ugrad::Dense<4, 4, ugrad::Relu>, ugrad::Relu, ugrad::Dense<4, 4>> shortcut_act = {};
#elif defined(UGRAD_BRANCH_LAST_ACT)
const ugrad::Residual<ugrad::IdentityShortcut, ugrad::Relu, ugrad::Dense<4, 4, ugrad::Relu>> branch_last_act = {};
#elif defined(UGRAD_SHORTCUT_SIZE)
const ugrad::Residual<ugrad::IdentityShortcut, ugrad::Relu, ugrad::Dense<4, 3>> shortcut_size = {};
#endif
