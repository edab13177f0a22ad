#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""export_model.py — turn a trained model into a C++ header that ugrad compiles into flash.

    python3 tools/export_model.py MODEL.json --name NAME --out FILE.hpp [--c-api] [--note TEXT]
    python3 tools/export_model.py MODEL.onnx --name NAME --out FILE.hpp [--head HEAD] [--c-api] [--note TEXT]

MODEL.json in the layers format (row-vector convention: each layer maps x [In] to act(x·W + b)):
    {"layers": [{"w": [[...], ...], "b": [...], "activation": "relu"}, ...], "output": "softmax"}
    w [In][Out], b [Out], activation one of identity, sigmoid, tanh, relu; each layer's In is the
    previous layer's Out; output (the head) one of softmax, logistic, linear.
FILE.hpp then defines
    inline constexpr ugrad::Network<ugrad::Softmax, ugrad::Dense<In, Out, ugrad::Relu>, ...> NAME = {...};
Image layers (include/ugrad/layers/; HWC order, batch 1; sizes and paddings as TFLite's) in the
same list, each with a "type" (a layer without one is "dense"):
    {"type": "conv2d", "input": [H, W, C], "filters": F, "kernel": [KH, KW], "stride": [SH, SW],
     "padding": "valid"|"same", "w": [KH][KW][C][F], "b": [F], "activation": ...}
    {"type": "depthwise_conv2d", "kernel", "stride", "padding", "w": [KH][KW][C], "b": [C], "activation"}
    {"type": "max_pool2d" | "average_pool2d", "window": [KH, KW], "stride" (default: the window),
     "padding" (default valid), "activation" (default identity)}
    {"type": "global_average_pool", "activation" (default identity)}
    {"type": "residual", "branch": [image layers, the last with activation identity],
     "shortcut": null (identity) | a conv2d layer (activation identity), "activation": ...}
"input" is needed only on an image layer that does not follow one; "stride" of a convolution
defaults to [1, 1]. Activations also relu6. A dense layer after an image layer reads it flattened
in HWC order (w has H·W·C rows). Any other key of an image layer (dilation, a depth_multiplier
other than 1, ...) is refused. The network's input x is then an image in HWC order:
x[(h·W + w)·C + c].
MODEL.json in the seed format {"w1": [[...]], "b1": [...], "w2": [[...]], "b2": [...]} (w1 [In][Hidden],
w2 [Hidden][Out]) still gives `inline constexpr ugrad::Mlp<In, Hidden, Out> NAME`. Other keys are ignored.

MODEL.tflite (a file name ending in .tflite): a float TFLite model, read by tools/tflite/reader.py and
translated by tools/tflite/float_import.py (CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, AVERAGE_POOL_2D,
MAX_POOL_2D, RESHAPE, a last SOFTMAX, fused NONE/RELU/RELU6, ADD closing a residual block; see there);
a hybrid model's int8 weights are dequantized; another operator or option is refused. Needs numpy.
An int8 model (its input is int8) is written by tools/tflite/int8_export.py instead: TFLite's integer
kernels bit for bit (include/ugrad/tflite/), FILE.hpp then defining
    inline constexpr NAME_network NAME{};   // NAME.forward(arena), NAME.input(arena), NAME.output(arena)
with the weights in flash and the activations in one buffer of NAME.arena_bytes planned here
(CONV_2D, DEPTHWISE_CONV_2D, FULLY_CONNECTED, AVERAGE_POOL_2D, MAX_POOL_2D, ADD, RESHAPE, SOFTMAX;
anything else is one line naming the operator or option, exit status 1, no file).

MODEL.onnx (a file name ending in .onnx): a chain of Gemm (or MatMul + Add) layers, each followed
by at most one of Sigmoid, Tanh, Relu; Identity, Flatten and Dropout pass through; a final Softmax
or Sigmoid is the head, or --head softmax|logistic|linear names it for a graph that ends in logits.
Over an input [N, C, H, W] (C, H, W fixed) also Conv (group 1, or group = channels: depthwise),
MaxPool, AveragePool, GlobalAveragePool, Clip(0, 6) (ReLU6), a BatchNormalization right after a
Conv (folded into it), and Flatten or Reshape to [N, -1]
before a Gemm/MatMul, whose rows are reordered from ONNX's CHW flattening to ugrad's HWC; pads and
auto_pad only where they equal TFLite's valid or same.
The file is read as data by the onnx package's protobuf parser (needs python3-onnx and numpy).

From Python (numpy, and the framework in question, imported only on these paths):
    import export_model
    doc = export_model.convert(model, head=None, input_shape=None)   # a fitted sklearn MLPClassifier / MLPRegressor (or a
                                                   # Pipeline of StandardScaler / MinMaxScaler steps and
                                                   # one), or a torch nn.Sequential (a BatchNorm1d first
                                                   # allowed) -> the layers format
The preprocessing (scalers, a first BatchNorm1d in eval mode) is an affine map x' = a ⊙ x + c; it is
folded into layer 0 (w'_ij = a_i·w_ij, b'_j = b_j + Σ_i c_i·w_ij), so the firmware feeds the raw
inputs and dJ/dx is with respect to them (dJ/dx_i = a_i·dJ/dx'_i). Other steps, a zero or non-finite
scale, a BatchNorm1d in training mode: ModelError, one line. A torch model that starts with Conv2d,
MaxPool2d, AvgPool2d or AdaptiveAvgPool2d(1) needs input_shape=(C, H, W), torch's shape of one
sample; its weights are transposed to HWC ([F][C][KH][KW] to [KH][KW][C][F]) and the first Linear
after a Flatten has its rows reordered from CHW to HWC: the firmware gives x in HWC order. A
BatchNorm2d (eval mode) right after a Conv2d is folded into it (fold_batch_norm_2d).
    export_model.write_header(model_or_doc, "NAME", "FILE.hpp", head=None, c_api=False, input_shape=None)

Every number is rounded once, from its exact value (the decimal text of the JSON, or the binary
value of a float array), to the nearest float32 (ties to even — what a C compiler does with a
decimal float literal), and written as an exact hex-float literal, so the compiled model holds
exactly those float32 values and computes bit for bit what they compute.

--c-api also writes FILE.h (C declarations of NAME_forward, NAME_input_gradient, ... through
UGRAD_C_DECLARE or UGRAD_C_DECLARE_NETWORK in <ugrad/ugrad.h>) and FILE_c_api.cpp (the one C++ file
that defines them, through UGRAD_C_DEFINE or UGRAD_C_DEFINE_NETWORK); compile that file with a
C++17 compiler and link it with the C program.

Anything that cannot be exported — not JSON or not ONNX, a missing key, ragged or mismatched
shapes, layer sizes that do not chain, a non-number, NaN or infinity, a value outside the float
range, an unsupported layer or operator (named), a layer order ugrad cannot express, an unfitted
estimator, a wrong dtype, a cycle in the graph, a NAME that is not a usable C++ identifier — is
reported on one line on standard error (write_header and convert raise ModelError with that line),
the exit status is 1 and no file is written. The JSON path needs the Python standard library only.

int8 (include/ugrad/q8/, integer arithmetic only):
    python3 tools/export_model.py MODEL --name NAME --out FILE.hpp --quantize int8 --calibration DATA.csv [--test TEST.csv]
writes instead the int8 model (tools/quantize.py quantize_network: any stack whose last layer gives
the logits, any head; one scale and zero point per input feature, folded into layer 0; weight scales
per output unit; robust ranges widened by 1/8; bias correction; docs/int8-export.md) as
`inline constexpr ugrad::q8::Network<...> NAME`, `NAME_input_scale[In]` and `NAME_input_zero_point[In]`
(c_i = round(x_i/s_i) + z_i), and prints a report (tools/q8_report.py) on TEST.csv, or on the
calibration rows without --test: accuracy float vs int8 (rows with a label), argmax agreement, max
|ŷ − ŷ_float|, and the cosine similarity of the int8 dJ/dx with the float one. A CSV holds In
numbers per line, or In numbers and a label (an integer in [0, Out), 0 or 1 for a logistic head with
one output) on every line, or for a linear head In numbers and Out targets. A last layer with an
activation, or a layer wider than the int8 sums hold, is refused. Bad data — an empty file, a line of
the wrong width, NaN or infinity, not a number, a label out of range — is one line on
standard error, exit status 1, no file. From Python:
    report = export_model.write_int8_header(model_or_dict, "NAME", "FILE.hpp", calibration, test=None)
    calibration, test: a CSV path, or rows (lists or a 2-D array) of In numbers, or In numbers and a label
    report["summary"] is the line the command prints; ModelError (one line) as above.
"""
import argparse
import json
import math
import os
import re
import sys
import tempfile
import warnings
from decimal import Decimal, InvalidOperation
from fractions import Fraction

PROG = "export_model"

# Words a model name must not be: C++17 and C11 keywords and alternative tokens.
KEYWORDS = frozenset("""
alignas alignof and and_eq asm auto bitand bitor bool break case catch char char16_t char32_t class
compl const constexpr const_cast continue decltype default delete do double dynamic_cast else enum
explicit export extern false float for friend goto if inline int long mutable namespace new noexcept
not not_eq nullptr operator or or_eq private protected public register reinterpret_cast return short
signed sizeof static static_assert static_cast struct switch template this thread_local throw true
try typedef typeid typename union unsigned using virtual void volatile wchar_t while xor xor_eq
restrict _Alignas _Alignof _Atomic _Bool _Complex _Generic _Imaginary _Noreturn _Static_assert
_Thread_local char8_t concept consteval constinit co_await co_return co_yield requires
""".split())

# Names the header itself uses at global scope, which a model name would collide with.
TAKEN = frozenset({"ugrad", "main"})

FLOAT_MAX_HALFWAY = 2**128 - 2**103   # halfway between FLT_MAX and 2^128: from here on, rounds to inf
FLOAT_ZERO_HALFWAY = Fraction(1, 2**150)  # half the smallest subnormal: up to here, rounds to ±0


class ModelError(Exception):
    """A problem with the input, reported as one line."""


def check_name(name: str) -> None:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", name):
        raise ModelError(f"--name {name!r} is not a C++ identifier (letters, digits, '_', not starting with a digit)")
    if name in KEYWORDS:
        raise ModelError(f"--name {name!r} is a C/C++ keyword")
    if "__" in name or re.match(r"_[A-Z]", name):
        raise ModelError(f"--name {name!r} is reserved to the implementation (contains '__' or starts with '_' and a capital)")
    if name in TAKEN:
        raise ModelError(f"--name {name!r} collides with a name the header uses")


def to_float32(value: Decimal) -> float:
    """The float32 nearest to the exact decimal value (ties to even), as a Python float (exact)."""
    negative = value.is_signed()
    magnitude = value.copy_abs()  # exact (abs() would round to the context precision)
    # Decide the far ends on the decimal exponent first, so that 1e-999999 costs nothing.
    if magnitude != 0 and magnitude.adjusted() > 40:
        raise OverflowError
    if magnitude == 0 or magnitude.adjusted() < -50:
        return -0.0 if negative else 0.0
    q = Fraction(magnitude)
    if q >= FLOAT_MAX_HALFWAY:
        raise OverflowError
    if q <= FLOAT_ZERO_HALFWAY:
        return -0.0 if negative else 0.0
    # 2^e <= q < 2^(e+1)
    e = q.numerator.bit_length() - q.denominator.bit_length()
    if Fraction(2) ** e > q:
        e -= 1
    # The spacing of float32 values around q: 2^(e-23) for normal numbers, 2^-149 for subnormals.
    ulp_exponent = max(e, -126) - 23
    scaled = q / Fraction(2) ** ulp_exponent
    n = scaled.numerator // scaled.denominator
    rest = scaled - n
    if rest > Fraction(1, 2) or (rest == Fraction(1, 2) and n % 2 == 1):
        n += 1
    result = math.ldexp(n, ulp_exponent)
    return -result if negative else result


def hex_literal(v: float) -> str:
    """An exact C/C++ float literal for a float32 value held in a Python float: -0x1.8p+0f."""
    text = v.hex()  # e.g. -0x1.8000000000000p+0 (exact: a float32 value is a double value)
    mantissa, exponent = text.split("p")
    if "." in mantissa:
        mantissa = mantissa.rstrip("0").rstrip(".")
    return f"{mantissa}p{exponent}f"


def parse_json(text: str, path: str):
    def reject_constant(token):
        raise ModelError(f"{path}: {token} is not allowed (the model must hold finite numbers)")

    try:
        return json.loads(text, parse_float=Decimal, parse_int=Decimal, parse_constant=reject_constant)
    except ModelError:
        raise
    except json.JSONDecodeError as err:
        raise ModelError(f"{path}: not valid JSON: {err.msg} at line {err.lineno} column {err.colno}")
    except (ValueError, RecursionError, InvalidOperation) as err:
        raise ModelError(f"{path}: not valid JSON: {type(err).__name__}")


# ---- Validation: numbers, vectors and matrices, with the place of each value in the message.

def number(value, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, (Decimal, float, int)):
        raise ModelError(f"{where} is {describe(value)}, expected a number")
    if isinstance(value, float):
        if not math.isfinite(value):
            raise ModelError(f"{where} is {value} (the model must hold finite numbers)")
        value = Decimal(value)  # exact: every binary double is a finite decimal
    elif isinstance(value, int):
        value = Decimal(value)
    try:
        return to_float32(value)
    except OverflowError:
        raise ModelError(f"{where} = {truncate(str(value))} is outside the float range (|x| > 3.4028235e38)")


def describe(value) -> str:
    if isinstance(value, list):
        return "a list"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, bool):
        return "a boolean"
    if value is None:
        return "null"
    if isinstance(value, (Decimal, float, int)):
        return "a number"
    return f"a {type(value).__name__}"


def truncate(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def as_list(value):
    """A numpy array (or anything with .tolist()) as nested lists; other values unchanged."""
    return value.tolist() if hasattr(value, "tolist") and not isinstance(value, (Decimal, float, int)) else value


def vector(v, key: str, length: int, length_name: str) -> list:
    v = as_list(v)
    if not isinstance(v, list):
        raise ModelError(f"'{key}' is {describe(v)}, expected a list of {length} numbers")
    if len(v) != length:
        raise ModelError(f"'{key}' has {len(v)} entries, expected {length} ({length_name})")
    return [number(x, f"{key}[{i}]") for i, x in enumerate(v)]


def matrix(m, key: str, rows: int = None, rows_name: str = "") -> list:
    m = as_list(m)
    if not isinstance(m, list):
        raise ModelError(f"'{key}' is {describe(m)}, expected a list of rows")
    if not m:
        raise ModelError(f"'{key}' has no rows")
    if rows is not None and len(m) != rows:
        raise ModelError(f"'{key}' has {len(m)} rows, expected {rows} ({rows_name})")
    for i, row in enumerate(m):
        if not isinstance(row, list):
            raise ModelError(f"{key}[{i}] is {describe(row)}, expected a row (a list of numbers)")
    cols = len(m[0])
    if cols == 0:
        raise ModelError(f"{key}[0] is empty")
    for i, row in enumerate(m):
        if len(row) != cols:
            raise ModelError(f"'{key}' is ragged: row {i} has {len(row)} entries, row 0 has {cols}")
    return [[number(x, f"{key}[{i}][{j}]") for j, x in enumerate(row)] for i, row in enumerate(m)]


# ---- The two model formats, validated into one shape:
#   {"kind": "mlp", "w1", "b1", "w2", "b2", "shape": (In, Hidden, Out)}
#   {"kind": "network", "layers": [{"w", "b", "activation"}, ...], "output": head, "shape": (In, n1, ..., Out)}
# with every number a float32 value (held in a Python float).

ACTIVATIONS = {"identity": "Identity", "sigmoid": "Sigmoid", "tanh": "Tanh", "relu": "Relu", "relu6": "Relu6"}
HEADS = {"softmax": "Softmax", "logistic": "Logistic", "linear": "Linear"}


def load_mlp(doc: dict) -> dict:
    for key in ("w1", "b1", "w2", "b2"):
        if key not in doc:
            raise ModelError(f"missing key '{key}'")
    w1 = matrix(doc["w1"], "w1")
    n_in, hidden = len(w1), len(w1[0])
    b1 = vector(doc["b1"], "b1", hidden, "Hidden: the columns of w1")
    w2 = matrix(doc["w2"], "w2", hidden, "Hidden: the columns of w1")
    out = len(w2[0])
    b2 = vector(doc["b2"], "b2", out, "Out: the columns of w2")
    return {"kind": "mlp", "w1": w1, "b1": b1, "w2": w2, "b2": b2, "shape": (n_in, hidden, out)}


def load_layers(doc: dict) -> dict:
    layers = as_list(doc["layers"])
    if not isinstance(layers, list):
        raise ModelError(f"'layers' is {describe(layers)}, expected a list of layers")
    if not layers:
        raise ModelError("'layers' is empty: a network needs at least one layer")
    if "output" not in doc:
        raise ModelError("missing key 'output' (the head: softmax, logistic or linear)")
    head = doc["output"]
    if head not in HEADS:
        shown = repr(head) if isinstance(head, str) else describe(head)
        raise ModelError(f"'output' is {truncate(shown)}, expected one of softmax, logistic, linear")
    result, shape = [], []
    previous = None  # what the next layer receives: ("image", (H, W, C)) or ("vector", N)
    for i, layer in enumerate(layers):
        where = f"layers[{i}]"
        if not isinstance(layer, dict):
            raise ModelError(f"'{where}' is {describe(layer)}, expected an object with w, b, activation")
        kind = layer.get("type", "dense")
        if kind not in LAYER_TYPES:
            shown = repr(kind) if isinstance(kind, str) else describe(kind)
            raise ModelError(f"{where}.type is {truncate(shown)}: not supported; ugrad takes {', '.join(LAYER_TYPES)}")
        if kind != "dense":
            loaded = load_image_layer(layer, kind, where, previous, f"layers[{i - 1}]")
            H, W, C = loaded["input"]
            if not shape:
                shape.append(H * W * C)
            oh, ow, f = loaded["output"]
            shape.append(oh * ow * f)
            previous = ("image", loaded["output"])
            result.append(loaded)
            continue
        for key in ("w", "b", "activation"):
            if key not in layer:
                raise ModelError(f"{where}: missing key '{key}'")
        if previous is not None and previous[0] == "image":
            H, W, C = previous[1]
            expected = (H * W * C, f"the outputs of layers[{i - 1}], {H}x{W}x{C} flattened in HWC order: layer sizes must chain")
        else:
            expected = (shape[-1] if shape else None, f"the outputs of layers[{i - 1}]: layer sizes must chain")
        w = matrix(layer["w"], f"{where}.w", *expected)
        b = vector(layer["b"], f"{where}.b", len(w[0]), f"Out: the columns of {where}.w")
        act = layer["activation"]
        if act not in ACTIVATIONS:
            shown = repr(act) if isinstance(act, str) else describe(act)
            raise ModelError(f"{where}.activation is {truncate(shown)}, expected one of {', '.join(ACTIVATIONS)}")
        if not shape:
            shape.append(len(w))
        shape.append(len(w[0]))
        previous = ("vector", len(w[0]))
        result.append({"w": w, "b": b, "activation": act})
    model = {"kind": "network", "layers": result, "output": head, "shape": tuple(shape)}
    if any("type" in l for l in result):
        model["image"] = result[0]["input"] if "type" in result[0] else None
    return model


# ---- Image layers (include/ugrad/layers/): Conv2D, DepthwiseConv2D, the pools; HWC, batch 1.
# A layer of the layers format with a "type" other than "dense" is one of these; its "input" is
# [H, W, C] (required on a first layer, else the previous layer's output, and checked if given),
# sizes and paddings as TFLite's (include/ugrad/layers/image.hpp):
#   valid  out = ⌊(in − k)/s⌋ + 1 (k <= in)      same  out = ⌈in/s⌉
# A dense layer after an image layer reads it flattened in HWC order: its w has H·W·C rows.

IMAGE_KEYS = {
    "conv2d": ({"type", "w", "b", "activation", "filters", "kernel", "padding"}, {"input", "stride"}),
    "depthwise_conv2d": ({"type", "w", "b", "activation", "kernel", "padding"}, {"input", "stride", "depth_multiplier"}),
    "average_pool2d": ({"type", "window"}, {"input", "stride", "padding", "activation"}),
    "max_pool2d": ({"type", "window"}, {"input", "stride", "padding", "activation"}),
    "global_average_pool": ({"type"}, {"input", "activation"}),
}
LAYER_TYPES = ("dense",) + tuple(IMAGE_KEYS) + ("residual",)
PADDINGS = {"valid": "Valid", "same": "Same"}
CPP_KINDS = {"conv2d": "Conv2D", "depthwise_conv2d": "DepthwiseConv2D", "average_pool2d": "AveragePool2D",
             "max_pool2d": "MaxPool2D", "global_average_pool": "GlobalAveragePool"}


def count(value, where: str, minimum: int = 1) -> int:
    """A whole number >= minimum (a JSON integer, or an int from Python)."""
    if isinstance(value, bool) or not isinstance(value, (Decimal, int, float)) or value != int(value):
        raise ModelError(f"{where} is {describe(value) if not isinstance(value, (Decimal, int, float)) else truncate(str(value))}, "
                         f"expected a whole number >= {minimum}")
    if int(value) < minimum or int(value) > 1 << 20:
        raise ModelError(f"{where} is {int(value)}, expected a whole number in [{minimum}, {1 << 20}]")
    return int(value)


def pair(value, where: str, what: str) -> tuple:
    value = as_list(value)
    if not isinstance(value, list) or len(value) != 2:
        raise ModelError(f"{where} is {describe(value)}, expected [{what}H, {what}W] (two whole numbers >= 1)"
                         if not isinstance(value, list) else f"{where} has {len(value)} entries, expected 2 ([height, width])")
    return count(value[0], f"{where}[0]"), count(value[1], f"{where}[1]")


def out_size(n: int, k: int, s: int, padding: str, where: str, axis: str) -> int:
    if padding == "valid":
        if k > n:
            raise ModelError(f"{where}: a valid {axis} window of {k} does not fit in an input {n} {axis}s wide")
        return (n - k) // s + 1
    return -(-n // s)


def tensor(value, key: str, shape: tuple, names: str) -> list:
    """A nested list of exactly `shape` (numbers inside), as float32 values; `names` says the axes."""
    value = as_list(value)
    if len(shape) == 1:
        return vector(value, key, shape[0], names)
    if not isinstance(value, list):
        raise ModelError(f"'{key}' is {describe(value)}, expected a nested list of shape {list(shape)} ({names})")
    if len(value) != shape[0]:
        raise ModelError(f"'{key}' has {len(value)} entries, expected {shape[0]} (shape {list(shape)}: {names})")
    return [tensor(v, f"{key}[{i}]", shape[1:], names) for i, v in enumerate(value)]


def load_image_layer(layer: dict, kind: str, where: str, previous, previous_where: str) -> dict:
    """Validate one image layer (named `where`); previous is the input it receives: ("image", (H, W, C)),
    ("vector", N) or None, from the layer named previous_where."""
    if kind == "residual":
        return load_residual(layer, where, previous, previous_where)
    required, optional = IMAGE_KEYS[kind]
    for key in sorted(required - {"type"}):
        if key not in layer:
            raise ModelError(f"{where} ({kind}): missing key '{key}'")
    unknown = sorted(k for k in layer if k not in required | optional)
    if unknown:
        raise ModelError(f"{where} ({kind}): option '{unknown[0]}' is not supported (a {kind} layer takes "
                         f"{', '.join(sorted(required | optional))})")
    if "input" in layer:
        shape = as_list(layer["input"])
        if not isinstance(shape, list) or len(shape) != 3:
            raise ModelError(f"{where}.input is {describe(shape) if not isinstance(shape, list) else f'{len(shape)} numbers'}, "
                             f"expected [H, W, C]")
        shape = tuple(count(v, f"{where}.input[{i}]") for i, v in enumerate(shape))
        if previous is not None:
            given = previous[1] if previous[0] == "vector" else previous[1][0] * previous[1][1] * previous[1][2]
            if previous[0] == "image" and previous[1] != shape:
                raise ModelError(f"{where}.input is {list(shape)}, but {previous_where} gives {list(previous[1])}: "
                                 f"shapes must chain")
            if previous[0] == "vector" and given != shape[0] * shape[1] * shape[2]:
                raise ModelError(f"{where}.input is {list(shape)} ({shape[0] * shape[1] * shape[2]} values), but the "
                                 f"previous layer gives {given}: shapes must chain")
    elif previous is not None and previous[0] == "image":
        shape = previous[1]
    else:
        raise ModelError(f"{where} ({kind}): missing key 'input' ([H, W, C]: needed on an image layer that does not "
                         f"follow one)")
    H, W, C = shape
    act = layer.get("activation", "identity")
    if act not in ACTIVATIONS:
        shown = repr(act) if isinstance(act, str) else describe(act)
        raise ModelError(f"{where}.activation is {truncate(shown)}, expected one of {', '.join(ACTIVATIONS)}")
    out = {"type": kind, "input": shape, "activation": act}
    if kind == "global_average_pool":
        out.update(kernel=(H, W), stride=(1, 1), padding="valid", output=(1, 1, C))
        return out
    kernel = pair(layer["kernel" if "conv" in kind else "window"], f"{where}.{'kernel' if 'conv' in kind else 'window'}", "K")
    stride = pair(layer["stride"], f"{where}.stride", "S") if "stride" in layer else (kernel if "pool" in kind else (1, 1))
    padding = layer.get("padding", "valid")
    if padding not in PADDINGS:
        shown = repr(padding) if isinstance(padding, str) else describe(padding)
        raise ModelError(f"{where}.padding is {truncate(shown)}, expected \"valid\" or \"same\" (TFLite's paddings)")
    oh = out_size(H, kernel[0], stride[0], padding, where, "row")
    ow = out_size(W, kernel[1], stride[1], padding, where, "column")
    out.update(kernel=kernel, stride=stride, padding=padding)
    KH, KW = kernel
    if kind == "conv2d":
        F = count(layer["filters"], f"{where}.filters")
        out["w"] = tensor(layer["w"], f"{where}.w", (KH, KW, C, F), "[KH][KW][C][F]")
        out["b"] = vector(layer["b"], f"{where}.b", F, "F: the filters")
        out["output"] = (oh, ow, F)
    elif kind == "depthwise_conv2d":
        if "depth_multiplier" in layer and count(layer["depth_multiplier"], f"{where}.depth_multiplier") != 1:
            raise ModelError(f"{where}.depth_multiplier is {int(layer['depth_multiplier'])}; ugrad's DepthwiseConv2D has "
                             f"multiplier 1 (one kernel per channel)")
        out["w"] = tensor(layer["w"], f"{where}.w", (KH, KW, C), "[KH][KW][C]")
        out["b"] = vector(layer["b"], f"{where}.b", C, "C: the channels")
        out["output"] = (oh, ow, C)
    else:
        out["output"] = (oh, ow, C)
    return out


def load_residual(layer: dict, where: str, previous, previous_where: str) -> dict:
    """A residual block, y = act(branch(x) + shortcut(x)): {"type": "residual", "input" (optional, as
    for an image layer), "branch": [image layers, the last without an activation], "shortcut": null
    (identity: the branch keeps the shape) or a conv2d layer (no activation) from the block's input
    to the branch's output shape, "activation"}."""
    allowed = {"type", "branch", "shortcut", "activation", "input"}
    unknown = sorted(k for k in layer if k not in allowed)
    if unknown:
        raise ModelError(f"{where} (residual): option '{unknown[0]}' is not supported (a residual block takes "
                         f"{', '.join(sorted(allowed))})")
    for key in ("branch", "activation"):
        if key not in layer:
            raise ModelError(f"{where} (residual): missing key '{key}'")
    if "input" in layer:
        # the block's input, checked as an image layer's: a pool with the same "input" does that
        shape = load_image_layer({"type": "global_average_pool", "input": layer["input"]}, "global_average_pool", where,
                                 previous, previous_where)["input"]
    elif previous is not None and previous[0] == "image":
        shape = previous[1]
    else:
        raise ModelError(f"{where} (residual): missing key 'input' ([H, W, C]: needed on an image layer that does not "
                         f"follow one)")
    act = layer["activation"]
    if act not in ACTIVATIONS:
        shown = repr(act) if isinstance(act, str) else describe(act)
        raise ModelError(f"{where}.activation is {truncate(shown)}, expected one of {', '.join(ACTIVATIONS)}")
    branch = as_list(layer["branch"])
    if not isinstance(branch, list) or not branch:
        raise ModelError(f"{where}.branch is {describe(branch) if not isinstance(branch, list) else 'empty'}, expected a "
                         f"list of image layers")
    loaded, state, state_where = [], ("image", shape), f"{where}'s input"
    for j, inner in enumerate(branch):
        inner_where = f"{where}.branch[{j}]"
        if not isinstance(inner, dict):
            raise ModelError(f"'{inner_where}' is {describe(inner)}, expected an image layer")
        kind = inner.get("type", "dense")
        if kind not in IMAGE_KEYS:
            shown = repr(kind) if isinstance(kind, str) else describe(kind)
            raise ModelError(f"{inner_where}.type is {truncate(shown)}: a residual branch takes image layers "
                             f"({', '.join(IMAGE_KEYS)})")
        loaded.append(load_image_layer(inner, kind, inner_where, state, state_where))
        state, state_where = ("image", loaded[-1]["output"]), inner_where
    if loaded[-1]["activation"] != "identity":
        raise ModelError(f"{where}.branch[{len(loaded) - 1}].activation is {loaded[-1]['activation']}; a branch's last "
                         f"layer has none (identity): the block applies its own after the sum")
    out = loaded[-1]["output"]
    shortcut = layer.get("shortcut")
    if shortcut is None:
        if out != shape:
            raise ModelError(f"{where}: the branch gives {list(out)} from {list(shape)}; an identity shortcut (null) "
                             f"needs the same shape: give a conv2d shortcut")
    else:
        if not isinstance(shortcut, dict) or shortcut.get("type") != "conv2d":
            raise ModelError(f"{where}.shortcut is {describe(shortcut) if not isinstance(shortcut, dict) else 'not a conv2d'}; "
                             f"a shortcut is null (identity) or a conv2d layer")
        shortcut = load_image_layer(shortcut, "conv2d", f"{where}.shortcut", ("image", shape), f"{where}'s input")
        if shortcut["activation"] != "identity":
            raise ModelError(f"{where}.shortcut.activation is {shortcut['activation']}; the block applies its own "
                             f"after the sum")
        if shortcut["output"] != out:
            raise ModelError(f"{where}.shortcut gives {list(shortcut['output'])}, the branch {list(out)}: they must agree")
    return {"type": "residual", "input": shape, "output": out, "branch": loaded, "shortcut": shortcut, "activation": act}


def image_type(layer: dict, value_type: str = "float") -> str:
    """The ugrad C++ type of a validated image layer."""
    kind = layer["type"]
    if kind == "residual":
        shortcut = "ugrad::IdentityShortcut" if layer["shortcut"] is None else image_type(layer["shortcut"], value_type)
        return (f"ugrad::Residual<{shortcut}, ugrad::{ACTIVATIONS[layer['activation']]}, "
                + ", ".join(image_type(l, value_type) for l in layer["branch"]) + ">")
    H, W, C = layer["input"]
    hwc = f"ugrad::Hwc<{H}, {W}, {C}>"
    act = f"ugrad::{ACTIVATIONS[layer['activation']]}"
    if kind == "global_average_pool":
        return f"ugrad::GlobalAveragePool<{hwc}, {act}, {value_type}>"
    kh, kw = layer["kernel"]
    sh, sw = layer["stride"]
    pad = f"ugrad::{PADDINGS[layer['padding']]}"
    if kind == "conv2d":
        return (f"ugrad::Conv2D<{hwc}, {layer['output'][2]}, ugrad::Kernel<{kh}, {kw}>, ugrad::Stride<{sh}, {sw}>, "
                f"{pad}, {act}, {value_type}>")
    if kind == "depthwise_conv2d":
        return f"ugrad::DepthwiseConv2D<{hwc}, ugrad::Kernel<{kh}, {kw}>, ugrad::Stride<{sh}, {sw}>, {pad}, {act}, {value_type}>"
    return f"ugrad::{CPP_KINDS[kind]}<{hwc}, ugrad::Window<{kh}, {kw}>, ugrad::Stride<{sh}, {sw}>, {pad}, {act}, {value_type}>"


def describe_layer(layer: dict) -> str:
    """One layer in a few words, for the header's comment."""
    kind = layer.get("type", "dense")
    if kind == "dense":
        return f"dense {len(layer['w'])}->{len(layer['b'])} {layer['activation']}"
    shape = "x".join(str(n) for n in layer["output"])
    if kind == "residual":
        shortcut = "identity" if layer["shortcut"] is None else describe_layer(layer["shortcut"])
        return (f"residual ({'; '.join(describe_layer(l) for l in layer['branch'])}) + ({shortcut} shortcut), "
                f"{layer['activation']} -> {shape}")
    if kind == "global_average_pool":
        return f"global_average_pool -> {shape}"
    k = "x".join(str(n) for n in layer["kernel"])
    s = "x".join(str(n) for n in layer["stride"])
    return f"{kind} {k}/{s} {layer['padding']} {layer['activation']} -> {shape}"


def load_doc(doc, path: str) -> dict:
    """Validate a parsed JSON document or a Python dict (either format); errors name `path`."""
    if not isinstance(doc, dict):
        raise ModelError(f"{path}: the top level is {describe(doc)}, expected an object with layers and output "
                         f"(or w1, b1, w2, b2)")
    try:
        return load_layers(doc) if "layers" in doc else load_mlp(doc)
    except ModelError as err:
        raise ModelError(f"{path}: {err}")


def load_model(text: str, path: str) -> dict:
    """Validate the JSON text; return the model as float32 values (see load_doc)."""
    return load_doc(parse_json(text, path), path)


# ---- From scikit-learn and PyTorch objects (imported only when such an object is given).

SKLEARN_ACTIVATIONS = {"identity": "identity", "logistic": "sigmoid", "tanh": "tanh", "relu": "relu"}
SKLEARN_HEADS = {"softmax": "softmax", "logistic": "logistic", "identity": "linear"}


def check_head_argument(head):
    if head is not None and head not in HEADS:
        raise ModelError(f"head={head!r}: expected 'softmax', 'logistic' or 'linear'")


def fold_affine(doc: dict, scale, offset, where: str) -> dict:
    """The model of x ↦ net(a ⊙ x + c): layer 0 becomes w'_ij = a_i·w_ij, b'_j = b_j + Σ_i c_i·w_ij (in
    double, the sum correctly rounded: math.fsum), so that dJ/dx is with respect to the raw x
    (the chain rule through the scaler: dJ/dx_i = a_i·dJ/dx'_i)."""
    scale, offset = [float(v) for v in scale], [float(v) for v in offset]
    layer = doc["layers"][0]
    n_in = len(layer["w"])
    if len(scale) != n_in or len(offset) != n_in:
        raise ModelError(f"{where}: it maps {len(scale)} features, the model takes {n_in}")
    for i, (a, c) in enumerate(zip(scale, offset)):
        if not math.isfinite(a) or a == 0:
            raise ModelError(f"{where}: the scale of feature {i} is {a!r}; it must be finite and nonzero")
        if not math.isfinite(c):
            raise ModelError(f"{where}: the offset of feature {i} is {c!r}, expected a finite number")
    w, b = [[float(v) for v in row] for row in as_list(layer["w"])], [float(v) for v in as_list(layer["b"])]
    folded = {"w": [[a * v for v in row] for a, row in zip(scale, w)],
              "b": [math.fsum([bj] + [c * row[j] for c, row in zip(offset, w)]) for j, bj in enumerate(b)],
              "activation": layer["activation"]}
    for what, values in (("weights", [v for row in folded["w"] for v in row]), ("biases", folded["b"])):
        if not all(math.isfinite(v) for v in values):
            raise ModelError(f"{where}: folding it into layer 0 gives non-finite {what}")
    return {"layers": [folded] + doc["layers"][1:], "output": doc["output"]}


SKLEARN_SCALERS = "StandardScaler and MinMaxScaler (clip=False) steps, then an MLPClassifier or MLPRegressor"


def convert_sklearn_pipeline(model, head) -> dict:
    """A Pipeline of StandardScaler / MinMaxScaler steps and an MLP last: the scalers' affine maps,
    composed, folded into layer 0."""
    steps = list(model.steps)
    if not steps:
        raise ModelError("scikit-learn Pipeline: no steps")
    doc = convert_sklearn(steps[-1][1], head) if steps[-1][1] not in (None, "passthrough") else None
    if doc is None:
        raise ModelError(f"scikit-learn Pipeline: the last step is not a model; ugrad takes {SKLEARN_SCALERS}")
    scale, offset = None, None
    for name, step in steps[:-1]:
        cls = type(step).__name__
        where = f"scikit-learn Pipeline step '{name}' ({cls})"
        if step is None or step == "passthrough":
            continue
        if cls == "StandardScaler":
            if not hasattr(step, "n_features_in_"):
                raise ModelError(f"{where} is not fitted: fit the Pipeline first")
            n = step.n_features_in_
            mean = [float(v) for v in step.mean_] if getattr(step, "mean_", None) is not None else [0.0] * n
            std = [float(v) for v in step.scale_] if getattr(step, "scale_", None) is not None else [1.0] * n
            for i, sd in enumerate(std):
                if not math.isfinite(sd) or sd == 0:
                    raise ModelError(f"{where}: scale_[{i}] is {sd!r}; a standard deviation must be finite and nonzero")
            a, c = [1 / sd for sd in std], [-m / sd for m, sd in zip(mean, std)]
        elif cls == "MinMaxScaler":
            if not hasattr(step, "scale_"):
                raise ModelError(f"{where} is not fitted: fit the Pipeline first")
            if getattr(step, "clip", False):
                raise ModelError(f"{where}: clip=True is not an affine map; ugrad takes {SKLEARN_SCALERS}")
            a, c = [float(v) for v in step.scale_], [float(v) for v in step.min_]
            for i, v in enumerate(a):
                if not math.isfinite(v) or v == 0:
                    raise ModelError(f"{where}: scale_[{i}] is {v!r}; a scale must be finite and nonzero")
        else:
            raise ModelError(f"{where}: not supported; ugrad takes {SKLEARN_SCALERS}")
        if scale is None:
            scale, offset = a, c
        else:  # x ↦ a2·(a1·x + c1) + c2
            scale, offset = [a2 * a1 for a1, a2 in zip(scale, a)], [a2 * c1 + c2 for c1, a2, c2 in zip(offset, a, c)]
    if scale is None:
        return doc
    return fold_affine(doc, scale, offset, "scikit-learn Pipeline scalers")


def convert_sklearn(model, head) -> dict:
    import numpy as np
    cls = type(model).__name__
    if cls == "Pipeline":
        return convert_sklearn_pipeline(model, head)
    if cls not in ("MLPClassifier", "MLPRegressor"):
        raise ModelError(f"scikit-learn {cls}: not supported (MLPClassifier and MLPRegressor are)")
    if not hasattr(model, "coefs_") or not hasattr(model, "out_activation_"):
        raise ModelError(f"scikit-learn {cls} is not fitted: call fit() first")
    if model.activation not in SKLEARN_ACTIVATIONS:
        raise ModelError(f"scikit-learn {cls}: activation {model.activation!r} is not supported")
    if model.out_activation_ not in SKLEARN_HEADS:
        raise ModelError(f"scikit-learn {cls}: output activation {model.out_activation_!r} is not supported")
    output = SKLEARN_HEADS[model.out_activation_]
    if head is not None and head != output:
        raise ModelError(f"scikit-learn {cls}: its output is {output}, but head={head!r}")
    if len(model.coefs_) != len(model.intercepts_):
        raise ModelError(f"scikit-learn {cls}: {len(model.coefs_)} coefs_ but {len(model.intercepts_)} intercepts_")
    layers = []
    for i, (w, b) in enumerate(zip(model.coefs_, model.intercepts_)):
        for what, a, ndim in ((f"coefs_[{i}]", w, 2), (f"intercepts_[{i}]", b, 1)):
            if not isinstance(a, np.ndarray) or a.dtype not in (np.float32, np.float64):
                kind = f"dtype {a.dtype}" if isinstance(a, np.ndarray) else f"type {type(a).__name__}"
                raise ModelError(f"scikit-learn {cls}: {what} has {kind}, expected a float32 or float64 array")
            if a.ndim != ndim:
                raise ModelError(f"scikit-learn {cls}: {what} has {a.ndim} dimensions, expected {ndim}")
        last = i == len(model.coefs_) - 1
        layers.append({"w": w.tolist(), "b": b.tolist(), "activation": "identity" if last else SKLEARN_ACTIVATIONS[model.activation]})
    return {"layers": layers, "output": output}


TORCH_SUPPORTED = ("ugrad takes Linear, Conv2d (groups 1 or depthwise; a BatchNorm2d after one is folded into it), "
                   "MaxPool2d, AvgPool2d, AdaptiveAvgPool2d(1); "
                   "Sigmoid, Tanh, ReLU, ReLU6 after one; Identity, Dropout, Flatten as identities; a BatchNorm1d first "
                   "(eval mode: the input normalization); a final Softmax or Sigmoid as the head")


def torch_pair(value) -> tuple:
    return tuple(value) if isinstance(value, (tuple, list)) else (value, value)


def torch_padding(where: str, padding, size: tuple, kernel: tuple, stride: tuple) -> str:
    """"valid" or "same" for a torch padding that equals TFLite's, axis by axis; ModelError otherwise.
    Symmetric padding p is TFLite's Same when it gives the same output size, ⌈in/s⌉, and the same
    padding before the input, ⌊total/2⌋ (total = max((out − 1)·s + k − in, 0)); padding 0 is Valid."""
    if padding == "valid":
        return "valid"
    if padding == "same":  # torch: stride 1 only, total k − 1, ⌊total/2⌋ before (TFLite's split)
        return "same"
    pads = torch_pair(padding)
    if pads == (0, 0):
        return "valid"
    for n, k, s, p, axis in zip(size, kernel, stride, pads, ("rows", "columns")):
        out = -(-n // s)
        total = max((out - 1) * s + k - n, 0)
        if (n + 2 * p - k) // s + 1 != out or p != total // 2:
            raise ModelError(f"{where}: padding={padding} over {n} {axis} (kernel {k}, stride {s}) is neither 0 (valid) "
                             f"nor TFLite's same ({total // 2} before, {total - total // 2} after, {out} outputs)")
    return "same"


def convert_torch_image(name: str, m, current, layers: list):
    """Append the image layer of torch module m (Conv2d, MaxPool2d, AvgPool2d, AdaptiveAvgPool2d) that
    receives `current` (("image", (H, W, C)) or ("vector", N) or None); return what it gives."""
    import torch
    import torch.nn as nn
    kind = type(m).__name__
    where = f"torch layer {name} ({kind})"
    if current is None or current[0] != "image":
        raise ModelError(f"{where}: an image layer needs an image input: give input_shape=(C, H, W) for a model that "
                         f"starts with one; after a Flatten or Linear, ugrad has no Unflatten")
    H, W, C = current[1]
    if type(m) is nn.AdaptiveAvgPool2d:
        if torch_pair(m.output_size) != (1, 1):
            raise ModelError(f"{where}: output_size={m.output_size}; ugrad takes AdaptiveAvgPool2d(1), the global average pool")
        layers.append({"type": "global_average_pool", "input": [H, W, C], "activation": None, "name": name})
        return ("image", (1, 1, C))
    kernel, stride = torch_pair(m.kernel_size), torch_pair(m.stride if m.stride is not None else m.kernel_size)
    if type(m) is nn.Conv2d:
        if m.in_channels != C:
            raise ModelError(f"{where}: in_channels={m.in_channels}, but its input has {C} channels ({H}x{W}x{C})")
        if torch_pair(m.dilation) != (1, 1):
            raise ModelError(f"{where}: dilation={m.dilation}; ugrad's convolutions have dilation 1")
        if m.padding_mode != "zeros" and torch_pair(m.padding) != (0, 0) and m.padding != "valid":
            raise ModelError(f"{where}: padding_mode={m.padding_mode!r}; ugrad's same padding leaves padded positions out (zeros)")
        depthwise = m.groups != 1
        if depthwise and not (m.groups == C and m.out_channels == C):
            raise ModelError(f"{where}: groups={m.groups}, in_channels={C}, out_channels={m.out_channels}; ugrad takes "
                             f"groups=1, or groups = in_channels = out_channels (depthwise, multiplier 1)")
        padding = torch_padding(where, m.padding, (H, W), kernel, stride)
        if kernel[0] > H + (kernel[0] - 1 if padding == "same" else 0) or kernel[1] > W + (kernel[1] - 1 if padding == "same" else 0):
            raise ModelError(f"{where}: kernel {kernel} does not fit in its {H}x{W} input")
        for what, t in (("weight", m.weight), ("bias", m.bias)):
            if t is not None and t.dtype not in (torch.float32, torch.float64):
                raise ModelError(f"{where}: {what} has dtype {t.dtype}, expected torch.float32 or torch.float64")
        weight = m.weight.detach().cpu().to(torch.float64)  # [F][C/groups][KH][KW]
        F = m.out_channels
        bias = m.bias.detach().cpu().to(torch.float64) if m.bias is not None else torch.zeros(F, dtype=torch.float64)
        layer = {"type": "depthwise_conv2d" if depthwise else "conv2d", "input": [H, W, C], "kernel": list(kernel),
                 "stride": list(stride), "padding": padding, "b": bias.tolist(), "activation": None, "name": name}
        if depthwise:  # [C][1][KH][KW] -> [KH][KW][C]
            layer["w"] = weight[:, 0].permute(1, 2, 0).tolist()
        else:  # [F][C][KH][KW] -> [KH][KW][C][F]
            layer["w"], layer["filters"] = weight.permute(2, 3, 1, 0).tolist(), F
        layers.append(layer)
        oh, ow = (-(-H // stride[0]), -(-W // stride[1])) if padding == "same" else \
            ((H - kernel[0]) // stride[0] + 1, (W - kernel[1]) // stride[1] + 1)
        return ("image", (oh, ow, F if not depthwise else C))
    # MaxPool2d, AvgPool2d
    if getattr(m, "ceil_mode", False):
        raise ModelError(f"{where}: ceil_mode=True; ugrad's pools size their output as TFLite (floor for valid)")
    if type(m) is nn.MaxPool2d:
        if torch_pair(m.dilation) != (1, 1):
            raise ModelError(f"{where}: dilation={m.dilation}; ugrad's pools have dilation 1")
        if m.return_indices:
            raise ModelError(f"{where}: return_indices=True; ugrad's max pool gives one value per window")
    padding = torch_padding(where, m.padding, (H, W), kernel, stride)
    if type(m) is nn.AvgPool2d:
        if m.divisor_override is not None:
            raise ModelError(f"{where}: divisor_override={m.divisor_override}; ugrad divides by the taps inside the input")
        if padding == "same" and m.count_include_pad:
            raise ModelError(f"{where}: count_include_pad=True with padding; ugrad averages the taps inside the input "
                             f"(count_include_pad=False)")
    if padding == "valid" and (kernel[0] > H or kernel[1] > W):
        raise ModelError(f"{where}: window {kernel} does not fit in its {H}x{W} input")
    layers.append({"type": "max_pool2d" if type(m) is nn.MaxPool2d else "average_pool2d", "input": [H, W, C],
                   "window": list(kernel), "stride": list(stride), "padding": padding, "activation": None, "name": name})
    oh, ow = (-(-H // stride[0]), -(-W // stride[1])) if padding == "same" else \
        ((H - kernel[0]) // stride[0] + 1, (W - kernel[1]) // stride[1] + 1)
    return ("image", (oh, ow, C))


def fold_batch_norm_2d(name: str, bn, layers: list) -> None:
    """A BatchNorm2d in eval mode right after a Conv2d (before its activation) is the affine map
    y_f = a_f·(r_f − mean_f) + β_f, a_f = γ_f/√(var_f + eps): folded into the convolution,
    W'[..][f] = a_f·W[..][f], b'_f = a_f·(b_f − mean_f) + β_f (in double; each folded value is then
    rounded once to float32 like every other)."""
    import torch
    where = f"torch layer {name} (BatchNorm2d)"
    previous = layers[-1] if layers else None
    if previous is None or previous.get("type") not in ("conv2d", "depthwise_conv2d") or previous["activation"] is not None:
        raise ModelError(f"{where}: ugrad folds a BatchNorm2d only into the Conv2d right before it (before its activation)")
    if bn.training:
        raise ModelError(f"{where}: the module is in training mode (batch statistics); call model.eval() first")
    if not bn.track_running_stats or bn.running_mean is None or bn.running_var is None:
        raise ModelError(f"{where}: no running statistics (track_running_stats=False); ugrad folds a fixed affine map")
    F = len(previous["b"])
    if bn.num_features != F:
        raise ModelError(f"{where}: num_features={bn.num_features}, the convolution gives {F} channels")
    mean = bn.running_mean.detach().cpu().to(torch.float64)
    var = bn.running_var.detach().cpu().to(torch.float64)
    if not bool(torch.isfinite(var).all()) or bool((var + bn.eps <= 0).any()) or not bool(torch.isfinite(mean).all()):
        raise ModelError(f"{where}: running_mean and running_var + eps must be finite, the latter positive")
    gamma, beta = torch.ones(F, dtype=torch.float64), torch.zeros(F, dtype=torch.float64)
    if bn.affine:
        gamma, beta = bn.weight.detach().cpu().to(torch.float64), bn.bias.detach().cpu().to(torch.float64)
    a = gamma / torch.sqrt(var + bn.eps)  # as the ONNX reader folds a BatchNormalization
    w = torch.tensor(previous["w"], dtype=torch.float64) * a  # the last axis is the output channel
    b = (torch.tensor(previous["b"], dtype=torch.float64) - mean) * a + beta
    if not bool(torch.isfinite(w).all()) or not bool(torch.isfinite(b).all()):
        raise ModelError(f"{where}: folding it into the convolution gives non-finite weights")
    previous["w"], previous["b"] = w.tolist(), b.tolist()


def hwc_rows(w, image) -> list:
    """A Linear's weight rows (w [C·H·W][Out], torch's flattening of NCHW) reordered to HWC:
    row (h·W + w)·C + c of the result is row c·H·W + h·W + w of w."""
    H, W, C = image
    return [w[c * H * W + h * W + x] for h in range(H) for x in range(W) for c in range(C)]


def torch_modules(seq, prefix=""):
    """(name, module) of a Sequential in order, nested Sequentials flattened."""
    import torch.nn as nn
    for name, m in seq.named_children():
        if isinstance(m, nn.Sequential):
            yield from torch_modules(m, f"{prefix}{name}.")
        else:
            yield f"{prefix}{name}", m


def convert_torch(model, head, input_shape=None) -> dict:
    import torch
    import torch.nn as nn
    if not isinstance(model, nn.Sequential):
        raise ModelError(f"torch {type(model).__name__}: only nn.Sequential is supported (or export the model to ONNX)")
    modules = list(torch_modules(model))
    normalization = None
    if modules and type(modules[0][1]) is nn.BatchNorm1d:
        name, bn = modules.pop(0)
        where = f"torch layer {name} (BatchNorm1d)"
        if bn.training:
            raise ModelError(f"{where}: the module is in training mode (batch statistics); call model.eval() first")
        if not bn.track_running_stats or bn.running_mean is None or bn.running_var is None:
            raise ModelError(f"{where}: no running statistics (track_running_stats=False); ugrad folds a fixed affine map")
        mean = bn.running_mean.detach().cpu().to(torch.float64)
        var = bn.running_var.detach().cpu().to(torch.float64)
        if not bool(torch.isfinite(var).all()) or bool((var + bn.eps <= 0).any()):
            raise ModelError(f"{where}: running_var + eps is not finite and positive for every feature")
        a = 1 / torch.sqrt(var + bn.eps)
        if bn.affine:
            a = a * bn.weight.detach().cpu().to(torch.float64)
            c = bn.bias.detach().cpu().to(torch.float64) - mean * a
        else:
            c = -mean * a
        normalization = (a.tolist(), c.tolist(), where)
    passthrough = (nn.Identity, nn.Dropout, nn.Flatten)
    activations = {nn.Sigmoid: "sigmoid", nn.Tanh: "tanh", nn.ReLU: "relu", nn.ReLU6: "relu6"}
    # A trailing Softmax or Sigmoid (past any pass-through modules) names the head.
    last = max((i for i, (_, m) in enumerate(modules) if not isinstance(m, passthrough)), default=None)
    if last is not None:
        name, m = modules[last]
        if type(m) is nn.Softmax:
            if m.dim not in (None, 1, -1):
                raise ModelError(f"torch layer {name} (Softmax): dim={m.dim}; the head is a softmax over the features (dim=1 or -1)")
            if head not in (None, "softmax"):
                raise ModelError(f"torch layer {name} (Softmax) ends the model, but head={head!r}")
            head = "softmax"
            del modules[last]
        elif type(m) is nn.Sigmoid and head in (None, "logistic"):
            head = "logistic"
            del modules[last]
        elif type(m) is nn.Sigmoid and head == "softmax":
            raise ModelError(f"torch layer {name} (Sigmoid) ends the model, but head='softmax'")
    if head is None:
        raise ModelError("torch Sequential: name the head: head='softmax' (trained with CrossEntropyLoss), 'logistic' "
                         "(BCEWithLogitsLoss) or 'linear' (MSELoss), or end the Sequential with nn.Softmax or nn.Sigmoid")
    layers = []
    current = None  # what the next module receives: ("image", (H, W, C)), ("flat", (H, W, C)), ("vector", N)
    if input_shape is not None:
        shape = tuple(input_shape)
        if len(shape) != 3 or not all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in shape):
            raise ModelError(f"input_shape={input_shape!r}: expected (C, H, W), torch's shape of one sample, three "
                             f"whole numbers >= 1")
        current = ("image", (shape[1], shape[2], shape[0]))
    image_modules = (nn.Conv2d, nn.MaxPool2d, nn.AvgPool2d, nn.AdaptiveAvgPool2d)
    if normalization and input_shape is not None:
        raise ModelError("torch Sequential: a first BatchNorm1d normalizes vectors; an image model (input_shape) cannot start with one")
    for name, m in modules:
        kind = type(m).__name__
        if type(m) in image_modules:
            current = convert_torch_image(name, m, current, layers)
        elif type(m) is nn.Linear:
            tensors = [("weight", m.weight)] + ([("bias", m.bias)] if m.bias is not None else [])
            for what, t in tensors:
                if t.dtype not in (torch.float32, torch.float64):
                    raise ModelError(f"torch layer {name} (Linear): {what} has dtype {t.dtype}, expected torch.float32 or torch.float64")
            if current is not None and current[0] == "image":
                raise ModelError(f"torch layer {name} (Linear): after an image layer without a Flatten (torch would apply "
                                 f"it to the last axis); put nn.Flatten() before it")
            w = m.weight.detach().cpu().to(torch.float64).T
            b = m.bias.detach().cpu().to(torch.float64) if m.bias is not None else torch.zeros(w.shape[1], dtype=torch.float64)
            rows = w.tolist()
            if current is not None and current[0] == "flat":
                H, W, C = current[1]
                if len(rows) != H * W * C:
                    raise ModelError(f"torch layer {name} (Linear): in_features={len(rows)}, but the Flatten before it gives "
                                     f"{C}x{H}x{W} = {H * W * C}")
                rows = hwc_rows(rows, current[1])  # torch flattens CHW, ugrad reads HWC
            layers.append({"w": rows, "b": b.tolist(), "activation": None, "name": name})
            current = ("vector", w.shape[1])
        elif type(m) in activations:
            if not layers:
                raise ModelError(f"torch layer {name} ({kind}): an activation before any Linear or image layer; {TORCH_SUPPORTED}")
            if layers[-1]["activation"] is not None:
                raise ModelError(f"torch layer {name} ({kind}): a second activation after layer {layers[-1]['act_name']}; "
                                 f"ugrad applies one activation after each Linear")
            layers[-1]["activation"], layers[-1]["act_name"] = activations[type(m)], f"{name} ({type(m).__name__})"
        elif type(m) is nn.Flatten:
            if (m.start_dim, m.end_dim) != (1, -1):
                raise ModelError(f"torch layer {name} (Flatten): start_dim={m.start_dim}, end_dim={m.end_dim}; only the "
                                 f"default (1, -1) keeps one sample a row")
            if current is not None and current[0] == "image":
                current = ("flat", current[1])
        elif type(m) is nn.BatchNorm2d:
            fold_batch_norm_2d(name, m, layers)
        elif type(m) in (nn.Identity, nn.Dropout):
            pass
        elif type(m) is nn.Softmax:
            raise ModelError(f"torch layer {name} (Softmax): a softmax only as the last module (the head)")
        else:
            raise ModelError(f"torch layer {name} ({kind}): not supported; {TORCH_SUPPORTED}")
    if not layers:
        raise ModelError("torch Sequential: no Linear layer")
    if current[0] in ("image", "flat") and current[1][:2] != (1, 1):
        raise ModelError(f"torch layer {layers[-1]['name']} ({layers[-1]['type']}): the model ends in a {current[1][2]}x"
                         f"{current[1][0]}x{current[1][1]} image; end with Flatten and Linear (or a global average pool)")
    doc = {"layers": [{k: v for k, v in l.items() if k not in ("name", "act_name")} | {"activation": l["activation"] or "identity"}
                      for l in layers], "output": head}
    return fold_affine(doc, *normalization) if normalization else doc


def convert(model, head=None, input_shape=None) -> dict:
    """The layers-format dict of a fitted scikit-learn MLPClassifier / MLPRegressor or a torch
    nn.Sequential (head: 'softmax', 'logistic' or 'linear', unless a trailing nn.Softmax or
    nn.Sigmoid names it). A torch model that starts with an image layer needs input_shape=(C, H, W),
    torch's shape of one sample; the exported network then takes that sample in HWC order:
    x[(h·W + w)·C + c] = sample[c][h][w] (convolution weights transposed to [KH][KW][C][F], the
    first Linear after a Flatten with its rows reordered from CHW to HWC). Raises ModelError with
    one line naming what cannot be exported."""
    check_head_argument(head)
    if input_shape is not None and not (sys.modules.get("torch") and isinstance(model, sys.modules["torch"].nn.Module)):
        raise ModelError("input_shape= is for a torch model that starts with an image layer")
    # Only a framework already imported can have made `model`: look for it, import nothing.
    sklearn_base, torch = sys.modules.get("sklearn.base"), sys.modules.get("torch")
    if sklearn_base is not None and isinstance(model, sklearn_base.BaseEstimator):
        return convert_sklearn(model, head)
    if torch is not None and isinstance(model, torch.nn.Module):
        return convert_torch(model, head, input_shape)
    raise ModelError(f"convert: {type(model).__name__} is not a fitted scikit-learn MLPClassifier/MLPRegressor or a "
                     f"torch nn.Sequential")


# ---- From an ONNX file: a chain of layers read from the graph, as data.

ONNX_SUPPORTED = ("ugrad takes Gemm or MatMul+Add, Conv (group 1 or depthwise), MaxPool, AveragePool, "
                  "GlobalAveragePool, BatchNormalization after a Conv; Sigmoid, Tanh, Relu, Clip(0, 6) after one; "
                  "Identity, Flatten, Reshape to [N, -1], Dropout as identities; a final Softmax or Sigmoid as the head")


def onnx_padding(where: str, attribute, size: tuple, kernel: tuple, stride: tuple) -> str:
    """"valid" or "same" for an ONNX Conv/pool's auto_pad and pads, when they equal TFLite's."""
    auto_pad = attribute("auto_pad", b"NOTSET")
    auto_pad = auto_pad.decode() if isinstance(auto_pad, bytes) else auto_pad
    totals = []
    for n, k, st in zip(size, kernel, stride):
        out = -(-n // st)
        totals.append(max((out - 1) * st + k - n, 0))
    if auto_pad == "VALID":
        return "valid"
    if auto_pad == "SAME_UPPER" or (auto_pad == "SAME_LOWER" and all(t % 2 == 0 for t in totals)):
        return "same"
    if auto_pad != "NOTSET":
        raise ModelError(f"{where}: auto_pad={auto_pad} puts the extra padding before the input; ugrad takes TFLite's "
                         f"same (SAME_UPPER), VALID, or explicit pads")
    pads = list(attribute("pads", [0, 0, 0, 0]))
    if len(pads) != 4:
        raise ModelError(f"{where}: pads={pads}; ugrad takes 2-D images")
    if pads == [0, 0, 0, 0]:
        return "valid"
    for axis, (n, k, st, total) in enumerate(zip(size, kernel, stride, totals)):
        before, after = pads[axis], pads[axis + 2]
        if before != total // 2 or (n + before + after - k) // st + 1 != -(-n // st):
            raise ModelError(f"{where}: pads={pads} are neither 0 (valid) nor TFLite's same for a {size[0]}x{size[1]} "
                             f"input (kernel {kernel[0]}x{kernel[1]}, stride {stride[0]}x{stride[1]})")
    return "same"


def onnx_image_layer(where: str, op: str, attribute, weight, bias, current) -> tuple:
    """(layer, what it gives) of an ONNX Conv, MaxPool, AveragePool or GlobalAveragePool node."""
    if current is None or current[0] != "image":
        raise ModelError(f"{where}: an image operator needs an image input ([N, C, H, W] with C, H, W fixed in the graph "
                         f"input); after a Flatten or Gemm ugrad has no way back")
    H, W, C = current[1]
    if op == "GlobalAveragePool":
        return {"type": "global_average_pool", "input": [H, W, C], "activation": None}, ("image", (1, 1, C))
    kernel = tuple(attribute("kernel_shape", weight.shape[2:] if weight is not None else []))
    if len(kernel) != 2:
        raise ModelError(f"{where}: kernel_shape={list(kernel)}; ugrad takes 2-D kernels")
    stride = tuple(attribute("strides", [1, 1]))
    if len(stride) != 2 or min(stride) < 1:
        raise ModelError(f"{where}: strides={list(stride)}; ugrad takes two strides >= 1")
    if list(attribute("dilations", [1, 1])) != [1, 1]:
        raise ModelError(f"{where}: dilations={list(attribute('dilations', [1, 1]))}; ugrad's layers have dilation 1")
    if op != "Conv" and attribute("ceil_mode", 0):
        raise ModelError(f"{where}: ceil_mode=1; ugrad's pools size their output as TFLite (floor for valid)")
    padding = onnx_padding(where, attribute, (H, W), kernel, stride)
    if padding == "valid" and (kernel[0] > H or kernel[1] > W):
        raise ModelError(f"{where}: kernel {kernel[0]}x{kernel[1]} does not fit in its {H}x{W} input")
    oh, ow = (-(-H // stride[0]), -(-W // stride[1])) if padding == "same" else \
        ((H - kernel[0]) // stride[0] + 1, (W - kernel[1]) // stride[1] + 1)
    if op == "Conv":
        if weight is None or weight.ndim != 4:
            raise ModelError(f"{where}: the weight must be a 4-D constant [F, C/group, KH, KW]")
        group, F = attribute("group", 1), weight.shape[0]
        if group != 1 and not (group == C and F == C and weight.shape[1] == 1):
            raise ModelError(f"{where}: group={group} with {C} input and {F} output channels; ugrad takes group=1, or "
                             f"group = input = output channels (depthwise, multiplier 1)")
        if group == 1 and weight.shape[1] != C:
            raise ModelError(f"{where}: the weight takes {weight.shape[1]} channels, its input has {C}")
        b = bias if bias is not None else [0.0] * F
        if len(list(b)) != F:
            raise ModelError(f"{where}: the bias has {len(list(b))} values, expected {F}")
        layer = {"type": "conv2d" if group == 1 else "depthwise_conv2d", "input": [H, W, C], "kernel": list(kernel),
                 "stride": list(stride), "padding": padding, "b": [float(v) for v in b], "activation": None}
        if group == 1:
            layer["w"], layer["filters"] = weight.transpose(2, 3, 1, 0).tolist(), F
        else:
            layer["w"] = weight[:, 0].transpose(1, 2, 0).tolist()
        return layer, ("image", (oh, ow, F))
    if op == "AveragePool" and padding == "same" and attribute("count_include_pad", 0):
        raise ModelError(f"{where}: count_include_pad=1 with padding; ugrad averages the taps inside the input")
    kind = "max_pool2d" if op == "MaxPool" else "average_pool2d"
    return ({"type": kind, "input": [H, W, C], "window": list(kernel), "stride": list(stride), "padding": padding,
             "activation": None}, ("image", (oh, ow, C)))


def onnx_dense_rows(where: str, w, shape):
    """A Gemm/MatMul's weight [In][Out]; after a Flatten of an image, its rows reordered from ONNX's
    CHW flattening to ugrad's HWC order (as hwc_rows for torch)."""
    if shape is None:
        return w
    if shape[0] == "image":
        raise ModelError(f"{where}: after an image operator without a Flatten; put a Flatten (or Reshape to [N, -1]) before it")
    H, W, C = shape[1]
    if w.shape[0] != H * W * C:
        raise ModelError(f"{where}: the weight takes {w.shape[0]} inputs, but the Flatten before it gives {C}x{H}x{W} = {H * W * C}")
    return w.reshape(C, H, W, -1).transpose(1, 2, 0, 3).reshape(H * W * C, -1)


def load_onnx(raw: bytes, path: str, head) -> dict:
    try:
        import numpy as np
        import onnx
        from onnx import numpy_helper
    except ImportError as err:
        raise ModelError(f"{path}: reading ONNX needs the onnx and numpy packages ({err.name} is missing; Debian: python3-onnx)")
    model = onnx.ModelProto()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # protobuf warns of some malformed input rather than failing
            model.ParseFromString(raw)
    except Exception as err:  # protobuf's DecodeError, its warning, or a RecursionError on absurd nesting
        raise ModelError(f"{path}: not an ONNX model (the protobuf reader says {type(err).__name__})")
    if model.ir_version <= 0 or not model.HasField("graph") or not model.graph.node:
        raise ModelError(f"{path}: not an ONNX model (no IR version or no graph nodes)")
    g = model.graph
    float_types = {onnx.TensorProto.FLOAT: "float", onnx.TensorProto.DOUBLE: "double"}

    def type_name(t):
        return onnx.TensorProto.DataType.Name(t) if t in onnx.TensorProto.DataType.values() else str(t)

    def label(node):
        return f"node '{node.name}' ({node.op_type})" if node.name else f"node #{list(g.node).index(node)} ({node.op_type})"

    def tensor_array(t, where):
        if t.data_location == onnx.TensorProto.EXTERNAL:
            raise ModelError(f"{path}: {where} keeps its data in an external file; ugrad reads one self-contained file")
        if t.data_type not in float_types:
            raise ModelError(f"{path}: {where} has element type {type_name(t.data_type)}, expected FLOAT or DOUBLE")
        try:
            return numpy_helper.to_array(t).astype(np.float64)
        except Exception as err:
            raise ModelError(f"{path}: {where} is malformed ({type(err).__name__})")

    constants = {t.name: ("initializer", t) for t in g.initializer}
    nodes = []
    for node in g.node:
        if node.domain not in ("", "ai.onnx"):
            raise ModelError(f"{path}: {label(node)}: operator of domain {node.domain!r} is not supported; {ONNX_SUPPORTED}")
        if node.op_type == "Constant":
            attrs = {a.name: a for a in node.attribute}
            if "value" not in attrs or len(node.output) != 1:
                raise ModelError(f"{path}: {label(node)}: only a Constant with a tensor 'value' is supported")
            constants[node.output[0]] = (label(node), attrs["value"].t)
        else:
            nodes.append(node)

    # Every value produced once; then Kahn's algorithm: whatever is never freed lies on a cycle.
    producer = {}
    for i, node in enumerate(nodes):
        for out in node.output:
            if out in producer or out in constants:
                raise ModelError(f"{path}: {label(node)}: value '{out}' is produced twice")
            if out:
                producer[out] = i
    waiting = [sum(1 for v in node.input if v in producer) for node in nodes]
    ready = [i for i, n in enumerate(waiting) if n == 0]
    done = 0
    while ready:
        i = ready.pop()
        done += 1
        for j, node in enumerate(nodes):
            for v in node.input:
                if producer.get(v) == i:
                    waiting[j] -= 1
                    if waiting[j] == 0:
                        ready.append(j)
    if done != len(nodes):
        stuck = next(node for j, node in enumerate(nodes) if waiting[j] > 0)
        raise ModelError(f"{path}: the graph has a cycle through {label(stuck)}")

    inputs = [v for v in g.input if v.name not in constants]
    if len(inputs) != 1:
        raise ModelError(f"{path}: the graph has {len(inputs)} inputs ({', '.join(v.name for v in inputs)}), ugrad takes one")
    if len(g.output) != 1:
        raise ModelError(f"{path}: the graph has {len(g.output)} outputs, ugrad gives one")
    x = inputs[0]
    elem = x.type.tensor_type.elem_type
    if elem not in float_types:
        raise ModelError(f"{path}: graph input '{x.name}' has element type {type_name(elem)}, expected FLOAT or DOUBLE")
    final = g.output[0].name

    consumers = {}
    for i, node in enumerate(nodes):
        for v in node.input:
            if v and v not in constants:
                consumers.setdefault(v, []).append(i)

    def constant(node, k):
        """The node's k-th input as an array; it must be an initializer or a Constant."""
        if k >= len(node.input) or not node.input[k]:
            return None
        name = node.input[k]
        if name not in constants:
            raise ModelError(f"{path}: {label(node)}: input '{name}' is computed in the graph; ugrad needs it constant "
                             f"(an initializer)")
        where, t = constants[name]
        return tensor_array(t, f"{where} '{name}'" if where == "initializer" else f"the tensor of {where}")

    def attribute(node, name, default):
        for a in node.attribute:
            if a.name == name:
                return onnx.helper.get_attribute_value(a)
        return default

    layers, visited = [], set()
    current, head_from_graph = x.name, None
    dims = x.type.tensor_type.shape.dim
    shape = None  # what the next node receives: ("image", (H, W, C)), ("flat", (H, W, C)) or None (vectors)
    if len(dims) == 4 and all(d.HasField("dim_value") for d in dims[1:]):
        shape = ("image", (dims[2].dim_value, dims[3].dim_value, dims[1].dim_value))
    while current != final:
        users = consumers.get(current, [])
        if not users:
            raise ModelError(f"{path}: value '{current}' is used by no node and is not the graph output")
        if len(users) > 1:
            names = ", ".join(label(nodes[i]) for i in users)
            raise ModelError(f"{path}: value '{current}' feeds {len(users)} nodes ({names}); ugrad needs a chain of layers")
        i = users[0]
        node, op = nodes[i], nodes[i].op_type
        visited.add(i)
        if not node.input or node.input[0] != current:
            raise ModelError(f"{path}: {label(node)}: the data must be its first input")
        used_outputs = [o for o in node.output[1:] if o and (o in consumers or o == final)]
        if used_outputs:
            raise ModelError(f"{path}: {label(node)}: its output '{used_outputs[0]}' is used; ugrad keeps one value per layer")
        out = node.output[0]
        if op == "Gemm":
            alpha, beta = attribute(node, "alpha", 1.0), attribute(node, "beta", 1.0)
            if attribute(node, "transA", 0) != 0:
                raise ModelError(f"{path}: {label(node)}: transA=1 is not supported")
            if alpha != 1.0 or beta != 1.0:
                raise ModelError(f"{path}: {label(node)}: alpha={alpha}, beta={beta}; only 1 and 1 are supported")
            w = constant(node, 1)
            if w is None or w.ndim != 2:
                raise ModelError(f"{path}: {label(node)}: the weight must be a 2-D constant")
            if attribute(node, "transB", 0):
                w = w.T
            b = constant(node, 2)
            w = onnx_dense_rows(f"{path}: {label(node)}", w, shape)
            shape = None
            layers.append({"w": w, "b": b, "activation": None, "node": label(node)})
        elif op == "MatMul":
            w = constant(node, 1)
            if w is None or w.ndim != 2:
                raise ModelError(f"{path}: {label(node)}: the weight must be a 2-D constant")
            w = onnx_dense_rows(f"{path}: {label(node)}", w, shape)
            shape = None
            layers.append({"w": w, "b": None, "activation": None, "node": label(node), "matmul": True})
        elif op == "Add":
            if not layers or "type" in layers[-1] or layers[-1]["b"] is not None or layers[-1]["activation"] is not None:
                raise ModelError(f"{path}: {label(node)}: an Add is supported only as the bias right after a MatMul "
                                 f"(or a Gemm without one)")
            b = constant(node, 1)
            if b is None:
                raise ModelError(f"{path}: {label(node)}: the bias must be a constant")
            layers[-1]["b"] = b
        elif op in ("Conv", "MaxPool", "AveragePool", "GlobalAveragePool"):
            where = f"{path}: {label(node)}"
            if op == "Conv":
                weight, bias = constant(node, 1), constant(node, 2)
            else:
                weight = bias = None
            layer, shape = onnx_image_layer(where, op, lambda name, default: attribute(node, name, default), weight,
                                            bias.reshape(-1) if bias is not None else None, shape)
            layer["node"] = label(node)
            layers.append(layer)
        elif op == "BatchNormalization":
            where = f"{path}: {label(node)}"
            previous = layers[-1] if layers else None
            if previous is None or previous.get("type") not in ("conv2d", "depthwise_conv2d") or previous["activation"] is not None:
                raise ModelError(f"{where}: ugrad folds a BatchNormalization only into the Conv right before it (before its activation)")
            if attribute(node, "training_mode", 0):
                raise ModelError(f"{where}: training_mode=1; export the model for inference")
            gamma, beta, mean, var = (constant(node, k) for k in (1, 2, 3, 4))
            if any(v is None for v in (gamma, beta, mean, var)):
                raise ModelError(f"{where}: scale, B, input_mean and input_var must be constants")
            F = len(previous["b"])
            if any(v.size != F for v in (gamma, beta, mean, var)):
                raise ModelError(f"{where}: its parameters have {gamma.size} values, the Conv gives {F} channels")
            eps = float(attribute(node, "epsilon", 1e-5))
            if not np.all(np.isfinite(var)) or np.any(var + eps <= 0) or not np.all(np.isfinite(mean)):
                raise ModelError(f"{where}: input_mean and input_var + epsilon must be finite, the latter positive")
            a = gamma.reshape(-1) / np.sqrt(var.reshape(-1) + eps)
            w = np.asarray(previous["w"], dtype=np.float64) * a  # the last axis is the output channel
            b = (np.asarray(previous["b"], dtype=np.float64) - mean.reshape(-1)) * a + beta.reshape(-1)
            if not np.all(np.isfinite(w)) or not np.all(np.isfinite(b)):
                raise ModelError(f"{where}: folding it into the Conv gives non-finite weights")
            previous["w"], previous["b"] = w.tolist(), b.tolist()
        elif op == "Clip":
            if node.input[1:2] and node.input[1]:
                low, high = constant(node, 1), constant(node, 2) if len(node.input) > 2 and node.input[2] else None
                low = float(low.reshape(-1)[0]) if low is not None else None
                high = float(high.reshape(-1)[0]) if high is not None else None
            else:
                low, high = attribute(node, "min", None), attribute(node, "max", None)
            if (low, high) != (0.0, 6.0):
                raise ModelError(f"{path}: {label(node)}: Clip({low}, {high}); ugrad takes Clip(0, 6), ReLU6")
            if not layers:
                raise ModelError(f"{path}: {label(node)}: an activation before any layer; {ONNX_SUPPORTED}")
            if layers[-1]["activation"] is not None:
                raise ModelError(f"{path}: {label(node)}: a second activation after {layers[-1]['activation'][1]}; "
                                 f"ugrad applies one activation after each layer")
            layers[-1]["activation"] = ("relu6", label(node))
        elif op == "Reshape":
            target = constant(node, 1)
            size = shape[1][0] * shape[1][1] * shape[1][2] if shape is not None else None
            if target is None or target.size != 2 or int(target[0]) not in (0, 1, -1) or \
                    int(target[1]) not in (-1,) + ((size,) if size else ()):
                raise ModelError(f"{path}: {label(node)}: a Reshape is supported only as a flatten to [N, -1]")
            if shape is not None and shape[0] == "image":
                shape = ("flat", shape[1])
        elif op in ("Sigmoid", "Tanh", "Relu"):
            is_last = out == final
            if is_last and op == "Sigmoid" and head in (None, "logistic"):
                head_from_graph = "logistic"
            elif is_last and op == "Sigmoid" and head == "softmax":
                raise ModelError(f"{path}: {label(node)} ends the graph, but --head softmax")
            else:
                if not layers:
                    raise ModelError(f"{path}: {label(node)}: an activation before any Gemm/MatMul; {ONNX_SUPPORTED}")
                if layers[-1]["activation"] is not None:
                    raise ModelError(f"{path}: {label(node)}: a second activation after {layers[-1]['activation'][1]}; "
                                     f"ugrad applies one activation after each layer")
                layers[-1]["activation"] = ({"Sigmoid": "sigmoid", "Tanh": "tanh", "Relu": "relu"}[op], label(node))
        elif op in ("Identity", "Dropout"):
            if op == "Dropout" and len(node.input) > 2 and node.input[2]:
                mode = constant(node, 2)
                if mode is not None and mode.size == 1 and bool(mode.reshape(-1)[0]):
                    raise ModelError(f"{path}: {label(node)}: training_mode is true; export the model for inference")
        elif op == "Flatten":
            if attribute(node, "axis", 1) != 1:
                raise ModelError(f"{path}: {label(node)}: axis={attribute(node, 'axis', 1)}; only axis=1 keeps one sample a row")
            if shape is not None and shape[0] == "image":
                shape = ("flat", shape[1])
        elif op == "Softmax":
            opset = next((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), 13)
            axis = attribute(node, "axis", -1 if opset >= 13 else 1)
            if out != final:
                raise ModelError(f"{path}: {label(node)}: a Softmax only as the last node (the head)")
            if axis not in (1, -1):
                raise ModelError(f"{path}: {label(node)}: axis={axis}; the head is a softmax over the features (axis 1 or -1)")
            if head not in (None, "softmax"):
                raise ModelError(f"{path}: {label(node)} ends the graph, but --head {head}")
            head_from_graph = "softmax"
        else:
            raise ModelError(f"{path}: {label(node)}: operator {op} is not supported; {ONNX_SUPPORTED}")
        current = out
    unused = [nodes[i] for i in range(len(nodes)) if i not in visited]
    if unused:
        raise ModelError(f"{path}: {label(unused[0])}: not on the path from the graph input to its output")
    if not layers:
        raise ModelError(f"{path}: the graph has no Gemm or MatMul layer")
    if shape is not None and shape[1][:2] != (1, 1):
        raise ModelError(f"{path}: the graph ends in a {shape[1][2]}x{shape[1][0]}x{shape[1][1]} image; end with Flatten "
                         f"and Gemm (or a GlobalAveragePool)")
    head = head_from_graph or head
    if head is None:
        raise ModelError(f"{path}: the graph ends in logits (no final Softmax or Sigmoid): name the head with "
                         f"--head softmax|logistic|linear")
    doc_layers = []
    for layer in layers:
        if "type" in layer:
            act = layer["activation"][0] if layer["activation"] else "identity"
            doc_layers.append({k: v for k, v in layer.items() if k != "node"} | {"activation": act})
            continue
        w = layer["w"]
        n_out = w.shape[1]
        b = layer["b"] if layer["b"] is not None else np.zeros(n_out)
        if b.size == 1 and n_out != 1:
            b = np.full(n_out, b.reshape(-1)[0])
        if b.shape not in ((n_out,), (1, n_out)):
            raise ModelError(f"{path}: {layer['node']}: the bias has shape {list(b.shape)}, expected [{n_out}]")
        act = layer["activation"][0] if layer["activation"] else "identity"
        doc_layers.append({"w": w.tolist(), "b": b.reshape(-1).tolist(), "activation": act})
    n_in = len(doc_layers[0]["w"]) if "type" not in doc_layers[0] else None
    if n_in is not None and len(dims) >= 2 and all(d.HasField("dim_value") for d in dims[1:]):
        features = 1
        for d in dims[1:]:
            features *= d.dim_value
        if features != n_in:
            raise ModelError(f"{path}: graph input '{x.name}' has {features} features per sample, the first layer takes {n_in}")
    try:
        return load_doc({"layers": doc_layers, "output": head}, path)
    except ModelError as err:
        # A shape that does not chain: name the nodes rather than the layer index.
        raise ModelError(f"{err} (layers in graph order: {', '.join(l['node'] for l in layers)})")


def load_tflite(raw: bytes, path: str) -> dict:
    """A float `.tflite` model (tools/tflite/float_import.py) as the layers model, or ModelError (one line)."""
    # A file that is no .tflite at all is refused as such whether or not numpy is installed.
    if len(raw) < 8 or raw[4:8] != b"TFL3":
        raise ModelError(f"{path}: file identifier {raw[4:8]!r} is not b'TFL3' (not a .tflite model)")
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "tflite"))
    try:
        import reader
        import float_import
    except ImportError as err:
        raise ModelError(f"{path}: reading .tflite needs numpy ({err.name} is missing; Debian: python3-numpy)")
    try:
        doc = float_import.layers_document(reader.read(raw), path)
    except reader.TfliteError as err:
        raise ModelError(f"{path}: {err}")
    except float_import.Refused as err:
        raise ModelError(str(err))
    return load_doc(doc, path)


def tflite_int8_header(raw: bytes, path: str, name: str, note: str):
    """(header text, plan) of an int8 `.tflite` model (tools/tflite/int8_export.py), None for a model
    whose input is not int8 (the float path then reads it), or ModelError (one line)."""
    if len(raw) < 8 or raw[4:8] != b"TFL3":
        return None  # load_tflite refuses it
    sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "tflite"))
    try:
        import reader
        import int8_export
    except ImportError as err:
        raise ModelError(f"{path}: reading .tflite needs numpy ({err.name} is missing; Debian: python3-numpy)")
    try:
        model = reader.read(raw)
    except reader.TfliteError as err:
        raise ModelError(f"{path}: {err}")
    if not model.inputs or model.tensors[model.inputs[0]].dtype != "int8":
        return None
    try:
        return int8_export.header_text(model, name, os.path.basename(path), note)
    except int8_export.Refused as err:
        raise ModelError(str(err))


# ---- The header (and, for C programs, the C declarations and their C++ definitions).

def c_list(values: list, indent: str, per_line: int = 6) -> str:
    lines = []
    for start in range(0, len(values), per_line):
        lines.append(indent + ", ".join(hex_literal(v) for v in values[start:start + per_line]) + ",")
    return "\n".join(lines)


def layer_type(layer: dict, value_type: str = "float") -> str:
    """One layer's C++ type: ugrad::Dense<In, Out, Act> (with T = double when value_type is), or an image layer's."""
    if "type" in layer:
        return image_type(layer, value_type)
    t = "" if value_type == "float" else f", {value_type}"
    return f"ugrad::Dense<{len(layer['w'])}, {len(layer['b'])}, ugrad::{ACTIVATIONS[layer['activation']]}{t}>"


def type_name(model: dict, value_type: str = "float") -> str:
    """The C++ type the header defines, e.g. ugrad::Network<ugrad::Softmax, ugrad::Dense<4, 3, ugrad::Relu>, ...>."""
    if model["kind"] == "mlp":
        n_in, hidden, out = model["shape"]
        return f"ugrad::Mlp<{n_in}, {hidden}, {out}>"
    layers = [layer_type(l, value_type) for l in model["layers"]]
    return f"ugrad::Network<ugrad::{HEADS[model['output']]}, {', '.join(layers)}>"


def mlp_body(model: dict) -> list:
    n_in, hidden, out = model["shape"]
    lines = [f"    {{  // w1 [{n_in}][{hidden}]"]
    for i, row in enumerate(model["w1"]):
        lines += [f"        {{  // w1[{i}]", c_list(row, " " * 12), "        },"]
    lines += ["    },", f"    {{  // b1 [{hidden}]", c_list(model["b1"], " " * 8), "    },"]
    lines.append(f"    {{  // w2 [{hidden}][{out}]")
    for j, row in enumerate(model["w2"]):
        lines += [f"        {{  // w2[{j}]", c_list(row, " " * 12), "        },"]
    lines += ["    },", f"    {{  // b2 [{out}]", c_list(model["b2"], " " * 8), "    },"]
    return lines


def nested_list(values, name: str, indent: int) -> list:
    """The braces of a nested list (the innermost as rows of literals), each opened with its index."""
    if not isinstance(values[0], list):
        return [c_list(values, " " * indent)]
    lines = []
    for i, v in enumerate(values):
        lines += [" " * indent + f"{{  // {name}[{i}]"] + nested_list(v, f"{name}[{i}]", indent + 4) + [" " * indent + "},"]
    return lines


def image_layer_lines(layer: dict, indent: int, label: str) -> list:
    """The aggregate initializer of one image layer, `{...},` over several lines: a convolution's
    {w, b}, a pool's {}, a residual block's {{branch layer 0, {layer 1, {...}}}, shortcut}."""
    pad = " " * indent
    kind = layer["type"]
    lines = [f"{pad}{{  // {label}"]
    if kind == "residual":
        def chain(layers, depth, j):
            inner = " " * (indent + 4 * depth)
            out = [f"{inner}{{  // branch layers {j}..{j + len(layers) - 1}"]
            out += image_layer_lines(layers[0], indent + 4 * depth + 4, f"branch[{j}]: {describe_layer(layers[0])}")
            if len(layers) > 1:
                out += chain(layers[1:], depth + 1, j + 1)
            return out + [f"{inner}}},"]
        lines += chain(layer["branch"], 1, 0)
        if layer["shortcut"] is None:
            lines.append(f"{pad}    {{}},  // the identity shortcut")
        else:
            lines += image_layer_lines(layer["shortcut"], indent + 4, f"shortcut: {describe_layer(layer['shortcut'])}")
    elif "w" in layer:
        dims = "[KH][KW][C][F]" if kind == "conv2d" else "[KH][KW][C]"
        lines.append(f"{pad}    {{  // w {dims}")
        for i, v in enumerate(layer["w"]):
            lines += [f"{pad}        {{  // w[{i}]"] + nested_list(v, f"w[{i}]", indent + 12) + [f"{pad}        }},"]
        lines += [f"{pad}    }},", f"{pad}    {{  // b [{len(layer['b'])}]", c_list(layer["b"], pad + " " * 8), f"{pad}    }},"]
    return lines + [f"{pad}}},"]


def network_body(model: dict) -> list:
    lines = []
    for k, layer in enumerate(model["layers"]):
        if "type" in layer:
            lines += image_layer_lines(layer, 4, f"layer {k}: {describe_layer(layer)}")
            continue
        n_in, n_out = len(layer["w"]), len(layer["b"])
        lines.append(f"    {{  // layer {k}: Dense<{n_in}, {n_out}, {ACTIVATIONS[layer['activation']]}>")
        lines.append(f"        {{  // w [{n_in}][{n_out}]")
        for i, row in enumerate(layer["w"]):
            lines += [f"            {{  // w[{i}]", c_list(row, " " * 16), "            },"]
        lines += ["        },", f"        {{  // b [{n_out}]", c_list(layer["b"], " " * 12), "        },", "    },"]
    return lines


def header_text(model: dict, name: str, source: str, note: str) -> str:
    if model["kind"] == "mlp":
        n_in, hidden, out = model["shape"]
        shapes = f"// {type_name(model)}: w1 [{n_in}][{hidden}], b1 [{hidden}], w2 [{hidden}][{out}], b2 [{out}];"
        body = mlp_body(model)
        declaration = f"inline constexpr {type_name(model)} {name} = {{"
    elif "image" in model:
        first = model["layers"][0]
        x_shape = (f"x is an image [{first['input'][0]}][{first['input'][1]}][{first['input'][2]}] in HWC order (channels "
                   f"innermost: x[(h*W + w)*C + c]; an NCHW sample s[c][h][w], torch's, goes there)" if "type" in first else f"x [{model['shape'][0]}]")
        shapes = (f"// ugrad::Network: {x_shape};\n// " + "; ".join(describe_layer(l) for l in model["layers"])
                  + f"; {model['output']} head;")
        body = network_body(model)
        indent = " " * len("inline constexpr ugrad::Network<")
        declaration = (f"inline constexpr ugrad::Network<ugrad::{HEADS[model['output']]},\n"
                       + ",\n".join(indent + layer_type(l) for l in model["layers"]) + f"> {name} = {{")
    else:
        shapes = (f"// ugrad::Network, {'-'.join(str(n) for n in model['shape'])}: "
                  + ", ".join(f"{l['activation']}" for l in model["layers"]) + f"; {model['output']} head;")
        body = network_body(model)
        dense = [f"ugrad::Dense<{len(l['w'])}, {len(l['b'])}, ugrad::{ACTIVATIONS[l['activation']]}>" for l in model["layers"]]
        indent = " " * len("inline constexpr ugrad::Network<")
        declaration = (f"inline constexpr ugrad::Network<ugrad::{HEADS[model['output']]},\n"
                       + ",\n".join(indent + d for d in dense) + f"> {name} = {{")
    lines = [f"// Generated by tools/export_model.py from {source}; do not edit by hand.", shapes,
             "// every value an exact float32, written as a hex-float literal."]
    if note:
        lines.append(f"// {note}")
    lines += ["#pragma once", "", "#include <ugrad/ugrad.hpp>", "", declaration] + body + ["};"]
    return "\n".join(lines) + "\n"


def activation_floats(model: dict) -> int:
    """How many floats Network::Activations holds: for each layer its output y and the slope
    act′(r) that backward multiplies by, and for the head ŷ (and log ŷ for Softmax)."""
    # include/ugrad/network.hpp's NetworkActivations; a wrong count stops the C++ file compiling.
    per_layer = sum(len(l["b"]) * (2 if l["activation"] == "sigmoid" else 1) for l in model["layers"])
    return per_layer + model["shape"][-1] * {"softmax": 2, "logistic": 3, "linear": 0}[model["output"]]


def c_header_text(model: dict, name: str, source: str) -> str:
    guard = f"UGRAD_MODEL_{name.upper()}_H"
    if model["kind"] == "mlp":
        n_in, hidden, out = model["shape"]
        return "\n".join([
            f"/* Generated by tools/export_model.py from {source}; do not edit by hand.",
            f" * The C interface of the model {name} (In {n_in}, Hidden {hidden}, Out {out}):",
            f" *   ugrad_status {name}_forward(const float x[{n_in}], {name}_activations *act);",
            f" *   ugrad_status {name}_cross_entropy(const {name}_activations *act, size_t label, float *loss);",
            f" *   ugrad_status {name}_input_gradient(const {name}_activations *act, size_t label, float dx[{n_in}]);",
            f" * defined in the C++ file exported next to this one. */",
            f"#ifndef {guard}",
            f"#define {guard}",
            "",
            "#include <ugrad/ugrad.h>",
            "",
            f"UGRAD_C_DECLARE({name}, {n_in}, {hidden}, {out})",
            "",
            f"#endif /* {guard} */",
        ]) + "\n"
    n_in, out = model["shape"][0], model["shape"][-1]
    label = "" if model["output"] == "linear" else f"\n *   ugrad_status {name}_input_gradient(const {name}_activations *act, size_t label, float dx[{n_in}]);"
    return "\n".join([
        f"/* Generated by tools/export_model.py from {source}; do not edit by hand.",
        f" * The C interface of the model {name} ({'-'.join(str(n) for n in model['shape'])}, {model['output']} head):",
        f" *   ugrad_status {name}_forward(const float x[{n_in}], {name}_activations *act);",
        f" *   void {name}_outputs(const {name}_activations *act, float y[{out}]);",
        f" *   ugrad_status {name}_loss_target(const {name}_activations *act, const float target[{out}], float *loss);"
        f"{label}",
        f" * and the others of UGRAD_C_DECLARE_NETWORK in <ugrad/ugrad.h>, defined in the C++ file exported",
        f" * next to this one. */",
        f"#ifndef {guard}",
        f"#define {guard}",
        "",
        "#include <ugrad/ugrad.h>",
        "",
        f"UGRAD_C_DECLARE_NETWORK({name}, {n_in}, {out}, {activation_floats(model)})",
        "",
        f"#endif /* {guard} */",
    ]) + "\n"


def c_source_text(model: dict, name: str, source: str, hpp: str, h: str) -> str:
    define = "UGRAD_C_DEFINE" if model["kind"] == "mlp" else "UGRAD_C_DEFINE_NETWORK"
    return "\n".join([
        f"// Generated by tools/export_model.py from {source}; do not edit by hand.",
        f"// Defines the C interface declared in {h}: compile with a C++17 compiler, link with the C program.",
        f'#include "{hpp}"',
        f'#include "{h}"',
        "",
        f"{define}({name})",
    ]) + "\n"


def write_all(files: dict) -> None:
    """Write every file or none: each goes to a temporary file first, then all are renamed."""
    staged = []
    umask = os.umask(0)
    os.umask(umask)
    try:
        for path, text in files.items():
            directory = os.path.dirname(os.path.abspath(path))
            fd, tmp = tempfile.mkstemp(dir=directory, prefix=".export_model.", suffix=".tmp")
            staged.append((tmp, path))
            os.chmod(tmp, 0o666 & ~umask)  # mkstemp makes 0600; give the usual mode of a new file
            with os.fdopen(fd, "w") as f:
                f.write(text)
        for tmp, path in staged:
            os.replace(tmp, path)
    finally:
        for tmp, _ in staged:
            if os.path.exists(tmp):
                os.unlink(tmp)


def check_destination(name: str, out: str, note: str) -> None:
    check_name(name)
    if "\n" in note or "\r" in note:
        raise ModelError("--note must be one line")
    out_dir = os.path.dirname(os.path.abspath(out))
    if not os.path.isdir(out_dir):
        raise ModelError(f"--out {out}: directory {out_dir} does not exist")


def header_files(model: dict, name: str, out: str, source: str, note: str, c_api: bool) -> dict:
    """{path: text} of everything to write for `model`, checked before anything is written."""
    check_destination(name, out, note)
    files = {out: header_text(model, name, source, note)}
    if c_api and "image" in model:
        raise ModelError("--c-api: the C interface takes dense networks only; include the C++ header (image layers) "
                         "from a C++ file instead")
    if c_api:
        stem = out[:-4] if out.endswith(".hpp") else out
        h, cpp = stem + ".h", stem + "_c_api.cpp"
        files[h] = c_header_text(model, name, source)
        files[cpp] = c_source_text(model, name, source, os.path.basename(out), os.path.basename(h))
    return files


def write_header(model_or_dict, name: str, out: str, head=None, c_api: bool = False, note: str = "",
                 input_shape=None) -> str:
    """Write the header `out` (and with c_api the C files beside it) for a layers-format dict (or
    a seed-format one), a fitted scikit-learn MLP or a torch nn.Sequential (`head` as for
    convert). Returns the C++ type written. Raises ModelError (one line) and writes nothing if
    anything cannot be exported."""
    check_head_argument(head)
    if isinstance(model_or_dict, dict):
        if head is not None:
            raise ModelError("head= is for a torch model; a dict names its head in 'output'")
        if input_shape is not None:
            raise ModelError("input_shape= is for a torch model; a dict names its first layer's 'input'")
        model = load_doc(model_or_dict, "the model dict")
        source = "a Python dict"
    else:
        model = load_doc(convert(model_or_dict, head, input_shape), f"the converted {type(model_or_dict).__name__}")
        source = f"a {type(model_or_dict).__name__} (convert)"
    write_all(header_files(model, name, out, source, note, c_api))
    return type_name(model)


# ---- The int8 model (include/ugrad/q8/) through tools/quantize.py, and its report.

def int8_layers(model: dict) -> dict:
    """The layers format of a model the int8 path takes: any stack whose last layer gives the logits
    (activation identity: the head follows), each layer within ugrad::q8::Dense's bounds."""
    if model["kind"] == "mlp":
        model = {"layers": [{"w": model["w1"], "b": model["b1"], "activation": "sigmoid"},
                            {"w": model["w2"], "b": model["b2"], "activation": "identity"}], "output": "softmax"}
    layers = model["layers"]
    image = next((f"{l['type']} (layer {k})" for k, l in enumerate(layers) if "type" in l), None)
    if image or any(l["activation"] == "relu6" for l in layers):
        raise ModelError(f"--quantize int8: ugrad::q8 takes dense layers with identity, sigmoid, tanh or relu; "
                         f"this model has {image or 'a relu6 activation'}")
    last = layers[-1]["activation"]
    if last != "identity":
        raise ModelError(f"--quantize int8: the last layer ({len(layers) - 1}) has activation {last}; the int8 path takes "
                         f"the logits from a last layer without one (identity), then the {model['output']} head")
    for k, l in enumerate(layers):
        n_in, n_out = len(l["w"]), len(l["b"])
        if n_in > 33155 or n_out > 516:
            raise ModelError(f"--quantize int8: layer {k} is {n_in}x{n_out}; ugrad::q8::Dense takes at most 33,155 inputs "
                             f"and 516 outputs (its int32 sums)")
    return {"layers": layers, "output": model["output"]}


def int8_rows(data, what: str, n_in: int, n_out: int, targets: bool = False) -> tuple:
    """(rows, labels or None) from a CSV path or from rows of In numbers (or In numbers and a label;
    with targets, In numbers and Out target values: a linear head)."""
    import quantize
    if isinstance(data, (str, os.PathLike)):
        try:
            return quantize.read_csv(os.fspath(data), n_in, n_out, targets)
        except ValueError as err:
            raise ModelError(f"{what}: {str(err).removeprefix('quantize: ')}")
    extra = n_out if targets else 1
    rows, labels = [], []
    for r, row in enumerate(data):
        row = [float(v) for v in row]
        if len(row) not in (n_in, n_in + extra) or (rows and (len(row) == n_in + extra) != bool(labels)):
            raise ModelError(f"{what}: row {r + 1} has {len(row)} values, the model takes {n_in} (and "
                             f"{f'{n_out} targets' if targets else 'a label'} may follow)")
        if not all(math.isfinite(v) for v in row):
            raise ModelError(f"{what}: row {r + 1} holds a non-finite value")
        if targets and len(row) > n_in:
            labels.append(row[n_in:])
        elif len(row) == n_in + 1:
            if row[n_in] != int(row[n_in]) or not 0 <= row[n_in] < n_out:
                raise ModelError(f"{what}: row {r + 1}: the label {row[n_in]!r} is not an integer in [0, {n_out})")
            labels.append(int(row[n_in]))
        rows.append(row[:n_in])
    if not rows:
        raise ModelError(f"{what}: the calibration data is empty" if what == "calibration" else f"{what}: no rows")
    return rows, (labels if labels else None)


def int8_files(model: dict, name: str, out: str, calibration, test, note: str) -> tuple:
    """({out: text}, report dict) of the int8 model; nothing written."""
    import q8_report
    import quantize
    check_destination(name, out, note)
    layers = int8_layers(model)
    n_in, n_out = len(layers["layers"][0]["w"]), len(layers["layers"][-1]["b"])
    linear = layers["output"] == "linear"
    # a logistic head with one output takes the labels 0 and 1
    n_labels = 2 if layers["output"] == "logistic" and n_out == 1 and not linear else n_out
    rows, labels = int8_rows(calibration, "calibration", n_in, n_labels, linear)
    try:
        q = quantize.quantize_network(layers, rows)
    except ValueError as err:
        raise ModelError(f"calibration: {str(err).removeprefix('quantize: ')}")
    if test is not None:
        rows, labels = int8_rows(test, "test", n_in, n_labels, linear)
    report = q8_report.compare(layers, q, rows, None if linear else labels, labels if linear else None)
    report["summary"] = q8_report.summary(report)
    text = quantize.q8_network_header(q, name, note)
    report["type"] = text.split(f"inline constexpr ", 3)[3].split(f" {name} =")[0]
    report["q"] = q
    return {out: text}, report


def write_int8_header(model_or_dict, name: str, out: str, calibration, test=None, head=None, note: str = "") -> dict:
    """Write the int8 header `out` for a model as write_header takes it, quantized with the
    calibration rows; returns the report (tools/q8_report.py; "summary" is one line, "type" the
    C++ type written). Raises ModelError (one line) and writes nothing on any problem."""
    check_head_argument(head)
    if isinstance(model_or_dict, dict):
        model = load_doc(model_or_dict, "the model dict")
    else:
        model = load_doc(convert(model_or_dict, head), f"the converted {type(model_or_dict).__name__}")
    files, report = int8_files(model, name, out, calibration, test, note)
    write_all(files)
    return report


# Model files the exporter does not read (they hold code or a format it has no reader for), and what
# to do instead — checked on the file name before anything is read.
UNREAD_FILES = (
    ((".pt", ".pth"), "a PyTorch file is not read (it is a pickle: loading it runs code); load the model in Python "
                      "and call export_model.write_header(model, ...), or torch.onnx.export it and pass the .onnx"),
    ((".pkl", ".pickle", ".joblib"), "a pickle/joblib file is not read (loading it runs code); load the estimator in "
                                     "Python and call export_model.write_header(model, ...)"),
    ((".h5", ".hdf5", ".keras"), "a Keras file is not read; convert the model to ONNX (tf2onnx) and pass the .onnx"),
)


class OneLineParser(argparse.ArgumentParser):
    def error(self, message):
        print(f"{PROG}: error: {message} (usage: export_model.py MODEL.json|MODEL.onnx|MODEL.tflite --name NAME --out FILE.hpp)",
              file=sys.stderr)
        sys.exit(2)


def main(argv=None) -> int:
    parser = OneLineParser(prog="export_model.py", description=__doc__.strip().splitlines()[0])
    parser.add_argument("model", metavar="MODEL.json|MODEL.onnx|MODEL.tflite")
    parser.add_argument("--name", required=True, help="the C++ name of the model (an identifier)")
    parser.add_argument("--out", required=True, metavar="FILE.hpp", help="the header to write")
    parser.add_argument("--c-api", action="store_true", help="also write FILE.h and FILE_c_api.cpp for C programs")
    parser.add_argument("--note", default="", help="one line to put in the header's comment (where the model came from)")
    parser.add_argument("--head", choices=sorted(HEADS), help="ONNX only: the head of a graph that ends in logits")
    parser.add_argument("--quantize", choices=["int8"], help="write the int8 model (include/ugrad/q8/) instead")
    parser.add_argument("--calibration", metavar="DATA.csv", help="with --quantize: the inputs that set the input range")
    parser.add_argument("--test", metavar="TEST.csv", help="with --quantize: the rows the report is on (default: calibration)")
    args = parser.parse_args(argv)
    try:
        check_destination(args.name, args.out, args.note)
        if args.quantize and not args.calibration:
            raise ModelError("--quantize int8 needs --calibration DATA.csv (the inputs that set the input range)")
        if (args.calibration or args.test) and not args.quantize:
            raise ModelError("--calibration and --test go with --quantize int8")
        if args.quantize and args.c_api:
            raise ModelError("--c-api is for the float model; the int8 model has no C interface")
        unread = next((advice for suffixes, advice in UNREAD_FILES if args.model.lower().endswith(suffixes)), None)
        if unread:
            raise ModelError(f"{args.model}: {unread}")
        onnx_file = args.model.lower().endswith(".onnx")
        if args.head and not onnx_file:
            raise ModelError("--head is for an ONNX model; the JSON names its head in 'output'")
        try:
            with open(args.model, "rb") as f:
                raw = f.read()
        except OSError as err:
            raise ModelError(f"{args.model}: cannot read: {err.strerror}")
        if onnx_file:
            model = load_onnx(raw, args.model, args.head)
        elif args.model.lower().endswith(".tflite"):
            int8_header = tflite_int8_header(raw, args.model, args.name, args.note)
            if int8_header is not None:
                if args.quantize or args.c_api:
                    raise ModelError(f"{args.model}: an int8 .tflite model is written as it is; "
                                     f"--quantize and --c-api do not apply")
                text, plan = int8_header
                write_all({args.out: text})
                print(f"{PROG}: wrote {args.out}: {args.name}_network {args.name} (int8, TFLite's kernels; "
                      f"arena {plan['arena']} B, constants {plan['flash']} B)")
                return 0
            model = load_tflite(raw, args.model)
        else:
            try:
                text = raw.decode("utf-8")
            except UnicodeDecodeError:
                raise ModelError(f"{args.model}: not valid JSON: not UTF-8 text (an ONNX model's file name ends in .onnx)")
            model = load_model(text, args.model)
        if args.quantize:
            files, report = int8_files(model, args.name, args.out, args.calibration, args.test, args.note)
        else:
            files = header_files(model, args.name, args.out, os.path.basename(args.model), args.note, args.c_api)
        write_all(files)
    except ModelError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 1
    if args.quantize:
        print(f"{PROG}: wrote {args.out}: {report['type']} {args.name}")
        print(f"{PROG}: int8 vs float on {args.test or args.calibration}, {report['summary']}")
        return 0
    print(f"{PROG}: wrote {', '.join(files)}: {type_name(model)} {args.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
