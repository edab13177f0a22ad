// SPDX-License-Identifier: Apache-2.0
// bench/math_bench.cpp — `make bench-math` on the host: nanoseconds per call of ugrad's float exp,
// log, sigmoid_pair and tanh next to the host libm's expf, logf and tanhf, measured in the same run.
//
// Each function runs over the same 4096 inputs (a range the network gives it), summing its
// outputs so that no call is dropped; the functions take turns, 41 rounds, and the median round
// is reported. A benchmark prints, it asserts nothing.
#include <stdint.h>
#include <stdio.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

#include <ugrad/math.hpp>

namespace {

constexpr int inputs = 4096;
constexpr int rounds = 41;
constexpr int passes = 64;  // passes over the inputs per round

// A fixed linear congruential sequence: the same inputs every run.
std::vector<float> spread(float lo, float hi, bool logarithmic) {
    std::vector<float> v(inputs);
    uint32_t s = 12345u;
    for (float& x : v) {
        s = s * 1664525u + 1013904223u;
        const float t = static_cast<float>(s >> 8) / 16777216.0f;
        x = logarithmic ? lo * std::pow(hi / lo, t) : lo + (hi - lo) * t;
    }
    return v;
}

struct Case {
    const char* name;
    const char* range;
    const std::vector<float>* inputs;
    float (*run)(const std::vector<float>&);
    std::vector<double> ns;
};

template <typename F>
float sum_over(const std::vector<float>& v, F f) {
    float acc = 0.0f;
    for (int p = 0; p < passes; ++p)
        for (const float x : v) acc += f(x);
    return acc;
}

const std::vector<float> exp_in = spread(-20.0f, 5.0f, false);    // softmax: θ − max θ <= 0, and a little above
const std::vector<float> log_in = spread(1e-3f, 1e3f, true);      // log-sum-exp: Σ e^(θ−m) in [1, Out]; wider here
const std::vector<float> sig_in = spread(-12.0f, 12.0f, false);   // hidden pre-activations
const std::vector<float> tanh_in = spread(-4.0f, 4.0f, false);    // tanh units' pre-activations: mostly its exp path

float ugrad_exp(const std::vector<float>& v) { return sum_over(v, [](float x) { return ugrad::exp(x); }); }
float libm_expf(const std::vector<float>& v) { return sum_over(v, [](float x) { return ::expf(x); }); }
float ugrad_log(const std::vector<float>& v) { return sum_over(v, [](float x) { return ugrad::log(x); }); }
float libm_logf(const std::vector<float>& v) { return sum_over(v, [](float x) { return ::logf(x); }); }
float ugrad_sigmoid(const std::vector<float>& v) {
    return sum_over(v, [](float r) {
        const ugrad::SigmoidPair<float> s = ugrad::sigmoid_pair(r);
        return s.value + s.complement;
    });
}
// The textbook pair with libm: σ(r) = 1/(1 + expf(−r)) and 1 − σ(r) = 1/(1 + expf(r)).
float libm_sigmoid(const std::vector<float>& v) {
    return sum_over(v, [](float r) { return 1.0f / (1.0f + ::expf(-r)) + 1.0f / (1.0f + ::expf(r)); });
}

float ugrad_tanh(const std::vector<float>& v) { return sum_over(v, [](float x) { return ugrad::tanh(x); }); }
float libm_tanhf(const std::vector<float>& v) { return sum_over(v, [](float x) { return ::tanhf(x); }); }

}  // namespace

int main() {
    Case cases[] = {
        {"ugrad::exp", "[-20, 5]", &exp_in, ugrad_exp, {}},
        {"libm expf", "[-20, 5]", &exp_in, libm_expf, {}},
        {"ugrad::log", "[1e-3, 1e3]", &log_in, ugrad_log, {}},
        {"libm logf", "[1e-3, 1e3]", &log_in, libm_logf, {}},
        {"ugrad::sigmoid_pair", "[-12, 12]", &sig_in, ugrad_sigmoid, {}},
        {"libm 1/(1+expf(-r)), 1/(1+expf(r))", "[-12, 12]", &sig_in, libm_sigmoid, {}},
        {"ugrad::tanh", "[-4, 4]", &tanh_in, ugrad_tanh, {}},
        {"libm tanhf", "[-4, 4]", &tanh_in, libm_tanhf, {}},
    };
    volatile float sink = 0.0f;
    for (int r = 0; r < rounds; ++r) {
        for (Case& c : cases) {
            const auto t0 = std::chrono::steady_clock::now();
            sink = sink + c.run(*c.inputs);
            const auto t1 = std::chrono::steady_clock::now();
            c.ns.push_back(std::chrono::duration<double, std::nano>(t1 - t0).count() / (inputs * passes));
        }
    }
    printf("host, g++ -O2 -ffp-contract=off; %d calls per round, median of %d rounds\n\n", inputs * passes, rounds);
    printf("| function | inputs | ns per call |\n|---|---|---|\n");
    for (Case& c : cases) {
        std::sort(c.ns.begin(), c.ns.end());
        printf("| %s | %s | %.2f |\n", c.name, c.range, c.ns[c.ns.size() / 2]);
    }
    return 0;
}
