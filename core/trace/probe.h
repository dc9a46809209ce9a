// Traces SystemC bool signals (interrupt lines) as VCD signals named after them. The probe's
// method exists only when a VCD writer traces the probe's group (decided before the end of
// elaboration), so an untraced probe costs nothing at run time.
#pragma once

#include <initializer_list>
#include <memory>
#include <string>
#include <systemc>
#include <vector>

#include "core/trace/vcd.h"

namespace nvr::trace {

class line_probes : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(line_probes);
  // One trace signal per line, named like the line's SystemC object (e.g. soc.irq_timer).
  line_probes(const sc_core::sc_module_name& name, const std::string& group,
              std::initializer_list<sc_core::sc_signal<bool>*> lines);

 private:
  void before_end_of_elaboration() override;
  void sample();

  std::vector<sc_core::sc_signal<bool>*> m_lines;
  std::vector<std::unique_ptr<signal>> m_signals;
};

}  // namespace nvr::trace
