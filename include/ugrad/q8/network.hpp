// SPDX-License-Identifier: Apache-2.0
// ugrad/q8/network.hpp — the int8 network: forward and the input gradient dJ/dx in integers only.
//
// Codes (TFLite's convention): a real value v is held as an int8 code c with v = s·(c − z).
//   input x      c = round(x/s_x) + z_x: the caller's codes; z_x is Network::input_zero_point,
//                s_x is known to the host (the quantizer) and needed only to turn dJ/dc into dJ/dx.
//   weights      w_ij = s_j·c_ij, symmetric (z = 0), one scale s_j per output unit j
//   biases       int32, scale s_in·s_j (s_in the layer's input scale), zero point 0
//   accumulator  acc_j = b_j + Σ_i (x_i − z_in)·w_ij   (exact int32; bounds below)
//   requantized  the factor m_j·2^−n_j ≈ s_in·s_j/s_next (include/ugrad/q8/fixed_point.hpp) takes acc_j
//                to the next code: Q12 for a sigmoid's or tanh's pre-activation, the layer's own
//                output code (scale, zero point output_zero_point) for Relu and Identity, and
//                Q12 logits θ for the last layer.
// Forward:   x ─affine─▶ acc ─requantize, act (activations.hpp)─▶ y ─ … ─▶ θ (Q12) ─head (heads.hpp)─▶ ŷ
// Backward, all in codes (dJ/dc = s·dJ/dv for a code c of scale s), each vector an int32 array v
// with a block exponent e (it stands for v·2^e):
//   dJ/dθ_code = (ŷ − y)·2^−12, ŷ − y = d·2^e from the head (heads.hpp: computed from θ, so that
//                a confident answer whose Q15 ŷ is the label still has its gradient)
//   per layer, from the last:  dJ/dacc_j = dJ/dy_j · slope(y_j)·2^slope_e · m_j·2^−n_j
//                              dJ/dx_i   = Σ_j w_ij · dJ/dacc_j
//   with a normalize15 (|v| < 2^15, at least 14 significant bits) before each product, m_j taken
//   as m_j >> 16 (15 bits),
//   and the units' different 2^−n_j brought to the largest one by rounding right shifts.
// The result: dJ/dc_x = dx.code·2^dx.exponent, and dJ/dx = dJ/dc_x / s_x (to_float.hpp, host).
//
// Bounds (static_asserts in Dense): |x − z| <= 255, |w| <= 127, |b| <= 2^30 (the quantizer clips),
// so |acc| <= 2^30 + In·255·127 < 2^31 for In <= 33,155; backward |dJ/dacc| < 2^15 after
// normalize15, so |Σ_j w·dJ/dacc| <= Out·127·(2^15 − 1) < 2^31 for Out <= 516; slope·v <= 2^14·2^15 and
// (m >> 16)·v < 2^15·2^15 stay below 2^31.
//
// Errors: every int8 input is a valid input (there is no NaN or infinity to reject: what replaces
// Status::non_finite_input is nothing, the type admits only valid inputs) and forward always
// returns Status::ok; saturation is defined (requantized codes clamp to ±2^30, outputs to int8).
// input_gradient returns label_out_of_range (label >= Out; for Logistic with Out == 1, label > 1)
// or bad_target (Softmax: an entry < 0 or > 2^15, or |Σ − 2^15| > 33, i.e. 1e−3; Logistic: an
// entry outside [0, 2^15]; Linear: an entry with |y| >= 2^30); on either every dx.code is
// q8::invalid_code (INT32_MIN, which the bounds above make impossible as a result) and
// dx.exponent is 0.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/compile_errors.hpp>
#include <ugrad/layers.hpp>
#include <ugrad/q8/activations.hpp>
#include <ugrad/q8/fixed_point.hpp>
#include <ugrad/q8/heads.hpp>
#include <ugrad/q8/kernels.hpp>
#include <ugrad/status.hpp>

namespace ugrad::q8 {

constexpr int32_t invalid_code = INT32_MIN;

// y = act(x·W + b) in codes. x [In] int8, w [In][Out] int8, b [Out] int32; per output unit the
// factor m·2^−n; output_zero_point for Relu and Identity (sigmoid and tanh have fixed output codes).
// A plain aggregate: a `const` instance with an initializer lives in flash.
template <size_t In, size_t Out, class Act = Identity>
struct Dense {
    static_assert(In >= 1 && Out >= 1, "a Dense layer needs at least one unit");
    static_assert(In <= 33155, "forward: 2^30 + In·255·127 must stay below 2^31");
    static_assert(Out <= 516, "backward: Out·127·(2^15 − 1) must stay below 2^31");
    static constexpr size_t inputs = In;
    static constexpr size_t outputs = Out;
    using activation = Act;
    int8_t w[In][Out];
    int32_t b[Out];
    int32_t multiplier[Out];  // m ∈ [2^30, 2^31)
    uint8_t shift[Out];       // n ∈ [1, 62]
    int32_t output_zero_point;
};

namespace detail {

// The layers, first to last: a nested aggregate {layer, {layer, {...}}}.
template <class... Layers>
struct Stack;
template <class Last>
struct Stack<Last> {
    Last layer;
};
template <class Layer, class Next, class... Rest>
struct Stack<Layer, Next, Rest...> {
    static_assert(error::a_layer_gives<Layer::outputs>::template outputs_but_the_next_layer_takes<Next::inputs>::checked,
                  "consecutive layers must chain: Out of one = In of the next");
    Layer layer;
    Stack<Next, Rest...> rest;
};

// What forward keeps per layer: the output codes of a hidden layer; θ and ŷ for the last.
template <class... Layers>
struct Codes;
template <class Last>
struct Codes<Last> {
    int32_t logits[Last::outputs];   // θ, Q12
    int32_t outputs[Last::outputs];  // ŷ (heads.hpp)
};
template <class Layer, class Next, class... Rest>
struct Codes<Layer, Next, Rest...> {
    int8_t y[Layer::outputs];
    Codes<Next, Rest...> rest;
};

template <class A, class B>
struct is_same_head {
    static constexpr bool value = false;
};
template <class A>
struct is_same_head<A, A> {
    static constexpr bool value = true;
};

template <class Act>
struct is_identity {
    static constexpr bool value = false;
};
template <>
struct is_identity<Identity> {
    static constexpr bool value = true;
};

template <class... Layers>
struct FirstOf;
template <class First, class... Rest>
struct FirstOf<First, Rest...> {
    using type = First;
};

template <class... Layers>
struct LastOf;
template <class Last>
struct LastOf<Last> {
    using type = Last;
};
template <class Layer, class Next, class... Rest>
struct LastOf<Layer, Next, Rest...> : LastOf<Next, Rest...> {};

template <class Last>
inline const Codes<Last>& last_codes(const Codes<Last>& c) noexcept {
    return c;
}
template <class Last>
inline Codes<Last>& last_codes(Codes<Last>& c) noexcept {
    return c;
}
template <class Layer, class Next, class... Rest>
inline const auto& last_codes(const Codes<Layer, Next, Rest...>& c) noexcept {
    return last_codes(c.rest);
}
template <class Layer, class Next, class... Rest>
inline auto& last_codes(Codes<Layer, Next, Rest...>& c) noexcept {
    return last_codes(c.rest);
}

// The backward steps below take g still to be rescaled by s (a normalize15 whose shift is known,
// folded into the loop) and return the OR of the |g_j| they write (the next normalize15's bits).
// step(j, g_j rescaled by s) for each j, the direction of the shift tested once, outside the loop.
template <class Step>
inline void for_each_rescaled(const int32_t* g, BlockShift s, size_t n, Step step) noexcept {
    if (s.right) {
        for (size_t j = 0; j < n; ++j) step(j, rounding_shift_right_bounded(g[j], s.right));
    } else {
        for (size_t j = 0; j < n; ++j) step(j, int32_t(uint32_t(g[j]) << s.left));
    }
}

// min(a, b) of each of the four bytes of two words whose bytes are below 128: the byte k of
// (a | 0x80808080) − b is 128 + a_k − b_k ∈ [1, 255] (no borrow crosses bytes), its top bit set
// iff a_k >= b_k; that bit spread to the byte (·255) selects b_k.
inline uint32_t bytewise_min(uint32_t a, uint32_t b) noexcept {
    const uint32_t ge = (((a | 0x80808080u) - b) >> 7) & 0x01010101u;
    return a ^ ((a ^ b) & (ge * 255u));
}
// The smallest of the shifts n [count] (each in [1, 62]; n word-aligned, as Dense::shift is):
// except at -Os, four at a time as the bytes of a word, then the word's four bytes, then the
// count % 4 left.
UGRAD_Q8_KERNEL uint32_t smallest_shift(const uint8_t* n, size_t count) noexcept {
    uint32_t smallest = n[0];
    size_t j = 1;
#if !defined(__OPTIMIZE_SIZE__)
    const size_t words = count / 4;
    if (words) {
        const uint8_t* aligned = static_cast<const uint8_t*>(__builtin_assume_aligned(n, 4));
        uint32_t m;
        __builtin_memcpy(&m, aligned, 4);
        for (size_t k = 1; k < words; ++k) {
            uint32_t next;
            __builtin_memcpy(&next, aligned + 4 * k, 4);
            m = bytewise_min(m, next);
        }
        m = bytewise_min(m, m >> 16);
        smallest = bytewise_min(m, m >> 8) & 0xffu;
        j = 4 * words;
    }
#endif
    for (; j < count; ++j)
        if (n[j] < smallest) smallest = n[j];
    return smallest;
}

// g_j = round(g_j·(m_j >> 16)·2^−(n_j − n_min)), e += 16 − n_min: the units' requantization
// factors applied to |g_j| < 2^15 (normalized), brought to the exponent of the largest factor.
// Both factors fit int16 (m >> 16 ∈ [2^14, 2^15)): one 16×16 multiply. The product p has
// |p| < 2^30, so 2p fits, and round(p/2^d) = floor((floor(2p/2^d) + 1)/2) for d = n_j − n_min,
// which a shift by 31 (for every d > 30) makes 0, as rounding does.
UGRAD_Q8_KERNEL uint32_t apply_factors(int32_t* g, BlockShift s, const int32_t* m, const uint8_t* n, size_t out,
                              int32_t& e) noexcept {
    const uint32_t n_min = smallest_shift(n, out);
    uint32_t bits = 0;
    for_each_rescaled(g, s, out, [&](size_t unit, int32_t scaled) {
        const int32_t product = int32_t(int16_t(scaled)) * int32_t(int16_t(m[unit] >> 16));
        int32_t d = int32_t(n[unit]) - int32_t(n_min);  // >= 0; clamped as a signed value, one USAT on Arm
        d = d < 0 ? 0 : d > 31 ? 31 : d;
        // cppcheck-suppress shiftTooManyBitsSigned ; by 31 gives the 0 of the comment above (arithmetic shift)
        g[unit] = ((2 * product >> d) + 1) >> 1;
        bits |= magnitude(g[unit]);
    });
    e += 16 - int32_t(n_min);
    return bits;
}
inline void apply_factors(int32_t* g, const int32_t* m, const uint8_t* n, size_t out, int32_t& e) noexcept {
    apply_factors(g, BlockShift{0, 0}, m, n, out, e);
}

// g_j = g_j·slope(y_j), e += the slope's exponent (activations.hpp).
template <class Act>
UGRAD_Q8_KERNEL uint32_t apply_slope(int32_t* g, BlockShift s, const int8_t* y, int32_t z, size_t out, int32_t& e) noexcept {
    uint32_t bits = 0;
    for_each_rescaled(g, s, out, [&](size_t unit, int32_t scaled) {
        g[unit] = scaled * Slope<Act>::of(y[unit], z);
        bits |= magnitude(g[unit]);
    });
    e += Slope<Act>::gradient_exponent;
    return bits;
}
template <class Act>
inline void apply_slope(int32_t* g, const int8_t* y, int32_t z, size_t out, int32_t& e) noexcept {
    apply_slope<Act>(g, BlockShift{0, 0}, y, z, out, e);
}

inline uint32_t magnitudes(const int32_t* g, size_t n) noexcept {
    uint32_t bits = 0;
    for (size_t j = 0; j < n; ++j) bits |= magnitude(g[j]);
    return bits;
}

template <class Layer, class Next, class... Rest>
inline void forward_layers(const Stack<Layer, Next, Rest...>& s, const int8_t (&x)[Layer::inputs], int32_t z,
                           Codes<Layer, Next, Rest...>& c) noexcept {
    constexpr size_t In = Layer::inputs, Out = Layer::outputs;
    const Layer& l = s.layer;
    int32_t acc[Out], xz[In];
    affine(x, z, &l.w[0][0], l.b, In, Out, acc, xz);
    for (size_t j = 0; j < Out; ++j)
        c.y[j] = activation_code(typename Layer::activation{}, acc[j], l.multiplier[j], l.shift[j], l.output_zero_point);
    forward_layers(s.rest, c.y, Slope<typename Layer::activation>::zero_point(l.output_zero_point), c.rest);
}
template <class Last>
inline void forward_layers(const Stack<Last>& s, const int8_t (&x)[Last::inputs], int32_t z, Codes<Last>& c) noexcept {
    static_assert(is_identity<typename Last::activation>::value,
                  "the last layer gives the logits: its activation is Identity (the head follows)");
    constexpr size_t In = Last::inputs, Out = Last::outputs;
    const Last& l = s.layer;
    int32_t xz[In];
    affine(x, z, &l.w[0][0], l.b, In, Out, c.logits, xz);
    for (size_t j = 0; j < Out; ++j) c.logits[j] = requantize(c.logits[j], l.multiplier[j], l.shift[j]);
}

// dJ/dx (codes) of the first layer in s, given dJ/dθ_code (dlogits [last Out], exponent e; bits:
// the OR of its |entries|): the walk back from the last layer, each layer's buffer on the stack of
// its own call. Per layer, from dJ/dy (g): normalize15, ⊙ slope, normalize15, × factors,
// normalize15, × Wᵀ — except at -Os (the least code), each normalize15's two passes folded into the
// steps around it: its OR into the step before (for g, the layer after's affine_t_rescaled), its
// rescale into the step after (the last one's into affine_t_rescaled). With Bits, returns the OR
// of the |dx_i| (for the layer before), else 0.
template <bool Bits, class Last>
inline uint32_t backward_layers(const Stack<Last>& s, const Codes<Last>& /*codes*/, int32_t* dlogits,
                                uint32_t dlogit_bits, int32_t (&dx)[Last::inputs], int32_t& e) noexcept {
    constexpr size_t In = Last::inputs, Out = Last::outputs;
#if defined(__OPTIMIZE_SIZE__)
    (void)dlogit_bits;
    normalize15(dlogits, Out, e);
    apply_factors(dlogits, s.layer.multiplier, s.layer.shift, Out, e);
    normalize15(dlogits, Out, e);
    affine_t(dlogits, &s.layer.w[0][0], In, Out, dx);
    return 0;
#else
    BlockShift shift = block_shift(dlogit_bits, e);
    shift = block_shift(apply_factors(dlogits, shift, s.layer.multiplier, s.layer.shift, Out, e), e);
    return affine_t_rescaled<Bits>(dlogits, shift, &s.layer.w[0][0], In, Out, dx);
#endif
}
template <bool Bits, class Layer, class Next, class... Rest>
inline uint32_t backward_layers(const Stack<Layer, Next, Rest...>& s, const Codes<Layer, Next, Rest...>& c,
                                int32_t* dlogits, uint32_t dlogit_bits, int32_t (&dx)[Layer::inputs],
                                int32_t& e) noexcept {
    constexpr size_t In = Layer::inputs, Out = Layer::outputs;
    const Layer& l = s.layer;
    int32_t g[Out];  // dJ/dy_code, then dJ/dacc
#if defined(__OPTIMIZE_SIZE__)
    backward_layers<false>(s.rest, c.rest, dlogits, dlogit_bits, g, e);
    normalize15(g, Out, e);
    apply_slope<typename Layer::activation>(g, c.y, l.output_zero_point, Out, e);
    normalize15(g, Out, e);
    apply_factors(g, l.multiplier, l.shift, Out, e);
    normalize15(g, Out, e);
    affine_t(g, &l.w[0][0], In, Out, dx);
    return 0;
#else
    BlockShift shift = block_shift(backward_layers<true>(s.rest, c.rest, dlogits, dlogit_bits, g, e), e);
    shift = block_shift(apply_slope<typename Layer::activation>(g, shift, c.y, l.output_zero_point, Out, e), e);
    shift = block_shift(apply_factors(g, shift, l.multiplier, l.shift, Out, e), e);
    return affine_t_rescaled<Bits>(g, shift, &l.w[0][0], In, Out, dx);
#endif
}

}  // namespace detail

// The network: the input's zero point, then the layers first to last (nested: {z, {l1, {l2}}}),
// then the head (a tag).
template <class Head, class... Layers>
struct Network {
    static_assert(sizeof...(Layers) >= 1, "a network needs at least one layer");
    using head = Head;
    using last_layer = typename detail::LastOf<Layers...>::type;
    using Activations = detail::Codes<Layers...>;
    static constexpr size_t inputs = detail::FirstOf<Layers...>::type::inputs;
    static constexpr size_t outputs = last_layer::outputs;
    int32_t input_zero_point;
    detail::Stack<Layers...> layers;
};

// dJ/dc_x = code·2^exponent (codes of the input; dJ/dx = dJ/dc_x / s_x).
template <size_t In>
struct InputGradient {
    int32_t code[In];
    int32_t exponent;
};

// Forward pass: fills act (every hidden layer's output codes, θ and ŷ). Always Status::ok.
template <class Head, class... Layers>
Status forward(const Network<Head, Layers...>& net, const int8_t (&x)[Network<Head, Layers...>::inputs],
               typename Network<Head, Layers...>::Activations& act) noexcept {
    detail::forward_layers(net.layers, x, net.input_zero_point, act);
    head_outputs(Head{}, detail::last_codes(act).logits, detail::last_codes(act).outputs);
    return Status::ok;
}

// ŷ: Q15 (Softmax, Logistic) or Q12 (Linear) codes, see heads.hpp.
template <class... Layers>
const int32_t (&outputs(const detail::Codes<Layers...>& act) noexcept)[detail::LastOf<Layers...>::type::outputs] {
    return detail::last_codes(act).outputs;
}

namespace detail {

template <size_t In>
inline Status fail(Status s, InputGradient<In>& dx) noexcept {
    for (size_t i = 0; i < In; ++i) dx.code[i] = invalid_code;
    dx.exponent = 0;
    return s;
}

// dx from dJ/dθ_code = d·2^e (d [Out] is overwritten; bits: the OR of its |entries|, which the
// -Os walk finds again itself).
template <class Head, class... Layers>
inline Status backward_from_logits(const Network<Head, Layers...>& net, const Codes<Layers...>& act, int32_t* d,
                                   uint32_t bits, int32_t e,
                                   InputGradient<Network<Head, Layers...>::inputs>& dx) noexcept {
    backward_layers<false>(net.layers, act, d, bits, dx.code, e);
    dx.exponent = e;
    return Status::ok;
}

template <size_t Out>
inline bool valid_target(Softmax /*head*/, const int32_t (&y)[Out]) noexcept {
    int32_t sum = 0;
    for (size_t k = 0; k < Out; ++k) {
        if (y[k] < 0 || y[k] > one_q15) return false;
        sum += y[k];  // <= Out·2^15 < 2^31
    }
    return sum >= one_q15 - 33 && sum <= one_q15 + 33;
}
template <size_t Out>
inline bool valid_target(Logistic /*head*/, const int32_t (&y)[Out]) noexcept {
    for (size_t k = 0; k < Out; ++k)
        if (y[k] < 0 || y[k] > one_q15) return false;
    return true;
}
template <size_t Out>
inline bool valid_target(Linear /*head*/, const int32_t (&y)[Out]) noexcept {
    for (size_t k = 0; k < Out; ++k)
        if (y[k] <= -requantize_limit || y[k] >= requantize_limit) return false;
    return true;
}

}  // namespace detail

// dJ/dx for a label: y = onehot(label) in Q15 (Softmax, Logistic; Logistic with Out == 1: y = label,
// 0 or 1). label_out_of_range otherwise (dx then holds invalid_code).
template <class Head, class... Layers>
Status input_gradient(const Network<Head, Layers...>& net, const detail::Codes<Layers...>& act, size_t label,
                      InputGradient<Network<Head, Layers...>::inputs>& dx) noexcept {
    constexpr size_t Out = Network<Head, Layers...>::outputs;
    static_assert(!detail::is_same_head<Head, Linear>::value, "a Linear head takes a target, not a label");
    constexpr bool single_logistic = detail::is_same_head<Head, Logistic>::value && Out == 1;
    // cppcheck-suppress knownConditionTrueFalse ; a property of the instantiation
    if (single_logistic ? label > 1 : label >= Out) return detail::fail(Status::label_out_of_range, dx);
    int32_t d[Out];  // dJ/dθ = d·2^exponent (heads.hpp)
    const Seed seed = label_gradient(Head{}, detail::last_codes(act).logits, outputs(act), label, d);
    return detail::backward_from_logits(net, act, d, seed.bits, seed.exponent - 12, dx);
}

// dJ/dx for a target y [Out] in the codes of ŷ (heads.hpp). bad_target as described above.
template <class Head, class... Layers>
Status input_gradient(const Network<Head, Layers...>& net, const detail::Codes<Layers...>& act,
                      const int32_t (&target)[Network<Head, Layers...>::outputs],
                      InputGradient<Network<Head, Layers...>::inputs>& dx) noexcept {
    constexpr size_t Out = Network<Head, Layers...>::outputs;
    if (!detail::valid_target(Head{}, target)) return detail::fail(Status::bad_target, dx);
    int32_t d[Out];  // dJ/dθ = d·2^exponent (heads.hpp)
    const Seed seed = target_gradient(Head{}, detail::last_codes(act).logits, outputs(act), target, d);
    return detail::backward_from_logits(net, act, d, seed.bits, seed.exponent - 12, dx);
}

// Calls that do not fit the network, declared and never defined: each returns a type whose name is
// the compiler's message, at the call (include/ugrad/compile_errors.hpp). An array of the wrong size
// (a call with several arrays names the first that does not fit):
template <class Head, class... Layers, size_t N, size_t In = Network<Head, Layers...>::inputs,
          class = ugrad::detail::enable_if_t<N != In>>
typename error::x_has<N>::template entries_but_this_network_takes<In> forward(
    const Network<Head, Layers...>& net, const int8_t (&x)[N], typename Network<Head,
    Layers...>::Activations& act) noexcept;
template <class Head, class... Layers, size_t N, size_t In = Network<Head, Layers...>::inputs,
          class = ugrad::detail::enable_if_t<N != In>>
typename error::dx_has<N>::template entries_but_this_network_takes<In> input_gradient(
    const Network<Head, Layers...>& net, const detail::Codes<Layers...>& act, size_t label,
    InputGradient<N>& dx) noexcept;
template <class Head, class... Layers, size_t M, size_t N, size_t In = Network<Head, Layers...>::inputs,
          size_t Out = Network<Head, Layers...>::outputs, class = ugrad::detail::enable_if_t<M != Out>>
typename error::target_has<M>::template entries_but_this_network_gives<Out> input_gradient(
    const Network<Head, Layers...>& net, const detail::Codes<Layers...>& act, const int32_t (&target)[M],
    InputGradient<N>& dx) noexcept;
template <class Head, class... Layers, size_t M, size_t N, size_t In = Network<Head, Layers...>::inputs,
          size_t Out = Network<Head, Layers...>::outputs, class = ugrad::detail::enable_if_t<M == Out && N != In>>
typename error::dx_has<N>::template entries_but_this_network_takes<In> input_gradient(
    const Network<Head, Layers...>& net, const detail::Codes<Layers...>& act, const int32_t (&target)[M],
    InputGradient<N>& dx) noexcept;

}  // namespace ugrad::q8
