#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""int8_gradient_exact.py — the integer dJ/dx of an exported int8 `.tflite` header
(include/ugrad/tflite/backward/, tools/tflite/int8_gradient_export.py) modelled bit for bit in numpy
int64, written from the C++ headers' arithmetic:

    input_gradient(model, x, label=-1) -> (status, exponent, label, G)

what tests/tflite/int8_gradient_runner.cpp prints for the input codes x: status "ok" or
"label_out_of_range" (G None then), the exponent (0 for an all-zero gradient), the label the loss took
(the predicted class for label < 0; −1 for an autoencoder) and the int32 codes G [input size],
dJ/dx_i = G_i·2^exponent. The masks, max-pool argmaxes, logits and output codes come from the int8
forward of int8_reference.py (R.run, TFLM's integers: what forward_keeping leaves on the tape).

Every rounding point is the C++ one (block_gradient.hpp):
  round_shift(v, r) = ((v >> (r − 1)) + 1) >> 1; q15_multiply(g, m) = (g·m + 2^14) >> 15;
  renormalize: r = bitlength(max |A|) − 14 > 0 rounds right, else an exact left shift to 14 bits;
  an all-zero gradient takes zero_exponent; align(v, s) = v, 0 (s >= 16) or round_shift(v, s);
  block_add: both aligned to the larger exponent, summed, renormalized.
The walk back (int8_gradient_export._extension's order): the head's seed, then the operators from
the last to the first; a weighted operator masks and scales its output gradient per channel
(scale_masked: H = mask·q15_multiply(G, m_c)), forms the transposed sums exactly (int32 in C++, sums
of at most 1023 terms |h·w| <= 2^21: exact here in float64 matmuls, then int64), renormalizes with
exponent e + E; a tensor's first gradient is written directly, every later one (a fan-out: ADD's skip,
an autoencoder's input) is renormalized alone and then block_add-ed into it. The packed int16 storage
between layers is lossless under the invariant |G| <= 2^14, so it is not modelled (the test's
equality with the C++ output would show a loss).

MAX_POOL_2D is modelled (each gradient to its window's first largest cell) but none of the five
MLPerf Tiny models has one, so tests/tflite/test_int8_gradient.py's ExactIntegerModel does not reach it
(tests/test_tflite_backward.cpp checks the C++ route against double).

The softmax seed uses tools/q8_model.py (ugrad::q8's head in Python integers, checked against the C++
by make q8-quantize-check).
"""
import math
import sys
from pathlib import Path

import numpy as np

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

import int8_export as X  # noqa: E402
import int8_gradient_export as E  # noqa: E402
import int8_reference as R  # noqa: E402
import q8_model  # noqa: E402

GRADIENT_BITS = 14
ZERO_EXPONENT = -(1 << 20)


# ---- block_gradient.hpp ----

def round_shift(v, r):
    """round(v/2^r), ties up (r >= 1)."""
    return ((np.asarray(v, np.int64) >> (r - 1)) + 1) >> 1


def q15_multiply(g, m):
    return (np.asarray(g, np.int64) * np.asarray(m, np.int64) + (1 << 14)) >> 15


def renormalize(g, exponent):
    """(g', exponent'): the invariant restored (zero_exponent for an all-zero g)."""
    g = np.asarray(g, np.int64)
    top = int(np.abs(g).max()) if g.size else 0
    if top == 0:
        return g, ZERO_EXPONENT
    length = top.bit_length()
    if length > GRADIENT_BITS:
        r = length - GRADIENT_BITS
        return round_shift(g, r), exponent + r
    shift = GRADIENT_BITS - length
    return g << shift, exponent - shift


def align(v, s):
    if s == 0:
        return np.asarray(v, np.int64)
    if s >= 16:
        return np.zeros_like(np.asarray(v, np.int64))
    return round_shift(v, s)


def block_add(dst, e_dst, src, e_src):
    """dst·2^e_dst + src·2^e_src (both within the invariant), renormalized."""
    if e_src == ZERO_EXPONENT:
        return dst, e_dst
    e = max(e_dst, e_src)
    return renormalize(align(dst, e - e_dst) + align(src, e - e_src), e)


def check_invariant(g):
    assert int(np.abs(g).max(initial=0)) <= 1 << GRADIENT_BITS, "a gradient beyond 2^14 (int16 storage)"


# ---- heads.hpp ----

def scale_by_power(t, s):
    if s >= 0:
        return t << s
    return 0 if -s > 31 else int(round_shift(t, -s))


def softmax_seed(logits, zero_point, theta, scale, label):
    """dJ/dl (label < Out) and its exponent: heads.hpp softmax_seed."""
    q12 = [scale_by_power((int(v) - zero_point) * theta[0], theta[1] - 15) for v in logits]
    y_hat = q8_model.softmax_q15(q12)
    d, e = q8_model.label_gradient(q12, y_hat, label)
    g, e = renormalize(np.asarray(d, np.int64), e)
    g = q15_multiply(g, scale[0])
    if e == ZERO_EXPONENT:
        return g, e
    return renormalize(g, e + scale[1])


def autoencoder_seed(y, zy, sy, x, zx, sx, cy, cx):
    """(gy, e_y, gx, e_x): heads.hpp autoencoder_seed."""
    gy = (np.asarray(y, np.int64) - zy) * sy[0] - (np.asarray(x, np.int64) - zx) * sx[0]
    gy, e = renormalize(gy, sy[1] - 15)
    if e == ZERO_EXPONENT:
        return gy, ZERO_EXPONENT, np.zeros_like(gy), ZERO_EXPONENT
    gx = -q15_multiply(gy, cx[0])
    gy = q15_multiply(gy, cy[0])
    gy, ey = renormalize(gy, e + cy[1])
    gx, ex = renormalize(gx, e + cx[1])
    return gy, ey, gx, ex


# ---- weighted_backward.hpp, pool_add_backward.hpp: the transposed sums ----

def _scatter_taps(h, shape_in, f, o, kernel_of):
    """Σ over the taps in the image of kernel_of(ky, kx, h) at the input cells they read:
    gx[oy·SH − PadTop + ky·DH][ox·SW − PadLeft + kx·DW] += kernel_of(ky, kx, h[oy][ox]); taps outside
    the image add nothing (kernel_taps.hpp). h [OH][OW][*] → gx [H][W][C], exact in float64."""
    H, W, C = shape_in
    OH, OW = f["oh"], f["ow"]
    sh, sw = o["stride_h"], o["stride_w"]
    dh, dw = o.get("dilation_h", 1), o.get("dilation_w", 1)
    pt, pl = f["pt"], f["pl"]
    kh, kw = f["kh"], f["kw"]
    Hp = max(H + pt, (OH - 1) * sh + (kh - 1) * dh + 1)
    Wp = max(W + pl, (OW - 1) * sw + (kw - 1) * dw + 1)
    gp = np.zeros((Hp, Wp, C))
    for ky in range(kh):
        for kx in range(kw):
            y0, x0 = ky * dh, kx * dw
            gp[y0:y0 + (OH - 1) * sh + 1:sh, x0:x0 + (OW - 1) * sw + 1:sw, :] += kernel_of(ky, kx, h)
    g = gp[pt:pt + H, pl:pl + W, :]
    assert np.abs(g).max(initial=0) < 2.0 ** 31, "an int32 sum out of range"
    return g.astype(np.int64).reshape(-1)


def conv2d_backward(h, w, shape_in, f, o):
    """w [F][KH][KW][C], h [OH][OW][F]: gx = Σ h[oy][ox][f]·w[f][ky][kx][c] over the taps."""
    hf = h.reshape(f["oh"], f["ow"], -1).astype(np.float64)
    wf = w.astype(np.float64)
    return _scatter_taps(hf, shape_in, f, o, lambda ky, kx, v: v @ wf[:, ky, kx, :])


def depthwise_conv2d_backward(h, w, shape_in, f, o):
    """w [1][KH][KW][C], h [OH][OW][C]: gx[c] = Σ h[oy][ox][c]·w[ky][kx][c] over the taps."""
    hf = h.reshape(f["oh"], f["ow"], -1).astype(np.float64)
    wf = w.reshape(f["kh"], f["kw"], -1).astype(np.float64)
    return _scatter_taps(hf, shape_in, f, o, lambda ky, kx, v: v * wf[ky, kx, :])


def fully_connected_backward(h, w):
    """w [Out][In], h [Out]: gx[i] = Σ_o h[o]·w[o][i]."""
    return (h.astype(np.float64) @ w.reshape(len(h), -1).astype(np.float64)).astype(np.int64)


def _pool_ranges(n, stride, pad, window, size):
    return [(max(0, o * stride - pad), min(size, o * stride - pad + window)) for o in range(n)]


def average_pool_factor(shape_in, f, o):
    """(K, [[r per output]]): 2^K/n rounded per window (pool_add_backward.hpp), K = 15 + floor(log2
    n_min), n_min the fewest cells of any window in the image."""
    H, W, _ = shape_in
    ry = _pool_ranges(f["oh"], o["stride_h"], f["pt"], o["filter_h"], H)
    rx = _pool_ranges(f["ow"], o["stride_w"], f["pl"], o["filter_w"], W)
    cells = [(b - a) * (d - c) for a, b in ry for c, d in rx]
    least = min([o["filter_h"] * o["filter_w"]] + [n for n in cells if n > 0])
    return 15 + (least.bit_length() - 1), ry, rx


def average_pool2d_backward(g, shape_in, f, o):
    H, W, C = shape_in
    K, ry, rx = average_pool_factor(shape_in, f, o)
    gy = g.reshape(f["oh"], f["ow"], C)
    gx = np.zeros((H, W, C), np.int64)
    for oy, (y0, y1) in enumerate(ry):
        for ox, (x0, x1) in enumerate(rx):
            n = (y1 - y0) * (x1 - x0)
            if n <= 0:
                continue
            r = ((1 << K) + n // 2) // n
            gx[y0:y1, x0:x1, :] += q15_multiply(gy[oy, ox, :], r)
    return gx.reshape(-1), 15 - K


def max_pool2d_backward(g, xq, shape_in, f, o):
    """Each g to its window's first largest cell (record_argmax's scan order)."""
    H, W, C = shape_in
    x = np.asarray(xq, np.int64).reshape(H, W, C)
    ry = _pool_ranges(f["oh"], o["stride_h"], f["pt"], o["filter_h"], H)
    rx = _pool_ranges(f["ow"], o["stride_w"], f["pl"], o["filter_w"], W)
    gy = g.reshape(f["oh"], f["ow"], C)
    gx = np.zeros((H, W, C), np.int64)
    for oy, (y0, y1) in enumerate(ry):
        for ox, (x0, x1) in enumerate(rx):
            window = x[y0:y1, x0:x1, :].reshape(-1, C)  # row-major: the forward's scan order
            at = np.argmax(window, axis=0)              # the first largest
            for c in range(C):
                gx[y0 + at[c] // (x1 - x0), x0 + at[c] % (x1 - x0), c] += gy[oy, ox, c]
    return gx.reshape(-1)


# ---- the walk back ----

def _scale(t):
    return float(t.quantization.scale[0])


def _zp(t):
    return int(t.quantization.zero_point[0])


def _mask(yq, rng):
    lo, hi = rng
    y = np.asarray(yq, np.int64).ravel()
    return (y > lo) & (y < hi)


class Exact:
    """One model's constants (the exporter's Q15 factors, weights, shapes), then input_gradient."""

    def __init__(self, model):
        self.model = model
        self.steps, _ = X.translate(model, "model")
        alias = {}
        for op, _ in self.steps:
            if op.opcode == "RESHAPE":
                alias[op.outputs[0]] = alias.get(op.inputs[0], op.inputs[0])
        self.root = lambda i: alias.get(i, i)
        self.classifier = self.steps[-1][0].opcode == "SOFTMAX"
        self.factors = {}
        for k, (op, f) in enumerate(self.steps):
            if op.opcode in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"):
                self.factors[k] = E.factor(E.weighted_factors(model, op))
            elif op.opcode == "ADD":
                T = model.tensors
                x, b, y = T[op.inputs[0]], T[op.inputs[1]], T[op.outputs[0]]
                self.factors[k] = E.factor([_scale(x) / _scale(y), _scale(b) / _scale(y)])

    def input_gradient(self, x, label=-1):
        model, steps, root = self.model, self.steps, self.root
        T = model.tensors
        inp, out = model.inputs[0], model.outputs[0]
        Q = R.run(model, x)
        grads = {}  # root tensor → [G int64, exponent]

        def contribute(t, g, e):
            """A gradient into t: the first written as it is (renormalized), a later one renormalized
            alone, then block_add-ed (int8_gradient_export: temps)."""
            g, e = renormalize(g, e)
            check_invariant(g)
            if t not in grads:
                grads[t] = [g, e]
            else:
                grads[t] = list(block_add(grads[t][0], grads[t][1], g, e))
                check_invariant(grads[t][0])

        if self.classifier:
            lt = T[steps[-1][0].inputs[0]]
            logits = np.asarray(Q[lt.index], np.int64).ravel()
            n_out = logits.size
            if label < 0:
                label = int(np.argmax(logits))
            if label >= n_out:
                return "label_out_of_range", 0, label, None
            te, (tm,) = E.factor([4096.0 * _scale(lt)])
            se, (sm,) = E.factor([_scale(lt)])
            g, e = softmax_seed(logits, _zp(lt), (tm, te), (sm, se), label)
            grads[root(lt.index)] = [g, e]
        else:
            label = -1
            xt, yt = T[inp], T[out]
            n = X._size(yt.shape)
            de, (my, mx) = E.factor([_scale(yt), _scale(xt)])
            cye, (cym,) = E.factor([2.0 * _scale(yt) / n])
            cxe, (cxm,) = E.factor([2.0 * _scale(xt) / n])
            gy, ey, gx, ex = autoencoder_seed(np.asarray(Q[out]).ravel(), _zp(yt), (my, de),
                                              np.asarray(x).ravel(), _zp(xt), (mx, de), (cym, cye), (cxm, cxe))
            grads[root(out)] = [gy, ey]
            grads[root(inp)] = [gx, ex]

        for k in range(len(steps) - 1, -1, -1):
            op, f = steps[k]
            if op.opcode in ("SOFTMAX", "RESHAPE"):
                continue
            xt, yt = T[op.inputs[0]], T[op.outputs[0]]
            gy, ey = grads[root(yt.index)]
            shape_in = tuple(xt.shape[1:]) if len(xt.shape) == 4 else None
            o = op.options
            if op.opcode in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"):
                Ef, ms = self.factors[k]
                chans = len(gy) if op.opcode == "FULLY_CONNECTED" else f["channels"]
                m = np.asarray(ms, np.int64)
                m = np.tile(m, len(gy) // chans) if len(ms) > 1 else m[0]
                h = np.where(_mask(Q[yt.index], f["range"]), q15_multiply(gy, m), 0)
                grads[root(yt.index)][0] = h  # scale_masked works in place
                w = f["w"].data
                if op.opcode == "CONV_2D":
                    s = conv2d_backward(h, w, shape_in, f, o)
                elif op.opcode == "DEPTHWISE_CONV_2D":
                    s = depthwise_conv2d_backward(h, w, shape_in, f, o)
                else:
                    s = fully_connected_backward(h, w)
                contribute(root(xt.index), s, ey + Ef)
            elif op.opcode in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
                if E.narrow(f["range"]):
                    gy = np.where(_mask(Q[yt.index], f["range"]), gy, 0)
                    grads[root(yt.index)][0] = gy
                if op.opcode == "AVERAGE_POOL_2D":
                    s, shift = average_pool2d_backward(gy, shape_in, f, o)
                else:
                    s, shift = max_pool2d_backward(gy, Q[xt.index], shape_in, f, o), 0
                contribute(root(xt.index), s, ey + shift)
            elif op.opcode == "ADD":
                Ef, (ma, mb) = self.factors[k]
                gy = np.where(_mask(Q[yt.index], f["range"]), gy, 0)
                grads[root(yt.index)][0] = gy
                ga, gb = q15_multiply(gy, ma), q15_multiply(gy, mb)
                contribute(root(xt.index), ga, ey + Ef)
                contribute(root(op.inputs[1]), gb, ey + Ef)
            else:
                raise ValueError(f"operator {op.index} {op.opcode}: not modelled")
        g, e = grads[root(inp)]
        return "ok", 0 if e == ZERO_EXPONENT else e, label, np.asarray(g, np.int64)


_EXACT = {}


def input_gradient(model, x, label=-1):
    """(status, exponent, label, G) as the C++ runner prints them."""
    if id(model) not in _EXACT:
        _EXACT[id(model)] = Exact(model)
    return _EXACT[id(model)].input_gradient(x, label)


if __name__ == "__main__":
    import json
    import reader
    data = HERE.parent.parent / "data" / "mlperf-tiny"
    for name in sys.argv[1:]:
        model = reader.read_file(data / f"{name}.tflite")
        ex = Exact(model)
        for c in json.loads((data / f"{name}.json").read_text())["cases"]:
            x = np.frombuffer(bytes.fromhex(c["input_hex"]), np.int8)
            for lab in (-1, 1):
                status, e, got, g = ex.input_gradient(x, lab)
                print(status, e, got, " ".join(map(str, g.tolist())))
