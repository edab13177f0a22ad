// SPDX-License-Identifier: Apache-2.0
// bench/mlperf_tiny.hpp — the five MLPerf Tiny reference architectures as ugrad Network types, in
// float (the models themselves: ../shared/data/mlperf-tiny/; their weights are not needed for the
// sizes, and the benchmarks fill them at random). Shapes as the benchmark's reference models give
// them, batch-norm folded into the convolutions; HWC.
#pragma once

#include <stddef.h>

#include <ugrad/ugrad.hpp>

namespace mlperf_tiny {

using ugrad::Conv2D;
using ugrad::Dense;
using ugrad::DepthwiseConv2D;
using ugrad::GlobalAveragePool;
using ugrad::Hwc;
using ugrad::Identity;
using ugrad::IdentityShortcut;
using ugrad::Kernel;
using ugrad::Relu;
using ugrad::Residual;
using ugrad::Same;
using ugrad::Stride;
using ugrad::Valid;

// A depthwise 3×3 (stride S) then a pointwise 1×1 to F channels, both ReLU: MobileNet's and the
// DS-CNN's separable convolution, as two layers.
template <size_t H, size_t W, size_t C, size_t F, size_t S, typename T>
using DepthwiseOf = DepthwiseConv2D<Hwc<H, W, C>, Kernel<3, 3>, Stride<S, S>, Same, Relu, T>;
template <size_t H, size_t W, size_t C, size_t F, size_t S, typename T>
using PointwiseOf = Conv2D<Hwc<(H + S - 1) / S, (W + S - 1) / S, C>, F, Kernel<1, 1>, Stride<1, 1>, Same, Relu, T>;

// Keyword spotting, DS-CNN: 49×10×1 MFCCs; Conv 10×4 stride 2 → 25×5×64; four depthwise 3×3 +
// pointwise 64; average pool; dense 64 → 12.
template <typename T = float>
using KeywordSpotting =
    ugrad::Network<ugrad::Softmax, Conv2D<Hwc<49, 10, 1>, 64, Kernel<10, 4>, Stride<2, 2>, Same, Relu, T>,
                   DepthwiseOf<25, 5, 64, 64, 1, T>, PointwiseOf<25, 5, 64, 64, 1, T>, DepthwiseOf<25, 5, 64, 64, 1, T>,
                   PointwiseOf<25, 5, 64, 64, 1, T>, DepthwiseOf<25, 5, 64, 64, 1, T>, PointwiseOf<25, 5, 64, 64, 1, T>,
                   DepthwiseOf<25, 5, 64, 64, 1, T>, PointwiseOf<25, 5, 64, 64, 1, T>,
                   GlobalAveragePool<Hwc<25, 5, 64>, Identity, T>, Dense<64, 12, Identity, T>>;

// Image classification, ResNet-8: 32×32×3; Conv 3×3 → 16; three residual blocks (16 @ 32², 32 @ 16²,
// 64 @ 8²), two 3×3 convolutions each, a 1×1 stride-2 shortcut where the shape changes; average
// pool; dense 64 → 10.
template <size_t H, size_t C, typename T>
using IdentityBlock = Residual<IdentityShortcut, Relu, Conv2D<Hwc<H, H, C>, C, Kernel<3, 3>, Stride<1, 1>, Same, Relu, T>,
                               Conv2D<Hwc<H, H, C>, C, Kernel<3, 3>, Stride<1, 1>, Same, Identity, T>>;
template <size_t H, size_t C, size_t F, typename T>
using DownBlock = Residual<Conv2D<Hwc<H, H, C>, F, Kernel<1, 1>, Stride<2, 2>, Same, Identity, T>, Relu,
                           Conv2D<Hwc<H, H, C>, F, Kernel<3, 3>, Stride<2, 2>, Same, Relu, T>,
                           Conv2D<Hwc<H / 2, H / 2, F>, F, Kernel<3, 3>, Stride<1, 1>, Same, Identity, T>>;
template <typename T = float>
using ImageClassification =
    ugrad::Network<ugrad::Softmax, Conv2D<Hwc<32, 32, 3>, 16, Kernel<3, 3>, Stride<1, 1>, Same, Relu, T>,
                   IdentityBlock<32, 16, T>, DownBlock<32, 16, 32, T>, DownBlock<16, 32, 64, T>,
                   GlobalAveragePool<Hwc<8, 8, 64>, Identity, T>, Dense<64, 10, Identity, T>>;

// Visual wake words, MobileNetV1 × 0.25: 96×96×3; Conv 3×3 stride 2 → 8; thirteen depthwise 3×3 +
// pointwise (16, 32, 32, 64, 64, 128 ×6, 256, 256; stride 2 at the 2nd, 4th, 6th and 12th);
// average pool; dense 256 → 2.
template <typename T = float>
using VisualWakeWords = ugrad::Network<
    ugrad::Softmax, Conv2D<Hwc<96, 96, 3>, 8, Kernel<3, 3>, Stride<2, 2>, Same, Relu, T>,  // 48×48×8
    DepthwiseOf<48, 48, 8, 16, 1, T>, PointwiseOf<48, 48, 8, 16, 1, T>,                     // 48×48×16
    DepthwiseOf<48, 48, 16, 32, 2, T>, PointwiseOf<48, 48, 16, 32, 2, T>,                   // 24×24×32
    DepthwiseOf<24, 24, 32, 32, 1, T>, PointwiseOf<24, 24, 32, 32, 1, T>,                   // 24×24×32
    DepthwiseOf<24, 24, 32, 64, 2, T>, PointwiseOf<24, 24, 32, 64, 2, T>,                   // 12×12×64
    DepthwiseOf<12, 12, 64, 64, 1, T>, PointwiseOf<12, 12, 64, 64, 1, T>,                   // 12×12×64
    DepthwiseOf<12, 12, 64, 128, 2, T>, PointwiseOf<12, 12, 64, 128, 2, T>,                 // 6×6×128
    DepthwiseOf<6, 6, 128, 128, 1, T>, PointwiseOf<6, 6, 128, 128, 1, T>,                   // ×5
    DepthwiseOf<6, 6, 128, 128, 1, T>, PointwiseOf<6, 6, 128, 128, 1, T>,
    DepthwiseOf<6, 6, 128, 128, 1, T>, PointwiseOf<6, 6, 128, 128, 1, T>,
    DepthwiseOf<6, 6, 128, 128, 1, T>, PointwiseOf<6, 6, 128, 128, 1, T>,
    DepthwiseOf<6, 6, 128, 128, 1, T>, PointwiseOf<6, 6, 128, 128, 1, T>,
    DepthwiseOf<6, 6, 128, 256, 2, T>, PointwiseOf<6, 6, 128, 256, 2, T>,                   // 3×3×256
    DepthwiseOf<3, 3, 256, 256, 1, T>, PointwiseOf<3, 3, 256, 256, 1, T>,                   // 3×3×256
    GlobalAveragePool<Hwc<3, 3, 256>, Identity, T>, Dense<256, 2, Identity, T>>;

// Streaming wake word: 30 frames × 40 features (30×1×40); four depthwise convolutions along time
// (kernels 3, 5, 10, 15, Valid) each followed by a pointwise ReLU (128, 128, 128, 32); dense 32 → 3.
template <typename T = float>
using StreamingWakeWord = ugrad::Network<
    ugrad::Softmax, DepthwiseConv2D<Hwc<30, 1, 40>, Kernel<3, 1>, Stride<1, 1>, Valid, Identity, T>,  // 28×1×40
    Conv2D<Hwc<28, 1, 40>, 128, Kernel<1, 1>, Stride<1, 1>, Valid, Relu, T>,
    DepthwiseConv2D<Hwc<28, 1, 128>, Kernel<5, 1>, Stride<1, 1>, Valid, Identity, T>,  // 24×1×128
    Conv2D<Hwc<24, 1, 128>, 128, Kernel<1, 1>, Stride<1, 1>, Valid, Relu, T>,
    DepthwiseConv2D<Hwc<24, 1, 128>, Kernel<10, 1>, Stride<1, 1>, Valid, Identity, T>,  // 15×1×128
    Conv2D<Hwc<15, 1, 128>, 128, Kernel<1, 1>, Stride<1, 1>, Valid, Relu, T>,
    DepthwiseConv2D<Hwc<15, 1, 128>, Kernel<15, 1>, Stride<1, 1>, Valid, Identity, T>,  // 1×1×128
    Conv2D<Hwc<1, 1, 128>, 32, Kernel<1, 1>, Stride<1, 1>, Valid, Relu, T>, Dense<32, 3, Identity, T>>;

// Anomaly detection: a dense autoencoder 640 → 128 ×4 → 8 → 128 ×4 → 640, ReLU inside; the loss is
// the reconstruction's squared error (a Linear head).
template <typename T = float>
using AnomalyDetection =
    ugrad::Network<ugrad::Linear, Dense<640, 128, Relu, T>, Dense<128, 128, Relu, T>, Dense<128, 128, Relu, T>,
                   Dense<128, 128, Relu, T>, Dense<128, 8, Relu, T>, Dense<8, 128, Relu, T>, Dense<128, 128, Relu, T>,
                   Dense<128, 128, Relu, T>, Dense<128, 128, Relu, T>, Dense<128, 640, Identity, T>>;

// Multiply-accumulates of one forward pass (TFLite's count: every tap of every window, padding
// included; pools and the residual sums count none).
template <class L>
struct Macs {
    static constexpr size_t value = 0;  // the pools
};
template <size_t In, size_t Out, class A, typename T>
struct Macs<Dense<In, Out, A, T>> {
    static constexpr size_t value = In * Out;
};
template <class In, size_t F, class K, class S, class P, class A, typename T>
struct Macs<Conv2D<In, F, K, S, P, A, T>> {
    static constexpr size_t value = Conv2D<In, F, K, S, P, A, T>::outputs * K::height * K::width * In::channels;
};
template <class In, class K, class S, class P, class A, typename T>
struct Macs<DepthwiseConv2D<In, K, S, P, A, T>> {
    static constexpr size_t value = DepthwiseConv2D<In, K, S, P, A, T>::outputs * K::height * K::width;
};
template <class Sc, class A, class... Branch>
struct Macs<Residual<Sc, A, Branch...>> {
    static constexpr size_t value = (Macs<Branch>::value + ... + Macs<Sc>::value);
};
template <>
struct Macs<IdentityShortcut> {
    static constexpr size_t value = 0;
};
template <class Net>
struct NetworkMacs;
template <class Head, class... Layers>
struct NetworkMacs<ugrad::Network<Head, Layers...>> {
    static constexpr size_t value = (Macs<Layers>::value + ...);
};

// TFLM's arena for the int8 model with CMSIS-NN on a Cortex-M4F (../shared/data/mlperf-tiny/README.md).
constexpr size_t tflm_arena_kws = 22820, tflm_arena_ic = 54996, tflm_arena_vww = 100708, tflm_arena_sww = 16596,
                 tflm_arena_ad = 2580;

}  // namespace mlperf_tiny
