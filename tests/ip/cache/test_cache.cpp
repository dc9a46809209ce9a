// Hand-computed traces through one cache over a fixed-latency level below. Timing used
// throughout unless a test says otherwise: 1 GHz clock (1000 ps), hit latency 2 cycles, one port
// busy 1 cycle per access, 64 B lines, the level below answers after 100 ns.
#include <gtest/gtest.h>

#include <set>

#include "core/stats.h"
#include "ip/cache/cache.h"
#include "tests/ip/cache/mock_levels.h"

using namespace nvr::mem;
using nvr::mem::testing::fixed_latency;
using nvr::mem::testing::recording_prefetcher;

namespace {

constexpr time_ps below_latency = 100000;

cache_config small(std::uint64_t size, std::uint32_t ways, replacement_policy p = replacement_policy::lru) {
  cache_config c;
  c.size = size;
  c.line = 64;
  c.ways = ways;
  c.replacement = p;
  c.hit_latency = 2;
  c.ports = 1;
  c.port_occupancy = 1;
  c.clock_period = 1000;
  c.mshrs = 8;
  return c;
}

// Each access issues when the previous one completed (a blocking requester).
struct blocking {
  cache& c;
  time_ps t = 0;
  time_ps read(std::uint64_t a, std::uint32_t size = 8) { return t = c.access(t, a, size, false); }
  time_ps write(std::uint64_t a, std::uint32_t size = 8) { return t = c.access(t, a, size, true); }
};

}  // namespace

TEST(Cache, DirectMappedHitMissEviction) {
  fixed_latency below(below_latency);
  cache c("", small(256, 1), &below);  // 4 sets of one line
  blocking b{c};
  EXPECT_EQ(b.read(0x000), 2000 + below_latency);           // miss: tag check, then the fill
  EXPECT_EQ(b.read(0x008), 102000 + 2000);                  // hit in the same line
  EXPECT_EQ(b.read(0x100), 104000 + 2000 + below_latency);  // set 0 again: conflict miss
  EXPECT_FALSE(c.contains(0x000));
  b.read(0x000);
  const auto& k = c.counters();
  EXPECT_EQ(k.accesses, 4u);
  EXPECT_EQ(k.hits, 1u);
  EXPECT_EQ(k.misses, 3u);
  EXPECT_EQ(k.evictions, 2u);
  ASSERT_EQ(below.seen.size(), 3u);
  EXPECT_EQ(below.seen[0].address, 0x000u);
  EXPECT_EQ(below.seen[1].address, 0x100u);
  EXPECT_EQ(below.seen[1].size, 64u);
  EXPECT_EQ(below.seen[1].time, 104000u + 2000u);
}

namespace {
// One set of four ways: fill A, B, C, D, touch A, then E evicts the policy's victim.
std::uint64_t victim_after_fill_touch(replacement_policy p, std::uint64_t seed = 1) {
  fixed_latency below(below_latency);
  cache_config cfg = small(256, 4, p);
  cfg.seed = seed;
  cache c("", cfg, &below);
  blocking b{c};
  for (std::uint64_t line : {0, 1, 2, 3, 0}) b.read(line * 64);
  b.read(4 * 64);
  for (std::uint64_t line : {0, 1, 2, 3})
    if (!c.contains(line * 64)) return line;
  return 99;
}
}  // namespace

TEST(Cache, LruEvictsLeastRecentlyUsed) { EXPECT_EQ(victim_after_fill_touch(replacement_policy::lru), 1u); }

TEST(Cache, TreePlruEvictsWhereTheBitsPoint) {
  // Bits (root, left, right), 1 = the victim is on the right. Filling ways 0..3 in order ends with
  // root 0, left 0, right 0 (the last use, way 3, pointed everything at way 0's side); touching
  // way 0 sets root 1 and left 1: the victim search goes right, then left: way 2 (C), where LRU
  // would pick B.
  EXPECT_EQ(victim_after_fill_touch(replacement_policy::plru), 2u);
}

TEST(Cache, RandomReplacementIsSeededAndDeterministic) {
  // xorshift64 from seed 1: 1 -> 8193 -> 8257 -> 1082269761; 1082269761 % 4 = 1: way 1 (B).
  EXPECT_EQ(victim_after_fill_touch(replacement_policy::random, 1), 1u);
  for (std::uint64_t seed : {2, 3, 12345}) {
    EXPECT_EQ(victim_after_fill_touch(replacement_policy::random, seed),
              victim_after_fill_touch(replacement_policy::random, seed));
  }
  std::set<std::uint64_t> victims;
  for (std::uint64_t seed = 1; seed < 40; ++seed)
    victims.insert(victim_after_fill_touch(replacement_policy::random, seed));
  EXPECT_GT(victims.size(), 1u);  // the seed matters
}

TEST(Cache, FullyAssociativeUsesEveryLine) {
  fixed_latency below(below_latency);
  cache c("", small(256, 0), &below);  // ways 0: fully associative, 4 lines
  EXPECT_EQ(c.sets(), 1u);
  EXPECT_EQ(c.ways(), 4u);
  blocking b{c};
  for (std::uint64_t a : {0x0000, 0x1000, 0x2000, 0x3000}) b.read(a);  // same set index in a 4-set cache
  for (std::uint64_t a : {0x0000, 0x1000, 0x2000, 0x3000}) b.read(a);
  EXPECT_EQ(c.counters().hits, 4u);
  EXPECT_EQ(c.counters().misses, 4u);
}

TEST(Cache, WriteBackOfDirtyVictim) {
  fixed_latency below(below_latency);
  cache c("", small(256, 1), &below);
  blocking b{c};
  EXPECT_EQ(b.write(0x000), 2000u);  // write miss, allocate: posted, completes at the tag check
  EXPECT_TRUE(c.is_dirty(0x000));
  ASSERT_EQ(below.seen.size(), 1u);  // ... but the rest of the line is fetched
  EXPECT_FALSE(below.seen[0].is_write);
  b.t = 200000;
  b.read(0x100);  // evicts the dirty line
  ASSERT_EQ(below.seen.size(), 3u);
  EXPECT_EQ(below.seen[1].address, 0x100u);  // the fill goes first
  EXPECT_FALSE(below.seen[1].is_write);
  EXPECT_EQ(below.seen[2].address, 0x000u);  // then the write-back of the whole line
  EXPECT_TRUE(below.seen[2].is_write);
  EXPECT_EQ(below.seen[2].size, 64u);
  EXPECT_EQ(c.counters().writebacks, 1u);
  EXPECT_EQ(c.counters().write_misses, 1u);
}

TEST(Cache, FullLineWriteNeedsNoFetch) {
  fixed_latency below(below_latency);
  cache c("", small(256, 1), &below);
  EXPECT_EQ(c.access(0, 0x40, 64, true), 2000u);
  EXPECT_TRUE(below.seen.empty());
  EXPECT_TRUE(c.is_dirty(0x40));
  EXPECT_EQ(c.counters().misses, 1u);
}

TEST(Cache, NoWriteAllocateForwardsWriteMisses) {
  fixed_latency below(below_latency);
  cache_config cfg = small(256, 1);
  cfg.write = write_policy::write_back_no_allocate;
  cache c("", cfg, &below);
  EXPECT_EQ(c.access(0, 0x10, 8, true), 2000 + below_latency);
  EXPECT_FALSE(c.contains(0x10));
  ASSERT_EQ(below.seen.size(), 1u);
  EXPECT_TRUE(below.seen[0].is_write);
  EXPECT_EQ(below.seen[0].size, 8u);
  EXPECT_EQ(c.counters().forwarded_writes, 1u);
  // A write hit still only dirties the line.
  c.access(200000, 0x10, 8, false);
  c.access(400000, 0x10, 8, true);
  EXPECT_TRUE(c.is_dirty(0x10));
  EXPECT_EQ(below.seen.size(), 2u);
}

TEST(Cache, MshrMergeOfSecondAccessToInFlightLine) {
  fixed_latency below(below_latency);
  cache c("", small(256, 1), &below);
  EXPECT_EQ(c.access(0, 0x00, 8, false), 102000u);
  // Port busy until 1000; the line is in flight until 102000: merged, waits for the fill.
  EXPECT_EQ(c.access(0, 0x08, 8, false), 102000u);
  EXPECT_EQ(below.seen.size(), 1u);
  EXPECT_EQ(c.counters().mshr_merges, 1u);
  EXPECT_EQ(c.counters().misses, 1u);
  EXPECT_EQ(c.counters().hits, 0u);
}

TEST(Cache, MshrFullStallsUntilTheFirstFill) {
  fixed_latency below(below_latency);
  cache_config cfg = small(512, 1);
  cfg.mshrs = 2;
  cache c("", cfg, &below);
  EXPECT_EQ(c.access(0, 0x000, 8, false), 102000u);  // port at 0, MSHR 0 until 102000
  EXPECT_EQ(c.access(0, 0x040, 8, false), 103000u);  // port at 1000, MSHR 1 until 103000
  // Port at 2000, tag check done at 4000, no MSHR until 102000: the fill leaves then.
  EXPECT_EQ(c.access(0, 0x080, 8, false), 202000u);
  EXPECT_EQ(c.counters().mshr_stalls, 1u);
  EXPECT_EQ(c.counters().mshr_stall_ps, 98000u);
  EXPECT_EQ(below.seen[2].time, 102000u);
}

TEST(Cache, PortsLimitBandwidth) {
  fixed_latency below(below_latency);
  cache_config cfg = small(256, 1);
  cfg.port_occupancy = 2;
  cache c("", cfg, &below);
  c.access(0, 0x00, 8, false);
  // Three hits at the same time: one port, 2 cycles each.
  EXPECT_EQ(c.access(200000, 0x00, 8, false), 202000u);
  EXPECT_EQ(c.access(200000, 0x00, 8, false), 204000u);
  EXPECT_EQ(c.access(200000, 0x00, 8, false), 206000u);
  cfg.ports = 2;
  fixed_latency below2(below_latency);
  cache d("", cfg, &below2);
  d.access(0, 0x00, 8, false);
  EXPECT_EQ(d.access(200000, 0x00, 8, false), 202000u);
  EXPECT_EQ(d.access(200000, 0x00, 8, false), 202000u);
  EXPECT_EQ(d.access(200000, 0x00, 8, false), 204000u);
}

TEST(Cache, BypassForwardsEverything) {
  fixed_latency below(below_latency);
  cache c("", small(0, 1), &below);
  EXPECT_TRUE(c.bypassed());
  EXPECT_EQ(c.access(5, 0x1234, 4, false), 5 + below_latency);
  EXPECT_EQ(c.access(5, 0x1234, 4, false), 5 + below_latency);
  EXPECT_EQ(below.seen.size(), 2u);
  EXPECT_EQ(below.seen[0].size, 4u);
  EXPECT_EQ(c.counters().accesses, 2u);
  EXPECT_EQ(c.counters().misses, 0u);
}

TEST(Cache, AccessAcrossLinesTouchesEach) {
  fixed_latency below(below_latency);
  cache c("", small(256, 1), &below);
  // 0x30..0x4f: lines 0 and 1; the second waits one port cycle.
  EXPECT_EQ(c.access(0, 0x30, 32, false), 1000 + 2000 + below_latency);
  EXPECT_EQ(c.counters().accesses, 2u);
  EXPECT_EQ(c.counters().misses, 2u);
}

TEST(Cache, LatePrefetchIsAPartialHit) {
  fixed_latency below(below_latency);
  cache c("", small(256, 1), &below);
  EXPECT_EQ(c.prefetch(0, 0x80, 0, 0), prefetch_status::issued);  // fill ready at 2000 + 100000
  EXPECT_EQ(c.ready_time(0x80), 102000u);
  EXPECT_TRUE(below.seen[0].is_prefetch);
  EXPECT_EQ(c.access(50000, 0x88, 8, false), 102000u);  // waits for the fill
  const auto& k = c.counters();
  EXPECT_EQ(k.pf_issued, 1u);
  EXPECT_EQ(k.pf_useful, 1u);
  EXPECT_EQ(k.pf_late, 1u);
  EXPECT_EQ(k.misses, 0u);
  EXPECT_EQ(k.mshr_merges, 1u);
  // The second use is an ordinary hit, not another useful prefetch.
  c.access(300000, 0x80, 8, false);
  EXPECT_EQ(k.pf_useful, 1u);
  EXPECT_EQ(k.hits, 1u);
}

TEST(Cache, TimelyUsefulUselessRedundantDropped) {
  fixed_latency below(below_latency);
  cache_config cfg = small(256, 1);
  cfg.mshrs = 1;
  cache c("", cfg, &below);
  EXPECT_EQ(c.prefetch(0, 0x00, 0, 0), prefetch_status::issued);
  EXPECT_EQ(c.prefetch(10, 0x40, 0, 0), prefetch_status::dropped);  // the only MSHR is busy
  EXPECT_EQ(c.prefetch(10, 0x00, 0, 0), prefetch_status::redundant);
  EXPECT_EQ(c.access(200000, 0x00, 8, false), 202000u);  // timely: a hit
  EXPECT_EQ(c.prefetch(300000, 0x40, 0, 0), prefetch_status::issued);
  c.access(500000, 0x140, 8, false);  // same set as 0x40: evicts it unused
  const auto& k = c.counters();
  EXPECT_EQ(k.pf_issued, 2u);
  EXPECT_EQ(k.pf_dropped, 1u);
  EXPECT_EQ(k.pf_redundant, 1u);
  EXPECT_EQ(k.pf_useful, 1u);
  EXPECT_EQ(k.pf_late, 0u);
  EXPECT_EQ(k.pf_useless, 1u);
  EXPECT_EQ(k.hits, 1u);
}

TEST(Cache, PrefetchWithDepthFillsTheLevelBelow) {
  fixed_latency dram(below_latency);
  cache l2("", small(1024, 2), &dram);
  cache nsb("", small(256, 1), &l2);
  EXPECT_EQ(nsb.prefetch(0, 0x200, 1, 0), prefetch_status::issued);
  EXPECT_FALSE(nsb.contains(0x200));
  EXPECT_TRUE(l2.contains(0x200));
  EXPECT_EQ(l2.counters().pf_issued, 1u);
  fixed_latency dram2(below_latency);
  EXPECT_EQ(dram2.prefetch(0, 0, 0, 0), prefetch_status::unsupported);
}

TEST(Cache, PrefetcherHooks) {
  fixed_latency below(below_latency);
  cache_config cfg = small(256, 1);
  cfg.tick_period = 10;  // every 10 ns
  cache c("", cfg, &below);
  recording_prefetcher p;
  c.set_prefetcher(&p);
  const std::int64_t index[2] = {7, 9};
  request r;
  r.address = 0x00;
  r.size = 8;
  r.instruction_id = 42;
  r.values = index;
  r.value_count = 2;
  c.access(0, r);
  c.access(5000, 0x00, 8, false, 43);     // in flight: a merge
  c.access(200000, 0x100, 8, false, 44);  // evicts 0x00
  ASSERT_EQ(p.accesses.size(), 3u);
  EXPECT_FALSE(p.accesses[0].hit);
  EXPECT_EQ(p.accesses[0].instruction_id, 42u);
  ASSERT_EQ(p.accesses[0].value_count, 2u);
  EXPECT_EQ(p.accesses[0].values[1], 9);
  EXPECT_TRUE(p.accesses[1].in_flight);
  EXPECT_FALSE(p.accesses[1].hit);
  ASSERT_EQ(p.fills.size(), 2u);
  EXPECT_FALSE(p.fills[0].evicted);
  EXPECT_TRUE(p.fills[1].evicted);
  EXPECT_EQ(p.fills[1].evicted_line_address, 0x00u);
  EXPECT_EQ(p.fills[1].ready, 200000u + 2000u + below_latency);
  EXPECT_EQ(p.ticks, (std::vector<time_ps>{0, 200000}));  // 5000 is within the first period
  // Prefetches the prefetcher issues are marked and reported in its own figures.
  EXPECT_EQ(p.prefetch_now(300000, 0x40), prefetch_status::issued);
  EXPECT_TRUE(p.fills.back().prefetch);
  EXPECT_EQ(p.final_stats()["issued"], 1);
}

TEST(Cache, PublishesStatisticsUnderItsName) {
  auto& reg = nvr::stats::registry::instance();
  {
    fixed_latency below(below_latency);
    cache c("test.nsb", small(256, 1), &below);
    c.access(0, 0, 8, false);
    c.access(200000, 0, 8, false);
    EXPECT_EQ(reg.value("test.nsb.hits"), 1);
    EXPECT_EQ(reg.value("test.nsb.misses"), 1);
    EXPECT_EQ(reg.value("test.nsb.hit_rate"), 0.5);
    EXPECT_EQ(reg.value("test.nsb.config")["ways"], 1);
    EXPECT_THROW(cache("test.nsb", small(256, 1), &below), std::invalid_argument);  // the name is taken
  }
  EXPECT_FALSE(reg.contains("test.nsb.hits"));
}

TEST(Cache, RejectsImpossibleGeometry) {
  fixed_latency below(below_latency);
  cache_config c = small(256, 1);
  c.line = 48;
  EXPECT_THROW(cache("", c, &below), std::invalid_argument);
  EXPECT_THROW(cache("", small(192, 1), &below), std::invalid_argument);  // 3 sets
  EXPECT_THROW(cache("", small(192, 3, replacement_policy::plru), &below), std::invalid_argument);
  EXPECT_NO_THROW(cache("", small(192, 3, replacement_policy::lru), &below));  // 1 set of 3 ways
  EXPECT_THROW(cache("", small(256, 8), &below), std::invalid_argument);       // more ways than lines
  EXPECT_THROW(cache("", small(256, 1), nullptr), std::invalid_argument);
  EXPECT_THROW(parse_replacement("fifo"), std::invalid_argument);
  EXPECT_EQ(parse_write_policy("wb-nwa"), write_policy::write_back_no_allocate);
}
