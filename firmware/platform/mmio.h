/* Memory-mapped register access for the drivers. */
#ifndef NVR_FW_MMIO_H
#define NVR_FW_MMIO_H

#include <stdint.h>

static inline uint8_t mmio_read8(uintptr_t addr) { return *(volatile uint8_t*)addr; }
static inline void mmio_write8(uintptr_t addr, uint8_t value) { *(volatile uint8_t*)addr = value; }
static inline uint32_t mmio_read32(uintptr_t addr) { return *(volatile uint32_t*)addr; }
static inline void mmio_write32(uintptr_t addr, uint32_t value) { *(volatile uint32_t*)addr = value; }

#endif /* NVR_FW_MMIO_H */
