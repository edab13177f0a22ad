// ugrad/kernels.hpp — the two loops that carry the network: a row vector times a matrix (affine)
// and a row vector times a matrix's transpose (affine_t).
//
// The order in which each sum is formed is fixed here, and only here: every target runs the same
// sequence of binary32 roundings, which is what makes the bits the same everywhere (with
// -ffp-contract=off, so that no compiler fuses a multiply and an add into one rounding).
//
// Two schedules compute these same sums, rounding for rounding:
//   scalar   portable C++ (the default): partial sums kept in local arrays that the compiler can
//            hold in registers.
//   vector   the compiler's generic vector types (GCC/Clang `vector_size`, no intrinsics and no
//            header): 4-float vectors hold four output columns, or four of the eight dot-product
//            lanes, so x86 gets SIMD without depending on the auto-vectorizer. Selected with
//            -DUGRAD_VECTOR_KERNELS=1 (float only; T = double always runs scalar). Worth it where
//            the target has SIMD registers (x86-64); on a Cortex-M the compiler would spill such
//            vectors to memory, so leave it off there.
//   target   a target's own kernels, in a header under platform/ named by
//            -DUGRAD_TARGET_KERNELS='<core/ugrad_kernels.hpp>' (with -Iplatform), defining
//            ugrad::target::affine and ugrad::target::affine_t for float: the one place where a
//            target may use assembly (platform/cortex-m4f/ugrad_kernels.hpp: VLDM and VMLA).
// tests/test_kernels.cpp checks the scalar and vector schedules bit for bit against the documented
// order; a target's kernels are checked against the scalar ones on that target.
#pragma once

#include <stddef.h>

#ifndef UGRAD_VECTOR_KERNELS
#define UGRAD_VECTOR_KERNELS 0
#endif

namespace ugrad {

// ---------------------------------------------------------------------------------------------
// The fixed orders.
//
// affine: y = x·W + b.   x: [N], W: [N][M] row-major, b: [M], y: [M] (y must not alias x or b).
//   y[j] = (((b[j] + x[0]·W[0][j]) + x[1]·W[1][j]) + ...) + x[N-1]·W[N-1][j],   i ascending.
//   Output columns are independent sums, so SIMD runs across j with no reassociation.
//
// dot: Σ_j a[j]·b[j] over a length-M row, in dot_lanes = 8 lanes:
//   lane[k] = ((+0 + a[k]·b[k]) + a[k+8]·b[k+8]) + a[k+16]·b[k+16] + ...   k = 0..7, the terms
//             j ≡ k (mod 8), j ascending; a lane that gets no term stays +0;
//   then added as a balanced tree:  dot = ((lane0 + lane1) + (lane2 + lane3)) + ((lane4 + lane5) + (lane6 + lane7)).
//   Eight lanes are one AVX or two SSE registers of partial sums, and eight FPU registers on a Cortex-M.
//
// affine_t: y = d·Wᵀ.   d: [M], W: [N][M] row-major, y: [N] (y must not alias d).
//   y[i] = dot(W[i], d): each row of W is read once, contiguously.
constexpr size_t dot_lanes = 8;

namespace scalar {

// Output columns affine carries in registers at once: four SSE registers, half the FPU register
// file of a Cortex-M4F.
constexpr size_t affine_block = 16;

// Columns j0 .. j0+C-1 of y = x·W + b:  acc[k] = b[j0+k];  acc[k] = acc[k] + x[i]·W[i][j0+k], i ascending.
template <size_t C, size_t N, size_t M, typename T>
inline void affine_columns(const T (&x)[N], const T (&w)[N][M], const T (&b)[M], T (&y)[M], size_t j0) noexcept {
    T acc[C];
    for (size_t k = 0; k < C; ++k) acc[k] = b[j0 + k];
    for (size_t i = 0; i < N; ++i) {
        const T xi = x[i];
        const T* wi = &w[i][j0];
#pragma GCC unroll 16
        for (size_t k = 0; k < C; ++k) acc[k] = acc[k] + xi * wi[k];
    }
    for (size_t k = 0; k < C; ++k) y[j0 + k] = acc[k];
}

template <size_t N, size_t M, typename T>
inline void affine(const T (&x)[N], const T (&w)[N][M], const T (&b)[M], T (&y)[M]) noexcept {
    constexpr size_t full = M - M % affine_block;
    for (size_t j0 = 0; j0 < full; j0 += affine_block) affine_columns<affine_block>(x, w, b, y, j0);
    if constexpr (M % affine_block != 0) affine_columns<M % affine_block>(x, w, b, y, full);
}

template <typename T>
inline T fold_lanes(const T (&lane)[dot_lanes]) noexcept {
    return ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
}

template <size_t M, typename T>
inline T dot(const T (&a)[M], const T (&b)[M]) noexcept {
    T lane[dot_lanes] = {};
    constexpr size_t full = M - M % dot_lanes;
    for (size_t j = 0; j < full; j += dot_lanes)
#pragma GCC unroll 8
        for (size_t k = 0; k < dot_lanes; ++k) lane[k] = lane[k] + a[j + k] * b[j + k];
#pragma GCC unroll 8
    for (size_t k = 0; k < M % dot_lanes; ++k) lane[k] = lane[k] + a[full + k] * b[full + k];
    return fold_lanes(lane);
}

template <size_t N, size_t M, typename T>
inline void affine_t(const T (&d)[M], const T (&w)[N][M], T (&y)[N]) noexcept {
    for (size_t i = 0; i < N; ++i) y[i] = dot(w[i], d);
}

}  // namespace scalar

namespace vector {

// Four floats: one SSE register (a quarter of an AVX-512, half of an AVX register).
typedef float f32x4 __attribute__((vector_size(4 * sizeof(float))));

template <typename T>
inline f32x4 load4(const T* p) noexcept {
    f32x4 v;
    __builtin_memcpy(&v, p, sizeof v);
    return v;
}
template <typename T>
inline void store4(T* p, f32x4 v) noexcept {
    __builtin_memcpy(p, &v, sizeof v);
}

// Output columns affine carries at once, in vectors of four: 32 columns in eight registers.
constexpr size_t affine_vectors = 8;

// Columns j0 .. j0+4V-1 of y = x·W + b: the sums of scalar::affine_columns, four columns per
// vector operation.   acc[v] = b[j0+4v .. +3];   acc[v] = acc[v] + x[i]·W[i][j0+4v .. +3], i ascending.
template <size_t V, size_t N, size_t M>
inline void affine_columns(const float (&x)[N], const float (&w)[N][M], const float (&b)[M], float (&y)[M],
                           size_t j0) noexcept {
    f32x4 acc[V];
#pragma GCC unroll 8
    for (size_t v = 0; v < V; ++v) acc[v] = load4(&b[j0 + 4 * v]);
    for (size_t i = 0; i < N; ++i) {
        const float xi = x[i];
        const float* wi = &w[i][j0];
#pragma GCC unroll 8
        for (size_t v = 0; v < V; ++v) acc[v] = acc[v] + xi * load4(wi + 4 * v);
    }
#pragma GCC unroll 8
    for (size_t v = 0; v < V; ++v) store4(&y[j0 + 4 * v], acc[v]);
}

template <size_t N, size_t M>
inline void affine(const float (&x)[N], const float (&w)[N][M], const float (&b)[M], float (&y)[M]) noexcept {
    constexpr size_t block = 4 * affine_vectors;
    constexpr size_t full = M - M % block;
    for (size_t j0 = 0; j0 < full; j0 += block) affine_columns<affine_vectors>(x, w, b, y, j0);
    constexpr size_t fours = (M % block) / 4;
    if constexpr (fours != 0) affine_columns<fours>(x, w, b, y, full);
    if constexpr (M % 4 != 0) scalar::affine_columns<M % 4>(x, w, b, y, full + 4 * fours);
}

// Rows of W whose dot products affine_t forms together: independent chains sharing each load of d.
constexpr size_t dot_rows = 4;

// y[r] = dot(W[r], d), r = 0..R-1, for the R rows starting at w. Row r's eight lanes are two
// vectors, lo[r] (lanes 0-3) and hi[r] (lanes 4-7): exactly scalar::dot's sums and tree.
template <size_t R, size_t M>
inline void dot_rows_block(const float (&d)[M], const float (*w)[M], float* y) noexcept {
    f32x4 lo[R], hi[R];
#pragma GCC unroll 4
    for (size_t r = 0; r < R; ++r) lo[r] = hi[r] = f32x4{};
    constexpr size_t full = M - M % dot_lanes;
    for (size_t j = 0; j < full; j += dot_lanes) {
        const f32x4 d_lo = load4(&d[j]), d_hi = load4(&d[j + 4]);
#pragma GCC unroll 4
        for (size_t r = 0; r < R; ++r) {
            lo[r] = lo[r] + load4(&w[r][j]) * d_lo;
            hi[r] = hi[r] + load4(&w[r][j + 4]) * d_hi;
        }
    }
#pragma GCC unroll 4
    for (size_t r = 0; r < R; ++r) {
        float lane[dot_lanes];
        store4(&lane[0], lo[r]);
        store4(&lane[4], hi[r]);
        for (size_t k = 0; k < M % dot_lanes; ++k) lane[k] = lane[k] + w[r][full + k] * d[full + k];
        y[r] = scalar::fold_lanes(lane);
    }
}

template <size_t N, size_t M>
inline void affine_t(const float (&d)[M], const float (&w)[N][M], float (&y)[N]) noexcept {
    constexpr size_t full = N - N % dot_rows;
    for (size_t i = 0; i < full; i += dot_rows) dot_rows_block<dot_rows>(d, &w[i], &y[i]);
    if constexpr (N % dot_rows != 0) dot_rows_block<N % dot_rows>(d, &w[full], &y[full]);
}

}  // namespace vector

}  // namespace ugrad

#ifdef UGRAD_TARGET_KERNELS
#include UGRAD_TARGET_KERNELS
#define UGRAD_HAS_TARGET_KERNELS 1
#else
#define UGRAD_HAS_TARGET_KERNELS 0
#endif

namespace ugrad {

// ---------------------------------------------------------------------------------------------
// The kernels the library calls, for float: the target's if UGRAD_TARGET_KERNELS names them, else
// the vector schedule if UGRAD_VECTOR_KERNELS is set, else the scalar one. T = double always runs
// scalar. Same bits whichever runs.

enum class Schedule { scalar, vector, target };

template <typename T>
struct schedule_for {
    static constexpr Schedule value = Schedule::scalar;
};
template <>
struct schedule_for<float> {
    static constexpr Schedule value = UGRAD_HAS_TARGET_KERNELS ? Schedule::target
                                      : UGRAD_VECTOR_KERNELS   ? Schedule::vector
                                                               : Schedule::scalar;
};

template <size_t N, size_t M, typename T>
inline void affine(const T (&x)[N], const T (&w)[N][M], const T (&b)[M], T (&y)[M]) noexcept {
    constexpr Schedule schedule = schedule_for<T>::value;
    if constexpr (schedule == Schedule::vector) vector::affine(x, w, b, y);
#if UGRAD_HAS_TARGET_KERNELS
    else if constexpr (schedule == Schedule::target) target::affine(x, w, b, y);
#endif
    else scalar::affine(x, w, b, y);
}

template <size_t M, typename T>
inline T dot(const T (&a)[M], const T (&b)[M]) noexcept {
    return scalar::dot(a, b);
}

template <size_t N, size_t M, typename T>
inline void affine_t(const T (&d)[M], const T (&w)[N][M], T (&y)[N]) noexcept {
    constexpr Schedule schedule = schedule_for<T>::value;
    if constexpr (schedule == Schedule::vector) vector::affine_t(d, w, y);
#if UGRAD_HAS_TARGET_KERNELS
    else if constexpr (schedule == Schedule::target) target::affine_t(d, w, y);
#endif
    else scalar::affine_t(d, w, y);
}

}  // namespace ugrad
