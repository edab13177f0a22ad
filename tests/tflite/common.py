# SPDX-License-Identifier: Apache-2.0
"""Paths shared by the tflite tests: the repo's tools/tflite/ on sys.path and the MLPerf Tiny data."""
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "tools" / "tflite"))
DATA = ROOT / "data" / "mlperf-tiny"
MODELS = ["ad01_int8", "kws_ref_model", "pretrainedResnet_quant", "vww_96_int8", "str_ww_ref_model"]
