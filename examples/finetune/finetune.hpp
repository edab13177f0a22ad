// SPDX-License-Identifier: Apache-2.0
// examples/finetune/finetune.hpp — on-device fine-tuning: the bundled digits model
// (examples/demo/digits_model.hpp, trained by `make train`) is copied into RAM and trained further,
// with ugrad's own gradients, on 300 digits that a misaligned sensor sees one pixel to the right;
// it reports per epoch the mean training loss and the accuracy on the 360 test digits (moved the
// same way). The same code runs on the host (host_main.cpp) and on every target (target_main.cpp),
// and prints the same characters: every float operation is the library's, every random number and
// every printed figure integer arithmetic (tools/train/training.hpp).
#pragma once

#include <stddef.h>
#include <stdint.h>

#include "training.hpp"
// training.hpp first: the generated data header (tools/train/digits_subset.py) uses train::Sample.
#include "finetune_data.hpp"
#include "demo/digits_model.hpp"

namespace finetune {

constexpr size_t hidden = 32;
using Net = ugrad::Mlp<train::pixels, hidden, train::classes>;
using Grads = ugrad::Gradients<train::pixels, hidden, train::classes>;
using Act = ugrad::Activations<train::pixels, hidden, train::classes>;

// seed (of the shuffles), epochs, batch, learning rate, momentum
constexpr train::Config config = {1u, 5u, 10u, 0.2f, 0.9f};

constexpr size_t train_count = sizeof finetune_train / sizeof finetune_train[0];
constexpr size_t test_count = sizeof finetune_test / sizeof finetune_test[0];

// All the RAM fine-tuning needs besides one Activations and the calls' locals on the stack:
// the parameters, the gradients (which also hold the momentum) and the visiting order.
struct State {
    Net net;
    Grads grads;
    uint16_t order[train_count];
};

// Runs the fine-tuning and writes its report through write(const char*), one line per call.
// Returns the FNV-1a 64 hash of the fine-tuned weights.
template <typename Write>
uint64_t run(State& s, Write write) {
    s.net = digits_model;
    s.grads = Grads{};
    for (size_t i = 0; i < train_count; ++i) s.order[i] = static_cast<uint16_t>(i);
    char buf[160];
    {
        train::Text t{buf, sizeof buf, 0};
        t.put("fine-tuning digits_model in RAM on ").put_uint(train_count).put(" digits moved 1 pixel right: seed ");
        t.put_uint(config.seed).put(", ").put_uint(config.epochs).put(" epochs, batch ").put_uint(config.batch);
        t.put(", lr ").put_fixed6(config.learning_rate).put(", momentum ").put_fixed6(config.momentum).put("\n");
        write(buf);
    }
    {
        train::Text t{buf, sizeof buf, 0};
        const uint32_t correct = train::count_correct(s.net, finetune_test, test_count);
        t.put("before    test ");
        train::put_score(t, correct, static_cast<uint32_t>(test_count));
        t.put("\n");
        write(buf);
    }
    train::SplitMix64 rng{config.seed};
    for (uint32_t epoch = 1; epoch <= config.epochs; ++epoch) {
        train::EpochResult r = train::train_epoch(s.net, s.grads, finetune_train, s.order, train_count, rng, config);
        train::Text t{buf, sizeof buf, 0};
        if (r.status != ugrad::Status::ok) {
            t.put("epoch ").put_uint(epoch).put(" stopped: ").put(ugrad::status_name(r.status)).put("\n");
            write(buf);
            return 0;
        }
        r.correct = train::count_correct(s.net, finetune_test, test_count);
        train::format_epoch(t, epoch, r, static_cast<uint32_t>(test_count));
        t.put("\n");
        write(buf);
    }
    const uint64_t hash = train::weights_hash(s.net);
    train::Text t{buf, sizeof buf, 0};
    t.put("weights FNV-1a 64: ").put_hex(hash, 16).put("\n");
    write(buf);
    return hash;
}

}  // namespace finetune
