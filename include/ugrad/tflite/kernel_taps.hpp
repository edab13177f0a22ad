// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/kernel_taps.hpp — the taps of a convolution kernel that fall inside the image.
//
// Output row o of a kernel K taps tall, stride S, dilation D, padding Pad reads input rows
// i(k) = o·S − Pad + k·D for k < K; those with 0 <= i(k) < Size are the taps
// k ∈ [begin, end): begin = ceil(max(0, Pad − o·S) / D), end = min(K, ceil((Size − o·S + Pad) / D)).
// The rest read padding, which holds the input zero point and adds nothing. Computed once per output
// row or column, so the loops over the taps need no bounds check.
#pragma once

namespace ugrad::tflite {

struct TapRange {
    int begin;
    int end;
};

constexpr TapRange kernel_taps(int o, int stride, int pad, int dilation, int kernel, int size) noexcept {
    const int first = o * stride - pad;                         // i(0)
    const int below = first < 0 ? -first : 0;                   // rows above the image
    TapRange r{(below + dilation - 1) / dilation, kernel};
    const int room = size - first;                              // i(k) < size ⇔ k·D < room
    if (room <= 0) {
        r.end = r.begin;
    } else {
        const int fit = (room + dilation - 1) / dilation;       // ceil(room / D)
        if (fit < r.end) r.end = fit;
    }
    if (r.end < r.begin) r.end = r.begin;
    return r;
}

}  // namespace ugrad::tflite
