# SPDX-License-Identifier: Apache-2.0
"""How far an exported convolutional Network's ŷ and dJ/dx may be from the exact ones: error_bound.py's
first-order analysis, one layer kind further, evaluated in float64 with torch's operators (NCHW
inside; the exported model's HWC order at the Dense layers and at x).

The model of the arithmetic is error_bound.py's (fl(a ∘ b) = (a ∘ b)(1 + δ) + η', |δ| <= u; a sum of
n terms in any order errs by at most γ(n)·Σ|terms|). Per layer kind, with A the layer's linear map
(a convolution, a depthwise convolution, a Dense layer, an average pool) and |A| the same map with
|weights|, x the input, ex its error bound:
  forward   r = A x + b:   er = γ(n + 1)·(|A| |x| + |b|) + |A| ex + n·η
            (n: the terms of one output, KH·KW·C for a convolution, KH·KW for a depthwise one or a
            pool, In for Dense; a pool's division is one more rounding: γ(n + 2))
            max pool: r = max of the taps, er = the largest ex among them (max is 1-Lipschitz)
  activation as error_bound.py (ReLU: 1-Lipschitz, its slope in doubt where |r| <= er; ReLU6 the
            same at 0 and at 6)
  backward  dr = d ⊙ act′: e_dr = e_d·|s| + |d|·es + u·|dr| + 2η;  dx = Aᵀ dr:
            e_dx = γ(m)·|A|ᵀ|dr| + |A|ᵀ e_dr + 2m·η   (m: the terms of one dx, KH·KW·F, KH·KW or Out;
            γ(m + 2) for a pool)
            max pool: dx routes dr to the largest tap; e_dx routes e_dr and adds γ(m)·|dr| where
            windows overlap, and where a window's largest tap is in doubt (another tap within the
            two error bounds of it) |dr| + e_dr goes to every tap that may be the largest.
The head is error_bound.head_bound's. bound(...) returns the bounds of ŷ [N, Out] and dJ/dx [N, In]
(HWC order), and ŷ itself.
"""
import torch
import torch.nn.functional as F

import error_bound

FLOAT = dict(u=2.0 ** -24, eta=2.0 ** -150, math_ulps=2.0, sigmoid_ulps=4.0, tanh_ulps=4.0)  # tests/error_bound.hpp


def pads(layer):
    """(left, right, top, bottom) of TFLite's padding for an image layer."""
    if layer["padding"] == "valid":
        return (0, 0, 0, 0)
    out = []
    for n, k, s in zip(layer["input"][:2], layer["kernel"], layer["stride"]):
        o = -(-n // s)
        total = max((o - 1) * s + k - n, 0)
        out.append((total // 2, total - total // 2))
    (top, bottom), (left, right) = out
    return (left, right, top, bottom)


def hwc_flat(z):
    return z.permute(0, 2, 3, 1).reshape(z.shape[0], -1) if z.dim() == 4 else z


def operators(layer):
    """(A, |A|, n, m, b) of a linear layer: maps of a float64 tensor (NCHW for image layers)."""
    kind = layer.get("type", "dense")
    if kind == "dense":
        W = torch.tensor(layer["w"], dtype=torch.float64)
        return (lambda z: hwc_flat(z) @ W), (lambda z: hwc_flat(z) @ W.abs()), W.shape[0], W.shape[1], \
            torch.tensor(layer["b"], dtype=torch.float64)
    H, W_, C = layer["input"]
    kh, kw = layer["kernel"]
    stride = tuple(layer["stride"])
    p = pads(layer)
    if kind in ("conv2d", "depthwise_conv2d"):
        w = torch.tensor(layer["w"], dtype=torch.float64)
        if kind == "conv2d":
            w4, groups, n, m = w.permute(3, 2, 0, 1), 1, kh * kw * C, kh * kw * w.shape[3]
        else:
            w4, groups, n, m = w.permute(2, 0, 1).unsqueeze(1), C, kh * kw, kh * kw
        b = torch.tensor(layer["b"], dtype=torch.float64).reshape(1, -1, 1, 1)
        return (lambda z: F.conv2d(F.pad(z, p), w4, stride=stride, groups=groups)), \
            (lambda z: F.conv2d(F.pad(z, p), w4.abs(), stride=stride, groups=groups)), n, m, b
    # average pools: the sum of the taps inside, over their count
    ones = torch.ones(1, 1, H, W_, dtype=torch.float64)
    count = F.avg_pool2d(F.pad(ones, p), (kh, kw), stride, divisor_override=1)

    def average(z):
        return F.avg_pool2d(F.pad(z, p), (kh, kw), stride, divisor_override=1) / count
    return average, average, kh * kw + 1, kh * kw + 1, torch.zeros(1, dtype=torch.float64)


def transpose(op, at, v):
    """Aᵀ v for a linear map op, by autograd at the point `at` (any point: op is linear)."""
    z = at.detach().clone().requires_grad_(True)
    (g,) = torch.autograd.grad(op(z), z, v)
    return g


def activation(act, r, er, c):
    u, eta = c["u"], c["eta"]
    if act == "identity":
        return r, er, torch.ones_like(r), torch.zeros_like(r)
    if act == "relu":
        return r.clamp(min=0), er, (r > 0).double(), (r.abs() <= er).double()
    if act == "relu6":
        return r.clamp(0, 6), er, ((r > 0) & (r < 6)).double(), ((r.abs() <= er) | ((r - 6).abs() <= er)).double()
    if act == "sigmoid":
        y = torch.sigmoid(r)
        s = y * torch.sigmoid(-r)
        return y, s * er + c["sigmoid_ulps"] * (u * y + 2 * eta), s, s * er + (2 * c["sigmoid_ulps"] + 1) * (u * s + 2 * eta)
    if act == "tanh":
        y = torch.tanh(r)
        s = (1 - y) * (1 + y)
        ey = s * er + c["tanh_ulps"] * u * y.abs() + 2 * eta
        return y, ey, s, 2 * y.abs() * ey + 3 * u * s + 2 * eta
    raise ValueError(act)


def max_windows(layer, z, fill):
    """The windows of a max pool over z [N, C, H, W]: [N, C, K, L] (K taps, L windows)."""
    kh, kw = layer["kernel"]
    n, c = z.shape[:2]
    cols = F.unfold(F.pad(z, pads(layer), value=fill), (kh, kw), stride=tuple(layer["stride"]))
    return cols.reshape(n, c, kh * kw, -1)


def fold_windows(layer, cols):
    """The transpose of max_windows: [N, C, K, L] summed back onto [N, C, H, W]."""
    H, W, C = layer["input"]
    left, right, top, bottom = pads(layer)
    n = cols.shape[0]
    z = F.fold(cols.reshape(n, C * cols.shape[2], -1), (H + top + bottom, W + left + right), tuple(layer["kernel"]),
               stride=tuple(layer["stride"]))
    return z[:, :, top:top + H, left:left + W]


def bound(model, X_hwc, labels, c):
    """(ŷ, bound of ŷ, bound of dJ/dx [N, In] in HWC order) of the exported model (export_model's
    validated dict, softmax or logistic head) at the float32-exact inputs X_hwc [N, In]."""
    u, eta = c["u"], c["eta"]

    def gamma(k):
        return k * u / (1 - k * u)
    first = model["layers"][0]
    N = X_hwc.shape[0]
    x = torch.tensor(X_hwc, dtype=torch.float64)
    if "type" in first:
        H, W, C = first["input"]
        x = x.reshape(N, H, W, C).permute(0, 3, 1, 2)
    ex = torch.zeros_like(x)
    kept = []
    for layer in model["layers"]:
        if layer.get("type") == "max_pool2d":
            taps = max_windows(layer, x, float("-inf"))
            etaps = max_windows(layer, ex, 0.0)
            top, _ = taps.max(dim=2)
            oh, ow, _ = layer["output"]
            r = top.reshape(N, -1, oh, ow)
            er = etaps.max(dim=2).values.reshape(N, -1, oh, ow)
            # taps that may be the largest: within their error and the window's largest error of the top
            doubt = (taps + etaps >= top.unsqueeze(2) - etaps.max(dim=2, keepdim=True).values) & torch.isfinite(taps)
            kept.append(("max", layer, x, doubt))
        else:
            A, Aabs, n, m, b = operators(layer)
            r = A(x) + b
            er = gamma(n + 1) * (Aabs(x.abs()) + b.abs()) + Aabs(ex) + n * eta
            kept.append(("linear", layer, x, (A, Aabs, m)))
        y, ey, s, es = activation(layer["activation"], r, er, c)
        kept[-1] = kept[-1] + (s, es)
        x, ex = y, ey
    theta, etheta = hwc_flat(x).numpy(), hwc_flat(ex).numpy()
    y_hat, e_y_hat, _, d, e_d = error_bound.head_bound(theta, etheta, model["output"], labels=labels, **c)
    d, e_d = torch.tensor(d).reshape(x.shape), torch.tensor(e_d).reshape(x.shape)
    for kind, layer, x_in, extra, s, es in reversed(kept):
        dr = d * s
        e_dr = e_d * s.abs() + d.abs() * es + u * dr.abs() + 2 * eta
        if kind == "linear":
            A, Aabs, m = extra
            d = transpose(A, x_in, dr)
            e_d = gamma(m) * transpose(Aabs, x_in, dr.abs()) + transpose(Aabs, x_in, e_dr) + 2 * m * eta
        else:
            doubt = extra
            taps = max_windows(layer, x_in, float("-inf"))
            first_top = torch.zeros_like(taps).scatter_(2, taps.argmax(dim=2, keepdim=True), 1.0)
            flat = dr.reshape(N, dr.shape[1], 1, -1)
            eflat = e_dr.reshape(N, dr.shape[1], 1, -1)
            d = fold_windows(layer, first_top * flat)
            kh, kw = layer["kernel"]
            overlap = gamma(kh * kw) if tuple(layer["stride"]) != tuple(layer["kernel"]) else 0.0
            uncertain = doubt.double() * (doubt.sum(dim=2, keepdim=True) > 1).double()
            e_d = fold_windows(layer, first_top * (eflat + overlap * flat.abs()) + uncertain * (flat.abs() + eflat))
    dx_bound = hwc_flat(e_d) if e_d.dim() == 4 else e_d
    return y_hat, e_y_hat, dx_bound.numpy()
