# SPDX-License-Identifier: Apache-2.0
# mk/bench.mk — how fast one call is: forward + cross_entropy + input_gradient for one sample.
#
#   make bench                     host: ugrad vs Eigen 3.4 vs textbook loops at 16-8-3, 64-32-10,
#                                  256-64-10, 784-128-10 with -O2 and with -O3 -march=native (g++),
#                                  the growth sweep, then every emulated Arm core below; writes
#                                  README.md's "bench-host", "bench-mps2-an386", "bench-mps2-an385"
#                                  and "bench-cores" (64-32-10 on each core, -O2 and -Os)
#                                  and the int8 `.tflite` models (mk/tflite.mk): on the M4F their
#                                  forward, forward + dJ/dx and per-operator instructions beside
#                                  TFLM + CMSIS-NN's, RAM and flash; every core's table
#                                  (tflite-int8-cores-report); into docs/tflite.md, docs/tflite-gradient.md
#   make bench TARGET=mps2-an386   executed instructions per call under QEMU (-icount shift=0), ugrad
#                                  vs textbook loops with newlib's expf/logf (any BENCH_TARGETS)
#   make mlperf-host-bench         host: the MLPerf Tiny architectures in float, ugrad (g++ -O2) beside
#                                  PyTorch on one thread, batch 1: inference and forward + dJ/dx
#                                  (bench/mlperf_host_bench.cpp, tools/bench/torch_mlperf.py); writes
#                                  docs/mlperf-tiny.md's "mlperf-host-bench" (also run by make bench)
#   make bench-build               the bench sources compile (part of `make test`; no timing)
# Timings are printed, never asserted. bench/math_bench*.cpp belong to mk/math.mk.

BENCH_BUILD := $(BUILD)/bench
BENCH_HOST_SRC := bench/host_bench.cpp
BENCH_HOST_DEPS := $(BENCH_HOST_SRC) bench/ugrad_call.hpp bench/eigen_call.hpp bench/textbook_call.hpp \
                   $(LIBRARY_HEADERS)
# Eigen's headers are system headers: our warnings are not its business.
BENCH_HOST_FLAGS := $(STD) $(WARN) $(FPFLAGS) $(INCLUDES) -isystem /usr/include/eigen3
BENCH_FLAGSETS := O2 native
# The flags a user passes, and no ugrad macro: ugrad picks its kernels from the compiler's macros
# (include/ugrad/kernels.hpp: the vector schedule, 4 floats wide with SSE2, 8 where -march=native
# turns AVX on). Eigen sees the same flags and picks its own kernels.
BENCH_FLAGS_O2 := -O2
# (On an AVX-512 machine GCC 12 warns, inside Eigen's AVX-512 min/max intrinsics, that an
# _mm512_undefined_ps() operand "may be used uninitialized": not ours, so not an error here.)
BENCH_FLAGS_native := -O3 -march=native -Wno-maybe-uninitialized
BENCH_TARGETS := mps2-an386 mps2-an385 mps2-an500 mps2-an505 mps3-an547 microbit
# The cores whose whole table (every size) is a README section of its own.
BENCH_README_TARGETS := mps2-an386 mps2-an385

DEPS_PACKAGES += libeigen3-dev

$(BENCH_BUILD)/host-%: $(BENCH_HOST_DEPS) | deps
	@mkdir -p $(@D)
	g++ $(BENCH_HOST_FLAGS) $(BENCH_FLAGS_$*) \
	  -DBENCH_FLAGS='"g++ $(BENCH_FLAGS_$*) -ffp-contract=off, no ugrad macros"' $< -o $@

# The target program: same flags as everything else on the target ($(TARGET_OPT), default -O2);
# and the same built for size (-Os: the compact kernels), for the trade between the two.
$(call target_program,target-bench,bench/target_bench.cpp)
$(call target_program,target-bench-os,bench/target_bench.cpp,-Os)

.PHONY: bench bench-build bench-host
ifeq ($(TARGET),host)
bench: bench-host mlperf-host-bench
	@for t in $(BENCH_TARGETS); do $(MAKE) --no-print-directory TARGET=$$t bench || exit 1; done
	tools/bench/cores_table.py $(BUILD) $(BENCH_TARGETS) > $(BENCH_BUILD)/cores.md
	@cat $(BENCH_BUILD)/cores.md
	tools/readme_section.py bench-cores $(BENCH_BUILD)/cores.md
	@$(MAKE) --no-print-directory TARGET=mps2-an386 tflite-int8-bench tflite-int8-gradient-bench tflite-int8-profile
	@$(MAKE) --no-print-directory tflite-int8-cores-report

bench-host: $(foreach f,$(BENCH_FLAGSETS),$(BENCH_BUILD)/host-$(f))
	@tools/bench/machine.sh > $(BENCH_BUILD)/host.md
	@for f in $(BENCH_FLAGSETS); do echo; $(BENCH_BUILD)/host-$$f main 1001 || exit 1; done | tee -a $(BENCH_BUILD)/host.md
	@{ echo; echo "How time and RAM grow (ugrad; Eigen/ugrad for scale):"; \
	  for f in $(BENCH_FLAGSETS); do echo; $(BENCH_BUILD)/host-$$f sweep 301 || exit 1; done; } | tee -a $(BENCH_BUILD)/host.md
	@{ echo; echo "Networks (include/ugrad/network.hpp), the same call:"; \
	  for f in $(BENCH_FLAGSETS); do echo; $(BENCH_BUILD)/host-$$f network 1001 || exit 1; done; } | tee -a $(BENCH_BUILD)/host.md
	tools/readme_section.py bench-host $(BENCH_BUILD)/host.md
else
bench: $(TARGET_BUILD)/target-bench.elf $(TARGET_BUILD)/target-bench-os.elf
	@{ echo "$(TARGET) under QEMU with -icount shift=0, built with \`$(TARGET_CXX) $(TARGET_OPT) $(strip $(TARGET_ARCH)) $(FPFLAGS)\`;"; \
	  echo "instructions per call, averaged over 64 calls (4 for 784-128-10; the counter steps by 1e9 / clock instructions, 40 on mps2). Activations and the stack are RAM besides the weights."; echo; \
	  $(TARGET_RUN) $< || exit 1; } | tee $(TARGET_BUILD)/bench.md
	@$(TARGET_RUN) $(TARGET_BUILD)/target-bench-os.elf > $(TARGET_BUILD)/bench-os.md || exit 1; \
	  { echo; echo "Built with -Os instead (compact kernels, what \`make size\` measures), ugrad / textbook instructions per call:" \
	    $$(awk -F'|' '/^\| [0-9]+-[0-9]+-[0-9]+ / {gsub(/ /, "", $$2); gsub(/ /, "", $$4); gsub(/ /, "", $$6); printf "%s%s: %s / %s", sep, $$2, $$4, $$6; sep="; "}' $(TARGET_BUILD)/bench-os.md)"."; } \
	  | tee -a $(TARGET_BUILD)/bench.md
	@{ echo; echo "The Network rows built with -Os:" \
	    $$(awk -F'|' '/^\| Network [0-9]/ {gsub(/^ +| +$$/, "", $$2); gsub(/ /, "", $$3); gsub(/^ +| +$$/, "", $$4); gsub(/ /, "", $$5); gsub(/ /, "", $$6); printf "%s%s %s vs %s %s (%s)", sep, $$2, $$3, $$4, $$5, $$6; sep="; "}' $(TARGET_BUILD)/bench-os.md)"."; } \
	  | tee -a $(TARGET_BUILD)/bench.md
	@$(if $(TARGET_OWN_KERNELS),$(MAKE) --no-print-directory bench-code-size | tee -a $(TARGET_BUILD)/bench.md)
	$(if $(filter $(TARGET),$(BENCH_README_TARGETS)),tools/readme_section.py bench-$(TARGET) $(TARGET_BUILD)/bench.md)

# The MLPerf Tiny architectures in float on the emulated core (bench/mlperf_bench.cpp): instructions
# of predict and of forward + input_gradient, into docs/mlperf-tiny.md (make mlperf-bench, M4F).
$(call target_program,mlperf-bench,bench/mlperf_bench.cpp)
.PHONY: mlperf-bench
mlperf-bench: $(TARGET_BUILD)/mlperf-bench.elf
	@{ echo "$(TARGET) under QEMU with -icount shift=0, built with \`$(TARGET_CXX) $(TARGET_OPT) $(strip $(TARGET_ARCH)) $(FPFLAGS)\`"; \
	  echo "(no ugrad macros), random weights, one call each:"; echo; \
	  $(TARGET_RUN) $< || exit 1; } | tee $(TARGET_BUILD)/mlperf-bench.md
	tools/readme_section.py mlperf-bench-$(TARGET) $(TARGET_BUILD)/mlperf-bench.md

# Flash of one 64-32-10 call at -Os (bench/call_size.cpp: .text of the object), with the target's
# own kernels and with the portable ones: what the speed costs, or saves, in code.
.PHONY: bench-code-size
bench-code-size: | deps
	@mkdir -p $(TARGET_BUILD)/bench-size
	@$(TARGET_CXX) $(TARGET_CXXFLAGS) -Os -Ibench -c bench/call_size.cpp -o $(TARGET_BUILD)/bench-size/target.o
	@$(TARGET_CXX) $(TARGET_CXXFLAGS) -Os -DUGRAD_PORTABLE_KERNELS=1 -Ibench -c bench/call_size.cpp -o $(TARGET_BUILD)/bench-size/scalar.o
	@t=$$($(TARGET_SIZE) -A $(TARGET_BUILD)/bench-size/target.o | awk '/^\.text/ {s += $$2} END {print s}'); \
	 p=$$($(TARGET_SIZE) -A $(TARGET_BUILD)/bench-size/scalar.o | awk '/^\.text/ {s += $$2} END {print s}'); \
	 echo; echo "Code of one 64-32-10 call at -Os (bench/call_size.cpp): $$t bytes with this target's assembly kernels (their compact variant), $$p bytes with the portable compact ones."

endif

# The MLPerf Tiny architectures on the host, ugrad beside PyTorch (Debian's python3-torch, run by
# /usr/bin/python3, one thread). ugrad is built with what a user passes: -O2, no ugrad macro. The
# torch script rebuilds the same networks, checks their MACs equal ugrad's (it fails otherwise), and
# for each network runs ugrad's program and its own timing in turn MLPERF_HOST_ROUNDS times (the
# median of MLPERF_HOST_REPS batches each time), then prints the table; the machine's line goes above.
MLPERF_HOST_REPS := 21
MLPERF_HOST_ROUNDS := 3
$(BENCH_BUILD)/mlperf-host: bench/mlperf_host_bench.cpp bench/mlperf_fixture.hpp bench/mlperf_tiny.hpp bench/rng.hpp $(LIBRARY_HEADERS) | deps
	@mkdir -p $(@D)
	g++ $(STD) $(WARN) $(FPFLAGS) $(INCLUDES) -O2 \
	  -DBENCH_FLAGS='"g++ -O2 -ffp-contract=off, no ugrad macros"' $< -o $@

.PHONY: mlperf-host-bench
mlperf-host-bench: $(BENCH_BUILD)/mlperf-host tools/bench/torch_mlperf.py | deps
	@tools/ensure-deps.sh python3-torch
	@tools/bench/machine.sh | sed -n 1p > $(BENCH_BUILD)/mlperf-host.md
	@echo >> $(BENCH_BUILD)/mlperf-host.md
	set -o pipefail; /usr/bin/python3 tools/bench/torch_mlperf.py $< $(MLPERF_HOST_REPS) $(MLPERF_HOST_ROUNDS) \
	  | tee -a $(BENCH_BUILD)/mlperf-host.md
	tools/readme_section.py mlperf-host-bench $(BENCH_BUILD)/mlperf-host.md

# Cheap: a syntax check of the host benches (Eigen included) with both compilers.
bench-build: | deps
	g++ $(BENCH_HOST_FLAGS) $(BENCH_UGRAD_O2) -fsyntax-only $(BENCH_HOST_SRC)
	clang++ $(BENCH_HOST_FLAGS) $(BENCH_UGRAD_native) -fsyntax-only $(BENCH_HOST_SRC)
	for c in g++ clang++; do $$c $(STD) $(WARN) $(FPFLAGS) $(INCLUDES) -fsyntax-only bench/mlperf_host_bench.cpp || exit 1; done
TEST_GOALS += bench-build

# A target whose core has kernels of its own (include/ugrad/kernels.hpp picks them from the
# compiler's macros, e.g. include/ugrad/armv7em_vfp/ for the M4F, M7, M33, M55: TARGET_OWN_KERNELS,
# asked of the target's preprocessor) checks them against the scalar kernels, bit for bit, on the
# target: part of `make TARGET=<t> test`.
ifneq ($(TARGET),host)
TARGET_OWN_KERNELS := $(shell $(TARGET_CXX) $(STD) $(TARGET_ARCH) $(TARGET_CPPFLAGS) $(INCLUDES) -include ugrad/kernels.hpp \
                        -x c++ -dM -E /dev/null 2>/dev/null | grep -q 'define UGRAD_HAS_TARGET_KERNELS 1' && echo yes)
endif
ifneq ($(TARGET_OWN_KERNELS),)
$(call target_program,target-kernels,tests/target/kernels_vs_scalar.cpp)
# Again built with -Os: the target's compact variant (what -Os selects: UGRAD_COMPACT_KERNELS), and
# the portable loops as -Os compiles them.
$(call target_program,target-kernels-compact,tests/target/kernels_vs_scalar.cpp,-Os)
.PHONY: target-kernels-test
target-kernels-test: $(TARGET_BUILD)/target-kernels.elf $(TARGET_BUILD)/target-kernels-compact.elf
	$(TARGET_RUN) $(TARGET_BUILD)/target-kernels.elf
	$(TARGET_RUN) $(TARGET_BUILD)/target-kernels-compact.elf
TARGET_TEST_GOALS += target-kernels-test
endif
