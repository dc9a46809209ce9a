// Runahead prefetchers for the NPU (ip/nvr/README.md): NVR, the NPU vector runahead unit of the
// DAC 2025 paper, and a DVR-like baseline. Both snoop the NPU's instruction stream (the fields of
// each instruction as it is dispatched) and its demand accesses at the cache they serve, and run
// as a decoupled sub-thread in simulated time: their own loads of index data and their vector
// prefetches happen at times no later than the NPU's latest event, use only the cache's prefetch
// MSHRs (never a demand MSHR or DMA slot), and wait for one rather than drop. Prefetches are
// non-binding: they never change functional results.
#pragma once

#include <array>
#include <cstdint>
#include <deque>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <unordered_map>
#include <vector>

#include "ip/nvr/detectors.h"
#include "ip/prefetch/prefetcher.h"

namespace nvr::runahead {

using mem::time_ps;

// The pacing machinery both runahead prefetchers share: a queue of lines to prefetch, each not
// before a time (its index data arrives), issued one per cycle when a prefetch MSHR is free; the
// loads of index lines it needs; the lines issued and not yet used (the runahead window); the
// enable timeline of CTRL.nvr_enable; VCD signals.
class runahead_engine : public mem::prefetcher {
 public:
  void on_access(const mem::access_event& e) override;
  void on_fill(const mem::fill_event& e) override;
  void on_instruction(const mem::instruction_event& e) override;
  void on_enable(time_ps time, bool enabled) override;
  void enable_tracing(const std::string& prefix) override;
  nlohmann::json final_stats() const override;

  ~runahead_engine() override;

  // Lines prefetched and not yet used by a demand, evicted or expired.
  std::size_t outstanding() const { return m_outstanding.size(); }
  bool enabled() const { return m_enabled; }

  // Writes every event the unit receives, every memory value it reads and every question it asks
  // its cache (with the answer) to `out`, one line each, for replay into the TLM and the RTL in
  // lock-step (--record-nvr-events; the format is in rtl/README.md). Call once, after attach();
  // the stream must outlive the unit.
  void record_events(std::ostream* out);

 protected:
  explicit runahead_engine(std::string name);

  // The sparse state the NPU's config.sparse set.
  struct sparse_config {
    bool valid = false;
    std::uint64_t row_ptr = 0, col_idx = 0, values = 0, b_rows = 0;
  };

  // Model hooks. snoop(): a dispatched instruction; step(): one unit of runahead work at or before
  // `horizon` (false: nothing to do until a later event); demand(): a demand access.
  virtual void snoop(const mem::instruction_event& e) = 0;
  virtual bool step(time_ps horizon) = 0;
  virtual void demand(const mem::access_event& e) { (void)e; }
  virtual void disabled() = 0;  // CTRL.nvr_enable went off: forget the runahead state
  virtual std::size_t window_lines() const = 0;
  virtual nlohmann::json model_stats() const = 0;

  // Loads the index line holding `address` for the runahead thread: true with the time its data
  // is there, false when it must wait for a prefetch MSHR past `horizon`.
  bool load_index(std::uint64_t address, time_ps horizon, time_ps& ready, std::int64_t tag = -1);
  // A prefetch of an index line from `now` on, ahead of any queued data line.
  void prefetch_index(std::uint64_t line, time_ps now);
  // Reads an index (int32) the runahead thread loaded; false when the memory cannot be read.
  bool read_index(std::uint64_t address, std::int64_t& value) const;
  // Queues lines of one vector prefetch, issued from `not_before` on; `tag` is shown as the
  // NPU's position when a demand uses the line.
  void queue_lines(const std::vector<std::uint64_t>& lines, time_ps not_before, std::int64_t tag);
  // Remembers `tag` for a line the unit touched: a demand for it places the NPU.
  void remember(std::uint64_t line, std::int64_t tag);
  bool pending() const { return !m_pending.empty(); }
  void clear_pending() {
    m_pending.clear();
    m_window_blocked = false;
  }
  // Issues queued lines up to `horizon`; false when blocked (window, MSHRs or time).
  bool drain(time_ps horizon);

  // The NPU's position: the largest tag of a queued line a demand has used (the rows the unit
  // walked are numbered in walk order, so the tags say how far ahead the unit is).
  std::int64_t npu_position() const { return m_npu_position; }
  void set_npu_position(std::int64_t p) { m_npu_position = p; }

  time_ps cursor() const { return m_cursor; }
  void start_at(time_ps t) { m_cursor = std::max(m_cursor, t); }
  time_ps cycle() const { return m_cycle_ps; }
  void set_position(std::int64_t runahead, std::uint32_t tasks_ahead);
  std::uint64_t capacity() const;

  sparse_config m_sparse;
  time_ps m_cycle_ps = 1000;
  time_ps m_expiry_ps = 20'000'000;
  std::uint64_t m_index_stream = 0x900;  // instruction id of the unit's own index loads

 private:
  void advance(time_ps horizon);
  void forget(std::uint64_t line);
  void expire(time_ps now);
  time_ps trace_time(time_ps t) const;

  struct queued_line {
    std::uint64_t line;
    time_ps not_before;
    std::int64_t tag;
    std::uint64_t vector;  // lines of one vector prefetch issue in the same cycle
  };
  bool drain_index(time_ps horizon);
  bool read_value(std::uint64_t address, std::uint32_t bytes, std::int64_t& value) const;
  std::ostream* m_record = nullptr;
  struct recording_sink;
  std::unique_ptr<recording_sink> m_record_sink;
  std::deque<queued_line> m_pending;
  std::deque<std::pair<std::uint64_t, time_ps>> m_index_pending;  // stream prefetches of index lines
  std::unordered_map<std::uint64_t, time_ps> m_outstanding;       // unused lines -> issue time
  std::deque<std::pair<time_ps, std::uint64_t>> m_issue_order;    // for expiry
  std::unordered_map<std::uint64_t, std::int64_t> m_generated;    // queued lines -> tag
  std::deque<std::uint64_t> m_generated_order;
  std::int64_t m_npu_position = 0;
  std::deque<std::pair<time_ps, bool>> m_enable_events;
  bool m_enabled = true;
  time_ps m_cursor = 0;
  std::uint64_t m_vectors_queued = 0, m_last_vector = 0;
  time_ps m_vector_time = 0;
  bool m_advancing = false;
  bool m_window_blocked = false;

  struct trace_signals;
  std::unique_ptr<trace_signals> m_trace;

 protected:
  // Counters.
  std::uint64_t m_instructions = 0, m_index_loads = 0, m_index_load_hits = 0;
  std::uint64_t m_stream_prefetches = 0, m_stream_dropped = 0;
  std::uint64_t m_lines_queued = 0, m_lines_redundant = 0, m_lines_issued = 0, m_lines_unmapped = 0;
  std::uint64_t m_used = 0, m_evicted_unused = 0, m_expired = 0;
  std::uint64_t m_window_stalls = 0, m_mshr_waits = 0, m_toggles = 0;
  std::size_t m_peak_outstanding = 0;
};

struct nvr_config {
  unsigned vector_size = 16;  // lanes per vector prefetch
  unsigned distance = 2;      // runahead window, in tiles (16 rows of A / 16 lookups) ahead
  unsigned predict = 4;       // instructions predicted past the last one snooped
  unsigned index_degree = 4;  // lines the SD streams a striding index load ahead
  unsigned sd_entries = 16, scd_entries = 2, lbd_entries = 16;
  bool sd = true, scd = true, lbd = true;
  unsigned fill_depth = 0;  // 0: the cache it serves (NSB), 1: the level below
  time_ps cycle_ps = 1000;
};
nvr_config parse_nvr_config(const mem::prefetcher_params& params);  // std::invalid_argument
// The configuration as the statistics show it (`model.config`), one form for the TLM and the RTL
// adapter so that their statistics compare equal.
nlohmann::json to_json(const nvr_config& c);

// NVR: the stride detector learns how each field of the sparse instructions moves from one to
// the next, the loop bound detector where those loops wrap, so the unit can run past the
// instructions it has seen; the sparse chain detector follows row_ptr -> col_idx -> B (and
// index -> table for gather/scatter) within each row's bound; the vector generator packs the
// lanes' lines. The window keeps the unit `distance` tiles ahead of the NPU's use.
class nvr_prefetcher final : public runahead_engine {
 public:
  explicit nvr_prefetcher(const nvr_config& config);

  const nvr_config& config() const { return m_config; }
  const stride_detector& sd() const { return m_sd; }
  const loop_bound_detector& lbd() const { return m_lbd; }
  const chain_detector& scd() const { return m_scd; }
  std::uint64_t predictions_correct() const { return m_predict_hits; }
  std::uint64_t predictions_wrong() const { return m_predict_misses; }

 private:
  enum class kind : std::uint8_t { spmm, gather, scatter };
  struct field_state {
    std::int64_t value = 0;
    std::uint32_t iteration = 0;
    std::int64_t start = 0;
  };
  struct task {
    kind type = kind::spmm;
    bool predicted = false;
    std::array<std::uint32_t, 8> words{};
    sparse_config sparse;
    std::array<field_state, 2> fields{};  // the predicted fields (spmm: b, first; gather: index)
    time_ps snooped = 0;
    // Derived: the chain.
    std::uint64_t index_base = 0, target_base = 0, target_stride = 0, bound = 0;
    std::uint32_t target_bytes = 0;
    std::int64_t row = 0, row_end = 0;  // spmm rows; gather/scatter: [0, count)
    std::int64_t first_row = 0;
    std::int64_t base_tag = 0;  // walk-order number of its first row
  };
  std::int64_t tag_of(const task& t, std::int64_t row) const { return t.base_tag + (row - t.first_row); }
  void number(task& t) {
    t.base_tag = m_next_tag;
    m_next_tag += std::max<std::int64_t>(t.row_end - t.row, 0);
  }
  bool ahead_limit(std::int64_t tag, time_ps horizon);  // true when `tag` is too far ahead of the NPU

  void snoop(const mem::instruction_event& e) override;
  bool step(time_ps horizon) override;
  void demand(const mem::access_event& e) override;
  void disabled() override;
  std::size_t window_lines() const override;
  nlohmann::json model_stats() const override;

  static bool same_addresses(const task& a, const task& b);
  static bool make_task(const std::array<std::uint32_t, 8>& words, const sparse_config& sparse, task& t);
  void train(const task& t);
  std::optional<task> predict_after(const task& last) const;
  void top_up_predictions();
  void finish_task();
  bool begin_row(task& t, time_ps horizon);
  bool next_vector(task& t, time_ps horizon);
  static std::uint64_t field_key(std::uint8_t opcode, unsigned word) {
    return (std::uint64_t{opcode} << 8) | word;
  }
  static const std::array<unsigned, 2>& predicted_words(kind k);

  nvr_config m_config;
  stride_detector m_sd;
  loop_bound_detector m_lbd;
  chain_detector m_scd;
  vector_generator m_vmig;
  std::deque<task> m_tasks;   // snooped instructions not yet walked, then predicted ones
  std::deque<task> m_walked;  // predictions walked to their end, not yet dispatched by the NPU
  bool m_distance_blocked = false;
  std::optional<task> m_last;
  unsigned m_predicted_since_snoop = 0;
  std::int64_t m_next_tag = 0;
  bool m_row_open = false;  // the chain has the current row's bounds
  time_ps m_bounds_ready = 0;
  std::uint64_t m_lines_per_row_x16 = 16;  // EWMA of lines per row (x16)
  std::uint64_t m_row_lines = 0;
  unsigned m_peak_sd = 0, m_peak_lbd = 0, m_peak_scd = 0;
  std::uint64_t m_tasks_walked = 0, m_tasks_predicted = 0, m_predict_hits = 0, m_predict_misses = 0;
  std::uint64_t m_rows = 0, m_bad_rows = 0, m_distance_stalls = 0;
};

struct dvr_config {
  unsigned lanes = 128;     // lanes per runahead episode
  unsigned budget = 200;    // operations (index loads + prefetches) per episode
  unsigned discovery = 16;  // dependent loads observed before an instruction's chain is trusted
  unsigned fill_depth = 0;
  time_ps cycle_ps = 1000;
};
dvr_config parse_dvr_config(const mem::prefetcher_params& params);

// DVR-like baseline: after a discovery tile of each new sparse instruction, every runahead
// episode vectorises `lanes` future indices of the striding index stream from where the last one
// stopped, without CSR bounds (lanes run on across rows and past the instruction's last nonzero,
// up to the EWMA loop bound of the index stream), within a budget of operations, and prefetches
// their dependent lines in one burst. A new episode starts at the next demand access once the
// previous one has issued.
class dvr_prefetcher final : public runahead_engine {
 public:
  explicit dvr_prefetcher(const dvr_config& config);
  const dvr_config& config() const { return m_config; }
  std::uint64_t episodes() const { return m_episodes; }

 private:
  void snoop(const mem::instruction_event& e) override;
  bool step(time_ps horizon) override;
  void demand(const mem::access_event& e) override;
  void disabled() override;
  std::size_t window_lines() const override { return ~std::size_t{0}; }
  nlohmann::json model_stats() const override;

  struct chain {
    bool valid = false;
    std::uint64_t index_base = 0, target_base = 0, target_stride = 0, bound = 0;
    std::uint32_t target_bytes = 0;
    std::int64_t first = 0;  // the first index position of the loop (-1: not seen yet)
  };

  dvr_config m_config;
  chain m_chain;
  std::uint32_t m_discovered = 0;  // dependent loads seen of the current chain
  std::int64_t m_next = 0;         // next index position to vectorise
  bool m_episode_wanted = false;
  std::uint32_t m_loop_ewma = 0;    // EWMA of the index stream's trip count (elements)
  std::uint64_t m_index_count = 0;  // index elements the NPU loaded in the current loop
  vector_generator m_vmig;
  std::uint64_t m_episodes = 0, m_lanes = 0, m_budget_stops = 0;
};

}  // namespace nvr::runahead
