// SPDX-License-Identifier: Apache-2.0
// runner.cpp — an exported Network run on given inputs, in float (the exported header) and in double
// (the same header with `double` as the value type: tests/exporter/frameworks/test_frameworks.py
// writes it), for the framework tests to compare with the framework's own answers.
//
// Built with -DMODEL_HEADER="..." (defining `model`) and -DMODEL_DOUBLE_HEADER="..." (defining
// `model_double`), -Itests. Reads from standard input: N, then per sample In inputs, a label (-1:
// none) and Out target values; every number a C hex-float or decimal. Prints three lines per
// sample: for float, then for double, the status of forward, of the loss and of input_gradient,
// ŷ [Out], J, dJ/dx [In]; then the library's derived bound on |float − exact| for ŷ, J and dJ/dx
// (tests/error_bound.hpp's NetworkErrorBound, evaluated at the double answers) — every value as a
// hex float (%a), exact.
#include <stdio.h>
#include <stdlib.h>

#include <type_traits>

#include <ugrad/ugrad.hpp>

#include "error_bound.hpp"

#include MODEL_HEADER
#include MODEL_DOUBLE_HEADER

namespace {

using Net = typename std::remove_const<decltype(model)>::type;
using NetDouble = typename std::remove_const<decltype(model_double)>::type;
constexpr size_t In = Net::inputs, Out = Net::outputs;
static_assert(NetDouble::inputs == In && NetDouble::outputs == Out, "the double header is the same model");
constexpr bool takes_labels = !std::is_same<typename Net::head_type, ugrad::Linear>::value;

template <class N>
void run(const N& net, const double (&xd)[In], long label, const double (&targetd)[Out], typename N::Activations& act) {
    using T = typename N::value_type;
    T x[In], target[Out], J = 0, dx[In];
    for (size_t i = 0; i < In; ++i) x[i] = static_cast<T>(xd[i]);
    for (size_t k = 0; k < Out; ++k) target[k] = static_cast<T>(targetd[k]);
    const ugrad::Status forward_status = ugrad::forward(net, x, act);
    ugrad::Status loss_status, gradient_status;
    if constexpr (takes_labels) {
        if (label >= 0) {
            loss_status = ugrad::loss(act, static_cast<size_t>(label), J);
            gradient_status = ugrad::input_gradient(net, act, static_cast<size_t>(label), dx);
        } else {
            loss_status = ugrad::loss(act, target, J);
            gradient_status = ugrad::input_gradient(net, act, target, dx);
        }
    } else {
        loss_status = ugrad::loss(act, target, J);
        gradient_status = ugrad::input_gradient(net, act, target, dx);
    }
    printf("%d %d %d", static_cast<int>(forward_status), static_cast<int>(loss_status), static_cast<int>(gradient_status));
    for (size_t k = 0; k < Out; ++k) printf(" %a", static_cast<double>(ugrad::outputs(act)[k]));
    printf(" %a", static_cast<double>(J));
    for (size_t i = 0; i < In; ++i) printf(" %a", static_cast<double>(dx[i]));
    printf("\n");
}

bool read(double& v) {
    char token[128];
    if (scanf("%127s", token) != 1) return false;
    char* end = nullptr;
    v = strtod(token, &end);
    return *end == '\0';
}

}  // namespace

int main() {
    long n = 0;
    if (scanf("%ld", &n) != 1 || n < 0) return 2;
    for (long s = 0; s < n; ++s) {
        double x[In], target[Out], label = 0;
        for (size_t i = 0; i < In; ++i)
            if (!read(x[i])) return 2;
        if (!read(label)) return 2;
        for (size_t k = 0; k < Out; ++k)
            if (!read(target[k])) return 2;
        // x and the target must be float values: the float run sees exactly what the double run sees.
        for (size_t i = 0; i < In; ++i)
            if (static_cast<double>(static_cast<float>(x[i])) != x[i]) return 3;
        Net::Activations act_f;
        NetDouble::Activations act_d;
        run(model, x, static_cast<long>(label), target, act_f);
        run(model_double, x, static_cast<long>(label), target, act_d);
        // The bound wants y as a vector: a label is onehot(label) (a one-unit logistic head: y = label).
        double y[Out], dtheta[Out];
        for (size_t k = 0; k < Out; ++k) {
            y[k] = label < 0 ? target[k] : (Out == 1 ? label : (static_cast<double>(k) == label ? 1.0 : 0.0));
            dtheta[k] = ugrad::outputs(act_d)[k] - y[k];
        }
        const test::NetworkErrorBound<NetDouble> bound(model_double, x, act_d, dtheta, y);
        for (size_t k = 0; k < Out; ++k) printf("%a ", bound.probs[k]);
        printf("%a", bound.loss);
        for (size_t i = 0; i < In; ++i) printf(" %a", bound.dx[i]);
        printf("\n");
    }
    return 0;
}
