# SPDX-License-Identifier: Apache-2.0
# ugrad — top-level Makefile. `make` (or `make help`) lists what a user runs.
#   make demo      the main job (see README.md)
#   make test      the quick suite, before every commit (QUICK_TEST_GOALS; 5 min 22 s on 2 cores
#                  from a fresh clone)
#   make test-all  everything that proves the library (TEST_GOALS): every emulated core, the
#                  frameworks, lint, fuzz smoke runs, ...; what CI runs (20 min 10 s the same way,
#                  30 goals, from a fresh clone of 463ca74 on this 2-core machine)
# Each area of the project keeps its rules in mk/<area>.mk and adds its test goals to TEST_GOALS
# and the Debian packages it needs to DEPS_PACKAGES.

.DEFAULT_GOAL := help
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
LIBRARY_HEADERS := $(wildcard include/ugrad/*.hpp include/ugrad/*/*.hpp include/ugrad/*/*/*.hpp)
# -g1: line tables (gdb's and the sanitizers' file:line) without the full debug information,
# which costs the template-heavy tests a third more compile time. DEBUG=1 builds with -g.
DEBUG_INFO := $(if $(DEBUG),-g,-g1)
HOST_OPT ?= -O2 $(DEBUG_INFO)
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

# `make test`: what a contributor runs before every commit, in under 8 minutes on 2 cores from a
# fresh clone. The host suite built with clang++ under AddressSanitizer and
# UndefinedBehaviorSanitizer, the build-time checks (freestanding, no heap, compile-fail, warnings,
# README's examples), the exporter's unit tests, and one emulated core: the Cortex-M4F's runner
# (golden vectors at -O2 and -Os, gradient checks, the NaN policy, a fault and a hang), its int8
# golden vectors and kernels, and the firmware example. `make test-all` runs the rest: the suite
# with g++ -O2 and clang++ -O2, every core's whole suite (the M3's and rv32's on the portable
# scalar schedule), the frameworks, lint, fuzzing, ...
QUICK_TEST_GOALS := test-san-clang checks test-exporter test-m4f

# Each goal runs in its own make (tools/run-goals.sh), so the time of each is printed at the end.
.PHONY: test test-all test-m4f
ifeq ($(TARGET),host)
test: | deps
	@MAKE="$(MAKE)" tools/run-goals.sh "make test" $(QUICK_TEST_GOALS)
# Static analysis and the fuzz smoke run mostly one process at a time: they run beside the rest.
test-all: | deps
	@MAKE="$(MAKE)" RUN_GOALS_BACKGROUND="lint fuzz-short" tools/run-goals.sh "make test-all" $(TEST_GOALS)
test-m4f: target-test-inputs
	@$(MAKE) --no-print-directory TARGET=mps2-an386 target-runner q8-target example
else
# `make TARGET=<t> test`: that target's goals, in this make.
test: $(TEST_GOALS)
	@echo "make TARGET=$(TARGET) test: $(TEST_GOALS) passed"
test-all: test
endif

.PHONY: clean
clean:
	rm -rf $(BUILD)

# ---- make help: the goals a user needs ----
.PHONY: help
help:
	@echo "ugrad: neural networks on a microcontroller, with dJ/dx. Goals:"
	@echo "  make demo                      classify test digits, print p, J and dJ/dx; draw build/demo/saliency.svg"
	@echo "  make demo TARGET=mps2-an386    the same on an emulated Cortex-M4F (QEMU)"
	@echo "  make example                   examples/firmware on the emulated Cortex-M4F (TARGET=<core> for another)"
	@echo "  make test                      the quick suite: host clang++ with sanitizers, checks, exporter, M4F (~8 min)"
	@echo "  make test-all                  everything: g++, every emulated core, frameworks, lint, fuzz smoke (CI)"
	@echo "  make TARGET=<core> test        one core's tests; cores: $(EMULATED_TARGETS)"
	@echo "  make export MODEL=m.json NAME=my_model   a trained model to build/export/my_model.hpp"
	@echo "  make train                     train the bundled digits model with ugrad's own gradients"
	@echo "  make cnn-digits                train a small CNN on the digits with PyTorch, export it, measure ugrad's accuracy and dJ/dx"
	@echo "  make bench                     speed on this machine and the emulated cores, beside Eigen and textbook loops"
	@echo "  make size                      flash, RAM and stack per core"
	@echo "  make demo-kws [WORD=yes]       espeak-ng says a keyword; the int8 MLPerf Tiny KWS model hears it on the emulated M4F"
	@echo "  make tflite-int8-cores         the five MLPerf Tiny int8 models on every emulated core, bits against TFLM's"
	@echo "  make clean                     remove build/"
	@echo "Every goal installs the Debian packages it needs when run as root, or prints the apt-get command."
	@echo "More: README.md, docs/."
