# SPDX-License-Identifier: Apache-2.0
# mk/tflite.mk — `.tflite` int8 models: the reader and the numpy interpreter of TFLite's integer kernels.
#
#   make test-tflite        tools/tflite/reader.py (what it reads, what it refuses, a seeded mutation
#                           fuzz) and tools/tflite/int8_reference.py bit for bit against TFLM's outputs
#                           on data/mlperf-tiny/ (tests/tflite/)
#   make test-tflite-int8   the int8 models exported to C++ (tools/export_model.py → include/ugrad/tflite/),
#                           compiled with g++ -Werror, bit for bit against TFLM's outputs; the buffer plan;
#                           the int8 exporter's refusals (tests/tflite/test_int8_export.py, ~15 s)
#   make tflite-float-report rewrites docs/tflite.md's section `tflite-float` (ResNet-8 float vs TFLM)
#   make tflite-table       rewrites docs/tflite.md's generated section `tflite-models`

DEPS_PACKAGES += python3-numpy python3-torch

.PHONY: test-tflite test-tflite-int8 tflite-table tflite-float-report
test-tflite: | deps
	@cd tests/tflite && nice /usr/bin/python3 -m unittest test_reader test_int8_reference test_float_import
TEST_GOALS += test-tflite

test-tflite-int8: | deps
	@cd tests/tflite && nice /usr/bin/python3 -m unittest test_int8_export
TEST_GOALS += test-tflite-int8

tflite-table: | deps
	@/usr/bin/python3 tools/tflite/models_table.py | python3 tools/readme_section.py tflite-models

tflite-float-report: | deps
	@mkdir -p build && cd tests/tflite && /usr/bin/python3 test_float_import.py --report > ../../build/tflite-float.md
	@python3 tools/readme_section.py tflite-float < build/tflite-float.md
