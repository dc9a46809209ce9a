#include "npu.h"

#include "csr.h"
#include "memory_map.h"
#include "mmio.h"
#include "plic.h"
#include "trap.h"

uint32_t npu_read(uint32_t offset) { return mmio_read32(NVR_NPU_BASE + offset); }
void npu_write(uint32_t offset, uint32_t value) { mmio_write32(NVR_NPU_BASE + offset, value); }

/* CTRL.nvr_enable as the driver keeps it across resets: on unless firmware turns it off. */
static bool nvr_enabled = true;

static uint32_t nvr_bit(void) { return nvr_enabled ? NPU_CTRL_NVR_ENABLE : 0; }

bool npu_init(struct npu_ring* ring, uint32_t* slots, uint32_t size) {
  if (npu_read(NPU_REG_ID) != NPU_ID_VALUE || npu_read(NPU_REG_VERSION) != NPU_VERSION_VALUE) return false;
  if (size < NPU_RING_SIZE_MIN || size > NPU_RING_SIZE_MAX || (size & (size - 1)) != 0) return false;
  if (((uintptr_t)slots & 31u) != 0) return false;
  ring->slots = slots;
  ring->size = size;
  npu_write(NPU_REG_CTRL, NPU_CTRL_RESET);
  npu_write(NPU_REG_RING_BASE, (uint32_t)(uintptr_t)slots);
  npu_write(NPU_REG_RING_SIZE, size);
  npu_reset(ring);
  return npu_read(NPU_REG_RING_SIZE) == size;
}

void npu_reset(struct npu_ring* ring) {
  npu_write(NPU_REG_CTRL, NPU_CTRL_RESET | NPU_CTRL_ENABLE | nvr_bit());
  ring->tail = 0;
  ring->pending = 0;
}

void npu_set_nvr(bool on) {
  nvr_enabled = on;
  npu_write(NPU_REG_CTRL, (npu_read(NPU_REG_CTRL) & NPU_CTRL_ENABLE) | nvr_bit());
}

uint32_t* npu_slot(struct npu_ring* ring) {
  /* Full when every slot holds an instruction the NPU has not fetched yet. */
  if (ring->tail - npu_read(NPU_REG_RING_HEAD) >= ring->size) {
    npu_submit(ring);
    while (ring->tail - npu_read(NPU_REG_RING_HEAD) >= ring->size) {
      if (npu_read(NPU_REG_STATUS) & NPU_STATUS_ERROR) break; /* halted: the caller sees it in npu_wait */
    }
  }
  uint32_t* slot = ring->slots + (ring->tail & (ring->size - 1)) * NPU_INSN_WORDS;
  ring->tail++;
  ring->pending++;
  return slot;
}

void npu_submit(struct npu_ring* ring) {
  if (ring->pending == 0) return;
  /* The slots reach memory before the doorbell. */
  __asm__ volatile("fence w, o" ::: "memory");
  npu_write(NPU_REG_RING_TAIL, ring->tail);
  ring->pending = 0;
}

bool npu_busy(void) { return (npu_read(NPU_REG_STATUS) & NPU_STATUS_BUSY) != 0; }

uint32_t npu_wait(struct npu_ring* ring) {
  npu_submit(ring);
  while (npu_busy()) {
  }
  return npu_read(NPU_REG_ERROR);
}

struct npu_fault npu_fault(void) {
  struct npu_fault f;
  f.code = npu_read(NPU_REG_ERROR);
  f.index = npu_read(NPU_REG_FAULT_INDEX);
  f.info = npu_read(NPU_REG_FAULT_INFO);
  return f;
}

const char* npu_error_name(uint32_t code) {
  static const char* const names[] = {"none",         "illegal_opcode", "illegal_field",
                                      "local_range",  "dram_range",     "misaligned",
                                      "index_bounds", "ring_overflow",  "bus_error"};
  return code < sizeof names / sizeof names[0] ? names[code] : "unknown";
}

static volatile uint32_t g_done_count;
static volatile uint32_t g_last_tag;
static volatile uint32_t g_error;

static void on_external(struct trap_frame* frame) {
  (void)frame;
  const uint32_t source = plic_claim();
  if (source == NVR_IRQ_NPU) {
    const uint32_t status = npu_read(NPU_REG_IRQ_STATUS);
    if (status & NPU_IRQ_DONE) {
      g_last_tag = npu_read(NPU_REG_IRQ_TAG);
      g_done_count++;
    }
    if (status & NPU_IRQ_ERROR) g_error = npu_read(NPU_REG_ERROR);
    npu_write(NPU_REG_IRQ_STATUS, status); /* W1C */
    (void)npu_read(NPU_REG_IRQ_STATUS);    /* the line has dropped before complete */
  }
  if (source != 0) plic_complete(source);
}

void npu_use_interrupts(void) {
  trap_set_interrupt_handler(IRQ_M_EXT, on_external);
  plic_set_priority(NVR_IRQ_NPU, 1);
  plic_set_threshold(0);
  plic_enable(NVR_IRQ_NPU);
  npu_write(NPU_REG_IRQ_ENABLE, NPU_IRQ_DONE | NPU_IRQ_ERROR);
  csr_set(mie, MIP_MEIP); /* mie and mip share their bit positions */
}

uint32_t npu_wait_irq(struct npu_ring* ring, uint32_t tag) {
  npu_submit(ring);
  for (;;) {
    irq_disable();
    const bool finished = g_error != 0 || (g_done_count != 0 && g_last_tag == tag);
    if (finished) break;
    wfi();
    irq_enable();
    __asm__ volatile("nop");
  }
  irq_enable();
  return g_error;
}

uint32_t npu_irq_count(void) { return g_done_count; }
