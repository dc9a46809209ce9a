// The cache as a TLM-2.0 block: a target socket for the level above (the NPU DMA) and an
// initiator socket to the level below. Timing comes from the cache model, whose misses and
// write-backs go down the initiator as timing-only payloads; the data of every access is
// forwarded down to the backing store. Statistics under the module's SystemC name.
#pragma once

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <systemc>
#include <tlm>

#include "ip/cache/cache.h"
#include "ip/cache/tlm_link.h"

namespace nvr::mem {

class cache_tlm : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<cache_tlm> target;
  tlm_utils::simple_initiator_socket<cache_tlm> initiator;

  cache_tlm(const sc_core::sc_module_name& name, const cache_config& config);

  cache& model() { return m_cache; }

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  unsigned int transport_dbg(tlm::tlm_generic_payload& trans);

  tlm_timing_link m_link;
  cache m_cache;
};

}  // namespace nvr::mem
