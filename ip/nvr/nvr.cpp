#include <algorithm>
#include <stdexcept>

#include "ip/npu/machine.h"
#include "ip/nvr/runahead.h"

namespace nvr::runahead {

nvr_config parse_nvr_config(const mem::prefetcher_params& params) {
  mem::param_reader p("nvr", params);
  nvr_config c;
  c.vector_size = static_cast<unsigned>(p.get("vector_size", c.vector_size, 1, 128));
  c.distance = static_cast<unsigned>(p.get("distance", c.distance, 1, 64));
  c.predict = static_cast<unsigned>(p.get("predict", c.predict, 0, 64));
  c.index_degree = static_cast<unsigned>(p.get("index_degree", c.index_degree, 0, 64));
  c.sd_entries = static_cast<unsigned>(p.get("sd_entries", c.sd_entries, 1, 256));
  c.scd_entries = static_cast<unsigned>(p.get("scd_entries", c.scd_entries, 2, 16));
  c.lbd_entries = static_cast<unsigned>(p.get("lbd_entries", c.lbd_entries, 1, 256));
  c.sd = p.get("sd", 1, 0, 1) != 0;
  c.scd = p.get("scd", 1, 0, 1) != 0;
  c.lbd = p.get("lbd", 1, 0, 1) != 0;
  c.fill_depth = static_cast<unsigned>(p.get("fill_depth", c.fill_depth, 0, 4));
  c.cycle_ps = static_cast<time_ps>(p.get("cycle_ps", static_cast<std::int64_t>(c.cycle_ps), 1, 1000000));
  p.finish();
  return c;
}

nvr_prefetcher::nvr_prefetcher(const nvr_config& config)
    : runahead_engine("nvr"),
      m_config(config),
      m_sd(config.sd_entries),
      m_lbd(config.lbd_entries),
      m_scd(config.scd_entries) {
  m_fill_depth = config.fill_depth;
  m_cycle_ps = config.cycle_ps;
}

const std::array<unsigned, 2>& nvr_prefetcher::predicted_words(kind k) {
  // spmm: B's base (w1, the column tile) and the first row (w3); gather/scatter: the index array
  // (w1) and the destination / source rows (w6).
  static const std::array<unsigned, 2> spmm{1, 3}, lookup{1, 6};
  return k == kind::spmm ? spmm : lookup;
}

bool nvr_prefetcher::make_task(const std::array<std::uint32_t, 8>& w, const sparse_config& sparse, task& t) {
  const std::uint8_t op = static_cast<std::uint8_t>(w[0]);
  t.words = w;
  if (op == npu::op_spmm) {
    if (!sparse.valid) return false;
    t.type = kind::spmm;
    t.sparse = sparse;
    t.index_base = sparse.col_idx;
    t.target_base = w[1];
    t.target_stride = w[2];
    t.target_bytes = w[6];
    t.bound = sparse.b_rows;
    t.row = t.first_row = w[3];
    t.row_end = std::int64_t{w[3]} + w[4];
    return w[4] != 0 && w[6] != 0;
  }
  if (op == npu::op_gather || op == npu::op_scatter) {
    const bool gather = op == npu::op_gather;
    const std::uint8_t flags = static_cast<std::uint8_t>(w[0] >> 8);
    const bool acc = (w[6] >> 31) != 0;
    // Table row bytes as ISA.md: scratchpad int8; accumulator int32 (gather with i8: int8).
    const std::uint32_t element = acc && !(gather && (flags & 1)) ? 4 : 1;
    t.type = gather ? kind::gather : kind::scatter;
    t.index_base = w[1];
    t.target_base = w[3];
    t.target_stride = w[5];
    t.target_bytes = w[7] * element;
    t.bound = w[4];
    t.row = 0;
    t.row_end = w[2];
    return w[2] != 0 && w[7] != 0;
  }
  return false;
}

void nvr_prefetcher::train(const task& t) {
  const std::uint8_t op = static_cast<std::uint8_t>(t.words[0]);
  for (unsigned w : predicted_words(t.type)) {
    if (m_config.sd) m_sd.observe(field_key(op, w), t.words[w]);
    if (m_config.lbd) m_lbd.observe(field_key(op, w), t.words[w]);
  }
  m_peak_sd = std::max(m_peak_sd, m_sd.occupancy());
  m_peak_lbd = std::max(m_peak_lbd, m_lbd.occupancy());
}

std::optional<nvr_prefetcher::task> nvr_prefetcher::predict_after(const task& last) const {
  // Without the stride detector the unit cannot tell how the next instruction differs.
  if (!m_config.sd) return std::nullopt;
  const std::uint8_t op = static_cast<std::uint8_t>(last.words[0]);
  std::array<std::uint32_t, 8> next = last.words;
  std::array<field_state, 2> fields = last.fields;
  const auto& words = predicted_words(last.type);
  bool moved = false;
  for (std::size_t i = 0; i < words.size(); ++i) {
    const std::uint64_t key = field_key(op, words[i]);
    const stride_detector::entry* s = m_sd.find(key);
    field_state& f = fields[i];
    if (m_config.lbd && m_lbd.wraps_after(key, f.iteration)) {
      // The loop of this field ends here: the next run starts where this one did, moved as the
      // detector saw run starts move.
      f.value = f.start + m_lbd.find(key)->start_delta;
      f.start = f.value;
      f.iteration = 0;
    } else if (s && stride_detector::confident(*s)) {
      f.value += s->stride;
      ++f.iteration;
    } else {
      continue;
    }
    next[words[i]] = static_cast<std::uint32_t>(f.value);
    moved = true;
  }
  if (!moved) return std::nullopt;
  task t;
  if (!make_task(next, last.sparse, t)) return std::nullopt;
  t.sparse = last.sparse;
  t.predicted = true;
  t.fields = fields;
  return t;
}

bool nvr_prefetcher::same_addresses(const task& a, const task& b) {
  // The fields that decide which lines the instruction reads; the local destination does not.
  return a.type == b.type && a.index_base == b.index_base && a.target_base == b.target_base &&
         a.target_stride == b.target_stride && a.target_bytes == b.target_bytes && a.bound == b.bound &&
         a.first_row == b.first_row && a.row_end == b.row_end && a.sparse.row_ptr == b.sparse.row_ptr;
}

void nvr_prefetcher::top_up_predictions() {
  // At most `predict` instructions past the last one snooped, walked or not.
  while (m_predicted_since_snoop < m_config.predict) {
    const task* last = !m_tasks.empty() ? &m_tasks.back() : (m_last ? &*m_last : nullptr);
    if (!last) return;
    std::optional<task> next = predict_after(*last);
    if (!next) return;
    m_tasks.push_back(*next);
    number(m_tasks.back());
    m_last = m_tasks.back();
    ++m_tasks_predicted;
    ++m_predicted_since_snoop;
  }
}

void nvr_prefetcher::snoop(const mem::instruction_event& e) {
  const std::uint8_t op = static_cast<std::uint8_t>(e.words[0]);
  if (op == npu::op_config_sparse) {
    m_sparse = sparse_config{true, e.words[1], e.words[2], e.words[3], e.words[4]};
    return;
  }
  task t;
  if (!make_task(e.words, m_sparse, t)) return;
  train(t);
  const std::uint8_t opcode = static_cast<std::uint8_t>(t.words[0]);
  const auto& words = predicted_words(t.type);
  for (std::size_t i = 0; i < words.size(); ++i) {
    const loop_bound_detector::entry* l = m_config.lbd ? m_lbd.find(field_key(opcode, words[i])) : nullptr;
    t.fields[i] = field_state{t.words[words[i]], l ? l->iteration : 0, l ? l->start : t.words[words[i]]};
  }
  t.snooped = e.time;

  // The NPU has started this instruction, so the ones the unit walked before are over.
  while (!m_tasks.empty() && !m_tasks.front().predicted) {
    m_tasks.pop_front();
    m_row_open = false;
  }
  // The oldest prediction not confirmed yet: one the unit walked to its end already, else the one
  // it is walking.
  const bool walked = !m_walked.empty();
  std::int64_t position = 0;
  if (walked || !m_tasks.empty()) {
    task& p = walked ? m_walked.front() : m_tasks.front();
    if (same_addresses(p, t)) {
      // Predicted right: the unit is already running ahead inside it (or past it).
      ++m_predict_hits;
      position = p.base_tag;
      if (walked) {
        m_walked.pop_front();
      } else {
        p.predicted = false;
        p.fields = t.fields;
        p.snooped = t.snooped;
      }
    } else {
      ++m_predict_misses;
      m_walked.clear();
      m_tasks.clear();
      m_row_open = false;
      clear_pending();
      m_tasks.push_back(t);
      number(m_tasks.back());
      position = m_tasks.front().base_tag;
    }
  } else {
    m_row_open = false;
    m_tasks.push_back(t);
    number(m_tasks.back());
    position = m_tasks.front().base_tag;
  }
  set_npu_position(position);  // the NPU starts this instruction now
  // Later predictions extend from what is now known.
  while (m_tasks.size() > 1 && m_tasks.back().predicted) m_tasks.pop_back();
  if (!m_tasks.empty())
    m_last = m_tasks.back();
  else if (!m_walked.empty())
    m_last = m_walked.back();
  else
    m_last = t;
  m_predicted_since_snoop = 0;
  top_up_predictions();
  if (!m_tasks.empty())
    set_position(tag_of(m_tasks.front(), m_tasks.front().row), static_cast<std::uint32_t>(m_tasks.size()));
}

void nvr_prefetcher::finish_task() {
  // A prediction walked to its end before the NPU dispatched it stays to be confirmed.
  if (m_tasks.front().predicted) {
    m_walked.push_back(m_tasks.front());
    if (m_walked.size() > 64) m_walked.pop_front();
  }
  m_tasks.pop_front();
  m_row_open = false;
  ++m_tasks_walked;
  top_up_predictions();
}

bool nvr_prefetcher::step(time_ps horizon) {
  if (!m_config.scd) {
    // Without the chain detector there is no chain to walk: only the SD's index streams remain.
    m_tasks.clear();
    set_position(-1, 0);
    return false;
  }
  if (m_tasks.empty()) {
    set_position(-1, 0);
    return false;
  }
  task& t = m_tasks.front();
  const unsigned slot = t.type == kind::spmm ? 0 : 1;
  if (!m_row_open) {
    if (t.row >= t.row_end) {
      finish_task();
      return true;
    }
    if (t.type == kind::spmm) return begin_row(t, horizon);
    // gather / scatter: one chain over [0, count), bounded by the count.
    chain_detector::entry c;
    c.index_base = t.index_base;
    c.target_base = t.target_base;
    c.target_stride = t.target_stride;
    c.index_bound = t.bound;
    c.ss_start = 0;
    c.ss_end = t.row_end;
    c.vector_size = m_config.vector_size;
    m_scd.program(slot, c);
    m_peak_scd = std::max(m_peak_scd, m_scd.occupancy());
    m_bounds_ready = cursor();
    m_row_open = true;
    return true;
  }
  if (m_scd.exhausted(slot)) {
    if (t.type == kind::spmm) {
      ++m_rows;
      m_lines_per_row_x16 = (3 * m_lines_per_row_x16 + 16 * m_row_lines + 2) / 4;
      ++t.row;
      m_row_open = false;
    } else {
      t.row = t.row_end;
      m_row_open = false;
    }
    return true;
  }
  return next_vector(t, horizon);
}

bool nvr_prefetcher::ahead_limit(std::int64_t tag, time_ps horizon) {
  // `distance` tiles of 16 rows (lookups) ahead of the NPU, no further.
  if (tag <= npu_position() + 16 * static_cast<std::int64_t>(m_config.distance)) {
    // Released by the NPU's progress: the unit learns of it at this event, not before.
    if (m_distance_blocked) start_at(horizon);
    m_distance_blocked = false;
    return false;
  }
  ++m_distance_stalls;
  m_distance_blocked = true;
  return true;
}

bool nvr_prefetcher::begin_row(task& t, time_ps horizon) {
  if (ahead_limit(tag_of(t, t.row), horizon)) return false;
  const std::uint64_t at = t.sparse.row_ptr + 4 * static_cast<std::uint64_t>(t.row);
  time_ps r0 = 0, r1 = 0;
  if (!load_index(at, horizon, r0)) return false;
  if (line_of(at + 4) != line_of(at) && !load_index(at + 4, horizon, r1)) return false;
  if (m_config.index_degree != 0)
    prefetch_index(line_of(at + 4) + line(), cursor());  // the next rows' bounds
  std::int64_t start = 0, end = 0;
  if (!read_index(at, start) || !read_index(at + 4, end) || start < 0 || end < start ||
      end - start > (1 << 24)) {
    // Not a row of this matrix (a predicted instruction past its end): stop following it.
    ++m_bad_rows;
    finish_task();
    return true;
  }
  chain_detector::entry c;
  c.index_base = t.index_base;
  c.target_base = t.target_base;
  c.target_stride = t.target_stride;
  c.index_bound = t.bound;
  c.ss_start = start;
  c.ss_end = end;
  c.vector_size = m_config.vector_size;
  m_scd.program(0, c);
  m_peak_scd = std::max(m_peak_scd, m_scd.occupancy());
  m_bounds_ready = std::max(r0, r1);
  m_row_open = true;
  m_row_lines = 0;
  set_position(tag_of(t, t.row), static_cast<std::uint32_t>(m_tasks.size()));
  return true;
}

bool nvr_prefetcher::next_vector(task& t, time_ps horizon) {
  const unsigned slot = t.type == kind::spmm ? 0 : 1;
  if (m_bounds_ready > horizon) return false;  // the row's bounds are not there yet
  start_at(m_bounds_ready);
  const chain_detector::entry& c = m_scd.at(slot);
  const std::int64_t from = c.last_prefetched;
  const std::int64_t to = std::min(from + static_cast<std::int64_t>(m_config.vector_size), c.ss_end);
  if (t.type != kind::spmm && ahead_limit(tag_of(t, from), horizon)) return false;
  const std::uint64_t first_line = line_of(t.index_base + 4 * static_cast<std::uint64_t>(from));
  const std::uint64_t last_line = line_of(t.index_base + 4 * static_cast<std::uint64_t>(to - 1));
  time_ps ready = cursor();
  for (std::uint64_t l = first_line; l <= last_line; l += line()) {
    time_ps r = 0;
    if (!load_index(l, horizon, r, tag_of(t, t.type == kind::spmm ? t.row : from))) return false;
    ready = std::max(ready, r);
  }
  // The index stream is striding: keep index_degree more lines of it in flight, so the chain does
  // not wait a memory latency per vector.
  for (unsigned k = 1; k <= m_config.index_degree; ++k) prefetch_index(last_line + k * line(), cursor());
  if (ready > horizon) return false;  // the indices arrive later
  std::vector<lane> lanes = m_scd.next_vector(slot);
  for (lane& l : lanes) {
    std::int64_t index = 0;
    if (l.active && read_index(t.index_base + 4 * static_cast<std::uint64_t>(l.position), index))
      m_scd.resolve(slot, l, index);
    else
      l.active = false;
  }
  const std::vector<std::uint64_t> lines = m_vmig.lines(lanes, t.target_bytes);
  queue_lines(lines, ready, tag_of(t, t.type == kind::spmm ? t.row : from));
  if (t.type == kind::spmm) {
    m_row_lines += lines.size();
  } else {
    const std::uint64_t active = static_cast<std::uint64_t>(to - from);
    m_lines_per_row_x16 =
        (3 * m_lines_per_row_x16 + (16 * lines.size()) / std::max<std::uint64_t>(active, 1) + 2) / 4;
    set_position(tag_of(t, to), static_cast<std::uint32_t>(m_tasks.size()));
  }
  return true;
}

void nvr_prefetcher::demand(const mem::access_event& e) {
  // The SD also watches the NPU's index loads (row_ptr, col_idx, values, gather/scatter indices):
  // a confident stride streams the index array index_degree lines ahead, so the sparse unit's own
  // index loads hit (the entry's last-prefetch field keeps each line to one request).
  if (!m_config.sd || m_config.index_degree == 0) return;
  switch (e.instruction_id) {
    case npu::stream_spmm_row_ptr:
    case npu::stream_spmm_col_idx:
    case npu::stream_spmm_values:
    case npu::stream_gather_index:
    case npu::stream_scatter_index:
      break;
    default:
      return;
  }
  const std::uint64_t key = (std::uint64_t{1} << 32) | e.instruction_id;
  m_sd.observe(key, static_cast<std::int64_t>(e.line_address));
  m_peak_sd = std::max(m_peak_sd, m_sd.occupancy());
  stride_detector::entry* s = m_sd.find(key);
  if (!stride_detector::confident(*s) || s->stride == 0) return;
  const std::int64_t line_now = static_cast<std::int64_t>(e.line_address);
  const std::int64_t step = s->stride;
  // Restart the stream when the NPU left the window the last prefetches cover: it jumped past
  // them, or back (the next instruction reads the array again).
  const std::int64_t ahead = (s->last_prefetch - line_now) / step;
  if (ahead < 0 || ahead > static_cast<std::int64_t>(m_config.index_degree)) s->last_prefetch = line_now;
  for (unsigned k = 1; k <= m_config.index_degree; ++k) {
    const std::int64_t target = line_now + step * static_cast<std::int64_t>(k);
    if ((step > 0 && target <= s->last_prefetch) || (step < 0 && target >= s->last_prefetch)) continue;
    prefetch_index(static_cast<std::uint64_t>(target), e.time);
    s->last_prefetch = target;
  }
}

void nvr_prefetcher::disabled() {
  m_tasks.clear();
  m_walked.clear();
  m_last.reset();
  m_row_open = false;
}

std::size_t nvr_prefetcher::window_lines() const {
  // The distance limits how far ahead the unit runs; this keeps its unused lines within half the
  // cache, so that it does not evict what it prefetched before the NPU uses it.
  return static_cast<std::size_t>(std::max<std::uint64_t>(capacity() / 2, 1));
}

nlohmann::json to_json(const nvr_config& c) {
  return {{"vector_size", c.vector_size},
          {"distance_tiles", c.distance},
          {"predict", c.predict},
          {"index_degree", c.index_degree},
          {"sd", c.sd},
          {"scd", c.scd},
          {"lbd", c.lbd}};
}

nlohmann::json nvr_prefetcher::model_stats() const {
  return nlohmann::json{
      {"config", to_json(m_config)},
      {"tables",
       {{"sd", {{"entries", m_sd.size()}, {"occupied", m_sd.occupancy()}, {"peak", m_peak_sd}}},
        {"lbd", {{"entries", m_lbd.size()}, {"occupied", m_lbd.occupancy()}, {"peak", m_peak_lbd}}},
        {"scd", {{"entries", m_scd.size()}, {"occupied", m_scd.occupancy()}, {"peak", m_peak_scd}}}}},
      {"instructions",
       {{"walked", m_tasks_walked},
        {"predicted", m_tasks_predicted},
        {"predictions_correct", m_predict_hits},
        {"predictions_wrong", m_predict_misses}}},
      {"rows", {{"walked", m_rows}, {"invalid", m_bad_rows}, {"lines_per_row_x16", m_lines_per_row_x16}}},
      {"distance_stalls", m_distance_stalls},
      {"vectors",
       {{"issued", m_vmig.vectors()},
        {"active_lanes", m_vmig.active_lanes()},
        {"masked_lanes", m_vmig.masked_lanes()},
        {"lines", m_vmig.line_count()}}}};
}

}  // namespace nvr::runahead
