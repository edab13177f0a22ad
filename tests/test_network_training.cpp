// SPDX-License-Identifier: Apache-2.0
// ugrad: host-only
// Specs: a deeper Network trains with the library's own calls. A 64-32-16-10 ReLU network learns
// data/digits.csv (the 8×8 digits, split as tools/train/digits_csv.hpp fixes: every fifth line is a
// test digit) with forward, loss, accumulate_gradients and sgd_step (mini-batches with momentum),
// and with the batch-1 sgd_step, from a fixed seed: deterministic, a fraction of a second.
// The seeds are fixed, and they matter at the margin: over other seeds the same recipes land
// between 96.4% and 98.3% (347 to 354 of the 360 test digits; the threshold is 350).
#include <doctest/doctest.h>

#include <stdint.h>

#include <memory>
#include <vector>

#include "../tools/train/digits_csv.hpp"
#include "../tools/train/training.hpp"

namespace {

using Net = ugrad::Network<ugrad::Softmax, ugrad::Dense<64, 32, ugrad::Relu>, ugrad::Dense<32, 16, ugrad::Relu>,
                           ugrad::Dense<16, 10>>;

// He-like initial weights on train::uniform_weight's exact grid: W0 in [−1/4, 1/4) (fan-in 64),
// W1 and W2 in [−1/2, 1/2) (fan-in 32 and 16), biases 0.
void initialize(Net& net, uint64_t seed) {
    train::SplitMix64 rng{seed};
    auto fill = [&rng](auto& dense, int32_t e) {
        for (auto& row : dense.w)
            for (float& w : row) w = train::uniform_weight(rng, e);
        for (float& b : dense.b) b = 0.0f;
    };
    fill(net.layer0, -2);
    fill(net.layer1, -1);
    fill(net.layer2, -1);
}

// Test digits whose largest output is the label.
size_t count_correct(const Net& net, const std::vector<train::Sample>& test) {
    size_t correct = 0;
    for (const train::Sample& s : test) {
        float x[64];
        train::to_input(s, x);
        Net::Activations act;
        REQUIRE(ugrad::forward(net, x, act) == ugrad::Status::ok);
        const auto& y = ugrad::outputs(act);
        size_t best = 0;
        for (size_t k = 1; k < 10; ++k)
            if (y[k] > y[best]) best = k;
        correct += best == s.label;
    }
    return correct;
}

struct Digits {
    std::vector<train::Sample> train_set, test_set;
    Digits() { REQUIRE_MESSAGE(train::read_digits("data/digits.csv", train_set, test_set), "run from the repository root"); }
};

}  // namespace

TEST_CASE("a 64-32-16-10 ReLU Network trained with accumulate_gradients and sgd_step gets at least 97% of the test digits right") {
    Digits d;
    auto net = std::make_unique<Net>();
    auto grads = std::make_unique<Net::Gradients>();
    initialize(*net, 7);
    *grads = {};
    std::vector<uint16_t> order(d.train_set.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<uint16_t>(i);
    train::SplitMix64 rng{8};
    // η = 0.05 on the batch mean, a quarter of it for the second half; μ = 0.9.
    const size_t batch = 16, epochs = 30;
    const float momentum = 0.9f;
    float first_epoch_loss = 0, last_epoch_loss = 0;
    for (size_t epoch = 0; epoch < epochs; ++epoch) {
        const float rate = (epoch < epochs / 2 ? 0.05f : 0.0125f) / static_cast<float>(batch);
        train::shuffle(order.data(), order.size(), rng);
        float loss_sum = 0;
        for (size_t start = 0; start < order.size(); start += batch) {
            const size_t end = start + batch < order.size() ? start + batch : order.size();
            for (size_t n = start; n < end; ++n) {
                const train::Sample& s = d.train_set[order[n]];
                float x[64], J = 0;
                train::to_input(s, x);
                Net::Activations act;
                REQUIRE(ugrad::forward(*net, x, act) == ugrad::Status::ok);
                REQUIRE(ugrad::loss(act, s.label, J) == ugrad::Status::ok);
                REQUIRE(ugrad::accumulate_gradients(*net, x, act, s.label, *grads) == ugrad::Status::ok);
                loss_sum += J;
            }
            REQUIRE(ugrad::sgd_step(*net, *grads, rate, momentum) == ugrad::Status::ok);
        }
        (epoch == 0 ? first_epoch_loss : last_epoch_loss) = loss_sum / static_cast<float>(order.size());
    }
    const size_t correct = count_correct(*net, d.test_set);
    MESSAGE("64-32-16-10 ReLU, ", epochs, " epochs of batch ", batch, " with momentum: mean loss ", first_epoch_loss,
            " (first epoch) -> ", last_epoch_loss, " (last); ", correct, "/", d.test_set.size(), " test digits right");
    CHECK(last_epoch_loss < first_epoch_loss);
    CHECK(correct * 100 >= 97 * d.test_set.size());
}

TEST_CASE("the same network trained with the batch-1 sgd_step (no gradient buffer) gets at least 97% of the test digits right") {
    Digits d;
    auto net = std::make_unique<Net>();
    initialize(*net, 99);
    std::vector<uint16_t> order(d.train_set.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<uint16_t>(i);
    train::SplitMix64 rng{100};
    const size_t epochs = 10;
    for (size_t epoch = 0; epoch < epochs; ++epoch) {
        train::shuffle(order.data(), order.size(), rng);
        const float rate = epoch < epochs / 2 ? 0.02f : 0.005f;
        for (uint16_t n : order) {
            const train::Sample& s = d.train_set[n];
            float x[64];
            train::to_input(s, x);
            Net::Activations act;
            REQUIRE(ugrad::forward(*net, x, act) == ugrad::Status::ok);
            REQUIRE(ugrad::sgd_step(*net, x, act, s.label, rate) == ugrad::Status::ok);
        }
    }
    const size_t correct = count_correct(*net, d.test_set);
    MESSAGE("64-32-16-10 ReLU, ", epochs, " epochs of batch-1 steps: ", correct, "/", d.test_set.size(),
            " test digits right");
    CHECK(correct * 100 >= 97 * d.test_set.size());
}
