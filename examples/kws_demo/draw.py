#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""draw.py DIR — what `make demo-kws` shows for one word: DIR/features.npz (make_input.py) and
DIR/device.txt (kws_demo.cpp's lines from the emulated core) as text and shaded pictures in the
terminal, and DIR/kws.svg (the log-mel spectrogram, the model's MFCC input and, when the core
computed it, the map of |dJ/dx| over the input, beside the 12 class scores).

draw.py --words BUILD WORD... — one Markdown row per word (BUILD/WORD/device.txt): what the model
decided, its score, the score of the word said, and whether it got it right.
"""
import sys
from pathlib import Path

import numpy as np

LABELS = ["down", "go", "left", "no", "off", "on", "right", "stop", "up", "yes", "silence", "unknown"]
SHADES = " .:-=+*#%@"


def device(path):
    """The core's lines: word, forward instructions, scores {label: q}, decision, gradient."""
    out = {"scores": {}, "rows": {}, "gradient": None}
    for line in Path(path).read_text().splitlines():
        w = line.split()
        if w[:2] == ["kws", "word"]:
            out["word"] = w[2]
        elif w[:2] in (["kws", "forward"], ["kws", "forward_keeping"]):
            out["forward"], out["keeping"] = int(w[2]), w[1] == "forward_keeping"
        elif w[:2] == ["kws", "score"]:
            out["scores"][w[2]] = int(w[3])
        elif w[:2] == ["kws", "decision"]:
            out["decision"] = w[2]
        elif w[:3] == ["kws", "gradient", "exponent"]:
            out["gradient"] = {"exponent": int(w[3]), "label": int(w[5]), "instructions": int(w[7])}
        elif w[:3] == ["kws", "gradient", "row"]:
            out["rows"][int(w[3])] = [int(v) for v in w[4:]]
    if out["gradient"] is not None:
        out["gradient"]["map"] = np.array([out["rows"][t] for t in range(49)], dtype=np.int64)
    return out


def shade(grid):
    """Rows of characters, darker for larger values (min..max of the grid); grid[row][column]."""
    lo, hi = float(np.min(grid)), float(np.max(grid))
    span = hi - lo if hi > lo else 1.0
    idx = np.clip(((grid - lo) / span * (len(SHADES) - 1)).round().astype(int), 0, len(SHADES) - 1)
    return ["".join(SHADES[i] for i in row) for row in idx]


def panel(title, grid, bottom, top, by_row=False):
    """grid[time][row] drawn with time left to right and row 0 at the bottom; by_row: each row
    shaded on its own range."""
    lines = [title]
    rows = [shade(r[None, :])[0] for r in grid.T[::-1]] if by_row else shade(grid.T[::-1])
    for k, r in enumerate(rows):
        label = top if k == 0 else bottom if k == len(rows) - 1 else ""
        lines.append(f"  {label:>10} |{r}|")
    lines.append(f"  {'':>10} 0 s{'':{49 - 3}}1 s")
    return lines


def colour(v, lo, hi, diverging=False):
    if diverging:  # blue (−) to white (0) to red (+), by |v| / max|v|
        m = max(abs(lo), abs(hi)) or 1.0
        a = min(1.0, abs(v) / m)
        c = int(round(255 * (1 - a)))
        return f"rgb(255,{c},{c})" if v > 0 else f"rgb({c},{c},255)"
    a = (v - lo) / (hi - lo) if hi > lo else 0.0
    c = int(round(255 * (1 - a)))
    return f"rgb({c},{c},{c})"


def svg(path, word, logmel, codes, grad, scores, decision):
    cell, left, gap = 10, 90, 30
    parts, y = [], 40
    width = left + 49 * cell + 260

    def grid(title, g, diverging=False, note="", by_row=False):
        nonlocal y
        parts.append(f'<text x="{left}" y="{y - 8}" font-size="13">{title}</text>')
        rows = g.shape[1]
        for r in range(rows):
            lo, hi = (float(np.min(g[:, r])), float(np.max(g[:, r]))) if by_row else (float(np.min(g)), float(np.max(g)))
            for t in range(g.shape[0]):
                parts.append(f'<rect x="{left + t * cell}" y="{y + (rows - 1 - r) * cell}" width="{cell}" '
                             f'height="{cell}" fill="{colour(float(g[t, r]), lo, hi, diverging)}"/>')
        parts.append(f'<rect x="{left}" y="{y}" width="{49 * cell}" height="{rows * cell}" fill="none" stroke="black"/>')
        if note:
            parts.append(f'<text x="{left}" y="{y + rows * cell + 14}" font-size="11">{note}</text>')
        y += rows * cell + gap

    grid("log-mel spectrogram: 40 bands, 20 Hz (bottom) to 4 kHz; 49 frames of 30 ms every 20 ms", logmel)
    grid("the model's input: 10 MFCC codes per frame (coefficient 0 at the bottom; each row on its own range)",
         codes, by_row=True)
    if grad is not None:
        grid(f"dJ/dx, J = −log p({LABELS[grad['label']]}): red raises J, blue lowers it", grad["map"].astype(float),
             True, f"integer gradient on the core, dJ/dx = G·2^{grad['exponent']}")
    else:
        parts.append(f'<text x="{left}" y="{y}" font-size="13">dJ/dx: the exported header has no input_gradient in this build</text>')
        y += gap
    # The scores, as bars.
    sx, sy = left + 49 * cell + 30, 40
    parts.append(f'<text x="{sx}" y="{sy - 8}" font-size="13">scores p = (q + 128)/256</text>')
    for k, label in enumerate(LABELS):
        p = (scores[label] + 128) / 256
        bold = ' font-weight="bold"' if label == decision else ""
        parts.append(f'<text x="{sx}" y="{sy + 12 + k * 18}" font-size="12"{bold}>{label}</text>')
        parts.append(f'<rect x="{sx + 60}" y="{sy + 2 + k * 18}" width="{max(1, round(p * 120))}" height="12" '
                     f'fill="{"#c33" if label == decision else "#888"}"/>')
        parts.append(f'<text x="{sx + 186}" y="{sy + 12 + k * 18}" font-size="11">{p:.3f}</text>')
    height = max(y, sy + 12 * 18 + 20)
    head = (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" font-family="sans-serif">\n'
            f'<rect width="100%" height="100%" fill="white"/>\n'
            f'<text x="{left}" y="18" font-size="15">espeak-ng says "{word}"; the int8 KWS model on the Cortex-M4F '
            f'hears "{decision}"</text>\n')
    Path(path).write_text(head + "\n".join(parts) + "\n</svg>\n")


def one(folder):
    folder = Path(folder)
    f = np.load(folder / "features.npz")
    d = device(folder / "device.txt")
    word, decision = d["word"], d["decision"]
    said = "no sound at all (1 s of zeros)" if word == "_silence_" else f'espeak-ng says "{word}"'
    out = [f"{said}: {folder / (word + '.wav')} (16 kHz, the spoken part centred in 1 s)",
           f"→ 49×10 MFCC codes (scale {float(f['scale']):.6g}, zero point {int(f['zero_point'])}) → kws_ref_model, int8, "
           f"on the emulated Cortex-M4F: {d['forward']:,} instructions"
           + (" (the forward that keeps what dJ/dx needs)" if d["keeping"] else ""), ""]
    # 40 bands shown as 20 rows: each row the mean of two adjacent bands.
    logmel2 = f["log_mel"].reshape(49, 20, 2).mean(axis=2)
    out += panel("log-mel spectrogram (two bands a row):", logmel2, "20 Hz", "4 kHz")
    out += panel("the model's input, MFCC codes (each coefficient's row shaded on its own range):",
                 f["codes"].astype(float), "c0", "c9", by_row=True)
    g = d["gradient"]
    if g is not None:
        out += panel(f"|dJ/dx| over the input, J = −log p({LABELS[g['label']]}) (integer, on the core: "
                     f"{g['instructions']:,} instructions; dJ/dx = G·2^{g['exponent']}):", np.abs(g["map"]).astype(float), "c0", "c9")
    else:
        out.append("dJ/dx map: not in this build (the exported header has no input_gradient yet)")
    out += ["", "scores, p = (q + 128)/256:"]
    for label in LABELS:
        q = d["scores"][label]
        p = (q + 128) / 256
        mark = "  ← decision" if label == decision else ""
        out.append(f"  {label:>8} {q:5d} {p:6.3f} {'#' * round(p * 40)}{mark}")
    svg(folder / "kws.svg", word, f["log_mel"], f["codes"].astype(float), g, d["scores"], decision)
    out += ["", f"decision: {decision}", f"picture: {folder / 'kws.svg'}"]
    print("\n".join(out))


def words(build, said):
    rows = ["| said (espeak-ng, en-us) | the model decides | its score | score of the word said | right |",
            "|---|---|---:|---:|:---:|"]
    right = 0
    for w in said:
        d = device(Path(build) / w / "device.txt")
        target = "silence" if w == "_silence_" else w
        p = {k: (q + 128) / 256 for k, q in d["scores"].items()}
        ok = d["decision"] == target
        right += ok and w != "_silence_"
        name = "(no sound: 1 s of zeros)" if w == "_silence_" else f'"{w}"'
        rows.append(f"| {name} | {d['decision']} | {p[d['decision']]:.3f} | {p[target]:.3f} | {'yes' if ok else 'no'} |")
    keywords = sum(1 for w in said if w != "_silence_")
    rows += ["", f"The model decides the word said for {right} of espeak-ng's {keywords} keywords."]
    print("\n".join(rows))


if __name__ == "__main__":
    if sys.argv[1] == "--words":
        words(sys.argv[2], sys.argv[3:])
    else:
        one(sys.argv[1])
