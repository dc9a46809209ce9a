#include <algorithm>
#include <stdexcept>

#include "ip/prefetch/baselines.h"

namespace nvr::mem {

oracle_prefetcher::oracle_prefetcher(const prefetcher_params& params,
                                     std::shared_ptr<const std::vector<std::uint64_t>> future)
    : prefetcher("oracle"), m_future(std::move(future)) {
  use_hooks(false, true);  // on_access and on_tick
  param_reader p(name(), params);
  m_distance = static_cast<unsigned>(p.get("distance", 8, 1, 4096));
  m_fill_depth = static_cast<unsigned>(p.get("fill_depth", 0, 0, 4));
  p.finish();
  if (!m_future)
    throw std::invalid_argument("prefetcher oracle: needs the future access sequence (trace-driven runs)");
}

void oracle_prefetcher::on_tick(time_ps now) { top_up(now); }

void oracle_prefetcher::on_access(const access_event& e) {
  const auto& f = *m_future;
  if (m_cursor < f.size() && f[m_cursor] == e.line_address) {
    ++m_cursor;
  } else {
    // Off the expected sequence: find the access a little further on, else keep the place.
    const std::size_t end = std::min(f.size(), m_cursor + 64);
    for (std::size_t i = m_cursor; i < end; ++i) {
      if (f[i] == e.line_address) {
        m_cursor = i + 1;
        ++m_resyncs;
        break;
      }
    }
  }
  top_up(e.time);
}

void oracle_prefetcher::top_up(time_ps now) {
  // Every hook re-asks for the whole window, farthest first: a line found present earlier may
  // have been evicted since, and asking for the nearest last means no fill can evict the next
  // demand's line before it comes. Present lines cost only a tag check (redundant).
  const auto& f = *m_future;
  const std::size_t end = std::min(f.size(), m_cursor + m_distance);
  for (std::size_t i = end; i-- > m_cursor;) issue(now, f[i]);
}

nlohmann::json oracle_prefetcher::final_stats() const {
  nlohmann::json j = prefetcher::final_stats();
  j["distance"] = m_distance;
  j["position"] = m_cursor;
  j["resyncs"] = m_resyncs;
  return j;
}

}  // namespace nvr::mem
