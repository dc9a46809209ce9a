/* Driver of the PLIC (SiFive layout), context 0 = hart 0 machine mode. Source 0 does not exist;
 * sources are 1 .. NVR_PLIC_NUM_SOURCES - 1. */
#ifndef NVR_FW_PLIC_H
#define NVR_FW_PLIC_H

#include <stdbool.h>
#include <stdint.h>

#define PLIC_PRIORITY 0x000000u  /* + 4 * source */
#define PLIC_PENDING 0x001000u   /* + 4 * (source / 32), bit source % 32 */
#define PLIC_ENABLE 0x002000u    /* + 0x80 * context + 4 * (source / 32) */
#define PLIC_THRESHOLD 0x200000u /* + 0x1000 * context */
#define PLIC_CLAIM 0x200004u     /* + 0x1000 * context: read = claim, write = complete */
#define PLIC_CONTEXT 0u          /* hart 0, machine mode */

/* Priority 0 disables a source; an interrupt is delivered when priority > threshold. */
void plic_set_priority(unsigned source, uint32_t priority);
uint32_t plic_priority(unsigned source);
void plic_enable(unsigned source);
void plic_disable(unsigned source);
void plic_set_threshold(uint32_t threshold);
bool plic_pending(unsigned source);

/* Claim returns the highest-priority pending enabled source (0: none) and clears its pending
 * bit; complete tells the gateway that the source may interrupt again. */
uint32_t plic_claim(void);
void plic_complete(uint32_t source);

#endif /* NVR_FW_PLIC_H */
