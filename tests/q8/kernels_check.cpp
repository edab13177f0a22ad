// SPDX-License-Identifier: Apache-2.0
// tests/q8/kernels_check.cpp — the int8 kernels the target compiles (include/ugrad/q8/kernels.hpp's
// pick: armv6m.hpp, armv7m.hpp, armv7em.hpp or the portable loops) against the plain sums of their
// contract, on layer shapes that reach every block size and remainder of those kernels (odd and
// even sizes, column and row counts around 2, 4, 8), with random codes, zero points and gradients
// (make TARGET=<t> q8-target). The sizes are constants, as in a network's calls: the assembly
// kernels run only then. Prints one line; exits 1 on the first disagreement.
#include <stddef.h>
#include <stdint.h>

#include <ugrad/q8/kernels.hpp>

#include "../splitmix64.hpp"
#include "hal.h"

namespace {

namespace detail = ugrad::q8::detail;

uint64_t state = 0x6b65726e656c73ull;
int32_t draw(int32_t lo, int32_t hi) {
    return lo + static_cast<int32_t>((test::splitmix64(state) >> 33) % static_cast<uint64_t>(hi - lo + 1));
}

size_t shapes = 0;

// One set of buffers for every shape (the M0 has 16 KB of RAM): the largest In, Out and In·Out.
constexpr size_t max_in = 64, max_out = 255, max_weights = 20 * 255;
int8_t x[max_in], w[max_weights];
int32_t b[max_out], acc[max_out], g[max_out], xz[max_in], v[max_in];
int64_t want_acc[max_out], want_v[max_in];

// acc[j] = b[j] + Σ_i (x[i] − z)·w[i][j] and v[i] = Σ_j w[i][j]·g[j] (|g_j| < 2^15), each against
// the sum in int64, three draws per shape.
template <size_t In, size_t Out>
bool agree() {
    static_assert(In <= max_in && Out <= max_out && In * Out <= max_weights, "the buffers hold every shape");
    for (int sample = 0; sample < 3; ++sample) {
        for (size_t i = 0; i < In; ++i) x[i] = static_cast<int8_t>(draw(-128, 127));
        for (size_t k = 0; k < In * Out; ++k) w[k] = static_cast<int8_t>(draw(-127, 127));
        for (size_t j = 0; j < Out; ++j) b[j] = draw(-(1 << 20), 1 << 20);
        for (size_t j = 0; j < Out; ++j) g[j] = draw(-32767, 32767);
        const int32_t z = draw(-128, 127);
        for (size_t j = 0; j < Out; ++j) {
            want_acc[j] = b[j];
            for (size_t i = 0; i < In; ++i) want_acc[j] += int64_t(int32_t(x[i]) - z) * w[i * Out + j];
        }
        for (size_t i = 0; i < In; ++i) {
            want_v[i] = 0;
            for (size_t j = 0; j < Out; ++j) want_v[i] += int64_t(w[i * Out + j]) * g[j];
        }
        detail::affine(x, z, w, b, In, Out, acc, xz);
        detail::affine_t(g, w, In, Out, v);  // g may be overwritten
        for (size_t j = 0; j < Out; ++j)
            if (acc[j] != want_acc[j]) {
                hal_write("q8-kernels: FAIL: affine ");
                hal_write_uint(In);
                hal_write("x");
                hal_write_uint(Out);
                hal_write(" differs from the plain sum at output ");
                hal_write_uint(j);
                hal_write("\n");
                return false;
            }
        for (size_t i = 0; i < In; ++i)
            if (v[i] != want_v[i]) {
                hal_write("q8-kernels: FAIL: affine_t ");
                hal_write_uint(In);
                hal_write("x");
                hal_write_uint(Out);
                hal_write(" differs from the plain sum at input ");
                hal_write_uint(i);
                hal_write("\n");
                return false;
            }
    }
    ++shapes;
    return true;
}

}  // namespace

int main() {
    const bool ok = agree<1, 1>() && agree<2, 3>() && agree<3, 5>() && agree<5, 2>() && agree<4, 4>() &&
                    agree<7, 9>() && agree<8, 8>() && agree<9, 10>() && agree<10, 6>() && agree<12, 7>() &&
                    agree<13, 16>() && agree<14, 17>() && agree<16, 12>() && agree<17, 19>() && agree<6, 14>() &&
                    agree<24, 11>() && agree<31, 33>() && agree<32, 10>() && agree<33, 24>() && agree<64, 32>() &&
                    agree<11, 13>() && agree<8, 3>() && agree<9, 4>() && agree<20, 255>();
    if (!ok) return 1;
    hal_write("q8-kernels: affine and affine_t agree with the plain sums on ");
    hal_write_uint(shapes);
    hal_write(" layer shapes\n");
    return 0;
}
