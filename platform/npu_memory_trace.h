// The NPU's memory trace for nvr-vp (--trace-npu-memory) and the oracle's future read back from
// one (--oracle-trace). The trace format lives in tools/trace-sim (nvr::trace), whose names clash
// with the VCD writer's (core/trace), so this header keeps it out of the platform's other files.
#pragma once

#include <cstdint>
#include <memory>
#include <stdexcept>
#include <string>
#include <vector>

#include "ip/cache/hierarchy.h"

namespace nvr::platform {

// A trace file that cannot be written or read, or is malformed; what() names the file (and the
// line or record).
class trace_file_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// Writes every demand request made to a hierarchy from outside, as it comes, to an nvr-trace-sim
// trace: binary if the name ends in .bin, else text headed by `comment`.
class npu_memory_trace {
 public:
  npu_memory_trace(const std::string& path, const std::string& comment);  // trace_file_error
  ~npu_memory_trace();
  // Set it with hierarchy::set_observer.
  mem::request_observer& observer();
  // Flushes and closes the file: an error message, or empty.
  std::string close();
  std::uint64_t records() const;
  // Records written without their index values (see trace::recorder::values_dropped).
  std::uint64_t values_dropped() const;

 private:
  struct impl;
  std::unique_ptr<impl> m_impl;
};

// The demand lines the cache served by `config`'s prefetcher sees in the run recorded in `path`.
// trace_file_error for an unreadable or malformed file; std::invalid_argument for a bad config.
std::shared_ptr<const std::vector<std::uint64_t>> oracle_future(const std::string& path,
                                                                const mem::hierarchy_config& config);

}  // namespace nvr::platform
