// SPDX-License-Identifier: Apache-2.0
// ugrad/layers/layer_calls.hpp — the contract between a layer kind and the network walk
// (include/ugrad/network.hpp): what forward keeps of a layer, and the calls the walk makes.
//
// Every layer kind L (Dense, Conv2D, DepthwiseConv2D, the pools, Residual) states
//   L::inputs, L::outputs, L::parameters, L::activation, L::value_type
// and gives, in namespace ugrad (x [inputs], dr = dJ/dr [outputs], dx [inputs]):
//   layer_map(l, x, r)                         r = f(x), the layer's map before its activation;
//                                              from it, below, for every kind that keeps only y:
//   layer_forward(l, x, kept)                  r = f(x) into kept.y, then kept.y = act(r)
//   layer_infer(l, x, y, scratch)              y = act(f(x)), keeping nothing (inference);
//                                              scratch: inference_scratch<L>::value values
//   layer_backward_input(l, dr, dx)            dx = f′ᵀ(dr), the transpose of the layer's linear map
//   layer_accumulate(x, dr, grads)             grads += dJ/dW, dJ/db   (kinds with parameters;
//                                              shaped like l, zeros to start with)
//   layer_descend(l, x, dr, η)                 W ← W − η·dJ/dW, b ← b − η·dJ/db, rounding as
//                                              layer_accumulate into zeros, then W − η·dW
// A kind whose backward reads more than its weights (a max pool's taps, a residual block's inner
// outputs) says so with kept_output<L>::read_by_backward, and takes kept after l in the last three
// (and l first in layer_accumulate: a block's gradients pass through its own weights).
// For the calls that need dJ/dx alone (a network's Slopes, include/ugrad/network_slopes.hpp) each
// kind also gives, with kept_slope<L>::type what they keep (the activation's slope, include/ugrad/
// slopes.hpp, and whatever else its transpose reads):
//   layer_forward_slope(l, x, y, kept, scratch)   y = act(f(x)), as layer_infer, keeping act′ (and a
//                                              max pool's taps, a block's inner slopes) in kept
// and its transpose through layer_backward_input as above (a block's with the buffers of its
// branch's walk: kept_slope<L>::inner_walk values, lent by the network).
#pragma once

#include <stddef.h>

#include <ugrad/activations.hpp>
#include <ugrad/slopes.hpp>
#include <ugrad/fp_contract.hpp>
#include <ugrad/arrays.hpp>
#include <ugrad/type_list.hpp>

UGRAD_FP_CONTRACT_OFF_BEGIN

namespace ugrad::detail {

// What forward keeps of a layer L for the backward pass: its output y (and a sigmoid's slope), the
// input of the layer above. A kind that keeps more specializes this.
template <class L>
struct kept_output {
    using type = LayerOutput<typename L::activation, L::outputs, typename L::value_type>;
    static constexpr bool read_by_backward = false;
};
template <class L>
using kept_output_t = typename kept_output<L>::type;

// What the input gradient alone keeps of a layer L: its activation's slope. A kind whose
// transpose reads more specializes this; one whose transpose borrows scratch (a residual block's
// inner walk) says so, and how much: inner_walk values.
template <class L>
struct kept_slope {
    using type = ActivationSlope<typename L::activation, L::outputs, typename L::value_type>;
    static constexpr bool borrows_walk = false;
    static constexpr size_t inner_walk = 0;
};
template <class L>
using kept_slope_t = typename kept_slope<L>::type;

// The walk's three calls below the forward pass, with kept passed on to the kinds that read it.
template <class L, class Kept, typename T, size_t M, size_t N>
inline void backward_input(const L& l, const Kept& kept, const T (&dr)[M], T (&dx)[N]) noexcept {
    if constexpr (kept_output<L>::read_by_backward) layer_backward_input(l, kept, dr, dx);
    else layer_backward_input(l, dr, dx);
}
// The transpose for the walk to the input alone, from what kept_slope<L> keeps.
template <class L, class Kept, typename T, size_t M, size_t N>
inline void backward_input_slope(const L& l, const Kept& kept, const T (&dr)[M], T (&dx)[N], T* inner) noexcept {
    if constexpr (kept_slope<L>::borrows_walk) layer_backward_input(l, kept, dr, dx, inner);
    else backward_input(l, kept, dr, dx);
}
template <class L, class Kept, typename T, size_t N, size_t M>
inline void accumulate_layer(const L& l, const Kept& kept, const T (&x)[N], const T (&dr)[M], L& grads) noexcept {
    if constexpr (L::parameters == 0) return;
    else if constexpr (kept_output<L>::read_by_backward) layer_accumulate(l, kept, x, dr, grads);
    else layer_accumulate(x, dr, grads);
}
template <class L, class Kept, typename T, size_t N, size_t M>
inline void descend_layer(L& l, const Kept& kept, const T (&x)[N], const T (&dr)[M], T learning_rate) noexcept {
    if constexpr (L::parameters == 0) return;
    else if constexpr (kept_output<L>::read_by_backward) layer_descend(l, kept, x, dr, learning_rate);
    else layer_descend(l, x, dr, learning_rate);
}

// The parameter arrays of a layer kind: pair(a, b, f) calls f(p, q) for each array p of a and the
// same array q of b (two layers of kind L: a network and its gradients), W then b. A kind made of
// layers (a residual block) specializes this.
template <class L>
struct parameters_of {
    template <class A, class B, class F>
    static constexpr void pair(A& a, B& b, F& f) noexcept {
        if constexpr (L::parameters > 0) {
            f(a.w, b.w);
            f(a.b, b.b);
        }
    }
};
template <class A, class B, class F>
constexpr void for_each_parameter_pair(A& a, B& b, F&& f) noexcept {
    parameters_of<typename remove_const<A>::type>::pair(a, b, f);
}
template <class A, class F>
constexpr void for_each_parameter(A& a, F&& f) noexcept {
    auto first = [&f](auto& p, auto& /*same*/) noexcept { f(p); };
    for_each_parameter_pair(a, a, first);
}

}  // namespace ugrad::detail

namespace ugrad {

// forward, inference and the input gradient's forward for the kinds that keep y alone (a max pool
// and a residual block write their own).
template <class L, typename T, size_t N, size_t M>
inline void layer_forward(const L& l, const T (&x)[N], LayerOutput<typename L::activation, M, T>& out) noexcept {
    layer_map(l, x, out.y);
    activate(out);
}
template <class L, typename T, size_t N, size_t M>
inline void layer_infer(const L& l, const T (&x)[N], T (&y)[M], T* /*scratch*/) noexcept {
    layer_map(l, x, y);
    activate_values<typename L::activation>(y);
}
template <class L, typename T, size_t N, size_t M>
inline void layer_forward_slope(const L& l, const T (&x)[N], T (&y)[M],
                                ActivationSlope<typename L::activation, M, T>& kept, T* /*scratch*/) noexcept {
    layer_map(l, x, y);
    activate_keeping_slope(y, kept);
}

}  // namespace ugrad

namespace ugrad::detail {

// The scratch inference needs besides a layer's input and output, in values of T.
template <class L>
struct inference_scratch {
    static constexpr size_t value = 0;
};

// Every value forward kept finite (a block's inner outputs too: include/ugrad/layers/residual.hpp).
template <class Act, size_t N, typename T>
constexpr bool kept_finite(const LayerOutput<Act, N, T>& kept) noexcept {
    return all_finite(kept.y);
}

}  // namespace ugrad::detail

UGRAD_FP_CONTRACT_OFF_END
