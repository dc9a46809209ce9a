#include "ip/dram/dram_tlm.h"

namespace nvr::mem {

dram_tlm::dram_tlm(const sc_core::sc_module_name& name, const dram_config& config)
    : sc_core::sc_module(name), target("target"), initiator("initiator"), m_dram(this->name(), config) {
  target.register_b_transport(this, &dram_tlm::b_transport);
  target.register_transport_dbg(this, &dram_tlm::transport_dbg);
}

void dram_tlm::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  serve_transport(m_dram, initiator, trans, delay);
}

unsigned int dram_tlm::transport_dbg(tlm::tlm_generic_payload& trans) {
  return initiator->transport_dbg(trans);
}

}  // namespace nvr::mem
