# SPDX-License-Identifier: Apache-2.0
# mk/tflite_demo_kws.mk (after mk/tflite.mk, whose exported model it uses) — `make demo-kws`: a keyword spoken by espeak-ng, heard by the MLPerf Tiny int8
# keyword-spotting model on the emulated Cortex-M4F (examples/kws_demo/, docs/demo-kws.md).
#
#   make demo-kws [WORD=yes]   espeak-ng says WORD; examples/kws_demo/make_input.py makes the 16 kHz
#                              WAV, the model's MFCC front end in numpy and its int8 input codes;
#                              kws_demo.cpp (the model and those codes linked in) runs on QEMU's
#                              mps2-an386 and prints the 12 class scores, the decision and, when the
#                              exported header has it, the integer dJ/dx of every input cell;
#                              draw.py shades the input (and dJ/dx) in the terminal and draws
#                              build/demo-kws/WORD/kws.svg
#   make demo-kws-words        the ten keywords and no sound at all, one line each: what the model
#                              decides (build/demo-kws/words.md)
#   make demo-kws-report       docs/demo-kws.md's generated sections, from those two runs, and its
#                              picture docs/demo-kws.svg ("yes")
#   make test-demo-kws         the front end against scipy's definitions; host g++ = M4F, bit for bit (test-all)

DEMO_KWS       := $(BUILD)/demo-kws
WORD           ?= yes
DEMO_KWS_WORDS := down go left no off on right stop up yes _silence_
DEMO_KWS_CORE  := mps2-an386
DEMO_KWS_PY    := examples/kws_demo/make_input.py examples/kws_demo/kws_frontend.py
DEPS_PACKAGES  += espeak-ng python3-numpy

ifeq ($(TARGET),host)
# The word's audio, features and input codes (input.cpp).
$(DEMO_KWS)/%/input.cpp: $(DEMO_KWS_PY) data/mlperf-tiny/kws_ref_model.json | deps
	/usr/bin/python3 examples/kws_demo/make_input.py "$*" $(@D)
# The program without its input (kws_demo.cpp and the exported model), built once before any word's.
.PHONY: demo-kws-program
demo-kws-program: | deps
	+@$(MAKE) --no-print-directory TARGET=$(DEMO_KWS_CORE) demo-kws-objects
# The program for that word, linked and run on the emulated core.
$(DEMO_KWS)/%/device.txt: $(DEMO_KWS)/%/input.cpp FORCE_DEMO_KWS | demo-kws-program
	+@$(MAKE) --no-print-directory TARGET=$(DEMO_KWS_CORE) $(BUILD)/$(DEMO_KWS_CORE)/demo-kws-words/$*.elf
	tools/run-on-target.sh $(DEMO_KWS_CORE) $(BUILD)/$(DEMO_KWS_CORE)/demo-kws-words/$*.elf > $@.tmp && mv $@.tmp $@
.PHONY: FORCE_DEMO_KWS demo-kws demo-kws-words demo-kws-report
FORCE_DEMO_KWS:
demo-kws: $(DEMO_KWS)/$(WORD)/device.txt
	@/usr/bin/python3 examples/kws_demo/draw.py $(DEMO_KWS)/$(WORD) | tee $(DEMO_KWS)/$(WORD)/demo.txt
demo-kws-words: $(DEMO_KWS_WORDS:%=$(DEMO_KWS)/%/device.txt)
	@/usr/bin/python3 examples/kws_demo/draw.py --words $(DEMO_KWS) $(DEMO_KWS_WORDS) | tee $(DEMO_KWS)/words.md
demo-kws-report: demo-kws-words
	@$(MAKE) --no-print-directory demo-kws WORD=yes > /dev/null
	@{ echo '```'; echo '$$ make demo-kws'; cat $(DEMO_KWS)/yes/demo.txt; echo '```'; } > $(DEMO_KWS)/excerpt.md
	tools/readme_section.py demo-kws-output $(DEMO_KWS)/excerpt.md
	tools/readme_section.py demo-kws-words $(DEMO_KWS)/words.md
	cp $(DEMO_KWS)/yes/kws.svg docs/demo-kws.svg
else
# ---- on the core: kws_demo.cpp and the model compiled once, each word's input.cpp linked in ----
.PHONY: demo-kws demo-kws-words demo-kws-report
demo-kws demo-kws-words demo-kws-report:
	@echo "make $@ runs from the host (it speaks, computes the MFCCs, then runs on $(DEMO_KWS_CORE)): make $@"; exit 2
$(call target_program,demo-kws,examples/kws_demo/kws_demo.cpp,-I$(TFLITE_INT8_GEN))
$(demo-kws_TARGET_OBJS): $(TFLITE_INT8_GEN)/kws_ref_model.hpp
.PHONY: demo-kws-objects
demo-kws-objects: $(demo-kws_TARGET_OBJS)
$(TARGET_BUILD)/demo-kws-words/%.o: $(BUILD)/demo-kws/%/input.cpp | deps
	@mkdir -p $(@D)
	$(TARGET_CXX) $(TARGET_CXXFLAGS) -c $< -o $@
$(TARGET_BUILD)/demo-kws-words/%.elf: $(demo-kws_TARGET_OBJS) $(TARGET_BUILD)/demo-kws-words/%.o $(TARGET_LINK_DEPS)
	$(call target_link,$(demo-kws_TARGET_OBJS) $(TARGET_BUILD)/demo-kws-words/$*.o,$@)
endif

# ---- make test-demo-kws: the front end against scipy's definitions (test_frontend.py); kws_demo.cpp
# built with g++ on the host (platform/host/hal.c) prints what the emulated M4F printed, every score
# (and dJ/dx, when the header has it), the instruction counts aside; the picture is well-formed SVG ----
DEMO_KWS_TEST_WORDS := yes _silence_
ifeq ($(TARGET),host)
.PHONY: test-demo-kws
$(DEMO_KWS)/%/host.exe: examples/kws_demo/kws_demo.cpp $(DEMO_KWS)/%/input.cpp $(TFLITE_INT8_GEN)/kws_ref_model.hpp \
                        $(LIBRARY_HEADERS) $(wildcard include/ugrad/tflite/*/*.hpp) platform/host/hal.c platform/common/hal_format.c | deps
	gcc -std=c11 $(WARN) $(HOST_OPT) -Iplatform -c platform/host/hal.c -o $(@D)/hal.o
	gcc -std=c11 $(WARN) $(HOST_OPT) -Iplatform -c platform/common/hal_format.c -o $(@D)/hal_format.o
	g++ $(STD) $(WARN) $(FPFLAGS) $(HOST_OPT) $(INCLUDES) -Iplatform -I$(TFLITE_INT8_GEN) examples/kws_demo/kws_demo.cpp \
	  $(DEMO_KWS)/$*/input.cpp $(@D)/hal.o $(@D)/hal_format.o -o $@
test-demo-kws: $(DEMO_KWS_TEST_WORDS:%=$(DEMO_KWS)/%/device.txt) $(DEMO_KWS_TEST_WORDS:%=$(DEMO_KWS)/%/host.exe) | deps
	@/usr/bin/python3 examples/kws_demo/test_frontend.py
	@for w in $(DEMO_KWS_TEST_WORDS); do \
	  $(DEMO_KWS)/$$w/host.exe | sed -E 's/^(kws forward[_a-z]*) [0-9]+ instructions$$/\1/; s/ instructions [0-9]+$$//' > $(DEMO_KWS)/$$w/host.txt; \
	  sed -E 's/^(kws forward[_a-z]*) [0-9]+ instructions$$/\1/; s/ instructions [0-9]+$$//' $(DEMO_KWS)/$$w/device.txt | diff $(DEMO_KWS)/$$w/host.txt - \
	    || { echo "test-demo-kws: $$w: host g++ and the M4F differ (diff above)"; exit 1; }; \
	  /usr/bin/python3 examples/kws_demo/draw.py $(DEMO_KWS)/$$w > /dev/null; \
	  /usr/bin/python3 -c "import sys, xml.etree.ElementTree as E; r = E.parse(sys.argv[1]).getroot(); \
	    assert r.tag.endswith('svg') and len(r) > 490, 'not the picture'" $(DEMO_KWS)/$$w/kws.svg || exit 1; \
	  echo "test-demo-kws: \"$$w\": host g++ and mps2-an386 printed the same $$(wc -l < $(DEMO_KWS)/$$w/host.txt) lines ($$(grep -c 'gradient row' $(DEMO_KWS)/$$w/host.txt) of dJ/dx); kws.svg parses"; \
	done
TEST_GOALS += test-demo-kws
DEPS_PACKAGES += python3-scipy
endif
