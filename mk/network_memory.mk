# SPDX-License-Identifier: Apache-2.0
# mk/network_memory.mk — the stack each Network call uses, measured on the M4F in QEMU.
#
#   make network-stack   builds tools/size/network_stack_main.cpp for mps2-an386 with -Os (what
#                        `make size` measures Mlp's calls with) and with -O2, paints the stack around
#                        every call (forward, loss, input_gradient, backward, output_jacobian,
#                        accumulate_gradients, both sgd_steps) and writes README.md's section
#                        `network-stack`. Figures, not assertions: a measurement goal, outside make test.

NETWORK_STACK_TARGET := mps2-an386
$(call target_program,network-stack-os,tools/size/network_stack_main.cpp,-Os -fno-exceptions)
$(call target_program,network-stack-o2,tools/size/network_stack_main.cpp,-O2 -fno-exceptions)

.PHONY: network-stack network-stack-rows
ifeq ($(TARGET),host)
network-stack: | deps
	@$(MAKE) --no-print-directory -s TARGET=$(NETWORK_STACK_TARGET) network-stack-rows
	tools/readme_section.py network-stack $(BUILD)/$(NETWORK_STACK_TARGET)/network-stack.md
else
network-stack-rows: $(TARGET_BUILD)/network-stack-os.elf $(TARGET_BUILD)/network-stack-o2.elf
	@{ echo "Stack of each call beyond its arguments (painted in QEMU, \`$(TARGET)\`, \`$(TARGET_CXX) -Os\`, as \`make size\`):"; echo; \
	  $(TARGET_RUN) $(TARGET_BUILD)/network-stack-os.elf || exit 1; echo; \
	  echo "The same built with -O2:"; echo; \
	  $(TARGET_RUN) $(TARGET_BUILD)/network-stack-o2.elf || exit 1; } > $(TARGET_BUILD)/network-stack.md
	@cat $(TARGET_BUILD)/network-stack.md
endif
