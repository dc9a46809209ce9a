#include <algorithm>
#include <stdexcept>
#include <systemc>

#include "core/trace/vcd.h"
#include "ip/cache/mem_trace.h"
#include "ip/npu/machine.h"
#include "ip/nvr/runahead.h"

namespace nvr::runahead {

// The VCD signals of a runahead unit (group nvr): whether it has work, how far it is (its row or
// lookup position) against the NPU's (the position of the last line it prefetched that a demand
// used), how many instructions it holds, and its prefetches in flight and unused lines.
struct runahead_engine::trace_signals {
  explicit trace_signals(const std::string& prefix)
      : active(prefix + ".active", 1, "nvr"),
        runahead_position(prefix + ".runahead_position", 32, "nvr", trace::format::decimal),
        npu_position(prefix + ".npu_position", 32, "nvr", trace::format::decimal),
        tasks(prefix + ".instructions_ahead", 8, "nvr", trace::format::decimal),
        window(prefix + ".unused_lines", 16, "nvr", trace::format::decimal),
        in_flight(prefix + ".prefetches_in_flight", "nvr", 16) {}
  trace::signal active, runahead_position, npu_position, tasks, window;
  mem::occupancy_trace in_flight;
  std::int64_t last_runahead = -1, last_npu = -1;
  std::uint32_t last_tasks = ~0u;
  std::size_t last_window = ~std::size_t{0};
  int last_active = -1;
};

runahead_engine::runahead_engine(std::string name) : prefetcher(std::move(name)) {
  use_hooks(true, false, true);  // on_access, on_fill, on_instruction
}

runahead_engine::~runahead_engine() = default;

void runahead_engine::enable_tracing(const std::string& prefix) {
  m_trace = std::make_unique<trace_signals>(prefix);
}

time_ps runahead_engine::trace_time(time_ps t) const {
  // The unit's own times may trail the kernel's (it catches up at the NPU's next event).
  return std::max<time_ps>(t, sc_core::sc_time_stamp().value());
}

void runahead_engine::set_position(std::int64_t runahead, std::uint32_t tasks_ahead) {
  if (!m_trace || !m_trace->active.enabled()) return;
  const sc_core::sc_time at = mem::to_sc_time(trace_time(m_cursor));
  // Idle (-1) keeps the last position: the `active` signal says the unit stopped.
  if (runahead >= 0 && runahead != m_trace->last_runahead) {
    m_trace->last_runahead = runahead;
    m_trace->runahead_position.record(at, static_cast<std::uint64_t>(runahead));
  }
  if (tasks_ahead != m_trace->last_tasks) {
    m_trace->last_tasks = tasks_ahead;
    m_trace->tasks.record(at, tasks_ahead);
  }
  const int active = tasks_ahead > 0 || !m_pending.empty() ? 1 : 0;
  if (active != m_trace->last_active) {
    m_trace->last_active = active;
    m_trace->active.record(at, static_cast<std::uint64_t>(active));
  }
}

std::uint64_t runahead_engine::capacity() const {
  const std::uint64_t c = sink() ? sink()->capacity_lines() : 0;
  return c != 0 ? c : 256;
}

// The cache as the unit sees it, with every question and answer written to the recording.
struct runahead_engine::recording_sink final : mem::prefetch_sink {
  recording_sink(mem::prefetch_sink& cache, std::ostream& out) : m_cache(cache), m_out(out) {}
  mem::prefetch_status prefetch(time_ps now, std::uint64_t address, unsigned depth,
                                std::uint64_t instruction_id) override {
    const mem::prefetch_status st = m_cache.prefetch(now, address, depth, instruction_id);
    m_out << "Q " << now << std::hex << " 0x" << address << std::dec << ' ' << depth << std::hex << " 0x"
          << instruction_id << std::dec << ' ' << static_cast<unsigned>(st) << '\n';
    return st;
  }
  std::uint32_t line_size() const override { return m_cache.line_size(); }
  time_ps line_ready(std::uint64_t address) const override {
    const time_ps r = m_cache.line_ready(address);
    m_out << "L" << std::hex << " 0x" << address << std::dec << ' ' << r << '\n';
    return r;
  }
  time_ps prefetch_free(time_ps now) const override {
    const time_ps r = m_cache.prefetch_free(now);
    m_out << "P " << now << ' ' << r << '\n';
    return r;
  }
  std::uint64_t capacity_lines() const override {
    // A property of the cache, not a question of the moment: written once.
    const std::uint64_t c = m_cache.capacity_lines();
    if (!m_capacity_written) m_out << "C " << c << '\n';
    m_capacity_written = true;
    return c;
  }
  mem::prefetch_sink& m_cache;
  std::ostream& m_out;
  mutable bool m_capacity_written = false;
};

void runahead_engine::record_events(std::ostream* out) {
  if (m_record || !out || !sink()) throw std::logic_error("runahead: record_events once, after attach()");
  m_record = out;
  *m_record << "nvr-events 1\n";
  m_record_sink = std::make_unique<recording_sink>(*sink(), *out);
  attach(m_record_sink.get(), values());
}

void runahead_engine::on_enable(time_ps time, bool enabled) {
  if (m_record) *m_record << "E " << time << ' ' << (enabled ? 1 : 0) << '\n';
  m_enable_events.emplace_back(time, enabled);
}

void runahead_engine::on_instruction(const mem::instruction_event& e) {
  if (m_record) {
    *m_record << "I " << e.time << ' ' << e.sequence << std::hex;
    for (std::uint32_t w : e.words) *m_record << " 0x" << w;
    *m_record << std::dec << '\n';
  }
  advance(e.time);
  if (!m_enabled) {
    // The sparse state is latched even while off: firmware may configure a matrix with runahead
    // off and switch it on before the spmm (else the unit would follow the previous matrix).
    const auto& w = e.words;
    if (static_cast<std::uint8_t>(w[0]) == npu::op_config_sparse)
      m_sparse = sparse_config{true, w[1], w[2], w[3], w[4]};
    return;
  }
  ++m_instructions;
  start_at(e.time);
  snoop(e);
  advance(e.time);
}

void runahead_engine::on_access(const mem::access_event& e) {
  // The hooks of the unit's own prefetches (the cache calls them inside prefetch()) marked '+'.
  if (m_record) {
    const unsigned flags =
        (e.is_write ? 1u : 0u) | (e.hit ? 2u : 0u) | (e.in_flight ? 4u : 0u) | (e.prefetch_hit ? 8u : 0u);
    *m_record << (m_advancing ? "+A " : "A ") << e.time << std::hex << " 0x" << e.address << " 0x"
              << e.line_address << std::dec << ' ' << e.size << std::hex << " 0x" << e.instruction_id
              << std::dec << ' ' << flags << ' ' << (e.values ? e.value_count : 0);
    for (std::uint32_t i = 0; e.values && i < e.value_count; ++i) *m_record << ' ' << e.values[i];
    *m_record << '\n';
  }
  const auto it = m_outstanding.find(e.line_address);
  if (it != m_outstanding.end()) {
    ++m_used;
    m_outstanding.erase(it);
  }
  if (const auto g = m_generated.find(e.line_address); g != m_generated.end() && g->second > m_npu_position) {
    m_npu_position = g->second;
    if (m_trace && m_trace->npu_position.enabled() && m_npu_position != m_trace->last_npu) {
      m_trace->last_npu = m_npu_position;
      m_trace->npu_position.record(mem::to_sc_time(trace_time(e.time)),
                                   static_cast<std::uint64_t>(std::max<std::int64_t>(m_npu_position, 0)));
    }
  }
  if (m_enabled) demand(e);
  advance(e.time);
}

void runahead_engine::on_fill(const mem::fill_event& e) {
  if (m_record && !m_advancing) {
    const unsigned flags =
        (e.prefetch ? 1u : 0u) | (e.evicted ? 2u : 0u) | (e.evicted_unused_prefetch ? 4u : 0u);
    *m_record << (m_advancing ? "+F " : "F ") << e.time << ' ' << e.ready << std::hex << " 0x"
              << e.line_address << std::dec << ' ' << flags << std::hex << " 0x" << e.evicted_line_address
              << std::dec << '\n';
  }
  if (e.evicted && m_outstanding.erase(e.evicted_line_address)) ++m_evicted_unused;
}

void runahead_engine::expire(time_ps now) {
  // Lines a demand never used and whose eviction the unit did not see (prefetched into the level
  // below) leave the window after m_expiry_ps.
  while (!m_issue_order.empty() && m_issue_order.front().first + m_expiry_ps < now) {
    const auto it = m_outstanding.find(m_issue_order.front().second);
    if (it != m_outstanding.end() && it->second == m_issue_order.front().first) {
      m_outstanding.erase(it);
      ++m_expired;
    }
    m_issue_order.pop_front();
  }
}

void runahead_engine::advance(time_ps horizon) {
  if (m_advancing) return;  // a prefetch's own hooks
  m_advancing = true;
  while (!m_enable_events.empty() && m_enable_events.front().first <= horizon) {
    const bool on = m_enable_events.front().second;
    m_enable_events.pop_front();
    if (on != m_enabled) {
      ++m_toggles;
      m_enabled = on;
      if (!on) {
        clear_pending();
        m_index_pending.clear();
        disabled();
      }
    }
  }
  if (m_enabled) {
    expire(horizon);
    // Bounded, so a model bug shows as a stall rather than a hang.
    for (unsigned guard = 0; guard < 100000; ++guard) {
      if (!drain(horizon)) break;
      if (!step(horizon)) break;
    }
  }
  if (m_trace && m_trace->window.enabled() && m_outstanding.size() != m_trace->last_window) {
    m_trace->last_window = m_outstanding.size();
    m_trace->window.record(mem::to_sc_time(trace_time(horizon)), m_outstanding.size());
  }
  m_advancing = false;
}

bool runahead_engine::load_index(std::uint64_t address, time_ps horizon, time_ps& ready, std::int64_t tag) {
  mem::prefetch_sink* s = sink();
  const std::uint64_t line = line_of(address);
  if (tag >= 0) remember(line, tag);
  if (!s) {
    ready = m_cursor;
    return true;
  }
  if (const time_ps r = s->line_ready(line); r != 0) {
    ++m_index_load_hits;
    ready = std::max(r, m_cursor);
    return true;
  }
  const time_ps free = s->prefetch_free(m_cursor);
  if (free > horizon) {
    ++m_mshr_waits;
    return false;
  }
  m_cursor = free;
  s->prefetch(m_cursor, line, 0, m_index_stream);
  ++m_index_loads;
  const time_ps r = s->line_ready(line);
  ready = std::max(r, m_cursor);
  m_cursor += m_cycle_ps;
  return true;
}

void runahead_engine::prefetch_index(std::uint64_t line, time_ps now) {
  mem::prefetch_sink* s = sink();
  if (!s || s->line_ready(line) != 0) return;
  // Index lines gate everything after them: they go before any queued data line, and wait for a
  // prefetch MSHR rather than being dropped (unless too many are queued already).
  if (m_index_pending.size() >= 64) {
    ++m_stream_dropped;
    return;
  }
  if (std::find_if(m_index_pending.begin(), m_index_pending.end(),
                   [line](const std::pair<std::uint64_t, time_ps>& p) { return p.first == line; }) !=
      m_index_pending.end())
    return;
  m_index_pending.emplace_back(line, now);
}

bool runahead_engine::drain_index(time_ps horizon) {
  mem::prefetch_sink* s = sink();
  while (!m_index_pending.empty()) {
    const auto [line, not_before] = m_index_pending.front();
    if (s->line_ready(line) != 0) {
      m_index_pending.pop_front();
      continue;
    }
    const time_ps free = s->prefetch_free(std::max(not_before, m_cursor));
    if (free > horizon) return false;
    s->prefetch(free, line, 0, m_index_stream);
    ++m_stream_prefetches;
    m_index_pending.pop_front();
  }
  return true;
}

bool runahead_engine::read_value(std::uint64_t address, std::uint32_t bytes, std::int64_t& value) const {
  const bool ok = values()->read(address, bytes, value);
  if (m_record)
    *m_record << "R " << std::hex << "0x" << address << std::dec << ' ' << bytes << ' ' << (ok ? 1 : 0) << ' '
              << (ok ? value : 0) << '\n';
  return ok;
}

bool runahead_engine::read_index(std::uint64_t address, std::int64_t& value) const {
  if (!values()) return false;
  std::int64_t v = 0;
  if (!read_value(address, 4, v)) return false;
  value = static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
  return true;
}

void runahead_engine::queue_lines(const std::vector<std::uint64_t>& lines, time_ps not_before,
                                  std::int64_t tag) {
  ++m_vectors_queued;
  for (std::uint64_t l : lines) {
    m_pending.push_back({l, not_before, tag, m_vectors_queued});
    remember(l, tag);
  }
  m_lines_queued += lines.size();
}

void runahead_engine::remember(std::uint64_t line, std::int64_t tag) {
  auto [it, fresh] = m_generated.try_emplace(line, tag);
  it->second = tag;
  if (fresh) m_generated_order.push_back(line);
  // Remember the tags of the last lines only: enough to place the NPU within the runahead window.
  while (m_generated_order.size() > 16384) {
    m_generated.erase(m_generated_order.front());
    m_generated_order.pop_front();
  }
}

bool runahead_engine::drain(time_ps horizon) {
  mem::prefetch_sink* s = sink();
  if (s && !drain_index(horizon)) return false;
  while (!m_pending.empty()) {
    const queued_line q = m_pending.front();
    if (q.not_before > horizon) return false;
    std::int64_t probe = 0;
    if (values() && !read_value(q.line, 1, probe)) {
      ++m_lines_unmapped;  // no memory there: the bus would refuse it
      m_pending.pop_front();
      continue;
    }
    if (s && s->line_ready(q.line) != 0) {
      ++m_lines_redundant;
      m_pending.pop_front();
      continue;
    }
    if (m_outstanding.size() >= window_lines()) {
      ++m_window_stalls;
      m_window_blocked = true;
      return false;
    }
    // A full window frees up by a demand use, an eviction or expiry: at this event, not before.
    if (m_window_blocked) start_at(horizon);
    m_window_blocked = false;
    // One vector prefetch per cycle: its lines go to the cache together (each still needs a
    // prefetch MSHR).
    const bool same_vector = q.vector == m_last_vector;
    const time_ps at = std::max(same_vector ? m_vector_time : m_cursor, q.not_before);
    const time_ps free = s ? s->prefetch_free(at) : at;
    if (free > horizon) {
      ++m_mshr_waits;
      return false;
    }
    if (!same_vector) {
      m_last_vector = q.vector;
      m_cursor = free + m_cycle_ps;
    }
    m_vector_time = free;
    const mem::prefetch_status st = issue(free, q.line, m_index_stream + 1);
    m_pending.pop_front();
    if (st == mem::prefetch_status::issued) {
      ++m_lines_issued;
      m_outstanding[q.line] = free;
      m_issue_order.emplace_back(free, q.line);
      m_peak_outstanding = std::max(m_peak_outstanding, m_outstanding.size());
      if (m_trace && m_trace->in_flight.enabled() && s) {
        // For the VCD only: not a question of the unit's, so not recorded.
        const time_ps ready = (m_record_sink ? &m_record_sink->m_cache : s)->line_ready(q.line);
        if (ready > free) m_trace->in_flight.acquire(trace_time(free), trace_time(ready));
      }
    } else {
      ++m_lines_redundant;
    }
  }
  return true;
}

nlohmann::json runahead_engine::final_stats() const {
  nlohmann::json j = prefetcher::final_stats();
  j["enabled_at_end"] = m_enabled;
  j["enable_toggles"] = m_toggles;
  j["instructions_snooped"] = m_instructions;
  j["index_loads"] = {{"issued", m_index_loads}, {"present", m_index_load_hits}};
  j["index_stream_prefetches"] = {{"issued", m_stream_prefetches}, {"dropped", m_stream_dropped}};
  j["lines"] = {{"queued", m_lines_queued},
                {"issued", m_lines_issued},
                {"redundant", m_lines_redundant},
                {"unmapped", m_lines_unmapped},
                {"used", m_used},
                {"evicted_unused", m_evicted_unused},
                {"expired", m_expired},
                {"unused_at_end", m_outstanding.size()}};
  j["window"] = {{"lines", window_lines() == ~std::size_t{0} ? nlohmann::json("unbounded")
                                                             : nlohmann::json(window_lines())},
                 {"peak_unused_lines", m_peak_outstanding},
                 {"stalls", m_window_stalls}};
  j["mshr_waits"] = m_mshr_waits;
  j["model"] = model_stats();
  return j;
}

}  // namespace nvr::runahead
