#include "core/trace/probe.h"

namespace nvr::trace {

line_probes::line_probes(const sc_core::sc_module_name& name, const std::string& group,
                         std::initializer_list<sc_core::sc_signal<bool>*> lines)
    : sc_module(name), m_lines(lines) {
  for (const auto* line : m_lines)
    m_signals.push_back(std::make_unique<signal>(line->name(), 1, group, format::binary, line->read()));
}

void line_probes::before_end_of_elaboration() {
  bool traced = false;
  for (const auto& s : m_signals) traced = traced || s->enabled();
  if (!traced) return;
  // A line changes in an update phase; the method runs in the next delta cycle, at the same
  // simulated time, which is therefore the exact time of the edge.
  SC_METHOD(sample);
  dont_initialize();
  for (auto* line : m_lines) sensitive << line->value_changed_event();
}

void line_probes::sample() {
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  for (std::size_t i = 0; i < m_lines.size(); ++i)
    if (m_lines[i]->event()) m_signals[i]->record(now, m_lines[i]->read());
}

}  // namespace nvr::trace
