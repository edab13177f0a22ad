// SPDX-License-Identifier: Apache-2.0
// Specs: every status the core returns, and what the outputs hold afterwards (quiet NaN, always).
#include <doctest/doctest.h>

#include <cmath>
#include <initializer_list>
#include <limits>
#include <string>

#include "support.hpp"

namespace {

using Net = ugrad::Mlp<4, 3, 3>;
using Act = ugrad::Activations<4, 3, 3>;
constexpr float qnan = std::numeric_limits<float>::quiet_NaN();
constexpr float pinf = std::numeric_limits<float>::infinity();

struct Fixture {
    Net net = test::random_model<4, 3, 3, float>(7);
    float x[4] = {0.25f, -0.5f, 1.0f, 0.0f};
    Act act{};
    Fixture() { REQUIRE(ugrad::forward(net, x, act) == ugrad::Status::ok); }
};

bool act_all_nan(const Act& a) {
    return test::all_nan(a.h) && test::all_nan(a.dh_dr) && test::all_nan(a.logits) && test::all_nan(a.log_probs) &&
           test::all_nan(a.probs);
}

}  // namespace

TEST_CASE("forward rejects NaN or infinity anywhere in x and leaves act all NaN") {
    for (float bad : {qnan, pinf, -pinf}) {
        for (size_t i = 0; i < 4; ++i) {
            Fixture f;
            f.x[i] = bad;
            CHECK(ugrad::forward(f.net, f.x, f.act) == ugrad::Status::non_finite_input);
            CHECK(act_all_nan(f.act));
        }
    }
}

TEST_CASE("forward reports a non-finite logit as non_finite_result and leaves act all NaN") {
    Fixture f;
    f.net.w2[1][2] = qnan;
    CHECK(ugrad::forward(f.net, f.x, f.act) == ugrad::Status::non_finite_result);
    CHECK(act_all_nan(f.act));
    Fixture g;
    g.net.b2[0] = pinf;
    CHECK(ugrad::forward(g.net, g.x, g.act) == ugrad::Status::non_finite_result);
    CHECK(act_all_nan(g.act));
}

TEST_CASE("a label past the last class is label_out_of_range, with loss and dx NaN") {
    Fixture f;
    float loss = 0, dx[4] = {};
    CHECK(ugrad::cross_entropy(f.act, 3, loss) == ugrad::Status::label_out_of_range);
    CHECK(std::isnan(loss));
    CHECK(ugrad::input_gradient(f.net, f.act, static_cast<size_t>(-1), dx) == ugrad::Status::label_out_of_range);
    CHECK(test::all_nan(dx));
    CHECK(ugrad::cross_entropy(f.act, 2, loss) == ugrad::Status::ok);  // the last valid label
}

TEST_CASE("a target that is not a probability vector is bad_target, with loss and dx NaN") {
    const float bad_targets[][3] = {
        {0.5f, 0.5f, -0.0001f},   // a negative entry, even a tiny one
        {qnan, 0.5f, 0.5f},        // NaN
        {pinf, 0.0f, 0.0f},        // infinity
        {0.5f, 0.25f, 0.2f},      // sums to 0.95
        {0.5f, 0.5f, 0.0011f},    // sums to 1.0011: just past 1e-3
    };
    for (const auto& target : bad_targets) {
        Fixture f;
        float loss = 0, dx[4] = {};
        CHECK(ugrad::cross_entropy(f.act, target, loss) == ugrad::Status::bad_target);
        CHECK(std::isnan(loss));
        CHECK(ugrad::input_gradient(f.net, f.act, target, dx) == ugrad::Status::bad_target);
        CHECK(test::all_nan(dx));
    }
    Fixture f;
    const float within[3] = {0.5f, 0.5f, 0.0009f};  // 1.0009: within 1e-3, accepted
    float loss = 0;
    CHECK(ugrad::cross_entropy(f.act, within, loss) == ugrad::Status::ok);
}

TEST_CASE("backward rejects a non-finite upstream gradient with dx NaN") {
    Fixture f;
    float dx[4] = {};
    const float dlogits[3] = {0.1f, qnan, -0.1f};
    CHECK(ugrad::backward(f.net, f.act, dlogits, dx) == ugrad::Status::non_finite_input);
    CHECK(test::all_nan(dx));
}

TEST_CASE("activations from a failed forward make every later call fail, never answer") {
    Fixture f;
    f.x[0] = qnan;
    REQUIRE(ugrad::forward(f.net, f.x, f.act) == ugrad::Status::non_finite_input);
    float loss = 0, dx[4] = {};
    const float target[3] = {0.0f, 1.0f, 0.0f};
    CHECK(ugrad::cross_entropy(f.act, 1, loss) == ugrad::Status::non_finite_input);
    CHECK(std::isnan(loss));
    CHECK(ugrad::cross_entropy(f.act, target, loss) == ugrad::Status::non_finite_input);
    CHECK(std::isnan(loss));
    CHECK(ugrad::input_gradient(f.net, f.act, 1, dx) == ugrad::Status::non_finite_input);  // ŷ is NaN
    CHECK(test::all_nan(dx));
    const float dlogits[3] = {0.5f, -1.0f, 0.5f};  // a finite upstream gradient meets NaN activations
    CHECK(ugrad::backward(f.net, f.act, dlogits, dx) == ugrad::Status::non_finite_result);
    CHECK(test::all_nan(dx));
}

TEST_CASE("a non-finite first-layer weight surfaces in dx as non_finite_result") {
    Fixture f;
    f.net.w1[2][1] = pinf;  // forward may still saturate to finite logits
    float dx[4] = {};
    const ugrad::Status s = ugrad::forward(f.net, f.x, f.act);
    if (s == ugrad::Status::ok) {
        CHECK(ugrad::input_gradient(f.net, f.act, 0, dx) == ugrad::Status::non_finite_result);
        CHECK(test::all_nan(dx));
    } else {
        CHECK(s == ugrad::Status::non_finite_result);
    }
}

TEST_CASE("every status has a name") {
    CHECK(std::string(ugrad::status_name(ugrad::Status::ok)) == "ok");
    CHECK(std::string(ugrad::status_name(ugrad::Status::label_out_of_range)) == "label_out_of_range");
    CHECK(std::string(ugrad::status_name(ugrad::Status::non_finite_input)) == "non_finite_input");
    CHECK(std::string(ugrad::status_name(ugrad::Status::bad_target)) == "bad_target");
    CHECK(std::string(ugrad::status_name(ugrad::Status::non_finite_result)) == "non_finite_result");
}
