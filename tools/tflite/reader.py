#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""reader.py MODEL.tflite — read an int8 `.tflite` file (a FlatBuffer) into a plain description.

Hand-written and bounds-checked: every offset, vtable and vector is checked against the file before
it is read, and every refusal (truncated file, an offset or vtable out of range, a wrong file
identifier, more than one subgraph, an operator or option this reader does not take, a tensor whose
buffer does not hold shape × element size bytes) raises TfliteError with a one-line message.
The command line prints a one-screen summary, or that one line and exit status 1.

The field order follows the TFLite schema (schema.fbs): a table's field k sits at vtable slot k.
"""
import math
import struct
import sys
from dataclasses import dataclass, field

import numpy as np


class TfliteError(Exception):
    """The one error of this reader: a `.tflite` file it cannot or will not read."""


# TensorType → (name, numpy dtype); only these element types are accepted.
TENSOR_TYPES = {0: ("float32", np.float32), 2: ("int32", np.int32), 3: ("uint8", np.uint8),
                4: ("int64", np.int64), 7: ("int16", np.int16), 9: ("int8", np.int8)}

# BuiltinOperator codes this reader takes, and the BuiltinOptions union member each one carries.
OPERATORS = {0: ("ADD", 11), 1: ("AVERAGE_POOL_2D", 5), 3: ("CONV_2D", 1), 4: ("DEPTHWISE_CONV_2D", 2),
             6: ("DEQUANTIZE", 0), 9: ("FULLY_CONNECTED", 8), 17: ("MAX_POOL_2D", 5),
             22: ("RESHAPE", 17), 25: ("SOFTMAX", 9), 114: ("QUANTIZE", 0)}
ACTIVATIONS = {0: "NONE", 1: "RELU", 2: "RELU_N1_TO_1", 3: "RELU6"}
PADDINGS = {0: "SAME", 1: "VALID"}


@dataclass
class Quantization:
    scale: list            # float32 values, one per tensor or one per channel
    zero_point: list       # ints, same length as scale
    quantized_dimension: int = 0

    @property
    def per_channel(self):
        return len(self.scale) > 1


@dataclass
class Tensor:
    index: int
    name: str
    shape: tuple
    dtype: str
    data: object = None            # numpy array of the shape (constant tensors), else None
    quantization: Quantization = None


@dataclass
class Operator:
    index: int
    opcode: str
    inputs: list                   # tensor indices, -1 for an omitted optional input
    outputs: list
    options: dict = field(default_factory=dict)


@dataclass
class Model:
    tensors: list
    operators: list
    inputs: list
    outputs: list
    description: str = ""


class _Buf:
    """The file's bytes with checked reads; `where` names the field for the error message."""

    def __init__(self, data: bytes):
        self.b = data
        self.n = len(data)

    def need(self, pos, size, where):
        if pos < 0 or size < 0 or pos + size > self.n:
            raise TfliteError(f"{where}: bytes {pos}..{pos + size} outside the file of {self.n} bytes")

    def u8(self, pos, where):
        self.need(pos, 1, where)
        return self.b[pos]

    def i32(self, pos, where):
        self.need(pos, 4, where)
        return struct.unpack_from("<i", self.b, pos)[0]

    def u32(self, pos, where):
        self.need(pos, 4, where)
        return struct.unpack_from("<I", self.b, pos)[0]

    def u16(self, pos, where):
        self.need(pos, 2, where)
        return struct.unpack_from("<H", self.b, pos)[0]


class _Table:
    """One FlatBuffer table: its position and its vtable, both checked."""

    def __init__(self, buf: _Buf, pos: int, where: str):
        self.buf, self.pos, self.where = buf, pos, where
        buf.need(pos, 4, where)
        vt = pos - buf.i32(pos, where)
        if vt < 0 or vt + 4 > buf.n or vt % 2:
            raise TfliteError(f"{where}: vtable at {vt} out of range")
        self.vt_size = buf.u16(vt, where + " vtable")
        self.tbl_size = buf.u16(vt + 2, where + " vtable")
        if self.vt_size < 4 or self.vt_size % 2:
            raise TfliteError(f"{where}: vtable size {self.vt_size} invalid")
        buf.need(vt, self.vt_size, where + " vtable")
        buf.need(pos, self.tbl_size, where + " table")
        self.vt = vt

    def _field(self, k):
        slot = 4 + 2 * k
        if slot + 2 > self.vt_size:
            return None
        off = self.buf.u16(self.vt + slot, self.where)
        if off == 0:
            return None
        if off + 1 > self.tbl_size:
            raise TfliteError(f"{self.where}: field {k} at {off} beyond the table's {self.tbl_size} bytes")
        return self.pos + off

    def scalar(self, k, fmt, default, name):
        p = self._field(k)
        if p is None:
            return default
        size = struct.calcsize(fmt)
        self.buf.need(p, size, f"{self.where}.{name}")
        if p - self.pos + size > self.tbl_size:
            raise TfliteError(f"{self.where}.{name}: field beyond the table")
        return struct.unpack_from("<" + fmt, self.buf.b, p)[0]

    def _ref(self, k, name):
        p = self._field(k)
        if p is None:
            return None
        target = p + self.buf.u32(p, f"{self.where}.{name}")
        if target >= self.buf.n:
            raise TfliteError(f"{self.where}.{name}: offset to {target} outside the file of {self.buf.n} bytes")
        return target

    def table(self, k, name):
        t = self._ref(k, name)
        return None if t is None else _Table(self.buf, t, f"{self.where}.{name}")

    def vector(self, k, fmt, name):
        """A vector of scalars as a tuple, or of bytes as bytes (fmt 'bytes'); None if absent."""
        v = self._ref(k, name)
        if v is None:
            return None
        where = f"{self.where}.{name}"
        n = self.buf.u32(v, where)
        size = 1 if fmt == "bytes" else struct.calcsize(fmt)
        self.buf.need(v + 4, n * size, where + f" ({n} elements)")
        if fmt == "bytes":
            return self.buf.b[v + 4:v + 4 + n]
        return struct.unpack_from("<%d%s" % (n, fmt), self.buf.b, v + 4)

    def length(self, k, name):
        """The element count of vector field k (0 if absent), before any element is read."""
        v = self._ref(k, name)
        return 0 if v is None else self.buf.u32(v, f"{self.where}.{name}")

    def tables(self, k, name):
        v = self._ref(k, name)
        if v is None:
            return []
        where = f"{self.where}.{name}"
        n = self.buf.u32(v, where)
        self.buf.need(v + 4, 4 * n, where + f" ({n} elements)")
        out = []
        for i in range(n):
            p = v + 4 + 4 * i
            t = p + self.buf.u32(p, where)
            if t >= self.buf.n:
                raise TfliteError(f"{where}[{i}]: offset to {t} outside the file of {self.buf.n} bytes")
            out.append(_Table(self.buf, t, f"{where}[{i}]"))
        return out

    def string(self, k, name):
        b = self.vector(k, "bytes", name)
        if b is None:
            return ""
        try:
            return b.decode("utf-8")
        except UnicodeDecodeError:
            raise TfliteError(f"{self.where}.{name}: not UTF-8") from None


def _options(op_name, union_type, opt: _Table, where):
    """The builtin options that matter for the op, or TfliteError for one this reader does not take."""
    def act(k):
        a = opt.scalar(k, "b", 0, "fused_activation_function")
        if a not in ACTIVATIONS:
            raise TfliteError(f"{where}: {op_name} fused activation {a} not supported")
        return ACTIVATIONS[a]

    def pad(k):
        p = opt.scalar(k, "b", 0, "padding")
        if p not in PADDINGS:
            raise TfliteError(f"{where}: {op_name} padding {p} not supported")
        return PADDINGS[p]

    def positive(k, name, default):
        v = opt.scalar(k, "i", default, name)
        if v < 1 or v > 65535:
            raise TfliteError(f"{where}: {op_name} {name} {v} not supported")
        return v

    if opt is None:
        if union_type == 0 and op_name in ("DEQUANTIZE", "QUANTIZE", "RESHAPE"):
            return {}
        if union_type == 0 and op_name == "ADD":
            return {"activation": "NONE"}
        raise TfliteError(f"{where}: {op_name} has no builtin options")
    if op_name == "CONV_2D":
        return {"padding": pad(0), "stride_w": positive(1, "stride_w", 0), "stride_h": positive(2, "stride_h", 0),
                "activation": act(3), "dilation_w": positive(4, "dilation_w_factor", 1),
                "dilation_h": positive(5, "dilation_h_factor", 1)}
    if op_name == "DEPTHWISE_CONV_2D":
        return {"padding": pad(0), "stride_w": positive(1, "stride_w", 0), "stride_h": positive(2, "stride_h", 0),
                "depth_multiplier": positive(3, "depth_multiplier", 0), "activation": act(4),
                "dilation_w": positive(5, "dilation_w_factor", 1), "dilation_h": positive(6, "dilation_h_factor", 1)}
    if op_name in ("AVERAGE_POOL_2D", "MAX_POOL_2D"):
        return {"padding": pad(0), "stride_w": positive(1, "stride_w", 0), "stride_h": positive(2, "stride_h", 0),
                "filter_w": positive(3, "filter_width", 0), "filter_h": positive(4, "filter_height", 0),
                "activation": act(5)}
    if op_name == "FULLY_CONNECTED":
        if opt.scalar(1, "b", 0, "weights_format") != 0:
            raise TfliteError(f"{where}: FULLY_CONNECTED shuffled weights format not supported")
        return {"activation": act(0), "keep_num_dims": bool(opt.scalar(2, "B", 0, "keep_num_dims"))}
    if op_name == "SOFTMAX":
        beta = opt.scalar(0, "f", 0.0, "beta")
        if not (beta > 0 and beta < 1e30):
            raise TfliteError(f"{where}: SOFTMAX beta {beta} not supported")
        return {"beta": beta}
    if op_name == "ADD":
        return {"activation": act(0)}
    if op_name == "RESHAPE":
        ns = opt.vector(0, "i", "new_shape")
        return {} if ns is None else {"new_shape": tuple(ns)}
    return {}


# operator → (least number of inputs, rank of input 0 or None, rank of the constant weights or None)
_OPERANDS = {"CONV_2D": (2, 4, 4), "DEPTHWISE_CONV_2D": (2, 4, 4), "FULLY_CONNECTED": (2, None, 2),
             "AVERAGE_POOL_2D": (1, 4, None), "MAX_POOL_2D": (1, 4, None), "ADD": (2, None, None),
             "RESHAPE": (1, None, None), "SOFTMAX": (1, None, None), "QUANTIZE": (1, None, None),
             "DEQUANTIZE": (1, None, None)}


def _check_operands(op_name, ins, outs, tensors, where):
    """The operand counts and ranks the op needs: weights constant, activations of the right rank."""
    n_in, in_rank, w_rank = _OPERANDS[op_name]
    if len(ins) < n_in or len(outs) != 1 or -1 in ins[:n_in]:
        raise TfliteError(f"{where}: {op_name} with {len(ins)} inputs and {len(outs)} outputs")
    if in_rank is not None and len(tensors[ins[0]].shape) != in_rank:
        raise TfliteError(f"{where}: {op_name} input of rank {len(tensors[ins[0]].shape)}, not {in_rank}")
    if w_rank is not None:
        w = tensors[ins[1]]
        if w.data is None or len(w.shape) != w_rank:
            raise TfliteError(f"{where}: {op_name} weights not a constant of rank {w_rank}")
    if op_name in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED") and len(tensors[outs[0]].shape) < 1:
        raise TfliteError(f"{where}: {op_name} output without a shape")


def read(data: bytes) -> Model:
    """The plain description of a `.tflite` file's bytes, or TfliteError."""
    buf = _Buf(bytes(data))
    if buf.n < 8:
        raise TfliteError(f"file of {buf.n} bytes is too short for a .tflite model")
    if buf.b[4:8] != b"TFL3":
        raise TfliteError(f"file identifier {buf.b[4:8]!r} is not b'TFL3' (not a .tflite model)")
    root = buf.u32(0, "root offset")
    if root >= buf.n:
        raise TfliteError(f"root offset {root} outside the file of {buf.n} bytes")
    model = _Table(buf, root, "Model")
    version = model.scalar(0, "I", 0, "version")
    if version != 3:
        raise TfliteError(f"Model.version {version} is not 3")
    codes = []
    for i, c in enumerate(model.tables(1, "operator_codes")):
        dep = c.scalar(0, "b", 0, "deprecated_builtin_code")
        code = c.scalar(3, "i", 0, "builtin_code")
        code = max(dep, code)           # files before schema 3a wrote only the deprecated byte
        if code not in OPERATORS:
            raise TfliteError(f"operator code {i}: builtin operator {code} not supported")
        codes.append(OPERATORS[code])
    n_subgraphs = model.length(2, "subgraphs")
    if n_subgraphs != 1:
        raise TfliteError(f"{n_subgraphs} subgraphs; exactly one is supported")
    subgraphs = model.tables(2, "subgraphs")
    buffers = model.tables(4, "buffers")
    sg = subgraphs[0]
    tensors = []
    for i, t in enumerate(sg.tables(0, "tensors")):
        where = f"tensor {i}"
        shape = t.vector(0, "i", "shape")
        shape = () if shape is None else tuple(shape)
        if any(d < 1 or d > 1 << 24 for d in shape) or len(shape) > 6:
            raise TfliteError(f"{where}: shape {list(shape)} not supported")
        ttype = t.scalar(1, "b", 0, "type")
        if ttype not in TENSOR_TYPES:
            raise TfliteError(f"{where}: tensor type {ttype} not supported")
        dtype_name, dtype = TENSOR_TYPES[ttype]
        bidx = t.scalar(2, "I", 0, "buffer")
        name = t.string(3, "name")
        if t.scalar(5, "B", 0, "is_variable"):
            raise TfliteError(f"{where} ({name}): variable tensors not supported")
        if t.table(6, "sparsity") is not None:
            raise TfliteError(f"{where} ({name}): sparse tensors not supported")
        data = None
        if bidx >= len(buffers):
            raise TfliteError(f"{where} ({name}): buffer {bidx} of {len(buffers)}")
        if bidx != 0:
            b = buffers[bidx]
            raw = b.vector(0, "bytes", "data")
            if b.scalar(1, "Q", 0, "offset") or b.scalar(2, "Q", 0, "size"):
                raise TfliteError(f"{where} ({name}): buffer outside the FlatBuffer not supported")
            if raw is not None and len(raw):
                count = math.prod(shape)  # Python integers: no overflow
                want = count * np.dtype(dtype).itemsize
                if len(raw) != want:
                    raise TfliteError(f"{where} ({name}): buffer of {len(raw)} bytes, shape {list(shape)} "
                                      f"of {dtype_name} needs {want}")
                data = np.frombuffer(raw, dtype=np.dtype(dtype).newbyteorder("<")).astype(dtype).reshape(shape)
        q = t.table(4, "quantization")
        quant = None
        if q is not None:
            scale = q.vector(2, "f", "scale")
            zp = q.vector(3, "q", "zero_point")
            if q.scalar(4, "B", 0, "details_type") != 0:
                raise TfliteError(f"{where} ({name}): custom quantization details not supported")
            qd = q.scalar(6, "i", 0, "quantized_dimension")
            if scale:
                zp = zp or (0,) * len(scale)
                if len(zp) != len(scale):
                    raise TfliteError(f"{where} ({name}): {len(scale)} scales but {len(zp)} zero points")
                if any(not (s > 0 and s < 1e30) for s in scale):
                    raise TfliteError(f"{where} ({name}): quantization scale not positive and finite")
                if len(scale) > 1 and not (0 <= qd < len(shape) and shape[qd] == len(scale)):
                    raise TfliteError(f"{where} ({name}): {len(scale)} scales do not match dimension {qd} "
                                      f"of shape {list(shape)}")
                if any(z < -(1 << 31) or z >= 1 << 31 for z in zp):
                    raise TfliteError(f"{where} ({name}): zero point out of the int32 range")
                quant = Quantization(list(scale), [int(z) for z in zp], qd)
        tensors.append(Tensor(i, name, shape, dtype_name, data, quant))

    def indices(vec, where, optional=False):
        vec = () if vec is None else vec
        for v in vec:
            if not (0 <= v < len(tensors) or (optional and v == -1)):
                raise TfliteError(f"{where}: tensor index {v} of {len(tensors)}")
        return list(vec)

    operators = []
    for i, o in enumerate(sg.tables(3, "operators")):
        where = f"operator {i}"
        ci = o.scalar(0, "I", 0, "opcode_index")
        if ci >= len(codes):
            raise TfliteError(f"{where}: opcode index {ci} of {len(codes)}")
        op_name, union = codes[ci]
        ins = indices(o.vector(1, "i", "inputs"), where + " inputs", optional=True)
        outs = indices(o.vector(2, "i", "outputs"), where + " outputs")
        utype = o.scalar(3, "B", 0, "builtin_options_type")
        if utype not in (0, union):
            raise TfliteError(f"{where}: {op_name} with builtin options type {utype} (expected {union})")
        if o.vector(5, "bytes", "custom_options"):
            raise TfliteError(f"{where}: {op_name} with custom options not supported")
        opt = o.table(4, "builtin_options") if utype else None
        _check_operands(op_name, ins, outs, tensors, where)
        operators.append(Operator(i, op_name, ins, outs, _options(op_name, utype, opt, where)))
    return Model(tensors, operators, indices(sg.vector(1, "i", "inputs"), "subgraph inputs"),
                 indices(sg.vector(2, "i", "outputs"), "subgraph outputs"), model.string(3, "description"))


def read_file(path) -> Model:
    try:
        with open(path, "rb") as f:
            data = f.read()
    except OSError as e:
        raise TfliteError(f"{path}: {e.strerror}") from None
    return read(data)


def output_shape(model, op):
    return model.tensors[op.outputs[0]].shape


def macs(model, op):
    """Multiply-accumulates of one operator: conv oh·ow·cout·kh·kw·cin, depthwise oh·ow·cout·kh·kw,
    fully connected batch·out·in; 0 for the others."""
    out = output_shape(model, op)
    if op.opcode in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"):
        w = model.tensors[op.inputs[1]].shape
        n = math.prod(out)
        if op.opcode == "CONV_2D":
            return n * w[1] * w[2] * w[3]
        if op.opcode == "DEPTHWISE_CONV_2D":
            return n * w[1] * w[2]
        return n * w[1]
    return 0


def _quant_text(t):
    q = t.quantization
    if q is None:
        return "not quantized"
    if q.per_channel:
        return f"{len(q.scale)} scales (dim {q.quantized_dimension}) {min(q.scale):.3g}..{max(q.scale):.3g}"
    return f"scale {q.scale[0]:.6g} zp {q.zero_point[0]}"


def summary(model):
    lines = []
    for k, label in ((model.inputs, "input"), (model.outputs, "output")):
        for i in k:
            t = model.tensors[i]
            lines.append(f"{label} {i} {t.name!r}: {t.dtype} {list(t.shape)} {_quant_text(t)}")
    total = 0
    for op in model.operators:
        m = macs(model, op)
        total += m
        opts = " ".join(f"{k}={v}" for k, v in op.options.items())
        w = ""
        if op.opcode in ("CONV_2D", "DEPTHWISE_CONV_2D", "FULLY_CONNECTED"):
            w = f" w{list(model.tensors[op.inputs[1]].shape)} ({_quant_text(model.tensors[op.inputs[1]])})"
        lines.append(f"{op.index:3d} {op.opcode:17s} {list(model.tensors[op.inputs[0]].shape)} -> "
                     f"{list(output_shape(model, op))}{w} {opts}" + (f" MACs {m:,}" if m else ""))
    lines.append(f"{len(model.operators)} operators, {len(model.tensors)} tensors, {total:,} MACs")
    return "\n".join(lines)


def main(argv):
    if len(argv) != 2:
        print("usage: reader.py MODEL.tflite", file=sys.stderr)
        return 2
    try:
        print(summary(read_file(argv[1])))
    except TfliteError as e:
        print(f"{argv[1]}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
