// One parameterised cache timing model, used as the NPU-side cache (NSB) and as the shared L2.
// It keeps tags, state and timing only: data always comes from the backing store. See README.md.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "ip/cache/memory_types.h"
#include "ip/cache/stat_group.h"
#include "ip/prefetch/prefetcher.h"

namespace nvr::mem {

enum class replacement_policy : std::uint8_t { lru, plru, random };
enum class write_policy : std::uint8_t {
  write_back_allocate,     // write hits and misses allocate and dirty the line
  write_back_no_allocate,  // write hits dirty the line, write misses go to the level below
};

const char* to_string(replacement_policy p);
const char* to_string(write_policy p);
replacement_policy parse_replacement(const std::string& text);  // std::invalid_argument
write_policy parse_write_policy(const std::string& text);       // "wb-wa" / "wb-nwa"

struct cache_config {
  std::uint64_t size = 16 * 1024;  // bytes; 0 = bypass (every access goes to the level below)
  std::uint32_t line = 64;         // bytes, a power of two
  std::uint32_t ways = 16;         // 0 = fully associative; size / (line * ways) a power of two
  replacement_policy replacement = replacement_policy::plru;
  std::uint64_t seed = 1;  // random replacement
  write_policy write = write_policy::write_back_allocate;
  std::uint32_t mshrs = 16;  // outstanding line fills; 0 = unlimited
  // MSHRs only prefetches use (0: prefetches share the demand MSHRs). A separate pool means a
  // prefetch never holds an MSHR a demand miss waits for.
  std::uint32_t prefetch_mshrs = 0;
  std::uint32_t hit_latency = 2;     // cycles from port grant to data
  std::uint32_t ports = 1;           // accesses accepted in parallel
  std::uint32_t port_occupancy = 1;  // cycles a port is busy per line access (bandwidth)
  std::uint32_t tick_period = 1;     // cycles between prefetcher ticks (0: never)
  time_ps clock_period = 1000;       // ps (1 GHz)
};

// The cache's counters (demand accesses unless named otherwise).
struct cache_counters {
  std::uint64_t accesses = 0, writes = 0;
  std::uint64_t hits = 0;    // line present, data there
  std::uint64_t misses = 0;  // line absent (primary misses)
  std::uint64_t write_misses = 0;
  std::uint64_t mshr_merges = 0;  // line in flight: merged into its fill (partial hits)
  std::uint64_t mshr_stalls = 0;  // misses that waited for a free MSHR
  std::uint64_t mshr_stall_ps = 0;
  std::uint64_t port_wait_ps = 0;  // time accesses waited for a port
  std::uint64_t evictions = 0, writebacks = 0;
  std::uint64_t fills = 0;             // line fills requested from below
  std::uint64_t forwarded_writes = 0;  // write misses passed down (no-write-allocate)
  std::uint64_t prefetch_requests = 0, prefetch_request_misses = 0;  // prefetch fills from above
  // Prefetches into this cache (from its own prefetcher or from above with depth).
  std::uint64_t pf_issued = 0, pf_redundant = 0, pf_dropped = 0;
  std::uint64_t pf_useful = 0;   // prefetched lines a demand used (timely + late)
  std::uint64_t pf_late = 0;     // ... of which the demand came before the fill
  std::uint64_t pf_useless = 0;  // prefetched lines evicted unused
  // Derived rather than counted: one store less per access and per miss.
  std::uint64_t reads() const { return accesses - writes; }
  std::uint64_t read_misses() const { return misses - write_misses; }
};

class cache final : public timing_target, public prefetch_sink {
 public:
  // `name`: statistics path ("memory.nsb"); empty publishes nothing. `lower`: the next level.
  // std::invalid_argument on an impossible geometry.
  cache(std::string name, const cache_config& config, timing_target* lower);
  ~cache() override;

  using timing_target::access;
  // Inline: the level above (and the hierarchy) call it directly on this final class, so the
  // common case, one line, costs no extra call.
  time_ps access(time_ps now, const request& r) override {
    if (__builtin_expect(m_rare_path, 0)) return rare_access(now, r);
    return cached_access(now, r);
  }
  prefetch_status prefetch(time_ps now, std::uint64_t address, unsigned depth,
                           std::uint64_t instruction_id) override;
  std::uint32_t line_size() const override { return m_config.line; }
  // A bypassed cache answers for the level below (where its prefetches go).
  time_ps line_ready(std::uint64_t address) const override {
    return bypassed() && m_lower_cache ? m_lower_cache->line_ready(address) : ready_time(address);
  }
  time_ps prefetch_free(time_ps now) const override;
  std::uint64_t capacity_lines() const override {
    return bypassed() && m_lower_cache ? m_lower_cache->capacity_lines() : m_lines;
  }

  // The prefetcher trained by this cache's demand accesses (not owned; nullptr: none).
  void set_prefetcher(prefetcher* p, const value_source* values = nullptr);
  prefetcher* get_prefetcher() const { return m_prefetcher; }
  void set_lower(timing_target* lower);
  // Told of every demand request before it is handled (not owned; nullptr: none). Shares the
  // access path's one rare-case test with the bypass, so it costs nothing when unset.
  void set_observer(access_observer* o) {
    m_observer = o;
    m_rare_path = o != nullptr || m_config.size == 0;
  }

  // Creates the VCD signals of group "cache" under `prefix` (e.g. soc.npu.memory.nsb): MSHRs in
  // use, demand miss, prefetch issued and late prefetch strobes. Without it there are none.
  void enable_tracing(const std::string& prefix);

  // Forgets every line and reservation (counters stay).
  void reset();

  const cache_config& config() const { return m_config; }
  const cache_counters& counters() const { return m_counters; }
  const std::string& name() const { return m_stats.prefix(); }
  bool bypassed() const { return m_config.size == 0; }
  std::uint32_t sets() const { return m_sets; }
  std::uint32_t ways() const { return m_ways; }

  // Inspection for tests and tools.
  bool contains(std::uint64_t address) const;
  bool is_dirty(std::uint64_t address) const;
  time_ps ready_time(std::uint64_t address) const;  // 0 when absent
  std::uint64_t unused_prefetched_lines() const;

 private:
  static constexpr std::uint64_t invalid_tag = ~std::uint64_t{0};
  // flag_valid: the way holds a line. Kept with the flags so that a miss that evicts a clean line
  // never reads the (much larger) way state for its tag.
  enum : std::uint8_t { flag_dirty = 1, flag_prefetched = 2, flag_valid = 4 };

  // The MSHRs' release times, kept sorted in a ring: a miss takes the earliest (any free MSHR is
  // as good as another, so only the multiset of times matters), and the new release time is
  // inserted from the back, where it usually belongs since fills from below complete roughly in
  // call order. Cheaper than a heap on that pattern.
  class release_queue {
   public:
    void assign(std::uint32_t count);  // `count` MSHRs, all free at 0
    time_ps earliest() const { return m_times[m_head]; }
    void replace_earliest(time_ps release);

   private:
    std::vector<time_ps> m_times;  // a power-of-two ring; [head, head + count) in order
    std::size_t m_head = 0, m_count = 0, m_mask = 0;
  };

  // How a demand access found its line, for the prefetcher.
  struct lookup_result {
    bool hit = false, in_flight = false, prefetch_hit = false;
  };

  // One way: its tag and fill-ready time share a host cache line, since a hit reads both and a
  // miss replaces both. Signatures and flags are kept apart, one byte per way.
  struct way_state {
    std::uint64_t tag = invalid_tag;  // line number
    time_ps ready = 0;                // fill-ready time
  };

  // A way's 8-bit tag signature: the set search compares the signatures of 16 ways at once and
  // checks full tags only for those that match, so a miss costs one compare per 16 ways.
  static std::uint8_t signature(std::uint64_t line_no) {
    return static_cast<std::uint8_t>((line_no * 0x9e3779b97f4a7c15ull) >> 56);
  }

  time_ps bypass(time_ps now, const request& r);       // size 0
  time_ps rare_access(time_ps now, const request& r);  // observed or bypassed
  time_ps cached_access(time_ps now, const request& r) {
    if (m_ticking && now >= m_next_tick) tick(now);
    const std::uint64_t size = r.size ? r.size : 1;
    if ((r.address & (m_config.line - 1)) + size <= m_config.line)
      return access_line(now, r.address, static_cast<std::uint32_t>(size), r);
    return access_lines(now, r);
  }
  void tick(time_ps now);                               // the prefetcher's periodic hook
  time_ps access_lines(time_ps now, const request& r);  // an access across lines
  time_ps access_line(time_ps now, std::uint64_t address, std::uint32_t size, const request& r);
  time_ps hit_line(std::uint64_t idx, time_ps start, time_ps lookup, const request& r, lookup_result& found);
  time_ps miss_line(std::uint32_t set, std::uint64_t line_no, std::uint8_t sig, std::uint64_t address,
                    std::uint32_t size, time_ps lookup, const request& r);
  // A prefetch of a line that is absent (set and signature computed).
  prefetch_status prefetch_line(time_ps now, std::uint64_t line_no, std::uint32_t set, std::uint8_t sig,
                                std::uint64_t instruction_id);
  time_ps grant_port(time_ps now);
  // When a miss at `t` gets an MSHR (later than t if all are busy). occupy_mshr() then holds
  // that MSHR until `ready`.
  time_ps acquire_mshr(time_ps t);
  void occupy_mshr(time_ps ready) {
    if (m_mshrs != 0) m_mshr_release.replace_earliest(ready);
  }
  // The pool a prefetch into this cache uses: its own when prefetch_mshrs > 0.
  release_queue& prefetch_pool() { return m_config.prefetch_mshrs != 0 ? m_pf_release : m_mshr_release; }
  const release_queue& prefetch_pool() const {
    return m_config.prefetch_mshrs != 0 ? m_pf_release : m_mshr_release;
  }
  bool prefetch_limited() const { return m_config.prefetch_mshrs != 0 || m_mshrs != 0; }
  int find(std::uint32_t set, std::uint64_t line_no, std::uint8_t sig) const;
  int find(std::uint32_t set, std::uint64_t line_no) const { return find(set, line_no, signature(line_no)); }
  std::uint32_t victim(std::uint32_t set);
  void touch(std::uint32_t set, std::uint32_t way);
  // Makes slot `idx` the place of a new line: counts the eviction of the line it holds, if any,
  // and returns that line's flags (0: none). The slot keeps its old contents, the evicted tag
  // included, until install() overwrites them; nothing else reads it in between.
  std::uint8_t replace(std::uint64_t idx);
  // The tag the prefetcher's fill hook or a write-back needs of a line replace() evicted.
  std::uint64_t evicted_tag(std::uint64_t idx, std::uint8_t evicted_flags) const {
    const bool needed = (evicted_flags & flag_dirty) || (m_prefetcher_fills && (evicted_flags & flag_valid));
    return needed ? m_way[idx].tag : invalid_tag;
  }
  // Puts line `line_no` (signature `sig`) into slot `idx` (way `way` of `set`), its data there at
  // `ready`.
  void install(std::uint64_t idx, std::uint32_t set, std::uint32_t way, std::uint64_t line_no,
               std::uint8_t sig, time_ps ready, std::uint8_t flags);
  void write_back(time_ps t, std::uint64_t line_address);
  void notify_fill(time_ps t, time_ps ready, std::uint64_t line_no, bool prefetch, std::uint64_t evicted,
                   bool evicted_unused_prefetch);
  void publish();

  // The level below. When it is another cache (NSB -> L2), m_lower_cache holds it too, so that
  // the call is direct (the class is final) instead of virtual on every miss.
  time_ps lower_access(time_ps t, const request& r) {
    return m_lower_cache ? m_lower_cache->access(t, r) : m_lower->access(t, r);
  }

  struct trace_signals;
  // Called on miss, fill and prefetch paths only, behind one m_trace branch: a miss detected at
  // `at` whose fill holds an MSHR from `grant` to `ready`.
  enum class trace_kind : std::uint8_t { demand_miss, other_miss, prefetch_issued, prefetch_late };
  void trace_event(trace_kind kind, time_ps at, time_ps grant, time_ps ready);

  cache_config m_config;
  timing_target* m_lower;
  cache* m_lower_cache = nullptr;
  prefetcher* m_prefetcher = nullptr;
  access_observer* m_observer = nullptr;
  bool m_rare_path = false;  // m_observer set or size 0: access() leaves its fast path
  bool m_prefetcher_fills = false, m_prefetcher_ticks = false;  // its uses_fills() / uses_ticks()
  bool m_ticking = false;  // m_prefetcher_ticks and a non-zero tick period
  time_ps m_hit_ps, m_occupancy_ps, m_tick_ps;
  std::uint32_t m_sets = 0, m_ways = 0, m_line_shift = 0, m_plru_levels = 0;
  std::uint64_t m_lines = 0, m_valid_lines = 0;
  std::uint64_t m_set_mask = 0;
  std::uint32_t m_first_chunk_mask = 0;  // the ways of a set's first 16 signatures

  std::vector<way_state> m_way;                        // per way: set * ways + way
  std::vector<std::uint8_t> m_signatures;              // signature() of each tag (+ padding)
  std::vector<std::uint8_t> m_flags;                   // flag_valid | flag_dirty | flag_prefetched
  std::vector<std::uint64_t> m_stamp;                  // LRU: last use
  std::vector<std::uint64_t> m_plru;                   // PLRU: ways - 1 tree bits per set, packed
  std::vector<std::uint64_t> m_plru_keep, m_plru_set;  // PLRU: per-way masks of a use
  std::vector<std::uint8_t> m_plru_top;                // PLRU: tree bits of the top levels -> node
  unsigned m_plru_top_levels = 0;
  std::uint64_t m_clock = 0;  // LRU use counter
  std::uint64_t m_rng;        // random replacement (xorshift64)
  std::vector<time_ps> m_port_free;
  bool m_single_port = true;  // ports == 1: no search for the earliest-free port
  release_queue m_mshr_release;
  release_queue m_pf_release;  // prefetch_mshrs > 0
  std::uint32_t m_mshrs = 0;
  time_ps m_next_tick = 0;

  cache_counters m_counters;
  stat_group m_stats;
  std::unique_ptr<trace_signals> m_trace;  // nullptr: not traced
};

}  // namespace nvr::mem
