#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""int8_reference.py — a numpy interpreter of TFLite's int8 kernels, integer for integer.

Written from TFLite's published integer semantics (docs/tflite.md writes each formula out):
requantization by a 32-bit multiplier and a shift derived once from the scales in double precision,
the rounding doubling high multiply, the rounding divide by a power of two, fused activation ranges,
ADD's rescaling with a left shift of 20, average pooling's round-half-away division, and the int8
softmax's fixed-point exp (the gemmlowp-style path TFLM's reference kernel takes for int8 → int8).

    run(model, x) -> {tensor index: int8 array} of every tensor computed
"""
import math
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import reader  # noqa: E402

INT32_MIN, INT32_MAX = -(1 << 31), (1 << 31) - 1


def quantize_multiplier(real: float):
    """(multiplier, shift) with real ≈ multiplier · 2^(shift − 31), multiplier in [2^30, 2^31).
    frexp gives real = q · 2^shift, q in [0.5, 1); multiplier = round-half-away(q · 2^31), and if that
    rounds up to 2^31 it is halved and the shift incremented; shift < −31 flushes to (0, 0)."""
    if real == 0.0:
        return 0, 0
    q, shift = math.frexp(real)
    q_fixed = int(math.floor(q * (1 << 31) + 0.5))  # q > 0: half away from zero; q·2^31 + 0.5 is exact
    if q_fixed == 1 << 31:
        q_fixed //= 2
        shift += 1
    if shift < -31:
        shift, q_fixed = 0, 0
    return q_fixed, shift


def wrap32(x):
    return ((np.asarray(x, dtype=np.int64) + (1 << 31)) & 0xFFFFFFFF) - (1 << 31)


def srdhm(a, b):
    """SaturatingRoundingDoublingHighMul: round(a·b / 2^31) via the nudge 2^30 (a·b ≥ 0) or
    1 − 2^30 (a·b < 0) and C's truncating division, which puts ties toward +∞ for either sign
    (a·b = −2^30 gives 0); INT32_MIN² saturates."""
    a = np.asarray(a, dtype=np.int64)
    b = np.asarray(b, dtype=np.int64)
    ab = a * b
    nudge = np.where(ab >= 0, 1 << 30, 1 - (1 << 30))
    s = ab + nudge
    q = np.where(s >= 0, s >> 31, -((-s) >> 31))  # truncation toward zero
    return np.where((a == INT32_MIN) & (b == INT32_MIN), INT32_MAX, q)


def rounding_divide_by_pot(x, exponent):
    """x / 2^exponent rounded to nearest, ties away from zero: (x >> e) + (remainder > threshold),
    remainder = x & (2^e − 1), threshold = (2^e − 1) >> 1, plus 1 when x < 0."""
    x = np.asarray(x, dtype=np.int64)
    e = np.asarray(exponent, dtype=np.int64)
    mask = (np.int64(1) << e) - 1
    remainder = x & mask
    threshold = (mask >> 1) + (x < 0)
    return (x >> e) + (remainder > threshold)


def multiply_by_quantized_multiplier(x, multiplier, shift):
    """RoundingDivideByPOT(SRDHM(x · 2^max(shift,0), multiplier), max(−shift, 0)) (int32 wrap on
    the left shift, as the C++ does in practice)."""
    shift = np.asarray(shift, dtype=np.int64)
    left = np.where(shift > 0, shift, 0)
    right = np.where(shift > 0, 0, -shift)
    return rounding_divide_by_pot(srdhm(wrap32(np.asarray(x, dtype=np.int64) << left), multiplier), right)


def activation_range(activation, scale, zero_point):
    """[lo, hi] in int8: quantize(f) = zero_point + round-half-away(float32(f / scale))."""
    def quantize(f):
        v = np.float32(np.float32(f) / np.float32(scale))  # the quotient in float32
        return zero_point + int(math.copysign(math.floor(abs(float(v)) + 0.5), float(v)))
    lo, hi = -128, 127
    if activation == "RELU":
        lo = max(lo, quantize(0.0))
    elif activation == "RELU6":
        lo, hi = max(lo, quantize(0.0)), min(hi, quantize(6.0))
    elif activation == "RELU_N1_TO_1":
        lo, hi = max(lo, quantize(-1.0)), min(hi, quantize(1.0))
    return lo, hi


def conv_multipliers(inp, flt, out, channels):
    """Per output channel: real = double(input_scale) · double(filter_scale[c]) / double(output_scale)
    (each float32 scale widened to double, products and quotient in double); a per-tensor filter
    scale is broadcast to every channel."""
    fs = flt.quantization.scale
    ms, ss = [], []
    for c in range(channels):
        real = float(inp.quantization.scale[0]) * float(fs[c] if len(fs) > 1 else fs[0]) / float(out.quantization.scale[0])
        m, s = quantize_multiplier(real)
        ms.append(m)
        ss.append(s)
    return np.array(ms, dtype=np.int64), np.array(ss, dtype=np.int64)


def padding(pad, in_size, stride, dilation, filt):
    eff = (filt - 1) * dilation + 1
    out = (in_size + stride - 1) // stride if pad == "SAME" else (in_size - eff + stride) // stride
    total = max(0, (out - 1) * stride + eff - in_size)
    return out, total // 2


def _windows(x, kh, kw, sh, sw, dh, dw, pad_top, pad_left, oh, ow, fill):
    """x [H,W,C] padded with `fill` → patches [oh, ow, kh, kw, C] (and a mask of real cells)."""
    H, W, C = x.shape
    ys = (np.arange(oh)[:, None] * sh - pad_top + np.arange(kh)[None, :] * dh)  # [oh, kh]
    xs = (np.arange(ow)[:, None] * sw - pad_left + np.arange(kw)[None, :] * dw)  # [ow, kw]
    vy = (ys >= 0) & (ys < H)
    vx = (xs >= 0) & (xs < W)
    p = x[np.clip(ys, 0, H - 1)[:, None, :, None], np.clip(xs, 0, W - 1)[None, :, None, :]]  # [oh,ow,kh,kw,C]
    valid = vy[:, None, :, None] & vx[None, :, None, :]
    return np.where(valid[..., None], p, fill), valid


def requantize(acc, m, s, out_zp, lo, hi):
    return np.clip(multiply_by_quantized_multiplier(acc, m, s) + out_zp, lo, hi).astype(np.int8)


def op_conv(model, op, T, depthwise):
    inp, flt, out = (model.tensors[i] for i in (op.inputs[0], op.inputs[1], op.outputs[0]))
    bias = model.tensors[op.inputs[2]].data if len(op.inputs) > 2 and op.inputs[2] >= 0 else None
    o = op.options
    x = T[inp.index].astype(np.int64)[0]  # [H, W, Cin]
    w = flt.data.astype(np.int64)  # conv [Cout, kh, kw, Cin]; depthwise [1, kh, kw, Cout]
    kh, kw = w.shape[1], w.shape[2]
    H, W, Cin = x.shape
    oh, pt = padding(o["padding"], H, o["stride_h"], o["dilation_h"], kh)
    ow, pl = padding(o["padding"], W, o["stride_w"], o["dilation_w"], kw)
    in_zp = inp.quantization.zero_point[0]
    # padding cells hold the input zero point, so (x − zp) is 0 there
    p, _ = _windows(x - in_zp, kh, kw, o["stride_h"], o["stride_w"], o["dilation_h"], o["dilation_w"], pt, pl, oh, ow, 0)
    if depthwise:
        dm = o["depth_multiplier"]
        cout = w.shape[3]
        pe = np.repeat(p, dm, axis=-1)  # output channel c = ic·dm + m reads input channel c // dm
        acc = np.einsum("yxhwc,hwc->yxc", pe, w[0])
    else:
        cout = w.shape[0]
        acc = np.einsum("yxhwc,ohwc->yxo", p, w)
    if bias is not None:
        acc = acc + bias.astype(np.int64)
    m, s = conv_multipliers(inp, flt, out, cout)
    lo, hi = activation_range(o["activation"], out.quantization.scale[0], out.quantization.zero_point[0])
    T[out.index] = requantize(acc, m, s, out.quantization.zero_point[0], lo, hi).reshape(out.shape)


def op_fully_connected(model, op, T):
    inp, flt, out = (model.tensors[i] for i in (op.inputs[0], op.inputs[1], op.outputs[0]))
    bias = model.tensors[op.inputs[2]].data if len(op.inputs) > 2 and op.inputs[2] >= 0 else None
    w = flt.data.astype(np.int64)  # [out, in]
    x = T[inp.index].astype(np.int64).reshape(-1, w.shape[1]) - inp.quantization.zero_point[0]
    acc = x @ (w - flt.quantization.zero_point[0]).T
    if bias is not None:
        acc = acc + bias.astype(np.int64)
    if flt.quantization.per_channel:
        m, s = conv_multipliers(inp, flt, out, w.shape[0])
    else:
        # per-tensor: double(input_scale) · double(filter_scale) / double(output_scale)
        real = float(inp.quantization.scale[0]) * float(flt.quantization.scale[0]) / float(out.quantization.scale[0])
        m, s = quantize_multiplier(real)
    lo, hi = activation_range(op.options["activation"], out.quantization.scale[0], out.quantization.zero_point[0])
    T[out.index] = requantize(acc, m, s, out.quantization.zero_point[0], lo, hi).reshape(out.shape)


def op_pool(model, op, T, average):
    inp, out = model.tensors[op.inputs[0]], model.tensors[op.outputs[0]]
    o = op.options
    x = T[inp.index].astype(np.int64)[0]
    H, W, C = x.shape
    oh, pt = padding(o["padding"], H, o["stride_h"], 1, o["filter_h"])
    ow, pl = padding(o["padding"], W, o["stride_w"], 1, o["filter_w"])
    lo, hi = activation_range(o["activation"], out.quantization.scale[0], out.quantization.zero_point[0])
    p, valid = _windows(x, o["filter_h"], o["filter_w"], o["stride_h"], o["stride_w"], 1, 1, pt, pl, oh, ow,
                        0 if average else -(1 << 40))
    if average:
        s = p.sum(axis=(2, 3))
        n = valid.sum(axis=(2, 3))[..., None].astype(np.int64)
        # round half away from zero with C's truncating division: (s ± n/2) / n
        num = np.where(s > 0, s + n // 2, s - n // 2)
        r = np.where(num >= 0, num // n, -((-num) // n))
    else:
        r = p.max(axis=(2, 3))
    T[out.index] = np.clip(r, lo, hi).astype(np.int8).reshape(out.shape)


def op_add(model, op, T):
    a, b, out = (model.tensors[i] for i in (op.inputs[0], op.inputs[1], op.outputs[0]))
    left_shift = 20
    sa, sb, so = a.quantization.scale[0], b.quantization.scale[0], out.quantization.scale[0]
    twice_max = float(np.float32(2) * np.float32(max(sa, sb)))       # 2 · max in float32, then double
    m1, s1 = quantize_multiplier(float(sa) / twice_max)
    m2, s2 = quantize_multiplier(float(sb) / twice_max)
    mo, so_ = quantize_multiplier(twice_max / float(np.float32(1 << left_shift) * np.float32(so)))
    xa = (T[a.index].astype(np.int64) - a.quantization.zero_point[0]) << left_shift
    xb = (T[b.index].astype(np.int64) - b.quantization.zero_point[0]) << left_shift
    ra = multiply_by_quantized_multiplier(np.broadcast_to(xa, out.shape), m1, s1)
    rb = multiply_by_quantized_multiplier(np.broadcast_to(xb, out.shape), m2, s2)
    lo, hi = activation_range(op.options["activation"], so, out.quantization.zero_point[0])
    T[out.index] = requantize(ra + rb, mo, so_, out.quantization.zero_point[0], lo, hi)


# ---- int8 softmax: fixed-point exp on Q5.26 differences, sum in Q12.19, reciprocal in Q0.31 ----
def _srdhm1(a, b):
    return int(srdhm(a, b))


def _rdpot1(x, e):
    return int(rounding_divide_by_pot(x, e))


def _sat_mul_pot(x, e):
    """SaturatingRoundingMultiplyByPOT: e > 0 a saturating left shift, e < 0 a rounding right shift."""
    if e > 0:
        thr = (1 << (31 - e)) - 1
        if x > thr:
            return INT32_MAX
        if x < -thr:
            return INT32_MIN
        return x << e
    return _rdpot1(x, -e) if e < 0 else x


def _exp_on_quarter(a):
    """exp(a) for a in [−1/4, 0), Q0.31: Taylor series around −1/8 to x⁴ with x = a + 1/8."""
    constant_term = 1895147668  # exp(−1/8) · 2^31
    one_third = 715827883  # 2^31 / 3
    x = a + (1 << 28)
    x2 = _srdhm1(x, x)
    x3 = _srdhm1(x2, x)
    x4 = _srdhm1(x2, x2)
    x4_over_4 = _sat_mul_pot(x4, -2)
    poly = _sat_mul_pot(_srdhm1(x4_over_4 + x3, one_third) + x2, -1)
    return constant_term + _srdhm1(constant_term, x + poly)


def exp_on_negative_values(a, integer_bits=5):
    """exp(a) for a ≤ 0 in Q(integer_bits).(31 − integer_bits), result Q0.31: exp of a mod 1/4 − 1/4,
    then one constant factor exp(−2^k) per set bit k of the remainder (a barrel shifter)."""
    frac = 31 - integer_bits
    quarter = 1 << (frac - 2)
    a_mod = (a & (quarter - 1)) - quarter
    result = _exp_on_quarter(_sat_mul_pot(a_mod, integer_bits))
    remainder = a_mod - a
    for k, mult in ((-2, 1672461947), (-1, 1302514674), (0, 790015084), (1, 290630308),
                    (2, 39332535), (3, 720401), (4, 242)):
        if integer_bits > k and remainder & (1 << (frac + k)):
            result = _srdhm1(result, mult)
    return INT32_MAX if a == 0 else result


def one_over_one_plus_x(a):
    """1/(1 + a) for a in [0, 1) in Q0.31: three Newton–Raphson steps on the half denominator in Q2.29."""
    s = a + INT32_MAX  # RoundingHalfSum(a, 1): (s ± 1) / 2 with C's truncating division
    half_den = (s + 1) // 2 if s >= 0 else -((-(s - 1)) // 2)
    x = 1515870810 + _srdhm1(half_den, -1010580540)  # 48/17 − 32/17 · d
    for _ in range(3):
        one_minus = (1 << 29) - _srdhm1(half_den, x)
        x = x + _sat_mul_pot(_srdhm1(x, one_minus), 2)
    return _sat_mul_pot(x, 1)


def softmax_params(beta, input_scale, integer_bits=5):
    real = min(float(beta) * float(input_scale) * (1 << (31 - integer_bits)), float((1 << 31) - 1))
    m, left_shift = quantize_multiplier(real)
    radius = math.floor(1.0 * ((1 << integer_bits) - 1) * (1 << (31 - integer_bits)) / (1 << left_shift))
    return m, left_shift, -radius


def op_softmax(model, op, T):
    inp, out = model.tensors[op.inputs[0]], model.tensors[op.outputs[0]]
    if out.quantization.zero_point[0] != -128 or out.quantization.scale[0] != 1 / 256:
        raise reader.TfliteError(f"operator {op.index}: int8 SOFTMAX output must have scale 1/256, zero point -128")
    m, ls, diff_min = softmax_params(op.options["beta"], inp.quantization.scale[0])
    x = T[inp.index].astype(np.int64)
    rows = x.reshape(-1, x.shape[-1])
    res = np.empty(rows.shape, dtype=np.int8)
    for r, row in enumerate(rows):
        mx = int(row.max())
        exps = []
        for v in row:
            d = int(v) - mx
            exps.append(exp_on_negative_values(_srdhm1(int(wrap32(d << ls)), m)) if d >= diff_min else None)
        total = sum(_rdpot1(e, 12) for e in exps if e is not None)  # Q12.19
        headroom = 32 - int(total).bit_length()  # leading zeros of the 32-bit sum
        bits_over_unit = 12 - headroom
        shifted_minus_one = int(wrap32(((total << headroom) & 0xFFFFFFFF) - (1 << 31)))
        scale = one_over_one_plus_x(shifted_minus_one)
        for c, e in enumerate(exps):
            if e is None:
                res[r, c] = -128
            else:
                u = _rdpot1(_srdhm1(scale, e), bits_over_unit + 31 - 8)
                res[r, c] = max(-128, min(127, u - 128))
    T[out.index] = res.reshape(out.shape)


def run(model, x):
    """Every tensor the model computes from the int8 input x, keyed by tensor index."""
    T = {t.index: t.data for t in model.tensors if t.data is not None}
    T[model.inputs[0]] = np.asarray(x, dtype=np.int8).reshape(model.tensors[model.inputs[0]].shape)
    for op in model.operators:
        if op.opcode == "CONV_2D":
            op_conv(model, op, T, False)
        elif op.opcode == "DEPTHWISE_CONV_2D":
            op_conv(model, op, T, True)
        elif op.opcode == "FULLY_CONNECTED":
            op_fully_connected(model, op, T)
        elif op.opcode in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
            op_pool(model, op, T, op.opcode == "AVERAGE_POOL_2D")
        elif op.opcode == "ADD":
            op_add(model, op, T)
        elif op.opcode == "RESHAPE":
            T[op.outputs[0]] = T[op.inputs[0]].reshape(model.tensors[op.outputs[0]].shape)
        elif op.opcode == "SOFTMAX":
            op_softmax(model, op, T)
        else:
            raise reader.TfliteError(f"operator {op.index}: {op.opcode} not in the int8 reference")
    return T
