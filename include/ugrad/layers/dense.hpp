// SPDX-License-Identifier: Apache-2.0
// ugrad/layers/dense.hpp — a dense (fully connected) layer's four calls in the form every layer kind
// gives them to the network walk (include/ugrad/network.hpp): forward, the input gradient, the
// weight gradients, and the batch-1 descent step. The loops are Mlp's (include/ugrad/kernels.hpp,
// include/ugrad/updates.hpp), so a Network with Mlp's shape gives Mlp's bits.
//
// Shapes: x [In]   W [In][Out]   b [Out]   r, y [Out]   (row vectors)
//   forward   r = x·W + b,  y = act(r)
//   backward  dx = dr·Wᵀ                     dr = dJ/dr [Out] (dJ/dy times the activation's slope)
//   weights   dW += xᵀ·dr,  db += dr          an outer product
//   descend   W ← W − η·xᵀ·dr,  b ← b − η·dr  (rounds as the two lines above into zeros, then W − η·dW)
#pragma once

#include <stddef.h>

#include <ugrad/activations.hpp>
#include <ugrad/fp_contract.hpp>
#include <ugrad/updates.hpp>
#include <ugrad/kernels.hpp>
#include <ugrad/layers.hpp>
#include <ugrad/layers/layer_calls.hpp>

UGRAD_FP_CONTRACT_OFF_BEGIN

namespace ugrad {

// r = x·W + b (the activation follows: include/ugrad/layers/layer_calls.hpp).   x [In], r [Out].
template <size_t In, size_t Out, class Act, typename T>
inline void layer_map(const Dense<In, Out, Act, T>& layer, const T (&x)[In], T (&r)[Out]) noexcept {
    affine(x, layer.w, layer.b, r);
}

// dx = dr·Wᵀ.   dr [Out], dx [In].
template <size_t In, size_t Out, class Act, typename T>
inline void layer_backward_input(const Dense<In, Out, Act, T>& layer, const T (&dr)[Out], T (&dx)[In]) noexcept {
    affine_t(dr, layer.w, dx);
}

// grads.w += xᵀ·dr, grads.b += dr.
template <size_t In, size_t Out, class Act, typename T>
inline void layer_accumulate(const T (&x)[In], const T (&dr)[Out], Dense<In, Out, Act, T>& grads) noexcept {
    detail::add_outer(x, dr, grads.w);
    detail::add(dr, grads.b);
}

// W ← W − η·xᵀ·dr, b ← b − η·dr.
template <size_t In, size_t Out, class Act, typename T>
inline void layer_descend(Dense<In, Out, Act, T>& layer, const T (&x)[In], const T (&dr)[Out], T learning_rate) noexcept {
    detail::descend_outer(layer.w, x, dr, learning_rate);
    detail::descend(layer.b, dr, learning_rate);
}

}  // namespace ugrad

UGRAD_FP_CONTRACT_OFF_END
