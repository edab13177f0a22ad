/* SPDX-License-Identifier: Apache-2.0 */
/* platform/rv32/startup.S — reset and trap entry for rv32imac on QEMU's virt machine (-bios none:
 * QEMU starts the hart at 0x80000000 in machine mode, where link.ld puts _start). Sets gp and sp,
 * points mtvec at the trap entry, clears .bss and continues in C (hal.c: rv32_start). */
    .section .text.start, "ax"
    .globl _start
_start:
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    la sp, __stack_top
    la t0, trap_entry
    csrw mtvec, t0
    la t0, __bss_start
    la t1, __bss_end
1:  bgeu t0, t1, 2f
    sw zero, 0(t0)
    addi t0, t0, 4
    j 1b
2:  call rv32_start
3:  j 3b

/* Any trap (illegal instruction, misaligned or faulting access, ebreak outside semihosting) is
 * fatal: take a fresh stack and report it (hal.c: rv32_trap never returns). */
    .balign 4
trap_entry:
    la sp, __stack_top
    call rv32_trap
4:  j 4b
