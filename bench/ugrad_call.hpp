// SPDX-License-Identifier: Apache-2.0
// bench/ugrad_call.hpp — the call every benchmark times, done by the library: forward +
// cross_entropy + input_gradient for one sample with a class label; returns the loss, writes dJ/dx.
#pragma once

#include <stddef.h>

#include <ugrad/mlp.hpp>
#include <ugrad/network.hpp>

namespace bench {

template <size_t In, size_t Hidden, size_t Out>
__attribute__((noinline)) float call_ugrad(const ugrad::Mlp<In, Hidden, Out>& net, const float (&x)[In], size_t label,
                                           float (&dx)[In]) {
    ugrad::Activations<In, Hidden, Out> act;
    float loss = 0;
    if (ugrad::forward(net, x, act) != ugrad::Status::ok) return -1;
    if (ugrad::cross_entropy(act, label, loss) != ugrad::Status::ok) return -1;
    if (ugrad::input_gradient(net, act, label, dx) != ugrad::Status::ok) return -1;
    return loss;
}

// The same call for any Network with a label-taking head (forward + loss + input_gradient).
template <class Net>
__attribute__((noinline)) float call_ugrad_network(const Net& net, const float (&x)[Net::inputs], size_t label,
                                                   float (&dx)[Net::inputs]) {
    typename Net::Activations act;
    float loss = 0;
    if (ugrad::forward(net, x, act) != ugrad::Status::ok) return -1;
    if (ugrad::loss(act, label, loss) != ugrad::Status::ok) return -1;
    if (ugrad::input_gradient(net, act, label, dx) != ugrad::Status::ok) return -1;
    return loss;
}

}  // namespace bench
