/* SPDX-License-Identifier: Apache-2.0 */
/* platform/cortex-m/hal.c — platform/hal.h for Cortex-M under QEMU: ARM semihosting for output
 * and exit, SysTick for the instruction counter. */
#include <stdint.h>
#include <stdio.h>

#include "hal.h"

/* Semihosting: operation in r0, parameter in r1, then BKPT 0xAB; the result comes back in r0. */
static uintptr_t semihost(uintptr_t operation, const void* parameter) {
    register uintptr_t r0 __asm__("r0") = operation;
    register const void* r1 __asm__("r1") = parameter;
    __asm__ volatile("bkpt 0xab" : "+r"(r0) : "r"(r1) : "memory");
    return r0;
}

enum {
    SYS_WRITE0 = 0x04,                       /* write a NUL-terminated string */
    SYS_EXIT_EXTENDED = 0x20,                /* exit with a reason and a status code */
    ADP_Stopped_ApplicationExit = 0x20026,
};

void hal_write(const char* text) { semihost(SYS_WRITE0, text); }

void hal_exit(int code) {
    fflush(NULL); /* stdout goes through newlib's buffer */
    const uintptr_t block[2] = {ADP_Stopped_ApplicationExit, (uintptr_t)(code & 0xff)};
    for (;;) semihost(SYS_EXIT_EXTENDED, block);
}

/* newlib's librdimon routes stdio through semihosting once its handles are set up. */
void initialise_monitor_handles(void);
void hal_console_init(void) { initialise_monitor_handles(); }

__attribute__((naked)) uintptr_t hal_stack_pointer(void) {
    __asm__ volatile("mov r0, sp\n\tbx lr");
}

/* The instruction counter. SysTick counts down at the processor clock from 2^24 − 1, and its
 * interrupt counts the wraps. Under -icount shift=0 QEMU runs one instruction per nanosecond, and
 * the processor clock of the machine (HAL_CLOCK_HZ, from target.mk) gives 1e9 / HAL_CLOCK_HZ
 * instructions per tick: 40 on mps2 (25 MHz), 62.5 on the microbit (16 MHz). tests/target/
 * calibrate.c checks the clock of each machine against a loop of a known instruction count. */
#ifndef HAL_CLOCK_HZ
#error "target.mk must define HAL_CLOCK_HZ, the processor clock SysTick counts"
#endif
#define SYST_CSR (*(volatile uint32_t*)0xe000e010u)
#define SYST_RVR (*(volatile uint32_t*)0xe000e014u)
#define SYST_CVR (*(volatile uint32_t*)0xe000e018u)
#define SYSTICK_RELOAD 0x00ffffffu

static volatile uint32_t systick_wraps;

void hal_counter_start(void) {
    SYST_RVR = SYSTICK_RELOAD;
    SYST_CVR = 0;
    SYST_CSR = 0x7u; /* processor clock, interrupt on wrap, enabled */
}

void hal_counter_tick(void) { systick_wraps = systick_wraps + 1u; }

uint64_t hal_instructions(void) {
    uint32_t wraps, value;
    do {
        wraps = systick_wraps;
        value = SYST_CVR;
    } while (wraps != systick_wraps);
    const uint64_t ticks = (uint64_t)wraps * (SYSTICK_RELOAD + 1u) + (SYSTICK_RELOAD - value);
    return ticks * 1000000000u / HAL_CLOCK_HZ;
}
