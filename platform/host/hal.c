/* SPDX-License-Identifier: Apache-2.0 */
/* platform/host/hal.c — platform/hal.h on the build machine (hosted C), so that a program written
 * against the seam also runs as a host executable: the int8 models' cross-core check
 * (mk/tflite_cores.mk) builds its runner with g++ here, to compare the host's hashes with the
 * cores'. There is no instruction counter (hal_instructions returns 0) and no stack painting
 * (hal_stack_peak returns 0). hal_write_uint and hal_write_hex come from platform/common/hal_format.c. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>

#include "hal.h"

void hal_write(const char* text) { fputs(text, stdout); }

void hal_exit(int code) {
    fflush(stdout);
    exit(code);
}

uint64_t hal_instructions(void) { return 0; }

uintptr_t hal_stack_pointer(void) { return (uintptr_t)__builtin_frame_address(0); }

void hal_stack_paint(uintptr_t top) { (void)top; }

uint32_t hal_stack_peak(void) { return 0; }
