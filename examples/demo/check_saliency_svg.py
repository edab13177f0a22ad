#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""check_saliency_svg.py SVG DEMO_OUTPUT — the demo's picture agrees with what it printed.

Checks that SVG is well-formed, that every line of text fits inside the picture, has one labelled panel per digit the demo printed, with the same
true and predicted classes in the same order, and that every gradient cell — the float model's map
the int8 model's and the CNN's beside it — is coloured red where the printed dJ/dx is positive and blue where
it is negative (cells too small for the colour scale to show a sign are not judged), and that no int8 map is blank (printed all 0)
where the float one is not: a digit the model is sure of keeps its int8 dJ/dx.
Prints one line; exit status 1 on the first disagreement.
"""
import re
import sys
import xml.etree.ElementTree as ET

NS = "{http://www.w3.org/2000/svg}"


def fail(message: str) -> int:
    print(f"check_saliency_svg: FAIL: {message}")
    return 1


def main() -> int:
    svg_path, text_path = sys.argv[1], sys.argv[2]
    try:
        root = ET.parse(svg_path).getroot()
    except ET.ParseError as err:
        return fail(f"{svg_path} is not well-formed XML: {err}")
    if root.tag != NS + "svg":
        return fail(f"{svg_path}: the root element is {root.tag}, not svg")

    # What the demo printed: per digit, true/predicted and the 8×8 integer maps of dJ/dx, float, int8
    # and CNN (the last 24 numbers of each of the 8 rows after the header line "input ...").
    printed = []
    with open(text_path) as f:
        lines = f.read().splitlines()
    for i, line in enumerate(lines):
        m = re.match(r"--- digit \d+ of \d+: .*true (\d), predicted (\d)", line)
        if m:
            header = next(k for k in range(i + 1, i + 8) if lines[k].strip().startswith("input "))
            rows = lines[header + 1:header + 9]
            grid = [int(v) for row in rows for v in row.split()[-24:-16]]
            grid_int8 = [int(v) for row in rows for v in row.split()[-16:-8]]
            grid_cnn = [int(v) for row in rows for v in row.split()[-8:]]
            printed.append((int(m.group(1)), int(m.group(2)), grid + grid_int8 + grid_cnn))
    if not printed:
        return fail(f"{text_path}: no digits printed")

    # Every line of text inside the picture: its extent estimated at 0.5 em per character (rsvg-convert
    # renders this picture's lines at about 0.48 em; an estimate, not a font's metrics), placed from
    # x by its text-anchor. The one-line legend this replaced ended at about 1,410 of 1,184.
    width = float(root.get("width"))
    for t in root.iter(NS + "text"):
        size, x, text = float(t.get("font-size", "16")), float(t.get("x")), "".join(t.itertext())
        text = re.sub(r"&#\d+;", "x", text)
        length = 0.5 * size * len(text)
        start = {"middle": x - length / 2, "end": x - length}.get(t.get("text-anchor"), x)
        if start < 0 or start + length > width:
            return fail(f"the text {text[:40]!r}... runs past the picture's edge (x {start:.0f} to {start + length:.0f}, width {width:.0f})")

    titles = [t.text for t in root.iter(NS + "text") if t.text and t.text.startswith("true ")]
    labels = [tuple(int(v) for v in re.match(r"true (\d), predicted (\d)", t).groups()) for t in titles]
    if labels != [(t, p) for t, p, _ in printed]:
        return fail(f"panel labels {labels} differ from the printed classifications")

    # Cells: 64 per map, the digit, the float, the int8 and the CNN dJ/dx per panel, in order.
    cells = [r for r in root.iter(NS + "rect") if r.get("width") == r.get("height") and r.get("fill", "").startswith("rgb(")
             and r.get("width") == "16"]
    if len(cells) != 256 * len(printed):
        return fail(f"{len(cells)} map cells, expected {256 * len(printed)} (four 8x8 maps per digit)")
    # A cell's colour is white mixed with the end colour by t = value/(the map's max |value|), each
    # channel rounded: red moves r − b by 135·t, blue b − r by 139·t, so the sign shows (beyond the
    # rounding of both channels) where |t| >= 2/135. With the printed p (value in units, rounded)
    # and the map's largest printed P, |t| >= (|p| − ½)/(P + ½): cells below that are not judged.
    judged = 0
    for d, (_, _, grid) in enumerate(printed):
        gradient_cells = cells[256 * d + 64:256 * d + 256]
        for i, (cell, value) in enumerate(zip(gradient_cells, grid)):
            which = ("float", "int8", "CNN")[i // 64]
            largest = max(abs(v) for v in grid[64 * (i // 64):64 * (i // 64 + 1)])
            if abs(value) - 0.5 < 2 / 135 * (largest + 0.5):
                continue
            r, g, b = (int(v) for v in re.findall(r"\d+", cell.get("fill")))
            if value > 0 and not r > b:
                return fail(f"digit {d + 1}, {which} pixel {i % 64}: dJ/dx printed {value:+d} but the cell is not red ({r},{g},{b})")
            if value < 0 and not b > r:
                return fail(f"digit {d + 1}, {which} pixel {i % 64}: dJ/dx printed {value:+d} but the cell is not blue ({r},{g},{b})")
            judged += 1
        if any(grid[:64]) and not any(grid[64:128]):
            return fail(f"digit {d + 1}: the int8 dJ/dx printed all 0 where the float one is not: a blank int8 map")
    print(f"check_saliency_svg: {svg_path}: {len(printed)} labelled panels as printed, {judged} gradient cells (float, "
          f"int8 and CNN) coloured by the sign printed, no blank int8 map")
    return 0


if __name__ == "__main__":
    sys.exit(main())
