#include "ip/npu/npu.h"

#include <algorithm>
#include <cstring>
#include <limits>
#include <stdexcept>

namespace nvr::npu {

// DRAM data through the bus: DMI when the target grants it, b_transport otherwise. Its delay is
// ignored: the hierarchy times every request.
class npu::dram_access final : public memory_port {
 public:
  explicit dram_access(npu& owner) : m_owner(owner) {}

  bool read(std::uint64_t address, std::uint8_t* data, std::uint32_t size) override {
    return transfer(tlm::TLM_READ_COMMAND, address, data, size);
  }
  bool write(std::uint64_t address, const std::uint8_t* data, std::uint32_t size) override {
    return transfer(tlm::TLM_WRITE_COMMAND, address, const_cast<std::uint8_t*>(data), size);
  }
  // Side-effect-free read for the prefetchers' value source.
  bool peek(std::uint64_t address, std::uint8_t* data, std::uint32_t size) {
    if (std::uint8_t* p = direct(address, size, tlm::TLM_READ_COMMAND)) {
      std::memcpy(data, p, size);
      return true;
    }
    tlm::tlm_generic_payload payload;
    payload.set_command(tlm::TLM_READ_COMMAND);
    payload.set_address(address);
    payload.set_data_ptr(data);
    payload.set_data_length(size);
    payload.set_streaming_width(size);
    return m_owner.dma->transport_dbg(payload) == size;
  }
  void invalidate(std::uint64_t start, std::uint64_t end) {
    if (m_dmi_valid && start <= m_dmi.get_end_address() && end >= m_dmi.get_start_address()) {
      m_dmi_valid = false;
      m_dmi_tried = false;
    }
  }

 private:
  std::uint8_t* direct(std::uint64_t address, std::uint32_t size, tlm::tlm_command command) {
    if (!m_dmi_valid && !m_dmi_tried) {
      m_dmi_tried = true;
      tlm::tlm_generic_payload payload;
      payload.set_command(command);
      payload.set_address(address);
      m_dmi.init();
      m_dmi_valid = m_owner.dma->get_direct_mem_ptr(payload, m_dmi) && m_dmi.is_read_write_allowed();
    }
    if (!m_dmi_valid || address < m_dmi.get_start_address() || address + size - 1 > m_dmi.get_end_address())
      return nullptr;
    return m_dmi.get_dmi_ptr() + (address - m_dmi.get_start_address());
  }

  bool transfer(tlm::tlm_command command, std::uint64_t address, std::uint8_t* data, std::uint32_t size) {
    if (size == 0) return true;
    if (std::uint8_t* p = direct(address, size, command)) {
      if (command == tlm::TLM_READ_COMMAND)
        std::memcpy(data, p, size);
      else
        std::memcpy(p, data, size);
      return true;
    }
    tlm::tlm_generic_payload payload;
    payload.set_command(command);
    payload.set_address(address);
    payload.set_data_ptr(data);
    payload.set_data_length(size);
    payload.set_streaming_width(size);
    payload.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    m_owner.dma->b_transport(payload, delay);
    if (payload.is_dmi_allowed()) m_dmi_tried = false;
    return payload.get_response_status() == tlm::TLM_OK_RESPONSE;
  }

  npu& m_owner;
  tlm::tlm_dmi m_dmi;
  bool m_dmi_valid = false;
  bool m_dmi_tried = false;
};

class npu::dram_values final : public mem::value_source {
 public:
  explicit dram_values(dram_access& port) : m_port(port) {}
  bool read(std::uint64_t address, std::uint32_t bytes, std::int64_t& value) const override {
    if (bytes == 0 || bytes > 8) return false;
    std::uint8_t raw[8] = {};
    if (!m_port.peek(address, raw, bytes)) return false;
    std::uint64_t v = 0;
    for (unsigned i = 0; i < bytes; ++i) v |= std::uint64_t{raw[i]} << (8 * i);
    const unsigned shift = 64 - 8 * bytes;
    value = static_cast<std::int64_t>(v << shift) >> shift;
    return true;
  }

 private:
  dram_access& m_port;
};

void npu::level_trace::flush(time_ps horizon) {
  while (!m_deltas.empty() && m_deltas.begin()->first < horizon) {
    const auto [t, delta] = *m_deltas.begin();
    m_deltas.erase(m_deltas.begin());
    if (delta == 0) continue;
    m_level += delta;
    const sc_core::sc_time at = sc_core::sc_time::from_value(t);
    m_signal.record(std::max(at, sc_core::sc_time_stamp()), static_cast<std::uint64_t>(m_level));
  }
}

namespace {
const char* const opcode_names[op_count] = {"nop",     "config_store",  "mvin", "mvout",  "matmul", "gather",
                                            "scatter", "config_sparse", "spmm", "vector", "fence",  "irq"};
}

npu::npu(const sc_core::sc_module_name& name, const npu_config& config)
    : peripheral(name),
      m_config(config),
      m_machine(machine_config{config.dram_base, config.dram_size}),
      m_cycles_stat(
          *this, "cycles", [this] { return total_cycles(); }, "NPU cycles while busy, since power-on"),
      m_retired_stat(
          *this, "retired", [this] { return total_retired(); }, "instructions completed, since power-on") {
  if (m_config.clock_period_ps == 0) throw std::invalid_argument("npu: clock period must be positive");
  if (m_config.max_outstanding == 0) throw std::invalid_argument("npu: max_outstanding must be positive");
  if (m_config.queue_depth == 0) throw std::invalid_argument("npu: queue_depth must be positive");
  if (sc_core::sc_get_time_resolution() != sc_core::sc_time(1, sc_core::SC_PS))
    throw std::invalid_argument("npu: the kernel's time resolution must be 1 ps");
  m_port = std::make_unique<dram_access>(*this);
  m_values = std::make_unique<dram_values>(*m_port);
  m_memory = std::make_unique<mem::hierarchy>(std::string(this->name()) + ".memory", m_config.memory,
                                              m_config.memory_environment, m_values.get());
  dma.register_invalidate_direct_mem_ptr(this, &npu::invalidate_dmi);
  for (unsigned op = 0; op < op_count; ++op)
    m_instructions.push_back(
        std::make_unique<stats::counter>(*this, std::string("instructions.") + opcode_names[op],
                                         std::string(opcode_names[op]) + " instructions"));
  for (unsigned u = 0; u < unit_count; ++u) {
    const std::string unit_name = to_string(static_cast<unit>(u));
    m_busy_cycles[u] = std::make_unique<stats::counter>(*this, "busy_cycles." + unit_name,
                                                        "cycles the " + unit_name + " unit was busy");
    m_busy_signals[u] = std::make_unique<trace::signal>(*this, unit_name + "_busy", 1, "npu");
    m_queue_traces[u] = std::make_unique<level_trace>(*this, unit_name + "_queue", 4);
  }
  // After the NPU's own signals, so the VCD groups list reads npu, cache, dram.
  m_memory->enable_tracing(std::string(this->name()) + ".memory");

  for (core::reg_base* r : registers()) r->set_min_access_size(4);

  ctrl.on_write([this](std::uint32_t v, const core::access_context& c) {
    const time_ps t = to_ps(c.time);
    if (v & ctrl_reset) do_reset(t);
    const bool enable = (v & ctrl_enable) != 0;
    if (enable && !m_enabled) {
      m_enable_time = t;
      m_kick.notify(c.time - sc_core::sc_time_stamp());
    }
    m_enabled = enable;
    const bool nvr_on = (v & ctrl_nvr_enable) != 0;
    if (m_snoop && nvr_on != ((ctrl.get() & ctrl_nvr_enable) != 0)) m_snoop->enable(t, nvr_on);
    ctrl.set(v & (ctrl_enable | ctrl_nvr_enable));
  });
  status.on_read([this](const core::access_context& c) {
    const time_ps t = to_ps(c.time);
    std::uint32_t s = 0;
    if (m_all_done > t || (!m_halted && m_enabled && m_head != m_tail)) s |= status_busy;
    if (m_halted && t >= m_error_time) s |= status_error;
    return s;
  });
  ring_base.on_write([this](std::uint32_t v, const core::access_context& c) {
    // Only while idle (ISA.md); the low five bits are zero (32-byte aligned).
    if (m_all_done > to_ps(c.time) || m_head != m_tail) return;
    ring_base.set(v & ~31u);
  });
  ring_size.on_write([this](std::uint32_t v, const core::access_context& c) {
    if (m_all_done > to_ps(c.time) || m_head != m_tail) return;
    if (v >= 2 && v <= 65536 && mem::is_power_of_two(v)) ring_size.set(v);
  });
  ring_head.on_read([this](const core::access_context& c) {
    const time_ps t = to_ps(c.time);
    const auto ahead =
        std::count_if(m_fetch_times.begin(), m_fetch_times.end(), [t](time_ps f) { return f > t; });
    return m_head - static_cast<std::uint32_t>(ahead);
  });
  ring_tail.on_read([this](const core::access_context&) { return m_tail; });
  ring_tail.on_write([this](std::uint32_t v, const core::access_context& c) {
    const time_ps t = to_ps(c.time);
    if (m_halted) return;
    if (v - m_head > ring_size.get()) {
      fail(error::ring_overflow, v, m_head, t, t);
      return;
    }
    m_tail = v;
    m_doorbells.emplace_back(v, t);
    m_kick.notify(c.time - sc_core::sc_time_stamp());
  });
  irq_status.on_read([this](const core::access_context& c) {
    if (!c.debug) settle(to_ps(c.time));
    return irq_status.get();
  });
  irq_status.on_write([this](std::uint32_t v, const core::access_context& c) {
    const time_ps t = to_ps(c.time);
    settle(t);
    irq_status.set(irq_status.get() & ~v);
    update_line(t);
  });
  irq_enable.on_write([this](std::uint32_t v, const core::access_context& c) {
    irq_enable.set(v & (irq_done | irq_error));
    update_line(to_ps(c.time));
  });
  irq_tag.on_read([this](const core::access_context& c) {
    if (!c.debug) settle(to_ps(c.time));
    return irq_tag.get();
  });
  cycles_lo.on_read([this](const core::access_context&) { return static_cast<std::uint32_t>(cycles()); });
  cycles_hi.on_read(
      [this](const core::access_context&) { return static_cast<std::uint32_t>(cycles() >> 32); });
  retired.on_read([this](const core::access_context& c) {
    const time_ps t = to_ps(c.time);
    const auto ahead =
        std::count_if(m_retire_times.begin(), m_retire_times.end(), [t](time_ps f) { return f > t; });
    return static_cast<std::uint32_t>(m_retired - static_cast<std::uint64_t>(ahead));
  });
  auto busy = [this](unit u) {
    return [this, u](const core::access_context&) {
      return static_cast<std::uint32_t>(m_unit_busy_ps[static_cast<unsigned>(u)] / m_config.clock_period_ps);
    };
  };
  load_busy.on_read(busy(unit::load));
  exec_busy.on_read(busy(unit::execute));
  store_busy.on_read(busy(unit::store));
  sparse_busy.on_read(busy(unit::sparse));
  dma_reads.on_read(
      [this](const core::access_context&) { return static_cast<std::uint32_t>(m_dma_read_count); });
  dma_writes.on_read(
      [this](const core::access_context&) { return static_cast<std::uint32_t>(m_dma_write_count); });

  do_reset(0, false);
  SC_THREAD(run);
}

npu::~npu() = default;

void npu::end_of_elaboration() {
  if (nvr_snoop.size() != 0) m_snoop = nvr_snoop[0];
  if (m_snoop) m_snoop->enable(0, (ctrl.get() & ctrl_nvr_enable) != 0);  // CTRL resets to 0
}

void npu::invalidate_dmi(sc_dt::uint64 start, sc_dt::uint64 end) { m_port->invalidate(start, end); }

}  // namespace nvr::npu

namespace nvr::npu {

npu::time_ps npu::to_ps(const sc_core::sc_time& t) { return t.value(); }
sc_core::sc_time npu::to_time(time_ps t) const { return sc_core::sc_time::from_value(t); }
npu::time_ps npu::now_ps() const { return to_ps(sc_core::sc_time_stamp()); }
sc_core::sc_time npu::idle_time() const { return to_time(m_all_done); }

void npu::reset() {
  peripheral::reset();
  m_enabled = false;
  do_reset(now_ps());
  m_busy_ps_before_resets = 0;
  m_retired_before_resets = 0;
}

void npu::do_reset(time_ps now, bool drive) {
  m_halted = false;
  m_head = m_tail = 0;
  m_doorbells.clear();
  m_irq_events.clear();
  m_tag_events.clear();
  error_code.set(0);
  fault_index.set(0);
  fault_info.set(0);
  irq_status.set(0);
  irq_tag.set(0);
  m_machine.reset();
  // Aborted work is forgotten: every resource is free from the reset on.
  m_fetch_line = ~std::uint64_t{0};
  m_last_seq = ~0u;
  m_fetch_done = m_fetch_issue = m_dispatch = m_barrier = m_all_done = now;
  m_recent_dispatch.fill(now);
  m_unit_free.fill(now);
  for (auto& q : m_queue_starts) q.clear();
  m_inflight.clear();
  m_inflight_first = 0;
  m_spad_write.assign(spad_rows, now);
  m_spad_read.assign(spad_rows, now);
  m_acc_write.assign(acc_rows, now);
  m_acc_read.assign(acc_rows, now);
  m_busy_ps_before_resets += m_busy_ps;
  m_retired_before_resets += m_retired;
  m_busy_ps = 0;
  m_unit_busy_ps.fill(0);
  m_retired = m_dma_read_count = m_dma_write_count = 0;
  m_fetch_times.clear();
  m_retire_times.clear();
  if (drive) update_line(now);
}

void npu::settle(time_ps now) {
  while (!m_irq_events.empty() && m_irq_events.front().first <= now) {
    irq_status.set(irq_status.get() | m_irq_events.front().second);
    m_irq_events.pop_front();
  }
  while (!m_tag_events.empty() && m_tag_events.front().first <= now) {
    irq_tag.set(m_tag_events.front().second);
    m_tag_events.pop_front();
  }
}

void npu::update_line(time_ps now) {
  settle(now);
  std::uint32_t bits = irq_status.get();
  const std::uint32_t enabled = irq_enable.get();
  m_irq_driver.set((bits & enabled) != 0, to_time(now));
  // set() drops the changes scheduled after `now`: schedule the pending ones again.
  for (const auto& [at, add] : m_irq_events) {
    bits |= add;
    m_irq_driver.set((bits & enabled) != 0, to_time(at));
  }
}

void npu::fail(error code, std::uint32_t info, std::uint32_t index, time_ps at, time_ps now) {
  m_halted = true;
  m_error_time = at;
  m_all_done = std::max(m_all_done, at);  // busy until the error is reported
  error_code.set(static_cast<std::uint32_t>(code));
  fault_index.set(index);
  fault_info.set(info);
  ++m_errors;
  auto it =
      std::find_if(m_irq_events.begin(), m_irq_events.end(), [at](const auto& e) { return e.first > at; });
  m_irq_events.insert(it, {at, irq_error});
  update_line(now);
  if (sc_core::sc_report_handler::get_verbosity_level() >= sc_core::SC_MEDIUM) {
    const std::string message = std::string(name()) + ": " + to_string(code) + " at instruction " +
                                std::to_string(index) + " (info 0x" +
                                [info] {
                                  char text[16];
                                  std::snprintf(text, sizeof text, "%x", info);
                                  return std::string(text);
                                }() +
                                ")";
    SC_REPORT_INFO_VERB("nvr/npu", message.c_str(), sc_core::SC_MEDIUM);
  }
}

void npu::end_of_simulation() {
  // No interval can start any more: every held-back change is final.
  const time_ps end = std::numeric_limits<time_ps>::max();
  m_outstanding.flush(end);
  for (auto& q : m_queue_traces) q->flush(end);
}

bool npu::can_fetch() const { return !m_halted && m_enabled && m_head != m_tail && ring_size.get() != 0; }

void npu::run() {
  for (;;) {
    if (!can_fetch()) {
      sc_core::wait(m_kick);
      const time_ps now = now_ps();
      m_outstanding.flush(now);
      for (auto& q : m_queue_traces) q->flush(now);
      continue;
    }
    step();
    const time_ps now = now_ps();
    const time_ps quantum = to_ps(m_config.quantum);
    if (m_dispatch > now + quantum) sc_core::wait(to_time(m_dispatch - now));
  }
}

namespace {
bool key_less(const std::pair<mem::time_ps, unsigned>& e, mem::time_ps t) { return e.first < t; }
bool time_less(mem::time_ps t, const std::pair<mem::time_ps, unsigned>& e) { return t < e.first; }
}  // namespace

npu::time_ps npu::reserve_slot(time_ps at) const {
  const auto first = m_inflight.begin() + static_cast<std::ptrdiff_t>(m_inflight_first);
  auto it = std::upper_bound(first, m_inflight.end(), at, time_less);
  if (it == first) return at;  // nothing in flight then
  --it;
  time_ps t = at;
  // The last entry always has count 0 (every request ends), so this stops.
  while (it->second >= m_config.max_outstanding) {
    ++it;
    t = it->first;
  }
  return t;
}

void npu::occupy(time_ps from, time_ps to) {
  auto split = [this](time_ps x) {
    const auto first = m_inflight.begin() + static_cast<std::ptrdiff_t>(m_inflight_first);
    auto it = std::lower_bound(first, m_inflight.end(), x, key_less);
    if (it == m_inflight.end() || it->first != x) {
      const unsigned count = it == first ? 0 : std::prev(it)->second;
      it = m_inflight.insert(it, {x, count});
    }
    return static_cast<std::size_t>(it - m_inflight.begin());
  };
  const std::size_t begin = split(from);
  const std::size_t end = split(to);
  for (std::size_t i = begin; i < end; ++i) ++m_inflight[i].second;
}

void npu::prune_slots(time_ps horizon) {
  // Nothing issues before the horizon any more: keep only the step in force at it.
  const auto first = m_inflight.begin() + static_cast<std::ptrdiff_t>(m_inflight_first);
  const auto it = std::upper_bound(first, m_inflight.end(), horizon, time_less);
  if (it == first) return;
  m_inflight_first = static_cast<std::size_t>(std::prev(it) - m_inflight.begin());
  if (m_inflight_first > 4096 && m_inflight_first > m_inflight.size() / 2) {
    m_inflight.erase(m_inflight.begin(), m_inflight.begin() + static_cast<std::ptrdiff_t>(m_inflight_first));
    m_inflight_first = 0;
  }
}

npu::time_ps npu::dependency_time(const work& w) const {
  time_ps t = 0;
  for (const row_range& r : w.rows) {
    const std::vector<time_ps>& writes = r.acc ? m_acc_write : m_spad_write;
    const std::vector<time_ps>& reads = r.acc ? m_acc_read : m_spad_read;
    for (std::uint32_t i = r.first; i < r.first + r.count; ++i) {
      t = std::max(t, writes[i]);
      if (r.write) t = std::max(t, reads[i]);
    }
  }
  return t;
}

void npu::retire_rows(const work& w, time_ps complete) {
  for (const row_range& r : w.rows) {
    std::vector<time_ps>& times =
        r.write ? (r.acc ? m_acc_write : m_spad_write) : (r.acc ? m_acc_read : m_spad_read);
    for (std::uint32_t i = r.first; i < r.first + r.count; ++i) times[i] = std::max(times[i], complete);
  }
}

npu::time_ps npu::schedule_dma(const work& w, time_ps start) {
  const time_ps cycle = m_config.clock_period_ps;
  m_completions.resize(w.dma.size());
  time_ps cursor = start, data = start, local = start, last = start + w.cycles * cycle;
  for (std::size_t i = 0; i < w.dma.size(); ++i) {
    const dma_op& op = w.dma[i];
    time_ps t = std::max(cursor, start + op.not_before * cycle);
    if (op.after >= 0) t = std::max(t, m_completions[static_cast<std::size_t>(op.after)]);
    const time_ps issue = reserve_slot(t);
    m_stall_dma += (issue - t) / cycle;
    mem::request r;
    r.address = op.line;
    r.size = line_bytes;
    r.is_write = op.write;
    r.instruction_id = op.stream;
    if (op.value_count != 0) {
      // The request names the bytes the values cover (still one line): value i at address + i *
      // size / count, as mem::request says.
      r.address = op.line + op.value_start;
      r.size = op.value_bytes;
      r.values = &w.values[op.value_offset];
      r.value_count = op.value_count;
    }
    const time_ps done = std::max(m_memory->access(issue, r), issue + cycle);
    occupy(issue, done);
    m_outstanding.add(issue, done);
    m_completions[i] = done;
    if (op.write) {
      ++m_dma_write_requests;
      m_dma_write_bytes += line_bytes;
      ++m_dma_write_count;
    } else {
      ++m_dma_read_requests;
      m_dma_read_bytes += line_bytes;
      ++m_dma_read_count;
    }
    cursor = issue + cycle;
    data = std::max(data, done);
    last = std::max(last, done);
    if (op.compute != 0) {
      local = std::max(local, data) + op.compute * cycle;
      data = start;
    }
  }
  return std::max(last, local);
}

void npu::step() {
  const time_ps cycle = m_config.clock_period_ps;
  const time_ps now = now_ps();
  const std::uint32_t seq = m_head;
  while (!m_fetch_times.empty() && m_fetch_times.front() <= now) m_fetch_times.pop_front();
  if (m_retire_times.size() > 64)
    m_retire_times.erase(
        std::remove_if(m_retire_times.begin(), m_retire_times.end(), [now](time_ps t) { return t <= now; }),
        m_retire_times.end());
  while (!m_doorbells.empty() && static_cast<std::int32_t>(m_doorbells.front().first - seq) <= 0)
    m_doorbells.pop_front();
  time_ps avail = std::max({now, m_enable_time, m_doorbells.empty() ? now : m_doorbells.front().second});

  // Fetch: one request per 64-byte line of the ring, through the L2 (bypassing the NSB); the
  // fetch buffer runs at most four instructions ahead of dispatch.
  const std::uint64_t size = ring_size.get();
  const std::uint64_t address = std::uint64_t{ring_base.get()} + (seq % size) * instruction_bytes;
  if (!m_machine.in_dram(address, instruction_bytes)) {
    fail(error::dram_range, static_cast<std::uint32_t>(address), seq, avail, now);
    return;
  }
  const std::uint64_t line = address & ~std::uint64_t{line_bytes - 1};
  if (line != m_fetch_line || seq != m_last_seq + 1 || avail > m_fetch_issue) {
    const time_ps issue = reserve_slot(std::max({avail, m_fetch_issue + cycle, m_recent_dispatch[seq % 4]}));
    mem::request r;
    r.address = line;
    r.size = line_bytes;
    r.instruction_id = stream_fetch;
    const time_ps done = std::max(m_memory->l2().access(issue, r), issue + cycle);
    occupy(issue, done);
    m_outstanding.add(issue, done);
    ++m_dma_read_requests;
    m_dma_read_bytes += line_bytes;
    ++m_dma_read_count;
    m_fetch_line = line;
    m_fetch_issue = issue;
    m_fetch_done = done;
  }
  const time_ps fetched = std::max(m_fetch_done, avail);
  instruction in;
  std::uint8_t raw[instruction_bytes];
  if (!m_port->read(address, raw, instruction_bytes)) {
    fail(error::bus_error, static_cast<std::uint32_t>(address), seq, fetched, now);
    return;
  }
  std::memcpy(in.w.data(), raw, instruction_bytes);
  m_head = seq + 1;
  m_fetch_times.push_back(fetched);
  m_last_seq = seq;

  const fault f = m_machine.execute(in, *m_port, m_work);
  if (in.opcode() < op_count) ++*m_instructions[in.opcode()];
  time_ps dispatch = std::max({fetched, m_dispatch, m_barrier});
  const unit u = m_work.target;
  const unsigned ui = static_cast<unsigned>(u);
  if (u != unit::none) {
    std::deque<time_ps>& q = m_queue_starts[ui];
    while (!q.empty() && q.front() <= dispatch) q.pop_front();
    if (q.size() >= m_config.queue_depth) {
      const time_ps freed = q[q.size() - m_config.queue_depth];
      m_stall_queue += (freed - dispatch) / cycle;
      dispatch = freed;
      while (!q.empty() && q.front() <= dispatch) q.pop_front();
    }
  }
  m_dispatch = dispatch;
  m_recent_dispatch[seq % 4] = dispatch;
  if (f) {
    fail(f.code, f.info, seq, dispatch, now);
    return;
  }

  time_ps start = dispatch, complete = dispatch + cycle;
  if (m_work.barrier) {
    start = std::max(dispatch, m_all_done);
    complete = start + cycle;
    m_barrier = complete;
  } else if (u != unit::none) {
    const time_ps ready = std::max(dispatch, m_unit_free[ui]);
    start = std::max(ready, dependency_time(m_work));
    m_stall_dependency += (start - ready) / cycle;
    if (m_snoop) m_snoop->issued(mem::instruction_event{start, seq, in.w});
    complete = m_work.dma.empty() ? start + std::max<time_ps>(m_work.cycles, 1) * cycle
                                  : schedule_dma(m_work, start);
    m_unit_free[ui] = complete;
    m_unit_busy_ps[ui] += complete - start;
    *m_busy_cycles[ui] += (complete - start) / cycle;
    m_queue_starts[ui].push_back(start);
    m_queue_traces[ui]->add(dispatch, start);
    if (m_busy_signals[ui]->enabled()) {
      m_busy_signals[ui]->record(to_time(start), 1);
      m_busy_signals[ui]->record(to_time(complete), 0);
    }
    retire_rows(m_work, complete);
  }
  const time_ps begin = std::max(avail, m_all_done);
  if (complete > begin) m_busy_ps += complete - begin;
  m_all_done = std::max(m_all_done, complete);
  ++m_retired;
  m_retire_times.push_back(complete);
  if (m_work.irq) {
    m_irq_events.emplace_back(complete, irq_done);
    m_tag_events.emplace_back(complete, m_work.irq_tag);
    update_line(now);
  }
  const time_ps horizon = std::min(dispatch, m_fetch_issue + cycle);
  prune_slots(horizon);
  m_outstanding.flush(horizon);
  for (auto& q : m_queue_traces) q->flush(horizon);
}

}  // namespace nvr::npu
