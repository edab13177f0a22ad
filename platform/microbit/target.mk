# SPDX-License-Identifier: Apache-2.0
# platform/microbit/target.mk — Cortex-M0 (Armv6-M, no FPU: float and double in software), the
# nRF51 of QEMU's microbit: 256 KB flash, 16 KB RAM, 16 MHz (62.5 instructions a SysTick tick
# under -icount shift=0). newlib-nano: the full newlib's stdio and malloc state alone take 2 KB
# of the RAM (-u _printf_float: the benchmark prints floats).
TARGET_CPU      := -mcpu=cortex-m0 -mfloat-abi=soft
TARGET_CLOCK_HZ := 16000000
TARGET_QEMU     := qemu-system-arm -M microbit
include platform/cortex-m/cortex-m.mk
TARGET_CPPFLAGS += -DHAL_RAM_BYTES=16384
TARGET_LDFLAGS  += --specs=nano.specs -u _printf_float
DEPS_PACKAGES += qemu-system-arm
# 256 KB of flash and 16 KB of RAM: the runner carries the seed network's golden cases only (mk/targets.mk, TARGET_GOLDEN).
TARGET_GOLDEN   := seed
