// SPDX-License-Identifier: Apache-2.0
// ugrad/network_gradients.hpp — a Network's weight gradients and one step of gradient descent on a
// Network held in RAM: Mlp's calls (include/ugrad/gradients.hpp) for any stack of layers, on
// the same loops (include/ugrad/updates.hpp).
//
// The backward walk of include/ugrad/network.hpp gives every layer's dJ/dr_l [Out_l]; with the
// layer's input x_l [In_l] (x, or the previous layer's output), each layer kind adds its own
// (layer_accumulate, include/ugrad/layers/):
//   Dense    dJ/dW_l = x_lᵀ · dJ/dr_l   [In_l][Out_l]   an outer product: dJ/dW_l[i][j] = x_l[i]·dJ/dr_l[j]
//            dJ/db_l = dJ/dr_l          [Out_l]
//   Conv2D, DepthwiseConv2D   dJ/dW_l = x_l ⋆ dJ/dr_l (a correlation), dJ/db_l = Σ_pixels dJ/dr_l
//   pools    no parameters
// Gradients are held in Net::Gradients, which is Net itself: `Net::Gradients g = {};` is zeros.
//
// Whether every dJ/dr_l is finite is read off dJ/dr_0 alone: each step down multiplies by Wᵀ and a
// slope, and NaN or ±∞ survive both (∞·0 = NaN; ReLU's slope is a product for this reason), so a
// non-finite dJ/dr_l makes every dJ/dr below it non-finite.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/compile_errors.hpp>
#include <ugrad/updates.hpp>
#include <ugrad/fp_contract.hpp>
#include <ugrad/math.hpp>
#include <ugrad/network.hpp>
#include <ugrad/status.hpp>

UGRAD_FP_CONTRACT_OFF_BEGIN

namespace ugrad {

namespace detail {

template <class Head, class... Layers, typename T>
constexpr void fill(Network<Head, Layers...>& net, T value) noexcept {
    for_each_layer(net, [value](auto& layer_i) noexcept {
        for_each_parameter(layer_i, [value](auto& p) noexcept { fill(flat(p), value); });
    });
}

// Every parameter finite: one sum over all of them (two cheap instructions per value), and the exact
// bit test only when the sum is not finite (as for Mlp's Gradients).
template <class Head, class... Layers>
constexpr bool all_finite(const Network<Head, Layers...>& net) noexcept {
    using T = typename Network<Head, Layers...>::value_type;
    T sum = T(0);
    for_each_layer(net, [&sum](const auto& layer_i) noexcept {
        for_each_parameter(layer_i, [&sum](const auto& p) noexcept { sum = sum_for_check(flat(p), sum); });
    });
    if (is_finite(sum)) return true;
    bool finite = true;
    for_each_layer(net, [&finite](const auto& layer_i) noexcept {
        for_each_parameter(layer_i, [&finite](const auto& p) noexcept { finite = finite && all_finite(flat(p)); });
    });
    return finite;
}

// p ← p − η·g, g ← μ·g over every layer (Mlp's descend).
template <size_t I, class Net, typename T>
inline void descend_layers(Net& net, Net& grads, T learning_rate, T momentum) noexcept {
    for_each_parameter_pair(layer<I>(net), layer<I>(grads), [learning_rate, momentum](auto& p, auto& g) noexcept {
        descend(flat(p), flat(g), learning_rate, momentum);
    });
    if constexpr (I + 1 < Net::depth) descend_layers<I + 1>(net, grads, learning_rate, momentum);
}

// Accepts the walk when dJ/dr_0 and every hidden layer's output are finite; visits nothing.
struct CheckFinite {
    template <class A, typename T, size_t N>
    [[nodiscard]] constexpr bool accept(const A& act, const T (&dr0)[N]) const noexcept {
        return all_finite(dr0) && hidden_finite(act);
    }
    template <size_t I, class L, class K, typename T, size_t N, size_t M>
    constexpr void visit(L& /*layer*/, const K& /*kept*/, const T (& /*input*/)[N], const T (& /*dr*/)[M]) const noexcept {}
};

// Layer l of grads: dJ/dW_l and dJ/db_l added in (layer_accumulate: for Dense, Mlp's add_outer
// and add).
template <class Net>
struct AddToGradients : CheckFinite {
    Net& grads;
    template <size_t I, class L, class K, typename T, size_t N, size_t M>
    void visit(const L& layer_i, const K& kept, const T (&input)[N], const T (&dr)[M]) const noexcept {
        accumulate_layer(layer_i, kept, input, dr, layer<I>(grads));
    }
};

// Layer l of the network itself: W_l ← W_l − η·dJ/dW_l, b_l ← b_l − η·dJ/db_l (layer_descend: for
// Dense, Mlp's descend_outer and descend). The walk visits a layer after its last read of W_l.
template <typename T>
struct Descend : CheckFinite {
    T learning_rate;
    template <size_t I, class L, class K, size_t N, size_t M>
    void visit(L& layer_i, const K& kept, const T (&input)[N], const T (&dr)[M]) const noexcept {
        descend_layer(layer_i, kept, input, dr, learning_rate);
    }
};

// The weight gradients from dθ [Out] (the caller's, or scratch_top(scratch)): the checks and the walk that
// backward_to_weights and accumulate_gradients share.
template <class Net, class Scratch, typename T, size_t In, size_t Out>
inline Status weights_from(const Net& net, const T (&x)[In], const typename Net::Activations& act, Scratch& scratch,
                           const T (&dtheta)[Out], Net& grads) noexcept {
    if (!all_finite(x)) {
        fill(grads, quiet_nan<T>());
        return Status::non_finite_input;
    }
    if (!all_finite(dtheta)) {
        fill(grads, quiet_nan<T>());
        return non_finite_upstream<Scratch>(act);
    }
    AddToGradients<Net> adder{{}, grads};
    if (!backward_walk(net, act, scratch, dtheta, &x[0], static_cast<T*>(nullptr), adder)) {
        fill(grads, quiet_nan<T>());
        return Status::non_finite_result;
    }
    return Status::ok;
}

// dθ for the batch-1 step, each time it is asked for (upstream(...)): the caller's array, or formed
// anew in the walk's scratch from a label or a target.
template <class Net>
struct GivenUpstream {
    const typename Net::value_type (&dtheta)[Net::outputs];
};
template <class Net>
struct LabelUpstream {
    const typename Net::Activations& act;
    size_t label;
    BackwardScratch<Net, true>& scratch;
};
template <class Net>
struct TargetUpstream {
    const typename Net::Activations& act;
    const typename Net::value_type (&target)[Net::outputs];
    BackwardScratch<Net, true>& scratch;
};
template <class Net>
inline const typename Net::value_type (&upstream(const GivenUpstream<Net>& given) noexcept)[Net::outputs] {
    return given.dtheta;
}
template <class Net>
inline const typename Net::value_type (&upstream(const LabelUpstream<Net>& from) noexcept)[Net::outputs] {
    upstream_from_label(from.act, from.label, scratch_top(from.scratch));
    return scratch_top(from.scratch);
}
template <class Net>
inline const typename Net::value_type (&upstream(const TargetUpstream<Net>& from) noexcept)[Net::outputs] {
    upstream_from_target(from.act, from.target, scratch_top(from.scratch));
    return scratch_top(from.scratch);
}

// The batch-1 step from dθ = upstream(from) (the caller's array, or scratch_top(scratch) formed anew each
// time: a deep network's checking walk overwrites the buffers).
template <class Net, class Scratch, typename T, size_t In, class From>
inline Status descend_from(Net& net, const T (&x)[In], const typename Net::Activations& act, Scratch& scratch,
                           const From& from, T learning_rate) noexcept {
    if (!all_finite(x) || !is_finite(learning_rate)) return Status::non_finite_input;
    if (!all_finite(upstream(from))) return non_finite_upstream<Scratch>(act);
    if constexpr (Net::depth > 2) {
        CheckFinite check;
        if (!backward_walk(static_cast<const Net&>(net), act, scratch, upstream(from), static_cast<const T*>(nullptr),
                           static_cast<T*>(nullptr), check))
            return Status::non_finite_result;
    }
    Descend<T> descender{{}, learning_rate};
    if (!backward_walk(net, act, scratch, upstream(from), &x[0], static_cast<T*>(nullptr), descender))
        return Status::non_finite_result;
    return Status::ok;
}

}  // namespace detail

// Add the weight gradients for any upstream gradient dJ/dθ = dlogits [Out] into grads (formulas at
// the top of this file). x and act are the sample and its forward pass.
// non_finite_input if x or dlogits holds NaN/±inf; non_finite_result if a hidden output or a dJ/dr
// is NaN/±inf (act from a failed forward, a non-finite weight). On either, all of grads is NaN: the
// batch is spoiled, and sgd_step refuses it, leaving the model unchanged.
template <class Head, class... Layers>
Status backward_to_weights(const Network<Head, Layers...>& net,
                           const typename Network<Head, Layers...>::value_type (&x)[Network<Head, Layers...>::inputs],
                           const typename Network<Head, Layers...>::Activations& act,
                           const typename Network<Head, Layers...>::value_type (&dlogits)[Network<Head, Layers...>::outputs],
                           Network<Head, Layers...>& grads) noexcept {
    auto scratch = detail::walk_scratch<Network<Head, Layers...>, false>(act);
    return detail::weights_from(net, x, act, scratch, dlogits, grads);
}

// The weight gradients for a label: dJ/dθ = ŷ − y, then as above. label_out_of_range if the head
// does not take the label (grads all NaN); otherwise as above.
template <class Head, class... Layers>
Status accumulate_gradients(const Network<Head, Layers...>& net,
                            const typename Network<Head, Layers...>::value_type (&x)[Network<Head, Layers...>::inputs],
                            const typename Network<Head, Layers...>::Activations& act, size_t label,
                            Network<Head, Layers...>& grads) noexcept {
    using Net = Network<Head, Layers...>;
    if (!detail::valid_label<Head, Net::outputs>(label)) {
        detail::fill(grads, quiet_nan<typename Net::value_type>());
        return Status::label_out_of_range;
    }
    auto scratch = detail::walk_scratch<Net, true>(act);
    detail::upstream_from_label(act, label, scratch_top(scratch));
    return detail::weights_from(net, x, act, scratch, scratch_top(scratch), grads);
}

// The weight gradients for a target y [Out]: dJ/dθ = ŷ − y, then as above. bad_target if the head
// does not take y (grads all NaN); non_finite_result if ŷ − y overflows (a Linear head); otherwise
// as above.
template <class Head, class... Layers>
Status accumulate_gradients(const Network<Head, Layers...>& net,
                            const typename Network<Head, Layers...>::value_type (&x)[Network<Head, Layers...>::inputs],
                            const typename Network<Head, Layers...>::Activations& act,
                            const typename Network<Head, Layers...>::value_type (&target)[Network<Head, Layers...>::outputs],
                            Network<Head, Layers...>& grads) noexcept {
    using Net = Network<Head, Layers...>;
    if (!detail::valid_target_for<Head>(target)) {
        detail::fill(grads, quiet_nan<typename Net::value_type>());
        return Status::bad_target;
    }
    auto scratch = detail::walk_scratch<Net, true>(act);
    detail::upstream_from_target(act, target, scratch_top(scratch));
    return detail::weights_from(net, x, act, scratch, scratch_top(scratch), grads);
}

// One step of gradient descent with heavy-ball momentum μ, the velocity kept in grads itself:
// every parameter p ← p − η·g, then g ← μ·g (Mlp's sgd_step: with μ = 0 plain SGD, grads left zeroed).
// non_finite_input if η, μ or any entry of grads is NaN/±inf; then neither net nor grads is written.
template <class Head, class... Layers>
Status sgd_step(Network<Head, Layers...>& net, Network<Head, Layers...>& grads,
                typename Network<Head, Layers...>::value_type learning_rate,
                typename Network<Head, Layers...>::value_type momentum = 0) noexcept {
    if (!is_finite(learning_rate) || !is_finite(momentum) || !detail::all_finite(grads)) return Status::non_finite_input;
    detail::descend_layers<0>(net, grads, learning_rate, momentum);
    return Status::ok;
}

// One step of plain SGD on one sample (batch 1) with no Gradients buffer: every parameter
// p ← p − η·dJ/dp directly, each layer after the walk has last read it. It rounds as
// accumulate_gradients into a zeroed buffer followed by sgd_step(η, 0) does: the same numbers
// (only a zero's sign may differ: the buffer turns a −0 gradient into +0).
// non_finite_input if x, dJ/dθ (act from a failed forward) or η is NaN/±inf; non_finite_result if
// a hidden output or a dJ/dr is. On either, net is left unchanged: with up to two layers the walk
// knows dJ/dr_0 before it changes a layer; deeper networks are walked once to check first.
template <class Head, class... Layers>
Status sgd_step_from_logits(Network<Head, Layers...>& net,
                            const typename Network<Head, Layers...>::value_type (&x)[Network<Head, Layers...>::inputs],
                            const typename Network<Head, Layers...>::Activations& act,
                            const typename Network<Head, Layers...>::value_type (&dlogits)[Network<Head, Layers...>::outputs],
                            typename Network<Head, Layers...>::value_type learning_rate) noexcept {
    auto scratch = detail::walk_scratch<Network<Head, Layers...>, false>(act);
    return detail::descend_from(net, x, act, scratch, detail::GivenUpstream<Network<Head, Layers...>>{dlogits},
                                learning_rate);
}

// The batch-1 step for a label. label_out_of_range if the head does not take it; otherwise as above.
// On any status but ok, net is unchanged.
template <class Head, class... Layers>
Status sgd_step(Network<Head, Layers...>& net,
                const typename Network<Head, Layers...>::value_type (&x)[Network<Head, Layers...>::inputs],
                const typename Network<Head, Layers...>::Activations& act, size_t label,
                typename Network<Head, Layers...>::value_type learning_rate) noexcept {
    using Net = Network<Head, Layers...>;
    if (!detail::valid_label<Head, Net::outputs>(label)) return Status::label_out_of_range;
    auto scratch = detail::walk_scratch<Net, true>(act);
    return detail::descend_from(net, x, act, scratch, detail::LabelUpstream<Net>{act, label, scratch}, learning_rate);
}

// The batch-1 step for a target y [Out]. bad_target if the head does not take y; otherwise as
// above. On any status but ok, net is unchanged.
template <class Head, class... Layers>
Status sgd_step(Network<Head, Layers...>& net,
                const typename Network<Head, Layers...>::value_type (&x)[Network<Head, Layers...>::inputs],
                const typename Network<Head, Layers...>::Activations& act,
                const typename Network<Head, Layers...>::value_type (&target)[Network<Head, Layers...>::outputs],
                typename Network<Head, Layers...>::value_type learning_rate) noexcept {
    using Net = Network<Head, Layers...>;
    if (!detail::valid_target_for<Head>(target)) return Status::bad_target;
    auto scratch = detail::walk_scratch<Net, true>(act);
    return detail::descend_from(net, x, act, scratch, detail::TargetUpstream<Net>{act, target, scratch}, learning_rate);
}

// Calls that do not fit the network, declared and never defined: each returns a type whose name is
// the compiler's message, at the call (include/ugrad/compile_errors.hpp). An array of the wrong size
// (a call with several arrays names the first that does not fit):
template <class Head, class... Layers, typename T, size_t N, size_t M, size_t In = Network<Head, Layers...>::inputs,
          size_t Out = Network<Head, Layers...>::outputs, class = detail::enable_if_t<N != In>>
typename error::x_has<N>::template entries_but_this_network_takes<In> backward_to_weights(
    const Network<Head, Layers...>& net, const T (&x)[N], const typename Network<Head, Layers...>::Activations& act,
    const T (&dlogits)[M], Network<Head, Layers...>& grads) noexcept;
template <class Head, class... Layers, typename T, size_t N, size_t M, size_t In = Network<Head, Layers...>::inputs,
          size_t Out = Network<Head, Layers...>::outputs, class = detail::enable_if_t<N == In && M != Out>>
typename error::dlogits_has<M>::template entries_but_this_network_gives<Out> backward_to_weights(
    const Network<Head, Layers...>& net, const T (&x)[N], const typename Network<Head, Layers...>::Activations& act,
    const T (&dlogits)[M], Network<Head, Layers...>& grads) noexcept;
template <class Head, class... Layers, typename T, size_t N, size_t In = Network<Head, Layers...>::inputs,
          class = detail::enable_if_t<N != In>>
typename error::x_has<N>::template entries_but_this_network_takes<In> accumulate_gradients(
    const Network<Head, Layers...>& net, const T (&x)[N], const typename Network<Head, Layers...>::Activations& act,
    size_t label, Network<Head, Layers...>& grads) noexcept;
template <class Head, class... Layers, typename T, size_t N, size_t M, size_t In = Network<Head, Layers...>::inputs,
          size_t Out = Network<Head, Layers...>::outputs, class = detail::enable_if_t<N != In>>
typename error::x_has<N>::template entries_but_this_network_takes<In> accumulate_gradients(
    const Network<Head, Layers...>& net, const T (&x)[N], const typename Network<Head, Layers...>::Activations& act,
    const T (&target)[M], Network<Head, Layers...>& grads) noexcept;
template <class Head, class... Layers, typename T, size_t N, size_t M, size_t In = Network<Head, Layers...>::inputs,
          size_t Out = Network<Head, Layers...>::outputs, class = detail::enable_if_t<N == In && M != Out>>
typename error::target_has<M>::template entries_but_this_network_gives<Out> accumulate_gradients(
    const Network<Head, Layers...>& net, const T (&x)[N], const typename Network<Head, Layers...>::Activations& act,
    const T (&target)[M], Network<Head, Layers...>& grads) noexcept;
template <class Head, class... Layers, typename T, size_t N, size_t M, size_t In = Network<Head, Layers...>::inputs,
          size_t Out = Network<Head, Layers...>::outputs, class = detail::enable_if_t<N != In>>
typename error::x_has<N>::template entries_but_this_network_takes<In> sgd_step_from_logits(
    Network<Head, Layers...>& net, const T (&x)[N], const typename Network<Head, Layers...>::Activations& act,
    const T (&dlogits)[M], T learning_rate) noexcept;
template <class Head, class... Layers, typename T, size_t N, size_t M, size_t In = Network<Head, Layers...>::inputs,
          size_t Out = Network<Head, Layers...>::outputs, class = detail::enable_if_t<N == In && M != Out>>
typename error::dlogits_has<M>::template entries_but_this_network_gives<Out> sgd_step_from_logits(
    Network<Head, Layers...>& net, const T (&x)[N], const typename Network<Head, Layers...>::Activations& act,
    const T (&dlogits)[M], T learning_rate) noexcept;
template <class Head, class... Layers, typename T, size_t N, size_t In = Network<Head, Layers...>::inputs,
          class = detail::enable_if_t<N != In>>
typename error::x_has<N>::template entries_but_this_network_takes<In> sgd_step(
    Network<Head, Layers...>& net, const T (&x)[N], const typename Network<Head, Layers...>::Activations& act,
    size_t label, T learning_rate) noexcept;
template <class Head, class... Layers, typename T, size_t N, size_t M, size_t In = Network<Head, Layers...>::inputs,
          size_t Out = Network<Head, Layers...>::outputs, class = detail::enable_if_t<N != In>>
typename error::x_has<N>::template entries_but_this_network_takes<In> sgd_step(
    Network<Head, Layers...>& net, const T (&x)[N], const typename Network<Head, Layers...>::Activations& act,
    const T (&target)[M], T learning_rate) noexcept;
template <class Head, class... Layers, typename T, size_t N, size_t M, size_t In = Network<Head, Layers...>::inputs,
          size_t Out = Network<Head, Layers...>::outputs, class = detail::enable_if_t<N == In && M != Out>>
typename error::target_has<M>::template entries_but_this_network_gives<Out> sgd_step(
    Network<Head, Layers...>& net, const T (&x)[N], const typename Network<Head, Layers...>::Activations& act,
    const T (&target)[M], T learning_rate) noexcept;

}  // namespace ugrad

UGRAD_FP_CONTRACT_OFF_END
