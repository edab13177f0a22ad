// SPDX-License-Identifier: Apache-2.0
// ugrad/updates.hpp — the loops of a training step on parameter arrays: a finiteness sum, the
// outer-product accumulation G += aᵀ·b, and the descent steps p ← p − η·v (with momentum) and
// P ← P − η·aᵀ·b (batch 1, no gradient buffer). Each layer kind's weight gradients are written
// with these (include/ugrad/layers/dense.hpp, include/ugrad/gradients.hpp for Mlp).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/fp_contract.hpp>
#include <ugrad/kernels.hpp>

UGRAD_FP_CONTRACT_OFF_BEGIN

namespace ugrad {

// The portable loops of a training step (every T, every core); namespace detail below calls a
// core's own for float where it has them. The order each one rounds in is the one written here.
namespace scalar {

// Σ v in any order: NaN or ±inf whenever some v[i] is (and, rarely, when the sum overflows).
// Four values per pass of the loop, for fewer loop instructions per value on a microcontroller.
template <size_t N, typename T>
constexpr T sum_for_check(const T (&v)[N], T acc) noexcept {
    size_t i = 0;
    for (; i + 4 <= N; i += 4) acc = acc + ((v[i] + v[i + 1]) + (v[i + 2] + v[i + 3]));
    for (; i < N; ++i) acc = acc + v[i];
    return acc;
}
template <size_t N, size_t M, typename T>
constexpr T sum_for_check(const T (&v)[N][M], T acc) noexcept {
    for (size_t i = 0; i < N; ++i) acc = sum_for_check(v[i], acc);
    return acc;
}

// G += aᵀ·b, the outer product of two row vectors.   a [N], b [M], G [N][M]:
// G[i][j] = G[i][j] + a[i]·b[j], i then j ascending. A row with a[i] = 0 adds only zeros and is
// skipped (the digits' blank pixels); this can differ from adding them only in the sign of a zero.
template <size_t N, size_t M, typename T>
inline void add_outer(const T (&a)[N], const T (&b)[M], T (&g)[N][M]) noexcept {
    // b is never written through G (restrict), so its entries may stay in registers across the rows;
    // no copy of b on the stack.
    const T* __restrict bj = &b[0];
    for (size_t i = 0; i < N; ++i) {
        const T ai = a[i];
        if (ai == T(0)) continue;
        T* row = g[i];
        size_t j = 0;
        for (; j + 4 <= M; j += 4) {  // four per pass of the loop: fewer loop instructions
            const T r0 = row[j], r1 = row[j + 1], r2 = row[j + 2], r3 = row[j + 3];
            row[j] = r0 + ai * bj[j];
            row[j + 1] = r1 + ai * bj[j + 1];
            row[j + 2] = r2 + ai * bj[j + 2];
            row[j + 3] = r3 + ai * bj[j + 3];
        }
        for (; j < M; ++j) row[j] = row[j] + ai * bj[j];
    }
}

// v += d.   d, v [N].
template <size_t N, typename T>
inline void add(const T (&d)[N], T (&v)[N]) noexcept {
    for (size_t i = 0; i < N; ++i) v[i] = v[i] + d[i];
}

// p ← p − η·v, then v ← μ·v (v ← 0 when μ = 0).   p, v [N].
template <size_t N, typename T>
inline void descend(T (&p)[N], T (&v)[N], T learning_rate, T momentum) noexcept {
    if (momentum == T(0)) {
        // four parameters per pass of the loop (fewer loop instructions per parameter)
        size_t i = 0;
        for (; i + 4 <= N; i += 4) {
            const T v0 = v[i], v1 = v[i + 1], v2 = v[i + 2], v3 = v[i + 3];
            p[i] = p[i] - learning_rate * v0;
            p[i + 1] = p[i + 1] - learning_rate * v1;
            p[i + 2] = p[i + 2] - learning_rate * v2;
            p[i + 3] = p[i + 3] - learning_rate * v3;
            v[i] = v[i + 1] = v[i + 2] = v[i + 3] = T(0);
        }
        for (; i < N; ++i) {
            p[i] = p[i] - learning_rate * v[i];
            v[i] = T(0);
        }
        return;
    }
    for (size_t i = 0; i < N; ++i) {
        p[i] = p[i] - learning_rate * v[i];
        v[i] = momentum * v[i];
    }
}
template <size_t N, size_t M, typename T>
inline void descend(T (&p)[N][M], T (&v)[N][M], T learning_rate, T momentum) noexcept {
    for (size_t i = 0; i < N; ++i) descend(p[i], v[i], learning_rate, momentum);
}

// P ← P − η·(aᵀ·b), the batch-1 update without a gradient buffer.   a [N], b [M], P [N][M]:
// P[i][j] = P[i][j] − η·(a[i]·b[j]) — the same roundings as add_outer into zeros, then descend.
// Rows with a[i] = 0 are left as they are (add_outer skips them too).
template <size_t N, size_t M, typename T>
inline void descend_outer(T (&p)[N][M], const T (&a)[N], const T (&b)[M], T learning_rate) noexcept {
    // b is never written through P (restrict): no copy of b on the stack.
    const T* __restrict bj = &b[0];
    for (size_t i = 0; i < N; ++i) {
        const T ai = a[i];
        if (ai == T(0)) continue;
        T* row = p[i];
        size_t j = 0;
        for (; j + 4 <= M; j += 4) {  // four per pass of the loop: fewer loop instructions
            const T r0 = row[j], r1 = row[j + 1], r2 = row[j + 2], r3 = row[j + 3];
            row[j] = r0 - learning_rate * (ai * bj[j]);
            row[j + 1] = r1 - learning_rate * (ai * bj[j + 1]);
            row[j + 2] = r2 - learning_rate * (ai * bj[j + 2]);
            row[j + 3] = r3 - learning_rate * (ai * bj[j + 3]);
        }
        for (; j < M; ++j) row[j] = row[j] - learning_rate * (ai * bj[j]);
    }
}

// p ← p − η·d.   p, d [N].
template <size_t N, typename T>
inline void descend(T (&p)[N], const T (&d)[N], T learning_rate) noexcept {
    for (size_t i = 0; i < N; ++i) p[i] = p[i] - learning_rate * d[i];
}

}  // namespace scalar

namespace detail {

// The loops of a training step, for T = float on a core with its own (UGRAD_HAS_TARGET_UPDATES,
// include/ugrad/kernels.hpp: ugrad/armv7em_vfp/updates.hpp on the M4F, M7, M33, M55), else the
// portable ones in namespace scalar above: the same bits.
template <typename T>
struct target_updates {
    static constexpr bool value = false;
};
#if UGRAD_HAS_TARGET_UPDATES
template <>
struct target_updates<float> {
    static constexpr bool value = true;
};
#endif

template <size_t N, typename T>
constexpr T sum_for_check(const T (&v)[N], T acc) noexcept {
#if UGRAD_HAS_TARGET_UPDATES
    if constexpr (target_updates<T>::value) return acc + target::sum_any_order(&v[0], N); else
#endif
    return scalar::sum_for_check(v, acc);
}
template <size_t N, size_t M, typename T>
constexpr T sum_for_check(const T (&v)[N][M], T acc) noexcept {
#if UGRAD_HAS_TARGET_UPDATES
    if constexpr (target_updates<T>::value) return acc + target::sum_any_order(&v[0][0], N * M); else
#endif
    return scalar::sum_for_check(v, acc);
}

template <size_t N, size_t M, typename T>
inline void add_outer(const T (&a)[N], const T (&b)[M], T (&g)[N][M]) noexcept {
#if UGRAD_HAS_TARGET_UPDATES
    if constexpr (target_updates<T>::value) target::add_outer(a, b, g); else
#endif
    scalar::add_outer(a, b, g);
}

template <size_t N, typename T>
inline void add(const T (&d)[N], T (&v)[N]) noexcept {
    scalar::add(d, v);
}

template <size_t N, typename T>
inline void descend(T (&p)[N], T (&v)[N], T learning_rate, T momentum) noexcept {
#if UGRAD_HAS_TARGET_UPDATES
    if constexpr (target_updates<T>::value) target::descend<N>(&p[0], &v[0], learning_rate, momentum); else
#endif
    scalar::descend(p, v, learning_rate, momentum);
}
template <size_t N, size_t M, typename T>
inline void descend(T (&p)[N][M], T (&v)[N][M], T learning_rate, T momentum) noexcept {
#if UGRAD_HAS_TARGET_UPDATES
    if constexpr (target_updates<T>::value) target::descend<N * M>(&p[0][0], &v[0][0], learning_rate, momentum); else
#endif
    scalar::descend(p, v, learning_rate, momentum);
}

template <size_t N, size_t M, typename T>
inline void descend_outer(T (&p)[N][M], const T (&a)[N], const T (&b)[M], T learning_rate) noexcept {
#if UGRAD_HAS_TARGET_UPDATES
    if constexpr (target_updates<T>::value) target::descend_outer(p, a, b, learning_rate); else
#endif
    scalar::descend_outer(p, a, b, learning_rate);
}

template <size_t N, typename T>
inline void descend(T (&p)[N], const T (&d)[N], T learning_rate) noexcept {
#if UGRAD_HAS_TARGET_UPDATES
    if constexpr (target_updates<T>::value) target::descend<N>(&p[0], &d[0], learning_rate); else
#endif
    scalar::descend(p, d, learning_rate);
}

}  // namespace detail

}  // namespace ugrad

UGRAD_FP_CONTRACT_OFF_END
