/* SPDX-License-Identifier: Apache-2.0 */
/* tests/target/hello.c — the smallest program on the seam: prints, counts instructions, exits with
 * a chosen code (make TARGET=<t> target-hello). */
#include "hal.h"

int main(void) {
    const uint64_t start = hal_instructions();
    volatile uint32_t sum = 0;
    for (uint32_t i = 0; i < 100000u; ++i) sum = sum + i;
    const uint64_t spent = hal_instructions() - start;
    hal_write("hello from the target: a loop of 100000 iterations took ");
    hal_write_uint(spent);
    hal_write(" instructions\n");
    return 42;
}
