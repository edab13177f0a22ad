# SPDX-License-Identifier: Apache-2.0
# platform/rv32/target.mk — RISC-V rv32imac, soft float (libgcc), on QEMU's virt machine.
# Freestanding with no C or C++ standard library at all: -ffreestanding -nostdlib, plus libgcc
# for the software floating point and 64-bit division, and memory.c for memcpy and friends.
TARGET_CC      := riscv64-unknown-elf-gcc
TARGET_CXX     := riscv64-unknown-elf-g++
TARGET_SIZE    := riscv64-unknown-elf-size
TARGET_NM      := riscv64-unknown-elf-nm
TARGET_OBJDUMP := riscv64-unknown-elf-objdump
TARGET_HOSTED  := no
TARGET_ARCH    := -march=rv32imac -mabi=ilp32 -misa-spec=2.2 -mcmodel=medany \
                  -ffreestanding -ffunction-sections -fdata-sections
TARGET_CPPFLAGS :=
TARGET_CXX_ONLY := -fno-exceptions -fno-rtti -fno-threadsafe-statics -fno-use-cxa-atexit
TARGET_PLATFORM_SRCS := platform/rv32/startup.S platform/rv32/hal.c platform/rv32/memory.c \
                        platform/common/hal_format.c platform/common/stack_paint.c
TARGET_LINK_DEPS := platform/rv32/link.ld
TARGET_LDFLAGS := -nostdlib -nostartfiles -Wl,--gc-sections -Wl,--no-warn-rwx-segments -Tplatform/rv32/link.ld
TARGET_LDLIBS  := -lgcc
TARGET_RUNTIME_LIBS := -lgcc
TARGET_RUNTIME_SRCS := platform/rv32/memory.c
TARGET_QEMU    := qemu-system-riscv32 -M virt -bios none

DEPS_PACKAGES += gcc-riscv64-unknown-elf qemu-system-misc
