// SPDX-License-Identifier: Apache-2.0
// reference.cpp — the same model driven through the C++ API directly, one value at a time, for
// test_c_api.c to compare with what the C functions return. Deliberately shaped differently from the
// C API (scalars by index, no activation struct), so it shares nothing with the wrapper but the model.
#include <stddef.h>

#include <ugrad/ugrad.hpp>

#include "c_model.hpp"

namespace {
constexpr size_t In = sizeof(c_model.w1) / sizeof(c_model.w1[0]);
constexpr size_t Hidden = sizeof(c_model.b1) / sizeof(float);
constexpr size_t Out = sizeof(c_model.b2) / sizeof(float);
using Act = ugrad::Activations<In, Hidden, Out>;

int run_forward(const float* x, Act& act) {
    float xs[In];
    for (size_t i = 0; i < In; ++i) xs[i] = x[i];
    return static_cast<int>(ugrad::forward(c_model, xs, act));
}
}  // namespace

// member: 0 h, 1 dh_dr, 2 logits, 3 log_probs, 4 probs.
extern "C" float reference_activation(const float* x, int member, size_t index) {
    Act act;
    run_forward(x, act);
    const float* rows[] = {act.h, act.dh_dr, act.logits, act.log_probs, act.probs};
    return rows[member][index];
}

extern "C" int reference_forward_status(const float* x) {
    Act act;
    return run_forward(x, act);
}

extern "C" float reference_loss(const float* x, size_t label) {
    Act act;
    run_forward(x, act);
    float loss = 0;
    ugrad::cross_entropy(act, label, loss);
    return loss;
}

extern "C" float reference_gradient(const float* x, size_t label, size_t i) {
    Act act;
    run_forward(x, act);
    float dx[In];
    ugrad::input_gradient(c_model, act, label, dx);
    return dx[i];
}

extern "C" float reference_target_loss(const float* x, const float* target) {
    Act act;
    run_forward(x, act);
    float y[Out], loss = 0;
    for (size_t k = 0; k < Out; ++k) y[k] = target[k];
    ugrad::cross_entropy(act, y, loss);
    return loss;
}

extern "C" float reference_target_gradient(const float* x, const float* target, size_t i) {
    Act act;
    run_forward(x, act);
    float y[Out], dx[In];
    for (size_t k = 0; k < Out; ++k) y[k] = target[k];
    ugrad::input_gradient(c_model, act, y, dx);
    return dx[i];
}

extern "C" float reference_backward(const float* x, const float* dlogits, size_t i) {
    Act act;
    run_forward(x, act);
    float d[Out], dx[In];
    for (size_t k = 0; k < Out; ++k) d[k] = dlogits[k];
    ugrad::backward(c_model, act, d, dx);
    return dx[i];
}

extern "C" const char* reference_status_name(int s) {
    return ugrad::status_name(static_cast<ugrad::Status>(s));
}
