// SPDX-License-Identifier: Apache-2.0
// ugrad/layers.hpp — the names a network is built from: element-wise activations, dense layers and
// output heads. Tags only, shared by the float path (include/ugrad/network.hpp) and the int8 path
// (include/ugrad/q8/): what each one computes is written where it is computed.
//
// Row-vector convention, as Mlp: a layer maps x [In] to y = act(x·W + b) [Out], W [In][Out].
#pragma once

#include <stddef.h>

#include <ugrad/fp_contract.hpp>

UGRAD_FP_CONTRACT_OFF_BEGIN

namespace ugrad {

// Element-wise activations: y_j = act(r_j). Each Jacobian is diagonal, so backward multiplies by
// the slope act′(r_j) entry by entry.
struct Identity {};  // y = r;                   act′ = 1
struct Sigmoid {};   // y = σ(r) = 1/(1 + e^−r);  act′ = σ(r)·σ(−r)
struct Tanh {};      // y = tanh r;               act′ = (1 − y)(1 + y)
struct Relu {};      // y = max(r, 0), NaN stays NaN;  act′ = 1 for r > 0, else 0 (PyTorch's ReLU′(0) = 0)
struct Relu6 {};     // y = min(max(r, 0), 6), NaN stays NaN;  act′ = 1 for 0 < r < 6, else 0 (PyTorch's)

// y = act(x·W + b).   x [In], W [In][Out], b [Out], y [Out].   A plain aggregate:
// `const Dense<4, 3, Relu> layer = {{{...}, ...}, {...}};` lives in flash.
template <size_t In, size_t Out, class Act = Identity, typename T = float>
struct Dense {
    static_assert(In >= 1 && Out >= 1, "a Dense layer needs at least one unit");
    static constexpr size_t inputs = In;
    static constexpr size_t outputs = Out;
    static constexpr size_t parameters = In * Out + Out;  // W and b
    using activation = Act;
    using value_type = T;
    T w[In][Out];
    T b[Out];
};

// Output heads: each fixes ŷ from the last layer's output θ [Out], and the loss J.
// For all three, dJ/dθ = ŷ − y.
struct Softmax {};   // ŷ = softmax(θ);  J = −Σ_k y_k log ŷ_k  (a label, or a probability-vector target)
struct Logistic {};  // ŷ_k = σ(θ_k);    J = −Σ_k [y_k log ŷ_k + (1 − y_k) log(1 − ŷ_k)], y_k ∈ [0, 1];
                     //                  a label L stands for y = onehot(L) (with Out == 1: y = L, 0 or 1)
struct Linear {};    // ŷ = θ;           J = ½ Σ_k (ŷ_k − y_k)²  (a target only)

}  // namespace ugrad

UGRAD_FP_CONTRACT_OFF_END
