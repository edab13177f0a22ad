# SPDX-License-Identifier: Apache-2.0
# ugrad — top-level Makefile.
#   make demo    the main job (see README.md)
#   make test    everything that proves the library: host tests with g++ and clang++, the
#                freestanding/no-heap/compile-fail checks, and the emulated targets
# Each area of the project keeps its rules in mk/<area>.mk and adds its test goals to TEST_GOALS
# and the Debian packages it needs to DEPS_PACKAGES.

.DEFAULT_GOAL := test
SHELL := /bin/bash
# Keep intermediate files (make would delete them after the last line of output).
.SECONDARY:

BUILD    := build
TARGET   ?= host
STD      := -std=c++17
WARN     := -Wall -Wextra -Wpedantic -Wconversion -Wdouble-promotion -Wshadow -Werror
FPFLAGS  := -ffp-contract=off
INCLUDES := -Iinclude
# The library: include/ugrad/*.hpp and the folders under it (one per instruction set, q8/, ...).
LIBRARY_HEADERS := $(wildcard include/ugrad/*.hpp include/ugrad/*/*.hpp)
HOST_OPT ?= -O2 -g
# The host compilers every host test runs with.
HOST_COMPILERS := g++ clang++

TEST_GOALS        :=
TARGET_TEST_GOALS :=
DEPS_PACKAGES     :=

include $(sort $(wildcard mk/*.mk))

# `make TARGET=<t> test` runs only that target's goals (mk/targets.mk and platform/<t>/target.mk).
ifneq ($(TARGET),host)
TEST_GOALS := $(TARGET_TEST_GOALS)
# The cores that run the runner, golden vectors and their kernels' check only (mk/targets.mk).
ifneq ($(filter $(TARGET),$(RUNNER_TARGETS)),)
TEST_GOALS := $(filter target-suite target-kernels-test,$(TARGET_TEST_GOALS))
endif
endif

# Install (as root) or name the missing Debian packages, once per make run.
.PHONY: deps
deps:
	@tools/ensure-deps.sh $(sort $(DEPS_PACKAGES))

.PHONY: test
test: $(TEST_GOALS)
	@echo "make test: all test goals passed ($(TEST_GOALS))"
	@echo "goals: $(words $(TEST_GOALS)) passed, 0 failed"

.PHONY: clean
clean:
	rm -rf $(BUILD)
