/* Driver of the NPU (ip/npu/ISA.md): command ring management, doorbell, completion by polling or
 * by interrupt (PLIC source NVR_IRQ_NPU), error reporting. Instructions are encoded straight into
 * ring slots with the encoders of npu_isa.h:
 *
 *   static uint32_t ring[64 * NPU_INSN_WORDS] __attribute__((aligned(32)));
 *   struct npu_ring r;
 *   npu_init(&r, ring, 64);
 *   npu_mvin(npu_slot(&r), ...); npu_matmul(npu_slot(&r), ...); npu_irq(npu_slot(&r), 1);
 *   npu_submit(&r);
 *   npu_wait(&r);            // polling; or npu_wait_irq(&r, 1) after npu_use_interrupts()
 */
#ifndef NVR_FW_NPU_H
#define NVR_FW_NPU_H

#include <stdbool.h>
#include <stdint.h>

#include "npu_isa.h"

struct npu_ring {
  uint32_t* slots;  /* size * 8 words, 32-byte aligned, in DRAM */
  uint32_t size;    /* entries, a power of two */
  uint32_t tail;    /* sequence number after the last written slot (free-running) */
  uint32_t pending; /* written but not yet submitted */
};

/* What went wrong (ERROR, FAULT_INDEX, FAULT_INFO); code NPU_ERR_NONE when nothing did. */
struct npu_fault {
  uint32_t code;
  uint32_t index;
  uint32_t info;
};

uint32_t npu_read(uint32_t offset);
void npu_write(uint32_t offset, uint32_t value);

/* Resets the NPU, checks ID and VERSION, programs the ring and enables fetching. false when no
 * NPU answers or the ring is unusable (size not a power of two in 2..65536, slots unaligned). */
bool npu_init(struct npu_ring* ring, uint32_t* slots, uint32_t size);
/* CTRL.reset (clears an error; the ring starts again at sequence 0) and enable. */
void npu_reset(struct npu_ring* ring);
/* CTRL.nvr_enable: the runahead prefetcher beside the NPU (nvr-vp --prefetcher nvr or dvr) on or
 * off from now on, kept across npu_reset. On after npu_init. Without one it changes nothing. */
void npu_set_nvr(bool on);

/* The next free slot to encode an instruction into; waits (polling RING_HEAD) while the ring is
 * full, submitting what is pending first. */
uint32_t* npu_slot(struct npu_ring* ring);
/* Rings the doorbell for every slot written since the last submit. */
void npu_submit(struct npu_ring* ring);

bool npu_busy(void);
/* Polls until the NPU is idle; returns the error code (NPU_ERR_NONE on success). */
uint32_t npu_wait(struct npu_ring* ring);
struct npu_fault npu_fault(void);
const char* npu_error_name(uint32_t code);

/* Interrupt-driven completion: registers the PLIC handler for NVR_IRQ_NPU and enables the
 * machine external interrupt. npu_wait_irq sleeps (wfi) until an `irq` instruction with `tag`
 * completed or an error was reported; returns the error code. */
void npu_use_interrupts(void);
uint32_t npu_wait_irq(struct npu_ring* ring, uint32_t tag);
/* Interrupts seen by the handler: done events and the last tag. */
uint32_t npu_irq_count(void);

#endif /* NVR_FW_NPU_H */
