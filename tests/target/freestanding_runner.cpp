// SPDX-License-Identifier: Apache-2.0
// tests/target/freestanding_runner.cpp — the on-target runner that needs no standard library:
// runs on every emulated target (on rv32 it is the whole on-target suite).
//
//  1. The golden vectors (tests/golden): their lines go to the console, and make compares them
//     with the host's and with tests/golden/golden.hash.
//  2. Gradient checks, in the double instantiation: dJ/dx from input_gradient against central
//     finite differences of J(x) = cross_entropy(forward(net, x)), for a class label and a soft
//     target, at several sizes. Here J is evaluated by the library itself (its own exp and log,
//     since rv32 has no libm), so the check is that the library's backward pass is the derivative
//     of its own forward pass, to the same tolerance as the host specs (tests/test_gradient.cpp).
//  3. The error policy: on a failing call, every output is quiet NaN.
// Prints "<target>: N passed, N failed" and exits non-zero if any check failed.
#include <stddef.h>
#include <stdint.h>

#include <ugrad/ugrad.hpp>

#include "../golden/golden_vectors.hpp"
#include "../splitmix64.hpp"
#include "hal.h"

namespace {

int passed = 0;
int failed = 0;

void check(bool ok, const char* what, uint64_t detail) {
    if (ok) {
        ++passed;
        return;
    }
    ++failed;
    hal_write("FAILED: ");
    hal_write(what);
    hal_write(" (");
    hal_write_uint(detail);
    hal_write(")\n");
}

double magnitude(double v) { return v < 0 ? -v : v; }
double larger(double a, double b) { return a > b ? a : b; }
// The larger of two errors, a NaN in either counting as +inf (as tests/nan_aware.hpp): `larger`
// would keep 0 over a NaN, and an all-NaN dJ/dx would score an error of 0.
double worse_error(double worst, double e) {
    if (ugrad::is_nan(worst) || ugrad::is_nan(e)) return ugrad::infinity<double>();
    return larger(worst, e);
}

// SplitMix64 (tests/splitmix64.hpp) and exact uniform values in [lo, hi), as in tests/support.hpp.
struct Generator {
    uint64_t state;
    uint64_t next() {
        return test::splitmix64(state);
    }
    double uniform(double lo, double hi) {
        return lo + (hi - lo) * static_cast<double>(next() >> 40) / 16777216.0;
    }
};

template <size_t N>
void fill(double (&v)[N], Generator& g, double lo, double hi) {
    for (size_t i = 0; i < N; ++i) v[i] = g.uniform(lo, hi);
}
template <size_t N, size_t M>
void fill(double (&v)[N][M], Generator& g, double lo, double hi) {
    for (size_t i = 0; i < N; ++i) fill(v[i], g, lo, hi);
}

constexpr double fd_step = 1e-5;        // relative step of the central differences
constexpr double fd_tolerance = 1e-6;   // norm-wise relative error, as in tests/test_gradient.cpp

// J(x) by the library: forward, then the loss for a label (soft == false) or the target y.
template <size_t In, size_t Hidden, size_t Out>
double loss_at(const ugrad::Mlp<In, Hidden, Out, double>& net, const double (&x)[In], bool soft, size_t label,
               const double (&y)[Out]) {
    ugrad::Activations<In, Hidden, Out, double> act;
    double loss = 0;
    if (ugrad::forward(net, x, act) != ugrad::Status::ok) return ugrad::quiet_nan<double>();
    const ugrad::Status s = soft ? ugrad::cross_entropy(act, y, loss) : ugrad::cross_entropy(act, label, loss);
    return s == ugrad::Status::ok ? loss : ugrad::quiet_nan<double>();
}

// dJ/dx against g_i = (J(x + s e_i) − J(x − s e_i)) / 2s, s = fd_step·max(1, |x_i|);
// error ‖dx − g‖∞ / ‖g‖∞ <= fd_tolerance.
template <size_t In, size_t Hidden, size_t Out>
void check_input_gradient(uint64_t seed) {
    static ugrad::Mlp<In, Hidden, Out, double> net;  // static: keeps big models off the small stacks
    Generator g{seed};
    fill(net.w1, g, -1.0, 1.0);
    fill(net.b1, g, -1.0, 1.0);
    fill(net.w2, g, -1.0, 1.0);
    fill(net.b2, g, -1.0, 1.0);
    double x[In], y[Out];
    fill(x, g, -2.0, 2.0);
    double sum = 0;
    for (size_t k = 0; k < Out; ++k) sum += (y[k] = g.uniform(0.0, 1.0));
    for (size_t k = 0; k < Out; ++k) y[k] /= sum;
    const size_t label = static_cast<size_t>(g.next() % Out);

    for (int pass = 0; pass < 2; ++pass) {
        const bool soft = pass == 1;
        ugrad::Activations<In, Hidden, Out, double> act;
        double dx[In];
        const bool forward_ok = ugrad::forward(net, x, act) == ugrad::Status::ok;
        check(forward_ok, "forward on a finite input", seed);
        const ugrad::Status s = soft ? ugrad::input_gradient(net, act, y, dx) : ugrad::input_gradient(net, act, label, dx);
        check(s == ugrad::Status::ok, "input_gradient status", seed);
        double worst = 0, scale = 0;
        double w[In];
        for (size_t i = 0; i < In; ++i) w[i] = x[i];
        for (size_t i = 0; i < In; ++i) {
            const double step = fd_step * larger(1.0, magnitude(x[i]));
            w[i] = x[i] + step;
            const double up = loss_at(net, w, soft, label, y);
            w[i] = x[i] - step;
            const double down = loss_at(net, w, soft, label, y);
            w[i] = x[i];
            const double fd = (up - down) / (2 * step);
            worst = worse_error(worst, magnitude(dx[i] - fd));
            scale = worse_error(scale, magnitude(fd));
        }
        const double error = worse_error(0, scale > 0 ? worst / scale : worst);
        check(error <= fd_tolerance, soft ? "dJ/dx (soft target) against finite differences"
                                          : "dJ/dx (label) against finite differences",
              seed);
    }
}

template <size_t N>
bool all_nan(const float (&v)[N]) {
    for (size_t i = 0; i < N; ++i)
        if (!ugrad::is_nan(v[i])) return false;
    return true;
}

// A NaN input: forward fails with non_finite_input and every activation is NaN; the loss and
// the gradient taken from those activations fail too and write NaN.
void check_error_policy() {
    static const ugrad::Mlp<3, 2, 2> net = {{{0.5f, -1.0f}, {1.5f, 0.75f}, {-0.5f, 0.25f}},
                                             {0.1f, -0.2f},
                                             {{1.0f, -1.0f}, {-0.5f, 0.5f}},
                                             {0.0f, 0.1f}};
    const float x[3] = {0.5f, ugrad::quiet_nan<float>(), 1.0f};
    ugrad::Activations<3, 2, 2> act;
    check(ugrad::forward(net, x, act) == ugrad::Status::non_finite_input, "forward(NaN) status", 0);
    check(all_nan(act.h) && all_nan(act.dh_dr) && all_nan(act.logits) && all_nan(act.log_probs) &&
              all_nan(act.probs),
          "forward(NaN) leaves every activation NaN", 0);
    float loss = 0;
    check(ugrad::cross_entropy(act, 1, loss) == ugrad::Status::non_finite_input && ugrad::is_nan(loss),
          "cross_entropy after a failed forward", 0);
    float dx[3];
    check(ugrad::input_gradient(net, act, 1, dx) != ugrad::Status::ok && all_nan(dx),
          "input_gradient after a failed forward", 0);
    check(ugrad::input_gradient(net, act, 7, dx) == ugrad::Status::label_out_of_range && all_nan(dx),
          "input_gradient with a label out of range", 0);
}

}  // namespace

// The helper that folds errors: a NaN is the worst error there is.
void check_worse_error() {
    const double nan = ugrad::quiet_nan<double>(), inf = ugrad::infinity<double>();
    check(worse_error(0, nan) == inf && worse_error(nan, 0.5) == inf && worse_error(0.25, 0.5) == 0.5 &&
              worse_error(0.5, 0.25) == 0.5,
          "worse_error: a NaN counts as +inf", 0);
}

int main() {
    golden::run(hal_write);
    check_worse_error();
    for (uint64_t seed = 1; seed <= 3; ++seed) {
        check_input_gradient<1, 1, 2>(seed);
        check_input_gradient<3, 4, 2>(seed);
        check_input_gradient<16, 8, 3>(seed);
#if !defined(HAL_RAM_BYTES) || HAL_RAM_BYTES >= 65536
        check_input_gradient<64, 32, 10>(seed);  // 19 KB of double weights: not on a 16 KB board
#endif
    }
    check_error_policy();
    hal_write(HAL_TARGET_NAME " freestanding runner: ");
    hal_write_uint(static_cast<uint64_t>(passed));
    hal_write(" passed, ");
    hal_write_uint(static_cast<uint64_t>(failed));
    hal_write(" failed\n");
    return failed == 0 ? 0 : 1;
}
