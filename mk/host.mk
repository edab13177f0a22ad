# SPDX-License-Identifier: Apache-2.0
# mk/host.mk — the doctest suite in tests/*.cpp, built and run with each host compiler.

DEPS_PACKAGES += doctest-dev clang g++ make binutils

HOST_TEST_SRCS := $(wildcard tests/*.cpp)

# $(1) = compiler command, $(2) = build tag
define HOST_TEST_RULES
$(BUILD)/host-$(2)/tests/%.o: tests/%.cpp | deps
	@mkdir -p $$(@D)
	$(1) $(STD) $(WARN) $(FPFLAGS) $(HOST_OPT) $(HOST_SAN) $(INCLUDES) -Itests -MMD -MP -c $$< -o $$@
$(BUILD)/host-$(2)/unit-tests: $(patsubst tests/%.cpp,$(BUILD)/host-$(2)/tests/%.o,$(HOST_TEST_SRCS))
	$(1) $(HOST_SAN) $$^ -o $$@
.PHONY: test-host-$(2)
test-host-$(2): $(BUILD)/host-$(2)/unit-tests
	@echo "== host tests, $(1)"
	$(BUILD)/host-$(2)/unit-tests
-include $(patsubst tests/%.cpp,$(BUILD)/host-$(2)/tests/%.d,$(HOST_TEST_SRCS))
endef

$(eval $(call HOST_TEST_RULES,g++,gcc))
$(eval $(call HOST_TEST_RULES,clang++,clang))

# The suite on the other kernel schedules (include/ugrad/kernels.hpp, elementwise.hpp). The two
# builds above run what x86-64 picks by default (the vector schedule, SSE2: four wide); these run
# the portable scalar schedule as a core without an FPU runs it (dot lanes started by first_term)
# and, with clang++ as wide
# as this machine goes, the vector schedule eight wide (AVX, where it has it).
$(eval $(call HOST_TEST_RULES,g++ -DUGRAD_PORTABLE_KERNELS=1 -DUGRAD_SOFT_FLOAT_LANES=1,gcc-scalar))
$(eval $(call HOST_TEST_RULES,clang++ -march=native,clang-native))

# `make test-all` builds the suite once per compiler: g++ -O2 here, clang++ -O2 as wide as the
# machine goes (test-host-clang-native; on a machine without AVX, the plain clang++ build), and
# clang++ under the sanitizers (mk/analysis.mk). The portable scalar schedule runs the suite on
# the Cortex-M3 and rv32 (soft float, their cross compilers: target-test), and the golden vectors
# check its bits against the vector schedule's on the host; test-host-gcc-scalar, its host build,
# and test-host-clang, the plain clang++ -O2 build, stay goals of their own.
.PHONY: test-host test-host-schedules
test-host: test-host-gcc test-host-clang
test-host-schedules: test-host-gcc-scalar test-host-clang-native
TEST_GOALS += test-host-gcc test-host-clang-native
