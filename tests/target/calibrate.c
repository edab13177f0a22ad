/* SPDX-License-Identifier: Apache-2.0 */
/* tests/target/calibrate.c — the instruction counter (platform/hal.h) against a loop of a known
 * instruction count: two instructions a pass (subtract, branch), 2^20 passes. A wrong clock in a
 * target.mk (HAL_CLOCK_HZ: 1e9 / HAL_CLOCK_HZ instructions per SysTick tick under -icount
 * shift=0) shows as a count off by the ratio of the clocks; the counter's own steps and the
 * few instructions around the loop allow 0.1%. Exit status 0 = the counter is right. */
#include "hal.h"

enum { PASSES = 1u << 20 };

int main(void) {
    uint32_t n = PASSES;
    const uint64_t start = hal_instructions();
#if defined(__riscv)
    __asm__ volatile("1:\n\taddi %0, %0, -1\n\tbnez %0, 1b" : "+r"(n));
#else
    __asm__ volatile(".syntax unified\n1:\n\tsubs %0, %0, #1\n\tbne 1b" : "+l"(n) : : "cc");
#endif
    const uint64_t spent = hal_instructions() - start;
    const uint64_t known = 2u * (uint64_t)PASSES;
    const uint64_t error = spent > known ? spent - known : known - spent;
    hal_write("calibrate: a loop of ");
    hal_write_uint(known);
    hal_write(" instructions counted as ");
    hal_write_uint(spent);
    const int ok = error * 1000u <= known;
    hal_write(ok ? " (within 0.1%)\n" : " (WRONG: check HAL_CLOCK_HZ in target.mk)\n");
    return ok ? 0 : 1;
}
