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

// The demand line addresses the first cache will see, in order (for the oracle).
std::shared_ptr<const std::vector<std::uint64_t>> demand_lines(const trace& t, std::uint32_t line,
                                                               std::uint32_t repeat);

}  // namespace nvr::trace
