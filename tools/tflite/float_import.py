# SPDX-License-Identifier: Apache-2.0
"""float_import.py — a float `.tflite` graph (tools/tflite/reader.py) as export_model's layers document.

    doc = float_import.layers_document(reader.read_file("model.tflite"), "model.tflite")

Accepted: one float32 input [1, H, W, C] or [1, N] and one float32 output; the operators CONV_2D,
DEPTHWISE_CONV_2D (depth multiplier 1), FULLY_CONNECTED, AVERAGE_POOL_2D (a whole-image window with
VALID padding is a global average pool), MAX_POOL_2D, RESHAPE (a flatten before FULLY_CONNECTED: TFLite
flattens NHWC, which is ugrad's HWC order, so no row is moved), SOFTMAX (beta 1) as the last operator
(the head; without it the head is linear), with fused activations NONE, RELU, RELU6 and dilation 1; and
ADD as the end of a residual block: one of its inputs is the last tensor of a chain of operators that
starts at the block's input and whose last operator has no fused activation (the branch); the other
is the block's input itself (identity shortcut) or a CONV_2D 1×1 of it without activation (the
shortcut layer); ADD's fused activation is the block's. Weights move to ugrad's layouts: CONV_2D
[F][KH][KW][C] → [KH][KW][C][F], DEPTHWISE_CONV_2D [1][KH][KW][C] → [KH][KW][C], FULLY_CONNECTED
[Out][In] → [In][Out]. A hybrid model's int8 weights (float activations, like MLPerf Tiny's
kws_ref_model_float32.tflite) are dequantized, w = scale·(q − zero_point) per tensor or per channel:
ugrad then runs the float network with those weights (TFLite's hybrid kernels also quantize the
activations on the fly, so their results differ slightly). Anything else (an int8 model, another
operator, an option, a graph that is not such a chain) raises Refused with one line naming it.
"""
import numpy as np

ACTIVATIONS = {"NONE": "identity", "RELU": "relu", "RELU6": "relu6"}
IMAGE_OPS = ("CONV_2D", "DEPTHWISE_CONV_2D", "AVERAGE_POOL_2D", "MAX_POOL_2D")


class Refused(Exception):
    """A float `.tflite` graph this importer does not translate (one line)."""


def _out_size(n, k, s, padding):
    return (n - k) // s + 1 if padding == "VALID" else -(-n // s)


class _Graph:
    def __init__(self, model, path):
        self.m, self.path = model, path
        self.consumers = {}
        for op in model.operators:
            for t in op.inputs:
                if t >= 0:
                    self.consumers.setdefault(t, []).append(op)
        self.visited = set()

    def where(self, op):
        return f"{self.path}: operator {op.index} {op.opcode}"

    def tensor(self, i):
        return self.m.tensors[i]

    def constant(self, op, k, what):
        if k >= len(op.inputs) or op.inputs[k] < 0:
            return None
        t = self.tensor(op.inputs[k])
        if t.data is None:
            raise Refused(f"{self.where(op)}: {what} is not a constant")
        if t.dtype == "int8" and k == 1 and t.quantization is not None:
            return self.dequantized(t)
        if t.dtype != "float32":
            raise Refused(f"{self.where(op)}: {what} '{t.name}' is {t.dtype} (a quantized model); "
                          f"the float path takes float32 weights, or int8 weights with a scale")
        return t.data.astype(np.float64)

    @staticmethod
    def dequantized(t):
        """A hybrid model's int8 weights as real numbers: scale·(q − zero_point), one scale per tensor or
        per channel of the quantized dimension (computed in double; the header rounds each to float32)."""
        q = t.quantization
        shape = [1] * len(t.shape)
        if len(q.scale) > 1:
            shape[q.quantized_dimension] = len(q.scale)
        scale = np.array(q.scale, dtype=np.float64).reshape(shape)
        zero = np.array(q.zero_point, dtype=np.float64).reshape(shape)
        return scale * (t.data.astype(np.float64) - zero)

    def activation(self, op):
        a = op.options.get("activation", "NONE")
        if a not in ACTIVATIONS:
            raise Refused(f"{self.where(op)}: fused activation {a} is not supported (NONE, RELU, RELU6)")
        return ACTIVATIONS[a]

    def image_shape(self, i, op):
        s = self.tensor(i).shape
        if len(s) != 4 or s[0] != 1:
            raise Refused(f"{self.where(op)}: tensor '{self.tensor(i).name}' of shape {list(s)} is not one NHWC image")
        return s[1:]

    def image_layer(self, op):
        """The layers-document entry of one image operator, its output shape checked against TFLite's."""
        H, W, C = self.image_shape(op.inputs[0], op)
        o = op.options
        if o.get("dilation_w", 1) != 1 or o.get("dilation_h", 1) != 1:
            raise Refused(f"{self.where(op)}: dilation {o['dilation_h']}x{o['dilation_w']} is not supported")
        stride = [o["stride_h"], o["stride_w"]]
        padding = o["padding"]
        act = self.activation(op)
        if op.opcode == "CONV_2D":
            w = self.constant(op, 1, "the weights")
            F, KH, KW, Cw = w.shape
            if Cw != C:
                raise Refused(f"{self.where(op)}: weights of {Cw} channels over an input of {C}")
            b = self.constant(op, 2, "the bias")
            layer = {"type": "conv2d", "filters": F, "kernel": [KH, KW],
                     "w": w.transpose(1, 2, 3, 0).tolist()}
            out_c = F
        elif op.opcode == "DEPTHWISE_CONV_2D":
            w = self.constant(op, 1, "the weights")
            if o["depth_multiplier"] != 1 or w.shape[0] != 1 or w.shape[3] != C:
                raise Refused(f"{self.where(op)}: depth multiplier {o['depth_multiplier']} (weights {list(w.shape)} "
                              f"over {C} channels); only 1 is supported")
            _, KH, KW, _ = w.shape
            b = self.constant(op, 2, "the bias")
            layer = {"type": "depthwise_conv2d", "kernel": [KH, KW], "w": w[0].tolist()}
            F = out_c = C
        else:
            KH, KW = o["filter_h"], o["filter_w"]
            out_c = C
            b = None
            if (op.opcode == "AVERAGE_POOL_2D" and (KH, KW) == (H, W) and padding == "VALID"):
                layer = {"type": "global_average_pool", "activation": act}
            else:
                layer = {"type": "average_pool2d" if op.opcode == "AVERAGE_POOL_2D" else "max_pool2d",
                         "window": [KH, KW]}
        if layer["type"] in ("conv2d", "depthwise_conv2d"):
            if b is not None and b.shape != (F,):
                raise Refused(f"{self.where(op)}: bias of shape {list(b.shape)}, expected [{F}]")
            layer["b"] = (b if b is not None else np.zeros(F)).tolist()
        if layer["type"] != "global_average_pool":
            layer |= {"stride": stride, "padding": padding.lower(), "activation": act}
        want = (_out_size(H, KH, stride[0], padding), _out_size(W, KW, stride[1], padding), out_c)
        if layer["type"] == "global_average_pool":
            want = (1, 1, C)
        got = self.image_shape(op.outputs[0], op)
        if tuple(got) != want:
            raise Refused(f"{self.where(op)}: output shape {list(got)}, but these options give {list(want)}")
        layer["input"] = [H, W, C]
        return layer

    def single_consumer(self, t, after):
        c = self.consumers.get(t, [])
        if len(c) != 1:
            raise Refused(f"{self.where(after)}: its output feeds {len(c)} operators; only a residual block's "
                          f"input may feed two")
        return c[0]

    def residual(self, x, ops):
        """The block that starts at tensor x (two consumers, `ops`), and the ADD's output tensor."""
        adds = [op for op in ops if op.opcode == "ADD"]
        chains = []
        for first in ops:
            if first.opcode == "ADD":
                continue
            chain, op = [], first
            while op.opcode != "ADD":
                if op.opcode not in IMAGE_OPS:
                    raise Refused(f"{self.where(op)}: inside a residual branch (only CONV_2D, DEPTHWISE_CONV_2D "
                                  f"and pools)")
                chain.append(op)
                op = self.single_consumer(op.outputs[0], op)
            chains.append((chain, op))
        ends = {a.index for _, a in chains} | {a.index for a in adds}
        if len(ends) != 1:
            raise Refused(f"{self.path}: the two paths from tensor '{self.tensor(x).name}' do not meet in one ADD")
        add = adds[0] if adds else chains[0][1]
        if len(add.inputs) != 2:
            raise Refused(f"{self.where(add)}: an ADD of {len(add.inputs)} inputs")
        if adds:
            branch, shortcut = chains[0][0], None
        else:
            def is_shortcut(chain):
                op = chain[0]
                return (len(chain) == 1 and op.opcode == "CONV_2D" and self.tensor(op.inputs[1]).shape[1:3] == (1, 1)
                        and op.options["activation"] == "NONE")
            order = sorted(chains, key=lambda c: not is_shortcut(c[0]))   # the shortcut first
            if not is_shortcut(order[0][0]):
                raise Refused(f"{self.where(add)}: neither input is the block's input or a 1x1 CONV_2D of it "
                              f"without activation")
            shortcut, branch = order[0][0][0], order[1][0]
        if branch[-1].options.get("activation", "NONE") != "NONE":
            raise Refused(f"{self.where(branch[-1])}: the last operator of a residual branch has fused activation "
                          f"{branch[-1].options['activation']} (the block's activation follows the ADD)")
        if self.tensor(add.inputs[0]).shape != self.tensor(add.inputs[1]).shape:
            raise Refused(f"{self.where(add)}: inputs of shapes {list(self.tensor(add.inputs[0]).shape)} and "
                          f"{list(self.tensor(add.inputs[1]).shape)}")
        layers = [self.image_layer(op) for op in branch]
        sc = None
        if shortcut is not None:
            sc = self.image_layer(shortcut)
            sc.pop("input")
        for layer in layers[1:]:
            layer.pop("input")
        self.visited |= {op.index for op in branch} | {add.index} | ({shortcut.index} if shortcut else set())
        return {"type": "residual", "branch": layers, "shortcut": sc, "activation": self.activation(add),
                "input": layers[0].pop("input")}, add.outputs[0]


def layers_document(model, path):
    """The layers document ({"layers": [...], "output": head}) of a float model, or Refused."""
    g = _Graph(model, path)
    if len(model.inputs) != 1 or len(model.outputs) != 1:
        raise Refused(f"{path}: {len(model.inputs)} inputs and {len(model.outputs)} outputs; exactly one of each")
    for name, i in (("input", model.inputs[0]), ("output", model.outputs[0])):
        t = model.tensors[i]
        if t.dtype != "float32":
            raise Refused(f"{path}: the graph {name} '{t.name}' is {t.dtype}; this is not a float model "
                          f"(the float path takes float32 inputs and outputs)")
    for op in model.operators:
        if op.opcode in ("QUANTIZE", "DEQUANTIZE"):
            raise Refused(f"{g.where(op)}: not supported in a float model")
    layers, head = [], "linear"
    t = model.inputs[0]
    flat = len(model.tensors[t].shape) != 4
    while t != model.outputs[0]:
        ops = g.consumers.get(t, [])
        if len(ops) == 2:
            layer, t = g.residual(t, ops)
            layers.append(layer)
            continue
        if len(ops) != 1:
            raise Refused(f"{path}: tensor '{model.tensors[t].name}' feeds {len(ops)} operators (a chain, "
                          f"or a residual block's two paths, is supported)")
        op = ops[0]
        g.visited.add(op.index)
        if op.opcode in IMAGE_OPS:
            if flat:
                raise Refused(f"{g.where(op)}: an image operator after a flatten")
            layer = g.image_layer(op)
            if layers:
                layer.pop("input")
            layers.append(layer)
        elif op.opcode == "RESHAPE":
            a, b = model.tensors[op.inputs[0]].shape, model.tensors[op.outputs[0]].shape
            if len(b) != 2 or b[0] != 1 or int(np.prod(a)) != b[1] or a[0] != 1:
                raise Refused(f"{g.where(op)}: {list(a)} -> {list(b)} is not a flatten to [1, N]")
            flat = True
        elif op.opcode == "FULLY_CONNECTED":
            w = g.constant(op, 1, "the weights")
            n_in = int(np.prod(model.tensors[op.inputs[0]].shape))
            if w.shape[1] != n_in:
                raise Refused(f"{g.where(op)}: weights {list(w.shape)} over an input of {n_in} values")
            b = g.constant(op, 2, "the bias")
            b = np.zeros(w.shape[0]) if b is None else b.reshape(-1)
            if b.shape != (w.shape[0],):
                raise Refused(f"{g.where(op)}: bias of {b.size} values, expected {w.shape[0]}")
            layers.append({"w": w.T.tolist(), "b": b.tolist(), "activation": g.activation(op)})
            flat = True
        elif op.opcode == "SOFTMAX":
            if op.outputs[0] != model.outputs[0]:
                raise Refused(f"{g.where(op)}: a SOFTMAX only as the last operator (the head)")
            if op.options["beta"] != 1.0:
                raise Refused(f"{g.where(op)}: beta {op.options['beta']}; only 1 is supported")
            if not layers or "type" in layers[-1]:
                raise Refused(f"{g.where(op)}: a SOFTMAX not after FULLY_CONNECTED")
            head = "softmax"
        else:
            raise Refused(f"{g.where(op)}: not supported on the float path")
        t = op.outputs[0]
    rest = [op for op in model.operators if op.index not in g.visited]
    if rest:
        raise Refused(f"{g.where(rest[0])}: not on the path from the graph input to its output")
    if not layers:
        raise Refused(f"{path}: no layer")
    return {"layers": layers, "output": head}
