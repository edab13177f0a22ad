// SPDX-License-Identifier: Apache-2.0
// Specs: training with ugrad's own gradients (tools/train/training.hpp): a step lowers the loss,
// bad samples stop training with a status and leave the model alone, and re-training from the fixed
// seed reproduces the bundled model (examples/demo/digits_model.hpp, written by `make train`) bit
// for bit — built with g++ and with clang++, so both compilers must agree with it and each other.
#include <doctest/doctest.h>

#include <stdio.h>
#include <string.h>

#include <string>
#include <vector>

#include "../examples/demo/digits_model.hpp"
#include "../tools/train/digits_csv.hpp"
#include "../tools/train/training.hpp"
#include "support.hpp"

namespace {

using Net = ugrad::Mlp<64, 32, 10>;
using Grads = ugrad::Gradients<64, 32, 10>;

struct Digits {
    std::vector<train::Sample> train_set, test_set;
    Digits() { REQUIRE_MESSAGE(train::read_digits("data/digits.csv", train_set, test_set), "run from the repository root"); }
};

template <typename T>
T batch_loss(const ugrad::Mlp<64, 32, 10, T>& net, const std::vector<train::Sample>& data, size_t n) {
    T sum = T(0);
    for (size_t s = 0; s < n; ++s) {
        T x[64];
        for (size_t i = 0; i < 64; ++i) x[i] = static_cast<T>(data[s].pixel[i]) / T(16);
        ugrad::Activations<64, 32, 10, T> act;
        T loss = T(0);
        REQUIRE(ugrad::forward(net, x, act) == ugrad::Status::ok);
        REQUIRE(ugrad::cross_entropy(act, data[s].label, loss) == ugrad::Status::ok);
        sum = sum + loss;
    }
    return sum;
}

// One SGD step (η/B on the batch sum) on the first `n` samples; returns the loss before and after.
template <typename T>
void one_step(ugrad::Mlp<64, 32, 10, T>& net, const std::vector<train::Sample>& data, size_t n, T eta, T& before, T& after) {
    before = batch_loss(net, data, n);
    ugrad::Gradients<64, 32, 10, T> g = {};
    for (size_t s = 0; s < n; ++s) {
        T x[64];
        for (size_t i = 0; i < 64; ++i) x[i] = static_cast<T>(data[s].pixel[i]) / T(16);
        ugrad::Activations<64, 32, 10, T> act;
        REQUIRE(ugrad::forward(net, x, act) == ugrad::Status::ok);
        REQUIRE(ugrad::accumulate_gradients(net, x, act, data[s].label, g) == ugrad::Status::ok);
    }
    REQUIRE(ugrad::sgd_step(net, g, eta / static_cast<T>(n)) == ugrad::Status::ok);
    after = batch_loss(net, data, n);
}

}  // namespace

TEST_CASE("one SGD step lowers the loss of a fixed batch (float and double, fresh and trained models)") {
    Digits d;
    Net fresh;
    train::initialize(fresh, 7);
    float before = 0, after = 0;
    one_step(fresh, d.train_set, 32, 0.5f, before, after);
    CHECK(after < before);

    auto fresh_double = test::convert<double>(Net(fresh));
    double before_d = 0, after_d = 0;
    one_step(fresh_double, d.train_set, 32, 0.5, before_d, after_d);
    CHECK(after_d < before_d);

    // The bundled model has nearly converged; a small step must still go downhill on its batch.
    Net trained = digits_model;
    one_step(trained, d.test_set, 32, 0.05f, before, after);
    CHECK(after < before);
}

TEST_CASE("re-training from the fixed seed reproduces the bundled model bit for bit") {
    Digits d;
    const train::Config& c = train::digits_config;
    static Net net;
    static Grads grads;
    std::vector<uint16_t> order(d.train_set.size());
    uint32_t epochs_seen = 0;
    REQUIRE(train::train_model(net, grads, d.train_set.data(), order.data(), order.size(), d.test_set.data(),
                               d.test_set.size(), c, [&](uint32_t, const train::EpochResult&) { ++epochs_seen; }) ==
            ugrad::Status::ok);
    CHECK(epochs_seen == c.epochs);
    const uint64_t got = train::weights_hash(net), bundled = train::weights_hash(digits_model);
    char hashes[80];
    snprintf(hashes, sizeof hashes, "re-trained weights FNV-1a 64 %016llx, bundled %016llx",
             static_cast<unsigned long long>(got), static_cast<unsigned long long>(bundled));
    MESSAGE(hashes);
    CHECK_MESSAGE(memcmp(&net, &digits_model, sizeof net) == 0,
                  "the float path changed since examples/demo/digits_model.hpp was made: run `make train` and commit it");
    CHECK(got == bundled);

    // The bundled model's accuracy on the held-out fifth: the issue asks for at least 95%.
    const uint32_t correct = train::count_correct(digits_model, d.test_set.data(), d.test_set.size());
    MESSAGE("bundled model: ", correct, "/", d.test_set.size(), " test digits right");
    CHECK(correct * 100 >= 95 * d.test_set.size());
}

TEST_CASE("a bad sample stops training with its status and leaves the model as the last step left it") {
    Digits d;
    std::vector<train::Sample> data(d.train_set.begin(), d.train_set.begin() + 40);
    data[37].label = 10;  // out of range
    const train::Config c = {3, 1, 16, 0.5f, 0.9f};
    static Net net, before;
    static Grads grads;
    train::initialize(net, c.seed);
    grads = Grads{};
    std::vector<uint16_t> order(data.size());
    for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<uint16_t>(i);
    // Find the batch that holds sample 37 after the shuffle, and the model before that batch.
    train::SplitMix64 probe{c.seed + 1};
    std::vector<uint16_t> shuffled = order;
    train::shuffle(shuffled.data(), shuffled.size(), probe);
    size_t position = 0;
    while (shuffled[position] != 37) ++position;
    const size_t good_batches = position / c.batch;
    {
        // The same run without the bad sample's batch: the model the failing epoch must leave.
        before = net;
        static Grads g2;
        g2 = Grads{};
        for (size_t b = 0; b < good_batches; ++b) {
            for (size_t s = b * c.batch; s < (b + 1) * c.batch; ++s) {
                float x[64];
                train::to_input(data[shuffled[s]], x);
                ugrad::Activations<64, 32, 10> act;
                REQUIRE(ugrad::forward(before, x, act) == ugrad::Status::ok);
                REQUIRE(ugrad::accumulate_gradients(before, x, act, data[shuffled[s]].label, g2) == ugrad::Status::ok);
            }
            REQUIRE(ugrad::sgd_step(before, g2, c.learning_rate / static_cast<float>(c.batch), c.momentum) ==
                    ugrad::Status::ok);
        }
    }
    train::SplitMix64 rng{c.seed + 1};
    const train::EpochResult r = train::train_epoch(net, grads, data.data(), order.data(), order.size(), rng, c);
    CHECK(r.status == ugrad::Status::label_out_of_range);
    CHECK(memcmp(&net, &before, sizeof net) == 0);
}

TEST_CASE("initial weights: exact multiples of 2^-25 in [-1/4, 1/4) for W1, of 2^-24 in [-1/2, 1/2) for W2") {
    Net net;
    train::initialize(net, 12345);
    for (size_t i = 0; i < 64; ++i)
        for (size_t j = 0; j < 32; ++j) {
            const double w = static_cast<double>(net.w1[i][j]);
            CHECK(w >= -0.25);
            CHECK(w < 0.25);
            const double k = w * 33554432.0;  // 2^25
            CHECK(k == static_cast<double>(static_cast<int64_t>(k)));
        }
    for (size_t j = 0; j < 32; ++j)
        for (size_t k = 0; k < 10; ++k) {
            const double w = static_cast<double>(net.w2[j][k]);
            CHECK(w >= -0.5);
            CHECK(w < 0.5);
        }
    Net other;
    train::initialize(other, 12346);
    CHECK(memcmp(&net, &other, sizeof net) != 0);
}

TEST_CASE("reports are formatted with integers exactly as printf would print them") {
    // put_fixed6 against printf("%.6f"): random floats over many magnitudes, and exact ties (odd/128).
    test::Rng rng{99};
    for (int n = 0; n < 20000; ++n) {
        float v;
        if (n < 256) {
            v = static_cast<float>(2 * n + 1) / 128.0f;
        } else {
            const uint32_t bits = static_cast<uint32_t>(rng.next() % 0x42c80000u);  // [0, 100)
            memcpy(&v, &bits, sizeof v);
        }
        char mine[64], theirs[64];
        train::Text t{mine, sizeof mine, 0};
        t.put_fixed6(v);
        snprintf(theirs, sizeof theirs, "%.6f", static_cast<double>(v));
        CAPTURE(n);
        REQUIRE(std::string(mine) == std::string(theirs));
    }
    char buf[96];
    train::Text line{buf, sizeof buf, 0};
    train::format_epoch(line, 7, train::EpochResult{ugrad::Status::ok, 0.25f, 353}, 360);
    char expected[96];
    snprintf(expected, sizeof expected, "epoch %2u  loss %.6f (%08x)  test %u/%u = %.2f%%", 7u, 0.25, 0x3e800000u, 353u,
             360u, 353.0 * 100.0 / 360.0);
    CHECK(std::string(buf) == std::string(expected));
}
