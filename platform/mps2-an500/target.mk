# SPDX-License-Identifier: Apache-2.0
# platform/mps2-an500/target.mk — Cortex-M7 with double-precision FPU (fpv5-d16, hard float), run by
# QEMU's mps2-an500.
TARGET_CPU      := -mcpu=cortex-m7 -mfpu=fpv5-d16 -mfloat-abi=hard
TARGET_CLOCK_HZ := 25000000
TARGET_QEMU     := qemu-system-arm -M mps2-an500
include platform/cortex-m/cortex-m.mk
DEPS_PACKAGES += qemu-system-arm
