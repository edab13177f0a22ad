# SPDX-License-Identifier: Apache-2.0
"""float_bound.py — a float32 model's exact outputs and a first-order bound on any float32 evaluation's error.

    y, z, e_y, e_z = float_bound.forward_with_bound(doc, x)

doc is export_model's layers document (float32 values), x one input (HWC). y and z (ŷ and the logits)
are computed in double, which here stands for exact (its rounding, 2^-53 relative, is 2^29 times
smaller than float32's and is left out). e_y and e_z bound |ŷ̂ − ŷ| and |θ̂ − θ| for ANY evaluation
in float32 arithmetic (unit roundoff u = 2^-24, no fused multiply-add) that adds each sum's terms in
some order, whatever the order, to first order in u (Higham, Accuracy and Stability, §3.1):
- a sum of n products and a bias, s = Σ w·x + b, over an input known to within e:
  |ŝ − s| ≤ Σ|w|·e + γ_{n+1}·(Σ|w|·(|x| + e) + |b|),  γ_k = k·u/(1 − k·u)
  (n counts every tap of the kernel, padded ones included: γ grows with n, so this is an upper bound);
- ReLU and ReLU6 are exact and 1-Lipschitz: the error passes through unchanged;
- an average of k taps (a sum, then a division or a product with 1/k): mean(e) + γ_{k+2}·mean(|x| + e);
- a max pool: the largest e of the window;
- a residual ADD: e_a + e_b + u·(|a| + |b| + e_a + e_b);
- softmax ŷ_i = exp(θ_i − m)/Σ_j exp(θ_j − m) with exp within 1 ULP (2u relative; glibc's expf and
  ugrad's exp both are), the shift by the computed maximum exact in effect (softmax does not depend on
  it) but its subtraction rounded, the sum of K terms and the division:
  |ŷ̂_i − ŷ_i| ≤ ŷ_i·(d_i + Σ_j ŷ_j·d_j + 2u + 2u + γ_{K−1} + 2u),  d_j = e_j + u·(|θ_j − m| + e_j).
Two implementations (ugrad and TFLM) both within these bounds of the exact value differ by at most twice them.
"""
import numpy as np

U = 2.0 ** -24


def gamma(k):
    return k * U / (1 - k * U)


def _act(v, name):
    if name == "relu":
        return np.maximum(v, 0)
    if name == "relu6":
        return np.minimum(np.maximum(v, 0), 6)
    if name == "identity":
        return v
    raise ValueError(f"no bound for activation {name}")


def _pad(n, k, s, padding):
    if padding == "valid":
        return (n - k) // s + 1, 0, 0
    out = -(-n // s)
    total = max((out - 1) * s + k - n, 0)
    return out, total // 2, total - total // 2


def _windows(x, kh, kw, sh, sw, padding, fill):
    """Each tap (i, j) of the kernel: the input values it meets at every output position, [OH][OW][C]."""
    H, W, C = x.shape
    oh, ph, _ = _pad(H, kh, sh, padding)
    ow, pw, _ = _pad(W, kw, sw, padding)
    xp = np.full((H + kh + oh * sh, W + kw + ow * sw, C), fill)
    xp[ph:ph + H, pw:pw + W] = x
    for i in range(kh):
        for j in range(kw):
            yield i, j, xp[i:i + oh * sh:sh, j:j + ow * sw:sw]


def _layer(layer, x, e):
    """One layer's exact output and error bound; x, e shaped (H, W, C) for image layers, else flat."""
    kind = layer.get("type", "dense")
    if kind == "dense":
        w, b = np.array(layer["w"]), np.array(layer["b"])
        x, e = x.reshape(-1), e.reshape(-1)
        s = x @ w + b
        err = e @ np.abs(w) + gamma(w.shape[0] + 1) * ((np.abs(x) + e) @ np.abs(w) + np.abs(b))
        return _act(s, layer["activation"]), err, s
    if kind == "residual":
        a, ea = x, e
        for inner in layer["branch"]:
            a, ea, _ = _layer(inner, a, ea)
        if layer["shortcut"] is None:
            c, ec = x, e
        else:
            c, ec, _ = _layer(layer["shortcut"], x, e)
        s = a + c
        err = ea + ec + U * (np.abs(a) + np.abs(c) + ea + ec)
        return _act(s, layer["activation"]), err, s
    if kind == "global_average_pool":
        k = x.shape[0] * x.shape[1]
        s = x.mean(axis=(0, 1))[None, None, :]
        err = e.mean(axis=(0, 1))[None, None, :] + gamma(k + 2) * (np.abs(x) + e).mean(axis=(0, 1))[None, None, :]
        return _act(s, layer["activation"]), err, s
    kh, kw = layer["kernel"] if "kernel" in layer else layer["window"]
    sh, sw = layer.get("stride", [1, 1] if "kernel" in layer else layer["window"])
    padding = layer.get("padding", "valid")
    if kind in ("conv2d", "depthwise_conv2d"):
        w, b = np.array(layer["w"]), np.array(layer["b"])
        s, mag, prop = 0, 0, 0
        for (i, j, xs), (_, _, es) in zip(_windows(x, kh, kw, sh, sw, padding, 0.0),
                                          _windows(e, kh, kw, sh, sw, padding, 0.0)):
            if kind == "conv2d":
                s = s + xs @ w[i, j]
                mag = mag + (np.abs(xs) + es) @ np.abs(w[i, j])
                prop = prop + es @ np.abs(w[i, j])
            else:
                s = s + xs * w[i, j]
                mag = mag + (np.abs(xs) + es) * np.abs(w[i, j])
                prop = prop + es * np.abs(w[i, j])
        n = kh * kw * (x.shape[2] if kind == "conv2d" else 1)
        s = s + b
        err = prop + gamma(n + 1) * (mag + np.abs(b))
        return _act(s, layer["activation"]), err, s
    if kind == "average_pool2d":
        ones = np.ones(x.shape)
        tot = cnt = ee = mag = 0
        for (_, _, xs), (_, _, es), (_, _, cs) in zip(_windows(x, kh, kw, sh, sw, padding, 0.0),
                                                      _windows(e, kh, kw, sh, sw, padding, 0.0),
                                                      _windows(ones, kh, kw, sh, sw, padding, 0.0)):
            tot, cnt, ee, mag = tot + xs, cnt + cs, ee + es, mag + np.abs(xs) + es
        s = tot / cnt
        err = ee / cnt + gamma(kh * kw + 2) * mag / cnt
        return _act(s, layer["activation"]), err, s
    if kind == "max_pool2d":
        s = err = -np.inf
        for (_, _, xs), (_, _, es) in zip(_windows(x, kh, kw, sh, sw, padding, -np.inf),
                                          _windows(e, kh, kw, sh, sw, padding, 0.0)):
            s, err = np.maximum(s, xs), np.maximum(err, es)
        return _act(s, layer["activation"]), err, s
    raise ValueError(f"no bound for layer {kind}")


def forward_with_bound(doc, x):
    first = doc["layers"][0]
    shape = first.get("input")
    x = np.asarray(x, dtype=np.float64)
    x = x.reshape(shape) if shape else x
    e = np.zeros(x.shape)
    z = None
    for layer in doc["layers"]:
        x, e, z = _layer(layer, x, e)
    z, ez = z.reshape(-1), e.reshape(-1)
    if doc["output"] == "linear":
        return z, z, ez, ez
    if doc["output"] != "softmax":
        raise ValueError(f"no bound for head {doc['output']}")
    m = z.max()
    p = np.exp(z - m)
    y = p / p.sum()
    d = ez + U * (np.abs(z - m) + ez)
    ey = y * (d + y @ d + 6 * U + gamma(len(z) - 1))
    return y, z, ey, ez
