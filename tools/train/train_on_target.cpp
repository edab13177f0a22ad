// SPDX-License-Identifier: Apache-2.0
// tools/train/train_on_target.cpp — `make train`'s whole training run (train::digits_config, all
// 1,437 training digits, 20 epochs, the test after each) on a microcontroller: it must print the
// host's per-epoch lines and weights hash bit for bit (mk/train.mk compares them). Output through
// hal_write and integer formatting only.
#include <hal.h>

#include "training.hpp"
// training.hpp first: the generated data header (tools/train/digits_subset.py) uses train::Sample.
#include "digits_data.hpp"

namespace {

constexpr size_t hidden = 32;
constexpr size_t train_count = sizeof digits_train / sizeof digits_train[0];
constexpr size_t test_count = sizeof digits_test / sizeof digits_test[0];

ugrad::Mlp<train::pixels, hidden, train::classes> net;
ugrad::Gradients<train::pixels, hidden, train::classes> grads;
uint16_t order[train_count];

}  // namespace

int main() {
    const uint64_t start = hal_instructions();
    const ugrad::Status status = train::train_model(
        net, grads, digits_train, order, train_count, digits_test, test_count, train::digits_config,
        [](uint32_t epoch, const train::EpochResult& r) {
            char buf[128];
            train::Text line{buf, sizeof buf, 0};
            train::format_epoch(line, epoch, r, static_cast<uint32_t>(test_count));
            line.put("\n");
            hal_write(buf);
        });
    if (status != ugrad::Status::ok) {
        hal_write("train: stopped: ");
        hal_write(ugrad::status_name(status));
        hal_write("\n");
        return 1;
    }
    char buf[128];
    train::Text t{buf, sizeof buf, 0};
    t.put("weights FNV-1a 64: ").put_hex(train::weights_hash(net), 16).put("\n");
    t.put("instructions for the whole run: ").put_uint(hal_instructions() - start).put("\n");
    hal_write(buf);
    return 0;
}
