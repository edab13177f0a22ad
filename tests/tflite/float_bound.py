# SPDX-License-Identifier: Apache-2.0
"""float_bound.py — a float32 model's exact outputs and a first-order bound on a float32 evaluation's error.

    y, z, e_y, e_z = float_bound.forward_with_bound(doc, x)

doc is export_model's layers document (float32 values), x one input (HWC). y and z (ŷ and the logits θ)
are computed in double (torch float64), which stands here for exact: its rounding, 2^-53 relative, is
2^29 times smaller than float32's and is left out. e_y and e_z bound |ŷ̂ − ŷ| and |θ̂ − θ| for an
evaluation in float32 arithmetic (unit roundoff u = 2^-24, no fused multiply-add) that adds each
sum's terms in any order, to first order in u (Higham, Accuracy and Stability of Numerical
Algorithms, §3.1 and §3.3):

Every rounded operation commits a local error δ_l at some intermediate tensor s_l, bounded by r_l:
- a sum of n products and a bias, s = Σ w·x + b (a convolution's or a dense layer's pre-activation;
  n counts every tap of the kernel, padded ones too — γ grows with n, so this is an upper bound):
  r = γ_{n+1}·(Σ|w|·|x| + |b|),  γ_k = k·u/(1 − k·u);
- a residual ADD s = a + c: r = u·|s|;
- an average of k taps (a sum, then a division or a product with 1/k): r = γ_{k+2}·mean(|x|);
- ReLU, ReLU6 and max pool round nothing;
- the softmax ŷ_i = exp(θ_i − m)/Σ_j exp(θ_j − m): its own subtraction θ_j − m, r = u·|θ_j − m|
  (the computed maximum m cancels exactly, softmax does not depend on it), and, relative to ŷ_i,
  2u for exp_i within 1 ULP (glibc's expf and ugrad's exp both are), 2u for the exps in the sum,
  γ_{K−1} for the sum of K terms and 2u for the division (or a reciprocal and a product).
To first order the output's error is Σ_l J_l·δ_l, J_l the Jacobian of the output with respect to s_l at
the exact point (a ReLU's derivative taken where the exact pre-activation lies: first order assumes no
pre-activation within its error of a kink), so |Δout_i| ≤ Σ_l Σ_k |J_l[i, k]|·r_l[k] (+ the softmax's
relative terms): the Jacobians are computed by autograd in float64, one backward pass per output.
Two evaluations (ugrad and TFLM) both within these bounds of the exact value differ by at most twice them.
"""
import numpy as np
import torch
import torch.nn.functional as F

U = 2.0 ** -24


def gamma(k):
    return k * U / (1 - k * U)


def _act(v, name):
    if name == "relu":
        return torch.clamp(v, min=0)
    if name == "relu6":
        return torch.clamp(v, 0, 6)
    if name == "identity":
        return v
    raise ValueError(f"no bound for activation {name}")


def _same(n, k, s):
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return total // 2, total - total // 2


def _padded(x, kh, kw, sh, sw, padding, fill=0.0):
    """x [1, C, H, W] padded as TFLite pads it (SAME: ⌊total/2⌋ before, the rest after)."""
    if padding == "valid":
        return x
    (t, b), (l, r) = _same(x.shape[2], kh, sh), _same(x.shape[3], kw, sw)
    return F.pad(x, (l, r, t, b), value=fill)


class _Walk:
    """The forward pass in float64, keeping each intermediate tensor that carries a local error."""

    def __init__(self):
        self.sites = []          # (tensor s_l with retain_grad, its local error bound r_l)

    def site(self, s, r):
        s.retain_grad()
        self.sites.append((s, r.detach()))
        return s

    def layer(self, layer, x):
        kind = layer.get("type", "dense")
        if kind == "dense":
            if x.dim() == 4:
                x = x.permute(0, 2, 3, 1).reshape(1, -1)      # HWC flattening
            w = torch.tensor(layer["w"], dtype=torch.float64)
            b = torch.tensor(layer["b"], dtype=torch.float64)
            s = x @ w + b
            r = gamma(w.shape[0] + 1) * (x.detach().abs() @ w.abs() + b.abs())
            return _act(self.site(s, r), layer["activation"])
        if kind == "residual":
            a = x
            for inner in layer["branch"]:
                a = self.layer(inner, a)
            c = x if layer["shortcut"] is None else self.layer(layer["shortcut"], x)
            s = a + c
            return _act(self.site(s, U * s.detach().abs()), layer["activation"])
        if kind == "global_average_pool":
            k = x.shape[2] * x.shape[3]
            s = x.mean(dim=(2, 3), keepdim=True)
            return _act(self.site(s, gamma(k + 2) * x.detach().abs().mean(dim=(2, 3), keepdim=True)),
                        layer["activation"])
        kh, kw = layer["kernel"] if "kernel" in layer else layer["window"]
        sh, sw = layer.get("stride", [1, 1] if "kernel" in layer else layer["window"])
        padding = layer.get("padding", "valid")
        if kind in ("conv2d", "depthwise_conv2d"):
            w = torch.tensor(layer["w"], dtype=torch.float64)
            b = torch.tensor(layer["b"], dtype=torch.float64)
            if kind == "conv2d":
                w, groups, n = w.permute(3, 2, 0, 1), 1, kh * kw * w.shape[2]     # [F][C][KH][KW]
            else:
                w, groups, n = w.permute(2, 0, 1).unsqueeze(1), w.shape[2], kh * kw   # [C][1][KH][KW]
            xp = _padded(x, kh, kw, sh, sw, padding)
            s = F.conv2d(xp, w, b, stride=(sh, sw), groups=groups)
            r = gamma(n + 1) * (F.conv2d(xp.detach().abs(), w.abs(), b.abs(), stride=(sh, sw), groups=groups))
            return _act(self.site(s, r), layer["activation"])
        if kind == "average_pool2d":
            xp = _padded(x, kh, kw, sh, sw, padding)
            ones = _padded(torch.ones_like(x), kh, kw, sh, sw, padding)
            count = F.avg_pool2d(ones, (kh, kw), (sh, sw)) * (kh * kw)
            s = F.avg_pool2d(xp, (kh, kw), (sh, sw)) * (kh * kw) / count
            r = gamma(kh * kw + 2) * F.avg_pool2d(xp.detach().abs(), (kh, kw), (sh, sw)) * (kh * kw) / count
            return _act(self.site(s, r), layer["activation"])
        if kind == "max_pool2d":
            xp = _padded(x, kh, kw, sh, sw, padding, -float("inf"))
            return _act(F.max_pool2d(xp, (kh, kw), (sh, sw)), layer["activation"])
        raise ValueError(f"no bound for layer {kind}")


def _bound(out, walk, extra=None):
    """Σ_l |J_l|·r_l for each element of the 1-D tensor out (one backward pass per element)."""
    e = np.zeros(out.shape[0])
    for i in range(out.shape[0]):
        for s, _ in walk.sites:
            s.grad = None
        out[i].backward(retain_graph=True)
        e[i] = sum(float((s.grad.abs() * r).sum()) for s, r in walk.sites if s.grad is not None)
    return e


def forward_with_bound(doc, x):
    first = doc["layers"][0]
    x = torch.tensor(np.asarray(x, dtype=np.float64))
    x = x.reshape(first["input"]).permute(2, 0, 1).unsqueeze(0) if "input" in first else x.reshape(1, -1)
    x.requires_grad_(True)
    walk = _Walk()
    for layer in doc["layers"]:
        x = walk.layer(layer, x)
    z = walk.sites[-1][0].reshape(-1)
    if doc["layers"][-1]["activation"] != "identity":
        raise ValueError("no bound for a last layer with an activation")
    ez = _bound(z, walk)
    zd = z.detach().numpy()
    if doc["output"] == "linear":
        return zd, zd, ez, ez
    if doc["output"] != "softmax":
        raise ValueError(f"no bound for head {doc['output']}")
    m = zd.max()
    walk.site(z, U * torch.tensor(np.abs(zd - m)))        # the softmax's subtraction θ_j − m
    y = torch.softmax(z, dim=0)
    yd = y.detach().numpy()
    ey = _bound(y, walk) + yd * (6 * U + gamma(len(zd) - 1))
    return yd, zd, ey, ez
