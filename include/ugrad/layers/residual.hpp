// SPDX-License-Identifier: Apache-2.0
// ugrad/layers/residual.hpp — a residual block (ResNet's): a branch of layers and a shortcut, summed,
// then an activation. To the network walk it is one layer.
//
// Shapes: x [In]; the branch B = B_{n−1} ∘ … ∘ B_0 maps x to b [Out]; the shortcut S is x itself
// (IdentityShortcut, In = Out) or a layer (a 1×1 strided Conv2D where the shape changes):
//   forward   b = B(x),  s = S(x),  r = b + s (entry by entry, in that order),  y = act(r)
//   backward  from dr = dJ/dr [Out] (dJ/dy times act′, as for every layer):
//             dx = B′ᵀ(dr) + S′ᵀ(dr)     the branch's walk down its layers (each transpose, then
//                                        the slope of the layer below), plus the shortcut's
//                                        transpose (dr itself for IdentityShortcut), in that order
//   weights   every branch layer and the shortcut add their own dJ/dW from their input and their
//             dJ/dr, which the branch walk forms again (the block keeps its inner outputs, not its
//             inner gradients: one more walk down the branch per training call)
// The branch's last layer has no activation of its own (Identity): the block's Act follows the sum.
// The walk's two inner buffers live with what forward keeps, each as wide as the widest inner vector
// (for the input gradient alone, ResidualSlope keeps the inner slopes and the network lends them).
#pragma once

#include <stddef.h>

#include <ugrad/activations.hpp>
#include <ugrad/fp_contract.hpp>
#include <ugrad/layers.hpp>
#include <ugrad/layers/layer_calls.hpp>
#include <ugrad/type_list.hpp>

UGRAD_FP_CONTRACT_OFF_BEGIN

namespace ugrad {

// shortcut(x) = x.
struct IdentityShortcut {
    static constexpr size_t parameters = 0;
};


namespace detail {
// The layers of a branch chain: each one's outputs are the next one's inputs.
template <class L0, class... Ls>
constexpr bool chained() noexcept {
    if constexpr (sizeof...(Ls) == 0) return true;
    else return L0::outputs == nth_type<0, Ls...>::type::inputs && chained<Ls...>();
}
template <class L0, class... Ls>
constexpr size_t sum_parameters() noexcept {
    if constexpr (sizeof...(Ls) == 0) return L0::parameters;
    else return L0::parameters + sum_parameters<Ls...>();
}
template <class S, size_t In, size_t Out>
constexpr bool shortcut_fits() noexcept {
    if constexpr (same_type<S, IdentityShortcut>::value) return In == Out;
    else return S::inputs == In && S::outputs == Out;
}
template <class S>
constexpr bool shortcut_linear() noexcept {
    if constexpr (same_type<S, IdentityShortcut>::value) return true;
    else return same_type<typename S::activation, Identity>::value;
}
// The widest output of a branch's layers 0 .. n−2 (0 for a one-layer branch), and the most
// scratch any of them needs: what the block's inference holds besides its input and output.
template <size_t I, class... Branch>
constexpr size_t widest_inner_output() noexcept {
    if constexpr (I + 1 >= sizeof...(Branch)) {
        return 0;
    } else {
        const size_t here = nth_type<I, Branch...>::type::outputs, above = widest_inner_output<I + 1, Branch...>();
        return here > above ? here : above;
    }
}
template <size_t I, class... Branch>
constexpr size_t most_inner_scratch() noexcept;
// The widest input of a branch's layers 1 .. n−1 and its output (what its walk down holds).
template <size_t I, class... Branch>
constexpr size_t widest_inner() noexcept {
    using L = typename nth_type<I, Branch...>::type;
    const size_t here = I == 0 ? L::outputs : (L::inputs > L::outputs ? L::inputs : L::outputs);
    if constexpr (I + 1 < sizeof...(Branch)) {
        const size_t above = widest_inner<I + 1, Branch...>();
        return here > above ? here : above;
    } else {
        return here;
    }
}
}  // namespace detail

// y = act(branch(x) + shortcut(x)). A plain aggregate: `{{{w0, b0}, {{w1, b1}}}, {}}` for a
// two-layer branch and an IdentityShortcut, `{{...}, {ws, bs}}` for a layer shortcut.
template <class Shortcut, class Act, class... Branch>
struct Residual {
    static_assert(sizeof...(Branch) >= 1, "a residual branch has at least one layer");
    static_assert(detail::shortcut_fits<Shortcut, detail::nth_type<0, Branch...>::type::inputs,
                                        detail::nth_type<sizeof...(Branch) - 1, Branch...>::type::outputs>(),
                  "the shortcut takes the block's input and gives the branch's output size (an identity shortcut: the same)");
    static_assert(detail::shortcut_linear<Shortcut>(),
                  "a shortcut layer has no activation (Identity): the block applies its own after the sum");
    using first = typename detail::nth_type<0, Branch...>::type;
    using last = typename detail::nth_type<sizeof...(Branch) - 1, Branch...>::type;
    static_assert(detail::chained<Branch...>(), "each layer of a residual branch takes what the one before gives");
    static_assert(detail::same_type<typename last::activation, Identity>::value,
                  "a residual branch's last layer has no activation (Identity): the block applies its own after the sum");
    using activation = Act;
    using value_type = typename first::value_type;
    using shortcut_type = Shortcut;
    static constexpr size_t depth = sizeof...(Branch);
    static constexpr size_t inputs = first::inputs;
    static constexpr size_t outputs = last::outputs;
    static constexpr size_t parameters = detail::sum_parameters<Branch...>() + Shortcut::parameters;
    static constexpr size_t widest = detail::widest_inner<0, Branch...>();
    // Inference: buffers for the branch's inner outputs, in turn (one for a two-layer branch, two
    // for a longer one; the last layer writes the block's y), the first also taking a layer
    // shortcut's output once the branch is done; then the inner layers' own scratch.
    static constexpr size_t inner_output = detail::widest_inner_output<0, Branch...>();
    static constexpr size_t first_buffer =
        detail::same_type<Shortcut, IdentityShortcut>::value || inner_output > last::outputs ? inner_output : last::outputs;
    static constexpr size_t second_buffer = sizeof...(Branch) >= 3 ? inner_output : 0;
    static constexpr size_t inference_scratch = first_buffer + second_buffer + detail::most_inner_scratch<0, Branch...>();
    template <size_t I>
    using layer_type = typename detail::nth_type<I, Branch...>::type;
    detail::Chain<Branch...> branch;
    Shortcut shortcut;
};

// What forward keeps of a block: y, each branch layer's output, and a layer shortcut's output; and
// the scratch of its backward walk (the branch's two buffers, a layer shortcut's dx), kept here
// rather than on the stack.
template <class Shortcut, class Act, class... Branch>
struct ResidualOutput : LayerOutput<Act, Residual<Shortcut, Act, Branch...>::outputs, typename Residual<Shortcut, Act, Branch...>::value_type> {
    using T = typename Residual<Shortcut, Act, Branch...>::value_type;
    detail::Chain<detail::kept_output_t<Branch>...> branch;
    detail::Chain<detail::kept_output_t<Shortcut>> shortcut;
    mutable T walk1[Residual<Shortcut, Act, Branch...>::widest];
    mutable T walk2[Residual<Shortcut, Act, Branch...>::widest];
    mutable T shortcut_dx[Residual<Shortcut, Act, Branch...>::inputs];
};
template <class Act, class... Branch>
struct ResidualOutput<IdentityShortcut, Act, Branch...>
    : LayerOutput<Act, Residual<IdentityShortcut, Act, Branch...>::outputs, typename Residual<IdentityShortcut, Act, Branch...>::value_type> {
    using T = typename Residual<IdentityShortcut, Act, Branch...>::value_type;
    detail::Chain<detail::kept_output_t<Branch>...> branch;
    mutable T walk1[Residual<IdentityShortcut, Act, Branch...>::widest];
    mutable T walk2[Residual<IdentityShortcut, Act, Branch...>::widest];
};

// What the input gradient alone keeps of a block: its activation's slope, each branch layer's
// (kept_slope: a ReLU layer's bits, a max pool's taps) and a layer shortcut's. Its walk's buffers
// are lent by the network (kept_slope<Residual>::inner_walk values), not kept here.
template <class Shortcut, class Act, class... Branch>
struct ResidualSlope : ActivationSlope<Act, Residual<Shortcut, Act, Branch...>::outputs, typename Residual<Shortcut, Act, Branch...>::value_type> {
    detail::Chain<detail::kept_slope_t<Branch>...> branch;
    detail::Chain<detail::kept_slope_t<Shortcut>> shortcut;
};
template <class Act, class... Branch>
struct ResidualSlope<IdentityShortcut, Act, Branch...>
    : ActivationSlope<Act, Residual<IdentityShortcut, Act, Branch...>::outputs, typename Residual<IdentityShortcut, Act, Branch...>::value_type> {
    detail::Chain<detail::kept_slope_t<Branch>...> branch;
};

namespace detail {

template <class Shortcut, class Act, class... Branch>
struct kept_output<Residual<Shortcut, Act, Branch...>> {
    using type = ResidualOutput<Shortcut, Act, Branch...>;
    static constexpr bool read_by_backward = true;
};
// The branch's walk down holds its inner vectors (dJ/dr of layers 0 .. n−2) in turn, as inference
// holds the inner outputs: one buffer for a two-layer branch, two for a longer one (the branch's
// dr is the network's, its dx the network's next); a layer shortcut's transpose then writes its
// dx [In] over them.
template <class Shortcut, class Act, class... Branch>
struct kept_slope<Residual<Shortcut, Act, Branch...>> {
    using Res = Residual<Shortcut, Act, Branch...>;
    using type = ResidualSlope<Shortcut, Act, Branch...>;
    static constexpr bool borrows_walk = true;  // (none for a one-layer branch with an identity shortcut)
    static constexpr size_t branch_buffers = (Res::depth >= 2 ? 1 : 0) + (Res::depth >= 3 ? 1 : 0);
    static constexpr size_t shortcut_dx = same_type<Shortcut, IdentityShortcut>::value ? 0 : Res::inputs;
    static constexpr size_t branch_walk = branch_buffers * Res::inner_output;
    static constexpr size_t inner_walk = branch_walk > shortcut_dx ? branch_walk : shortcut_dx;
};

// fill and kept_finite over a Chain of N kept outputs.
template <size_t I, size_t N, class C, typename T>
constexpr void fill_chain(C& chain, T value) noexcept {
    fill(get<I>(chain), value);
    if constexpr (I + 1 < N) fill_chain<I + 1, N>(chain, value);
}
template <size_t I, size_t N, class C>
constexpr bool chain_finite(const C& chain) noexcept {
    if constexpr (I + 1 < N) return kept_finite(get<I>(chain)) && chain_finite<I + 1, N>(chain);
    else return kept_finite(get<I>(chain));
}
template <class S, class Act, class... Branch, typename T>
constexpr void fill(ResidualOutput<S, Act, Branch...>& out, T value) noexcept {
    fill(static_cast<LayerOutput<Act, Residual<S, Act, Branch...>::outputs, T>&>(out), value);
    fill_chain<0, sizeof...(Branch)>(out.branch, value);
    fill(out.walk1, value);
    fill(out.walk2, value);
    if constexpr (!same_type<S, IdentityShortcut>::value) {
        fill(out.shortcut.first, value);
        fill(out.shortcut_dx, value);
    }
}
template <class S, class Act, class... Branch, typename T>
constexpr void fill(ResidualSlope<S, Act, Branch...>& kept, T value) noexcept {
    fill(static_cast<ActivationSlope<Act, Residual<S, Act, Branch...>::outputs, T>&>(kept), value);
    fill_chain<0, sizeof...(Branch)>(kept.branch, value);
    if constexpr (!same_type<S, IdentityShortcut>::value) fill(kept.shortcut.first, value);
}
template <class S, class Act, class... Branch>
struct inference_scratch<Residual<S, Act, Branch...>> {
    static constexpr size_t value = Residual<S, Act, Branch...>::inference_scratch;
};
template <size_t I, class... Branch>
constexpr size_t most_inner_scratch() noexcept {
    const size_t here = inference_scratch<typename nth_type<I, Branch...>::type>::value;
    if constexpr (I + 1 < sizeof...(Branch)) {
        const size_t above = most_inner_scratch<I + 1, Branch...>();
        // The larger of the two. cppcheck, seeing here = 0 in one instantiation, reads the
        // comparison as a test of an unsigned value below zero.
        // cppcheck-suppress unsignedLessThanZero
        return here > above ? here : above;
    } else {
        return here;
    }
}

template <size_t I, class A, class B, class F>
constexpr void branch_parameter_pairs(A& a, B& b, F& f) noexcept {
    for_each_parameter_pair(get<I>(a.branch), get<I>(b.branch), f);
    if constexpr (I + 1 < remove_const<A>::type::depth) branch_parameter_pairs<I + 1>(a, b, f);
}
template <class S, class Act, class... Branch>
struct parameters_of<Residual<S, Act, Branch...>> {
    template <class A, class B, class F>
    static constexpr void pair(A& a, B& b, F& f) noexcept {
        branch_parameter_pairs<0>(a, b, f);
        if constexpr (!same_type<S, IdentityShortcut>::value) for_each_parameter_pair(a.shortcut, b.shortcut, f);
    }
};

template <class S, class Act, class... Branch>
constexpr bool kept_finite(const ResidualOutput<S, Act, Branch...>& out) noexcept {
    using T = typename Residual<S, Act, Branch...>::value_type;
    if (!all_finite(static_cast<const LayerOutput<Act, Residual<S, Act, Branch...>::outputs, T>&>(out).y)) return false;
    if constexpr (!same_type<S, IdentityShortcut>::value)
        if (!kept_finite(out.shortcut.first)) return false;
    return chain_finite<0, sizeof...(Branch)>(out.branch);
}

// The branch's forward: layer I from its input x.
template <size_t I, class Res, class Out, typename T, size_t N>
inline void branch_forward(const Res& res, const T (&x)[N], Out& out) noexcept {
    auto& kept = get<I>(out.branch);
    layer_forward(get<I>(res.branch), x, kept);
    if constexpr (I + 1 < Res::depth) branch_forward<I + 1>(res, kept.y, out);
}

// The branch's inference: layer J from input (x at J = 0) into the buffer J mod 2 (the block's y
// for the last layer).   buffers: scratch [first_buffer], scratch + first_buffer [second_buffer].
template <size_t J, class Res, typename T, size_t N, size_t Out>
inline void branch_infer(const Res& res, const T (&input)[N], T (&y)[Out], T* scratch) noexcept {
    using L = typename Res::template layer_type<J>;
    T* inner_scratch = scratch + Res::first_buffer + Res::second_buffer;
    if constexpr (J + 1 == Res::depth) {
        layer_infer(get<J>(res.branch), input, y, inner_scratch);
    } else {
        T(&out)[L::outputs] = as_array<L::outputs>(J % 2 == 0 ? scratch : scratch + Res::first_buffer);
        layer_infer(get<J>(res.branch), input, out, inner_scratch);
        branch_infer<J + 1>(res, out, y, scratch);
    }
}

// What the branch walk does at each layer besides going down (nothing: dJ/dx alone).
struct BranchVisitNothing {
    template <size_t I, class L, class K, typename T, size_t N, size_t M>
    constexpr void visit(const L& /*layer*/, const K& /*kept*/, const T (& /*input*/)[N], const T (& /*d*/)[M]) const noexcept {}
};

// The branch's forward for the input gradient alone: as branch_infer, each layer keeping its slope.
template <size_t J, class Res, class Kept, typename T, size_t N, size_t Out>
inline void branch_forward_slope(const Res& res, const T (&input)[N], T (&y)[Out], Kept& kept, T* scratch) noexcept {
    using L = typename Res::template layer_type<J>;
    T* inner_scratch = scratch + Res::first_buffer + Res::second_buffer;
    if constexpr (J + 1 == Res::depth) {
        layer_forward_slope(get<J>(res.branch), input, y, get<J>(kept.branch), inner_scratch);
    } else {
        T(&out)[L::outputs] = as_array<L::outputs>(J % 2 == 0 ? scratch : scratch + Res::first_buffer);
        layer_forward_slope(get<J>(res.branch), input, out, get<J>(kept.branch), inner_scratch);
        branch_forward_slope<J + 1>(res, out, y, kept, scratch);
    }
}

// The branch walk down, layer I to 0, from d = dJ/dr_I: dJ/dr_{I−1} = B_I′ᵀ(d) ⊙ act_{I−1}′ into the
// buffer `into`, then visit.visit<I>(layer I, its kept output, its input, d) — after layer I's
// weights were last read — and down, writing next into `after` (d's buffer, free again). At I = 0,
// with dx, dx = B_0′ᵀ(d).
template <size_t I, class ResRef, class Out, typename T, size_t M, size_t In, class Visit>
inline void branch_down(ResRef& res, const Out& out, const T (&x)[In], const T (&d)[M], T* into, T* after, T* dx,
                        const Visit& visit) noexcept {
    using Res = typename remove_const<ResRef>::type;
    auto& here = get<I>(res.branch);
    const auto& kept = get<I>(out.branch);
    if constexpr (I > 0) {
        constexpr size_t Below = Res::template layer_type<I>::inputs;
        T(&next)[Below] = as_array<Below>(into);
        backward_input(here, kept, d, next);
        multiply_by_slope(get<I - 1>(out.branch), next);
        // (a walk that visits nothing reads no inner output: the input gradient alone keeps none)
        if constexpr (!same_type<Visit, BranchVisitNothing>::value)
            visit.template visit<I>(here, kept, get<I - 1>(out.branch).y, d);
        // NOLINTNEXTLINE(readability-suspicious-call-argument): the two buffers swap roles on the way down
        branch_down<I - 1>(res, out, x, next, after, into, dx, visit);
    } else {
        if (dx != nullptr) backward_input(here, kept, d, as_array<In>(dx));
        visit.template visit<0>(here, kept, x, d);
    }
}

// The whole branch walk from the block's dr [Out] (the branch's last layer is Identity: its dJ/dr
// is dr), in the two buffers kept with the block's output.
template <class ResRef, class Out, typename T, size_t In, size_t M, class Visit>
inline void branch_walk(ResRef& res, const Out& out, const T (&x)[In], const T (&dr)[M], T* dx, const Visit& visit) noexcept {
    using Res = typename remove_const<ResRef>::type;
    branch_down<Res::depth - 1>(res, out, x, dr, &out.walk1[0], &out.walk2[0], dx, visit);
}

template <class Res>
struct BranchAccumulate {
    Res& grads;
    template <size_t I, class L, class K, typename T, size_t N, size_t M>
    void visit(const L& layer_i, const K& kept, const T (&input)[N], const T (&d)[M]) const noexcept {
        accumulate_layer(layer_i, kept, input, d, get<I>(grads.branch));
    }
};
template <typename T>
struct BranchDescend {
    T learning_rate;
    template <size_t I, class L, class K, size_t N, size_t M>
    void visit(L& layer_i, const K& kept, const T (&input)[N], const T (&d)[M]) const noexcept {
        descend_layer(layer_i, kept, input, d, learning_rate);
    }
};

}  // namespace detail

// b = B(x), s = S(x), r = b + s into out.y, then out.y = act(r).
template <class S, class Act, class... Branch, typename T, size_t In>
void layer_forward(const Residual<S, Act, Branch...>& res, const T (&x)[In], ResidualOutput<S, Act, Branch...>& out) noexcept {
    using Res = Residual<S, Act, Branch...>;
    constexpr size_t Out = Res::outputs;
    detail::branch_forward<0>(res, x, out);
    const T(&b)[Out] = detail::get<Res::depth - 1>(out.branch).y;
    if constexpr (detail::same_type<S, IdentityShortcut>::value) {
        for (size_t i = 0; i < Out; ++i) out.y[i] = b[i] + x[i];
    } else {
        layer_forward(res.shortcut, x, out.shortcut.first);
        for (size_t i = 0; i < Out; ++i) out.y[i] = b[i] + out.shortcut.first.y[i];
    }
    activate(static_cast<LayerOutput<Act, Out, T>&>(out));
}

// y = act(B(x) + S(x)), keeping nothing: the block's inner outputs in scratch.
template <class S, class Act, class... Branch, typename T, size_t In, size_t Out>
void layer_infer(const Residual<S, Act, Branch...>& res, const T (&x)[In], T (&y)[Out], T* scratch) noexcept {
    using Res = Residual<S, Act, Branch...>;
    detail::branch_infer<0>(res, x, y, scratch);
    if constexpr (detail::same_type<S, IdentityShortcut>::value) {
        for (size_t i = 0; i < Out; ++i) y[i] = y[i] + x[i];
    } else {
        T(&s)[Out] = detail::as_array<Out>(scratch);
        layer_infer(res.shortcut, x, s, scratch + Res::first_buffer + Res::second_buffer);
        for (size_t i = 0; i < Out; ++i) y[i] = y[i] + s[i];
    }
    activate_values<Act>(y);
}

// y = act(B(x) + S(x)) as layer_infer gives it, each branch layer's slope, the shortcut's and the
// block's own kept.
template <class S, class Act, class... Branch, typename T, size_t In, size_t Out>
void layer_forward_slope(const Residual<S, Act, Branch...>& res, const T (&x)[In], T (&y)[Out],
                         ResidualSlope<S, Act, Branch...>& kept, T* scratch) noexcept {
    using Res = Residual<S, Act, Branch...>;
    detail::branch_forward_slope<0>(res, x, y, kept, scratch);
    if constexpr (detail::same_type<S, IdentityShortcut>::value) {
        for (size_t i = 0; i < Out; ++i) y[i] = y[i] + x[i];
    } else {
        T(&s)[Out] = detail::as_array<Out>(scratch);
        layer_forward_slope(res.shortcut, x, s, kept.shortcut.first, scratch + Res::first_buffer + Res::second_buffer);
        for (size_t i = 0; i < Out; ++i) y[i] = y[i] + s[i];
    }
    activate_keeping_slope(y, kept);
}

namespace detail {
// dx = B′ᵀ(dr) + S′ᵀ(dr): the branch walked down in walk1 and walk2 [widest], a layer shortcut's
// transpose into shortcut_dx [In].
template <class S, class Act, class... Branch, class Kept, typename T, size_t Out, size_t In>
inline void block_backward_input(const Residual<S, Act, Branch...>& res, const Kept& kept, const T (&dr)[Out],
                                 T (&dx)[In], T* walk1, T* walk2, T* shortcut_dx) noexcept {
    const BranchVisitNothing nothing;
    branch_down<Residual<S, Act, Branch...>::depth - 1>(res, kept, dx, dr, walk1, walk2, &dx[0], nothing);
    if constexpr (same_type<S, IdentityShortcut>::value) {
        for (size_t i = 0; i < In; ++i) dx[i] = dx[i] + dr[i];
    } else {
        T(&s)[In] = as_array<In>(shortcut_dx);
        backward_input(res.shortcut, kept.shortcut.first, dr, s);
        for (size_t i = 0; i < In; ++i) dx[i] = dx[i] + s[i];
    }
}
}  // namespace detail

// dx = B′ᵀ(dr) + S′ᵀ(dr), in the buffers kept with the block's output.
template <class S, class Act, class... Branch, typename T, size_t Out, size_t In>
void layer_backward_input(const Residual<S, Act, Branch...>& res, const ResidualOutput<S, Act, Branch...>& kept,
                          const T (&dr)[Out], T (&dx)[In]) noexcept {
    T* shortcut_dx = nullptr;
    if constexpr (!detail::same_type<S, IdentityShortcut>::value) shortcut_dx = &kept.shortcut_dx[0];
    detail::block_backward_input(res, kept, dr, dx, &kept.walk1[0], &kept.walk2[0], shortcut_dx);
}
// The same from what the input gradient alone keeps, in inner [kept_slope<Residual>::inner_walk]
// lent by the network: the branch's buffers [inner_output] one after the other, a layer
// shortcut's dx over them once the branch is done.
template <class S, class Act, class... Branch, typename T, size_t Out, size_t In>
void layer_backward_input(const Residual<S, Act, Branch...>& res, const ResidualSlope<S, Act, Branch...>& kept,
                          const T (&dr)[Out], T (&dx)[In], T* inner) noexcept {
    using Res = Residual<S, Act, Branch...>;
    T* second = Res::depth >= 3 ? inner + Res::inner_output : inner;  // (a shorter branch never writes it)
    detail::block_backward_input(res, kept, dr, dx, inner, second, inner);
}

// grads += every branch layer's and the shortcut's dJ/dW and dJ/db (the branch walked down again).
template <class S, class Act, class... Branch, typename T, size_t In, size_t Out>
void layer_accumulate(const Residual<S, Act, Branch...>& res, const ResidualOutput<S, Act, Branch...>& kept,
                      const T (&x)[In], const T (&dr)[Out], Residual<S, Act, Branch...>& grads) noexcept {
    const detail::BranchAccumulate<Residual<S, Act, Branch...>> adder{grads};
    detail::branch_walk(res, kept, x, dr, static_cast<T*>(nullptr), adder);
    if constexpr (!detail::same_type<S, IdentityShortcut>::value)
        detail::accumulate_layer(res.shortcut, kept.shortcut.first, x, dr, grads.shortcut);
}

// Every branch layer and the shortcut: W ← W − η·dJ/dW, b ← b − η·dJ/db, each after its last read.
template <class S, class Act, class... Branch, typename T, size_t In, size_t Out>
void layer_descend(Residual<S, Act, Branch...>& res, const ResidualOutput<S, Act, Branch...>& kept, const T (&x)[In],
                   const T (&dr)[Out], T learning_rate) noexcept {
    const detail::BranchDescend<T> descender{learning_rate};
    detail::branch_walk(res, kept, x, dr, static_cast<T*>(nullptr), descender);
    if constexpr (!detail::same_type<S, IdentityShortcut>::value)
        detail::descend_layer(res.shortcut, kept.shortcut.first, x, dr, learning_rate);
}

}  // namespace ugrad

UGRAD_FP_CONTRACT_OFF_END
