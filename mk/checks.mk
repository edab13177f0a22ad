# SPDX-License-Identifier: Apache-2.0
# mk/checks.mk — properties of the library as a whole, checked by building it:
#   check-freestanding  every header compiles alone with riscv64-unknown-elf-g++ -ffreestanding
#                       -nostdlib (a toolchain with no C or C++ library at all), and includes only
#                       <stdint.h>, <stddef.h>, <float.h> and ugrad's own headers (plus, in
#                       kernels.hpp, the one override `#include UGRAD_TARGET_KERNELS`: a header a
#                       user's build may name). A core's kernels (include/ugrad/<isa>/kernels.hpp)
#                       compile, through kernels.hpp which picks them, with that core's cross
#                       compiler, freestanding too (FREESTANDING_CXX_<isa>). Every header's code
#                       sits between UGRAD_FP_CONTRACT_OFF_BEGIN and _END (fp_contract.hpp).
#                       The int8 path (include/ugrad/q8/) has integers only, no contraction to
#                       turn off, and its own goal (q8-freestanding, mk/q8.mk) with its own compilers.
#   check-no-heap       the entry points' object file needs no malloc/free/new/delete, no __cxa_*
#                       (exceptions, guards), no libm and no __stack_chk_fail; memcpy and memset,
#                       which any C++ compiler may emit for a struct copy or `= {}` even in
#                       freestanding code, are allowed
#   check-compile-fail  an array of the wrong size, layers that do not chain, too many layers, a
#                       zero-unit layer, a label for a Linear head: each rejected at compile time
#                       by g++ and clang++, the message (naming the sizes) by the first error line
#   check-readme        README.md's examples compile (g++, clang++, arm-none-eabi-g++), run and print what it shows
#   check-warnings      every header, every template instantiated (tests/lint/instantiate.cpp,
#                       instantiate_q8.cpp, tests/checks/c_api_models.cpp) and the C header ugrad.h
#                       compile without a warning under Clang's -Weverything (less the C++98
#                       compatibility and padding notes) and g++'s strict set, WARN_STRICT_GCC, on
#                       the host and with the Arm cross g++ (Cortex-M4F, M3, M0: each core's kernels)

DEPS_PACKAGES += gcc-riscv64-unknown-elf gcc-arm-none-eabi python3

CHECKS := $(BUILD)/checks
FREESTANDING_CXX := riscv64-unknown-elf-g++ -march=rv32imac -mabi=ilp32
# The folders of instruction-set kernels, and a compiler for which kernels.hpp picks each.
ISA_KERNEL_FOLDERS := armv7em_vfp
FREESTANDING_CXX_armv7em_vfp := arm-none-eabi-g++ -mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard -mthumb

.PHONY: check-freestanding
check-freestanding: | deps
	@echo "== freestanding: each header alone, $(FREESTANDING_CXX) -ffreestanding -nostdlib"
	@bad=$$(grep -hE '^\s*#\s*include' $(LIBRARY_HEADERS) | grep -vE '<(stdint|stddef|float)\.h>|<ugrad/([a-z0-9_]+/)*[a-z0-9_]+\.hpp>|^#include UGRAD_TARGET_KERNELS$$'); \
	  if [ -n "$$bad" ]; then echo "library headers include something not freestanding:"; echo "$$bad"; exit 1; fi
	@for h in $(filter-out $(ISA_KERNEL_FOLDERS:%=include/ugrad/%/%) include/ugrad/q8/%,$(LIBRARY_HEADERS)); do \
	  echo "#include <$${h#include/}>" | \
	    $(FREESTANDING_CXX) $(STD) $(WARN) $(FPFLAGS) -ffreestanding -nostdlib $(INCLUDES) -x c++ -fsyntax-only - \
	    || { echo "not freestanding: $$h"; exit 1; }; \
	done
	@for h in $(filter-out include/ugrad/fp_contract.hpp include/ugrad/ugrad.hpp include/ugrad/armv7em_dsp.hpp $(ISA_KERNEL_FOLDERS:%=include/ugrad/%/%) include/ugrad/q8/% include/ugrad/tflite/%,$(LIBRARY_HEADERS)); do \
	  grep -q '^UGRAD_FP_CONTRACT_OFF_BEGIN$$' $$h && grep -q '^UGRAD_FP_CONTRACT_OFF_END$$' $$h \
	    || { echo "$$h: its code must sit between UGRAD_FP_CONTRACT_OFF_BEGIN and _END (include/ugrad/fp_contract.hpp)"; exit 1; }; \
	done
	@$(foreach isa,$(ISA_KERNEL_FOLDERS),printf '#include <ugrad/kernels.hpp>\n#if !UGRAD_HAS_TARGET_KERNELS\n#error no $(isa) kernels picked\n#endif\n' | \
	    $(FREESTANDING_CXX_$(isa)) $(STD) $(WARN) $(FPFLAGS) -ffreestanding -nostdlib $(INCLUDES) -x c++ -fsyntax-only - \
	    || { echo "not freestanding, or not picked: include/ugrad/$(isa)"; exit 1; };)
	@echo '#include <ugrad/ugrad.h>' | riscv64-unknown-elf-gcc -march=rv32imac -mabi=ilp32 -std=c11 -Wall -Wextra \
	    -Wpedantic -Werror -ffreestanding -nostdlib $(INCLUDES) -x c -fsyntax-only - || { echo "ugrad.h is not freestanding C"; exit 1; }
	@echo "$(words $(LIBRARY_HEADERS)) C++ headers and the C header ugrad.h compile freestanding"

$(CHECKS)/entry_points-%.o: tests/checks/entry_points.cpp $(LIBRARY_HEADERS) | deps
	@mkdir -p $(@D)
	$(word 1,$(subst -, ,$*))++ $(STD) $(WARN) $(FPFLAGS) $(INCLUDES) -O$(word 2,$(subst -, ,$*)) -c $< -o $@

# The object's undefined symbols, for each compiler at -O0 and -O2, must all be absent from this list.
FORBIDDEN_SYMBOLS := malloc|calloc|realloc|free|_Znw|_Zna|_Zdl|_Zda|__cxa_|__gxx_personality|_Unwind|exp|expf|log|logf|__stack_chk
.PHONY: check-no-heap
check-no-heap: $(CHECKS)/entry_points-g-0.o $(CHECKS)/entry_points-g-2.o $(CHECKS)/entry_points-clang-0.o $(CHECKS)/entry_points-clang-2.o
	@echo "== no heap, no exceptions, no libm: undefined symbols of the entry points"
	@for o in $^; do \
	  undefined=$$(nm -u $$o | awk '{print $$2}'); \
	  bad=$$(echo "$$undefined" | grep -E '^($(FORBIDDEN_SYMBOLS))' || true); \
	  if [ -n "$$bad" ]; then echo "$$o needs: $$bad"; exit 1; fi; \
	  echo "$$o: undefined: [$$(echo $$undefined)], none forbidden"; \
	done

# Each `// case:` of tests/checks/wrong_size.cpp, with g++ and clang++: rejected, and the message
# (the sizes, or what is wrong) said by the first error line; the table of what a user sees (first
# line, first error line) lands in $(CHECKS)/compile_fail.md.
.PHONY: check-compile-fail
check-compile-fail: | deps
	@echo "== compile-fail: shapes and calls that do not fit must not compile, and the compiler must say why"
	@mkdir -p $(CHECKS)
	@python3 tests/checks/compile_fail.py tests/checks/wrong_size.cpp $(CHECKS)/compile_fail.md $(HOST_COMPILERS) -- \
	    $(STD) $(WARN) $(INCLUDES)

# The C++ examples of README.md and docs/, each marked `<!-- example:NAME ... -->` above its code
# block and followed by `<!-- output:NAME -->` and the text it prints: each is compiled with g++ and
# clang++ (with the model it includes exported from examples/quickstart/ by tools/export_model.py),
# run, and its output compared with the page's. README's firmware build line is run as shown (the
# include directory's and the file's paths replaced), with the warnings as errors.
DOC_EXAMPLES := README.md:firmware README.md:int8 README.md:network docs/api.md:quickstart
README_BUILD := $(CHECKS)/readme
doc_example_page = $(firstword $(subst :, ,$(filter %:$(1),$(DOC_EXAMPLES))))
DOC_EXAMPLE_NAMES := $(foreach e,$(DOC_EXAMPLES),$(lastword $(subst :, ,$(e))))
DOC_EXAMPLE_PAGES := $(sort $(foreach e,$(DOC_EXAMPLES),$(firstword $(subst :, ,$(e)))))
$(README_BUILD)/%.cpp: $(DOC_EXAMPLE_PAGES) tools/extract_readme_example.py
	@mkdir -p $(@D)
	python3 tools/extract_readme_example.py $(call doc_example_page,$*) $@ $*
$(README_BUILD)/%.expected: $(DOC_EXAMPLE_PAGES) tools/extract_readme_example.py
	@mkdir -p $(@D)
	python3 tools/extract_readme_example.py $(call doc_example_page,$*) $@ $* text output
$(README_BUILD)/firmware-build.sh: README.md tools/extract_readme_example.py
	@mkdir -p $(@D)
	python3 tools/extract_readme_example.py $< $@ firmware-build sh
# The models the examples include, exported by README's own commands (run from the repository's
# root as written, the header written under build/ instead of the current folder).
README_EXPORT_DEPS := examples/quickstart/my_model.json examples/quickstart/calibration.csv tools/export_model.py \
                      tools/quantize.py tools/q8_model.py tools/q8_report.py README.md tools/extract_readme_example.py
$(README_BUILD)/my_model.hpp: $(README_EXPORT_DEPS) | deps
	@mkdir -p $(@D)
	python3 tools/extract_readme_example.py README.md $(README_BUILD)/export.sh export sh
	@cmd=$$(tr -d '\\\n' < $(README_BUILD)/export.sh | sed 's|--out my_model.hpp|--out $@|'); echo "$$cmd"; $$cmd
$(README_BUILD)/my_model_q8.hpp: $(README_EXPORT_DEPS) | deps
	@mkdir -p $(@D)
	python3 tools/extract_readme_example.py README.md $(README_BUILD)/export-int8.sh export-int8 sh
	@cmd=$$(tr -d '\\\n' < $(README_BUILD)/export-int8.sh | sed 's|--out my_model_q8.hpp|--out $@|'); echo "$$cmd"; $$cmd

.PHONY: check-readme
check-readme: $(DOC_EXAMPLE_NAMES:%=$(README_BUILD)/%.cpp) $(DOC_EXAMPLE_NAMES:%=$(README_BUILD)/%.expected) \
              $(README_BUILD)/my_model.hpp $(README_BUILD)/my_model_q8.hpp $(README_BUILD)/firmware-build.sh | deps
	@echo "== examples in README.md and docs/: $(DOC_EXAMPLES), compiled, run and their output compared"
	@for example in $(DOC_EXAMPLE_NAMES); do for cxx in $(HOST_COMPILERS); do \
	  $$cxx $(STD) $(WARN) $(FPFLAGS) $(INCLUDES) -I$(README_BUILD) $(README_BUILD)/$$example.cpp -o $(README_BUILD)/$$example-$$cxx || exit 1; \
	  $(README_BUILD)/$$example-$$cxx > $(README_BUILD)/$$example-$$cxx.out || { echo "example $$example failed with $$cxx"; exit 1; }; \
	  diff $(README_BUILD)/$$example.expected $(README_BUILD)/$$example-$$cxx.out \
	    || { echo "example $$example ($$cxx): its output is not what the page shows (diff above; make readme-outputs)"; exit 1; }; \
	done; echo "example $$example: g++ and clang++ print what the page shows"; done
	@cmd=$$(tr -d '\\\n' < $(README_BUILD)/firmware-build.sh | sed 's| -Iugrad/include| -Iinclude -I$(README_BUILD)|; s| -c main.cpp| -c $(README_BUILD)/firmware.cpp -o $(README_BUILD)/firmware-m4f.o|'); \
	  echo "$$cmd $(WARN)"; $$cmd $(WARN) || { echo "README's firmware build line failed"; exit 1; }
	@echo "README's firmware build line compiles the quick start for the Cortex-M4F"

# Rewrite the outputs the pages show from a run of each example (g++).
.PHONY: readme-outputs
readme-outputs: $(DOC_EXAMPLE_NAMES:%=$(README_BUILD)/%.cpp) $(README_BUILD)/my_model.hpp $(README_BUILD)/my_model_q8.hpp | deps
	@for e in $(DOC_EXAMPLES); do page=$${e%%:*}; example=$${e##*:}; \
	  g++ $(STD) $(WARN) $(FPFLAGS) $(INCLUDES) -I$(README_BUILD) $(README_BUILD)/$$example.cpp -o $(README_BUILD)/$$example-g++ && \
	  $(README_BUILD)/$$example-g++ > $(README_BUILD)/$$example-g++.out && \
	  tools/readme_outputs.py $$page $$example $(README_BUILD)/$$example-g++.out || exit 1; done

# A user's strictest builds must see no warning from ugrad's headers.
WARN_EVERYTHING := -Weverything -Wno-c++98-compat -Wno-c++98-compat-pedantic -Wno-padded -Werror
WARN_STRICT_GCC := -Wall -Wextra -Wpedantic -Wconversion -Wshadow -Wfloat-equal -Wdouble-promotion -Werror
WARNINGS_TUS := tests/lint/instantiate.cpp tests/lint/instantiate_q8.cpp tests/lint/instantiate_layers.cpp tests/checks/c_api_models.cpp
WARNINGS_ARM_CORES := "-mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard" -mcpu=cortex-m3 -mcpu=cortex-m0
.PHONY: check-warnings
check-warnings: | deps
	@echo "== warnings: clang++ -Weverything and g++ $(WARN_STRICT_GCC) over every header"
	@for tu in $(WARNINGS_TUS); do for opt in -O2 -Os; do \
	  clang++ $(STD) $(WARN_EVERYTHING) $(FPFLAGS) $$opt $(INCLUDES) -fsyntax-only $$tu || exit 1; \
	  g++ $(STD) $(WARN_STRICT_GCC) $(FPFLAGS) $$opt $(INCLUDES) -fsyntax-only $$tu || exit 1; \
	done; done
	@echo '#include <ugrad/ugrad.h>' | clang -std=c11 $(filter-out -Wno-c++98%,$(WARN_EVERYTHING)) $(INCLUDES) -x c -fsyntax-only -
	@echo '#include <ugrad/ugrad.h>' | gcc -std=c11 $(WARN_STRICT_GCC) $(INCLUDES) -x c -fsyntax-only -
	@for core in $(WARNINGS_ARM_CORES); do for tu in $(WARNINGS_TUS); do for opt in -O2 -Os; do \
	  arm-none-eabi-g++ $(STD) -mthumb $$core $(WARN_STRICT_GCC) $(FPFLAGS) $$opt $(INCLUDES) -fsyntax-only $$tu || exit 1; \
	done; done; done
	@echo "no warnings: $(WARNINGS_TUS) and ugrad.h, clang++ -Weverything and g++ (host, Cortex-M4F/M3/M0) at -O2 and -Os"

.PHONY: checks
checks: check-freestanding check-no-heap check-compile-fail check-readme check-warnings
TEST_GOALS += checks

# docs/api.md's memory table, from sizeof; check-readme-memory fails if it has gone stale.
$(CHECKS)/memory_table: tools/memory_table.cpp $(LIBRARY_HEADERS) | deps
	@mkdir -p $(@D)
	g++ $(STD) $(WARN) $(FPFLAGS) $(INCLUDES) $< -o $@

.PHONY: readme-memory check-readme-memory
readme-memory: $(CHECKS)/memory_table
	$< > $(CHECKS)/memory_table.md
	tools/readme_section.py memory $(CHECKS)/memory_table.md

check-readme-memory: $(CHECKS)/memory_table
	@$< > $(CHECKS)/memory_table.md
	@sed -n '/<!-- BEGIN memory/,/<!-- END memory/p' docs/api.md | sed '1d;$$d' | diff - $(CHECKS)/memory_table.md \
	  || { echo "docs/api.md's memory table is stale: run make readme-memory"; exit 1; }
	@echo "docs/api.md's memory table matches sizeof"
checks: check-readme-memory

# docs/mlperf-tiny.md's memory table: the MLPerf Tiny architectures' RAM, from sizeof.
$(CHECKS)/mlperf_memory: tools/mlperf_memory.cpp bench/mlperf_tiny.hpp $(LIBRARY_HEADERS) | deps
	@mkdir -p $(@D)
	g++ $(STD) $(WARN) $(FPFLAGS) $(INCLUDES) $< -o $@

.PHONY: mlperf-memory check-mlperf-memory
mlperf-memory: $(CHECKS)/mlperf_memory
	$< > $(CHECKS)/mlperf_memory.md
	tools/readme_section.py mlperf-memory $(CHECKS)/mlperf_memory.md

check-mlperf-memory: $(CHECKS)/mlperf_memory
	@$< > $(CHECKS)/mlperf_memory.md
	@sed -n '/<!-- BEGIN mlperf-memory/,/<!-- END mlperf-memory/p' docs/mlperf-tiny.md | sed '1d;$$d' | diff - $(CHECKS)/mlperf_memory.md \
	  || { echo "docs/mlperf-tiny.md's memory table is stale: run make mlperf-memory"; exit 1; }
	@echo "docs/mlperf-tiny.md's memory table matches sizeof"
checks: check-mlperf-memory

# README's headline figures must be the ones the measured sections in docs/ hold now.
.PHONY: check-readme-headlines
check-readme-headlines:
	@python3 tools/readme_headlines.py --check
checks: check-readme-headlines
