// The base of every memory-mapped peripheral: a target socket `in` that dispatches bus accesses to
// the peripheral's registers (core/reg.h) by offset, and turns every bad access into a TLM error
// response (never an assert):
//   no active register at the address                          -> TLM_ADDRESS_ERROR_RESPONSE
//   byte enables                                               -> TLM_BYTE_ENABLE_ERROR_RESPONSE
//   size not 1/2/4/8, misaligned, streaming, zero length, wider
//   than the register, spanning two registers, or narrower
//   than the register's minimum access size                    -> TLM_BURST_ERROR_RESPONSE
//   write to a read-only / read of a write-only register       -> TLM_COMMAND_ERROR_RESPONSE
// b_transport adds the access latency to the delay (also on errors). transport_dbg performs the
// same dispatch with access_context::debug set (reads without side effects) and returns the
// number of bytes transferred (0 on any error).
#pragma once

#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "core/reg.h"

namespace nvr::core {

class peripheral : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<peripheral, 32> in;

  explicit peripheral(const sc_core::sc_module_name& name,
                      const sc_core::sc_time& latency = sc_core::SC_ZERO_TIME);
  ~peripheral() override;

  // Added to the delay of every b_transport.
  void set_latency(const sc_core::sc_time& latency) { m_latency = latency; }
  const sc_core::sc_time& latency() const { return m_latency; }

  // Puts every register back to its reset value; models extend it for their internal state.
  virtual void reset();

  // All registers, in declaration order.
  const std::vector<reg_base*>& registers() const { return m_registers; }
  reg_base* find_register(const std::string& name) const;

 private:
  friend class reg_base;
  void add_register(reg_base& r);
  void remove_register(reg_base& r);

  void b_transport(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay);
  unsigned int transport_dbg(tlm::tlm_generic_payload& payload);
  // delay == nullptr: debug access.
  tlm::tlm_response_status access(tlm::tlm_generic_payload& payload, sc_core::sc_time* delay);
  void report_error(const tlm::tlm_generic_payload& payload) const;

  sc_core::sc_time m_latency;
  std::vector<reg_base*> m_registers;  // declaration order
  std::vector<reg_base*> m_by_offset;  // sorted by offset (stable), rebuilt when registers change
  bool m_sorted = true;
};

}  // namespace nvr::core
