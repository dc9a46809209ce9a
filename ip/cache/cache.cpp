#include "ip/cache/cache.h"

#include <algorithm>
#include <stdexcept>

#include "ip/cache/mem_trace.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

namespace nvr::mem {

const char* to_string(replacement_policy p) {
  switch (p) {
    case replacement_policy::lru:
      return "lru";
    case replacement_policy::plru:
      return "plru";
    case replacement_policy::random:
      return "random";
  }
  return "?";
}

const char* to_string(write_policy p) { return p == write_policy::write_back_allocate ? "wb-wa" : "wb-nwa"; }

replacement_policy parse_replacement(const std::string& text) {
  if (text == "lru") return replacement_policy::lru;
  if (text == "plru") return replacement_policy::plru;
  if (text == "random") return replacement_policy::random;
  throw std::invalid_argument("unknown replacement policy '" + text + "' (lru, plru, random)");
}

write_policy parse_write_policy(const std::string& text) {
  if (text == "wb-wa" || text == "write-allocate") return write_policy::write_back_allocate;
  if (text == "wb-nwa" || text == "no-write-allocate") return write_policy::write_back_no_allocate;
  throw std::invalid_argument("unknown write policy '" + text + "' (wb-wa, wb-nwa)");
}

cache::cache(std::string name, const cache_config& config, timing_target* lower)
    : m_config(config),
      m_lower(lower),
      m_hit_ps(std::uint64_t{config.hit_latency} * config.clock_period),
      m_occupancy_ps(std::uint64_t{config.port_occupancy} * config.clock_period),
      m_tick_ps(std::uint64_t{config.tick_period} * config.clock_period),
      m_rng(config.seed ? config.seed : 0x9e3779b97f4a7c15ull),
      m_stats(std::move(name)) {
  const std::string who = "cache '" + m_stats.prefix() + "': ";
  if (!lower) throw std::invalid_argument(who + "no level below");
  if (!is_power_of_two(config.line)) throw std::invalid_argument(who + "line size must be a power of two");
  if (config.clock_period == 0) throw std::invalid_argument(who + "clock period must not be zero");
  if (config.ports == 0) throw std::invalid_argument(who + "at least one port");
  m_line_shift = log2_exact(config.line);
  if (config.size != 0) {
    if (config.size % config.line != 0)
      throw std::invalid_argument(who + "size must be a multiple of the line");
    const std::uint64_t lines = config.size / config.line;
    m_ways = config.ways == 0 ? static_cast<std::uint32_t>(lines) : config.ways;
    if (m_ways > lines || lines % m_ways != 0)
      throw std::invalid_argument(who + "size / line must be a multiple of the ways");
    if (!is_power_of_two(lines / m_ways))
      throw std::invalid_argument(who + "the number of sets must be a power of two");
    if (config.replacement == replacement_policy::plru && !is_power_of_two(m_ways))
      throw std::invalid_argument(who + "tree PLRU needs a power-of-two number of ways");
    m_sets = static_cast<std::uint32_t>(lines / m_ways);
    m_plru_levels = log2_exact(m_ways);
    m_set_mask = m_sets - 1;
    m_first_chunk_mask = m_ways >= 16 ? 0xffffu : (1u << m_ways) - 1;
    m_lines = lines;
    m_way.assign(lines, way_state{});
    m_signatures.assign(lines + 15, 0);  // the set search loads 16 signatures at a time
    m_flags.assign(lines, 0);
    if (config.replacement == replacement_policy::lru) m_stamp.assign(lines, 0);
    if (config.replacement == replacement_policy::plru) {
      if (m_ways > 64) throw std::invalid_argument(who + "tree PLRU supports at most 64 ways");
      m_plru.assign(m_sets, 0);
      // The victim walk's first levels (nodes 0..6 at most) looked up at once.
      m_plru_top_levels = std::min(m_plru_levels, 3u);
      m_plru_top.assign(std::size_t{1} << ((1u << m_plru_top_levels) - 1), 0);
      for (std::size_t bits = 0; bits < m_plru_top.size(); ++bits) {
        std::uint32_t node = 0;
        for (unsigned level = 0; level < m_plru_top_levels; ++level)
          node = 2 * node + 1 + ((bits >> node) & 1);
        m_plru_top[bits] = static_cast<std::uint8_t>(node);
      }
      m_plru_keep.assign(m_ways, ~std::uint64_t{0});
      m_plru_set.assign(m_ways, 0);
      for (std::uint32_t way = 0; way < m_ways; ++way) {
        std::uint32_t node = 0;
        for (unsigned level = log2_exact(m_ways); level-- > 0;) {
          const std::uint32_t upper = (way >> level) & 1;
          m_plru_keep[way] &= ~(std::uint64_t{1} << node);
          if (!upper) m_plru_set[way] |= std::uint64_t{1} << node;
          node = 2 * node + 1 + upper;
        }
      }
    }
  }
  m_lower_cache = dynamic_cast<cache*>(lower);
  m_rare_path = config.size == 0;
  m_port_free.assign(config.ports, 0);
  m_single_port = config.ports == 1;
  m_mshrs = config.mshrs;
  m_mshr_release.assign(m_mshrs);
  m_pf_release.assign(config.prefetch_mshrs);
  publish();
}

cache::~cache() = default;

void cache::set_lower(timing_target* lower) {
  m_lower = lower;
  m_lower_cache = dynamic_cast<cache*>(lower);
}

void cache::set_prefetcher(prefetcher* p, const value_source* values) {
  m_prefetcher = p;
  m_prefetcher_fills = p && p->uses_fills();
  m_prefetcher_ticks = p && p->uses_ticks();
  m_ticking = m_prefetcher_ticks && m_tick_ps != 0;
  if (p) p->attach(this, values);
  m_next_tick = 0;
}

void cache::reset() {
  std::fill(m_way.begin(), m_way.end(), way_state{});
  std::fill(m_signatures.begin(), m_signatures.end(), 0);
  std::fill(m_flags.begin(), m_flags.end(), 0);
  std::fill(m_stamp.begin(), m_stamp.end(), 0);
  std::fill(m_plru.begin(), m_plru.end(), 0);
  std::fill(m_port_free.begin(), m_port_free.end(), 0);
  m_mshr_release.assign(m_mshrs);
  m_pf_release.assign(m_config.prefetch_mshrs);
  m_clock = 0;
  m_next_tick = 0;
  m_valid_lines = 0;
}

__attribute__((noinline, cold)) time_ps cache::rare_access(time_ps now, const request& r) {
  if (m_observer && !r.is_prefetch) m_observer->observe(now, r);
  return m_config.size == 0 ? bypass(now, r) : cached_access(now, r);
}

time_ps cache::bypass(time_ps now, const request& r) {
  if (!r.is_prefetch) {
    ++m_counters.accesses;
    m_counters.writes += r.is_write;
  }
  return lower_access(now, r);
}

struct cache::trace_signals {
  explicit trace_signals(const std::string& prefix)
      : mshrs(prefix + ".mshrs_in_use", "cache", 32),
        miss(prefix + ".miss", 1, "cache"),
        prefetch_issued(prefix + ".prefetch_issued", 1, "cache"),
        prefetch_late(prefix + ".prefetch_late", 1, "cache") {}
  occupancy_trace mshrs;  // line fills in flight, from MSHR grant to fill-ready time
  trace::signal miss, prefetch_issued, prefetch_late;
};

void cache::enable_tracing(const std::string& prefix) { m_trace = std::make_unique<trace_signals>(prefix); }

// Cold and out of line, so that the miss paths it sits on stay small enough to be inlined.
__attribute__((noinline, cold)) void cache::trace_event(trace_kind kind, time_ps at, time_ps grant,
                                                        time_ps ready) {
  trace_signals& s = *m_trace;
  switch (kind) {
    case trace_kind::demand_miss:
      s.miss.pulse(to_sc_time(at));
      break;
    case trace_kind::prefetch_issued:
      s.prefetch_issued.pulse(to_sc_time(grant));
      break;
    case trace_kind::prefetch_late:
      s.prefetch_late.pulse(to_sc_time(at));
      return;
    case trace_kind::other_miss:
      break;
  }
  s.mshrs.acquire(grant, ready);  // no change when the miss holds no MSHR (grant == ready)
}

void cache::tick(time_ps now) {
  m_prefetcher->on_tick(now);
  m_next_tick = now + m_tick_ps;
}

time_ps cache::access_lines(time_ps now, const request& r) {
  // An access across lines is one access per line; it completes with the last of them.
  time_ps done = now;
  const std::uint64_t end = r.address + r.size;
  for (std::uint64_t l = r.address & ~std::uint64_t{m_config.line - 1}; l < end; l += m_config.line) {
    const std::uint64_t a = std::max(l, r.address);
    const std::uint64_t n = std::min(end, l + m_config.line) - a;
    done = std::max(done, access_line(now, a, static_cast<std::uint32_t>(n), r));
  }
  return done;
}

// The helpers below are inline: each is used on every access, from this file only.
inline time_ps cache::grant_port(time_ps now) {
  // The earliest-free port (the first of equals); most caches have only one.
  time_ps& port = m_single_port ? m_port_free[0] : *std::min_element(m_port_free.begin(), m_port_free.end());
  const time_ps start = std::max(now, port);
  m_counters.port_wait_ps += start - now;
  port = start + m_occupancy_ps;
  return start;
}

inline time_ps cache::acquire_mshr(time_ps t) {
  if (m_mshrs == 0) return t;
  const time_ps earliest = m_mshr_release.earliest();
  if (earliest > t) {
    ++m_counters.mshr_stalls;
    m_counters.mshr_stall_ps += earliest - t;
    t = earliest;
  }
  return t;
}

void cache::release_queue::assign(std::uint32_t count) {
  std::size_t capacity = 1;
  while (capacity < count) capacity *= 2;
  m_times.assign(capacity, 0);
  m_head = 0;
  m_count = count;
  m_mask = capacity - 1;
}

void cache::release_queue::replace_earliest(time_ps release) {
  // Locals: the stores into the ring would otherwise make the compiler reload the members.
  const std::size_t mask = m_mask, head = (m_head + 1) & mask;
  time_ps* const times = m_times.data();
  m_head = head;
  // The slot just past the last entry is free; move later entries up until `release` fits.
  std::size_t at = (head + m_count - 1) & mask;
  while (at != head) {
    const std::size_t before = (at - 1) & mask;
    const time_ps t = times[before];
    if (t <= release) break;
    times[at] = t;
    at = before;
  }
  times[at] = release;
}

inline int cache::find(std::uint32_t set, std::uint64_t line_no, std::uint8_t sig) const {
  const std::uint64_t base = std::uint64_t{set} * m_ways;
  const way_state* ways = &m_way[base];
#ifdef __SSE2__
  // Ways whose signature matches are candidates; an empty way may match too, but its tag
  // (invalid_tag) never equals a line number. The key is broadcast through a multiply, which is
  // shorter than _mm_set1_epi8 on SSE2.
  const std::uint8_t* signatures = &m_signatures[base];
  const __m128i key = _mm_set1_epi64x(static_cast<long long>(sig * 0x0101010101010101ull));
  std::uint32_t mask = m_first_chunk_mask;
  for (std::uint32_t w = 0;;) {
    const __m128i sixteen = _mm_loadu_si128(reinterpret_cast<const __m128i*>(signatures + w));
    std::uint32_t match = static_cast<std::uint32_t>(_mm_movemask_epi8(_mm_cmpeq_epi8(sixteen, key))) & mask;
    for (; match; match &= match - 1) {
      const std::uint32_t i = w + static_cast<std::uint32_t>(__builtin_ctz(match));
      if (ways[i].tag == line_no) return static_cast<int>(i);
    }
    w += 16;
    if (w >= m_ways) return -1;
    mask = m_ways - w < 16 ? (1u << (m_ways - w)) - 1 : 0xffffu;  // bytes past the set
  }
#else
  (void)sig;
  for (std::uint32_t w = 0; w < m_ways; ++w)
    if (ways[w].tag == line_no) return static_cast<int>(w);
  return -1;
#endif
}

inline void cache::touch(std::uint32_t set, std::uint32_t way) {
  switch (m_config.replacement) {
    case replacement_policy::lru:
      m_stamp[std::uint64_t{set} * m_ways + way] = ++m_clock;
      break;
    case replacement_policy::plru:
      // Tree PLRU, one bit per node packed in a word per set; a use sets the bits on its path to
      // point away from it (precomputed masks per way).
      m_plru[set] = (m_plru[set] & m_plru_keep[way]) | m_plru_set[way];
      break;
    case replacement_policy::random:
      break;
  }
}

inline std::uint32_t cache::victim(std::uint32_t set) {
  const std::uint64_t base = std::uint64_t{set} * m_ways;
  if (m_valid_lines < m_lines) {  // once every line holds data, no set has an empty way
    for (std::uint32_t w = 0; w < m_ways; ++w)
      if (!(m_flags[base + w] & flag_valid)) return w;
  }
  switch (m_config.replacement) {
    case replacement_policy::lru: {
      std::uint32_t best = 0;
      for (std::uint32_t w = 1; w < m_ways; ++w)
        if (m_stamp[base + w] < m_stamp[base + best]) best = w;
      return best;
    }
    case replacement_policy::plru: {
      // Node n has children 2n+1 (lower half) and 2n+2 (upper half); a bit of 0 sends the victim
      // search to the lower half.
      const std::uint64_t bits = m_plru[set];
      std::uint32_t node = m_plru_top[bits & (m_plru_top.size() - 1)];
      for (unsigned level = m_plru_top_levels; level < m_plru_levels; ++level)
        node = 2 * node + 1 + ((bits >> node) & 1);
      return node - (m_ways - 1);
    }
    case replacement_policy::random:
      m_rng ^= m_rng << 13;
      m_rng ^= m_rng >> 7;
      m_rng ^= m_rng << 17;
      return static_cast<std::uint32_t>(m_rng % m_ways);
  }
  return 0;
}

inline std::uint8_t cache::replace(std::uint64_t idx) {
  const std::uint8_t evicted_flags = m_flags[idx];
  if (evicted_flags & flag_valid) {
    ++m_counters.evictions;
    m_counters.pf_useless += (evicted_flags & flag_prefetched) != 0;
  } else {
    ++m_valid_lines;
  }
  return evicted_flags;
}

inline void cache::install(std::uint64_t idx, std::uint32_t set, std::uint32_t way, std::uint64_t line_no,
                           std::uint8_t sig, time_ps ready, std::uint8_t flags) {
  m_way[idx] = way_state{line_no, ready};
  m_signatures[idx] = sig;
  m_flags[idx] = flags | flag_valid;
  touch(set, way);
}

void cache::write_back(time_ps t, std::uint64_t line_address) {
  // Through a write buffer: it occupies the level below but nobody waits for it. Issued after
  // the fill that replaced the line, since the fill is the critical path.
  ++m_counters.writebacks;
  request wb;
  wb.address = line_address;
  wb.size = m_config.line;
  wb.is_write = true;
  lower_access(t, wb);
}

void cache::notify_fill(time_ps t, time_ps ready, std::uint64_t line_no, bool prefetch, std::uint64_t evicted,
                        bool evicted_unused_prefetch) {
  fill_event fe;
  fe.time = t;
  fe.ready = ready;
  fe.line_address = line_no << m_line_shift;
  fe.prefetch = prefetch;
  fe.evicted = evicted != invalid_tag;
  if (fe.evicted) fe.evicted_line_address = evicted << m_line_shift;
  fe.evicted_unused_prefetch = evicted_unused_prefetch;
  m_prefetcher->on_fill(fe);
}

time_ps cache::access_line(time_ps now, std::uint64_t address, std::uint32_t size, const request& r) {
  const time_ps start = grant_port(now);
  const time_ps lookup = start + m_hit_ps;
  const std::uint64_t line_no = address >> m_line_shift;
  const std::uint32_t set = static_cast<std::uint32_t>(line_no & m_set_mask);
  const std::uint8_t sig = signature(line_no);
  const bool demand = !r.is_prefetch;
  if (demand) {
    ++m_counters.accesses;
    m_counters.writes += r.is_write;
  } else {
    ++m_counters.prefetch_requests;
  }

  lookup_result found;
  const int way = find(set, line_no, sig);
  time_ps done;
  if (way >= 0) {
    touch(set, static_cast<std::uint32_t>(way));
    done = hit_line(std::uint64_t{set} * m_ways + static_cast<std::uint32_t>(way), start, lookup, r, found);
  } else {
    done = miss_line(set, line_no, sig, address, size, lookup, r);
  }

  if (m_prefetcher && demand) {
    access_event e;
    e.time = start;
    e.address = address;
    e.line_address = line_no << m_line_shift;
    e.size = size;
    e.instruction_id = r.instruction_id;
    e.is_write = r.is_write;
    e.hit = found.hit;
    e.in_flight = found.in_flight;
    e.prefetch_hit = found.prefetch_hit;
    if (size == r.size) {
      e.values = r.values;
      e.value_count = r.value_count;
    }
    m_prefetcher->on_access(e);
  }
  return done;
}

inline time_ps cache::hit_line(std::uint64_t idx, time_ps start, time_ps lookup, const request& r,
                               lookup_result& found) {
  std::uint8_t& flags = m_flags[idx];
  const time_ps ready = m_way[idx].ready;
  found.in_flight = ready > start;
  found.hit = !found.in_flight;
  if (!r.is_prefetch) {
    ++(found.in_flight ? m_counters.mshr_merges : m_counters.hits);
    if (flags & flag_prefetched) {
      found.prefetch_hit = true;
      ++m_counters.pf_useful;
      if (found.in_flight) {
        ++m_counters.pf_late;
        if (__builtin_expect(m_trace != nullptr, 0))
          trace_event(trace_kind::prefetch_late, start, start, start);
      }
      flags &= static_cast<std::uint8_t>(~flag_prefetched);
    }
  }
  if (r.is_write) {
    flags |= flag_dirty;
    return lookup;  // posted: merged into the line when it arrives
  }
  return std::max(lookup, ready);
}

// Inline: folded into access_line, its only caller, which saves a call frame per miss (~10%).
__attribute__((always_inline)) inline time_ps cache::miss_line(std::uint32_t set, std::uint64_t line_no,
                                                               std::uint8_t sig, std::uint64_t address,
                                                               std::uint32_t size, time_ps lookup,
                                                               const request& r) {
  if (!r.is_prefetch) {
    ++m_counters.misses;
    m_counters.write_misses += r.is_write;
  } else {
    ++m_counters.prefetch_request_misses;
  }
  if (r.is_write && m_config.write == write_policy::write_back_no_allocate) {
    ++m_counters.forwarded_writes;
    if (__builtin_expect(m_trace != nullptr, 0))
      trace_event(r.is_prefetch ? trace_kind::other_miss : trace_kind::demand_miss, lookup, lookup, lookup);
    request down = r;
    down.address = address;
    down.size = size;
    return lower_access(lookup, down);
  }
  const bool full_line_write = r.is_write && size == m_config.line;
  const time_ps t = full_line_write ? lookup : acquire_mshr(lookup);
  const std::uint32_t w = victim(set);
  const std::uint64_t idx = std::uint64_t{set} * m_ways + w;
  const std::uint8_t evicted_flags = replace(idx);
  time_ps ready = t;
  if (!full_line_write) {
    request down;
    down.address = line_no << m_line_shift;
    down.size = m_config.line;
    down.is_prefetch = r.is_prefetch;
    down.instruction_id = r.instruction_id;
    if (size == r.size) {
      down.values = r.values;
      down.value_count = r.value_count;
    }
    ++m_counters.fills;
    ready = lower_access(t, down);
    occupy_mshr(ready);
  }
  const std::uint64_t evicted = evicted_tag(idx, evicted_flags);
  if (evicted_flags & flag_dirty) write_back(t, evicted << m_line_shift);
  install(idx, set, w, line_no, sig, ready, r.is_write ? flag_dirty : 0);
  if (m_prefetcher_fills)
    notify_fill(t, ready, line_no, false, evicted, (evicted_flags & flag_prefetched) != 0);
  if (__builtin_expect(m_trace != nullptr, 0))
    trace_event(r.is_prefetch ? trace_kind::other_miss : trace_kind::demand_miss, lookup, t, ready);
  return r.is_write ? t : ready;
}

prefetch_status cache::prefetch(time_ps now, std::uint64_t address, unsigned depth,
                                std::uint64_t instruction_id) {
  if (m_config.size == 0) return m_lower->prefetch(now, address, depth, instruction_id);
  if (depth > 0) return m_lower->prefetch(now, address, depth - 1, instruction_id);
  const std::uint64_t line_no = address >> m_line_shift;
  const std::uint32_t set = static_cast<std::uint32_t>(line_no & m_set_mask);
  const std::uint8_t sig = signature(line_no);
  if (find(set, line_no, sig) >= 0) {
    ++m_counters.pf_redundant;
    return prefetch_status::redundant;
  }
  return prefetch_line(now, line_no, set, sig, instruction_id);
}

// Out of line: most prefetches find their line present, and that path then saves the registers
// only this one needs.
__attribute__((noinline)) prefetch_status cache::prefetch_line(time_ps now, std::uint64_t line_no,
                                                               std::uint32_t set, std::uint8_t sig,
                                                               std::uint64_t instruction_id) {
  const time_ps t = now + m_hit_ps;
  if (prefetch_limited() && prefetch_pool().earliest() > t) {
    ++m_counters.pf_dropped;
    return prefetch_status::dropped;
  }
  const std::uint32_t w = victim(set);
  const std::uint64_t idx = std::uint64_t{set} * m_ways + w;
  const std::uint8_t evicted_flags = replace(idx);
  request down;
  down.address = line_no << m_line_shift;
  down.size = m_config.line;
  down.is_prefetch = true;
  down.instruction_id = instruction_id;
  ++m_counters.fills;
  const time_ps ready = lower_access(t, down);
  if (prefetch_limited()) prefetch_pool().replace_earliest(ready);
  const std::uint64_t evicted = evicted_tag(idx, evicted_flags);
  if (evicted_flags & flag_dirty) write_back(t, evicted << m_line_shift);
  install(idx, set, w, line_no, sig, ready, flag_prefetched);
  ++m_counters.pf_issued;
  if (__builtin_expect(m_trace != nullptr, 0)) trace_event(trace_kind::prefetch_issued, t, t, ready);
  if (m_prefetcher_fills)
    notify_fill(t, ready, line_no, true, evicted, (evicted_flags & flag_prefetched) != 0);
  return prefetch_status::issued;
}

bool cache::contains(std::uint64_t address) const {
  if (m_config.size == 0) return false;
  const std::uint64_t line_no = address >> m_line_shift;
  return find(static_cast<std::uint32_t>(line_no & m_set_mask), line_no) >= 0;
}

bool cache::is_dirty(std::uint64_t address) const {
  if (m_config.size == 0) return false;
  const std::uint64_t line_no = address >> m_line_shift;
  const std::uint32_t set = static_cast<std::uint32_t>(line_no & m_set_mask);
  const int w = find(set, line_no);
  return w >= 0 && (m_flags[std::uint64_t{set} * m_ways + static_cast<std::uint32_t>(w)] & flag_dirty);
}

time_ps cache::prefetch_free(time_ps now) const {
  if (m_config.size == 0) return m_lower_cache ? m_lower_cache->prefetch_free(now) : now;
  const time_ps t = now + m_hit_ps;
  return prefetch_limited() ? std::max(t, prefetch_pool().earliest()) - m_hit_ps : now;
}

time_ps cache::ready_time(std::uint64_t address) const {
  if (m_config.size == 0) return 0;
  const std::uint64_t line_no = address >> m_line_shift;
  const std::uint32_t set = static_cast<std::uint32_t>(line_no & m_set_mask);
  const int w = find(set, line_no);
  return w < 0 ? 0 : m_way[std::uint64_t{set} * m_ways + static_cast<std::uint32_t>(w)].ready;
}

std::uint64_t cache::unused_prefetched_lines() const {
  std::uint64_t n = 0;
  for (std::uint64_t i = 0; i < m_way.size(); ++i)
    if ((m_flags[i] & (flag_valid | flag_prefetched)) == (flag_valid | flag_prefetched)) ++n;
  return n;
}

void cache::publish() {
  auto& c = m_counters;
  auto& s = m_stats;
  s.add_derived(
      "config",
      [this] {
        return nlohmann::json{{"size", m_config.size},
                              {"line", m_config.line},
                              {"ways", m_ways},
                              {"sets", m_sets},
                              {"replacement", to_string(m_config.replacement)},
                              {"write_policy", to_string(m_config.write)},
                              {"mshrs", m_config.mshrs},
                              {"prefetch_mshrs", m_config.prefetch_mshrs},
                              {"hit_latency_cycles", m_config.hit_latency},
                              {"ports", m_config.ports},
                              {"port_occupancy_cycles", m_config.port_occupancy},
                              {"clock_period_ps", m_config.clock_period}};
      },
      "geometry and timing parameters");
  s.add("accesses", c.accesses, "demand accesses (one per line touched)");
  s.add_derived(
      "reads", [&c] { return nlohmann::json(c.reads()); }, "demand reads");
  s.add("writes", c.writes, "demand writes");
  s.add("hits", c.hits, "demand accesses that found the line present with its data");
  s.add("misses", c.misses, "demand accesses that found no line (primary misses)");
  s.add_derived(
      "read_misses", [&c] { return nlohmann::json(c.read_misses()); }, "primary misses of reads");
  s.add("write_misses", c.write_misses, "primary misses of writes");
  s.add("mshr_merges", c.mshr_merges, "demand accesses merged into an in-flight fill (partial hits)");
  s.add("mshr_stalls", c.mshr_stalls, "misses that waited for a free MSHR");
  s.add("mshr_stall_ps", c.mshr_stall_ps, "total time misses waited for an MSHR (ps)");
  s.add("port_wait_ps", c.port_wait_ps, "total time accesses waited for a port (ps)");
  s.add("evictions", c.evictions, "valid lines evicted");
  s.add("writebacks", c.writebacks, "dirty lines written to the level below");
  s.add("fills", c.fills, "line fills requested from the level below");
  s.add("forwarded_writes", c.forwarded_writes, "write misses passed below (no-write-allocate)");
  s.add("prefetch_requests", c.prefetch_requests, "prefetch fills requested by the level above");
  s.add("prefetch_request_misses", c.prefetch_request_misses, "... that missed here");
  s.add("prefetch.issued", c.pf_issued, "prefetches that allocated an MSHR and a line");
  s.add("prefetch.redundant", c.pf_redundant, "prefetches of lines already present or in flight");
  s.add("prefetch.dropped", c.pf_dropped, "prefetches dropped because every MSHR was busy");
  s.add("prefetch.useful", c.pf_useful, "prefetched lines used by a demand access (timely + late)");
  s.add("prefetch.late", c.pf_late, "prefetched lines a demand reached before their fill (partial hits)");
  s.add("prefetch.useless", c.pf_useless, "prefetched lines evicted unused");
  s.add_derived(
      "prefetch.unused_resident", [this] { return nlohmann::json(unused_prefetched_lines()); },
      "prefetched lines still present and unused");
  s.add_derived(
      "prefetch.coverage", [&c] { return ratio(c.pf_useful, c.pf_useful + c.misses); },
      "useful / (useful + demand misses): share of would-be misses the prefetches removed");
  s.add_derived(
      "prefetch.accuracy", [&c] { return ratio(c.pf_useful, c.pf_issued); }, "useful / issued");
  s.add_derived(
      "hit_rate", [&c] { return ratio(c.hits, c.accesses); }, "hits / accesses");
  s.add_derived(
      "miss_rate", [&c] { return ratio(c.misses, c.accesses); }, "misses / accesses");
  s.add_derived(
      "bytes_from_below", [this] { return nlohmann::json(m_counters.fills * m_config.line); },
      "bytes of line fills");
  s.add_derived(
      "prefetcher", [this] { return m_prefetcher ? m_prefetcher->final_stats() : nlohmann::json("none"); },
      "the attached prefetcher's own figures");
}

}  // namespace nvr::mem
