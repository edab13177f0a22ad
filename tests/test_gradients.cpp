// SPDX-License-Identifier: Apache-2.0
// Specs: the weight gradients (accumulate_gradients), sgd_step, and the Jacobians ∂ŷ/∂x and
// ∂log ŷ/∂x, each against central finite differences of the textbook network in double.
#include <doctest/doctest.h>

#include <string.h>

#include "error_bound.hpp"
#include "support.hpp"

namespace {

constexpr double fd_tolerance = 1e-6;  // norm-wise relative error, as for dJ/dx

template <size_t In, size_t Hidden, size_t Out>
using Net = ugrad::Mlp<In, Hidden, Out, double>;
template <size_t In, size_t Hidden, size_t Out>
using Grads = ugrad::Gradients<In, Hidden, Out, double>;

// Views of one block of parameters as a flat array, for central_difference: the block's address
// inside a copy of the model, and its size.
template <size_t N, typename Block>
double (&flat(Block& block))[N] {
    static_assert(sizeof(Block) == N * sizeof(double), "flat view of the whole block");
    return *reinterpret_cast<double(*)[N]>(&block);
}

// Finite differences of J(params) for the block selected by `pick` (a pointer to member), against
// the same block of the analytic gradient.
template <size_t In, size_t Hidden, size_t Out, size_t N, typename Block>
double block_error(const Net<In, Hidden, Out>& net, const Grads<In, Hidden, Out>& grads, Block Net<In, Hidden, Out>::*pick,
                   Block Grads<In, Hidden, Out>::*pick_grad, const double (&x)[In], const double (&y)[Out]) {
    Net<In, Hidden, Out> probe = net;
    double (&v)[N] = flat<N>(probe.*pick);
    double at[N], fd[N], analytic[N];
    memcpy(at, v, sizeof at);
    memcpy(analytic, &(grads.*pick_grad), sizeof analytic);
    test::central_difference(
        [&](const double(&w)[N]) {
            memcpy(v, w, sizeof at);
            return test::ref_loss(probe, x, y);
        },
        at, fd);
    return test::relative_error(analytic, fd);
}

template <size_t In, size_t Hidden, size_t Out>
void check_weight_gradients(uint64_t seed) {
    for (int pass = 0; pass < 2; ++pass) {
        const bool soft = pass == 1;
        CAPTURE(soft);
        const Net<In, Hidden, Out> net = test::random_model<In, Hidden, Out>(seed);
        test::Rng rng{seed ^ 0x5eedull};
        double x[In], y[Out];
        test::fill_uniform(x, rng, -2.0, 2.0);
        const size_t label = static_cast<size_t>(rng.next() % Out);
        if (soft) {
            test::random_target(y, rng);
        } else {
            for (size_t k = 0; k < Out; ++k) y[k] = k == label ? 1.0 : 0.0;
        }
        ugrad::Activations<In, Hidden, Out, double> act;
        REQUIRE(ugrad::forward(net, x, act) == ugrad::Status::ok);
        Grads<In, Hidden, Out> g = {};
        const ugrad::Status s = soft ? ugrad::accumulate_gradients(net, x, act, y, g)
                                     : ugrad::accumulate_gradients(net, x, act, label, g);
        REQUIRE(s == ugrad::Status::ok);
        using N = Net<In, Hidden, Out>;
        using G = Grads<In, Hidden, Out>;
        CHECK(test::record_fd_error(block_error<In, Hidden, Out, In * Hidden>(net, g, &N::w1, &G::w1, x, y)) < fd_tolerance);
        CHECK(test::record_fd_error(block_error<In, Hidden, Out, Hidden>(net, g, &N::b1, &G::b1, x, y)) < fd_tolerance);
        CHECK(test::record_fd_error(block_error<In, Hidden, Out, Hidden * Out>(net, g, &N::w2, &G::w2, x, y)) < fd_tolerance);
        CHECK(test::record_fd_error(block_error<In, Hidden, Out, Out>(net, g, &N::b2, &G::b2, x, y)) < fd_tolerance);
    }
}

template <size_t N, size_t M>
bool same_bits(const double (&a)[N][M], const double (&b)[N][M]) {
    return memcmp(a, b, sizeof a) == 0;
}

}  // namespace

TEST_CASE("dJ/dW1, dJ/db1, dJ/dW2, dJ/db2 match central finite differences, label and soft target") {
    check_weight_gradients<1, 1, 2>(101);
    check_weight_gradients<2, 3, 2>(102);
    check_weight_gradients<3, 5, 7>(103);
    check_weight_gradients<13, 11, 9>(104);
    check_weight_gradients<64, 32, 10>(105);
}

TEST_CASE("the weight gradients for any upstream dJ/dtheta match finite differences of u·theta") {
    // J = u·θ for a fixed u: dJ/dθ = u, and dJ/dW2[j][k] = h[j]·u[k] etc.
    const auto net = test::random_model<7, 5, 4>(111);
    test::Rng rng{112};
    double x[7], u[4];
    test::fill_uniform(x, rng, -1.5, 1.5);
    test::fill_uniform(u, rng, -3.0, 3.0);
    ugrad::Activations<7, 5, 4, double> act;
    REQUIRE(ugrad::forward(net, x, act) == ugrad::Status::ok);
    Grads<7, 5, 4> g = {};
    REQUIRE(ugrad::backward_to_weights(net, x, act, u, g) == ugrad::Status::ok);
    Net<7, 5, 4> probe = net;
    double at[35], fd[35], analytic[35];
    memcpy(at, probe.w1, sizeof at);
    memcpy(analytic, g.w1, sizeof analytic);
    test::central_difference(
        [&](const double(&w)[35]) {
            memcpy(probe.w1, w, sizeof w);
            double r[5], theta[4], sum = 0;
            test::ref_pre_activation(probe, x, r);
            test::ref_logits_from_r(probe, r, theta);
            for (size_t k = 0; k < 4; ++k) sum += u[k] * theta[k];
            return sum;
        },
        at, fd);
    CHECK(test::record_fd_error(test::relative_error(analytic, fd)) < fd_tolerance);
    for (size_t k = 0; k < 4; ++k) CHECK(g.b2[k] == u[k]);
}

TEST_CASE("a batch's gradient is the sum of its samples' gradients") {
    const auto net = test::random_model<6, 4, 3>(121);
    test::Rng rng{122};
    double x1[6], x2[6];
    test::fill_uniform(x1, rng, -1.0, 1.0);
    test::fill_uniform(x2, rng, -1.0, 1.0);
    x1[2] = 0.0;  // a blank pixel: its row of dW1 gets nothing
    ugrad::Activations<6, 4, 3, double> a1, a2;
    REQUIRE(ugrad::forward(net, x1, a1) == ugrad::Status::ok);
    REQUIRE(ugrad::forward(net, x2, a2) == ugrad::Status::ok);
    Grads<6, 4, 3> both = {}, one = {}, two = {};
    REQUIRE(ugrad::accumulate_gradients(net, x1, a1, size_t{0}, both) == ugrad::Status::ok);
    REQUIRE(ugrad::accumulate_gradients(net, x2, a2, size_t{2}, both) == ugrad::Status::ok);
    REQUIRE(ugrad::accumulate_gradients(net, x1, a1, size_t{0}, one) == ugrad::Status::ok);
    REQUIRE(ugrad::accumulate_gradients(net, x2, a2, size_t{2}, two) == ugrad::Status::ok);
    for (size_t i = 0; i < 6; ++i)
        for (size_t j = 0; j < 4; ++j) CHECK(both.w1[i][j] == one.w1[i][j] + two.w1[i][j]);
    for (size_t j = 0; j < 4; ++j) CHECK(one.w1[2][j] == 0.0);
    for (size_t j = 0; j < 4; ++j)
        for (size_t k = 0; k < 3; ++k) CHECK(both.w2[j][k] == one.w2[j][k] + two.w2[j][k]);
    for (size_t j = 0; j < 4; ++j) CHECK(both.b1[j] == one.b1[j] + two.b1[j]);
    for (size_t k = 0; k < 3; ++k) CHECK(both.b2[k] == one.b2[k] + two.b2[k]);
}

TEST_CASE("float weight gradients are within the derived error bound of the double instantiation") {
    // tests/error_bound.hpp bounds the float error of h, ŷ and dr; the weight gradients add one
    // rounding each: dW1 = x·dr (x exact), dW2 = h·dθ with dθ = ŷ − y (one more rounding).
    double worst = 0;  // largest error / bound seen, for the message
    for (uint64_t seed = 131; seed < 136; ++seed) {
        CAPTURE(seed);
        const auto netd = test::convert<double>(test::convert<float>(test::random_model<64, 32, 10>(seed)));
        const auto netf = test::convert<float>(netd);
        test::Rng rng{seed + 100};
        double xd[64];
        float xf[64];
        test::fill_uniform(xd, rng, 0.0, 1.0);
        test::convert(xd, xf);
        const size_t label = static_cast<size_t>(rng.next() % 10);
        ugrad::Activations<64, 32, 10, double> ad;
        ugrad::Activations<64, 32, 10, float> af;
        REQUIRE(ugrad::forward(netd, xd, ad) == ugrad::Status::ok);
        REQUIRE(ugrad::forward(netf, xf, af) == ugrad::Status::ok);
        Grads<64, 32, 10> gd = {};
        ugrad::Gradients<64, 32, 10, float> gf = {};
        REQUIRE(ugrad::accumulate_gradients(netd, xd, ad, label, gd) == ugrad::Status::ok);
        REQUIRE(ugrad::accumulate_gradients(netf, xf, af, label, gf) == ugrad::Status::ok);
        double dtheta[10];
        for (size_t k = 0; k < 10; ++k) dtheta[k] = ad.probs[k] - (k == label ? 1.0 : 0.0);
        const test::FloatErrorBound<64, 32, 10> bound(netd, xd, ad, dtheta);
        auto within = [&](float f, double d, double b) {
            const double e = std::fabs(static_cast<double>(f) - d);
            worst = test::worse_error(worst, e / b);
            return e <= b;
        };
        size_t outside = 0;
        for (size_t j = 0; j < 32; ++j) {
            const double dr = gd.b1[j];
            outside += !within(gf.b1[j], dr, bound.dr[j]);
            for (size_t i = 0; i < 64; ++i)
                outside += !within(gf.w1[i][j], gd.w1[i][j],
                                   std::fabs(xd[i]) * bound.dr[j] + test::u * std::fabs(xd[i] * dr) + 2 * test::eta);
        }
        for (size_t k = 0; k < 10; ++k) {
            const double dtheta_error = bound.probs[k] + test::u * std::fabs(dtheta[k]);
            outside += !within(gf.b2[k], gd.b2[k], dtheta_error);
            for (size_t j = 0; j < 32; ++j)
                outside += !within(gf.w2[j][k], gd.w2[j][k],
                                   bound.h[j] * std::fabs(dtheta[k]) + std::fabs(ad.h[j]) * dtheta_error +
                                       test::u * std::fabs(ad.h[j] * dtheta[k]) + 2 * test::eta);
        }
        CHECK(outside == 0);
    }
    MESSAGE("float weight gradients: largest error / derived bound ", worst);
}

TEST_CASE("sgd_step: p <- p - lr*g, then g <- momentum*g") {
    const auto net0 = test::random_model<5, 4, 3>(141);
    test::Rng rng{142};
    Grads<5, 4, 3> g;
    test::fill_uniform(g.w1, rng, -1.0, 1.0);
    test::fill_uniform(g.b1, rng, -1.0, 1.0);
    test::fill_uniform(g.w2, rng, -1.0, 1.0);
    test::fill_uniform(g.b2, rng, -1.0, 1.0);
    const Grads<5, 4, 3> g0 = g;
    auto net = net0;
    REQUIRE(ugrad::sgd_step(net, g, 0.25, 0.5) == ugrad::Status::ok);
    for (size_t i = 0; i < 5; ++i)
        for (size_t j = 0; j < 4; ++j) {
            CHECK(net.w1[i][j] == net0.w1[i][j] - 0.25 * g0.w1[i][j]);
            CHECK(g.w1[i][j] == 0.5 * g0.w1[i][j]);
        }
    for (size_t j = 0; j < 4; ++j) CHECK(net.b1[j] == net0.b1[j] - 0.25 * g0.b1[j]);
    for (size_t j = 0; j < 4; ++j)
        for (size_t k = 0; k < 3; ++k) CHECK(net.w2[j][k] == net0.w2[j][k] - 0.25 * g0.w2[j][k]);
    for (size_t k = 0; k < 3; ++k) {
        CHECK(net.b2[k] == net0.b2[k] - 0.25 * g0.b2[k]);
        CHECK(g.b2[k] == 0.5 * g0.b2[k]);
    }
    // momentum 0: plain SGD, and the buffer is left zeroed for the next batch
    REQUIRE(ugrad::sgd_step(net, g, 0.25) == ugrad::Status::ok);
    for (size_t i = 0; i < 5; ++i)
        for (size_t j = 0; j < 4; ++j) CHECK(g.w1[i][j] == 0.0);
}

TEST_CASE("momentum kept in the gradient buffer is heavy-ball: v = mu*v + g, p -= lr*v") {
    // The textbook keeps a separate velocity for every parameter; the library keeps it in grads.
    using N = Net<3, 2, 2>;
    constexpr size_t P = sizeof(N) / sizeof(double);
    static_assert(sizeof(Grads<3, 2, 2>) == sizeof(N), "Gradients is shaped like Mlp");
    const N net0 = test::random_model<3, 2, 2>(151);
    test::Rng rng{152};
    double x[3];
    test::fill_uniform(x, rng, -1.0, 1.0);
    N net = net0, reference = net0;
    Grads<3, 2, 2> buffer = {};
    double v[P] = {};
    for (int step = 0; step < 4; ++step) {
        ugrad::Activations<3, 2, 2, double> act;
        REQUIRE(ugrad::forward(net, x, act) == ugrad::Status::ok);
        REQUIRE(ugrad::accumulate_gradients(net, x, act, size_t{1}, buffer) == ugrad::Status::ok);
        REQUIRE(ugrad::sgd_step(net, buffer, 0.1, 0.9) == ugrad::Status::ok);

        REQUIRE(ugrad::forward(reference, x, act) == ugrad::Status::ok);
        Grads<3, 2, 2> fresh = {};
        REQUIRE(ugrad::accumulate_gradients(reference, x, act, size_t{1}, fresh) == ugrad::Status::ok);
        double p[P], g[P];
        memcpy(p, &reference, sizeof p);
        memcpy(g, &fresh, sizeof g);
        for (size_t i = 0; i < P; ++i) {
            v[i] = 0.9 * v[i] + g[i];
            p[i] = p[i] - 0.1 * v[i];
        }
        memcpy(&reference, p, sizeof p);
        double got[P];
        memcpy(got, &net, sizeof got);
        CAPTURE(step);
        CHECK(test::relative_error(got, p) < 1e-14);
    }
}

TEST_CASE("bad input: a status, grads all NaN, and sgd_step then leaves the model unchanged") {
    const auto net0 = test::random_model<6, 4, 3>(161);
    test::Rng rng{162};
    double x[6];
    test::fill_uniform(x, rng, -1.0, 1.0);
    ugrad::Activations<6, 4, 3, double> act;
    REQUIRE(ugrad::forward(net0, x, act) == ugrad::Status::ok);

    auto expect_spoiled = [&](ugrad::Status got, ugrad::Status want, Grads<6, 4, 3>& g) {
        CHECK(got == want);
        CHECK(test::all_nan(g.w1[0]));
        CHECK(test::all_nan(g.w1[5]));
        CHECK(test::all_nan(g.b1));
        CHECK(test::all_nan(g.w2[3]));
        CHECK(test::all_nan(g.b2));
        auto net = net0;
        CHECK(ugrad::sgd_step(net, g, 0.1) == ugrad::Status::non_finite_input);
        CHECK(memcmp(&net, &net0, sizeof net) == 0);
    };
    {
        Grads<6, 4, 3> g = {};
        expect_spoiled(ugrad::accumulate_gradients(net0, x, act, size_t{3}, g), ugrad::Status::label_out_of_range, g);
    }
    {
        Grads<6, 4, 3> g = {};
        const double bad_target[3] = {0.5, 0.6, 0.0};
        expect_spoiled(ugrad::accumulate_gradients(net0, x, act, bad_target, g), ugrad::Status::bad_target, g);
    }
    {
        Grads<6, 4, 3> g = {};
        double bad_x[6];
        memcpy(bad_x, x, sizeof x);
        bad_x[4] = ugrad::quiet_nan<double>();
        expect_spoiled(ugrad::accumulate_gradients(net0, bad_x, act, size_t{1}, g), ugrad::Status::non_finite_input, g);
        bad_x[4] = -ugrad::infinity<double>();
        expect_spoiled(ugrad::accumulate_gradients(net0, bad_x, act, size_t{1}, g), ugrad::Status::non_finite_input, g);
    }
    {
        // act from a failed forward: its NaN probabilities make a NaN dJ/dθ, as in cross_entropy
        Grads<6, 4, 3> g = {};
        double bad_x[6];
        memcpy(bad_x, x, sizeof x);
        bad_x[0] = ugrad::infinity<double>();
        ugrad::Activations<6, 4, 3, double> failed;
        REQUIRE(ugrad::forward(net0, bad_x, failed) == ugrad::Status::non_finite_input);
        expect_spoiled(ugrad::accumulate_gradients(net0, x, failed, size_t{1}, g), ugrad::Status::non_finite_input, g);
    }
    {
        // a non-finite learning rate or momentum: nothing written
        Grads<6, 4, 3> g = {};
        REQUIRE(ugrad::accumulate_gradients(net0, x, act, size_t{1}, g) == ugrad::Status::ok);
        const Grads<6, 4, 3> g0 = g;
        auto net = net0;
        CHECK(ugrad::sgd_step(net, g, ugrad::quiet_nan<double>()) == ugrad::Status::non_finite_input);
        CHECK(ugrad::sgd_step(net, g, 0.1, ugrad::infinity<double>()) == ugrad::Status::non_finite_input);
        CHECK(memcmp(&net, &net0, sizeof net) == 0);
        CHECK(memcmp(&g, &g0, sizeof g) == 0);
        // a sum that overflowed to inf is refused the same way
        g.w2[1][2] = ugrad::infinity<double>();
        CHECK(ugrad::sgd_step(net, g, 0.1) == ugrad::Status::non_finite_input);
        CHECK(memcmp(&net, &net0, sizeof net) == 0);
    }
}

namespace {

// Textbook log ŷ(x) in double with libm.
template <size_t In, size_t Hidden, size_t Out>
void ref_log_probs(const Net<In, Hidden, Out>& net, const double (&x)[In], double (&log_p)[Out]) {
    double r[Hidden], theta[Out];
    test::ref_pre_activation(net, x, r);
    test::ref_logits_from_r(net, r, theta);
    double m = theta[0];
    for (size_t k = 1; k < Out; ++k) m = std::fmax(m, theta[k]);
    double s = 0;
    for (size_t k = 0; k < Out; ++k) s += std::exp(theta[k] - m);
    for (size_t k = 0; k < Out; ++k) log_p[k] = theta[k] - m - std::log(s);
}

template <size_t In, size_t Hidden, size_t Out>
void check_jacobians(uint64_t seed) {
    const auto net = test::random_model<In, Hidden, Out>(seed);
    test::Rng rng{seed ^ 0x1acull};
    double x[In];
    test::fill_uniform(x, rng, -2.0, 2.0);
    ugrad::Activations<In, Hidden, Out, double> act;
    REQUIRE(ugrad::forward(net, x, act) == ugrad::Status::ok);
    double log_jac[Out][In], jac[Out][In];
    REQUIRE(ugrad::log_prob_jacobian(net, act, log_jac) == ugrad::Status::ok);
    REQUIRE(ugrad::prob_jacobian(net, act, jac) == ugrad::Status::ok);
    for (size_t k = 0; k < Out; ++k) {
        CAPTURE(k);
        double fd_log[In], fd[In];
        test::central_difference(
            [&](const double(&v)[In]) {
                double lp[Out];
                ref_log_probs(net, v, lp);
                return lp[k];
            },
            x, fd_log);
        test::central_difference(
            [&](const double(&v)[In]) {
                double lp[Out];
                ref_log_probs(net, v, lp);
                return std::exp(lp[k]);
            },
            x, fd);
        CHECK(test::record_fd_error(test::relative_error(log_jac[k], fd_log)) < fd_tolerance);
        CHECK(test::record_fd_error(test::relative_error(jac[k], fd)) < fd_tolerance);
    }
}

}  // namespace

TEST_CASE("the Jacobians d(yhat)/dx and d(log yhat)/dx, Out x In, match finite differences row by row") {
    check_jacobians<1, 1, 2>(171);
    check_jacobians<3, 5, 7>(172);
    check_jacobians<13, 11, 9>(173);
    check_jacobians<64, 32, 10>(174);
}

TEST_CASE("the Jacobians: row k of d(log yhat)/dx is minus input_gradient for label k; columns of d(yhat)/dx sum to 0") {
    const auto net = test::random_model<9, 6, 5>(181);
    test::Rng rng{182};
    double x[9];
    test::fill_uniform(x, rng, -1.0, 1.0);
    ugrad::Activations<9, 6, 5, double> act;
    REQUIRE(ugrad::forward(net, x, act) == ugrad::Status::ok);
    double log_jac[5][9], jac[5][9];
    REQUIRE(ugrad::log_prob_jacobian(net, act, log_jac) == ugrad::Status::ok);
    REQUIRE(ugrad::prob_jacobian(net, act, jac) == ugrad::Status::ok);
    for (size_t k = 0; k < 5; ++k) {
        double dx[9];
        REQUIRE(ugrad::input_gradient(net, act, k, dx) == ugrad::Status::ok);
        for (size_t i = 0; i < 9; ++i) CHECK(log_jac[k][i] == doctest::Approx(-dx[i]).epsilon(1e-12));
    }
    // Σ_k ŷ_k = 1 whatever x is, so Σ_k ∂ŷ_k/∂x_i = 0.
    for (size_t i = 0; i < 9; ++i) {
        double sum = 0, scale = 0;
        for (size_t k = 0; k < 5; ++k) {
            sum += jac[k][i];
            scale = std::fmax(scale, std::fabs(jac[k][i]));
        }
        CHECK(std::fabs(sum) <= 1e-14 * scale + 1e-300);
    }
}

TEST_CASE("the Jacobians after a failed forward: status and every entry NaN") {
    const auto net = test::random_model<4, 3, 2>(191);
    double x[4] = {0.1, ugrad::quiet_nan<double>(), 0.3, 0.4};
    ugrad::Activations<4, 3, 2, double> act;
    REQUIRE(ugrad::forward(net, x, act) == ugrad::Status::non_finite_input);
    double log_jac[2][4], jac[2][4];
    CHECK(ugrad::log_prob_jacobian(net, act, log_jac) == ugrad::Status::non_finite_input);
    CHECK(ugrad::prob_jacobian(net, act, jac) == ugrad::Status::non_finite_input);
    for (size_t k = 0; k < 2; ++k) {
        CHECK(test::all_nan(log_jac[k]));
        CHECK(test::all_nan(jac[k]));
    }
}

TEST_CASE("the batch-1 sgd_step without a buffer equals accumulate_gradients into zeros, then sgd_step") {
    for (int pass = 0; pass < 2; ++pass) {
        const bool soft = pass == 1;
        CAPTURE(soft);
        const auto net0 = test::convert<float>(test::random_model<64, 32, 10>(201 + static_cast<uint64_t>(pass)));
        test::Rng rng{203};
        double xd[64], yd[10];
        test::fill_uniform(xd, rng, 0.0, 1.0);
        for (size_t i = 0; i < 64; i += 3) xd[i] = 0.0;  // blank pixels
        test::random_target(yd, rng);
        float x[64], y[10];
        test::convert(xd, x);
        test::convert(yd, y);
        ugrad::Activations<64, 32, 10, float> act;
        REQUIRE(ugrad::forward(net0, x, act) == ugrad::Status::ok);
        auto buffered = net0, direct = net0;
        ugrad::Gradients<64, 32, 10, float> g = {};
        const float eta = 0.375f;
        if (soft) {
            REQUIRE(ugrad::accumulate_gradients(buffered, x, act, y, g) == ugrad::Status::ok);
            REQUIRE(ugrad::sgd_step(direct, x, act, y, eta) == ugrad::Status::ok);
        } else {
            REQUIRE(ugrad::accumulate_gradients(buffered, x, act, size_t{4}, g) == ugrad::Status::ok);
            REQUIRE(ugrad::sgd_step(direct, x, act, size_t{4}, eta) == ugrad::Status::ok);
        }
        REQUIRE(ugrad::sgd_step(buffered, g, eta) == ugrad::Status::ok);
        size_t changed = 0, differ = 0;
        for (size_t i = 0; i < 64; ++i)
            for (size_t j = 0; j < 32; ++j) {
                differ += buffered.w1[i][j] != direct.w1[i][j];
                changed += direct.w1[i][j] != net0.w1[i][j];
            }
        for (size_t j = 0; j < 32; ++j) {
            differ += buffered.b1[j] != direct.b1[j];
            for (size_t k = 0; k < 10; ++k) differ += buffered.w2[j][k] != direct.w2[j][k];
        }
        for (size_t k = 0; k < 10; ++k) differ += buffered.b2[k] != direct.b2[k];
        CHECK(differ == 0);
        CHECK(changed > 1000);  // the step did move W1 (all but the blank rows)
    }
}

TEST_CASE("the batch-1 sgd_step on bad input: a status, and the model unchanged") {
    const auto net0 = test::random_model<6, 4, 3>(211);
    test::Rng rng{212};
    double x[6];
    test::fill_uniform(x, rng, -1.0, 1.0);
    ugrad::Activations<6, 4, 3, double> act;
    REQUIRE(ugrad::forward(net0, x, act) == ugrad::Status::ok);
    auto net = net0;
    CHECK(ugrad::sgd_step(net, x, act, size_t{3}, 0.1) == ugrad::Status::label_out_of_range);
    const double bad_target[3] = {0.2, -0.1, 0.9};
    CHECK(ugrad::sgd_step(net, x, act, bad_target, 0.1) == ugrad::Status::bad_target);
    CHECK(ugrad::sgd_step(net, x, act, size_t{1}, ugrad::infinity<double>()) == ugrad::Status::non_finite_input);
    double bad_x[6];
    memcpy(bad_x, x, sizeof x);
    bad_x[5] = ugrad::quiet_nan<double>();
    CHECK(ugrad::sgd_step(net, bad_x, act, size_t{1}, 0.1) == ugrad::Status::non_finite_input);
    ugrad::Activations<6, 4, 3, double> failed;
    REQUIRE(ugrad::forward(net0, bad_x, failed) == ugrad::Status::non_finite_input);
    CHECK(ugrad::sgd_step(net, x, failed, size_t{1}, 0.1) == ugrad::Status::non_finite_input);
    CHECK(memcmp(&net, &net0, sizeof net) == 0);
}

TEST_CASE("sgd_step's finiteness check: a sum that overflows is not mistaken for a non-finite gradient") {
    // Two finite gradients of 3e38 sum to +inf in float; the step must still be taken.
    ugrad::Mlp<2, 2, 2> net = {};
    ugrad::Gradients<2, 2, 2> g = {};
    g.w1[0][0] = 3e38f;
    g.w1[1][1] = 3e38f;
    g.b2[1] = -3e38f;
    REQUIRE(ugrad::sgd_step(net, g, 1e-38f) == ugrad::Status::ok);
    CHECK(net.w1[0][0] == -1e-38f * 3e38f);
    CHECK(net.b2[1] == 1e-38f * 3e38f);
    // and a single infinity or NaN among them is caught, leaving the model alone
    const auto before = net;
    g.w1[0][0] = 3e38f;
    g.w2[1][0] = ugrad::infinity<float>();
    CHECK(ugrad::sgd_step(net, g, 1e-38f) == ugrad::Status::non_finite_input);
    g.w2[1][0] = ugrad::quiet_nan<float>();
    CHECK(ugrad::sgd_step(net, g, 1e-38f) == ugrad::Status::non_finite_input);
    CHECK(memcmp(&net, &before, sizeof net) == 0);
}
