// SPDX-License-Identifier: Apache-2.0
// tests/q8/seed_dump.cpp — make q8-seed-check: the heads' gradient seeds dJ/dθ = d·2^e
// (include/ugrad/q8/heads.hpp) on logits drawn from SplitMix64 (spreads from a fraction of a nat to
// logits saturated at ±2^30), one line per call: head, logits, ŷ, label or target, d, e — which
// tests/q8/seed_check.py recomputes with tools/q8_model.py's seed() and compares.
#include <stdint.h>
#include <stdio.h>

#include <ugrad/q8/q8.hpp>

#include "../splitmix64.hpp"

namespace q8 = ugrad::q8;

namespace {

uint64_t state = 0x5eed;
int32_t draw(int32_t spread) {
    const int64_t span = 2 * static_cast<int64_t>(spread) + 1;
    return static_cast<int32_t>(static_cast<int64_t>(test::splitmix64(state) % static_cast<uint64_t>(span)) - spread);
}

template <size_t Out>
void print(const char* head, const int32_t (&v)[Out], const char* end) {
    printf("%s", head);
    for (int32_t x : v) printf(" %ld", static_cast<long>(x));
    printf("%s", end);
}

template <class Head, size_t Out>
void line(const char* name, const int32_t (&logits)[Out], const int32_t (&y_hat)[Out], const char* kind,
          const int32_t (&y)[Out], const int32_t (&d)[Out], q8::Seed s) {
    printf("%s %zu |", name, Out);
    print("", logits, " |");
    print("", y_hat, " |");
    printf(" %s", kind);
    print("", y, " |");
    print("", d, " |");
    printf(" %ld\n", static_cast<long>(s.exponent));
}

template <class Head, size_t Out>
void cases(const char* name, int count) {
    const int32_t spreads[] = {2048, 40000, 400000, 4000000, 1 << 30};
    for (int n = 0; n < count; ++n) {
        int32_t logits[Out], y_hat[Out], d[Out], y[Out] = {};
        for (int32_t& t : logits) t = draw(spreads[n % 5]);
        q8::head_outputs(Head{}, logits, y_hat);
        const size_t label = static_cast<size_t>(test::splitmix64(state) % Out);
        if constexpr (!q8::detail::is_same_head<Head, ugrad::Linear>::value) {
            // the label: the top class one call in two, so that the confident seed runs
            size_t k = label;
            if (n % 2 == 0)
                for (size_t j = 0; j < Out; ++j)
                    if (logits[j] > logits[k]) k = j;
            y[0] = static_cast<int32_t>(k);
            line<Head>(name, logits, y_hat, "label", y, d, q8::label_gradient(Head{}, logits, y_hat, k, d));
            // a target: one-hot (its label), or soft
            for (int32_t& v : y) v = 0;
            if (n % 3 == 0) {
                y[k] = 32768;
            } else {
                int32_t left = 32768;
                for (size_t j = 0; j + 1 < Out; ++j) left -= (y[j] = static_cast<int32_t>(test::splitmix64(state) % static_cast<uint64_t>(left + 1)));
                y[Out - 1] = left;
            }
        } else {
            for (int32_t& v : y) v = draw(1 << 20);
        }
        line<Head>(name, logits, y_hat, "target", y, d, q8::target_gradient(Head{}, logits, y_hat, y, d));
    }
}

}  // namespace

int main() {
    cases<ugrad::Softmax, 10>("softmax", 400);
    cases<ugrad::Softmax, 2>("softmax", 100);
    cases<ugrad::Logistic, 3>("logistic", 200);
    cases<ugrad::Logistic, 1>("logistic", 100);
    cases<ugrad::Linear, 2>("linear", 50);
    return 0;
}
