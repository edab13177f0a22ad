# SPDX-License-Identifier: Apache-2.0
# mk/targets.mk — the emulated microcontrollers: on-target tests, golden vectors, size and stack.
# The build seam itself (target_program, TARGET_RUN, platform/<t>/target.mk) is
# platform/platform.mk, included first through mk/00-platform.mk.
#
#   make target-test                 every emulated target's `make TARGET=<t> test`, and a build of
#                                    every compile-only target (part of `make test`)
#   make TARGET=<t> test             that target's goals: target-suite here, and the other areas'
#   make golden / golden-update      host g++ and clang++ golden vectors / rewrite golden.hash
#   make size                        flash, RAM and stack per target, into README.md

# ---- golden vectors on the host (tests/golden) ----
# The cases are spread over four files (the seed network's, three of Network cases) so that the
# compilers build them side by side: each host build below compiles one object per file.
GOLDEN_BUILD := $(BUILD)/golden
GOLDEN_CASE_SRCS := tests/golden/golden_vectors.cpp tests/golden/golden_networks.cpp \
                    tests/golden/golden_network_edges.cpp tests/golden/golden_conv.cpp
GOLDEN_SRCS  := $(GOLDEN_CASE_SRCS) tests/golden/host_main.cpp
GOLDEN_DEPS  := $(wildcard tests/golden/*.hpp) tests/splitmix64.hpp $(LIBRARY_HEADERS)

# $(1) = the build's folder under build/golden, $(2) = the compile command (compiler and flags).
define GOLDEN_HOST_BUILD
$(GOLDEN_BUILD)/$(1)/%.o: tests/golden/%.cpp $(GOLDEN_DEPS) | deps
	@mkdir -p $$(@D)
	$(2) -c $$< -o $$@
$(GOLDEN_BUILD)/$(1)/golden.exe: $(patsubst tests/golden/%.cpp,$(GOLDEN_BUILD)/$(1)/%.o,$(GOLDEN_SRCS))
	$(firstword $(2)) $$^ -o $$@
endef

$(eval $(call GOLDEN_HOST_BUILD,g++,g++ $(STD) $(WARN) $(FPFLAGS) $(HOST_OPT) $(INCLUDES)))
$(eval $(call GOLDEN_HOST_BUILD,clang++,clang++ $(STD) $(WARN) $(FPFLAGS) $(HOST_OPT) $(INCLUDES)))
$(GOLDEN_BUILD)/%.txt: $(GOLDEN_BUILD)/%/golden.exe
	$< > $@

# The same vectors from the other kernel schedules (include/ugrad/kernels.hpp). g++.txt and
# clang++.txt run x86-64's default, the vector schedule four wide (SSE2); here: compact (what -Os
# picks), the portable scalar schedule, and the vector schedule eight wide (AVX, where this
# machine has it).
GOLDEN_SCHEDULES := compact scalar $(if $(shell grep -qw avx /proc/cpuinfo 2>/dev/null && echo y),vector8)
GOLDEN_FLAGS_compact := -Os
GOLDEN_FLAGS_scalar := -DUGRAD_PORTABLE_KERNELS=1
GOLDEN_FLAGS_vector8 := -mavx
$(foreach s,$(GOLDEN_SCHEDULES),$(eval $(call GOLDEN_HOST_BUILD,schedule/$(s),g++ $(STD) $(WARN) $(FPFLAGS) $(HOST_OPT) $(GOLDEN_FLAGS_$(s)) $(INCLUDES))))
$(GOLDEN_BUILD)/schedule/%.txt: $(GOLDEN_BUILD)/schedule/%/golden.exe
	$< > $@

.PHONY: golden golden-update
# And without -ffp-contract=off, with fused multiply-add available (-mfma): GCC's default
# contraction (=fast, also in -std=gnu++17) and Clang's (=on). include/ugrad/fp_contract.hpp keeps
# the library's arithmetic unfused, so the bits must not move.
GOLDEN_UNFUSED := g++ clang++
$(foreach c,$(GOLDEN_UNFUSED),$(eval $(call GOLDEN_HOST_BUILD,unfused/$(c),$(c) -std=gnu++17 $(WARN) $(HOST_OPT) -mfma $(INCLUDES))))
$(GOLDEN_BUILD)/unfused/%.txt: $(GOLDEN_BUILD)/unfused/%/golden.exe
	$< > $@
golden: $(GOLDEN_BUILD)/g++.txt $(GOLDEN_BUILD)/clang++.txt $(GOLDEN_SCHEDULES:%=$(GOLDEN_BUILD)/schedule/%.txt) \
        $(GOLDEN_UNFUSED:%=$(GOLDEN_BUILD)/unfused/%.txt)
	@tests/golden/check.sh "host g++" $(GOLDEN_BUILD)/g++.txt $(GOLDEN_BUILD)/g++.txt
	@tests/golden/check.sh "host clang++" $(GOLDEN_BUILD)/clang++.txt $(GOLDEN_BUILD)/g++.txt
	@for s in $(GOLDEN_SCHEDULES); do \
	  tests/golden/check.sh "host g++, $$s kernels" $(GOLDEN_BUILD)/schedule/$$s.txt $(GOLDEN_BUILD)/g++.txt || exit 1; done
	@for c in $(GOLDEN_UNFUSED); do \
	  tests/golden/check.sh "host $$c -mfma without -ffp-contract=off" $(GOLDEN_BUILD)/unfused/$$c.txt $(GOLDEN_BUILD)/g++.txt || exit 1; done
golden-update: $(GOLDEN_BUILD)/g++.txt $(GOLDEN_BUILD)/clang++.txt
	@diff $(GOLDEN_BUILD)/g++.txt $(GOLDEN_BUILD)/clang++.txt >/dev/null || \
	  { echo "golden-update: g++ and clang++ disagree; not writing golden.hash" >&2; exit 1; }
	cp $(GOLDEN_BUILD)/g++.txt tests/golden/golden.hash
	@{ echo '```'; cat tests/golden/golden.hash; echo '```'; } > $(GOLDEN_BUILD)/readme.md
	tools/readme_section.py golden $(GOLDEN_BUILD)/readme.md
	@echo "golden-update: tests/golden/golden.hash rewritten; run make target-test to check the targets agree"
TEST_GOALS += golden

# ---- programs every target builds ----
# A board too small for the Network golden cases sets TARGET_GOLDEN := seed in its target.mk: its
# runners print, and check.sh compares, the seed network's lines only (tests/golden/golden_vectors.cpp).
TARGET_GOLDEN ?= all
GOLDEN_RUNNER_FLAGS := $(if $(filter seed,$(TARGET_GOLDEN)),-DUGRAD_GOLDEN_NETWORKS=0)
$(call target_program,freestanding-runner,tests/target/freestanding_runner.cpp $(GOLDEN_CASE_SRCS),$(GOLDEN_RUNNER_FLAGS))
# The same runner built for size: -Os selects the compact kernels (or a target's compact variant).
$(call target_program,freestanding-runner-os,tests/target/freestanding_runner.cpp $(GOLDEN_CASE_SRCS),-Os $(GOLDEN_RUNNER_FLAGS))
$(call target_program,crash,tests/target/crash.c)
$(call target_program,hang,tests/target/hang.c)
$(call target_program,hello,tests/target/hello.c)
$(call target_program,calibrate,tests/target/calibrate.c)

# The doctest suite on the Arm targets (newlib and libstdc++): every tests/test_*.cpp except those
# that need the host (a file marks itself with a line `// ugrad: host-only`) and those listed here:
#   test_gradients.cpp  weight gradients against finite differences in software double: two
#                       thirds of the on-target time, and the training path, not inference
#   test_network_gradient.cpp  every Network call against finite differences in double: the
#                       double path, which the host checks; the float bits are the targets' concern
#                       (test_network_mlp.cpp and the golden vectors run there)
#   test_training.cpp   re-training on the target: the training area's `finetune` goal already
#                       runs training on every emulated target
#   test_flush_to_zero.cpp  sets x86's MXCSR (pmmintrin.h)
#   test_math_sampled.cpp   a million random inputs per function in a std::vector: more than the
#                           4 MB of RAM, and over a minute of software double on the M3
TARGET_DOCTEST_EXCLUDE := tests/test_gradients.cpp tests/test_network_gradient.cpp tests/test_training.cpp tests/test_flush_to_zero.cpp \
                          tests/test_math_sampled.cpp
TARGET_DOCTEST_SRCS := $(filter-out $(TARGET_DOCTEST_EXCLUDE) $(shell grep -l '^// ugrad: host-only' tests/test_*.cpp 2>/dev/null),\
                         $(wildcard tests/test_*.cpp))
# The cores added for their bits and instruction counts (Cortex-M7, M33, M55, M0: RUNNER_TARGETS,
# platform/platform.mk) run the runner and golden vectors (-O2 and -Os), the counter's calibration,
# the fault/hang checks and their own kernels' check; the doctest suite, the C API, the firmware
# example and fine-tuning run on the M4F, M3 and rv32 (the top Makefile keeps only those goals).
TARGET_DOCTEST_FLAGS := -isystem $(TARGET_BUILD)/doctest-include -Itests -DDOCTEST_CONFIG_NO_POSIX_SIGNALS \
                        -DDOCTEST_CONFIG_NO_MULTITHREADING -DDOCTEST_CONFIG_COLORS_NONE
ifeq ($(TARGET_HOSTED)$(filter $(TARGET),$(RUNNER_TARGETS)),yes)
$(call target_program,doctest-suite,tests/target/doctest_main.cpp $(TARGET_DOCTEST_SRCS),$(TARGET_DOCTEST_FLAGS))
# doctest is a host package (/usr/include/doctest); the cross compiler is shown only that folder.
$(doctest-suite_TARGET_OBJS): $(TARGET_BUILD)/doctest-include/doctest
$(TARGET_BUILD)/doctest-include/doctest: | deps
	@mkdir -p $(@D)
	ln -sfn /usr/include/doctest $@
TARGET_SUITE_ELFS := $(TARGET_BUILD)/doctest-suite.elf
endif

# ---- examples/firmware: ugrad linked into a minimal firmware (Arm targets, newlib's printf) ----
# Its model, examples/firmware/sensor_model.hpp, is committed as tools/export_model.py writes it
# from sensor_model.json (as examples/demo's model is): `make firmware-model` writes it again, and
# check-firmware-model (in checks) fails when the committed header is not what the exporter writes.
FIRMWARE_MODEL_EXPORT = python3 tools/export_model.py examples/firmware/sensor_model.json --name sensor_model \
    --note "illustrative weights, examples/firmware/sensor_model.json; regenerate: make firmware-model" --out
.PHONY: firmware-model check-firmware-model
firmware-model: | deps
	$(FIRMWARE_MODEL_EXPORT) examples/firmware/sensor_model.hpp
check-firmware-model: | deps
	@mkdir -p $(BUILD)/checks
	@$(FIRMWARE_MODEL_EXPORT) $(BUILD)/checks/sensor_model.hpp > /dev/null
	@diff examples/firmware/sensor_model.hpp $(BUILD)/checks/sensor_model.hpp \
	  || { echo "examples/firmware/sensor_model.hpp is stale: run make firmware-model"; exit 1; }
	@echo "examples/firmware/sensor_model.hpp is what tools/export_model.py writes from sensor_model.json"
checks: check-firmware-model
ifeq ($(TARGET_HOSTED),yes)
$(call target_program,firmware,examples/firmware/main.cpp,-Os -fno-exceptions)
.PHONY: example
# Runs it, and checks that the model landed in a flash section (sections.ld puts .rodata in .text).
example: $(TARGET_BUILD)/firmware.elf
	@echo "== $(TARGET): examples/firmware"
	@$(TARGET_RUN) $<
	@section=$$($(TARGET_OBJDUMP) -t $< | awk '$$NF == "sensor_model" {print $$4}'); \
	  case "$$section" in .text|.rodata) echo "$(TARGET): the model is in $$section, flash";; \
	  *) echo "example: the model is in '$$section', not flash"; exit 1;; esac
TARGET_EXAMPLE := example
else
.PHONY: example
ifeq ($(TARGET),host)
# On the host, `make example` means the firmware on the emulated Cortex-M4F.
example: | deps
	@echo "make example: examples/firmware on the emulated Cortex-M4F (make TARGET=<core> example for another core)"
	@$(MAKE) --no-print-directory TARGET=mps2-an386 example
else
example:
	@echo "example: examples/firmware uses printf; $(TARGET) has no C library (try TARGET=mps2-an386)"; exit 1
endif
endif

# ---- make TARGET=<t> test ----
.PHONY: target-suite target-runner target-build target-hello
ifneq ($(TARGET_QEMU),)
# The verdict is each program's exit status in QEMU; the golden lines must match the host's.
# A core with MVE floating point (TARGET_MVE_FLOAT := yes in its target.mk: the M55) also has its
# runners' code searched for MVE floating-point instructions, which must be none
# (tools/check-no-mve-float.sh says why).
# target-runner is target-suite without the doctest suite (what the quick `make test` runs on the M4F).
target-suite: target-runner $(TARGET_SUITE_ELFS)
	@$(if $(TARGET_SUITE_ELFS),echo "== $(TARGET): doctest suite ($(notdir $(TARGET_DOCTEST_SRCS)))" && \
	  $(TARGET_RUN) $(TARGET_BUILD)/doctest-suite.elf > $(TARGET_BUILD)/doctest-suite.out || \
	  { cat $(TARGET_BUILD)/doctest-suite.out; exit 1; }; grep ' doctest: ' $(TARGET_BUILD)/doctest-suite.out)
target-runner: $(TARGET_BUILD)/freestanding-runner.elf $(TARGET_BUILD)/freestanding-runner-os.elf \
              $(TARGET_BUILD)/crash.elf $(TARGET_BUILD)/hang.elf $(TARGET_BUILD)/calibrate.elf $(GOLDEN_BUILD)/g++.txt
	@echo "== $(TARGET): the instruction counter against a loop of known length"
	@$(TARGET_RUN) $(TARGET_BUILD)/calibrate.elf
	@echo "== $(TARGET): freestanding runner (golden vectors, gradient checks, error policy)"
	@$(TARGET_RUN) $(TARGET_BUILD)/freestanding-runner.elf | tee $(TARGET_BUILD)/freestanding-runner.out
	@tests/golden/check.sh $(TARGET) $(TARGET_BUILD)/freestanding-runner.out $(GOLDEN_BUILD)/g++.txt $(TARGET_GOLDEN)
	@$(if $(TARGET_MVE_FLOAT),tools/check-no-mve-float.sh $(TARGET_OBJDUMP) $(TARGET_BUILD)/freestanding-runner.elf)
	@echo "== $(TARGET): the same runner built with -Os (compact kernels)"
	@$(TARGET_RUN) $(TARGET_BUILD)/freestanding-runner-os.elf | tee $(TARGET_BUILD)/freestanding-runner-os.out | tail -2
	@tests/golden/check.sh "$(TARGET) -Os" $(TARGET_BUILD)/freestanding-runner-os.out $(GOLDEN_BUILD)/g++.txt $(TARGET_GOLDEN)
	@$(if $(TARGET_MVE_FLOAT),tools/check-no-mve-float.sh $(TARGET_OBJDUMP) $(TARGET_BUILD)/freestanding-runner-os.elf)
	@echo "== $(TARGET): a fault and a hang must end the run with a failure"
	@status=0; $(TARGET_RUN) $(TARGET_BUILD)/crash.elf > $(TARGET_BUILD)/crash.out || status=$$?; \
	  [ $$status -eq 3 ] || { echo "crash.elf exited with $$status, not 3 (HAL_EXIT_FAULT)"; exit 1; }; \
	  grep -q '^\*\*\* ' $(TARGET_BUILD)/crash.out || { echo "no fault report from crash.elf"; exit 1; }
	@status=0; RUN_TIMEOUT=3 $(TARGET_RUN) $(TARGET_BUILD)/hang.elf > /dev/null 2>&1 || status=$$?; \
	  [ $$status -eq 124 ] || { echo "hang.elf ended with $$status, not 124 (timeout)"; exit 1; }
	@echo "$(TARGET): fault reported (exit 3), hang stopped by the timeout (exit 124)"
TARGET_TEST_GOALS += target-suite $(TARGET_EXAMPLE)
else
# Compile, link and size only.
target-suite: target-build
target-runner: target-build
TARGET_TEST_GOALS += target-suite
endif
# What a compile-only target proves: the runner, the firmware example and the measured object
# compile and link with its flags (the doctest suite is left to the emulated targets).
target-build: $(TARGET_BUILD)/freestanding-runner.elf $(TARGET_BUILD)/hello.elf $(TARGET_BUILD)/size/linked.elf \
              $(if $(filter yes,$(TARGET_HOSTED)),$(TARGET_BUILD)/firmware.elf)
	@echo "$(TARGET): built $(notdir $^)"
target-hello: $(TARGET_BUILD)/hello.elf
	$(TARGET_RUN) $<

# ---- make target-test: all targets from the host, TARGET_TEST_JOBS at a time ----
# Each target's `make TARGET=<t> test` runs in its own make, side by side (one QEMU each; their
# builds share the job slots); the output of each comes in one piece when it ends. What they all
# read from the host side is built first, once: target-test-inputs (every area adds its files).
TARGET_TEST_JOBS ?= $(shell nproc 2>/dev/null || echo 2)
.PHONY: target-test target-test-all target-test-inputs $(addprefix target-test-,$(ALL_TARGETS))
target-test: target-test-inputs
	@$(MAKE) --no-print-directory -j$(TARGET_TEST_JOBS) --output-sync=recurse target-test-all
	@echo "target-test: $(EMULATED_TARGETS) passed; $(COMPILE_ONLY_TARGETS) built"
target-test-all: $(addprefix target-test-,$(ALL_TARGETS))
target-test-inputs: $(GOLDEN_BUILD)/g++.txt
$(addprefix target-test-,$(EMULATED_TARGETS)): target-test-%: | deps
	$(MAKE) --no-print-directory TARGET=$* test
$(addprefix target-test-,$(COMPILE_ONLY_TARGETS)): target-test-%: | deps
	$(MAKE) --no-print-directory TARGET=$* target-build
ifeq ($(TARGET),host)
TEST_GOALS += target-test
DEPS_PACKAGES += gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib \
                 gcc-riscv64-unknown-elf qemu-system-arm qemu-system-misc
endif

# ---- make size: flash, RAM and stack of forward + cross_entropy + input_gradient, 64-32-10 ----
# tools/size/measured.cpp holds the three calls and no weights (the model comes by reference).
SIZE_BUILD := $(TARGET_BUILD)/size
SIZE_FLAGS := -Os -fno-exceptions
SIZE_ROWS  := $(foreach t,$(ALL_TARGETS),$(BUILD)/$(t)/size/row.json)

$(SIZE_BUILD)/measured.o: tools/size/measured.cpp tools/size/measured.hpp $(LIBRARY_HEADERS) | deps
	@mkdir -p $(@D)
	$(TARGET_CXX) $(TARGET_CXXFLAGS) $(SIZE_FLAGS) -fstack-usage -fcallgraph-info=su -c $< -o $@
# The same object linked with nothing but the runtime helpers it calls (soft float, memset).
$(SIZE_BUILD)/runtime/%.o: % | deps
	@mkdir -p $(@D)
	$(TARGET_CC) $(TARGET_CFLAGS) $(SIZE_FLAGS) -c $< -o $@
$(SIZE_BUILD)/linked.elf: $(SIZE_BUILD)/measured.o $(patsubst %,$(SIZE_BUILD)/runtime/%.o,$(TARGET_RUNTIME_SRCS))
	$(TARGET_CXX) $(TARGET_ARCH) -nostdlib -nostartfiles -Wl,--gc-sections -Wl,-e,ugrad_size_forward \
	  -Wl,-u,ugrad_size_cross_entropy -Wl,-u,ugrad_size_input_gradient $^ $(TARGET_RUNTIME_LIBS) -o $@
# Forward alone: the same object linked with forward as its only entry point.
$(SIZE_BUILD)/forward.elf: $(SIZE_BUILD)/measured.o $(patsubst %,$(SIZE_BUILD)/runtime/%.o,$(TARGET_RUNTIME_SRCS))
	$(TARGET_CXX) $(TARGET_ARCH) -nostdlib -nostartfiles -Wl,--gc-sections -Wl,-e,ugrad_size_forward \
	  $^ $(TARGET_RUNTIME_LIBS) -o $@
$(call target_program,size-stack,tools/size/stack_main.cpp tools/size/measured.cpp,$(SIZE_FLAGS) -Itools/size)
$(SIZE_BUILD)/stack.out: $(TARGET_BUILD)/size-stack.elf
	@mkdir -p $(@D)
	$(TARGET_RUN) $< > $@
# The int8 path's calls (include/ugrad/q8/), compiled alone the same way.
$(SIZE_BUILD)/q8.o: tools/q8/measured.cpp $(LIBRARY_HEADERS) | deps
	@mkdir -p $(@D)
	$(TARGET_CXX) $(TARGET_CXXFLAGS) $(SIZE_FLAGS) -c $< -o $@
$(SIZE_BUILD)/row.json: $(SIZE_BUILD)/measured.o $(SIZE_BUILD)/linked.elf $(SIZE_BUILD)/forward.elf \
                        $(if $(TARGET_QEMU),$(SIZE_BUILD)/stack.out) $(SIZE_BUILD)/q8.o tools/size/report.py
	tools/size/report.py row $(TARGET) $(TARGET_SIZE) $(SIZE_BUILD)/measured.o $(SIZE_BUILD)/linked.elf $(SIZE_BUILD)/forward.elf \
	  $(SIZE_BUILD)/measured.ci $(if $(TARGET_QEMU),$(SIZE_BUILD)/stack.out) $(SIZE_BUILD)/q8.o > $@

.PHONY: size size-row
size-row: $(SIZE_BUILD)/row.json
ifeq ($(TARGET),host)
size: | deps
	@for t in $(ALL_TARGETS); do $(MAKE) --no-print-directory -s TARGET=$$t size-row || exit 1; done
	@mkdir -p $(BUILD)/size
	tools/size/report.py table $(SIZE_ROWS) > $(BUILD)/size/table.md
	@cat $(BUILD)/size/table.md
	tools/readme_section.py size $(BUILD)/size/table.md
endif
