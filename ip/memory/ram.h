// Memory with a backing store: b_transport, debug transport and DMI over the whole array.
#pragma once

#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <cstdlib>
#include <memory>
#include <systemc>
#include <tlm>

#include "core/stats.h"

namespace nvr::memory {

class ram : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<ram, 32> in;

  // `size` bytes, zero-initialised; the host allocates pages only when they are touched.
  // Throws std::invalid_argument for size 0 and std::bad_alloc when the host refuses.
  ram(const sc_core::sc_module_name& name, std::uint64_t size,
      const sc_core::sc_time& read_latency = sc_core::SC_ZERO_TIME,
      const sc_core::sc_time& write_latency = sc_core::SC_ZERO_TIME);

  std::uint8_t* data() { return m_data.get(); }
  const std::uint8_t* data() const { return m_data.get(); }
  std::uint64_t size() const { return m_size; }
  const sc_core::sc_time& read_latency() const { return m_read_latency; }
  const sc_core::sc_time& write_latency() const { return m_write_latency; }

 private:
  struct free_deleter {
    void operator()(std::uint8_t* p) const { std::free(p); }
  };

  void b_transport(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay);
  unsigned int transport_dbg(tlm::tlm_generic_payload& payload);
  bool get_direct_mem_ptr(tlm::tlm_generic_payload& payload, tlm::tlm_dmi& dmi);

  std::uint64_t m_size;
  std::unique_ptr<std::uint8_t, free_deleter> m_data;
  sc_core::sc_time m_read_latency;
  sc_core::sc_time m_write_latency;
  stats::counter m_reads{*this, "reads", "read transactions (b_transport; DMI accesses are not seen)"};
  stats::counter m_writes{*this, "writes", "write transactions (b_transport; DMI accesses are not seen)"};
  stats::counter m_bytes_read{*this, "bytes_read", "bytes read through b_transport"};
  stats::counter m_bytes_written{*this, "bytes_written", "bytes written through b_transport"};
};

}  // namespace nvr::memory
