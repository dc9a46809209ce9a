// The memory trace of a run: every demand request made to a memory hierarchy from outside, in
// call order, written to a trace file as it comes (nvr-vp --trace-npu-memory). Requests entering
// at the NSB become R / W records, reads entering at the L2 (the NPU's instruction fetch) F
// records; each carries its issue time, size, stream id and index values. nvr-trace-sim replays
// the file; nvr-vp --oracle-trace takes it as the oracle's future.
#pragma once

#include <string>

#include "ip/cache/hierarchy.h"
#include "tools/trace-sim/trace.h"

namespace nvr::trace {

class recorder final : public mem::request_observer {
 public:
  // format::automatic: binary for a name ending in ".bin", text otherwise. trace_error when the
  // file cannot be created.
  explicit recorder(const std::string& path, format f = format::automatic, const std::string& comment = {})
      : m_writer(path, f, /*timed=*/true, comment) {}

  // std::logic_error for a write entering at the L2, which the format cannot express.
  void on_request(mem::time_ps now, const mem::request& r, mem::entry_level at) override;

  // Flushes and closes the file: an error message, or empty.
  std::string close() { return m_writer.close(); }
  std::uint64_t records() const { return m_writer.records(); }
  // Records written without their index values: values whose count does not divide the size.
  std::uint64_t values_dropped() const { return m_values_dropped; }

 private:
  file_writer m_writer;
  std::uint64_t m_values_dropped = 0;
};

}  // namespace nvr::trace
