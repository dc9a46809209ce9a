#include "uart.h"

#include "memory_map.h"
#include "mmio.h"

static inline uint8_t reg_read(unsigned offset) { return mmio_read8(NVR_UART0_BASE + offset); }
static inline void reg_write(unsigned offset, uint8_t value) { mmio_write8(NVR_UART0_BASE + offset, value); }

void uart_init(void) {
  reg_write(UART_IER, 0);
  reg_write(UART_LCR, 0x03); /* 8N1, DLAB = 0 */
  reg_write(UART_FCR, 0x07); /* FIFO enable, clear receive and transmit FIFOs */
}

void uart_putc(char c) {
  while ((reg_read(UART_LSR) & UART_LSR_THRE) == 0) {
  }
  reg_write(UART_THR, (uint8_t)c);
}

void uart_puts(const char* s) {
  while (*s != '\0') uart_putc(*s++);
}

int uart_try_getc(void) {
  if ((reg_read(UART_LSR) & UART_LSR_DR) == 0) return -1;
  return reg_read(UART_RBR);
}

int uart_getc(void) {
  int c;
  while ((c = uart_try_getc()) < 0) {
  }
  return c;
}

void uart_enable_interrupts(uint8_t bits) { reg_write(UART_IER, reg_read(UART_IER) | bits); }
void uart_disable_interrupts(uint8_t bits) { reg_write(UART_IER, reg_read(UART_IER) & (uint8_t)~bits); }
uint8_t uart_interrupts_enabled(void) { return reg_read(UART_IER); }
uint8_t uart_read_iir(void) { return reg_read(UART_IIR); }
uint8_t uart_read_lsr(void) { return reg_read(UART_LSR); }
