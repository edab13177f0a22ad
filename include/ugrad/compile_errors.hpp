// SPDX-License-Identifier: Apache-2.0
// ugrad/compile_errors.hpp — what the compiler says when a network or a call does not fit: types
// whose names, with their template arguments, are the message.
//
// A call given an array of the wrong size (x, dx, a target, dlogits, a Jacobian) picks an overload
// that is declared, never defined, to return one of the incomplete types below, so the compiler's
// first error is at the call and names both sizes:
//   g++      error: invalid use of incomplete type 'struct ugrad::error::x_has<12>::entries_but_this_network_takes<13>'
//   clang++  error: implicit instantiation of undefined template 'ugrad::error::x_has<12>::entries_but_this_network_takes<13>'
// A network's shape is checked by a static_assert inside a template named the same way, which both
// compilers name next to the message (g++ in the "In instantiation of" line above it, clang++ as
// the requirement, e.g. '8UL == 7UL'):
//   error::a_layer_gives<8>::outputs_but_the_next_layer_takes<7>    layers that do not chain
//   error::network_depth<33>                                         more layers than max_network_depth
#pragma once

#include <stddef.h>

#include <ugrad/fp_contract.hpp>

UGRAD_FP_CONTRACT_OFF_BEGIN

namespace ugrad {

// A Network has 1 to max_network_depth layers (include/ugrad/network.hpp writes out one aggregate
// per depth, so that `{{w0, b0}, {w1, b1}, ...}` initializes it).
constexpr size_t max_network_depth = 32;

namespace error {

// An input or output array of the wrong size: Given entries where the network has Expected.
template <size_t Given>
struct x_has {
    template <size_t Expected>
    struct entries_but_this_network_takes;
};
template <size_t Given>
struct dx_has {
    template <size_t Expected>
    struct entries_but_this_network_takes;
};
template <size_t Given>
struct target_has {
    template <size_t Expected>
    struct entries_but_this_network_gives;
};
template <size_t Given>
struct dlogits_has {
    template <size_t Expected>
    struct entries_but_this_network_gives;
};
// jac [Rows][Columns] where the network's Jacobian is [Out][In].
template <size_t Rows, size_t Columns>
struct jac_is {
    template <size_t Out, size_t In>
    struct but_this_network_needs;
};

// A class label handed to a network whose head is Linear (its loss is the squared error to a target).
struct a_linear_head_takes_a_target_not_a_label;

// Layer l gives Out values and layer l + 1 takes In.
template <size_t Out>
struct a_layer_gives {
    template <size_t In>
    struct outputs_but_the_next_layer_takes {
        static_assert(Out == In, "each layer's In must equal the previous layer's Out");
        static constexpr bool checked = true;
    };
};

template <size_t Depth>
struct network_depth {
    static_assert(Depth >= 1 && Depth <= max_network_depth, "a Network has 1 to 32 layers");
    static constexpr bool checked = true;
};

}  // namespace error

namespace detail {

template <bool Condition, class T = void>
struct enable_if {};
template <class T>
struct enable_if<true, T> {
    using type = T;
};
template <bool Condition, class T = void>
using enable_if_t = typename enable_if<Condition, T>::type;

}  // namespace detail

}  // namespace ugrad

UGRAD_FP_CONTRACT_OFF_END
