// The tracing of one run, as the options ask for it: a VCD writer (with its GTKWave save file)
// and a bus trace, each optional. The SoC assembly opens a session once every model (and so every
// trace signal) exists, hands the bus trace to the bus, and closes it when it is destroyed.
#pragma once

#include <memory>
#include <string>
#include <vector>

#include "core/trace/bus_trace.h"
#include "core/trace/vcd.h"

namespace nvr::trace {

struct config {
  std::string vcd_file;                 // empty: no VCD
  std::vector<std::string> vcd_groups;  // empty: every group
  std::string bus_file;                 // empty: no bus trace
  filters filter;                       // address ranges and time window of every text trace
};

// The GTKWave save file written next to a VCD: "run.vcd" -> "run.gtkw", "run" -> "run.gtkw".
std::string save_file_for(const std::string& vcd_file);

class session {
 public:
  // Throws std::invalid_argument (unknown VCD group) or std::runtime_error (a file that cannot be
  // written); the messages name the option.
  explicit session(const config& settings, const std::string& version = "nvr-vp");

  ~session();
  session(const session&) = delete;
  session& operator=(const session&) = delete;

  vcd_writer* vcd() const { return m_vcd.get(); }
  bus_trace* bus() const { return m_bus.get(); }

  // Writes out and closes every trace (at any end of the run; the destructor does it too).
  // Returns an empty string, or a message naming the option of each file that failed.
  std::string close();

 private:
  std::unique_ptr<vcd_writer> m_vcd;
  std::unique_ptr<bus_trace> m_bus;
};

}  // namespace nvr::trace
