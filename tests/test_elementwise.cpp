// SPDX-License-Identifier: Apache-2.0
// tests/test_elementwise.cpp — the element-wise layer functions of include/ugrad/elementwise.hpp.
//
// The vector schedule, 4 and 8 floats wide (called directly, whatever the build's
// UGRAD_VECTOR_KERNELS), must give every entry the bits of the scalar function: sigmoid_pair<float>
// for the layer's sigmoid and its slope, exp(float) for the softmax's exps, and the one sum in k
// order. Inputs: a dense sweep of [-100, 100], random bit patterns, math_accuracy.hpp's boundary
// inputs (subnormals, ±0, every power of two, the neighbours of ±87 and of exp's other cuts), ±inf
// and NaN, groups that mix main-path and outside lanes, and every tail length.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <doctest/doctest.h>

#include <utility>
#include <vector>

#include <ugrad/elementwise.hpp>

#include "math_accuracy.hpp"
#include "support.hpp"

namespace {

uint32_t bits(float x) { return ugrad::bit_cast<uint32_t>(x); }

// Entries that are outside the main path of exp and sigmoid_pair (|x| >= 87, ±inf, NaN), and the
// main-path entries nearest to the boundary.
const float outside[] = {87.0f,
                         -87.0f,
                         ugrad::bit_cast<float>(0x42ae0001u),  // just above 87
                         88.8f,
                         -104.5f,
                         1e30f,
                         -3.4e38f,
                         ugrad::infinity<float>(),
                         -ugrad::infinity<float>(),
                         ugrad::quiet_nan<float>(),
                         ugrad::bit_cast<float>(0xffc00001u),  // a negative NaN with a payload
                         ugrad::bit_cast<float>(0x7f800001u)};  // a signalling NaN
const float just_inside[] = {ugrad::bit_cast<float>(0x42adffffu), ugrad::bit_cast<float>(0xc2adffffu)};

// The spec of sigmoid_layer, entry by entry: h = σ(r), dh_dr = σ(r)·σ(−r) from sigmoid_pair.
void expected_sigmoid(const float* r, float* h, float* dh_dr, size_t n) {
    for (size_t j = 0; j < n; ++j) {
        const ugrad::SigmoidPair<float> s = ugrad::sigmoid_pair(r[j]);
        h[j] = s.value;
        dh_dr[j] = s.value * s.complement;
    }
}

// The first entry where vector::sigmoid_layer<W> gives other bits than the spec (into separate
// arrays, or in place as forward calls it), or N if none.
template <size_t W, size_t N>
size_t sigmoid_mismatch(const float (&r)[N]) {
    float want_h[N], want_d[N], h[N], d[N], in_place[N], in_place_d[N];
    expected_sigmoid(r, want_h, want_d, N);
    ugrad::vector::sigmoid_layer<W>(r, h, d);
    memcpy(in_place, r, sizeof r);
    ugrad::vector::sigmoid_layer<W>(in_place, in_place, in_place_d);
    for (size_t j = 0; j < N; ++j)
        if (bits(h[j]) != bits(want_h[j]) || bits(d[j]) != bits(want_d[j]) || bits(in_place[j]) != bits(want_h[j]) ||
            bits(in_place_d[j]) != bits(want_d[j]))
            return j;
    return N;
}

// The first entry where vector::exp_shifted<W> gives other bits than exp(θ[k] − m), or N if none;
// *sum_same says whether the sum had the bits of ((+0 + p[0]) + p[1]) + ... , k ascending.
template <size_t W, size_t K>
size_t exp_mismatch(const float (&theta)[K], float m, bool* sum_same) {
    float want[K], p[K];
    float s = 0.0f;
    for (size_t k = 0; k < K; ++k) {
        want[k] = ugrad::exp(theta[k] - m);
        s = s + want[k];
    }
    const float got_s = ugrad::vector::exp_shifted<W>(theta, m, p);
    // The sum's bits, except that any NaN matches any NaN: which of two NaN operands an addition
    // passes on is the compiler's choice of operand order (a + b and b + a are the same sum).
    *sum_same = bits(got_s) == bits(s) || (ugrad::is_nan(got_s) && ugrad::is_nan(s));
    for (size_t k = 0; k < K; ++k)
        if (bits(p[k]) != bits(want[k])) return k;
    return K;
}

// Every input of a list, in blocks of 64 entries (16 groups of four, 8 of eight), both widths.
// Returns how many entries disagreed; reports the first.
constexpr size_t block = 64;

size_t sigmoid_mismatches(const std::vector<float>& inputs) {
    size_t bad = 0;
    for (size_t start = 0; start < inputs.size(); start += block) {
        float r[block] = {};
        for (size_t j = 0; j < block && start + j < inputs.size(); ++j) r[j] = inputs[start + j];
        const size_t at4 = sigmoid_mismatch<4>(r), at8 = sigmoid_mismatch<8>(r);
        if (at4 != block || at8 != block) {
            const float first = r[at4 < at8 ? at4 : at8];
            if (bad == 0) MESSAGE("sigmoid: first differing input ", static_cast<double>(first), ", bits ", bits(first));
            ++bad;
        }
    }
    return bad;
}

size_t exp_mismatches(const std::vector<float>& inputs, float m) {
    size_t bad = 0;
    for (size_t start = 0; start < inputs.size(); start += block) {
        float theta[block] = {};
        for (size_t k = 0; k < block && start + k < inputs.size(); ++k) theta[k] = inputs[start + k];
        bool sum4 = false, sum8 = false;
        const size_t at4 = exp_mismatch<4>(theta, m, &sum4), at8 = exp_mismatch<8>(theta, m, &sum8);
        if (at4 != block || at8 != block || !sum4 || !sum8) {
            const size_t at = at4 < at8 ? at4 : at8;
            if (bad == 0 && at < block)
                MESSAGE("exp: first differing input ", static_cast<double>(theta[at]), " minus ", static_cast<double>(m));
            ++bad;
        }
    }
    return bad;
}

// r in [-100, 100] in steps of 2^-8: every k = round(x·16/ln2) of the main path, both signs,
// about 23 inputs per table entry and per scale.
std::vector<float> dense_sweep() {
    std::vector<float> out;
    for (int i = -100 * 256; i <= 100 * 256; ++i) out.push_back(static_cast<float>(i) / 256.0f);
    return out;
}

// Random bit patterns: mostly |x| < 128 (exponent field below 0x86), a few of any exponent.
std::vector<float> random_bits(uint64_t seed, size_t count) {
    test::Rng rng{seed};
    std::vector<float> out;
    for (size_t i = 0; i < count; ++i) {
        uint32_t b = static_cast<uint32_t>(rng.next() >> 32);
        if (i % 8 != 0) b = (b & 0x807fffffu) | (static_cast<uint32_t>(0x66u + (b >> 23) % 0x20u) << 23);  // |x| in [2^-25, 2^7)
        out.push_back(ugrad::bit_cast<float>(b));
    }
    return out;
}

// An array of N main-path entries drawn from the dense range.
template <size_t N>
void fill_main(float (&v)[N], test::Rng& rng) {
    for (size_t i = 0; i < N; ++i) v[i] = static_cast<float>(rng.uniform(-86.0, 86.0));
}

// Every length N (every tail after the groups of 8 and of 4): main-path entries, then each
// outside value in each position.
template <size_t N>
void check_length() {
    CAPTURE(N);
    test::Rng rng{N};
    float v[N];
    for (int trial = 0; trial < 4; ++trial) {
        fill_main(v, rng);
        bool sum4 = false, sum8 = false;
        CHECK(sigmoid_mismatch<4>(v) == N);
        CHECK(sigmoid_mismatch<8>(v) == N);
        CHECK(exp_mismatch<4>(v, 0.5f, &sum4) == N);
        CHECK(exp_mismatch<8>(v, 0.5f, &sum8) == N);
        CHECK(sum4);
        CHECK(sum8);
    }
    for (size_t at = 0; at < N; ++at)
        for (const float x : outside) {
            fill_main(v, rng);
            v[at] = x;
            CAPTURE(at);
            CAPTURE(x);
            bool sum4 = false, sum8 = false;
            CHECK(sigmoid_mismatch<4>(v) == N);
            CHECK(sigmoid_mismatch<8>(v) == N);
            CHECK(exp_mismatch<4>(v, 0.0f, &sum4) == N);
            CHECK(exp_mismatch<8>(v, 0.0f, &sum8) == N);
            CHECK(sum4);
            CHECK(sum8);
        }
}

template <size_t... Ns>
void check_lengths(std::index_sequence<Ns...>) {
    (check_length<Ns + 1>(), ...);
}

// exp(float)'s main path written out (math.hpp), with the table's parts added as written, or
// regrouped as (hi + lo) + hi·p: the one change the last spec shows the sweep would catch.
float exp_main_path(float x, bool regroup) {
    using namespace ugrad::detail;
    const float shifted = x * exp_inv_step + round_shift;
    const float kf = shifted - round_shift;
    const float r = (x - kf * exp_step_hi) - kf * exp_step_lo;
    const float p = r + (r * r) * (exp_c2 + r * exp_c3);
    const uint32_t u = bits(shifted);
    const ugrad::detail::ExpTableEntry& t = ugrad::detail::exp_table[u & 15u];
    const float y = regroup ? (t.hi + t.lo) + t.hi * p : t.hi + (t.lo + t.hi * p);
    return ugrad::bit_cast<float>(bits(y) + ((u >> 4) << 23));
}

}  // namespace

TEST_CASE("elementwise: vector sigmoid_layer (4 and 8 wide) gives sigmoid_pair's bits for h and dh_dr over [-100, 100] in steps of 2^-8") {
    CHECK(sigmoid_mismatches(dense_sweep()) == 0);
}

TEST_CASE("elementwise: vector exp_shifted (4 and 8 wide) gives exp's bits and the k-ascending sum over [-100, 100] in steps of 2^-8") {
    const std::vector<float> sweep = dense_sweep();
    CHECK(exp_mismatches(sweep, 0.0f) == 0);
    CHECK(exp_mismatches(sweep, 3.25f) == 0);   // θ − m rounded as the scalar code rounds it
    CHECK(exp_mismatches(sweep, -1e-3f) == 0);
}

TEST_CASE("elementwise: vector sigmoid_layer and exp_shifted give the scalar bits on random bit patterns") {
    const std::vector<float> inputs = random_bits(2024, 1u << 16);
    CHECK(sigmoid_mismatches(inputs) == 0);
    CHECK(exp_mismatches(inputs, 0.0f) == 0);
}

TEST_CASE("elementwise: vector schedule gives the scalar bits at subnormals, ±0, powers of two and the neighbours of ±87, ±inf and NaN") {
    std::vector<float> inputs = test::math_boundary_inputs();
    for (const float x : outside) inputs.push_back(x);
    for (const float x : just_inside) inputs.push_back(x);
    inputs.push_back(0.0f);
    inputs.push_back(-0.0f);
    CHECK(sigmoid_mismatches(inputs) == 0);
    CHECK(exp_mismatches(inputs, 0.0f) == 0);
}

TEST_CASE("elementwise: a group with one or several lanes outside |x| < 87 gives the scalar bits in every lane, every tail length 1..17") {
    check_lengths(std::make_index_sequence<17>{});
    // Two outside lanes in one group of eight, the others main path, every pair of positions.
    test::Rng rng{99};
    float v[8];
    for (size_t a = 0; a < 8; ++a)
        for (size_t b = a + 1; b < 8; ++b) {
            fill_main(v, rng);
            v[a] = ugrad::quiet_nan<float>();
            v[b] = -100.0f;
            bool sum_same = false;
            CHECK(sigmoid_mismatch<8>(v) == 8);
            CHECK(sigmoid_mismatch<4>(v) == 8);
            CHECK(exp_mismatch<8>(v, 0.0f, &sum_same) == 8);
            CHECK(sum_same);
        }
}

TEST_CASE("elementwise: the main path reaches |x| just below 87 in the vector lanes, with the scalar bits") {
    // 0x42adffff is the largest |x| of the main path: the boundary test must not send it to the
    // scalar function (which would also give the right bits), so the lanes are checked against an
    // independent main-path result: exp(x) for x < 87 is e^x rounded within 1 ULP, never inf or 0.
    float r[8], h[8], d[8], p[8];
    for (size_t i = 0; i < 8; ++i) r[i] = just_inside[i % 2];
    ugrad::vector::sigmoid_layer<8>(r, h, d);
    const float s = ugrad::vector::exp_shifted<8>(r, 0.0f, p);
    for (size_t i = 0; i < 8; ++i) {
        const ugrad::SigmoidPair<float> want = ugrad::sigmoid_pair(r[i]);
        CHECK(bits(h[i]) == bits(want.value));
        CHECK(bits(d[i]) == bits(want.value * want.complement));
        CHECK(bits(p[i]) == bits(ugrad::exp(r[i])));
        CHECK(p[i] > 0.0f);
        CHECK(ugrad::is_finite(p[i]));
    }
    CHECK(ugrad::is_finite(s));
}

TEST_CASE("elementwise: the library's dispatch (this build's schedule) and the scalar schedule give the same bits, float and double") {
    float r[37], h[37], d[37], hs[37], ds[37], p[37], ps[37];
    test::Rng rng{5};
    fill_main(r, rng);
    r[3] = 90.0f;
    ugrad::sigmoid_layer(r, h, d);
    ugrad::scalar::sigmoid_layer(r, hs, ds);
    CHECK(memcmp(h, hs, sizeof h) == 0);
    CHECK(memcmp(d, ds, sizeof d) == 0);
    const float s = ugrad::exp_shifted(r, 90.0f, p), ss = ugrad::scalar::exp_shifted(r, 90.0f, ps);
    CHECK(memcmp(p, ps, sizeof p) == 0);
    CHECK(bits(s) == bits(ss));
    double rd[5] = {-3.0, -0.5, 0.0, 0.25, 40.0}, hd[5], dd[5], pd[5];
    ugrad::sigmoid_layer(rd, hd, dd);
    double sum_d = 0.0;
    for (size_t j = 0; j < 5; ++j) {
        const ugrad::SigmoidPair<double> want = ugrad::sigmoid_pair(rd[j]);
        CHECK(hd[j] == want.value);
        CHECK(dd[j] == want.value * want.complement);
        sum_d = sum_d + ugrad::exp(rd[j] - 40.0);
    }
    CHECK(ugrad::exp_shifted(rd, 40.0, pd) == sum_d);
}

TEST_CASE("elementwise: the sweep would catch a lane that skipped the compensation or added the table's parts in another order") {
    // If the vector code computed σ(−|r|) as the plain quotient e/(1 + e), or exp's 2^(j/16)·(1 + p)
    // as (hi + lo) + hi·p instead of hi + (lo + hi·p), some entries of the dense sweep would differ
    // from the scalar bits: the sweep is fine enough to see one operation out of place.
    size_t as_written_differs = 0, plain_quotient_differs = 0, regrouped_exp_differs = 0;
    for (const float x : dense_sweep()) {
        if (x <= -87.0f || x >= 87.0f) continue;
        const float minus_abs = x < 0.0f ? x : -x;
        const float e = ugrad::exp(minus_abs);
        plain_quotient_differs += bits(e / (1.0f + e)) != bits(ugrad::sigmoid_pair(minus_abs).value);
        as_written_differs += bits(exp_main_path(x, false)) != bits(ugrad::exp(x));
        regrouped_exp_differs += bits(exp_main_path(x, true)) != bits(ugrad::exp(x));
    }
    CHECK(as_written_differs == 0);  // the copy below is exp's main path
    CHECK(plain_quotient_differs > 0);
    CHECK(regrouped_exp_differs > 0);
}
