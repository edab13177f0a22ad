// SPDX-License-Identifier: Apache-2.0
// tests/golden/golden_conv.cpp — the conv-* cases: image layers and residual blocks through every call
// (see golden_vectors.cpp).
#include "golden_cases.hpp"

#if UGRAD_GOLDEN_NETWORKS
#include "golden_network_case.hpp"

namespace golden {
namespace {

// ---- Convolutional networks: image layers and residual blocks through every call ----

using ugrad::Conv2D;
using ugrad::DepthwiseConv2D;
using ugrad::GlobalAveragePool;
using ugrad::Hwc;
using ugrad::IdentityShortcut;
using ugrad::Kernel;
using ugrad::MaxPool2D;
using ugrad::Relu6;
using ugrad::Residual;
using ugrad::Same;
using ugrad::Stride;
using ugrad::Valid;
using ugrad::Window;

// Every parameter of any network, layer by layer, W then b (a block's: its branch's, then its shortcut's).
template <class Net, class F>
void each_parameter_array(Net& net, F f) {
    ugrad::detail::for_each_layer(net, [&](auto& l) { ugrad::detail::for_each_parameter(l, [&](auto& p) { f(ugrad::detail::flat(p)); }); });
}

template <size_t I, class Net>
void hash_layer_outputs(Hash& hash, const typename Net::Activations& act) {
    hash.values(ugrad::layer_output<I>(act).y);
    if constexpr (I + 1 < Net::depth) hash_layer_outputs<I + 1, Net>(hash, act);
}

// Every call of a convolutional network, statuses and every output hashed: forward (each layer's y
// and the head's values), predict, loss, input_gradient, accumulate_gradients and the batch-1
// sgd_step for the label; backward and backward_to_weights of dlogits; sgd_step with momentum;
// output_jacobian.
template <class Net>
uint64_t evaluate_conv_network(NetworkCase<Net>& c) {
    constexpr size_t In = Net::inputs, Out = Net::outputs;
    Hash hash;
    static typename Net::Activations act;
    static typename Net::Inference inf;
    static typename Net::Gradients grads, upstream;
    static Net stepped;
    hash.status(ugrad::forward(c.net, c.x, act));
    hash_layer_outputs<0, Net>(hash, act);
    hash.values(ugrad::outputs(act));
    hash.status(ugrad::predict(c.net, c.x, inf));
    hash.values(ugrad::outputs(inf));
    hash.values(ugrad::logits(inf));
    float J = 0.0f;
    static float dx[In];
    hash.status(ugrad::loss(act, c.label, J));
    hash.value(J);
    hash.status(ugrad::input_gradient(c.net, act, c.label, dx));
    hash.values(dx);
    each_parameter_array(grads, [](auto& p) { for (float& v : p) v = 0.0f; });
    hash.status(ugrad::accumulate_gradients(c.net, c.x, act, c.label, grads));
    each_parameter_array(grads, [&](auto& p) { hash.values(p); });
    stepped = c.net;
    hash.status(ugrad::sgd_step(stepped, c.x, act, c.label, c.learning_rate));
    each_parameter_array(stepped, [&](auto& p) { hash.values(p); });
    hash.status(ugrad::backward(c.net, act, c.dlogits, dx));
    hash.values(dx);
    each_parameter_array(upstream, [](auto& p) { for (float& v : p) v = 0.0f; });
    hash.status(ugrad::backward_to_weights(c.net, c.x, act, c.dlogits, upstream));
    each_parameter_array(upstream, [&](auto& p) { hash.values(p); });
    stepped = c.net;
    hash.status(ugrad::sgd_step(stepped, grads, c.learning_rate, 0.5f));
    each_parameter_array(stepped, [&](auto& p) { hash.values(p); });
    static float jac[Out][In];
    hash.status(ugrad::output_jacobian(c.net, act, jac));
    hash_rows(hash, jac);
    return hash.state;
}

template <class Net, class Edit = NoEdit>
void conv_case(Hash& hash, uint64_t seed, float w_scale, Edit edit = {}) {
    static NetworkCase<Net> c;  // static: off the small stacks
    Generator g{seed};
    each_parameter_array(c.net, [&](auto& p) { fill(p, g, w_scale); });
    fill(c.x, g, 1.0f);
    soft_target(c.target, g);
    fill(c.dlogits, g, 1.0f);
    c.label = static_cast<size_t>(g.next() % Net::outputs);
    c.learning_rate = 0.125f;
    edit(c);
    hash.word(static_cast<uint32_t>(evaluate_conv_network(c)));
}

// A small CNN as firmware runs them, and a smooth one: every image layer kind, Same and Valid,
// strides 1 and 2, a 1×1 convolution (the dense kernels) and a 3×3 one (the register loop).
using ConvRelu = Network<Softmax, Conv2D<Hwc<8, 8, 1>, 4, Kernel<3, 3>, Stride<1, 1>, Same, Relu>,
                         MaxPool2D<Hwc<8, 8, 4>, Window<2, 2>>,
                         DepthwiseConv2D<Hwc<4, 4, 4>, Kernel<3, 3>, Stride<1, 1>, Same, Relu6>,
                         Conv2D<Hwc<4, 4, 4>, 18, Kernel<1, 1>, Stride<2, 2>, Same, Relu>,
                         GlobalAveragePool<Hwc<2, 2, 18>>, Dense<18, 3>>;
using ConvSmooth = Network<Logistic, Conv2D<Hwc<7, 6, 2>, 17, Kernel<3, 2>, Stride<2, 1>, Same, Tanh>,
                           DepthwiseConv2D<Hwc<4, 6, 17>, Kernel<2, 3>, Stride<1, 1>, Valid, Sigmoid>,
                           ugrad::AveragePool2D<Hwc<3, 4, 17>, Window<2, 2>, Stride<1, 2>, Same>, Dense<102, 2>>;
uint64_t local_case_conv_cnn() {
    Hash hash;
    for (uint64_t draw = 0; draw < 3; ++draw) {
        conv_case<ConvRelu>(hash, 50000 + draw, 0.5f);
        conv_case<ConvSmooth>(hash, 50100 + draw, 0.5f);
    }
    return hash.state;
}

// ResNet's two blocks, small: an identity shortcut and a 1×1 stride-2 one.
using ResBlocks = Network<Softmax, Conv2D<Hwc<6, 6, 2>, 3, Kernel<3, 3>, Stride<1, 1>, Same, Relu>,
                          Residual<IdentityShortcut, Relu, Conv2D<Hwc<6, 6, 3>, 3, Kernel<3, 3>, Stride<1, 1>, Same, Relu>,
                                   Conv2D<Hwc<6, 6, 3>, 3, Kernel<3, 3>, Stride<1, 1>, Same>>,
                          Residual<Conv2D<Hwc<6, 6, 3>, 4, Kernel<1, 1>, Stride<2, 2>, Same>, Relu,
                                   Conv2D<Hwc<6, 6, 3>, 4, Kernel<3, 3>, Stride<2, 2>, Same, Relu>,
                                   Conv2D<Hwc<3, 3, 4>, 4, Kernel<3, 3>, Stride<1, 1>, Same>>,
                          GlobalAveragePool<Hwc<3, 3, 4>>, Dense<4, 3>>;
uint64_t local_case_conv_residual() {
    Hash hash;
    for (uint64_t draw = 0; draw < 3; ++draw) conv_case<ResBlocks>(hash, 51000 + draw, 0.5f);
    return hash.state;
}

// The statuses: a NaN pixel, an infinite weight, a label out of range.
uint64_t local_case_conv_failures() {
    Hash hash;
    conv_case<ConvRelu>(hash, 52000, 0.5f, [](NetworkCase<ConvRelu>& c) { c.x[9] = ugrad::quiet_nan<float>(); });
    conv_case<ConvRelu>(hash, 52001, 0.5f, [](NetworkCase<ConvRelu>& c) { ugrad::layer<3>(c.net).w[0][0][1][2] = __builtin_inff(); });
    conv_case<ResBlocks>(hash, 52002, 0.5f, [](NetworkCase<ResBlocks>& c) { c.label = 3; });
    return hash.state;
}

}  // namespace

uint64_t case_conv_cnn() { return local_case_conv_cnn(); }
uint64_t case_conv_residual() { return local_case_conv_residual(); }
uint64_t case_conv_failures() { return local_case_conv_failures(); }

}  // namespace golden
#endif  // UGRAD_GOLDEN_NETWORKS
