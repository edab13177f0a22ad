// SPDX-License-Identifier: Apache-2.0
// ugrad/q8/q8.hpp — the int8 path: what a user includes (ugrad::q8::Network, Dense, forward,
// input_gradient). Integer arithmetic only; include/ugrad/q8/to_float.hpp is the host-side helper.
#pragma once

#include <ugrad/q8/network.hpp>
