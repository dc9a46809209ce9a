#include "trap.h"

#include <stdio.h>
#include <stdlib.h>

#include "csr.h"

#define TRAP_NUM_CAUSES 32u

static trap_handler exception_handlers[TRAP_NUM_CAUSES];
static trap_handler interrupt_handlers[TRAP_NUM_CAUSES];

trap_handler trap_set_exception_handler(unsigned cause, trap_handler handler) {
  if (cause >= TRAP_NUM_CAUSES) return NULL;
  trap_handler old = exception_handlers[cause];
  exception_handlers[cause] = handler;
  return old;
}

trap_handler trap_set_interrupt_handler(unsigned irq, trap_handler handler) {
  if (irq >= TRAP_NUM_CAUSES) return NULL;
  trap_handler old = interrupt_handlers[irq];
  interrupt_handlers[irq] = handler;
  return old;
}

void trap_dispatch(struct trap_frame* frame) {
  uint32_t code = frame->mcause & ~MCAUSE_INTERRUPT;
  trap_handler* table = (frame->mcause & MCAUSE_INTERRUPT) ? interrupt_handlers : exception_handlers;
  if (code < TRAP_NUM_CAUSES && table[code] != NULL) {
    table[code](frame);
    return;
  }
  printf("unhandled trap: mcause=0x%08lx mepc=0x%08lx mtval=0x%08lx\n", (unsigned long)frame->mcause,
         (unsigned long)frame->mepc, (unsigned long)frame->mtval);
  exit(TRAP_EXIT_UNHANDLED);
}
