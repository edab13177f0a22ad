// ugrad/kernels.hpp — the two loops that carry the network: a row vector times a matrix (affine)
// and a row vector times a matrix's transpose (affine_t).
//
// The order in which each sum is formed is fixed here, and only here: every target runs the same
// sequence of binary32 roundings, which is what makes the bits the same everywhere (with
// -ffp-contract=off, so that no compiler fuses a multiply and an add into one rounding).
#pragma once

#include <stddef.h>

namespace ugrad {

// y = x·W + b.   x: [N], W: [N][M] row-major, b: [M], y: [M].
// Order: y[j] = (((b[j] + x[0]·W[0][j]) + x[1]·W[1][j]) + ...) + x[N-1]·W[N-1][j], i ascending.
// The inner loop runs over j, contiguous in W and y, so it vectorizes without reassociating.
template <size_t N, size_t M, typename T>
inline void affine(const T (&x)[N], const T (&w)[N][M], const T (&b)[M], T (&y)[M]) noexcept {
    for (size_t j = 0; j < M; ++j) y[j] = b[j];
    for (size_t i = 0; i < N; ++i) {
        const T xi = x[i];
        for (size_t j = 0; j < M; ++j) y[j] = y[j] + xi * w[i][j];
    }
}

// Number of partial sums a transposed product keeps: lane k sums the terms j ≡ k (mod dot_lanes).
constexpr size_t dot_lanes = 8;

// Dot product of two length-M rows in the library's fixed order: M terms dealt round-robin into
// dot_lanes partial sums (each summed with j ascending), then the lanes added as a balanced tree
// ((l0+l1)+(l2+l3)) + ((l4+l5)+(l6+l7)). Lanes that get no term stay exactly +0.
template <size_t M, typename T>
inline T dot(const T (&a)[M], const T (&b)[M]) noexcept {
    T lane[dot_lanes] = {};
    size_t j = 0;
    for (; j + dot_lanes <= M; j += dot_lanes)
        for (size_t k = 0; k < dot_lanes; ++k) lane[k] = lane[k] + a[j + k] * b[j + k];
    for (size_t k = 0; j + k < M; ++k) lane[k] = lane[k] + a[j + k] * b[j + k];
    return ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
}

// y = d·Wᵀ.   d: [M], W: [N][M] row-major, y: [N].   y[i] = dot(W[i], d): each row of W is read
// once, contiguously.
template <size_t N, size_t M, typename T>
inline void affine_t(const T (&d)[M], const T (&w)[N][M], T (&y)[N]) noexcept {
    for (size_t i = 0; i < N; ++i) y[i] = dot(w[i], d);
}

}  // namespace ugrad
