// The runahead unit as a block of the SoC, beside the NPU (ARCHITECTURE.md, Runahead prefetchers):
// it owns the runahead prefetcher (nvr or dvr, from the prefetcher factory), takes the NPU's
// instruction stream and CTRL.nvr_enable through its `snoop` export, and serves the NPU's memory
// hierarchy as its prefetcher. The hierarchy calls the prefetcher's hooks directly, since the
// timing model has no SystemC process on the access path. Statistics under <name>.runahead, VCD
// signals under <name> (group nvr).
#pragma once

#include <memory>
#include <string>
#include <systemc>

#include "core/stats.h"
#include "ip/nvr/snoop.h"

namespace nvr::runahead {

// Whether `prefetcher` names a runahead prefetcher (one that needs the instruction stream).
bool is_runahead(const std::string& prefetcher);

class runahead_unit : public sc_core::sc_module, public snoop_if {
 public:
  sc_core::sc_export<snoop_if> snoop{"snoop"};

  // std::invalid_argument for a name that is not a runahead prefetcher or bad parameters.
  runahead_unit(const sc_core::sc_module_name& name, const std::string& prefetcher,
                const mem::prefetcher_params& params);
  // With an engine built elsewhere (the RTL core behind its adapter, --nvr=rtl).
  runahead_unit(const sc_core::sc_module_name& name, std::unique_ptr<mem::prefetcher> engine);

  mem::prefetcher& engine() { return *m_engine; }

  void issued(const mem::instruction_event& e) override { m_engine->on_instruction(e); }
  void enable(mem::time_ps time, bool on) override { m_engine->on_enable(time, on); }

 private:
  void publish();
  std::unique_ptr<mem::prefetcher> m_engine;
  std::unique_ptr<stats::publication> m_stats;
};

}  // namespace nvr::runahead
