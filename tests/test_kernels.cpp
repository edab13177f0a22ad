// SPDX-License-Identifier: Apache-2.0
// tests/test_kernels.cpp — the kernels' fixed summation order, and the two schedules that compute it.
//
// Each kernel is checked bit for bit against the order written in the comment of
// include/ugrad/kernels.hpp, spelled out here term by term, and the vector schedule (GCC/Clang
// vector types) and the compact one (-Os) against it, on shapes that exercise every block and tail.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <doctest/doctest.h>

#include <ugrad/kernels.hpp>

#include "support.hpp"

namespace {

template <size_t N>
bool same_bits(const float (&a)[N], const float (&b)[N]) {
    return memcmp(a, b, sizeof a) == 0;
}

// The documented order of affine: y[j] = (((b[j] + x[0]·W[0][j]) + x[1]·W[1][j]) + ...), i ascending.
template <size_t N, size_t M>
void documented_affine(const float (&x)[N], const float (&w)[N][M], const float (&b)[M], float (&y)[M]) {
    for (size_t j = 0; j < M; ++j) {
        float sum = b[j];
        for (size_t i = 0; i < N; ++i) sum = sum + x[i] * w[i][j];
        y[j] = sum;
    }
}

// The documented order of dot: eight lanes from +0, lane k takes j ≡ k (mod 8) ascending, then
// ((l0 + l1) + (l2 + l3)) + ((l4 + l5) + (l6 + l7)).
template <size_t M>
float documented_dot(const float (&a)[M], const float (&b)[M]) {
    float lane[8];
    for (size_t k = 0; k < 8; ++k) {
        lane[k] = 0.0f;
        for (size_t j = k; j < M; j += 8) lane[k] = lane[k] + a[j] * b[j];
    }
    return ((lane[0] + lane[1]) + (lane[2] + lane[3])) + ((lane[4] + lane[5]) + (lane[6] + lane[7]));
}

// Random data with mixed signs and magnitudes spread over 2^±8, so that reordering any sum would
// change its rounding.
template <size_t N>
void fill(float (&v)[N], test::Rng& rng) {
    for (size_t i = 0; i < N; ++i)
        v[i] = static_cast<float>(rng.uniform(-1.0, 1.0) * std::exp2(std::floor(rng.uniform(-8.0, 8.0))));
}
template <size_t N, size_t M>
void fill(float (&v)[N][M], test::Rng& rng) {
    for (size_t i = 0; i < N; ++i) fill(v[i], rng);
}

// Zeros of both signs and ±1, so that many results are zeros whose sign each schedule must
// reproduce: in affine, −0 when b[j] = −0 and every term is −0 (x >= 0 and W <= 0 with zeros), +0
// after a +0 term; in affine_t, +0 even when every term is −0 (the lanes start at +0), d = ±0.
// Trial 0: W all −0 or −1 (d all +0: every term −0); 1: W ±0; 2: any of ±0, ±1.
template <size_t N>
void fill_zeros(float (&v)[N], test::Rng& rng, int trial) {
    for (size_t i = 0; i < N; ++i) {
        const double u = rng.uniform(0.0, 2.0);
        v[i] = trial == 0 ? (u < 1.5 ? -0.0f : -1.0f)
               : trial == 1 ? (u < 1.0 ? 0.0f : -0.0f)
                            : (u < 0.5 ? 0.0f : u < 1.0 ? -0.0f : u < 1.5 ? 1.0f : -1.0f);
    }
}
template <size_t N, size_t M>
void fill_zeros(float (&v)[N][M], test::Rng& rng, int trial) {
    for (size_t i = 0; i < N; ++i) fill_zeros(v[i], rng, trial);
}

template <size_t N, size_t M, bool Zeros = false>
void check_shape() {
    CAPTURE(N);
    CAPTURE(M);
    CAPTURE(Zeros);
    test::Rng rng{N * 1000u + M};
    static float w[N][M];  // static: 784x128 does not belong on the test's stack
    float x[N], b[M], d[M];
    for (int trial = 0; trial < 3; ++trial) {
        if constexpr (Zeros) {
            fill_zeros(w, rng, trial);
            for (size_t i = 0; i < N; ++i) x[i] = rng.uniform(0.0, 2.0) < 1.0 ? 0.0f : 1.0f;
            for (size_t j = 0; j < M; ++j) d[j] = trial == 0 ? 0.0f : rng.uniform(0.0, 2.0) < 1.0 ? 0.0f : -0.0f;
            for (size_t j = 0; j < M; ++j) b[j] = rng.uniform(0.0, 2.0) < 1.0 ? 0.0f : -0.0f;
        } else {
            fill(w, rng);
            fill(x, rng);
            fill(b, rng);
            fill(d, rng);
        }
        // affine: scalar and vector schedules against the documented order
        float y_doc[M], y_scalar[M], y_vector4[M], y_vector8[M];
        documented_affine(x, w, b, y_doc);
        ugrad::scalar::affine(x, w, b, y_scalar);
        ugrad::vector::affine<4>(x, w, b, y_vector4);
        ugrad::vector::affine<8>(x, w, b, y_vector8);
        float y_compact[M];
        ugrad::compact::affine(&x[0], &w[0][0], &b[0], &y_compact[0], N, M);
        CHECK(same_bits(y_compact, y_doc));
        CHECK(same_bits(y_scalar, y_doc));
        CHECK(same_bits(y_vector4, y_doc));
        CHECK(same_bits(y_vector8, y_doc));
        // affine_t: y[i] = dot(W[i], d)
        float t_doc[N], t_scalar[N], t_vector4[N], t_vector8[N];
        for (size_t i = 0; i < N; ++i) t_doc[i] = documented_dot(w[i], d);
        ugrad::scalar::affine_t(d, w, t_scalar);
        ugrad::vector::affine_t<4>(d, w, t_vector4);
        ugrad::vector::affine_t<8>(d, w, t_vector8);
        float t_compact[N];
        ugrad::compact::affine_t(&d[0], &w[0][0], &t_compact[0], N, M);
        CHECK(same_bits(t_compact, t_doc));
        CHECK(same_bits(t_scalar, t_doc));
        CHECK(same_bits(t_vector4, t_doc));
        CHECK(same_bits(t_vector8, t_doc));
        // The dispatching kernels the library calls give the same bits too.
        float y_lib[M], t_lib[N];
        ugrad::affine(x, w, b, y_lib);
        ugrad::affine_t(d, w, t_lib);
        CHECK(same_bits(y_lib, y_doc));
        CHECK(same_bits(t_lib, t_doc));
    }
}

}  // namespace

TEST_CASE("kernels: scalar, vector (4 and 8 floats wide) and compact schedules give the documented order's bits, every block and tail") {
    check_shape<1, 1>();
    check_shape<3, 2>();
    check_shape<5, 7>();
    check_shape<7, 9>();
    check_shape<16, 8>();
    check_shape<8, 3>();
    check_shape<9, 17>();
    check_shape<64, 32>();
    check_shape<32, 10>();
    check_shape<33, 37>();
    check_shape<13, 45>();
    check_shape<256, 64>();
    check_shape<784, 128>();
    check_shape<128, 10>();
    check_shape<300, 40>();
    check_shape<130, 70>();
}

TEST_CASE("kernels: every schedule keeps the sign of a zero sum, tails included") {
    check_shape<1, 1, true>();
    check_shape<3, 2, true>();
    check_shape<5, 7, true>();
    check_shape<7, 9, true>();
    check_shape<8, 3, true>();
    check_shape<9, 17, true>();
    check_shape<32, 10, true>();
    check_shape<33, 37, true>();
    check_shape<13, 45, true>();
    check_shape<12, 14, true>();
    check_shape<10, 30, true>();
}

TEST_CASE("kernels: a reordered sum would be caught (the data is sensitive to the order)") {
    // Summing the same terms in another order must change some result, or the checks above would
    // pass for any order.
    test::Rng rng{7};
    float a[64], b[64];
    fill(a, rng);
    fill(b, rng);
    int changed = 0;
    for (int trial = 0; trial < 20; ++trial) {
        fill(a, rng);
        float sequential = 0.0f;
        for (size_t j = 0; j < 64; ++j) sequential = sequential + a[j] * b[j];
        const float lanes = documented_dot(a, b);
        changed += memcmp(&sequential, &lanes, sizeof lanes) != 0;
    }
    CHECK(changed > 0);
}
