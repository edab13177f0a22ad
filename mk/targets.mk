# mk/targets.mk — the emulated microcontrollers: on-target tests, golden vectors, size and stack.
# The build seam itself (target_program, TARGET_RUN) is platform/platform.mk.

$(call target_program,hello,tests/target/hello.c)

.PHONY: target-hello
target-hello: $(TARGET_BUILD)/hello.elf
	$(TARGET_RUN) $<
$(call target_program,crash,tests/target/crash.c)
$(call target_program,hang,tests/target/hang.c)
