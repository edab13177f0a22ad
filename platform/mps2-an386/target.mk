# SPDX-License-Identifier: Apache-2.0
# platform/mps2-an386/target.mk — Cortex-M4F, hard float (fpv4-sp-d16), run by QEMU's mps2-an386.
TARGET_CPU      := -mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard
TARGET_CLOCK_HZ := 25000000
TARGET_QEMU     := qemu-system-arm -M mps2-an386
include platform/cortex-m/cortex-m.mk
DEPS_PACKAGES += qemu-system-arm
