// SPDX-License-Identifier: Apache-2.0
// tests/lint/instantiate_layers.cpp — every image layer kind (include/ugrad/layers/) instantiated in
// float and double, forward and back, alone and in a Network with a residual block, through every
// call, for the warning checks and the static analysers.
#include <stddef.h>

#include <ugrad/layers/conv2d.hpp>
#include <ugrad/layers/depthwise_conv2d.hpp>
#include <ugrad/layers/pool2d.hpp>
#include <ugrad/network.hpp>
#include <ugrad/network_gradients.hpp>
#include <ugrad/network_jacobian.hpp>
#include <ugrad/network_slopes.hpp>

namespace lint {

template <class L, class Out>
typename L::value_type exercise_layer(const L& layer, Out& kept, L* grads) {
    using T = typename L::value_type;
    T x[L::inputs] = {}, dr[L::outputs] = {}, dx[L::inputs] = {};
    for (size_t i = 0; i < L::inputs; ++i) x[i] = static_cast<T>(i % 7) - T(3);
    ugrad::layer_forward(layer, x, kept);
    for (size_t o = 0; o < L::outputs; ++o) dr[o] = ugrad::slope_at(kept, o);
    if constexpr (sizeof(Out) > sizeof(ugrad::LayerOutput<typename L::activation, L::outputs, T>))
        ugrad::layer_backward_input(layer, kept, dr, dx);
    else
        ugrad::layer_backward_input(layer, dr, dx);
    if constexpr (sizeof(L) > 1)  // a layer with weights (a pool is empty)
        if (grads != nullptr) {
            ugrad::layer_accumulate(x, dr, *grads);
            ugrad::layer_descend(*grads, x, dr, T(0.01));
        }
    return dx[0];
}

template <typename T>
T exercise_all() {
    using C = ugrad::Conv2D<ugrad::Hwc<6, 5, 2>, 3, ugrad::Kernel<3, 2>, ugrad::Stride<2, 1>, ugrad::Same, ugrad::Relu6, T>;
    using C1 = ugrad::Conv1D<12, 2, 3, 4, 2, ugrad::Valid, ugrad::Tanh, T>;
    using D = ugrad::DepthwiseConv2D<ugrad::Hwc<5, 5, 3>, ugrad::Kernel<3, 3>, ugrad::Stride<1, 1>, ugrad::Same,
                                     ugrad::Sigmoid, T>;
    using A = ugrad::AveragePool2D<ugrad::Hwc<5, 4, 2>, ugrad::Window<2, 2>, ugrad::Stride<2, 2>, ugrad::Same,
                                   ugrad::Identity, T>;
    using G = ugrad::GlobalAveragePool<ugrad::Hwc<3, 3, 4>, ugrad::Relu, T>;
    using M = ugrad::MaxPool2D<ugrad::Hwc<5, 4, 2>, ugrad::Window<3, 3>, ugrad::Stride<2, 2>, ugrad::Same,
                               ugrad::Identity, T>;
    static C c{}, c_grads{};
    static C1 c1{}, c1_grads{};
    static D d{}, d_grads{};
    const A a{};
    const G g{};
    const M m{};
    ugrad::LayerOutput<ugrad::Relu6, C::outputs, T> c_out{};
    ugrad::LayerOutput<ugrad::Tanh, C1::outputs, T> c1_out{};
    ugrad::LayerOutput<ugrad::Sigmoid, D::outputs, T> d_out{};
    ugrad::LayerOutput<ugrad::Identity, A::outputs, T> a_out{};
    ugrad::LayerOutput<ugrad::Relu, G::outputs, T> g_out{};
    ugrad::MaxPoolOutput<ugrad::Identity, M::outputs, T> m_out{};
    return exercise_layer(c, c_out, &c_grads) + exercise_layer(c1, c1_out, &c1_grads) +
           exercise_layer(d, d_out, &d_grads) + exercise_layer(a, a_out, static_cast<A*>(nullptr)) +
           exercise_layer(g, g_out, static_cast<G*>(nullptr)) + exercise_layer(m, m_out, static_cast<M*>(nullptr));
}

// A small ResNet: every call of a Network whose layers are image layers and residual blocks.
template <typename T>
T exercise_network() {
    using Block = ugrad::Residual<
        ugrad::Conv2D<ugrad::Hwc<6, 6, 3>, 4, ugrad::Kernel<1, 1>, ugrad::Stride<2, 2>, ugrad::Same, ugrad::Identity, T>,
        ugrad::Relu, ugrad::Conv2D<ugrad::Hwc<6, 6, 3>, 4, ugrad::Kernel<3, 3>, ugrad::Stride<2, 2>, ugrad::Same, ugrad::Relu, T>,
        ugrad::Conv2D<ugrad::Hwc<3, 3, 4>, 4, ugrad::Kernel<3, 3>, ugrad::Stride<1, 1>, ugrad::Same, ugrad::Identity, T>>;
    using Same = ugrad::Residual<ugrad::IdentityShortcut, ugrad::Relu6,
                                 ugrad::DepthwiseConv2D<ugrad::Hwc<6, 6, 3>, ugrad::Kernel<3, 3>, ugrad::Stride<1, 1>,
                                                        ugrad::Same, ugrad::Identity, T>>;
    using Net = ugrad::Network<ugrad::Softmax,
                               ugrad::Conv2D<ugrad::Hwc<6, 6, 1>, 3, ugrad::Kernel<3, 3>, ugrad::Stride<1, 1>, ugrad::Same, ugrad::Relu, T>,
                               Same, Block, ugrad::MaxPool2D<ugrad::Hwc<3, 3, 4>, ugrad::Window<2, 2>, ugrad::Stride<1, 1>,
                                                              ugrad::Valid, ugrad::Identity, T>,
                               ugrad::GlobalAveragePool<ugrad::Hwc<2, 2, 4>, ugrad::Identity, T>, ugrad::Dense<4, 3, ugrad::Identity, T>>;
    static Net net{}, grads{};
    T x[Net::inputs] = {};
    for (size_t i = 0; i < Net::inputs; ++i) x[i] = static_cast<T>(i % 5) - T(2);
    typename Net::Activations act{};
    T dx[Net::inputs] = {};
    static T jac[Net::outputs][Net::inputs];
    int failures = 0;
    failures += ugrad::forward(net, x, act) != ugrad::Status::ok;
    failures += ugrad::input_gradient(net, act, 1, dx) != ugrad::Status::ok;
    failures += ugrad::accumulate_gradients(net, x, act, 1, grads) != ugrad::Status::ok;
    failures += ugrad::sgd_step(net, grads, T(0.1), T(0.5)) != ugrad::Status::ok;
    failures += ugrad::sgd_step(net, x, act, 2, T(0.1)) != ugrad::Status::ok;
    failures += ugrad::output_jacobian(net, act, jac) != ugrad::Status::ok;
    static typename Net::Slopes slopes{};  // dJ/dx alone
    failures += ugrad::forward(net, x, slopes) != ugrad::Status::ok;
    failures += ugrad::input_gradient(net, slopes, 1, dx) != ugrad::Status::ok;
    return dx[0] + jac[0][0] + static_cast<T>(failures);
}

}  // namespace lint

float lint_layers_float();
float lint_layers_float() { return lint::exercise_all<float>() + lint::exercise_network<float>(); }
double lint_layers_double();
double lint_layers_double() { return lint::exercise_all<double>() + lint::exercise_network<double>(); }
