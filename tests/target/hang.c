/* SPDX-License-Identifier: Apache-2.0 */
/* tests/target/hang.c — a program that never ends: tools/run-on-target.sh must kill it and fail
 * (checked by make target-test with a short RUN_TIMEOUT). */
#include "hal.h"

int main(void) {
    hal_write("hang: looping forever\n");
    for (volatile uint32_t spin = 0;; spin = spin + 1u) {
    }
}
