# SPDX-License-Identifier: Apache-2.0
# mk/demo.mk — `make demo`: the bundled digits model (examples/demo/digits_model.hpp) classifies
# test digits and prints, for each, the classes, the probabilities, the loss and dJ/dx as an 8×8
# map; on the host it also draws build/demo/saliency.svg. `make demo TARGET=mps2-an386` runs the
# same program on the emulated Cortex-M4F and prints the same text.

DEMO_BUILD := $(BUILD)/demo
DEMO_HEADERS := $(wildcard examples/demo/*.hpp)

# The test digits, compiled in (a microcontroller has no file system); generated, not committed.
$(DEMO_BUILD)/test_digits.hpp: examples/demo/make_test_digits.py data/digits.csv | deps
	@mkdir -p $(@D)
	python3 $< data/digits.csv $@

# The int8 model: tools/quantize.py with the training digits (pixels/16) as calibration.
$(DEMO_BUILD)/calibration.csv: data/digits.csv
	@mkdir -p $(@D)
	python3 -c "import sys; [print(','.join(str(int(v) / 16) for v in l.split(',')[:64])) for i, l in enumerate(open(sys.argv[1])) if i % 5]" $< > $@
$(DEMO_BUILD)/digits_q8.hpp: tools/quantize.py examples/demo/digits_model.hpp $(DEMO_BUILD)/calibration.csv | deps
	python3 tools/quantize.py examples/demo/digits_model.hpp $(DEMO_BUILD)/calibration.csv digits_q8 > $@.tmp && mv $@.tmp $@

$(DEMO_BUILD)/demo: examples/demo/demo.cpp $(DEMO_HEADERS) $(DEMO_BUILD)/test_digits.hpp $(DEMO_BUILD)/digits_q8.hpp $(LIBRARY_HEADERS) | deps
	g++ $(STD) $(WARN) $(FPFLAGS) -O2 $(INCLUDES) -I$(DEMO_BUILD) $< -o $@

$(DEMO_BUILD)/demo-clang: examples/demo/demo.cpp $(DEMO_HEADERS) $(DEMO_BUILD)/test_digits.hpp $(DEMO_BUILD)/digits_q8.hpp $(LIBRARY_HEADERS) | deps
	clang++ $(STD) $(WARN) $(FPFLAGS) -O2 $(INCLUDES) -I$(DEMO_BUILD) $< -o $@

$(call target_program,demo,examples/demo/demo.cpp,-I$(DEMO_BUILD))
$(TARGET_BUILD)/demo/examples/demo/demo.cpp.o: $(DEMO_BUILD)/test_digits.hpp $(DEMO_BUILD)/digits_q8.hpp

.PHONY: demo
ifeq ($(TARGET),host)
demo: $(DEMO_BUILD)/demo
	@$< $(DEMO_BUILD)/saliency.svg
else ifeq ($(TARGET_HOSTED)$(if $(TARGET_QEMU),emulated),yesemulated)
demo: $(TARGET_BUILD)/demo.elf
	@$(TARGET_RUN) $<
else
demo:
	@echo "make demo: $(TARGET) has no emulator or no C library (the demo prints with printf); try TARGET=mps2-an386"; exit 2
endif

# The demo as a test: it runs, its picture is well-formed SVG with every panel, and the clang++
# build and the emulated Cortex-M4F print exactly the g++ build's text (every probability, loss and
# dJ/dx digit, and a digest of every result bit).
DEMO_TEST := $(DEMO_BUILD)/test
.PHONY: test-demo
test-demo: $(DEMO_BUILD)/demo $(DEMO_BUILD)/demo-clang | deps
	@echo "== demo: host run, saliency SVG check, host vs emulated Cortex-M4F"
	@mkdir -p $(DEMO_TEST)
	$(DEMO_BUILD)/demo $(DEMO_TEST)/saliency.svg > $(DEMO_TEST)/host.txt
	python3 examples/demo/check_saliency_svg.py $(DEMO_TEST)/saliency.svg $(DEMO_TEST)/host.txt
	@cmp -s $(DEMO_TEST)/saliency.svg docs/saliency.svg \
	    && echo "demo: docs/saliency.svg (README's picture) is this run's" \
	    || { echo "demo: FAIL: docs/saliency.svg is not what the demo draws now: run make readme-demo"; exit 1; }
	$(DEMO_BUILD)/demo-clang > $(DEMO_TEST)/host-clang.txt
	@grep -v '^saliency picture:' $(DEMO_TEST)/host.txt | diff - $(DEMO_TEST)/host-clang.txt \
	    && echo "demo: the g++ and clang++ builds printed the same text" \
	    || { echo "demo: FAIL: g++ and clang++ builds differ (diff above)"; exit 1; }
	$(MAKE) --no-print-directory TARGET=mps2-an386 $(BUILD)/mps2-an386/demo.elf
	tools/run-on-target.sh mps2-an386 $(BUILD)/mps2-an386/demo.elf > $(DEMO_TEST)/mps2-an386.txt
	@grep -v '^saliency picture:' $(DEMO_TEST)/host.txt | diff - $(DEMO_TEST)/mps2-an386.txt \
	    && echo "demo: host and mps2-an386 (Cortex-M4F) printed the same $$(wc -l < $(DEMO_TEST)/mps2-an386.txt) lines, result bits included" \
	    || { echo "demo: FAIL: host and mps2-an386 outputs differ (diff above)"; exit 1; }
TEST_GOALS += test-demo
DEPS_PACKAGES += qemu-system-arm gcc-arm-none-eabi libnewlib-arm-none-eabi libstdc++-arm-none-eabi-newlib

# docs/demo.md's excerpt and README's picture (docs/saliency.svg), written from a real run.
.PHONY: readme-demo
readme-demo: $(DEMO_BUILD)/demo
	$(DEMO_BUILD)/demo $(DEMO_BUILD)/saliency.svg > $(DEMO_BUILD)/output.txt
	python3 examples/demo/readme_excerpt.py $(DEMO_BUILD)/output.txt > $(DEMO_BUILD)/readme_excerpt.md
	python3 tools/readme_section.py demo $(DEMO_BUILD)/readme_excerpt.md
	cp $(DEMO_BUILD)/saliency.svg docs/saliency.svg
