// The NPU (ip/npu/ISA.md): register block on the system bus, command ring in DRAM, load / execute /
// store / sparse units with row dependency tracking, DMA timed through its own NSB -> L2 -> DRAM
// hierarchy (nvr::mem::hierarchy) with data from the bus (the DRAM backing store).
//
// Process structure (ARCHITECTURE.md, NPU timing): one SC_THREAD fetches and executes the
// instructions in program order, functionally at once (machine.h), and computes each one's
// dispatch, start and completion times from reservations: each unit's next-free time, per-row
// last read / write completion (RAW, WAR, WAW), queue slots, DMA request slots and the hierarchy's
// own reservations. The thread runs ahead of the kernel by at most a quantum of dispatch time;
// status, interrupts and trace signals take effect at their computed simulated times.
#pragma once

#include <tlm_utils/simple_initiator_socket.h>

#include <array>
#include <cstdint>
#include <deque>
#include <map>
#include <memory>
#include <string>
#include <systemc>
#include <vector>

#include "core/line_driver.h"
#include "core/peripheral.h"
#include "core/stats.h"
#include "core/trace/vcd.h"
#include "ip/cache/hierarchy.h"
#include "ip/npu/machine.h"
#include "ip/nvr/snoop.h"

namespace nvr::npu {

struct npu_config {
  std::uint64_t clock_period_ps = 1000;  // 1 GHz
  std::uint64_t dram_base = 0x80000000ull;
  std::uint64_t dram_size = 0x10000000ull;
  unsigned max_outstanding = 16;  // DMA requests in flight
  unsigned queue_depth = 8;       // entries per unit queue
  sc_core::sc_time quantum = sc_core::sc_time(1, sc_core::SC_US);
  mem::hierarchy_config memory;
  mem::prefetcher_environment memory_environment;  // the oracle's future (--oracle-trace)
};

class npu : public core::peripheral {
 public:
  static constexpr std::uint32_t id_value = 0x4E505531;  // "NPU1"
  static constexpr std::uint32_t version_value = 0x00010000;
  static constexpr std::uint32_t ctrl_enable = 1, ctrl_reset = 2, ctrl_nvr_enable = 4;
  static constexpr std::uint32_t status_busy = 1, status_error = 2;
  static constexpr std::uint32_t irq_done = 1, irq_error = 2;

  sc_core::sc_out<bool> irq{"irq"};
  tlm_utils::simple_initiator_socket<npu, 32> dma{"dma"};  // to the system bus (DRAM data)
  // To the runahead unit beside the NPU (ip/nvr), if the SoC has one: each instruction as it
  // issues, and CTRL.nvr_enable.
  sc_core::sc_port<runahead::snoop_if, 1, sc_core::SC_ZERO_OR_MORE_BOUND> nvr_snoop{"nvr_snoop"};

  core::reg<std::uint32_t> id{*this, "id", 0x000, id_value, core::access_policy::read_only};
  core::reg<std::uint32_t> version{*this, "version", 0x004, version_value, core::access_policy::read_only};
  core::reg<std::uint32_t> ctrl{*this, "ctrl", 0x008, 0};
  core::reg<std::uint32_t> status{*this, "status", 0x00C, 0, core::access_policy::read_only};
  core::reg<std::uint32_t> error_code{*this, "error", 0x010, 0, core::access_policy::read_only};
  core::reg<std::uint32_t> fault_index{*this, "fault_index", 0x014, 0, core::access_policy::read_only};
  core::reg<std::uint32_t> fault_info{*this, "fault_info", 0x018, 0, core::access_policy::read_only};
  core::reg<std::uint32_t> ring_base{*this, "ring_base", 0x020, 0};
  core::reg<std::uint32_t> ring_size{*this, "ring_size", 0x024, 0};
  core::reg<std::uint32_t> ring_head{*this, "ring_head", 0x028, 0, core::access_policy::read_only};
  core::reg<std::uint32_t> ring_tail{*this, "ring_tail", 0x02C, 0};
  core::reg<std::uint32_t> irq_status{*this, "irq_status", 0x030, 0};
  core::reg<std::uint32_t> irq_enable{*this, "irq_enable", 0x034, 0};
  core::reg<std::uint32_t> irq_tag{*this, "irq_tag", 0x038, 0, core::access_policy::read_only};
  core::reg<std::uint32_t> cycles_lo{*this, "cycles_lo", 0x040, 0, core::access_policy::read_only};
  core::reg<std::uint32_t> cycles_hi{*this, "cycles_hi", 0x044, 0, core::access_policy::read_only};
  core::reg<std::uint32_t> retired{*this, "retired", 0x048, 0, core::access_policy::read_only};
  core::reg<std::uint32_t> load_busy{*this, "load_busy", 0x04C, 0, core::access_policy::read_only};
  core::reg<std::uint32_t> exec_busy{*this, "exec_busy", 0x050, 0, core::access_policy::read_only};
  core::reg<std::uint32_t> store_busy{*this, "store_busy", 0x054, 0, core::access_policy::read_only};
  core::reg<std::uint32_t> sparse_busy{*this, "sparse_busy", 0x058, 0, core::access_policy::read_only};
  core::reg<std::uint32_t> dma_reads{*this, "dma_reads", 0x05C, 0, core::access_policy::read_only};
  core::reg<std::uint32_t> dma_writes{*this, "dma_writes", 0x060, 0, core::access_policy::read_only};

  SC_HAS_PROCESS(npu);
  // std::invalid_argument on a bad configuration (e.g. the hierarchy's).
  npu(const sc_core::sc_module_name& name, const npu_config& config = {});
  ~npu() override;

  void reset() override;
  // Writes the level traces' changes still held back (requests in flight when the run stopped).
  void end_of_simulation() override;

  // The architectural state, for tests and debuggers.
  machine& state() { return m_machine; }
  mem::hierarchy& memory() { return *m_memory; }
  const npu_config& config() const { return m_config; }
  // Completion time of the last instruction processed (the NPU is idle from then on).
  sc_core::sc_time idle_time() const;
  // CYCLES_HI:LO: busy cycles since the last reset (CTRL.reset clears them).
  std::uint64_t cycles() const { return m_busy_ps / m_config.clock_period_ps; }
  // The statistics: since power-on, so that a firmware's CTRL.reset does not hide earlier work.
  std::uint64_t total_cycles() const {
    return (m_busy_ps_before_resets + m_busy_ps) / m_config.clock_period_ps;
  }
  std::uint64_t total_retired() const { return m_retired_before_resets + m_retired; }

 private:
  using time_ps = mem::time_ps;
  class dram_access;
  class dram_values;

  // A level signal (queue depth, requests in flight) built from intervals recorded out of time
  // order: changes are kept until no later interval can start before them.
  class level_trace {
   public:
    level_trace(const sc_core::sc_object& owner, const std::string& name, unsigned width)
        : m_signal(owner, name, width, "npu", trace::format::decimal) {}
    void add(time_ps from, time_ps to) {
      if (!m_signal.enabled() || to <= from) return;
      ++m_deltas[from];
      --m_deltas[to];
    }
    void flush(time_ps horizon);
    void clear() { m_deltas.clear(); }

   private:
    trace::signal m_signal;
    std::map<time_ps, std::int64_t> m_deltas;
    std::int64_t m_level = 0;
  };

  void invalidate_dmi(sc_dt::uint64 start, sc_dt::uint64 end);
  void end_of_elaboration() override;
  void run();
  bool can_fetch() const;
  void step();  // fetches, executes and schedules one instruction
  time_ps schedule_dma(const work& w, time_ps start);
  // The earliest time >= at when fewer than max_outstanding DMA requests are in flight, and the
  // booking of one request over [from, to).
  time_ps reserve_slot(time_ps at) const;
  void occupy(time_ps from, time_ps to);
  void prune_slots(time_ps horizon);
  time_ps dependency_time(const work& w) const;
  void retire_rows(const work& w, time_ps complete);
  void fail(error code, std::uint32_t info, std::uint32_t index, time_ps at, time_ps now);
  void settle(time_ps now);
  void update_line(time_ps now);
  void do_reset(time_ps now, bool drive = true);
  time_ps now_ps() const;
  static time_ps to_ps(const sc_core::sc_time& t);
  sc_core::sc_time to_time(time_ps t) const;

  npu_config m_config;
  machine m_machine;
  std::unique_ptr<dram_access> m_port;
  std::unique_ptr<dram_values> m_values;
  std::unique_ptr<mem::hierarchy> m_memory;
  // The runahead unit bound to nvr_snoop, if any (resolved once, at the end of elaboration).
  runahead::snoop_if* m_snoop = nullptr;
  core::line_driver m_irq_driver{"irq_driver", irq};
  sc_core::sc_event m_kick;
  work m_work;

  // Ring and control.
  bool m_enabled = false;
  bool m_halted = false;
  std::uint32_t m_head = 0, m_tail = 0;
  time_ps m_enable_time = 0;
  time_ps m_error_time = 0;
  std::deque<std::pair<std::uint32_t, time_ps>> m_doorbells;   // (tail, time written)
  std::deque<std::pair<time_ps, std::uint32_t>> m_irq_events;  // (time, IRQ_STATUS bits)
  std::deque<std::pair<time_ps, std::uint32_t>> m_tag_events;  // (time, IRQ_TAG)

  // Timing state (picoseconds).
  std::uint64_t m_fetch_line = ~std::uint64_t{0};
  time_ps m_fetch_done = 0, m_fetch_issue = 0;
  std::uint32_t m_last_seq = ~0u;
  std::array<time_ps, 4> m_recent_dispatch{};  // the last four dispatch times (the fetch buffer)
  time_ps m_dispatch = 0, m_barrier = 0, m_all_done = 0;
  std::array<time_ps, unit_count> m_unit_free{};
  std::array<std::deque<time_ps>, unit_count> m_queue_starts;  // start times of queued entries
  // DMA requests in flight as a step function over time: from each key to the next, this many.
  // Kept in simulated-time order, so a request of one unit can use a slot before a later request
  // of another unit processed earlier (the horizon below which nothing can change is pruned).
  // A sorted vector (most changes land near its end); entries before m_inflight_first are dead.
  std::vector<std::pair<time_ps, unsigned>> m_inflight;
  std::size_t m_inflight_first = 0;
  std::vector<time_ps> m_spad_write, m_spad_read, m_acc_write, m_acc_read;
  std::vector<time_ps> m_completions;
  // Fetch and completion times of processed instructions still ahead of the kernel: RING_HEAD
  // and RETIRED read at a time count only what has happened by then.
  std::deque<time_ps> m_fetch_times, m_retire_times;
  time_ps m_busy_ps = 0;
  time_ps m_busy_ps_before_resets = 0;  // summed at each CTRL.reset
  std::uint64_t m_retired_before_resets = 0;
  std::array<time_ps, unit_count> m_unit_busy_ps{};
  std::uint64_t m_retired = 0, m_dma_read_count = 0, m_dma_write_count = 0;

  // Statistics.
  std::vector<std::unique_ptr<stats::counter>> m_instructions;  // per opcode
  std::array<std::unique_ptr<stats::counter>, unit_count> m_busy_cycles;
  stats::counter m_stall_dependency{*this, "stall_cycles.dependency",
                                    "unit cycles waiting for rows of another unit"};
  stats::counter m_stall_dma{*this, "stall_cycles.dma", "request cycles waiting for a free DMA slot"};
  stats::counter m_stall_queue{*this, "stall_cycles.queue", "dispatch cycles waiting for a full unit queue"};
  stats::counter m_dma_read_requests{*this, "dma.read_requests", "64-byte DMA read requests (incl. fetch)"};
  stats::counter m_dma_write_requests{*this, "dma.write_requests", "64-byte DMA write requests"};
  stats::counter m_dma_read_bytes{*this, "dma.read_bytes", "bytes read by DMA requests"};
  stats::counter m_dma_write_bytes{*this, "dma.write_bytes", "bytes written by DMA requests"};
  stats::counter m_errors{*this, "errors", "instructions that faulted"};
  stats::publication m_cycles_stat;
  stats::publication m_retired_stat;

  // Trace signals.
  std::array<std::unique_ptr<trace::signal>, unit_count> m_busy_signals;
  std::array<std::unique_ptr<level_trace>, unit_count> m_queue_traces;
  level_trace m_outstanding{*this, "dma_outstanding", 8};
};

}  // namespace nvr::npu
