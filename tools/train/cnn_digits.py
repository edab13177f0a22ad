#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""cnn_digits.py — a small CNN for the bundled 8×8 digits, trained with PyTorch and exported to ugrad.

    /usr/bin/python3 tools/train/cnn_digits.py train CSV OUT_DIR
        trains the CNN below (fixed seeds, torch.use_deterministic_algorithms, one CPU thread),
        exports it with tools/export_model.py as OUT_DIR/cnn_digits.hpp (`cnn_digits`), and writes
        OUT_DIR/test.txt: for each test digit its 64 inputs (pixels/16, HWC = row-major, one
        channel), its label and torch's dJ/dx in float64 (HWC), each as a hex float.
    /usr/bin/python3 tools/train/cnn_digits.py report OUT_DIR/test.txt UGRAD.txt REPORT.md
        reads what tools/train/cnn_digits_check.cpp printed (ugrad's float prediction and dJ/dx for
        each test digit, from the exported header) and writes the report; exit status 1 when the
        test accuracy is below 98 % or a cosine is below its bound.

The split is data/README.md's: line i of the CSV is a test digit when i % 5 == 0 (360 test digits,
1437 training digits). The network (the input is one 8×8 channel):
    Conv2d(1, 8, 3, padding=1) ReLU → MaxPool2d(2) → Conv2d(8, 16, 3, padding=1) ReLU → Flatten →
    Dropout(0.3) (training only: the exported model has none) → Linear(256, 10)
trained by Adam (rate 0.01, cosine schedule over 30 epochs, batches of 32, seed 0).
padding=1 with a 3×3 kernel and stride 1 is TFLite's Same; the Flatten reads 16×4×4 in torch's CHW
order, which the exporter turns into ugrad's HWC order by reordering the Linear's rows.

torch's dJ/dx: autograd through the float64 copy of the trained module, seeded with the softmax
head's dJ/dθ formed as ugrad forms it (ŷ_j for j ≠ k, −Σ_{j≠k} ŷ_j for the label k: the value of
ŷ − onehot without the cancellation of ŷ_k − 1, which for a confident digit would leave only
rounding noise in double too).
"""
import math
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))  # tools/, for export_model

EPOCHS = 30
ACCURACY_MIN = 0.98
# ugrad's float dJ/dx against torch's float64 one, per test digit. With a normwise relative error ε
# in dJ/dx, 1 − cos ≈ ε²/2. The widest sum in the network has 257 terms (the Dense layer), whose
# rounding error is at most γ(257) ≈ 1.5e-5 of its terms' magnitudes in float (2^-24 per operation);
# ε = 1.4e-4, about ten such stages through the forward and backward walks, is 1 − cos = 1e-8. The
# componentwise bound, sample by sample, is tests/exporter/frameworks' (test_cnn_models.py); this
# check catches a wrong layout or weight order, which turns the direction by far more.
COSINE_MIN = 1 - 1e-8


def read_digits(path):
    train, test = [], []
    with open(path) as f:
        for i, line in enumerate(f):
            values = [int(v) for v in line.strip().split(",")]
            if len(values) != 65:
                raise SystemExit(f"cnn_digits: {path} line {i + 1}: {len(values)} fields, expected 65")
            (test if i % 5 == 0 else train).append(([v / 16 for v in values[:64]], values[64]))
    return train, test


def build_model(nn):
    return nn.Sequential(nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
                         nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.Flatten(), nn.Dropout(0.3),
                         nn.Linear(16 * 4 * 4, 10))


def train(csv, out_dir):
    import torch
    import torch.nn as nn
    import export_model
    torch.manual_seed(0)
    torch.use_deterministic_algorithms(True)
    torch.set_num_threads(1)
    train_set, test_set = read_digits(csv)
    X = torch.tensor([x for x, _ in train_set], dtype=torch.float32).reshape(-1, 1, 8, 8)
    Y = torch.tensor([y for _, y in train_set])
    model = build_model(nn)
    opt = torch.optim.Adam(model.parameters(), lr=0.01)
    schedule = torch.optim.lr_scheduler.CosineAnnealingLR(opt, EPOCHS)
    loss_fn = nn.CrossEntropyLoss()
    order = torch.Generator().manual_seed(1)
    for epoch in range(EPOCHS):
        perm = torch.randperm(len(X), generator=order)
        for start in range(0, len(X), 32):
            idx = perm[start:start + 32]
            opt.zero_grad()
            loss_fn(model(X[idx]), Y[idx]).backward()
            opt.step()
        schedule.step()
    model.eval()
    hpp = os.path.join(out_dir, "cnn_digits.hpp")
    written = export_model.write_header(model, "cnn_digits", hpp, head="softmax", input_shape=(1, 8, 8),
                                        note="trained by `make cnn-digits` (tools/train/cnn_digits.py): torch, fixed seeds")
    # torch's float64 dJ/dx for each test digit, on the float32 weights the header holds.
    reference = model.double()
    Xt = torch.tensor([x for x, _ in test_set], dtype=torch.float64).reshape(-1, 1, 8, 8).requires_grad_(True)
    labels = torch.tensor([y for _, y in test_set])
    theta = reference(Xt)
    p = torch.softmax(theta, dim=1).detach()
    seed = p.clone()
    rows = torch.arange(len(labels))
    seed[rows, labels] = -torch.stack([torch.cat([p[n, :labels[n]], p[n, labels[n] + 1:]]).sum() for n in rows])
    theta.backward(seed)
    dx = Xt.grad.permute(0, 2, 3, 1).reshape(len(labels), -1)  # NCHW -> HWC (C = 1: the same order)
    with open(os.path.join(out_dir, "test.txt"), "w") as f:
        f.write(f"{len(test_set)}\n")
        for n, (x, y) in enumerate(test_set):
            f.write(" ".join(float(v).hex() for v in x) + f" {y} " + " ".join(float(v).hex() for v in dx[n].tolist()) + "\n")
    torch_accuracy = float((theta.argmax(dim=1) == labels).double().mean())
    print(f"cnn_digits: trained {EPOCHS} epochs on {len(train_set)} digits; torch float64 test accuracy {torch_accuracy:.4f}; "
          f"wrote {hpp}: {written.split('<', 1)[0]}<...>")
    return 0


def cosine(a, b):
    dot = math.fsum(x * y for x, y in zip(a, b))
    na, nb = math.sqrt(math.fsum(x * x for x in a)), math.sqrt(math.fsum(y * y for y in b))
    return dot / (na * nb) if na > 0 and nb > 0 else (1.0 if na == nb else 0.0)


def report(test_txt, ugrad_txt, report_md):
    with open(test_txt) as f:
        n = int(f.readline())
        rows = [line.split() for line in f]
    with open(ugrad_txt) as f:
        lines = [line.split() for line in f if line.strip()]
    if len(rows) != n or len(lines) != n:
        print(f"cnn_digits: {ugrad_txt} has {len(lines)} lines, expected {n}", file=sys.stderr)
        return 1
    correct, cosines = 0, []
    for row, line in zip(rows, lines):
        label = int(row[64])
        torch_dx = [float.fromhex(v) for v in row[65:]]
        status, predicted = int(line[0]), int(line[1])
        ugrad_dx = [float.fromhex(v) for v in line[2:]]
        if status != 0 or len(ugrad_dx) != 64:
            print(f"cnn_digits: a call failed (status {status})", file=sys.stderr)
            return 1
        correct += predicted == label
        cosines.append(cosine(ugrad_dx, torch_dx))
    accuracy = correct / n
    mean_cos, min_cos = math.fsum(cosines) / n, min(cosines)
    text = (f"The CNN on the 8×8 digits (`make cnn-digits`: trained with torch, exported, run by ugrad in float): "
            f"Conv 3×3 ×8 Same ReLU → MaxPool 2×2 → Conv 3×3 ×16 Same ReLU → Flatten → Dense 256→10, softmax."
            "\n\n"
            f"| test digits | ugrad float accuracy | cosine of ugrad's dJ/dx with torch's float64 autograd: mean | min |\n"
            f"|---:|---:|---:|---:|\n"
            f"| {n} | {100 * accuracy:.2f} % ({correct}/{n}) | 1 − {1 - mean_cos:.1e} | 1 − {1 - min_cos:.1e} |\n")
    with open(report_md, "w") as f:
        f.write(text)
    print(f"cnn-digits: ugrad float test accuracy {100 * accuracy:.2f} % ({correct}/{n}); dJ/dx vs torch float64 "
          f"autograd: mean cosine 1 − {1 - mean_cos:.1e}, min 1 − {1 - min_cos:.1e} (bound: 1 − {1 - COSINE_MIN:.0e})")
    ok = True
    if accuracy < ACCURACY_MIN:
        print(f"cnn-digits: FAIL: accuracy below {100 * ACCURACY_MIN:.0f} %", file=sys.stderr)
        ok = False
    if min_cos < COSINE_MIN:
        print(f"cnn-digits: FAIL: a cosine below {COSINE_MIN}", file=sys.stderr)
        ok = False
    return 0 if ok else 1


def main(argv):
    if len(argv) == 4 and argv[1] == "train":
        return train(argv[2], argv[3])
    if len(argv) == 5 and argv[1] == "report":
        return report(argv[2], argv[3], argv[4])
    print(__doc__.strip().splitlines()[2].strip() + "\n" + __doc__.strip().splitlines()[7].strip(), file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
