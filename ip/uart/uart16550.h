// A 16550 UART with byte-wide registers at offsets 0..7 (register shift 0, as on QEMU virt).
#pragma once

#include <cstdint>
#include <deque>
#include <iosfwd>
#include <string>
#include <systemc>

#include "core/line_driver.h"
#include "core/peripheral.h"
#include "core/stats.h"
#include "core/trace/vcd.h"

namespace nvr::uart {

class uart16550 : public core::peripheral {
 public:
  // Register bits (as in the 16550 data sheet).
  static constexpr std::uint8_t ier_rdi = 0x01, ier_thri = 0x02, ier_rlsi = 0x04, ier_msi = 0x08;
  static constexpr std::uint8_t iir_no_int = 0x01, iir_thri = 0x02, iir_rdi = 0x04, iir_fifo = 0xc0;
  static constexpr std::uint8_t fcr_enable = 0x01, fcr_clear_rx = 0x02, fcr_clear_tx = 0x04;
  static constexpr std::uint8_t lcr_dlab = 0x80;
  static constexpr std::uint8_t mcr_loop = 0x10;
  static constexpr std::uint8_t lsr_dr = 0x01, lsr_thre = 0x20, lsr_temt = 0x40;
  static constexpr std::size_t fifo_depth = 16;

  sc_core::sc_out<bool> irq{"irq"};

  core::reg<std::uint8_t> rbr{*this, "rbr", 0, 0, core::access_policy::read_only};   // DLAB = 0
  core::reg<std::uint8_t> thr{*this, "thr", 0, 0, core::access_policy::write_only};  // DLAB = 0
  core::reg<std::uint8_t> dll{*this, "dll", 0, 0x0c};                                // DLAB = 1
  core::reg<std::uint8_t> ier{*this, "ier", 1, 0};                                   // DLAB = 0
  core::reg<std::uint8_t> dlm{*this, "dlm", 1, 0};                                   // DLAB = 1
  core::reg<std::uint8_t> iir{*this, "iir", 2, iir_no_int, core::access_policy::read_only};
  core::reg<std::uint8_t> fcr{*this, "fcr", 2, 0, core::access_policy::write_only};
  core::reg<std::uint8_t> lcr{*this, "lcr", 3, 0};
  core::reg<std::uint8_t> mcr{*this, "mcr", 4, 0};
  core::reg<std::uint8_t> lsr{*this, "lsr", 5, lsr_thre | lsr_temt, core::access_policy::read_only};
  core::reg<std::uint8_t> msr{*this, "msr", 6, 0xb0, core::access_policy::read_only};  // DCD, DSR, CTS
  core::reg<std::uint8_t> scr{*this, "scr", 7, 0};

  // Transmitted bytes go to `output` (std::cout by default); it is flushed at every newline and
  // when the UART is destroyed or the simulation ends. The stream must outlive the UART.
  uart16550(const sc_core::sc_module_name& name, std::ostream& output);
  explicit uart16550(const sc_core::sc_module_name& name);
  ~uart16550() override;

  void set_output(std::ostream& output);

  // Input from the outside world (a terminal, a test). Bytes wait in an unbounded input queue and
  // enter the receive FIFO (16 bytes, or the 1-byte holding register with FIFOs off) as it has
  // room, so nothing is ever lost. Call from elaboration or from a SystemC process; the interrupt
  // line follows at the current simulated time.
  void receive(char byte);
  void receive(const std::string& text);
  // Bytes received and not yet read by the firmware (FIFO and input queue).
  std::size_t rx_pending() const { return m_rx.size() + m_input.size(); }

  void reset() override;

 private:
  bool dlab() const { return (lcr.get() & lcr_dlab) != 0; }
  bool fifo_enabled() const { return (fcr.get() & fcr_enable) != 0; }
  std::uint8_t interrupt_id() const;  // IIR, without side effects
  void refill();
  void update_irq(const sc_core::sc_time& at);
  void transmit(std::uint8_t byte);
  void end_of_simulation() override;

  std::ostream* m_output;
  std::deque<std::uint8_t> m_rx;     // receive FIFO (or holding register)
  std::deque<std::uint8_t> m_input;  // bytes waiting for room in the FIFO
  bool m_thr_ipending = false;       // THR-empty interrupt pending (cleared by IIR read / THR write)
  core::line_driver m_irq_driver{"irq_driver", irq};
  stats::counter m_bytes_transmitted{*this, "bytes_transmitted", "bytes written to THR"};
  stats::counter m_bytes_received{*this, "bytes_received", "bytes received from the input side"};
  // VCD signals (group "uart"): a pulse and the byte, at the writer's local time / reception.
  trace::signal m_trace_tx{*this, "tx", 1, "uart"};
  trace::signal m_trace_tx_data{*this, "tx_data", 8, "uart", trace::format::hex};
  trace::signal m_trace_rx{*this, "rx", 1, "uart"};
  trace::signal m_trace_rx_data{*this, "rx_data", 8, "uart", trace::format::hex};
};

}  // namespace nvr::uart
