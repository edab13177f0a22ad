// SPDX-License-Identifier: Apache-2.0
// tools/train/training.hpp — the training loop that the host trainer (tools/train/train.cpp), the
// on-target fine-tuning run (examples/finetune/) and the tests share, so that all of them perform
// the same float operations in the same order and print the same report, character for character.
//
// Freestanding like the library: no libc, no libm, no heap, no floating-point printing (reports are
// formatted with integer arithmetic below). Everything random comes from SplitMix64 in integers.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/ugrad.hpp>

namespace train {

constexpr size_t pixels = 64;   // 8×8 digits
constexpr size_t classes = 10;  // 0..9

// One digit as data/digits.csv stores it: 64 pixels in 0..16 (row-major), then the label.
struct Sample {
    uint8_t pixel[pixels];
    uint8_t label;
};

// SplitMix64: a fully specified 64-bit generator (integer arithmetic only).
struct SplitMix64 {
    uint64_t state;
    uint64_t next() noexcept {
        uint64_t z = (state += 0x9e3779b97f4a7c15ull);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
        return z ^ (z >> 31);
    }
};

// A weight uniform on the grid k·2^(e−23), k in [−2^23, 2^23): from the top 24 random bits, an
// integer converted exactly to float and scaled by a power of two — exact, the same on every target.
// The range is [−2^e, 2^e).
inline float uniform_weight(SplitMix64& rng, int32_t e) noexcept {
    const int32_t k = static_cast<int32_t>(rng.next() >> 40) - (int32_t{1} << 23);
    const float scale = ugrad::bit_cast<float>(static_cast<uint32_t>(e - 23 + 127) << 23);
    return static_cast<float>(k) * scale;
}

// Initial weights from a seed: W1 uniform in [−1/4, 1/4), W2 in [−1/2, 1/2) (about Glorot's
// scale for sigmoid layers of 64→Hidden and Hidden→10), biases 0. Drawn W1 row by row, then W2.
template <size_t Hidden>
void initialize(ugrad::Mlp<pixels, Hidden, classes>& net, uint64_t seed) noexcept {
    SplitMix64 rng{seed};
    for (size_t i = 0; i < pixels; ++i)
        for (size_t j = 0; j < Hidden; ++j) net.w1[i][j] = uniform_weight(rng, -2);
    for (size_t j = 0; j < Hidden; ++j) net.b1[j] = 0.0f;
    for (size_t j = 0; j < Hidden; ++j)
        for (size_t k = 0; k < classes; ++k) net.w2[j][k] = uniform_weight(rng, -1);
    for (size_t k = 0; k < classes; ++k) net.b2[k] = 0.0f;
}

// x = pixel / 16, exact in float.   x [64]
inline void to_input(const Sample& s, float (&x)[pixels]) noexcept {
    for (size_t i = 0; i < pixels; ++i) x[i] = static_cast<float>(s.pixel[i]) * 0.0625f;
}

// Fisher–Yates shuffle of order[0..n), j = next() mod (i+1): integers only.
inline void shuffle(uint16_t* order, size_t n, SplitMix64& rng) noexcept {
    for (size_t i = n; i > 1; --i) {
        const size_t j = static_cast<size_t>(rng.next() % i);
        const uint16_t t = order[i - 1];
        order[i - 1] = order[j];
        order[j] = t;
    }
}

struct Config {
    uint64_t seed;        // initial weights (initialize) and the shuffles (seed + 1)
    uint32_t epochs;
    uint32_t batch;       // samples per SGD step (the last one of an epoch may be smaller)
    float learning_rate;  // η for the batch mean: each step uses η/B on the batch sum
    float momentum;       // μ
};

// The configuration of `make train` (the bundled examples/demo/digits_model.hpp) for 64-32-10.
constexpr Config digits_config = {20260701u, 20u, 16u, 0.5f, 0.9f};

// What one epoch reports.
struct EpochResult {
    ugrad::Status status;  // ok, or the first failure (then the epoch stopped there)
    float mean_loss;       // Σ J over the epoch's samples (in visiting order) / n, in float
    uint32_t correct;      // test samples whose largest logit is the label
};

// The class with the largest logit (first wins ties).
template <size_t Hidden>
size_t predict(const ugrad::Activations<pixels, Hidden, classes>& act) noexcept {
    size_t best = 0;
    for (size_t k = 1; k < classes; ++k)
        if (act.logits[k] > act.logits[best]) best = k;
    return best;
}

template <size_t Hidden>
uint32_t count_correct(const ugrad::Mlp<pixels, Hidden, classes>& net, const Sample* test, size_t n) noexcept {
    uint32_t correct = 0;
    for (size_t s = 0; s < n; ++s) {
        float x[pixels];
        to_input(test[s], x);
        ugrad::Activations<pixels, Hidden, classes> act;
        if (ugrad::forward(net, x, act) == ugrad::Status::ok && predict(act) == test[s].label) ++correct;
    }
    return correct;
}

// One pass over the training samples in the order `order` (reshuffled first): for each batch,
// forward, loss and accumulate_gradients per sample, then sgd_step(η/B, μ). The model, the
// gradient buffer (holding the momentum) and the activations are the only memory it needs.
template <size_t Hidden>
EpochResult train_epoch(ugrad::Mlp<pixels, Hidden, classes>& net, ugrad::Gradients<pixels, Hidden, classes>& grads,
                        const Sample* data, uint16_t* order, size_t n, SplitMix64& rng, const Config& config) noexcept {
    EpochResult result{ugrad::Status::ok, 0.0f, 0};
    shuffle(order, n, rng);
    float loss_sum = 0.0f;
    for (size_t start = 0; start < n; start += config.batch) {
        const size_t end = start + config.batch < n ? start + config.batch : n;
        for (size_t s = start; s < end; ++s) {
            const Sample& sample = data[order[s]];
            float x[pixels];
            to_input(sample, x);
            ugrad::Activations<pixels, Hidden, classes> act;
            float loss = 0.0f;
            ugrad::Status st = ugrad::forward(net, x, act);
            if (st == ugrad::Status::ok) st = ugrad::cross_entropy(act, sample.label, loss);
            if (st == ugrad::Status::ok) st = ugrad::accumulate_gradients(net, x, act, sample.label, grads);
            if (st != ugrad::Status::ok) {
                result.status = st;
                return result;
            }
            loss_sum = loss_sum + loss;
        }
        const float step = config.learning_rate / static_cast<float>(end - start);
        const ugrad::Status st = ugrad::sgd_step(net, grads, step, config.momentum);
        if (st != ugrad::Status::ok) {
            result.status = st;
            return result;
        }
    }
    result.mean_loss = loss_sum / static_cast<float>(n);
    return result;
}

// A whole training run from the seed: initialize(net, seed), grads zeroed, order = 0..n−1, the
// shuffles drawn from SplitMix64(seed + 1); then config.epochs times train_epoch and a test, each
// epoch's result (with its test score) handed to on_epoch(epoch, result). Returns the first
// failure's status, or ok.
template <size_t Hidden, typename OnEpoch>
ugrad::Status train_model(ugrad::Mlp<pixels, Hidden, classes>& net, ugrad::Gradients<pixels, Hidden, classes>& grads,
                          const Sample* train_data, uint16_t* order, size_t n, const Sample* test_data, size_t tested,
                          const Config& config, OnEpoch on_epoch) noexcept {
    initialize(net, config.seed);
    grads = ugrad::Gradients<pixels, Hidden, classes>{};
    for (size_t i = 0; i < n; ++i) order[i] = static_cast<uint16_t>(i);
    SplitMix64 rng{config.seed + 1};
    for (uint32_t epoch = 1; epoch <= config.epochs; ++epoch) {
        EpochResult r = train_epoch(net, grads, train_data, order, n, rng, config);
        if (r.status != ugrad::Status::ok) return r.status;
        r.correct = count_correct(net, test_data, tested);
        on_epoch(epoch, r);
    }
    return ugrad::Status::ok;
}

// FNV-1a 64 over the parameters' bits, w1, b1, w2, b2 in memory order, each float's 4 bytes
// least significant first: equal hashes mean bit-identical weights.
template <size_t N>
uint64_t fnv1a(const float (&v)[N], uint64_t h) noexcept {
    for (size_t i = 0; i < N; ++i) {
        const uint32_t bits = ugrad::bit_cast<uint32_t>(v[i]);
        for (uint32_t b = 0; b < 4; ++b) {
            h ^= (bits >> (8 * b)) & 0xffu;
            h *= 0x100000001b3ull;
        }
    }
    return h;
}
template <size_t Hidden>
uint64_t weights_hash(const ugrad::Mlp<pixels, Hidden, classes>& net) noexcept {
    uint64_t h = 0xcbf29ce484222325ull;
    for (size_t i = 0; i < pixels; ++i) h = fnv1a(net.w1[i], h);
    h = fnv1a(net.b1, h);
    for (size_t j = 0; j < Hidden; ++j) h = fnv1a(net.w2[j], h);
    return fnv1a(net.b2, h);
}

// ---- Reports, formatted with integers only, so that every target prints the same characters. ----

// A tiny string builder over a caller's buffer (always NUL-terminated, truncates when full).
struct Text {
    char* buf;
    size_t cap;
    size_t len;
    Text& put(const char* s) noexcept {
        while (*s && len + 1 < cap) buf[len++] = *s++;
        buf[len] = '\0';
        return *this;
    }
    Text& put_uint(uint64_t v, uint32_t width = 0) noexcept {
        char digits[21];
        uint32_t n = 0;
        do {
            digits[n++] = static_cast<char>('0' + v % 10);
            v /= 10;
        } while (v);
        for (uint32_t i = n; i < width; ++i) put(" ");
        char one[2] = {0, 0};
        while (n) {
            one[0] = digits[--n];
            put(one);
        }
        return *this;
    }
    Text& put_hex(uint64_t v, uint32_t digits) noexcept {
        char one[2] = {0, 0};
        for (uint32_t i = digits; i-- > 0;) {
            one[0] = "0123456789abcdef"[(v >> (4 * i)) & 0xf];
            put(one);
        }
        return *this;
    }
    // A finite float ≥ 0 with 6 decimals, what printf("%.6f") prints: v = m·2^e exactly (m < 2^24),
    // so v·10^6 = m·10^6·2^e is rounded to an integer exactly, ties to even.
    Text& put_fixed6(float v) noexcept {
        const uint32_t bits = ugrad::bit_cast<uint32_t>(v);
        const uint32_t biased = (bits >> 23) & 0xffu;
        if ((bits >> 31) || biased == 0xffu) return put("?");
        const uint64_t m = biased ? ((bits & 0x7fffffu) | 0x800000u) : (bits & 0x7fffffu);
        const int32_t e = (biased ? static_cast<int32_t>(biased) : 1) - 150;  // v = m·2^e
        uint64_t micro;
        if (e >= 0) {
            if (e > 16) return put("big");
            micro = (m * 1000000u) << e;
        } else if (e < -63) {
            micro = 0;
        } else {
            const uint64_t scaled = m * 1000000u;  // < 2^44
            const uint32_t shift = static_cast<uint32_t>(-e);  // 1..63
            const uint64_t rest = scaled & ((uint64_t{1} << shift) - 1u);
            const uint64_t half = uint64_t{1} << (shift - 1);
            micro = scaled >> shift;
            if (rest > half || (rest == half && (micro & 1u))) ++micro;  // ties to even, as printf
        }
        put_uint(micro / 1000000u);
        put(".");
        const uint64_t frac = micro % 1000000u;
        for (uint64_t d = 100000u; d; d /= 10) {
            const char one[2] = {static_cast<char>('0' + (frac / d) % 10), 0};
            put(one);
        }
        return *this;
    }
};

// "352/360 = 97.78%": the percentage rounded half up to hundredths.
inline void put_score(Text& t, uint32_t correct, uint32_t tested) noexcept {
    t.put_uint(correct).put("/").put_uint(tested).put(" = ");
    const uint64_t hundredths = tested ? (uint64_t{correct} * 10000u + tested / 2) / tested : 0;
    t.put_uint(hundredths / 100).put(".");
    t.put_uint((hundredths / 10) % 10).put_uint(hundredths % 10).put("%");
}

// "epoch  3  loss 0.123456 (3dfcd6e9)  test 352/360 = 97.78%"
inline void format_epoch(Text& t, uint32_t epoch, const EpochResult& r, uint32_t tested) noexcept {
    t.put("epoch ").put_uint(epoch, 2).put("  loss ").put_fixed6(r.mean_loss).put(" (");
    t.put_hex(ugrad::bit_cast<uint32_t>(r.mean_loss), 8).put(")  test ");
    put_score(t, r.correct, tested);
}

}  // namespace train
