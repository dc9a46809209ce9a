#include "ip/prefetch/baselines.h"

namespace nvr::mem {

next_line_prefetcher::next_line_prefetcher(const prefetcher_params& params) : prefetcher("next_line") {
  use_hooks(false, false);  // on_access only
  param_reader p(name(), params);
  m_degree = static_cast<unsigned>(p.get("degree", 1, 1, 64));
  m_on_miss_only = p.get("on_miss_only", 0, 0, 1) != 0;
  m_fill_depth = static_cast<unsigned>(p.get("fill_depth", 0, 0, 4));
  p.finish();
}

void next_line_prefetcher::on_access(const access_event& e) {
  if (m_on_miss_only && e.hit) return;
  for (unsigned k = 1; k <= m_degree; ++k)
    issue(e.time, e.line_address + std::uint64_t{k} * line(), e.instruction_id);
}

}  // namespace nvr::mem
