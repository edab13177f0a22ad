// SPDX-License-Identifier: Apache-2.0
// tools/size/measured.hpp — the three entry points `make size` measures (measured.cpp).
#pragma once

#include <stddef.h>

#include <ugrad/ugrad.hpp>

constexpr size_t size_in = 64, size_hidden = 32, size_out = 10;
using SizeNet = ugrad::Mlp<size_in, size_hidden, size_out>;
using SizeActivations = ugrad::Activations<size_in, size_hidden, size_out>;

extern "C" {
ugrad::Status ugrad_size_forward(const SizeNet& net, const float (&x)[size_in], SizeActivations& act);
ugrad::Status ugrad_size_cross_entropy(const SizeActivations& act, size_t label, float& loss);
ugrad::Status ugrad_size_input_gradient(const SizeNet& net, const SizeActivations& act, size_t label,
                                        float (&dx)[size_in]);
}
