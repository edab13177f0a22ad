// SPDX-License-Identifier: Apache-2.0
// The C interface (include/ugrad/ugrad.h) instantiated for one Mlp and for a Network under each head,
// as an exported model's C++ file does it: mk/checks.mk's check-warnings compiles it with every
// warning on (its other translation units, tests/lint/instantiate*.cpp, instantiate the rest).
#include <ugrad/ugrad.h>

UGRAD_C_DECLARE(c_mlp, 3, 4, 2)
UGRAD_C_DECLARE_NETWORK(c_softmax, 3, 2, 4 + 2 * 3 + 2 + 2 * 2)
UGRAD_C_DECLARE_NETWORK(c_logistic, 3, 2, 4 + 2 * 3 + 2 + 3 * 2)
UGRAD_C_DECLARE_NETWORK(c_linear, 3, 2, 4 + 2 * 3 + 2)

template <class Head>
using CNet = ugrad::Network<Head, ugrad::Dense<3, 4, ugrad::Relu>, ugrad::Dense<4, 3, ugrad::Sigmoid>, ugrad::Dense<3, 2>>;

inline constexpr ugrad::Mlp<3, 4, 2> c_mlp = {};
inline constexpr CNet<ugrad::Softmax> c_softmax = {};
inline constexpr CNet<ugrad::Logistic> c_logistic = {};
inline constexpr CNet<ugrad::Linear> c_linear = {};

UGRAD_C_DEFINE(c_mlp)
UGRAD_C_DEFINE_NETWORK(c_softmax)
UGRAD_C_DEFINE_NETWORK(c_logistic)
UGRAD_C_DEFINE_NETWORK(c_linear)
