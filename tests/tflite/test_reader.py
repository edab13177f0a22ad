#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""The .tflite reader: what it reads from the five models, what it refuses, and a seeded mutation
fuzz in which every mutated file either reads into a consistent description or raises TfliteError."""
import random
import struct
import subprocess
import sys
import unittest


import common
import reader


def data(name):
    return (common.DATA / f"{name}.tflite").read_bytes()


def consistent(m):
    """The description's invariants: indices in range, constant data of its shape, quantization sized."""
    n = len(m.tensors)
    for t in m.tensors:
        if t.data is not None:
            assert t.data.shape == t.shape
        if t.quantization is not None:
            assert len(t.quantization.scale) == len(t.quantization.zero_point) >= 1
    for op in m.operators:
        assert all(-1 <= i < n for i in op.inputs) and all(0 <= i < n for i in op.outputs)
        assert reader.macs(m, op) >= 0
    assert all(0 <= i < n for i in m.inputs + m.outputs)
    reader.summary(m)


class Reads(unittest.TestCase):
    def test_kws_description(self):
        m = reader.read(data("kws_ref_model"))
        self.assertEqual([o.opcode for o in m.operators][:3], ["CONV_2D", "DEPTHWISE_CONV_2D", "CONV_2D"])
        conv = m.operators[0]
        self.assertEqual(conv.options["padding"], "SAME")
        self.assertEqual((conv.options["stride_h"], conv.options["stride_w"]), (2, 2))
        self.assertEqual(conv.options["activation"], "RELU")
        w = m.tensors[conv.inputs[1]]
        self.assertEqual(w.shape, (64, 10, 4, 1))
        self.assertEqual(len(w.quantization.scale), 64)
        self.assertEqual(w.quantization.quantized_dimension, 0)
        dw = m.tensors[m.operators[1].inputs[1]]
        self.assertEqual(dw.quantization.quantized_dimension, 3)
        inp = m.tensors[m.inputs[0]]
        self.assertEqual((inp.shape, inp.dtype, inp.quantization.zero_point), ((1, 49, 10, 1), "int8", [83]))
        self.assertEqual(struct.pack("<f", inp.quantization.scale[0]).hex(), "17af153f")
        self.assertEqual(m.operators[-1].options["beta"], 1.0)

    def test_every_model_consistent(self):
        for name in common.MODELS:
            consistent(reader.read(data(name)))


class Refuses(unittest.TestCase):
    def refused(self, blob, words):
        with self.assertRaises(reader.TfliteError) as cm:
            reader.read(blob)
        msg = str(cm.exception)
        self.assertNotIn("\n", msg)
        self.assertIn(words, msg)

    def test_wrong_identifier(self):
        b = bytearray(data("ad01_int8"))
        b[4:8] = b"TFL2"
        self.refused(bytes(b), "file identifier")

    def test_truncated(self):
        self.refused(data("ad01_int8")[:7], "too short")
        self.refused(data("ad01_int8")[:1000], "outside the file")

    def test_root_offset_out_of_range(self):
        b = bytearray(data("kws_ref_model"))
        b[0:4] = struct.pack("<I", len(b) + 4)
        self.refused(bytes(b), "root offset")

    def test_vtable_out_of_range(self):
        b = bytearray(data("kws_ref_model"))
        root = struct.unpack_from("<I", b, 0)[0]
        b[root:root + 4] = struct.pack("<i", -(len(b)))
        self.refused(bytes(b), "vtable")

    def test_buffer_size_not_shape(self):
        m = reader.read(data("ad01_int8"))
        w = m.tensors[m.operators[0].inputs[1]]
        b = bytearray(data("ad01_int8"))
        # the buffer's length word sits just before its bytes: find the weights and shrink it
        raw = w.data.tobytes()
        at = bytes(b).find(raw)
        b[at - 4:at] = struct.pack("<I", len(raw) - 1)
        self.refused(bytes(b), "needs")

    def test_unknown_operator(self):
        b = bytearray(data("ad01_int8"))
        m = reader.read(bytes(b))
        # the FULLY_CONNECTED code (9) as builtin_code int32 field: rewrite every 9 in the opcode table
        root = struct.unpack_from("<I", b, 0)[0]
        t = reader._Table(reader._Buf(bytes(b)), root, "Model")
        code = t.tables(1, "operator_codes")[0]
        p = code._field(3)
        if p is None:  # an older file: only the deprecated one-byte code
            p = code._field(0)
            b[p] = 97
        else:
            b[p:p + 4] = struct.pack("<i", 97)
        self.refused(bytes(b), "builtin operator 97 not supported")
        self.assertTrue(m.operators)

    def model_table(self, blob):
        root = struct.unpack_from("<I", blob, 0)[0]
        return reader._Table(reader._Buf(bytes(blob)), root, "Model")

    def test_two_subgraphs(self):
        b = bytearray(data("kws_ref_model"))
        v = self.model_table(b)._ref(2, "subgraphs")
        b[v:v + 4] = struct.pack("<I", 2)  # the vector's length word
        self.refused(bytes(b), "2 subgraphs; exactly one is supported")

    def option_field(self, b, op_index, k):
        model = self.model_table(b)
        op = model.tables(2, "subgraphs")[0].tables(3, "operators")[op_index]
        return op.table(4, "builtin_options")._field(k)

    def test_unsupported_activation(self):
        b = bytearray(data("kws_ref_model"))
        b[self.option_field(b, 0, 3)] = 4  # CONV_2D fused activation TANH
        self.refused(bytes(b), "operator 0: CONV_2D fused activation 4 not supported")

    def test_unsupported_padding(self):
        b = bytearray(data("kws_ref_model"))
        b[self.option_field(b, 9, 0)] = 2  # the average pool's VALID (1) written explicitly
        self.refused(bytes(b), "operator 9: AVERAGE_POOL_2D padding 2 not supported")

    def test_options_of_another_type(self):
        b = bytearray(data("kws_ref_model"))
        model = self.model_table(b)
        op = model.tables(2, "subgraphs")[0].tables(3, "operators")[0]
        b[op._field(3)] = 2  # CONV_2D carrying DepthwiseConv2DOptions
        self.refused(bytes(b), "CONV_2D with builtin options type 2 (expected 1)")

    def test_cli_one_line_exit_1(self):
        tool = str(common.ROOT / "tools" / "tflite" / "reader.py")
        r = subprocess.run([sys.executable, tool, "/dev/null"], capture_output=True, text=True)
        self.assertEqual(r.returncode, 1)
        self.assertEqual(r.stdout, "")
        self.assertEqual(len(r.stderr.strip().splitlines()), 1)
        r = subprocess.run([sys.executable, tool, str(common.DATA / "kws_ref_model.tflite")], capture_output=True, text=True)
        self.assertEqual(r.returncode, 0)
        self.assertIn("2,656,768 MACs", r.stdout)


class Fuzz(unittest.TestCase):
    """Seeded mutations of each model: truncations, byte flips, rewritten 32-bit words."""

    CASES_PER_MODEL = 700

    def test_mutations_parse_or_refuse(self):
        rng = random.Random(20261204)
        counts = {"read": 0, "refused": 0}
        for name in common.MODELS:
            base = data(name)
            n = len(base)
            for k in range(self.CASES_PER_MODEL):
                b = bytearray(base)
                kind = k % 4
                if kind == 0:
                    b = b[:rng.randrange(0, n)]
                elif kind == 1:
                    for _ in range(rng.randint(1, 8)):
                        b[rng.randrange(n)] ^= 1 << rng.randrange(8)
                elif kind == 2:  # an aligned word (offset, length, soffset) rewritten near the start
                    at = rng.randrange(0, min(n, 4096) - 4) & ~3
                    b[at:at + 4] = struct.pack("<I", rng.choice([0, 1, 0xFFFFFFFF, n, n - 4, rng.randrange(1 << 32)]))
                else:  # a vtable slot (16-bit) rewritten anywhere
                    at = rng.randrange(0, n - 2) & ~1
                    b[at:at + 2] = struct.pack("<H", rng.randrange(1 << 16))
                try:
                    m = reader.read(bytes(b))
                except reader.TfliteError as e:
                    self.assertNotIn("\n", str(e))
                    counts["refused"] += 1
                    continue
                consistent(m)
                counts["read"] += 1
        print(f"\nfuzz: {sum(counts.values())} mutated files: {counts['read']} read consistently, "
              f"{counts['refused']} refused with TfliteError", file=sys.stderr)


if __name__ == "__main__":
    unittest.main()
