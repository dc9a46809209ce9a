// The system bus: an address decoder between several initiators and the mapped targets.
#pragma once

#include <tlm_utils/multi_passthrough_initiator_socket.h>
#include <tlm_utils/multi_passthrough_target_socket.h>

#include <cstdint>
#include <memory>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "core/stats.h"
#include "core/trace/bus_trace.h"

namespace nvr::bus {

class router : public sc_core::sc_module {
 public:
  tlm_utils::multi_passthrough_target_socket<router, 32> in;      // initiators (CPU, NPU, loader)
  tlm_utils::multi_passthrough_initiator_socket<router, 32> out;  // bound only through map()

  struct mapping {
    std::string name;
    std::uint64_t base;
    std::uint64_t size;
    unsigned port;  // index into `out`
    std::unique_ptr<stats::counter> transactions;
    std::uint64_t end() const { return base + size - 1; }  // last address
  };

  // `latency` is added to every transaction's delay and to the latencies of DMI regions granted
  // through the router (one hop).
  explicit router(const sc_core::sc_module_name& name,
                  const sc_core::sc_time& latency = sc_core::SC_ZERO_TIME);

  // Binds `out` to `target` and routes [base, base + size) to it, at target-local addresses
  // 0 .. size - 1. Throws std::invalid_argument for an empty or overflowing range, a range that
  // overlaps one already mapped, or a name already used.
  void map(tlm::tlm_target_socket<32>& target, std::uint64_t base, std::uint64_t size,
           const std::string& name);

  void set_latency(const sc_core::sc_time& latency) { m_latency = latency; }
  const sc_core::sc_time& latency() const { return m_latency; }

  // The mapping holding `address`, or nullptr.
  const mapping* find(std::uint64_t address) const;
  // All mappings, sorted by base address.
  std::vector<const mapping*> mappings() const;

  // Bus trace (--trace-bus): while attached, every b_transport and transport_dbg is recorded
  // after the target answered; nullptr detaches. Off, it costs one pointer test per transaction.
  void attach_trace(trace::bus_trace* trace) { m_trace = trace; }
  // The name of the initiator bound to `in` at `id`: its socket's hierarchical name (e.g.
  // soc.cpu.bus), found once binding is complete; "in[id]" when it cannot be found.
  const std::string& initiator_name(int id);

 private:
  void b_transport(int id, tlm::tlm_generic_payload& payload, sc_core::sc_time& delay);
  unsigned int transport_dbg(int id, tlm::tlm_generic_payload& payload);
  bool get_direct_mem_ptr(int id, tlm::tlm_generic_payload& payload, tlm::tlm_dmi& dmi);
  void invalidate_direct_mem_ptr(int port, sc_dt::uint64 start, sc_dt::uint64 end);
  void report_error(const tlm::tlm_generic_payload& payload, const char* what) const;
  void route(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay);
  unsigned int route_debug(tlm::tlm_generic_payload& payload);
  void name_initiators();

  sc_core::sc_time m_latency;
  std::vector<std::unique_ptr<mapping>> m_by_base;  // sorted by base
  std::vector<mapping*> m_by_port;                  // indexed by port
  stats::counter m_errors{*this, "errors", "transactions answered with an error response (any cause)"};
  trace::bus_trace* m_trace = nullptr;
  std::vector<std::string> m_initiator_names;  // by `in` index, filled when a trace needs them
  stats::counter m_unmapped{*this, "unmapped", "transactions to addresses no target is mapped at"};
};

}  // namespace nvr::bus
