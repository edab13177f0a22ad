// SPDX-License-Identifier: Apache-2.0
// tools/size/measured.cpp — what `make size` measures: forward, cross_entropy and input_gradient
// of ugrad for a 64-32-10 network, and nothing else. The weights are not here: the model comes in
// by reference (firmware keeps it `const` in flash, in its own object), so this object's size is
// the library's code alone. C linkage keeps the three entry points' names plain for the tools.
#include <stddef.h>

#include <ugrad/ugrad.hpp>

#include "measured.hpp"

extern "C" {

ugrad::Status ugrad_size_forward(const SizeNet& net, const float (&x)[size_in], SizeActivations& act) {
    return ugrad::forward(net, x, act);
}

ugrad::Status ugrad_size_cross_entropy(const SizeActivations& act, size_t label, float& loss) {
    return ugrad::cross_entropy(act, label, loss);
}

ugrad::Status ugrad_size_input_gradient(const SizeNet& net, const SizeActivations& act, size_t label,
                                        float (&dx)[size_in]) {
    return ugrad::input_gradient(net, act, label, dx);
}

}  // extern "C"
