// SPDX-License-Identifier: Apache-2.0
// cnn_runner.cpp — an exported network of image layers run on given inputs, in float (the exported
// header) and in double (the same header with `double` as the value type, written by
// tests/exporter/frameworks/test_cnn_models.py), for the test to compare with torch.
//
// Built with -DMODEL_HEADER="..." (defining `model`) and -DMODEL_DOUBLE_HEADER="..." (defining
// `model_double`). Reads from standard input: N, then per sample In inputs (HWC order) and a label;
// every number a C hex-float or decimal. Prints two lines per sample, for float and then for double:
// the statuses of forward, loss and input_gradient, ŷ [Out], J and dJ/dx [In] (HWC), each value as a
// hex float (%a, exact).
#include <stdio.h>
#include <stdlib.h>

#include <type_traits>

#include <ugrad/ugrad.hpp>

#include MODEL_HEADER
#include MODEL_DOUBLE_HEADER

namespace {

using Net = typename std::remove_const<decltype(model)>::type;
using NetDouble = typename std::remove_const<decltype(model_double)>::type;
constexpr size_t In = Net::inputs, Out = Net::outputs;
static_assert(NetDouble::inputs == In && NetDouble::outputs == Out, "the double header is the same model");

template <class N>
void run(const N& net, const double (&xd)[In], size_t label) {
    using T = typename N::value_type;
    static typename N::Activations act;
    T x[In], J = 0, dx[In];
    for (size_t i = 0; i < In; ++i) x[i] = static_cast<T>(xd[i]);
    const ugrad::Status forward_status = ugrad::forward(net, x, act);
    const ugrad::Status loss_status = ugrad::loss(act, label, J);
    const ugrad::Status gradient_status = ugrad::input_gradient(net, act, label, dx);
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
        static double x[In];
        double label = 0;
        for (size_t i = 0; i < In; ++i)
            if (!read(x[i])) return 2;
        if (!read(label) || label < 0 || label >= static_cast<double>(Out)) return 2;
        // x must hold float values: the float run sees exactly what the double run sees.
        for (size_t i = 0; i < In; ++i)
            if (static_cast<double>(static_cast<float>(x[i])) != x[i]) return 3;
        run(model, x, static_cast<size_t>(label));
        run(model_double, x, static_cast<size_t>(label));
    }
    return 0;
}
