#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""test_frontend.py — kws_frontend.py against definitions it does not share code with: scipy's
window and DCT-II, the triangles' partition of unity, a pure tone's band, the silent floor's codes,
exact resampling of a periodic tone. `make test-demo-kws` runs it."""
import sys
import unittest
from pathlib import Path

import numpy as np
import scipy.fft
import scipy.signal

sys.path.insert(0, str(Path(__file__).resolve().parent))
import kws_frontend as K  # noqa: E402

SCALE, ZERO = 0.584702909, 83


class Frontend(unittest.TestCase):
    def test_shapes(self):
        clip = np.random.default_rng(1).uniform(-1, 1, K.CLIP_SAMPLES)
        self.assertEqual(K.FRAMES, 49)
        self.assertEqual(K.log_mel(clip).shape, (49, 40))
        self.assertEqual(K.mfcc(K.log_mel(clip)).shape, (49, 10))

    def test_window_is_scipys_periodic_hann(self):
        np.testing.assert_allclose(K.hann(), scipy.signal.get_window("hann", K.FRAME, fftbins=True), atol=1e-15)

    def test_dct_is_scipys_type_2_over_sqrt_2n(self):
        L = np.random.default_rng(2).normal(size=(49, 40))
        want = scipy.fft.dct(L, type=2, axis=-1)[:, :10] / np.sqrt(2 * 40)
        np.testing.assert_allclose(K.mfcc(L), want, rtol=1e-12, atol=1e-12)

    def test_triangles_sum_to_one_between_the_outer_centres(self):
        w = K.mel_weights()
        mel = K.hz_to_mel(np.linspace(0, 8000, 257))
        points = np.linspace(K.hz_to_mel(20.0), K.hz_to_mel(4000.0), 42)
        inside = (mel >= points[1]) & (mel <= points[-2])
        np.testing.assert_allclose(w[inside].sum(axis=1), 1.0, atol=1e-12)
        self.assertTrue(np.all(w[mel > points[-1]] == 0) and np.all(w[0] == 0))

    def test_a_tone_lights_its_band(self):
        t = np.arange(K.CLIP_SAMPLES) / K.SAMPLE_RATE
        L = K.log_mel(0.5 * np.sin(2 * np.pi * 1000.0 * t))
        centres = K.hz_to_mel(20.0) + (np.arange(1, 41)) * (K.hz_to_mel(4000.0) - K.hz_to_mel(20.0)) / 41
        self.assertTrue(np.all(np.argmax(L, axis=1) == np.argmin(np.abs(centres - K.hz_to_mel(1000.0)))))

    def test_silence_is_the_floor(self):
        c = K.mfcc(K.log_mel(np.zeros(K.CLIP_SAMPLES)))
        np.testing.assert_allclose(c[:, 0], np.sqrt(2 / 40) * 40 * np.log(1e-6), rtol=1e-12)
        np.testing.assert_allclose(c[:, 1:], 0, atol=1e-9)
        q = K.quantize(c, SCALE, ZERO)
        self.assertTrue(np.all(q[:, 0] == -128) and np.all(q[:, 1:] == ZERO))

    def test_resampling_a_periodic_tone_is_exact(self):
        x = np.sin(2 * np.pi * 1000.0 * np.arange(22050) / 22050)
        y = K.resample(x, 22050)
        np.testing.assert_allclose(y, np.sin(2 * np.pi * 1000.0 * np.arange(16000) / 16000), atol=1e-9)

    def test_quantize_rounds_and_clamps(self):
        q = K.quantize(np.array([0.0, SCALE * 0.4, SCALE * 0.6, -SCALE * 300, SCALE * 300]), SCALE, ZERO)
        self.assertEqual(q.tolist(), [83, 83, 84, -128, 127])

    def test_place_centres_the_sound(self):
        x = np.concatenate([np.zeros(3000), np.ones(4000), np.zeros(500)])
        y = K.place(x)
        self.assertEqual(len(y), 16000)
        self.assertEqual(np.flatnonzero(y)[[0, -1]].tolist(), [6000, 9999])


if __name__ == "__main__":
    unittest.main()
