# SPDX-License-Identifier: Apache-2.0
# mk/fuzz.mk — libFuzzer targets in tests/fuzz/ (clang++ with -fsanitize=fuzzer,address,undefined).
#
#   make fuzz         each target for FUZZ_SECONDS (default 60) from the committed seed corpus plus
#                     what earlier runs found (build/fuzz/corpus/<target>/); prints executions and
#                     coverage per target and writes them into README.md (section `fuzz`); a
#                     finding stops make, its input in build/fuzz/artifacts/
#   make fuzz-short   each target for FUZZ_SHORT_SECONDS (default 9: six targets in about the time three
#                     took at 15 s) from the committed seeds only, into a fresh scratch corpus: what
#                     `make test` (CI) runs
#   make fuzz-seeds   replace tests/fuzz/corpus/<target>/ by the coverage-minimal subset (libFuzzer
#                     -merge=1) of itself and build/fuzz/corpus/<target>/, to commit after `make fuzz`
#
# Each target checks the library's documented invariants itself (see the comment at the top of
# each file), so "nothing found" means no crash, no sanitizer report and no broken invariant.

# The libFuzzer and sanitizer runtimes of the machine's clang (Debian's default clang; the
# unversioned libclang-rt-dev pulls in the matching libclang-rt-<version>-dev).
DEPS_PACKAGES += clang libclang-rt-dev

FUZZ_CXX           := clang++
FUZZ_FLAGS         := -g -O1 -fsanitize=fuzzer,address,undefined,float-cast-overflow -fno-sanitize-recover=all
# fuzz_network runs x86-64's default kernel schedule (vector, SSE2); network_simd is the same source
# on the portable scalar schedule (-DUGRAD_PORTABLE_KERNELS=1), seeded from the network corpus
# (the name stays: its corpus and findings are filed under it).
FUZZ_TARGETS       := $(patsubst tests/fuzz/fuzz_%.cpp,%,$(wildcard tests/fuzz/fuzz_*.cpp)) network_simd
FUZZ_SECONDS       ?= 60
FUZZ_SHORT_SECONDS ?= 9
FUZZ_BUILD         := $(BUILD)/fuzz
FUZZ_BINARIES      := $(patsubst %,$(FUZZ_BUILD)/fuzz_%,$(FUZZ_TARGETS))

$(FUZZ_BUILD)/fuzz_%: tests/fuzz/fuzz_%.cpp | deps
	@mkdir -p $(@D)
	$(FUZZ_CXX) $(STD) $(WARN) $(FPFLAGS) $(FUZZ_FLAGS) $(INCLUDES) -Itests -MMD -MP $< -o $@
$(FUZZ_BUILD)/fuzz_network_simd: tests/fuzz/fuzz_network.cpp | deps
	@mkdir -p $(@D)
	$(FUZZ_CXX) $(STD) $(WARN) $(FPFLAGS) $(FUZZ_FLAGS) -DUGRAD_PORTABLE_KERNELS=1 $(INCLUDES) -Itests -MMD -MP $< -o $@
-include $(patsubst %,$(FUZZ_BUILD)/fuzz_%.d,$(FUZZ_TARGETS))

# libFuzzer is clang's; g++ still compiles every fuzz source with the warning set (rule: g++ and
# clang++ both), as does it the lint translation unit.
$(FUZZ_BUILD)/gcc-warnings.ok: $(wildcard tests/fuzz/*.cpp) tests/lint/instantiate.cpp tests/lint/instantiate_q8.cpp $(LIBRARY_HEADERS) tests/error_bound.hpp tests/support.hpp | deps
	@mkdir -p $(@D)
	for f in $(filter %.cpp,$^); do g++ $(STD) $(WARN) $(FPFLAGS) $(INCLUDES) -Itests -O2 -c $$f -o /dev/null || exit 1; done
	@touch $@

# One target after the other (tests/fuzz/run.sh runs one and prints its figures).
.PHONY: fuzz fuzz-short fuzz-seeds
# The full run writes its figures into README.md's `fuzz` section.
fuzz: $(FUZZ_BINARIES)
	@printf '%s\n' "Last \`make fuzz\` on $$(uname -m), $$(clang++ --version | head -n 1):" "" \
	  '| target | time | executions | per second | coverage (edges) | features | corpus | found |' \
	  '|---|---|---|---|---|---|---|---|' > $(FUZZ_BUILD)/fuzz.md
	@for t in $(FUZZ_TARGETS); do \
	  tests/fuzz/run.sh $(FUZZ_BUILD) $$t $(FUZZ_SECONDS) $(FUZZ_BUILD)/corpus/$$t $(FUZZ_BUILD)/fuzz.md || exit 1; done
	tools/readme_section.py fuzz $(FUZZ_BUILD)/fuzz.md

fuzz-short: $(FUZZ_BINARIES) $(FUZZ_BUILD)/gcc-warnings.ok
	@rm -rf $(FUZZ_BUILD)/short
	@for t in $(FUZZ_TARGETS); do tests/fuzz/run.sh $(FUZZ_BUILD) $$t $(FUZZ_SHORT_SECONDS) $(FUZZ_BUILD)/short/$$t || exit 1; done

fuzz-seeds: $(FUZZ_BINARIES)
	@set -e; for t in $(filter-out network_simd,$(FUZZ_TARGETS)); do \
	    rm -rf $(FUZZ_BUILD)/merged/$$t; mkdir -p $(FUZZ_BUILD)/merged/$$t $(FUZZ_BUILD)/corpus/$$t; \
	    $(FUZZ_BUILD)/fuzz_$$t -merge=1 $(FUZZ_BUILD)/merged/$$t tests/fuzz/corpus/$$t $(FUZZ_BUILD)/corpus/$$t \
	        > $(FUZZ_BUILD)/merge-$$t.log 2>&1; \
	    rm -rf tests/fuzz/corpus/$$t; mv $(FUZZ_BUILD)/merged/$$t tests/fuzz/corpus/$$t; \
	    echo "fuzz-seeds $$t: $$(ls tests/fuzz/corpus/$$t | wc -l) inputs"; \
	done

TEST_GOALS += fuzz-short
