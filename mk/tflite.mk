# SPDX-License-Identifier: Apache-2.0
# mk/tflite.mk — `.tflite` int8 models: the reader and the numpy interpreter of TFLite's integer kernels.
#
#   make test-tflite        tools/tflite/reader.py (what it reads, what it refuses, a seeded mutation
#                           fuzz) and tools/tflite/int8_reference.py bit for bit against TFLM's outputs
#                           on data/mlperf-tiny/ (tests/tflite/)
#   make test-tflite-int8   the int8 models exported to C++ (tools/export_model.py → include/ugrad/tflite/),
#                           compiled with g++ and clang++ -Werror, bit for bit against TFLM's outputs; the buffer plan;
#                           the int8 exporter's refusals and a mutation fuzz (tests/tflite/test_int8_export.py, ~40 s)
#   make test-tflite-int8-gradient  dJ/dx in integers through every int8 layer (include/ugrad/tflite/backward/,
#                           tools/tflite/int8_gradient_export.py) against the same integer pipeline in double,
#                           bit for bit against its numpy int64 model (tools/tflite/int8_gradient_exact.py) and
#                           against the dequantized float64 network (torch autograd); tests/tflite/test_int8_gradient.py, ~15 s
#   make TARGET=mps2-an386 tflite-int8-bench   the five int8 models on the emulated Cortex-M4F
#                           (bench/tflite_int8_bench.cpp): outputs against TFLM's, instructions per
#                           inference and per MAC, planned buffer, stack, constants; exits 1 on a mismatch;
#                           on mps2-an386 writes docs/tflite.md's section tflite-int8-bench-mps2-an386
#   make TARGET=mps2-an386 tflite-int8-profile   the same forward passes operator by operator
#                           (bench/tflite_int8_profile.cpp, tools/tflite/int8_profile.py): instructions
#                           and instructions per MAC of each operator and of each kernel over the five
#                           models; on mps2-an386 writes docs/tflite.md's section tflite-int8-profile-mps2-an386
#   make tflite-int8-gradient-report rewrites docs/tflite-gradient.md's section `tflite-int8-gradient-contract`
#   make TARGET=mps2-an386 tflite-int8-gradient-bench   dJ/dx in integers of the five int8 models on the
#                           emulated Cortex-M4F (bench/tflite_int8_gradient_bench.cpp): instructions of forward,
#                           forward_keeping and input_gradient, tape and gradient RAM, a hash of every gradient
#                           against the host's (exits 1 on a mismatch); writes docs/tflite-gradient.md's section
#   make tflite-float-report rewrites docs/tflite.md's section `tflite-float` (ResNet-8 float vs TFLM)
#   make tflite-table       rewrites docs/tflite.md's generated section `tflite-models`

DEPS_PACKAGES += python3-numpy python3-torch python3-sklearn python3-pil espeak-ng

.PHONY: test-tflite test-tflite-int8 tflite-table tflite-float-report
test-tflite: | deps
	@cd tests/tflite && nice /usr/bin/python3 -m unittest test_reader test_int8_reference test_float_import
TEST_GOALS += test-tflite

test-tflite-int8: | deps
	@cd tests/tflite && nice /usr/bin/python3 -m unittest test_int8_export
TEST_GOALS += test-tflite-int8

.PHONY: test-tflite-int8-gradient
test-tflite-int8-gradient: | deps
	@cd tests/tflite && nice /usr/bin/python3 -m unittest test_int8_gradient test_int8_head
TEST_GOALS += test-tflite-int8-gradient

.PHONY: tflite-int8-gradient-report
tflite-int8-gradient-report: | deps
	@mkdir -p build && cd tests/tflite && /usr/bin/python3 test_int8_gradient.py --report > ../../build/tflite-int8-gradient-contract.md
	@python3 tools/readme_section.py tflite-int8-gradient-contract < build/tflite-int8-gradient-contract.md

tflite-table: | deps
	@/usr/bin/python3 tools/tflite/models_table.py | python3 tools/readme_section.py tflite-models

tflite-float-report: | deps
	@mkdir -p build && cd tests/tflite && /usr/bin/python3 test_float_import.py --report > ../../build/tflite-float.md
	@python3 tools/readme_section.py tflite-float < build/tflite-float.md

# ---- the int8 models on an emulated core ----
TFLITE_INT8_MODELS := ad01_int8 kws_ref_model pretrainedResnet_quant str_ww_ref_model vww_96_int8
TFLITE_INT8_GEN    := $(TARGET_BUILD)/tflite-int8-models
TFLITE_INT8_TOOLS  := tools/export_model.py tools/tflite/int8_export.py tools/tflite/reader.py tools/tflite/int8_reference.py \
                      tools/tflite/int8_gradient_export.py
.PHONY: tflite-int8-bench tflite-int8-gradient-bench tflite-int8-profile
ifeq ($(TARGET),host)
tflite-int8-profile:
	@echo "tflite-int8-profile runs on an emulated core: make TARGET=mps2-an386 tflite-int8-profile"; exit 2
tflite-int8-bench:
	@echo "tflite-int8-bench runs on an emulated core: make TARGET=mps2-an386 tflite-int8-bench"; exit 2
tflite-int8-gradient-bench:
	@echo "tflite-int8-gradient-bench runs on an emulated core: make TARGET=mps2-an386 tflite-int8-gradient-bench"; exit 2
else
# Each model's forward pass in its own translation unit, as firmware with one model builds it (the
# compiler's inlining of the kernels then depends on that model alone, not on the other four).
TFLITE_INT8_FORWARD := $(TFLITE_INT8_MODELS:%=$(TFLITE_INT8_GEN)/%_forward.cpp)
$(call target_program,tflite-int8-bench,bench/tflite_int8_bench.cpp $(TFLITE_INT8_FORWARD),-I$(TFLITE_INT8_GEN))
$(TARGET_BUILD)/tflite-int8-bench/bench/tflite_int8_bench.cpp.o: $(TFLITE_INT8_MODELS:%=$(TFLITE_INT8_GEN)/%.hpp) \
    $(TFLITE_INT8_GEN)/cases.hpp
$(TFLITE_INT8_MODELS:%=$(TARGET_BUILD)/tflite-int8-bench/$(TFLITE_INT8_GEN)/%_forward.cpp.o): \
$(TARGET_BUILD)/tflite-int8-bench/$(TFLITE_INT8_GEN)/%_forward.cpp.o: $(TFLITE_INT8_GEN)/%.hpp
$(TFLITE_INT8_GEN)/%_forward.cpp: | deps
	@mkdir -p $(@D)
	printf '// Written by mk/tflite.mk: %s.forward in a translation unit of its own.\n#include "%s.hpp"\nvoid %s_forward(int8_t* arena) { %s.forward(arena); }\n' $* $* $* $* > $@
$(TFLITE_INT8_GEN)/cases.hpp: tools/tflite/int8_cases.py $(TFLITE_INT8_MODELS:%=data/mlperf-tiny/%.json) | deps
	@mkdir -p $(@D)
	/usr/bin/python3 tools/tflite/int8_cases.py $(TFLITE_INT8_MODELS) > $@.tmp && mv $@.tmp $@
$(TFLITE_INT8_GEN)/%.hpp: data/mlperf-tiny/%.tflite $(TFLITE_INT8_TOOLS) | deps
	@mkdir -p $(@D)
	/usr/bin/python3 tools/export_model.py $< --name $* --out $@
tflite-int8-bench: $(TARGET_BUILD)/tflite-int8-bench.elf
	@{ echo "$(TARGET) under QEMU with -icount shift=0, built with \`$(TARGET_CXX) $(TARGET_OPT) $(strip $(TARGET_ARCH)) $(FPFLAGS)\`;"; \
	  echo "instructions per inference averaged over the reference inputs (data/mlperf-tiny/):"; echo; \
	  $(TARGET_RUN) $< || exit 1; } | tee $(TARGET_BUILD)/tflite-int8-bench.md
	@{ echo; printf 'Flash of each model'"'"'s own translation unit (%s -A: .text, code / .rodata, constants):' "$(notdir $(TARGET_SIZE))"; \
	  for m in $(TFLITE_INT8_MODELS); do $(TARGET_SIZE) -A $(TARGET_BUILD)/tflite-int8-bench/$(TFLITE_INT8_GEN)/$${m}_forward.cpp.o | \
	    awk -v m=$$m '/^\.text/ {t += $$2} /^\.rodata/ {r += $$2} END {printf " %s %d / %d B;", m, t, r}'; done; echo; } \
	  | sed 's/;$$/./' | tee -a $(TARGET_BUILD)/tflite-int8-bench.md
	$(if $(filter mps2-an386,$(TARGET)),tools/readme_section.py tflite-int8-bench-$(TARGET) $(TARGET_BUILD)/tflite-int8-bench.md)

# Operator by operator: each model's forward statements with the counter read between them.
TFLITE_INT8_PROFILE := $(TFLITE_INT8_MODELS:%=$(TFLITE_INT8_GEN)/%_profile.cpp)
$(call target_program,tflite-int8-profile,bench/tflite_int8_profile.cpp $(TFLITE_INT8_PROFILE),-I$(TFLITE_INT8_GEN) -Ibench)
$(TARGET_BUILD)/tflite-int8-profile/bench/tflite_int8_profile.cpp.o: $(TFLITE_INT8_MODELS:%=$(TFLITE_INT8_GEN)/%.hpp) \
    $(TFLITE_INT8_GEN)/cases.hpp
$(TFLITE_INT8_GEN)/%_profile.cpp: $(TFLITE_INT8_GEN)/%.hpp tools/tflite/int8_profile.py | deps
	/usr/bin/python3 tools/tflite/int8_profile.py $< data/mlperf-tiny/$*.tflite $* > $@.tmp && mv $@.tmp $@
tflite-int8-profile: $(TARGET_BUILD)/tflite-int8-profile.elf
	@{ echo "$(TARGET) under QEMU with -icount shift=0, built with \`$(TARGET_CXX) $(TARGET_OPT) $(strip $(TARGET_ARCH)) $(FPFLAGS)\`:"; \
	  echo; $(TARGET_RUN) $< || exit 1; } | tee $(TARGET_BUILD)/tflite-int8-profile.md
	$(if $(filter mps2-an386,$(TARGET)),tools/readme_section.py tflite-int8-profile-$(TARGET) $(TARGET_BUILD)/tflite-int8-profile.md)

# dJ/dx in integers: each model's forward_keeping and input_gradient in a translation unit of its own
TFLITE_INT8_GRADIENT := $(TFLITE_INT8_MODELS:%=$(TFLITE_INT8_GEN)/%_gradient.cpp)
$(call target_program,tflite-int8-gradient-bench,bench/tflite_int8_gradient_bench.cpp $(TFLITE_INT8_FORWARD) $(TFLITE_INT8_GRADIENT),-I$(TFLITE_INT8_GEN))
$(TARGET_BUILD)/tflite-int8-gradient-bench/bench/tflite_int8_gradient_bench.cpp.o: $(TFLITE_INT8_MODELS:%=$(TFLITE_INT8_GEN)/%.hpp) \
    $(TFLITE_INT8_GEN)/cases.hpp $(TFLITE_INT8_GEN)/gradient_hashes.hpp
$(TFLITE_INT8_MODELS:%=$(TARGET_BUILD)/tflite-int8-gradient-bench/$(TFLITE_INT8_GEN)/%_forward.cpp.o): \
$(TARGET_BUILD)/tflite-int8-gradient-bench/$(TFLITE_INT8_GEN)/%_forward.cpp.o: $(TFLITE_INT8_GEN)/%.hpp
$(TFLITE_INT8_MODELS:%=$(TARGET_BUILD)/tflite-int8-gradient-bench/$(TFLITE_INT8_GEN)/%_gradient.cpp.o): \
$(TARGET_BUILD)/tflite-int8-gradient-bench/$(TFLITE_INT8_GEN)/%_gradient.cpp.o: $(TFLITE_INT8_GEN)/%.hpp
$(TFLITE_INT8_GEN)/%_gradient.cpp: | deps
	@mkdir -p $(@D)
	printf '// Written by mk/tflite.mk: %s.forward_keeping and input_gradient in a translation unit of their own.\n#include "%s.hpp"\nvoid %s_forward_keeping(int8_t* tape) { %s.forward_keeping(tape); }\nugrad::tflite::backward::InputGradient %s_input_gradient(const int8_t* tape, int32_t* gradient, int label) { return %s.input_gradient(tape, gradient, label); }\n' $* $* $* $* $* $* > $@
$(TFLITE_INT8_GEN)/gradient_hashes.hpp: tools/tflite/int8_gradient_hash.py tests/tflite/int8_gradient_runner.cpp tests/tflite/hex_line.hpp \
    $(TFLITE_INT8_MODELS:%=$(TFLITE_INT8_GEN)/%.hpp) $(wildcard include/ugrad/tflite/*.hpp include/ugrad/tflite/backward/*.hpp) | deps
	/usr/bin/python3 tools/tflite/int8_gradient_hash.py $(TFLITE_INT8_GEN) $(TFLITE_INT8_MODELS) > $@.tmp && mv $@.tmp $@
tflite-int8-gradient-bench: $(TARGET_BUILD)/tflite-int8-gradient-bench.elf
	@{ echo "$(TARGET) under QEMU with -icount shift=0, built with \`$(TARGET_CXX) $(TARGET_OPT) $(strip $(TARGET_ARCH)) $(FPFLAGS)\`;"; \
	  echo "instructions per call averaged over the reference inputs (data/mlperf-tiny/), the loss at the predicted class:"; echo; \
	  $(TARGET_RUN) $< > $(TARGET_BUILD)/tflite-int8-gradient-bench.out; status=$$?; cat $(TARGET_BUILD)/tflite-int8-gradient-bench.out; exit $$status; } \
	  > $(TARGET_BUILD)/tflite-int8-gradient-bench.md; status=$$?; cat $(TARGET_BUILD)/tflite-int8-gradient-bench.md; exit $$status
	$(if $(filter mps2-an386,$(TARGET)),tools/readme_section.py tflite-int8-gradient-bench-$(TARGET) $(TARGET_BUILD)/tflite-int8-gradient-bench.md)
endif
