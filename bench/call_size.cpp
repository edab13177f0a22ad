// SPDX-License-Identifier: Apache-2.0
// bench/call_size.cpp — the code of one 64-32-10 call (forward + cross_entropy + input_gradient),
// compiled alone so that mk/bench.mk can size it with and without a target's own kernels.
#include "ugrad_call.hpp"

template float bench::call_ugrad<64, 32, 10>(const ugrad::Mlp<64, 32, 10>&, const float (&)[64], size_t,
                                             float (&)[64]);
