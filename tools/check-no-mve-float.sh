#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# check-no-mve-float.sh OBJDUMP ELF — fail when any function of ELF holds an MVE floating-point
# instruction: one on q registers with a .f16 or .f32 type (vmul.f32 q1, q0, q1; vfma.f32 q0, q1, r2;
# vcvt.f32.s32 q0, q0; ...), and name the functions.
#
# Why: MVE floating point runs under the architecture's standard FPSCR value (flush-to-zero, default
# NaN) whatever FPSCR.FZ says, so a vectorized float loop turns subnormals into 0 where the scalar
# FPU, and every other core, keeps them. include/ugrad/fp_contract.hpp keeps GCC from vectorizing
# the library's code on such a core (and from inlining it into a caller that vectorizes). The
# golden runner is checked whole: its float code is the library's, and the tests' own (inputs,
# hashes), which must round the same on every core as well.
set -euo pipefail
if [ $# -ne 2 ]; then
    echo "usage: $0 OBJDUMP ELF" >&2
    exit 2
fi
objdump=$1
elf=$2
found=$("$objdump" -d -C "$elf" | awk '
    /^[0-9a-f]+ <.*>:$/ { fn = substr($0, index($0, "<"), 160) }
    /\tv[a-z0-9]+\.f(16|32)[.\t ].*q[0-7]/ { n[fn]++ }
    END { for (f in n) print n[f], f }')
if [ -n "$found" ]; then
    echo "$elf: MVE floating-point instructions (count, function):"
    echo "$found" | sort -rn | head -20
    exit 1
fi
echo "$(basename "$elf"): no MVE floating-point instruction"
