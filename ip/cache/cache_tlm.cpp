#include "ip/cache/cache_tlm.h"

namespace nvr::mem {

cache_tlm::cache_tlm(const sc_core::sc_module_name& name, const cache_config& config)
    : sc_core::sc_module(name),
      target("target"),
      initiator("initiator"),
      m_link(initiator),
      m_cache(this->name(), config, &m_link) {
  target.register_b_transport(this, &cache_tlm::b_transport);
  target.register_transport_dbg(this, &cache_tlm::transport_dbg);
}

void cache_tlm::b_transport(tlm::tlm_generic_payload& trans, sc_core::sc_time& delay) {
  serve_transport(m_cache, initiator, trans, delay);
}

unsigned int cache_tlm::transport_dbg(tlm::tlm_generic_payload& trans) {
  return initiator->transport_dbg(trans);
}

}  // namespace nvr::mem
