# SPDX-License-Identifier: Apache-2.0
# platform/platform.mk — the build seam for programs that run on a target (platform/README.md).
# Included first of all mk/ fragments (through mk/00-platform.mk), so every fragment can use it.
#
#   $(call target_program,NAME,SOURCES[,FLAGS])
#       defines $(TARGET_BUILD)/NAME.elf: SOURCES (.cpp, .c, .S) plus the target's startup and
#       HAL, compiled with the target's flags, $(STD) $(WARN) $(FPFLAGS) $(INCLUDES) -Iplatform,
#       $(TARGET_OPT) (default -O2) and FLAGS. Nothing when TARGET=host.
#   $(call target_link,OBJECTS,ELF)   the link command target_program's ELF rule runs.
#   $(TARGET_RUN) ELF        runs it in QEMU with a timeout; the exit status is the program's.
#
# Each platform/<target>/target.mk provides TARGET_CC, TARGET_CXX, TARGET_SIZE, TARGET_NM,
# TARGET_ARCH (machine flags), TARGET_CPPFLAGS, TARGET_CXX_ONLY, TARGET_PLATFORM_SRCS,
# TARGET_LINK_DEPS, TARGET_LDFLAGS, TARGET_LDLIBS, TARGET_HOSTED (yes: newlib and libstdc++;
# no: no standard library), TARGET_QEMU (empty: compile, link and size only), and for `make size`
# TARGET_RUNTIME_LIBS / TARGET_RUNTIME_SRCS (where memset and the soft-float helpers come from).

EMULATED_TARGETS     := mps2-an386 mps2-an385 rv32 mps2-an500 mps2-an505 mps3-an547 microbit
COMPILE_ONLY_TARGETS := cortex-m0plus
# Emulated targets whose `make TARGET=<t> test` is the runner, golden vectors and kernels' check
# only (mk/targets.mk): Cortex-M7, M33, M55, M0.
RUNNER_TARGETS       := mps2-an500 mps2-an505 mps3-an547 microbit
ALL_TARGETS          := $(EMULATED_TARGETS) $(COMPILE_ONLY_TARGETS)

TARGET_BUILD := $(BUILD)/$(TARGET)
TARGET_RUN   := tools/run-on-target.sh $(TARGET)
TARGET_OPT   ?= -O2

ifneq ($(TARGET),host)
ifeq ($(wildcard platform/$(TARGET)/target.mk),)
$(error unknown TARGET=$(TARGET); targets: host $(ALL_TARGETS))
endif
include platform/$(TARGET)/target.mk
endif

TARGET_NAME_FLAG = -DHAL_TARGET_NAME=\"$(TARGET)\"
TARGET_CFLAGS   = -std=c11 $(WARN) $(FPFLAGS) $(TARGET_OPT) $(DEBUG_INFO) $(TARGET_ARCH) $(TARGET_CPPFLAGS) $(TARGET_NAME_FLAG) \
                  -Iplatform $(INCLUDES)
TARGET_CXXFLAGS = $(STD) $(WARN) $(FPFLAGS) $(TARGET_OPT) $(DEBUG_INFO) $(TARGET_ARCH) $(TARGET_CXX_ONLY) \
                  $(TARGET_CPPFLAGS) $(TARGET_NAME_FLAG) -Iplatform $(INCLUDES)

# $(1) = program name, $(2) = sources, $(3) = extra compile flags
define TARGET_PROGRAM_RULES
$(1)_TARGET_OBJS := $(patsubst %,$(TARGET_BUILD)/$(1)/%.o,$(2) $(TARGET_PLATFORM_SRCS))
$(TARGET_BUILD)/$(1)/%.cpp.o: %.cpp | deps
	@mkdir -p $$(@D)
	$$(TARGET_CXX) $$(TARGET_CXXFLAGS) $(3) -MMD -MP -c $$< -o $$@
$(TARGET_BUILD)/$(1)/%.c.o: %.c | deps
	@mkdir -p $$(@D)
	$$(TARGET_CC) $$(TARGET_CFLAGS) $(3) -MMD -MP -c $$< -o $$@
$(TARGET_BUILD)/$(1)/%.S.o: %.S | deps
	@mkdir -p $$(@D)
	$$(TARGET_CC) $$(TARGET_ARCH) $$(TARGET_CPPFLAGS) -Iplatform $(3) -c $$< -o $$@
$(TARGET_BUILD)/$(1).elf: $$($(1)_TARGET_OBJS) $(TARGET_LINK_DEPS)
	$$(call target_link,$$($(1)_TARGET_OBJS),$$@)
-include $$($(1)_TARGET_OBJS:.o=.d)
endef

# $(call target_link,OBJECTS,ELF): the command that links a program's objects for the target (with
# a map file, ELF.map); a rule of target_program's, or of its own when it must judge a failed link
# (mk/tflite_cores.mk: a model that does not fit the board).
target_link = $(TARGET_CXX) $(TARGET_ARCH) $(1) $(TARGET_LDFLAGS) -Wl,-Map=$(2).map -o $(2) $(TARGET_LDLIBS)

target_program = $(if $(filter host,$(TARGET)),,$(eval $(call TARGET_PROGRAM_RULES,$(strip $(1)),$(2),$(3))))
