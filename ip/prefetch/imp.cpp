#include <algorithm>

#include "ip/prefetch/baselines.h"

namespace nvr::mem {

imp_prefetcher::imp_prefetcher(const prefetcher_params& params) : prefetcher("imp") {
  use_hooks(false, false);  // on_access only
  param_reader p(name(), params);
  // gem5's IndirectMemoryPrefetcher defaults.
  m_pt.resize(static_cast<std::size_t>(p.get("pt_entries", 16, 1, 1024)));
  m_ipd.resize(static_cast<std::size_t>(p.get("ipd_entries", 4, 1, 64)));
  const std::int64_t shift_mask = p.get("shift_mask", (1 << 2) | (1 << 3) | (1 << 4), 0, 0xffffffff);
  const std::int64_t negative_shift = p.get("negative_shift", 3, 0, 31);
  m_prefetch_threshold = static_cast<unsigned>(p.get("prefetch_threshold", 2, 0, 255));
  m_max_counter = static_cast<unsigned>(p.get("max_indirect_counter", 8, 1, 255));
  m_stream_threshold = static_cast<unsigned>(p.get("stream_counter_threshold", 4, 1, 255));
  m_stream_distance = static_cast<unsigned>(p.get("streaming_distance", 4, 0, 64));
  m_max_distance = static_cast<unsigned>(p.get("max_prefetch_distance", 16, 1, 1024));
  m_addr_array_len = static_cast<unsigned>(p.get("addr_array_len", 4, 1, 64));
  m_target_history = static_cast<unsigned>(p.get("target_history", 32, 1, 1024));
  m_fill_depth = static_cast<unsigned>(p.get("fill_depth", 0, 0, 4));
  p.finish();
  for (int s = 0; s < 32; ++s)
    if (shift_mask & (std::int64_t{1} << s)) m_shifts.push_back(s);
  if (negative_shift) m_shifts.push_back(-static_cast<int>(negative_shift));
  for (pt_entry& e : m_pt) {
    e.targets.assign(m_target_history, 0);
    e.filter.assign(std::size_t{1} << filter_bits, 0);
  }
  for (ipd_entry& d : m_ipd) d.bases.assign(std::size_t{m_addr_array_len} * m_shifts.size(), 0);
  m_enabled.reserve(m_pt.size());  // no allocation while running
  m_match_filter.assign(std::size_t{1} << filter_bits, 0);
}

std::uint64_t imp_prefetcher::apply_shift(std::int64_t index, int shift) {
  return shift >= 0 ? static_cast<std::uint64_t>(index) << shift
                    : static_cast<std::uint64_t>(index >> -shift);
}

std::uint64_t imp_prefetcher::target(const pt_entry& p, std::int64_t index) const {
  return p.base + apply_shift(index, p.shift);
}

void imp_prefetcher::on_access(const access_event& e) {
  if (e.is_write) return;
  ++m_clock;
  check_matches(e.address);
  const bool miss = !e.hit && !e.prefetch_hit;
  if (m_tracking >= 0 && miss &&
      e.instruction_id != m_pt[m_ipd[static_cast<std::size_t>(m_tracking)].pt].instruction_id) {
    track_miss(e.address, e.instruction_id);
    return;
  }

  std::size_t slot = m_pt.size();
  if (m_pt[m_last_slot].valid && m_pt[m_last_slot].instruction_id == e.instruction_id) {
    slot = m_last_slot;
  } else {
    // Entries are taken in order and never freed, so the valid ones are the first m_pt_used.
    for (std::size_t i = 0; i < m_pt_used; ++i)
      if (m_pt[i].instruction_id == e.instruction_id) slot = i;
  }
  if (slot == m_pt.size()) {
    slot = 0;
    for (std::size_t i = 0; i < m_pt.size(); ++i) {
      if (!m_pt[i].valid) {
        slot = i;
        break;
      }
      if (m_pt[i].stamp < m_pt[slot].stamp) slot = i;
    }
    for (std::size_t d = 0; d < m_ipd.size(); ++d) {
      if (m_ipd[d].valid && m_ipd[d].pt == slot) {
        m_ipd[d].valid = false;
        if (m_tracking == static_cast<int>(d)) m_tracking = -1;
      }
    }
    if (!m_pt[slot].valid) ++m_pt_used;
    pt_entry& n = m_pt[slot];
    enable(slot, false);
    n.valid = true;
    n.instruction_id = e.instruction_id;
    n.last_address = e.address;
    n.stride = 0;
    n.stream_counter = 0;
    n.indirect_counter = 0;
    n.prefetched_until = 0;
    n.stamp = m_clock;
    m_last_slot = slot;
    return;
  }

  m_last_slot = slot;
  pt_entry& p = m_pt[slot];
  p.stamp = m_clock;
  if (e.address != p.last_address) {
    const std::int64_t delta = static_cast<std::int64_t>(e.address - p.last_address);
    if (delta == p.stride) {
      ++p.stream_counter;
    } else {
      p.stride = delta;
      p.stream_counter = 1;
    }
    if (p.stream_counter >= m_stream_threshold) {
      // Streaming index loads: keep the next lines of the index array coming.
      const std::int64_t step =
          (delta > 0 ? 1 : -1) *
          std::max<std::int64_t>(delta > 0 ? delta : -delta, static_cast<std::int64_t>(line()));
      const std::uint64_t from =
          delta >= static_cast<std::int64_t>(line()) || -delta >= static_cast<std::int64_t>(line())
              ? e.address
              : line_of(e.address);
      for (unsigned i = 1; i <= m_stream_distance; ++i) {
        ++m_stream_prefetches;
        issue(e.time, from + static_cast<std::uint64_t>(step * static_cast<std::int64_t>(i)),
              e.instruction_id);
      }
    }
    p.last_address = e.address;
  }

  if (e.value_count == 0 || e.values == nullptr) return;
  if (!p.enabled) {
    observe_index(slot, e.values[0], e.value_count >= 2, e.value_count >= 2 ? e.values[1] : 0);
    return;
  }
  for (std::uint32_t j = 0; j < e.value_count; ++j) record_target(p, target(p, e.values[j]));
  if (p.indirect_counter > m_prefetch_threshold) prefetch_indirect(p, e);
}

void imp_prefetcher::enable(std::size_t slot, bool on) {
  pt_entry& p = m_pt[slot];
  // Only an enabled entry records targets, so a disabled one's ring and filter are already empty.
  if (p.enabled) {
    for (std::uint64_t& t : p.targets) {
      if (t != 0) --m_match_filter[hash(line_of(t))];
      t = 0;
    }
    std::fill(p.filter.begin(), p.filter.end(), 0);
  }
  if (p.enabled != on) {
    if (on)
      m_enabled.push_back(slot);
    else
      m_enabled.erase(std::find(m_enabled.begin(), m_enabled.end(), slot));
  }
  p.enabled = on;
  p.target_pos = 0;
}

void imp_prefetcher::match_targets(std::uint64_t l, std::size_t h) {
  for (const std::size_t slot : m_enabled) {
    pt_entry& p = m_pt[slot];
    if (p.filter[h] == 0) continue;
    const std::size_t n = p.targets.size();
    for (std::size_t k = 0, at = p.match_hint; k < n; ++k, at = at + 1 == n ? 0 : at + 1) {
      std::uint64_t& t = p.targets[at];
      if (t != 0 && line_of(t) == l) {
        t = 0;
        --p.filter[h];
        --m_match_filter[h];
        ++m_matches;
        if (p.indirect_counter < m_max_counter) ++p.indirect_counter;
        p.match_hint = at + 1 == n ? 0 : at + 1;
        break;
      }
    }
  }
}

void imp_prefetcher::record_target(pt_entry& p, std::uint64_t t) {
  std::uint64_t& slot = p.targets[p.target_pos];
  if (slot != 0) {
    const std::size_t old = hash(line_of(slot));
    --p.filter[old];
    --m_match_filter[old];
    if (p.indirect_counter > 0) --p.indirect_counter;  // a prediction nobody used
  }
  slot = t ? t : 1;
  const std::size_t h = hash(line_of(slot));
  ++p.filter[h];
  ++m_match_filter[h];
  if (++p.target_pos == p.targets.size()) p.target_pos = 0;
}

void imp_prefetcher::observe_index(std::size_t pt, std::int64_t index, bool vector_pair,
                                   std::int64_t next_index) {
  std::size_t found = m_ipd.size();
  for (std::size_t d = 0; d < m_ipd.size(); ++d)
    if (m_ipd[d].valid && m_ipd[d].pt == pt) found = d;
  if (found != m_ipd.size() && !vector_pair) {
    ipd_entry& d = m_ipd[found];
    d.stamp = m_clock;
    if (!d.second) {
      d.idx2 = index;
      d.second = true;
      m_tracking = static_cast<int>(found);
    } else {
      // A third index and still no pattern: give the entry up.
      d.valid = false;
      if (m_tracking == static_cast<int>(found)) m_tracking = -1;
    }
    return;
  }
  if (found == m_ipd.size()) {
    found = 0;
    for (std::size_t d = 0; d < m_ipd.size(); ++d) {
      if (!m_ipd[d].valid) {
        found = d;
        break;
      }
      if (m_ipd[d].stamp < m_ipd[found].stamp) found = d;
    }
  }
  ipd_entry& d = m_ipd[found];
  d.valid = true;
  d.pt = pt;
  d.idx1 = index;
  d.idx2 = next_index;
  d.second = vector_pair;  // a vector index load brings both indices at once
  d.misses = 0;
  d.stamp = m_clock;
  m_tracking = static_cast<int>(found);
}

void imp_prefetcher::track_miss(std::uint64_t address, std::uint64_t instruction_id) {
  (void)instruction_id;
  ipd_entry& d = m_ipd[static_cast<std::size_t>(m_tracking)];
  const std::size_t ns = m_shifts.size();
  if (d.second) {
    for (unsigned k = 0; k < d.misses; ++k) {
      for (std::size_t s = 0; s < ns; ++s) {
        if (d.bases[k * ns + s] == address - apply_shift(d.idx2, m_shifts[s])) {
          pt_entry& p = m_pt[d.pt];
          enable(d.pt, true);
          p.base = d.bases[k * ns + s];
          p.shift = m_shifts[s];
          p.indirect_counter = 0;
          ++m_patterns_found;
          d.valid = false;
          m_tracking = -1;
          return;
        }
      }
    }
  }
  if (d.misses < m_addr_array_len) {
    for (std::size_t s = 0; s < ns; ++s)
      d.bases[d.misses * ns + s] = address - apply_shift(d.idx1, m_shifts[s]);
    ++d.misses;
  } else if (!d.second) {
    m_tracking = -1;  // enough candidates: wait for the second index
  }
}

void imp_prefetcher::prefetch_indirect(pt_entry& p, const access_event& e) {
  const unsigned distance = p.indirect_counter * m_max_distance / m_max_counter;
  const std::uint64_t elem = std::max<std::uint32_t>(1, e.size / e.value_count);
  // The targets of this access's own indices (a vector index load brings several at once).
  for (std::uint32_t j = 0; j < e.value_count; ++j) {
    const std::uint64_t at = e.address + j * elem;
    if (at <= p.prefetched_until && p.prefetched_until != 0) continue;
    ++m_indirect_prefetches;
    issue(e.time, target(p, e.values[j]), e.instruction_id);
    p.prefetched_until = at;
  }
  // Future indices, read as the hardware reads the index lines it streamed in.
  if (!values()) return;
  const std::uint64_t last = e.address + (e.value_count - 1) * elem;
  for (unsigned d = 1; d < distance; ++d) {
    const std::uint64_t at = last + d * elem;
    if (at <= p.prefetched_until) continue;
    std::int64_t index = 0;
    if (!values()->read(at, static_cast<std::uint32_t>(elem), index)) break;
    ++m_indirect_prefetches;
    issue(e.time, target(p, index), e.instruction_id);
    p.prefetched_until = at;
  }
}

imp_prefetcher::pattern imp_prefetcher::learned(std::uint64_t index_instruction_id) const {
  for (const pt_entry& p : m_pt)
    if (p.valid && p.instruction_id == index_instruction_id)
      return pattern{p.enabled, p.base, p.shift, p.indirect_counter};
  return {};
}

nlohmann::json imp_prefetcher::final_stats() const {
  nlohmann::json j = prefetcher::final_stats();
  j["patterns_found"] = m_patterns_found;
  j["stream_prefetches"] = m_stream_prefetches;
  j["indirect_prefetches"] = m_indirect_prefetches;
  j["confirmed_targets"] = m_matches;
  return j;
}

}  // namespace nvr::mem
