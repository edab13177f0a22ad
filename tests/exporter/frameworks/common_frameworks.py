# SPDX-License-Identifier: Apache-2.0
"""What the framework tests share: the exporter, its scratch directory (tests/exporter/common.py),
and small ONNX graphs built by hand. Run by /usr/bin/python3 (Debian's sklearn, torch, onnx, numpy)."""
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from common import BUILD, ROOT, export_model, read, run_exporter, scratch_dir  # noqa: E402,F401

import numpy as np  # noqa: E402
import onnx  # noqa: E402
from onnx import TensorProto, helper, numpy_helper  # noqa: E402


def onnx_model(nodes, initializers, n_in=3, n_out=2, input_type=TensorProto.FLOAT, inputs=None, outputs=None, opset=13):
    """A ModelProto of `nodes` (onnx.helper.make_node) over input 'x' [N, n_in] and output 'y'."""
    inputs = inputs or [helper.make_tensor_value_info("x", input_type, ["N", n_in])]
    outputs = outputs or [helper.make_tensor_value_info("y", TensorProto.FLOAT, ["N", n_out])]
    graph = helper.make_graph(nodes, "g", inputs, outputs,
                              [numpy_helper.from_array(np.asarray(v), name) for name, v in initializers.items()])
    return helper.make_model(graph, opset_imports=[helper.make_opsetid("", opset)])


def weights(n_in, n_out, seed=0, dtype=np.float32):
    rng = np.random.default_rng(seed)
    return rng.uniform(-1, 1, (n_in, n_out)).astype(dtype), rng.uniform(-1, 1, n_out).astype(dtype)
