// SPDX-License-Identifier: Apache-2.0
// tests/lint/instantiate.cpp — the translation unit the static analysers (cppcheck, clang-tidy)
// read: it includes the public header and instantiates every template (inference, losses, input
// and weight gradients, SGD, Jacobians, the math; Mlp and Network with every activation and head), in float and in double,
// at a size with several units per layer and at the smallest one, so that every line of
// include/ugrad/ is analysed as compiled code, not only as a template definition.
#include <stddef.h>

#include <ugrad/ugrad.hpp>

namespace lint {

template <size_t In, size_t Hidden, size_t Out, typename T>
int exercise(const ugrad::Mlp<In, Hidden, Out, T>& net, const T (&x)[In], const T (&target)[Out], size_t label) {
    ugrad::Activations<In, Hidden, Out, T> act{};
    T loss_label, loss_target, dx[In], dlogits[Out];
    int failures = 0;
    failures += ugrad::forward(net, x, act) != ugrad::Status::ok;
    failures += ugrad::cross_entropy(act, label, loss_label) != ugrad::Status::ok;
    failures += ugrad::cross_entropy(act, target, loss_target) != ugrad::Status::ok;
    failures += ugrad::input_gradient(net, act, label, dx) != ugrad::Status::ok;
    failures += ugrad::input_gradient(net, act, target, dx) != ugrad::Status::ok;
    for (size_t k = 0; k < Out; ++k) dlogits[k] = act.probs[k] - target[k];
    failures += ugrad::backward(net, act, dlogits, dx) != ugrad::Status::ok;
    ugrad::Gradients<In, Hidden, Out, T> grads = {};
    failures += ugrad::accumulate_gradients(net, x, act, label, grads) != ugrad::Status::ok;
    failures += ugrad::accumulate_gradients(net, x, act, target, grads) != ugrad::Status::ok;
    failures += ugrad::backward_to_weights(net, x, act, dlogits, grads) != ugrad::Status::ok;
    ugrad::Mlp<In, Hidden, Out, T> trained = net;
    failures += ugrad::sgd_step(trained, grads, T(0.01), T(0.9)) != ugrad::Status::ok;
    T jac[Out][In];
    failures += ugrad::log_prob_jacobian(net, act, jac) != ugrad::Status::ok;
    failures += ugrad::prob_jacobian(net, act, jac) != ugrad::Status::ok;
    T log_p[Out], p[Out];
    ugrad::log_softmax(act.logits, log_p);
    ugrad::softmax(act.logits, p);
    failures += !ugrad::is_finite(ugrad::log_sum_exp(act.logits));
    failures += !ugrad::is_finite(ugrad::dot(x, x));
    failures += ugrad::is_nan(ugrad::sigmoid(x[0]));
    failures += ugrad::is_nan(ugrad::exp(x[0])) || ugrad::is_nan(ugrad::log(target[0]));
    failures += ugrad::status_name(ugrad::Status::bad_target)[0] == '\0';
    failures += !ugrad::is_finite(loss_label) || !ugrad::is_finite(loss_target) || !ugrad::is_finite(dx[0]);
    return failures;
}

template <typename T>
int exercise_type() {
    static const ugrad::Mlp<3, 9, 4, T> net = {
        {{T(0.5), T(-1), T(0.25), T(1), T(0.5), T(-0.5), T(2), T(-2), T(0.125)},
         {T(1.5), T(0.75), T(-0.5), T(0), T(1), T(-1), T(0.5), T(0.25), T(-0.25)},
         {T(-1), T(1), T(0.5), T(0.5), T(-0.5), T(1), T(-1), T(0.75), T(0.375)}},
        {T(0.1), T(-0.2), T(0), T(0.3), T(-0.3), T(0.05), T(0), T(0.2), T(-0.1)},
        {{T(1), T(-1), T(0.5), T(0)}, {T(-0.5), T(0.5), T(0), T(1)}, {T(2), T(0), T(-1), T(0.5)},
         {T(1), T(1), T(-1), T(-1)}, {T(0.5), T(-0.5), T(0.25), T(-0.25)}, {T(0), T(0), T(1), T(-1)},
         {T(-2), T(1), T(0.5), T(0.5)}, {T(0.25), T(0.75), T(-0.75), T(0)}, {T(1), T(0), T(0), T(-1)}},
        {T(0), T(0.1), T(-0.1), T(0.2)},
    };
    static const ugrad::Mlp<1, 1, 1, T> tiny = {{{T(1)}}, {T(0)}, {{T(1)}}, {T(0)}};
    const T x[3] = {T(0.3), T(-0.7), T(1.1)};
    const T target[4] = {T(0.25), T(0.25), T(0.5), T(0)};
    const T x1[1] = {T(0.5)};
    const T target1[1] = {T(1)};
    return exercise(net, x, target, 2) + exercise(tiny, x1, target1, 0);
}

// Every Network call, on a network with every activation and on each head.
template <class Net>
int exercise_network(const Net& net, const typename Net::value_type (&x)[Net::inputs],
                     const typename Net::value_type (&target)[Net::outputs]) {
    using T = typename Net::value_type;
    typename Net::Activations act{};
    T J = 0, dx[Net::inputs], dlogits[Net::outputs], jac[Net::outputs][Net::inputs];
    int failures = 0;
    failures += ugrad::forward(net, x, act) != ugrad::Status::ok;
    failures += ugrad::loss(act, target, J) != ugrad::Status::ok;
    failures += ugrad::input_gradient(net, act, target, dx) != ugrad::Status::ok;
    for (size_t k = 0; k < Net::outputs; ++k) dlogits[k] = ugrad::outputs(act)[k] - target[k];
    failures += ugrad::backward(net, act, dlogits, dx) != ugrad::Status::ok;
    typename Net::Gradients grads = {};
    failures += ugrad::accumulate_gradients(net, x, act, target, grads) != ugrad::Status::ok;
    failures += ugrad::backward_to_weights(net, x, act, dlogits, grads) != ugrad::Status::ok;
    Net trained = net;
    failures += ugrad::sgd_step(trained, grads, T(0.01), T(0.9)) != ugrad::Status::ok;
    failures += ugrad::sgd_step(trained, x, act, target, T(0.01)) != ugrad::Status::ok;
    failures += ugrad::sgd_step_from_logits(trained, x, act, dlogits, T(0.01)) != ugrad::Status::ok;
    failures += ugrad::output_jacobian(net, act, jac) != ugrad::Status::ok;
    if constexpr (!ugrad::detail::same_type<typename Net::head_type, ugrad::Linear>::value) {
        failures += ugrad::loss(act, 0, J) != ugrad::Status::ok;
        failures += ugrad::input_gradient(net, act, 0, dx) != ugrad::Status::ok;
        failures += ugrad::accumulate_gradients(net, x, act, 0, grads) != ugrad::Status::ok;
        failures += ugrad::sgd_step(trained, x, act, 0, T(0.01)) != ugrad::Status::ok;
    }
    if constexpr (ugrad::detail::same_type<typename Net::head_type, ugrad::Softmax>::value)
        failures += ugrad::log_prob_jacobian(net, act, jac) != ugrad::Status::ok;
    typename Net::Slopes slopes{};  // dJ/dx alone
    failures += ugrad::forward(net, x, slopes) != ugrad::Status::ok;
    failures += ugrad::loss(slopes, target, J) != ugrad::Status::ok;
    failures += ugrad::input_gradient(net, slopes, target, dx) != ugrad::Status::ok;
    failures += ugrad::backward(net, slopes, dlogits, dx) != ugrad::Status::ok;
    if constexpr (!ugrad::detail::same_type<typename Net::head_type, ugrad::Linear>::value) {
        failures += ugrad::loss(slopes, 0, J) != ugrad::Status::ok;
        failures += ugrad::input_gradient(net, slopes, 0, dx) != ugrad::Status::ok;
    }
    failures += !ugrad::is_finite(J) || ugrad::is_nan(ugrad::tanh(x[0]));
    return failures;
}

template <typename T, class Head>
using Mixed = ugrad::Network<Head, ugrad::Dense<3, 4, ugrad::Relu, T>, ugrad::Dense<4, 3, ugrad::Tanh, T>,
                             ugrad::Dense<3, 2, ugrad::Sigmoid, T>, ugrad::Dense<2, 2, ugrad::Identity, T>>;

template <typename T>
int exercise_networks() {
    static const Mixed<T, ugrad::Softmax> net = {
        {{{T(0.5), T(-1), T(0.25), T(1)}, {T(1.5), T(0.75), T(-0.5), T(0)}, {T(-1), T(1), T(0.5), T(0.5)}},
         {T(0.1), T(-0.2), T(0), T(0.3)}},
        {{{T(1), T(-1), T(0.5)}, {T(-0.5), T(0.5), T(0)}, {T(2), T(0), T(-1)}, {T(1), T(1), T(-1)}}, {T(0), T(0.1), T(-0.1)}},
        {{{T(0.5), T(-0.5)}, {T(0.25), T(-0.25)}, {T(1), T(-1)}}, {T(0), T(0.2)}},
        {{{T(1), T(-1)}, {T(0.5), T(0.5)}}, {T(0.1), T(0)}},
    };
    Mixed<T, ugrad::Logistic> logistic = {};
    Mixed<T, ugrad::Linear> linear = {};
    static_assert(sizeof logistic == sizeof net, "the head adds no parameters");
    __builtin_memcpy(&logistic, &net, sizeof net);
    __builtin_memcpy(&linear, &net, sizeof net);
    const T x[3] = {T(0.3), T(-0.7), T(1.1)};
    const T target[2] = {T(0.25), T(0.75)};
    return exercise_network(net, x, target) + exercise_network(logistic, x, target) + exercise_network(linear, x, target);
}

}  // namespace lint

int main() {
    return lint::exercise_type<float>() + lint::exercise_type<double>() + lint::exercise_networks<float>() +
           lint::exercise_networks<double>();
}
