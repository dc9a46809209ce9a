#include "clint.h"

#include "memory_map.h"
#include "mmio.h"

uint64_t clint_mtime(void) {
  uint32_t hi, lo;
  do {
    hi = mmio_read32(NVR_CLINT_BASE + CLINT_MTIME + 4);
    lo = mmio_read32(NVR_CLINT_BASE + CLINT_MTIME);
  } while (hi != mmio_read32(NVR_CLINT_BASE + CLINT_MTIME + 4));
  return ((uint64_t)hi << 32) | lo;
}

void clint_set_mtimecmp(uint64_t value) {
  mmio_write32(NVR_CLINT_BASE + CLINT_MTIMECMP, 0xffffffffu);
  mmio_write32(NVR_CLINT_BASE + CLINT_MTIMECMP + 4, (uint32_t)(value >> 32));
  mmio_write32(NVR_CLINT_BASE + CLINT_MTIMECMP, (uint32_t)value);
}

uint64_t clint_mtimecmp(void) {
  uint32_t lo = mmio_read32(NVR_CLINT_BASE + CLINT_MTIMECMP);
  uint32_t hi = mmio_read32(NVR_CLINT_BASE + CLINT_MTIMECMP + 4);
  return ((uint64_t)hi << 32) | lo;
}

void clint_disable_timer(void) {
  mmio_write32(NVR_CLINT_BASE + CLINT_MTIMECMP + 4, 0xffffffffu);
  mmio_write32(NVR_CLINT_BASE + CLINT_MTIMECMP, 0xffffffffu);
}

void clint_set_msip(void) { mmio_write32(NVR_CLINT_BASE + CLINT_MSIP, 1); }
void clint_clear_msip(void) { mmio_write32(NVR_CLINT_BASE + CLINT_MSIP, 0); }
uint32_t clint_msip(void) { return mmio_read32(NVR_CLINT_BASE + CLINT_MSIP) & 1u; }
