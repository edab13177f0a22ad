# SPDX-License-Identifier: Apache-2.0
"""kws_frontend.py — the MLPerf Tiny keyword-spotting model's front end in numpy: 1 s of 16 kHz audio
to the 49×10 MFCC matrix the model (data/mlperf-tiny/kws_ref_model.tflite) was trained on, and that
matrix in the model's int8 input codes.

The parameters are those of MLPerf Tiny's training code (benchmark/training/keyword_spotting,
get_dataset.py's preprocessing, TensorFlow's tf.signal ops), re-derived here from their definitions:

    audio      16,000 samples (1 s at 16 kHz), divided by its largest sample (the training code's
               peak normalization), zero-padded to 1 s
    frames     480 samples (30 ms) every 320 (20 ms): 1 + (16000 − 480) / 320 = 49 frames
    window     periodic Hann, w[n] = 0.5 − 0.5·cos(2πn/480), n = 0..479
    spectrum   |FFT| of each windowed frame zero-padded to 512: 257 magnitudes (not powers), bin k
               at f_k = k·8000/256 Hz
    mel        40 triangular bands between 20 and 4000 Hz on the HTK mel scale
               m(f) = 1127·ln(1 + f/700): 42 equally spaced mel points, band b rising from point b
               to b+1 and falling to b+2, each FFT bin weighted by where m(f_k) falls; the DC bin
               (k = 0) weighs nothing
    log        ln(mel + 1e-6)
    MFCC       DCT-II of the 40 log energies scaled by 1/sqrt(2·40) (HTK's, as tf.signal's
               mfccs_from_log_mel_spectrograms): c_j = sqrt(2/40)·Σ_b L_b·cos(π·j·(2b+1)/80),
               the first 10 (j = 0..9)
    int8       q = clamp(round(c / scale) + zero_point, −128, 127), the model's input scale and zero
               point (0.5847…, 83)

Everything is float64; the int8 codes are what the microcontroller's model reads.
"""
import wave

import numpy as np

SAMPLE_RATE = 16000
CLIP_SAMPLES = 16000
FRAME = 480
STEP = 320
FFT = 512
MEL_BANDS = 40
LOW_HZ, HIGH_HZ = 20.0, 4000.0
LOG_OFFSET = 1e-6
COEFFICIENTS = 10
FRAMES = 1 + (CLIP_SAMPLES - FRAME) // STEP  # 49


def read_wav(path):
    """(samples in [-1, 1) as float64, sample rate) of a 16-bit mono WAV file."""
    with wave.open(str(path), "rb") as w:
        assert w.getsampwidth() == 2 and w.getnchannels() == 1, f"{path}: not 16-bit mono"
        data = np.frombuffer(w.readframes(w.getnframes()), dtype="<i2")
        return data.astype(np.float64) / 32768.0, w.getframerate()


def write_wav(path, samples, rate=SAMPLE_RATE):
    """samples in [-1, 1] to a 16-bit mono WAV file."""
    codes = np.clip(np.round(samples * 32767.0), -32768, 32767).astype("<i2")
    with wave.open(str(path), "wb") as w:
        w.setnchannels(1)
        w.setsampwidth(2)
        w.setframerate(rate)
        w.writeframes(codes.tobytes())


def resample(x, rate_in, rate_out=SAMPLE_RATE):
    """Band-limited resampling through the spectrum: keep the frequencies both rates hold.
    X = rfft(x) (n_in samples); y = irfft(X[:n_out/2 + 1], n_out)·n_out/n_in."""
    if rate_in == rate_out:
        return x
    n_in = len(x)
    n_out = int(round(n_in * rate_out / rate_in))
    spectrum = np.fft.rfft(x)
    keep = np.zeros(n_out // 2 + 1, dtype=complex)
    m = min(len(keep), len(spectrum))
    keep[:m] = spectrum[:m]
    return np.fft.irfft(keep, n_out) * (n_out / n_in)


def place(x, threshold=0.02):
    """The spoken part (from the first to the last sample above threshold × the peak) centred in
    1 s, as the Speech Commands clips hold their word; cut to 1 s if longer."""
    loud = np.flatnonzero(np.abs(x) > threshold * np.max(np.abs(x)))
    x = x[loud[0]:loud[-1] + 1] if len(loud) else x
    x = x[:CLIP_SAMPLES]
    before = (CLIP_SAMPLES - len(x)) // 2
    return np.concatenate([np.zeros(before), x, np.zeros(CLIP_SAMPLES - len(x) - before)])


def hz_to_mel(f):
    return 1127.0 * np.log1p(np.asarray(f, dtype=np.float64) / 700.0)


def mel_weights():
    """[257 FFT bins][40 bands]: weight of bin k in band b (triangles on the mel scale)."""
    bins = FFT // 2 + 1
    mel_of_bin = hz_to_mel(np.linspace(0.0, SAMPLE_RATE / 2, bins))
    points = np.linspace(hz_to_mel(LOW_HZ), hz_to_mel(HIGH_HZ), MEL_BANDS + 2)
    lower, centre, upper = points[:-2], points[1:-1], points[2:]
    rising = (mel_of_bin[:, None] - lower) / (centre - lower)
    falling = (upper - mel_of_bin[:, None]) / (upper - centre)
    w = np.maximum(0.0, np.minimum(rising, falling))
    w[0, :] = 0.0  # the DC bin weighs nothing
    return w


def hann():
    """The periodic Hann window of a frame: w[n] = 0.5 − 0.5·cos(2πn/480)."""
    return 0.5 - 0.5 * np.cos(2.0 * np.pi * np.arange(FRAME) / FRAME)


def log_mel(clip):
    """[49 frames][40 bands] ln(mel + 1e-6) of a 1 s clip (peak-normalized first)."""
    assert len(clip) == CLIP_SAMPLES
    peak = np.max(clip)
    x = clip / peak if peak > 0 else clip
    frames = np.stack([x[t * STEP:t * STEP + FRAME] * hann() for t in range(FRAMES)])
    magnitude = np.abs(np.fft.rfft(frames, FFT, axis=1))
    return np.log(magnitude @ mel_weights() + LOG_OFFSET)


def mfcc(log_mels):
    """[49][10]: c_j = sqrt(2/40)·Σ_b L_b·cos(π·j·(2b+1)/80), j < 10."""
    b = np.arange(MEL_BANDS)
    j = np.arange(COEFFICIENTS)
    basis = np.cos(np.pi * j[:, None] * (2 * b[None, :] + 1) / (2 * MEL_BANDS))
    return (log_mels @ basis.T) * np.sqrt(2.0 / MEL_BANDS)


def quantize(features, scale, zero_point):
    """The model's int8 input codes: clamp(round(c / scale) + zero_point, −128, 127)."""
    return np.clip(np.round(features / scale) + zero_point, -128, 127).astype(np.int8)
