/* SPDX-License-Identifier: Apache-2.0 */
/* platform/common/stack_paint.c — measure the stack a piece of code really uses.
 *
 * Every linker script in platform/ defines __stack_limit, the lowest address of the stack (it
 * grows down on every target). hal_stack_paint writes a pattern into every word from there up to
 * its own stack pointer; hal_stack_peak finds the lowest word that no longer holds the pattern and
 * reports its distance from `top`, the caller's stack pointer. The painting function's own frame
 * (between its stack pointer and `top`) is left unpainted, so the figure never falls below that
 * frame: an upper bound, never an underestimate. */
#include "hal.h"

#include <stdint.h>

extern uint32_t __stack_limit[];

static const uint32_t stack_pattern = 0xa5c3e1f7u;
static uintptr_t painted_top; /* the caller's stack pointer when it painted */

__attribute__((noinline)) void hal_stack_paint(uintptr_t top) {
    painted_top = top;
    const uintptr_t own = hal_stack_pointer() & ~(uintptr_t)3u;
    for (volatile uint32_t* p = __stack_limit; (uintptr_t)p < own; ++p) *p = stack_pattern;
}

__attribute__((noinline)) uint32_t hal_stack_peak(void) {
    const volatile uint32_t* p = __stack_limit;
    while ((uintptr_t)p < painted_top && *p == stack_pattern) ++p;
    return (uint32_t)(painted_top - (uintptr_t)p);
}
