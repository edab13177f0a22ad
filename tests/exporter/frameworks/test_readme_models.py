# SPDX-License-Identifier: Apache-2.0
"""docs/models.md's exporter scripts, extracted and run as written (in a scratch
directory holding links to tools/ and data/, as if it were the repository's root); each header
they write must compile into a program that runs forward on it."""
import contextlib
import io
import os
import shlex
import subprocess
import sys
import unittest
import warnings

from common_frameworks import ROOT, scratch_dir

sys.path.insert(0, os.path.join(ROOT, "tools"))
import extract_readme_example  # noqa: E402

with open(os.path.join(ROOT, "docs", "models.md")) as f:
    README = f.read().splitlines()

CXX = ["g++", "-std=c++17", "-Wall", "-Wextra", "-Wpedantic", "-Wconversion", "-Wdouble-promotion", "-Wshadow", "-Werror",
       "-ffp-contract=off", "-O1", "-I" + os.path.join(ROOT, "include")]


class ReadmeModels(unittest.TestCase):
    def run_python(self, name):
        work = scratch_dir(self, "readme_")
        for d in ("tools", "data"):
            os.symlink(os.path.join(ROOT, d), os.path.join(work, d))
        code = extract_readme_example.block(README, name, "python")
        here = os.getcwd()
        os.chdir(work)
        try:
            with warnings.catch_warnings(), contextlib.redirect_stdout(io.StringIO()) as said:
                warnings.simplefilter("ignore")
                exec(compile(code, f"docs/models.md:{name}", "exec"), {"__name__": "__main__"})
        finally:
            os.chdir(here)
        return work, said.getvalue()

    def compiles_and_runs(self, work, name):
        main = os.path.join(work, "main.cpp")
        with open(main, "w") as f:
            f.write(f'#include "{name}.hpp"\n'
                    f"int main() {{\n    decltype({name})::Activations act;\n"
                    f"    float x[decltype({name})::inputs] = {{}};\n"
                    f"    return ugrad::forward({name}, x, act) == ugrad::Status::ok ? 0 : 1;\n}}\n")
        exe = os.path.join(work, "main")
        subprocess.run(CXX + [main, "-o", exe], check=True)
        self.assertEqual(subprocess.run([exe]).returncode, 0)

    def test_sklearn_script(self):
        work, said = self.run_python("models-sklearn")
        self.assertIn("ugrad::Network<ugrad::Softmax, ugrad::Dense<64, 32, ugrad::Tanh>, ugrad::Dense<32, 16, ugrad::Tanh>, "
                      "ugrad::Dense<16, 10, ugrad::Identity>>", said)
        self.compiles_and_runs(work, "digits_mlp")

    def test_torch_script(self):
        work, _ = self.run_python("models-torch")
        self.assertTrue(os.path.exists(os.path.join(work, "my_model.h")) and os.path.exists(os.path.join(work, "my_model_c_api.cpp")))
        self.compiles_and_runs(work, "my_model")

    def test_onnx_script_and_command(self):
        work, _ = self.run_python("models-onnx")
        command = shlex.split(extract_readme_example.block(README, "models-onnx", "sh").strip())
        self.assertEqual(command[:2], ["python3", "tools/export_model.py"])
        run = subprocess.run([sys.executable] + command[1:], cwd=work, capture_output=True, text=True)
        self.assertEqual(run.returncode, 0, run.stderr)
        self.compiles_and_runs(work, "my_model")


if __name__ == "__main__":
    unittest.main()
