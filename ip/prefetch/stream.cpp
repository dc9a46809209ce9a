#include <cstdlib>

#include "ip/prefetch/baselines.h"

namespace nvr::mem {

stream_prefetcher::stream_prefetcher(const prefetcher_params& params) : prefetcher("stream") {
  use_hooks(false, false);  // on_access only
  param_reader p(name(), params);
  m_streams.resize(static_cast<std::size_t>(p.get("streams", 16, 1, 1024)));
  m_degree = static_cast<unsigned>(p.get("degree", 2, 1, 64));
  m_distance = static_cast<unsigned>(p.get("distance", 16, 1, 1024));
  m_threshold = static_cast<unsigned>(p.get("threshold", 2, 1, 16));
  m_window = static_cast<unsigned>(p.get("window", 4, 1, 64));
  m_fill_depth = static_cast<unsigned>(p.get("fill_depth", 0, 0, 4));
  p.finish();
}

void stream_prefetcher::on_access(const access_event& e) {
  // Trains on what a stream prefetcher would see missing: misses, merges and the first use of
  // a prefetched line (which would have been a miss).
  if (e.hit && !e.prefetch_hit) return;
  const std::int64_t ln = static_cast<std::int64_t>(e.line_address / line());
  ++m_clock;
  entry* s = nullptr;
  for (entry& c : m_streams) {
    if (c.valid && std::llabs(ln - c.last_line) <= static_cast<std::int64_t>(m_window)) {
      s = &c;
      break;
    }
  }
  if (!s) {
    entry* victim = &m_streams[0];
    for (entry& c : m_streams) {
      if (!c.valid) {
        victim = &c;
        break;
      }
      if (c.stamp < victim->stamp) victim = &c;
    }
    *victim = entry{};
    victim->valid = true;
    victim->last_line = ln;
    victim->stamp = m_clock;
    ++m_allocations;
    return;
  }
  s->stamp = m_clock;
  const std::int64_t d = ln - s->last_line;
  if (d == 0) return;
  const int dir = d > 0 ? 1 : -1;
  if (dir == s->direction) {
    ++s->confidence;
  } else {
    s->direction = dir;
    s->confidence = 1;
    s->next_prefetch = ln + dir;
  }
  s->last_line = ln;
  if (s->confidence < m_threshold) return;
  // Keep [ln + dir, ln + dir * distance] prefetched, `degree` new lines at a time.
  std::int64_t next = s->next_prefetch;
  if ((next - ln) * dir <= 0) next = ln + dir;
  const std::int64_t limit = ln + dir * static_cast<std::int64_t>(m_distance);
  for (unsigned n = 0; n < m_degree && (limit - next) * dir >= 0 && next >= 0; ++n, next += dir)
    issue(e.time, static_cast<std::uint64_t>(next) * line(), e.instruction_id);
  s->next_prefetch = next;
}

nlohmann::json stream_prefetcher::final_stats() const {
  nlohmann::json j = prefetcher::final_stats();
  j["allocations"] = m_allocations;
  return j;
}

}  // namespace nvr::mem
