/* Trap handling: the assembly entry (trap_entry.S) saves every register into a trap_frame on the
 * stack and calls trap_dispatch(), which calls the handler registered for the exception cause or
 * the interrupt. A handler may change the frame: registers and mepc are restored from it before
 * mret (an exception handler that wants to skip the faulting instruction advances frame->mepc).
 * A trap without a handler prints the cause, mepc and mtval and exits with TRAP_EXIT_UNHANDLED. */
#ifndef NVR_FW_TRAP_H
#define NVR_FW_TRAP_H

#include <stdint.h>

#define TRAP_EXIT_UNHANDLED 100

struct trap_frame {
  uint32_t x[32]; /* x[0] is unused (x0 is zero); x[2] is sp before the trap */
  uint32_t mepc;
  uint32_t mstatus;
  uint32_t mcause;
  uint32_t mtval;
};

typedef void (*trap_handler)(struct trap_frame* frame);

/* Registers the handler of exception cause 0..31 (mcause without the interrupt bit) or of
 * interrupt 0..31 (IRQ_M_SOFT, IRQ_M_TIMER, IRQ_M_EXT); NULL removes it. Returns the old one. */
trap_handler trap_set_exception_handler(unsigned cause, trap_handler handler);
trap_handler trap_set_interrupt_handler(unsigned irq, trap_handler handler);

/* Called by trap_entry.S. */
void trap_dispatch(struct trap_frame* frame);

/* Length in bytes of the instruction at addr (2 for compressed, 4 otherwise). */
static inline uint32_t insn_length(uint32_t addr) {
  return (*(const volatile uint16_t*)addr & 3u) == 3u ? 4u : 2u;
}

#endif /* NVR_FW_TRAP_H */
