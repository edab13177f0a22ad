# SPDX-License-Identifier: Apache-2.0
# mk/q8.mk — the int8 path (include/ugrad/q8/): forward and dJ/dx in integer arithmetic.
#
#   make q8-tables-check        include/ugrad/q8/tables.hpp is what tools/q8_tables.py writes
#   make q8-golden              the q8 golden vectors (tests/q8) from host g++ and clang++ against
#                               tests/q8/golden.hash
#   make q8-no-float            an M0 build (-O2 and -Os) of q8 forward + input_gradient calls no
#                               soft-float helper, and its loops over weights no division; prints
#                               the code size at -Os
#   make TARGET=<t> q8-target   the q8 golden vectors on an emulated target (-O2 and -Os builds);
#                               part of `make TARGET=<t> test`
#   make q8-quantize-check      tools/quantize.py agrees with the specs' quantizer, tools/q8_model.py
#                               (the exporter's int8 report) with the C++ integers, on the digits and
#                               on exported models of every activation and head; bad calibration data
#   make q8-seed-check          tools/q8_model.py's gradient seeds (the heads' ŷ − y with its own
#                               exponent) against include/ugrad/q8/heads.hpp's, every head, labels and targets
#   make TARGET=<t> q8-bench-parts  one call's instructions kernel by kernel (a tuning aid; -os: at -Os)
#   make q8-bench               instructions per call on mps2-an386 (M4F), mps2-an385 (M3),
#                               microbit (M0), rv32, and the M7, M33, M55; not part of `make test`
# The host specs are tests/test_q8_*.cpp, in the host suite (mk/host.mk).

Q8_BUILD   := $(BUILD)/q8
Q8_HEADERS := $(wildcard include/ugrad/q8/*.hpp) include/ugrad/layers.hpp include/ugrad/status.hpp
Q8_GOLDEN_SRCS := tests/q8/golden_q8.cpp
Q8_GOLDEN_DEPS := $(Q8_GOLDEN_SRCS) tests/q8/golden_q8.hpp tests/q8/host_main.cpp tests/splitmix64.hpp $(Q8_HEADERS)

.PHONY: q8-tables-check q8-golden q8-golden-update q8-no-float q8-target q8-bench q8-freestanding
q8-tables-check:
	@python3 tools/q8_tables.py --check

# As check-freestanding (mk/checks.mk) for include/ugrad/q8/: each header alone with a toolchain
# that has no C or C++ library, including only <stdint.h>, <stddef.h> and ugrad's own headers
# (armv7em.hpp, the Armv7E-M DSP kernels, also with the Cortex-M4 compiler; armv6m.hpp and
# armv7m.hpp also with the Cortex-M0 and M3 ones).
q8-freestanding: | deps
	@bad=$$(grep -hE '^\s*#\s*include' $(wildcard include/ugrad/q8/*.hpp) | grep -vE '<(stdint|stddef)\.h>|<ugrad/(q8/)?[a-z0-9_]+\.hpp>'); \
	  if [ -n "$$bad" ]; then echo "q8 headers include something not freestanding:"; echo "$$bad"; exit 1; fi
	@for h in $(filter-out %/armv7em.hpp,$(wildcard include/ugrad/q8/*.hpp)); do \
	  echo "#include <ugrad/q8/$$(basename $$h)>" | \
	    $(FREESTANDING_CXX) $(STD) $(WARN) $(FPFLAGS) -ffreestanding -nostdlib $(INCLUDES) -x c++ -fsyntax-only - \
	    || { echo "not freestanding: $$h"; exit 1; }; done
	@echo "#include <ugrad/q8/armv7em.hpp>" | arm-none-eabi-g++ -mcpu=cortex-m4 -mthumb $(STD) $(WARN) -ffreestanding -nostdlib \
	    $(INCLUDES) -x c++ -c - -o /dev/null || { echo "not freestanding: armv7em.hpp"; exit 1; }
	@echo "#include <ugrad/q8/armv6m.hpp>" | arm-none-eabi-g++ -mcpu=cortex-m0 -mthumb $(STD) $(WARN) -ffreestanding -nostdlib \
	    $(INCLUDES) -x c++ -c - -o /dev/null || { echo "not freestanding: armv6m.hpp"; exit 1; }
	@echo "#include <ugrad/q8/armv7m.hpp>" | arm-none-eabi-g++ -mcpu=cortex-m3 -mthumb $(STD) $(WARN) -ffreestanding -nostdlib \
	    $(INCLUDES) -x c++ -c - -o /dev/null || { echo "not freestanding: armv7m.hpp"; exit 1; }
	@echo "q8-freestanding: $(words $(wildcard include/ugrad/q8/*.hpp)) headers of include/ugrad/q8/ compile freestanding"

# ---- golden vectors ----
$(Q8_BUILD)/golden/%.exe: $(Q8_GOLDEN_DEPS) | deps
	@mkdir -p $(@D)
	$* $(STD) $(WARN) $(FPFLAGS) $(HOST_OPT) $(INCLUDES) $(Q8_GOLDEN_SRCS) tests/q8/host_main.cpp -o $@
$(Q8_BUILD)/golden/%.txt: $(Q8_BUILD)/golden/%.exe
	$< > $@
q8-golden: $(Q8_BUILD)/golden/g++.txt $(Q8_BUILD)/golden/clang++.txt
	@tests/q8/check.sh "host g++" $(Q8_BUILD)/golden/g++.txt
	@tests/q8/check.sh "host clang++" $(Q8_BUILD)/golden/clang++.txt
q8-golden-update: $(Q8_BUILD)/golden/g++.txt $(Q8_BUILD)/golden/clang++.txt
	@diff $^ >/dev/null || { echo "q8-golden-update: g++ and clang++ disagree; not writing" >&2; exit 1; }
	cp $(Q8_BUILD)/golden/g++.txt tests/q8/golden.hash

# ---- no floating point on the path, code size: Cortex-M0 (ARMv6-M, no FPU, no divide) ----
Q8_M0_CXX := arm-none-eabi-g++ -mcpu=cortex-m0 -mthumb -mfloat-abi=soft
Q8_M0_FLAGS = $(STD) $(WARN) $(FPFLAGS) $(INCLUDES) -fno-exceptions -fno-rtti -ffunction-sections -fdata-sections
$(Q8_BUILD)/m0/%-O2.o $(Q8_BUILD)/m0/%-Os.o: tools/q8/%.cpp $(Q8_HEADERS) | deps
	@mkdir -p $(@D)
	$(Q8_M0_CXX) $(Q8_M0_FLAGS) -O2 -c $< -o $(Q8_BUILD)/m0/$*-O2.o
	$(Q8_M0_CXX) $(Q8_M0_FLAGS) -Os -c $< -o $(Q8_BUILD)/m0/$*-Os.o
# Linked with nothing but libgcc's integer helpers it calls (64-bit multiply and shifts, one
# unsigned division per output of the softmax).
$(Q8_BUILD)/m0/linked-Os.elf: $(Q8_BUILD)/m0/measured-Os.o
	$(Q8_M0_CXX) -nostdlib -nostartfiles -Wl,--gc-sections -Wl,-e,ugrad_q8_forward -Wl,-u,ugrad_q8_input_gradient $< -lgcc -o $@
q8-no-float: $(Q8_BUILD)/m0/measured-O2.o $(Q8_BUILD)/m0/measured-Os.o $(Q8_BUILD)/m0/kernels-O2.o $(Q8_BUILD)/m0/kernels-Os.o \
             $(Q8_BUILD)/m0/linked-Os.elf
	@for o in $(Q8_BUILD)/m0/measured-O2.o $(Q8_BUILD)/m0/measured-Os.o; do \
	  float=$$(arm-none-eabi-nm -u $$o | grep -E '__aeabi_([fd]|[iu]i?2[fd]|l2[fd]|ul2[fd])|__(add|sub|mul|div|neg|cmp|float|fix)[a-z]*[sdt]f' || true); \
	  [ -z "$$float" ] || { echo "q8-no-float: FAIL: $$o calls soft-float helpers: $$float"; exit 1; }; \
	  echo "q8-no-float: $$o calls only integer helpers: $$(arm-none-eabi-nm -u $$o | awk '{print $$2}' | tr '\n' ' ')"; done
	@for o in $(Q8_BUILD)/m0/kernels-O2.o $(Q8_BUILD)/m0/kernels-Os.o; do \
	  div=$$(arm-none-eabi-objdump -dr $$o | grep -Ei 'div|__aeabi_[iu]?l?div' || true); \
	  [ -z "$$div" ] || { echo "q8-no-float: FAIL: a division in the loops over weights ($$o): $$div"; exit 1; }; \
	  float=$$(arm-none-eabi-nm -u $$o); [ -z "$$float" ] || { echo "q8-no-float: FAIL: $$o calls $$float"; exit 1; }; done
	@echo "q8-no-float: the loops over weights (affine, normalize15, apply_factors, affine_t) hold no division and call nothing"
	@own=$$(arm-none-eabi-size -A $(Q8_BUILD)/m0/measured-Os.o | awk '/^\.(text|rodata)/ {s += $$2} END {print s}'); \
	  linked=$$(arm-none-eabi-size -A $(Q8_BUILD)/m0/linked-Os.elf | awk '/^\.(text|rodata)/ {s += $$2} END {print s}'); \
	  echo "q8 code size, Cortex-M0 -Os, forward + input_gradient (64-32-10): $$own B of its own (code and tables), $$linked B linked with libgcc's helpers"; \
	  [ $$linked -le 2048 ] || { echo "q8-no-float: FAIL: more than 2,048 B"; exit 1; }
TEST_GOALS += q8-tables-check q8-freestanding q8-golden q8-no-float

# ---- on the emulated targets ----
# With the Armv7E-M DSP instructions (the compiler defines __ARM_FEATURE_DSP: M4F, M7, M33, M55),
# q8-target also checks include/ugrad/q8/armv7em.hpp's kernels, fast and compact, against plain
# loops on every shape's tails and the three rescalings (tests/q8/kernels_vs_reference.cpp).
$(call target_program,q8-golden,$(Q8_GOLDEN_SRCS) tests/q8/target_main.cpp)
$(call target_program,q8-golden-os,$(Q8_GOLDEN_SRCS) tests/q8/target_main.cpp,-Os)
# The kernels the target picks (kernels.hpp) against the plain sums, on shapes that reach every
# block and remainder of them (tests/q8/kernels_check.cpp), -O2 and -Os.
$(call target_program,q8-kernels,tests/q8/kernels_check.cpp)
$(call target_program,q8-kernels-os,tests/q8/kernels_check.cpp,-Os)
Q8_TARGET_KERNEL_ELFS := $(TARGET_BUILD)/q8-kernels.elf $(TARGET_BUILD)/q8-kernels-os.elf
ifneq ($(TARGET),host)
Q8_TARGET_DSP := $(shell $(TARGET_CXX) $(STD) $(TARGET_ARCH) -x c++ -dM -E /dev/null 2>/dev/null | grep -q '__ARM_FEATURE_DSP 1' && echo yes)
endif
ifneq ($(Q8_TARGET_DSP),)
$(call target_program,q8-dsp-kernels,tests/q8/kernels_vs_reference.cpp)
$(call target_program,q8-dsp-kernels-os,tests/q8/kernels_vs_reference.cpp,-Os)
Q8_TARGET_KERNEL_ELFS += $(TARGET_BUILD)/q8-dsp-kernels.elf $(TARGET_BUILD)/q8-dsp-kernels-os.elf
endif
ifneq ($(TARGET_QEMU),)
q8-target: $(TARGET_BUILD)/q8-golden.elf $(TARGET_BUILD)/q8-golden-os.elf $(Q8_TARGET_KERNEL_ELFS)
	@$(TARGET_RUN) $(TARGET_BUILD)/q8-golden.elf > $(TARGET_BUILD)/q8-golden.out
	@tests/q8/check.sh "$(TARGET) -O2" $(TARGET_BUILD)/q8-golden.out
	@$(TARGET_RUN) $(TARGET_BUILD)/q8-golden-os.elf > $(TARGET_BUILD)/q8-golden-os.out
	@tests/q8/check.sh "$(TARGET) -Os" $(TARGET_BUILD)/q8-golden-os.out
	@for e in $(Q8_TARGET_KERNEL_ELFS); do printf '%s %s: ' $(TARGET) $$(basename $$e .elf); $(TARGET_RUN) $$e || exit 1; done
TARGET_TEST_GOALS += q8-target
endif

# ---- make q8-bench ----
Q8_BENCH_TARGETS := mps2-an386 mps2-an385 microbit rv32 mps2-an500 mps2-an505 mps3-an547
Q8_CORE_mps2-an386 := Cortex-M4F (mps2-an386)
Q8_CORE_mps2-an500 := Cortex-M7 (mps2-an500)
Q8_CORE_mps2-an505 := Cortex-M33 (mps2-an505)
Q8_CORE_mps3-an547 := Cortex-M55 (mps3-an547)
Q8_CORE_mps2-an385 := Cortex-M3 (mps2-an385)
Q8_CORE_microbit   := Cortex-M0 (microbit)
Q8_CORE_rv32       := RV32IMAC (rv32)
$(call target_program,q8-bench,bench/q8_bench.cpp,-DQ8_BENCH_ROW='"$(Q8_CORE_$(TARGET)) | -O2"')
$(call target_program,q8-bench-os,bench/q8_bench.cpp,-Os -DQ8_BENCH_ROW='"$(Q8_CORE_$(TARGET)) | -Os"')
ifeq ($(TARGET),host)
q8-bench: | deps
	@mkdir -p $(Q8_BUILD)
	@{ echo "| core | build | forward | forward + input_gradient | the same, confident: label = its answer, ŷ ≈ 0.94 | weights (sizeof Network) |"; echo "|---|---|---:|---:|---:|---:|"; \
	  for t in $(Q8_BENCH_TARGETS); do $(MAKE) --no-print-directory -s TARGET=$$t q8-bench || exit 1; done; } | tee $(Q8_BUILD)/bench.md
else
q8-bench: $(TARGET_BUILD)/q8-bench.elf $(TARGET_BUILD)/q8-bench-os.elf 
	@for e in $^; do $(TARGET_RUN) $$e || exit 1; done
endif

# ---- tools/quantize.py (the exporter's int8 step) agrees with the specs' quantizer ----
$(Q8_BUILD)/calibration.csv: data/digits.csv
	@mkdir -p $(@D)
	python3 -c "import sys; [print(','.join(str(int(v) / 16) for v in l.split(',')[:64])) for i, l in enumerate(open(sys.argv[1])) if i % 5]" $< > $@
$(Q8_BUILD)/digits_q8.hpp: tools/quantize.py examples/demo/digits_model.hpp $(Q8_BUILD)/calibration.csv
	python3 tools/quantize.py examples/demo/digits_model.hpp $(Q8_BUILD)/calibration.csv digits_q8 > $@.tmp && mv $@.tmp $@
$(Q8_BUILD)/quantize-check: tests/q8/quantize_py_check.cpp tests/q8_quantize.hpp tools/train/digits_csv.hpp $(Q8_BUILD)/digits_q8.hpp $(Q8_HEADERS) | deps
	g++ $(STD) $(WARN) -O1 $(INCLUDES) -I$(Q8_BUILD) $< -o $@
.PHONY: q8-quantize-check
q8-quantize-check: $(Q8_BUILD)/quantize-check $(Q8_BUILD)/calibration.csv
	@$<
	@$< dump > $(Q8_BUILD)/dump-cpp.txt
	@python3 tests/q8/q8_model_dump.py examples/demo/digits_model.hpp $(Q8_BUILD)/calibration.csv > $(Q8_BUILD)/dump-py.txt
	@cmp -s $(Q8_BUILD)/dump-cpp.txt $(Q8_BUILD)/dump-py.txt && [ $$(wc -l < $(Q8_BUILD)/dump-py.txt) -eq 360 ] \
	  || { echo "q8-quantize-check: FAIL: tools/q8_model.py and include/ugrad/q8 differ on the test digits (diff $(Q8_BUILD)/dump-cpp.txt $(Q8_BUILD)/dump-py.txt)"; exit 1; }
	@echo "q8-quantize-check: tools/q8_model.py (the exporter's int8 report) computes the C++ path's y codes, dx codes and exponents on all 360 test digits"
	@printf '' > $(Q8_BUILD)/empty.csv; status=0; python3 tools/quantize.py examples/demo/digits_model.hpp $(Q8_BUILD)/empty.csv x > $(Q8_BUILD)/empty.hpp 2> $(Q8_BUILD)/empty.err || status=$$?; \
	  [ $$status -eq 1 ] && [ ! -s $(Q8_BUILD)/empty.hpp ] && [ $$(wc -l < $(Q8_BUILD)/empty.err) -eq 1 ] || { echo "q8-quantize-check: FAIL: empty calibration data"; exit 1; }
	@python3 -c "print(','.join(['0.5'] * 63 + ['nan']))" > $(Q8_BUILD)/nan.csv; status=0; \
	  python3 tools/quantize.py examples/demo/digits_model.hpp $(Q8_BUILD)/nan.csv x > $(Q8_BUILD)/nan.hpp 2> $(Q8_BUILD)/nan.err || status=$$?; \
	  [ $$status -eq 1 ] && [ ! -s $(Q8_BUILD)/nan.hpp ] && [ $$(wc -l < $(Q8_BUILD)/nan.err) -eq 1 ] || { echo "q8-quantize-check: FAIL: NaN in calibration data"; exit 1; }
	@echo "q8-quantize-check: empty and NaN calibration data: one line, exit 1, no header"
	@rm -rf $(Q8_BUILD)/networks && mkdir -p $(Q8_BUILD)/networks
	@cases=$$(python3 tests/q8/network_check.py $(Q8_BUILD)/networks) || exit 1; \
	  for n in $$cases; do \
	    g++ $(STD) $(WARN) -O1 $(INCLUDES) -I$(Q8_BUILD)/networks -DMODEL_HEADER="\"$$n.hpp\"" -DMODEL=$$n \
	        tests/q8/network_dump.cpp -o $(Q8_BUILD)/networks/$$n || exit 1; \
	    $(Q8_BUILD)/networks/$$n < $(Q8_BUILD)/networks/$$n.rows > $(Q8_BUILD)/networks/$$n.cpp.txt \
	      || { echo "q8-quantize-check: FAIL: $$n did not run on its rows"; exit 1; }; \
	    cmp -s $(Q8_BUILD)/networks/$$n.cpp.txt $(Q8_BUILD)/networks/$$n.expected \
	      || { echo "q8-quantize-check: FAIL: tools/q8_model.py and include/ugrad/q8 differ on $$n (diff $(Q8_BUILD)/networks/$$n.cpp.txt $(Q8_BUILD)/networks/$$n.expected)"; exit 1; }; \
	    echo "q8-quantize-check: $$n (exported int8, $$(sed -n 's|^// int8 ||p' $(Q8_BUILD)/networks/$$n.hpp)): the same ŷ codes, dx codes and exponents on all $$(wc -l < $(Q8_BUILD)/networks/$$n.rows) rows"; \
	  done
TEST_GOALS += q8-quantize-check

# Where one call's instructions go, kernel by kernel (a tuning aid).
$(call target_program,q8-bench-parts,bench/q8_parts.cpp)
$(call target_program,q8-bench-parts-os,bench/q8_parts.cpp,-Os)
.PHONY: q8-bench-parts q8-bench-parts-os
q8-bench-parts: $(TARGET_BUILD)/q8-bench-parts.elf
	$(TARGET_RUN) $<
q8-bench-parts-os: $(TARGET_BUILD)/q8-bench-parts-os.elf
	$(TARGET_RUN) $<

# ---- make q8-report: README.md's int8 section, from the runs above ----
# The digits accuracy contract (tests/test_q8_digits.cpp's line), instructions per call (q8-bench),
# the M0 code size (q8-no-float) and the golden hash.
$(Q8_BUILD)/digits-report: tests/main.cpp tests/test_q8_digits.cpp tests/q8_quantize.hpp $(Q8_HEADERS) | deps
	@mkdir -p $(@D)
	g++ $(STD) $(WARN) $(FPFLAGS) -O2 $(INCLUDES) -Itests tests/main.cpp tests/test_q8_digits.cpp -o $@
.PHONY: q8-report
q8-report: $(Q8_BUILD)/digits-report q8-no-float q8-bench
	@{ echo "On the 360 test digits, the bundled model quantized by tests/q8_quantize.hpp (the same codes as tools/quantize.py):"; \
	  echo; $(Q8_BUILD)/digits-report | sed -n 's/^q8 digits: /    /p'; echo; \
	  echo "Instructions per call, 64-32-10 (sigmoid hidden layer, softmax head), random weights, under QEMU (-icount shift=0):"; echo; \
	  cat $(Q8_BUILD)/bench.md; echo; \
	  echo "Code of q8 forward + input_gradient at -Os on the Cortex-M0, with the libgcc helpers it calls: $$(arm-none-eabi-size -A $(Q8_BUILD)/m0/linked-Os.elf | awk '/^\.(text|rodata)/ {s += $$2} END {print s}') B."; \
	  echo "q8 golden vectors (host g++, clang++, every emulated target: mps2-an386, mps2-an385, microbit, rv32, mps2-an500, mps2-an505, mps3-an547; -O2 and -Os): \`$$(sed -n 's/^q8golden total //p' tests/q8/golden.hash)\`."; \
	} > $(Q8_BUILD)/report.md
	@cat $(Q8_BUILD)/report.md
	tools/readme_section.py q8 $(Q8_BUILD)/report.md

# ---- the heads' gradient seeds: tools/q8_model.py (the exporter's integer model) against C++ ----
$(Q8_BUILD)/seed-dump: tests/q8/seed_dump.cpp tests/splitmix64.hpp $(Q8_HEADERS) | deps
	@mkdir -p $(@D)
	g++ $(STD) $(WARN) $(FPFLAGS) -O1 $(INCLUDES) $< -o $@
.PHONY: q8-seed-check
q8-seed-check: $(Q8_BUILD)/seed-dump
	@$< > $(Q8_BUILD)/seed-dump.txt
	@python3 tests/q8/seed_check.py $(Q8_BUILD)/seed-dump.txt
TEST_GOALS += q8-seed-check
