// The detectors of the NVR runahead unit (ip/nvr/README.md), each a small table with the entry
// fields paper-facts.md lists, pure C++ so tests drive them with synthetic snoop streams:
//   stride_detector     (SD, 16 entries, LRU): the stride between consecutive values of a key
//                       (an instruction field, a load stream) with two 2-bit confidences;
//   loop_bound_detector (LBD, 16 entries): the trip count of a striding run of a key as a 9-bit
//                       EWMA, so runahead predicts where a loop wraps instead of running past it;
//   chain_detector      (SCD, 2 entries): an index -> data chain bounded by [ss_start, ss_end)
//                       (row_ptr[i], row_ptr[i+1]); emits vectors of vector_size lanes and masks
//                       the lanes outside the bound;
//   vector_generator    (VMIG): packs the lanes' addresses into the distinct lines of one vector
//                       prefetch.
#pragma once

#include <cstdint>
#include <optional>
#include <vector>

namespace nvr::runahead {

class stride_detector {
 public:
  struct entry {
    bool valid = false;
    std::uint64_t key = 0;
    std::int64_t last = 0;                 // previous value
    std::int64_t stride = 0;               // last stride seen
    std::uint8_t confidence = 0;           // 2 bits: repeats of `stride`
    std::uint8_t prefetch_confidence = 0;  // 2 bits: predictions (last + stride) that came true
    bool seen = false;                     // a second value arrived (stride defined)
    std::int64_t last_prediction = 0;
    std::int64_t last_prefetch = 0;  // how far a stream prefetch of this key went
    std::uint64_t stamp = 0;         // LRU
  };

  explicit stride_detector(unsigned entries = 16);

  // Trains the entry of `key` on its next value (allocating the LRU entry on a miss).
  const entry& observe(std::uint64_t key, std::int64_t value);
  const entry* find(std::uint64_t key) const;
  entry* find(std::uint64_t key);
  // The next value when the stride is confident (confidence >= 2), else nothing.
  std::optional<std::int64_t> predict(std::uint64_t key) const;
  static bool confident(const entry& e) { return e.seen && e.confidence >= 2; }

  unsigned occupancy() const;
  unsigned size() const { return static_cast<unsigned>(m_entries.size()); }
  void reset();

 private:
  std::vector<entry> m_entries;
  std::uint64_t m_clock = 0;
};

class loop_bound_detector {
 public:
  struct entry {
    bool valid = false;
    std::uint64_t key = 0;         // the loop's instruction field
    std::int64_t start = 0;        // value at iteration 0 of the current run
    std::int64_t start_delta = 0;  // how the start moved from the previous run to this one
    std::int64_t increment = 0;    // stride within the loop
    std::uint32_t iteration = 0;   // 9-bit counter: iterations of the current run so far
    std::uint32_t ewma = 0;        // 9-bit EWMA of the trip count (iterations per run)
    std::uint8_t confidence = 0;   // 2 bits: runs whose trip count equalled the EWMA
    std::int64_t last = 0;
    bool seen = false;
    std::uint64_t stamp = 0;
  };

  explicit loop_bound_detector(unsigned entries = 16);

  // The next value of a loop variable: a value `increment` after the last continues the run,
  // anything else ends it (its trip count enters the EWMA) and starts a new one.
  void observe(std::uint64_t key, std::int64_t value);
  const entry* find(std::uint64_t key) const;
  // The learned trip count when confident (confidence >= 2).
  std::optional<std::uint32_t> trip_count(std::uint64_t key) const;
  // Whether the value after `value` (at iteration `iteration` of its run) starts a new run.
  bool wraps_after(std::uint64_t key, std::uint32_t iteration) const;

  unsigned occupancy() const;
  unsigned size() const { return static_cast<unsigned>(m_entries.size()); }
  void reset();

  static constexpr std::uint32_t max_count = 511;  // 9 bits

 private:
  std::vector<entry> m_entries;
  std::uint64_t m_clock = 0;
};

// One lane of a vector: the index position it covers and, once its index is known, its address.
struct lane {
  std::int64_t position = 0;
  bool active = false;
  std::uint64_t address = 0;
};

class chain_detector {
 public:
  struct entry {
    bool valid = false;
    std::uint64_t index_base = 0;   // the index array (col_idx)
    std::uint32_t index_bytes = 4;  // int32 indices
    std::uint64_t target_base = 0;  // data = target_base + index * target_stride
    std::uint64_t target_stride = 0;
    std::uint64_t index_bound = 0;          // valid indices are [0, index_bound) (b rows / table rows)
    std::int64_t ss_start = 0, ss_end = 0;  // row_ptr[i], row_ptr[i + 1]
    std::int64_t last_prefetched = 0;       // next position to cover
    unsigned vector_size = 16;
  };

  explicit chain_detector(unsigned entries = 2);

  // (Re)programs entry `slot` for a new chain; the position starts at ss_start.
  void program(unsigned slot, const entry& e);
  // A new bound [ss_start, ss_end) for the same chain (the next row).
  void set_bounds(unsigned slot, std::int64_t ss_start, std::int64_t ss_end);
  bool exhausted(unsigned slot) const;  // last_prefetched reached ss_end
  // The next vector: vector_size lanes from last_prefetched, those at or past ss_end masked;
  // advances last_prefetched. Empty when exhausted.
  std::vector<lane> next_vector(unsigned slot);
  // The address of a lane given its index value; false (lane masked) when the index is outside
  // [0, index_bound).
  bool resolve(unsigned slot, lane& l, std::int64_t index) const;

  entry& at(unsigned slot) { return m_entries.at(slot); }
  const entry& at(unsigned slot) const { return m_entries.at(slot); }
  unsigned occupancy() const;
  unsigned size() const { return static_cast<unsigned>(m_entries.size()); }
  void invalidate(unsigned slot) { m_entries.at(slot).valid = false; }
  void reset();

 private:
  std::vector<entry> m_entries;
};

// Packs the active lanes of one vector into its distinct lines (each lane's `bytes` may span two
// lines), in lane order.
class vector_generator {
 public:
  explicit vector_generator(std::uint32_t line_bytes = 64) : m_line(line_bytes) {}
  std::vector<std::uint64_t> lines(const std::vector<lane>& lanes, std::uint32_t bytes);

  std::uint64_t vectors() const { return m_vectors; }
  std::uint64_t active_lanes() const { return m_active; }
  std::uint64_t masked_lanes() const { return m_masked; }
  std::uint64_t line_count() const { return m_lines; }

 private:
  std::uint32_t m_line;
  std::uint64_t m_vectors = 0, m_active = 0, m_masked = 0, m_lines = 0;
};

}  // namespace nvr::runahead
