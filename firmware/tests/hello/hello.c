/* hello: the smallest end-to-end check of the runtime: crt0, constructors, .data/.bss, TLS
 * (errno), malloc, printf through the UART, exit 0 through the test device. */
#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static int initialised_data = 42;
static int zeroed_bss;
static int constructor_ran;
_Thread_local int tls_initialised = 7; /* external: kept in .tdata */
_Thread_local int tls_zeroed;          /* external: kept in .tbss */

__attribute__((constructor)) static void mark_constructor(void) { constructor_ran = 1; }

int main(void) {
  printf("Hello from nvr-vp firmware (RV32IMAC, machine mode)\n");
  printf("int: %d %i %d\n", 0, -12345, 2147483647);
  printf("unsigned: %u 0x%x 0x%08X %o\n", 4000000000u, 0xcafeu, 0xbeefu, 8u);
  printf("64-bit: %" PRId64 " 0x%016" PRIx64 "\n", (int64_t)-1234567890123LL, UINT64_C(0x0123456789abcdef));
  printf("char/string: '%c' \"%s\" [%8s] [%-8s]\n", 'x', "text", "right", "left");
  printf("width/precision: [%5d] [%-5d] [%05d] [%.3s] [%+d]\n", 42, 42, 42, "abcdef", 7);
  printf("pointer: %p\n", (void*)(uintptr_t)0x80001000u);
  printf("percent: 100%%\n");

  char buffer[32];
  int n = snprintf(buffer, sizeof buffer, "%s-%d", "snprintf", 99);
  printf("snprintf: \"%s\" (%d chars)\n", buffer, n);

  char* heap = malloc(64);
  strcpy(heap, "malloc works");
  printf("heap: %s\n", heap);
  free(heap);

  errno = 0;
  long parsed = strtol("99999999999999999999", NULL, 10);
  printf("errno (TLS): %s, strtol clamps to %ld\n", errno == ERANGE ? "ERANGE" : "wrong", parsed);

  printf(".data=%d .bss=%d constructor=%d .tdata=%d .tbss=%d\n", initialised_data, zeroed_bss,
         constructor_ran, tls_initialised, tls_zeroed);
  printf("Goodbye\n");
  return 0;
}
