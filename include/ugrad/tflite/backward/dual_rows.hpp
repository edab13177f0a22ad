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

namespace ugrad::tflite::backward {

#if defined(__ARM_FEATURE_DSP)
namespace armv7em {
inline uint32_t load_word(const int8_t* p) noexcept {
    uint32_t w;
    __builtin_memcpy(&w, p, 4);
    return w;
}
inline uint32_t sxtb16(uint32_t w) noexcept {
    uint32_t r;
    __asm__("sxtb16 %0, %1" : "=r"(r) : "r"(w));  // NOLINT(hicpp-no-assembler): the instruction is the kernel
    return r;
}
inline uint32_t sxtb16_ror8(uint32_t w) noexcept {
    uint32_t r;
    __asm__("sxtb16 %0, %1, ror #8" : "=r"(r) : "r"(w));  // NOLINT(hicpp-no-assembler): the instruction is the kernel
    return r;
}
// (lo of a, lo of b): PKHBT a, b, LSL #16
inline uint32_t low_halves(uint32_t a, uint32_t b) noexcept {
    uint32_t r;
    __asm__("pkhbt %0, %1, %2, lsl #16" : "=r"(r) : "r"(a), "r"(b));  // NOLINT(hicpp-no-assembler): the instruction is the kernel
    return r;
}
// (hi of a, hi of b): PKHTB b, a, ASR #16
inline uint32_t high_halves(uint32_t a, uint32_t b) noexcept {
    uint32_t r;
    __asm__("pkhtb %0, %1, %2, asr #16" : "=r"(r) : "r"(b), "r"(a));  // NOLINT(hicpp-no-assembler): the instruction is the kernel
    return r;
}
inline int32_t smlad(uint32_t a, uint32_t b, int32_t s) noexcept {
    int32_t r;
    __asm__("smlad %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(s));  // NOLINT(hicpp-no-assembler): the instruction is the kernel
    return r;
}
}  // namespace armv7em
#endif

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

}  // namespace ugrad::tflite::backward
