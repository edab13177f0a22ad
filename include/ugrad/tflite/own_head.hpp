// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/own_head.hpp — ugrad's own softmax head on an int8 `.tflite` classifier's logits,
// beside TFLite's int8 SOFTMAX (whose bits the exported forward reproduces): the probabilities in
// Q15 and the loss J = −log ŷ_label, both right also where the model is confident.
//
// The logits are the SOFTMAX's int8 input l [Out] (scale s_l, zero point z_l): θ_k = s_l·(l_k − z_l).
//   probabilities_q15  ŷ = softmax(θ) in Q15 (ŷ_k·2^15, in [0, 32768]) by ugrad::q8's fixed-point
//                      head (ugrad/q8/heads.hpp), θ as Q12 codes round((l_k − z_l)·m·2^(E − 15)) with
//                      (m/2^15)·2^E the Q15 factor of 4096·s_l (the exporter's, as the backward's seed
//                      uses); TFLite's int8 softmax, by contrast, holds ŷ in 256 steps, so a confident
//                      class reads 1 and the rest 0.
//   loss               J = log Σ_k e^{θ_k} − θ_label in float by ugrad's log-sum-exp
//                      (ugrad/softmax.hpp): θ_k = float(l_k − z_l)·s_l, one rounding each, so
//                      Δ = u·max|θ| (u = 2^−24) and, from docs/derivation.md ("The guarantee,
//                      derived"), |Ĵ − J| <= ((e^{2Δ} − 1) + (w + 2·Out + 14)·u)·J with w the logits'
//                      spread, however small J is (a J of 1e-12 comes out to float's relative accuracy,
//                      not 0). A label outside [0, Out) gives label_out_of_range and J = NaN.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/fp_contract.hpp>
#include <ugrad/layers.hpp>
#include <ugrad/math.hpp>
#include <ugrad/q8/heads.hpp>
#include <ugrad/softmax.hpp>
#include <ugrad/status.hpp>
#include <ugrad/tflite/backward/heads.hpp>

// The float loss in the library's floating-point region (fp_contract.hpp: no contraction, and no
// MVE floating-point vectorization, which would flush a subnormal θ to zero).
UGRAD_FP_CONTRACT_OFF_BEGIN

namespace ugrad::tflite {

// ŷ [Out] in Q15 from the int8 logits l [Out]; theta the Q15 factor of 4096·s_l.
template <size_t Out>
inline void probabilities_q15(const int8_t* logits, int32_t zero_point, backward::Factor theta,
                              int32_t (&y_hat)[Out]) noexcept {
    int32_t q12[Out];
    for (size_t k = 0; k < Out; ++k)
        q12[k] = backward::scale_by_power((int32_t(logits[k]) - zero_point) * theta.m, theta.e - 15);
    q8::head_outputs(Softmax{}, q12, y_hat);
}

// J = −log ŷ_label in float from the int8 logits l [Out] of scale s_l.
template <size_t Out>
inline Status loss(const int8_t* logits, int32_t zero_point, float scale, int label, float& J) noexcept {
    if (label < 0 || size_t(label) >= Out) {
        J = quiet_nan<float>();
        return Status::label_out_of_range;
    }
    float theta[Out], log_p[Out];
    for (size_t k = 0; k < Out; ++k) theta[k] = float(int32_t(logits[k]) - zero_point) * scale;
    log_softmax(theta, log_p);
    J = -log_p[size_t(label)];
    return Status::ok;
}

}  // namespace ugrad::tflite

UGRAD_FP_CONTRACT_OFF_END
