// SPDX-License-Identifier: Apache-2.0
// saliency_svg.hpp — the picture: each digit next to its input gradient dJ/dx on a diverging
// colour scale (blue −, white 0, red +), from the float model, from the int8 model (integer
// arithmetic, include/ugrad/q8/) and from the CNN (examples/demo/digits_cnn.hpp), labelled with the
// true and predicted class.
#pragma once

#include <stdio.h>

#include "classification.hpp"

namespace demo {

struct Rgb {
    int r, g, b;
};

// Diverging scale for t in [−1, 1]: linear from white (0) to red (+1) or to blue (−1)
// (the end colours of ColorBrewer's RdBu).
inline Rgb diverging_colour(float t) {
    if (t > 1.0f) t = 1.0f;
    if (t < -1.0f) t = -1.0f;
    const Rgb white{247, 247, 247}, red{178, 24, 43}, blue{33, 102, 172};
    const Rgb end = t >= 0.0f ? red : blue;
    const float a = t >= 0.0f ? t : -t;
    auto mix = [a](int from, int to) {
        return static_cast<int>(static_cast<float>(from) + a * static_cast<float>(to - from) + 0.5f);
    };
    return {mix(white.r, end.r), mix(white.g, end.g), mix(white.b, end.b)};
}

// Grey for ink x in [0, 1]: white paper, black ink.
inline Rgb ink_colour(float x) {
    const int level = static_cast<int>(255.0f - 255.0f * x + 0.5f);
    return {level, level, level};
}

namespace svg_layout {
constexpr int cell = 16;                 // one pixel of the 8×8 image
constexpr int map = 8 * cell;            // one 8×8 map
constexpr int gap = 10;                  // between a digit and its gradient
constexpr int panel_w = 4 * map + 3 * gap;  // digit + float gradient + int8 gradient + CNN gradient
constexpr int panel_h = map + 72;        // two lines of text above the maps, two below
constexpr int margin = 24;
constexpr int columns = 3;
constexpr int header_h = 74;
constexpr int legend_h = 70;
}  // namespace svg_layout

inline void svg_cells(FILE* f, int x0, int y0, const float (&values)[pixels], bool gradient, float scale) {
    using namespace svg_layout;
    for (size_t i = 0; i < pixels; ++i) {
        const Rgb c = gradient ? diverging_colour(scale > 0.0f ? values[i] / scale : 0.0f) : ink_colour(values[i]);
        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"rgb(%d,%d,%d)\"/>\n",
                x0 + static_cast<int>(i % 8) * cell, y0 + static_cast<int>(i / 8) * cell, cell, cell, c.r, c.g, c.b);
    }
    fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"none\" stroke=\"#444\"/>\n", x0, y0, map, map);
}

// The whole picture: n classifications in rows of svg_layout::columns panels, a title and a legend.
inline void write_saliency_svg(FILE* f, const Classification* shown, size_t n, unsigned correct, unsigned cnn_correct,
                               unsigned total) {
    using namespace svg_layout;
    const int rows = static_cast<int>((n + columns - 1) / columns);
    const int width = 2 * margin + columns * panel_w + (columns - 1) * margin;
    const int height = header_h + rows * (panel_h + margin) + legend_h;
    fprintf(f, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" viewBox=\"0 0 %d %d\" "
               "font-family=\"DejaVu Sans, Helvetica, Arial, sans-serif\">\n", width, height, width, height);
    fprintf(f, "<rect width=\"100%%\" height=\"100%%\" fill=\"white\"/>\n");
    fprintf(f, "<text x=\"%d\" y=\"30\" font-size=\"20\" font-weight=\"bold\">Which pixels drove the decision: "
               "digit | dJ/dx for its true class: float | int8 | CNN</text>\n", margin);
    fprintf(f, "<text x=\"%d\" y=\"54\" font-size=\"14\" fill=\"#333\">ugrad, 64-32-10 network on 8x8 test digits "
               "(%u of %u right); int8: that model quantized, integer arithmetic only; CNN: "
               "Conv 3x3 x16, MaxPool 2x2, Conv 3x3 x32, Dense 512-10 (%u of %u right). "
               "Each map scaled to its largest |dJ/dx|.</text>\n",
            margin, correct, total, cnn_correct, total);
    for (size_t s = 0; s < n; ++s) {
        const Classification& c = shown[s];
        const int x0 = margin + static_cast<int>(s % columns) * (panel_w + margin);
        const int y0 = header_h + static_cast<int>(s / columns) * (panel_h + margin);
        const bool right = c.predicted == c.label;
        fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"16\" font-weight=\"bold\" fill=\"%s\">true %u, predicted %u%s</text>\n",
                x0, y0 + 16, right ? "#111" : "#b2182b", unsigned(c.label), unsigned(c.predicted), right ? "" : "  (wrong)");
        const float scale = max_abs_gradient(c), scale_int8 = max_abs(c.dx_int8);
        fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"13\" fill=\"#333\">p(true) = %.3f, J = %.2g, digits.csv:%u, "
                   "int8 predicts %u, CNN predicts %u</text>\n",
                x0, y0 + 34, static_cast<double>(c.probs[c.label]), static_cast<double>(c.loss), c.csv_line,
                unsigned(c.predicted_int8), unsigned(c.predicted_cnn));
        svg_cells(f, x0, y0 + 42, c.x, false, 0.0f);
        svg_cells(f, x0 + map + gap, y0 + 42, c.dx, true, scale);
        svg_cells(f, x0 + 2 * (map + gap), y0 + 42, c.dx_int8, true, scale_int8);
        const float scale_cnn = max_abs(c.dx_cnn);
        svg_cells(f, x0 + 3 * (map + gap), y0 + 42, c.dx_cnn, true, scale_cnn);
        fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#555\">input</text>\n", x0, y0 + 42 + map + 14);
        fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#555\">float, &#177;%.2g</text>\n",
                x0 + map + gap, y0 + 42 + map + 14, static_cast<double>(scale));
        fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#555\">int8, &#177;%.2g</text>\n",
                x0 + 2 * (map + gap), y0 + 42 + map + 14, static_cast<double>(scale_int8));
        fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#555\">cos with float %.3f</text>\n",
                x0 + 2 * (map + gap), y0 + 42 + map + 28, gradient_cosine(c));
        fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#555\">CNN, &#177;%.2g</text>\n",
                x0 + 3 * (map + gap), y0 + 42 + map + 14, static_cast<double>(scale_cnn));
        fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"12\" fill=\"#555\">p(true) = %.3f</text>\n",
                x0 + 3 * (map + gap), y0 + 42 + map + 28, static_cast<double>(c.probs_cnn[c.label]));
    }
    // Legend: the colour bar from −1 to +1 (times each map's scale).
    const int ly = height - legend_h + 10;
    const int steps = 41, step_w = 8;
    for (int i = 0; i < steps; ++i) {
        const Rgb c = diverging_colour(static_cast<float>(i - steps / 2) / static_cast<float>(steps / 2));
        fprintf(f, "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"16\" fill=\"rgb(%d,%d,%d)\"/>\n", margin + i * step_w,
                ly, step_w, c.r, c.g, c.b);
    }
    fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"12\">-scale</text>\n", margin, ly + 32);
    fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"middle\">0</text>\n", margin + steps * step_w / 2, ly + 32);
    fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"12\" text-anchor=\"end\">+scale</text>\n", margin + steps * step_w, ly + 32);
    // The explanation in two lines beside the bar, so that it ends well inside the picture.
    fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"13\" fill=\"#333\">red: more ink on this pixel would raise the loss "
               "(it argues against the true class);</text>\n",
            margin + steps * step_w + 20, ly + 13);
    fprintf(f, "<text x=\"%d\" y=\"%d\" font-size=\"13\" fill=\"#333\">blue: more ink would lower it "
               "(it argues for the true class).</text>\n",
            margin + steps * step_w + 20, ly + 31);
    fprintf(f, "</svg>\n");
}

}  // namespace demo
