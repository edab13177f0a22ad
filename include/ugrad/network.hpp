// SPDX-License-Identifier: Apache-2.0
// ugrad/network.hpp — any stack of layers (dense, convolution, depthwise convolution, pooling; each
// with an element-wise activation) and an output head: the forward pass, the loss and the input
// gradient dJ/dx, with the seed network's guarantees.
//
// Layers l = 0 .. L−1, shapes in brackets (x_0 = x, x_{l+1} = y_l; an image is its HWC values in
// order, so a Dense after a convolution reads it flattened, with no copy):
//   r_l = f_l(x_l)           the layer's linear map: x·W + b (Dense), x ⊛ W + b (Conv2D,
//                            DepthwiseConv2D), window means or maxima (pools)      r_l [Out_l]
//   y_l = act_l(r_l)         element-wise                       θ = y_{L−1}  [Out]
//   ŷ, J from θ by the head  (include/ugrad/layers.hpp, include/ugrad/heads.hpp)
// and backwards (docs/derivation.md), each head giving dJ/dθ = ŷ − y (formed without cancellation):
//   dJ/dr_l = dJ/dy_l ⊙ act_l′(r_l)     the activation's Jacobian is diagonal
//   dJ/dy_{l−1} = f_l′ᵀ(dJ/dr_l)        the layer's transpose: dJ/dr_l·W_lᵀ for Dense, a transposed
//                                       convolution for Conv2D; at l = 0 this is dJ/dx
//   dJ/dW_l, dJ/db_l from x_l and dJ/dr_l   (include/ugrad/network_gradients.hpp)
// Each layer kind gives these as layer_forward, layer_backward_input, layer_accumulate and
// layer_descend (include/ugrad/layers/). One walk forward (detail::forward_layers) and one walk
// back (detail::backward_layers) serve every depth, every kind and every call; a Dense layer's
// loops are Mlp's (include/ugrad/kernels.hpp), so a Network with Mlp's shape gives Mlp's bits.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/activations.hpp>
#include <ugrad/arrays.hpp>
#include <ugrad/compile_errors.hpp>
#include <ugrad/kernels.hpp>
#include <ugrad/layers.hpp>
#include <ugrad/layers/conv2d.hpp>
#include <ugrad/layers/dense.hpp>
#include <ugrad/layers/depthwise_conv2d.hpp>
#include <ugrad/layers/pool2d.hpp>
#include <ugrad/layers/residual.hpp>
#include <ugrad/fp_contract.hpp>
#include <ugrad/heads.hpp>
#include <ugrad/math.hpp>
#include <ugrad/softmax.hpp>
#include <ugrad/status.hpp>
#include <ugrad/type_list.hpp>

UGRAD_FP_CONTRACT_OFF_BEGIN

namespace ugrad {

template <class Head, class... Layers>
struct Network;

namespace detail {

template <class Head>
constexpr bool is_head = same_type<Head, Softmax>::value || same_type<Head, Logistic>::value ||
                         same_type<Head, Linear>::value;

// Every layer's In equals the previous layer's Out: each pair is checked by a static_assert that
// names the two sizes (include/ugrad/compile_errors.hpp), instantiated as a member's type.
template <class... Layers>
struct ChainCheck {};
template <class L0, class L1, class... Ls>
struct ChainCheck<L0, L1, Ls...> {
    typename error::a_layer_gives<L0::outputs>::template outputs_but_the_next_layer_takes<L1::inputs> pair;
    ChainCheck<L1, Ls...> rest;
};

// The facts every Network states and checks: depth, sizes (chained: a layer's In is the previous
// layer's Out), one value type, a known head.
template <class Head, class... Layers>
struct NetworkShape : ChainCheck<Layers...> {
    static constexpr size_t depth = sizeof...(Layers);
    static_assert(error::network_depth<depth>::checked, "a Network has 1 to 32 layers");
    using first = typename nth_type<0, Layers...>::type;
    using last = typename nth_type<depth - 1, Layers...>::type;
    using value_type = typename first::value_type;
    static constexpr size_t inputs = first::inputs;
    static constexpr size_t outputs = last::outputs;
    template <size_t I>
    using layer_type = typename nth_type<I, Layers...>::type;
    static_assert((same_type<value_type, typename Layers::value_type>::value && ...),
                  "every layer of a Network has the same value type T");
    static_assert(is_head<Head>, "the head is ugrad::Softmax, ugrad::Logistic or ugrad::Linear");
};

}  // namespace detail

namespace detail {
// The walk's memory: two buffers that the vectors dJ/dr_l take in turn, top first, so that no call
// keeps more than two layer-wide vectors. dJ/dr of the top layer lives in buffer 1 when the call
// computes dθ itself (OwnTop: input_gradient, accumulate_gradients, the sgd steps write it there
// through top()) or when the last layer has a slope (dθ ⊙ act′ is formed there); otherwise it stays
// in the caller's dθ (0). Each buffer is as wide as the widest vector it ever holds (at least 1).
template <class Shape, bool OwnTop>
struct BackwardLayout {
    static constexpr bool top_in_buffer =
        OwnTop || !same_type<typename Shape::template layer_type<Shape::depth - 1>::activation, Identity>::value;
    template <size_t I>
    static constexpr int where() noexcept {  // where dJ/dr_I lives: 0 the caller's, 1 or 2 a buffer
        // (below the top, the same buffers in either layout: buffer 2 just below it, then in turn)
        if constexpr (I == Shape::depth - 1) return top_in_buffer ? 1 : 0;
        else return (Shape::depth - 1 - I) % 2 == 1 ? 2 : 1;
    }
    template <size_t I = 0>
    static constexpr size_t size(int buffer) noexcept {
        const size_t here = where<I>() == buffer ? Shape::template layer_type<I>::outputs : 1;
        if constexpr (I + 1 < Shape::depth) {
            const size_t above = size<I + 1>(buffer);
            return here > above ? here : above;
        } else {
            return here;
        }
    }
};
// The two buffers, as wide as an OwnTop call needs them (a call given dθ uses the same buffers
// below the top, and buffer 1 for the top only when an OwnTop call would too); kept with the
// Activations, not on the stack, where a convolutional network's would not fit a microcontroller's.
template <class Shape>
struct WalkBuffers {
    using T = typename Shape::value_type;
    static constexpr size_t size1 = BackwardLayout<Shape, true>::size(1);
    static constexpr size_t size2 = BackwardLayout<Shape, true>::size(2);
    static_assert(BackwardLayout<Shape, false>::size(1) <= size1 && BackwardLayout<Shape, false>::size(2) <= size2,
                  "either layout fits");
    T buffer1[size1];
    T buffer2[size2];
};
}  // namespace detail

// What forward keeps: every layer's output (and a sigmoid layer's slope, a max pool's taps), then
// the head's values, then the backward walk's two buffers. Σ_l Out_l (2·Out_l for a sigmoid
// layer) + (2·Out Softmax, 3·Out Logistic, 0 Linear) + the two buffers' values of T, and one byte
// per output of a max pool.
template <class Head, class... Layers>
struct NetworkActivations : HeadOutput<Head, detail::NetworkShape<Head, Layers...>::outputs,
                                       typename detail::NetworkShape<Head, Layers...>::value_type> {
    using head_type = Head;
    using value_type = typename detail::NetworkShape<Head, Layers...>::value_type;
    static constexpr size_t depth = sizeof...(Layers);
    detail::Chain<detail::kept_output_t<Layers>...> layers;
    // The backward walk's two buffers: written by every call that walks back (so a const act is
    // still a scratchpad of those calls: one call at a time per Activations).
    mutable detail::WalkBuffers<detail::NetworkShape<Head, Layers...>> walk;
};

namespace detail {
// The inference arena: layer l reads its input from one end and writes its output at the other
// (even layers at the start, odd layers at the end), its scratch between them, so the arena is as
// large as the largest of In_l + scratch_l + Out_l (layer 0 reads the caller's x: scratch_0 + Out_0).
template <size_t I, class... Layers>
constexpr size_t inference_arena() noexcept {
    using L = typename nth_type<I, Layers...>::type;
    const size_t here = (I == 0 ? 0 : L::inputs) + inference_scratch<L>::value + L::outputs;
    if constexpr (I + 1 < sizeof...(Layers)) {
        const size_t above = inference_arena<I + 1, Layers...>();
        return here > above ? here : above;
    } else {
        return here;
    }
}
}  // namespace detail

// What inference (predict) holds: one arena for every layer's input and output in turn, then the
// head's values. max_l (In_l + scratch_l + Out_l) + (2·Out Softmax, 3·Out Logistic, 0 Linear)
// values of T; θ stays in the arena, where the last layer wrote it.
template <class Head, class... Layers>
struct NetworkInference : HeadOutput<Head, detail::NetworkShape<Head, Layers...>::outputs,
                                     typename detail::NetworkShape<Head, Layers...>::value_type> {
    using head_type = Head;
    using value_type = typename detail::NetworkShape<Head, Layers...>::value_type;
    static constexpr size_t depth = sizeof...(Layers);
    static constexpr size_t outputs = detail::NetworkShape<Head, Layers...>::outputs;
    static constexpr size_t arena_size = detail::inference_arena<0, Layers...>();
    // where θ is: the start of the arena if the last layer is even, else its end
    static constexpr size_t logits_offset = (depth - 1) % 2 == 0 ? 0 : arena_size - outputs;
    value_type arena[arena_size];
};

// What forward keeps for the calls that need dJ/dx alone: each layer's slope, not its output
// (include/ugrad/network_slopes.hpp).
template <class Head, class... Layers>
struct NetworkSlopes;

// The layers as named members, so that a Network is a plain aggregate written
// `const Net net = {{w0, b0}, {w1, b1}, ...};` — one specialization per depth, 1 to
// max_network_depth, each written out by the macros below (storage only: the loops are written
// once, further down). Any other depth is the primary template, whose static_assert says so.
// Net::Gradients, shaped like Net, holds dJ/d(every parameter); Net::Slopes what dJ/dx alone needs.
template <class Head, class... Layers>
struct Network {
    static_assert(error::network_depth<sizeof...(Layers)>::checked, "a Network has 1 to 32 layers");
};

// UGRAD_LAYERS_n(X) is X(0) X(1) ... X(n − 1).
#define UGRAD_LAYERS_1(X) X(0)
#define UGRAD_LAYERS_2(X) UGRAD_LAYERS_1(X) X(1)
#define UGRAD_LAYERS_3(X) UGRAD_LAYERS_2(X) X(2)
#define UGRAD_LAYERS_4(X) UGRAD_LAYERS_3(X) X(3)
#define UGRAD_LAYERS_5(X) UGRAD_LAYERS_4(X) X(4)
#define UGRAD_LAYERS_6(X) UGRAD_LAYERS_5(X) X(5)
#define UGRAD_LAYERS_7(X) UGRAD_LAYERS_6(X) X(6)
#define UGRAD_LAYERS_8(X) UGRAD_LAYERS_7(X) X(7)
#define UGRAD_LAYERS_9(X) UGRAD_LAYERS_8(X) X(8)
#define UGRAD_LAYERS_10(X) UGRAD_LAYERS_9(X) X(9)
#define UGRAD_LAYERS_11(X) UGRAD_LAYERS_10(X) X(10)
#define UGRAD_LAYERS_12(X) UGRAD_LAYERS_11(X) X(11)
#define UGRAD_LAYERS_13(X) UGRAD_LAYERS_12(X) X(12)
#define UGRAD_LAYERS_14(X) UGRAD_LAYERS_13(X) X(13)
#define UGRAD_LAYERS_15(X) UGRAD_LAYERS_14(X) X(14)
#define UGRAD_LAYERS_16(X) UGRAD_LAYERS_15(X) X(15)
#define UGRAD_LAYERS_17(X) UGRAD_LAYERS_16(X) X(16)
#define UGRAD_LAYERS_18(X) UGRAD_LAYERS_17(X) X(17)
#define UGRAD_LAYERS_19(X) UGRAD_LAYERS_18(X) X(18)
#define UGRAD_LAYERS_20(X) UGRAD_LAYERS_19(X) X(19)
#define UGRAD_LAYERS_21(X) UGRAD_LAYERS_20(X) X(20)
#define UGRAD_LAYERS_22(X) UGRAD_LAYERS_21(X) X(21)
#define UGRAD_LAYERS_23(X) UGRAD_LAYERS_22(X) X(22)
#define UGRAD_LAYERS_24(X) UGRAD_LAYERS_23(X) X(23)
#define UGRAD_LAYERS_25(X) UGRAD_LAYERS_24(X) X(24)
#define UGRAD_LAYERS_26(X) UGRAD_LAYERS_25(X) X(25)
#define UGRAD_LAYERS_27(X) UGRAD_LAYERS_26(X) X(26)
#define UGRAD_LAYERS_28(X) UGRAD_LAYERS_27(X) X(27)
#define UGRAD_LAYERS_29(X) UGRAD_LAYERS_28(X) X(28)
#define UGRAD_LAYERS_30(X) UGRAD_LAYERS_29(X) X(29)
#define UGRAD_LAYERS_31(X) UGRAD_LAYERS_30(X) X(30)
#define UGRAD_LAYERS_32(X) UGRAD_LAYERS_31(X) X(31)
#define UGRAD_LAYER_ARG(i) , L##i
#define UGRAD_LAYER_PARAM(i) , class L##i
#define UGRAD_LAYER_MEMBER(i) L##i layer##i;
#define UGRAD_NETWORK_OF_DEPTH(n)                                                                     \
    template <class Head UGRAD_LAYERS_##n(UGRAD_LAYER_PARAM)>                                         \
    struct Network<Head UGRAD_LAYERS_##n(UGRAD_LAYER_ARG)> {                                         \
        using shape = detail::NetworkShape<Head UGRAD_LAYERS_##n(UGRAD_LAYER_ARG)>;                  \
        using head_type = Head;                                                                       \
        using value_type = typename shape::value_type;                                                \
        static constexpr size_t inputs = shape::inputs;                                               \
        static constexpr size_t outputs = shape::outputs;                                             \
        static constexpr size_t depth = shape::depth;                                                 \
        template <size_t I>                                                                           \
        using layer_type = typename detail::nth_type<I UGRAD_LAYERS_##n(UGRAD_LAYER_ARG)>::type;      \
        using Activations = NetworkActivations<Head UGRAD_LAYERS_##n(UGRAD_LAYER_ARG)>;               \
        using Inference = NetworkInference<Head UGRAD_LAYERS_##n(UGRAD_LAYER_ARG)>;                   \
        using Slopes = NetworkSlopes<Head UGRAD_LAYERS_##n(UGRAD_LAYER_ARG)>;                         \
        using Gradients = Network;                                                                    \
        UGRAD_LAYERS_##n(UGRAD_LAYER_MEMBER)                                                          \
    };
UGRAD_NETWORK_OF_DEPTH(1) UGRAD_NETWORK_OF_DEPTH(2) UGRAD_NETWORK_OF_DEPTH(3) UGRAD_NETWORK_OF_DEPTH(4)
UGRAD_NETWORK_OF_DEPTH(5) UGRAD_NETWORK_OF_DEPTH(6) UGRAD_NETWORK_OF_DEPTH(7) UGRAD_NETWORK_OF_DEPTH(8)
UGRAD_NETWORK_OF_DEPTH(9) UGRAD_NETWORK_OF_DEPTH(10) UGRAD_NETWORK_OF_DEPTH(11) UGRAD_NETWORK_OF_DEPTH(12)
UGRAD_NETWORK_OF_DEPTH(13) UGRAD_NETWORK_OF_DEPTH(14) UGRAD_NETWORK_OF_DEPTH(15) UGRAD_NETWORK_OF_DEPTH(16)
UGRAD_NETWORK_OF_DEPTH(17) UGRAD_NETWORK_OF_DEPTH(18) UGRAD_NETWORK_OF_DEPTH(19) UGRAD_NETWORK_OF_DEPTH(20)
UGRAD_NETWORK_OF_DEPTH(21) UGRAD_NETWORK_OF_DEPTH(22) UGRAD_NETWORK_OF_DEPTH(23) UGRAD_NETWORK_OF_DEPTH(24)
UGRAD_NETWORK_OF_DEPTH(25) UGRAD_NETWORK_OF_DEPTH(26) UGRAD_NETWORK_OF_DEPTH(27) UGRAD_NETWORK_OF_DEPTH(28)
UGRAD_NETWORK_OF_DEPTH(29) UGRAD_NETWORK_OF_DEPTH(30) UGRAD_NETWORK_OF_DEPTH(31) UGRAD_NETWORK_OF_DEPTH(32)
static_assert(max_network_depth == 32, "one UGRAD_NETWORK_OF_DEPTH above for each depth");
#undef UGRAD_NETWORK_OF_DEPTH
#undef UGRAD_LAYER_MEMBER
#undef UGRAD_LAYER_PARAM

// Layer I of a network (or of its Gradients), and what forward kept of it.
#define UGRAD_LAYER_CASE(i)                   \
    if constexpr (I == (i)) return net.layer##i; \
    else
// (One `if constexpr` per depth, written by the macro: clang-tidy counts them as nesting.)
template <size_t I, class Net>
constexpr auto& layer(Net& net) noexcept {  // NOLINT(readability-function-cognitive-complexity)
    static_assert(I < Net::depth, "a Network's layers are 0 to depth - 1");
    UGRAD_LAYERS_31(UGRAD_LAYER_CASE) return net.layer31;
}
#undef UGRAD_LAYER_CASE
#undef UGRAD_LAYER_ARG
template <size_t I, class Head, class... Layers>
constexpr const auto& layer_output(const NetworkActivations<Head, Layers...>& act) noexcept {
    return detail::get<I>(act.layers);
}

// θ, the last layer's output [Out], and ŷ [Out] (θ itself for a Linear head; Mlp's probabilities).
template <class Head, class... Layers>
constexpr const auto& logits(const NetworkActivations<Head, Layers...>& act) noexcept {
    return detail::get<sizeof...(Layers) - 1>(act.layers).y;
}
template <class Head, class... Layers>
constexpr const auto& outputs(const NetworkActivations<Head, Layers...>& act) noexcept {
    if constexpr (detail::same_type<Head, Linear>::value) return logits(act);
    else return act.probs;
}
// θ and ŷ after predict.
template <class Head, class... Layers>
inline const auto& logits(const NetworkInference<Head, Layers...>& inf) noexcept {
    using I = NetworkInference<Head, Layers...>;
    return detail::as_array<I::outputs>(&inf.arena[I::logits_offset]);
}
template <class Head, class... Layers>
inline const auto& outputs(const NetworkInference<Head, Layers...>& inf) noexcept {
    if constexpr (detail::same_type<Head, Linear>::value) return logits(inf);
    else return inf.probs;
}

namespace detail {

// Apply f to every layer of a network (or of its Gradients), first to last.
template <size_t I = 0, class Net, class F>
constexpr void for_each_layer(Net& net, F&& f) noexcept {
    f(layer<I>(net));
    if constexpr (I + 1 < Net::depth) for_each_layer<I + 1>(net, f);
}

template <size_t I, class Head, class... Layers, typename T>
constexpr void fill_layers(NetworkActivations<Head, Layers...>& act, T value) noexcept {
    fill(get<I>(act.layers), value);
    if constexpr (I + 1 < sizeof...(Layers)) fill_layers<I + 1>(act, value);
}
template <class Head, class... Layers, typename T>
constexpr void fill(NetworkActivations<Head, Layers...>& act, T value) noexcept {
    if constexpr (!same_type<Head, Linear>::value) {
        fill(act.log_probs, value);
        fill(act.probs, value);
    }
    if constexpr (same_type<Head, Logistic>::value) fill(act.log_complements, value);
    fill_layers<0>(act, value);
    fill(act.walk.buffer1, value);  // the walk's scratch too: every value in a failed act is NaN
    fill(act.walk.buffer2, value);
}

// Every hidden layer's output finite (the inputs of layers 1 .. L−1, and a block's inner outputs).
template <size_t I = 0, class Head, class... Layers>
constexpr bool hidden_finite(const NetworkActivations<Head, Layers...>& act) noexcept {
    if constexpr (I + 1 >= sizeof...(Layers)) return true;
    else return kept_finite(get<I>(act.layers)) && hidden_finite<I + 1>(act);
}

// The forward walk: layer I maps its input x [In_I] to y = act(f_I(x)), kept in act, which is
// layer I + 1's input.
template <size_t I, class Net, size_t N, typename T>
inline void forward_layers(const Net& net, const T (&x)[N], typename Net::Activations& act) noexcept {
    auto& out = get<I>(act.layers);
    layer_forward(layer<I>(net), x, out);
    if constexpr (I + 1 < Net::depth) forward_layers<I + 1>(net, out.y, act);
}


// The inference walk: layer I from x into its end of the arena (see NetworkInference).
template <size_t I, class Net, size_t N, typename T>
inline void infer_layers(const Net& net, const T (&x)[N], T* arena) noexcept {
    using L = typename Net::template layer_type<I>;
    constexpr size_t A = Net::Inference::arena_size;
    T* out = I % 2 == 0 ? arena : arena + (A - L::outputs);
    T* scratch = I % 2 == 0 ? arena + L::outputs : arena + (I == 0 ? 0 : L::inputs);
    T(&y)[L::outputs] = as_array<L::outputs>(out);
    layer_infer(layer<I>(net), x, y, scratch);
    if constexpr (I + 1 < Net::depth) infer_layers<I + 1>(net, y, arena);
}

template <class Head, class... Layers, typename T>
constexpr void fill(NetworkInference<Head, Layers...>& inf, T value) noexcept {
    if constexpr (!same_type<Head, Linear>::value) {
        fill(inf.log_probs, value);
        fill(inf.probs, value);
    }
    if constexpr (same_type<Head, Logistic>::value) fill(inf.log_complements, value);
    fill(inf.arena, value);
}

// A label's validity for a head: Softmax and Logistic label < Out (a one-unit Logistic: 0 or 1).
template <class Head, size_t Out>
constexpr bool valid_label(size_t label) noexcept {
    static_assert(!same_type<Head, Linear>::value, "a Linear head takes a target, not a label");
    if constexpr (same_type<Head, Logistic>::value && Out == 1) return label <= 1;
    else return label < Out;
}
// Only Softmax and Logistic heads take a class label: loss and input_gradient for a label drop out
// for a Linear head, and the declarations at the end of this file name the mistake.
template <class Head>
using takes_labels = enable_if_t<!same_type<Head, Linear>::value>;

// A target's validity: Softmax a probability vector; Logistic every y_k finite in [0, 1]; Linear
// every y_k finite.
template <class Head, size_t Out, typename T>
constexpr bool valid_target_for(const T (&target)[Out]) noexcept {
    if constexpr (same_type<Head, Softmax>::value) {
        return valid_target(target);
    } else {
        for (size_t k = 0; k < Out; ++k) {
            if (!is_finite(target[k])) return false;
            if (same_type<Head, Logistic>::value && (target[k] < T(0) || target[k] > T(1))) return false;
        }
        return true;
    }
}
// dJ/dθ = ŷ − y [Out], formed by the head without cancellation (include/ugrad/heads.hpp).
template <class Head, class... Layers, typename T, size_t Out>
inline void upstream_from_label(const NetworkActivations<Head, Layers...>& act, size_t label, T (&dtheta)[Out]) noexcept {
    head_gradient<Head>(logits(act), outputs(act), label, dtheta);
}
template <class Head, class... Layers, typename T, size_t Out>
inline void upstream_from_target(const NetworkActivations<Head, Layers...>& act, const T (&target)[Out],
                                 T (&dtheta)[Out]) noexcept {
    head_gradient<Head>(logits(act), outputs(act), target, dtheta);
}

// What the backward walk does at each layer besides computing dJ/dr (network_gradients.hpp adds
// the weight gradients or descends; backward does nothing more). accept() sees dJ/dr_0 as soon as it
// exists — before any layer is visited when L <= 2 — and may stop the walk.
struct VisitNothing {
    template <class A, typename T, size_t N>
    [[nodiscard]] constexpr bool accept(const A& /*act*/, const T (& /*dr0*/)[N]) const noexcept {
        return true;
    }
    template <size_t I, class L, class K, typename T, size_t N, size_t M>
    constexpr void visit(L& /*layer*/, const K& /*kept*/, const T (& /*input*/)[N], const T (& /*dr*/)[M]) const noexcept {}
};

// The walk's view of act's two buffers, laid out for an OwnTop call or not.
template <class Net, bool OwnTop>
struct BackwardScratch {
    static constexpr bool own_top = OwnTop;
    using Layout = BackwardLayout<typename Net::shape, OwnTop>;
    using T = typename Net::value_type;
    T* buffer1;
    T* buffer2;
};
template <class Net, bool OwnTop>
inline BackwardScratch<Net, OwnTop> walk_scratch(const typename Net::Activations& act) noexcept {
    return {&act.walk.buffer1[0], &act.walk.buffer2[0]};
}
// Where an OwnTop caller writes dθ [Out].
template <class Net, bool OwnTop>
inline typename Net::value_type (&scratch_top(BackwardScratch<Net, OwnTop>& scratch) noexcept)[Net::outputs] {
    return as_array<Net::outputs>(&scratch.buffer1[0]);
}

// The backward walk, layer I down to 0. dr [Out_I] is dJ/dr_I. For I > 0 it forms
//   dJ/dr_{I−1} = f_I′ᵀ(dJ/dr_I) ⊙ act_{I−1}′        [In_I]
// in the buffer dr does not occupy, hands dJ/dr_0 to visit.accept as soon as it exists, then calls
// visit.visit<I>(layer I, its input x_I, dJ/dr_I) — after W_I was last read, so visit may change
// W_I — and goes down. At I = 0, with dx, it forms dJ/dx = f_0′ᵀ(dJ/dr_0). x may be null when visit
// ignores inputs. Returns false if visit.accept refused.
template <size_t I, class NetRef, class Act, class Scratch, typename T, size_t M, class Visit>
inline bool backward_layers(NetRef& net, const Act& act, const T (&dr)[M], Scratch& scratch, const T* x, T* dx,
                            Visit& visit) noexcept {
    using Net = typename remove_const<NetRef>::type;
    auto& here = layer<I>(net);
    constexpr size_t In = Net::template layer_type<I>::inputs;
    if constexpr (I > 0) {
        T* next_buffer = Scratch::Layout::template where<I - 1>() == 1 ? &scratch.buffer1[0] : &scratch.buffer2[0];
        T(&next)[In] = as_array<In>(next_buffer);
        backward_input(here, get<I>(act.layers), dr, next);
        multiply_by_slope(get<I - 1>(act.layers), next);
        if constexpr (I == 1)
            if (!visit.accept(act, next)) return false;
        visit.template visit<I>(here, get<I>(act.layers), get<I - 1>(act.layers).y, dr);
        return backward_layers<I - 1>(net, act, next, scratch, x, dx, visit);
    } else {
        if constexpr (Net::depth == 1)
            if (!visit.accept(act, dr)) return false;
        if (dx != nullptr) backward_input(here, get<0>(act.layers), dr, as_array<In>(dx));
        if (x != nullptr) visit.template visit<0>(here, get<0>(act.layers), as_array<In>(x), dr);
        return true;
    }
}

// The whole walk from dθ [Out] (the caller's array, or scratch_top(scratch)): dJ/dr_{L−1} = dθ ⊙ act_{L−1}′,
// then backward_layers.
template <class NetRef, class Act, class Scratch, typename T, size_t Out, class Visit>
inline bool backward_walk(NetRef& net, const Act& act, Scratch& scratch, const T (&dtheta)[Out], const T* x, T* dx,
                          Visit& visit) noexcept {
    using Net = typename remove_const<NetRef>::type;
    constexpr size_t top = Net::depth - 1;
    if constexpr (Scratch::Layout::top_in_buffer) {
        T(&dr)[Out] = scratch_top(scratch);
        if (&dr[0] != &dtheta[0])
            for (size_t k = 0; k < Out; ++k) dr[k] = dtheta[k];
        multiply_by_slope(get<top>(act.layers), dr);
        return backward_layers<top>(net, act, dr, scratch, x, dx, visit);
    } else {
        return backward_layers<top>(net, act, dtheta, scratch, x, dx, visit);
    }
}

// The status of a dθ that is not finite. The caller's own dlogits: non_finite_input. One a call formed
// as ŷ − y itself (Scratch::own_top): from a failed forward (θ not finite), non_finite_input; from a
// good forward whose ŷ − y overflows (a Linear head, |θ − y| beyond the float range), non_finite_result.
template <class Scratch, class A>
constexpr Status non_finite_upstream(const A& act) noexcept {
    if constexpr (Scratch::own_top) return all_finite(logits(act)) ? Status::non_finite_result : Status::non_finite_input;
    else return Status::non_finite_input;
}

// dx from dθ [Out] (finite-checked here): backward, and input_gradient once it has formed dθ.
template <class Net, class Scratch, typename T, size_t Out, size_t In>
inline Status input_gradient_from(const Net& net, const typename Net::Activations& act, Scratch& scratch,
                                  const T (&dtheta)[Out], T (&dx)[In]) noexcept {
    if (!all_finite(dtheta)) return fail(non_finite_upstream<Scratch>(act), dx);
    VisitNothing visit;
    backward_walk(net, act, scratch, dtheta, static_cast<const T*>(nullptr), &dx[0], visit);
    if (!all_finite(dx)) return fail(Status::non_finite_result, dx);
    return Status::ok;
}

}  // namespace detail

// Forward pass: fills act (every layer's output, the logits θ and the head's ŷ).
// non_finite_input if x holds NaN/±inf; non_finite_result if θ comes out NaN/±inf (a non-finite
// weight, an overflow). On either, every value in act is NaN.
template <class Head, class... Layers>
Status forward(const Network<Head, Layers...>& net,
               const typename Network<Head, Layers...>::value_type (&x)[Network<Head, Layers...>::inputs],
               typename Network<Head, Layers...>::Activations& act) noexcept {
    using T = typename Network<Head, Layers...>::value_type;
    if (!detail::all_finite(x)) {
        detail::fill(act, quiet_nan<T>());
        return Status::non_finite_input;
    }
    detail::forward_layers<0>(net, x, act);
    if (!detail::all_finite(logits(act))) {
        detail::fill(act, quiet_nan<T>());
        return Status::non_finite_result;
    }
    detail::head_forward(logits(act), static_cast<HeadOutput<Head, Network<Head, Layers...>::outputs, T>&>(act));
    return Status::ok;
}

// Inference alone: ŷ (outputs(inf)) and θ (logits(inf)) from x, the same bits as forward gives, in
// sizeof(Net::Inference) bytes — one arena as large as the largest layer's input, scratch and
// output together, instead of every layer's output. Nothing is kept for a gradient.
// non_finite_input if x holds NaN/±inf; non_finite_result if θ comes out NaN/±inf. On either,
// every value in inf is NaN.
template <class Head, class... Layers>
Status predict(const Network<Head, Layers...>& net,
               const typename Network<Head, Layers...>::value_type (&x)[Network<Head, Layers...>::inputs],
               typename Network<Head, Layers...>::Inference& inf) noexcept {
    using T = typename Network<Head, Layers...>::value_type;
    if (!detail::all_finite(x)) {
        detail::fill(inf, quiet_nan<T>());
        return Status::non_finite_input;
    }
    detail::infer_layers<0>(net, x, &inf.arena[0]);
    if (!detail::all_finite(logits(inf))) {
        detail::fill(inf, quiet_nan<T>());
        return Status::non_finite_result;
    }
    detail::head_forward(logits(inf), static_cast<HeadOutput<Head, Network<Head, Layers...>::outputs, T>&>(inf));
    return Status::ok;
}

namespace detail {
// The head's loss from what forward kept (act: Activations or Slopes, each with the head's values
// and θ), for a label and for a target (the calls below say what each computes).
template <class Head, size_t Out, class A, typename T>
inline Status head_loss(const A& act, size_t label, T& J) noexcept {
    if (!valid_label<Head, Out>(label)) {
        J = quiet_nan<T>();
        return Status::label_out_of_range;
    }
    if constexpr (same_type<Head, Softmax>::value) {
        J = -act.log_probs[label];
    } else {
        // −Σ_k (y_k = 1 ? log ŷ_k : log(1 − ŷ_k)), k ascending
        T sum = T(0);
        for (size_t k = 0; k < Out; ++k)
            sum = sum + (label_value<Head, Out, T>(label, k) == T(1) ? act.log_probs[k] : act.log_complements[k]);
        J = -sum;
    }
    return is_nan(J) ? Status::non_finite_input : Status::ok;
}
template <class Head, class A, typename T, size_t Out>
inline Status head_loss(const A& act, const T (&target)[Out], T& J) noexcept {
    if (!valid_target_for<Head>(target)) {
        J = quiet_nan<T>();
        return Status::bad_target;
    }
    T sum = T(0);
    if constexpr (same_type<Head, Softmax>::value) {
        for (size_t k = 0; k < Out; ++k)
            if (target[k] != T(0)) sum = sum + target[k] * act.log_probs[k];
        J = -sum;
    } else if constexpr (same_type<Head, Logistic>::value) {
        for (size_t k = 0; k < Out; ++k)
            sum = sum + (target[k] * act.log_probs[k] + (T(1) - target[k]) * act.log_complements[k]);
        J = -sum;
    } else {
        const auto& theta = logits(act);
        for (size_t k = 0; k < Out; ++k) sum = sum + (theta[k] - target[k]) * (theta[k] - target[k]);
        J = T(0.5) * sum;
    }
    return is_nan(J) ? Status::non_finite_input : Status::ok;
}
}  // namespace detail

// The head's loss for a label (Softmax: J = −log ŷ[label]; Logistic: y = onehot(label), or y =
// label for one unit). label_out_of_range if the label is not one the head takes; non_finite_input
// if act came from a failed forward. On either, J is NaN.
template <class Head, class... Layers, typename T, class = detail::takes_labels<Head>>
Status loss(const NetworkActivations<Head, Layers...>& act, size_t label, T& J) noexcept {
    return detail::head_loss<Head, detail::NetworkShape<Head, Layers...>::outputs>(act, label, J);
}

// The head's loss for a target y [Out]:
//   Softmax  J = −Σ_k y_k log ŷ_k (terms with y_k = 0 skipped)          y a probability vector
//   Logistic J = −Σ_k (y_k log ŷ_k + (1 − y_k) log(1 − ŷ_k))          every y_k in [0, 1]
//   Linear   J = ½ Σ_k (ŷ_k − y_k)²                                     every y_k finite
// each sum k ascending. bad_target if y is not what the head takes; non_finite_input if act came
// from a failed forward. On either, J is NaN.
template <class Head, class... Layers, typename T, size_t Out,
          class = detail::enable_if_t<Out == detail::NetworkShape<Head, Layers...>::outputs>>
Status loss(const NetworkActivations<Head, Layers...>& act, const T (&target)[Out], T& J) noexcept {
    static_assert(Out == detail::NetworkShape<Head, Layers...>::outputs, "the target has one entry per output");
    return detail::head_loss<Head>(act, target, J);
}

// The cross-entropy of a Softmax or Logistic network: its loss (Mlp's cross_entropy keeps working).
template <class Head, class... Layers, typename T>
Status cross_entropy(const NetworkActivations<Head, Layers...>& act, size_t label, T& J) noexcept {
    static_assert(!detail::same_type<Head, Linear>::value, "a Linear head's loss is the squared error: loss()");
    return loss(act, label, J);
}
template <class Head, class... Layers, typename T, size_t Out>
Status cross_entropy(const NetworkActivations<Head, Layers...>& act, const T (&target)[Out], T& J) noexcept {
    static_assert(!detail::same_type<Head, Linear>::value, "a Linear head's loss is the squared error: loss()");
    return loss(act, target, J);
}

// Back-propagate any upstream gradient dJ/dθ [Out] to the input: dx [In] (the walk at the top of
// this file). non_finite_input if dlogits holds NaN/±inf; non_finite_result if dx comes out
// NaN/±inf (a non-finite weight, an overflow, or act from a failed forward — except in a network
// whose layers are all Identity, where dx = dlogits·W_{L−1}ᵀ···W_0ᵀ does not depend on act at all).
// On either, dx is NaN.
template <class Head, class... Layers>
Status backward(const Network<Head, Layers...>& net, const typename Network<Head, Layers...>::Activations& act,
                const typename Network<Head, Layers...>::value_type (&dlogits)[Network<Head, Layers...>::outputs],
                typename Network<Head, Layers...>::value_type (&dx)[Network<Head, Layers...>::inputs]) noexcept {
    auto scratch = detail::walk_scratch<Network<Head, Layers...>, false>(act);
    return detail::input_gradient_from(net, act, scratch, dlogits, dx);
}

// dJ/dx for a label: dJ/dθ = ŷ − y, then backward. label_out_of_range if the head does not take
// the label; non_finite_input if act came from a failed forward; otherwise as backward. On any of
// these, dx is NaN.
template <class Head, class... Layers, class = detail::takes_labels<Head>>
Status input_gradient(const Network<Head, Layers...>& net, const typename Network<Head, Layers...>::Activations& act,
                      size_t label,
                      typename Network<Head, Layers...>::value_type (&dx)[Network<Head, Layers...>::inputs]) noexcept {
    using Net = Network<Head, Layers...>;
    if (!detail::valid_label<Head, Net::outputs>(label)) return detail::fail(Status::label_out_of_range, dx);
    auto scratch = detail::walk_scratch<Net, true>(act);
    detail::upstream_from_label(act, label, scratch_top(scratch));
    return detail::input_gradient_from(net, act, scratch, scratch_top(scratch), dx);
}

// dJ/dx for a target y [Out]: dJ/dθ = ŷ − y, then backward. bad_target if y is not what the head
// takes; non_finite_result if ŷ − y overflows (a Linear head with |θ − y| beyond the float range);
// otherwise as above. On any status but ok, dx is NaN.
template <class Head, class... Layers>
Status input_gradient(const Network<Head, Layers...>& net, const typename Network<Head, Layers...>::Activations& act,
                      const typename Network<Head, Layers...>::value_type (&target)[Network<Head, Layers...>::outputs],
                      typename Network<Head, Layers...>::value_type (&dx)[Network<Head, Layers...>::inputs]) noexcept {
    using Net = Network<Head, Layers...>;
    if (!detail::valid_target_for<Head>(target)) return detail::fail(Status::bad_target, dx);
    auto scratch = detail::walk_scratch<Net, true>(act);
    detail::upstream_from_target(act, target, scratch_top(scratch));
    return detail::input_gradient_from(net, act, scratch, scratch_top(scratch), dx);
}

// Calls that do not fit the network, declared and never defined: each returns a type whose name is
// the compiler's message, at the call (include/ugrad/compile_errors.hpp). An array of the wrong size
// (a call with several arrays names the first that does not fit):
template <class Head, class... Layers, typename T, size_t N, size_t In = Network<Head, Layers...>::inputs,
          class = detail::enable_if_t<N != In>>
typename error::x_has<N>::template entries_but_this_network_takes<In> forward(
    const Network<Head, Layers...>& net, const T (&x)[N], typename Network<Head, Layers...>::Activations& act) noexcept;
template <class Head, class... Layers, typename T, size_t M,
          size_t Out = detail::NetworkShape<Head, Layers...>::outputs, class = detail::enable_if_t<M != Out>>
typename error::target_has<M>::template entries_but_this_network_gives<Out> loss(
    const NetworkActivations<Head, Layers...>& act, const T (&target)[M], T& J) noexcept;
template <class Head, class... Layers, typename T, size_t M, size_t N, size_t In = Network<Head, Layers...>::inputs,
          size_t Out = Network<Head, Layers...>::outputs, class = detail::enable_if_t<M != Out>>
typename error::dlogits_has<M>::template entries_but_this_network_gives<Out> backward(
    const Network<Head, Layers...>& net, const typename Network<Head, Layers...>::Activations& act,
    const T (&dlogits)[M], T (&dx)[N]) noexcept;
template <class Head, class... Layers, typename T, size_t M, size_t N, size_t In = Network<Head, Layers...>::inputs,
          size_t Out = Network<Head, Layers...>::outputs, class = detail::enable_if_t<M == Out && N != In>>
typename error::dx_has<N>::template entries_but_this_network_takes<In> backward(
    const Network<Head, Layers...>& net, const typename Network<Head, Layers...>::Activations& act,
    const T (&dlogits)[M], T (&dx)[N]) noexcept;
template <class Head, class... Layers, typename T, size_t N, size_t In = Network<Head, Layers...>::inputs,
          class = detail::takes_labels<Head>, class = detail::enable_if_t<N != In>>
typename error::dx_has<N>::template entries_but_this_network_takes<In> input_gradient(
    const Network<Head, Layers...>& net, const typename Network<Head, Layers...>::Activations& act, size_t label,
    T (&dx)[N]) noexcept;
template <class Head, class... Layers, typename T, size_t M, size_t N, size_t In = Network<Head, Layers...>::inputs,
          size_t Out = Network<Head, Layers...>::outputs, class = detail::enable_if_t<M != Out>>
typename error::target_has<M>::template entries_but_this_network_gives<Out> input_gradient(
    const Network<Head, Layers...>& net, const typename Network<Head, Layers...>::Activations& act,
    const T (&target)[M], T (&dx)[N]) noexcept;
template <class Head, class... Layers, typename T, size_t M, size_t N, size_t In = Network<Head, Layers...>::inputs,
          size_t Out = Network<Head, Layers...>::outputs, class = detail::enable_if_t<M == Out && N != In>>
typename error::dx_has<N>::template entries_but_this_network_takes<In> input_gradient(
    const Network<Head, Layers...>& net, const typename Network<Head, Layers...>::Activations& act,
    const T (&target)[M], T (&dx)[N]) noexcept;
// A class label for a Linear head:
template <class... Layers, typename T>
error::a_linear_head_takes_a_target_not_a_label loss(const NetworkActivations<Linear, Layers...>& act, size_t label,
                                                     T& J) noexcept;
template <class... Layers, typename T, size_t N>
error::a_linear_head_takes_a_target_not_a_label input_gradient(const Network<Linear, Layers...>& net,
                                                               const NetworkActivations<Linear, Layers...>& act,
                                                               size_t label, T (&dx)[N]) noexcept;

}  // namespace ugrad

UGRAD_FP_CONTRACT_OFF_END
