#include "core/line_driver.h"

namespace nvr::core {

line_driver::line_driver(const sc_core::sc_module_name& name, sc_core::sc_out<bool>& line)
    : sc_module(name), m_line(line) {
  SC_METHOD(update);  // runs once at start-up to drive the initial level
  sensitive << m_wakeup;
}

void line_driver::set(bool level, const sc_core::sc_time& at) {
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  const sc_core::sc_time when = at < now ? now : at;
  while (!m_pending.empty() && m_pending.back().first >= when) m_pending.pop_back();
  if (this->level() == level) return;
  m_pending.emplace_back(when, level);
  // An earlier pending notification wins; update() re-arms for the next change.
  if (m_started) m_wakeup.notify(when - now);
}

void line_driver::reset() {
  m_pending.clear();
  set(false);
}

void line_driver::update() {
  const sc_core::sc_time now = sc_core::sc_time_stamp();
  bool level = m_driven;
  while (!m_pending.empty() && m_pending.front().first <= now) {
    level = m_pending.front().second;
    m_pending.pop_front();
  }
  const bool changed = level != m_driven;
  if (changed || !m_started) m_line.write(level);
  m_driven = level;
  m_started = true;
  if (changed && m_on_change) m_on_change(level);
  if (!m_pending.empty()) m_wakeup.notify(m_pending.front().first - now);
}

}  // namespace nvr::core
