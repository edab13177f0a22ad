// SPDX-License-Identifier: Apache-2.0
// tests/lint/instantiate_layers.cpp — every image layer kind (include/ugrad/layers/) instantiated in
// float and double, forward and back, for the warning checks and the static analysers.
#include <stddef.h>

#include <ugrad/layers/conv2d.hpp>
#include <ugrad/layers/depthwise_conv2d.hpp>
#include <ugrad/layers/pool2d.hpp>

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
        if (grads != nullptr) ugrad::layer_accumulate(x, dr, *grads);
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

}  // namespace lint

float lint_layers_float();
float lint_layers_float() { return lint::exercise_all<float>(); }
double lint_layers_double();
double lint_layers_double() { return lint::exercise_all<double>(); }
