// SPDX-License-Identifier: Apache-2.0
// bench/mlperf_fixture.hpp — what one MLPerf Tiny architecture's bench works on: the network, the
// state of each call and the vectors, with every parameter drawn the same way on every target (the
// emulated core's bench/mlperf_bench.cpp and the host's bench/mlperf_host_bench.cpp).
#pragma once

#include <stdint.h>

#include "rng.hpp"

#include "mlperf_tiny.hpp"

namespace bench {

// Every parameter of a network, layer by layer, W then b (a pool has none), uniform in ±0.1.
template <class Net>
void fill_random(Net& net, uint64_t seed) {
    Rng rng{seed};
    ugrad::detail::for_each_layer(net, [&](auto& layer) {
        ugrad::detail::for_each_parameter(layer, [&](auto& a) {
            for (float& v : ugrad::detail::flat(a)) v = rng.uniform(-0.1f, 0.1f);
        });
    });
}

template <class Net>
struct MlperfCase {
    Net net;
    typename Net::Activations act;
    typename Net::Slopes slopes;
    typename Net::Inference inf;
    float x[Net::inputs];
    float dx[Net::inputs];
};

}  // namespace bench
