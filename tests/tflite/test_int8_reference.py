#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The numpy int8 interpreter gives exactly TFLM's outputs (and logits) on every reference case."""
import json
import math
import unittest

import numpy as np

import common
import int8_reference as R
import reader


def hex_int8(h):
    return np.frombuffer(bytes.fromhex(h), dtype=np.int8)


class ReferenceCases(unittest.TestCase):
    def test_every_case_bit_exact(self):
        for name in common.MODELS:
            model = reader.read_file(common.DATA / f"{name}.tflite")
            ref = json.loads((common.DATA / f"{name}.json").read_text())
            for case in ref["cases"]:
                with self.subTest(model=name, seed=case["seed"]):
                    T = R.run(model, hex_int8(case["input_hex"]))
                    np.testing.assert_array_equal(T[model.outputs[0]].ravel(), hex_int8(case["output_hex"]))
                    if "logits_hex" in case:
                        np.testing.assert_array_equal(T[ref["logits"]["tensor_index"]].ravel(),
                                                      hex_int8(case["logits_hex"]))


class Primitives(unittest.TestCase):
    """Each primitive against exact rational arithmetic (Python integers and fractions)."""

    def test_quantize_multiplier_is_frexp_rounded(self):
        for real in (0.5, 0.75, 1.0, 0.0123, 3.7, 1 - 2 ** -40, 2 ** -35):
            m, s = R.quantize_multiplier(real)
            if s == 0 and m == 0:
                self.assertLess(real, 2 ** -31)
                continue
            self.assertTrue(1 << 30 <= m < 1 << 31)
            self.assertLessEqual(abs(m * 2.0 ** (s - 31) - real), 2.0 ** (s - 32))

    def test_srdhm_rounds_half_toward_plus_infinity(self):
        rng = np.random.default_rng(1)
        ties = [(-(1 << 30), 1), (1 << 30, 1), (1, -(1 << 30)), (-(3 << 28), 4), (3 << 29, 2), (-(3 << 29), 2)]
        a = np.array([t[0] for t in ties] + rng.integers(-(1 << 31), 1 << 31, 20000).tolist())
        b = np.array([t[1] for t in ties] + rng.integers(-(1 << 31), 1 << 31, 20000).tolist())
        got = R.srdhm(a, b)
        for x, y, g in zip(a.tolist(), b.tolist(), got.tolist()):
            p = x * y  # round(p / 2^31), ties toward +∞: floor(p / 2^31 + 1/2), exact in integers
            self.assertEqual(g, (p + (1 << 30)) >> 31)
        self.assertEqual(R.srdhm(-(1 << 30), 1), 0)
        self.assertEqual(int(R.srdhm(-(1 << 31), -(1 << 31))), (1 << 31) - 1)

    def test_rounding_divide_by_pot_every_small_input(self):
        x = np.arange(-4096, 4097)
        for e in range(0, 8):
            got = R.rounding_divide_by_pot(x, e)
            want = [int(math.copysign((abs(v) * 2 + (1 << e)) // (1 << (e + 1)), v)) for v in x.tolist()]
            self.assertEqual(got.tolist(), want)

    def test_exp_on_negative_values_close_to_exp(self):
        for raw in range(-(1 << 31) + 1, 1, 9_999_991):
            got = R.exp_on_negative_values(raw) / 2 ** 31
            self.assertLess(abs(got - math.exp(raw / 2 ** 26)), 2e-8 * 64)

    def test_one_over_one_plus_x_close(self):
        for raw in range(0, 1 << 31, 7_777_777):
            got = R.one_over_one_plus_x(raw) / 2 ** 31
            self.assertLess(abs(got - 1 / (1 + raw / 2 ** 31)), 1e-8 * 8)

    def test_activation_ranges(self):
        self.assertEqual(R.activation_range("RELU", 0.1, -5), (-5, 127))
        self.assertEqual(R.activation_range("RELU6", 0.05, -128), (-128, -8))
        self.assertEqual(R.activation_range("NONE", 0.05, 3), (-128, 127))


if __name__ == "__main__":
    unittest.main()
