/* Driver of the SiFive test device: ends the simulation (QEMU or nvr-vp) with an exit code. */
#ifndef NVR_FW_TESTDEV_H
#define NVR_FW_TESTDEV_H

#include <stdint.h>

#define TESTDEV_PASS 0x5555u /* exit code 0 */
#define TESTDEV_FAIL 0x3333u /* exit code in bits 31:16 */

/* Exit with code 0. */
__attribute__((noreturn)) void testdev_pass(void);
/* Exit with code (1..0xffff; the host process sees code & 0xff). */
__attribute__((noreturn)) void testdev_fail(uint16_t code);
/* Exit with code: testdev_pass() for 0, otherwise testdev_fail(code & 0xff), or 0xff when those
 * bits are 0, so that a failure never looks like success to the host (exit(256) exits with 255). */
__attribute__((noreturn)) void testdev_exit(int code);

#endif /* NVR_FW_TESTDEV_H */
