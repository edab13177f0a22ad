#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""make_input.py WORD DIR — speak WORD with espeak-ng and turn it into the KWS model's input.

Writes, in DIR:
    espeak.wav   espeak-ng's own output (22,050 Hz)
    WORD.wav     the spoken part centred in 1 s at 16 kHz (kws_frontend.place, .resample)
    features.npz log_mel [49][40], mfcc [49][10] (float64) and codes [49][10] (the int8 input)
    input.cpp    kws_input[490] (the codes, row-major: frame by frame) and kws_word, the C++ that
                 kws_demo.cpp links in
WORD `_silence_` is no speech at all: 1 s of zeros (the front end's floor, every log energy ln 1e-6).
The input scale and zero point are the model's (data/mlperf-tiny/kws_ref_model.json).
"""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import kws_frontend as K  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]


def main(word, out):
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    if word == "_silence_":
        clip = np.zeros(K.CLIP_SAMPLES)
    else:
        # en-us voice, espeak-ng's default speed and pitch.
        subprocess.run(["espeak-ng", "-v", "en-us", "-w", str(out / "espeak.wav"), word], check=True)
        samples, rate = K.read_wav(out / "espeak.wav")
        clip = K.place(K.resample(samples, rate))
    K.write_wav(out / f"{word}.wav", clip)
    log_mel = K.log_mel(clip)
    mfcc = K.mfcc(log_mel)
    spec = json.loads((ROOT / "data" / "mlperf-tiny" / "kws_ref_model.json").read_text())["input"]
    codes = K.quantize(mfcc, spec["scale"], spec["zero_point"])
    np.savez(out / "features.npz", log_mel=log_mel, mfcc=mfcc, codes=codes, scale=spec["scale"],
             zero_point=spec["zero_point"])
    rows = ",\n".join("    " + ", ".join(str(int(v)) for v in row) for row in codes)
    (out / "input.cpp").write_text(
        "// SPDX-License-Identifier: Apache-2.0\n"
        f"// Written by examples/kws_demo/make_input.py: espeak-ng's \"{word}\", 49 frames × 10 MFCC codes.\n"
        "#include <stdint.h>\n"
        f"extern const int8_t kws_input[490] = {{\n{rows}}};\n"
        f"extern const char kws_word[] = \"{word}\";\n")


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
