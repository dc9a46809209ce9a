/* Driver of the CLINT (SiFive layout): machine timer and software interrupt of hart 0. */
#ifndef NVR_FW_CLINT_H
#define NVR_FW_CLINT_H

#include <stdint.h>

#define CLINT_MSIP 0x0000u     /* hart 0 software interrupt pending (bit 0) */
#define CLINT_MTIMECMP 0x4000u /* hart 0 timer compare, 64 bits (lo, hi) */
#define CLINT_MTIME 0xbff8u    /* timer, 64 bits (lo, hi) */

/* Current mtime (ticks of NVR_CLINT_MTIME_HZ); reads hi, lo, hi and retries when lo wrapped. */
uint64_t clint_mtime(void);

/* Sets mtimecmp without a spurious intermediate match (lo = all ones, hi, lo). The timer
 * interrupt is pending while mtime >= mtimecmp. */
void clint_set_mtimecmp(uint64_t value);
uint64_t clint_mtimecmp(void);
/* mtimecmp = all ones: the timer interrupt never becomes pending. */
void clint_disable_timer(void);

/* Software interrupt of hart 0; clint_msip reads the register back (which also orders the write
 * before whatever follows on the bus). */
void clint_set_msip(void);
void clint_clear_msip(void);
uint32_t clint_msip(void);

#endif /* NVR_FW_CLINT_H */
