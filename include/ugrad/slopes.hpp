// SPDX-License-Identifier: Apache-2.0
// ugrad/slopes.hpp — what the walk back to the input needs of an element-wise activation: its
// slope act′(r_j) [N], kept in as few bits as give it exactly, for the calls that need dJ/dx alone
// (a network's Slopes: include/ugrad/network_slopes.hpp). The transposed maps below it need only
// the weights, so this is all such a call keeps of a layer's output (a max pool's taps and a
// residual block's inner slopes besides: include/ugrad/layers/).
//
//   activation   kept for N units                   act′(r_j) read back
//   Identity     nothing                            1
//   Relu         one bit per unit: y_j > 0          1 or 0
//   Relu6        one bit per unit: 0 < y_j < 6      1 or 0
//   Sigmoid      the slope σ(r_j)·σ(−r_j) [N]       the value forward computes (as Activations)
//   Tanh         y_j = tanh r_j [N]                 (1 − y_j)(1 + y_j) (as Activations)
// The bits are packed 32 to a uint32_t word: unit j is bit j % 32 of word j / 32. A NaN output (a
// NaN weight: neither y > 0 nor y <= 0) has no bit; the layer notes that it held one, and then
// its slope is NaN for every unit, so the walk ends in non_finite_result with dx all NaN, as it
// does from Activations, where ReLU′ of a NaN output is NaN.
// multiply_by_slope gives the same bits as from Activations: d_j·1 or d_j·0 (a product, not a
// select, so a non-finite d_j still ends non-finite), d_j·slope_j, d_j·((1 − y_j)(1 + y_j)).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/activations.hpp>
#include <ugrad/elementwise.hpp>
#include <ugrad/fp_contract.hpp>
#include <ugrad/layers.hpp>
#include <ugrad/math.hpp>
#include <ugrad/type_list.hpp>

UGRAD_FP_CONTRACT_OFF_BEGIN

namespace ugrad {

// One bit per unit, and whether the layer's output held a NaN.
template <size_t N>
struct SlopeBits {
    static constexpr size_t words = (N + 31) / 32;
    uint32_t on[words];    // bit j % 32 of on[j / 32]: act′(r_j) = 1
    uint32_t nan_output;   // 1 if some y_j was NaN (then every slope reads NaN), else 0
};

// What the input gradient keeps of one layer's activation, N units.
template <class Act, size_t N, typename T>
struct ActivationSlope {};  // Identity: act′ = 1, nothing kept
template <size_t N, typename T>
struct ActivationSlope<Relu, N, T> : SlopeBits<N> {};
template <size_t N, typename T>
struct ActivationSlope<Relu6, N, T> : SlopeBits<N> {};
template <size_t N, typename T>
struct ActivationSlope<Sigmoid, N, T> {
    T slope[N];  // σ′(r) = σ(r)·σ(−r)
};
template <size_t N, typename T>
struct ActivationSlope<Tanh, N, T> {
    T y[N];  // tanh r
};

namespace detail {

template <class Act, size_t N, typename T>
constexpr void fill(ActivationSlope<Act, N, T>& kept, T value) noexcept {
    if constexpr (same_type<Act, Relu>::value || same_type<Act, Relu6>::value) {
        for (size_t w = 0; w < SlopeBits<N>::words; ++w) kept.on[w] = 0;
        kept.nan_output = 1;  // a failed forward's slopes read NaN, as its NaN outputs do
    } else if constexpr (same_type<Act, Sigmoid>::value) {
        fill(kept.slope, value);
    } else if constexpr (same_type<Act, Tanh>::value) {
        fill(kept.y, value);
    }
}

// One unit of ReLU (Act = Relu) or ReLU6: y ← act(y), y holding r on entry, the value
// activate_values gives; returns 1 where act′(r) = 1 (r > 0; 0 < r < 6), 0 where it is 0, and 2
// for a NaN r (neither r > 0 nor r <= 0).
template <typename T>
inline uint32_t relu_unit(T& y, Relu /*act*/) noexcept {
    const T r = y;
    y = r > T(0) ? r : (r <= T(0) ? T(0) : r);
    return r > T(0) ? 1u : (r <= T(0) ? 0u : 2u);
}
template <typename T>
inline uint32_t relu_unit(T& y, Relu6 /*act*/) noexcept {
    const T r = y;
    y = r > T(0) ? (r < T(6) ? r : T(6)) : (r <= T(0) ? T(0) : r);
    return r > T(0) ? (r < T(6) ? 1u : 0u) : (r <= T(0) ? 0u : 2u);
}
// The units y [n], n <= 32, in one pass: their bits in one word (unit k in bit k), a NaN noted.
template <class Act, typename T>
inline uint32_t relu_word(T* y, size_t n, uint32_t& nan) noexcept {
    uint32_t bits = 0;
    for (size_t k = 0; k < n; ++k) {
        const uint32_t unit = relu_unit(y[k], Act{});
        bits |= (unit & 1u) << k;
        nan |= unit >> 1;
    }
    return bits;
}
template <class Act, size_t N, typename T>
inline void activate_keeping_bits(T (&y)[N], SlopeBits<N>& kept) noexcept {
    uint32_t nan = 0;
    constexpr size_t full = N / 32;
    for (size_t w = 0; w < full; ++w) kept.on[w] = relu_word<Act>(&y[w * 32], 32, nan);
    if constexpr (N % 32 != 0) kept.on[full] = relu_word<Act>(&y[full * 32], N % 32, nan);
    kept.nan_output = nan;
}

}  // namespace detail

// y ← act(y) (y holds r on entry), keeping act′ in kept: the values activate() gives.
template <class Act, size_t N, typename T>
inline void activate_keeping_slope(T (&y)[N], ActivationSlope<Act, N, T>& kept) noexcept {
    if constexpr (detail::same_type<Act, Sigmoid>::value) {
        sigmoid_layer(y, y, kept.slope);
    } else {
        if constexpr (detail::same_type<Act, Relu>::value || detail::same_type<Act, Relu6>::value) {
            detail::activate_keeping_bits<Act>(y, kept);
        } else {
            activate_values<Act>(y);
            if constexpr (detail::same_type<Act, Tanh>::value)
                for (size_t j = 0; j < N; ++j) kept.y[j] = y[j];
        }
    }
}

// d ← d ⊙ act′(r).   d [N].
template <size_t N, typename T>
inline void multiply_by_slope(const ActivationSlope<Identity, N, T>& /*kept*/, T (& /*d*/)[N]) noexcept {}
template <size_t N, typename T>
inline void multiply_by_slope(const ActivationSlope<Sigmoid, N, T>& kept, T (&d)[N]) noexcept {
    detail::multiply_in_place(&d[0], &kept.slope[0], N);
}
template <size_t N, typename T>
inline void multiply_by_slope(const ActivationSlope<Tanh, N, T>& kept, T (&d)[N]) noexcept {
    for (size_t j = 0; j < N; ++j) d[j] = d[j] * ((T(1) - kept.y[j]) * (T(1) + kept.y[j]));
}
// d_j·1 or d_j·0 by the unit's bit; every d_j NaN if the layer's output held a NaN.
template <size_t N, typename T>
inline void multiply_by_slope(const SlopeBits<N>& kept, T (&d)[N]) noexcept {
    if (kept.nan_output != 0) {
        for (size_t j = 0; j < N; ++j) d[j] = quiet_nan<T>();
        return;
    }
    for (size_t w = 0; w < SlopeBits<N>::words; ++w) {
        uint32_t bits = kept.on[w];
        const size_t end = (w + 1) * 32 < N ? (w + 1) * 32 : N;
        for (size_t j = w * 32; j < end; ++j, bits >>= 1) {
            // d was written whole by the layer's transpose; the analyzer loses that write through the walk's buffers.
            // NOLINTNEXTLINE(clang-analyzer-core.UndefinedBinaryOperatorResult)
            d[j] = d[j] * ((bits & 1u) != 0 ? T(1) : T(0));
        }
    }
}

}  // namespace ugrad

UGRAD_FP_CONTRACT_OFF_END
