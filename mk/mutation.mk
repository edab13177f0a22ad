# SPDX-License-Identifier: Apache-2.0
# mk/mutation.mk — sampled mutation testing of include/ugrad (tools/mutation/mutate.py documents the
# operators, the sampling and what each mutant is run against).
#   make mutation    plants one bug at a time in a copy of include/ugrad, builds what it reaches at
#                    -O1 and runs the host suite, the compile-fail checks and the golden programs
#                    against it; writes docs/mutation.md (the score, every survivor). About 30
#                    minutes on two cores: not part of `make test`. Survivors that cannot change
#                    behaviour are listed, with a reason each, in tools/mutation/equivalent.txt.
#                    MUTATION_ARGS passes options: e.g. MUTATION_ARGS='--file include/ugrad/math.hpp'
#                    (one header, no report), '--limit 10', '--list'.
MUTATION_SAMPLE ?= 60
MUTATION_JOBS   ?= 2
MUTATION_ARGS   ?= --report docs/mutation.md

.PHONY: mutation
mutation: | deps
	nice /usr/bin/python3 tools/mutation/mutate.py --sample $(MUTATION_SAMPLE) --jobs $(MUTATION_JOBS) $(MUTATION_ARGS)
