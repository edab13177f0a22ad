// SPDX-License-Identifier: Apache-2.0
// ugrad/mlp.hpp — the network, its forward pass, its loss and its input gradient.
//
// Row-vector convention, shapes in brackets:
//   r = x·W1 + b1        x [In], W1 [In][Hidden], r [Hidden]
//   h = σ(r)             h [Hidden]
//   θ = h·W2 + b2        W2 [Hidden][Out], θ [Out]  (the logits)
//   log ŷ = θ − log Σ e^θ,  ŷ = softmax(θ)
//   J = −Σ_k y_k log ŷ_k
// and backwards (docs/derivation.md):
//   dJ/dθ = ŷ − y                 [Out]      formed without cancellation (include/ugrad/heads.hpp)
//   dJ/dh = dJ/dθ · W2ᵀ           [Hidden]
//   dJ/dr = dJ/dh ⊙ h ⊙ (1 − h)    [Hidden]   σ's Jacobian is diagonal: an element-wise product
//   dJ/dx = dJ/dr · W1ᵀ           [In]
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/activations.hpp>
#include <ugrad/arrays.hpp>
#include <ugrad/compile_errors.hpp>
#include <ugrad/elementwise.hpp>
#include <ugrad/fp_contract.hpp>
#include <ugrad/heads.hpp>
#include <ugrad/kernels.hpp>
#include <ugrad/math.hpp>
#include <ugrad/softmax.hpp>
#include <ugrad/status.hpp>

UGRAD_FP_CONTRACT_OFF_BEGIN

namespace ugrad {

// The parameters. A plain aggregate: a `const` instance with an initializer lives in flash.
template <size_t In, size_t Hidden, size_t Out, typename T = float>
struct Mlp {
    static_assert(In >= 1 && Hidden >= 1 && Out >= 1, "every layer needs at least one unit");
    T w1[In][Hidden];
    T b1[Hidden];
    T w2[Hidden][Out];
    T b2[Out];
};

// What forward keeps for the loss and the gradient: (2·Hidden + 3·Out)·sizeof(T) bytes.
template <size_t In, size_t Hidden, size_t Out, typename T = float>
struct Activations {
    T h[Hidden];          // σ(r)
    T dh_dr[Hidden];      // σ'(r) = h ⊙ (1 − h), with 1 − h computed as σ(−r): exact for large |r|
    T logits[Out];        // θ
    T log_probs[Out];     // log ŷ
    T probs[Out];         // ŷ
};

namespace detail {

// Every member of act. Built for size (UGRAD_COMPACT_KERNELS, -Os): its five arrays lie back to
// back (no padding: checked), so one loop over its object representation, a T at a time, does
// it — one loop of code instead of five (the M4F's -Os budget, make size); aligned as T, so each
// copy is one store, no call to memcpy on cores without unaligned access. Otherwise array by
// array (GCC at -O2 gave the one loop 176 more bytes of stack on the Cortex-M3).
template <size_t In, size_t Hidden, size_t Out, typename T>
inline void fill(Activations<In, Hidden, Out, T>& act, T value) noexcept {
    static_assert(sizeof act == (2 * Hidden + 3 * Out) * sizeof(T), "Activations holds its arrays back to back");
    if constexpr (UGRAD_COMPACT_KERNELS) {
        unsigned char* bytes = static_cast<unsigned char*>(__builtin_assume_aligned(static_cast<void*>(&act), alignof(T)));
        for (size_t i = 0; i < sizeof act / sizeof(T); ++i) __builtin_memcpy(bytes + i * sizeof(T), &value, sizeof(T));
    } else {
        fill(act.h, value);
        fill(act.dh_dr, value);
        fill(act.logits, value);
        fill(act.log_probs, value);
        fill(act.probs, value);
    }
}

// The step from the logits back to the hidden pre-activation, shared by backward and the weight
// gradients (include/ugrad/gradients.hpp):
// dJ/dr = (dJ/dθ·W2ᵀ) ⊙ σ'(r).   dlogits [Out], dr [Hidden].
template <size_t In, size_t Hidden, size_t Out, typename T>
inline void hidden_gradient(const Mlp<In, Hidden, Out, T>& net, const Activations<In, Hidden, Out, T>& act,
                            const T (&dlogits)[Out], T (&dr)[Hidden]) noexcept {
    affine_t(dlogits, net.w2, dr);
    multiply_in_place(&dr[0], &act.dh_dr[0], Hidden);
}

}  // namespace detail

// ŷ [Out], as every network's outputs(act) gives it.
template <size_t In, size_t Hidden, size_t Out, typename T>
constexpr const T (&outputs(const Activations<In, Hidden, Out, T>& act) noexcept)[Out] {
    return act.probs;
}

// Forward pass: fills act.h, act.dh_dr, act.logits, act.log_probs and act.probs.
// non_finite_input if x holds NaN/±inf; non_finite_result if a logit comes out NaN/±inf.
// On either, every member of act is NaN.
template <size_t In, size_t Hidden, size_t Out, typename T>
Status forward(const Mlp<In, Hidden, Out, T>& net, const T (&x)[In], Activations<In, Hidden, Out, T>& act) noexcept {
    if (!detail::all_finite(x)) {
        detail::fill(act, quiet_nan<T>());
        return Status::non_finite_input;
    }
    // r = x·W1 + b1, kept in act.h until σ replaces it; then h and σ'(r) = σ(r)·σ(−r) per unit.
    affine(x, net.w1, net.b1, act.h);
    sigmoid_layer(act.h, act.h, act.dh_dr);
    // θ = h·W2 + b2
    affine(act.h, net.w2, net.b2, act.logits);
    if (!detail::all_finite(act.logits)) {
        detail::fill(act, quiet_nan<T>());
        return Status::non_finite_result;
    }
    log_softmax_and_softmax(act.logits, act.log_probs, act.probs);
    return Status::ok;
}

// J = −log ŷ[label]. label_out_of_range if label >= Out; non_finite_input if act holds NaN
// (it came from a failed forward). On either, loss is NaN.
template <size_t In, size_t Hidden, size_t Out, typename T>
Status cross_entropy(const Activations<In, Hidden, Out, T>& act, size_t label, T& loss) noexcept {
    if (label >= Out) {
        loss = quiet_nan<T>();
        return Status::label_out_of_range;
    }
    loss = -act.log_probs[label];
    return is_nan(loss) ? Status::non_finite_input : Status::ok;
}

// J = −Σ_k y_k log ŷ_k, k ascending; terms with y_k = 0 are skipped (so 0·log 0 counts as 0).
// bad_target if y is not a probability vector; non_finite_input if act holds NaN. On either, loss is NaN.
template <size_t In, size_t Hidden, size_t Out, typename T>
Status cross_entropy(const Activations<In, Hidden, Out, T>& act, const T (&target)[Out], T& loss) noexcept {
    if (!detail::valid_target(target)) {
        loss = quiet_nan<T>();
        return Status::bad_target;
    }
    T sum = T(0);
    for (size_t k = 0; k < Out; ++k)
        if (target[k] != T(0)) sum = sum + target[k] * act.log_probs[k];
    loss = -sum;
    return is_nan(loss) ? Status::non_finite_input : Status::ok;
}

// Back-propagate any upstream gradient dJ/dθ to the input:
//   dx = ((dlogits·W2ᵀ) ⊙ dh_dr)·W1ᵀ.   dlogits [Out], dx [In].
// non_finite_input if dlogits holds NaN/±inf; non_finite_result if dx comes out NaN/±inf (a
// non-finite weight, an overflow, or act from a failed forward). On either, dx is NaN.
template <size_t In, size_t Hidden, size_t Out, typename T>
Status backward(const Mlp<In, Hidden, Out, T>& net, const Activations<In, Hidden, Out, T>& act,
                const T (&dlogits)[Out], T (&dx)[In]) noexcept {
    if (!detail::all_finite(dlogits)) return detail::fail(Status::non_finite_input, dx);
    T dr[Hidden];
    detail::hidden_gradient(net, act, dlogits, dr);
    // dJ/dx = dJ/dr·W1ᵀ    [In]
    affine_t(dr, net.w1, dx);
    if (!detail::all_finite(dx)) return detail::fail(Status::non_finite_result, dx);
    return Status::ok;
}

// dJ/dx for J = −log ŷ[label]: dJ/dθ = ŷ − onehot(label), then backward.
// label_out_of_range if label >= Out; non_finite_input if act came from a failed forward (its ŷ
// is NaN); otherwise as backward. On any of these, dx is NaN.
template <size_t In, size_t Hidden, size_t Out, typename T>
Status input_gradient(const Mlp<In, Hidden, Out, T>& net, const Activations<In, Hidden, Out, T>& act,
                      size_t label, T (&dx)[In]) noexcept {
    if (label >= Out) return detail::fail(Status::label_out_of_range, dx);
    T dlogits[Out];
    detail::softmax_label_gradient(act.probs, label, dlogits);
    return backward(net, act, dlogits, dx);
}

// dJ/dx for J = −Σ y log ŷ: dJ/dθ = ŷ − y, then backward.
// bad_target if y is not a probability vector; non_finite_input if act came from a failed
// forward; otherwise as backward. On any of these, dx is NaN.
template <size_t In, size_t Hidden, size_t Out, typename T>
Status input_gradient(const Mlp<In, Hidden, Out, T>& net, const Activations<In, Hidden, Out, T>& act,
                      const T (&target)[Out], T (&dx)[In]) noexcept {
    if (!detail::valid_target(target)) return detail::fail(Status::bad_target, dx);
    T dlogits[Out];
    detail::softmax_target_gradient(act.probs, target, dlogits);
    return backward(net, act, dlogits, dx);
}

// Calls that do not fit the network, declared and never defined: each returns a type whose name is
// the compiler's message, at the call (include/ugrad/compile_errors.hpp). An array of the wrong size
// (a call with several arrays names the first that does not fit):
template <size_t In, size_t Hidden, size_t Out, typename T, size_t N, class = detail::enable_if_t<N != In>>
typename error::x_has<N>::template entries_but_this_network_takes<In> forward(
    const Mlp<In, Hidden, Out, T>& net, const T (&x)[N], Activations<In, Hidden, Out, T>& act) noexcept;
template <size_t In, size_t Hidden, size_t Out, typename T, size_t M, class = detail::enable_if_t<M != Out>>
typename error::target_has<M>::template entries_but_this_network_gives<Out> cross_entropy(
    const Activations<In, Hidden, Out, T>& act, const T (&target)[M], T& loss) noexcept;
template <size_t In, size_t Hidden, size_t Out, typename T, size_t M, size_t N, class = detail::enable_if_t<M != Out>>
typename error::dlogits_has<M>::template entries_but_this_network_gives<Out> backward(
    const Mlp<In, Hidden, Out, T>& net, const Activations<In, Hidden, Out, T>& act, const T (&dlogits)[M],
    T (&dx)[N]) noexcept;
template <size_t In, size_t Hidden, size_t Out, typename T, size_t M, size_t N,
          class = detail::enable_if_t<M == Out && N != In>>
typename error::dx_has<N>::template entries_but_this_network_takes<In> backward(
    const Mlp<In, Hidden, Out, T>& net, const Activations<In, Hidden, Out, T>& act, const T (&dlogits)[M],
    T (&dx)[N]) noexcept;
template <size_t In, size_t Hidden, size_t Out, typename T, size_t N, class = detail::enable_if_t<N != In>>
typename error::dx_has<N>::template entries_but_this_network_takes<In> input_gradient(
    const Mlp<In, Hidden, Out, T>& net, const Activations<In, Hidden, Out, T>& act, size_t label, T (&dx)[N]) noexcept;
template <size_t In, size_t Hidden, size_t Out, typename T, size_t M, size_t N, class = detail::enable_if_t<M != Out>>
typename error::target_has<M>::template entries_but_this_network_gives<Out> input_gradient(
    const Mlp<In, Hidden, Out, T>& net, const Activations<In, Hidden, Out, T>& act, const T (&target)[M],
    T (&dx)[N]) noexcept;
template <size_t In, size_t Hidden, size_t Out, typename T, size_t M, size_t N,
          class = detail::enable_if_t<M == Out && N != In>>
typename error::dx_has<N>::template entries_but_this_network_takes<In> input_gradient(
    const Mlp<In, Hidden, Out, T>& net, const Activations<In, Hidden, Out, T>& act, const T (&target)[M],
    T (&dx)[N]) noexcept;

}  // namespace ugrad

UGRAD_FP_CONTRACT_OFF_END
