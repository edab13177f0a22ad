// SPDX-License-Identifier: Apache-2.0
// ugrad: host-only
// Specs: the integer backward of each int8 `.tflite` layer kind (include/ugrad/tflite/backward/) on
// small random shapes. The transposed products are checked by the adjoint identity
// <forward(x), h> = <x, backward(h)> in exact integers (stride, dilation, SAME/VALID padding, the
// blocked and remainder channels); the pools, ADD, the masks, the block exponents and the heads
// against double, within the roundings the headers state.
#include <doctest/doctest.h>

#include <cmath>
#include <cstdint>
#include <initializer_list>
#include <vector>

#include <ugrad/tflite/backward/backward.hpp>
#include <ugrad/tflite/tflite.hpp>

#include "splitmix64.hpp"

namespace bw = ugrad::tflite::backward;

namespace {

struct Random {
    uint64_t state;
    int32_t in(int32_t lo, int32_t hi) { return lo + int32_t(test::splitmix64(state) % uint64_t(hi - lo + 1)); }
};

// The forward sum acc = Σ x·w of a convolution (zero points 0, no bias), by its definition.
template <int H, int W, int C, int OH, int OW, int F, int KH, int KW, int SH, int SW, int DH, int DW, int PT, int PL>
std::vector<int64_t> conv_sums(const std::vector<int8_t>& x, const std::vector<int8_t>& w, bool depthwise) {
    std::vector<int64_t> acc(size_t(OH * OW * F), 0);
    for (int oy = 0; oy < OH; ++oy)
        for (int ox = 0; ox < OW; ++ox)
            for (int f = 0; f < F; ++f)
                for (int ky = 0; ky < KH; ++ky)
                    for (int kx = 0; kx < KW; ++kx) {
                        const int iy = oy * SH - PT + ky * DH, ix = ox * SW - PL + kx * DW;
                        if (iy < 0 || iy >= H || ix < 0 || ix >= W) continue;
                        if (depthwise) {
                            acc[size_t((oy * OW + ox) * F + f)] +=
                                int64_t(x[size_t((iy * W + ix) * C + f)]) * w[size_t((ky * KW + kx) * C + f)];
                        } else {
                            for (int c = 0; c < C; ++c)
                                acc[size_t((oy * OW + ox) * F + f)] += int64_t(x[size_t((iy * W + ix) * C + c)]) *
                                                                       w[size_t(((f * KH + ky) * KW + kx) * C + c)];
                        }
                    }
    return acc;
}

std::vector<int8_t> random_bytes(Random& r, size_t n) {
    std::vector<int8_t> v(n);
    for (auto& b : v) b = int8_t(r.in(-128, 127));
    return v;
}

// v [n] packed two codes to a word, as the layers store a gradient (block_gradient.hpp).
std::vector<int32_t> packed(std::vector<int32_t> v) {
    const size_t n = v.size();
    bw::pack(v.data(), n);
    v.resize((n + 1) / 2);
    return v;
}

std::vector<int32_t> random_gradient(Random& r, size_t n, bool sparse) {
    std::vector<int32_t> v(n);
    for (auto& g : v) g = (sparse && r.in(0, 1)) ? 0 : r.in(-16384, 16384);
    return v;
}

template <int H, int W, int C, int OH, int OW, int F, int KH, int KW, int SH, int SW, int DH, int DW, int PT, int PL>
void check_conv(uint64_t seed) {
    Random r{seed};
    for (int trial = 0; trial < 4; ++trial) {
        const auto x = random_bytes(r, size_t(H * W * C));
        const auto w = random_bytes(r, size_t(F * KH * KW * C));
        const auto h = random_gradient(r, size_t(OH * OW * F), trial % 2 == 1);
        std::vector<int32_t> gx(size_t(H * W * C), 7);
        bw::conv2d_backward<H, W, C, OH, OW, F, KH, KW, SH, SW, DH, DW, PT, PL>(packed(h).data(), w.data(), gx.data());
        const auto acc = conv_sums<H, W, C, OH, OW, F, KH, KW, SH, SW, DH, DW, PT, PL>(x, w, false);
        int64_t left = 0, right = 0;
        for (size_t i = 0; i < acc.size(); ++i) left += acc[i] * h[i];
        for (size_t i = 0; i < gx.size(); ++i) right += int64_t(x[i]) * gx[i];
        CHECK(left == right);
    }
}

// Depthwise weights w [T][C] in the exporter's layout (depthwise_requant.hpp): int16 pairs in int32
// words [T][ceil(C/4)][2], word (t, b, j) = (w[t][4b + j], w[t][4b + j + 2]), low half first, zeros past C.
template <int C>
std::vector<int32_t> depthwise_pairs(const std::vector<int8_t>& w, int taps) {
    constexpr int B = (C + 3) / 4;
    std::vector<int32_t> pairs(size_t(taps * B * 2), 0);
    auto at = [&](int t, int c) { return c < C ? uint32_t(uint16_t(int16_t(w[size_t(t * C + c)]))) : 0u; };
    for (int t = 0; t < taps; ++t)
        for (int b = 0; b < B; ++b)
            for (int j = 0; j < 2; ++j)
                pairs[size_t((t * B + b) * 2 + j)] = int32_t(at(t, 4 * b + j) | (at(t, 4 * b + j + 2) << 16));
    return pairs;
}

template <int H, int W, int C, int OH, int OW, int KH, int KW, int SH, int SW, int DH, int DW, int PT, int PL>
void check_depthwise(uint64_t seed) {
    Random r{seed};
    for (int trial = 0; trial < 4; ++trial) {
        const auto x = random_bytes(r, size_t(H * W * C));
        const auto w = random_bytes(r, size_t(KH * KW * C));
        const auto h = random_gradient(r, size_t(OH * OW * C), trial % 2 == 1);
        std::vector<int32_t> gx(size_t(H * W * C), 7);
        const auto pairs = depthwise_pairs<C>(w, KH * KW);
        for (int t = 0; t < KH * KW; ++t)  // the layout reads back as the weights
            for (int c = 0; c < C; ++c) REQUIRE(ugrad::tflite::depthwise_weight<C>(pairs.data(), t, c) == w[size_t(t * C + c)]);
        bw::depthwise_conv2d_backward<H, W, C, OH, OW, KH, KW, SH, SW, DH, DW, PT, PL>(packed(h).data(), pairs.data(), gx.data());
        const auto acc = conv_sums<H, W, C, OH, OW, C, KH, KW, SH, SW, DH, DW, PT, PL>(x, w, true);
        int64_t left = 0, right = 0;
        for (size_t i = 0; i < acc.size(); ++i) left += acc[i] * h[i];
        for (size_t i = 0; i < gx.size(); ++i) right += int64_t(x[i]) * gx[i];
        CHECK(left == right);
    }
}

// max(a, b) that keeps a NaN (std::fmax drops it, so a NaN reference would pass as no error).
double nan_max(double a, double b) { return (std::isnan(a) || std::isnan(b)) ? std::nan("") : (a > b ? a : b); }

double norm_error(const std::vector<int32_t>& g, int32_t e, const std::vector<double>& ref) {
    double err = 0, top = 0;
    for (size_t i = 0; i < g.size(); ++i) {
        err = nan_max(err, std::fabs(std::ldexp(double(g[i]), e) - ref[i]));
        top = nan_max(top, std::fabs(ref[i]));
    }
    return top == 0 ? err : err / top;
}

}  // namespace

TEST_CASE("tflite backward: CONV_2D's transposed product is the forward's adjoint") {
    check_conv<7, 6, 5, 7, 6, 6, 3, 3, 1, 1, 1, 1, 1, 1>(1);   // SAME, stride 1
    check_conv<9, 8, 3, 5, 4, 5, 3, 3, 2, 2, 1, 1, 1, 1>(2);   // SAME, stride 2
    check_conv<10, 7, 2, 4, 3, 4, 4, 2, 2, 2, 1, 1, 0, 0>(3);  // VALID, a 4×2 kernel
    check_conv<9, 9, 3, 5, 5, 4, 3, 3, 1, 1, 2, 2, 0, 0>(4);   // dilation 2
    check_conv<6, 6, 8, 6, 6, 9, 1, 1, 1, 1, 1, 1, 0, 0>(5);   // pointwise
}

TEST_CASE("tflite backward: DEPTHWISE_CONV_2D's transposed product is the forward's adjoint") {
    check_depthwise<7, 6, 6, 7, 6, 3, 3, 1, 1, 1, 1, 1, 1>(11);
    check_depthwise<9, 8, 5, 5, 4, 3, 3, 2, 2, 1, 1, 1, 1>(12);
    check_depthwise<10, 1, 7, 8, 1, 3, 1, 1, 1, 1, 1, 0, 0>(13);
    check_depthwise<9, 9, 4, 5, 5, 3, 3, 1, 1, 2, 2, 0, 0>(14);
}

TEST_CASE("tflite backward: FULLY_CONNECTED's transposed product is the forward's adjoint") {
    Random r{21};
    constexpr int In = 37, Out = 11;
    for (int trial = 0; trial < 8; ++trial) {
        const auto x = random_bytes(r, In);
        const auto w = random_bytes(r, In * Out);
        const auto h = random_gradient(r, Out, trial % 2 == 1);
        std::vector<int32_t> gx(In, 7);
        bw::fully_connected_backward<In, Out>(packed(h).data(), w.data(), gx.data());
        int64_t left = 0, right = 0;
        for (int o = 0; o < Out; ++o) {
            int64_t acc = 0;
            for (int i = 0; i < In; ++i) acc += int64_t(x[size_t(i)]) * w[size_t(o * In + i)];
            left += acc * h[size_t(o)];
        }
        for (int i = 0; i < In; ++i) right += int64_t(x[size_t(i)]) * gx[size_t(i)];
        CHECK(left == right);
    }
}

TEST_CASE("tflite backward: renormalize keeps |G| <= 2^14 with the largest >= 2^13; block_add aligns") {
    Random r{31};
    for (int trial = 0; trial < 200; ++trial) {
        const int32_t bound = int32_t(1) << r.in(0, 30);
        std::vector<int32_t> g(50);
        std::vector<double> exact(50);
        for (size_t i = 0; i < g.size(); ++i) {
            g[i] = r.in(-bound + 1, bound - 1);
            exact[i] = std::ldexp(double(g[i]), 3);
        }
        const int32_t e = bw::renormalize(g.data(), g.size(), 3);
        uint32_t top = 0;
        for (int32_t v : g) top = std::max(top, bw::magnitude(v));
        if (top == 0) {
            CHECK(e == bw::zero_exponent);
            continue;
        }
        CHECK(top <= 16384u);
        CHECK(top >= 8192u);
        CHECK(norm_error(g, e, exact) <= std::ldexp(1.0, -13));  // half a step of 2^13 or more
        std::vector<int32_t> h(50);
        for (auto& v : h) v = r.in(-16384, 16384);
        const int32_t eh = e + r.in(-20, 20);
        std::vector<double> sum(50);
        for (size_t i = 0; i < g.size(); ++i) sum[i] = std::ldexp(double(g[i]), e) + std::ldexp(double(h[i]), eh);
        std::vector<int32_t> dst = packed(g), src = h;  // the same sum into a packed gradient
        const int32_t es = bw::block_add(g.data(), e, h.data(), eh, g.size());
        // two alignments and one renormalization, each at most half a step of the result's 2^13
        CHECK(norm_error(g, es, sum) <= 3 * std::ldexp(1.0, -13) + 1e-12);
        const int32_t ep = bw::block_add_packed(dst.data(), e, src.data(), eh, g.size());
        CHECK(ep == es);
        for (size_t i = 0; i < g.size(); ++i) CHECK(bw::packed_get(dst.data(), i) == g[i]);
    }
}

TEST_CASE("tflite backward: masks from the clamp, scale_masked, AVERAGE_POOL_2D, MAX_POOL_2D and ADD against double") {
    Random r{41};
    // masks: strictly inside [lo, hi]
    const std::vector<int8_t> y{-128, -127, 0, 5, 6, 127, -3, 100, 99};
    uint8_t bits[2];
    bw::record_mask(y.data(), y.size(), -128, 100, bits);
    const bool inside[9] = {false, true, true, true, true, false, true, false, true};
    for (size_t i = 0; i < y.size(); ++i) CHECK(bw::mask_bit(bits, i) == inside[i]);
    // scale_masked: per channel Q15 factors
    std::vector<int32_t> g{16384, -16384, 1234, -77, 9999, 3, -8192, 40, 16000};
    const int32_t m[3] = {32768, 12345, 1};
    std::vector<int32_t> s = packed(g);
    bw::scale_masked<3, 3, true>(s.data(), bits, m);
    for (size_t i = 0; i < g.size(); ++i) {
        const double want = inside[i] ? double(g[i]) * m[i % 3] / 32768.0 : 0.0;
        CHECK(std::fabs(bw::packed_get(s.data(), i) - want) <= 0.5);
    }
    // packing: every code in [−2^14, 2^14] round trips, in place, for odd and even sizes
    for (size_t n : {size_t(1), size_t(8), size_t(9)}) {
        std::vector<int32_t> v(n);
        for (auto& x : v) x = r.in(-16384, 16384);
        v[0] = -16384;
        const std::vector<int32_t> p = packed(v);
        for (size_t i = 0; i < n; ++i) CHECK(bw::packed_get(p.data(), i) == v[i]);
        // and into the last ceil(n/2) words: the same packed words, the ones below untouched
        std::vector<int32_t> top = v;
        bw::pack_high(top.data(), n);
        for (size_t j = 0; j < p.size(); ++j) CHECK(top[n - p.size() + j] == p[j]);
        for (size_t j = 0; j < n - p.size(); ++j) CHECK(top[j] == v[j]);
    }
    // AVERAGE_POOL_2D, SAME 3×3 stride 2 on 7×6 (windows of 4, 6 and 9 cells)
    {
        constexpr int H = 7, W = 6, C = 3, OH = 4, OW = 3, K = 3, S = 2, P = 1;
        const auto go = random_gradient(r, OH * OW * C, false);
        std::vector<int32_t> gx(H * W * C);
        bw::average_pool2d_backward<H, W, C, OH, OW, K, K, S, S, P, P>(packed(go).data(), gx.data());
        const int32_t e = bw::average_pool_exponent<H, W, OH, OW, K, K, S, S, P, P>();
        std::vector<double> ref(H * W * C, 0.0);
        double worst = 0;
        for (int oy = 0; oy < OH; ++oy)
            for (int ox = 0; ox < OW; ++ox) {
                const auto ry = ugrad::tflite::pool_range(oy, S, P, K, H), rx = ugrad::tflite::pool_range(ox, S, P, K, W);
                const int n = (ry.end - ry.begin) * (rx.end - rx.begin);
                for (int c = 0; c < C; ++c)
                    for (int iy = ry.begin; iy < ry.end; ++iy)
                        for (int ix = rx.begin; ix < rx.end; ++ix)
                            ref[size_t((iy * W + ix) * C + c)] += double(go[size_t((oy * OW + ox) * C + c)]) / n;
            }
        for (size_t i = 0; i < ref.size(); ++i) worst = nan_max(worst, std::fabs(std::ldexp(double(gx[i]), e) - ref[i]));
        // each term: r_n = round(2^K/n) off by 1/2 in 2^K, its product rounded: under one step 2^e per term, 4 terms
        CHECK(worst <= 4 * std::ldexp(1.0, e));
    }
    // MAX_POOL_2D routes to the forward's first largest cell
    {
        constexpr int H = 5, W = 5, C = 2, OH = 2, OW = 2, K = 3, S = 2, P = 0;
        std::vector<int8_t> x = random_bytes(r, H * W * C);
        x[0] = x[2 * C] = 120;  // a tie in the first window, channel 0: the first wins
        std::vector<uint8_t> arg(OH * OW * C);
        bw::record_argmax<H, W, C, OH, OW, K, K, S, S, P, P>(x.data(), arg.data());
        CHECK(arg[0] == 0);
        std::vector<int8_t> yq(OH * OW * C);
        ugrad::tflite::max_pool2d<H, W, C, OH, OW, K, K, S, S, P, P>(x.data(), ugrad::tflite::PoolActivation{-128, 127}, yq.data());
        const auto go = random_gradient(r, OH * OW * C, false);
        std::vector<int32_t> gx(H * W * C);
        bw::max_pool2d_backward<H, W, C, OH, OW, K, K, S, S, P, P>(packed(go).data(), arg.data(), gx.data());
        int64_t total = 0, routed = 0;
        for (int v : go) total += v;
        for (size_t i = 0; i < gx.size(); ++i) {
            routed += gx[i];
            if (gx[i] != 0) {
                bool is_max = false;  // every cell that receives is the max of a window it is in
                for (size_t o = 0; o < yq.size(); ++o)
                    if (yq[o] == x[i] && int(o % C) == int(i % C)) is_max = true;
                CHECK(is_max);
            }
        }
        CHECK(total == routed);
    }
    // ADD: both inputs, one Q15 factor each
    {
        const auto go = random_gradient(r, 20, false);
        std::vector<int32_t> ga(20), gb(20);
        bw::add_backward<20>(packed(go).data(), 30000, 777, ga.data(), gb.data());
        for (size_t i = 0; i < go.size(); ++i) {
            CHECK(std::fabs(ga[i] - go[i] * 30000.0 / 32768) <= 0.5);
            CHECK(std::fabs(gb[i] - go[i] * 777.0 / 32768) <= 0.5);
        }
    }
}

TEST_CASE("tflite backward: the softmax head's seed is (softmax(θ) − onehot)·s_l; the autoencoder's 2(ŷ − x)/n") {
    Random r{51};
    for (int trial = 0; trial < 100; ++trial) {
        constexpr int Out = 7;
        const auto l = random_bytes(r, Out);
        const int32_t z = r.in(-20, 20);
        const double s = std::ldexp(1.0 + r.in(0, 1000) / 1000.0, -r.in(1, 5));  // logit scale in (1/64, 1]
        const int ex = int(std::floor(std::log2(4096 * s))) + 1, es = int(std::floor(std::log2(s))) + 1;
        const bw::Factor theta{int32_t(std::lround(4096 * s * std::ldexp(1.0, 15 - ex))), ex};
        const bw::Factor scale{int32_t(std::lround(s * std::ldexp(1.0, 15 - es))), es};
        const int32_t label = trial % 2 ? bw::predicted_class<Out>(l.data()) : r.in(0, Out - 1);
        std::vector<int32_t> g(Out);
        const int32_t e = bw::softmax_seed<Out>(l.data(), z, theta, scale, label, g.data());
        double p[Out], sum = 0, top = -1e300;
        for (int j = 0; j < Out; ++j) top = std::fmax(top, s * (l[size_t(j)] - z));
        for (int j = 0; j < Out; ++j) sum += p[j] = std::exp(s * (l[size_t(j)] - z) - top);
        std::vector<double> ref(Out);
        double others = 0;  // ŷ_label − 1 = −Σ_{j≠label} ŷ_j: no cancellation when ŷ_label ≈ 1
        for (int j = 0; j < Out; ++j) {
            ref[size_t(j)] = j == label ? 0.0 : p[j] / sum * s;
            if (j != label) others += p[j] / sum;
        }
        ref[size_t(label)] = -others * s;
        // the q8 head's Q15 ŷ (2^−16 per entry, Out entries), the Q12 logits and two 14-bit roundings
        CHECK(norm_error(g, e, ref) <= 2e-3);
    }
    for (int trial = 0; trial < 20; ++trial) {
        constexpr int N = 33;
        const auto y = random_bytes(r, N), x = random_bytes(r, N);
        const double sy = 0.364498466, sx = 0.391015232;
        const int zy = 96, zx = 89;
        const int ed = int(std::floor(std::log2(sx))) + 1;
        const bw::Factor fy{int32_t(std::lround(sy * std::ldexp(1.0, 15 - ed))), ed};
        const bw::Factor fx{int32_t(std::lround(sx * std::ldexp(1.0, 15 - ed))), ed};
        const int ecy = int(std::floor(std::log2(2 * sy / N))) + 1, ecx = int(std::floor(std::log2(2 * sx / N))) + 1;
        const bw::Factor cy{int32_t(std::lround(2 * sy / N * std::ldexp(1.0, 15 - ecy))), ecy};
        const bw::Factor cx{int32_t(std::lround(2 * sx / N * std::ldexp(1.0, 15 - ecx))), ecx};
        std::vector<int32_t> gy(N), gx(N);
        const bw::AutoencoderExponents e = bw::autoencoder_seed<N>(y.data(), zy, fy, x.data(), zx, fx, cy, cx, gy.data(), gx.data());
        std::vector<double> ry(N), rx(N);
        for (int i = 0; i < N; ++i) {
            const double d = sy * (y[size_t(i)] - zy) - sx * (x[size_t(i)] - zx);
            ry[size_t(i)] = 2 * d / N * sy;
            rx[size_t(i)] = -2 * d / N * sx;
        }
        CHECK(norm_error(gy, e.output, ry) <= 1e-3);
        CHECK(norm_error(gx, e.input, rx) <= 1e-3);
    }
}
