#!/usr/bin/env bash
# tools/bench/machine.sh — one line saying which machine and compiler a benchmark ran on.
set -euo pipefail
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2- | sed 's/^ *//')
virt=""
grep -qw hypervisor /proc/cpuinfo && virt=", a virtual machine"
echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on ${cpu} ($(nproc) cores${virt}, shared; load average $(cut -d' ' -f1 /proc/loadavg) at the start), $(g++ --version | head -1)."
echo "ugrad is built with its vector schedule (include/ugrad/kernels.hpp; \`-DUGRAD_VECTOR_KERNELS=4\` at -O2, \`=8\` with AVX at -march=native): the same bits as the default scalar schedule."
