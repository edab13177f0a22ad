# SPDX-License-Identifier: Apache-2.0
# platform/cortex-m/cortex-m.mk — what every Cortex-M target shares: arm-none-eabi-gcc with newlib
# and libstdc++ (semihosted stdio through librdimon), the startup code and the HAL in this folder.
# platform/<target>/target.mk sets TARGET_CPU (the -mcpu/-mfpu/-mfloat-abi flags) and
# TARGET_CLOCK_HZ, then includes this file.

TARGET_CC      := arm-none-eabi-gcc
TARGET_CXX     := arm-none-eabi-g++
TARGET_SIZE    := arm-none-eabi-size
TARGET_NM      := arm-none-eabi-nm
TARGET_OBJDUMP := arm-none-eabi-objdump
TARGET_HOSTED  := yes
TARGET_ARCH    := $(TARGET_CPU) -mthumb -ffunction-sections -fdata-sections -Wno-psabi
TARGET_CPPFLAGS := -DHAL_CLOCK_HZ=$(TARGET_CLOCK_HZ)
TARGET_PLATFORM_SRCS := platform/cortex-m/startup.c platform/cortex-m/hal.c \
                        platform/common/hal_format.c platform/common/stack_paint.c
TARGET_LINK_DEPS := platform/$(TARGET)/link.ld platform/cortex-m/sections.ld
TARGET_LDFLAGS := --specs=rdimon.specs -nostartfiles -Wl,--gc-sections \
                  -Lplatform/cortex-m -Tplatform/$(TARGET)/link.ld
TARGET_LDLIBS  :=

DEPS_PACKAGES += gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib
TARGET_RUNTIME_LIBS := -lc -lgcc
