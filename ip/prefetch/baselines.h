// The baseline prefetchers: next-line, stride (per-instruction reference prediction table),
// stream, IMP (indirect memory prefetcher) and the oracle. See README.md for each algorithm.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "ip/prefetch/prefetcher.h"

namespace nvr::mem {

// Prefetches the `degree` lines after every access (only after misses with on_miss_only).
class next_line_prefetcher final : public prefetcher {
 public:
  explicit next_line_prefetcher(const prefetcher_params& params);
  void on_access(const access_event& e) override;

 private:
  unsigned m_degree;
  bool m_on_miss_only;
};

// Reference prediction table indexed by instruction id (direct-mapped, tagged). An entry learns
// the stride between consecutive addresses of its instruction with a 2-bit confidence; at
// confidence >= threshold it prefetches `degree` lines at addr + k * stride, k from `distance`.
class stride_prefetcher final : public prefetcher {
 public:
  explicit stride_prefetcher(const prefetcher_params& params);
  void on_access(const access_event& e) override;
  nlohmann::json final_stats() const override;

  // For tests: the stride learned for an instruction (0 when none or not confident).
  std::int64_t learned_stride(std::uint64_t instruction_id) const;

 private:
  struct entry {
    bool valid = false;
    std::uint64_t instruction_id = 0;
    std::uint64_t last_address = 0;
    std::int64_t stride = 0;
    unsigned confidence = 0;
    std::uint64_t last_prefetch_line = ~std::uint64_t{0};
  };
  std::vector<entry> m_table;
  unsigned m_degree, m_distance, m_threshold;
  std::uint64_t m_trained = 0, m_triggers = 0;
};

// Stream buffer style detector, independent of the instruction: tracks up to `streams` streams
// of misses moving through consecutive lines (either direction); once `threshold` steps agree it
// keeps up to `distance` lines ahead of the stream, at most `degree` new lines per trigger.
class stream_prefetcher final : public prefetcher {
 public:
  explicit stream_prefetcher(const prefetcher_params& params);
  void on_access(const access_event& e) override;
  nlohmann::json final_stats() const override;

 private:
  struct entry {
    bool valid = false;
    std::int64_t last_line = 0;  // line numbers
    int direction = 0;
    unsigned confidence = 0;
    std::int64_t next_prefetch = 0;
    std::uint64_t stamp = 0;
  };
  std::vector<entry> m_streams;
  unsigned m_degree, m_distance, m_threshold, m_window;
  std::uint64_t m_clock = 0, m_allocations = 0;
};

// Indirect memory prefetcher (Yu et al., MICRO 2015) with gem5's defaults: a prefetch table per
// instruction detects streaming index loads and prefetches them ahead; an indirect pattern
// detector correlates two index values with the misses that follow them to learn
// addr = base + (index << shift); then each index value (from the access, and future ones read
// through the value source) is turned into a prefetch of its target.
class imp_prefetcher final : public prefetcher {
 public:
  explicit imp_prefetcher(const prefetcher_params& params);
  void on_access(const access_event& e) override;
  nlohmann::json final_stats() const override;

  struct pattern {
    bool enabled = false;
    std::uint64_t base = 0;
    int shift = 0;
    unsigned confidence = 0;
  };
  // For tests: what the index-load instruction has learned.
  pattern learned(std::uint64_t index_instruction_id) const;

 private:
  struct pt_entry {
    bool valid = false;
    std::uint64_t instruction_id = 0;
    std::uint64_t last_address = 0;
    std::int64_t stride = 0;
    unsigned stream_counter = 0;
    bool enabled = false;
    std::uint64_t base = 0;
    int shift = 0;
    unsigned indirect_counter = 0;
    std::vector<std::uint64_t> targets;  // recent predicted targets, a ring; 0 = matched/empty
    std::size_t target_pos = 0;
    std::size_t match_hint = 0;          // where the next match is expected (targets come in order)
    std::vector<std::uint16_t> filter;   // counts of ring targets per line hash: skips most scans
    std::uint64_t prefetched_until = 0;  // index element address up to which targets were issued
    std::uint64_t stamp = 0;
  };
  struct ipd_entry {
    bool valid = false;
    std::size_t pt = 0;
    std::int64_t idx1 = 0, idx2 = 0;
    bool second = false;
    std::vector<std::uint64_t> bases;  // addr_array_len x shifts
    unsigned misses = 0;
    std::uint64_t stamp = 0;
  };

  std::uint64_t target(const pt_entry& p, std::int64_t index) const;
  static std::uint64_t apply_shift(std::int64_t index, int shift);
  // Confirms a predicted target the access reached. Most accesses reach none, which the shared
  // filter tells without visiting the entries.
  void check_matches(std::uint64_t address) {
    const std::uint64_t l = line_of(address);
    const std::size_t h = hash(l);
    if (m_match_filter[h] != 0) match_targets(l, h);
  }
  void match_targets(std::uint64_t line, std::size_t h);
  void track_miss(std::uint64_t address, std::uint64_t instruction_id);
  void observe_index(std::size_t pt, std::int64_t index, bool vector_pair, std::int64_t next_index);
  void record_target(pt_entry& p, std::uint64_t t);
  void enable(std::size_t slot, bool on);
  // 1024 filter buckets against at most 1024 ring targets: few false hits, counts never overflow.
  static constexpr unsigned filter_bits = 10;
  static std::size_t hash(std::uint64_t line) { return (line * 0x9e3779b97f4a7c15ull) >> (64 - filter_bits); }
  void prefetch_indirect(pt_entry& p, const access_event& e);

  std::vector<pt_entry> m_pt;
  std::vector<ipd_entry> m_ipd;
  std::vector<int> m_shifts;
  int m_tracking = -1;
  std::size_t m_last_slot = 0;
  std::size_t m_pt_used = 0;  // valid prefetch-table entries: always m_pt[0, m_pt_used)
  // Slots of the entries with a pattern: every access checks only these for a confirmed target.
  std::vector<std::size_t> m_enabled;
  // The sum of the enabled entries' filters: zero where no entry expects the line.
  std::vector<std::uint32_t> m_match_filter;
  unsigned m_prefetch_threshold, m_max_counter, m_stream_threshold, m_stream_distance, m_max_distance,
      m_addr_array_len, m_target_history;
  std::uint64_t m_clock = 0;
  std::uint64_t m_patterns_found = 0, m_stream_prefetches = 0, m_indirect_prefetches = 0, m_matches = 0;
};

// Knows the future: holds the sequence of demand line addresses its cache will see and, at every
// hook, asks for the next `distance` of them, farthest first (so dropped or evicted ones are
// asked for again). With a distance below the associativity it removes every demand miss that
// MSHRs allow: the upper bound.
class oracle_prefetcher final : public prefetcher {
 public:
  oracle_prefetcher(const prefetcher_params& params,
                    std::shared_ptr<const std::vector<std::uint64_t>> future);
  void on_access(const access_event& e) override;
  void on_tick(time_ps now) override;
  nlohmann::json final_stats() const override;

 private:
  void top_up(time_ps now);
  std::shared_ptr<const std::vector<std::uint64_t>> m_future;
  std::size_t m_cursor = 0;
  unsigned m_distance;
  std::uint64_t m_resyncs = 0;
};

}  // namespace nvr::mem
