# SPDX-License-Identifier: Apache-2.0
# platform/mps2-an505/target.mk — Cortex-M33 (Armv8-M mainline) with single-precision FPU
# (fpv5-sp-d16, hard float), run by QEMU's mps2-an505 in the secure state it starts in.
TARGET_CPU      := -mcpu=cortex-m33 -mfpu=fpv5-sp-d16 -mfloat-abi=hard
TARGET_CLOCK_HZ := 20000000
TARGET_QEMU     := qemu-system-arm -M mps2-an505
include platform/cortex-m/cortex-m.mk
DEPS_PACKAGES += qemu-system-arm
