// SPDX-License-Identifier: Apache-2.0
// tests/fuzz/fuzz_conv.cpp — libFuzzer target for a convolutional Network: arbitrary bytes become
// the weights of a small CNN with every image layer kind (Conv2D 3×3 Same, MaxPool, a residual
// block with a 1×1 strided shortcut, DepthwiseConv2D, GlobalAveragePool, Dense), its 8×8 input, a
// label and an upstream gradient, which go through predict, forward, loss, input_gradient,
// backward, accumulate_gradients, sgd_step (on the gradients, and batch 1) and output_jacobian.
//
// Input layout (missing bytes read as 0):
//   byte 0   encodings (2 bits each, tests/fuzz/fuzz_bytes.hpp): weights | x | dlogits | (unused)
//   byte 1   label = byte % (Out + 2) (Out and Out + 1 are out of range)
//   then     every parameter (layer by layer, W then b), x, dlogits
//
// What it checks (it aborts on the first violation), the documented policy:
//   predict       the status forward gives; on ok the same bits of ŷ and θ
//   error policy  any status but ok ⇒ every output the call writes is NaN (ŷ, J, dx, jac, grads);
//                 a refused sgd_step leaves the network unchanged
//   ok            ⇒ outputs finite (J ≥ 0, ŷ in [0, 1], dx, jac; the weight gradients never NaN)
//   statuses      non-finite x → non_finite_input; a label out of range → label_out_of_range;
//                 calls after a failed forward → non_finite_input (loss, input_gradient) or
//                 non_finite_result (backward)
//   consistency   accumulate_gradients into zeros then sgd_step(η, 0) equals the batch-1 step
//                 (as numbers) when the gradients are finite
//   bounded       x, every parameter and dlogits finite with magnitude < 8 ⇒ every call ok
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cfloat>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include <ugrad/ugrad.hpp>

#include "fuzz_bytes.hpp"

namespace {

using namespace ugrad;
using Net = Network<Softmax, Conv2D<Hwc<8, 8, 1>, 3, Kernel<3, 3>, Stride<1, 1>, Same, Relu>,  // 8×8×3
                    MaxPool2D<Hwc<8, 8, 3>, Window<2, 2>>,                                     // 4×4×3
                    Residual<Conv2D<Hwc<4, 4, 3>, 4, Kernel<1, 1>, Stride<2, 2>, Same>, Relu,
                             Conv2D<Hwc<4, 4, 3>, 4, Kernel<3, 3>, Stride<2, 2>, Same, Tanh>,
                             Conv2D<Hwc<2, 2, 4>, 4, Kernel<3, 3>, Stride<1, 1>, Same>>,  // 2×2×4
                    DepthwiseConv2D<Hwc<2, 2, 4>, Kernel<2, 2>, Stride<1, 1>, Same, Relu6>,
                    GlobalAveragePool<Hwc<2, 2, 4>>, Dense<4, 3, Sigmoid>, Dense<3, 3>>;
constexpr size_t In = Net::inputs, Out = Net::outputs;

[[noreturn]] void fail(const char* what) {
    std::fprintf(stderr, "fuzz_conv: %s\n", what);
    std::abort();
}
void check(bool ok, const char* what) {
    if (!ok) fail(what);
}

template <size_t N>
bool all_nan(const float (&v)[N]) {
    for (float f : v)
        if (!std::isnan(f)) return false;
    return true;
}
template <size_t N>
bool all_finite(const float (&v)[N]) {
    for (float f : v)
        if (!std::isfinite(f)) return false;
    return true;
}
template <size_t N>
bool bounded(const float (&v)[N]) {
    for (float f : v)
        if (!std::isfinite(f) || std::fabs(f) >= 8.0f) return false;
    return true;
}

// f(value) for every parameter, layer by layer, W then b (a pool has none; an empty member's
// padding is not a parameter).
template <class N, class F>
void each_parameter(N& n, F f) {
    ugrad::detail::for_each_layer(n, [&](auto& l) {
        ugrad::detail::for_each_parameter(l, [&](auto& a) {
            for (auto& v : ugrad::detail::flat(a)) f(v);
        });
    });
}

Net net, grads, stepped, accumulated;
Net::Activations act;
Net::Inference inf;

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
    fuzz::Bytes in{data, size};
    const uint8_t enc = in.byte();
    const auto e_w = static_cast<fuzz::Encoding>(enc & 3), e_x = static_cast<fuzz::Encoding>((enc >> 2) & 3),
               e_d = static_cast<fuzz::Encoding>((enc >> 4) & 3);
    const size_t label = in.byte() % (Out + 2);
    bool params_bounded = true;
    each_parameter(net, [&](float& v) {
        v = in.value(e_w);
        params_bounded = params_bounded && std::isfinite(v) && std::fabs(v) < 8.0f;
    });
    float x[In], dlogits[Out];
    in.fill(x, e_x);
    in.fill(dlogits, e_d);
    const bool all_bounded = params_bounded && bounded(x) && bounded(dlogits);

    // forward and predict
    const Status fs = forward(net, x, act);
    const Status ps = predict(net, x, inf);
    check(fs == ps, "predict's status differs from forward's");
    if (!all_finite(x)) check(fs == Status::non_finite_input, "a non-finite pixel: not non_finite_input");
    if (all_bounded) check(fs == Status::ok, "bounded inputs: forward failed");
    if (fs == Status::ok) {
        check(memcmp(outputs(act), outputs(inf), sizeof(float) * Out) == 0, "predict's ŷ differs from forward's");
        check(memcmp(logits(act), logits(inf), sizeof(float) * Out) == 0, "predict's θ differs from forward's");
        for (float v : outputs(act)) check(v >= 0.0f && v <= 1.0f, "ŷ outside [0, 1]");
    } else {
        check(all_nan(outputs(act)) && all_nan(logits(act)), "a failed forward left a number in act");
        check(all_nan(outputs(inf)), "a failed predict left a number");
    }

    // loss and input_gradient for the label
    float J = 0, dx[In];
    const Status ls = loss(act, label, J);
    const Status gs = input_gradient(net, act, label, dx);
    if (label >= Out) {
        check(ls == Status::label_out_of_range && gs == Status::label_out_of_range, "a bad label: not label_out_of_range");
    } else if (fs != Status::ok) {
        check(ls == Status::non_finite_input && gs == Status::non_finite_input, "after a failed forward: not non_finite_input");
    }
    if (ls == Status::ok) check(J >= 0.0f && !std::isnan(J), "loss ok but J negative or NaN");
    else check(std::isnan(J), "loss failed but J is a number");
    if (gs == Status::ok) check(all_finite(dx), "input_gradient ok but dx not finite");
    else check(all_nan(dx), "input_gradient failed but dx holds a number");
    if (all_bounded && label < Out) check(gs == Status::ok, "bounded inputs: input_gradient failed");

    // backward of any upstream gradient
    const Status bs = backward(net, act, dlogits, dx);
    if (bs == Status::ok) check(all_finite(dx), "backward ok but dx not finite");
    else check(all_nan(dx), "backward failed but dx holds a number");
    if (fs != Status::ok && all_finite(dlogits)) check(bs == Status::non_finite_result, "backward after a failed forward");

    // the Jacobian
    static float jac[Out][In];
    const Status js = output_jacobian(net, act, jac);
    for (size_t k = 0; k < Out; ++k) {
        if (js == Status::ok) check(all_finite(jac[k]), "output_jacobian ok but not finite");
        else check(all_nan(jac[k]), "output_jacobian failed but holds a number");
    }

    // training: accumulate into zeros, then a step; against the batch-1 step
    if (label < Out) {
        each_parameter(grads, [](float& g) { g = 0.0f; });
        const Status as = accumulate_gradients(net, x, act, label, grads);
        bool grads_finite = true;
        each_parameter(grads, [&](float& g) {
            if (as == Status::ok) check(!std::isnan(g), "accumulate_gradients ok but a gradient is NaN");
            else check(std::isnan(g), "accumulate_gradients failed but a gradient is a number");
            grads_finite = grads_finite && std::isfinite(g);
        });
        if (all_bounded) check(as == Status::ok, "bounded inputs: accumulate_gradients failed");
        accumulated = net;
        stepped = net;
        const Status s1 = sgd_step(accumulated, grads, 0.125f, 0.0f);
        const Status s2 = sgd_step(stepped, x, act, label, 0.125f);
        float before[512], after_a[512], after_b[512];
        size_t n = 0;
        each_parameter(net, [&](float& v) { before[n++] = v; });
        n = 0;
        each_parameter(accumulated, [&](float& v) { after_a[n++] = v; });
        n = 0;
        each_parameter(stepped, [&](float& v) { after_b[n++] = v; });
        if (s1 != Status::ok) check(memcmp(after_a, before, n * sizeof(float)) == 0, "a refused sgd_step changed the network");
        if (s2 != Status::ok) check(memcmp(after_b, before, n * sizeof(float)) == 0, "a refused batch-1 step changed the network");
        if (as == Status::ok && grads_finite && s1 == Status::ok) {
            check(s2 == Status::ok, "the batch-1 step refused gradients that accumulate gave finite");
            for (size_t i = 0; i < n; ++i)
                check(after_a[i] == after_b[i] || (std::isnan(after_a[i]) && std::isnan(after_b[i])),
                      "the batch-1 step differs from accumulate + sgd_step");
        }
    }
    return 0;
}
