# SPDX-License-Identifier: Apache-2.0
# mk/integration.mk — ugrad in other people's projects: the model exporter's tests, the C API test
# (host and one emulated target), and a CMake consumer project built against this tree.

DEPS_PACKAGES += python3 gcc cmake pkgconf

# ---- tools/export_model.py: rounding, error cases, malformed-input fuzz, JSON -> header round trip.
.PHONY: test-exporter
test-exporter: | deps
	@echo "== exporter tests (python3 -m unittest, tests/exporter)"
	@mkdir -p $(BUILD)/exporter
	@if UGRAD_EXPORTER_BUILD=$(BUILD)/exporter python3 -m unittest discover -s tests/exporter -p 'test_*.py'; then \
	    echo "exporter tests: PASS"; else echo "exporter tests: FAIL"; exit 1; fi
TEST_GOALS += test-exporter

# ---- make export MODEL=FILE NAME=name [ARGS=...]: a trained model to build/export/NAME.hpp ----
.PHONY: export
export: | deps
	@[ -n "$(MODEL)" ] && [ -n "$(NAME)" ] || \
	  { echo "usage: make export MODEL=model.json|model.onnx NAME=my_model [ARGS='--c-api ...'] (tools/export_model.py -h)"; exit 2; }
	@mkdir -p $(BUILD)/export
	/usr/bin/python3 tools/export_model.py $(MODEL) --name $(NAME) --out $(BUILD)/export/$(NAME).hpp $(ARGS)
	@echo "make export: wrote $(BUILD)/export/$(NAME).hpp (#include it; see README.md)"

# ---- Models from scikit-learn, PyTorch and ONNX (tests/exporter/frameworks, one /usr/bin/python3
# process: Debian's packages are importable only by that interpreter): every unsupported input
# refused case by case; models trained in the test, exported, compiled and run, against the
# frameworks' own ŷ, losses and autograd within a derived bound; README's "Models from elsewhere"
# scripts run as written. Then the same exported models on the emulated Cortex-M4F, bit for bit.
DEPS_PACKAGES += python3-sklearn python3-torch python3-onnx python3-numpy
FRAMEWORKS_BUILD := $(BUILD)/frameworks
.PHONY: test-exporter-frameworks
test-exporter-frameworks: | deps
	@echo "== exporter against scikit-learn, PyTorch and ONNX (/usr/bin/python3, tests/exporter/frameworks)"
	@mkdir -p $(BUILD)/exporter
	@if UGRAD_EXPORTER_BUILD=$(BUILD)/exporter /usr/bin/python3 -W ignore::UserWarning -m unittest discover \
	        -s tests/exporter/frameworks -p 'test_*.py'; then \
	    echo "exporter framework tests: PASS"; else echo "exporter framework tests: FAIL"; exit 1; fi
	@$(MAKE) --no-print-directory test-frameworks-m4f
TEST_GOALS += test-exporter-frameworks

# Three exported framework models (one per head; every activation) run on fixed inputs: the host
# (g++) and the emulated Cortex-M4F must print the same hex digits.
$(FRAMEWORKS_BUILD)/target_models.hpp: tests/exporter/frameworks/target_models.py tools/export_model.py | deps
	@mkdir -p $(@D)
	/usr/bin/python3 $< $@
$(FRAMEWORKS_BUILD)/target_runner: tests/exporter/frameworks/target_runner.cpp $(FRAMEWORKS_BUILD)/target_models.hpp $(wildcard include/ugrad/*.hpp) | deps
	g++ $(STD) $(WARN) $(FPFLAGS) -O2 $(INCLUDES) -I$(FRAMEWORKS_BUILD) -Itests $< -o $@
$(call target_program,frameworks,tests/exporter/frameworks/target_runner.cpp,-I$(FRAMEWORKS_BUILD) -Itests)
$(TARGET_BUILD)/frameworks/tests/exporter/frameworks/target_runner.cpp.o: $(FRAMEWORKS_BUILD)/target_models.hpp
.PHONY: test-frameworks-m4f
test-frameworks-m4f: $(FRAMEWORKS_BUILD)/target_runner | deps
	@$(MAKE) --no-print-directory TARGET=mps2-an386 $(BUILD)/mps2-an386/frameworks.elf
	$(FRAMEWORKS_BUILD)/target_runner > $(FRAMEWORKS_BUILD)/host.txt
	tools/run-on-target.sh mps2-an386 $(BUILD)/mps2-an386/frameworks.elf > $(FRAMEWORKS_BUILD)/mps2-an386.txt
	@diff $(FRAMEWORKS_BUILD)/host.txt $(FRAMEWORKS_BUILD)/mps2-an386.txt \
	    && echo "frameworks: host and mps2-an386 (Cortex-M4F) printed the same $$(wc -l < $(FRAMEWORKS_BUILD)/host.txt) lines of hex" \
	    || { echo "frameworks: FAIL: host and mps2-an386 differ (diff above)"; exit 1; }

# ---- The C API: a C11 program using a model exported with --c-api, compared bit for bit with the
# C++ API. The model is a seeded random one (tests/exporter/random_model.py), exported at build time.
C_API_BUILD := $(BUILD)/c_api
C_API_CFLAGS := -std=c11 -Wall -Wextra -Werror -Wpedantic -Wconversion -Wdouble-promotion -Wshadow $(FPFLAGS) -O2 \
                $(INCLUDES) -I$(C_API_BUILD)
C_API_CXXFLAGS := $(STD) $(WARN) $(FPFLAGS) -O2 -fno-exceptions -fno-rtti $(INCLUDES) -I$(C_API_BUILD)

$(C_API_BUILD)/c_model.json: tests/exporter/random_model.py | deps
	@mkdir -p $(@D)
	python3 $< 7 6 5 3 > $@
$(C_API_BUILD)/c_model.hpp $(C_API_BUILD)/c_model.h $(C_API_BUILD)/c_model_c_api.cpp &: $(C_API_BUILD)/c_model.json tools/export_model.py
	python3 tools/export_model.py $< --name c_model --out $(C_API_BUILD)/c_model.hpp --c-api

# $(1) = C compiler, $(2) = C++ compiler, $(3) = build folder
define C_API_HOST_RULES
$(C_API_BUILD)/$(3)/test_c_api.o: tests/c_api/test_c_api.c $(C_API_BUILD)/c_model.h include/ugrad/ugrad.h | deps
	@mkdir -p $$(@D)
	$(1) $(C_API_CFLAGS) -c $$< -o $$@
$(C_API_BUILD)/$(3)/c_model_c_api.o: $(C_API_BUILD)/c_model_c_api.cpp $(C_API_BUILD)/c_model.hpp include/ugrad/ugrad.h | deps
	@mkdir -p $$(@D)
	$(2) $(C_API_CXXFLAGS) -c $$< -o $$@
$(C_API_BUILD)/$(3)/reference.o: tests/c_api/reference.cpp $(C_API_BUILD)/c_model.hpp | deps
	@mkdir -p $$(@D)
	$(2) $(C_API_CXXFLAGS) -c $$< -o $$@
# Linked by the C compiler driver, without the C++ runtime: the model's C++ file needs none.
$(C_API_BUILD)/$(3)/test_c_api: $(addprefix $(C_API_BUILD)/$(3)/,test_c_api.o c_model_c_api.o reference.o)
	$(1) $$^ -o $$@
endef
$(eval $(call C_API_HOST_RULES,gcc,g++,host-gcc))
$(eval $(call C_API_HOST_RULES,clang,clang++,host-clang))

# Networks through UGRAD_C_DECLARE_NETWORK: seeded random models covering every activation and head
# (random_model.py SEED HEAD IN ACT:N ...), each exported with --c-api and tested by the same C program.
C_API_NETWORKS := c_net_softmax c_net_logistic c_net_linear
c_net_softmax_SPEC  := 11 softmax 7 relu:6 sigmoid:5 tanh:4 identity:3
c_net_logistic_SPEC := 12 logistic 5 tanh:4 identity:1
c_net_linear_SPEC   := 13 linear 4 sigmoid:3 relu:3 identity:2
$(C_API_BUILD)/c_net_%.json: tests/exporter/random_model.py | deps
	@mkdir -p $(@D)
	python3 $< $(c_net_$*_SPEC) > $@
$(C_API_BUILD)/c_net_%.hpp $(C_API_BUILD)/c_net_%.h $(C_API_BUILD)/c_net_%_c_api.cpp &: $(C_API_BUILD)/c_net_%.json tools/export_model.py
	python3 tools/export_model.py $< --name c_net_$* --out $(C_API_BUILD)/c_net_$*.hpp --c-api
# $(1) = C compiler, $(2) = C++ compiler, $(3) = build folder, $(4) = model
define C_API_NETWORK_RULES
$(C_API_BUILD)/$(3)/$(4)/test.o: tests/c_api/test_c_api_network.c $(C_API_BUILD)/$(4).h include/ugrad/ugrad.h | deps
	@mkdir -p $$(@D)
	$(1) $(C_API_CFLAGS) -DMODEL=$(4) -DMODEL_H='"$(4).h"' -c $$< -o $$@
$(C_API_BUILD)/$(3)/$(4)/c_api.o: $(C_API_BUILD)/$(4)_c_api.cpp $(C_API_BUILD)/$(4).hpp include/ugrad/ugrad.h | deps
	@mkdir -p $$(@D)
	$(2) $(C_API_CXXFLAGS) -c $$< -o $$@
$(C_API_BUILD)/$(3)/$(4)/reference.o: tests/c_api/reference_network.cpp $(C_API_BUILD)/$(4).hpp | deps
	@mkdir -p $$(@D)
	$(2) $(C_API_CXXFLAGS) -DMODEL=$(4) -DMODEL_HPP='"$(4).hpp"' -c $$< -o $$@
$(C_API_BUILD)/$(3)/test_$(4): $(addprefix $(C_API_BUILD)/$(3)/$(4)/,test.o c_api.o reference.o)
	$(1) $$^ -o $$@
endef
$(foreach m,$(C_API_NETWORKS),$(eval $(call C_API_NETWORK_RULES,gcc,g++,host-gcc,$(m))))
$(foreach m,$(C_API_NETWORKS),$(eval $(call C_API_NETWORK_RULES,clang,clang++,host-clang,$(m))))
C_API_HOST_PROGRAMS := $(foreach c,host-gcc host-clang,$(C_API_BUILD)/$(c)/test_c_api $(C_API_NETWORKS:%=$(C_API_BUILD)/$(c)/test_%))

.PHONY: test-c-api
test-c-api: $(C_API_HOST_PROGRAMS)
	@echo "== C API test (C11), host: gcc + g++, clang + clang++; Mlp and three Networks"
	@for p in $(C_API_HOST_PROGRAMS); do $$p || exit 1; done
TEST_GOALS += test-c-api

# The same program on the emulated Arm targets (newlib's printf).
$(call target_program,c_api,tests/c_api/test_c_api.c tests/c_api/reference.cpp $(C_API_BUILD)/c_model_c_api.cpp,-I$(C_API_BUILD))
$(TARGET_BUILD)/c_api/tests/c_api/test_c_api.c.o $(TARGET_BUILD)/c_api/tests/c_api/reference.cpp.o: $(C_API_BUILD)/c_model.hpp
define C_API_NETWORK_TARGET
$(call target_program,c_api_$(1),tests/c_api/test_c_api_network.c tests/c_api/reference_network.cpp $(C_API_BUILD)/$(1)_c_api.cpp,-I$(C_API_BUILD) -DMODEL=$(1) -DMODEL_H='"$(1).h"' -DMODEL_HPP='"$(1).hpp"')
$(TARGET_BUILD)/c_api_$(1)/tests/c_api/test_c_api_network.c.o $(TARGET_BUILD)/c_api_$(1)/tests/c_api/reference_network.cpp.o: $(C_API_BUILD)/$(1).hpp $(C_API_BUILD)/$(1).h
endef
$(foreach m,$(C_API_NETWORKS),$(eval $(call C_API_NETWORK_TARGET,$(m))))

.PHONY: test-c-api-target
test-c-api-target: $(TARGET_BUILD)/c_api.elf $(C_API_NETWORKS:%=$(TARGET_BUILD)/c_api_%.elf)
	@echo "== C API test on $(TARGET)"
	@for p in $^; do $(TARGET_RUN) $$p || exit 1; done
ifeq ($(TARGET_HOSTED)$(if $(TARGET_QEMU),emulated),yesemulated)
TARGET_TEST_GOALS += test-c-api-target
endif
target-test-inputs: $(C_API_BUILD)/c_model.hpp
# The host's `make test` runs it on one emulated target too: the Cortex-M4F.
.PHONY: test-c-api-m4f
test-c-api-m4f: | deps
	@$(MAKE) --no-print-directory TARGET=mps2-an386 test-c-api-target
TEST_GOALS += test-c-api-m4f

# ---- Use from other builds: a CMake project consuming ugrad::ugrad (add_subdirectory and an
# installed find_package), and a plain g++ build with pkg-config's flags; all must print the same bits.
.PHONY: test-cmake-consumer
test-cmake-consumer: | deps
	@echo "== CMake consumer (tests/cmake_consumer): add_subdirectory, find_package, pkg-config"
	tests/cmake_consumer/check.sh $(BUILD)/cmake_consumer
TEST_GOALS += test-cmake-consumer

# ---- Arduino and PlatformIO: library.properties / library.json at the root. Arduino puts only
# src/ on the include path, so src/ forwards to include/ugrad/; check that, then compile the example
# sketch as arduino-cli would (as C++17 for a Cortex-M4F, only src/ and a stub Arduino.h).
ARDUINO_BUILD := $(BUILD)/arduino
.PHONY: test-arduino-layout
test-arduino-layout: | deps
	@echo "== Arduino layout: src/ forwarders, example sketch and the int8 path compiled with only src/ on the path"
	python3 tests/arduino/arduino_layout.py
	@mkdir -p $(ARDUINO_BUILD)
	arm-none-eabi-g++ -std=gnu++17 $(WARN) -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -O2 \
	    -Isrc -Itests/arduino/stub -x c++ -c examples/arduino_gradient/arduino_gradient.ino -o $(ARDUINO_BUILD)/arduino_gradient.o
	@# the int8 path through src/ugrad/q8/ alone (every q8 template, with the Armv7E-M DSP kernels)
	arm-none-eabi-g++ -std=gnu++17 $(WARN) -mcpu=cortex-m4 -mthumb -mfloat-abi=hard -mfpu=fpv4-sp-d16 -O2 \
	    -Isrc -c tests/lint/instantiate_q8.cpp -o $(ARDUINO_BUILD)/q8.o
	@python3 -c "import json, re; \
	    pio = json.load(open('library.json')); \
	    ard = dict(l.split('=', 1) for l in open('library.properties').read().splitlines() if '=' in l); \
	    cmake = re.search(r'project\(ugrad VERSION ([0-9.]+)', open('CMakeLists.txt').read()).group(1); \
	    assert pio['build']['includeDir'] == 'include' and ard['includes'] == 'ugrad.hpp'; \
	    assert pio['version'] == ard['version'] == cmake, ('versions differ', pio['version'], ard['version'], cmake); \
	    assert pio['license'] == ard['license'] == 'Apache-2.0' and 'Apache License' in open('LICENSE').read(), 'licence fields'; \
	    print('manifests: library.json, library.properties and CMakeLists.txt agree on version', cmake)"
	@echo "arduino layout: PASS"
TEST_GOALS += test-arduino-layout
