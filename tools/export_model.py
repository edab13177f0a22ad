#!/usr/bin/env python3
"""export_model.py — turn a trained model in JSON into a C++ header that ugrad compiles into flash.

    python3 tools/export_model.py MODEL.json --name NAME --out FILE.hpp [--c-api] [--note TEXT]

MODEL.json holds {"w1": [[...], ...], "b1": [...], "w2": [[...], ...], "b2": [...]} in the
row-vector convention of ugrad (r = x·W1 + b1, θ = σ(r)·W2 + b2):
    w1 [In][Hidden], b1 [Hidden], w2 [Hidden][Out], b2 [Out].
Other keys are ignored. FILE.hpp defines

    inline constexpr ugrad::Mlp<In, Hidden, Out> NAME = {...};

Every number is rounded once, from its exact decimal value, to the nearest float32 (ties to even —
what a C compiler does with a decimal float literal), and written as an exact hex-float literal, so
the compiled model holds exactly those float32 values and computes bit for bit what they compute.

--c-api also writes FILE.h (C declarations of NAME_forward, NAME_cross_entropy and
NAME_input_gradient, through UGRAD_C_DECLARE in <ugrad/ugrad.h>) and FILE_c_api.cpp (the one C++
file that defines them, through UGRAD_C_DEFINE); compile that file with a C++17 compiler and link it
with the C program.

Malformed input — not JSON, a missing key, ragged or mismatched shapes, a non-number, NaN or
infinity, a value outside the float range, a NAME that is not a usable C++ identifier — is reported
on one line on standard error, the exit status is 1 and no file is written.
Python standard library only.
"""
import argparse
import json
import math
import os
import re
import sys
import tempfile
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


def number(value, where: str) -> float:
    if not isinstance(value, Decimal):
        raise ModelError(f"{where} is {describe(value)}, expected a number")
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
    return "a number"


def truncate(text: str, limit: int = 40) -> str:
    return text if len(text) <= limit else text[:limit] + "..."


def vector(doc: dict, key: str, length: int, length_name: str) -> list:
    v = doc[key]
    if not isinstance(v, list):
        raise ModelError(f"'{key}' is {describe(v)}, expected a list of {length} numbers")
    if len(v) != length:
        raise ModelError(f"'{key}' has {len(v)} entries, expected {length} ({length_name})")
    return [number(x, f"{key}[{i}]") for i, x in enumerate(v)]


def matrix(doc: dict, key: str, rows: int = None, rows_name: str = "") -> list:
    m = doc[key]
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


def load_model(text: str, path: str) -> dict:
    """Validate the JSON text; return {'w1','b1','w2','b2'} as lists of float32 values."""
    doc = parse_json(text, path)
    if not isinstance(doc, dict):
        raise ModelError(f"{path}: the top level is {describe(doc)}, expected an object with w1, b1, w2, b2")
    for key in ("w1", "b1", "w2", "b2"):
        if key not in doc:
            raise ModelError(f"{path}: missing key '{key}'")
    try:
        w1 = matrix(doc, "w1")
        n_in, hidden = len(w1), len(w1[0])
        b1 = vector(doc, "b1", hidden, "Hidden: the columns of w1")
        w2 = matrix(doc, "w2", hidden, "Hidden: the columns of w1")
        out = len(w2[0])
        b2 = vector(doc, "b2", out, "Out: the columns of w2")
    except ModelError as err:
        raise ModelError(f"{path}: {err}")
    return {"w1": w1, "b1": b1, "w2": w2, "b2": b2, "shape": (n_in, hidden, out)}


def c_list(values: list, indent: str, per_line: int = 6) -> str:
    lines = []
    for start in range(0, len(values), per_line):
        lines.append(indent + ", ".join(hex_literal(v) for v in values[start:start + per_line]) + ",")
    return "\n".join(lines)


def header_text(model: dict, name: str, source: str, note: str) -> str:
    n_in, hidden, out = model["shape"]
    lines = [
        f"// Generated by tools/export_model.py from {source}; do not edit by hand.",
        f"// ugrad::Mlp<{n_in}, {hidden}, {out}>: w1 [{n_in}][{hidden}], b1 [{hidden}], w2 [{hidden}][{out}], b2 [{out}];",
        "// every value an exact float32, written as a hex-float literal.",
    ]
    if note:
        lines.append(f"// {note}")
    lines += ["#pragma once", "", "#include <ugrad/ugrad.hpp>", "",
              f"inline constexpr ugrad::Mlp<{n_in}, {hidden}, {out}> {name} = {{"]
    lines.append(f"    {{  // w1 [{n_in}][{hidden}]")
    for i, row in enumerate(model["w1"]):
        lines.append(f"        {{  // w1[{i}]")
        lines.append(c_list(row, " " * 12))
        lines.append("        },")
    lines.append("    },")
    lines.append(f"    {{  // b1 [{hidden}]")
    lines.append(c_list(model["b1"], " " * 8))
    lines.append("    },")
    lines.append(f"    {{  // w2 [{hidden}][{out}]")
    for j, row in enumerate(model["w2"]):
        lines.append(f"        {{  // w2[{j}]")
        lines.append(c_list(row, " " * 12))
        lines.append("        },")
    lines.append("    },")
    lines.append(f"    {{  // b2 [{out}]")
    lines.append(c_list(model["b2"], " " * 8))
    lines.append("    },")
    lines.append("};")
    return "\n".join(lines) + "\n"


def c_header_text(model: dict, name: str, source: str) -> str:
    n_in, hidden, out = model["shape"]
    guard = f"UGRAD_MODEL_{name.upper()}_H"
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


def c_source_text(name: str, source: str, hpp: str, h: str) -> str:
    return "\n".join([
        f"// Generated by tools/export_model.py from {source}; do not edit by hand.",
        f"// Defines the C interface declared in {h}: compile with a C++17 compiler, link with the C program.",
        f'#include "{hpp}"',
        f'#include "{h}"',
        "",
        f"UGRAD_C_DEFINE({name})",
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


class OneLineParser(argparse.ArgumentParser):
    def error(self, message):
        print(f"{PROG}: error: {message} (usage: export_model.py MODEL.json --name NAME --out FILE.hpp)", file=sys.stderr)
        sys.exit(2)


def main(argv=None) -> int:
    parser = OneLineParser(prog="export_model.py", description=__doc__.strip().splitlines()[0])
    parser.add_argument("model", metavar="MODEL.json")
    parser.add_argument("--name", required=True, help="the C++ name of the model (an identifier)")
    parser.add_argument("--out", required=True, metavar="FILE.hpp", help="the header to write")
    parser.add_argument("--c-api", action="store_true", help="also write FILE.h and FILE_c_api.cpp for C programs")
    parser.add_argument("--note", default="", help="one line to put in the header's comment (where the model came from)")
    args = parser.parse_args(argv)
    try:
        check_name(args.name)
        if "\n" in args.note or "\r" in args.note:
            raise ModelError("--note must be one line")
        out_dir = os.path.dirname(os.path.abspath(args.out))
        if not os.path.isdir(out_dir):
            raise ModelError(f"--out {args.out}: directory {out_dir} does not exist")
        try:
            with open(args.model, "rb") as f:
                raw = f.read()
        except OSError as err:
            raise ModelError(f"{args.model}: cannot read: {err.strerror}")
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ModelError(f"{args.model}: not valid JSON: not UTF-8 text")
        model = load_model(text, args.model)
        source = os.path.basename(args.model)
        files = {args.out: header_text(model, args.name, source, args.note)}
        if args.c_api:
            stem = args.out[:-4] if args.out.endswith(".hpp") else args.out
            h, cpp = stem + ".h", stem + "_c_api.cpp"
            files[h] = c_header_text(model, args.name, source)
            files[cpp] = c_source_text(args.name, source, os.path.basename(args.out), os.path.basename(h))
        write_all(files)
    except ModelError as err:
        print(f"{PROG}: error: {err}", file=sys.stderr)
        return 1
    n_in, hidden, out = model["shape"]
    print(f"{PROG}: wrote {', '.join(files)}: ugrad::Mlp<{n_in}, {hidden}, {out}> {args.name}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
