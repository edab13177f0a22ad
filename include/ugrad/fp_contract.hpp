// SPDX-License-Identifier: Apache-2.0
// ugrad/fp_contract.hpp — every library header's arithmetic is compiled with contraction off
// (no fused multiply-add), whatever -ffp-contract the including program is built with.
//
// Each library header opens UGRAD_FP_CONTRACT_OFF_BEGIN before its code and closes
// UGRAD_FP_CONTRACT_OFF_END after it, so the including program's own code keeps its flags:
//   GCC    #pragma GCC push_options / optimize("fp-contract=off") / pop_options: the functions
//          defined in between carry -ffp-contract=off. GCC does not inline them into a caller
//          built with other options (it still inlines them into each other), so their
//          arithmetic stays unfused: a program built without -ffp-contract=off (GCC's default is
//          =fast) gets the same bits, for a call or so per library entry point; with the flag,
//          nothing changes.
//   Clang  #pragma float_control(push) / clang fp contract(off) / float_control(pop): honoured
//          per statement, inlined or not, at Clang's default (-ffp-contract=on) and with =off;
//          Clang's -ffp-contract=fast ignores the pragma by design (=fast-honor-pragmas keeps it).
// README ("Bit-identical results") says which builds still need -ffp-contract=off.
//
// On a core with MVE floating point (Armv8.1-M with Helium, e.g. Cortex-M55: __ARM_FEATURE_MVE & 2)
// GCC's region also carries optimize("no-tree-vectorize"). An MVE floating-point instruction
// (VMUL.F32 q, VADD.F32 q, VFMA.F32 q, ...) runs under the architecture's "standard FPSCR value",
// not FPSCR: subnormal inputs and results are flushed to zero and a NaN result is the default NaN,
// whatever FPSCR.FZ and FPSCR.DN say, as on Neon. The scalar FPU honours FPSCR.FZ = 0. Yet GCC
// (12) vectorizes float loops with MVE at -O2 for -mcpu=cortex-m55 -mfloat-abi=hard, where for
// Neon it waits for -funsafe-math-optimizations: a sigmoid slope or a probability that is
// subnormal became 0 (golden case network-saturation). Not vectorized, the library's float code
// runs on the scalar FPU, rounding for rounding as on the M4F; its hot loops there are the
// Armv7E-M VFP kernels' inline assembly anyway (kernels.hpp), which no vectorizer touches. As with
// contraction, GCC does not inline these functions into a caller built without
// -fno-tree-vectorize, so the caller's vectorizer never sees their loops; the program's own code
// keeps its flags. Cores without MVE floating point (M4F, M7, M33, x86, ...) get the region
// unchanged. Clang (14) vectorizes with MVE floating point too, and has no pragma to turn that
// off for a region: with Clang on such a core, pass -fno-vectorize -fno-slp-vectorize.
//
// The same pair turns off -Wfloat-equal inside the library: its == and != on floats are exact by
// design (an exact zero skipped, 1 + e == 1 tested, a 0/1 label value), so the including program
// can build with -Wfloat-equal (or clang's -Weverything) without warnings from ugrad's headers.
#pragma once

#if defined(__clang__)
#define UGRAD_FP_CONTRACT_OFF_BEGIN                                                     \
    _Pragma("float_control(push)") _Pragma("clang fp contract(off)") _Pragma("clang diagnostic push") \
        _Pragma("clang diagnostic ignored \"-Wfloat-equal\"")
#define UGRAD_FP_CONTRACT_OFF_END _Pragma("clang diagnostic pop") _Pragma("float_control(pop)")
#elif defined(__GNUC__) && defined(__ARM_FEATURE_MVE) && (__ARM_FEATURE_MVE & 2)
#define UGRAD_FP_CONTRACT_OFF_BEGIN                                                               \
    _Pragma("GCC push_options") _Pragma("GCC optimize(\"fp-contract=off\", \"no-tree-vectorize\")") \
        _Pragma("GCC diagnostic push") _Pragma("GCC diagnostic ignored \"-Wfloat-equal\"")
#define UGRAD_FP_CONTRACT_OFF_END _Pragma("GCC diagnostic pop") _Pragma("GCC pop_options")
#elif defined(__GNUC__)
#define UGRAD_FP_CONTRACT_OFF_BEGIN                                                        \
    _Pragma("GCC push_options") _Pragma("GCC optimize(\"fp-contract=off\")") _Pragma("GCC diagnostic push") \
        _Pragma("GCC diagnostic ignored \"-Wfloat-equal\"")
#define UGRAD_FP_CONTRACT_OFF_END _Pragma("GCC diagnostic pop") _Pragma("GCC pop_options")
#else
#define UGRAD_FP_CONTRACT_OFF_BEGIN
#define UGRAD_FP_CONTRACT_OFF_END
#endif
