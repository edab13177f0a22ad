// SPDX-License-Identifier: Apache-2.0
// classification.hpp — one digit through the network: what the demo reports about it.
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/ugrad.hpp>

namespace demo {

constexpr size_t pixels = 64;  // 8×8, row-major
constexpr size_t classes = 10;

struct Classification {
    size_t sample;          // index in the test split
    unsigned csv_line;      // 1-based line of data/digits.csv
    size_t label;           // the true class
    size_t predicted;       // argmax ŷ
    float x[pixels];        // the input: pixels / 16
    float probs[classes];   // ŷ
    float loss;             // J = −log ŷ[label]
    float dx[pixels];       // dJ/dx for the true label
    ugrad::Status status;   // the first non-ok status of forward, cross_entropy, input_gradient
    // The int8 model (int8_report.hpp): its class and its dJ/dx for the true label, as real numbers.
    size_t predicted_int8;
    float dx_int8[pixels];
    // The CNN (examples/demo/digits_cnn.hpp): its ŷ, its class, its loss and its dJ/dx for the true label.
    float probs_cnn[classes];
    size_t predicted_cnn;
    float loss_cnn;
    float dx_cnn[pixels];
};

// Run forward, the loss for the true label and dJ/dx. Pixels are 0..16; x = pixels / 16 is exact.
template <size_t Hidden>
Classification classify(const ugrad::Mlp<pixels, Hidden, classes>& net, const uint8_t (&image)[pixels], size_t label,
                        size_t sample, unsigned csv_line) {
    Classification c{};
    c.sample = sample;
    c.csv_line = csv_line;
    c.label = label;
    for (size_t i = 0; i < pixels; ++i) c.x[i] = static_cast<float>(image[i]) / 16.0f;
    ugrad::Activations<pixels, Hidden, classes> act;
    c.status = ugrad::forward(net, c.x, act);
    const ugrad::Status loss_status = ugrad::cross_entropy(act, label, c.loss);
    const ugrad::Status gradient_status = ugrad::input_gradient(net, act, label, c.dx);
    if (c.status == ugrad::Status::ok) c.status = loss_status;
    if (c.status == ugrad::Status::ok) c.status = gradient_status;
    c.predicted = 0;
    for (size_t k = 0; k < classes; ++k) {
        c.probs[k] = act.probs[k];
        if (act.probs[k] > act.probs[c.predicted]) c.predicted = k;
    }
    return c;
}

// The same digit through a Network (the CNN): forward, the loss and dJ/dx for the true label, into
// the _cnn fields; a non-ok status becomes c.status if c.status was ok. act is the caller's
// Net::Slopes, what forward keeps for dJ/dx alone (a CNN's is larger than a small stack).
template <class Net>
void add_network_classification(const Net& net, typename Net::Slopes& act, Classification& c) {
    ugrad::Status status = ugrad::forward(net, c.x, act);
    const ugrad::Status loss_status = ugrad::loss(act, c.label, c.loss_cnn);
    const ugrad::Status gradient_status = ugrad::input_gradient(net, act, c.label, c.dx_cnn);
    if (status == ugrad::Status::ok) status = loss_status;
    if (status == ugrad::Status::ok) status = gradient_status;
    if (c.status == ugrad::Status::ok) c.status = status;
    c.predicted_cnn = 0;
    for (size_t k = 0; k < classes; ++k) {
        c.probs_cnn[k] = ugrad::outputs(act)[k];
        if (c.probs_cnn[k] > c.probs_cnn[c.predicted_cnn]) c.predicted_cnn = k;
    }
}

// The largest |v_i|: the scale of a saliency map.
inline float max_abs(const float (&v)[pixels]) {
    float m = 0.0f;
    for (size_t i = 0; i < pixels; ++i) {
        const float a = v[i] < 0.0f ? -v[i] : v[i];
        if (a > m) m = a;
    }
    return m;
}
inline float max_abs_gradient(const Classification& c) {
    return max_abs(c.dx);
}

// cos(float dJ/dx, int8 dJ/dx); 0 when either is all zero.
inline double gradient_cosine(const Classification& c) {
    double dot = 0.0, a = 0.0, b = 0.0;
    for (size_t i = 0; i < pixels; ++i) {
        dot += static_cast<double>(c.dx[i]) * static_cast<double>(c.dx_int8[i]);
        a += static_cast<double>(c.dx[i]) * static_cast<double>(c.dx[i]);
        b += static_cast<double>(c.dx_int8[i]) * static_cast<double>(c.dx_int8[i]);
    }
    if (!(a > 0.0) || !(b > 0.0)) return 0.0;
    // dot/sqrt(a·b) without libm: sqrt by Newton from above (converges in a few dozen steps here).
    const double ab = a * b;
    double r = ab > 1.0 ? ab : 1.0;
    for (int k = 0; k < 200; ++k) {
        const double next = 0.5 * (r + ab / r);
        if (!(next < r)) break;
        r = next;
    }
    return dot / r;
}

// FNV-1a over the bits of ŷ, J and dJ/dx, the MLP's then the CNN's: one number that two machines agree on only if every bit
// of every result agrees.
inline uint32_t result_bits_digest(const Classification& c) {
    uint32_t hash = 2166136261u;
    auto mix = [&hash](float v) {
        const uint32_t bits = ugrad::bit_cast<uint32_t>(v);
        for (int shift = 0; shift < 32; shift += 8) {
            hash ^= (bits >> shift) & 0xffu;
            hash *= 16777619u;
        }
    };
    for (size_t k = 0; k < classes; ++k) mix(c.probs[k]);
    mix(c.loss);
    for (size_t i = 0; i < pixels; ++i) mix(c.dx[i]);
    for (size_t k = 0; k < classes; ++k) mix(c.probs_cnn[k]);
    mix(c.loss_cnn);
    for (size_t i = 0; i < pixels; ++i) mix(c.dx_cnn[i]);
    return hash;
}

}  // namespace demo
