// SPDX-License-Identifier: Apache-2.0
// Specs: log-sum-exp softmax and the loss stay finite and exact where naive formulas overflow.
#include <doctest/doctest.h>

#include <cfloat>
#include <cmath>
#include <initializer_list>

#include "support.hpp"

TEST_CASE("softmax of equal logits is uniform") {
    const float theta[4] = {3.5f, 3.5f, 3.5f, 3.5f};
    float p[4], log_p[4];
    ugrad::log_softmax_and_softmax(theta, log_p, p);
    for (size_t k = 0; k < 4; ++k) {
        CHECK(p[k] == 0.25f);
        CHECK(log_p[k] == doctest::Approx(std::log(0.25)).epsilon(1e-7));
    }
}

TEST_CASE("softmax is unchanged by adding a constant to every logit") {
    const double a[3] = {0.5, -1.25, 2.0};
    const double b[3] = {1000.5, 998.75, 1002.0};
    double pa[3], pb[3];
    ugrad::softmax(a, pa);
    ugrad::softmax(b, pb);
    for (size_t k = 0; k < 3; ++k) CHECK(pa[k] == doctest::Approx(pb[k]).epsilon(1e-12));
}

TEST_CASE("log_sum_exp of huge logits does not overflow") {
    const float theta[3] = {1e30f, 1e30f, -1e30f};
    const float lse = ugrad::log_sum_exp(theta);
    CHECK(ugrad::is_finite(lse));
    CHECK(static_cast<double>(lse) == doctest::Approx(1e30).epsilon(1e-6));
    const double small[2] = {-800.0, -800.0};  // e^-800 underflows double; log-sum-exp does not care
    CHECK(ugrad::log_sum_exp(small) == doctest::Approx(-800.0 + std::log(2.0)).epsilon(1e-14));
}

// A network whose logits are set directly by b2 (W2 = 0), to place them anywhere.
template <typename T>
ugrad::Mlp<2, 2, 3, T> logit_model(T a, T b, T c) {
    ugrad::Mlp<2, 2, 3, T> net{};
    net.w1[0][0] = T(1);
    net.w1[1][1] = T(1);
    net.b2[0] = a;
    net.b2[1] = b;
    net.b2[2] = c;
    return net;
}

template <typename T>
void check_far_apart_logits(T a, T b, T c) {
    const auto net = logit_model(a, b, c);
    const T x[2] = {T(0.5), T(-0.5)};
    ugrad::Activations<2, 2, 3, T> act;
    REQUIRE(ugrad::forward(net, x, act) == ugrad::Status::ok);
    double sum = 0;
    for (size_t k = 0; k < 3; ++k) {
        CHECK(ugrad::is_finite(act.log_probs[k]));
        sum += static_cast<double>(act.probs[k]);
    }
    CHECK(std::fabs(sum - 1.0) <= 1e-6);
    for (size_t label = 0; label < 3; ++label) {
        T loss = T(0);
        T dx[2] = {ugrad::quiet_nan<T>(), ugrad::quiet_nan<T>()};  // an entry left unwritten fails below
        REQUIRE(ugrad::cross_entropy(act, label, loss) == ugrad::Status::ok);
        REQUIRE(ugrad::input_gradient(net, act, label, dx) == ugrad::Status::ok);
        CHECK(ugrad::is_finite(loss));
        CHECK(loss >= T(0));
        // The loss is exactly the gap to the largest logit when the others are negligible.
        const T top = a > b ? (a > c ? a : c) : (b > c ? b : c);
        const T theta = label == 0 ? a : label == 1 ? b : c;
        if (top - theta > T(100)) CHECK(static_cast<double>(loss) == doctest::Approx(static_cast<double>(top - theta)).epsilon(1e-6));
        CHECK(ugrad::is_finite(dx[0]));
        CHECK(ugrad::is_finite(dx[1]));
    }
}

TEST_CASE("logits 100 apart give a finite loss and gradient, probabilities summing to 1") {
    check_far_apart_logits<float>(0.0f, 100.0f, -100.0f);
    check_far_apart_logits<double>(0.0, 100.0, -100.0);
}

TEST_CASE("logits of plus and minus 1e30 give a finite loss and gradient, probabilities summing to 1") {
    check_far_apart_logits<float>(1e30f, -1e30f, 0.0f);
    check_far_apart_logits<double>(1e30, -1e30, 0.0);
}

TEST_CASE("the loss of a confidently wrong answer is large, not infinite") {
    // ŷ[label] = e^-200 rounds to 0 in float; the loss from log-probabilities is still 200.
    const auto net = logit_model(200.0f, 0.0f, 0.0f);
    const float x[2] = {0.0f, 0.0f};
    ugrad::Activations<2, 2, 3, float> act;
    REQUIRE(ugrad::forward(net, x, act) == ugrad::Status::ok);
    CHECK(act.probs[1] == 0.0f);
    float loss = 0;
    REQUIRE(ugrad::cross_entropy(act, 1, loss) == ugrad::Status::ok);
    CHECK(static_cast<double>(loss) == doctest::Approx(200.0).epsilon(1e-6));
}

TEST_CASE("the sigmoid neither overflows nor loses its complement for large arguments") {
    for (float r : {-1000.0f, -90.0f, -30.0f, 30.0f, 90.0f, 1000.0f}) {
        const ugrad::SigmoidPair<float> s = ugrad::sigmoid_pair(r);
        const double expected = 1.0 / (1.0 + std::exp(-static_cast<double>(r)));
        const double expected_complement = 1.0 / (1.0 + std::exp(static_cast<double>(r)));
        CAPTURE(r);
        CHECK(ugrad::is_finite(s.value));
        CHECK(static_cast<double>(s.value) == doctest::Approx(expected).epsilon(1e-6));
        if (expected_complement >= static_cast<double>(FLT_MIN)) {
            CHECK(static_cast<double>(s.complement) == doctest::Approx(expected_complement).epsilon(1e-6));
        } else {  // subnormal or below: within two subnormal steps (2^-149 each)
            CHECK(std::fabs(static_cast<double>(s.complement) - expected_complement) <= 2 * std::ldexp(1.0, -149));
        }
    }
}

TEST_CASE("softmax's logarithm of its sum is log itself on every sum it can meet: [1, 2^24) and NaN") {
    // detail::log_of_sum skips log's special cases: the sum is >= 1 (its largest term is e^0) or
    // NaN. A stride through the floats of [1, 2^24) (every 1021st, an odd step so every mantissa
    // pattern class is met) must give log's bits.
    auto same = [](float s) {
        return ugrad::bit_cast<uint32_t>(ugrad::detail::log_of_sum(s)) == ugrad::bit_cast<uint32_t>(ugrad::log(s));
    };
    size_t differ = 0;
    for (uint32_t bits = 0x3f800000u; bits < 0x4b800000u; bits += 1021u) differ += !same(ugrad::bit_cast<float>(bits));
    CHECK(differ == 0);
    CHECK(ugrad::is_nan(ugrad::detail::log_of_sum(ugrad::quiet_nan<float>())));
    CHECK(ugrad::detail::log_of_sum(1.0) == 0.0);
    CHECK(ugrad::detail::log_of_sum(10.0) == ugrad::log(10.0));
}

// log_softmax and softmax on their own, against θ_k − log Σ e^θ in double (outputs pre-filled with
// NaN, so an entry left unwritten fails). Float's bound, first order: θ_k − m is one rounding
// (u·|θ_k − m|); s = Σ e^(θ_j − m) in [1, K] carries K roundings of the sum and one ULP of each exp
// and inherits each exp argument's error weighted by e^(θ_j − m)/s (Σ_j u·|θ_j − m|·e^(θ_j − m) <= K·u/e):
// ε_s <= (K + 1)·u + K·u/e relative (one ULP is at most 2u). log s adds one ULP of log (2u·|log s|)
// and inherits ε_s absolutely; the final subtraction is one more rounding (u·|log ŷ_k|).
// ŷ_k = e^(θ_k − m)/s: exp's ULP, ε_s and the division, plus θ_k − m's error through e^(·).
TEST_CASE("log_softmax is theta minus log-sum-exp and softmax its exponential, float and double") {
    test::Rng rng{4242};
    for (int trial = 0; trial < 200; ++trial) {
        constexpr size_t K = 7;
        double theta_d[K];
        float theta_f[K];
        test::fill_uniform(theta_f, rng, -20.0, 20.0);
        test::convert(theta_f, theta_d);  // the same numbers in both precisions
        double m = theta_d[0], s = 0;
        for (double t : theta_d) m = std::fmax(m, t);
        for (double t : theta_d) s += std::exp(t - m);
        const double lse = m + std::log(s);
        float log_p_f[K], p_f[K];
        double log_p_d[K], p_d[K];
        for (size_t k = 0; k < K; ++k) log_p_f[k] = p_f[k] = std::nanf(""), log_p_d[k] = p_d[k] = std::nan("");
        ugrad::log_softmax(theta_f, log_p_f);
        ugrad::softmax(theta_f, p_f);
        ugrad::log_softmax(theta_d, log_p_d);
        ugrad::softmax(theta_d, p_d);
        constexpr double u = 1.0 / 16777216.0;
        for (size_t k = 0; k < K; ++k) {
            const double exact_log = theta_d[k] - lse, exact_p = std::exp(exact_log);
            const double shifted = std::fabs(theta_d[k] - m);
            const double eps_s = (K + 1) * u + K * u / 2.718281828459045;
            CHECK(std::fabs(static_cast<double>(log_p_f[k]) - exact_log) <=
                  u * shifted + eps_s + 2 * u * std::fabs(std::log(s)) + u * std::fabs(exact_log));
            CHECK(std::fabs(static_cast<double>(p_f[k]) - exact_p) <= exact_p * (3 * u + eps_s + u * shifted) + 1e-45);
            CHECK(log_p_d[k] == doctest::Approx(exact_log).epsilon(1e-13).scale(1.0));
            CHECK(p_d[k] == doctest::Approx(exact_p).epsilon(1e-13));
        }
    }
}
