# SPDX-License-Identifier: Apache-2.0
# mk/cnn.mk — `make cnn-digits`: a small CNN for the bundled digits, trained with PyTorch
# (tools/train/cnn_digits.py: fixed seeds, deterministic algorithms, one CPU thread, a few seconds),
# exported by tools/export_model.py, compiled, and run by ugrad in float on the 360 test digits
# (tools/train/cnn_digits_check.cpp). Prints the test accuracy ugrad measures and the mean and
# minimum cosine of ugrad's dJ/dx with torch's float64 autograd; fails below 98 % or when a cosine
# is below its bound; writes docs/models.md's "cnn-digits" section. Nothing trained is committed:
# every run trains again from the seeds (/usr/bin/python3: Debian's torch).

DEPS_PACKAGES += g++ python3-torch

CNN_BUILD := $(BUILD)/cnn

.PHONY: cnn-digits
cnn-digits: tools/train/cnn_digits_check.cpp | deps
	@mkdir -p $(CNN_BUILD)
	/usr/bin/python3 tools/train/cnn_digits.py train data/digits.csv $(CNN_BUILD)
	g++ $(STD) $(WARN) $(FPFLAGS) -O2 $(INCLUDES) -I$(CNN_BUILD) $< -o $(CNN_BUILD)/cnn_digits_check
	$(CNN_BUILD)/cnn_digits_check < $(CNN_BUILD)/test.txt > $(CNN_BUILD)/ugrad.txt
	/usr/bin/python3 tools/train/cnn_digits.py report $(CNN_BUILD)/test.txt $(CNN_BUILD)/ugrad.txt $(CNN_BUILD)/report.md
	python3 tools/readme_section.py cnn-digits $(CNN_BUILD)/report.md
TEST_GOALS += cnn-digits

# `make test-mlperf-torch`: the five MLPerf Tiny architectures (bench/mlperf_tiny.hpp) with random
# weights, ugrad in double and in float against the same networks in PyTorch autograd in float64
# (tools/bench/torch_mlperf.py builds them): ŷ, J, dJ/dx and every weight gradient; fails if a
# double error exceeds the bound in tests/mlperf_torch/test_mlperf_vs_torch.py. `make
# mlperf-torch-report` also writes the table into docs/mlperf-tiny.md's "mlperf-torch" section.
MLPERF_TORCH_PROGRAM := $(CNN_BUILD)/mlperf_vs_torch
$(MLPERF_TORCH_PROGRAM): tests/mlperf_torch/mlperf_vs_torch.cpp bench/mlperf_tiny.hpp bench/rng.hpp $(LIBRARY_HEADERS) | deps
	@mkdir -p $(@D)
	g++ $(STD) $(WARN) $(FPFLAGS) $(HOST_OPT) $(INCLUDES) -Ibench $< -o $@

.PHONY: test-mlperf-torch mlperf-torch-report
test-mlperf-torch: $(MLPERF_TORCH_PROGRAM) | deps
	set -o pipefail; /usr/bin/python3 tests/mlperf_torch/test_mlperf_vs_torch.py $< | tee $(CNN_BUILD)/mlperf-torch.md
TEST_GOALS += test-mlperf-torch

mlperf-torch-report: test-mlperf-torch
	python3 tools/readme_section.py mlperf-torch $(CNN_BUILD)/mlperf-torch.md
