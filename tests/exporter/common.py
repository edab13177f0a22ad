# SPDX-License-Identifier: Apache-2.0
"""What the exporter tests share: where the tools are, a scratch directory under build/, and a way
to run the exporter in-process and see its exit status and standard error."""
import contextlib
import io
import os
import shutil
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
sys.path.insert(0, os.path.join(ROOT, "tools"))
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import export_model  # noqa: E402
import random_model  # noqa: E402

BUILD = os.path.abspath(os.environ.get("UGRAD_EXPORTER_BUILD", os.path.join(ROOT, "build", "exporter")))


def scratch_dir(test, prefix: str) -> str:
    """A fresh directory under build/exporter/, removed when the test case ends."""
    os.makedirs(BUILD, exist_ok=True)
    path = tempfile.mkdtemp(prefix=prefix, dir=BUILD)
    test.addCleanup(shutil.rmtree, path, True)
    return path


def read(path: str) -> str:
    with open(path) as f:
        return f.read()


def run_exporter(args):
    """(exit status, standard error, standard output) of export_model.main(args), in-process."""
    err, out = io.StringIO(), io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(out):
        try:
            status = export_model.main(args)
        except SystemExit as e:
            status = e.code
    return status, err.getvalue(), out.getvalue()
