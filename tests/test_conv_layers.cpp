// SPDX-License-Identifier: Apache-2.0
// Specs: the image layers (Conv2D, Conv1D, DepthwiseConv2D, AveragePool2D, MaxPool2D,
// GlobalAveragePool) one at a time: TFLite's output sizes and paddings; forward against an
// independent reference in double that pads the input explicitly; the input gradient and the
// weight gradients against central differences in double; float against double; and the NaN and
// tie rules of the max pool. Shapes cover non-square kernels, strides 1 to 3, odd sizes and SAME
// padding split unevenly.
#include <doctest/doctest.h>

#include <math.h>
#include <stddef.h>
#include <stdint.h>

#include <limits>
#include <type_traits>
#include <vector>

#include <ugrad/layers/conv2d.hpp>
#include <ugrad/layers/depthwise_conv2d.hpp>
#include <ugrad/layers/pool2d.hpp>

#include "support.hpp"

namespace {

using namespace ugrad;

// ---- Arrays of any rank, entry by entry ----

template <typename T, typename F>
void each(T& v, F f) {
    if constexpr (std::is_array_v<T>)
        for (auto& e : v) each(e, f);
    else
        f(v);
}

template <typename A>
void fill_random(A& a, test::Rng& rng, double lo, double hi) {
    each(a, [&](auto& v) { v = static_cast<std::remove_reference_t<decltype(v)>>(rng.uniform(lo, hi)); });
}

// ‖a − b‖∞ / ‖b‖∞, and infinite if any entry of either is NaN (a NaN result never passes).
double error_of(const std::vector<double>& a, const std::vector<double>& b) {
    REQUIRE(a.size() == b.size());
    double num = 0, den = 0;
    for (size_t i = 0; i < a.size(); ++i) {
        if (isnan(a[i]) || isnan(b[i])) return std::numeric_limits<double>::infinity();
        const double d = fabs(a[i] - b[i]);
        if (d > num) num = d;
        if (fabs(b[i]) > den) den = fabs(b[i]);
    }
    return den > 0 ? num / den : num;
}

TEST_CASE("the comparison used here counts a NaN as an infinite error") {
    CHECK(error_of({1.0, std::numeric_limits<double>::quiet_NaN()}, {1.0, 2.0}) == std::numeric_limits<double>::infinity());
    CHECK(error_of({1.0, 2.0}, {1.0, std::numeric_limits<double>::quiet_NaN()}) == std::numeric_limits<double>::infinity());
    CHECK(error_of({1.0, 2.5}, {1.0, 2.0}) == doctest::Approx(0.25));
}

// ---- An independent reference: pad explicitly, then slide every window over the padded input ----

// One axis as TFLite defines it: the output size and the padding before the input.
struct AxisRef {
    long out, before;
};
AxisRef axis_ref(long in, long k, long s, bool same) {
    if (!same) return {(in - k) / s + 1, 0};
    const long out = (in + s - 1) / s;
    long total = (out - 1) * s + k - in;
    if (total < 0) total = 0;
    return {out, total / 2};
}

// Geometry of a layer L in plain numbers.
struct Geometry {
    long H, W, C, KH, KW, SH, SW, OH, OW, top, left;
};
template <class L>
Geometry geometry_of(long KH, long KW) {
    using In = typename L::input_shape;
    const bool same = std::is_same_v<typename L::padding, Same>;
    const long SH = static_cast<long>(L::stride::height), SW = static_cast<long>(L::stride::width);
    const AxisRef r = axis_ref(static_cast<long>(In::height), KH, SH, same);
    const AxisRef c = axis_ref(static_cast<long>(In::width), KW, SW, same);
    return {static_cast<long>(In::height), static_cast<long>(In::width), static_cast<long>(In::channels),
            KH, KW, SH, SW, r.out, c.out, r.before, c.before};
}

// The input padded with "absent" marks; a reference layer sees only present values.
struct Padded {
    Geometry g;
    std::vector<double> v;
    std::vector<bool> present;
    Padded(const Geometry& geo, const std::vector<double>& x) : g(geo) {
        const long PH = g.H + g.KH + g.SH * g.OH, PW = g.W + g.KW + g.SW * g.OW;  // generous
        v.assign(static_cast<size_t>(PH * PW * g.C), 0.0);
        present.assign(v.size(), false);
        for (long y = 0; y < g.H; ++y)
            for (long x0 = 0; x0 < g.W; ++x0)
                for (long c = 0; c < g.C; ++c) {
                    const size_t at = static_cast<size_t>(((y + g.top) * PW + (x0 + g.left)) * g.C + c);
                    v[at] = x[static_cast<size_t>((y * g.W + x0) * g.C + c)];
                    present[at] = true;
                }
        width = PW;
    }
    long width = 0;
    size_t at(long oy, long ox, long ky, long kx, long c) const {
        return static_cast<size_t>(((oy * g.SH + ky) * width + (ox * g.SW + kx)) * g.C + c);
    }
};

double act_ref(double r, int kind) {
    switch (kind) {
        case 1: return r > 0 ? r : 0;                      // ReLU
        case 2: return r <= 0 ? 0 : (r >= 6 ? 6 : r);      // ReLU6
        case 3: return 1 / (1 + std::exp(-r));             // sigmoid
        case 4: return std::tanh(r);                       // tanh
        default: return r;
    }
}
template <class Act>
constexpr int act_kind() {
    if constexpr (std::is_same_v<Act, Relu>) return 1;
    else if constexpr (std::is_same_v<Act, Relu6>) return 2;
    else if constexpr (std::is_same_v<Act, Sigmoid>) return 3;
    else if constexpr (std::is_same_v<Act, Tanh>) return 4;
    else return 0;
}

// Conv2D, as a textbook writes it, over a flat weight list w[((ky·KW + kx)·C + c)·F + f].
std::vector<double> ref_conv(const Geometry& g, long F, const std::vector<double>& w, const std::vector<double>& b,
                             const std::vector<double>& x, int act, bool depthwise) {
    const Padded p(g, x);
    const long OC = depthwise ? g.C : F;
    std::vector<double> y(static_cast<size_t>(g.OH * g.OW * OC));
    for (long oy = 0; oy < g.OH; ++oy)
        for (long ox = 0; ox < g.OW; ++ox)
            for (long f = 0; f < OC; ++f) {
                double s = 0;
                for (long ky = 0; ky < g.KH; ++ky)
                    for (long kx = 0; kx < g.KW; ++kx)
                        for (long c = 0; c < g.C; ++c) {
                            if (depthwise && c != f) continue;
                            const size_t at = p.at(oy, ox, ky, kx, c);
                            if (!p.present[at]) continue;
                            const size_t wi = depthwise ? static_cast<size_t>((ky * g.KW + kx) * g.C + c)
                                                        : static_cast<size_t>(((ky * g.KW + kx) * g.C + c) * F + f);
                            s += p.v[at] * w[wi];
                        }
                y[static_cast<size_t>((oy * g.OW + ox) * OC + f)] = act_ref(s + b[static_cast<size_t>(f)], act);
            }
    return y;
}

std::vector<double> ref_pool(const Geometry& g, const std::vector<double>& x, bool max) {
    const Padded p(g, x);
    std::vector<double> y(static_cast<size_t>(g.OH * g.OW * g.C));
    for (long oy = 0; oy < g.OH; ++oy)
        for (long ox = 0; ox < g.OW; ++ox)
            for (long c = 0; c < g.C; ++c) {
                double s = 0, m = -std::numeric_limits<double>::infinity();
                long n = 0;
                for (long ky = 0; ky < g.KH; ++ky)
                    for (long kx = 0; kx < g.KW; ++kx) {
                        const size_t at = p.at(oy, ox, ky, kx, c);
                        if (!p.present[at]) continue;
                        s += p.v[at];
                        m = p.v[at] > m ? p.v[at] : m;
                        ++n;
                    }
                y[static_cast<size_t>((oy * g.OW + ox) * g.C + c)] = max ? m : s / static_cast<double>(n);
            }
    return y;
}

// ---- Layer traits for the generic checks ----

template <class L>
struct Kind;
template <class In, size_t F, class K, class S, class P, class Act, typename T>
struct Kind<Conv2D<In, F, K, S, P, Act, T>> {
    template <typename U>
    using with = Conv2D<In, F, K, S, P, Act, U>;
    using out_type = LayerOutput<Act, Conv2D<In, F, K, S, P, Act, T>::outputs, T>;
    static constexpr bool has_weights = true;
    static std::vector<double> reference(const with<double>& l, const std::vector<double>& x) {
        std::vector<double> w, b;
        each(l.w, [&](double v) { w.push_back(v); });
        each(l.b, [&](double v) { b.push_back(v); });
        return ref_conv(geometry_of<with<double>>(K::height, K::width), F, w, b, x, act_kind<Act>(), false);
    }
};
template <class In, class K, class S, class P, class Act, typename T>
struct Kind<DepthwiseConv2D<In, K, S, P, Act, T>> {
    template <typename U>
    using with = DepthwiseConv2D<In, K, S, P, Act, U>;
    using out_type = LayerOutput<Act, DepthwiseConv2D<In, K, S, P, Act, T>::outputs, T>;
    static constexpr bool has_weights = true;
    static std::vector<double> reference(const with<double>& l, const std::vector<double>& x) {
        std::vector<double> w, b;
        each(l.w, [&](double v) { w.push_back(v); });
        each(l.b, [&](double v) { b.push_back(v); });
        return ref_conv(geometry_of<with<double>>(K::height, K::width), 0, w, b, x, act_kind<Act>(), true);
    }
};
template <class In, class Wn, class S, class P, class Act, typename T>
struct Kind<AveragePool2D<In, Wn, S, P, Act, T>> {
    template <typename U>
    using with = AveragePool2D<In, Wn, S, P, Act, U>;
    using out_type = LayerOutput<Act, AveragePool2D<In, Wn, S, P, Act, T>::outputs, T>;
    static constexpr bool has_weights = false;
    static std::vector<double> reference(const with<double>& /*l*/, const std::vector<double>& x) {
        std::vector<double> y = ref_pool(geometry_of<with<double>>(Wn::height, Wn::width), x, false);
        for (double& v : y) v = act_ref(v, act_kind<Act>());
        return y;
    }
};
template <class In, class Wn, class S, class P, class Act, typename T>
struct Kind<MaxPool2D<In, Wn, S, P, Act, T>> {
    template <typename U>
    using with = MaxPool2D<In, Wn, S, P, Act, U>;
    using out_type = MaxPoolOutput<Act, MaxPool2D<In, Wn, S, P, Act, T>::outputs, T>;
    static constexpr bool has_weights = false;
    static std::vector<double> reference(const with<double>& /*l*/, const std::vector<double>& x) {
        std::vector<double> y = ref_pool(geometry_of<with<double>>(Wn::height, Wn::width), x, true);
        for (double& v : y) v = act_ref(v, act_kind<Act>());
        return y;
    }
};

// The input gradient, whatever the kind (a max pool also reads what forward kept).
template <class L, class Out, size_t N, size_t M>
void backward_input(const L& layer, const Out& kept, const typename L::value_type (&dr)[N],
                    typename L::value_type (&dx)[M]) {
    if constexpr (std::is_base_of_v<MaxPoolOutput<typename L::activation, N, typename L::value_type>, Out>)
        layer_backward_input(layer, kept, dr, dx);
    else
        layer_backward_input(layer, dr, dx);
}

template <class L>
std::vector<double> run_forward(const L& layer, const std::vector<double>& xv) {
    using T = typename L::value_type;
    T x[L::inputs];
    for (size_t i = 0; i < L::inputs; ++i) x[i] = static_cast<T>(xv[i]);
    typename Kind<L>::out_type out;
    layer_forward(layer, x, out);
    return std::vector<double>(out.y, out.y + L::outputs);
}

// The same values in another precision, entry by entry.
template <typename A, typename B>
void copy_values(const A& from, B& to) {
    if constexpr (std::is_array_v<A>) {
        for (size_t i = 0; i < std::extent_v<A>; ++i) copy_values(from[i], to[i]);
    } else {
        to = static_cast<B>(from);
    }
}

// J = Σ_o c_o·y_o: dJ/dy = c, so dJ/dr = c ⊙ act′, and the backward calls give dJ/dx and dJ/dW.
template <class L>
void check_layer(uint64_t seed) {
    using D = typename Kind<L>::template with<double>;
    using Fl = typename Kind<L>::template with<float>;
    constexpr size_t N = L::inputs, M = L::outputs;
    test::Rng rng{seed};
    D layer{};
    Fl layer_f{};
    if constexpr (Kind<L>::has_weights) {
        fill_random(layer.w, rng, -1.0, 1.0);
        fill_random(layer.b, rng, -0.5, 0.5);
        copy_values(layer.w, layer_f.w);
        copy_values(layer.b, layer_f.b);
    }
    double x[N], c[M];
    for (double& v : x) v = rng.uniform(-1.0, 1.0);  // 24-bit values: exact in float too
    for (double& v : c) v = rng.uniform(-1.0, 1.0);

    // Forward: double against the reference, float against double.
    const std::vector<double> xv(x, x + N);
    const std::vector<double> y = run_forward(layer, xv);
    CHECK(error_of(y, Kind<L>::reference(layer, xv)) <= 1e-13);
    CHECK(error_of(run_forward(layer_f, xv), y) <= 1e-5);

    // J(x) and J(W) from the reference.
    auto J_of = [&](const D& l, const std::vector<double>& v) {
        const std::vector<double> yv = Kind<L>::reference(l, v);
        double s = 0;
        for (size_t o = 0; o < M; ++o) s += c[o] * yv[o];
        return s;
    };

    // dJ/dx against central differences.
    typename Kind<D>::out_type kept;
    layer_forward(layer, x, kept);
    double dr[M], dx[N];
    for (size_t o = 0; o < M; ++o) dr[o] = c[o] * slope_at(kept, o);
    backward_input(layer, kept, dr, dx);
    double fd[N];
    test::central_difference([&](const double (&v)[N]) { return J_of(layer, std::vector<double>(v, v + N)); }, x, fd);
    CHECK(error_of(std::vector<double>(dx, dx + N), std::vector<double>(fd, fd + N)) <= 1e-7);

    // The float input gradient against the double one.
    typename Kind<Fl>::out_type kept_f;
    float xf[N], drf[M], dxf[N];
    copy_values(x, xf);
    layer_forward(layer_f, xf, kept_f);
    for (size_t o = 0; o < M; ++o) drf[o] = static_cast<float>(c[o]) * slope_at(kept_f, o);
    backward_input(layer_f, kept_f, drf, dxf);
    CHECK(error_of(std::vector<double>(dxf, dxf + N), std::vector<double>(dx, dx + N)) <= 1e-5);

    // dJ/dW and dJ/db, added into gradients that start at zero, against central differences.
    if constexpr (Kind<L>::has_weights) {
        D grads{};
        layer_accumulate(x, dr, grads);
        std::vector<double*> params;
        std::vector<double> got;
        each(layer.w, [&](double& v) { params.push_back(&v); });
        each(layer.b, [&](double& v) { params.push_back(&v); });
        each(grads.w, [&](double v) { got.push_back(v); });
        each(grads.b, [&](double v) { got.push_back(v); });
        std::vector<double> want;
        for (double* p : params) {
            const double keep = *p, step = 1e-5;
            *p = keep + step;
            const double up = J_of(layer, xv);
            *p = keep - step;
            const double down = J_of(layer, xv);
            *p = keep;
            want.push_back((up - down) / (2 * step));
        }
        CHECK(error_of(got, want) <= 1e-7);
        // A second sample adds to what is there (term by term, so equal to twice the first up to
        // the roundings of the additions).
        layer_accumulate(x, dr, grads);
        std::vector<double> twice, doubled;
        each(grads.w, [&](double v) { twice.push_back(v); });
        each(grads.b, [&](double v) { twice.push_back(v); });
        for (double v : got) doubled.push_back(2 * v);
        CHECK(error_of(twice, doubled) <= 1e-14);
    }
}

// A Same window of every shape used below, and what TFLite gives for it.
static_assert(detail::Axis<49, 10, 2, Same>::out == 25 && detail::Axis<49, 10, 2, Same>::before == 4,
              "KWS's first convolution: 49 rows, kernel 10, stride 2 -> 25 rows, 4 padded above (5 below)");
static_assert(detail::Axis<10, 4, 2, Same>::out == 5 && detail::Axis<10, 4, 2, Same>::before == 1,
              "KWS's first convolution: 10 columns, kernel 4, stride 2 -> 5 columns, 1 padded left (1 right)");
static_assert(detail::Axis<32, 1, 2, Same>::out == 16 && detail::Axis<32, 1, 2, Same>::before == 0,
              "ResNet-8's 1×1 stride-2 shortcut pads nothing");
static_assert(detail::Axis<96, 3, 2, Same>::out == 48 && detail::Axis<96, 3, 2, Same>::before == 0,
              "MobileNet's stride-2 3×3 on an even size pads only below (TFLite's uneven split)");
static_assert(detail::Axis<7, 4, 3, Same>::out == 3 && detail::Axis<7, 4, 3, Same>::before == 1,
              "7 positions, kernel 4, stride 3: 3 outputs, 3 padded: 1 before, 2 after");
static_assert(detail::Axis<7, 3, 2, Valid>::out == 3, "Valid: (7 − 3)/2 + 1");
static_assert(detail::Axis<8, 3, 3, Valid>::out == 2, "Valid leaves the last row unread: (8 − 3)/3 + 1 = 2");

}  // namespace

TEST_CASE("Conv2D: forward, dJ/dx and dJ/dW against a padded reference and central differences") {
    check_layer<Conv2D<Hwc<5, 7, 2>, 3, Kernel<3, 2>, Stride<2, 1>, Same, Identity>>(1);
    check_layer<Conv2D<Hwc<7, 7, 3>, 2, Kernel<4, 4>, Stride<3, 3>, Same, Relu>>(2);
    check_layer<Conv2D<Hwc<8, 6, 2>, 4, Kernel<3, 3>, Stride<3, 2>, Valid, Tanh>>(3);
    check_layer<Conv2D<Hwc<6, 6, 4>, 5, Kernel<1, 1>, Stride<2, 2>, Same, Identity>>(4);  // a 1×1 strided shortcut
    check_layer<Conv2D<Hwc<4, 5, 1>, 2, Kernel<4, 5>, Stride<1, 1>, Valid, Sigmoid>>(5);  // one window: a dense layer
    check_layer<Conv2D<Hwc<9, 5, 1>, 3, Kernel<5, 2>, Stride<2, 2>, Same, Relu6>>(6);     // KWS's first layer, small
}

TEST_CASE("Conv1D is a Conv2D one row high, over a sensor window") {
    using L = Conv1D<20, 3, 4, 5, 2, Same, Relu>;
    static_assert(L::input_shape::height == 1 && L::input_shape::width == 20 && L::output_shape::width == 10,
                  "20 steps, stride 2, Same: 10 outputs");
    check_layer<L>(7);
    check_layer<Conv1D<30, 2, 3, 10, 1, Valid, Identity>>(8);
}

TEST_CASE("DepthwiseConv2D: forward, dJ/dx and dJ/dW per channel") {
    check_layer<DepthwiseConv2D<Hwc<5, 7, 3>, Kernel<3, 3>, Stride<1, 1>, Same, Relu>>(11);
    check_layer<DepthwiseConv2D<Hwc<8, 8, 2>, Kernel<3, 3>, Stride<2, 2>, Same, Relu6>>(12);
    check_layer<DepthwiseConv2D<Hwc<7, 6, 4>, Kernel<2, 3>, Stride<2, 3>, Valid, Identity>>(13);
    check_layer<DepthwiseConv2D<Hwc<1, 30, 5>, Kernel<1, 10>, Stride<1, 1>, Valid, Relu>>(14);  // along time
}

TEST_CASE("AveragePool2D and GlobalAveragePool: the mean of the taps inside, and dJ/dx shared among them") {
    check_layer<AveragePool2D<Hwc<6, 6, 2>, Window<2, 2>>>(21);
    check_layer<AveragePool2D<Hwc<7, 5, 3>, Window<3, 2>, Stride<2, 2>, Same>>(22);
    check_layer<AveragePool2D<Hwc<5, 5, 1>, Window<3, 3>, Stride<1, 1>, Same, Relu>>(23);  // counts 4, 6 and 9
    check_layer<GlobalAveragePool<Hwc<5, 3, 4>>>(24);
    static_assert(GlobalAveragePool<Hwc<25, 5, 64>>::outputs == 64, "KWS's pool: 25×5×64 to 64");
}

TEST_CASE("MaxPool2D: the largest tap, and dJ/dx to where it was") {
    check_layer<MaxPool2D<Hwc<6, 6, 2>, Window<2, 2>>>(31);
    check_layer<MaxPool2D<Hwc<7, 5, 3>, Window<3, 3>, Stride<2, 2>, Same>>(32);
    check_layer<MaxPool2D<Hwc<5, 4, 1>, Window<2, 3>, Stride<1, 1>, Valid, Relu>>(33);
}

TEST_CASE("MaxPool2D: the first maximum wins a tie; a NaN in a window makes its output NaN") {
    using P = MaxPool2D<Hwc<2, 2, 1>, Window<2, 2>, Stride<2, 2>, Valid, Identity, float>;
    const P pool{};
    MaxPoolOutput<Identity, 1, float> out;
    float dx[4];
    const float dr[1] = {1.5f};
    const float tie[4] = {1.0f, 3.0f, 3.0f, -2.0f};
    layer_forward(pool, tie, out);
    CHECK(out.y[0] == 3.0f);
    CHECK(out.tap[0] == 1);  // (0, 1), the first of the two 3s
    layer_backward_input(pool, out, dr, dx);
    CHECK(dx[0] == 0.0f);
    CHECK(dx[1] == 1.5f);
    CHECK(dx[2] == 0.0f);
    const float nan_first[4] = {NAN, 3.0f, 4.0f, 5.0f};
    layer_forward(pool, nan_first, out);
    CHECK(isnan(out.y[0]));
    const float nan_later[4] = {1.0f, 3.0f, NAN, 5.0f};
    layer_forward(pool, nan_later, out);
    CHECK(isnan(out.y[0]));
    CHECK(out.tap[0] == 2);
}

TEST_CASE("Relu6: min(max(r, 0), 6), NaN kept, slope 1 strictly between 0 and 6") {
    LayerOutput<Relu6, 6, float> out{{-1.0f, 0.0f, 3.0f, 6.0f, 7.5f, NAN}};
    activate(out);
    CHECK(out.y[0] == 0.0f);
    CHECK(out.y[1] == 0.0f);
    CHECK(out.y[2] == 3.0f);
    CHECK(out.y[3] == 6.0f);
    CHECK(out.y[4] == 6.0f);
    CHECK(isnan(out.y[5]));
    float d[6] = {2, 2, 2, 2, 2, 2};
    multiply_by_slope(out, d);
    CHECK(d[0] == 0.0f);
    CHECK(d[1] == 0.0f);
    CHECK(d[2] == 2.0f);
    CHECK(d[3] == 0.0f);
    CHECK(d[4] == 0.0f);
    CHECK(isnan(d[5]));
}

TEST_CASE("padded positions are skipped, not multiplied: an infinite weight over padding stays out") {
    // 1×3 input, kernel 1×3, Same: the first output's window hangs one position over the left edge.
    Conv2D<Hwc<1, 3, 1>, 1, Kernel<1, 3>, Stride<1, 1>, Same, Identity, float> layer{};
    layer.w[0][0][0][0] = INFINITY;  // the tap over the padding, for output 0
    layer.w[0][1][0][0] = 1.0f;
    layer.w[0][2][0][0] = 1.0f;
    const float x[3] = {1.0f, 2.0f, 4.0f};
    LayerOutput<Identity, 3, float> out;
    layer_forward(layer, x, out);
    CHECK(out.y[0] == 3.0f);  // 1 + 2; inf·(padding) never formed
    CHECK(out.y[1] == INFINITY);
}
