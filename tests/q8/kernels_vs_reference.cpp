// SPDX-License-Identifier: Apache-2.0
// tests/q8/kernels_vs_reference.cpp — the Armv7E-M int8 kernels (include/ugrad/q8/armv7em.hpp:
// affine, affine_t with its rescale and bits, and their -Os compact variants) give the plain
// loops' integers, on the core itself, for every shape's tails: In and Out from 1 to 13 (every
// In % 4, Out % 4 and Out % 8) and some larger ones, at run-time sizes and at the network's
// compile-time ones (where the fast kernels are inlined and unrolled), rows unaligned when
// Out % 4 != 0, and the rescale of g by right shifts, left shifts and none.
//
// Built for the targets whose compiler defines __ARM_FEATURE_DSP and run under QEMU by
// `make TARGET=<t> q8-target` (mk/q8.mk), at -O2 and -Os. Exit status 0 = all equal.
#include <stddef.h>
#include <stdint.h>

#include <hal.h>
#include <ugrad/q8/q8.hpp>

#include "../splitmix64.hpp"

#if !defined(__ARM_FEATURE_DSP)
#error "the Armv7E-M kernels need the DSP instructions"
#endif

namespace {

namespace q8 = ugrad::q8;
namespace dsp = ugrad::q8::armv7em;

uint64_t state = 0x51a8c0ffeeull;
int32_t draw(int32_t lo, int32_t hi) {
    return lo + static_cast<int32_t>((test::splitmix64(state) >> 33) % static_cast<uint64_t>(hi - lo + 1));
}

constexpr size_t max_in = 64, max_out = 40;
alignas(8) int8_t weights[max_in * max_out + 8];
int failures = 0, checks = 0;

void fail(const char* what, size_t in, size_t out) {
    ++failures;
    hal_write("q8 kernels: MISMATCH ");
    hal_write(what);
    hal_write(" at ");
    hal_write_uint(in);
    hal_write("x");
    hal_write_uint(out);
    hal_write("\n");
}

// The reference: acc[j] = b[j] + Σ_i (x[i] − z)·w[i][j];  v[i] = Σ_j w[i][j]·g[j].
void reference_affine(const int8_t* x, int32_t z, const int8_t* w, const int32_t* b, size_t in, size_t out, int32_t* acc) {
    for (size_t j = 0; j < out; ++j) {
        int32_t a = b[j];
        for (size_t i = 0; i < in; ++i) a += (int32_t(x[i]) - z) * int32_t(w[i * out + j]);
        acc[j] = a;
    }
}
void reference_affine_t(const int32_t* g, const int8_t* w, size_t in, size_t out, int32_t* v) {
    for (size_t i = 0; i < in; ++i) {
        int32_t s = 0;
        for (size_t j = 0; j < out; ++j) s += int32_t(w[i * out + j]) * g[j];
        v[i] = s;
    }
}

struct Case {
    int8_t x[max_in];
    int32_t z;
    int32_t b[max_out];
    int32_t g[max_out];      // before the rescale
    int32_t g_ref[max_out];  // after
    q8::BlockShift shift;
    int32_t acc[max_out], v[max_in];
};

// Random data; the rescale kind cycles: none (|g| < 2^15), right (|g| up to 2^22), left (|g| < 2^9).
void fill(Case& c, const int8_t*& w, size_t in, size_t out, int trial) {
    w = weights + (out % 4 != 0 && trial % 2 ? 1 : 0);  // unaligned rows where the kernels allow them
    int8_t* wm = const_cast<int8_t*>(w);
    for (size_t k = 0; k < in * out; ++k) wm[k] = static_cast<int8_t>(draw(-128, 127));
    for (size_t i = 0; i < in; ++i) c.x[i] = static_cast<int8_t>(draw(-128, 127));
    c.z = draw(-128, 127);
    const int32_t limit = trial % 3 == 0 ? 32767 : trial % 3 == 1 ? (1 << 22) : 511;
    uint32_t bits = 0;
    for (size_t j = 0; j < out; ++j) {
        c.b[j] = draw(-(1 << 20), 1 << 20);
        c.g[j] = draw(-limit, limit);
        bits |= q8::magnitude(c.g[j]);
    }
    if (trial % 3 == 0) {
        c.shift = q8::BlockShift{0, 0};
    } else {
        int32_t e = 0;
        c.shift = q8::block_shift(bits, e);
    }
    for (size_t j = 0; j < out; ++j) c.g_ref[j] = q8::rescale(c.g[j], c.shift);
}

template <class Affine, class AffineT, class AffineTBits>
void check(size_t in, size_t out, int trial, Affine affine, AffineT affine_t, AffineTBits affine_t_bits) {
    static Case c;
    const int8_t* w;
    fill(c, w, in, out, trial);
    int32_t expected_acc[max_out], expected_v[max_in], xz[max_in], g[max_out];
    reference_affine(c.x, c.z, w, c.b, in, out, expected_acc);
    reference_affine_t(c.g_ref, w, in, out, expected_v);
    uint32_t expected_bits = 0;
    for (size_t i = 0; i < in; ++i) expected_bits |= q8::magnitude(expected_v[i]);

    affine(c.x, c.z, w, c.b, in, out, c.acc, xz);
    ++checks;
    for (size_t j = 0; j < out; ++j)
        if (c.acc[j] != expected_acc[j]) return fail("affine", in, out);
    for (size_t j = 0; j < out; ++j) g[j] = c.g[j];
    affine_t(g, c.shift, w, in, out, c.v);
    ++checks;
    for (size_t i = 0; i < in; ++i)
        if (c.v[i] != expected_v[i]) return fail("affine_t", in, out);
    for (size_t j = 0; j < out; ++j) g[j] = c.g[j];
    const uint32_t bits = affine_t_bits(g, c.shift, w, in, out, c.v);
    ++checks;
    if (bits != expected_bits) return fail("affine_t's bits", in, out);
    for (size_t i = 0; i < in; ++i)
        if (c.v[i] != expected_v[i]) return fail("affine_t (bits)", in, out);
}

// Run-time sizes: the fast kernels and the compact ones (the compact affine_t takes g rescaled).
__attribute__((noinline)) void fast_affine(const int8_t* x, int32_t z, const int8_t* w, const int32_t* b, size_t in,
                                           size_t out, int32_t* acc, int32_t* xz) {
    dsp::affine(x, z, w, b, in, out, acc, xz);
}
__attribute__((noinline)) void fast_affine_t(int32_t* g, q8::BlockShift s, const int8_t* w, size_t in, size_t out,
                                             int32_t* v) {
    dsp::affine_t<false>(g, s, w, in, out, v);
}
__attribute__((noinline)) uint32_t fast_affine_t_bits(int32_t* g, q8::BlockShift s, const int8_t* w, size_t in,
                                                      size_t out, int32_t* v) {
    return dsp::affine_t<true>(g, s, w, in, out, v);
}
__attribute__((noinline)) void compact_affine(const int8_t* x, int32_t z, const int8_t* w, const int32_t* b, size_t in,
                                              size_t out, int32_t* acc, int32_t* xz) {
    dsp::affine_compact(x, z, w, b, in, out, acc, xz);
}
__attribute__((noinline)) void compact_affine_t(int32_t* g, q8::BlockShift s, const int8_t* w, size_t in, size_t out,
                                                int32_t* v) {
    for (size_t j = 0; j < out; ++j) g[j] = q8::rescale(g[j], s);
    dsp::affine_t_compact(g, w, in, out, v);
}
uint32_t compact_affine_t_bits(int32_t* g, q8::BlockShift s, const int8_t* w, size_t in, size_t out, int32_t* v) {
    compact_affine_t(g, s, w, in, out, v);
    uint32_t bits = 0;
    for (size_t i = 0; i < in; ++i) bits |= q8::magnitude(v[i]);
    return bits;
}

// Compile-time sizes, as the network calls them (the kernels inlined with constant In and Out).
template <size_t In, size_t Out>
void check_constant(int trial) {
    check(
        In, Out, trial,
        [](const int8_t* x, int32_t z, const int8_t* w, const int32_t* b, size_t, size_t, int32_t* acc, int32_t* xz) {
            q8::detail::affine(x, z, w, b, In, Out, acc, xz);
        },
        [](int32_t* g, q8::BlockShift s, const int8_t* w, size_t, size_t, int32_t* v) {
            q8::detail::affine_t_rescaled<false>(g, s, w, In, Out, v);
        },
        [](int32_t* g, q8::BlockShift s, const int8_t* w, size_t, size_t, int32_t* v) {
            return q8::detail::affine_t_rescaled<true>(g, s, w, In, Out, v);
        });
}

}  // namespace

int main() {
    static const size_t sizes[] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 16, 17, 24, 31, 32, 33, 40, 64};
    for (size_t in : sizes)
        for (size_t out : sizes) {
            if (out > max_out) continue;
            for (int trial = 0; trial < 3; ++trial) {
                check(in, out, trial, fast_affine, fast_affine_t, fast_affine_t_bits);
                check(in, out, trial, compact_affine, compact_affine_t, compact_affine_t_bits);
            }
        }
    for (int trial = 0; trial < 6; ++trial) {
        check_constant<64, 32>(trial);
        check_constant<32, 10>(trial);
        check_constant<16, 8>(trial);
        check_constant<8, 3>(trial);
        check_constant<8, 2>(trial);
        check_constant<8, 6>(trial);
        check_constant<6, 5>(trial);
        check_constant<5, 4>(trial);
        check_constant<7, 9>(trial);
        check_constant<13, 16>(trial);
        check_constant<12, 24>(trial);
        check_constant<3, 1>(trial);
    }
    hal_write("q8 kernels: ");
    hal_write_uint(static_cast<uint32_t>(checks));
    hal_write(failures ? " checks, FAILURES\n" : " checks of the Armv7E-M kernels against plain loops, all equal\n");
    return failures ? 1 : 0;
}
