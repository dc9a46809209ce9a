#include "ip/prefetch/baselines.h"

namespace nvr::mem {

stride_prefetcher::stride_prefetcher(const prefetcher_params& params) : prefetcher("stride") {
  use_hooks(false, false);  // on_access only
  param_reader p(name(), params);
  m_table.resize(static_cast<std::size_t>(p.get("entries", 64, 1, 1 << 16)));
  m_degree = static_cast<unsigned>(p.get("degree", 4, 1, 64));
  m_distance = static_cast<unsigned>(p.get("distance", 1, 1, 1024));
  m_threshold = static_cast<unsigned>(p.get("threshold", 2, 1, 3));
  m_fill_depth = static_cast<unsigned>(p.get("fill_depth", 0, 0, 4));
  p.finish();
}

void stride_prefetcher::on_access(const access_event& e) {
  // Fibonacci hashing of the instruction id into the direct-mapped table.
  const std::size_t slot =
      static_cast<std::size_t>((e.instruction_id * 0x9e3779b97f4a7c15ull) >> 32) % m_table.size();
  entry& t = m_table[slot];
  if (!t.valid || t.instruction_id != e.instruction_id) {
    t = entry{};
    t.valid = true;
    t.instruction_id = e.instruction_id;
    t.last_address = e.address;
    return;
  }
  const std::int64_t delta = static_cast<std::int64_t>(e.address - t.last_address);
  if (delta == 0) return;
  ++m_trained;
  t.last_address = e.address;
  if (delta == t.stride) {
    if (t.confidence < 3) ++t.confidence;
  } else {
    if (t.confidence > 0) --t.confidence;
    if (t.confidence == 0) t.stride = delta;
    return;
  }
  if (t.confidence < m_threshold) return;
  ++m_triggers;
  const std::uint64_t own_line = line_of(e.address);
  for (unsigned k = m_distance; k < m_distance + m_degree; ++k) {
    const std::uint64_t target =
        line_of(e.address + static_cast<std::uint64_t>(t.stride * static_cast<std::int64_t>(k)));
    if (target == own_line || target == t.last_prefetch_line) continue;
    t.last_prefetch_line = target;
    issue(e.time, target, e.instruction_id);
  }
}

std::int64_t stride_prefetcher::learned_stride(std::uint64_t instruction_id) const {
  for (const entry& t : m_table)
    if (t.valid && t.instruction_id == instruction_id && t.confidence >= m_threshold) return t.stride;
  return 0;
}

nlohmann::json stride_prefetcher::final_stats() const {
  nlohmann::json j = prefetcher::final_stats();
  j["trained"] = m_trained;
  j["triggers"] = m_triggers;
  return j;
}

}  // namespace nvr::mem
