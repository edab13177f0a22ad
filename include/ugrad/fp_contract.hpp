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
// The same pair turns off -Wfloat-equal inside the library: its == and != on floats are exact by
// design (an exact zero skipped, 1 + e == 1 tested, a 0/1 label value), so the including program
// can build with -Wfloat-equal (or clang's -Weverything) without warnings from ugrad's headers.
#pragma once

#if defined(__clang__)
#define UGRAD_FP_CONTRACT_OFF_BEGIN                                                     \
    _Pragma("float_control(push)") _Pragma("clang fp contract(off)") _Pragma("clang diagnostic push") \
        _Pragma("clang diagnostic ignored \"-Wfloat-equal\"")
#define UGRAD_FP_CONTRACT_OFF_END _Pragma("clang diagnostic pop") _Pragma("float_control(pop)")
#elif defined(__GNUC__)
#define UGRAD_FP_CONTRACT_OFF_BEGIN                                                        \
    _Pragma("GCC push_options") _Pragma("GCC optimize(\"fp-contract=off\")") _Pragma("GCC diagnostic push") \
        _Pragma("GCC diagnostic ignored \"-Wfloat-equal\"")
#define UGRAD_FP_CONTRACT_OFF_END _Pragma("GCC diagnostic pop") _Pragma("GCC pop_options")
#else
#define UGRAD_FP_CONTRACT_OFF_BEGIN
#define UGRAD_FP_CONTRACT_OFF_END
#endif
