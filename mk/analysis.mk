# SPDX-License-Identifier: Apache-2.0
# mk/analysis.mk — the host suite under sanitizers, and static analysis of include/ and src/.
#
#   make test SAN=1   the host suite (g++ and clang++) under AddressSanitizer and
#                     UndefinedBehaviorSanitizer, built in build/san/ so it never mixes with the
#                     ordinary objects; any finding aborts the run
#   make test-san     the suite under the sanitizers with clang++: one of the goals of `make test`
#                     and `make test-all`. g++'s instrumented build of the suite costs four times
#                     clang++'s (over 4 minutes for tests/test_network_gradient.cpp alone at -O1 -g),
#                     so the suites leave it to `make test SAN=1` and `make test-san-gcc`.
#   make lint         cppcheck and clang-tidy (configurations: tests/lint/cppcheck-suppressions.txt,
#                     .clang-tidy) on tests/lint/instantiate.cpp, which instantiates every template
#                     of include/ugrad/, on tests/lint/instantiate_q8.cpp (the same for
#                     include/ugrad/q8/), on the headers themselves, and on src/*.cpp

DEPS_PACKAGES += cppcheck clang-tidy

# -fsanitize=undefined leaves out float-cast-overflow on g++ (a float→int conversion out of range,
# which exp's and log's exponent extraction must never do): named explicitly for both compilers.
SANITIZE := -fsanitize=address,undefined,float-cast-overflow -fno-sanitize-recover=all -fno-omit-frame-pointer

ifeq ($(SAN),1)
# This file sorts before every other fragment, so all of them see the sanitized build directory.
BUILD    := $(BUILD)/san
# `make test SAN=1` is the host suite and nothing else: `override` makes the other fragments'
# plain `TEST_GOALS +=` no-ops.
override TEST_GOALS := test-host
HOST_SAN := $(SANITIZE)
# -O0: the instrumented suite compiles in a quarter of -O1's time (clang++, 2 cores: about 75 s
# instead of 4 minutes) and runs in about 45 s instead of 8; nothing is optimized away before the
# sanitizers see it. The optimized builds are the other host goals' concern.
HOST_OPT := -O0 -g
export ASAN_OPTIONS  := detect_leaks=1:abort_on_error=1
export UBSAN_OPTIONS := print_stacktrace=1:halt_on_error=1
else
# One compiler under the sanitizers per goal. Mostly compiling: two jobs (CI's two cores), unless
# make runs with -j already (then the sub-make shares its jobserver).
.PHONY: test-san test-san-clang test-san-gcc
test-san: test-san-clang
test-san-clang test-san-gcc: test-san-%: | deps
	@echo "== host tests under AddressSanitizer and UndefinedBehaviorSanitizer, $* (build/san)"
	@case " $$MAKEFLAGS" in *jobserver*|*" -j"*) jobs= ;; *) jobs=-j2 ;; esac; \
	  $(MAKE) --no-print-directory $$jobs SAN=1 test-host-$*
TEST_GOALS += test-san lint
endif

LINT_TU      := tests/lint/instantiate.cpp
LINT_SOURCES := $(LINT_TU) tests/lint/instantiate_layers.cpp $(wildcard src/*.cpp)
# Not src/'s headers: each is one #include of a library header (the Arduino layout, checked by
# test-arduino-layout), and cppcheck would read that header again in every configuration.
LINT_HEADERS := $(LIBRARY_HEADERS)
# The int8 path (include/ugrad/q8/, in LIBRARY_HEADERS) has its own TU: its schedules are picked
# by other switches.
LINT_Q8_TU   := tests/lint/instantiate_q8.cpp

.PHONY: lint lint-cppcheck lint-clang-tidy
lint: lint-cppcheck lint-clang-tidy

# cppcheck reads the headers twice: as instantiated by the lint TU, and each on its own, in every
# preprocessor configuration but UGRAD_TARGET_KERNELS (a header a user's build may name; cppcheck
# would try it with an empty name).
lint-cppcheck: | deps
	@echo "== cppcheck on include/ and src/"
	cppcheck --quiet --error-exitcode=1 --std=c++17 --language=c++ --inline-suppr \
	    --enable=warning,style,performance,portability -UUGRAD_TARGET_KERNELS \
	    --suppressions-list=tests/lint/cppcheck-suppressions.txt \
	    $(INCLUDES) $(LINT_SOURCES) $(LINT_HEADERS) $(LINT_Q8_TU)

# .clang-tidy turns every warning into an error and restricts findings to include/ugrad/ and the
# sources named here. Once per kernel schedule: portable scalar, SIMD 4 (x86-64's default) and 8
# floats wide, compact (-Os). (cppcheck explores the preprocessor configurations on its own.)
lint-clang-tidy: | deps
	@echo "== clang-tidy on include/ and src/"
	for v in -DUGRAD_PORTABLE_KERNELS=1 -DUGRAD_VECTOR_KERNELS=4 -DUGRAD_VECTOR_KERNELS=8 -DUGRAD_COMPACT_KERNELS=1; do \
	  clang-tidy --quiet $(LINT_SOURCES) -- $(STD) $(WARN) $(FPFLAGS) $(INCLUDES) $$v || exit 1; done
	@# include/ugrad/q8/: the portable kernels, the compact ones (-Os), the Armv7E-M ones (parsed).
	for v in -O2 -Os -DUGRAD_Q8_DSP_KERNELS=1; do \
	  clang-tidy --quiet $(LINT_Q8_TU) -- $(STD) $(WARN) $(FPFLAGS) $(INCLUDES) $$v || exit 1; done
