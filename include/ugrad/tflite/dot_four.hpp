// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/dot_four.hpp — four dot products against one input row: the inner loop of
// FullyConnected (four outputs).
//
//   acc_k += Σ_{c<N} x[c]·w_k[c],   k = 0..3,
// x and each w_k N raw int8 codes (the input zero point is folded into the bias: weighted_layer.hpp),
// every partial sum exact in int32. Portable: one pass, each input byte loaded once for four products.
// Armv7E-M (__ARM_FEATURE_DSP: Cortex-M4, M7, M33 with DSP, M55): four bytes per word, SXTB16 splits
// a word into its even and odd bytes as two int16 each, and SMLAD adds two int16 products at once
// (armv7em.hpp); the last N mod 4 bytes as in the portable loop. The same integers in another order:
// the same sums.
#pragma once

#include <stdint.h>

#if defined(__ARM_FEATURE_DSP)
#include <ugrad/tflite/armv7em.hpp>
#endif

namespace ugrad::tflite {

// N known at compile time.
template <int N>
inline void dot_four(const int8_t* x, const int8_t* w0, const int8_t* w1, const int8_t* w2, const int8_t* w3,
                     int32_t& acc0, int32_t& acc1, int32_t& acc2, int32_t& acc3) noexcept {
    int c = 0;
#if defined(__ARM_FEATURE_DSP)
    for (; c + 4 <= N; c += 4) {
        const uint32_t xw = armv7em::load_word(x + c);
        const uint32_t even = armv7em::sxtb16(xw);      // (x0, x2)
        const uint32_t odd = armv7em::sxtb16_ror8(xw);  // (x1, x3)
        const uint32_t a = armv7em::load_word(w0 + c), b = armv7em::load_word(w1 + c);
        const uint32_t d = armv7em::load_word(w2 + c), e = armv7em::load_word(w3 + c);
        acc0 = armv7em::smlad(odd, armv7em::sxtb16_ror8(a), armv7em::smlad(even, armv7em::sxtb16(a), acc0));
        acc1 = armv7em::smlad(odd, armv7em::sxtb16_ror8(b), armv7em::smlad(even, armv7em::sxtb16(b), acc1));
        acc2 = armv7em::smlad(odd, armv7em::sxtb16_ror8(d), armv7em::smlad(even, armv7em::sxtb16(d), acc2));
        acc3 = armv7em::smlad(odd, armv7em::sxtb16_ror8(e), armv7em::smlad(even, armv7em::sxtb16(e), acc3));
    }
#endif
    for (; c < N; ++c) {
        acc0 += int32_t(x[c]) * int32_t(w0[c]);
        acc1 += int32_t(x[c]) * int32_t(w1[c]);
        acc2 += int32_t(x[c]) * int32_t(w2[c]);
        acc3 += int32_t(x[c]) * int32_t(w3[c]);
    }
}

}  // namespace ugrad::tflite
