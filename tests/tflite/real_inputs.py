# SPDX-License-Identifier: Apache-2.0
"""Real inputs for the dJ/dx contract figures (test_int8_gradient.py --report), beside the reference
inputs of data/mlperf-tiny/ (uniform noise and small-spread codes, none of them real):

    speech()   the keyword-spotting model's int8 MFCC codes (49×10) of espeak-ng's en-us voice saying
               the ten keywords, through the model's front end (examples/kws_demo/kws_frontend.py)
    photos(side)  int8 RGB codes (side×side×3, code = pixel − 128, which is both image models'
               input quantization: ResNet-8 scale 1, VWW scale 1/255, zero point −128) of six square
               crops of the two photographs Debian's scikit-learn ships (sklearn/datasets/images:
               china.jpg, flower.jpg, 427×640), each area-averaged down to side×side

Each returns [(name, int8 codes flat)]."""
import json
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np

from common import DATA, ROOT

sys.path.insert(0, str(ROOT / "examples" / "kws_demo"))

KEYWORDS = ["down", "go", "left", "no", "off", "on", "right", "stop", "up", "yes"]


def speech():
    import kws_frontend as K
    spec = json.loads((DATA / "kws_ref_model.json").read_text())["input"]
    out = []
    with tempfile.TemporaryDirectory() as tmp:
        wav = Path(tmp) / "word.wav"
        for word in KEYWORDS:
            subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(wav), word], check=True)
            samples, rate = K.read_wav(wav)
            clip = K.place(K.resample(samples, rate))
            codes = K.quantize(K.mfcc(K.log_mel(clip)), spec["scale"], spec["zero_point"])
            out.append((word, np.asarray(codes, dtype=np.int8).ravel()))
    return out


def photos(side):
    from sklearn.datasets import load_sample_images
    out = []
    for name, image in zip(("china", "flower"), load_sample_images().images):
        h, w, _ = image.shape
        k = min(h, w // 2) // side  # each crop side·k pixels square: three across, overlapping
        crop = side * k
        for left in np.linspace(0, w - crop, 3).astype(int):
            top = (h - crop) // 2
            patch = image[top:top + crop, left:left + crop].astype(np.float64)
            small = patch.reshape(side, k, side, k, 3).mean(axis=(1, 3))
            codes = np.clip(np.rint(small) - 128, -128, 127).astype(np.int8)
            out.append((f"{name}@{left}", codes.ravel()))
    return out


REAL = {"kws_ref_model": ("speech", speech), "pretrainedResnet_quant": ("photos", lambda: photos(32)),
        "vww_96_int8": ("photos", lambda: photos(96))}
