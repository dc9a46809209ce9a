// The NPU memory hierarchy as one pure C++ timing model: NSB -> L2 -> DRAM with an optional
// prefetcher, for the trace driver, benchmarks and fast tests. The platform builds the same
// levels as TLM blocks (cache_tlm, dram_tlm) from the same configuration.
#pragma once

#include <memory>
#include <string>

#include "ip/cache/cache.h"
#include "ip/dram/dram.h"
#include "ip/prefetch/prefetcher.h"

namespace nvr::mem {

struct hierarchy_config {
  cache_config nsb = default_nsb();
  cache_config l2 = default_l2();
  dram_config dram;
  std::string prefetcher = "none";  // a prefetcher_factory name
  nvr::mem::prefetcher_params prefetcher_params;
  std::string prefetch_level = "nsb";  // the cache whose accesses train it: nsb or l2

  // 16 KiB, 64 B lines, 16-way PLRU, 16 MSHRs + 16 prefetch MSHRs, 2 cycles.
  static cache_config default_nsb();
  // 256 KiB, 64 B lines, 8-way PLRU, 32 MSHRs + 16 prefetch MSHRs, 12 cycles.
  static cache_config default_l2();
};

class hierarchy final : public timing_target {
 public:
  // Statistics under name.nsb, name.l2, name.dram. std::invalid_argument on a bad configuration.
  hierarchy(const std::string& name, const hierarchy_config& config, const prefetcher_environment& env = {},
            const value_source* values = nullptr);

  using timing_target::access;
  time_ps access(time_ps now, const request& r) override { return m_nsb.access(now, r); }
  prefetch_status prefetch(time_ps now, std::uint64_t address, unsigned depth,
                           std::uint64_t instruction_id) override {
    return m_nsb.prefetch(now, address, depth, instruction_id);
  }

  // VCD signals of every level under prefix.nsb, prefix.l2 (group cache) and prefix.dram (group
  // dram); the NPU calls it with its hierarchy's name. Standalone users leave it off.
  void enable_tracing(const std::string& prefix);

  cache& nsb() { return m_nsb; }
  cache& l2() { return m_l2; }
  dram& memory() { return m_dram; }
  prefetcher* active_prefetcher() { return m_prefetcher.get(); }
  // The cache the prefetcher is attached to.
  cache& prefetch_cache() { return m_config.prefetch_level == "l2" ? m_l2 : m_nsb; }
  const hierarchy_config& config() const { return m_config; }

 private:
  hierarchy_config m_config;
  dram m_dram;
  cache m_l2;
  cache m_nsb;
  std::unique_ptr<prefetcher> m_prefetcher;
};

}  // namespace nvr::mem
