// The prefetcher interface of the NPU memory hierarchy, shaped after ChampSim's hooks:
//   on_access  (cache_operate): every demand access with its hit/miss outcome,
//   on_fill    (cache_fill):    every line the cache allocates, with the line it evicted,
//   on_tick    (cycle_operate): periodically, from the cache's clock,
//   final_stats:                the prefetcher's own figures, published as JSON.
// A prefetcher issues prefetch(line, fill depth) into the cache it is attached to; prefetches
// are non-binding and the cache drops them (and counts them) when its MSHRs are full.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "ip/cache/memory_types.h"

namespace nvr::mem {

// A demand access as the cache saw it.
struct access_event {
  time_ps time = 0;  // when the cache looked the line up (after waiting for a port)
  std::uint64_t address = 0;
  std::uint64_t line_address = 0;
  std::uint32_t size = 0;
  std::uint64_t instruction_id = 0;
  bool is_write = false;
  bool hit = false;                      // line present and its data there
  bool in_flight = false;                // line present but still being filled (an MSHR merge)
  bool prefetch_hit = false;             // first demand use of a prefetched line (timely or late)
  const std::int64_t* values = nullptr;  // data of an index load (see request)
  std::uint32_t value_count = 0;
};

// A line the cache allocated (on a demand miss or a prefetch).
struct fill_event {
  time_ps time = 0;   // when the line was allocated
  time_ps ready = 0;  // when its data arrives
  std::uint64_t line_address = 0;
  bool prefetch = false;
  bool evicted = false;  // a valid line was evicted to make room
  std::uint64_t evicted_line_address = 0;
  bool evicted_unused_prefetch = false;
};

// What a prefetcher issues into: the cache it is attached to.
class prefetch_sink {
 public:
  virtual ~prefetch_sink() = default;
  virtual prefetch_status prefetch(time_ps now, std::uint64_t address, unsigned depth,
                                   std::uint64_t instruction_id) = 0;
  virtual std::uint32_t line_size() const = 0;
  // For runahead engines that pace themselves instead of losing requests: when the line's data
  // is (or will be) there, 0 when absent; the earliest time >= now at which a prefetch is not
  // dropped for want of an MSHR; how many lines the cache holds.
  virtual time_ps line_ready(std::uint64_t address) const {
    (void)address;
    return 0;
  }
  virtual time_ps prefetch_free(time_ps now) const { return now; }
  virtual std::uint64_t capacity_lines() const { return 0; }
};

// An NPU instruction as the NPU dispatches it to its unit (its eight words, ip/npu/ISA.md), for
// prefetchers that snoop the instruction stream (runahead: nvr, dvr).
struct instruction_event {
  time_ps time = 0;  // dispatch time
  std::uint32_t sequence = 0;
  std::array<std::uint32_t, 8> words{};
};

// Functional memory a prefetcher may read, as hardware reads the data of lines it prefetched
// (IMP reads future index values). The platform backs it with the backing store, the trace
// driver with the values recorded in the trace. Returns false when the value is unknown.
class value_source {
 public:
  virtual ~value_source() = default;
  virtual bool read(std::uint64_t address, std::uint32_t bytes, std::int64_t& value) const = 0;
};

// Integer parameters of a prefetcher by name ("degree" -> 4). Unknown names are an error.
using prefetcher_params = std::map<std::string, std::int64_t>;

class prefetcher {
 public:
  virtual ~prefetcher() = default;
  prefetcher(const prefetcher&) = delete;
  prefetcher& operator=(const prefetcher&) = delete;

  const std::string& name() const { return m_name; }

  // Connects the prefetcher to the cache it issues into (and the memory it may read).
  void attach(prefetch_sink* sink, const value_source* values = nullptr) {
    m_sink = sink;
    m_values = values;
    m_line = sink ? sink->line_size() : 64;
  }

  virtual void on_access(const access_event& e) = 0;
  virtual void on_fill(const fill_event& e) { (void)e; }
  virtual void on_tick(time_ps now) { (void)now; }
  // The NPU's instruction stream (called only when uses_instructions()), and the run-time switch
  // the NPU's CTRL.nvr_enable gives firmware over runahead prefetchers, effective from `time`.
  virtual void on_instruction(const instruction_event& e) { (void)e; }
  virtual void on_enable(time_ps time, bool enabled) { (void)time, (void)enabled; }
  bool uses_instructions() const { return m_uses_instructions; }

  // VCD signals under `prefix` (group nvr); prefetchers without signals ignore it.
  virtual void enable_tracing(const std::string& prefix) { (void)prefix; }

  // Whether on_fill / on_tick do anything: a cache makes no call (and builds no event) for a
  // hook the prefetcher leaves out, which saves a virtual call per access or miss. Both true
  // unless the prefetcher says otherwise.
  bool uses_fills() const { return m_uses_fills; }
  bool uses_ticks() const { return m_uses_ticks; }

  // Own figures of the prefetcher: requests by outcome plus model-specific ones.
  virtual nlohmann::json final_stats() const;

  std::uint64_t requested() const { return m_requested; }

 protected:
  explicit prefetcher(std::string name) : m_name(std::move(name)) {}

  // Issues a prefetch of the line holding `address`, `depth` levels below the attached cache
  // (0: into it). Counts the outcome.
  prefetch_status issue(time_ps now, std::uint64_t address, std::uint64_t instruction_id = 0);

  std::uint32_t line() const { return m_line; }
  std::uint64_t line_of(std::uint64_t address) const { return address & ~std::uint64_t{m_line - 1}; }
  const value_source* values() const { return m_values; }

  unsigned m_fill_depth = 0;  // every prefetcher takes the "fill_depth" parameter

  // For prefetchers that do not override on_fill / on_tick (see uses_fills()).
  void use_hooks(bool fills, bool ticks, bool instructions = false) {
    m_uses_fills = fills;
    m_uses_ticks = ticks;
    m_uses_instructions = instructions;
  }
  prefetch_sink* sink() const { return m_sink; }

 private:
  std::string m_name;
  prefetch_sink* m_sink = nullptr;
  const value_source* m_values = nullptr;
  std::uint32_t m_line = 64;
  bool m_uses_fills = true, m_uses_ticks = true, m_uses_instructions = false;
  std::uint64_t m_requested = 0, m_issued = 0, m_redundant = 0, m_dropped = 0;
};

// Reads a prefetcher's parameters with defaults; finish() rejects names nobody asked for.
class param_reader {
 public:
  param_reader(std::string prefetcher, const prefetcher_params& params)
      : m_prefetcher(std::move(prefetcher)), m_params(params) {}
  std::int64_t get(const std::string& key, std::int64_t fallback, std::int64_t min, std::int64_t max);
  void finish() const;  // std::invalid_argument on an unknown parameter

 private:
  std::string m_prefetcher;
  const prefetcher_params& m_params;
  std::set<std::string> m_used;
};

// What a prefetcher may need from its run besides parameters.
struct prefetcher_environment {
  // The oracle: the future sequence of demand line addresses at its cache.
  std::shared_ptr<const std::vector<std::uint64_t>> future_lines;
};

}  // namespace nvr::mem
