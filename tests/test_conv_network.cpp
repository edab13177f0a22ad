// SPDX-License-Identifier: Apache-2.0
// Specs: a Network of image layers — Conv2D, DepthwiseConv2D, AveragePool2D, MaxPool2D,
// GlobalAveragePool — then Dense layers and a head, walked by the same calls as a dense Network:
// forward, loss, input_gradient, backward, accumulate_gradients, sgd_step (both kinds) and the
// Jacobians. dJ/dx and every dJ/dparameter against central differences in double; float against
// double; the batch-1 step against accumulate + sgd_step, bit for bit; and the statuses of a
// failed forward (a max pool keeps no taps then, and its backward says so).
// ugrad: host-only (finite differences of whole networks in double; on the cores, the golden
// vectors' conv-* cases check the same calls bit for bit)
#include <doctest/doctest.h>

#include <math.h>
#include <stddef.h>

#include <cstring>
#include <limits>
#include <type_traits>
#include <vector>

#include <ugrad/ugrad.hpp>

#include "support.hpp"

namespace {

using namespace ugrad;

// A smooth network (tanh, sigmoid, averages): central differences see no kinks.
template <typename T>
using SmoothNet = Network<Softmax,
                          Conv2D<Hwc<7, 6, 2>, 3, Kernel<3, 3>, Stride<2, 1>, Same, Tanh, T>,        // 4×6×3
                          DepthwiseConv2D<Hwc<4, 6, 3>, Kernel<2, 3>, Stride<1, 1>, Valid, Sigmoid, T>,  // 3×4×3
                          AveragePool2D<Hwc<3, 4, 3>, Window<2, 2>, Stride<1, 2>, Same, Identity, T>,  // 3×2×3
                          Dense<18, 5, Tanh, T>, Dense<5, 4, Identity, T>>;

// A small CNN as firmware runs them: ReLU, a max pool, ReLU6, a 1×1 strided convolution, a global
// average pool and a dense classifier.
template <typename T>
using ReluNet = Network<Softmax,
                        Conv2D<Hwc<8, 8, 1>, 4, Kernel<3, 3>, Stride<1, 1>, Same, Relu, T>,            // 8×8×4
                        MaxPool2D<Hwc<8, 8, 4>, Window<2, 2>, Window<2, 2>, Valid, Identity, T>,     // 4×4×4
                        DepthwiseConv2D<Hwc<4, 4, 4>, Kernel<3, 3>, Stride<1, 1>, Same, Relu6, T>,  // 4×4×4
                        Conv2D<Hwc<4, 4, 4>, 6, Kernel<1, 1>, Stride<2, 2>, Same, Relu, T>,          // 2×2×6
                        GlobalAveragePool<Hwc<2, 2, 6>, Identity, T>,                               // 6
                        Dense<6, 3, Identity, T>>;

static_assert(SmoothNet<double>::inputs == 84 && SmoothNet<double>::outputs == 4, "7×6×2 in, 4 classes out");
static_assert(ReluNet<float>::inputs == 64 && ReluNet<float>::outputs == 3, "8×8 in, 3 classes out");

// A residual block with a ResNet-8 block's shape, small: two 3×3 convolutions and a shortcut.
template <typename T, class A>
using IdentityBlock = Residual<IdentityShortcut, A, Conv2D<Hwc<6, 6, 3>, 3, Kernel<3, 3>, Stride<1, 1>, Same, A, T>,
                               Conv2D<Hwc<6, 6, 3>, 3, Kernel<3, 3>, Stride<1, 1>, Same, Identity, T>>;
template <typename T, class A>
using StridedBlock = Residual<Conv2D<Hwc<6, 6, 3>, 4, Kernel<1, 1>, Stride<2, 2>, Same, Identity, T>, A,
                              Conv2D<Hwc<6, 6, 3>, 4, Kernel<3, 3>, Stride<2, 2>, Same, A, T>,
                              Conv2D<Hwc<3, 3, 4>, 4, Kernel<3, 3>, Stride<1, 1>, Same, Identity, T>>;
template <typename T, class A>
using ResNet = Network<Softmax, Conv2D<Hwc<6, 6, 2>, 3, Kernel<3, 3>, Stride<1, 1>, Same, A, T>,  // 6×6×3
                       IdentityBlock<T, A>,                                                      // 6×6×3
                       StridedBlock<T, A>,                                                       // 3×3×4
                       GlobalAveragePool<Hwc<3, 3, 4>, Identity, T>, Dense<4, 3, Identity, T>>;
static_assert(StridedBlock<float, Relu>::parameters == (3 * 4 + 4) + (9 * 3 * 4 + 4) + (9 * 4 * 4 + 4),
              "a block's parameters: its branch's and its shortcut's");

// f(p) for every parameter array p of a layer, W then b (pools have none; a block: its branch
// layers', then its shortcut's).
template <class L, class F>
void layer_parameter_arrays(L& l, F f);
template <size_t I, class Res, class F>
void branch_parameter_arrays(Res& res, F f) {
    layer_parameter_arrays(detail::get<I>(res.branch), f);
    if constexpr (I + 1 < std::remove_const_t<Res>::depth) branch_parameter_arrays<I + 1>(res, f);
}
template <class L, class F>
void layer_parameter_arrays(L& l, F f) {
    using Plain = std::remove_const_t<L>;
    if constexpr (Plain::parameters == 0) {
        return;
    } else if constexpr (detail::kept_output<Plain>::read_by_backward) {
        branch_parameter_arrays<0>(l, f);
        layer_parameter_arrays(l.shortcut, f);
    } else {
        f(l.w);
        f(l.b);
    }
}
template <size_t I = 0, class Net, class F>
void each_parameter_array(Net& net, F f) {
    layer_parameter_arrays(layer<I>(net), f);
    if constexpr (I + 1 < Net::depth) each_parameter_array<I + 1>(net, f);
}
// f(value) for every parameter of a network, in that order.
template <class Net, class F>
void each_parameter(Net& net, F f) {
    each_parameter_array(net, [&](auto& a) {
        auto* p = detail::first_element(a);
        for (size_t i = 0; i < sizeof(a) / sizeof(*p); ++i) f(p[i]);
    });
}

template <class Net>
void randomize(Net& net, uint64_t seed, double scale) {
    test::Rng rng{seed};
    each_parameter(net, [&](auto& v) { v = static_cast<std::remove_reference_t<decltype(v)>>(rng.uniform(-scale, scale)); });
}
// The same weights in another value type.
template <class To, class From>
void convert_network(const From& from, To& to) {
    std::vector<double> values;
    each_parameter(const_cast<From&>(from), [&](auto& v) { values.push_back(static_cast<double>(v)); });
    size_t i = 0;
    each_parameter(to, [&](auto& v) { v = static_cast<std::remove_reference_t<decltype(v)>>(values[i++]); });
}

template <class Net>
double loss_at(const Net& net, const double (&x)[Net::inputs], size_t label) {
    typename Net::Activations act;
    REQUIRE(forward(net, x, act) == Status::ok);
    double J = 0;
    REQUIRE(loss(act, label, J) == Status::ok);
    return J;
}

// dJ/dx and every dJ/dparameter of a double network against central differences.
template <class Net>
void check_gradients(uint64_t seed, double weight_scale) {
    static Net net;
    randomize(net, seed, weight_scale);
    test::Rng rng{seed + 100};
    double x[Net::inputs];
    test::fill_uniform(x, rng, -1.0, 1.0);
    const size_t label = static_cast<size_t>(seed % Net::outputs);

    typename Net::Activations act;
    REQUIRE(forward(net, x, act) == Status::ok);
    double dx[Net::inputs], fd[Net::inputs];
    REQUIRE(input_gradient(net, act, label, dx) == Status::ok);
    test::central_difference([&](const double (&v)[Net::inputs]) { return loss_at(net, v, label); }, x, fd);
    CHECK(test::record_fd_error(test::relative_error(dx, fd)) <= 1e-7);

    static Net grads;
    each_parameter(grads, [](double& v) { v = 0; });
    REQUIRE(accumulate_gradients(net, x, act, label, grads) == Status::ok);
    std::vector<double> analytic, numeric;
    each_parameter(grads, [&](double v) { analytic.push_back(v); });
    each_parameter(net, [&](double& p) {
        const double keep = p, step = 1e-5 * fmax(1.0, fabs(p));
        p = keep + step;
        const double up = loss_at(net, x, label);
        p = keep - step;
        const double down = loss_at(net, x, label);
        p = keep;
        numeric.push_back((up - down) / (2 * step));
    });
    REQUIRE(analytic.size() == numeric.size());
    double num = 0, den = 0;
    bool nan = false;
    for (size_t i = 0; i < analytic.size(); ++i) {
        nan = nan || isnan(analytic[i]);
        num = fmax(num, fabs(analytic[i] - numeric[i]));
        den = fmax(den, fabs(numeric[i]));
    }
    CHECK_FALSE(nan);
    CHECK(den > 0);
    CHECK(test::record_fd_error(num / den) <= 1e-7);
}

}  // namespace

TEST_CASE("a network of image layers: dJ/dx and every dJ/dW against central differences in double") {
    for (uint64_t seed = 1; seed <= 4; ++seed) {
        CAPTURE(seed);
        check_gradients<SmoothNet<double>>(seed, 0.7);
        check_gradients<ReluNet<double>>(seed + 10, 0.8);
    }
}

TEST_CASE("residual blocks (identity and 1×1 strided shortcuts): dJ/dx and every dJ/dW against central differences") {
    for (uint64_t seed = 21; seed <= 24; ++seed) {
        CAPTURE(seed);
        check_gradients<ResNet<double, Tanh>>(seed, 0.6);
        check_gradients<ResNet<double, Relu>>(seed + 10, 0.6);
    }
}

TEST_CASE("a residual block's backward: dx = the branch's transpose plus the shortcut's") {
    // With the branch's weights all zero the block is act(shortcut(x)): an identity shortcut and
    // Identity act give dx = dr exactly.
    using Block = IdentityBlock<double, Identity>;
    using Net = Network<Linear, Block>;
    static Net net = {};
    double x[108], dr[108], dx[108];
    test::Rng rng{5};
    test::fill_uniform(x, rng, -1.0, 1.0);
    test::fill_uniform(dr, rng, -1.0, 1.0);
    Net::Activations act;
    REQUIRE(forward(net, x, act) == Status::ok);
    for (size_t i = 0; i < 108; ++i) CHECK(logits(act)[i] == x[i]);
    REQUIRE(backward(net, act, dr, dx) == Status::ok);
    for (size_t i = 0; i < 108; ++i) CHECK(dx[i] == dr[i]);
}

TEST_CASE("a network of image layers in float agrees with the same network in double") {
    static SmoothNet<double> netd;
    static SmoothNet<float> netf;
    randomize(netd, 42, 0.7);
    convert_network(netd, netf);
    test::Rng rng{43};
    double xd[84];
    float xf[84];
    test::fill_uniform(xd, rng, -1.0, 1.0);
    test::convert(xd, xf);
    SmoothNet<double>::Activations actd;
    SmoothNet<float>::Activations actf;
    REQUIRE(forward(netd, xd, actd) == Status::ok);
    REQUIRE(forward(netf, xf, actf) == Status::ok);
    double dxd[84], dxf_d[84], pd[4], pf_d[4];
    float dxf[84];
    REQUIRE(input_gradient(netd, actd, 2, dxd) == Status::ok);
    REQUIRE(input_gradient(netf, actf, 2, dxf) == Status::ok);
    test::convert(dxf, dxf_d);
    test::convert(outputs(actd), pd);
    test::convert(outputs(actf), pf_d);
    // Each value is a chain of five layers of sums of at most 18 products with |x|, |w| <= 1:
    // a few hundred float roundings (u = 2^-24 ≈ 6e-8) at most, far below 1e-4.
    CHECK(test::relative_error(pf_d, pd) <= 1e-4);
    CHECK(test::relative_error(dxf_d, dxd) <= 1e-4);
}

TEST_CASE_TEMPLATE("the batch-1 step on an image network rounds as accumulate_gradients into zeros, then sgd_step", Net,
                   ReluNet<float>, ResNet<float, Relu>) {
    static Net net, stepped, accumulated, grads;
    randomize(net, 7, 0.6);
    test::Rng rng{8};
    float x[Net::inputs];
    test::fill_uniform(x, rng, -1.0, 1.0);
    typename Net::Activations act;
    REQUIRE(forward(net, x, act) == Status::ok);
    stepped = net;
    accumulated = net;
    each_parameter(grads, [](float& v) { v = 0; });
    REQUIRE(accumulate_gradients(net, x, act, size_t(1), grads) == Status::ok);
    REQUIRE(sgd_step(accumulated, grads, 0.05f) == Status::ok);
    REQUIRE(sgd_step(stepped, x, act, size_t(1), 0.05f) == Status::ok);
    std::vector<float> a, b, before;
    each_parameter(accumulated, [&](float v) { a.push_back(v); });
    each_parameter(stepped, [&](float v) { b.push_back(v); });
    each_parameter(net, [&](float v) { before.push_back(v); });
    size_t differ = 0, moved = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        differ += a[i] == b[i] ? 0 : 1;  // == : the zero's sign may differ (documented)
        moved += a[i] == before[i] ? 0 : 1;
    }
    CHECK(differ == 0);
    CHECK(moved > a.size() / 2);  // the step changed most parameters
}

TEST_CASE("a failed forward through an image network: every later call says so, and a max pool keeps no taps") {
    using Net = ReluNet<float>;
    static Net net;
    randomize(net, 9, 0.8);
    float x[Net::inputs];
    for (float& v : x) v = 0.25f;
    x[17] = std::numeric_limits<float>::quiet_NaN();
    Net::Activations act;
    CHECK(forward(net, x, act) == Status::non_finite_input);
    CHECK(test::all_nan(logits(act)));
    CHECK(test::all_nan(layer_output<1>(act).y));
    for (uint8_t tap : layer_output<1>(act).tap) CHECK(tap == detail::no_tap);

    float dx[Net::inputs];
    CHECK(input_gradient(net, act, 0, dx) == Status::non_finite_input);
    CHECK(test::all_nan(dx));
    const float dlogits[3] = {1.0f, -0.5f, 0.25f};
    CHECK(backward(net, act, dlogits, dx) == Status::non_finite_result);
    CHECK(test::all_nan(dx));
}

TEST_CASE("an image network refuses a label out of range and a bad target, as a dense one does") {
    using Net = ReluNet<float>;
    static Net net;
    randomize(net, 11, 0.6);
    float x[Net::inputs];
    for (float& v : x) v = 0.25f;
    Net::Activations act;
    REQUIRE(forward(net, x, act) == Status::ok);
    float J = 0, dx[Net::inputs];
    CHECK(loss(act, 3, J) == Status::label_out_of_range);
    CHECK(isnan(J));
    CHECK(input_gradient(net, act, 3, dx) == Status::label_out_of_range);
    CHECK(test::all_nan(dx));
    const float bad_target[3] = {0.5f, 0.25f, 0.0f};  // sums to 0.75
    CHECK(input_gradient(net, act, bad_target, dx) == Status::bad_target);
    CHECK(test::all_nan(dx));
    static Net grads;
    CHECK(accumulate_gradients(net, x, act, 3, grads) == Status::label_out_of_range);
    const Net before = net;
    CHECK(sgd_step(net, x, act, 3, 0.1f) == Status::label_out_of_range);
    CHECK(std::memcmp(&before, &net, sizeof net) == 0);  // unchanged
}

TEST_CASE("a max pool's backward after a failed forward is NaN even when every layer is Identity") {
    // With Identity layers only, dx = dθ·(the layers' transposes) does not read act — except the
    // max pool's taps, which a failed forward does not keep.
    using Net = Network<Softmax, MaxPool2D<Hwc<4, 4, 1>, Window<2, 2>>, Dense<4, 2>>;
    Net net = {{}, {{{1, 2}, {3, 4}, {5, 6}, {7, 8}}, {0, 0}}};
    float x[16] = {};
    x[3] = std::numeric_limits<float>::infinity();
    Net::Activations act;
    REQUIRE(forward(net, x, act) == Status::non_finite_input);
    const float dlogits[2] = {1.0f, -1.0f};
    float dx[16];
    CHECK(backward(net, act, dlogits, dx) == Status::non_finite_result);
    CHECK(test::all_nan(dx));

    // and after a good forward, the pool routes each dr to its window's maximum
    for (size_t i = 0; i < 16; ++i) x[i] = static_cast<float>(i % 5);
    REQUIRE(forward(net, x, act) == Status::ok);
    REQUIRE(backward(net, act, dlogits, dx) == Status::ok);
    size_t nonzero = 0;
    for (float v : dx) nonzero += v != 0.0f ? 1 : 0;
    CHECK(nonzero == 4);
}

TEST_CASE("an image network's Jacobian: row k is the gradient of ŷ_k, against central differences") {
    using Net = SmoothNet<double>;
    static Net net;
    randomize(net, 5, 0.7);
    test::Rng rng{6};
    double x[Net::inputs];
    test::fill_uniform(x, rng, -1.0, 1.0);
    Net::Activations act;
    REQUIRE(forward(net, x, act) == Status::ok);
    static double jac[Net::outputs][Net::inputs];
    REQUIRE(output_jacobian(net, act, jac) == Status::ok);
    for (size_t k = 0; k < Net::outputs; ++k) {
        double fd[Net::inputs];
        test::central_difference(
            [&](const double (&v)[Net::inputs]) {
                Net::Activations a;
                REQUIRE(forward(net, v, a) == Status::ok);
                return outputs(a)[k];
            },
            x, fd);
        CHECK(test::record_fd_error(test::relative_error(jac[k], fd)) <= 1e-7);
    }
}

// ---- Inference alone: one arena, the same bits ----

namespace {
template <class Net>
void check_predict_matches_forward(uint64_t seed) {
    static Net net;
    randomize(net, seed, 0.6);
    test::Rng rng{seed + 1};
    typename Net::value_type x[Net::inputs];
    test::fill_uniform(x, rng, -1.0, 1.0);
    typename Net::Activations act;
    typename Net::Inference inf;
    REQUIRE(forward(net, x, act) == Status::ok);
    REQUIRE(predict(net, x, inf) == Status::ok);
    CHECK(std::memcmp(logits(act), logits(inf), sizeof(logits(act))) == 0);
    CHECK(std::memcmp(outputs(act), outputs(inf), sizeof(outputs(act))) == 0);
    CHECK(sizeof(typename Net::Inference) < sizeof(typename Net::Activations));
}
}  // namespace

TEST_CASE("predict: ŷ and θ bit for bit as forward gives them, from one arena") {
    check_predict_matches_forward<SmoothNet<float>>(61);
    check_predict_matches_forward<ReluNet<float>>(62);
    check_predict_matches_forward<ResNet<float, Relu>>(63);
    check_predict_matches_forward<ResNet<double, Tanh>>(64);
    check_predict_matches_forward<Network<Logistic, Dense<13, 16, Sigmoid>, Dense<16, 8, Tanh>, Dense<8, 4, Relu>, Dense<4, 2>>>(65);
    check_predict_matches_forward<Network<Linear, Dense<5, 9, Sigmoid>, Dense<9, 3>>>(66);
    check_predict_matches_forward<Network<Softmax, Dense<6, 6, Tanh>,
                                          Residual<IdentityShortcut, Relu, Dense<6, 9, Relu>, Dense<9, 4, Sigmoid>, Dense<4, 6>>,
                                          Residual<Dense<6, 2>, Tanh, Dense<6, 2>>, Dense<2, 3>>>(68);
}

TEST_CASE("predict's arena: the largest input + scratch + output of any one layer") {
    // ReluNet: conv 64 → 256, pool 256 → 64, depthwise 64 → 64, conv 64 → 24, pool 24 → 6, dense 6 → 3
    static_assert(ReluNet<float>::Inference::arena_size == 256 + 64, "the max pool: its input and output");
    // a two-layer branch holds its inner output (6×6×3 = 108, or 3×3×4 = 36) in one buffer, which
    // also takes a layer shortcut's output (36) once the branch is done
    static_assert(StridedBlock<float, Relu>::inference_scratch == 36, "one inner buffer");
    static_assert(IdentityBlock<float, Relu>::inference_scratch == 108, "one inner buffer of 6×6×3");
    static_assert(ResNet<float, Relu>::Inference::arena_size == 108 + 108 + 108, "the identity block");
    using ThreeLayers = Residual<IdentityShortcut, Relu, Dense<6, 9, Relu>, Dense<9, 4, Tanh>, Dense<4, 6>>;
    static_assert(ThreeLayers::inference_scratch == 9 + 9, "a longer branch: two inner buffers");
    static_assert(Network<Softmax, Dense<4, 8>, Dense<8, 3>>::Inference::arena_size == 8 + 3, "a dense pair");
}

TEST_CASE("predict's statuses: a NaN input, an overflowing weight") {
    using Net = ReluNet<float>;
    static Net net;
    randomize(net, 67, 0.6);
    float x[Net::inputs];
    for (float& v : x) v = 0.5f;
    Net::Inference inf;
    x[5] = std::numeric_limits<float>::quiet_NaN();
    CHECK(predict(net, x, inf) == Status::non_finite_input);
    CHECK(test::all_nan(outputs(inf)));
    CHECK(test::all_nan(inf.arena));
    x[5] = 0.5f;
    layer<5>(net).w[0][0] = std::numeric_limits<float>::max();
    layer<5>(net).w[1][0] = std::numeric_limits<float>::max();
    for (float& v : x) v = 1.0f;
    layer<0>(net).b[0] = 100.0f;  // every pixel of channel 0 lit: the pooled value is large
    const Status s = predict(net, x, inf);
    CHECK(s == Status::non_finite_result);
    CHECK(test::all_nan(outputs(inf)));
}
