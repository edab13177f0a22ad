// SPDX-License-Identifier: Apache-2.0
// tools/q8/measured.cpp — what the int8 size and no-float checks measure: q8::forward and
// q8::input_gradient (label) of a 64-32-10 network (sigmoid hidden layer, softmax head), and nothing
// else. The weights come by reference (a firmware keeps them `const` in flash, in its own object),
// so this object's .text is the int8 path's code and its tables.
#include <stddef.h>

#include <ugrad/q8/q8.hpp>

using Q8SizeNet = ugrad::q8::Network<ugrad::Softmax, ugrad::q8::Dense<64, 32, ugrad::Sigmoid>, ugrad::q8::Dense<32, 10>>;

extern "C" {

ugrad::Status ugrad_q8_forward(const Q8SizeNet& net, const int8_t (&x)[64], Q8SizeNet::Activations& act) {
    return ugrad::q8::forward(net, x, act);
}

ugrad::Status ugrad_q8_input_gradient(const Q8SizeNet& net, const Q8SizeNet::Activations& act, size_t label,
                                      ugrad::q8::InputGradient<64>& dx) {
    return ugrad::q8::input_gradient(net, act, label, dx);
}

}  // extern "C"
