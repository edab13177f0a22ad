#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# tools/bench/machine.sh — one line saying which machine and compiler a benchmark ran on.
set -euo pipefail
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
virt=""
grep -qw hypervisor /proc/cpuinfo && virt=", a virtual machine"
echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on ${cpu} ($(nproc) cores${virt}, shared; load average $(cut -d' ' -f1 /proc/loadavg) at the start), $(g++ --version | head -1)."
echo "ugrad and Eigen are built with the same flags and no ugrad macro: ugrad picks its vector schedule from the compiler's macros (include/ugrad/kernels.hpp: four floats wide with SSE2 at -O2, eight with AVX at -march=native), the same bits as every other schedule."
