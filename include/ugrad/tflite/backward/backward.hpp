// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/backward/backward.hpp — dJ/dx of an int8 `.tflite` model in integers: what a header
// written by tools/export_model.py includes for its input_gradient.
//
// The walk back from the loss (heads.hpp) through every operator, in the block-exponent integers of
// block_gradient.hpp: one int32 buffer per tensor gradient with one power of two, |codes| <= 2^14
// between layers; masks (activation_mask.hpp) and argmaxes (pool_add_backward.hpp) from the tape the
// forward kept; the transposed products with the int8 weights (weighted_backward.hpp). The result:
// dJ/dx_i = gradient[i]·2^exponent per input code (×1/input_scale per real input unit... i.e. divide
// by input_scale for dJ/d(real x)). Freestanding: no heap, no libm, no mutable state.
#pragma once

#include <stdint.h>

#include <ugrad/status.hpp>
#include <ugrad/tflite/backward/activation_mask.hpp>
#include <ugrad/tflite/backward/block_gradient.hpp>
#include <ugrad/tflite/backward/heads.hpp>
#include <ugrad/tflite/backward/pool_add_backward.hpp>
#include <ugrad/tflite/backward/weighted_backward.hpp>

namespace ugrad::tflite::backward {

// What input_gradient returns: ok, or label_out_of_range (the gradient then is not written);
// dJ/dx_i = gradient[input_gradient_offset + i]·2^exponent (exponent 0 for an all-zero gradient);
// the label the loss took (the predicted class for label −1; −1 for an autoencoder).
struct InputGradient {
    Status status;
    int32_t exponent;
    int32_t label;
};

}  // namespace ugrad::tflite::backward
