// SPDX-License-Identifier: Apache-2.0
// tools/train/digits_csv.hpp — reads data/digits.csv (host only) and splits it as data/README.md
// fixes: line i (0-based) is a test sample when i % 5 == 0, a training sample otherwise.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <vector>

#include "training.hpp"

namespace train {

// Each line: 64 integers in 0..16, then a label in 0..9, comma-separated. On a malformed line,
// prints it on stderr and returns false.
inline bool read_digits(const char* path, std::vector<Sample>& train_set, std::vector<Sample>& test_set) {
    FILE* f = std::fopen(path, "r");
    if (!f) {
        std::fprintf(stderr, "train: cannot open %s\n", path);
        return false;
    }
    char line[1024];
    size_t index = 0;
    bool ok = true;
    while (ok && std::fgets(line, sizeof line, f)) {
        Sample s{};
        const char* p = line;
        for (size_t field = 0; field <= pixels; ++field) {
            char* end = nullptr;
            const long v = std::strtol(p, &end, 10);
            const long limit = field < pixels ? 16 : 9;
            const bool last = field == pixels;
            const bool separated = last ? (*end == '\n' || *end == '\r' || *end == '\0') : *end == ',';
            if (end == p || v < 0 || v > limit || !separated) {
                std::fprintf(stderr, "train: %s line %zu: field %zu is not an integer in 0..%ld\n", path, index + 1,
                             field + 1, limit);
                ok = false;
                break;
            }
            if (last) {
                s.label = static_cast<uint8_t>(v);
            } else {
                s.pixel[field] = static_cast<uint8_t>(v);
            }
            p = end + 1;
        }
        if (ok) (index % 5 == 0 ? test_set : train_set).push_back(s);
        ++index;
    }
    std::fclose(f);
    if (ok && (train_set.empty() || test_set.empty())) {
        std::fprintf(stderr, "train: %s holds too few samples\n", path);
        ok = false;
    }
    return ok;
}

}  // namespace train
