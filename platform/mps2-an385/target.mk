# SPDX-License-Identifier: Apache-2.0
# platform/mps2-an385/target.mk — Cortex-M3, no FPU: float and double in software (libgcc), run by
# QEMU's mps2-an385.
TARGET_CPU      := -mcpu=cortex-m3 -mfloat-abi=soft
TARGET_CLOCK_HZ := 25000000
TARGET_QEMU     := qemu-system-arm -M mps2-an385
include platform/cortex-m/cortex-m.mk
DEPS_PACKAGES += qemu-system-arm
