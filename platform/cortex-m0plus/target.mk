# SPDX-License-Identifier: Apache-2.0
# platform/cortex-m0plus/target.mk — Cortex-M0+ (ARMv6-M, no FPU): compile, link and size only.
TARGET_CPU      := -mcpu=cortex-m0plus -mfloat-abi=soft
TARGET_CLOCK_HZ := 1000000000
TARGET_QEMU     :=
include platform/cortex-m/cortex-m.mk
# the same flash as the microbit: the runner carries the seed network's golden cases only (mk/targets.mk, TARGET_GOLDEN).
TARGET_GOLDEN   := seed
