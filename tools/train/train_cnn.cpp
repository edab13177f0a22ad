// SPDX-License-Identifier: Apache-2.0
// tools/train/train_cnn.cpp — a small CNN trained on the bundled 8×8 digits by ugrad's own
// gradients: Conv 3×3 ×16 Same ReLU → MaxPool 2×2 → Conv 3×3 ×32 Same ReLU → Dense 512 → 10, softmax.
// Mini-batch SGD with momentum (accumulate_gradients per sample, then sgd_step), each training
// digit also shifted by one pixel at random (the digits are not centred the same way), the
// learning rate falling linearly to zero. Deterministic: SplitMix64 from a fixed seed, one thread.
//
//   train_cnn --data data/digits.csv [--report FILE] [--seed S] [--epochs E] [--batch B] [--rate η]
// prints one line per epoch, then the test accuracy (ugrad's predict on the 360 test digits);
// --report writes that as a Markdown line; exits 1 below 98 %.
#include <cstdio>
#include <cstring>
#include <type_traits>
#include <vector>

#include <ugrad/ugrad.hpp>

#include "digits_csv.hpp"

namespace {

using namespace ugrad;
using Net = Network<Softmax, Conv2D<Hwc<8, 8, 1>, 16, Kernel<3, 3>, Stride<1, 1>, Same, Relu>,  // 8×8×16
                    MaxPool2D<Hwc<8, 8, 16>, Window<2, 2>>,                                     // 4×4×16
                    Conv2D<Hwc<4, 4, 16>, 32, Kernel<3, 3>, Stride<1, 1>, Same, Relu>,          // 4×4×32
                    Dense<512, 10>>;

// Every float of a (multi-dimensional) array.
template <typename A, typename F>
void for_each_value(A& a, F f) {
    if constexpr (std::is_array_v<A>)
        for (auto& e : a) for_each_value(e, f);
    else
        f(a);
}

struct Config {
    uint64_t seed = 1;
    uint32_t epochs = 40;
    uint32_t batch = 16;
    float learning_rate = 0.05f;  // for the batch mean, falling linearly to 0
    float momentum = 0.9f;
};

// Weights uniform in ±2^e, e from the fan-in (about He's scale for ReLU layers), biases 0.
template <class L>
void initialize_layer(L& layer, train::SplitMix64& rng, int32_t e) {
    for_each_value(layer.w, [&](float& w) { w = train::uniform_weight(rng, e); });
    for (float& b : layer.b) b = 0.0f;
}

void initialize(Net& net, uint64_t seed) {
    train::SplitMix64 rng{seed};
    initialize_layer(layer<0>(net), rng, -1);  // fan-in 9
    initialize_layer(layer<2>(net), rng, -3);  // fan-in 144
    initialize_layer(layer<3>(net), rng, -4);  // fan-in 512
}

// x = pixel/16, shifted by (dy, dx) with zeros coming in.
void to_input(const train::Sample& s, int dy, int dx, float (&x)[64]) {
    for (int y = 0; y < 8; ++y)
        for (int c = 0; c < 8; ++c) {
            const int sy = y - dy, sx = c - dx;
            x[y * 8 + c] = (sy >= 0 && sy < 8 && sx >= 0 && sx < 8) ? static_cast<float>(s.pixel[sy * 8 + sx]) / 16.0f : 0.0f;
        }
}

size_t argmax(const float (&p)[10]) {
    size_t best = 0;
    for (size_t k = 1; k < 10; ++k) best = p[k] > p[best] ? k : best;
    return best;
}

uint32_t test_correct(const Net& net, const std::vector<train::Sample>& test) {
    static Net::Inference inf;
    uint32_t correct = 0;
    for (const auto& s : test) {
        float x[64];
        to_input(s, 0, 0, x);
        if (predict(net, x, inf) != Status::ok) return 0;
        correct += argmax(outputs(inf)) == s.label ? 1u : 0u;
    }
    return correct;
}

}  // namespace

int main(int argc, char** argv) {
    const char* data = "data/digits.csv";
    const char* report = nullptr;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--data") == 0) data = argv[i + 1];
        else if (std::strcmp(argv[i], "--report") == 0) report = argv[i + 1];
    }
    std::vector<train::Sample> train_set, test_set;
    if (!train::read_digits(data, train_set, test_set)) return 1;
    Config c;
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::strcmp(argv[i], "--seed") == 0) c.seed = std::strtoull(argv[i + 1], nullptr, 10);
        else if (std::strcmp(argv[i], "--epochs") == 0) c.epochs = static_cast<uint32_t>(std::strtoul(argv[i + 1], nullptr, 10));
        else if (std::strcmp(argv[i], "--batch") == 0) c.batch = static_cast<uint32_t>(std::strtoul(argv[i + 1], nullptr, 10));
        else if (std::strcmp(argv[i], "--rate") == 0) c.learning_rate = std::strtof(argv[i + 1], nullptr);
    }
    static Net net, grads;
    initialize(net, c.seed);
    std::memset(&grads, 0, sizeof grads);
    static Net::Activations act;
    train::SplitMix64 rng{c.seed + 1};
    std::vector<uint16_t> order(train_set.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<uint16_t>(i);
    const uint64_t steps = static_cast<uint64_t>(c.epochs) * ((order.size() + c.batch - 1) / c.batch);
    uint64_t step = 0;
    uint32_t correct = 0;
    for (uint32_t epoch = 1; epoch <= c.epochs; ++epoch) {
        train::shuffle(order.data(), order.size(), rng);
        double loss_sum = 0;
        for (size_t start = 0; start < order.size(); start += c.batch) {
            const size_t end = start + c.batch < order.size() ? start + c.batch : order.size();
            for (size_t i = start; i < end; ++i) {
                const train::Sample& s = train_set[order[i]];
                const uint64_t r = rng.next();
                float x[64];
                to_input(s, static_cast<int>(r % 3) - 1, static_cast<int>((r >> 8) % 3) - 1, x);
                float J = 0;
                if (forward(net, x, act) != Status::ok || loss(act, s.label, J) != Status::ok ||
                    accumulate_gradients(net, x, act, s.label, grads) != Status::ok) {
                    std::fprintf(stderr, "train_cnn: a call failed at epoch %u\n", epoch);
                    return 1;
                }
                loss_sum += static_cast<double>(J);
            }
            const float progress = static_cast<float>(step) / static_cast<float>(steps);
            const float eta = c.learning_rate * (1.0f - progress) / static_cast<float>(end - start);
            if (sgd_step(net, grads, eta, c.momentum) != Status::ok) {
                std::fprintf(stderr, "train_cnn: sgd_step refused at epoch %u\n", epoch);
                return 1;
            }
            ++step;
        }
        correct = test_correct(net, test_set);
        std::printf("epoch %2u  mean loss %.4f  test %u/%zu\n", epoch, loss_sum / static_cast<double>(order.size()),
                    correct, test_set.size());
    }
    const double accuracy = 100.0 * correct / static_cast<double>(test_set.size());
    std::printf("train_cnn: test accuracy %.2f %% (%u/%zu), ugrad's predict\n", accuracy, correct, test_set.size());
    if (report) {
        FILE* f = std::fopen(report, "w");
        if (f) {
            std::fprintf(f, "A CNN (Conv 3×3 ×16 Same ReLU, MaxPool 2×2, Conv 3×3 ×32 Same ReLU, Dense 512 → 10) trained by "
                            "ugrad's own gradients (`make train-cnn`: %u epochs of SGD, batch %u, momentum %.1f, one-pixel "
                            "shifts): **%.2f %%** of the 360 test digits (%u/%zu), by ugrad's `predict`.\n",
                         c.epochs, c.batch, static_cast<double>(c.momentum), accuracy, correct, test_set.size());
            std::fclose(f);
        }
    }
    return accuracy >= 98.0 ? 0 : 1;
}
