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
#   check-compile-fail  an input array of the wrong size, layers that do not chain, a label for a
#                       Linear head and a Dense with zero units (float and int8) are rejected at
#                       compile time, each with the message it must carry
#   check-readme        README.md's usage example compiles (g++ and clang++) and runs

DEPS_PACKAGES += gcc-riscv64-unknown-elf gcc-arm-none-eabi python3

CHECKS := $(BUILD)/checks
FREESTANDING_CXX := riscv64-unknown-elf-g++ -march=rv32imac -mabi=ilp32
# The folders of instruction-set kernels, and a compiler for which kernels.hpp picks each.
ISA_KERNEL_FOLDERS := armv7em_vfp
FREESTANDING_CXX_armv7em_vfp := arm-none-eabi-g++ -mcpu=cortex-m4 -mfpu=fpv4-sp-d16 -mfloat-abi=hard -mthumb

.PHONY: check-freestanding
check-freestanding: | deps
	@echo "== freestanding: each header alone, $(FREESTANDING_CXX) -ffreestanding -nostdlib"
	@bad=$$(grep -hE '^\s*#\s*include' $(LIBRARY_HEADERS) | grep -vE '<(stdint|stddef|float)\.h>|<ugrad/([a-z0-9_]+/)?[a-z0-9_]+\.hpp>|^#include UGRAD_TARGET_KERNELS$$'); \
	  if [ -n "$$bad" ]; then echo "library headers include something not freestanding:"; echo "$$bad"; exit 1; fi
	@for h in $(filter-out $(ISA_KERNEL_FOLDERS:%=include/ugrad/%/%) include/ugrad/q8/%,$(LIBRARY_HEADERS)); do \
	  echo "#include <$${h#include/}>" | \
	    $(FREESTANDING_CXX) $(STD) $(WARN) $(FPFLAGS) -ffreestanding -nostdlib $(INCLUDES) -x c++ -fsyntax-only - \
	    || { echo "not freestanding: $$h"; exit 1; }; \
	done
	@for h in $(filter-out include/ugrad/fp_contract.hpp include/ugrad/ugrad.hpp $(ISA_KERNEL_FOLDERS:%=include/ugrad/%/%) include/ugrad/q8/%,$(LIBRARY_HEADERS)); do \
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

# Each case: the macro, then words the compiler's message must hold, '+' standing for a space
# (tests/checks/wrong_size.cpp).
COMPILE_FAIL_CASES := UGRAD_WRONG_SIZE:forward UGRAD_WRONG_INPUT:forward UGRAD_WRONG_CHAIN:previous \
                      UGRAD_LINEAR_LABEL:target \
                      UGRAD_ZERO_INPUTS:at+least+one+unit UGRAD_ZERO_OUTPUTS:at+least+one+unit \
                      UGRAD_Q8_ZERO_INPUTS:at+least+one+unit UGRAD_Q8_ZERO_OUTPUTS:at+least+one+unit
.PHONY: check-compile-fail
check-compile-fail: | deps
	@echo "== compile-fail: shapes that do not fit must not compile"
	@mkdir -p $(BUILD)
	@g++ $(STD) $(WARN) $(INCLUDES) -fsyntax-only tests/checks/wrong_size.cpp
	@for c in $(COMPILE_FAIL_CASES); do macro=$${c%%:*}; word=$${c##*:}; word=$${word//+/ }; \
	  if g++ $(STD) $(WARN) $(INCLUDES) -fsyntax-only -D$$macro tests/checks/wrong_size.cpp 2>$(BUILD)/wrong_size.log; then \
	    echo "$$macro: compiled, but must not"; exit 1; fi; \
	  grep -q "$$word" $(BUILD)/wrong_size.log || { echo "$$macro: rejected without '$$word' in the message"; exit 1; }; \
	  echo "$$macro: rejected, as it must be ('$$word' in the message)"; done

# README's C++ examples, each marked `<!-- example:NAME ... -->` above its code block.
README_EXAMPLES := quickstart network
$(CHECKS)/readme_example_%.cpp: README.md tools/extract_readme_example.py
	@mkdir -p $(@D)
	python3 tools/extract_readme_example.py $< $@ $*

.PHONY: check-readme
check-readme: $(README_EXAMPLES:%=$(CHECKS)/readme_example_%.cpp) | deps
	@echo "== README usage examples: $(README_EXAMPLES)"
	@for example in $(README_EXAMPLES); do for cxx in $(HOST_COMPILERS); do \
	  $$cxx $(STD) $(WARN) $(FPFLAGS) $(INCLUDES) $(CHECKS)/readme_example_$$example.cpp -o $(CHECKS)/readme_example_$$example-$$cxx || exit 1; \
	  $(CHECKS)/readme_example_$$example-$$cxx || { echo "README example $$example failed with $$cxx"; exit 1; }; \
	done; done

.PHONY: checks
checks: check-freestanding check-no-heap check-compile-fail check-readme
TEST_GOALS += checks

# README.md's memory table, from sizeof; check-readme-memory fails if README.md has gone stale.
$(CHECKS)/memory_table: tools/memory_table.cpp $(LIBRARY_HEADERS) | deps
	@mkdir -p $(@D)
	g++ $(STD) $(WARN) $(FPFLAGS) $(INCLUDES) $< -o $@

.PHONY: readme-memory check-readme-memory
readme-memory: $(CHECKS)/memory_table
	$< > $(CHECKS)/memory_table.md
	tools/readme_section.py memory $(CHECKS)/memory_table.md

check-readme-memory: $(CHECKS)/memory_table
	@$< > $(CHECKS)/memory_table.md
	@sed -n '/<!-- BEGIN memory/,/<!-- END memory/p' README.md | sed '1d;$$d' | diff - $(CHECKS)/memory_table.md \
	  || { echo "README.md's memory table is stale: run make readme-memory"; exit 1; }
	@echo "README.md's memory table matches sizeof"
checks: check-readme-memory
