// SPDX-License-Identifier: Apache-2.0
// examples/finetune/target_main.cpp — the fine-tuning run of finetune.hpp on a microcontroller,
// then what it costs there: the RAM training needs, and the instructions of one training step
// (forward, all gradients, SGD update; batch 1) counted by the target's instruction counter.
// Output through hal_write and integer formatting only, so it runs on targets without a libc.
#include <hal.h>

#include "finetune.hpp"

namespace {

finetune::State state;

void write(const char* line) { hal_write(line); }

void write_line(const char* label, uint64_t value, const char* unit) {
    char buf[128];
    train::Text t{buf, sizeof buf, 0};
    t.put(label).put_uint(value).put(unit).put("\n");
    hal_write(buf);
}

// One training step on one digit, batch 1, through a Gradients buffer: x = pixels/16, forward,
// dJ/dW into grads (zero on entry, as sgd_step with μ = 0 leaves them), W ← W − η·dJ/dW.
__attribute__((noinline)) ugrad::Status buffered_step(finetune::Net& net, finetune::Grads& grads,
                                                      const train::Sample& s, float learning_rate) {
    float x[train::pixels];
    train::to_input(s, x);
    finetune::Act act;
    ugrad::Status st = ugrad::forward(net, x, act);
    if (st == ugrad::Status::ok) st = ugrad::accumulate_gradients(net, x, act, s.label, grads);
    if (st == ugrad::Status::ok) st = ugrad::sgd_step(net, grads, learning_rate);
    return st;
}

// The same step with the batch-1 sgd_step, which applies each gradient as it computes it (no buffer).
__attribute__((noinline)) ugrad::Status direct_step(finetune::Net& net, const train::Sample& s, float learning_rate) {
    float x[train::pixels];
    train::to_input(s, x);
    finetune::Act act;
    ugrad::Status st = ugrad::forward(net, x, act);
    if (st == ugrad::Status::ok) st = ugrad::sgd_step(net, x, act, s.label, learning_rate);
    return st;
}

}  // namespace

int main() {
    if (finetune::run(state, write) == 0) return 1;

    char buf[192];
    train::Text t{buf, sizeof buf, 0};
    t.put("RAM for training (bytes): parameters ").put_uint(sizeof state.net).put(" + gradients ");
    t.put_uint(sizeof state.grads).put(" + activations ").put_uint(sizeof(finetune::Act)).put(" = ");
    t.put_uint(sizeof state.net + sizeof state.grads + sizeof(finetune::Act));
    t.put("; batch 1 without a buffer ").put_uint(sizeof state.net + sizeof(finetune::Act));
    t.put("; this run's visiting order ").put_uint(sizeof state.order).put("\n");
    hal_write(buf);

    // Batch-1 steps over the fine-tuning digits, phase by phase (η small: the model barely moves).
    const float eta = 0.01f;
    const uint64_t n = finetune::train_count;
    state.grads = finetune::Grads{};
    uint64_t forward_sum = 0, gradient_sum = 0, update_sum = 0, direct_sum = 0;
    for (size_t i = 0; i < n; ++i) {
        const train::Sample& s = finetune_train[i];
        float x[train::pixels];
        train::to_input(s, x);
        finetune::Act act;
        const uint64_t t0 = hal_instructions();
        const ugrad::Status a = ugrad::forward(state.net, x, act);
        const uint64_t t1 = hal_instructions();
        const ugrad::Status b = ugrad::accumulate_gradients(state.net, x, act, s.label, state.grads);
        const uint64_t t2 = hal_instructions();
        const ugrad::Status c = ugrad::sgd_step(state.net, state.grads, eta);
        const uint64_t t3 = hal_instructions();
        const ugrad::Status d = ugrad::sgd_step(state.net, x, act, s.label, eta);
        const uint64_t t4 = hal_instructions();
        if (a != ugrad::Status::ok || b != ugrad::Status::ok || c != ugrad::Status::ok || d != ugrad::Status::ok)
            return 1;
        forward_sum += t1 - t0;
        gradient_sum += t2 - t1;
        update_sum += t3 - t2;
        direct_sum += t4 - t3;
    }
    // Whole steps (input scaling included), without counter reads in between.
    uint64_t s0 = hal_instructions();
    for (size_t i = 0; i < n; ++i)
        if (buffered_step(state.net, state.grads, finetune_train[i], eta) != ugrad::Status::ok) return 1;
    const uint64_t buffered_sum = hal_instructions() - s0;
    s0 = hal_instructions();
    for (size_t i = 0; i < n; ++i)
        if (direct_step(state.net, finetune_train[i], eta) != ugrad::Status::ok) return 1;
    const uint64_t direct_step_sum = hal_instructions() - s0;

    hal_write("instructions per training step (64-32-10, batch 1), mean over the 300 digits:\n");
    write_line("  forward                                   ", forward_sum / n, "");
    write_line("  accumulate_gradients                      ", gradient_sum / n, "");
    write_line("  sgd_step(net, grads, lr)                  ", update_sum / n, "");
    write_line("  whole step with a Gradients buffer        ", buffered_sum / n, "");
    write_line("  sgd_step(net, x, act, label, lr), no buffer ", direct_sum / n, "");
    write_line("  whole step without a buffer               ", direct_step_sum / n, "");

    // Stack each step needs beyond its caller (Activations, x, dJ/dθ, dJ/dr and the frames).
    hal_stack_paint(hal_stack_pointer());
    if (buffered_step(state.net, state.grads, finetune_train[0], eta) != ugrad::Status::ok) return 1;
    write_line("stack of one step with a buffer (bytes): ", hal_stack_peak(), "");
    hal_stack_paint(hal_stack_pointer());
    if (direct_step(state.net, finetune_train[0], eta) != ugrad::Status::ok) return 1;
    write_line("stack of one step without a buffer (bytes): ", hal_stack_peak(), "");
    return 0;
}
