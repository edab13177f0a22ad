// SPDX-License-Identifier: Apache-2.0
// Specs: Net::Slopes, what forward keeps for dJ/dx alone — each layer's slope (a ReLU's one bit per
// output, a max pool's taps, a block's inner slopes) instead of its output. Every call on it gives
// ŷ, θ, J and dx bit for bit as the same call on Activations, with the same statuses and NaN
// policy, for dense, image and residual networks with every activation; and it is smaller.
#include <doctest/doctest.h>

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include <cstring>
#include <limits>

#include <ugrad/ugrad.hpp>

#include "support.hpp"

namespace {

using namespace ugrad;

template <class Net>
void randomize(Net& net, uint64_t seed, double scale) {
    test::Rng rng{seed};
    detail::for_each_layer(net, [&](auto& l) {
        detail::for_each_parameter(l, [&](auto& p) {
            auto& values = detail::flat(p);
            test::fill_uniform(values, rng, -scale, scale);
        });
    });
}

template <typename T, size_t N>
bool same_bits(const T (&a)[N], const T (&b)[N]) {
    return std::memcmp(a, b, sizeof a) == 0;
}

// A small CNN as firmware runs them: ReLU, a max pool with a ReLU, ReLU6, a strided 1×1
// convolution, a global average pool, a dense classifier.
template <typename T>
using ReluNet = Network<Softmax,
                        Conv2D<Hwc<8, 8, 1>, 4, Kernel<3, 3>, Stride<1, 1>, Same, Relu, T>,            // 8×8×4
                        MaxPool2D<Hwc<8, 8, 4>, Window<2, 2>, Window<2, 2>, Valid, Relu, T>,         // 4×4×4
                        DepthwiseConv2D<Hwc<4, 4, 4>, Kernel<3, 3>, Stride<1, 1>, Same, Relu6, T>,  // 4×4×4
                        Conv2D<Hwc<4, 4, 4>, 6, Kernel<1, 1>, Stride<2, 2>, Same, Relu, T>,          // 2×2×6
                        GlobalAveragePool<Hwc<2, 2, 6>, Identity, T>,                               // 6
                        Dense<6, 3, Identity, T>>;
// Smooth activations: a sigmoid convolution, a tanh depthwise, an average pool.
template <typename T>
using SmoothNet = Network<Logistic,
                          Conv2D<Hwc<7, 6, 2>, 3, Kernel<3, 3>, Stride<2, 1>, Same, Tanh, T>,            // 4×6×3
                          DepthwiseConv2D<Hwc<4, 6, 3>, Kernel<2, 3>, Stride<1, 1>, Valid, Sigmoid, T>,  // 3×4×3
                          AveragePool2D<Hwc<3, 4, 3>, Window<2, 2>, Stride<1, 2>, Same, Relu6, T>,       // 3×2×3
                          Dense<18, 5, Tanh, T>, Dense<5, 4, Identity, T>>;
// ResNet-8's blocks, small: an identity block and a strided block with a 1×1 shortcut.
template <typename T, class A>
using ResNet = Network<Softmax, Conv2D<Hwc<6, 6, 2>, 3, Kernel<3, 3>, Stride<1, 1>, Same, A, T>,
                       Residual<IdentityShortcut, A, Conv2D<Hwc<6, 6, 3>, 3, Kernel<3, 3>, Stride<1, 1>, Same, A, T>,
                                Conv2D<Hwc<6, 6, 3>, 3, Kernel<3, 3>, Stride<1, 1>, Same, Identity, T>>,
                       Residual<Conv2D<Hwc<6, 6, 3>, 4, Kernel<1, 1>, Stride<2, 2>, Same, Identity, T>, A,
                                Conv2D<Hwc<6, 6, 3>, 4, Kernel<3, 3>, Stride<2, 2>, Same, A, T>,
                                Conv2D<Hwc<3, 3, 4>, 4, Kernel<3, 3>, Stride<1, 1>, Same, Identity, T>>,
                       GlobalAveragePool<Hwc<3, 3, 4>, Identity, T>, Dense<4, 3, Identity, T>>;
// Dense blocks with every activation inside a branch, a max pool inside one, and a Linear head.
using DenseBlocks = Network<Softmax, Dense<6, 6, Tanh>,
                            Residual<IdentityShortcut, Relu, Dense<6, 9, Relu>, Dense<9, 4, Sigmoid>, Dense<4, 6>>,
                            Residual<Dense<6, 2>, Tanh, Dense<6, 2>>, Dense<2, 3>>;
// One-layer branches: a depthwise convolution beside an identity shortcut.
using OneLayerBlock = Network<Softmax, Conv2D<Hwc<6, 6, 1>, 3, Kernel<3, 3>, Stride<1, 1>, Same, Relu>,
                              Residual<IdentityShortcut, Relu6, DepthwiseConv2D<Hwc<6, 6, 3>, Kernel<3, 3>, Stride<1, 1>, Same>>,
                              GlobalAveragePool<Hwc<6, 6, 3>>, Dense<3, 2>>;
using PoolBlock = Network<Linear, Conv2D<Hwc<4, 4, 1>, 2, Kernel<3, 3>, Stride<1, 1>, Same, Relu6>,
                          Residual<IdentityShortcut, Relu, MaxPool2D<Hwc<4, 4, 2>, Window<3, 3>, Stride<1, 1>, Same, Relu>,
                                   Conv2D<Hwc<4, 4, 2>, 2, Kernel<1, 1>>>,
                          Dense<32, 2>>;

// forward into both, then every call, bit for bit; and the Slopes are the smaller.
template <class Net>
void check_same_bits(uint64_t seed, double weight_scale) {
    using T = typename Net::value_type;
    static Net net;
    randomize(net, seed, weight_scale);
    test::Rng rng{seed + 1};
    T x[Net::inputs];
    test::fill_uniform(x, rng, -1.0, 1.0);
    static typename Net::Activations act;
    static typename Net::Slopes s;
    REQUIRE(forward(net, x, act) == Status::ok);
    REQUIRE(forward(net, x, s) == Status::ok);
    CHECK(same_bits(logits(act), logits(s)));
    CHECK(same_bits(outputs(act), outputs(s)));

    T target[Net::outputs];
    if constexpr (detail::same_type<typename Net::head_type, Softmax>::value) {
        for (T& v : target) v = T(1) / T(Net::outputs);
    } else {
        test::fill_uniform(target, rng, 0.0, 1.0);
    }
    T J_act = 0, J_s = 0;
    REQUIRE(loss(act, target, J_act) == Status::ok);
    REQUIRE(loss(s, target, J_s) == Status::ok);
    CHECK(std::memcmp(&J_act, &J_s, sizeof J_act) == 0);

    T dx_act[Net::inputs], dx_s[Net::inputs];
    REQUIRE(input_gradient(net, act, target, dx_act) == Status::ok);
    REQUIRE(input_gradient(net, s, target, dx_s) == Status::ok);
    CHECK(same_bits(dx_act, dx_s));
    if constexpr (!detail::same_type<typename Net::head_type, Linear>::value) {
        for (size_t label = 0; label < Net::outputs; ++label) {
            REQUIRE(loss(act, label, J_act) == Status::ok);
            REQUIRE(loss(s, label, J_s) == Status::ok);
            CHECK(std::memcmp(&J_act, &J_s, sizeof J_act) == 0);
            REQUIRE(input_gradient(net, act, label, dx_act) == Status::ok);
            REQUIRE(input_gradient(net, s, label, dx_s) == Status::ok);
            CHECK(same_bits(dx_act, dx_s));
        }
    }
    T dlogits[Net::outputs];
    test::fill_uniform(dlogits, rng, -1.0, 1.0);
    REQUIRE(backward(net, act, dlogits, dx_act) == Status::ok);
    REQUIRE(backward(net, s, dlogits, dx_s) == Status::ok);
    CHECK(same_bits(dx_act, dx_s));
    // (one layer: Activations' only output is θ, which Slopes keeps too, beside the layer's bits)
    if constexpr (Net::depth > 1) CHECK(sizeof(typename Net::Slopes) < sizeof(typename Net::Activations));
}

}  // namespace

TEST_CASE("Slopes: ŷ, θ, J and dJ/dx bit for bit as from Activations, for every layer kind and activation") {
    check_same_bits<ReluNet<float>>(1, 0.6);
    check_same_bits<ReluNet<double>>(2, 0.6);
    check_same_bits<SmoothNet<float>>(3, 0.7);
    check_same_bits<ResNet<float, Relu>>(4, 0.6);
    check_same_bits<ResNet<float, Relu6>>(5, 1.5);
    check_same_bits<ResNet<double, Tanh>>(6, 0.6);
    check_same_bits<ResNet<float, Sigmoid>>(7, 0.6);
    check_same_bits<DenseBlocks>(8, 0.7);
    check_same_bits<PoolBlock>(9, 0.8);
    check_same_bits<OneLayerBlock>(14, 0.8);
    check_same_bits<Network<Logistic, Dense<13, 16, Sigmoid>, Dense<16, 8, Tanh>, Dense<8, 4, Relu>, Dense<4, 2>>>(10, 0.8);
    check_same_bits<Network<Linear, Dense<5, 9, Relu6>, Dense<9, 3, Relu>>>(11, 2.0);  // the top's slope too
    check_same_bits<Network<Softmax, Dense<70, 40, Relu>, Dense<40, 3>>>(12, 0.5);     // bits across words
    check_same_bits<Network<Softmax, Dense<8, 3, Relu>>>(13, 0.8);                      // one layer
}

TEST_CASE("Slopes keep one bit per ReLU and ReLU6 output: the unit's slope, as Activations reads it") {
    using Net = ReluNet<float>;
    static Net net;
    randomize(net, 21, 0.6);
    test::Rng rng{22};
    float x[Net::inputs];
    test::fill_uniform(x, rng, -1.0, 1.0);
    static Net::Activations act;
    static Net::Slopes s;
    REQUIRE(forward(net, x, act) == Status::ok);
    REQUIRE(forward(net, x, s) == Status::ok);
    auto check_bits = [](const auto& kept, const auto& out) {
        constexpr size_t N = sizeof(out.y) / sizeof(out.y[0]);
        CHECK(kept.nan_output == 0);
        size_t on = 0, off = 0;
        for (size_t j = 0; j < N; ++j) {
            const bool bit = ((kept.on[j / 32] >> (j % 32)) & 1u) != 0;
            CHECK(bit == (slope_at(out, j) == 1.0f));
            on += bit ? 1 : 0;
            off += bit ? 0 : 1;
        }
        CHECK(on > 0);  // both kinds of unit are there: the spec is not vacuous
        CHECK(off > 0);
    };
    check_bits(layer_slope<0>(s), layer_output<0>(act));  // ReLU, 256 outputs: 8 words
    check_bits(layer_slope<1>(s), layer_output<1>(act));  // the max pool's ReLU
    check_bits(layer_slope<2>(s), layer_output<2>(act));  // ReLU6
    for (size_t j = 0; j < 64; ++j) CHECK(layer_slope<1>(s).tap[j] == layer_output<1>(act).tap[j]);
    static_assert(sizeof(layer_slope<0>(s)) == (256 / 32) * 4 + 4, "256 bits and the NaN note");
    static_assert(sizeof(layer_slope<2>(s)) == (64 / 32) * 4 + 4, "64 bits and the NaN note");
    static_assert(sizeof(layer_slope<1>(s)) == (64 / 32) * 4 + 4 + 64, "a max pool: its bits and a tap per output");
}

TEST_CASE("Slopes' work buffer: forward's arena, then the walk's two buffers and a block's inner walk") {
    // dense 64 → 32 → 10: forward holds 32 (θ has its own place); the walk dJ/dθ [10] and dJ/dr_0 [32]
    using Net = Network<Softmax, Dense<64, 32, Relu>, Dense<32, 10>>;
    static_assert(Net::Slopes::arena_size == 32 && Net::Slopes::walk_size == 10 + 32 && Net::Slopes::work_size == 42,
                  "the larger of the two");
    static_assert(sizeof(Net::Slopes) < sizeof(Net::Activations), "smaller than every layer's output");
    // ReluNet: conv 64 → 256 (256), pool 256 → 64 (320), depthwise, conv, pool, dense (θ outside)
    static_assert(ReluNet<float>::Slopes::arena_size == 256 + 64, "the max pool's input and output");
    // a block's inner walk: its branch's inner dJ/dr (one buffer for two layers: 3×3×4 = 36), then
    // a layer shortcut's dx (6×6×3 = 108) over it; a longer branch, two buffers
    using Strided = ResNet<float, Relu>::layer_type<2>;
    static_assert(detail::kept_slope<Strided>::inner_walk == 108, "the shortcut's dx, over the branch's buffer");
    using Identity2 = ResNet<float, Relu>::layer_type<1>;
    static_assert(detail::kept_slope<Identity2>::inner_walk == 108, "one buffer of 6×6×3");
    using ThreeLayers = DenseBlocks::layer_type<1>;
    static_assert(detail::kept_slope<ThreeLayers>::inner_walk == 9 + 9, "two buffers of the widest inner output");
}

TEST_CASE("Slopes' statuses and NaN policy are Activations'") {
    using Net = ReluNet<float>;
    static Net net;
    randomize(net, 31, 0.6);
    float x[Net::inputs];
    for (float& v : x) v = 0.25f;
    static Net::Activations act;
    static Net::Slopes s;
    float J = 0, dx[Net::inputs];

    // a label out of range, a bad target
    REQUIRE(forward(net, x, s) == Status::ok);
    CHECK(loss(s, 3, J) == Status::label_out_of_range);
    CHECK(isnan(J));
    CHECK(input_gradient(net, s, 3, dx) == Status::label_out_of_range);
    CHECK(test::all_nan(dx));
    const float bad_target[3] = {0.5f, 0.25f, 0.0f};  // sums to 0.75
    CHECK(loss(s, bad_target, J) == Status::bad_target);
    CHECK(input_gradient(net, s, bad_target, dx) == Status::bad_target);
    CHECK(test::all_nan(dx));
    const float nan_dlogits[3] = {1.0f, std::numeric_limits<float>::quiet_NaN(), 0.0f};
    CHECK(backward(net, s, nan_dlogits, dx) == Status::non_finite_input);
    CHECK(test::all_nan(dx));

    // a failed forward: everything NaN, and every later call says so as on Activations
    x[17] = std::numeric_limits<float>::quiet_NaN();
    CHECK(forward(net, x, act) == Status::non_finite_input);
    CHECK(forward(net, x, s) == Status::non_finite_input);
    CHECK(test::all_nan(logits(s)));
    CHECK(test::all_nan(outputs(s)));
    CHECK(test::all_nan(s.work));
    CHECK(layer_slope<0>(s).nan_output == 1);
    for (uint8_t tap : layer_slope<1>(s).tap) CHECK(tap == detail::no_tap);
    CHECK(loss(s, 0, J) == Status::non_finite_input);
    CHECK(isnan(J));
    CHECK(input_gradient(net, s, 0, dx) == Status::non_finite_input);
    CHECK(test::all_nan(dx));
    const float dlogits[3] = {1.0f, -0.5f, 0.25f};
    CHECK(backward(net, act, dlogits, dx) == Status::non_finite_result);
    CHECK(backward(net, s, dlogits, dx) == Status::non_finite_result);
    CHECK(test::all_nan(dx));

    // an overflowing weight: θ not finite
    x[17] = 1.0f;
    layer<5>(net).w[0][0] = std::numeric_limits<float>::max();
    layer<5>(net).w[1][0] = std::numeric_limits<float>::max();
    for (float& v : x) v = 1.0f;
    layer<0>(net).b[0] = 100.0f;
    layer<0>(net).b[1] = 100.0f;
    CHECK(forward(net, x, act) == Status::non_finite_result);
    CHECK(forward(net, x, s) == Status::non_finite_result);
    CHECK(test::all_nan(outputs(s)));
}

TEST_CASE("a NaN hidden output that θ never reads: dJ/dx is non_finite_result from Slopes as from Activations") {
    // Unit 1 of the ReLU layer is NaN (a NaN bias); the strided 1×1 convolution above reads units 0
    // and 2 only, so θ is finite, but ReLU′ of the NaN output is NaN and reaches dx.
    using Net = Network<Softmax, Dense<3, 4, Relu>, Conv1D<4, 1, 1, 1, 2>, Dense<2, 2>>;
    static Net net;
    randomize(net, 41, 0.8);
    layer<0>(net).b[1] = std::numeric_limits<float>::quiet_NaN();
    const float x[3] = {0.5f, -0.25f, 1.0f};
    Net::Activations act;
    Net::Slopes s;
    REQUIRE(forward(net, x, act) == Status::ok);
    REQUIRE(forward(net, x, s) == Status::ok);
    CHECK(isnan(layer_output<0>(act).y[1]));
    CHECK(layer_slope<0>(s).nan_output == 1);
    float dx_act[3], dx_s[3];
    CHECK(input_gradient(net, act, 1, dx_act) == Status::non_finite_result);
    CHECK(input_gradient(net, s, 1, dx_s) == Status::non_finite_result);
    CHECK(same_bits(dx_act, dx_s));
    CHECK(test::all_nan(dx_s));
}
