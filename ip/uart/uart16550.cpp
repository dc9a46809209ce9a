#include "ip/uart/uart16550.h"

#include <iostream>

namespace nvr::uart {

uart16550::uart16550(const sc_core::sc_module_name& name) : uart16550(name, std::cout) {}

uart16550::uart16550(const sc_core::sc_module_name& name, std::ostream& output)
    : peripheral(name), m_output(&output) {
  const auto normal = [this] { return !dlab(); };
  const auto latch = [this] { return dlab(); };
  rbr.set_active(normal);
  thr.set_active(normal);
  ier.set_active(normal);
  dll.set_active(latch);
  dlm.set_active(latch);
  ier.set_write_mask(0x0f);
  mcr.set_write_mask(0x1f);

  rbr.on_read([this](const core::access_context& context) -> std::uint8_t {
    if (m_rx.empty()) return 0;
    const std::uint8_t byte = m_rx.front();
    if (!context.debug) {
      m_rx.pop_front();
      refill();
      update_irq(context.time);
    }
    return byte;
  });

  thr.on_write([this](std::uint8_t byte, const core::access_context& context) {
    if (context.debug) return;  // a debugger's write does not transmit
    m_trace_tx.pulse(context.time);
    m_trace_tx_data.record(context.time, byte);
    thr.set(byte);
    transmit(byte);
    // Transmission is instant: THR is empty again at once, which raises the THR-empty interrupt
    // again (as on QEMU).
    m_thr_ipending = true;
    update_irq(context.time);
  });

  ier.on_write([this](std::uint8_t value, const core::access_context& context) {
    const std::uint8_t changed = value ^ ier.get();
    ier.set(value);
    // Enabling the THR-empty interrupt while THR is empty (always) makes it pending; disabling
    // it drops it.
    if (changed & ier_thri) m_thr_ipending = (value & ier_thri) != 0;
    update_irq(context.time);
  });

  iir.on_read([this](const core::access_context& context) -> std::uint8_t {
    const std::uint8_t value = interrupt_id();
    // Reading IIR while it reports THR empty acknowledges that interrupt.
    if (!context.debug && (value & 0x0f) == iir_thri) {
      m_thr_ipending = false;
      update_irq(context.time);
    }
    return value;
  });

  fcr.on_write([this](std::uint8_t value, const core::access_context& context) {
    const bool toggled = ((value ^ fcr.get()) & fcr_enable) != 0;
    if (toggled || (value & fcr_clear_rx)) m_rx.clear();
    fcr.set(value & static_cast<std::uint8_t>(~(fcr_clear_rx | fcr_clear_tx)));
    refill();
    update_irq(context.time);
  });

  lsr.on_read([this](const core::access_context&) -> std::uint8_t {
    // THR and the transmitter are always empty: transmission is instant.
    return static_cast<std::uint8_t>(lsr_thre | lsr_temt | (m_rx.empty() ? 0 : lsr_dr));
  });

  msr.on_read([this](const core::access_context&) -> std::uint8_t {
    if (!(mcr.get() & mcr_loop)) return msr.get();
    // Loopback: the modem control outputs appear on the status inputs.
    const std::uint8_t control = mcr.get();
    return static_cast<std::uint8_t>(((control & 0x0c) << 4) | ((control & 0x02) << 3) |
                                     ((control & 0x01) << 5));
  });
}

uart16550::~uart16550() { m_output->flush(); }

void uart16550::set_output(std::ostream& output) {
  m_output->flush();
  m_output = &output;
}

void uart16550::end_of_simulation() { m_output->flush(); }

void uart16550::reset() {
  peripheral::reset();
  m_rx.clear();
  m_input.clear();
  m_thr_ipending = false;
  m_irq_driver.reset();
}

void uart16550::receive(char byte) {
  ++m_bytes_received;
  m_trace_rx.pulse(sc_core::sc_time_stamp());
  m_trace_rx_data.record(sc_core::sc_time_stamp(), static_cast<std::uint8_t>(byte));
  m_input.push_back(static_cast<std::uint8_t>(byte));
  refill();
  update_irq(sc_core::sc_time_stamp());
}

void uart16550::receive(const std::string& text) {
  for (char byte : text) receive(byte);
}

void uart16550::refill() {
  const std::size_t capacity = fifo_enabled() ? fifo_depth : 1;
  while (m_rx.size() < capacity && !m_input.empty()) {
    m_rx.push_back(m_input.front());
    m_input.pop_front();
  }
}

std::uint8_t uart16550::interrupt_id() const {
  const std::uint8_t enabled = ier.get();
  std::uint8_t id = iir_no_int;
  // Standard priority: line status (never: no line errors are modelled), received data, THR
  // empty, modem status (never: the modem inputs do not change).
  if ((enabled & ier_rdi) && !m_rx.empty())
    id = iir_rdi;
  else if ((enabled & ier_thri) && m_thr_ipending)
    id = iir_thri;
  return static_cast<std::uint8_t>(id | (fifo_enabled() ? iir_fifo : 0));
}

void uart16550::update_irq(const sc_core::sc_time& at) {
  m_irq_driver.set((interrupt_id() & iir_no_int) == 0, at);
}

void uart16550::transmit(std::uint8_t byte) {
  ++m_bytes_transmitted;
  if (mcr.get() & mcr_loop) {
    m_input.push_back(byte);
    refill();
    return;
  }
  m_output->put(static_cast<char>(byte));
  if (byte == '\n') m_output->flush();
}

}  // namespace nvr::uart
