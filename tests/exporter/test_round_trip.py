# SPDX-License-Identifier: Apache-2.0
"""JSON -> header -> compiled: the exported model holds exactly the float32 values of the JSON's
numbers and computes bit for bit what a model read from the same text with strtof computes."""
import json
import os
import shutil
import subprocess
import unittest

from common import ROOT, random_model, run_exporter, scratch_dir

CXXFLAGS = ["-std=c++17", "-Wall", "-Wextra", "-Wpedantic", "-Wconversion", "-Wdouble-promotion", "-Wshadow",
            "-Werror", "-ffp-contract=off", "-O1", "-I" + os.path.join(ROOT, "include"), "-I" + os.path.join(ROOT, "tests")]
COMPILERS = [c for c in ("g++", "clang++") if shutil.which(c)]


def tokens_file(json_text: str, path: str) -> None:
    """The JSON's numbers exactly as written, for strtof: 'In Hidden Out' then w1, b1, w2, b2."""
    doc = json.loads(json_text, parse_float=str, parse_int=str)
    w1, b1, w2, b2 = doc["w1"], doc["b1"], doc["w2"], doc["b2"]
    values = [v for row in w1 for v in row] + b1 + [v for row in w2 for v in row] + b2
    with open(path, "w") as f:
        f.write(f"{len(w1)} {len(b1)} {len(b2)}\n" + "\n".join(values) + "\n")


class RoundTrip(unittest.TestCase):
    def round_trip(self, seed, n_in, hidden, out):
        work = scratch_dir(self, f"round_trip_{n_in}_{hidden}_{out}_")
        text = random_model.model(seed, n_in, hidden, out)
        json_path, hpp, tokens = (os.path.join(work, n) for n in ("model.json", "exported.hpp", "tokens.txt"))
        with open(json_path, "w") as f:
            f.write(text)
        tokens_file(text, tokens)
        status, err, _ = run_exporter([json_path, "--name", "exported", "--out", hpp])
        self.assertEqual(status, 0, err)
        self.assertTrue(COMPILERS, "no C++ compiler")
        for cxx in COMPILERS:
            exe = os.path.join(work, "round_trip_" + cxx.replace("+", "x"))
            subprocess.run([cxx, *CXXFLAGS, f'-DMODEL_HEADER="{hpp}"', os.path.join(ROOT, "tests", "exporter", "round_trip.cpp"),
                            "-o", exe], check=True)
            run = subprocess.run([exe, tokens], capture_output=True, text=True)
            self.assertEqual(run.returncode, 0, f"{cxx}: {run.stdout}{run.stderr}")
            self.assertIn("bit-identical", run.stdout)

    def test_smallest_model(self):
        self.round_trip(1, 1, 1, 1)

    def test_small_model(self):
        self.round_trip(2, 3, 5, 2)

    def test_digits_sized_model(self):
        self.round_trip(3, 64, 32, 10)


if __name__ == "__main__":
    unittest.main()
