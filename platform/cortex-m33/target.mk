# platform/cortex-m33/target.mk — Cortex-M33 (ARMv8-M mainline) with single-precision FPU
# (fpv5-sp-d16, hard float): compile, link and size only.
TARGET_CPU      := -mcpu=cortex-m33 -mfpu=fpv5-sp-d16 -mfloat-abi=hard
TARGET_CLOCK_HZ := 1000000000
TARGET_QEMU     :=
include platform/cortex-m/cortex-m.mk
