// SPDX-License-Identifier: Apache-2.0
// bench/mlperf_bench.cpp — executed instructions of the MLPerf Tiny architectures (bench/mlperf_tiny.hpp)
// in float on an emulated core: predict (inference alone), and forward + input_gradient (ŷ and
// dJ/dx) into Net::Slopes as a user calls them for dJ/dx, and into Net::Activations (which the
// weight gradients need) for comparison, with random weights (the instruction counts of these loops do not depend on the values,
// except a max pool's and ReLU's branches). Counted with platform/hal.h's hal_instructions() (QEMU
// -icount shift=0) over one call each: these calls run millions of instructions, so the counter's
// step (40) is below a part in 10^4.
//
// Prints Markdown rows; `make mlperf-bench` puts them into docs/mlperf-tiny.md.
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <new>

#include <hal.h>

#include "mlperf_fixture.hpp"

namespace {

using bench::Rng;

volatile float sink;

using bench::fill_random;
template <class Net>
using Bench = bench::MlperfCase<Net>;

// dJ/dx for label 0 (the autoencoder's target is its input), from Slopes or Activations.
template <class Net, class State>
ugrad::Status input_gradient_of(const Net& net, const State& state, const float (&x)[Net::inputs],
                                float (&dx)[Net::inputs]) {
    if constexpr (ugrad::detail::same_type<typename Net::head_type, ugrad::Linear>::value)
        return ugrad::input_gradient(net, state, x, dx);
    else
        return ugrad::input_gradient(net, state, 0, dx);
}

template <class Net>
void row(const char* name, Bench<Net>& b, uint64_t seed) {
    fill_random(b.net, seed);
    Rng rng{seed + 1};
    for (float& v : b.x) v = rng.uniform(-1.0f, 1.0f);
    const double macs = static_cast<double>(mlperf_tiny::NetworkMacs<Net>::value);

    uint64_t t0 = hal_instructions();
    const ugrad::Status s1 = ugrad::predict(b.net, b.x, b.inf);
    uint64_t t1 = hal_instructions();
    const uint64_t infer = t1 - t0;

    // forward + dJ/dx as a user calls them: into Slopes (each layer's slope, not its output)
    t0 = hal_instructions();
    const ugrad::Status s2 = ugrad::forward(b.net, b.x, b.slopes);
    t1 = hal_instructions();
    const uint64_t forward = t1 - t0;
    t0 = hal_instructions();
    const ugrad::Status s3 = input_gradient_of(b.net, b.slopes, b.x, b.dx);
    t1 = hal_instructions();
    const uint64_t gradient = t1 - t0;
    // and the same into Activations (every layer's output, what the weight gradients need)
    t0 = hal_instructions();
    const ugrad::Status s4 = ugrad::forward(b.net, b.x, b.act);
    const ugrad::Status s5 = input_gradient_of(b.net, b.act, b.x, b.dx);
    t1 = hal_instructions();
    const uint64_t with_activations = t1 - t0;
    sink = b.dx[0] + ugrad::outputs(b.inf)[0];
    const bool ok = s1 == ugrad::Status::ok && s2 == ugrad::Status::ok && s3 == ugrad::Status::ok &&
                    s4 == ugrad::Status::ok && s5 == ugrad::Status::ok;
    printf("| %s | %.2f M | %.2f M | %.2f | %.2f M | %.2f M | %.2f× | %.2f M |%s\n", name, macs / 1e6,
           static_cast<double>(infer) / 1e6, static_cast<double>(infer) / macs, static_cast<double>(forward) / 1e6,
           static_cast<double>(forward + gradient) / 1e6,
           static_cast<double>(forward + gradient) / static_cast<double>(forward),
           static_cast<double>(with_activations) / 1e6, ok ? "" : " (a call failed)");
}

// One architecture at a time in one static block (they do not all fit in the board's 4 MB at once).
template <class... Nets>
constexpr size_t largest() {
    size_t n = 0;
    ((n = sizeof(Bench<Nets>) > n ? sizeof(Bench<Nets>) : n), ...);
    return n;
}
alignas(8) unsigned char block[largest<mlperf_tiny::AnomalyDetection<>, mlperf_tiny::KeywordSpotting<>,
                                       mlperf_tiny::ImageClassification<>, mlperf_tiny::VisualWakeWords<>,
                                       mlperf_tiny::StreamingWakeWord<>>()];

template <class Net>
void run(const char* name, uint64_t seed) {
    auto* b = new (block) Bench<Net>;  // trivial types: nothing to destroy
    row(name, *b, seed);
}

}  // namespace

int main() {
    printf("| architecture | MACs | `predict` instructions | per MAC | `forward` into `Slopes` | `forward` + `input_gradient` (`Slopes`) | ÷ `forward` | the same into `Activations` |\n");
    printf("|---|---:|---:|---:|---:|---:|---:|---:|\n");
    run<mlperf_tiny::AnomalyDetection<>>("anomaly detection", 1);
    run<mlperf_tiny::KeywordSpotting<>>("keyword spotting (DS-CNN)", 2);
    run<mlperf_tiny::ImageClassification<>>("image classification (ResNet-8)", 3);
    run<mlperf_tiny::VisualWakeWords<>>("visual wake words (MobileNetV1 0.25)", 4);
    run<mlperf_tiny::StreamingWakeWord<>>("streaming wake word", 5);
    return 0;
}
