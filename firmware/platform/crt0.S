/* Reset entry of every firmware program (replaces picolibc's crt0, which never calls exit()).
 *
 * The ELF is loaded into DRAM where it runs (VMA == LMA), so .data needs no copy; .tbss and .bss
 * are cleared here because a loader is not required to clear them. Interrupts stay disabled
 * (mstatus.MIE = 0, mie = 0) until the program enables them. */
    .section .text.init.enter, "ax", @progbits
    .globl _start
    .type _start, @function
_start:
    /* gp must be set without relaxation (the assembler would otherwise address
     * __global_pointer$ relative to gp itself). */
    .option push
    .option norelax
    la gp, __global_pointer$
    .option pop
    la sp, __stack
    la tp, __tls_base         /* TLS block of the single hart: picolibc's errno lives there */

    csrci mstatus, 0x8        /* mstatus.MIE = 0 */
    csrw mie, zero
    la t0, trap_entry         /* direct mode: trap_entry is 4-byte aligned */
    csrw mtvec, t0

    /* Clear .tbss (byte loop: it may be small and unaligned). */
    la t0, __tbss_start
    la t1, __tbss_end
1:  bgeu t0, t1, 2f
    sb zero, 0(t0)
    addi t0, t0, 1
    j 1b
2:
    /* Clear .sbss and .bss (8-byte aligned start, 16-byte aligned end). */
    la t0, __bss_start
    la t1, __bss_end
3:  bgeu t0, t1, 4f
    sw zero, 0(t0)
    addi t0, t0, 4
    j 3b
4:
    /* Constructors: .preinit_array, then .init_array (the console is set up there). */
    la s0, __preinit_array_start
    la s1, __preinit_array_end
    call run_array
    la s0, __init_array_start
    la s1, __init_array_end
    call run_array

    li a0, 0                  /* argc */
    li a1, 0                  /* argv */
    call main
    tail exit                 /* exit(main's return value): atexit handlers, then _exit */
    .size _start, . - _start

/* Calls every function pointer in [s0, s1). */
    .type run_array, @function
run_array:
    mv s2, ra
5:  bgeu s0, s1, 6f
    lw t0, 0(s0)
    jalr t0
    addi s0, s0, 4
    j 5b
6:  mv ra, s2
    ret
    .size run_array, . - run_array
