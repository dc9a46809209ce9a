/* Machine-mode CSR access and the bits the firmware uses (RISC-V privileged spec). */
#ifndef NVR_FW_CSR_H
#define NVR_FW_CSR_H

#include <stdint.h>

#define CSR_STR_(x) #x
#define CSR_STR(x) CSR_STR_(x)

/* csr_read(mstatus), csr_write(mscratch, v), csr_set(mie, bits), csr_clear(mie, bits),
 * csr_swap(mscratch, v) (returns the old value). */
#define csr_read(csr)                                              \
  ({                                                               \
    uint32_t csr_value_;                                           \
    __asm__ volatile("csrr %0, " CSR_STR(csr) : "=r"(csr_value_)); \
    csr_value_;                                                    \
  })
/* Writes are compiler barriers ("memory"): enabling an interrupt is not moved across the memory
 * accesses around it. */
#define csr_write(csr, value) \
  __asm__ volatile("csrw " CSR_STR(csr) ", %0" ::"rK"((uint32_t)(value)) : "memory")
#define csr_set(csr, bits) __asm__ volatile("csrs " CSR_STR(csr) ", %0" ::"rK"((uint32_t)(bits)) : "memory")
#define csr_clear(csr, bits) __asm__ volatile("csrc " CSR_STR(csr) ", %0" ::"rK"((uint32_t)(bits)) : "memory")
#define csr_swap(csr, value)                          \
  ({                                                  \
    uint32_t csr_old_;                                \
    __asm__ volatile("csrrw %0, " CSR_STR(csr) ", %1" \
                     : "=r"(csr_old_)                 \
                     : "rK"((uint32_t)(value))        \
                     : "memory");                     \
    csr_old_;                                         \
  })

/* mstatus */
#define MSTATUS_MIE (1u << 3)
#define MSTATUS_MPIE (1u << 7)
#define MSTATUS_MPP (3u << 11)

/* mie / mip: machine software, timer and external interrupts. */
#define MIP_MSIP (1u << 3)
#define MIP_MTIP (1u << 7)
#define MIP_MEIP (1u << 11)

/* mcause: interrupt flag and the interrupt codes. */
#define MCAUSE_INTERRUPT 0x80000000u
#define IRQ_M_SOFT 3u
#define IRQ_M_TIMER 7u
#define IRQ_M_EXT 11u

/* mcause exception codes. */
#define CAUSE_MISALIGNED_FETCH 0u
#define CAUSE_FETCH_ACCESS 1u
#define CAUSE_ILLEGAL_INSTRUCTION 2u
#define CAUSE_BREAKPOINT 3u
#define CAUSE_MISALIGNED_LOAD 4u
#define CAUSE_LOAD_ACCESS 5u
#define CAUSE_MISALIGNED_STORE 6u
#define CAUSE_STORE_ACCESS 7u
#define CAUSE_USER_ECALL 8u
#define CAUSE_SUPERVISOR_ECALL 9u
#define CAUSE_MACHINE_ECALL 11u

/* Global interrupt enable (mstatus.MIE). irq_disable returns whether it was enabled. */
static inline void irq_enable(void) { csr_set(mstatus, MSTATUS_MIE); }
static inline int irq_disable(void) {
  uint32_t old;
  __asm__ volatile("csrrci %0, mstatus, %1" : "=r"(old) : "i"(MSTATUS_MIE) : "memory");
  return (old & MSTATUS_MIE) != 0;
}

static inline void wfi(void) { __asm__ volatile("wfi" ::: "memory"); }

#endif /* NVR_FW_CSR_H */
