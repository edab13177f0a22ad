/* SPDX-License-Identifier: Apache-2.0 */
/* platform/hal.h — the seam between a program and the machine it runs on.
 *
 * Every target in platform/<target>/ implements these three calls, pqm4-style, and nothing else
 * is target-specific: a program written against this header runs unchanged on every target
 * (see platform/README.md for how to build and run one). Usable from C11 and C++17.
 *
 * The startup code of each target calls main() with the stack set up, .bss cleared, .data in
 * place, the FPU (if any) enabled and the instruction counter running; main's return value is
 * passed to hal_exit. A fault (HardFault, illegal instruction, bad address) prints a line and
 * exits with HAL_EXIT_FAULT.
 */
#ifndef UGRAD_PLATFORM_HAL_H
#define UGRAD_PLATFORM_HAL_H

#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Every program on a target is compiled with HAL_TARGET_NAME, the target's name as a string
 * literal ("mps2-an386", "rv32", ...). A board with little RAM also defines HAL_RAM_BYTES (the
 * microbit: 16384), so that a program can leave out what does not fit. */

/* The exit code a target reports when the processor faulted. */
#define HAL_EXIT_FAULT 3

/* Write a NUL-terminated string to the console of the host running the emulator (semihosting). */
void hal_write(const char* text);

/* End the program; the emulator process exits with `code` (0..255). Flushes C stdio first on
 * targets that have it. */
__attribute__((noreturn)) void hal_exit(int code);

/* Executed instructions since reset, under QEMU's -icount shift=0 (what tools/run-on-target.sh
 * passes). On the Cortex-M boards this comes from SysTick at the processor clock, so it advances
 * in steps of 1e9 / clock instructions (40 on mps2 at 25 MHz, 62.5 on the microbit at 16 MHz);
 * on rv32 it is the minstret counter, exact. Take differences. */
uint64_t hal_instructions(void);

/* Helpers built on hal_write (platform/common/hal_format.c), for targets without printf. */
void hal_write_uint(uint64_t value);            /* decimal */
void hal_write_hex(uint64_t value, int digits); /* lowercase, zero-padded to `digits` */

/* The caller's stack pointer (each target's hal, in assembly). */
uintptr_t hal_stack_pointer(void);

/* Stack painting (platform/common/stack_paint.c), to measure what some calls really use:
 *     hal_stack_paint(hal_stack_pointer());
 *     ... the calls ...
 *     uint32_t bytes = hal_stack_peak();
 * hal_stack_paint fills the free stack below `top` with a pattern; hal_stack_peak returns how
 * many bytes below `top` have been written since: an upper bound (by at most the painting
 * function's own frame) on the stack the calls in between needed. */
void hal_stack_paint(uintptr_t top);
uint32_t hal_stack_peak(void);

#ifdef __cplusplus
}
#endif

#endif /* UGRAD_PLATFORM_HAL_H */
