// SPDX-License-Identifier: Apache-2.0
// ugrad/kernels.hpp — the two loops that carry the network: a row vector times a matrix (affine)
// and a row vector times a matrix's transpose (affine_t).
//
// The order in which each sum is formed is fixed here, and only here: every target runs the same
// sequence of binary32 roundings, which is what makes the bits the same everywhere (with
// -ffp-contract=off, so that no compiler fuses a multiply and an add into one rounding).
//
// Four schedules compute these same sums, rounding for rounding. The fastest one the compiler's
// own macros allow is the default; the UGRAD_*_KERNELS macros only override that choice.
//   target   a core's own kernels, one header per instruction set under include/ugrad/<isa>/:
//            ugrad/armv7em_vfp/kernels.hpp (VLDM and VMLA in inline assembly), picked for any
//            M-profile Arm core with single-precision VFP (__ARM_FP & 4: Cortex-M4F, M7, M33,
//            M55 with their usual -mcpu/-mfpu/-mfloat-abi). -DUGRAD_TARGET_KERNELS='<header>'
//            names another header defining ugrad::target::affine and affine_t for float.
//   compact  runtime-sized loops over pointers (namespace compact below): one out-of-line copy
//            serves every layer and every size, four columns or eight lanes at a time and nothing
//            unrolled further. Picked when optimizing for size (-Os/-Oz: __OPTIMIZE_SIZE__);
//            -DUGRAD_COMPACT_KERNELS=0 keeps the faster kernels at -Os, =1 picks these at any
//            level. A core's own kernels still run there, in their own compact form
//            (UGRAD_COMPACT_KERNELS is visible to them).
//   vector   the compiler's generic vector types (GCC/Clang `vector_size`, no intrinsics and no
//            header): vectors of 4 (SSE) or 8 (AVX) floats hold output columns, or the eight
//            dot-product lanes. Picked on x86 with SSE2 (every x86-64), eight wide when __AVX__
//            is defined (e.g. -march=native on a recent x86-64); -DUGRAD_VECTOR_KERNELS=0/4/8
//            overrides. Float only: T = double runs scalar (or compact).
//   scalar   portable C++: partial sums kept in local arrays that the compiler can hold in
//            registers. What every other core gets (Cortex-M0/M3, RISC-V, ...).
// -DUGRAD_PORTABLE_KERNELS=1 turns off every instruction-set pick (no vector types, no assembly):
// the portable scalar schedule, or the compact one at -Os.
// tests/test_kernels.cpp checks the scalar, vector and compact schedules bit for bit against the
// documented order; a core's kernels are checked against the scalar ones on that core
// (tests/target/kernels_vs_scalar.cpp).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/fp_contract.hpp>

// The choice of schedule: the compiler's macros, unless an UGRAD_*_KERNELS macro overrides them.
#ifndef UGRAD_PORTABLE_KERNELS
#define UGRAD_PORTABLE_KERNELS 0
#endif
#ifndef UGRAD_VECTOR_KERNELS
#if UGRAD_PORTABLE_KERNELS
#define UGRAD_VECTOR_KERNELS 0
#elif defined(__AVX__)
#define UGRAD_VECTOR_KERNELS 8
#elif defined(__SSE2__)
#define UGRAD_VECTOR_KERNELS 4
#else
#define UGRAD_VECTOR_KERNELS 0
#endif
#endif
// Cores without a floating-point unit (every float + is a library call: Arm -mfloat-abi=soft,
// RISC-V without F) start each dot lane from its first term without the addition to +0 (see
// first_term below): eight calls fewer per dot product, the same bits. -DUGRAD_SOFT_FLOAT_LANES=0
// or 1 overrides.
#ifndef UGRAD_SOFT_FLOAT_LANES
#if defined(__SOFTFP__) || (defined(__riscv) && !defined(__riscv_flen))
#define UGRAD_SOFT_FLOAT_LANES 1
#else
#define UGRAD_SOFT_FLOAT_LANES 0
#endif
#endif
#ifndef UGRAD_COMPACT_KERNELS
#ifdef __OPTIMIZE_SIZE__
#define UGRAD_COMPACT_KERNELS 1
#else
#define UGRAD_COMPACT_KERNELS 0
#endif
#endif

UGRAD_FP_CONTRACT_OFF_BEGIN

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

// Put before a loop over the rows of W whose body is one row's dot product: the compiler must not
// vectorize across rows. Clang (14) with AVX-512 otherwise takes 16 rows at a time and reads each
// column of W with a gather (vgatherdps, one per term): the portable schedule at clang++ -O3
// -march=native became about twice slower than at -O2 here, and four times slower on Intel cores,
// whose gathers are slow since the Gather Data Sampling microcode fix. GCC does not do it.
// And put before the loop over a dot product's blocks of eight terms: Clang then vectorizes each
// block's eight lanes as one vector of lanes (the same sums); Clang -O3 otherwise unrolls that loop
// fully and leaves every term a scalar multiply and add (x86-64 and AArch64 alike: the portable
// schedule at clang++ -O3 ran 256-64-10 at half its -O2 speed).
#if defined(__clang__)
#define UGRAD_ROWS_LOOP _Pragma("clang loop vectorize(disable)")
#define UGRAD_BLOCKS_LOOP _Pragma("clang loop unroll(disable)")
#else
#define UGRAD_ROWS_LOOP
#define UGRAD_BLOCKS_LOOP
#endif

// +0 + p, the first step of a dot lane, without a floating-point addition: it is p itself, except
// that −0 becomes +0 (a NaN stays the NaN it is; a product is never a signalling NaN).
inline float first_term(float p) noexcept {
    return __builtin_bit_cast(uint32_t, p) == 0x80000000u ? 0.0f : p;
}
inline double first_term(double p) noexcept {
    return __builtin_bit_cast(uint64_t, p) == 0x8000000000000000ull ? 0.0 : p;
}

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

// fold_lanes when only lanes 0 .. used−1 got a term (a row shorter than the lanes) and the others
// hold +0. A used lane is never −0 (it is +0 + term, and a sum is −0 only if both terms are), so
// adding a +0 lane to it leaves it as it is, and two +0 lanes give +0: the same value with
// used − 1 additions instead of seven (for the soft-float cores, where each is a library call).
template <typename T>
inline T add_lanes(T a, bool a_used, T b, bool b_used) noexcept {
    return a_used ? (b_used ? a + b : a) : (b_used ? b : T(0));
}
template <typename T>
inline T fold_used_lanes(const T (&lane)[dot_lanes], size_t used) noexcept {
    const T l01 = add_lanes(lane[0], used > 0, lane[1], used > 1);
    const T l23 = add_lanes(lane[2], used > 2, lane[3], used > 3);
    const T l45 = add_lanes(lane[4], used > 4, lane[5], used > 5);
    const T l67 = add_lanes(lane[6], used > 6, lane[7], used > 7);
    const T l03 = add_lanes(l01, used > 0, l23, used > 2);
    const T l47 = add_lanes(l45, used > 4, l67, used > 6);
    return add_lanes(l03, used > 0, l47, used > 4);
}

template <size_t M, typename T>
inline T dot(const T (&a)[M], const T (&b)[M]) noexcept {
    T lane[dot_lanes] = {};
    constexpr size_t full = M - M % dot_lanes;
    size_t first = 0;  // the first block of eight terms not yet in the lanes
    if constexpr (UGRAD_SOFT_FLOAT_LANES && full != 0) {
#pragma GCC unroll 8
        for (size_t k = 0; k < dot_lanes; ++k) lane[k] = first_term(a[k] * b[k]);
        first = dot_lanes;
    }
    UGRAD_BLOCKS_LOOP
    for (size_t j = first; j < full; j += dot_lanes)
#pragma GCC unroll 8
        for (size_t k = 0; k < dot_lanes; ++k) lane[k] = lane[k] + a[j + k] * b[j + k];
    if constexpr (UGRAD_SOFT_FLOAT_LANES && full == 0) {  // M < 8: +0 + term, and the tree of the used lanes
#pragma GCC unroll 8
        for (size_t k = 0; k < M; ++k) lane[k] = first_term(a[k] * b[k]);
        return fold_used_lanes(lane, M);
    }
#pragma GCC unroll 8
    for (size_t k = 0; k < M % dot_lanes; ++k) lane[k] = lane[k] + a[full + k] * b[full + k];
    return fold_lanes(lane);
}

template <size_t N, size_t M, typename T>
inline void affine_t(const T (&d)[M], const T (&w)[N][M], T (&y)[N]) noexcept {
    UGRAD_ROWS_LOOP
    for (size_t i = 0; i < N; ++i) y[i] = dot(w[i], d);
}

}  // namespace scalar

// The compact schedule: the same sums in runtime-sized loops over plain pointers, so that one
// out-of-line copy of each kernel serves every layer and every network size in the program and
// nothing is unrolled past four columns or eight lanes. Chosen by default when the compiler
// optimizes for size (-Os, -Oz: GCC and Clang define __OPTIMIZE_SIZE__); -DUGRAD_COMPACT_KERNELS=0
// keeps the faster kernels at -Os, =1 picks these at any level.
namespace compact {

// y = x·W + b, x [n], W [n][m] row-major, b and y [m]: four columns at a time (four running sums
// in registers over i ascending), then the last m mod 4 columns one at a time.
template <typename T>
__attribute__((noinline)) void affine(const T* x, const T* w, const T* b, T* y, size_t n, size_t m) noexcept {
    size_t j = 0;
    for (; j + 4 <= m; j += 4) {
        T a0 = b[j], a1 = b[j + 1], a2 = b[j + 2], a3 = b[j + 3];
        const T* wi = w + j;
        for (size_t i = 0; i < n; ++i, wi += m) {
            const T xi = x[i];
            a0 = a0 + xi * wi[0];
            a1 = a1 + xi * wi[1];
            a2 = a2 + xi * wi[2];
            a3 = a3 + xi * wi[3];
        }
        y[j] = a0;
        y[j + 1] = a1;
        y[j + 2] = a2;
        y[j + 3] = a3;
    }
    for (; j < m; ++j) {
        T a = b[j];
        const T* wi = w + j;
        for (size_t i = 0; i < n; ++i, wi += m) a = a + x[i] * wi[0];
        y[j] = a;
    }
}

// y[i] = dot(W[i], d), W [n][m], d [m], y [n]: the eight lanes in eight named locals (registers,
// or fixed stack slots where the floats are software: no array indexing, no memset) over whole
// groups of eight terms, then the last m mod 8 terms into lanes 0, 1, ... (each lane's terms stay
// in ascending j), then scalar::fold_lanes' tree.
template <typename T>
__attribute__((noinline)) void affine_t(const T* d, const T* w, T* y, size_t n, size_t m) noexcept {
    const size_t full = m - m % dot_lanes;
    UGRAD_ROWS_LOOP
    for (size_t i = 0; i < n; ++i, w += m) {
        T l0 = T(0), l1 = T(0), l2 = T(0), l3 = T(0), l4 = T(0), l5 = T(0), l6 = T(0), l7 = T(0);
        const T* wj = w;
        const T* dj = d;
        if (UGRAD_SOFT_FLOAT_LANES && full != 0) {  // the first block: +0 + term by first_term
            l0 = first_term(wj[0] * dj[0]);
            l1 = first_term(wj[1] * dj[1]);
            l2 = first_term(wj[2] * dj[2]);
            l3 = first_term(wj[3] * dj[3]);
            l4 = first_term(wj[4] * dj[4]);
            l5 = first_term(wj[5] * dj[5]);
            l6 = first_term(wj[6] * dj[6]);
            l7 = first_term(wj[7] * dj[7]);
            wj += dot_lanes;
            dj += dot_lanes;
        }
        for (const T* end = w + full; wj != end; wj += dot_lanes, dj += dot_lanes) {
            l0 = l0 + wj[0] * dj[0];
            l1 = l1 + wj[1] * dj[1];
            l2 = l2 + wj[2] * dj[2];
            l3 = l3 + wj[3] * dj[3];
            l4 = l4 + wj[4] * dj[4];
            l5 = l5 + wj[5] * dj[5];
            l6 = l6 + wj[6] * dj[6];
            l7 = l7 + wj[7] * dj[7];
        }
        const size_t tail = m - full;
        if (tail > 0) l0 = l0 + wj[0] * dj[0];
        if (tail > 1) l1 = l1 + wj[1] * dj[1];
        if (tail > 2) l2 = l2 + wj[2] * dj[2];
        if (tail > 3) l3 = l3 + wj[3] * dj[3];
        if (tail > 4) l4 = l4 + wj[4] * dj[4];
        if (tail > 5) l5 = l5 + wj[5] * dj[5];
        if (tail > 6) l6 = l6 + wj[6] * dj[6];
        y[i] = ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7));
    }
}

}  // namespace compact

namespace vector {

// Four floats: one SSE (or NEON) register; eight: one AVX register. UGRAD_VECTOR_KERNELS=4 (SSE2,
// the default on x86-64) uses the first, UGRAD_VECTOR_KERNELS=8 (the default when __AVX__ is
// defined) the second as well: without AVX the compiler would split and spill them.
// Eight-float vectors are never passed or returned by value, so no ABI question arises.
typedef float f32x4 __attribute__((vector_size(4 * sizeof(float))));
typedef float f32x8 __attribute__((vector_size(8 * sizeof(float))));
constexpr size_t width = UGRAD_VECTOR_KERNELS >= 8 ? 8 : 4;

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

// The first n floats of p (n = 1..4) in lanes 0 .. n−1, `pad` in the others; reads only those n.
// (Built from its elements, which stays in registers; a partial copy over a vector in memory
// would be read back before the copy reaches it: a stalled store-to-load forward.)
template <size_t n>
inline f32x4 load_first(const float* p, float pad) noexcept {
    static_assert(n >= 1 && n <= 4, "one to four floats");
    if constexpr (n == 1) return f32x4{p[0], pad, pad, pad};
    else if constexpr (n == 2) return f32x4{p[0], p[1], pad, pad};
    else if constexpr (n == 3) return f32x4{p[0], p[1], p[2], pad};
    else return load4(p);
}
// The same for eight lanes (n = 1..7), p[0 .. n−1] then `pad`, into v (an eight-float vector is
// never returned by value: no ABI question without AVX).
template <size_t n>
inline void load_first_8(const float* p, float pad, f32x8& v) noexcept {
    static_assert(n >= 1 && n <= 7, "one to seven floats");
    constexpr size_t low = n < 4 ? n : 4;
    const f32x4 lo = load_first<low>(p, pad);
    f32x4 hi = {pad, pad, pad, pad};
    if constexpr (n > 4) hi = load_first<n - 4>(p + 4, pad);
    v = __builtin_shufflevector(lo, hi, 0, 1, 2, 3, 4, 5, 6, 7);
}
// Lanes 0 .. n−1 of v into p[0 .. n−1]; writes only those n.
template <size_t n>
inline void store_first(float* p, f32x4 v) noexcept {
    __builtin_memcpy(p, &v, n * sizeof(float));
}

// Vectors of output columns affine carries at once: 32 columns in eight SSE registers, 64 in eight AVX ones.
constexpr size_t affine_vectors = 8;

// Rows of W one pass of affine covers when W is wider than one block of columns: about 16 KiB of
// W, so that the passes over the blocks of columns find those rows in the L1 cache.
template <size_t M>
constexpr size_t affine_chunk_rows() noexcept {
    return 16384 / (M * sizeof(float)) > 4 ? 16384 / (M * sizeof(float)) : 4;
}

// Columns j0 .. j0+4V+Tail-1 of y over rows i0 .. i0+rows-1: the sums of scalar::affine_columns,
// four columns per vector operation, and the last Tail < 4 columns in the first lanes of one more
// vector (its other lanes are computed and dropped; nothing past column M-1 is read or written).
//   acc[v] = y[j0+4v .. +3] (b[...] on the first rows);  acc[v] = acc[v] + x[i]·W[i][j0+4v .. +3], i ascending.
template <size_t V, size_t Tail = 0, size_t N, size_t M>
inline void affine_columns(const float (&x)[N], const float (&w)[N][M], const float* start, float (&y)[M], size_t j0,
                           size_t i0, size_t rows) noexcept {
    constexpr size_t A = V + (Tail != 0 ? 1 : 0);
    constexpr size_t first_tail = Tail != 0 ? Tail : 1;  // (unused when Tail = 0)
    f32x4 acc[A];
#pragma GCC unroll 8
    for (size_t v = 0; v < V; ++v) acc[v] = load4(&start[j0 + 4 * v]);
    if constexpr (Tail != 0) acc[V] = load_first<first_tail>(&start[j0 + 4 * V], 0.0f);
    for (size_t i = i0; i < i0 + rows; ++i) {
        const float xi = x[i];
        const float* wi = &w[i][j0];
#pragma GCC unroll 8
        for (size_t v = 0; v < V; ++v) acc[v] = acc[v] + xi * load4(wi + 4 * v);
        if constexpr (Tail != 0) acc[V] = acc[V] + xi * load_first<first_tail>(wi + 4 * V, 0.0f);
    }
#pragma GCC unroll 8
    for (size_t v = 0; v < V; ++v) store4(&y[j0 + 4 * v], acc[v]);
    if constexpr (Tail != 0) store_first<first_tail>(&y[j0 + 4 * V], acc[V]);
}

// The same with V vectors of eight columns.
template <size_t V, size_t N, size_t M>
inline void affine_columns_8(const float (&x)[N], const float (&w)[N][M], const float* start, float (&y)[M],
                             size_t j0, size_t i0, size_t rows) noexcept {
    // One 32-byte copy per vector (a copy of the whole array would go through the stack in halves).
    f32x8 acc[V];
#pragma GCC unroll 8
    for (size_t v = 0; v < V; ++v) __builtin_memcpy(&acc[v], &start[j0 + 8 * v], sizeof acc[v]);
    for (size_t i = i0; i < i0 + rows; ++i) {
        const float xi = x[i];
#pragma GCC unroll 8
        for (size_t v = 0; v < V; ++v) {
            f32x8 wiv;
            __builtin_memcpy(&wiv, &w[i][j0 + 8 * v], sizeof wiv);
            acc[v] = acc[v] + xi * wiv;
        }
    }
#pragma GCC unroll 8
    for (size_t v = 0; v < V; ++v) __builtin_memcpy(&y[j0 + 8 * v], &acc[v], sizeof acc[v]);
}

// All columns of y over rows i0 .. i0+rows-1, continuing the sums held in `start` (b, or y).
// A block of columns is affine_vectors vectors (32 columns in SSE registers, 64 in AVX ones):
// eight independent chains of additions, enough to cover the adder's latency on both ports.
template <size_t W, size_t N, size_t M>
inline void affine_rows(const float (&x)[N], const float (&w)[N][M], const float* start, float (&y)[M], size_t i0,
                        size_t rows) noexcept {
    constexpr size_t block = W * affine_vectors;
    constexpr size_t full = M - M % block;
    constexpr size_t eights = W == 8 ? (M % block) / 8 : 0;
    constexpr size_t fours = (M % block - 8 * eights) / 4;
    if constexpr (W == 8) {
        for (size_t j0 = 0; j0 < full; j0 += block) affine_columns_8<block / 8>(x, w, start, y, j0, i0, rows);
        if constexpr (eights != 0) affine_columns_8<eights>(x, w, start, y, full, i0, rows);
    } else {
        for (size_t j0 = 0; j0 < full; j0 += block) affine_columns<affine_vectors>(x, w, start, y, j0, i0, rows);
    }
    // The last M mod 4 columns ride in one more vector, in the same pass as the last fours.
    constexpr size_t tail = M - (full + 8 * eights + 4 * fours);
    if constexpr (fours != 0 || tail != 0) affine_columns<fours, tail>(x, w, start, y, full + 8 * eights, i0, rows);
}

// W = vector width in floats, 4 or 8 (default: as UGRAD_VECTOR_KERNELS says); same bits either way.
template <size_t W = width, size_t N, size_t M>
inline void affine(const float (&x)[N], const float (&w)[N][M], const float (&b)[M], float (&y)[M]) noexcept {
    static_assert(W == 4 || W == 8, "vectors of four or eight floats");
    if constexpr (M <= W * affine_vectors) {
        affine_rows<W>(x, w, b, y, 0, N);  // one block of columns: one pass over W
    } else {
        constexpr size_t chunk = affine_chunk_rows<M>();
        affine_rows<W>(x, w, b, y, 0, N < chunk ? N : chunk);
        for (size_t i0 = chunk; i0 < N; i0 += chunk) affine_rows<W>(x, w, y, y, i0, N - i0 < chunk ? N - i0 : chunk);
    }
}

// Rows of W whose dot products affine_t forms together: independent chains sharing each load of d.
constexpr size_t dot_rows = 4;

// The lanes of the first R rows of a block, with the tail terms j = full .. M-1 added to lanes
// 0 .. M mod 8 - 1: row r's eight lanes are two vectors, lo[r] (lanes 0-3) and hi[r] (lanes 4-7),
// each lane summed exactly as in scalar::dot.
template <size_t R, size_t M>
inline void dot_lanes_block(const float (&d)[M], const float (*w)[M], f32x4 (&lo)[R], f32x4 (&hi)[R]) noexcept {
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
    // The tail terms as whole vectors (no lane inserts, which go through memory): lanes past the
    // tail add (−0)·(+0) = −0, which leaves every value as it is (x + (−0) = x, −0 and NaN included).
    constexpr size_t tail = M % dot_lanes;
    constexpr size_t tail_lo = tail < 4 ? tail : 4;
    if constexpr (tail != 0) {
        const f32x4 d_lo = load_first<tail_lo>(&d[full], 0.0f);
#pragma GCC unroll 4
        for (size_t r = 0; r < R; ++r) lo[r] = lo[r] + load_first<tail_lo>(&w[r][full], -0.0f) * d_lo;
    }
    if constexpr (tail > 4) {
        const f32x4 d_hi = load_first<tail - 4>(&d[full + 4], 0.0f);
#pragma GCC unroll 4
        for (size_t r = 0; r < R; ++r) hi[r] = hi[r] + load_first<tail - 4>(&w[r][full + 4], -0.0f) * d_hi;
    }
}

// Pairwise sums of neighbours: (a0+a1, a2+a3, b0+b1, b2+b3).
inline f32x4 add_neighbours(f32x4 a, f32x4 b) noexcept {
    return __builtin_shufflevector(a, b, 0, 2, 4, 6) + __builtin_shufflevector(a, b, 1, 3, 5, 7);
}

// Four dot products y[0..3] = dot(W[r], d): the lanes, then scalar::dot's tree for four rows at
// once. With lo = (l0 l1 l2 l3), hi = (l4 l5 l6 l7) per row:
//   a_r = add_neighbours(lo_r, hi_r) = (l0+l1, l2+l3, l4+l5, l6+l7)
//   b01 = add_neighbours(a_0, a_1)   = ((l0+l1)+(l2+l3), (l4+l5)+(l6+l7)) of rows 0 and 1; b23 alike
//   y   = add_neighbours(b01, b23)   = the four trees.
template <size_t M>
inline void dot_four_rows(const float (&d)[M], const float (*w)[M], float* y) noexcept {
    f32x4 lo[4], hi[4];
    dot_lanes_block<4>(d, w, lo, hi);
    const f32x4 b01 = add_neighbours(add_neighbours(lo[0], hi[0]), add_neighbours(lo[1], hi[1]));
    const f32x4 b23 = add_neighbours(add_neighbours(lo[2], hi[2]), add_neighbours(lo[3], hi[3]));
    store4(y, add_neighbours(b01, b23));
}

// R = 4 or 8 dot products with each row's eight lanes in one eight-float vector l_r (R chains of
// additions: eight cover the adder's latency on both ports), then per four rows:
//   a_r = (l0+l1, l2+l3, l4+l5, l6+l7), then as above.
template <size_t R, size_t M>
inline void dot_rows_8(const float (&d)[M], const float (*w)[M], float* y) noexcept {
    static_assert(R == 4 || R == 8, "four or eight rows");
    f32x8 lane[R] = {};
    constexpr size_t full = M - M % dot_lanes;
    for (size_t j = 0; j < full; j += dot_lanes) {
        f32x8 dj;
        __builtin_memcpy(&dj, &d[j], sizeof dj);
#pragma GCC unroll 8
        for (size_t r = 0; r < R; ++r) {
            f32x8 wrj;
            __builtin_memcpy(&wrj, &w[r][j], sizeof wrj);
            lane[r] = lane[r] + wrj * dj;
        }
    }
    // The tail terms as whole vectors, lanes past the tail adding (−0)·(+0) = −0 (as dot_lanes_block).
    constexpr size_t tail = M % dot_lanes;
    if constexpr (tail != 0) {
        f32x8 dt, wt;
        load_first_8<tail>(&d[full], 0.0f, dt);
#pragma GCC unroll 8
        for (size_t r = 0; r < R; ++r) {
            load_first_8<tail>(&w[r][full], -0.0f, wt);
            lane[r] = lane[r] + wt * dt;
        }
    }
    f32x4 a[R];
#pragma GCC unroll 8
    for (size_t r = 0; r < R; ++r)
        a[r] = __builtin_shufflevector(lane[r], lane[r], 0, 2, 4, 6) + __builtin_shufflevector(lane[r], lane[r], 1, 3, 5, 7);
#pragma GCC unroll 2
    for (size_t q = 0; q < R; q += 4)
        store4(y + q, add_neighbours(add_neighbours(a[q], a[q + 1]), add_neighbours(a[q + 2], a[q + 3])));
}

// The last N mod 4 rows: the same lanes, folded one row at a time.
template <size_t R, size_t M>
inline void dot_rows_block(const float (&d)[M], const float (*w)[M], float* y) noexcept {
    f32x4 lo[R], hi[R];
    dot_lanes_block<R>(d, w, lo, hi);
    for (size_t r = 0; r < R; ++r) {
        float lane[dot_lanes];
        store4(&lane[0], lo[r]);
        store4(&lane[4], hi[r]);
        y[r] = scalar::fold_lanes(lane);
    }
}

// Rows in groups of four (SSE: two vectors of lanes per row, eight chains) or eight (AVX: one
// vector per row, eight chains; then one group of four if four or more rows remain), then the
// last N mod 4 rows.
template <size_t W = width, size_t N, size_t M>
inline void affine_t(const float (&d)[M], const float (&w)[N][M], float (&y)[N]) noexcept {
    static_assert(W == 4 || W == 8, "vectors of four or eight floats");
    if constexpr (M < dot_lanes) {
        scalar::affine_t(d, w, y);  // rows shorter than the lanes: nothing for vectors to hold
        return;
    }
    constexpr size_t group = W == 8 ? 2 * dot_rows : dot_rows;
    constexpr size_t full = N - N % group;
    for (size_t i = 0; i < full; i += group) {
        if constexpr (W == 8)
            dot_rows_8<2 * dot_rows>(d, &w[i], &y[i]);
        else
            dot_four_rows(d, &w[i], &y[i]);
    }
    constexpr size_t fours = N % group >= dot_rows ? dot_rows : 0;
    if constexpr (fours != 0) dot_rows_8<dot_rows>(d, &w[full], &y[full]);
    if constexpr (N % dot_rows != 0) dot_rows_block<N % dot_rows>(d, &w[full + fours], &y[full + fours]);
}

}  // namespace vector

}  // namespace ugrad

// A core's own kernels: the header UGRAD_TARGET_KERNELS names, else the one for this instruction set.
// With them, for the same instruction sets, the training loops of updates.hpp (UGRAD_HAS_TARGET_UPDATES)
// and the forwards and input gradients of a depthwise convolution (UGRAD_HAS_TARGET_DEPTHWISE:
// target::depthwise_window and depthwise_t_window, called by include/ugrad/layers/depthwise_conv2d.hpp
// for float) and of a convolution with a kernel larger than 1×1 (UGRAD_HAS_TARGET_CONV:
// target::conv_window and conv_t_pixel, include/ugrad/layers/conv2d.hpp).
#if defined(UGRAD_TARGET_KERNELS)
#include UGRAD_TARGET_KERNELS
#define UGRAD_HAS_TARGET_KERNELS 1
#define UGRAD_HAS_TARGET_UPDATES 0
#define UGRAD_HAS_TARGET_DEPTHWISE 0
#define UGRAD_HAS_TARGET_CONV 0
#elif !UGRAD_PORTABLE_KERNELS && defined(__ARM_ARCH_PROFILE) && __ARM_ARCH_PROFILE == 'M' && defined(__ARM_FP) && \
    (__ARM_FP & 4) && defined(__thumb2__)
#include <ugrad/armv7em_vfp/conv2d.hpp>
#include <ugrad/armv7em_vfp/depthwise.hpp>
#include <ugrad/armv7em_vfp/kernels.hpp>
#include <ugrad/armv7em_vfp/updates.hpp>
#define UGRAD_HAS_TARGET_KERNELS 1
#define UGRAD_HAS_TARGET_UPDATES 1
#define UGRAD_HAS_TARGET_DEPTHWISE 1
#define UGRAD_HAS_TARGET_CONV 1
#else
#define UGRAD_HAS_TARGET_KERNELS 0
#define UGRAD_HAS_TARGET_UPDATES 0
#define UGRAD_HAS_TARGET_DEPTHWISE 0
#define UGRAD_HAS_TARGET_CONV 0
#endif

namespace ugrad {

// ---------------------------------------------------------------------------------------------
// The kernels the library calls, for float: the core's own if it has them, else the compact
// schedule if UGRAD_COMPACT_KERNELS is set (-Os), else the vector schedule if UGRAD_VECTOR_KERNELS
// is set (x86), else the scalar one. T = double runs compact or scalar. Same bits whichever runs.

enum class Schedule { scalar, vector, target, compact };

template <typename T>
struct schedule_for {
    static constexpr Schedule value = UGRAD_COMPACT_KERNELS ? Schedule::compact : Schedule::scalar;
};
template <>
struct schedule_for<float> {
    static constexpr Schedule value = UGRAD_HAS_TARGET_KERNELS ? Schedule::target
                                      : UGRAD_COMPACT_KERNELS    ? Schedule::compact
                                      : UGRAD_VECTOR_KERNELS     ? Schedule::vector
                                                                 : Schedule::scalar;
};

template <size_t N, size_t M, typename T>
inline void affine(const T (&x)[N], const T (&w)[N][M], const T (&b)[M], T (&y)[M]) noexcept {
    constexpr Schedule schedule = schedule_for<T>::value;
    if constexpr (schedule == Schedule::compact) compact::affine(&x[0], &w[0][0], &b[0], &y[0], N, M);
    else if constexpr (schedule == Schedule::vector) vector::affine(x, w, b, y);
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
    if constexpr (schedule == Schedule::compact) compact::affine_t(&d[0], &w[0][0], &y[0], N, M);
    else if constexpr (schedule == Schedule::vector) vector::affine_t(d, w, y);
#if UGRAD_HAS_TARGET_KERNELS
    else if constexpr (schedule == Schedule::target) target::affine_t(d, w, y);
#endif
    else scalar::affine_t(d, w, y);
}

}  // namespace ugrad

UGRAD_FP_CONTRACT_OFF_END
