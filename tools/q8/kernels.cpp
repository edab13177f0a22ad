// SPDX-License-Identifier: Apache-2.0
// tools/q8/kernels.cpp — the int8 path's loops over weights alone, for make q8-no-float: the
// forward and backward kernels and the per-unit factor step must hold no division (no divide
// instruction, no call to a division helper).
#include <stddef.h>
#include <stdint.h>

#include <ugrad/q8/q8.hpp>

extern "C" void ugrad_q8_kernels(const int8_t* x, const int8_t* w, const int32_t* b, int32_t* acc, int32_t* g,
                                 int32_t* v, const int32_t* m, const uint8_t* n, int32_t& e) {
    int32_t xz[64];
    ugrad::q8::detail::affine(x, -128, w, b, 64, 32, acc, xz);
    ugrad::q8::normalize15(g, 32, e);
    ugrad::q8::detail::apply_factors(g, m, n, 32, e);
    ugrad::q8::detail::affine_t(g, w, 64, 32, v);  // g is overwritten
}
