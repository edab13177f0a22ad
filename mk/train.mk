# mk/train.mk — `make train`: the digits network trained on the host by ugrad's own gradients
# (tools/train/), exported as the demo's bundled model, its figures written into README.md.
#   make train    train 64-32-10 from the fixed seed, print one line per epoch, write
#                 build/train/digits_model.json, examples/demo/digits_model.hpp (through
#                 tools/export_model.py) and README.md's "training" section.
# The bit-for-bit check that re-training reproduces the committed header is tests/test_training.cpp.

DEPS_PACKAGES += g++ python3

TRAIN_BUILD := $(BUILD)/train
TRAIN_MODEL_HEADER := examples/demo/digits_model.hpp

$(TRAIN_BUILD)/train: tools/train/train.cpp $(wildcard tools/train/*.hpp) $(wildcard include/ugrad/*.hpp) | deps
	@mkdir -p $(@D)
	g++ $(STD) $(WARN) $(FPFLAGS) -O2 $(INCLUDES) $< -o $@

.PHONY: train
train: $(TRAIN_BUILD)/train
	$(TRAIN_BUILD)/train --data data/digits.csv --json $(TRAIN_BUILD)/digits_model.json --report $(TRAIN_BUILD)/report.md
	@mkdir -p $(dir $(TRAIN_MODEL_HEADER))
	python3 tools/export_model.py $(TRAIN_BUILD)/digits_model.json --name digits_model --out $(TRAIN_MODEL_HEADER) \
	    --note "trained by \`make train\` (tools/train/): seed, epochs, batch, rate and momentum are train::digits_config"
	python3 tools/readme_section.py training $(TRAIN_BUILD)/report.md
