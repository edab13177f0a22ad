/* SPDX-License-Identifier: Apache-2.0 */
/* platform/cortex-m/startup.c — reset and fault handling for every Cortex-M target.
 *
 * The vector table sits at address 0 (section .vectors, placed first by sections.ld). Reset:
 * enable the FPU where the core has one, clear .bss, copy .data if it is linked to load elsewhere,
 * start the instruction counter (hal.c), run C/C++ static constructors, call main and hand its
 * result to hal_exit. Every fault handler prints its name and exits with HAL_EXIT_FAULT, so a
 * crashed target ends the emulator at once instead of hanging. */
#include <stdint.h>

#include "hal.h"

extern uint32_t __stack_top[];
extern uint32_t __bss_start__[], __bss_end__[];
extern uint32_t __data_start__[], __data_end__[], __data_load__[];
typedef void (*init_function)(void);
extern init_function __preinit_array_start[], __preinit_array_end[];
extern init_function __init_array_start[], __init_array_end[];

int main(int argc, char** argv);

/* What crtbegin.o would define (it is not linked: -nostartfiles): the handle C++ registers static
 * destructors against. */
void* __dso_handle = 0;
void hal_counter_start(void);     /* hal.c */
void hal_counter_tick(void);      /* hal.c: the SysTick handler's work */
void hal_console_init(void);      /* hal.c: what the C library needs before stdio works */

#define SCB_CPACR (*(volatile uint32_t*)0xe000ed88u)
#define SCB_CFSR (*(volatile uint32_t*)0xe000ed28u)
#define SCB_HFSR (*(volatile uint32_t*)0xe000ed2cu)

__attribute__((noreturn)) void Reset_Handler(void) {
#if defined(__ARM_FP)
    /* CP10 and CP11 (the FPU) full access, then make sure the write lands before any FP insn. */
    SCB_CPACR |= 0xfu << 20;
    __asm__ volatile("dsb\n\tisb" ::: "memory");
#endif
    if ((uintptr_t)__data_load__ != (uintptr_t)__data_start__)
        for (uint32_t *dst = __data_start__, *src = __data_load__; dst < __data_end__;) *dst++ = *src++;
    for (uint32_t* p = __bss_start__; p < __bss_end__; ++p) *p = 0;
    hal_counter_start();
    hal_console_init();
    for (init_function* f = __preinit_array_start; f < __preinit_array_end; ++f) (*f)();
    for (init_function* f = __init_array_start; f < __init_array_end; ++f) (*f)();
    static char program_name[] = "ugrad";
    static char* argv[] = {program_name, 0};
    hal_exit(main(1, argv));
}

static __attribute__((noreturn)) void fault(const char* name) {
    hal_write("\n*** ");
    hal_write(name);
#if !defined(__ARM_ARCH_6M__) /* ARMv6-M (Cortex-M0+) has no fault status registers */
    hal_write(" (CFSR 0x");
    hal_write_hex(SCB_CFSR, 8);
    hal_write(", HFSR 0x");
    hal_write_hex(SCB_HFSR, 8);
    hal_write(")");
#endif
    hal_write("\n");
    hal_exit(HAL_EXIT_FAULT);
}

void NMI_Handler(void) { fault("NMI"); }
void HardFault_Handler(void) { fault("HardFault"); }
void MemManage_Handler(void) { fault("MemManage fault"); }
void BusFault_Handler(void) { fault("BusFault"); }
void UsageFault_Handler(void) { fault("UsageFault"); }
void Unexpected_Handler(void) { fault("unexpected interrupt"); }
void SysTick_Handler(void) { hal_counter_tick(); }

/* The first 16 entries (the core's own exceptions) and 32 device interrupts, all unexpected. */
typedef void (*vector)(void);
#define UNEXPECTED_4 Unexpected_Handler, Unexpected_Handler, Unexpected_Handler, Unexpected_Handler
#define UNEXPECTED_32 UNEXPECTED_4, UNEXPECTED_4, UNEXPECTED_4, UNEXPECTED_4, \
                      UNEXPECTED_4, UNEXPECTED_4, UNEXPECTED_4, UNEXPECTED_4
__attribute__((section(".vectors"), used)) const vector vector_table[16 + 32] = {
    (vector)(uintptr_t)__stack_top,
    Reset_Handler,
    NMI_Handler,
    HardFault_Handler,
    MemManage_Handler,
    BusFault_Handler,
    UsageFault_Handler,
    Unexpected_Handler, Unexpected_Handler, Unexpected_Handler, Unexpected_Handler, /* reserved */
    Unexpected_Handler, /* SVCall */
    Unexpected_Handler, /* debug monitor */
    Unexpected_Handler, /* reserved */
    Unexpected_Handler, /* PendSV */
    SysTick_Handler,
    UNEXPECTED_32,
};
