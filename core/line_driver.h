// Drives a bool output port (an interrupt line) from a SystemC process at the simulated times its
// level changes. Models call set() from anywhere, including b_transport running in an initiator's
// thread ahead of the kernel: set(level, at) schedules the change at the initiator's local time
// `at`, and the driver's own method writes the port when the kernel reaches that time.
#pragma once

#include <deque>
#include <functional>
#include <systemc>
#include <utility>

namespace nvr::core {

class line_driver : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(line_driver);
  line_driver(const sc_core::sc_module_name& name, sc_core::sc_out<bool>& line);

  // From simulated time `at` on (times before now mean now) the line has `level`; this replaces
  // every change scheduled at or after `at`.
  void set(bool level, const sc_core::sc_time& at);
  void set(bool level) { set(level, sc_core::sc_time_stamp()); }

  // The level after all scheduled changes, and the level the port has been driven to.
  bool level() const { return m_pending.empty() ? m_driven : m_pending.back().second; }
  bool driven() const { return m_driven; }

  // Called from the driver's process whenever the driven level changes (e.g. to count edges).
  void on_change(std::function<void(bool)> callback) { m_on_change = std::move(callback); }

  // Drops every scheduled change and drives the line low from now on.
  void reset();

 private:
  void update();

  sc_core::sc_out<bool>& m_line;
  sc_core::sc_event m_wakeup;
  std::deque<std::pair<sc_core::sc_time, bool>> m_pending;  // sorted by time
  bool m_driven = false;
  bool m_started = false;
  std::function<void(bool)> m_on_change;
};

}  // namespace nvr::core
