// DRAM controller timing model: channels, banks with an open-page row buffer (row hit / miss /
// conflict), a data bus per channel occupied one burst per access (bandwidth), optional
// all-bank refresh. Timing only; data lives in the backing store. See README.md.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ip/cache/memory_types.h"
#include "ip/cache/stat_group.h"

namespace nvr::mem {

struct dram_config {
  std::uint32_t channels = 1;        // power of two
  std::uint32_t banks = 16;          // per channel, power of two
  std::uint32_t row_size = 8192;     // bytes of one row buffer (page), power of two
  std::uint32_t burst_size = 64;     // bytes moved by one burst (one column access), power of two
  time_ps clock_period = 750;        // ps; DDR4-2666: 1333 MHz command clock
  std::uint32_t t_cl = 19;           // cycles, column command -> first data
  std::uint32_t t_rcd = 19;          // cycles, activate -> column command
  std::uint32_t t_rp = 19;           // cycles, precharge -> activate
  std::uint32_t t_burst = 4;         // cycles the data bus is busy per burst (BL8 on DDR)
  time_ps frontend_latency = 60000;  // ps: controller queues, PHY and interconnect, both ways
  bool refresh = false;
  std::uint32_t t_refi = 10400;  // cycles between all-bank refreshes (7.8 us)
  std::uint32_t t_rfc = 467;     // cycles a refresh blocks the channel (350 ns)
};

// Where an address lands: row : bank : column : channel : burst offset (from the top bit down).
struct dram_location {
  std::uint32_t channel, bank;
  std::uint64_t row;
  std::uint32_t column;
};

struct dram_counters {
  std::uint64_t reads = 0, writes = 0;  // bursts
  std::uint64_t bytes_read = 0, bytes_written = 0;
  std::uint64_t row_hits = 0, row_misses = 0, row_conflicts = 0;
  std::uint64_t refresh_stalls = 0;
  std::uint64_t read_latency_ps = 0;  // sum over read bursts of (completion - arrival)
  std::uint64_t bus_busy_ps = 0;      // sum over channels
  std::uint64_t prefetch_reads = 0;   // reads on behalf of prefetches
  time_ps last_completion = 0;
};

class dram final : public timing_target {
 public:
  dram(std::string name, const dram_config& config);  // std::invalid_argument on bad geometry
  ~dram() override;

  // Creates the VCD signals of group "dram" under `prefix` (e.g. soc.npu.memory.dram): per
  // channel, bursts in flight and a row miss/conflict strobe. Without it there are none.
  void enable_tracing(const std::string& prefix);

  using timing_target::access;
  time_ps access(time_ps now, const request& r) override;

  dram_location decode(std::uint64_t address) const;
  void reset();

  const dram_config& config() const { return m_config; }
  const dram_counters& counters() const { return m_counters; }
  // Peak bandwidth of all channels, bytes per second.
  double peak_bandwidth() const;
  // Idle latencies of one burst (no queueing): row hit, closed row (miss), row conflict.
  time_ps idle_latency_hit() const { return m_cl + m_burst + m_config.frontend_latency; }
  time_ps idle_latency_miss() const { return m_rcd + idle_latency_hit(); }
  time_ps idle_latency_conflict() const { return m_rp + idle_latency_miss(); }

 private:
  struct bank_state {
    std::uint64_t open_row = ~std::uint64_t{0};  // none
    time_ps next_free = 0;
    std::uint64_t refresh_epoch = 0;
  };
  time_ps burst(time_ps now, std::uint64_t address, bool is_write);
  void publish();

  dram_config m_config;
  time_ps m_cl, m_rcd, m_rp, m_burst, m_refi, m_rfc;
  unsigned m_offset_bits, m_channel_bits, m_column_bits, m_bank_bits;
  std::vector<bank_state> m_banks;  // channel * banks + bank
  std::vector<time_ps> m_bus_free;  // per channel
  dram_counters m_counters;
  stat_group m_stats;
  struct trace_signals;
  // A burst on `channel` from `arrival` to `done`, started at `start`, with an activate or not.
  void trace_burst(std::uint32_t channel, time_ps arrival, time_ps start, bool activates, time_ps done);
  std::unique_ptr<trace_signals> m_trace;  // nullptr: not traced
};

}  // namespace nvr::mem
