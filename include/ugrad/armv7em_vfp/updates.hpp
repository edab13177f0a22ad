// SPDX-License-Identifier: Apache-2.0
// ugrad/armv7em_vfp/updates.hpp — the training loops of include/ugrad/gradients.hpp (outer
// products into a gradient or into the weights, the SGD update, the finiteness sum) for the
// Armv7E-M single-precision VFP, in inline assembly: Cortex-M4F, M7, M33, M55.
//
// Picked with ugrad/armv7em_vfp/kernels.hpp by include/ugrad/kernels.hpp (UGRAD_HAS_TARGET_UPDATES);
// gradients.hpp calls them for float. Same bits as the portable loops (ugrad::scalar in
// gradients.hpp), by construction and by test (tests/target/kernels_vs_scalar.cpp):
//   - VMUL.F32 d, n, m is the rounded n·m; VMLA.F32 d, n, m is d + (n·m) with the product rounded
//     first, two roundings, as the C expression d + n·m with -ffp-contract=off;
//   - p − η·t is computed as p + (−η)·t: (−η)·t rounds to exactly −(η·t) (round to nearest is
//     symmetric), and IEEE defines p − q as p + (−q), zero signs included. A NaN product is the
//     same NaN either way (a NaN operand's, or the default NaN from 0·∞), which VMLS (p − (n·m)
//     with the NaN's sign flipped) would not keep. Needs η not NaN: every caller checks η finite.
// Each weight costs a VMUL and a VMLA (P ← P − η·(a_i·b)), or one VMLA (G ← G + a_i·b,
// p ← p − η·g), and eight weights move in one VLDM and one VSTM; GCC emits a VMUL, a VADD or VSUB
// and a VLDR/VSTR per operand for the C loops.
//
// Registers: s0, s1 the scalars (a_i, −η, μ), s8-s15 a block of b or g, s16-s23 a block of P or
// G, s24-s31 eight zeros (descend, μ = 0). All are declared clobbered, so the compiler saves the
// callee-saved s16-s31 around each call (sum_any_order uses s0-s15 only).
#pragma once

#include <stddef.h>
#include <stdint.h>

namespace ugrad {
namespace target {

// Built for size (-Os: UGRAD_COMPACT_KERNELS), one block of eight per pass of every loop;
// otherwise a row's blocks are written out (up to four) and the flat loops take four per pass.
constexpr uint32_t unroll_updates = UGRAD_COMPACT_KERNELS ? 0 : 1;

#define UGRAD_VFP_UPDATE_CLOBBERS                                                                  \
    "s0", "s1", "s2", "s3", "s4", "s5", "s6", "s7", "s8", "s9", "s10", "s11", "s12", "s13", "s14", \
        "s15", "s16", "s17", "s18", "s19", "s20", "s21", "s22", "s23", "s24", "s25", "s26", "s27", \
        "s28", "s29", "s30", "s31", "cc", "memory"

// Every instruction is written out (no .rept or .irp), as in kernels.hpp: GCC sizes an asm
// statement by its lines.

// Move COUNT (1..8, an expression) registers s<FIRST>..s<LAST> by a VLDM/VSTM-form INSN at P:
// LAST is FIRST + 7 for a whole block, %c[last_FIRST] = FIRST + COUNT - 1 for a tail.
#define UGRAD_VFP_MOVE(INSN, P, FIRST, COUNT, LAST)          \
    ".if " COUNT " == 1\n\t" INSN " " P ", {s" FIRST "}\n\t" \
    ".else\n\t" INSN " " P ", {s" FIRST "-s" LAST "}\n\t.endif\n\t"

// Lane K of a block of COUNT lanes (an expression): OP s<D+K>, s<N>, s<M+K>, D and M one of 8, 16, 24.
#define UGRAD_VFP_LANE(OP, COUNT, D, N, M, K) \
    ".if " #K " < " COUNT "\n\t" OP " s" UGRAD_VFP_R##D##_##K ", s" #N ", s" UGRAD_VFP_R##M##_##K "\n\t.endif\n\t"
#define UGRAD_VFP_LANES(OP, COUNT, D, N, M)                                     \
    UGRAD_VFP_LANE(OP, COUNT, D, N, M, 0) UGRAD_VFP_LANE(OP, COUNT, D, N, M, 1) \
    UGRAD_VFP_LANE(OP, COUNT, D, N, M, 2) UGRAD_VFP_LANE(OP, COUNT, D, N, M, 3) \
    UGRAD_VFP_LANE(OP, COUNT, D, N, M, 4) UGRAD_VFP_LANE(OP, COUNT, D, N, M, 5) \
    UGRAD_VFP_LANE(OP, COUNT, D, N, M, 6) UGRAD_VFP_LANE(OP, COUNT, D, N, M, 7)
#define UGRAD_VFP_R8_0 "8"
#define UGRAD_VFP_R8_1 "9"
#define UGRAD_VFP_R8_2 "10"
#define UGRAD_VFP_R8_3 "11"
#define UGRAD_VFP_R8_4 "12"
#define UGRAD_VFP_R8_5 "13"
#define UGRAD_VFP_R8_6 "14"
#define UGRAD_VFP_R8_7 "15"
#define UGRAD_VFP_R16_0 "16"
#define UGRAD_VFP_R16_1 "17"
#define UGRAD_VFP_R16_2 "18"
#define UGRAD_VFP_R16_3 "19"
#define UGRAD_VFP_R16_4 "20"
#define UGRAD_VFP_R16_5 "21"
#define UGRAD_VFP_R16_6 "22"
#define UGRAD_VFP_R16_7 "23"
#define UGRAD_VFP_R24_0 "24"
#define UGRAD_VFP_R24_1 "25"
#define UGRAD_VFP_R24_2 "26"
#define UGRAD_VFP_R24_3 "27"
#define UGRAD_VFP_R24_4 "28"
#define UGRAD_VFP_R24_5 "29"
#define UGRAD_VFP_R24_6 "30"
#define UGRAD_VFP_R24_7 "31"

// One block of COUNT (an expression) columns of an outer-product row, b's block at [bp], the
// row's at [p] (both advanced): s8.. = b, s16.. = the row;
//   OUTER_ADD:     s16+k = s16+k + s0·s8+k                     (G[i][j] + a_i·b[j])
//   OUTER_DESCEND: s8+k = s0·s8+k, then s16+k = s16+k + s1·s8+k  (P[i][j] + (−η)·(a_i·b[j]))
#define UGRAD_VFP_OUTER_BLOCK(COUNT, L8, L16)             \
    UGRAD_VFP_MOVE("vldmia   ", "%[bp]!", "8", COUNT, L8) \
    UGRAD_VFP_MOVE("vldm     ", "%[p]", "16", COUNT, L16) \
    ".if %c[descend]\n\t"                                 \
    UGRAD_VFP_LANES("vmul.f32 ", COUNT, 8, 0, 8)          \
    UGRAD_VFP_LANES("vmla.f32 ", COUNT, 16, 1, 8)         \
    ".else\n\t"                                           \
    UGRAD_VFP_LANES("vmla.f32 ", COUNT, 16, 0, 8)         \
    ".endif\n\t"                                          \
    UGRAD_VFP_MOVE("vstmia   ", "%[p]!", "16", COUNT, L16)

// The rows of an outer-product update, Q [N][M] (M = 8·Blocks + Tail), a [N], b [M]:
//   add_outer (Descend = 0):     Q[i][j] = Q[i][j] + a[i]·b[j]
//   descend_outer (Descend = 1): Q[i][j] = Q[i][j] + (−η)·(a[i]·b[j])  (= Q − η·(a·b), see above)
// i then j ascending; a row with a[i] = 0 (either sign) is skipped, as the portable loops do.
template <size_t Blocks, size_t Tail, bool Descend>
inline void outer_rows(float* q, const float* a, const float* b, size_t rows, float neg_eta) noexcept {
    static_assert(Tail < 8, "a tail is shorter than a block");
    uint32_t n = static_cast<uint32_t>(rows);
    const float* bp;  // b's block in the row (the row loop sets it)
    uint32_t k;        // blocks left in the row, when they are looped
    __asm__ volatile(
        ".if %c[descend]\n\t"
        "vmov      s1, %[neg_eta]\n\t"
        ".endif\n"
        "1:\n\t"
        "vldmia    %[a]!, {s0}\n\t"
        "vcmp.f32  s0, #0\n\t"
        "vmrs      APSR_nzcv, fpscr\n\t"
        "bne       2f\n\t"
        "add       %[p], %[p], %[row_bytes]\n\t"
        "b         5f\n"
        "2:\n\t"
        "mov       %[bp], %[b]\n\t"
        ".if %c[blocks] > 0\n\t"
        ".if %c[unroll] && %c[blocks] <= 4\n\t"
        UGRAD_VFP_OUTER_BLOCK("8", "15", "23")
        ".if %c[blocks] > 1\n\t" UGRAD_VFP_OUTER_BLOCK("8", "15", "23") ".endif\n\t"
        ".if %c[blocks] > 2\n\t" UGRAD_VFP_OUTER_BLOCK("8", "15", "23") ".endif\n\t"
        ".if %c[blocks] > 3\n\t" UGRAD_VFP_OUTER_BLOCK("8", "15", "23") ".endif\n\t"
        ".else\n\t"
        "mov       %[k], %[blocks]\n"
        "3:\n\t"
        UGRAD_VFP_OUTER_BLOCK("8", "15", "23")
        "subs      %[k], %[k], #1\n\t"
        "bne       3b\n\t"
        ".endif\n\t"
        ".endif\n\t"
        ".if %c[tail] > 0\n\t"
        UGRAD_VFP_OUTER_BLOCK("%c[tail]", "%c[last_8]", "%c[last_16]")
        ".endif\n"
        "5:\n\t"
        "subs      %[n], %[n], #1\n\t"
        "bne       1b\n\t"
        : [p] "+r"(q), [a] "+r"(a), [n] "+r"(n), [bp] "=&r"(bp), [k] "=&r"(k)
        : [b] "r"(b), [row_bytes] "r"((8 * Blocks + Tail) * sizeof(float)), [neg_eta] "r"(neg_eta),
          [blocks] "i"(Blocks), [tail] "i"(Tail), [descend] "i"(Descend ? 1 : 0), [unroll] "i"(unroll_updates),
          [last_8] "i"(Tail == 0 ? 15 : 7 + Tail), [last_16] "i"(Tail == 0 ? 23 : 15 + Tail)
        : UGRAD_VFP_UPDATE_CLOBBERS);
}

#undef UGRAD_VFP_OUTER_BLOCK

// G += aᵀ·b.   a [N], b [M], G [N][M] (rows with a[i] = 0 skipped).
template <size_t N, size_t M>
inline void add_outer(const float (&a)[N], const float (&b)[M], float (&g)[N][M]) noexcept {
    outer_rows<M / 8, M % 8, false>(&g[0][0], a, b, N, 0.0f);
}

// P ← P − η·(aᵀ·b), each term rounded as η·(a[i]·b[j]).   a [N], b [M], P [N][M]; η not NaN.
template <size_t N, size_t M>
inline void descend_outer(float (&p)[N][M], const float (&a)[N], const float (&b)[M], float learning_rate) noexcept {
    outer_rows<M / 8, M % 8, true>(&p[0][0], a, b, N, -learning_rate);
}

// One block of COUNT (an expression) entries of a flat update, v's block at [v], p's at [p] (both advanced):
//   Mode 0: p = p + s0·v                 (p − η·d, d unchanged)
//   Mode 1: p = p + s0·v, then v = 0     (s24-s31 hold zeros)
//   Mode 2: p = p + s0·v, then v = s1·v  (v ← μ·v)
#define UGRAD_VFP_FLAT_BLOCK(COUNT, L8, L16, L24)          \
    ".if %c[mode] == 0\n\t"                                \
    UGRAD_VFP_MOVE("vldmia   ", "%[v]!", "8", COUNT, L8)   \
    ".else\n\t"                                            \
    UGRAD_VFP_MOVE("vldm     ", "%[v]", "8", COUNT, L8)    \
    ".endif\n\t"                                           \
    UGRAD_VFP_MOVE("vldm     ", "%[p]", "16", COUNT, L16)  \
    UGRAD_VFP_LANES("vmla.f32 ", COUNT, 16, 0, 8)          \
    UGRAD_VFP_MOVE("vstmia   ", "%[p]!", "16", COUNT, L16) \
    ".if %c[mode] == 1\n\t"                                \
    UGRAD_VFP_MOVE("vstmia   ", "%[v]!", "24", COUNT, L24) \
    ".elseif %c[mode] == 2\n\t"                            \
    UGRAD_VFP_LANES("vmul.f32 ", COUNT, 8, 1, 8)           \
    UGRAD_VFP_MOVE("vstmia   ", "%[v]!", "8", COUNT, L8)   \
    ".endif\n\t"

// p ← p + (−η)·v over Count entries (= p − η·v, see above), and v as Mode says (0: kept, 1: zeroed,
// 2: v ← μ·v), entry by entry in order. Blocks of eight (four per pass unless built for size), then
// the last Count mod 8.
template <size_t Count, int Mode>
inline void descend_flat(float* p, float* v, float neg_eta, float momentum) noexcept {
    constexpr size_t blocks = Count / 8;
    constexpr size_t per_pass = unroll_updates ? 4 : 1;
    uint32_t passes = static_cast<uint32_t>(blocks / per_pass);
    __asm__ volatile(
        "vmov      s0, %[neg_eta]\n\t"
        ".if %c[mode] == 1\n\t"
        "vldm      %[zero], {s24-s31}\n\t"
        ".elseif %c[mode] == 2\n\t"
        "vmov      s1, %[momentum]\n\t"
        ".endif\n\t"
        ".if %c[has_passes]\n"
        "1:\n\t"
        UGRAD_VFP_FLAT_BLOCK("8", "15", "23", "31")
        ".if %c[per_pass] == 4\n\t"
        UGRAD_VFP_FLAT_BLOCK("8", "15", "23", "31")
        UGRAD_VFP_FLAT_BLOCK("8", "15", "23", "31")
        UGRAD_VFP_FLAT_BLOCK("8", "15", "23", "31")
        ".endif\n\t"
        "subs      %[passes], %[passes], #1\n\t"
        "bne       1b\n\t"
        ".endif\n\t"
        ".if %c[rest] > 0\n\t" UGRAD_VFP_FLAT_BLOCK("8", "15", "23", "31") ".endif\n\t"
        ".if %c[rest] > 1\n\t" UGRAD_VFP_FLAT_BLOCK("8", "15", "23", "31") ".endif\n\t"
        ".if %c[rest] > 2\n\t" UGRAD_VFP_FLAT_BLOCK("8", "15", "23", "31") ".endif\n\t"
        ".if %c[tail] > 0\n\t" UGRAD_VFP_FLAT_BLOCK("%c[tail]", "%c[last_8]", "%c[last_16]", "%c[last_24]") ".endif\n\t"
        : [p] "+r"(p), [v] "+r"(v), [passes] "+r"(passes)
        : [neg_eta] "r"(neg_eta), [momentum] "r"(momentum), [zero] "r"(zero_lanes), [mode] "i"(Mode),
          [per_pass] "i"(per_pass), [rest] "i"(blocks % per_pass), [tail] "i"(Count % 8),
          [last_8] "i"(Count % 8 == 0 ? 15 : 7 + Count % 8), [last_16] "i"(Count % 8 == 0 ? 23 : 15 + Count % 8),
          [last_24] "i"(Count % 8 == 0 ? 31 : 23 + Count % 8), [has_passes] "i"(blocks / per_pass > 0 ? 1 : 0)
        : UGRAD_VFP_UPDATE_CLOBBERS);
}

#undef UGRAD_VFP_FLAT_BLOCK

// p ← p − η·v, then v ← μ·v (v ← 0 when μ = 0).   p, v [Count] (any array, flattened); η not NaN.
template <size_t Count>
inline void descend(float* p, float* v, float learning_rate, float momentum) noexcept {
    if (momentum == 0.0f)
        descend_flat<Count, 1>(p, v, -learning_rate, momentum);
    else
        descend_flat<Count, 2>(p, v, -learning_rate, momentum);
}

// p ← p − η·d.   p, d [Count]; η not NaN.
template <size_t Count>
inline void descend(float* p, const float* d, float learning_rate) noexcept {
    descend_flat<Count, 0>(p, const_cast<float*>(d), -learning_rate, 0.0f);  // Mode 0 only reads d
}

// Σ v[0..n) in any order, for the finiteness checks (the sum is finite when every v is, unless it
// overflows): two lanes s0, s1 from +0; v by blocks of eight, entries 0, 2, 4, 6 into s0 and
// 1, 3, 5, 7 into s1; the last n mod 8 one at a time into s0; then s0 + s1. About 1.3 instructions
// an entry (the portable bit test takes four), in the caller-saved s0-s15 only: nothing to save.
inline float sum_any_order(const float* v, size_t n) noexcept {
    uint32_t blocks = static_cast<uint32_t>(n / 8);
    uint32_t rest = static_cast<uint32_t>(n % 8);
    float sum;
    __asm__ volatile(
        "vldm      %[zero], {s0-s1}\n\t"
        "cmp       %[blocks], #0\n\t"
        "beq       2f\n"
        "1:\n\t"
        "vldmia    %[v]!, {s8-s15}\n\t"
        "vadd.f32  s0, s0, s8\n\t"
        "vadd.f32  s1, s1, s9\n\t"
        "vadd.f32  s0, s0, s10\n\t"
        "vadd.f32  s1, s1, s11\n\t"
        "vadd.f32  s0, s0, s12\n\t"
        "vadd.f32  s1, s1, s13\n\t"
        "vadd.f32  s0, s0, s14\n\t"
        "vadd.f32  s1, s1, s15\n\t"
        "subs      %[blocks], %[blocks], #1\n\t"
        "bne       1b\n"
        "2:\n\t"
        "cmp       %[rest], #0\n\t"
        "beq       4f\n"
        "3:\n\t"
        "vldmia    %[v]!, {s8}\n\t"
        "vadd.f32  s0, s0, s8\n\t"
        "subs      %[rest], %[rest], #1\n\t"
        "bne       3b\n"
        "4:\n\t"
        "vadd.f32  s0, s0, s1\n\t"
        "vmov      %[sum], s0\n\t"
        : [v] "+r"(v), [blocks] "+r"(blocks), [rest] "+r"(rest), [sum] "=r"(sum)
        : [zero] "r"(zero_lanes)
        : "s0", "s1", "s8", "s9", "s10", "s11", "s12", "s13", "s14", "s15", "cc", "memory");
    return sum;
}

// Is every v[0..n) finite? The bits of Σ v_i·(+0) shifted left by one: each product is ±0 for a
// finite v_i and NaN for ±inf or NaN, so the sum is ±0 or NaN (it cannot overflow) and the result
// is 0 exactly when every entry is finite. VMLA into s0 from +0 (s1 = +0): v by blocks of eight,
// then the last n mod 8 one at a time. About 1.4 instructions an entry (the portable bit test
// takes four to seven), in the caller-saved s0-s1, s8-s15 only: nothing to save.
inline uint32_t non_finite_bits(const float* v, size_t n) noexcept {
    uint32_t blocks = static_cast<uint32_t>(n / 8);
    uint32_t rest = static_cast<uint32_t>(n % 8);
    uint32_t bits = 0;
    __asm__ volatile(
        "vmov      s0, s1, %[bits], %[bits]\n\t"
        "cbz       %[blocks], 2f\n"
        "1:\n\t"
        "vldmia    %[v]!, {s8-s15}\n\t"
        "vmla.f32  s0, s8, s1\n\t"
        "vmla.f32  s0, s9, s1\n\t"
        "vmla.f32  s0, s10, s1\n\t"
        "vmla.f32  s0, s11, s1\n\t"
        "vmla.f32  s0, s12, s1\n\t"
        "vmla.f32  s0, s13, s1\n\t"
        "vmla.f32  s0, s14, s1\n\t"
        "vmla.f32  s0, s15, s1\n\t"
        "subs      %[blocks], %[blocks], #1\n\t"
        "bne       1b\n"
        "2:\n\t"
        "cbz       %[rest], 4f\n"
        "3:\n\t"
        "vldmia    %[v]!, {s8}\n\t"
        "vmla.f32  s0, s8, s1\n\t"
        "subs      %[rest], %[rest], #1\n\t"
        "bne       3b\n"
        "4:\n\t"
        "vmov      %[bits], s0\n\t"
        "lsls      %[bits], %[bits], #1\n\t"
        : [v] "+l"(v), [blocks] "+l"(blocks), [rest] "+l"(rest), [bits] "+l"(bits)
        :
        : "s0", "s1", "s8", "s9", "s10", "s11", "s12", "s13", "s14", "s15", "cc", "memory");
    return bits;
}

#undef UGRAD_VFP_LANES
#undef UGRAD_VFP_LANE
#undef UGRAD_VFP_R8_0
#undef UGRAD_VFP_R8_1
#undef UGRAD_VFP_R8_2
#undef UGRAD_VFP_R8_3
#undef UGRAD_VFP_R8_4
#undef UGRAD_VFP_R8_5
#undef UGRAD_VFP_R8_6
#undef UGRAD_VFP_R8_7
#undef UGRAD_VFP_R16_0
#undef UGRAD_VFP_R16_1
#undef UGRAD_VFP_R16_2
#undef UGRAD_VFP_R16_3
#undef UGRAD_VFP_R16_4
#undef UGRAD_VFP_R16_5
#undef UGRAD_VFP_R16_6
#undef UGRAD_VFP_R16_7
#undef UGRAD_VFP_R24_0
#undef UGRAD_VFP_R24_1
#undef UGRAD_VFP_R24_2
#undef UGRAD_VFP_R24_3
#undef UGRAD_VFP_R24_4
#undef UGRAD_VFP_R24_5
#undef UGRAD_VFP_R24_6
#undef UGRAD_VFP_R24_7
#undef UGRAD_VFP_MOVE
#undef UGRAD_VFP_UPDATE_CLOBBERS

}  // namespace target
}  // namespace ugrad
