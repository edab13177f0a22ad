// SPDX-License-Identifier: Apache-2.0
// ugrad/network_slopes.hpp — forward, the loss and dJ/dx keeping only what the walk back to the
// input reads: Net::Slopes, the state of the calls that need dJ/dx and not the weight gradients.
//
// The walk down (include/ugrad/network.hpp) reads, at each layer, the layer's transpose f_l′ᵀ,
// which needs the weights alone, and the slope act_l′(r_l) of the layer below. So where
// Activations keeps every layer's output y_l (the next layer's input, which the weight gradients
// need), Slopes keeps of each layer only (include/ugrad/slopes.hpp, include/ugrad/layers/):
//   Identity                 nothing
//   Relu, Relu6              one bit per output (r > 0; 0 < r < 6), 32 to a uint32_t word
//   Sigmoid                  the slope σ(r)·σ(−r), one value per output (as Activations)
//   Tanh                     the output y, one value per output (as Activations)
//   a max pool               besides its activation's: the tap of each maximum, one byte per output
//   an average pool          its activation's alone
//   a residual block         its activation's, each branch layer's and a layer shortcut's
// then θ [Out] and the head's values, and one work buffer that the forward pass and the walk back
// take in turn: forward runs through it as predict runs through Inference's arena (layer l reads
// from one end and writes at the other; the last layer writes θ), and the walk holds its two
// buffers there, then a residual block's inner walk. In values of T (bits and taps in bytes):
//   Σ_l kept_l  +  Out  +  (2·Out Softmax, 3·Out Logistic, 0 Linear)
//   +  max( max_l (In_l + scratch_l + Out_l), walk1 + walk2 + max_blocks (2·widest + In if a layer shortcut) )
// with In_0 = 0 (layer 0 reads the caller's x) and Out_{L−1} = 0 (θ has its own place) in the
// first term. Every call gives the bits, statuses and NaN policy of the same call on Activations.
// The weight-gradient calls (backward_to_weights, accumulate_gradients, sgd_step) need the layers'
// inputs, and take Activations.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/arrays.hpp>
#include <ugrad/compile_errors.hpp>
#include <ugrad/fp_contract.hpp>
#include <ugrad/heads.hpp>
#include <ugrad/layers/layer_calls.hpp>
#include <ugrad/math.hpp>
#include <ugrad/network.hpp>
#include <ugrad/slopes.hpp>
#include <ugrad/status.hpp>
#include <ugrad/type_list.hpp>

UGRAD_FP_CONTRACT_OFF_BEGIN

namespace ugrad {

namespace detail {
// The forward arena of Slopes: Inference's, but the last layer writes θ outside it.
template <size_t I, class... Layers>
constexpr size_t slopes_arena() noexcept {
    using L = typename nth_type<I, Layers...>::type;
    const size_t here = (I == 0 ? 0 : L::inputs) + inference_scratch<L>::value + (I + 1 == sizeof...(Layers) ? 0 : L::outputs);
    if constexpr (I + 1 < sizeof...(Layers)) {
        const size_t above = slopes_arena<I + 1, Layers...>();
        return here > above ? here : above;
    } else {
        return here;
    }
}
// The most any layer's transpose borrows (a residual block's inner walk).
template <size_t I, class... Layers>
constexpr size_t most_inner_walk() noexcept {
    const size_t here = kept_slope<typename nth_type<I, Layers...>::type>::inner_walk;
    if constexpr (I + 1 < sizeof...(Layers)) {
        const size_t above = most_inner_walk<I + 1, Layers...>();
        // cppcheck-suppress unsignedLessThanZero
        return here > above ? here : above;
    } else {
        return here;
    }
}
}  // namespace detail

// What forward keeps for dJ/dx alone (the formula at the top of this file).
template <class Head, class... Layers>
struct NetworkSlopes : HeadOutput<Head, detail::NetworkShape<Head, Layers...>::outputs,
                                  typename detail::NetworkShape<Head, Layers...>::value_type> {
    using head_type = Head;
    using shape = detail::NetworkShape<Head, Layers...>;
    using value_type = typename shape::value_type;
    static constexpr size_t depth = sizeof...(Layers);
    static constexpr size_t outputs = shape::outputs;
    // the forward arena; the walk's two buffers, then a block's inner walk
    static constexpr size_t arena_size = detail::slopes_arena<0, Layers...>();
    static constexpr size_t walk_size = detail::BackwardLayout<shape, true>::size(1) +
                                        detail::BackwardLayout<shape, true>::size(2) +
                                        detail::most_inner_walk<0, Layers...>();
    static constexpr size_t work_size = arena_size > walk_size ? arena_size : walk_size;
    detail::Chain<detail::kept_slope_t<Layers>...> layers;
    value_type theta[outputs];
    // Written by forward and by every call that walks back (so a const Slopes is still their
    // scratchpad: one call at a time per Slopes).
    mutable value_type work[work_size];
};

// θ and ŷ after forward.
template <class Head, class... Layers>
constexpr const auto& logits(const NetworkSlopes<Head, Layers...>& s) noexcept {
    return s.theta;
}
template <class Head, class... Layers>
constexpr const auto& outputs(const NetworkSlopes<Head, Layers...>& s) noexcept {
    if constexpr (detail::same_type<Head, Linear>::value) return s.theta;
    else return s.probs;
}
// What forward kept of layer I.
template <size_t I, class Head, class... Layers>
constexpr const auto& layer_slope(const NetworkSlopes<Head, Layers...>& s) noexcept {
    return detail::get<I>(s.layers);
}

namespace detail {

template <size_t I, class Head, class... Layers, typename T>
constexpr void fill_slopes(NetworkSlopes<Head, Layers...>& s, T value) noexcept {
    fill(get<I>(s.layers), value);
    if constexpr (I + 1 < sizeof...(Layers)) fill_slopes<I + 1>(s, value);
}
template <class Head, class... Layers, typename T>
constexpr void fill(NetworkSlopes<Head, Layers...>& s, T value) noexcept {
    if constexpr (!same_type<Head, Linear>::value) {
        fill(s.log_probs, value);
        fill(s.probs, value);
    }
    if constexpr (same_type<Head, Logistic>::value) fill(s.log_complements, value);
    fill_slopes<0>(s, value);
    fill(s.theta, value);
    fill(s.work, value);
}

// The forward walk: layer I from x into its end of the arena (as infer_layers), the last into θ,
// each keeping its slope.
template <size_t I, class Net, size_t N, typename T>
inline void forward_slope_layers(const Net& net, const T (&x)[N], typename Net::Slopes& s) noexcept {
    using L = typename Net::template layer_type<I>;
    constexpr size_t A = Net::Slopes::arena_size;
    T* arena = &s.work[0];
    if constexpr (I + 1 == Net::depth) {
        T* scratch = I % 2 == 0 ? arena : arena + L::inputs;
        layer_forward_slope(layer<I>(net), x, s.theta, get<I>(s.layers), scratch);
    } else {
        T* out = I % 2 == 0 ? arena : arena + (A - L::outputs);
        T* scratch = I % 2 == 0 ? arena + L::outputs : arena + (I == 0 ? 0 : L::inputs);
        T(&y)[L::outputs] = as_array<L::outputs>(out);
        layer_forward_slope(layer<I>(net), x, y, get<I>(s.layers), scratch);
        forward_slope_layers<I + 1>(net, y, s);
    }
}

// The walk's two buffers at the start of the work buffer, a block's inner walk after them.
template <class Net, bool OwnTop>
inline BackwardScratch<Net, OwnTop> walk_scratch(const typename Net::Slopes& s) noexcept {
    constexpr size_t size1 = BackwardLayout<typename Net::shape, true>::size(1);
    return {&s.work[0], &s.work[size1]};
}
template <class Net>
inline typename Net::value_type* inner_walk(const typename Net::Slopes& s) noexcept {
    using Layout = BackwardLayout<typename Net::shape, true>;
    return &s.work[Layout::size(1) + Layout::size(2)];
}

// The walk to the input, layer I down to 0, as backward_layers walks it visiting nothing: from dr
// = dJ/dr_I [Out_I], dJ/dr_{I−1} = f_I′ᵀ(dr) ⊙ act_{I−1}′ in the buffer dr does not occupy; at I = 0,
// dJ/dx = f_0′ᵀ(dJ/dr_0).
template <size_t I, class Net, class Scratch, typename T, size_t M, size_t In0>
inline void input_walk(const Net& net, const typename Net::Slopes& s, const T (&dr)[M], Scratch& scratch, T* inner,
                       T (&dx)[In0]) noexcept {
    const auto& here = layer<I>(net);
    if constexpr (I > 0) {
        constexpr size_t In = Net::template layer_type<I>::inputs;
        T* next_buffer = Scratch::Layout::template where<I - 1>() == 1 ? &scratch.buffer1[0] : &scratch.buffer2[0];
        T(&next)[In] = as_array<In>(next_buffer);
        backward_input_slope(here, get<I>(s.layers), dr, next, inner);
        multiply_by_slope(get<I - 1>(s.layers), next);
        input_walk<I - 1>(net, s, next, scratch, inner, dx);
    } else {
        backward_input_slope(here, get<0>(s.layers), dr, dx, inner);
    }
}

// dx from dθ [Out] (the caller's, or scratch_top(scratch)): as input_gradient_from on Activations.
template <class Net, class Scratch, typename T, size_t Out, size_t In>
inline Status input_gradient_from_slopes(const Net& net, const typename Net::Slopes& s, Scratch& scratch,
                                         const T (&dtheta)[Out], T (&dx)[In]) noexcept {
    if (!all_finite(dtheta)) return fail(non_finite_upstream<Scratch>(s), dx);
    constexpr size_t top = Net::depth - 1;
    T* inner = inner_walk<Net>(s);
    if constexpr (Scratch::Layout::top_in_buffer) {
        T(&dr)[Out] = scratch_top(scratch);
        if (&dr[0] != &dtheta[0])
            for (size_t k = 0; k < Out; ++k) dr[k] = dtheta[k];
        multiply_by_slope(get<top>(s.layers), dr);
        input_walk<top>(net, s, dr, scratch, inner, dx);
    } else {
        input_walk<top>(net, s, dtheta, scratch, inner, dx);
    }
    if (!all_finite(dx)) return fail(Status::non_finite_result, dx);
    return Status::ok;
}

}  // namespace detail

// Forward pass for dJ/dx alone: θ, the head's ŷ and each layer's slope into s, the same bits as
// forward into Activations. Statuses as that forward's; on either failure every value in s is NaN
// (every ReLU bit reads NaN, every max pool tap none).
template <class Head, class... Layers>
Status forward(const Network<Head, Layers...>& net,
               const typename Network<Head, Layers...>::value_type (&x)[Network<Head, Layers...>::inputs],
               typename Network<Head, Layers...>::Slopes& s) noexcept {
    using T = typename Network<Head, Layers...>::value_type;
    if (!detail::all_finite(x)) {
        detail::fill(s, quiet_nan<T>());
        return Status::non_finite_input;
    }
    detail::forward_slope_layers<0>(net, x, s);
    if (!detail::all_finite(s.theta)) {
        detail::fill(s, quiet_nan<T>());
        return Status::non_finite_result;
    }
    detail::head_forward(s.theta, static_cast<HeadOutput<Head, Network<Head, Layers...>::outputs, T>&>(s));
    return Status::ok;
}

// The head's loss, for a label or a target: as loss on Activations.
template <class Head, class... Layers, typename T, class = detail::takes_labels<Head>>
Status loss(const NetworkSlopes<Head, Layers...>& s, size_t label, T& J) noexcept {
    return detail::head_loss<Head, NetworkSlopes<Head, Layers...>::outputs>(s, label, J);
}
template <class Head, class... Layers, typename T, size_t Out,
          class = detail::enable_if_t<Out == NetworkSlopes<Head, Layers...>::outputs>>
Status loss(const NetworkSlopes<Head, Layers...>& s, const T (&target)[Out], T& J) noexcept {
    return detail::head_loss<Head>(s, target, J);
}
template <class Head, class... Layers, typename T>
Status cross_entropy(const NetworkSlopes<Head, Layers...>& s, size_t label, T& J) noexcept {
    static_assert(!detail::same_type<Head, Linear>::value, "a Linear head's loss is the squared error: loss()");
    return loss(s, label, J);
}
template <class Head, class... Layers, typename T, size_t Out>
Status cross_entropy(const NetworkSlopes<Head, Layers...>& s, const T (&target)[Out], T& J) noexcept {
    static_assert(!detail::same_type<Head, Linear>::value, "a Linear head's loss is the squared error: loss()");
    return loss(s, target, J);
}

// dx for any upstream dJ/dθ: as backward on Activations.
template <class Head, class... Layers>
Status backward(const Network<Head, Layers...>& net, const typename Network<Head, Layers...>::Slopes& s,
                const typename Network<Head, Layers...>::value_type (&dlogits)[Network<Head, Layers...>::outputs],
                typename Network<Head, Layers...>::value_type (&dx)[Network<Head, Layers...>::inputs]) noexcept {
    auto scratch = detail::walk_scratch<Network<Head, Layers...>, false>(s);
    return detail::input_gradient_from_slopes(net, s, scratch, dlogits, dx);
}

// dJ/dx for a label or a target: as input_gradient on Activations.
template <class Head, class... Layers, class = detail::takes_labels<Head>>
Status input_gradient(const Network<Head, Layers...>& net, const typename Network<Head, Layers...>::Slopes& s,
                      size_t label,
                      typename Network<Head, Layers...>::value_type (&dx)[Network<Head, Layers...>::inputs]) noexcept {
    using Net = Network<Head, Layers...>;
    if (!detail::valid_label<Head, Net::outputs>(label)) return detail::fail(Status::label_out_of_range, dx);
    auto scratch = detail::walk_scratch<Net, true>(s);
    detail::head_gradient<Head>(logits(s), outputs(s), label, scratch_top(scratch));
    return detail::input_gradient_from_slopes(net, s, scratch, scratch_top(scratch), dx);
}
template <class Head, class... Layers>
Status input_gradient(const Network<Head, Layers...>& net, const typename Network<Head, Layers...>::Slopes& s,
                      const typename Network<Head, Layers...>::value_type (&target)[Network<Head, Layers...>::outputs],
                      typename Network<Head, Layers...>::value_type (&dx)[Network<Head, Layers...>::inputs]) noexcept {
    using Net = Network<Head, Layers...>;
    if (!detail::valid_target_for<Head>(target)) return detail::fail(Status::bad_target, dx);
    auto scratch = detail::walk_scratch<Net, true>(s);
    detail::head_gradient<Head>(logits(s), outputs(s), target, scratch_top(scratch));
    return detail::input_gradient_from_slopes(net, s, scratch, scratch_top(scratch), dx);
}

// Calls that do not fit the network, declared and never defined, as for Activations
// (include/ugrad/compile_errors.hpp): an array of the wrong size, a label for a Linear head.
template <class Head, class... Layers, typename T, size_t N, size_t In = Network<Head, Layers...>::inputs,
          class = detail::enable_if_t<N != In>>
typename error::x_has<N>::template entries_but_this_network_takes<In> forward(
    const Network<Head, Layers...>& net, const T (&x)[N], typename Network<Head, Layers...>::Slopes& s) noexcept;
template <class Head, class... Layers, typename T, size_t M,
          size_t Out = detail::NetworkShape<Head, Layers...>::outputs, class = detail::enable_if_t<M != Out>>
typename error::target_has<M>::template entries_but_this_network_gives<Out> loss(
    const NetworkSlopes<Head, Layers...>& s, const T (&target)[M], T& J) noexcept;
template <class Head, class... Layers, typename T, size_t N, size_t In = Network<Head, Layers...>::inputs,
          class = detail::takes_labels<Head>, class = detail::enable_if_t<N != In>>
typename error::dx_has<N>::template entries_but_this_network_takes<In> input_gradient(
    const Network<Head, Layers...>& net, const typename Network<Head, Layers...>::Slopes& s, size_t label,
    T (&dx)[N]) noexcept;
template <class Head, class... Layers, typename T, size_t M, size_t N, size_t In = Network<Head, Layers...>::inputs,
          size_t Out = Network<Head, Layers...>::outputs, class = detail::enable_if_t<M != Out>>
typename error::target_has<M>::template entries_but_this_network_gives<Out> input_gradient(
    const Network<Head, Layers...>& net, const typename Network<Head, Layers...>::Slopes& s,
    const T (&target)[M], T (&dx)[N]) noexcept;
template <class Head, class... Layers, typename T, size_t M, size_t N, size_t In = Network<Head, Layers...>::inputs,
          size_t Out = Network<Head, Layers...>::outputs, class = detail::enable_if_t<M == Out && N != In>>
typename error::dx_has<N>::template entries_but_this_network_takes<In> input_gradient(
    const Network<Head, Layers...>& net, const typename Network<Head, Layers...>::Slopes& s,
    const T (&target)[M], T (&dx)[N]) noexcept;
template <class... Layers, typename T>
error::a_linear_head_takes_a_target_not_a_label loss(const NetworkSlopes<Linear, Layers...>& s, size_t label,
                                                     T& J) noexcept;
template <class... Layers, typename T, size_t N>
error::a_linear_head_takes_a_target_not_a_label input_gradient(const Network<Linear, Layers...>& net,
                                                               const NetworkSlopes<Linear, Layers...>& s,
                                                               size_t label, T (&dx)[N]) noexcept;

}  // namespace ugrad

UGRAD_FP_CONTRACT_OFF_END
