/* Driver of UART 0, a 16550 with byte-wide registers (register shift 0). */
#ifndef NVR_FW_UART_H
#define NVR_FW_UART_H

#include <stdint.h>

/* Register offsets. */
#define UART_RBR 0u /* read: receive buffer */
#define UART_THR 0u /* write: transmit holding register */
#define UART_IER 1u /* interrupt enable */
#define UART_IIR 2u /* read: interrupt identification */
#define UART_FCR 2u /* write: FIFO control */
#define UART_LCR 3u /* line control */
#define UART_MCR 4u /* modem control */
#define UART_LSR 5u /* line status */
#define UART_SCR 7u /* scratch */

/* IER bits. */
#define UART_IER_ERBFI 0x01u /* received data available */
#define UART_IER_ETBEI 0x02u /* transmit holding register empty */
#define UART_IER_ELSI 0x04u  /* receiver line status */

/* IIR: bit 0 set = no interrupt pending; bits 3:1 identify the highest-priority source. */
#define UART_IIR_NO_INT 0x01u
#define UART_IIR_ID_MASK 0x0eu
#define UART_IIR_THRE 0x02u
#define UART_IIR_RDA 0x04u
#define UART_IIR_RLS 0x06u
#define UART_IIR_TIMEOUT 0x0cu

/* LSR bits. */
#define UART_LSR_DR 0x01u   /* data ready */
#define UART_LSR_THRE 0x20u /* transmit holding register empty */
#define UART_LSR_TEMT 0x40u /* transmitter empty */

/* 8 data bits, no parity, 1 stop bit, FIFOs enabled and cleared, interrupts off. The baud rate
 * divisor is left alone (it means nothing to a simulator). */
void uart_init(void);

/* Waits until the transmit holding register is empty, then writes c. */
void uart_putc(char c);
void uart_puts(const char* s);

/* Blocking read of one byte; uart_try_getc returns -1 when nothing was received. */
int uart_getc(void);
int uart_try_getc(void);

/* Interrupt enable bits (UART_IER_*): set, clear, read. */
void uart_enable_interrupts(uint8_t bits);
void uart_disable_interrupts(uint8_t bits);
uint8_t uart_interrupts_enabled(void);

/* Reads IIR (reading it acknowledges a THRE interrupt). */
uint8_t uart_read_iir(void);
uint8_t uart_read_lsr(void);

#endif /* NVR_FW_UART_H */
