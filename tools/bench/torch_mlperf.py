#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""torch_mlperf.py UGRAD_BENCH [REPETITIONS [ROUNDS]] — the MLPerf Tiny architectures in PyTorch beside ugrad.

Builds the five networks of bench/mlperf_tiny.hpp in PyTorch, layer for layer (NCHW; TFLite's SAME
padding as an explicit, possibly uneven, zero pad; random weights U(±0.1), x ~ U(±1)), and times one
sample on one thread (torch.set_num_threads(1)):
  inference               eval mode, under torch.no_grad(): the logits, then softmax (ŷ, as
                          ugrad's predict gives it; the autoencoder's ŷ is its output);
  inference, optimized    the same after torch.jit.optimize_for_inference(torch.jit.trace(model)),
                          torch's own advice for inference speed: convolutions (and the dense
                          layers, where it can) run on oneDNN instead of the eager path, whose
                          1×1 convolutions and dense layers go through the BLAS torch was linked
                          with (Debian's python3-torch: the system's libblas.so.3, by default
                          the reference BLAS unless libopenblas0 is installed);
  forward + backward      x.requires_grad_(), the loss (cross-entropy to label 0; the
                          autoencoder's ½‖ŷ − x‖², x detached as the target), loss.backward():
                          what a user writes, which also computes every weight's gradient;
  forward + dJ/dx only    the same with every parameter's requires_grad off, so autograd computes
                          dJ/dx and nothing else: the same work as ugrad's forward + input_gradient.
Each figure is the median over REPETITIONS (default 21) interleaved batches of about 2 ms. For
each network, UGRAD_BENCH (bench/mlperf_host_bench.cpp built) and the torch timing run in turn,
ROUNDS times (default 3), so both see the shared machine's load of the same minute; the table gives
the median of the rounds. The torch networks' MACs are counted from their layers' shapes and must equal
ugrad's, or this fails: the comparison is of the same network. Prints a Markdown table on stdout
(`make mlperf-host-bench` writes it into docs/mlperf-tiny.md). Run by /usr/bin/python3 (Debian's
python3-torch).
"""
import math
import os
import statistics
import subprocess
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F


def same_pad(size, kernel, stride):
    """TFLite's SAME padding of one dimension: (before, after); the odd pixel goes after."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def conv(h, w, c, filters, kernel, stride=(1, 1), same=True, relu=True, depthwise=False):
    """Conv2D (or DepthwiseConv2D) on an H×W×C input, as ugrad's layer of that name: an nn.Sequential
    of a zero pad (SAME; none for VALID), the convolution, and ReLU if fused."""
    kh, kw = kernel
    sh, sw = stride
    layers = []
    if same:
        top, bottom = same_pad(h, kh, sh)
        left, right = same_pad(w, kw, sw)
        if top or bottom or left or right:
            layers.append(nn.ZeroPad2d((left, right, top, bottom)))
    out = c if depthwise else filters
    layers.append(nn.Conv2d(c, out, kernel, stride, groups=c if depthwise else 1))
    if relu:
        layers.append(nn.ReLU())
    return nn.Sequential(*layers)


def separable(h, c, filters, stride):
    """A depthwise 3×3 (stride S) then a pointwise 1×1 to F channels, both ReLU (DepthwiseOf,
    PointwiseOf in bench/mlperf_tiny.hpp); square H×H inputs."""
    return [conv(h, h, c, c, (3, 3), (stride, stride), depthwise=True),
            conv(-(-h // stride), -(-h // stride), c, filters, (1, 1))]


class Residual(nn.Module):
    """ReLU(branch(x) + shortcut(x)); the shortcut None is the identity."""

    def __init__(self, branch, shortcut=None):
        super().__init__()
        self.branch = nn.Sequential(*branch)
        self.shortcut = shortcut

    def forward(self, x):
        s = x if self.shortcut is None else self.shortcut(x)
        return F.relu(self.branch(x) + s)


class Pool(nn.Module):
    """The global average pool, then flattened to the dense layer's input."""

    def forward(self, x):
        return x.mean(dim=(2, 3))


def keyword_spotting():
    layers = [conv(49, 10, 1, 64, (10, 4), (2, 2))]
    for _ in range(4):
        layers += [conv(25, 5, 64, 64, (3, 3), depthwise=True), conv(25, 5, 64, 64, (1, 1))]
    return nn.Sequential(*layers, Pool(), nn.Linear(64, 12)), (1, 1, 49, 10)


def image_classification():
    def down(h, c, f):
        return Residual([conv(h, h, c, f, (3, 3), (2, 2)), conv(h // 2, h // 2, f, f, (3, 3), relu=False)],
                        conv(h, h, c, f, (1, 1), (2, 2), relu=False))
    return nn.Sequential(
        conv(32, 32, 3, 16, (3, 3)),
        Residual([conv(32, 32, 16, 16, (3, 3)), conv(32, 32, 16, 16, (3, 3), relu=False)]),
        down(32, 16, 32), down(16, 32, 64),
        Pool(), nn.Linear(64, 10)), (1, 3, 32, 32)


def visual_wake_words():
    layers = [conv(96, 96, 3, 8, (3, 3), (2, 2))]
    # (input size, channels in, channels out, stride) of the thirteen separable blocks
    for h, c, f, s in [(48, 8, 16, 1), (48, 16, 32, 2), (24, 32, 32, 1), (24, 32, 64, 2), (12, 64, 64, 1),
                       (12, 64, 128, 2)] + [(6, 128, 128, 1)] * 5 + [(6, 128, 256, 2), (3, 256, 256, 1)]:
        layers += separable(h, c, f, s)
    return nn.Sequential(*layers, Pool(), nn.Linear(256, 2)), (1, 3, 96, 96)


def streaming_wake_word():
    layers, h, c = [], 30, 40
    for k, f in [(3, 128), (5, 128), (10, 128), (15, 32)]:
        layers += [conv(h, 1, c, c, (k, 1), same=False, relu=False, depthwise=True),
                   conv(h - k + 1, 1, c, f, (1, 1), same=False)]
        h, c = h - k + 1, f
    return nn.Sequential(*layers, nn.Flatten(), nn.Linear(32, 3)), (1, 40, 30, 1)


def anomaly_detection():
    sizes = [640, 128, 128, 128, 128, 8, 128, 128, 128, 128, 640]
    layers = []
    for i in range(10):
        layers.append(nn.Linear(sizes[i], sizes[i + 1]))
        if i < 9:
            layers.append(nn.ReLU())
    return nn.Sequential(*layers), (1, 640)


ARCHITECTURES = {"ad": anomaly_detection, "kws": keyword_spotting, "ic": image_classification,
                 "vww": visual_wake_words, "sww": streaming_wake_word}


def macs(model, x):
    """Multiply-accumulates of one forward pass, TFLite's count as bench/mlperf_tiny.hpp's Macs:
    every tap of every window (padding included), in/groups channels a tap; pools and sums none."""
    total = [0]

    def hook(module, _inputs, output):
        if isinstance(module, nn.Conv2d):
            kh, kw = module.kernel_size
            total[0] += output.numel() * kh * kw * (module.in_channels // module.groups)
        elif isinstance(module, nn.Linear):
            total[0] += module.in_features * module.out_features

    handles = [m.register_forward_hook(hook) for m in model.modules()]
    with torch.no_grad():
        model(x)
    for h in handles:
        h.remove()
    return total[0]


def batch(f, calls):
    """µs per call of `calls` calls of f."""
    t0 = time.perf_counter_ns()
    for _ in range(calls):
        f()
    return (time.perf_counter_ns() - t0) / 1e3 / calls


def measure(fs, reps):
    """Median µs per call of each of fs, interleaved in a rotating order, batches of about 2 ms."""
    for f in fs:
        batch(f, 2)  # warm up: allocator, oneDNN's primitive caches
    slowest = max(batch(f, 2) for f in fs)
    calls = max(1, int(2000 / max(slowest, 1e-3)))
    times = [[] for _ in fs]
    for r in range(reps):
        for k in range(len(fs)):
            i = (k + r) % len(fs)
            times[i].append(batch(fs[i], calls))
    return [statistics.median(t) for t in times]


def torch_calls(key, seed):
    """The torch network of KEY, its MACs, and the calls to time: inference, optimized inference,
    forward + loss.backward(), forward + dJ/dx alone, and the parameter toggling the last one pays."""
    torch.manual_seed(seed)
    model, shape = ARCHITECTURES[key]()
    model.eval()
    with torch.no_grad():
        for p in model.parameters():
            p.uniform_(-0.1, 0.1)
    x0 = torch.empty(shape).uniform_(-1, 1)
    count = macs(model, x0)
    autoencoder = key == "ad"
    label = torch.zeros(1, dtype=torch.long)

    def infer():
        with torch.no_grad():
            y = model(x0)
            return y if autoencoder else torch.softmax(y, 1)

    optimized = torch.jit.optimize_for_inference(torch.jit.trace(model, x0))

    def infer_optimized():
        with torch.no_grad():
            y = optimized(x0)
            return y if autoencoder else torch.softmax(y, 1)

    with torch.no_grad():
        worst = (infer_optimized() - infer()).abs().max().item()
    if not worst <= 1e-4:
        raise SystemExit(f"torch_mlperf: {key}: the optimized model's output differs from the model's by {worst}")

    x = x0.clone().requires_grad_()

    def loss_of(y):
        return 0.5 * ((y - x0) ** 2).sum() if autoencoder else F.cross_entropy(y, label)

    def backward():
        x.grad = None
        model.zero_grad(set_to_none=True)
        loss_of(model(x)).backward()
        return x.grad

    def set_frozen(frozen):
        for p in model.parameters():
            p.requires_grad_(not frozen)

    # forward + dJ/dx alone: parameters frozen while it runs, so the two backward calls can be
    # interleaved with the same model.
    def input_gradient_only():
        set_frozen(True)
        try:
            return backward()
        finally:
            set_frozen(False)

    # The toggling itself costs a loop over the parameters: measured, and taken off.
    def toggle_only():
        set_frozen(True)
        set_frozen(False)

    assert backward() is not None and input_gradient_only() is not None
    return count, [infer, infer_optimized, backward, input_gradient_only, toggle_only]


def ugrad_row(binary, reps, key):
    """One run of bench/mlperf_host_bench.cpp for KEY: (flags, name, MACs, predict µs, gradient µs)."""
    lines = subprocess.run([binary, str(reps), key], check=True, capture_output=True, text=True).stdout.splitlines()
    rows = [line.split("\t") for line in lines if line and not line.startswith("#")]
    if len(rows) != 1 or rows[0][0] != key:
        raise SystemExit(f"torch_mlperf: {binary} printed no row for {key}")
    _, name, m, predict, gradient, _ = rows[0]
    return lines[0].lstrip("# "), name, int(m), float(predict), float(gradient)


def blas():
    """Which BLAS the system's libblas.so.3 is (Debian's torch calls it for its eager dense layers)."""
    path = os.path.realpath("/usr/lib/x86_64-linux-gnu/libblas.so.3")
    for mark, name in (("openblas", "OpenBLAS"), ("blis", "BLIS"), ("atlas", "ATLAS"), ("mkl", "MKL"),
                       ("/blas/", "the reference BLAS")):
        if mark in path:
            return f"{name} ({path})"
    return path


def main():
    if not 2 <= len(sys.argv) <= 4:
        print(__doc__.strip().splitlines()[0], file=sys.stderr)
        return 2
    binary = sys.argv[1]
    reps = int(sys.argv[2]) if len(sys.argv) > 2 else 21
    rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 3
    default_threads = torch.get_num_threads()
    torch.set_num_threads(1)
    out = []
    for seed, key in enumerate(["ad", "kws", "ic", "vww", "sww"], 1):
        count, calls = torch_calls(key, seed)
        predict, gradient, torch_times = [], [], [[] for _ in calls]
        # ugrad's process and torch in turn, ROUNDS times: both see the machine's load of the moment.
        for _ in range(rounds):
            flags, name, ugrad_macs, p, g = ugrad_row(binary, reps, key)
            predict.append(p)
            gradient.append(g)
            for t, m in zip(torch_times, measure(calls, reps)):
                t.append(m)
        if count != ugrad_macs:
            print(f"torch_mlperf: {name}: torch's network has {count} MACs, ugrad's {ugrad_macs}: not the same "
                  "network", file=sys.stderr)
            return 1
        print(f"torch_mlperf: {name}: MACs ugrad {ugrad_macs}, torch {count}", file=sys.stderr)
        p, g = statistics.median(predict), statistics.median(gradient)
        t_infer, t_optimized, t_backward, t_dx, t_toggle = (statistics.median(t) for t in torch_times)
        t_dx -= t_toggle
        out.append(f"| {name} | {ugrad_macs / 1e6:.2f} M | {p:.0f} | {t_infer:.0f} | {t_infer / p:.1f}× "
                   f"| {t_optimized:.0f} | **{t_optimized / p:.1f}×** "
                   f"| {g:.0f} | {t_dx:.0f} | **{t_dx / g:.1f}×** | {t_backward:.0f} | {t_backward / g:.1f}× |")
    print(f"ugrad built with `{flags}`; PyTorch {torch.__version__} (Debian's python3-torch) with "
          f"torch.set_num_threads(1) (its default here: {default_threads}), eval mode, its BLAS {blas()}. "
          f"One sample; µs per call: for each network ugrad's program and torch ran in turn {rounds} times, "
          f"each time the median of {reps} interleaved batches of about 2 ms, and the table gives the median "
          "of those.")
    print()
    print("| architecture | MACs | ugrad `predict` µs | torch inference µs | ÷ ugrad "
          "| torch `optimize_for_inference` µs | ÷ ugrad "
          "| ugrad `forward` + `input_gradient` µs | torch forward + dJ/dx µs | ÷ ugrad "
          "| torch `loss.backward()` µs (weight gradients too) | ÷ ugrad |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
    print("\n".join(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
