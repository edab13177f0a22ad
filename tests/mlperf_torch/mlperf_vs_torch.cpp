// SPDX-License-Identifier: Apache-2.0
// tests/mlperf_torch/mlperf_vs_torch.cpp KEY — one MLPerf Tiny architecture (bench/mlperf_tiny.hpp:
// ad, kws, ic, vww, sww) with random weights, run by ugrad in double and in float; prints every
// parameter, the input, ŷ, J, dJ/dx and every weight gradient as text blocks for
// test_mlperf_vs_torch.py, which loads the same weights into the same architecture in PyTorch
// (tools/bench/torch_mlperf.py) and compares in float64.
//
// Each block: a line `name count`, then count values (%.17g), in ugrad's order: parameters layer by
// layer, W then b (a residual block: its branch, then its shortcut), HWC. Every weight and input is
// a float drawn in ±0.1 (±1 for x), so the double and the float network hold the same numbers.
#include <stdio.h>
#include <string.h>

#include <memory>
#include <vector>

#include "mlperf_tiny.hpp"
#include "rng.hpp"

namespace {

void block(const char* name, const double* v, size_t n) {
    printf("%s %zu\n", name, n);
    for (size_t i = 0; i < n; ++i) printf("%.17g\n", v[i]);
}
void block(const char* name, const float* v, size_t n) {
    std::vector<double> d(v, v + n);
    block(name, d.data(), n);
}

// Every parameter of net, in order, into one block each, named name.
template <class Net>
void parameters(const char* name, Net& net) {
    ugrad::detail::for_each_layer(net, [&](auto& layer) {
        ugrad::detail::for_each_parameter(layer, [&](auto& a) {
            const auto& f = ugrad::detail::flat(a);
            block(name, &f[0], sizeof f / sizeof f[0]);
        });
    });
}

template <class Net>
bool ok(ugrad::Status s, const char* what) {
    if (s == ugrad::Status::ok) return true;
    fprintf(stderr, "mlperf_vs_torch: %s failed\n", what);
    return false;
}

// ŷ, J, dJ/dx and the weight gradients of net at x: for the label (Softmax head) or, the
// autoencoder's Linear head, for the target y = x (J = ½‖ŷ − x‖²).
template <class Net, typename T>
bool run(const Net& net, const T (&x)[Net::inputs], size_t label, const char* suffix) {
    auto act = std::make_unique<typename Net::Activations>();
    auto grads = std::make_unique<Net>();
    ugrad::detail::fill(*grads, T(0));
    T dx[Net::inputs];
    T J = 0;
    if (!ok<Net>(ugrad::forward(net, x, *act), "forward")) return false;
    constexpr bool autoencoder = ugrad::detail::same_type<typename Net::head_type, ugrad::Linear>::value;
    if constexpr (autoencoder) {
        static_assert(Net::inputs == Net::outputs, "the autoencoder reconstructs its input");
        if (!ok<Net>(ugrad::loss(*act, x, J), "loss") || !ok<Net>(ugrad::input_gradient(net, *act, x, dx), "input_gradient") ||
            !ok<Net>(ugrad::accumulate_gradients(net, x, *act, x, *grads), "accumulate_gradients"))
            return false;
        (void)label;
    } else {
        if (!ok<Net>(ugrad::loss(*act, label, J), "loss") || !ok<Net>(ugrad::input_gradient(net, *act, label, dx), "input_gradient") ||
            !ok<Net>(ugrad::accumulate_gradients(net, x, *act, label, *grads), "accumulate_gradients"))
            return false;
    }
    char name[16];
    snprintf(name, sizeof name, "yhat%s", suffix);
    block(name, ugrad::outputs(*act), Net::outputs);
    snprintf(name, sizeof name, "J%s", suffix);
    block(name, &J, 1);
    snprintf(name, sizeof name, "dx%s", suffix);
    block(name, dx, Net::inputs);
    snprintf(name, sizeof name, "g%s", suffix);
    parameters(name, *grads);
    return true;
}

template <template <typename> class Arch>
int compare(uint64_t seed) {
    using NetD = Arch<double>;
    using NetF = Arch<float>;
    auto netd = std::make_unique<NetD>();
    auto netf = std::make_unique<NetF>();
    bench::Rng rng{seed};
    // The same draws into both: each parameter of the float network, then copied into the double one.
    ugrad::detail::for_each_layer(*netf, [&](auto& layer) {
        ugrad::detail::for_each_parameter(layer, [&](auto& a) {
            for (float& v : ugrad::detail::flat(a)) v = rng.uniform(-0.1f, 0.1f);
        });
    });
    std::vector<float> all;
    ugrad::detail::for_each_layer(*netf, [&](auto& layer) {
        ugrad::detail::for_each_parameter(layer, [&](auto& a) {
            for (float v : ugrad::detail::flat(a)) all.push_back(v);
        });
    });
    size_t k = 0;
    ugrad::detail::for_each_layer(*netd, [&](auto& layer) {
        ugrad::detail::for_each_parameter(layer, [&](auto& a) {
            for (double& v : ugrad::detail::flat(a)) v = double(all[k++]);
        });
    });
    static float xf[NetF::inputs];
    static double xd[NetD::inputs];
    for (size_t i = 0; i < NetF::inputs; ++i) xd[i] = double(xf[i] = rng.uniform(-1.0f, 1.0f));
    const size_t label = size_t(seed % NetF::outputs);
    parameters("p", *netd);
    block("x", xd, NetD::inputs);
    const double l = double(label);
    block("label", &l, 1);
    return run(*netd, xd, label, "_d") && run(*netf, xf, label, "_f") ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    const char* key = argc > 1 ? argv[1] : "";
    const uint64_t seed = 7;
    if (strcmp(key, "ad") == 0) return compare<mlperf_tiny::AnomalyDetection>(seed);
    if (strcmp(key, "kws") == 0) return compare<mlperf_tiny::KeywordSpotting>(seed);
    if (strcmp(key, "ic") == 0) return compare<mlperf_tiny::ImageClassification>(seed);
    if (strcmp(key, "vww") == 0) return compare<mlperf_tiny::VisualWakeWords>(seed);
    if (strcmp(key, "sww") == 0) return compare<mlperf_tiny::StreamingWakeWord>(seed);
    fprintf(stderr, "usage: mlperf_vs_torch ad|kws|ic|vww|sww\n");
    return 2;
}
