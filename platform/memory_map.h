/* The SoC memory map and interrupt numbers, shared by the platform (C++) and the firmware (C).
 * Base peripherals sit where QEMU's `virt` machine has them, so the same firmware ELF runs on
 * `qemu-system-riscv32 -M virt -bios none`, the independent reference for differential tests. */
#ifndef NVR_VP_MEMORY_MAP_H
#define NVR_VP_MEMORY_MAP_H

/* SiFive test/exit device: write 0x5555 = pass, (code << 16) | 0x3333 = fail with code. */
#define NVR_TESTDEV_BASE 0x00100000u
#define NVR_TESTDEV_SIZE 0x00001000u

/* CLINT: msip at +0x0, mtimecmp at +0x4000, mtime at +0xbff8 (SiFive layout). */
#define NVR_CLINT_BASE 0x02000000u
#define NVR_CLINT_SIZE 0x00010000u
#define NVR_CLINT_MTIME_HZ 10000000u /* 10 MHz, as QEMU virt */

/* PLIC (SiFive layout); context 0 is hart 0 machine mode. */
#define NVR_PLIC_BASE 0x0c000000u
#define NVR_PLIC_SIZE 0x00400000u
#define NVR_PLIC_NUM_SOURCES 32u

/* UART 16550, byte-wide registers (register shift 0). */
#define NVR_UART0_BASE 0x10000000u
#define NVR_UART0_SIZE 0x00000100u

/* NPU control and status registers. */
#define NVR_NPU_BASE 0x40000000u
#define NVR_NPU_SIZE 0x00010000u

/* DRAM: 256 MiB by default (the platform's --dram-size may change it; firmware uses only
 * the first 128 MiB, QEMU virt's default, so the same ELF runs on both). */
#define NVR_DRAM_BASE 0x80000000u
#define NVR_DRAM_SIZE 0x10000000u

/* PLIC interrupt source numbers. */
#define NVR_IRQ_UART0 10u /* as QEMU virt */
#define NVR_IRQ_NPU 16u

#endif /* NVR_VP_MEMORY_MAP_H */
