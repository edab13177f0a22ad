// SPDX-License-Identifier: Apache-2.0
// Specs: Mlp<In, Hidden, Out> and Network<Softmax, Dense<In, Hidden, Sigmoid>, Dense<Hidden, Out>>
// holding the same numbers give the same bits in every output of every call, on success and on
// failure.
#include <doctest/doctest.h>

#include <string.h>

#include "network_support.hpp"

namespace {

using namespace ugrad;

template <size_t In, size_t Hidden, size_t Out>
using TwoLayer = Network<Softmax, Dense<In, Hidden, Sigmoid>, Dense<Hidden, Out>>;

template <size_t In, size_t Hidden, size_t Out>
TwoLayer<In, Hidden, Out> as_network(const Mlp<In, Hidden, Out>& m) {
    TwoLayer<In, Hidden, Out> n{};
    memcpy(n.layer0.w, m.w1, sizeof m.w1);
    memcpy(n.layer0.b, m.b1, sizeof m.b1);
    memcpy(n.layer1.w, m.w2, sizeof m.w2);
    memcpy(n.layer1.b, m.b2, sizeof m.b2);
    return n;
}

// Equal as bits (NaN payloads and zero signs included).
template <size_t N>
bool same_bits(const float (&a)[N], const float (&b)[N]) {
    return memcmp(a, b, sizeof a) == 0;
}
template <size_t N, size_t M>
bool same_bits(const float (&a)[N][M], const float (&b)[N][M]) {
    return memcmp(a, b, sizeof a) == 0;
}
bool same_bits(float a, float b) { return memcmp(&a, &b, sizeof a) == 0; }

template <size_t In, size_t Hidden, size_t Out>
bool same_bits(const Mlp<In, Hidden, Out>& m, const TwoLayer<In, Hidden, Out>& n) {
    return same_bits(m.w1, n.layer0.w) && same_bits(m.b1, n.layer0.b) && same_bits(m.w2, n.layer1.w) &&
           same_bits(m.b2, n.layer1.b);
}
template <size_t In, size_t Hidden, size_t Out>
bool same_bits(const Gradients<In, Hidden, Out>& m, const TwoLayer<In, Hidden, Out>& n) {
    return same_bits(m.w1, n.layer0.w) && same_bits(m.b1, n.layer0.b) && same_bits(m.w2, n.layer1.w) &&
           same_bits(m.b2, n.layer1.b);
}
template <size_t In, size_t Hidden, size_t Out>
bool same_bits(const Activations<In, Hidden, Out>& m, const typename TwoLayer<In, Hidden, Out>::Activations& n) {
    return same_bits(m.h, layer_output<0>(n).y) && same_bits(m.dh_dr, layer_output<0>(n).slope) &&
           same_bits(m.logits, logits(n)) && same_bits(m.log_probs, n.log_probs) && same_bits(m.probs, n.probs);
}

// Every call on one sample x (and a label, a target, an upstream gradient), both ways.
template <size_t In, size_t Hidden, size_t Out>
void check_every_call(const Mlp<In, Hidden, Out>& mlp, const float (&x)[In], size_t label, const float (&target)[Out],
                      const float (&dlogits)[Out]) {
    const TwoLayer<In, Hidden, Out> net = as_network(mlp);
    Activations<In, Hidden, Out> ma;
    typename TwoLayer<In, Hidden, Out>::Activations na;
    CHECK(forward(mlp, x, ma) == forward(net, x, na));
    CHECK(same_bits(ma, na));

    float mj = 0, nj = 1;
    CHECK(cross_entropy(ma, label, mj) == loss(na, label, nj));
    CHECK(same_bits(mj, nj));
    CHECK(cross_entropy(ma, target, mj) == cross_entropy(na, target, nj));
    CHECK(same_bits(mj, nj));

    float mdx[In], ndx[In];
    CHECK(input_gradient(mlp, ma, label, mdx) == input_gradient(net, na, label, ndx));
    CHECK(same_bits(mdx, ndx));
    CHECK(input_gradient(mlp, ma, target, mdx) == input_gradient(net, na, target, ndx));
    CHECK(same_bits(mdx, ndx));
    CHECK(backward(mlp, ma, dlogits, mdx) == backward(net, na, dlogits, ndx));
    CHECK(same_bits(mdx, ndx));

    // Weight gradients accumulated over three calls, then a momentum step (which keeps μ·g).
    Gradients<In, Hidden, Out> mg = {};
    typename TwoLayer<In, Hidden, Out>::Gradients ng = {};
    CHECK(accumulate_gradients(mlp, x, ma, label, mg) == accumulate_gradients(net, x, na, label, ng));
    CHECK(accumulate_gradients(mlp, x, ma, target, mg) == accumulate_gradients(net, x, na, target, ng));
    CHECK(backward_to_weights(mlp, x, ma, dlogits, mg) == backward_to_weights(net, x, na, dlogits, ng));
    CHECK(same_bits(mg, ng));
    Mlp<In, Hidden, Out> m_trained = mlp;
    TwoLayer<In, Hidden, Out> n_trained = net;
    CHECK(sgd_step(m_trained, mg, 0.125f, 0.75f) == sgd_step(n_trained, ng, 0.125f, 0.75f));
    CHECK(same_bits(m_trained, n_trained));
    CHECK(same_bits(mg, ng));

    // The batch-1 steps without a buffer.
    CHECK(sgd_step(m_trained, x, ma, label, 0.25f) == sgd_step(n_trained, x, na, label, 0.25f));
    CHECK(same_bits(m_trained, n_trained));
    CHECK(sgd_step(m_trained, x, ma, target, 0.25f) == sgd_step(n_trained, x, na, target, 0.25f));
    CHECK(same_bits(m_trained, n_trained));
    CHECK(sgd_step_from_logits(m_trained, x, ma, dlogits, 0.5f) == sgd_step_from_logits(n_trained, x, na, dlogits, 0.5f));
    CHECK(same_bits(m_trained, n_trained));

    float mjac[Out][In], njac[Out][In];
    CHECK(log_prob_jacobian(mlp, ma, mjac) == log_prob_jacobian(net, na, njac));
    CHECK(same_bits(mjac, njac));
    CHECK(prob_jacobian(mlp, ma, mjac) == output_jacobian(net, na, njac));
    CHECK(same_bits(mjac, njac));
}

template <size_t In, size_t Hidden, size_t Out>
void check_random(uint64_t seed, double weight_scale, double input_scale) {
    const auto mlp = test::convert<float>(test::random_model<In, Hidden, Out>(seed, weight_scale));
    test::Rng rng{seed * 31 + 7};
    float x[In], dlogits[Out], target[Out];
    test::fill_uniform(x, rng, -input_scale, input_scale);
    test::fill_uniform(dlogits, rng, -1.0, 1.0);
    double target_d[Out];
    test::random_target(target_d, rng);
    test::convert(target_d, target);
    const size_t label = static_cast<size_t>(rng.next() % Out);
    CAPTURE(seed);
    check_every_call(mlp, x, label, target, dlogits);
}

}  // namespace

TEST_CASE("a Network with Mlp's shape gives Mlp's bits in every output of every call") {
    for (uint64_t seed = 1; seed <= 3; ++seed) {
        check_random<1, 1, 2>(seed, 1.0, 2.0);
        check_random<7, 5, 4>(seed, 1.0, 2.0);
        check_random<13, 11, 9>(seed, 1.0, 2.0);
        check_random<64, 32, 10>(seed, 0.5, 1.0);
        check_random<70, 37, 11>(seed, 0.5, 1.0);
    }
    // Saturated units and logits far apart.
    check_random<9, 6, 5>(21, 20.0, 5.0);
    check_random<64, 32, 10>(22, 4.0, 3.0);
}

TEST_CASE("a Network with Mlp's shape fails as Mlp does, with the same statuses and the same NaNs") {
    auto mlp = test::convert<float>(test::random_model<6, 4, 3>(5));
    float x[6] = {0.5f, -1, 0.25f, 2, -0.75f, 1};
    float target[3] = {0.25f, 0.25f, 0.5f}, dlogits[3] = {0.1f, -0.2f, 0.1f};
    float bad_target[3] = {0.5f, 0.5f, 0.5f};
    check_every_call(mlp, x, 3, bad_target, dlogits);  // label out of range, target not a distribution
    float nan_x[6] = {0.5f, -1, std::nanf(""), 2, -0.75f, 1};
    check_every_call(mlp, nan_x, 1, target, dlogits);  // non-finite input
    float inf_dlogits[3] = {0.1f, INFINITY, 0.1f};
    check_every_call(mlp, x, 1, target, inf_dlogits);  // non-finite upstream gradient
    mlp.w2[2][1] = std::nanf("");                      // non-finite result
    check_every_call(mlp, x, 1, target, dlogits);
    mlp = test::convert<float>(test::random_model<6, 4, 3>(5));
    mlp.w1[0][0] = 1e38f;  // an overflowing hidden unit: saturated, not failed
    mlp.w2[1][0] = 3e38f;
    check_every_call(mlp, x, 0, target, dlogits);
}
