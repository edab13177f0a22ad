// SPDX-License-Identifier: Apache-2.0
// mlperf_memory — prints docs/mlperf-tiny.md's memory table: for each MLPerf Tiny architecture in
// float (bench/mlperf_tiny.hpp), its multiply-accumulates, its parameters (flash), the RAM of
// inference alone (predict: one arena, Net::Inference), of forward + dJ/dx (Net::Slopes: each
// layer's slope, one bit per ReLU output, and one work buffer for the forward arena and the
// backward walk) and of forward + the weight gradients' walk (Net::Activations: every layer's
// output, and the walk's buffers), beside TFLM's arena for the int8 model; all from sizeof.
#include <cstdio>

#include "../bench/mlperf_tiny.hpp"

namespace {

template <class Net>
void row(const char* name, size_t tflm_arena) {
    using T = typename Net::value_type;
    constexpr size_t macs = mlperf_tiny::NetworkMacs<Net>::value;
    constexpr size_t inference = sizeof(typename Net::Inference);
    static_assert(inference == (Net::Inference::arena_size + (ugrad::detail::same_type<typename Net::head_type, ugrad::Linear>::value
                                                                  ? 0
                                                                  : 2 * Net::outputs)) * sizeof(T),
                  "Inference holds the arena and the head's values, nothing else");
    constexpr size_t slopes = sizeof(typename Net::Slopes);
    constexpr size_t kept = sizeof(typename Net::Activations);
    constexpr size_t walk = sizeof(ugrad::detail::WalkBuffers<typename Net::shape>);
    std::printf("| %s | %zu | %.2f M | %zu B | %zu B | %zu B | %.1f× | %zu B | %.1f× | %zu B (%zu B) |\n", name, Net::depth,
                static_cast<double>(macs) / 1e6, sizeof(Net), tflm_arena, inference,
                static_cast<double>(inference) / static_cast<double>(tflm_arena), slopes,
                static_cast<double>(slopes) / static_cast<double>(tflm_arena), kept, walk);
}

}  // namespace

int main() {
    std::printf("| architecture | layers | MACs | parameters (flash) | TFLM int8 arena | `predict` RAM (float): `Inference` | ÷ TFLM | forward + dJ/dx RAM: `Slopes` | ÷ TFLM | forward + weight gradients RAM: `Activations` (of which the walk's buffers) |\n");
    std::printf("|---|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
    row<mlperf_tiny::AnomalyDetection<>>("anomaly detection (dense autoencoder)", mlperf_tiny::tflm_arena_ad);
    row<mlperf_tiny::KeywordSpotting<>>("keyword spotting (DS-CNN)", mlperf_tiny::tflm_arena_kws);
    row<mlperf_tiny::ImageClassification<>>("image classification (ResNet-8)", mlperf_tiny::tflm_arena_ic);
    row<mlperf_tiny::VisualWakeWords<>>("visual wake words (MobileNetV1 0.25)", mlperf_tiny::tflm_arena_vww);
    row<mlperf_tiny::StreamingWakeWord<>>("streaming wake word", mlperf_tiny::tflm_arena_sww);
    return 0;
}
