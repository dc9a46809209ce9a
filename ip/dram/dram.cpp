#include "ip/dram/dram.h"

#include <algorithm>
#include <stdexcept>

#include "ip/cache/mem_trace.h"

namespace nvr::mem {

dram::dram(std::string name, const dram_config& config) : m_config(config), m_stats(std::move(name)) {
  const std::string who = "dram '" + m_stats.prefix() + "': ";
  if (!is_power_of_two(config.channels) || !is_power_of_two(config.banks) ||
      !is_power_of_two(config.row_size) || !is_power_of_two(config.burst_size))
    throw std::invalid_argument(who + "channels, banks, row size and burst size must be powers of two");
  if (config.row_size < config.burst_size) throw std::invalid_argument(who + "row smaller than a burst");
  if (config.clock_period == 0 || config.t_burst == 0)
    throw std::invalid_argument(who + "zero clock or burst time");
  if (config.refresh && (config.t_refi <= config.t_rfc))
    throw std::invalid_argument(who + "refresh interval must exceed the refresh time");
  const time_ps tck = config.clock_period;
  m_cl = config.t_cl * tck;
  m_rcd = config.t_rcd * tck;
  m_rp = config.t_rp * tck;
  m_burst = config.t_burst * tck;
  m_refi = std::uint64_t{config.t_refi} * tck;
  m_rfc = std::uint64_t{config.t_rfc} * tck;
  m_offset_bits = log2_exact(config.burst_size);
  m_channel_bits = log2_exact(config.channels);
  m_column_bits = log2_exact(config.row_size / config.burst_size);
  m_bank_bits = log2_exact(config.banks);
  m_banks.assign(std::uint64_t{config.channels} * config.banks, bank_state{});
  m_bus_free.assign(config.channels, 0);
  publish();
}

void dram::reset() {
  std::fill(m_banks.begin(), m_banks.end(), bank_state{});
  std::fill(m_bus_free.begin(), m_bus_free.end(), 0);
}

dram_location dram::decode(std::uint64_t address) const {
  std::uint64_t a = address >> m_offset_bits;
  dram_location l;
  l.channel = static_cast<std::uint32_t>(a & (m_config.channels - 1));
  a >>= m_channel_bits;
  l.column = static_cast<std::uint32_t>(a & ((std::uint64_t{1} << m_column_bits) - 1));
  a >>= m_column_bits;
  l.bank = static_cast<std::uint32_t>(a & (m_config.banks - 1));
  l.row = a >> m_bank_bits;
  return l;
}

double dram::peak_bandwidth() const {
  return static_cast<double>(m_config.channels) * m_config.burst_size * 1e12 / static_cast<double>(m_burst);
}

struct dram::trace_signals {
  struct channel {
    channel(const std::string& prefix)
        : in_flight(prefix + ".in_flight", "dram", 16), row_miss(prefix + ".row_miss", 1, "dram") {}
    occupancy_trace in_flight;  // bursts from arrival to completion
    trace::signal row_miss;     // a burst needs an activate (row miss or conflict)
  };
  std::vector<std::unique_ptr<channel>> channels;
};

dram::~dram() = default;

void dram::enable_tracing(const std::string& prefix) {
  m_trace = std::make_unique<trace_signals>();
  for (std::uint32_t c = 0; c < m_config.channels; ++c)
    m_trace->channels.push_back(std::make_unique<trace_signals::channel>(prefix + ".ch" + std::to_string(c)));
}

// Cold and out of line, so that burst() stays small enough to be inlined.
__attribute__((noinline, cold)) void dram::trace_burst(std::uint32_t channel, time_ps arrival, time_ps start,
                                                       bool activates, time_ps done) {
  trace_signals::channel& c = *m_trace->channels[channel];
  if (activates) c.row_miss.pulse(to_sc_time(start));
  c.in_flight.acquire(arrival, done);
}

__attribute__((always_inline)) inline time_ps dram::burst(time_ps now, std::uint64_t address, bool is_write) {
  // Reads and writes share the timing (tCWL taken equal to tCL).
  const dram_location l = decode(address);
  bank_state& b = m_banks[std::uint64_t{l.channel} * m_config.banks + l.bank];
  time_ps t = std::max(now, b.next_free);
  if (m_config.refresh) {
    // All-bank refresh k (k >= 1) occupies [k * tREFI, k * tREFI + tRFC) and closes every row.
    const std::uint64_t epoch = t / m_refi;
    if (epoch >= 1 && t < epoch * m_refi + m_rfc) {
      ++m_counters.refresh_stalls;
      t = epoch * m_refi + m_rfc;
    }
    if (epoch != b.refresh_epoch) {
      b.refresh_epoch = epoch;
      b.open_row = ~std::uint64_t{0};
    }
  }
  time_ps column;  // when the column command issues
  if (b.open_row == l.row) {
    ++m_counters.row_hits;
    column = t;
  } else if (b.open_row == ~std::uint64_t{0}) {
    ++m_counters.row_misses;
    column = t + m_rcd;
  } else {
    ++m_counters.row_conflicts;
    column = t + m_rp + m_rcd;
  }
  b.open_row = l.row;
  b.next_free = column + m_burst;  // next column command to this bank (tCCD = burst)
  time_ps& bus = m_bus_free[l.channel];
  const time_ps data = std::max(column + m_cl, bus);
  bus = data + m_burst;
  m_counters.bus_busy_ps += m_burst;
  const time_ps done = data + m_burst + m_config.frontend_latency;
  if (!is_write) m_counters.read_latency_ps += done - now;
  if (__builtin_expect(m_trace != nullptr, 0)) trace_burst(l.channel, now, t, column != t, done);
  return done;
}

time_ps dram::access(time_ps now, const request& r) {
  const std::uint64_t size = r.size ? r.size : 1;
  const std::uint64_t burst_size = m_config.burst_size;
  const std::uint64_t first = r.address & ~(burst_size - 1);
  const std::uint64_t bursts = (r.address + size - first + burst_size - 1) >> m_offset_bits;
  time_ps done;
  if (bursts == 1) {  // a cache line: the usual case, without the loop
    done = burst(now, first, r.is_write);
  } else {
    done = now;
    for (std::uint64_t i = 0, a = first; i < bursts; ++i, a += burst_size)
      done = std::max(done, burst(now, a, r.is_write));
  }
  // Counted once per request rather than per burst: the same sums (burst() sums the latency).
  if (r.is_write) {
    m_counters.writes += bursts;
    m_counters.bytes_written += bursts * burst_size;
  } else {
    m_counters.reads += bursts;
    m_counters.bytes_read += bursts * burst_size;
    if (r.is_prefetch) m_counters.prefetch_reads += bursts;
  }
  m_counters.last_completion = std::max(m_counters.last_completion, done);
  return done;
}

void dram::publish() {
  auto& c = m_counters;
  auto& s = m_stats;
  s.add_derived(
      "config",
      [this] {
        return nlohmann::json{{"channels", m_config.channels},
                              {"banks", m_config.banks},
                              {"row_size", m_config.row_size},
                              {"burst_size", m_config.burst_size},
                              {"clock_period_ps", m_config.clock_period},
                              {"t_cl", m_config.t_cl},
                              {"t_rcd", m_config.t_rcd},
                              {"t_rp", m_config.t_rp},
                              {"t_burst", m_config.t_burst},
                              {"frontend_latency_ps", m_config.frontend_latency},
                              {"refresh", m_config.refresh},
                              {"t_refi", m_config.t_refi},
                              {"t_rfc", m_config.t_rfc},
                              {"mapping", "row:bank:column:channel:offset"}};
      },
      "geometry and timing parameters");
  s.add("reads", c.reads, "read bursts");
  s.add("writes", c.writes, "write bursts");
  s.add("prefetch_reads", c.prefetch_reads, "read bursts on behalf of prefetches");
  s.add("bytes_read", c.bytes_read, "bytes read from DRAM");
  s.add("bytes_written", c.bytes_written, "bytes written to DRAM");
  s.add_derived(
      "offchip_bytes", [&c] { return nlohmann::json(c.bytes_read + c.bytes_written); },
      "off-chip traffic: bytes read + written");
  s.add("row_hits", c.row_hits, "bursts to the open row");
  s.add("row_misses", c.row_misses, "bursts to a bank with no open row (activate)");
  s.add("row_conflicts", c.row_conflicts, "bursts to another row than the open one (precharge + activate)");
  s.add("refresh_stalls", c.refresh_stalls, "bursts that waited for a refresh");
  s.add_derived(
      "avg_read_latency_ps", [&c] { return nlohmann::json(c.reads ? c.read_latency_ps / c.reads : 0); },
      "mean read burst latency including queueing (ps, integer)");
  s.add("bus_busy_ps", c.bus_busy_ps, "data bus busy time summed over channels (ps)");
  s.add("last_completion_ps", c.last_completion, "latest completion time answered (ps)");
  s.add_derived(
      "bandwidth_bytes_per_s",
      [&c] {
        return nlohmann::json(c.last_completion ? static_cast<double>(c.bytes_read + c.bytes_written) * 1e12 /
                                                      static_cast<double>(c.last_completion)
                                                : 0.0);
      },
      "achieved bandwidth: off-chip bytes / last completion time");
}

}  // namespace nvr::mem
