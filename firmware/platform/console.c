/* stdin, stdout and stderr of picolibc's tiny stdio: one unbuffered stream on UART 0, so printf
 * writes each byte to the UART as it is produced (no flush needed before exit). Bytes are sent as
 * they are: no '\n' -> "\r\n" translation, so the UART output equals the program's output. */
#include <stdio.h>

#include "uart.h"

static int console_put(char c, FILE* file) {
  (void)file;
  uart_putc(c);
  return (unsigned char)c;
}

static int console_get(FILE* file) {
  (void)file;
  return uart_getc();
}

static FILE console = FDEV_SETUP_STREAM(console_put, console_get, NULL, _FDEV_SETUP_RW);

FILE* const stdin = &console;
FILE* const stdout = &console;
FILE* const stderr = &console;

/* Runs from crt0 through .init_array, before main. */
__attribute__((constructor)) static void console_init(void) { uart_init(); }
