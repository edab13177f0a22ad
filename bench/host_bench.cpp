// SPDX-License-Identifier: Apache-2.0
// bench/host_bench.cpp — ugrad against Eigen and against textbook loops on the host, one process.
//
// One call = forward + cross_entropy + input_gradient for one sample (bench/ugrad_call.hpp).
// Timing: the three implementations run interleaved, in a rotating order, in batches of calls long
// enough (about 40 µs) for the clock; each batch gives one ns-per-call figure and the median over
// all repetitions is reported, which keeps the noise of a shared machine out of the figures.
// Before timing, the three answers are compared (loss and dJ/dx, relative to the largest entry).
//
//   host_bench main     the four sizes of the issue: Markdown table on stdout
//   host_bench sweep    how time grows with In, Hidden and Out (ugrad only)
//   host_bench network  a Network with Mlp's shape against Mlp (the same numbers), and a
//                       64-32-32-10 ReLU Network against textbook loops
// The flags it was built with are passed in as BENCH_FLAGS and printed with the tables.
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <memory>
#include <random>
#include <vector>

#include "eigen_call.hpp"
#include "textbook_call.hpp"
#include "ugrad_call.hpp"

#ifndef BENCH_FLAGS
#define BENCH_FLAGS "(unknown flags)"
#endif

namespace {

volatile float sink;  // every loss goes here, so no call can be optimized away

// A network, a few inputs and labels; weights ~ U(±1/sqrt(fan-in)), inputs ~ U(0, 1).
template <size_t In, size_t Hidden, size_t Out>
struct Problem {
    static constexpr size_t samples = 8;
    ugrad::Mlp<In, Hidden, Out> net;
    float x[samples][In];
    size_t label[samples];
    float dx[In];

    explicit Problem(uint32_t seed) {
        std::mt19937 rng(seed);
        std::uniform_real_distribution<float> u(-1.0f, 1.0f), u01(0.0f, 1.0f);
        const float s1 = 1.0f / std::sqrt(static_cast<float>(In)), s2 = 1.0f / std::sqrt(static_cast<float>(Hidden));
        for (auto& row : net.w1)
            for (float& w : row) w = s1 * u(rng);
        for (float& b : net.b1) b = s1 * u(rng);
        for (auto& row : net.w2)
            for (float& w : row) w = s2 * u(rng);
        for (float& b : net.b2) b = s2 * u(rng);
        for (size_t n = 0; n < samples; ++n) {
            for (float& v : x[n]) v = u01(rng);
            label[n] = n % Out;
        }
    }
};

template <size_t In, size_t Hidden, size_t Out>
constexpr double macs() {
    return 2.0 * (static_cast<double>(In) * Hidden + static_cast<double>(Hidden) * Out);
}

enum Impl { impl_ugrad, impl_eigen, impl_textbook, impl_count };

template <size_t In, size_t Hidden, size_t Out>
float call(Impl impl, Problem<In, Hidden, Out>& p, size_t n) {
    switch (impl) {
        case impl_ugrad: return bench::call_ugrad(p.net, p.x[n], p.label[n], p.dx);
        case impl_eigen: return bench::call_eigen(p.net, p.x[n], p.label[n], p.dx);
        default: return bench::call_textbook(p.net, p.x[n], p.label[n], p.dx);
    }
}

// ns per call of one batch of `calls` calls.
template <size_t In, size_t Hidden, size_t Out>
double time_batch(Impl impl, Problem<In, Hidden, Out>& p, size_t calls) {
    using clock = std::chrono::steady_clock;
    float acc = 0;
    const auto t0 = clock::now();
    for (size_t c = 0; c < calls; ++c) acc += call(impl, p, c % Problem<In, Hidden, Out>::samples);
    const auto t1 = clock::now();
    sink = acc;
    return static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count()) /
           static_cast<double>(calls);
}

double median(std::vector<double> v) {
    std::sort(v.begin(), v.end());
    const size_t n = v.size();
    return n % 2 ? v[n / 2] : 0.5 * (v[n / 2 - 1] + v[n / 2]);
}

struct Timing {
    double ns[impl_count];
};

// Median ns per call of the implementations in `which`, interleaved over `reps` repetitions.
template <size_t In, size_t Hidden, size_t Out>
Timing measure(Problem<In, Hidden, Out>& p, const std::vector<Impl>& which, int reps) {
    // Batch size: about 40 µs of the slowest implementation, at least 4 calls.
    double slowest = 0;
    for (Impl impl : which) {
        time_batch(impl, p, 16);  // warm caches and branch predictors
        slowest = std::max(slowest, time_batch(impl, p, 64));
    }
    const size_t calls = std::max<size_t>(4, static_cast<size_t>(40000.0 / std::max(slowest, 1.0)));
    std::vector<double> t[impl_count];
    for (int r = 0; r < reps; ++r)
        for (size_t k = 0; k < which.size(); ++k) {
            const Impl impl = which[(k + static_cast<size_t>(r)) % which.size()];
            t[impl].push_back(time_batch(impl, p, calls));
        }
    Timing out{};
    for (Impl impl : which) out.ns[impl] = median(t[impl]);
    return out;
}

// Largest difference of loss and dJ/dx between ugrad and `other`, relative to the largest |dJ/dx|.
template <size_t In, size_t Hidden, size_t Out>
double disagreement(Impl other, Problem<In, Hidden, Out>& p) {
    double worst = 0;
    for (size_t n = 0; n < Problem<In, Hidden, Out>::samples; ++n) {
        float dx_u[In];
        const float loss_u = call(impl_ugrad, p, n);
        memcpy(dx_u, p.dx, sizeof dx_u);
        const float loss_o = call(other, p, n);
        double scale = 0;
        for (size_t i = 0; i < In; ++i) scale = std::max(scale, std::fabs(static_cast<double>(dx_u[i])));
        for (size_t i = 0; i < In; ++i)
            worst = std::max(worst, std::fabs(static_cast<double>(dx_u[i]) - static_cast<double>(p.dx[i])) / scale);
        worst = std::max(worst, std::fabs(static_cast<double>(loss_u) - static_cast<double>(loss_o)) /
                                    std::max(1.0, std::fabs(static_cast<double>(loss_u))));
    }
    return worst;
}

bool all_agree = true;

template <size_t In, size_t Hidden, size_t Out>
void main_row(int reps) {
    auto p = std::make_unique<Problem<In, Hidden, Out>>(1234u + static_cast<uint32_t>(In));
    const double d_eigen = disagreement(impl_eigen, *p), d_textbook = disagreement(impl_textbook, *p);
    if (!(d_eigen < 1e-4 && d_textbook < 1e-4)) {
        fprintf(stderr, "host_bench: %zu-%zu-%zu: implementations disagree (Eigen %.2e, textbook %.2e)\n", In, Hidden,
                Out, d_eigen, d_textbook);
        all_agree = false;
    }
    const Timing t = measure(*p, {impl_ugrad, impl_eigen, impl_textbook}, reps);
    const double m = macs<In, Hidden, Out>();
    printf("| %zu-%zu-%zu | %.0f | %.0f | %.0f | %.0f | **%.2f×** | %.2f× | %.2f | %.2f |\n", In, Hidden, Out, m,
           t.ns[impl_ugrad], t.ns[impl_eigen], t.ns[impl_textbook], t.ns[impl_eigen] / t.ns[impl_ugrad],
           t.ns[impl_textbook] / t.ns[impl_ugrad], m / t.ns[impl_ugrad], m / t.ns[impl_eigen]);
    fflush(stdout);
}

template <size_t In, size_t Hidden, size_t Out>
void sweep_row(const char* varied, int reps) {
    auto p = std::make_unique<Problem<In, Hidden, Out>>(99u);
    const Timing t = measure(*p, {impl_ugrad, impl_eigen}, reps);
    const double m = macs<In, Hidden, Out>();
    printf("| %s | %zu-%zu-%zu | %.0f | %.0f | %.2f | %.2f× | %zu B |\n", varied, In, Hidden, Out, m, t.ns[impl_ugrad],
           m / t.ns[impl_ugrad], t.ns[impl_eigen] / t.ns[impl_ugrad], sizeof(ugrad::Activations<In, Hidden, Out>));
    fflush(stdout);
}

// ---- Networks (host_bench network) ----

using MlpShaped = ugrad::Network<ugrad::Softmax, ugrad::Dense<64, 32, ugrad::Sigmoid>, ugrad::Dense<32, 10>>;

// Median ns per call of two calls f(n) and g(n), n the sample, interleaved as measure() does.
template <typename F, typename G>
void measure_two(F f, G g, int reps, double& f_ns, double& g_ns) {
    using clock = std::chrono::steady_clock;
    auto batch = [](auto call, size_t calls) {
        float acc = 0;
        const auto t0 = clock::now();
        for (size_t c = 0; c < calls; ++c) acc += call(c % 8);
        const auto t1 = clock::now();
        sink = acc;
        return static_cast<double>(std::chrono::duration_cast<std::chrono::nanoseconds>(t1 - t0).count()) /
               static_cast<double>(calls);
    };
    batch(f, 16);
    batch(g, 16);
    const double slowest = std::max(batch(f, 64), batch(g, 64));
    const size_t calls = std::max<size_t>(4, static_cast<size_t>(40000.0 / std::max(slowest, 1.0)));
    std::vector<double> tf, tg;
    for (int r = 0; r < reps; ++r) {
        if (r % 2) tf.push_back(batch(f, calls)), tg.push_back(batch(g, calls));
        else tg.push_back(batch(g, calls)), tf.push_back(batch(f, calls));
    }
    f_ns = median(tf);
    g_ns = median(tg);
}

int network_table(int reps) {
    auto p = std::make_unique<Problem<64, 32, 10>>(1234u + 64u);
    auto net = std::make_unique<MlpShaped>();
    for (size_t i = 0; i < 64; ++i)
        for (size_t j = 0; j < 32; ++j) net->layer0.w[i][j] = p->net.w1[i][j];
    for (size_t j = 0; j < 32; ++j) net->layer0.b[j] = p->net.b1[j];
    for (size_t j = 0; j < 32; ++j)
        for (size_t k = 0; k < 10; ++k) net->layer1.w[j][k] = p->net.w2[j][k];
    for (size_t k = 0; k < 10; ++k) net->layer1.b[k] = p->net.b2[k];
    auto relu = std::make_unique<bench::ReluNet<64, 32, 32, 10>>();
    std::mt19937 rng(6432);
    auto fill = [&rng](auto& dense, float fan_in) {
        std::uniform_real_distribution<float> u(-1.0f, 1.0f);
        const float s = 1.0f / std::sqrt(fan_in);
        for (auto& row : dense.w)
            for (float& w : row) w = s * u(rng);
        for (float& b : dense.b) b = s * u(rng);
    };
    fill(relu->layer0, 64.0f);
    fill(relu->layer1, 32.0f);
    fill(relu->layer2, 32.0f);
    float dx_net[64], dx_other[64];
    // Same numbers, same bits: the Network must give the Mlp's loss and dx exactly; the textbook
    // ReLU loops agree to rounding.
    int failures = 0;
    for (size_t n = 0; n < 8; ++n) {
        const float a = bench::call_ugrad_network(*net, p->x[n], p->label[n], dx_net);
        const float b = bench::call_ugrad(p->net, p->x[n], p->label[n], dx_other);
        if (memcmp(&a, &b, sizeof a) != 0 || memcmp(dx_net, dx_other, sizeof dx_net) != 0) ++failures;
        const float c = bench::call_ugrad_network(*relu, p->x[n], p->label[n], dx_net);
        const float d = bench::call_textbook_relu(*relu, p->x[n], p->label[n], dx_other);
        double worst = std::fabs(static_cast<double>(c) - static_cast<double>(d)), scale = 0;
        for (size_t i = 0; i < 64; ++i) scale = std::max(scale, std::fabs(static_cast<double>(dx_net[i])));
        for (size_t i = 0; i < 64; ++i)
            worst = std::max(worst, std::fabs(static_cast<double>(dx_net[i]) - static_cast<double>(dx_other[i])) / scale);
        if (!(worst < 1e-4)) ++failures;
    }
    if (failures) fprintf(stderr, "host_bench network: %d samples disagree\n", failures);
    double net_ns, mlp_ns, relu_ns, textbook_ns;
    measure_two([&](size_t n) { return bench::call_ugrad_network(*net, p->x[n], p->label[n], dx_net); },
                [&](size_t n) { return bench::call_ugrad(p->net, p->x[n], p->label[n], dx_other); }, reps, net_ns,
                mlp_ns);
    measure_two([&](size_t n) { return bench::call_ugrad_network(*relu, p->x[n], p->label[n], dx_net); },
                [&](size_t n) { return bench::call_textbook_relu(*relu, p->x[n], p->label[n], dx_other); }, reps,
                relu_ns, textbook_ns);
    printf("Flags `%s`; median of %d interleaved batches.\n\n", BENCH_FLAGS, reps);
    printf("| Network | ugrad ns | compared with | its ns | ugrad/it |\n");
    printf("|---|---:|---|---:|---:|\n");
    printf("| 64-32-10 (sigmoid, softmax: Mlp's shape) | %.0f | Mlp 64-32-10 | %.0f | %.3f |\n", net_ns, mlp_ns,
           net_ns / mlp_ns);
    printf("| 64-32-32-10 (ReLU, ReLU, softmax) | %.0f | textbook loops | %.0f | %.2f |\n", relu_ns, textbook_ns,
           relu_ns / textbook_ns);
    return failures ? 1 : 0;
}

}  // namespace

int main(int argc, char** argv) {
    const bool sweep = argc > 1 && strcmp(argv[1], "sweep") == 0;
    const int reps = argc > 2 ? atoi(argv[2]) : 41;
    if (argc > 1 && strcmp(argv[1], "network") == 0) return network_table(reps);
    if (!sweep) {
        printf("Flags `%s`; median of %d interleaved batches.\n\n", BENCH_FLAGS, reps);
        printf("| In-Hidden-Out | MACs/call | ugrad ns | Eigen ns | textbook ns | Eigen/ugrad | textbook/ugrad | "
               "ugrad MAC/ns | Eigen MAC/ns |\n");
        printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        main_row<16, 8, 3>(reps);
        main_row<64, 32, 10>(reps);
        main_row<256, 64, 10>(reps);
        main_row<784, 128, 10>(reps);
        return all_agree ? 0 : 1;
    }
    printf("Flags `%s`; median of %d interleaved batches. Activations = (2·Hidden + 3·Out)·4 bytes.\n\n", BENCH_FLAGS,
           reps);
    printf("| varied | In-Hidden-Out | MACs/call | ugrad ns | ugrad MAC/ns | Eigen/ugrad | Activations |\n");
    printf("|---|---|---:|---:|---:|---:|---:|\n");
    sweep_row<32, 32, 10>("In", reps);
    sweep_row<64, 32, 10>("In", reps);
    sweep_row<128, 32, 10>("In", reps);
    sweep_row<256, 32, 10>("In", reps);
    sweep_row<512, 32, 10>("In", reps);
    sweep_row<64, 8, 10>("Hidden", reps);
    sweep_row<64, 16, 10>("Hidden", reps);
    sweep_row<64, 64, 10>("Hidden", reps);
    sweep_row<64, 128, 10>("Hidden", reps);
    sweep_row<64, 256, 10>("Hidden", reps);
    sweep_row<64, 32, 2>("Out", reps);
    sweep_row<64, 32, 5>("Out", reps);
    sweep_row<64, 32, 20>("Out", reps);
    sweep_row<64, 32, 40>("Out", reps);
    return 0;
}
