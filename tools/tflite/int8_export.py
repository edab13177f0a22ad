# SPDX-License-Identifier: Apache-2.0
"""int8_export.py — an int8 `.tflite` graph (tools/tflite/reader.py) as a C++ header of TFLite-exact
int8 kernels (include/ugrad/tflite/), its weights in flash and its activations in one planned buffer.

    text, plan = int8_export.header_text(reader.read_file("model.tflite"), "NAME", "model.tflite", note)

Accepted: one int8 input and one int8 output, batch 1; the operators CONV_2D, DEPTHWISE_CONV_2D (depth
multiplier 1), FULLY_CONNECTED, AVERAGE_POOL_2D, MAX_POOL_2D, ADD (two inputs of the same shape),
RESHAPE (no code: the output takes the input's place) and SOFTMAX (output scale 1/256, zero point
−128), with fused activations NONE, RELU, RELU6, RELU_N1_TO_1; int8 activations, symmetric int8 weights
(zero point 0, per-tensor or per output channel), int32 biases. Anything else raises Refused with one
line naming the operator and the option.

Every requantization parameter is computed here, from the float32 scales in double precision, by the
same functions as the numpy reference (tools/tflite/int8_reference.py: frexp-based quantize_multiplier,
the fused activation ranges, ADD's and SOFTMAX's parameters): what TFLM computes at Prepare.

The buffer plan: every activation tensor (the input and the output included) lives from the operator
that writes it to the last that reads it; RESHAPE's output shares its input's bytes. Tensors are
placed each at the lowest offset where it overlaps no tensor alive at the same time (first fit, in
several orders, TFLM's greedy largest-first among them, and a ping-pong placement; the smallest
buffer wins). An operator's output overlaps none of its inputs, with one exception (in_place): an
operator whose kernel can write its output over an input that no later operator reads may have its
output at that input's offset exactly (the kernel is then told, its InPlace argument):
  - a pointwise CONV_2D (1×1, stride 1; include/ugrad/tflite/pointwise_conv2d.hpp, any F and C),
  - a DEPTHWISE_CONV_2D whose windows all lie inside the image, or whose rolling ring of input rows
    holds every row an output row overwrites before a later row reads it (depthwise_conv2d.hpp:
    depthwise_in_place_fits, _depthwise_fits here),
  - an ADD, over either input (element by element; add.hpp).
Of the plans with the smallest buffer, the one with the fewest operators in place (their copies to
the stack cost instructions). The buffer's size is then the arena the header states (arena_bytes); the
largest sum over the tensors alive at one operator, less for that operator's output the bytes it may
share with one input (min of the two sizes, the largest over its in-place inputs), is a lower bound
for any plan (live_bytes_bound).
"""
import numpy as np

import int8_gradient_export
import int8_reference as R
import reader

SUPPORTED = ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "AVERAGE_POOL_2D", "MAX_POOL_2D", "ADD",
             "RESHAPE", "SOFTMAX")


class Refused(Exception):
    """An int8 `.tflite` graph this exporter does not translate (one line)."""


def _size(shape):
    return int(np.prod(shape)) if len(shape) else 1


class _Graph:
    def __init__(self, model, path):
        self.m, self.path = model, path

    def where(self, op):
        return f"{self.path}: operator {op.index} {op.opcode}"

    def t(self, i):
        return self.m.tensors[i]

    def activation_tensor(self, op, i, what):
        t = self.t(i)
        if t.data is not None:
            raise Refused(f"{self.where(op)}: {what} '{t.name}' is a constant; this exporter takes constant weights only")
        if t.dtype != "int8" or t.quantization is None or len(t.quantization.scale) != 1:
            raise Refused(f"{self.where(op)}: {what} '{t.name}' is {t.dtype}"
                          f"{'' if t.dtype != 'int8' else ' without one scale'}; the int8 path takes int8 activations with one scale")
        if t.shape and t.shape[0] != 1:
            raise Refused(f"{self.where(op)}: {what} '{t.name}' has batch {t.shape[0]}; batch 1 only")
        return t

    def weights(self, op):
        w = self.t(op.inputs[1])
        if w.dtype != "int8" or w.quantization is None:
            raise Refused(f"{self.where(op)}: weights '{w.name}' are {w.dtype}; int8 weights with a scale only")
        if any(z != 0 for z in w.quantization.zero_point):
            raise Refused(f"{self.where(op)}: weights '{w.name}' have a zero point other than 0")
        return w

    def bias(self, op, channels):
        if len(op.inputs) < 3 or op.inputs[2] < 0:
            return None
        b = self.t(op.inputs[2])
        if b.data is None or b.dtype != "int32" or _size(b.shape) != channels:
            raise Refused(f"{self.where(op)}: bias '{b.name}' is not a constant int32 vector of {channels}")
        return b.data.astype(np.int64).ravel()


def _activation_range(g, op, out):
    a = op.options.get("activation", "NONE")
    if a not in ("NONE", "RELU", "RELU6", "RELU_N1_TO_1"):
        raise Refused(f"{g.where(op)}: fused activation {a} not supported")
    return R.activation_range(a, out.quantization.scale[0], out.quantization.zero_point[0])


def _c_ints(values, per_line=16):
    values = [int(v) for v in values]
    lines = [", ".join(str(v) for v in values[i:i + per_line]) for i in range(0, len(values), per_line)]
    return "{\n    " + ",\n    ".join(lines) + "}"


def _spatial(g, op, inp, kh, kw, out):
    """(oh, pad_top, ow, pad_left), checked against the output tensor's shape."""
    o = op.options
    dh, dw = o.get("dilation_h", 1), o.get("dilation_w", 1)
    oh, pt = R.padding(o["padding"], inp.shape[1], o["stride_h"], dh, kh)
    ow, pl = R.padding(o["padding"], inp.shape[2], o["stride_w"], dw, kw)
    if tuple(out.shape[1:3]) != (oh, ow):
        raise Refused(f"{g.where(op)}: output shape {list(out.shape)} is not the {o['padding']} padding's {oh}x{ow}")
    return oh, pt, ow, pl


def translate(model, path):
    """([(kind, op, fields)], the checked graph) or Refused."""
    g = _Graph(model, path)
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        raise Refused(f"{path}: {len(model.inputs)} inputs and {len(model.outputs)} outputs; one of each only")
    for i, what in ((model.inputs[0], "the graph input"), (model.outputs[0], "the graph output")):
        t = model.tensors[i]
        if t.dtype != "int8":
            raise Refused(f"{path}: {what} '{t.name}' is {t.dtype}; this is not an int8 model")
    steps = []
    written = {model.inputs[0]}
    for op in model.operators:
        for i in op.inputs:
            if i >= 0 and model.tensors[i].data is None and i not in written:
                raise Refused(f"{g.where(op)}: reads tensor {i} '{model.tensors[i].name}', which is neither the graph "
                              f"input nor written by an earlier operator")
        if op.outputs[0] in written:
            raise Refused(f"{g.where(op)}: writes tensor {op.outputs[0]} '{model.tensors[op.outputs[0]].name}' "
                          f"a second time")
        written.add(op.outputs[0])
        if op.opcode not in SUPPORTED:
            raise Refused(f"{g.where(op)}: not supported by the int8 path "
                          f"({', '.join(SUPPORTED)})")
        out = g.activation_tensor(op, op.outputs[0], "output")
        inp = g.activation_tensor(op, op.inputs[0], "input")
        o = op.options
        if op.opcode in ("CONV_2D", "DEPTHWISE_CONV_2D"):
            w = g.weights(op)
            if op.opcode == "DEPTHWISE_CONV_2D" and o["depth_multiplier"] != 1:
                raise Refused(f"{g.where(op)}: depth_multiplier {o['depth_multiplier']} not supported (1 only)")
            kh, kw = w.shape[1], w.shape[2]
            if op.opcode == "CONV_2D":
                channels = w.shape[0]
                if w.shape[3] != inp.shape[3]:
                    raise Refused(f"{g.where(op)}: weights of {w.shape[3]} input channels over {inp.shape[3]}")
            else:
                channels = w.shape[3]
                if channels != inp.shape[3]:
                    raise Refused(f"{g.where(op)}: depthwise weights of {channels} channels over {inp.shape[3]}")
            if out.shape[3] != channels:
                raise Refused(f"{g.where(op)}: output of {out.shape[3]} channels, weights of {channels}")
            if len(w.quantization.scale) not in (1, channels):
                raise Refused(f"{g.where(op)}: {len(w.quantization.scale)} weight scales for {channels} channels")
            oh, pt, ow, pl = _spatial(g, op, inp, kh, kw, out)
            m, s = R.conv_multipliers(inp, w, out, channels)
            steps.append((op, dict(w=w, bias=g.bias(op, channels), m=m, s=s, kh=kh, kw=kw, oh=oh, ow=ow, pt=pt,
                                   pl=pl, channels=channels, range=_activation_range(g, op, out))))
        elif op.opcode == "FULLY_CONNECTED":
            w = g.weights(op)
            n_out, n_in = w.shape
            if _size(inp.shape) != n_in or _size(out.shape) != n_out:
                raise Refused(f"{g.where(op)}: weights [{n_out}, {n_in}] over input {list(inp.shape)} "
                              f"to output {list(out.shape)}; batch 1 only")
            if w.quantization.per_channel:
                m, s = R.conv_multipliers(inp, w, out, n_out)
            else:
                real = float(inp.quantization.scale[0]) * float(w.quantization.scale[0]) / float(out.quantization.scale[0])
                m, s = (np.array([v]) for v in R.quantize_multiplier(real))
            steps.append((op, dict(w=w, bias=g.bias(op, n_out), m=m, s=s, n_in=n_in, n_out=n_out,
                                   range=_activation_range(g, op, out))))
        elif op.opcode in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
            if (inp.quantization.scale, inp.quantization.zero_point) != (out.quantization.scale, out.quantization.zero_point):
                raise Refused(f"{g.where(op)}: input and output quantization differ")
            oh, pt, ow, pl = _spatial(g, op, inp, o["filter_h"], o["filter_w"], out)
            if out.shape[3] != inp.shape[3]:
                raise Refused(f"{g.where(op)}: {inp.shape[3]} channels in, {out.shape[3]} out")
            steps.append((op, dict(oh=oh, ow=ow, pt=pt, pl=pl, range=_activation_range(g, op, out))))
        elif op.opcode == "ADD":
            b = g.activation_tensor(op, op.inputs[1], "second input")
            if tuple(inp.shape) != tuple(out.shape) or tuple(b.shape) != tuple(out.shape):
                raise Refused(f"{g.where(op)}: shapes {list(inp.shape)} + {list(b.shape)} -> {list(out.shape)}; "
                              f"broadcasting not supported")
            sa, sb, so = inp.quantization.scale[0], b.quantization.scale[0], out.quantization.scale[0]
            twice_max = float(np.float32(2) * np.float32(max(sa, sb)))
            q = {}
            q["a_multiplier"], q["a_shift"] = R.quantize_multiplier(float(sa) / twice_max)
            q["b_multiplier"], q["b_shift"] = R.quantize_multiplier(float(sb) / twice_max)
            q["output_multiplier"], q["output_shift"] = R.quantize_multiplier(
                twice_max / float(np.float32(1 << 20) * np.float32(so)))
            steps.append((op, dict(q=q, b=b, range=_activation_range(g, op, out))))
        elif op.opcode == "RESHAPE":
            if _size(inp.shape) != _size(out.shape):
                raise Refused(f"{g.where(op)}: {list(inp.shape)} to {list(out.shape)} changes the size")
            if (inp.quantization.scale, inp.quantization.zero_point) != (out.quantization.scale, out.quantization.zero_point):
                raise Refused(f"{g.where(op)}: input and output quantization differ")
            steps.append((op, {}))
        elif op.opcode == "SOFTMAX":
            if out.quantization.zero_point[0] != -128 or out.quantization.scale[0] != 1 / 256:
                raise Refused(f"{g.where(op)}: output scale {out.quantization.scale[0]:g} zero point "
                              f"{out.quantization.zero_point[0]}; int8 SOFTMAX needs 1/256 and -128")
            if tuple(inp.shape) != tuple(out.shape):
                raise Refused(f"{g.where(op)}: input and output shapes differ")
            m, ls, diff_min = R.softmax_params(o["beta"], inp.quantization.scale[0])
            depth = inp.shape[-1]
            steps.append((op, dict(m=m, ls=ls, diff_min=diff_min, depth=depth, rows=_size(inp.shape) // depth)))
    if model.outputs[0] not in written:
        raise Refused(f"{path}: no operator writes the graph output '{model.tensors[model.outputs[0]].name}'")
    return steps, g


def _lifetimes(model, steps):
    """RESHAPE aliases, and {tensor: (first, last)} operator indices (the input: −1; the output lives
    to the end), and {tensor: bytes}, for every activation tensor that owns bytes."""
    alias = {}  # RESHAPE output → the tensor whose bytes it shares
    for op, _ in steps:
        if op.opcode == "RESHAPE":
            alias[op.outputs[0]] = alias.get(op.inputs[0], op.inputs[0])
    root = lambda i: alias.get(i, i)  # noqa: E731
    first, last = {root(model.inputs[0]): -1}, {}
    for k, (op, _) in enumerate(steps):
        for i in op.inputs:
            if i >= 0 and model.tensors[i].data is None:
                last[root(i)] = k
        for i in op.outputs:
            first.setdefault(root(i), k)
    last[root(model.outputs[0])] = len(steps)
    life = {i: (first[i], last.get(i, first[i])) for i in first}
    return alias, life, {i: _size(model.tensors[i].shape) for i in first}


def _depthwise_fits(h, w, oh, ow, kh, kw, sh, sw, dh, dw, pt, pl):
    """depthwise_conv2d.hpp's depthwise_in_place_fits: with y = x, every window inside the image (read
    from x, output pixel q's taps at input pixels ≥ q); or else every input row inside the image that
    output row oy ≥ 1 reads from x (its ring rows ky ≥ kept) starts at or after the oy·ow pixels written."""
    if pt == 0 and pl == 0 and (oh - 1) * sh + (kh - 1) * dh < h and (ow - 1) * sw + (kw - 1) * dw < w:
        return True
    kept = kh - sh // dh if sh % dh == 0 and sh // dh < kh else 0
    return all(not (0 <= iy < h and iy * w < oy * ow)
               for oy in range(1, oh) for ky in range(kept, kh) for iy in (oy * sh - pt + ky * dh,))


def _pointwise(op, f):
    """Whether header_text emits this CONV_2D as pointwise_conv2d (1×1, stride 1)."""
    o = op.options
    return op.opcode == "CONV_2D" and f["kh"] == f["kw"] == 1 and o["stride_h"] == o["stride_w"] == 1


def in_place(model, steps, life, alias):
    """{operator index k: [input tensor, ...]}: the inputs (roots) operator k's output may share bytes
    with, at the same offset (the module's rule: the kernel allows it and the input dies at k)."""
    root = lambda i: alias.get(i, i)  # noqa: E731
    pairs = {}
    for k, (op, f) in enumerate(steps):
        x = model.tensors[op.inputs[0]]
        if _pointwise(op, f):
            candidates = [op.inputs[0]]
        elif op.opcode == "DEPTHWISE_CONV_2D" and _depthwise_fits(
                x.shape[1], x.shape[2], f["oh"], f["ow"], f["kh"], f["kw"], op.options["stride_h"],
                op.options["stride_w"], op.options["dilation_h"], op.options["dilation_w"], f["pt"], f["pl"]):
            candidates = [op.inputs[0]]
        elif op.opcode == "ADD":
            candidates = [op.inputs[0], op.inputs[1]]
        else:
            continue
        dying = sorted({root(i) for i in candidates if life[root(i)][1] == k})
        if dying:
            pairs[k] = dying
    return pairs


def _partners(steps, pairs):
    """{tensor: {tensor it may share its offset with}} from in_place's pairs (both directions)."""
    share = {}
    for k, inputs in pairs.items():
        y = steps[k][0].outputs[0]
        for i in inputs:
            share.setdefault(i, set()).add(y)
            share.setdefault(y, set()).add(i)
    return share


def _free(i, at, offset, life, size, share):
    """Whether tensor i at offset `at` overlaps no placed tensor alive with it, but an in-place partner
    at the same offset."""
    f, l = life[i]
    for j, o in offset.items():
        if life[j][1] < f or l < life[j][0] or at + size[i] <= o or o + size[j] <= at:
            continue
        if not (j in share.get(i, ()) and o == at):
            return False
    return True


def _first_fit(order, life, size, share):
    """Each tensor in `order` at the lowest offset free for its lifetime (or at an in-place partner's)."""
    offset = {}
    for i in order:
        f, l = life[i]
        tries = {0} | {o + size[j] for j, o in offset.items() if not (life[j][1] < f or l < life[j][0])}
        tries |= {offset[j] for j in share.get(i, ()) if j in offset}
        offset[i] = min(at for at in tries if _free(i, at, offset, life, size, share))
    return offset


def _two_ended(model, steps, life, size, alias, arena, share):
    """Ping-pong in a buffer of `arena` bytes: in the order written, each tensor at its in-place
    partner's offset if free there, else at the end opposite to its operator's first input (the lowest
    or the highest free offset), or None if one does not fit."""
    side, offset = {}, {}
    order = sorted(life, key=lambda i: life[i][0])
    producer_input = {}
    for op, _ in steps:
        producer_input[op.outputs[0]] = alias.get(op.inputs[0], op.inputs[0])
    for i in order:
        f, l = life[i]
        same = [j for j in sorted(share.get(i, ())) if j in offset and _free(i, offset[j], offset, life, size, share)
                and offset[j] + size[i] <= arena]
        if same:
            offset[i], side[i] = offset[same[0]], side[same[0]]
            continue
        top = side.get(producer_input.get(i), True) is False
        busy = sorted((offset[j], offset[j] + size[j]) for j in offset if not (life[j][1] < f or l < life[j][0]))
        gaps, at = [], 0
        for lo, hi in busy:
            if lo - at >= size[i]:
                gaps.append((at, lo))
            at = max(at, hi)
        if arena - at >= size[i]:
            gaps.append((at, arena))
        if not gaps:
            return None
        offset[i] = gaps[-1][1] - size[i] if top else gaps[0][0]
        side[i] = top
    return offset


def plan(model, steps):
    """{tensor index: offset}, arena bytes, the live-bytes lower bound (the module's rule): the smallest
    of first fit in three orders (largest first, as TFLM's greedy planner; longest-lived first; in
    order written) and the ping-pong placement at the lower bound itself, each with in-place outputs
    allowed and without; of the smallest, the one with the fewest operators in place."""
    alias, life, size = _lifetimes(model, steps)
    pairs = in_place(model, steps, life, alias)
    share = _partners(steps, pairs)

    def live(k):
        shared = max((min(size[i], size[steps[k][0].outputs[0]]) for i in pairs.get(k, ())), default=0)
        return sum(size[i] for i in life if life[i][0] <= k <= life[i][1]) - shared
    bound = max(live(k) for k in range(-1, len(steps) + 1))
    candidates = []
    for allowed in (share, {}):
        candidates += [_first_fit(sorted(life, key=key), life, size, allowed) for key in
                       (lambda i: (-size[i], life[i][0]), lambda i: (life[i][0] - life[i][1], -size[i]),
                        lambda i: life[i][0])]
        ping_pong = _two_ended(model, steps, life, size, alias, bound, allowed)
        if ping_pong is not None:
            candidates.append(ping_pong)

    def in_place_count(o):
        return sum(1 for k, inputs in pairs.items() if any(o[i] == o[steps[k][0].outputs[0]] for i in inputs))
    offset = min(candidates, key=lambda o: (max(o[i] + size[i] for i in o), in_place_count(o)))
    arena = max(offset[i] + size[i] for i in offset)
    for i, r in alias.items():
        offset[i] = offset[r]
    return offset, arena, bound


def _folded_bias(g, op, f, w, input_zero_point):
    """The bias field of a weighted layer: the model's bias − input_zero_point·Σw per output channel
    (CONV_2D: w [F][KH][KW][C], DEPTHWISE_CONV_2D: [1][KH][KW][C], FULLY_CONNECTED: [Out][In]), so that
    the kernels take raw int8 codes (include/ugrad/tflite/weighted_layer.hpp)."""
    if op.opcode == "DEPTHWISE_CONV_2D":
        sums = w.reshape(-1, w.shape[-1]).sum(axis=0)
    else:
        sums = w.reshape(w.shape[0], -1).sum(axis=1)
    bias = f["bias"] if f["bias"] is not None else np.zeros(len(sums), dtype=np.int64)
    folded = bias - input_zero_point * sums
    if folded.min() < -(1 << 31) or folded.max() >= 1 << 31:
        raise Refused(f"{g.where(op)}: bias − input zero point × Σ weights leaves int32")
    return folded


def _doubled_in_range(folded, taps):
    """Whether |bias| + taps·2^14 < 2^31 − 2^9 for every channel (taps: the int8 products in one output's
    sum): then the depthwise, conv and fully connected kernels' rounding with the zero point folded in cannot wrap
    (include/ugrad/tflite/requantize_doubled.hpp)."""
    return int(np.abs(np.asarray(folded, dtype=np.int64)).max()) + taps * (1 << 14) < (1 << 31) - (1 << 9)


def _depthwise_pairs(w):
    """DepthwiseLayer's `weights`: w [1][KH][KW][C] as int16 pairs in int32 words [KH·KW][ceil(C/4)][2],
    (w[4b], w[4b + 2]) and (w[4b + 1], w[4b + 3]), low half first, channels past C zero
    (include/ugrad/tflite/depthwise_requant.hpp)."""
    taps = w.reshape(-1, w.shape[-1]).astype(np.int64)
    blocks = -(-taps.shape[1] // 4)
    padded = np.zeros((taps.shape[0], blocks * 4), dtype=np.int64)
    padded[:, :taps.shape[1]] = taps
    q = padded.reshape(taps.shape[0], blocks, 4)
    lo, hi = q[:, :, [0, 1]] & 0xFFFF, q[:, :, [2, 3]] & 0xFFFF
    words = lo | (hi << 16)
    return np.where(words >= 1 << 31, words - (1 << 32), words)


def _doubled(m, s, channels, right_shift):
    """Each channel's (M, E) as the kernels read them: with right_shift M = 2m − 2^32 (m << 1 wrapped to
    int32) and E = −s − 1, otherwise M = m and E = s (include/ugrad/tflite/requantize_doubled.hpp)."""
    m = np.broadcast_to(np.asarray(m, dtype=np.int64), (channels,))
    s = np.broadcast_to(np.asarray(s, dtype=np.int64), (channels,))
    return (2 * m - (1 << 32), -s - 1) if right_shift else (m, s)


def _depthwise_requant(folded, m, s, right_shift):
    """DepthwiseLayer's `requant`: per block of four channels (the last padded with zeros) their four
    biases, then each channel's M and E; with right_shift M = 2m − 2^32 (m << 1 wrapped to int32) and E = −s − 1, otherwise
    M = m and E = s (include/ugrad/tflite/depthwise_requant.hpp)."""
    bias = np.asarray(folded, dtype=np.int64)
    channels = len(bias)
    m, s = _doubled(m, s, channels, right_shift)
    blocks = -(-channels // 4)
    fields = np.zeros((3, blocks * 4), dtype=np.int64)
    for i, field in enumerate((bias, m, s)):
        fields[i, :channels] = field
    biases = fields[0].reshape(blocks, 4)
    pairs = np.stack([fields[1], fields[2]], axis=1).reshape(blocks, 8)  # M, E of each channel in turn
    return np.concatenate([biases, pairs], axis=1)


def _minus_zero_point(t):
    z = int(t.quantization.zero_point[0])
    return f"(q − {z})" if z > 0 else f"(q + {-z})" if z < 0 else "q"


def _shape_comment(t):
    return "x".join(str(d) for d in t.shape)


def header_text(model, name, source, note=""):
    """(the header's text, {"arena": bytes, "bound": bytes, "flash": bytes of constants})."""
    steps, g = translate(model, source)
    offset, arena, bound = plan(model, steps)
    T = model.tensors
    inp, out = T[model.inputs[0]], T[model.outputs[0]]
    ns = f"{name}_data"
    consts, calls = [], []
    flash = 0

    def const(ctype, cname, values):
        nonlocal flash
        values = np.asarray(values).ravel()
        flash += values.size * (1 if ctype == "int8_t" else 4)
        consts.append(f"inline constexpr {ctype} {cname}[{values.size}] = {_c_ints(values)};")
        return f"{ns}::{cname}"

    def at(i):
        return f"arena + {offset[i]}"

    for op, f in steps:
        x, y = T[op.inputs[0]], T[op.outputs[0]]
        tag = f"op{op.index}"
        head = f"        // {op.index} {op.opcode} {_shape_comment(x)} -> {_shape_comment(y)}"
        if op.opcode in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"):
            wq = f["w"].data.astype(np.int64)
            if op.opcode == "DEPTHWISE_CONV_2D":
                w = const("int32_t", f"{tag}_weights", _depthwise_pairs(wq))
            else:
                w = const("int8_t", f"{tag}_weights", wq)
            folded = _folded_bias(g, op, f, wq, int(x.quantization.zero_point[0]))
            lo, hi = f["range"]
            right_shift = max(int(v) for v in f["s"]) < 0  # every shift < 0
            if op.opcode == "DEPTHWISE_CONV_2D":
                right_shift = right_shift and _doubled_in_range(folded, f["kh"] * f["kw"])
                rq = const("int32_t", f"{tag}_requant", _depthwise_requant(folded, f["m"], f["s"], right_shift))
                params = (f"ugrad::tflite::DepthwiseLayer{{{w}, {rq}, {x.quantization.zero_point[0]}, "
                          f"{y.quantization.zero_point[0]}, {lo}, {hi}}}")
            else:
                # requantize_doubled.hpp's form too: the products in one output's sum (a filter's, a row's)
                right_shift = right_shift and _doubled_in_range(folded, int(wq[0].size))
                b = const("int32_t", f"{tag}_bias", folded)
                dm, ds = _doubled(f["m"], f["s"], len(f["m"]), right_shift)  # WeightedLayer's multiplier, shift
                m = const("int32_t", f"{tag}_multiplier", dm)
                s = const("int32_t", f"{tag}_shift", ds)
                params = (f"ugrad::tflite::WeightedLayer{{{w}, {b}, {m}, {s}, {x.quantization.zero_point[0]}, "
                          f"{y.quantization.zero_point[0]}, {lo}, {hi}}}")
            o = op.options
            if _pointwise(op, f):
                targs = [x.shape[1] * x.shape[2], x.shape[3], f["channels"]]  # no padding: 1x1, stride 1
                fn = "pointwise_conv2d"
            elif op.opcode == "CONV_2D":
                targs = [x.shape[1], x.shape[2], x.shape[3], f["oh"], f["ow"], f["channels"], f["kh"], f["kw"],
                         o["stride_h"], o["stride_w"], o["dilation_h"], o["dilation_w"], f["pt"], f["pl"]]
                fn = "conv2d"
            elif op.opcode == "DEPTHWISE_CONV_2D":
                targs = [x.shape[1], x.shape[2], x.shape[3], f["oh"], f["ow"], f["kh"], f["kw"],
                         o["stride_h"], o["stride_w"], o["dilation_h"], o["dilation_w"], f["pt"], f["pl"]]
                fn = "depthwise_conv2d"
            else:
                targs = [f["n_in"], f["n_out"], "true" if len(f["m"]) > 1 else "false"]
                fn = "fully_connected"
            targs.append("true" if right_shift else "false")  # RightShift: every shift < 0 and in range
            targs.append("true" if (int(lo), int(hi)) == (-128, 127) else "false")  # FullRange: the clamp is int8's
            if fn in ("pointwise_conv2d", "depthwise_conv2d"):  # InPlace: the output over the input (plan)
                targs.append("true" if offset[x.index] == offset[y.index] else "false")
            calls.append(f"{head}\n        ugrad::tflite::{fn}<{', '.join(map(str, targs))}>({at(x.index)}, {params}, {at(y.index)});")
        elif op.opcode in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
            o = op.options
            lo, hi = f["range"]
            targs = [x.shape[1], x.shape[2], x.shape[3], f["oh"], f["ow"], o["filter_h"], o["filter_w"],
                     o["stride_h"], o["stride_w"], f["pt"], f["pl"]]
            fn = "average_pool2d" if op.opcode == "AVERAGE_POOL_2D" else "max_pool2d"
            calls.append(f"{head}\n        ugrad::tflite::{fn}<{', '.join(map(str, targs))}>({at(x.index)}, "
                         f"ugrad::tflite::PoolActivation{{{lo}, {hi}}}, {at(y.index)});")
        elif op.opcode == "ADD":
            q, b = f["q"], f["b"]
            lo, hi = f["range"]
            fields = [x.quantization.zero_point[0], q["a_multiplier"], q["a_shift"],
                      b.quantization.zero_point[0], q["b_multiplier"], q["b_shift"],
                      y.quantization.zero_point[0], q["output_multiplier"], q["output_shift"], lo, hi]
            calls.append(f"{head}\n        ugrad::tflite::add<{_size(y.shape)}>({at(x.index)}, {at(b.index)}, "
                         f"ugrad::tflite::AddQuantization{{{', '.join(map(str, fields))}}}, {at(y.index)});")
        elif op.opcode == "RESHAPE":
            calls.append(f"{head}: no code (the output is the input's bytes)")
        elif op.opcode == "SOFTMAX":
            calls.append(f"{head}\n        ugrad::tflite::softmax<{f['rows']}, {f['depth']}>({at(x.index)}, "
                         f"ugrad::tflite::SoftmaxQuantization{{{f['m']}, {f['ls']}, {f['diff_min']}}}, {at(y.index)});")
    macs = sum(reader.macs(model, op) for op, _ in steps)
    gradient = int8_gradient_export.extension(model, steps, offset, arena, name, calls)  # dJ/dx members

    def f32(v):
        return f"{float(np.float32(v)).hex()}f"  # exact float32 as a hex literal
    note_line = f"// {note}\n" if note else ""
    text = f"""// SPDX-License-Identifier: Apache-2.0
// {name}: written by tools/export_model.py from {source} (int8, TFLite's integer kernels bit for bit).
{note_line}// Input  {_shape_comment(inp)} int8, real = {float(inp.quantization.scale[0]):.9g}·{_minus_zero_point(inp)}
// Output {_shape_comment(out)} int8, real = {float(out.quantization.scale[0]):.9g}·{_minus_zero_point(out)}
// {len(steps)} operators, {macs} MACs; constants {flash} B (flash); activations in one buffer of
// {arena} B (the largest sum of tensors alive at one operator: {bound} B).
//
// Each CONV_2D and FULLY_CONNECTED's `_bias` array (DEPTHWISE_CONV_2D's: the biases in its `_requant`
// table, with the multipliers and shifts in the kernel's form: include/ugrad/tflite/depthwise_requant.hpp)
// holds the model's bias minus the input zero point times the sum of that output channel's weights (the
// kernels multiply raw int8 codes: include/ugrad/tflite/weighted_layer.hpp); the model's bias is that
// plus input_zero_point·Σw.
//
//     alignas(4) int8_t arena[{name}.arena_bytes];
//     int8_t* x = {name}.input(arena);   // write the quantized input here
//     {name}.forward(arena);
//     const int8_t* y = {name}.output(arena);
#pragma once

#include <stddef.h>
#include <stdint.h>

#include <ugrad/tflite/backward/backward.hpp>
#include <ugrad/tflite/own_head.hpp>
#include <ugrad/tflite/tflite.hpp>

namespace {ns} {{
{chr(10).join(consts)}
}}  // namespace {ns}
{gradient["consts"]}

struct {name}_network {{
    static constexpr size_t arena_bytes = {arena};
    static constexpr size_t input_size = {_size(inp.shape)};
    static constexpr size_t output_size = {_size(out.shape)};
    static constexpr size_t input_offset = {offset[inp.index]};
    static constexpr size_t output_offset = {offset[out.index]};
    static constexpr float input_scale = {f32(inp.quantization.scale[0])};
    static constexpr int32_t input_zero_point = {inp.quantization.zero_point[0]};
    static constexpr float output_scale = {f32(out.quantization.scale[0])};
    static constexpr int32_t output_zero_point = {out.quantization.zero_point[0]};
    static constexpr unsigned long long macs = {macs}ull;
    static constexpr size_t constant_bytes = {flash};  // weights, biases, multipliers, shifts

    int8_t* input(int8_t* arena) const noexcept {{ return arena + input_offset; }}
    const int8_t* output(const int8_t* arena) const noexcept {{ return arena + output_offset; }}

    // The int8 input at input(arena) to the int8 output at output(arena); arena_bytes of scratch.
    void forward(int8_t* arena) const noexcept {{
{chr(10).join(calls)}
    }}
{gradient["members"]}}};

inline constexpr {name}_network {name}{{}};
"""
    return text, {"arena": arena, "bound": bound, "flash": flash, "macs": macs,
                  "tape": gradient["tape_bytes"], "gradient_words": gradient["gradient_words"]}

