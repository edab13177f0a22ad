// SPDX-License-Identifier: Apache-2.0
// ugrad/armv7em_dsp.hpp — the Armv7E-M DSP instructions the int8 kernels use (Cortex-M4, M7, M33 with
// DSP, M55), one asm statement each, shared by the q8 kernels (q8/armv7em.hpp) and the TFLite-exact
// ones (tflite/armv7em.hpp); included only where __ARM_FEATURE_DSP is defined.
//   SXTB16 r, w            bytes 0 and 2 of w, sign-extended to two int16: (w0, w2)
//   SXTB16 r, w, ROR #8    bytes 1 and 3: (w1, w3)
//   SSUB16 r, a, b         (a.lo − b.lo, a.hi − b.hi)
//   PKHBT / PKHTB          two int16 halves from two registers (low_halves, high_halves)
//   SMLAD r, a, b, s       s + a.lo·b.lo + a.hi·b.hi
//   SMLABB r, a, b, s      s + a.lo·b.lo        SMLATT r, a, b, s    s + a.hi·b.hi
//   SMLABT r, a, b, s      s + a.lo·b.hi
//   SSAT r, #8, v          v saturated to [−128, 127]
//   SSAT r, #8, v, ASR #1  (v >> 1) saturated to [−128, 127]
//   SMMLAR r, a, b, c      floor((c·2^32 + a·b + 2^31) / 2^32), the 64-bit sum's high word
// Word and halfword loads may be unaligned (LDR and LDRH allow it on these cores; activations sit at
// any byte offset of a buffer). Integer only: no floating-point code, so outside the library's
// floating-point region (fp_contract.hpp; mk/checks.mk exempts it as it does q8/ and tflite/).
#pragma once

#include <stdint.h>

namespace ugrad::armv7em_dsp {

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
inline uint32_t ssub16(uint32_t a, uint32_t b) noexcept {
    uint32_t r;
    __asm__("ssub16 %0, %1, %2" : "=r"(r) : "r"(a), "r"(b));  // NOLINT(hicpp-no-assembler): the instruction is the kernel
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
inline int32_t smlabb(uint32_t a, uint32_t b, int32_t s) noexcept {
    int32_t r;
    __asm__("smlabb %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(s));  // NOLINT(hicpp-no-assembler): the instruction is the kernel
    return r;
}
inline int32_t smlabt(uint32_t a, uint32_t b, int32_t s) noexcept {
    int32_t r;
    __asm__("smlabt %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(s));  // NOLINT(hicpp-no-assembler): the instruction is the kernel
    return r;
}
inline int32_t smlatt(uint32_t a, uint32_t b, int32_t s) noexcept {
    int32_t r;
    __asm__("smlatt %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(s));  // NOLINT(hicpp-no-assembler): the instruction is the kernel
    return r;
}
inline int32_t ssat8(int32_t v) noexcept {
    int32_t r;
    __asm__("ssat %0, #8, %1" : "=r"(r) : "r"(v));  // NOLINT(hicpp-no-assembler): the instruction is the kernel
    return r;
}
inline int32_t ssat8_asr1(int32_t v) noexcept {
    int32_t r;
    __asm__("ssat %0, #8, %1, asr #1" : "=r"(r) : "r"(v));  // NOLINT(hicpp-no-assembler): the instruction is the kernel
    return r;
}
inline int32_t smmlar(int32_t a, int32_t b, int32_t c) noexcept {
    int32_t r;
    __asm__("smmlar %0, %1, %2, %3" : "=r"(r) : "r"(a), "r"(b), "r"(c));  // NOLINT(hicpp-no-assembler): the instruction is the kernel
    return r;
}
// Four int8 at any address as one word (byte 0 lowest).
inline uint32_t load_word(const int8_t* p) noexcept {
    uint32_t w;
    __builtin_memcpy(&w, p, 4);
    return w;
}
// Two int8 at any address as the low half of a word (byte 0 lowest).
inline uint32_t load_half(const int8_t* p) noexcept {
    uint16_t h;
    __builtin_memcpy(&h, p, 2);
    return h;
}
// (v, v) as two int16, for v ∈ [−32768, 32767].
inline uint32_t pair(int32_t v) noexcept {
    const uint32_t h = uint32_t(v) & 0xffffu;
    return h | (h << 16);
}

}  // namespace ugrad::armv7em_dsp
