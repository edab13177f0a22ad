// SPDX-License-Identifier: Apache-2.0
// bench/eigen_call.hpp — the same call done with Eigen 3.4 over the same row-major arrays
// (Eigen::Map), the same math and the same NaN/±inf checks as the library, so both do the same work.
// Eigen picks its own kernels (SSE2 at -O2, AVX2 and FMA intrinsics at -march=native).
#pragma once

#include <stddef.h>

#include <cmath>

#include <Eigen/Core>

#include <ugrad/mlp.hpp>

namespace bench {

template <size_t In, size_t Hidden, size_t Out>
__attribute__((noinline)) float call_eigen(const ugrad::Mlp<In, Hidden, Out>& net, const float (&x)[In], size_t label,
                                           float (&dx)[In]) {
    using RowMajor = Eigen::Matrix<float, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>;
    using HiddenRow = Eigen::Matrix<float, 1, static_cast<int>(Hidden)>;
    using OutRow = Eigen::Matrix<float, 1, static_cast<int>(Out)>;
    using InRow = Eigen::Matrix<float, 1, static_cast<int>(In)>;
    const Eigen::Map<const RowMajor> w1(&net.w1[0][0], In, Hidden);  // [In][Hidden]
    const Eigen::Map<const RowMajor> w2(&net.w2[0][0], Hidden, Out);  // [Hidden][Out]
    const Eigen::Map<const HiddenRow> b1(net.b1);
    const Eigen::Map<const OutRow> b2(net.b2);
    const Eigen::Map<const InRow> xv(x);
    Eigen::Map<InRow> dxv(dx);
    if (!xv.allFinite()) return -1;
    // r = x·W1 + b1;  h = σ(r);  σ'(r) = h ⊙ (1 − h)
    HiddenRow r = b1;
    r.noalias() += xv * w1;
    const Eigen::Array<float, 1, static_cast<int>(Hidden)> h = (1.0f + (-r.array()).exp()).inverse();
    const Eigen::Array<float, 1, static_cast<int>(Hidden)> dh_dr = h * (1.0f - h);
    // θ = h·W2 + b2;  log ŷ = (θ − m) − log Σ e^(θ − m);  ŷ = e^(θ − m) / Σ
    OutRow theta = b2;
    theta.noalias() += h.matrix() * w2;
    if (!theta.allFinite()) return -1;
    const float m = theta.maxCoeff();
    const Eigen::Array<float, 1, static_cast<int>(Out)> e = (theta.array() - m).exp();
    const float s = e.sum();
    const float log_s = std::log(s);
    const float loss = -((theta[static_cast<Eigen::Index>(label)] - m) - log_s);
    // dJ/dθ = ŷ − onehot;  dJ/dr = (dJ/dθ·W2ᵀ) ⊙ σ'(r);  dJ/dx = dJ/dr·W1ᵀ
    OutRow dlogits = (e / s).matrix();
    dlogits[static_cast<Eigen::Index>(label)] -= 1.0f;
    HiddenRow dr;
    dr.noalias() = dlogits * w2.transpose();
    dr.array() *= dh_dr;
    dxv.noalias() = dr * w1.transpose();
    if (!dxv.allFinite()) return -1;
    return loss;
}

}  // namespace bench
