#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""test_mlperf_vs_torch.py PROGRAM — the five MLPerf Tiny architectures, ugrad against PyTorch autograd.

PROGRAM (tests/mlperf_torch/mlperf_vs_torch.cpp built) runs each architecture of bench/mlperf_tiny.hpp
with random weights in double and in float and prints every parameter, x, ŷ, J, dJ/dx and every weight
gradient. This script loads the same weights into the same architecture built in PyTorch
(tools/bench/torch_mlperf.py, NCHW) in float64, computes ŷ, J (cross-entropy to the label; the
autoencoder's ½‖ŷ − x‖²), dJ/dx and every weight gradient with autograd, and compares.

Errors are normwise: max |ugrad − torch| / max |torch| over a vector (over all weight gradients at
once for "weights"). In double both sides compute the same sums in different orders, each output
a sum of at most 4,608 products (VWW's pointwise 256 → 256 is 256 terms; the widest is ResNet-8's
3×3×64 = 576, KWS's first conv 40, the autoencoder's 640): a sum's error is at most n·u·Σ|terms|,
n·u ≤ 4608 · 1.1e-16 = 5.1e-13, carried through at most 29 layers. The assertion asks for 1e-9
normwise in double, which leaves a factor of about 70 for Σ|terms|/|sum| and the layers' growth.
The float run (weights and x the same numbers) is reported beside it, not asserted: its figures
are ugrad's float error against float64, for the docs. Prints a Markdown table. Exit 1 on failure.
"""
import os
import subprocess
import sys

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "tools", "bench"))
import torch_mlperf  # noqa: E402

DOUBLE_BOUND = 1e-9
NAMES = {"ad": "anomaly detection", "kws": "keyword spotting (DS-CNN)", "ic": "image classification (ResNet-8)",
         "vww": "visual wake words (MobileNetV1 0.25)", "sww": "streaming wake word"}


def blocks(text):
    """[(name, np.array)] in order."""
    lines = text.split("\n")
    out, i = [], 0
    while i < len(lines) and lines[i]:
        name, count = lines[i].split()
        n = int(count)
        out.append((name, np.array([float(v) for v in lines[i + 1:i + 1 + n]], dtype=np.float64)))
        i += 1 + n
    return out


def to_torch_layout(module, pname, flat, shape):
    """A parameter in ugrad's layout (HWC: conv W [KH][KW][C][F], depthwise W [KH][KW][C], dense
    W [In][Out]) as torch's tensor of `shape`."""
    if pname == "bias":
        return flat.reshape(shape)
    if isinstance(module, nn.Linear):
        out_f, in_f = shape
        return flat.reshape(in_f, out_f).T
    f, c_per_group, kh, kw = shape
    if module.groups > 1:  # depthwise: [KH][KW][C] → [C][1][KH][KW]
        return flat.reshape(kh, kw, f).transpose(2, 0, 1)[:, None, :, :]
    return flat.reshape(kh, kw, c_per_group, f).transpose(3, 2, 0, 1)


def normwise(a, b):
    a, b = np.asarray(a, dtype=np.float64).ravel(), np.asarray(b, dtype=np.float64).ravel()
    scale = np.max(np.abs(b))
    return float(np.max(np.abs(a - b)) / scale) if scale > 0 else float(np.max(np.abs(a - b)))


def check(program, key):
    run = subprocess.run([program, key], capture_output=True, text=True, check=True)
    got = blocks(run.stdout)
    params = [v for n, v in got if n == "p"]
    named = {}
    for n, v in got:
        named.setdefault(n, []).append(v)
    model, shape = torch_mlperf.ARCHITECTURES[key]()
    model = model.double().eval()
    owners = {}
    for mname, m in model.named_modules():
        for pname, p in m.named_parameters(recurse=False):
            owners[id(p)] = (m, pname)
    torch_params = list(model.parameters())
    if len(torch_params) != len(params):
        raise AssertionError(f"{key}: {len(params)} ugrad parameter arrays, torch has {len(torch_params)}")
    with torch.no_grad():
        for p, flat in zip(torch_params, params):
            m, pname = owners[id(p)]
            if flat.size != p.numel():
                raise AssertionError(f"{key}: a parameter of {p.numel()} values, ugrad's has {flat.size}")
            p.copy_(torch.from_numpy(np.ascontiguousarray(to_torch_layout(m, pname, flat, tuple(p.shape)))))
    xu = named["x"][0]
    autoencoder = key == "ad"
    if autoencoder:
        x = torch.from_numpy(xu.copy()).reshape(shape)
    else:
        _, c, h, w = shape
        x = torch.from_numpy(np.ascontiguousarray(xu.reshape(h, w, c).transpose(2, 0, 1)[None]))
    x.requires_grad_(True)
    out = model(x)
    if autoencoder:
        yhat = out
        loss = 0.5 * ((out - x.detach()) ** 2).sum()
    else:
        label = int(named["label"][0][0])
        yhat = F.softmax(out, dim=1)
        loss = F.cross_entropy(out, torch.tensor([label]))
    loss.backward()
    dx = x.grad.detach().numpy()
    dx_hwc = dx.reshape(-1) if autoencoder else dx[0].transpose(1, 2, 0).reshape(-1)
    ref_grads = [p.grad.detach().numpy() for p in torch_params]
    row = {}
    for suffix in ("_d", "_f"):
        grads = named["g" + suffix]
        g_err = max(normwise(to_torch_layout(*owners[id(p)], g, tuple(p.shape)), r)
                    for p, g, r in zip(torch_params, grads, ref_grads))
        row[suffix] = (normwise(named["yhat" + suffix][0], yhat.detach().numpy()),
                       normwise(named["J" + suffix][0], [loss.item()]),
                       normwise(named["dx" + suffix][0], dx_hwc), g_err)
    return row


def main():
    program = sys.argv[1]
    torch.set_num_threads(1)
    print("ugrad (tests/mlperf_torch/mlperf_vs_torch.cpp, g++ -O2) against PyTorch autograd in float64,")
    print("random weights U(±0.1) and x U(±1), seed 7; normwise error max|Δ| / max|torch|, every weight")
    print(f"gradient at once; in double each must be ≤ {DOUBLE_BOUND:g}:")
    print()
    print("| architecture | double: ŷ | J | dJ/dx | weight gradients | float: ŷ | J | dJ/dx | weight gradients |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    failed = []
    for key in ("ad", "kws", "ic", "vww", "sww"):
        row = check(program, key)
        cells = " | ".join(f"{e:.1e}" for e in row["_d"] + row["_f"])
        print(f"| {NAMES[key]} | {cells} |")
        if not all(e <= DOUBLE_BOUND for e in row["_d"]):
            failed.append(key)
    if failed:
        print(f"test_mlperf_vs_torch: double errors above {DOUBLE_BOUND:g} for {', '.join(failed)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
