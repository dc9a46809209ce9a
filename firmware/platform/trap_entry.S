/* Trap entry (mtvec, direct mode): saves every register and mepc, mstatus, mcause, mtval into a
 * struct trap_frame (trap.h) on the current stack, calls trap_dispatch(frame), restores mepc,
 * mstatus and the registers from the frame (a handler may have changed them) and returns with
 * mret. Traps do not nest: the hardware clears mstatus.MIE on entry. */
#define FRAME_SIZE (36 * 4) /* 32 registers + mepc, mstatus, mcause, mtval; a multiple of 16 */
#define MEPC (32 * 4)
#define MSTATUS (33 * 4)
#define MCAUSE (34 * 4)
#define MTVAL (35 * 4)

    .section .text.trap_entry, "ax", @progbits
    .globl trap_entry
    .type trap_entry, @function
    .balign 4
trap_entry:
    addi sp, sp, -FRAME_SIZE
    sw x1, 1*4(sp)
    sw x3, 3*4(sp)
    sw x4, 4*4(sp)
    sw x5, 5*4(sp)
    sw x6, 6*4(sp)
    sw x7, 7*4(sp)
    sw x8, 8*4(sp)
    sw x9, 9*4(sp)
    sw x10, 10*4(sp)
    sw x11, 11*4(sp)
    sw x12, 12*4(sp)
    sw x13, 13*4(sp)
    sw x14, 14*4(sp)
    sw x15, 15*4(sp)
    sw x16, 16*4(sp)
    sw x17, 17*4(sp)
    sw x18, 18*4(sp)
    sw x19, 19*4(sp)
    sw x20, 20*4(sp)
    sw x21, 21*4(sp)
    sw x22, 22*4(sp)
    sw x23, 23*4(sp)
    sw x24, 24*4(sp)
    sw x25, 25*4(sp)
    sw x26, 26*4(sp)
    sw x27, 27*4(sp)
    sw x28, 28*4(sp)
    sw x29, 29*4(sp)
    sw x30, 30*4(sp)
    sw x31, 31*4(sp)
    addi t0, sp, FRAME_SIZE   /* sp as it was before the trap */
    sw t0, 2*4(sp)
    csrr t0, mepc
    sw t0, MEPC(sp)
    csrr t0, mstatus
    sw t0, MSTATUS(sp)
    csrr t0, mcause
    sw t0, MCAUSE(sp)
    csrr t0, mtval
    sw t0, MTVAL(sp)

    mv a0, sp
    call trap_dispatch

    lw t0, MEPC(sp)
    csrw mepc, t0
    lw t0, MSTATUS(sp)
    csrw mstatus, t0
    lw x1, 1*4(sp)
    lw x3, 3*4(sp)
    lw x4, 4*4(sp)
    lw x5, 5*4(sp)
    lw x6, 6*4(sp)
    lw x7, 7*4(sp)
    lw x8, 8*4(sp)
    lw x9, 9*4(sp)
    lw x10, 10*4(sp)
    lw x11, 11*4(sp)
    lw x12, 12*4(sp)
    lw x13, 13*4(sp)
    lw x14, 14*4(sp)
    lw x15, 15*4(sp)
    lw x16, 16*4(sp)
    lw x17, 17*4(sp)
    lw x18, 18*4(sp)
    lw x19, 19*4(sp)
    lw x20, 20*4(sp)
    lw x21, 21*4(sp)
    lw x22, 22*4(sp)
    lw x23, 23*4(sp)
    lw x24, 24*4(sp)
    lw x25, 25*4(sp)
    lw x26, 26*4(sp)
    lw x27, 27*4(sp)
    lw x28, 28*4(sp)
    lw x29, 29*4(sp)
    lw x30, 30*4(sp)
    lw x31, 31*4(sp)
    lw sp, 2*4(sp)            /* last: the load still uses the frame's base */
    mret
    .size trap_entry, . - trap_entry
