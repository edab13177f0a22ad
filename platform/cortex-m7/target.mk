# platform/cortex-m7/target.mk — Cortex-M7 with double-precision FPU (fpv5-d16, hard float):
# compile, link and size only.
TARGET_CPU      := -mcpu=cortex-m7 -mfpu=fpv5-d16 -mfloat-abi=hard
TARGET_CLOCK_HZ := 1000000000
TARGET_QEMU     :=
include platform/cortex-m/cortex-m.mk
