// SPDX-License-Identifier: Apache-2.0
// reference_network.cpp — the model MODEL (an exported ugrad::Network) driven through the C++ API
// directly, one value at a time, for test_c_api_network.c to compare with what the C functions
// return. Shaped differently from the C API (scalars by index, no activation struct).
// Built with -DMODEL=<name> -DMODEL_HPP="<name>.hpp".
#include <stddef.h>

#include <ugrad/ugrad.hpp>

#include MODEL_HPP

namespace {
using Net = typename ugrad::detail::remove_const<decltype(MODEL)>::type;
constexpr size_t In = Net::inputs, Out = Net::outputs;
constexpr bool takes_labels = !ugrad::detail::same_type<Net::head_type, ugrad::Linear>::value;

int run_forward(const float* x, Net::Activations& act) {
    float xs[In];
    for (size_t i = 0; i < In; ++i) xs[i] = x[i];
    return static_cast<int>(ugrad::forward(MODEL, xs, act));
}
}  // namespace

extern "C" size_t reference_label_count(void) {
    if (!takes_labels) return 0;
    return ugrad::detail::same_type<Net::head_type, ugrad::Logistic>::value && Out == 1 ? 2 : Out;
}

extern "C" int reference_forward_status(const float* x) {
    Net::Activations act;
    return run_forward(x, act);
}

extern "C" float reference_output(const float* x, size_t k) {
    Net::Activations act;
    run_forward(x, act);
    return ugrad::outputs(act)[k];
}

// The label calls, for the heads that take a label (templates, so that a Linear head never names them:
// outside a template, even a discarded `if constexpr` branch must not call a label overload of Linear).
template <class A>
void label_loss(const A& act, size_t label, float& J) {
    if constexpr (takes_labels) ugrad::loss(act, label, J);
}
template <class A>
void label_gradient(const A& act, size_t label, float (&dx)[In]) {
    if constexpr (takes_labels) ugrad::input_gradient(MODEL, act, label, dx);
}

extern "C" float reference_loss(const float* x, size_t label) {
    Net::Activations act;
    run_forward(x, act);
    float J = 0;
    label_loss(act, label, J);
    return J;
}

extern "C" float reference_gradient(const float* x, size_t label, size_t i) {
    Net::Activations act;
    run_forward(x, act);
    float dx[In] = {};
    label_gradient(act, label, dx);
    return dx[i];
}

extern "C" float reference_target_loss(const float* x, const float* target) {
    Net::Activations act;
    run_forward(x, act);
    float y[Out], J = 0;
    for (size_t k = 0; k < Out; ++k) y[k] = target[k];
    ugrad::loss(act, y, J);
    return J;
}

extern "C" float reference_target_gradient(const float* x, const float* target, size_t i) {
    Net::Activations act;
    run_forward(x, act);
    float y[Out], dx[In];
    for (size_t k = 0; k < Out; ++k) y[k] = target[k];
    ugrad::input_gradient(MODEL, act, y, dx);
    return dx[i];
}

extern "C" float reference_backward(const float* x, const float* dlogits, size_t i) {
    Net::Activations act;
    run_forward(x, act);
    float d[Out], dx[In];
    for (size_t k = 0; k < Out; ++k) d[k] = dlogits[k];
    ugrad::backward(MODEL, act, d, dx);
    return dx[i];
}
