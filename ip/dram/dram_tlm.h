// The DRAM timing model as a TLM-2.0 block: a target socket for the L2 (or any initiator) and
// an initiator socket to the backing store that holds the data. Statistics under the module's
// SystemC name.
#pragma once

#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <systemc>
#include <tlm>

#include "ip/cache/tlm_link.h"
#include "ip/dram/dram.h"

namespace nvr::mem {

class dram_tlm : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<dram_tlm> target;
  tlm_utils::simple_initiator_socket<dram_tlm> initiator;  // to the backing store

  dram_tlm(const sc_core::sc_module_name& name, const dram_config& config);

  dram& model() { return m_dram; }

 private:
  void b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay);
  unsigned int transport_dbg(tlm::tlm_generic_payload& trans);

  dram m_dram;
};

}  // namespace nvr::mem
