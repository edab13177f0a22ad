// SPDX-License-Identifier: Apache-2.0
// bench/mlperf_host_bench.cpp — how long the MLPerf Tiny architectures (bench/mlperf_tiny.hpp) take
// in float on the host, one sample: predict (inference alone), and forward + input_gradient (ŷ and
// dJ/dx; the label 0, or the input itself as the autoencoder's target). Weights filled as
// bench/mlperf_bench.cpp fills them (bench/rng.hpp, U(±0.1) layer by layer, x ~ U(±1)).
//
// Timing: the two calls run interleaved, in batches of calls long enough (about 2 ms) for the
// clock; each batch gives one µs-per-call figure and the median over the repetitions is reported,
// which keeps most of a shared machine's noise out.
//
//   mlperf_host_bench [REPETITIONS [KEY]]   every architecture, or the one named KEY (ad, kws, ic,
//                                           vww, sww)
// Prints one tab-separated line per architecture — key, name, MACs, predict µs, forward +
// input_gradient µs, batches — for tools/bench/torch_mlperf.py, which runs this program in turn with
// its own timing of the same networks in PyTorch and writes the table (`make mlperf-host-bench`).
// The flags it was built with come in as BENCH_FLAGS and are printed on a first line starting '#'.
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

#include "mlperf_fixture.hpp"

#ifndef BENCH_FLAGS
#define BENCH_FLAGS "(unknown flags)"
#endif

namespace {

using bench::Rng;

volatile float sink;  // every call's output goes here, so no call can be optimized away

using bench::fill_random;
template <class Net>
using Bench = bench::MlperfCase<Net>;

template <class Net>
ugrad::Status infer(Bench<Net>& b) {
    const ugrad::Status s = ugrad::predict(b.net, b.x, b.inf);
    sink = ugrad::outputs(b.inf)[0];
    return s;
}

template <class Net>
ugrad::Status gradient(Bench<Net>& b) {
    ugrad::Status s = ugrad::forward(b.net, b.x, b.act);
    if (s != ugrad::Status::ok) return s;
    if constexpr (ugrad::detail::same_type<typename Net::head_type, ugrad::Linear>::value)
        s = ugrad::input_gradient(b.net, b.act, b.x, b.dx);  // the autoencoder's target is its input
    else
        s = ugrad::input_gradient(b.net, b.act, 0, b.dx);
    sink = b.dx[0];
    return s;
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

// µs per call of one batch of `calls` calls of f; false in `ok` if a call failed.
template <class F>
double batch(F f, size_t calls, bool& ok) {
    using clock = std::chrono::steady_clock;
    const auto t0 = clock::now();
    for (size_t c = 0; c < calls; ++c) ok = (f() == ugrad::Status::ok) && ok;
    const auto t1 = clock::now();
    return static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count()) / 1e3 /
           static_cast<double>(calls);
}

bool all_ok = true;
int rows_printed = 0;

template <class Net>
void row(const char* key, const char* name, uint64_t seed, int reps, const char* only) {
    if (only && strcmp(only, key) != 0) return;
    auto b = std::make_unique<Bench<Net>>();
    fill_random(b->net, seed);
    Rng rng{seed + 1};
    for (float& v : b->x) v = rng.uniform(-1.0f, 1.0f);
    auto f = [&] { return infer(*b); };
    auto g = [&] { return gradient(*b); };
    bool ok = true;
    batch(f, 2, ok);  // warm caches and branch predictors
    batch(g, 2, ok);
    // Batch size: about 2 ms of the slower call, at least one call.
    const double slower = std::max(batch(f, 2, ok), batch(g, 2, ok));
    const size_t calls = std::max<size_t>(1, static_cast<size_t>(2000.0 / std::max(slower, 1e-3)));
    std::vector<double> tf, tg;
    for (int r = 0; r < reps; ++r) {
        if (r % 2) tf.push_back(batch(f, calls, ok)), tg.push_back(batch(g, calls, ok));
        else tg.push_back(batch(g, calls, ok)), tf.push_back(batch(f, calls, ok));
    }
    if (!ok) {
        fprintf(stderr, "mlperf_host_bench: %s: a call did not return ok\n", name);
        all_ok = false;
    }
    ++rows_printed;
    printf("%s\t%s\t%zu\t%.2f\t%.2f\t%d\n", key, name, mlperf_tiny::NetworkMacs<Net>::value, median(tf), median(tg),
           reps);
    fflush(stdout);
}

}  // namespace

int main(int argc, char** argv) {
    const int reps = argc > 1 ? atoi(argv[1]) : 21;
    const char* only = argc > 2 ? argv[2] : nullptr;
    if (reps < 1 || argc > 3) {
        fprintf(stderr, "usage: mlperf_host_bench [REPETITIONS >= 1 [ad|kws|ic|vww|sww]]\n");
        return 2;
    }
    printf("# %s\n", BENCH_FLAGS);
    row<mlperf_tiny::AnomalyDetection<>>("ad", "anomaly detection", 1, reps, only);
    row<mlperf_tiny::KeywordSpotting<>>("kws", "keyword spotting (DS-CNN)", 2, reps, only);
    row<mlperf_tiny::ImageClassification<>>("ic", "image classification (ResNet-8)", 3, reps, only);
    row<mlperf_tiny::VisualWakeWords<>>("vww", "visual wake words (MobileNetV1 0.25)", 4, reps, only);
    row<mlperf_tiny::StreamingWakeWord<>>("sww", "streaming wake word", 5, reps, only);
    if (rows_printed == 0) {
        fprintf(stderr, "mlperf_host_bench: no architecture '%s' (ad, kws, ic, vww, sww)\n", only);
        return 2;
    }
    return all_ok ? 0 : 1;
}
