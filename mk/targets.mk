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
GOLDEN_BUILD := $(BUILD)/golden
GOLDEN_SRCS  := tests/golden/golden_vectors.cpp tests/golden/host_main.cpp
GOLDEN_DEPS  := $(GOLDEN_SRCS) tests/golden/golden_vectors.hpp $(wildcard include/ugrad/*.hpp)

$(GOLDEN_BUILD)/golden-%: $(GOLDEN_DEPS) | deps
	@mkdir -p $(@D)
	$* $(STD) $(WARN) $(FPFLAGS) $(HOST_OPT) $(INCLUDES) $(GOLDEN_SRCS) -o $@
$(GOLDEN_BUILD)/%.txt: $(GOLDEN_BUILD)/golden-%
	$< > $@

.PHONY: golden golden-update
golden: $(GOLDEN_BUILD)/g++.txt $(GOLDEN_BUILD)/clang++.txt
	@tests/golden/check.sh "host g++" $(GOLDEN_BUILD)/g++.txt $(GOLDEN_BUILD)/g++.txt
	@tests/golden/check.sh "host clang++" $(GOLDEN_BUILD)/clang++.txt $(GOLDEN_BUILD)/g++.txt
golden-update: $(GOLDEN_BUILD)/g++.txt $(GOLDEN_BUILD)/clang++.txt
	@diff $(GOLDEN_BUILD)/g++.txt $(GOLDEN_BUILD)/clang++.txt >/dev/null || \
	  { echo "golden-update: g++ and clang++ disagree; not writing golden.hash" >&2; exit 1; }
	cp $(GOLDEN_BUILD)/g++.txt tests/golden/golden.hash
	@echo "golden-update: tests/golden/golden.hash rewritten; run make target-test to check the targets agree"
TEST_GOALS += golden

# ---- programs every target builds ----
$(call target_program,freestanding-runner,tests/target/freestanding_runner.cpp tests/golden/golden_vectors.cpp)
$(call target_program,crash,tests/target/crash.c)
$(call target_program,hang,tests/target/hang.c)
$(call target_program,hello,tests/target/hello.c)

# The doctest suite on the Arm targets (newlib and libstdc++): every tests/test_*.cpp except those
# that need the host (a file marks itself with a line `// ugrad: host-only`) and those listed here:
#   test_gradients.cpp  weight gradients against finite differences in software double: two
#                       thirds of the on-target time, and the training path, not inference
#   test_training.cpp   re-training on the target: the training area's `finetune` goal already
#                       runs training on every emulated target
TARGET_DOCTEST_EXCLUDE := tests/test_gradients.cpp tests/test_training.cpp
TARGET_DOCTEST_SRCS := $(filter-out $(TARGET_DOCTEST_EXCLUDE) $(shell grep -l '^// ugrad: host-only' tests/test_*.cpp 2>/dev/null),\
                         $(wildcard tests/test_*.cpp))
TARGET_DOCTEST_FLAGS := -isystem $(TARGET_BUILD)/doctest-include -Itests -DDOCTEST_CONFIG_NO_POSIX_SIGNALS \
                        -DDOCTEST_CONFIG_NO_MULTITHREADING -DDOCTEST_CONFIG_COLORS_NONE
ifeq ($(TARGET_HOSTED),yes)
$(call target_program,doctest-suite,tests/target/doctest_main.cpp $(TARGET_DOCTEST_SRCS),$(TARGET_DOCTEST_FLAGS))
# doctest is a host package (/usr/include/doctest); the cross compiler is shown only that folder.
$(doctest-suite_TARGET_OBJS): $(TARGET_BUILD)/doctest-include/doctest
$(TARGET_BUILD)/doctest-include/doctest: | deps
	@mkdir -p $(@D)
	ln -sfn /usr/include/doctest $@
TARGET_SUITE_ELFS := $(TARGET_BUILD)/doctest-suite.elf
endif

# ---- make TARGET=<t> test ----
.PHONY: target-suite target-build target-hello
ifneq ($(TARGET_QEMU),)
# The verdict is each program's exit status in QEMU; the golden lines must match the host's.
target-suite: $(TARGET_BUILD)/freestanding-runner.elf $(TARGET_SUITE_ELFS) $(TARGET_BUILD)/crash.elf \
              $(TARGET_BUILD)/hang.elf $(GOLDEN_BUILD)/g++.txt
	@echo "== $(TARGET): freestanding runner (golden vectors, gradient checks, error policy)"
	@$(TARGET_RUN) $(TARGET_BUILD)/freestanding-runner.elf | tee $(TARGET_BUILD)/freestanding-runner.out
	@tests/golden/check.sh $(TARGET) $(TARGET_BUILD)/freestanding-runner.out $(GOLDEN_BUILD)/g++.txt
	@$(if $(TARGET_SUITE_ELFS),echo "== $(TARGET): doctest suite ($(notdir $(TARGET_DOCTEST_SRCS)))" && \
	  RUN_TIMEOUT=120 $(TARGET_RUN) $(TARGET_BUILD)/doctest-suite.elf > $(TARGET_BUILD)/doctest-suite.out || \
	  { cat $(TARGET_BUILD)/doctest-suite.out; exit 1; }; grep ' doctest: ' $(TARGET_BUILD)/doctest-suite.out)
	@echo "== $(TARGET): a fault and a hang must end the run with a failure"
	@status=0; $(TARGET_RUN) $(TARGET_BUILD)/crash.elf > $(TARGET_BUILD)/crash.out || status=$$?; \
	  [ $$status -eq 3 ] || { echo "crash.elf exited with $$status, not 3 (HAL_EXIT_FAULT)"; exit 1; }; \
	  grep -q '^\*\*\* ' $(TARGET_BUILD)/crash.out || { echo "no fault report from crash.elf"; exit 1; }
	@status=0; RUN_TIMEOUT=3 $(TARGET_RUN) $(TARGET_BUILD)/hang.elf > /dev/null 2>&1 || status=$$?; \
	  [ $$status -eq 124 ] || { echo "hang.elf ended with $$status, not 124 (timeout)"; exit 1; }
	@echo "$(TARGET): fault reported (exit 3), hang stopped by the timeout (exit 124)"
TARGET_TEST_GOALS += target-suite
else
# Compile, link and size only.
target-suite: target-build
TARGET_TEST_GOALS += target-suite
endif
target-build: $(TARGET_BUILD)/freestanding-runner.elf $(TARGET_SUITE_ELFS) $(TARGET_BUILD)/hello.elf
	@echo "$(TARGET): built $(notdir $^)"
target-hello: $(TARGET_BUILD)/hello.elf
	$(TARGET_RUN) $<

# ---- make target-test: all targets from the host ----
.PHONY: target-test $(addprefix target-test-,$(ALL_TARGETS))
target-test: $(addprefix target-test-,$(ALL_TARGETS))
	@echo "target-test: $(EMULATED_TARGETS) passed; $(COMPILE_ONLY_TARGETS) built"
$(addprefix target-test-,$(EMULATED_TARGETS)): target-test-%: | deps
	$(MAKE) --no-print-directory TARGET=$* test
$(addprefix target-test-,$(COMPILE_ONLY_TARGETS)): target-test-%: | deps
	$(MAKE) --no-print-directory TARGET=$* target-build
ifeq ($(TARGET),host)
TEST_GOALS += target-test
DEPS_PACKAGES += gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib \
                 gcc-riscv64-unknown-elf qemu-system-arm qemu-system-misc
endif
