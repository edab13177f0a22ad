#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""int8_gradient_reference.py — float64 references (torch autograd) for the integer dJ/dx of an int8
`.tflite` model (include/ugrad/tflite/backward/, tools/tflite/int8_gradient_export.py).

    same_pipeline(model, x, label)   the integer pipeline's own dJ/dx in double: the masks, argmaxes
        and int8 logits of the int8 forward (tools/tflite/int8_reference.py), the exact real factors
        (s_x·s_w/s_y, 1/n, s_a/s_y) where the integers hold Q15 roundings, the head's loss on the int8
        logits in double: what the block-exponent integers approximate, rounding aside.
    dequantized(model, x, label, clamp)  dJ/dx of the dequantized network in float64: real weights
        s_w·w, real biases, the fused activations; with clamp=True each tensor also clamped to what its
        int8 codes can represent, [s(−128 − z), s(127 − z)] (and the fused activation's range), which is
        what the quantized model's tensors hold.

Both per input code (dJ/dx_real · s_x). The loss: a model ending in SOFTMAX, J = −log softmax(θ)_label
with θ the logits (label −1: the int8 model's predicted class); otherwise J = ‖ŷ − x‖²/n.
"""
import math

import numpy as np
import torch
import torch.nn.functional as F

import int8_export as X
import int8_gradient_export
import int8_reference as R

torch.set_default_dtype(torch.float64)


def _s(t):
    return float(t.quantization.scale[0])


def _z(t):
    return int(t.quantization.zero_point[0])


def _nchw(v, t):
    return v.reshape(t.shape).permute(0, 3, 1, 2)


def _nhwc(v):
    return v.permute(0, 2, 3, 1).reshape(-1)


def _pads(op, f, x):
    o = op.options
    kh = f.get("kh", o.get("filter_h"))
    kw = f.get("kw", o.get("filter_w"))
    dh, dw = o.get("dilation_h", 1), o.get("dilation_w", 1)
    th = max(0, (f["oh"] - 1) * o["stride_h"] + (kh - 1) * dh + 1 - x.shape[1])
    tw = max(0, (f["ow"] - 1) * o["stride_w"] + (kw - 1) * dw + 1 - x.shape[2])
    return (f["pl"], tw - f["pl"], f["pt"], th - f["pt"]), kh, kw


def _conv(op, f, x_t, v, w):
    """The weighted op's sum Σ v·w over its window (v NHWC flat, zero padding), NHWC flat."""
    o = op.options
    if op.opcode == "FULLY_CONNECTED":
        return w @ v
    pads, kh, kw = _pads(op, f, x_t)
    xin = F.pad(_nchw(v, x_t), pads)
    if op.opcode == "CONV_2D":
        wt = w.permute(0, 3, 1, 2)
        groups = 1
    else:
        wt = w[0].permute(2, 0, 1).unsqueeze(1)
        groups = x_t.shape[3]
    y = F.conv2d(xin, wt, stride=(o["stride_h"], o["stride_w"]), dilation=(o["dilation_h"], o["dilation_w"]),
                 groups=groups)
    return _nhwc(y)


def _pool(op, f, x_t, v, average, argmax=None):
    o = op.options
    pads, kh, kw = _pads(op, f, x_t)
    k, s = (kh, kw), (o["stride_h"], o["stride_w"])
    xin = _nchw(v, x_t)
    if average:
        total = F.avg_pool2d(F.pad(xin, pads), k, s) * (kh * kw)
        n = F.avg_pool2d(F.pad(torch.ones_like(xin), pads), k, s) * (kh * kw)
        return _nhwc(total / n)
    if argmax is not None:  # route through the recorded cells
        return v[torch.as_tensor(argmax)]
    return _nhwc(F.max_pool2d(F.pad(xin, pads, value=-math.inf), k, s))


def _argmax_cells(op, f, x_t, xq):
    """Flat input index of each output's first largest cell (the forward's scan order)."""
    o = op.options
    H, W, C = x_t.shape[1:]
    x = xq.reshape(H, W, C)
    out = np.zeros((f["oh"], f["ow"], C), dtype=np.int64)
    for oy in range(f["oh"]):
        y0 = oy * o["stride_h"] - f["pt"]
        for ox in range(f["ow"]):
            x0 = ox * o["stride_w"] - f["pl"]
            for c in range(C):
                best, at = -129, 0
                for iy in range(max(0, y0), min(H, y0 + o["filter_h"])):
                    for ix in range(max(0, x0), min(W, x0 + o["filter_w"])):
                        if x[iy, ix, c] > best:
                            best, at = x[iy, ix, c], (iy * W + ix) * C + c
                out[oy, ox, c] = at
    return out.ravel()


def _weights_real(model, op):
    w = model.tensors[op.inputs[1]]
    q = np.asarray(w.quantization.scale, dtype=np.float64)
    data = w.data.astype(np.float64)
    if op.opcode == "DEPTHWISE_CONV_2D":
        return torch.as_tensor(data * q.reshape(1, 1, 1, -1))
    shape = (-1,) + (1,) * (data.ndim - 1)
    return torch.as_tensor(data * q.reshape(shape))


def _loss(model, steps, theta_or_y, x_real, label):
    if steps[-1][0].opcode == "SOFTMAX":
        return -torch.log_softmax(theta_or_y, 0)[label]
    return ((theta_or_y - x_real) ** 2).mean()


def predicted_label(model, x):
    steps, _ = X.translate(model, "model")
    if steps[-1][0].opcode != "SOFTMAX":
        return -1
    T = R.run(model, x)
    return int(np.argmax(T[steps[-1][0].inputs[0]].ravel()))


def _rounded(values, q15):
    """The factors as the integers hold them (int8_gradient_export.factor) when q15, else exact."""
    if not q15:
        return np.asarray(values, dtype=np.float64)
    e, ms = int8_gradient_export.factor(values)
    return np.asarray(ms, dtype=np.float64) * 2.0 ** (e - 15)


def same_pipeline(model, x, label=-1, q15=False):
    """(dJ/dx per input code in double, label); q15: with the integers' Q15 factors (a diagnosis:
    what is left is the block exponents' rounding)."""
    steps, _ = X.translate(model, "model")
    T = R.run(model, x)
    tensors = model.tensors
    classifier = steps[-1][0].opcode == "SOFTMAX"
    inp, out = model.inputs[0], model.outputs[0]
    xin = torch.zeros(X._size(tensors[inp].shape), requires_grad=True)
    V = {inp: xin}
    for op, f in steps:
        if op.opcode == "SOFTMAX":
            continue
        xt, yt = tensors[op.inputs[0]], tensors[op.outputs[0]]
        v = V[op.inputs[0]]
        yq = T[yt.index].ravel().astype(np.int64)
        if op.opcode == "RESHAPE":
            V[yt.index] = v
            continue
        if op.opcode in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"):
            wq = torch.as_tensor(tensors[op.inputs[1]].data.astype(np.float64))
            acc = _conv(op, f, xt, v, wq)
            fac = torch.as_tensor(_rounded([_s(xt) * float(s) / _s(yt)
                                            for s in tensors[op.inputs[1]].quantization.scale], q15))
            n_ch = len(fac)
            y = (acc.reshape(-1, n_ch) * fac if n_ch > 1 else acc * fac[0]).reshape(-1)
            lo, hi = f["range"]
            mask = (yq > lo) & (yq < hi)
        elif op.opcode in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
            average = op.opcode == "AVERAGE_POOL_2D"
            arg = None if average else _argmax_cells(op, f, xt, T[xt.index].ravel())
            y = _pool(op, f, xt, v, average, arg)
            lo, hi = f["range"]
            mask = (yq > lo) & (yq < hi) if (lo, hi) != (-128, 127) else np.ones(yq.shape, bool)
        elif op.opcode == "ADD":
            bt = tensors[op.inputs[1]]
            fa, fb = _rounded([_s(xt) / _s(yt), _s(bt) / _s(yt)], q15)
            y = v * float(fa) + V[bt.index] * float(fb)
            lo, hi = f["range"]
            mask = (yq > lo) & (yq < hi)
        V[yt.index] = y * torch.as_tensor(mask.astype(np.float64))
    if classifier:
        lt = tensors[steps[-1][0].inputs[0]]
        codes = T[lt.index].ravel().astype(np.float64)
        if label < 0:
            label = int(np.argmax(codes))
        theta = torch.as_tensor(_s(lt) * (codes - _z(lt)))
        p = torch.softmax(theta, 0)
        seed = (p - F.one_hot(torch.tensor(label), len(codes))) * _s(lt)
        end = V[lt.index]
        direct = 0.0
    else:
        yt, xt = tensors[out], tensors[inp]
        n = X._size(yt.shape)
        d = _s(yt) * (T[out].ravel().astype(np.float64) - _z(yt)) - _s(xt) * (np.asarray(x, np.float64).ravel() - _z(xt))
        seed = torch.as_tensor(2.0 * d / n * _s(yt))
        end = V[out]
        direct = -2.0 * d / n * _s(xt)
        label = -1
    (g,) = torch.autograd.grad(end, xin, grad_outputs=seed, allow_unused=True)
    g = np.zeros(xin.shape) if g is None else g.numpy()
    return g + direct, label


def dequantized(model, x, label=-1, clamp=False, masks=None):
    """dJ/dx per input code of the dequantized float64 network (clamp: each tensor held to its int8
    range), J with the given label (−1: the int8 model's predicted class). masks, a dict, receives
    {tensor index: bool array} where the float network's clamp passes the gradient (strictly inside
    the int8 range of the tensor and its fused activation), for mask_disagreement."""
    steps, _ = X.translate(model, "model")
    tensors = model.tensors
    inp, out = model.inputs[0], model.outputs[0]
    xt0 = tensors[inp]
    if label < 0 and steps[-1][0].opcode == "SOFTMAX":
        label = predicted_label(model, x)
    x_real = torch.as_tensor(_s(xt0) * (np.asarray(x, np.float64).ravel() - _z(xt0)), dtype=torch.float64)
    x_real.requires_grad_(True)
    V = {inp: x_real}

    def act(y, op, f, yt):
        a = op.options.get("activation", "NONE")
        if masks is not None and "range" in f:
            lo, hi = f["range"]
            v = y.detach().numpy()
            masks[yt.index] = (v > _s(yt) * (lo - _z(yt))) & (v < _s(yt) * (hi - _z(yt)))
        if clamp:
            lo, hi = f["range"]
            return torch.clamp(y, _s(yt) * (lo - _z(yt)), _s(yt) * (hi - _z(yt)))
        if a == "RELU":
            return torch.relu(y)
        if a == "RELU6":
            return torch.clamp(y, 0.0, 6.0)
        if a == "RELU_N1_TO_1":
            return torch.clamp(y, -1.0, 1.0)
        return y

    for op, f in steps:
        if op.opcode == "SOFTMAX":
            continue
        xt, yt = tensors[op.inputs[0]], tensors[op.outputs[0]]
        v = V[op.inputs[0]]
        if op.opcode == "RESHAPE":
            V[yt.index] = v
            continue
        if op.opcode in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"):
            y = _conv(op, f, xt, v, _weights_real(model, op))
            if len(op.inputs) > 2 and op.inputs[2] >= 0:
                b = tensors[op.inputs[2]]
                ws = np.asarray(tensors[op.inputs[1]].quantization.scale, np.float64)
                bias = torch.as_tensor(b.data.astype(np.float64).ravel() * _s(xt) * ws)
                y = (y.reshape(-1, len(bias)) + bias).reshape(-1)
        elif op.opcode in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
            y = _pool(op, f, xt, v, op.opcode == "AVERAGE_POOL_2D")
        elif op.opcode == "ADD":
            y = v + V[op.inputs[1]]
        V[yt.index] = act(y, op, f, yt)
    if steps[-1][0].opcode == "SOFTMAX":
        J = _loss(model, steps, V[steps[-1][0].inputs[0]], None, label)
    else:
        J = _loss(model, steps, V[out], x_real, label)
    (g,) = torch.autograd.grad(J, x_real)
    return g.numpy() * _s(xt0), label


def mask_disagreement(model, x):
    """(differing, total) clamp bits of the weighted and ADD operators: the int8 forward's (its output
    code strictly inside the clamp) against the dequantized float64 network's (its real value strictly
    inside the same range), each network on its own forward."""
    steps, _ = X.translate(model, "model")
    T = R.run(model, x)
    masks = {}
    dequantized(model, x, -1, clamp=True, masks=masks)
    differing = total = 0
    for op, f in steps:
        if op.opcode in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED", "ADD"):
            lo, hi = f["range"]
            q = T[op.outputs[0]].ravel().astype(np.int64)
            mine = (q > lo) & (q < hi)
            differing += int(np.sum(mine != masks[op.outputs[0]]))
            total += mine.size
    return differing, total
