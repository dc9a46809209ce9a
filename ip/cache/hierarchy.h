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

// Where a demand request entered the hierarchy: the NSB (access()), or the L2 directly (a
// requester that bypasses the NSB, such as the NPU's instruction fetch calling l2().access()).
enum class entry_level : std::uint8_t { nsb, l2 };

// Sees every demand request made to the hierarchy from outside, in call order, with its arrival
// time and entry level; not the requests the levels make of each other (NSB fills and write-backs
// at the L2), nor prefetches. The platform's NPU memory trace (--trace-npu-memory) is one.
class request_observer {
 public:
  virtual ~request_observer() = default;
  virtual void on_request(time_ps now, const request& r, entry_level at) = 0;
};

class hierarchy final : public timing_target {
 public:
  // Statistics under name.nsb, name.l2, name.dram. std::invalid_argument on a bad configuration.
  hierarchy(const std::string& name, const hierarchy_config& config, const prefetcher_environment& env = {},
            const value_source* values = nullptr);
  // The levels point at each other (and the L2's observer at the hierarchy): not copyable.
  hierarchy(const hierarchy&) = delete;
  hierarchy& operator=(const hierarchy&) = delete;

  using timing_target::access;
  time_ps access(time_ps now, const request& r) override {
    if (__builtin_expect(m_observer != nullptr, 0)) return observed_access(now, r);
    return m_nsb.access(now, r);
  }
  prefetch_status prefetch(time_ps now, std::uint64_t address, unsigned depth,
                           std::uint64_t instruction_id) override {
    if (__builtin_expect(m_observer != nullptr, 0))
      return observed_prefetch(now, address, depth, instruction_id);
    return m_nsb.prefetch(now, address, depth, instruction_id);
  }

  // Reports every outside demand request to `o` (not owned; nullptr: none). Without one the
  // access path pays one predictable test.
  void set_observer(request_observer* o);

  // VCD signals of every level under prefix.nsb, prefix.l2 (group cache) and prefix.dram (group
  // dram); the NPU calls it with its hierarchy's name. Standalone users leave it off.
  void enable_tracing(const std::string& prefix);

  cache& nsb() { return m_nsb; }
  cache& l2() { return m_l2; }
  dram& memory() { return m_dram; }
  prefetcher* active_prefetcher() { return m_external ? m_external : m_prefetcher.get(); }
  // Serves the hierarchy with a prefetcher someone else owns (the SoC's runahead unit) instead of
  // its own; std::logic_error when it has one of its own.
  void attach_prefetcher(prefetcher* p);
  // The cache the prefetcher is attached to: the L2 when asked for or when the NSB is bypassed
  // (size 0: it sees no accesses of its own).
  cache& prefetch_cache() { return m_config.prefetch_level == "l2" || m_nsb.bypassed() ? m_l2 : m_nsb; }
  const hierarchy_config& config() const { return m_config; }

 private:
  hierarchy_config m_config;
  dram m_dram;
  cache m_l2;
  cache m_nsb;
  std::unique_ptr<prefetcher> m_prefetcher;
  prefetcher* m_external = nullptr;
  const value_source* m_values;

  // The L2's observer: reports the L2 requests made from outside, i.e. those that do not come
  // from inside an NSB access or prefetch.
  class l2_tap final : public access_observer {
   public:
    explicit l2_tap(hierarchy& owner) : m_owner(owner) {}
    void observe(time_ps now, const request& r) override {
      if (!m_owner.m_inside) m_owner.m_observer->on_request(now, r, entry_level::l2);
    }

   private:
    hierarchy& m_owner;
  };
  time_ps observed_access(time_ps now, const request& r);
  prefetch_status observed_prefetch(time_ps now, std::uint64_t address, unsigned depth,
                                    std::uint64_t instruction_id);

  request_observer* m_observer = nullptr;
  l2_tap m_l2_tap{*this};
  bool m_inside = false;  // within an NSB access or prefetch
};

}  // namespace nvr::mem
