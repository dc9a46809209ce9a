#include "ip/nvr/runahead_unit.h"

#include <stdexcept>

#include "ip/prefetch/factory.h"

namespace nvr::runahead {

bool is_runahead(const std::string& prefetcher) { return prefetcher == "nvr" || prefetcher == "dvr"; }

runahead_unit::runahead_unit(const sc_core::sc_module_name& name, const std::string& prefetcher,
                             const mem::prefetcher_params& params)
    : sc_module(name) {
  if (!is_runahead(prefetcher))
    throw std::invalid_argument("runahead unit: '" + prefetcher +
                                "' is not a runahead prefetcher (nvr, dvr)");
  m_engine = mem::prefetcher_factory::instance().make(prefetcher, params);
  publish();
}

runahead_unit::runahead_unit(const sc_core::sc_module_name& name, std::unique_ptr<mem::prefetcher> engine)
    : sc_module(name), m_engine(std::move(engine)) {
  if (!m_engine) throw std::invalid_argument("runahead unit: no prefetcher");
  publish();
}

void runahead_unit::publish() {
  snoop.bind(*this);
  m_engine->enable_tracing(std::string(this->name()));
  m_stats = std::make_unique<stats::publication>(
      *this, "runahead", [this] { return m_engine->final_stats(); }, "the runahead prefetcher's own figures");
}

}  // namespace nvr::runahead
