// SPDX-License-Identifier: Apache-2.0
// ugrad/activations.hpp — the element-wise activations over one layer, forward and back.
//
// A layer's output after its activation, y = act(r) [N], is what forward keeps, and each slope
// act′(r) [N] is recovered from it where that is exact: tanh′ = (1 − y)(1 + y), ReLU′ = [y > 0].
// The sigmoid also keeps its slope σ(r)·σ(−r), since 1 − y loses the small σ(−r) of a saturated unit.
//
//   activation   y_j               act′(r_j)              kept [N]
//   Identity     r_j               1                      y
//   Sigmoid      σ(r_j)            σ(r_j)·σ(−r_j)         y, slope
//   Tanh         tanh r_j          (1 − y_j)(1 + y_j)     y
//   Relu         max(r_j, 0)       1 if y_j > 0, else 0   y
//   Relu6        min(max(r_j,0),6) 1 if 0 < y_j < 6, else 0   y
// A NaN stays NaN through every activation and every slope (ReLU(NaN) = NaN, ReLU′ of a NaN output
// is NaN), so a NaN weight always ends in non_finite_result, whatever the activation.
#pragma once

#include <stddef.h>

#include <ugrad/elementwise.hpp>
#include <ugrad/fp_contract.hpp>
#include <ugrad/layers.hpp>
#include <ugrad/math.hpp>
#include <ugrad/type_list.hpp>

UGRAD_FP_CONTRACT_OFF_BEGIN

namespace ugrad {

// What forward keeps of one layer with activation Act and N units.
template <class Act, size_t N, typename T>
struct LayerOutput {
    T y[N];  // act(r)
};
template <size_t N, typename T>
struct LayerOutput<Sigmoid, N, T> {
    T y[N];      // σ(r)
    T slope[N];  // σ′(r) = σ(r)·σ(−r), with σ(−r) computed directly: exact for large |r|
};

namespace detail {

template <class Act, size_t N, typename T>
constexpr void fill(LayerOutput<Act, N, T>& out, T value) noexcept {
    for (size_t j = 0; j < N; ++j) out.y[j] = value;
    if constexpr (sizeof(out) > sizeof(out.y))
        for (size_t j = 0; j < N; ++j) out.slope[j] = value;
}

// a[i] = a[i]·b[i], i < n: unrolled by eight for speed (GCC keeps it one short loop at -Os, as
// make size shows).
template <typename T>
inline void multiply_in_place(T* a, const T* b, size_t n) noexcept {
#pragma GCC unroll 8
    // (clang-tidy's static analyzer can lose track of a scratch buffer that a kernel has just
    // written through network.hpp's as_array view, and then calls a[i] uninitialized; every caller
    // writes a[0 .. n) first: affine_t's output, as the gradient specs check value by value.)
    // NOLINTNEXTLINE(clang-analyzer-core.UndefinedBinaryOperatorResult)
    for (size_t i = 0; i < n; ++i) a[i] = a[i] * b[i];
}

}  // namespace detail

// y ← act(y) for y [N], keeping nothing else (inference): the values activate() gives.
// Tanh: tanh r; ReLU: max(r, 0) with NaN kept (r > 0 gives r, r <= 0 gives +0, a NaN fails both
// tests); ReLU6: min(max(r, 0), 6) likewise; Sigmoid: σ(r), in groups of eight with their slopes
// on the stack (the same bits: each entry's value does not depend on its group).
template <class Act, size_t N, typename T>
inline void activate_values(T (&y)[N]) noexcept {  // NOLINT(readability-function-cognitive-complexity): one branch per activation
    if constexpr (detail::same_type<Act, Tanh>::value) {
        for (size_t j = 0; j < N; ++j) y[j] = ugrad::tanh(y[j]);
    } else if constexpr (detail::same_type<Act, Relu>::value) {
        for (size_t j = 0; j < N; ++j) {
            const T r = y[j];
            y[j] = r > T(0) ? r : (r <= T(0) ? T(0) : r);
        }
    } else if constexpr (detail::same_type<Act, Relu6>::value) {
        for (size_t j = 0; j < N; ++j) {
            const T r = y[j];
            y[j] = r > T(0) ? (r < T(6) ? r : T(6)) : (r <= T(0) ? T(0) : r);
        }
    } else if constexpr (detail::same_type<Act, Sigmoid>::value) {
        constexpr size_t G = 8, full = N - N % G;
        T slope[G];  // NOLINT(cppcoreguidelines-pro-type-member-init,hicpp-member-init): written before it is read
        for (size_t j = 0; j < full; j += G) {
            T(&group)[G] = detail::as_array<G>(&y[j]);
            sigmoid_layer(group, group, slope);
        }
        if constexpr (N % G != 0) {
            sigmoid_layer(detail::as_array<N % G>(&y[full]), detail::as_array<N % G>(&y[full]),
                          detail::as_array<N % G>(&slope[0]));
        }
    }
}

// y ← act(y): out.y holds the pre-activation r on entry (forward writes x·W + b there first); a
// sigmoid's slope σ(r)·σ(−r) is kept beside it.
template <class Act, size_t N, typename T>
inline void activate(LayerOutput<Act, N, T>& out) noexcept {
    activate_values<Act>(out.y);
}
template <size_t N, typename T>
inline void activate(LayerOutput<Sigmoid, N, T>& out) noexcept {
    sigmoid_layer(out.y, out.y, out.slope);
}

// d ← d ⊙ act′(r): the activation's Jacobian is diagonal.   d, out: [N].
template <size_t N, typename T>
inline void multiply_by_slope(const LayerOutput<Identity, N, T>& /*out*/, T (& /*d*/)[N]) noexcept {}
template <size_t N, typename T>
inline void multiply_by_slope(const LayerOutput<Sigmoid, N, T>& out, T (&d)[N]) noexcept {
    detail::multiply_in_place(&d[0], &out.slope[0], N);
}
// d_j·((1 − y_j)(1 + y_j)): both factors exact for |y| >= 1/2, and no cancellation near |y| = 1.
template <size_t N, typename T>
inline void multiply_by_slope(const LayerOutput<Tanh, N, T>& out, T (&d)[N]) noexcept {
    for (size_t j = 0; j < N; ++j) d[j] = d[j] * ((T(1) - out.y[j]) * (T(1) + out.y[j]));
}
// d_j·s_j with s_j = 1 for y_j > 0, 0 for y_j <= 0, NaN for a NaN y_j. A product, not a select,
// so that a non-finite d_j still ends non-finite (∞·0 = NaN) and the caller's check sees it.
template <size_t N, typename T>
inline void multiply_by_slope(const LayerOutput<Relu, N, T>& out, T (&d)[N]) noexcept {
    for (size_t j = 0; j < N; ++j) {
        const T y = out.y[j];
        // d was written whole by affine_t; the analyzer loses that write through the walk's buffers.
        // NOLINTNEXTLINE(clang-analyzer-core.UndefinedBinaryOperatorResult)
        d[j] = d[j] * (y > T(0) ? T(1) : (y <= T(0) ? T(0) : y));
    }
}

// d_j·s_j with s_j = 1 for 0 < y_j < 6, 0 for y_j <= 0 or y_j = 6, NaN for a NaN y_j (a product,
// as for ReLU).
template <size_t N, typename T>
inline void multiply_by_slope(const LayerOutput<Relu6, N, T>& out, T (&d)[N]) noexcept {
    for (size_t j = 0; j < N; ++j) d[j] = d[j] * slope_at(out, j);
}

// The slope itself, one unit at a time: act′(r_j).
template <size_t N, typename T>
constexpr T slope_at(const LayerOutput<Identity, N, T>& /*out*/, size_t /*j*/) noexcept { return T(1); }
template <size_t N, typename T>
constexpr T slope_at(const LayerOutput<Sigmoid, N, T>& out, size_t j) noexcept { return out.slope[j]; }
template <size_t N, typename T>
constexpr T slope_at(const LayerOutput<Tanh, N, T>& out, size_t j) noexcept {
    return (T(1) - out.y[j]) * (T(1) + out.y[j]);
}
template <size_t N, typename T>
constexpr T slope_at(const LayerOutput<Relu, N, T>& out, size_t j) noexcept {
    return out.y[j] > T(0) ? T(1) : (out.y[j] <= T(0) ? T(0) : out.y[j]);
}
template <size_t N, typename T>
constexpr T slope_at(const LayerOutput<Relu6, N, T>& out, size_t j) noexcept {
    const T y = out.y[j];
    return y > T(0) && y < T(6) ? T(1) : (y <= T(0) || y >= T(6) ? T(0) : y);
}

}  // namespace ugrad

UGRAD_FP_CONTRACT_OFF_END
