# SPDX-License-Identifier: Apache-2.0
# mk/math.mk — float exp, log, sigmoid and tanh (include/ugrad/math.hpp): the exhaustive proof and
# the math benchmark. The sampled accuracy specs (tests/test_math.cpp: boundaries and special
# values, and tests/test_tanh.cpp, also on the Arm targets; tests/test_math_sampled.cpp: a million
# random inputs, host only) run in `make test` with the rest of the doctest suite.
#
#   make test-exhaustive   all 2^32 float inputs of exp, log, sigmoid_pair and tanh against the host
#                          libm in double, and tanh's odd symmetry (2 threads, over ten minutes; not
#                          part of `make test`); writes README.md's "math-accuracy" section
#   make bench-math        host: ns per call of ugrad::exp/log/sigmoid_pair/tanh next to libm's
#                          expf/logf/tanhf
#   make bench-math TARGET=mps2-an386
#                          instructions per call under QEMU next to newlib's expf/logf/tanhf
#   make tanh-bits TARGET=<emulated target>
#                          float tanh's checksum over 2^16 inputs must be the host's
#                          (tests/math_bits.hpp; freestanding, for rv32, which has no doctest suite)

MATH_BUILD := $(BUILD)/math
MATH_HOST_FLAGS := $(STD) $(WARN) $(FPFLAGS) -O2 $(INCLUDES) -Itests

$(MATH_BUILD)/exhaustive: tools/math/exhaustive.cpp include/ugrad/math.hpp tests/math_accuracy.hpp \
                          tests/math_special_values.hpp | deps
	@mkdir -p $(@D)
	g++ $(MATH_HOST_FLAGS) -pthread $< -o $@

.PHONY: test-exhaustive
test-exhaustive: $(MATH_BUILD)/exhaustive
	$(MATH_BUILD)/exhaustive --threads 2 --markdown $(MATH_BUILD)/exhaustive.md
	tools/readme_section.py math-accuracy $(MATH_BUILD)/exhaustive.md

$(MATH_BUILD)/math_bench: bench/math_bench.cpp include/ugrad/math.hpp | deps
	@mkdir -p $(@D)
	g++ $(MATH_HOST_FLAGS) $< -o $@

$(call target_program,math_bench,bench/math_bench_target.cpp)

.PHONY: bench-math
ifeq ($(TARGET),host)
bench-math: $(MATH_BUILD)/math_bench
	$(MATH_BUILD)/math_bench
else
bench-math: $(TARGET_BUILD)/math_bench.elf
	$(TARGET_RUN) $<
endif

$(call target_program,tanh_bits,tools/math/tanh_bits.cpp,-Itests)

.PHONY: tanh-bits
ifeq ($(TARGET),host)
tanh-bits:
	@echo "tanh-bits: the host's checksum is tests/math_bits.hpp's (test_tanh.cpp checks it); run it on a target:"
	@echo "  make TARGET=rv32 tanh-bits"; exit 1
else
tanh-bits: $(TARGET_BUILD)/tanh_bits.elf
	$(TARGET_RUN) $<
endif
# On a target without the doctest suite (rv32: no C++ library) this is how `make TARGET=<t> test`
# checks tanh's bits; the hosted Arm targets check the same sum in test_tanh.cpp.
ifeq ($(TARGET_HOSTED)$(if $(TARGET_QEMU),emulated),noemulated)
TARGET_TEST_GOALS += tanh-bits
endif
