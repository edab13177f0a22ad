/* SPDX-License-Identifier: Apache-2.0 */
/* tests/target/crash.c — a program that faults: the platform must report it and exit with
 * HAL_EXIT_FAULT at once (checked by make target-test). */
#include "hal.h"

int main(void) {
    hal_write("crash: executing a trap instruction\n");
    __builtin_trap();
}
