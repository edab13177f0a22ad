// SPDX-License-Identifier: Apache-2.0
// ugrad/ugrad.hpp — the one header a user includes.
//
// A freestanding C++17 library: neural networks with compile-time sizes — the seed two-layer
// perceptron Mlp (sigmoid hidden layer, softmax output) and any stack of dense layers, Network
// (Identity, Sigmoid, Tanh, ReLU; Softmax, Logistic, Linear heads) — their losses and the gradient
// of the loss with respect to the input, dJ/dx. No heap, exceptions, RTTI, libm or mutable static
// state. See README.md.
#pragma once

#include <ugrad/status.hpp>
#include <ugrad/math.hpp>
#include <ugrad/arrays.hpp>
#include <ugrad/updates.hpp>
#include <ugrad/kernels.hpp>
#include <ugrad/elementwise.hpp>
#include <ugrad/softmax.hpp>
#include <ugrad/heads.hpp>
#include <ugrad/mlp.hpp>
#include <ugrad/gradients.hpp>
#include <ugrad/jacobian.hpp>
#include <ugrad/layers.hpp>
#include <ugrad/activations.hpp>
#include <ugrad/slopes.hpp>
#include <ugrad/network.hpp>
#include <ugrad/network_slopes.hpp>
#include <ugrad/network_gradients.hpp>
#include <ugrad/network_jacobian.hpp>
