// The cache of the lock-step tests (test_rtl_core, nvr-rtl-replay): each of the TLM and the RTL
// gets its own copy, so both see the same answers to line_ready / prefetch_free as long as they
// make the same prefetches. 8 prefetch MSHRs, a line-dependent latency, 512 lines in FIFO order.
#pragma once

#include <algorithm>
#include <deque>
#include <map>
#include <set>
#include <vector>

#include "ip/prefetch/prefetcher.h"

namespace nvr::test {

inline constexpr mem::time_ps ns = 1000;

class fake_cache final : public mem::prefetch_sink {
 public:
  struct record {
    mem::time_ps time;
    std::uint64_t line;
    unsigned depth;
    std::uint64_t stream;
    bool operator==(const record& o) const {
      return time == o.time && line == o.line && depth == o.depth && stream == o.stream;
    }
  };
  mem::prefetch_status prefetch(mem::time_ps now, std::uint64_t address, unsigned depth,
                                std::uint64_t id) override {
    issued.push_back({now, address, depth, id});
    const mem::time_ps ready = now + latency + (address >> 6) % 7 * 10 * ns;
    if (!m_ready.emplace(address, ready).second) return mem::prefetch_status::redundant;
    m_order.push_back(address);
    m_in_flight.insert(ready);
    // Only the recent past matters to prefetch_free (the engine's times trail by less).
    while (!m_in_flight.empty() && *m_in_flight.begin() + 100 * latency < now)
      m_in_flight.erase(m_in_flight.begin());
    trim();
    return mem::prefetch_status::issued;
  }
  std::uint32_t line_size() const override { return 64; }
  mem::time_ps line_ready(std::uint64_t address) const override {
    const auto it = m_ready.find(address);
    return it == m_ready.end() ? 0 : it->second;
  }
  mem::time_ps prefetch_free(mem::time_ps now) const override {
    std::vector<mem::time_ps> busy;
    for (mem::time_ps r : m_in_flight)
      if (r > now) busy.push_back(r);
    if (busy.size() < mshrs) return now;
    std::sort(busy.begin(), busy.end());
    return busy[busy.size() - mshrs];
  }
  std::uint64_t capacity_lines() const override { return 512; }
  void demand_fill(std::uint64_t line, mem::time_ps at) {
    if (m_ready.emplace(line, at).second) m_order.push_back(line);
    trim();
  }
  void evict(std::uint64_t line) {
    m_ready.erase(line);
    m_order.erase(std::remove(m_order.begin(), m_order.end(), line), m_order.end());
  }

  std::vector<record> issued;
  mem::time_ps latency = 80 * ns;
  std::size_t mshrs = 8;

 private:
  // Lines leave in the order they came (without telling the prefetcher: it sees them expire).
  void trim() {
    while (m_order.size() > capacity_lines()) {
      m_ready.erase(m_order.front());
      m_order.pop_front();
    }
  }
  std::map<std::uint64_t, mem::time_ps> m_ready;
  std::deque<std::uint64_t> m_order;
  std::multiset<mem::time_ps> m_in_flight;
};

}  // namespace nvr::test
