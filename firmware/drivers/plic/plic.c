#include "plic.h"

#include "memory_map.h"
#include "mmio.h"

static inline uintptr_t enable_word(unsigned source) {
  return NVR_PLIC_BASE + PLIC_ENABLE + 0x80u * PLIC_CONTEXT + 4u * (source / 32u);
}

void plic_set_priority(unsigned source, uint32_t priority) {
  mmio_write32(NVR_PLIC_BASE + PLIC_PRIORITY + 4u * source, priority);
}

uint32_t plic_priority(unsigned source) { return mmio_read32(NVR_PLIC_BASE + PLIC_PRIORITY + 4u * source); }

void plic_enable(unsigned source) {
  mmio_write32(enable_word(source), mmio_read32(enable_word(source)) | (1u << (source % 32u)));
}

void plic_disable(unsigned source) {
  mmio_write32(enable_word(source), mmio_read32(enable_word(source)) & ~(1u << (source % 32u)));
}

void plic_set_threshold(uint32_t threshold) {
  mmio_write32(NVR_PLIC_BASE + PLIC_THRESHOLD + 0x1000u * PLIC_CONTEXT, threshold);
}

bool plic_pending(unsigned source) {
  return (mmio_read32(NVR_PLIC_BASE + PLIC_PENDING + 4u * (source / 32u)) >> (source % 32u)) & 1u;
}

uint32_t plic_claim(void) { return mmio_read32(NVR_PLIC_BASE + PLIC_CLAIM + 0x1000u * PLIC_CONTEXT); }

void plic_complete(uint32_t source) {
  mmio_write32(NVR_PLIC_BASE + PLIC_CLAIM + 0x1000u * PLIC_CONTEXT, source);
}
