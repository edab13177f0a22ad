// SPDX-License-Identifier: Apache-2.0
// terminal_report.hpp — one classification printed for a terminal, identically on every machine:
// only printf with %c, %d, %u, %lx, %s and %.Nf of exactly representable doubles, which glibc and newlib
// both round correctly.
#pragma once

#include <stdio.h>

#include "classification.hpp"

namespace demo {

// Ink as characters, from blank (0) to full (16), two per pixel so the digit is about square.
inline char ink_glyph(float x) {
    const char glyphs[] = " .:-=+*#%@";
    int level = static_cast<int>(x * 9.0f + 0.5f);  // x in [0, 1] -> 0..9
    if (level < 0) level = 0;
    if (level > 9) level = 9;
    return glyphs[level];
}

// The power of ten that makes the largest |dJ/dx| a two-digit number: 10^e with max/10^e in [10, 100).
inline int gradient_unit_exponent(float max_abs) {
    if (!(max_abs > 0.0f)) return 0;
    int e = 0;
    double scaled = static_cast<double>(max_abs);
    while (scaled >= 100.0) { scaled /= 10.0; ++e; }
    while (scaled < 10.0) { scaled *= 10.0; --e; }
    return e;
}

inline double power_of_ten(int e) {
    double p = 1.0;
    for (int i = 0; i < e; ++i) p *= 10.0;
    for (int i = 0; i > e; --i) p /= 10.0;
    return p;
}

inline void print_classification(const Classification& c, size_t shown, size_t of) {
    printf("--- digit %u of %u: test sample %u (data/digits.csv line %u): true %u, predicted %u%s\n", unsigned(shown),
           unsigned(of), unsigned(c.sample), c.csv_line, unsigned(c.label), unsigned(c.predicted),
           c.predicted == c.label ? "" : "   <-- WRONG");
    if (c.status != ugrad::Status::ok) {
        printf("    status: %s\n", ugrad::status_name(c.status));
        return;
    }
    printf("    p:");
    for (size_t k = 0; k < classes; ++k) printf(" %u:%.4f", unsigned(k), static_cast<double>(c.probs[k]));
    printf("\n");
    const float max_abs = max_abs_gradient(c);
    const int e = gradient_unit_exponent(max_abs);
    printf("    loss J = -log p[%u] = %.4e   max |dJ/dx| = %.4e   result bits 0x%08lx\n", unsigned(c.label),
           static_cast<double>(c.loss), static_cast<double>(max_abs), static_cast<unsigned long>(result_bits_digest(c)));
    printf("    int8 model: predicted %u, dJ/dx cosine with the float dJ/dx %.4f\n", unsigned(c.predicted_int8),
           gradient_cosine(c));
    const float max_abs_cnn = demo::max_abs(c.dx_cnn);
    const int e_cnn = gradient_unit_exponent(max_abs_cnn);
    printf("    CNN: predicted %u, p[%u] = %.4f, loss J = %.4e, max |dJ/dx| = %.4e\n", unsigned(c.predicted_cnn),
           unsigned(c.label), static_cast<double>(c.probs_cnn[c.label]), static_cast<double>(c.loss_cnn),
           static_cast<double>(max_abs_cnn));
    printf("    input              dJ/dx in units of 1e%d (+: more ink there raises J, -: lowers it)   int8 dJ/dx, same units"
           "                   CNN dJ/dx, units of 1e%d\n", e, e_cnn);
    const double unit = power_of_ten(e), unit_cnn = power_of_ten(e_cnn);
    for (size_t row = 0; row < 8; ++row) {
        printf("    ");
        for (size_t col = 0; col < 8; ++col) {
            const char g = ink_glyph(c.x[row * 8 + col]);
            printf("%c%c", g, g);
        }
        printf("   ");
        for (size_t col = 0; col < 8; ++col) printf(" %+4.0f", static_cast<double>(c.dx[row * 8 + col]) / unit);
        printf("   ");
        for (size_t col = 0; col < 8; ++col) printf(" %+4.0f", static_cast<double>(c.dx_int8[row * 8 + col]) / unit);
        printf("   ");
        for (size_t col = 0; col < 8; ++col) printf(" %+4.0f", static_cast<double>(c.dx_cnn[row * 8 + col]) / unit_cnn);
        printf("\n");
    }
}

}  // namespace demo
