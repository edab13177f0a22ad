// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/backward/dual_rows.hpp — the inner loop of the transposed products
// (weighted_backward.hpp): two weight rows a, b [N] (two filters' taps, or two outputs' rows of a
// fully connected layer) times their two gradients (h_a, h_b), packed in one word as the layers
// store them (block_gradient.hpp), added into N int32 sums:
//   g[c] += h_a·a[c] + h_b·b[c],   c < N.
// On Armv7E-M (__ARM_FEATURE_DSP) one SMLAD per c: four bytes of each row per word load, SXTB16
// splits them into int16 pairs (even and odd bytes), PKHBT/PKHTB pair a[c] with b[c], and the
// gradient word (h_a low, h_b high) multiplies both at once; elsewhere the plain sums. The same
// integers either way (exact int32 sums, in range by the bound of weighted_backward.hpp).
#pragma once

#include <stdint.h>

#if defined(__ARM_FEATURE_DSP)
#include <ugrad/tflite/armv7em.hpp>
#endif

namespace ugrad::tflite::backward {


// hw: h_a in the low half, h_b in the high half (int16 each).
template <int N>
inline void dual_rows(int32_t* g, const int8_t* a, const int8_t* b, int32_t hw) noexcept {
    int c = 0;
#if defined(__ARM_FEATURE_DSP)
    constexpr int blocked = N - N % 4;  // four at a time, then the last N mod 4
    const uint32_t h = uint32_t(hw);
    for (; c < blocked; c += 4) {
        const uint32_t wa = armv7em::load_word(a + c), wb = armv7em::load_word(b + c);
        const uint32_t a02 = armv7em::sxtb16(wa), a13 = armv7em::sxtb16_ror8(wa);
        const uint32_t b02 = armv7em::sxtb16(wb), b13 = armv7em::sxtb16_ror8(wb);
        g[c] = armv7em::smlad(armv7em::low_halves(a02, b02), h, g[c]);
        g[c + 1] = armv7em::smlad(armv7em::low_halves(a13, b13), h, g[c + 1]);
        g[c + 2] = armv7em::smlad(armv7em::high_halves(a02, b02), h, g[c + 2]);
        g[c + 3] = armv7em::smlad(armv7em::high_halves(a13, b13), h, g[c + 3]);
    }
#endif
    const int32_t ha = int32_t(uint32_t(hw) << 16) >> 16, hb = hw >> 16;
    for (; c < N; ++c) g[c] += ha * int32_t(a[c]) + hb * int32_t(b[c]);
}

// The same for four rows a, b, c, d with the gradient words (h_a, h_b) and (h_c, h_d): two SMLADs
// per load and store of g[c] on Armv7E-M.
template <int N>
inline void quad_rows(int32_t* g, const int8_t* a, const int8_t* b, const int8_t* c, const int8_t* d, int32_t hab,
                      int32_t hcd) noexcept {
    int k = 0;
#if defined(__ARM_FEATURE_DSP)
    constexpr int blocked = N - N % 4;
    const uint32_t h1 = uint32_t(hab), h2 = uint32_t(hcd);
    for (; k < blocked; k += 4) {
        const uint32_t wa = armv7em::load_word(a + k), wb = armv7em::load_word(b + k);
        const uint32_t wc = armv7em::load_word(c + k), wd = armv7em::load_word(d + k);
        const uint32_t a02 = armv7em::sxtb16(wa), a13 = armv7em::sxtb16_ror8(wa);
        const uint32_t b02 = armv7em::sxtb16(wb), b13 = armv7em::sxtb16_ror8(wb);
        const uint32_t c02 = armv7em::sxtb16(wc), c13 = armv7em::sxtb16_ror8(wc);
        const uint32_t d02 = armv7em::sxtb16(wd), d13 = armv7em::sxtb16_ror8(wd);
        g[k] = armv7em::smlad(armv7em::low_halves(c02, d02), h2,
                              armv7em::smlad(armv7em::low_halves(a02, b02), h1, g[k]));
        g[k + 1] = armv7em::smlad(armv7em::low_halves(c13, d13), h2,
                                  armv7em::smlad(armv7em::low_halves(a13, b13), h1, g[k + 1]));
        g[k + 2] = armv7em::smlad(armv7em::high_halves(c02, d02), h2,
                                  armv7em::smlad(armv7em::high_halves(a02, b02), h1, g[k + 2]));
        g[k + 3] = armv7em::smlad(armv7em::high_halves(c13, d13), h2,
                                  armv7em::smlad(armv7em::high_halves(a13, b13), h1, g[k + 3]));
    }
#endif
    const int32_t ha = int32_t(uint32_t(hab) << 16) >> 16, hb = hab >> 16;
    const int32_t hc = int32_t(uint32_t(hcd) << 16) >> 16, hd = hcd >> 16;
    for (; k < N; ++k)
        g[k] += ha * int32_t(a[k]) + hb * int32_t(b[k]) + hc * int32_t(c[k]) + hd * int32_t(d[k]);
}

}  // namespace ugrad::tflite::backward
