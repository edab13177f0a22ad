# SPDX-License-Identifier: Apache-2.0
# mk/train.mk — `make train`: the digits network trained on the host by ugrad's own gradients
# (tools/train/), exported as the demo's bundled model, its figures written into README.md.
#   make train    train 64-32-10 from the fixed seed, print one line per epoch, write
#                 build/train/digits_model.json, examples/demo/digits_model.hpp (through
#                 tools/export_model.py) and README.md's "training" section.
# The bit-for-bit check that re-training reproduces the committed header is tests/test_training.cpp.

DEPS_PACKAGES += g++ python3

TRAIN_BUILD := $(BUILD)/train
TRAIN_MODEL_HEADER := examples/demo/digits_model.hpp

$(TRAIN_BUILD)/train: tools/train/train.cpp $(wildcard tools/train/*.hpp) $(LIBRARY_HEADERS) | deps
	@mkdir -p $(@D)
	g++ $(STD) $(WARN) $(FPFLAGS) -O2 $(INCLUDES) $< -o $@

.PHONY: train
train: $(TRAIN_BUILD)/train
	$(TRAIN_BUILD)/train --data data/digits.csv --json $(TRAIN_BUILD)/digits_model.json --report $(TRAIN_BUILD)/report.md
	@mkdir -p $(dir $(TRAIN_MODEL_HEADER))
	python3 tools/export_model.py $(TRAIN_BUILD)/digits_model.json --name digits_model --out $(TRAIN_MODEL_HEADER) \
	    --note "trained by \`make train\` (tools/train/): seed, epochs, batch, rate and momentum are train::digits_config"
	python3 tools/readme_section.py training $(TRAIN_BUILD)/report.md

# ---- A CNN trained by ugrad's own gradients (tools/train/train_cnn.cpp) ----
#   make train-cnn         train it (about 6 s), print each epoch, write docs/training.md's cnn section
#                          and the demo's CNN, examples/demo/digits_cnn.hpp
#   make demo-cnn-model    the same run, writing only examples/demo/digits_cnn.hpp
#   make train-cnn-check   the same run: fails below 98 % or if docs/training.md's figure is stale
#   make check-demo-cnn-model (in make checks)  fails if examples/demo/digits_cnn.hpp is not what the
#                          trainer writes (the run is deterministic: fixed seed and order, one thread,
#                          -ffp-contract=off; the g++ and clang++ builds write the same bytes)
DEMO_CNN_HEADER := examples/demo/digits_cnn.hpp
$(TRAIN_BUILD)/train_cnn: tools/train/train_cnn.cpp $(wildcard tools/train/*.hpp) $(LIBRARY_HEADERS) | deps
	@mkdir -p $(@D)
	g++ $(STD) $(WARN) $(FPFLAGS) -O2 $(INCLUDES) -Itools/train $< -o $@

.PHONY: train-cnn train-cnn-check
train-cnn: $(TRAIN_BUILD)/train_cnn
	$< --data data/digits.csv --report $(TRAIN_BUILD)/cnn_report.md --header $(DEMO_CNN_HEADER)
	python3 tools/readme_section.py training-cnn $(TRAIN_BUILD)/cnn_report.md
train: train-cnn

.PHONY: demo-cnn-model check-demo-cnn-model
demo-cnn-model: $(TRAIN_BUILD)/train_cnn
	$< --data data/digits.csv --header $(DEMO_CNN_HEADER) | tail -1
check-demo-cnn-model: $(TRAIN_BUILD)/train_cnn
	@$< --data data/digits.csv --header $(TRAIN_BUILD)/digits_cnn.hpp > /dev/null
	@diff -q $(DEMO_CNN_HEADER) $(TRAIN_BUILD)/digits_cnn.hpp > /dev/null \
	  || { echo "$(DEMO_CNN_HEADER) is stale: run make demo-cnn-model"; exit 1; }
	@echo "$(DEMO_CNN_HEADER) is what tools/train/train_cnn.cpp writes"
checks: check-demo-cnn-model

train-cnn-check: $(TRAIN_BUILD)/train_cnn
	@$< --data data/digits.csv --report $(TRAIN_BUILD)/cnn_report.md | tail -1
	@sed -n '/<!-- BEGIN training-cnn/,/<!-- END training-cnn/p' docs/training.md | sed '1d;$$d' | diff - $(TRAIN_BUILD)/cnn_report.md \
	  || { echo "docs/training.md's CNN figure is stale: run make train-cnn"; exit 1; }
TEST_GOALS += train-cnn-check

# ---- On-device fine-tuning (examples/finetune/): the same run on the host and on a target. ----
#   make TARGET=<t> finetune    run it on the emulated target, compare its report with the host's
#                               line for line (the test goal, in make TARGET=<t> test)
#   make TARGET=mps2-an386 finetune-report   also write README.md's "finetune" section (the
#                               Cortex-M4F's RAM and instructions per training step)
FINETUNE_BUILD := $(BUILD)/finetune
FINETUNE_DATA  := $(FINETUNE_BUILD)/finetune_data.hpp
FINETUNE_FLAGS := -Itools/train -I$(FINETUNE_BUILD) -Iexamples
FINETUNE_DEPS  := examples/finetune/finetune.hpp $(wildcard tools/train/*.hpp) $(LIBRARY_HEADERS) \
                  $(TRAIN_MODEL_HEADER) $(FINETUNE_DATA)

$(FINETUNE_DATA): data/digits.csv tools/train/digits_subset.py | deps
	@mkdir -p $(@D)
	python3 tools/train/digits_subset.py data/digits.csv $@ --train 300 --shift-right 1

$(FINETUNE_BUILD)/finetune-host: examples/finetune/host_main.cpp $(FINETUNE_DEPS) | deps
	g++ $(STD) $(WARN) $(FPFLAGS) -O2 $(INCLUDES) $(FINETUNE_FLAGS) $< -o $@

$(FINETUNE_BUILD)/host.out: $(FINETUNE_BUILD)/finetune-host
	$< > $@

$(call target_program,finetune,examples/finetune/target_main.cpp,$(FINETUNE_FLAGS))
$(TARGET_BUILD)/finetune/examples/finetune/target_main.cpp.o: $(FINETUNE_DATA)

.PHONY: finetune
finetune: $(TARGET_BUILD)/finetune.elf $(FINETUNE_BUILD)/host.out
	RUN_TIMEOUT=240 $(TARGET_RUN) $< > $(TARGET_BUILD)/finetune.out
	@cat $(TARGET_BUILD)/finetune.out
	@if diff <(grep -E '^(fine-tuning|before|epoch|weights)' $(FINETUNE_BUILD)/host.out) \
	         <(grep -E '^(fine-tuning|before|epoch|weights)' $(TARGET_BUILD)/finetune.out); then \
	    echo "finetune: $(TARGET) printed the host's report bit for bit (weights hash $$(sed -n 's/^weights FNV-1a 64: //p' $(FINETUNE_BUILD)/host.out))"; \
	else echo "finetune: $(TARGET) and the host differ (above: < host, > $(TARGET))"; exit 1; fi

# README.md's "finetune" section: the Cortex-M4F's report with its RAM and instruction figures.
.PHONY: finetune-report
finetune-report: finetune
ifneq ($(TARGET),mps2-an386)
	@echo "finetune-report: the README figures are the Cortex-M4F's: make TARGET=mps2-an386 finetune-report"; exit 1
else
	@{ echo 'On the emulated Cortex-M4F (`mps2-an386`, arm-none-eabi-g++ $(TARGET_OPT), instructions counted by `platform/hal.h`), the run prints, bit for bit as the host does:'; \
	   echo; echo '```text'; cat $(TARGET_BUILD)/finetune.out; echo '```'; } > $(FINETUNE_BUILD)/readme.md
	python3 tools/readme_section.py finetune $(FINETUNE_BUILD)/readme.md
endif

TARGET_TEST_GOALS += finetune
target-test-inputs: $(FINETUNE_BUILD)/host.out $(FINETUNE_DATA)

# ---- The whole training run on a target (tools/train/train_on_target.cpp): same weights? ----
#   make TARGET=<t> train-on-target   train::digits_config on the target; its epoch lines and weights
#                                     hash must be the host trainer's, bit for bit. In
#                                     make TARGET=mps2-an386 test (hard float: seconds; the soft-float
#                                     targets take minutes and run the fine-tuning check instead).
TRAIN_TARGET_DATA := $(TRAIN_BUILD)/digits_data.hpp

$(TRAIN_TARGET_DATA): data/digits.csv tools/train/digits_subset.py | deps
	@mkdir -p $(@D)
	python3 tools/train/digits_subset.py data/digits.csv $@ --prefix digits

$(TRAIN_BUILD)/host.out: $(TRAIN_BUILD)/train
	$< --data data/digits.csv > $@

$(call target_program,train-on-target,tools/train/train_on_target.cpp,-Itools/train -I$(TRAIN_BUILD))
$(TARGET_BUILD)/train-on-target/tools/train/train_on_target.cpp.o: $(TRAIN_TARGET_DATA)

.PHONY: train-on-target
train-on-target: $(TARGET_BUILD)/train-on-target.elf $(TRAIN_BUILD)/host.out
	RUN_TIMEOUT=600 $(TARGET_RUN) $< > $(TARGET_BUILD)/train-on-target.out
	@cat $(TARGET_BUILD)/train-on-target.out
	@if diff <(grep -E '^(epoch|weights)' $(TRAIN_BUILD)/host.out) \
	         <(grep -E '^(epoch|weights)' $(TARGET_BUILD)/train-on-target.out); then \
	    echo "train-on-target: $(TARGET) trained the host's weights bit for bit (hash $$(sed -n 's/^weights FNV-1a 64: //p' $(TRAIN_BUILD)/host.out))"; \
	else echo "train-on-target: $(TARGET) and the host differ (above: < host, > $(TARGET))"; exit 1; fi

ifeq ($(TARGET),mps2-an386)
TARGET_TEST_GOALS += train-on-target
endif
target-test-inputs: $(TRAIN_BUILD)/host.out $(TRAIN_TARGET_DATA)
