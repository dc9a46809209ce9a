#include <algorithm>

#include "ip/npu/machine.h"
#include "ip/nvr/runahead.h"

namespace nvr::runahead {

dvr_config parse_dvr_config(const mem::prefetcher_params& params) {
  mem::param_reader p("dvr", params);
  dvr_config c;
  c.lanes = static_cast<unsigned>(p.get("lanes", c.lanes, 1, 1024));
  c.budget = static_cast<unsigned>(p.get("budget", c.budget, 1, 100000));
  c.discovery = static_cast<unsigned>(p.get("discovery", c.discovery, 0, 4096));
  c.fill_depth = static_cast<unsigned>(p.get("fill_depth", c.fill_depth, 0, 4));
  c.cycle_ps = static_cast<time_ps>(p.get("cycle_ps", static_cast<std::int64_t>(c.cycle_ps), 1, 1000000));
  p.finish();
  return c;
}

dvr_prefetcher::dvr_prefetcher(const dvr_config& config) : runahead_engine("dvr"), m_config(config) {
  m_fill_depth = config.fill_depth;
  m_cycle_ps = config.cycle_ps;
}

void dvr_prefetcher::snoop(const mem::instruction_event& e) {
  const auto& w = e.words;
  const std::uint8_t op = static_cast<std::uint8_t>(w[0]);
  if (op == npu::op_config_sparse) {
    m_sparse = sparse_config{true, w[1], w[2], w[3], w[4]};
    return;
  }
  chain c;
  if (op == npu::op_spmm && m_sparse.valid) {
    c.index_base = m_sparse.col_idx;
    c.target_base = w[1];
    c.target_stride = w[2];
    c.target_bytes = w[6];
    c.first = -1;  // no CSR bounds: where the index stream starts shows in its first load
  } else if (op == npu::op_gather || op == npu::op_scatter) {
    const bool acc = (w[6] >> 31) != 0, i8 = op == npu::op_gather && ((w[0] >> 8) & 1);
    c.index_base = w[1];
    c.target_base = w[3];
    c.target_stride = w[5];
    c.target_bytes = w[7] * (acc && !i8 ? 4 : 1);
    c.first = 0;
  } else {
    return;
  }
  c.valid = true;
  // A new loop: its trip count (index elements the NPU loaded) enters the EWMA loop bound, and
  // the dependent load is discovered again over one tile.
  if (m_chain.valid && m_index_count != 0)
    m_loop_ewma = m_loop_ewma == 0
                      ? static_cast<std::uint32_t>(std::min<std::uint64_t>(m_index_count, 1u << 24))
                      : static_cast<std::uint32_t>((3 * std::uint64_t{m_loop_ewma} + m_index_count + 2) / 4);
  m_index_count = 0;
  m_chain = c;
  m_discovered = 0;
  m_next = -1;
  m_episode_wanted = false;
  clear_pending();
}

void dvr_prefetcher::demand(const mem::access_event& e) {
  if (!m_chain.valid) return;
  switch (e.instruction_id) {
    case npu::stream_spmm_col_idx:
    case npu::stream_gather_index:
    case npu::stream_scatter_index:
      m_index_count += e.value_count;
      if (m_chain.first < 0 && e.line_address >= m_chain.index_base)
        m_chain.first = static_cast<std::int64_t>((e.line_address - m_chain.index_base) / 4);
      break;
    case npu::stream_spmm_b:
    case npu::stream_gather_table:
    case npu::stream_scatter_table:
      ++m_discovered;
      break;
    default:
      break;
  }
  if (m_chain.first < 0 || m_discovered < m_config.discovery) return;
  if (m_next < 0) m_next = m_chain.first + m_config.discovery;  // after the discovery tile
  if (!pending() && !m_episode_wanted) {
    // The episode starts at this demand access, not at the time the unit last worked.
    m_episode_wanted = true;
    start_at(e.time);
  }
}

bool dvr_prefetcher::step(time_ps horizon) {
  if (!m_episode_wanted || m_next < 0) return false;
  std::int64_t lanes = m_config.lanes;
  if (m_loop_ewma != 0) {
    const std::int64_t remaining = m_chain.first + m_loop_ewma - m_next;
    if (remaining <= 0) {
      m_episode_wanted = false;  // the loop bound says the loop is over
      return false;
    }
    lanes = std::min(lanes, remaining);
  }
  // The budget: the index lines to load plus one prefetch per lane.
  const std::uint64_t first_line = line_of(m_chain.index_base + 4 * static_cast<std::uint64_t>(m_next));
  auto index_lines = [&](std::int64_t n) {
    return static_cast<std::int64_t>(
        (line_of(m_chain.index_base + 4 * static_cast<std::uint64_t>(m_next + n - 1)) - first_line) / line() +
        1);
  };
  const bool limited = index_lines(lanes) + lanes > static_cast<std::int64_t>(m_config.budget);
  if (limited) {
    while (lanes > 1 && index_lines(lanes) + lanes > static_cast<std::int64_t>(m_config.budget)) --lanes;
  }
  time_ps ready = cursor();
  for (std::int64_t i = 0; i < index_lines(lanes); ++i) {
    time_ps r = 0;
    if (!load_index(first_line + static_cast<std::uint64_t>(i) * line(), horizon, r)) return false;
    ready = std::max(ready, r);
  }
  if (ready > horizon) return false;
  std::vector<lane> v(static_cast<std::size_t>(lanes));
  for (std::int64_t i = 0; i < lanes; ++i) {
    lane& l = v[static_cast<std::size_t>(i)];
    l.position = m_next + i;
    std::int64_t index = 0;
    // No bounds: whatever the index array holds there becomes an address.
    l.active = read_index(m_chain.index_base + 4 * static_cast<std::uint64_t>(l.position), index);
    l.address = m_chain.target_base + static_cast<std::uint64_t>(index) * m_chain.target_stride;
  }
  queue_lines(m_vmig.lines(v, m_chain.target_bytes), ready, m_next);
  m_next += lanes;
  m_lanes += static_cast<std::uint64_t>(lanes);
  ++m_episodes;
  if (limited) ++m_budget_stops;  // counted once per episode, not per attempt waiting for indices
  m_episode_wanted = false;
  set_position(m_next, 1);
  return true;
}

void dvr_prefetcher::disabled() {
  m_chain = chain{};
  m_episode_wanted = false;
}

nlohmann::json dvr_prefetcher::model_stats() const {
  return nlohmann::json{
      {"config", {{"lanes", m_config.lanes}, {"budget", m_config.budget}, {"discovery", m_config.discovery}}},
      {"episodes", m_episodes},
      {"lanes", m_lanes},
      {"budget_stops", m_budget_stops},
      {"loop_bound_ewma", m_loop_ewma},
      {"vectors", {{"lines", m_vmig.line_count()}, {"masked_lanes", m_vmig.masked_lanes()}}}};
}

}  // namespace nvr::runahead
