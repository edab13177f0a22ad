// SPDX-License-Identifier: Apache-2.0
// The library's entry points, instantiated for float and double and given external names, so
// that mk/checks.mk can inspect the object: its undefined symbols must hold no allocator, no
// exception machinery and no libm.
#include <ugrad/ugrad.hpp>

using Net = ugrad::Mlp<64, 32, 10>;
using Act = ugrad::Activations<64, 32, 10>;
using NetD = ugrad::Mlp<64, 32, 10, double>;
using ActD = ugrad::Activations<64, 32, 10, double>;

extern "C" {
ugrad::Status ugrad_check_forward(const Net& n, const float (&x)[64], Act& a) { return ugrad::forward(n, x, a); }
ugrad::Status ugrad_check_loss(const Act& a, size_t label, float& loss) { return ugrad::cross_entropy(a, label, loss); }
ugrad::Status ugrad_check_soft_loss(const Act& a, const float (&y)[10], float& loss) {
    return ugrad::cross_entropy(a, y, loss);
}
ugrad::Status ugrad_check_gradient(const Net& n, const Act& a, size_t label, float (&dx)[64]) {
    return ugrad::input_gradient(n, a, label, dx);
}
ugrad::Status ugrad_check_soft_gradient(const Net& n, const Act& a, const float (&y)[10], float (&dx)[64]) {
    return ugrad::input_gradient(n, a, y, dx);
}
ugrad::Status ugrad_check_backward(const Net& n, const Act& a, const float (&d)[10], float (&dx)[64]) {
    return ugrad::backward(n, a, d, dx);
}
ugrad::Status ugrad_check_forward_double(const NetD& n, const double (&x)[64], ActD& a) { return ugrad::forward(n, x, a); }
ugrad::Status ugrad_check_gradient_double(const NetD& n, const ActD& a, size_t label, double (&dx)[64]) {
    return ugrad::input_gradient(n, a, label, dx);
}
}

// Every Network call (include/ugrad/network*.hpp) for a 3-layer network under each head, with
// every activation in some layer.
template <class Head>
using Net3 = ugrad::Network<Head, ugrad::Dense<64, 32, ugrad::Relu>, ugrad::Dense<32, 16, ugrad::Tanh>,
                            ugrad::Dense<16, 10, ugrad::Sigmoid>>;
using NetS = Net3<ugrad::Softmax>;
using NetL = Net3<ugrad::Logistic>;
using NetR = ugrad::Network<ugrad::Linear, ugrad::Dense<64, 32, ugrad::Sigmoid>, ugrad::Dense<32, 16, ugrad::Relu>,
                            ugrad::Dense<16, 10>>;

#define UGRAD_CHECK_NETWORK(Name, N)                                                                                 \
    ugrad::Status ugrad_check_##Name##_forward(const N& n, const float (&x)[64], N::Activations& a) {             \
        return ugrad::forward(n, x, a);                                                                              \
    }                                                                                                                \
    ugrad::Status ugrad_check_##Name##_target_loss(const N::Activations& a, const float (&y)[10], float& J) {     \
        return ugrad::loss(a, y, J);                                                                                 \
    }                                                                                                                \
    ugrad::Status ugrad_check_##Name##_target_gradient(const N& n, const N::Activations& a, const float (&y)[10], \
                                                       float (&dx)[64]) {                                            \
        return ugrad::input_gradient(n, a, y, dx);                                                                   \
    }                                                                                                                \
    ugrad::Status ugrad_check_##Name##_backward(const N& n, const N::Activations& a, const float (&d)[10],        \
                                                float (&dx)[64]) {                                                   \
        return ugrad::backward(n, a, d, dx);                                                                         \
    }                                                                                                                \
    ugrad::Status ugrad_check_##Name##_target_accumulate(const N& n, const float (&x)[64], const N::Activations& a, \
                                                         const float (&y)[10], N::Gradients& g) {                   \
        return ugrad::accumulate_gradients(n, x, a, y, g);                                                           \
    }                                                                                                                \
    ugrad::Status ugrad_check_##Name##_backward_to_weights(const N& n, const float (&x)[64], const N::Activations& a, \
                                                           const float (&d)[10], N::Gradients& g) {                 \
        return ugrad::backward_to_weights(n, x, a, d, g);                                                            \
    }                                                                                                                \
    ugrad::Status ugrad_check_##Name##_sgd_step(N& n, N::Gradients& g, float rate, float momentum) {               \
        return ugrad::sgd_step(n, g, rate, momentum);                                                                \
    }                                                                                                                \
    ugrad::Status ugrad_check_##Name##_target_sgd_step(N& n, const float (&x)[64], const N::Activations& a,        \
                                                       const float (&y)[10], float rate) {                           \
        return ugrad::sgd_step(n, x, a, y, rate);                                                                    \
    }                                                                                                                \
    ugrad::Status ugrad_check_##Name##_output_jacobian(const N& n, const N::Activations& a, float (&jac)[10][64]) { \
        return ugrad::output_jacobian(n, a, jac);                                                                    \
    }
// The label forms, for the heads that take a label.
#define UGRAD_CHECK_NETWORK_LABEL(Name, N)                                                                           \
    ugrad::Status ugrad_check_##Name##_loss(const N::Activations& a, size_t label, float& J) {                     \
        return ugrad::loss(a, label, J);                                                                             \
    }                                                                                                                \
    ugrad::Status ugrad_check_##Name##_gradient(const N& n, const N::Activations& a, size_t label, float (&dx)[64]) { \
        return ugrad::input_gradient(n, a, label, dx);                                                               \
    }                                                                                                                \
    ugrad::Status ugrad_check_##Name##_accumulate(const N& n, const float (&x)[64], const N::Activations& a,        \
                                                  size_t label, N::Gradients& g) {                                   \
        return ugrad::accumulate_gradients(n, x, a, label, g);                                                       \
    }                                                                                                                \
    ugrad::Status ugrad_check_##Name##_label_sgd_step(N& n, const float (&x)[64], const N::Activations& a,         \
                                                      size_t label, float rate) {                                    \
        return ugrad::sgd_step(n, x, a, label, rate);                                                                \
    }

extern "C" {
UGRAD_CHECK_NETWORK(softmax, NetS)
UGRAD_CHECK_NETWORK_LABEL(softmax, NetS)
UGRAD_CHECK_NETWORK(logistic, NetL)
UGRAD_CHECK_NETWORK_LABEL(logistic, NetL)
UGRAD_CHECK_NETWORK(linear, NetR)
ugrad::Status ugrad_check_softmax_log_prob_jacobian(const NetS& n, const NetS::Activations& a, float (&jac)[10][64]) {
    return ugrad::log_prob_jacobian(n, a, jac);
}
}
