# SPDX-License-Identifier: Apache-2.0
# platform/mps3-an547/target.mk — Cortex-M55 (Armv8.1-M mainline) with its FPU and MVE (Helium),
# hard float, run by QEMU's mps3-an547 in the secure state it starts in. -mcpu=cortex-m55 enables
# MVE with floating point (__ARM_FEATURE_MVE == 3) and GCC auto-vectorizes with it at -O2; MVE
# floating point flushes subnormals to zero whatever FPSCR.FZ says, so the library's float code is
# compiled without vectorization on such a core (include/ugrad/fp_contract.hpp) and runs on the
# scalar FPU. Integer code (the int8 path, the tests' own code) may still be vectorized with MVE.
TARGET_CPU      := -mcpu=cortex-m55 -mfloat-abi=hard
TARGET_CLOCK_HZ := 32000000
TARGET_QEMU     := qemu-system-arm -M mps3-an547
include platform/cortex-m/cortex-m.mk
DEPS_PACKAGES += qemu-system-arm
# make TARGET=mps3-an547 target-runner checks that the runners hold no MVE floating-point instruction.
TARGET_MVE_FLOAT := yes
# Code in the 2 MB FPGA SRAM (link.ld): the runner carries every golden case, as on the other mps2 boards.
