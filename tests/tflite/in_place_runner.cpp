// SPDX-License-Identifier: Apache-2.0
// in_place_runner.cpp — pointwise_conv2d and depthwise_conv2d written over their input (InPlace = true,
// y = x) against the same kernel into a separate buffer, on pseudo-random inputs, weights, biases,
// multipliers and zero points; the shapes from UGRAD_IN_PLACE_CASES (a header test_int8_export.py
// writes: POINTWISE(P, C, F) and DEPTHWISE(H, W, C, OH, OW, KH, KW, SH, SW, DH, DW, PadTop, PadLeft,
// fits), fits being tools/tflite/int8_export.py's _depthwise_fits, which must equal the kernel's
// depthwise_in_place_fits; only the shapes that fit are run in place). Prints one line per case,
// "ok" or "differs", then the number of cases.
#include <stdint.h>
#include <stdio.h>

#include <ugrad/tflite/tflite.hpp>

namespace {

uint32_t state = 12345;
int32_t next(int32_t lo, int32_t hi) {  // a pseudo-random integer in [lo, hi]
    state = state * 1664525u + 1013904223u;
    return lo + int32_t((state >> 8) % uint32_t(hi - lo + 1));
}

template <int Channels, int Weights>
struct Layer {
    int8_t w[Weights];
    int32_t bias[Channels], multiplier[Channels], shift[Channels];
    ugrad::tflite::WeightedLayer p;
    Layer() : w{}, bias{}, multiplier{}, shift{}, p{} {
        for (int8_t& v : w) v = int8_t(next(-127, 127));
        for (int c = 0; c < Channels; ++c) {
            bias[c] = next(-3000, 3000);
            multiplier[c] = next(1 << 30, 0x7fffffff);
            shift[c] = next(-9, -6);
        }
        p = ugrad::tflite::WeightedLayer{w, bias, multiplier, shift, next(-128, 127), next(-128, 127), -128, 127};
    }
};

// A depthwise layer in the exporter's form (depthwise_requant.hpp): int8 weights as int16 pairs
// [KH·KW][ceil(C/4)][2], per block of four channels 4 biases then (M, E) per channel, with RightShift's
// M = 2m − 2^32 and E = −s − 1.
template <int C, int Taps>
struct DepthwiseData {
    static constexpr int blocks = (C + 3) / 4;
    int32_t w[Taps * blocks * 2];
    int32_t requant[blocks * 12];
    ugrad::tflite::DepthwiseLayer p;
    DepthwiseData() : w{}, requant{}, p{} {
        for (int t = 0; t < Taps; ++t)
            for (int c = 0; c < C; ++c) {
                const uint32_t v = uint32_t(next(-127, 127)) & 0xffffu;
                int32_t& word = w[(t * blocks + c / 4) * 2 + (c & 1)];
                word = int32_t(uint32_t(word) | ((c & 2) ? v << 16 : v));
            }
        for (int c = 0; c < C; ++c) {
            int32_t* rq = requant + (c / 4) * 12;
            rq[c % 4] = next(-3000, 3000);
            rq[4 + 2 * (c % 4)] = int32_t(uint32_t(next(1 << 30, 0x7fffffff)) << 1);
            rq[5 + 2 * (c % 4)] = -next(-9, -6) - 1;
        }
        p = ugrad::tflite::DepthwiseLayer{w, requant, next(-128, 127), next(-128, 127), -128, 127};
    }
};

template <size_t N>
bool same(const int8_t* a, const int8_t* b) {
    for (size_t i = 0; i < N; ++i)
        if (a[i] != b[i]) return false;
    return true;
}

template <int P, int C, int F>
bool pointwise() {
    static Layer<F, F * C> layer;
    static int8_t x[P * C], ref[P * F], buf[P * (C > F ? C : F)];
    for (int i = 0; i < P * C; ++i) buf[i] = x[i] = int8_t(next(-128, 127));
    ugrad::tflite::pointwise_conv2d<P, C, F, false, true, false>(x, layer.p, ref);
    ugrad::tflite::pointwise_conv2d<P, C, F, false, true, true>(buf, layer.p, buf);
    return same<size_t(P) * F>(ref, buf);
}

template <int H, int W, int C, int OH, int OW, int KH, int KW, int SH, int SW, int DH, int DW, int PT, int PL, bool Fits>
bool depthwise() {
    static_assert(ugrad::tflite::depthwise_in_place_fits<H, W, OH, OW, KH, KW, SH, SW, DH, DW, PT, PL>() == Fits,
                  "int8_export.py's _depthwise_fits and the kernel's depthwise_in_place_fits disagree");
    if constexpr (!Fits) {
        return true;
    } else {
        static DepthwiseData<C, KH * KW> layer;
        static int8_t x[H * W * C], ref[OH * OW * C], buf[(H * W > OH * OW ? H * W : OH * OW) * C];
        for (int i = 0; i < H * W * C; ++i) buf[i] = x[i] = int8_t(next(-128, 127));
        ugrad::tflite::depthwise_conv2d<H, W, C, OH, OW, KH, KW, SH, SW, DH, DW, PT, PL, true, true, false>(x, layer.p, ref);
        ugrad::tflite::depthwise_conv2d<H, W, C, OH, OW, KH, KW, SH, SW, DH, DW, PT, PL, true, true, true>(buf, layer.p, buf);
        return same<size_t(OH) * OW * C>(ref, buf);
    }
}

}  // namespace

int main() {
    int cases = 0;
#define POINTWISE(P, C, F) (++cases, puts(pointwise<P, C, F>() ? "ok" : "differs"));
#define DEPTHWISE(...) (++cases, puts(depthwise<__VA_ARGS__>() ? "ok" : "differs"));
#include UGRAD_IN_PLACE_CASES
    printf("%d\n", cases);
    return 0;
}
