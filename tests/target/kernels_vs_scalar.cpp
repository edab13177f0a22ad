// SPDX-License-Identifier: Apache-2.0
// tests/target/kernels_vs_scalar.cpp — a core's own kernels (e.g. include/ugrad/armv7em_vfp/
// kernels.hpp, which kernels.hpp picks for the M4F, M7, M33, M55) give the scalar kernels' bits,
// on the core itself.
//
// Built by mk/bench.mk for every target whose compiler flags pick such kernels, run under QEMU by
// `make TARGET=<t> test`. Shapes cover every block count, column tail and dot tail; the
// data mixes signs and magnitudes over 2^±8 so that any change of order would change bits
// (tests/test_kernels.cpp shows on the host that it does). Exit status 0 = all equal.
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <hal.h>
#include <ugrad/kernels.hpp>

#include "../splitmix64.hpp"

#if !UGRAD_HAS_TARGET_KERNELS
#error "this core has no kernels of its own (include/ugrad/kernels.hpp picks them from the compiler's macros)"
#endif

namespace {

uint64_t state = 0x2545f4914f6cdd1dull;
float random_float() {
    const uint64_t z = test::splitmix64(state);
    const float mantissa = static_cast<float>(z >> 40) * (1.0f / 16777216.0f);  // [0, 1)
    const int exponent = static_cast<int>((z >> 8) % 17) - 8;                   // 2^-8 .. 2^8
    float scale = 1.0f;
    for (int e = 0; e < exponent; ++e) scale *= 2.0f;
    for (int e = 0; e > exponent; --e) scale *= 0.5f;
    return (z & 1 ? -mantissa : mantissa) * scale;
}

int failures = 0;
int checks = 0;

template <size_t N, size_t M>
void check_shape() {
    static float w[N][M];
    float x[N], b[M], d[M], y_scalar[M], y_target[M], t_scalar[N], t_target[N];
    for (int trial = 0; trial < 3; ++trial) {
        for (auto& row : w)
            for (float& v : row) v = random_float();
        for (float& v : x) v = random_float();
        for (float& v : b) v = random_float();
        for (float& v : d) v = random_float();
        ugrad::scalar::affine(x, w, b, y_scalar);
        ugrad::target::affine(x, w, b, y_target);
        ugrad::scalar::affine_t(d, w, t_scalar);
        ugrad::target::affine_t(d, w, t_target);
        const bool affine_ok = memcmp(y_scalar, y_target, sizeof y_scalar) == 0;
        const bool affine_t_ok = memcmp(t_scalar, t_target, sizeof t_scalar) == 0;
        checks += 2;
        if (!affine_ok || !affine_t_ok) {
            ++failures;
            hal_write("target_kernels: MISMATCH at ");
            hal_write_uint(N);
            hal_write("x");
            hal_write_uint(M);
            hal_write(affine_ok ? " (affine_t)\n" : " (affine)\n");
        }
    }
}

}  // namespace

int main() {
    check_shape<1, 1>();
    check_shape<1, 8>();
    check_shape<2, 3>();
    check_shape<3, 7>();
    check_shape<5, 9>();
    check_shape<7, 16>();
    check_shape<8, 3>();
    check_shape<16, 8>();
    check_shape<9, 17>();
    check_shape<32, 10>();
    check_shape<64, 32>();
    check_shape<33, 37>();
    check_shape<13, 45>();
    check_shape<256, 64>();
    check_shape<128, 10>();
    check_shape<5, 90>();
    check_shape<19, 14>();
    check_shape<11, 100>();
    check_shape<784, 128>();
    // Every narrow width (M <= 10: one pass of all columns, d held in registers), rows mod 4 and 8.
    check_shape<6, 2>();
    check_shape<13, 4>();
    check_shape<4, 5>();
    check_shape<17, 6>();
    check_shape<3, 10>();
    check_shape<33, 9>();
    hal_write("target_kernels: ");
    hal_write_uint(static_cast<uint64_t>(checks));
    hal_write(failures == 0 ? " comparisons, all bit-identical to ugrad::scalar\n" : " comparisons, MISMATCHES\n");
    return failures == 0 ? 0 : 1;
}
