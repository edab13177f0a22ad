// SPDX-License-Identifier: Apache-2.0
// target_runner.cpp — the exported framework models (target_models.py) on seeded inputs, every
// result printed as the hex of its bits: the host and the emulated Cortex-M4F must print the same
// text (mk/integration.mk, test-frameworks-m4f). Labels for Softmax/Logistic, targets for Linear.
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <ugrad/ugrad.hpp>

#include "splitmix64.hpp"
#include "target_models.hpp"

namespace {

void print_bits(const float* v, size_t n) {
    for (size_t i = 0; i < n; ++i) {
        uint32_t bits;
        memcpy(&bits, &v[i], sizeof bits);
        printf(" %08lx", static_cast<unsigned long>(bits));
    }
}

// A float in [-1, 1) from the top 24 bits of a SplitMix64 step (exact).
float uniform(uint64_t& state) {
    return static_cast<float>(test::splitmix64(state) >> 40) / 8388608.0f - 1.0f;
}

template <class Net>
void run(const char* name, const Net& net, uint64_t seed) {
    constexpr size_t In = Net::inputs, Out = Net::outputs;
    constexpr bool linear = ugrad::detail::same_type<typename Net::head_type, ugrad::Linear>::value;
    for (int s = 0; s < 16; ++s) {
        float x[In], target[Out], J = 0, dx[In];
        for (float& v : x) v = uniform(seed);
        for (float& v : target) v = uniform(seed);
        typename Net::Activations act;
        int status = static_cast<int>(ugrad::forward(net, x, act));
        if constexpr (linear) {
            status = status * 10 + static_cast<int>(ugrad::loss(act, target, J));
            status = status * 10 + static_cast<int>(ugrad::input_gradient(net, act, target, dx));
        } else {
            const size_t label = static_cast<size_t>(s) % (Out == 1 ? 2 : Out);
            status = status * 10 + static_cast<int>(ugrad::loss(act, label, J));
            status = status * 10 + static_cast<int>(ugrad::input_gradient(net, act, label, dx));
        }
        printf("%s %2d %03d", name, s, status);
        print_bits(ugrad::outputs(act), Out);
        print_bits(&J, 1);
        print_bits(dx, In);
        printf("\n");
    }
}

}  // namespace

int main() {
    run("softmax", target_softmax, 1);
    run("logistic", target_logistic, 2);
    run("linear", target_linear, 3);
    return 0;
}
