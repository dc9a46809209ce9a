// Replays a trace through a timing model with a simple requester: accesses issue in trace order,
// at most one per issue interval and at most `max_outstanding` in flight (the NPU DMA: 16).
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "ip/cache/hierarchy.h"
#include "ip/cache/memory_types.h"
#include "tools/trace-sim/trace.h"

namespace nvr::trace {

struct replay_config {
  std::uint32_t max_outstanding = 16;  // 1: each access waits for the previous one
  mem::time_ps issue_interval = 1000;  // ps between issues (one NPU cycle at 1 GHz)
  std::uint32_t repeat = 1;            // passes over the trace
};

struct replay_result {
  std::uint64_t accesses = 0;  // records issued (over all passes)
  std::uint64_t bytes = 0;
  mem::time_ps end = 0;                // last completion
  std::uint64_t total_latency_ps = 0;  // sum of (completion - issue)
};

replay_result replay(mem::timing_target& top, const trace& t, const replay_config& config);
// The same for the assembled hierarchy, calling it directly rather than through the interface.
replay_result replay(mem::hierarchy& top, const trace& t, const replay_config& config);

// The line addresses of every record, in order (`line`-byte lines).
std::shared_ptr<const std::vector<std::uint64_t>> demand_lines(const trace& t, std::uint32_t line,
                                                               std::uint32_t repeat);
// The demand line addresses the cache a prefetcher of `config` serves will see when the trace is
// replayed `repeat` times, in order: the oracle's future. The NSB: the R / W records; a bypassed
// NSB's L2: every record; the L2 behind an NSB: its fills and write-backs between the F records,
// found by a replay without prefetcher. std::invalid_argument on a bad configuration.
std::shared_ptr<const std::vector<std::uint64_t>> demand_lines(const trace& t,
                                                               const mem::hierarchy_config& config,
                                                               std::uint32_t repeat = 1);

}  // namespace nvr::trace
