// Each prefetcher learns its pattern. Prefetchers are driven with synthetic access events and
// issue into a recording sink, except the oracle, which runs against a real cache.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <random>
#include <set>

#include "ip/cache/cache.h"
#include "ip/prefetch/baselines.h"
#include "ip/prefetch/factory.h"
#include "tests/ip/cache/mock_levels.h"

using namespace nvr::mem;

namespace {

class recording_sink final : public prefetch_sink {
 public:
  prefetch_status prefetch(time_ps, std::uint64_t address, unsigned depth, std::uint64_t) override {
    issued.push_back(address);
    depths.push_back(depth);
    return present.insert(address).second ? prefetch_status::issued : prefetch_status::redundant;
  }
  std::uint32_t line_size() const override { return 64; }
  std::vector<std::uint64_t> issued;
  std::vector<unsigned> depths;
  std::set<std::uint64_t> present;
};

class map_values final : public value_source {
 public:
  bool read(std::uint64_t address, std::uint32_t, std::int64_t& value) const override {
    auto it = m.find(address);
    if (it == m.end()) return false;
    value = it->second;
    return true;
  }
  std::map<std::uint64_t, std::int64_t> m;
};

access_event event(std::uint64_t address, std::uint64_t insn, bool hit) {
  access_event e;
  e.address = address;
  e.line_address = address & ~std::uint64_t{63};
  e.size = 8;
  e.instruction_id = insn;
  e.hit = hit;
  return e;
}

}  // namespace

TEST(NextLine, PrefetchesTheFollowingLines) {
  recording_sink sink;
  next_line_prefetcher p({{"degree", 2}});
  p.attach(&sink);
  p.on_access(event(0x1010, 1, false));
  EXPECT_EQ(sink.issued, (std::vector<std::uint64_t>{0x1040, 0x1080}));
  next_line_prefetcher q({{"on_miss_only", 1}, {"fill_depth", 1}});
  q.attach(&sink);
  sink.issued.clear();
  q.on_access(event(0x2000, 1, true));
  EXPECT_TRUE(sink.issued.empty());
  q.on_access(event(0x2000, 1, false));
  EXPECT_EQ(sink.issued, (std::vector<std::uint64_t>{0x2040}));
  EXPECT_EQ(sink.depths.back(), 1u);
}

TEST(Stride, LearnsAStridePerInstruction) {
  recording_sink sink;
  stride_prefetcher p({});  // degree 4, distance 1, threshold 2
  p.attach(&sink);
  // Instruction 7 strides by +256, instruction 9 by -128, interleaved. The second access sets the
  // stride, the third and fourth confirm it (confidence 2 = threshold).
  for (int i = 0; i < 4; ++i) {
    p.on_access(event(0x10000 + 256 * i, 7, false));
    p.on_access(event(0x80000 - 128 * i, 9, false));
  }
  EXPECT_EQ(p.learned_stride(7), 256);
  EXPECT_EQ(p.learned_stride(9), -128);
  // Only the fourth access of each prefetches: addr + k * stride, k = 1..4.
  const std::vector<std::uint64_t> expected = {0x10300 + 256, 0x10300 + 512, 0x10300 + 768, 0x10300 + 1024,
                                               0x80000 - 512, 0x80000 - 640, 0x80000 - 768, 0x80000 - 896};
  EXPECT_EQ(sink.issued, expected);
  // A broken pattern loses confidence before it retrains.
  p.on_access(event(0x99999, 7, false));
  EXPECT_EQ(p.learned_stride(7), 0);
}

TEST(Stream, FollowsAscendingAndDescendingStreams) {
  recording_sink sink;
  stream_prefetcher p({});  // degree 2, distance 16, threshold 2
  p.attach(&sink);
  for (std::uint64_t l : {100, 101, 102}) p.on_access(event(l * 64, 0, false));
  EXPECT_EQ(sink.issued, (std::vector<std::uint64_t>{103 * 64, 104 * 64}));
  p.on_access(event(103 * 64, 0, false));
  EXPECT_EQ(sink.issued.back(), 106 * 64u);  // continues where it stopped, two more
  sink.issued.clear();
  for (std::uint64_t l : {5000, 4999, 4998}) p.on_access(event(l * 64, 0, false));
  EXPECT_EQ(sink.issued, (std::vector<std::uint64_t>{4997 * 64, 4996 * 64}));
}

namespace {

// The indirect pattern B[A[i]] with 8-byte elements of B (shift 3). A at 0x10000 (int32),
// B at 0x800000.
struct indirect_workload {
  std::vector<std::int64_t> index;
  map_values memory;
  static constexpr std::uint64_t a = 0x10000, b = 0x800000;
  explicit indirect_workload(std::size_t n) {
    std::mt19937 rng(7);
    for (std::size_t i = 0; i < n; ++i) {
      index.push_back(static_cast<std::int64_t>(rng() % 100000));
      memory.m[a + 4 * i] = index.back();
    }
  }
};

}  // namespace

TEST(Imp, LearnsBasePlusShiftedIndexFromScalarIndexLoads) {
  recording_sink sink;
  imp_prefetcher p({});
  indirect_workload w(64);
  p.attach(&sink, &w.memory);
  std::size_t learned_at = 0;
  for (std::size_t i = 0; i < w.index.size(); ++i) {
    access_event idx = event(w.a + 4 * i, 1, true);
    idx.size = 4;
    idx.values = &w.index[i];
    idx.value_count = 1;
    p.on_access(idx);
    p.on_access(
        event(w.b + (static_cast<std::uint64_t>(w.index[i]) << 3), 2,
              sink.present.count((w.b + (static_cast<std::uint64_t>(w.index[i]) << 3)) & ~63ull) != 0));
    if (!learned_at && p.learned(1).enabled) learned_at = i;
  }
  const auto pattern = p.learned(1);
  ASSERT_TRUE(pattern.enabled);
  EXPECT_EQ(pattern.base, w.b);
  EXPECT_EQ(pattern.shift, 3);
  EXPECT_LE(learned_at, 4u);  // two indices and their misses
  // After learning it prefetched future targets, read from the index array ahead.
  std::size_t future_targets = 0;
  for (std::size_t i = learned_at + 8; i < w.index.size(); ++i)
    if (sink.present.count((w.b + (static_cast<std::uint64_t>(w.index[i]) << 3)) & ~63ull)) ++future_targets;
  EXPECT_GT(future_targets, (w.index.size() - learned_at - 8) * 9 / 10);
  EXPECT_GT(p.final_stats()["patterns_found"], 0);
  EXPECT_GT(p.final_stats()["stream_prefetches"], 0);  // the index array streams
}

TEST(Imp, LearnsFromVectorIndexLoads) {
  // The NPU sparse unit loads 16 int32 indices per 64 B access, then gathers the 16 rows of
  // 128 B (shift 7, enabled through shift_mask).
  recording_sink sink;
  imp_prefetcher p({{"shift_mask", 1 << 7}, {"negative_shift", 0}});
  indirect_workload w(256);
  p.attach(&sink, &w.memory);
  for (std::size_t v = 0; v < w.index.size() / 16; ++v) {
    access_event idx = event(w.a + 64 * v, 1, true);
    idx.size = 64;
    idx.values = &w.index[16 * v];
    idx.value_count = 16;
    p.on_access(idx);
    for (std::size_t j = 0; j < 16; ++j) {
      const std::uint64_t target = w.b + (static_cast<std::uint64_t>(w.index[16 * v + j]) << 7);
      p.on_access(event(target, 2, sink.present.count(target & ~63ull) != 0));
    }
  }
  const auto pattern = p.learned(1);
  ASSERT_TRUE(pattern.enabled);
  EXPECT_EQ(pattern.base, w.b);
  EXPECT_EQ(pattern.shift, 7);
  std::size_t covered = 0;
  for (std::size_t i = 64; i < w.index.size(); ++i)
    if (sink.present.count(w.b + (static_cast<std::uint64_t>(w.index[i]) << 7))) ++covered;
  EXPECT_GT(covered, (w.index.size() - 64) * 9 / 10);
}

TEST(Imp, IgnoresUnrelatedMisses) {
  recording_sink sink;
  imp_prefetcher p({});
  std::mt19937 rng(3);
  for (std::size_t i = 0; i < 200; ++i) {
    const std::int64_t v = static_cast<std::int64_t>(rng() % 1000);
    access_event idx = event(0x10000 + 4 * i, 1, true);
    idx.size = 4;
    idx.values = &v;
    idx.value_count = 1;
    p.on_access(idx);
    p.on_access(event(0x4000000 + (rng() % 100000) * 64, 2, false));  // not B[A[i]]
  }
  EXPECT_FALSE(p.learned(1).enabled);
}

TEST(Oracle, RemovesEveryDemandMissOnARepeatedTrace) {
  // A random trace over 64 KiB (4x the cache), repeated twice, through a 16 KiB 16-way LRU cache.
  std::mt19937 rng(11);
  std::vector<std::uint64_t> once;
  for (int i = 0; i < 4000; ++i) once.push_back((rng() % 1024) * 64);
  auto future = std::make_shared<std::vector<std::uint64_t>>(once);
  future->insert(future->end(), once.begin(), once.end());

  auto run = [&](prefetcher* p) {
    nvr::mem::testing::fixed_latency below(100000);
    cache_config c;
    c.size = 16 * 1024;
    c.ways = 16;
    c.replacement = replacement_policy::lru;
    c.mshrs = 16;
    cache nsb("", c, &below);
    nsb.set_prefetcher(p);
    time_ps t = 0;
    for (std::uint64_t a : *future) t = nsb.access(t, a, 8, false) + 1000;  // a blocking requester
    return nsb.counters();
  };
  const cache_counters none = run(nullptr);
  EXPECT_GT(none.misses, 4000u);
  auto oracle = prefetcher_factory::instance().make("oracle", {{"distance", 8}}, {future});
  const cache_counters perfect = run(oracle.get());
  EXPECT_EQ(perfect.misses, 0u);
  EXPECT_EQ(perfect.hits + perfect.mshr_merges, future->size());
  EXPECT_EQ(perfect.mshr_merges, perfect.pf_late);  // every partial hit waits for a prefetch
  EXPECT_GT(perfect.pf_useful, 4000u);
}

TEST(Factory, MakesEveryBaselineByName) {
  auto& f = prefetcher_factory::instance();
  const std::vector<std::string> names = f.names();
  for (const char* n : {"none", "next_line", "stride", "stream", "imp", "oracle"})
    EXPECT_NE(std::find(names.begin(), names.end(), n), names.end()) << n;
  EXPECT_EQ(f.make("none"), nullptr);
  EXPECT_EQ(f.make("stride")->name(), "stride");
  EXPECT_EQ(f.make("imp")->name(), "imp");
  EXPECT_THROW(f.make("bogus"), std::invalid_argument);
  EXPECT_THROW(f.make("stride", {{"nonsense", 1}}), std::invalid_argument);
  EXPECT_THROW(f.make("stride", {{"degree", 0}}), std::invalid_argument);
  EXPECT_THROW(f.make("oracle"), std::invalid_argument);  // needs the future
  EXPECT_THROW(f.add("stride", "again", nullptr), std::invalid_argument);
  prefetcher_params p;
  parse_prefetcher_param("degree=0x10", p);
  EXPECT_EQ(p["degree"], 16);
  EXPECT_THROW(parse_prefetcher_param("degree", p), std::invalid_argument);
  EXPECT_THROW(parse_prefetcher_param("degree=four", p), std::invalid_argument);
}
