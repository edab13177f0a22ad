#!/usr/bin/env bash
# SPDX-License-Identifier: Apache-2.0
# run-on-target.sh TARGET ELF — run a program built for TARGET in QEMU and exit with its status.
#
# The machine comes from TARGET_QEMU in platform/TARGET/target.mk; this adds semihosting (the
# program's console and exit code), -icount shift=0 (one instruction per virtual nanosecond: the
# instruction counter of platform/hal.h) and no display, serial or monitor. The run is killed after
# RUN_TIMEOUT seconds (default 60): a hung target fails with status 124 instead of hanging CI.
# A faulting target exits with status 3 (HAL_EXIT_FAULT).
set -euo pipefail
if [ $# -ne 2 ]; then
    echo "usage: $0 TARGET ELF" >&2
    exit 2
fi
target=$1
elf=$2
root=$(cd "$(dirname "$0")/.." && pwd)
mk="$root/platform/$target/target.mk"
[ -f "$mk" ] || { echo "run-on-target: no target '$target' (no $mk)" >&2; exit 2; }
[ -f "$elf" ] || { echo "run-on-target: no program $elf" >&2; exit 2; }
machine=$(sed -n 's/^TARGET_QEMU *:= *//p' "$mk")
if [ -z "$machine" ]; then
    echo "run-on-target: $target is compile, link and size only; it has no emulator" >&2
    exit 2
fi
timeout_s=${RUN_TIMEOUT:-60}
status=0
# shellcheck disable=SC2086  # $machine is a command line
# The program's console (semihosting) is this script's stdout; QEMU's own messages go to stderr.
timeout --kill-after=5 "$timeout_s" $machine -display none -monitor none -serial null \
    -chardev stdio,id=semihost -semihosting-config enable=on,target=native,chardev=semihost \
    -icount shift=0 -kernel "$elf" </dev/null || status=$?
if [ "$status" -eq 124 ] || [ "$status" -eq 137 ]; then
    echo "run-on-target: $elf on $target did not finish within ${timeout_s} s (hung?)" >&2
    exit 124
fi
exit "$status"
