// Test doubles for the memory hierarchy: a level below with a fixed latency that records what it
// was asked, and a prefetcher that records its hooks.
#pragma once

#include <cstdint>
#include <vector>

#include "ip/cache/memory_types.h"
#include "ip/prefetch/prefetcher.h"

namespace nvr::mem::testing {

struct seen_request {
  time_ps time;
  std::uint64_t address;
  std::uint32_t size;
  bool is_write;
  bool is_prefetch;
};

class fixed_latency final : public timing_target {
 public:
  explicit fixed_latency(time_ps latency) : m_latency(latency) {}
  using timing_target::access;
  time_ps access(time_ps now, const request& r) override {
    seen.push_back({now, r.address, r.size, r.is_write, r.is_prefetch});
    return now + m_latency;
  }
  std::vector<seen_request> seen;

 private:
  time_ps m_latency;
};

class recording_prefetcher final : public prefetcher {
 public:
  recording_prefetcher() : prefetcher("recording") {}
  void on_access(const access_event& e) override { accesses.push_back(e); }
  void on_fill(const fill_event& e) override { fills.push_back(e); }
  void on_tick(time_ps now) override { ticks.push_back(now); }
  prefetch_status prefetch_now(time_ps now, std::uint64_t address) { return issue(now, address); }
  std::vector<access_event> accesses;
  std::vector<fill_event> fills;
  std::vector<time_ps> ticks;
};

}  // namespace nvr::mem::testing
