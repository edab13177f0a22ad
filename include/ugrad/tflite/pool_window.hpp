// SPDX-License-Identifier: Apache-2.0
// ugrad/tflite/pool_window.hpp — the part of a pooling window that lies inside the image.
//
// Output row oy of a window KH tall, stride SH, padding PadTop, reads input rows
// [max(0, oy·SH − PadTop), min(H, oy·SH − PadTop + KH)); the same for columns. TFLite's pools take
// only those cells (padding is not a value).
#pragma once

namespace ugrad::tflite {

struct PoolRange {
    int begin;
    int end;
};

constexpr PoolRange pool_range(int o, int stride, int pad, int window, int size) noexcept {
    const int start = o * stride - pad;
    const int stop = start + window;
    PoolRange r{start, stop};
    if (r.begin < 0) r.begin = 0;
    if (r.end > size) r.end = size;
    return r;
}

}  // namespace ugrad::tflite
