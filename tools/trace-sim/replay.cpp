#include "tools/trace-sim/replay.h"

#include <algorithm>
#include <stdexcept>

namespace nvr::trace {

namespace {

template <typename Target>
replay_result replay_through(Target& top, const trace& t, const replay_config& config) {
  if (config.max_outstanding == 0) throw std::invalid_argument("replay: max_outstanding must be at least 1");
  std::vector<mem::time_ps> in_flight(config.max_outstanding, 0);  // completion per slot, a ring
  std::size_t slot = 0;
  mem::time_ps next_issue = 0;
  replay_result result;
  for (std::uint32_t pass = 0; pass < config.repeat; ++pass) {
    for (const record& r : t.records) {
      const mem::time_ps issue = std::max(next_issue, in_flight[slot]);
      const mem::time_ps done = top.access(issue, t.request_of(r));
      in_flight[slot] = done;
      if (++slot == in_flight.size()) slot = 0;
      next_issue = issue + config.issue_interval;
      result.end = std::max(result.end, done);
      result.total_latency_ps += done - issue;
      result.bytes += r.size;
      ++result.accesses;
    }
  }
  return result;
}

}  // namespace

replay_result replay(mem::timing_target& top, const trace& t, const replay_config& config) {
  return replay_through(top, t, config);
}

replay_result replay(mem::hierarchy& top, const trace& t, const replay_config& config) {
  return replay_through(top, t, config);
}

std::shared_ptr<const std::vector<std::uint64_t>> demand_lines(const trace& t, std::uint32_t line,
                                                               std::uint32_t repeat) {
  auto lines = std::make_shared<std::vector<std::uint64_t>>();
  const std::uint64_t mask = ~std::uint64_t{line - 1};
  for (std::uint32_t pass = 0; pass < repeat; ++pass)
    for (const record& r : t.records)
      for (std::uint64_t l = r.address & mask; l < r.address + r.size; l += line) lines->push_back(l);
  return lines;
}

}  // namespace nvr::trace
