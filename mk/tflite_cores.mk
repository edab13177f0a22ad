# SPDX-License-Identifier: Apache-2.0
# mk/tflite_cores.mk — the five MLPerf Tiny int8 models on every emulated core, against TFLM's bits.
#
#   make tflite-int8-cores          each model's runner (tests/tflite/int8_core_runner.cpp) built once
#                                   per core and on the host (g++), each run on every reference input
#                                   of data/mlperf-tiny/: its outputs must equal TFLM's, and the hash
#                                   over all of a model's outputs must be the same on every core and
#                                   the host. A model the board's memory cannot hold is reported (the
#                                   region, what it needs, the link script's LENGTH), not run. Prints
#                                   the table (tools/tflite/cores_table.py); part of `make test-all`.
#                                   The same runner built with -DUGRAD_CORE_GRADIENT=1 (a second program per
#                                   model and core) adds the integer dJ/dx at the predicted class of every
#                                   case: its hash must be the host's on every core that holds it.
#   make tflite-int8-cores-report   the same, and the table into docs/tflite.md (section tflite-int8-cores)
#
# Each core builds in a make of its own (TARGET=<core>: its exported headers, mk/tflite.mk's
# TFLITE_INT8_GEN), all of them side by side under the caller's -j.

TFLITE_CORES_TARGETS := mps2-an386 mps2-an500 mps2-an505 mps3-an547 mps2-an385 rv32 microbit
TFLITE_CORES_DIR     := tflite-int8-cores
# What selects one model in the runner.
tflite_core_flags = -I$(TFLITE_INT8_GEN) -DUGRAD_MODEL=$(1) -DUGRAD_MODEL_HEADER=\"$(1).hpp\" \
                    -DUGRAD_CASES_HEADER=\"cases/$(1).hpp\"

# One model's reference inputs and TFLM's outputs (tools/tflite/int8_cases.py).
$(TFLITE_INT8_GEN)/cases/%.hpp: tools/tflite/int8_cases.py data/mlperf-tiny/%.json | deps
	@mkdir -p $(@D)
	/usr/bin/python3 tools/tflite/int8_cases.py $* > $@.tmp && mv $@.tmp $@

ifeq ($(TARGET),host)
# ---- the host: the same runner with g++ (platform/host/hal.c), then every core, then the table ----
# mk/tflite.mk writes a model's header and forward file for a target; these rules, the same, for the host.
$(TFLITE_INT8_GEN)/%_forward.cpp: | deps
	@mkdir -p $(@D)
	printf '// Written by mk/tflite_cores.mk: %s.forward in a translation unit of its own.\n#include "%s.hpp"\nvoid %s_forward(int8_t* arena) { %s.forward(arena); }\n' $* $* $* $* > $@
$(TFLITE_INT8_GEN)/%.hpp: data/mlperf-tiny/%.tflite $(TFLITE_INT8_TOOLS) | deps
	@mkdir -p $(@D)
	/usr/bin/python3 tools/export_model.py $< --name $* --out $@
$(TFLITE_INT8_GEN)/%_gradient.cpp: | deps
	@mkdir -p $(@D)
	printf '// Written by mk/tflite_cores.mk: %s.forward_keeping and input_gradient in a translation unit of their own.\n#include "%s.hpp"\nvoid %s_forward_keeping(int8_t* tape) { %s.forward_keeping(tape); }\nugrad::tflite::backward::InputGradient %s_input_gradient(const int8_t* tape, int32_t* gradient, int label) { return %s.input_gradient(tape, gradient, label); }\n' $* $* $* $* $* $* > $@
TFLITE_CORES_HOST := $(TARGET_BUILD)/$(TFLITE_CORES_DIR)
$(TFLITE_CORES_HOST)/hal/%.o: platform/%.c platform/hal.h | deps
	@mkdir -p $(@D)
	gcc -std=c11 $(WARN) $(HOST_OPT) -Iplatform -c $< -o $@
$(TFLITE_CORES_HOST)/%.exe: tests/tflite/int8_core_runner.cpp $(TFLITE_INT8_GEN)/%_forward.cpp $(TFLITE_INT8_GEN)/%.hpp \
                            $(TFLITE_INT8_GEN)/cases/%.hpp $(LIBRARY_HEADERS) $(wildcard include/ugrad/tflite/*/*.hpp) \
                            $(TFLITE_CORES_HOST)/hal/host/hal.o $(TFLITE_CORES_HOST)/hal/common/hal_format.o | deps
	g++ $(STD) $(WARN) $(FPFLAGS) $(HOST_OPT) $(INCLUDES) -Iplatform $(call tflite_core_flags,$*) \
	  tests/tflite/int8_core_runner.cpp $(TFLITE_INT8_GEN)/$*_forward.cpp $(filter %.o,$^) -o $@
$(TFLITE_CORES_HOST)/%.grad.exe: tests/tflite/int8_core_runner.cpp $(TFLITE_INT8_GEN)/%_gradient.cpp $(TFLITE_INT8_GEN)/%.hpp \
                                 $(TFLITE_INT8_GEN)/cases/%.hpp $(LIBRARY_HEADERS) $(wildcard include/ugrad/tflite/*/*.hpp) \
                                 $(TFLITE_CORES_HOST)/hal/host/hal.o $(TFLITE_CORES_HOST)/hal/common/hal_format.o | deps
	g++ $(STD) $(WARN) $(FPFLAGS) $(HOST_OPT) $(INCLUDES) -Iplatform $(call tflite_core_flags,$*) -DUGRAD_CORE_GRADIENT=1 \
	  tests/tflite/int8_core_runner.cpp $(TFLITE_INT8_GEN)/$*_gradient.cpp $(filter %.o,$^) -o $@
$(TFLITE_CORES_HOST)/%.txt: $(TFLITE_CORES_HOST)/%.exe
	@status=0; $< > $@.out || status=$$?; \
	  echo "$$( [ $$status -eq 0 ] && echo ok || echo mismatch) - - $$(grep '^tflite-int8-core ' $@.out)" > $@; echo "host $*: $$(cat $@)"

.PHONY: tflite-int8-cores tflite-int8-cores-report $(TFLITE_CORES_TARGETS:%=tflite-int8-cores-on-%)
$(TFLITE_CORES_TARGETS:%=tflite-int8-cores-on-%): tflite-int8-cores-on-%: | deps
	+@$(MAKE) --no-print-directory TARGET=$* tflite-int8-core-results
TFLITE_CORES_TABLE = /usr/bin/python3 tools/tflite/cores_table.py $(BUILD) "$(TFLITE_INT8_MODELS)" "host $(TFLITE_CORES_TARGETS)"
tflite-int8-cores: $(TFLITE_CORES_TARGETS:%=tflite-int8-cores-on-%) $(TFLITE_INT8_MODELS:%=$(TFLITE_CORES_HOST)/%.txt) \
                   $(TFLITE_INT8_MODELS:%=$(TFLITE_CORES_HOST)/%.grad.txt)
	@$(TFLITE_CORES_TABLE) > $(BUILD)/tflite-int8-cores.md || { cat $(BUILD)/tflite-int8-cores.md; exit 1; }
	@cat $(BUILD)/tflite-int8-cores.md
tflite-int8-cores-report: tflite-int8-cores
	tools/readme_section.py tflite-int8-cores $(BUILD)/tflite-int8-cores.md
TEST_GOALS += tflite-int8-cores
DEPS_PACKAGES += gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib \
                 gcc-riscv64-unknown-elf qemu-system-arm qemu-system-misc

# ---- make lint-tflite (part of make lint): clang-tidy over include/ugrad/tflite/ as each exported
# model instantiates it (tests/lint/instantiate_tflite.cpp), the portable kernels and the Armv7E-M
# ones (__ARM_FEATURE_DSP: their inline assembly parses on the host); one stamp per model and build.
LINT_TFLITE := $(BUILD)/lint-tflite
LINT_TFLITE_FLAGS_portable :=
LINT_TFLITE_FLAGS_armv7em  := -D__ARM_FEATURE_DSP=1
define LINT_TFLITE_RULE
$(LINT_TFLITE)/$(1)/%.ok: tests/lint/instantiate_tflite.cpp $(TFLITE_INT8_GEN)/%.hpp $(LIBRARY_HEADERS) .clang-tidy | deps
	@mkdir -p $$(@D)
	clang-tidy --quiet $$< -- $(STD) $(WARN) $(FPFLAGS) $(INCLUDES) -I$(TFLITE_INT8_GEN) \
	    -DUGRAD_MODEL=$$* -DUGRAD_MODEL_HEADER=\"$$*.hpp\" $(LINT_TFLITE_FLAGS_$(1))
	@touch $$@
endef
$(foreach b,portable armv7em,$(eval $(call LINT_TFLITE_RULE,$(b))))
.PHONY: lint-tflite
lint-tflite: $(foreach b,portable armv7em,$(TFLITE_INT8_MODELS:%=$(LINT_TFLITE)/$(b)/%.ok))
lint: lint-tflite
else
# ---- one core: each model's runner linked (or found too big) and run ----
# Each model twice: forward (tflite-int8-core-NAME → NAME.txt) and forward_keeping + input_gradient
# (tflite-int8-core-grad-NAME → NAME.grad.txt).
TFLITE_CORES_RESULTS := $(TFLITE_INT8_MODELS:%=$(TARGET_BUILD)/$(TFLITE_CORES_DIR)/%.txt) \
                        $(TFLITE_INT8_MODELS:%=$(TARGET_BUILD)/$(TFLITE_CORES_DIR)/%.grad.txt)
$(foreach m,$(TFLITE_INT8_MODELS),$(call target_program,tflite-int8-core-$(m),\
  tests/tflite/int8_core_runner.cpp $(TFLITE_INT8_GEN)/$(m)_forward.cpp,$(call tflite_core_flags,$(m))))
$(foreach m,$(TFLITE_INT8_MODELS),$(call target_program,tflite-int8-core-grad-$(m),\
  tests/tflite/int8_core_runner.cpp $(TFLITE_INT8_GEN)/$(m)_gradient.cpp,$(call tflite_core_flags,$(m)) -DUGRAD_CORE_GRADIENT=1))
# $(1) model, $(2) program, $(3) result file
define TFLITE_CORE_MODEL
$$($(2)_TARGET_OBJS): $(TFLITE_INT8_GEN)/$(1).hpp $(TFLITE_INT8_GEN)/cases/$(1).hpp
# The link is core_model.py's to try: a model too big for the board is a verdict, not an error.
$(TARGET_BUILD)/$(TFLITE_CORES_DIR)/$(3): $$($(2)_TARGET_OBJS) $(TARGET_LINK_DEPS) tools/tflite/core_model.py
	@/usr/bin/python3 tools/tflite/core_model.py $(TARGET) $(1) $(TARGET_BUILD)/$(2).elf $$@ -- \
	  $$(call target_link,$$($(2)_TARGET_OBJS),$(TARGET_BUILD)/$(2).elf)
endef
$(foreach m,$(TFLITE_INT8_MODELS),$(eval $(call TFLITE_CORE_MODEL,$(m),tflite-int8-core-$(m),$(m).txt)))
$(foreach m,$(TFLITE_INT8_MODELS),$(eval $(call TFLITE_CORE_MODEL,$(m),tflite-int8-core-grad-$(m),$(m).grad.txt)))
.PHONY: tflite-int8-core-results
tflite-int8-core-results: $(TFLITE_CORES_RESULTS)
endif
