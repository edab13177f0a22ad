/* SPDX-License-Identifier: Apache-2.0 */
/* platform/rv32/hal.c — platform/hal.h for rv32imac under QEMU's virt machine, with no C library
 * at all: RISC-V semihosting for output and exit, minstret for the instruction counter, and the C
 * entry and trap report that startup.S jumps to. */
#include <stdint.h>

#include "hal.h"

/* Semihosting: operation in a0, parameter in a1, then the fixed uncompressed sequence
 * slli x0,x0,0x1f; ebreak; srai x0,x0,7 — kept inside one 16-byte block so that it never straddles
 * a page. The result comes back in a0. */
static __attribute__((noinline)) uintptr_t semihost(uintptr_t operation, const void* parameter) {
    register uintptr_t a0 __asm__("a0") = operation;
    register const void* a1 __asm__("a1") = parameter;
    __asm__ volatile(
        ".option push\n\t"
        ".option norvc\n\t"
        ".balign 16\n\t"
        "slli x0, x0, 0x1f\n\t"
        "ebreak\n\t"
        "srai x0, x0, 7\n\t"
        ".option pop"
        : "+r"(a0)
        : "r"(a1)
        : "memory");
    return a0;
}

enum {
    SYS_WRITE0 = 0x04,
    SYS_EXIT_EXTENDED = 0x20,
    ADP_Stopped_ApplicationExit = 0x20026,
};

void hal_write(const char* text) { semihost(SYS_WRITE0, text); }

void hal_exit(int code) {
    const uintptr_t block[2] = {ADP_Stopped_ApplicationExit, (uintptr_t)(code & 0xff)};
    for (;;) semihost(SYS_EXIT_EXTENDED, block);
}

__attribute__((naked)) uintptr_t hal_stack_pointer(void) {
    __asm__ volatile("mv a0, sp\n\tret");
}

/* minstret counts retired instructions; read its two halves until the high half is stable. */
uint64_t hal_instructions(void) {
    uint32_t high, low, again;
    do {
        __asm__ volatile("csrr %0, minstreth" : "=r"(high));
        __asm__ volatile("csrr %0, minstret" : "=r"(low));
        __asm__ volatile("csrr %0, minstreth" : "=r"(again));
    } while (high != again);
    return ((uint64_t)high << 32) | low;
}

typedef void (*init_function)(void);
extern init_function __init_array_start[], __init_array_end[];
int main(int argc, char** argv);

__attribute__((noreturn)) void rv32_start(void) {
    for (init_function* f = __init_array_start; f < __init_array_end; ++f) (*f)();
    static char program_name[] = "ugrad";
    static char* argv[] = {program_name, 0};
    hal_exit(main(1, argv));
}

__attribute__((noreturn)) void rv32_trap(void) {
    uint32_t cause, pc, value;
    __asm__ volatile("csrr %0, mcause" : "=r"(cause));
    __asm__ volatile("csrr %0, mepc" : "=r"(pc));
    __asm__ volatile("csrr %0, mtval" : "=r"(value));
    hal_write("\n*** trap: mcause 0x");
    hal_write_hex(cause, 8);
    hal_write(", mepc 0x");
    hal_write_hex(pc, 8);
    hal_write(", mtval 0x");
    hal_write_hex(value, 8);
    hal_write("\n");
    hal_exit(HAL_EXIT_FAULT);
}
