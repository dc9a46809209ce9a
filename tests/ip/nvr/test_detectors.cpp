// The detectors of the NVR runahead unit (ip/nvr/detectors.h) on synthetic snoop streams: the
// stride detector learns a stride, the loop bound detector converges on a trip count, the chain
// detector follows index -> data within a row's bound, the vector generator packs lines.
#include <gtest/gtest.h>

#include <stdexcept>

#include "ip/nvr/detectors.h"

using namespace nvr::runahead;

namespace {

unsigned active(const std::vector<lane>& lanes) {
  unsigned n = 0;
  for (const lane& l : lanes) n += l.active ? 1 : 0;
  return n;
}

}  // namespace

// ---- stride detector ----

TEST(StrideDetector, LearnsAStrideAfterRepeats) {
  stride_detector sd;
  EXPECT_EQ(sd.size(), 16u);
  EXPECT_EQ(sd.occupancy(), 0u);
  sd.observe(7, 100);
  EXPECT_FALSE(sd.find(7)->seen);  // one value: no stride yet
  sd.observe(7, 116);              // stride 16, confidence 0
  EXPECT_EQ(sd.find(7)->stride, 16);
  EXPECT_FALSE(sd.predict(7));
  sd.observe(7, 132);  // confidence 1
  EXPECT_FALSE(sd.predict(7));
  const stride_detector::entry& e = sd.observe(7, 148);  // confidence 2: confident
  EXPECT_EQ(e.confidence, 2);
  ASSERT_TRUE(sd.predict(7));
  EXPECT_EQ(*sd.predict(7), 164);
  // The predictions (last + stride) came true from the third value on.
  EXPECT_EQ(e.prefetch_confidence, 2);
  sd.observe(7, 164);
  sd.observe(7, 180);
  EXPECT_EQ(sd.find(7)->confidence, 3);  // saturates at 3 (2 bits)
  EXPECT_EQ(sd.find(7)->prefetch_confidence, 3);
  EXPECT_EQ(sd.occupancy(), 1u);
  EXPECT_FALSE(sd.predict(8));  // a key never seen
}

TEST(StrideDetector, NegativeStride) {
  stride_detector sd;
  for (std::int64_t v : {1000, 936, 872, 808}) sd.observe(1, v);
  ASSERT_TRUE(sd.predict(1));
  EXPECT_EQ(*sd.predict(1), 744);
}

TEST(StrideDetector, KeepsItsStrideAcrossALoopWrap) {
  stride_detector sd;
  for (int run = 0; run < 2; ++run)
    for (std::int64_t v = 0; v <= 112; v += 16) {
      sd.observe(3, v);
      if (run == 1 && v == 0) {
        // The wrap (112 -> 0) lowered the confidence but kept the stride of the loop body.
        EXPECT_EQ(sd.find(3)->stride, 16);
        EXPECT_EQ(sd.find(3)->confidence, 2);
        ASSERT_TRUE(sd.predict(3));
        EXPECT_EQ(*sd.predict(3), 16);
        // The wrap broke the prediction: its confidence went down.
        EXPECT_EQ(sd.find(3)->prefetch_confidence, 2);
      }
    }
  EXPECT_EQ(sd.find(3)->stride, 16);
  EXPECT_EQ(sd.find(3)->confidence, 3);
  EXPECT_EQ(*sd.predict(3), 128);
}

TEST(StrideDetector, ReplacesItsStrideAfterRepeatedDifferentStrides) {
  stride_detector sd;
  std::int64_t v = 0;
  for (int i = 0; i < 6; ++i, v += 16) sd.observe(5, v);
  ASSERT_EQ(sd.find(5)->confidence, 3);
  v -= 16;
  // Stride 32 from now on: the confidence falls 3 -> 2 -> 1 -> 0, and at 0 the stride is replaced.
  const std::uint8_t expected[] = {2, 1, 0};
  for (std::uint8_t c : expected) {
    v += 32;
    sd.observe(5, v);
    EXPECT_EQ(sd.find(5)->confidence, c);
    EXPECT_EQ(sd.find(5)->stride, c == 0 ? 32 : 16);
  }
  EXPECT_FALSE(sd.predict(5));
  sd.observe(5, v += 32);  // confidence 1
  EXPECT_FALSE(sd.predict(5));
  sd.observe(5, v += 32);  // confidence 2: the new stride is confident
  ASSERT_TRUE(sd.predict(5));
  EXPECT_EQ(*sd.predict(5), v + 32);
}

TEST(StrideDetector, EvictsTheLeastRecentlyUsedOfSixteen) {
  stride_detector sd;
  for (std::uint64_t k = 0; k < 16; ++k) {
    sd.observe(k, 0);
    EXPECT_EQ(sd.occupancy(), k + 1);
  }
  for (std::uint64_t k = 0; k < 16; ++k) sd.observe(k, 8);  // every key has a stride now
  sd.observe(0, 16);  // key 0 is the most recently used, key 1 the least
  sd.observe(16, 0);  // a 17th key takes key 1's entry
  EXPECT_EQ(sd.occupancy(), 16u);
  EXPECT_EQ(sd.find(1), nullptr);
  ASSERT_NE(sd.find(0), nullptr);
  EXPECT_EQ(sd.find(0)->stride, 8);
  ASSERT_NE(sd.find(16), nullptr);
  EXPECT_FALSE(sd.find(16)->seen);  // a fresh entry
  for (std::uint64_t k = 2; k < 16; ++k) EXPECT_NE(sd.find(k), nullptr) << k;
  // Key 1 comes back as a new entry, evicting key 2 (now the least recently used).
  sd.observe(1, 100);
  EXPECT_EQ(sd.find(2), nullptr);
  EXPECT_FALSE(sd.find(1)->seen);
  sd.reset();
  EXPECT_EQ(sd.occupancy(), 0u);
  EXPECT_EQ(sd.find(0), nullptr);
}

TEST(StrideDetector, SizeAndErrors) {
  EXPECT_THROW(stride_detector(0), std::invalid_argument);
  stride_detector one(1);
  one.observe(1, 0);
  one.observe(2, 0);  // replaces key 1
  EXPECT_EQ(one.occupancy(), 1u);
  EXPECT_EQ(one.find(1), nullptr);
  EXPECT_NE(one.find(2), nullptr);
}

// ---- loop bound detector ----

namespace {

// One run of a field: start, start + 16, ..., start + 112 (8 iterations).
void run_of_eight(loop_bound_detector& lbd, std::uint64_t key, std::int64_t start, std::int64_t step = 16,
                  unsigned trip = 8) {
  for (unsigned i = 0; i < trip; ++i) lbd.observe(key, start + step * i);
}

}  // namespace

TEST(LoopBoundDetector, ConvergesOnTheTripCount) {
  loop_bound_detector lbd;
  EXPECT_EQ(lbd.size(), 16u);
  run_of_eight(lbd, 1, 0);
  EXPECT_FALSE(lbd.trip_count(1));  // no run has ended yet
  EXPECT_EQ(lbd.find(1)->iteration, 7u);
  EXPECT_EQ(lbd.find(1)->increment, 16);
  run_of_eight(lbd, 1, 0);  // the wrap to 0 ended run 1: one run of 8, confidence 1
  EXPECT_EQ(lbd.find(1)->ewma, 8u);
  EXPECT_EQ(lbd.find(1)->confidence, 1);
  EXPECT_FALSE(lbd.trip_count(1));
  lbd.observe(1, 0);  // ends run 2: two runs of 8, confident
  ASSERT_TRUE(lbd.trip_count(1));
  EXPECT_EQ(*lbd.trip_count(1), 8u);
  EXPECT_EQ(lbd.find(1)->iteration, 0u);
  EXPECT_EQ(lbd.find(1)->start, 0);
  EXPECT_EQ(lbd.find(1)->start_delta, 0);
  // Iterations 0..7: the value after iteration 7 starts a new run.
  EXPECT_TRUE(lbd.wraps_after(1, 7));
  EXPECT_FALSE(lbd.wraps_after(1, 6));
  EXPECT_FALSE(lbd.wraps_after(1, 0));
  EXPECT_FALSE(lbd.wraps_after(2, 7));  // an unknown key never wraps
  EXPECT_EQ(lbd.occupancy(), 1u);
}

TEST(LoopBoundDetector, OuterFieldSteppingPerRun) {
  // The inner loop runs 0..112 by 16 from a start that moves +512 per run.
  loop_bound_detector lbd;
  for (std::int64_t run = 0; run < 3; ++run) run_of_eight(lbd, 9, 512 * run);
  lbd.observe(9, 512 * 3);
  const loop_bound_detector::entry* e = lbd.find(9);
  ASSERT_NE(e, nullptr);
  EXPECT_EQ(e->start, 512 * 3);
  EXPECT_EQ(e->start_delta, 512);
  EXPECT_EQ(e->increment, 16);
  ASSERT_TRUE(lbd.trip_count(9));
  EXPECT_EQ(*lbd.trip_count(9), 8u);
}

TEST(LoopBoundDetector, EwmaFollowsAChangedTripCount) {
  loop_bound_detector lbd;
  for (int run = 0; run < 4; ++run) run_of_eight(lbd, 4, 0);
  lbd.observe(4, 0);
  ASSERT_EQ(lbd.trip_count(4), 8u);
  // From now on runs of 12: the EWMA moves toward 12, losing confidence while it differs, and
  // becomes confident again once it has converged.
  std::vector<std::uint32_t> ewmas;
  run_of_eight(lbd, 4, 16, 16, 11);  // finishes the run started by the 0 above: 12 values
  for (int run = 0; run < 12; ++run) {
    run_of_eight(lbd, 4, 0, 16, 12);
    ewmas.push_back(lbd.find(4)->ewma);
  }
  EXPECT_GT(ewmas.front(), 8u);
  EXPECT_LE(ewmas.front(), 12u);
  for (std::size_t i = 1; i < ewmas.size(); ++i) EXPECT_GE(ewmas[i], ewmas[i - 1]);
  EXPECT_EQ(ewmas.back(), 12u);
  ASSERT_TRUE(lbd.trip_count(4));
  EXPECT_EQ(*lbd.trip_count(4), 12u);
  EXPECT_TRUE(lbd.wraps_after(4, 11));
  EXPECT_FALSE(lbd.wraps_after(4, 7));
  // And back down to 4.
  for (int run = 0; run < 12; ++run) run_of_eight(lbd, 4, 0, 16, 4);
  lbd.observe(4, 0);
  EXPECT_EQ(lbd.find(4)->ewma, 4u);
  EXPECT_EQ(lbd.trip_count(4), 4u);
}

TEST(LoopBoundDetector, CountSaturatesAtNineBits) {
  loop_bound_detector lbd;
  for (int i = 0; i < 1000; ++i) lbd.observe(2, 4 * i);
  EXPECT_EQ(lbd.find(2)->iteration, loop_bound_detector::max_count);
  lbd.observe(2, 0);  // a wrap after 1000 values: the trip count is capped at 511
  EXPECT_EQ(lbd.find(2)->ewma, loop_bound_detector::max_count);
}

TEST(LoopBoundDetector, EvictionAndErrors) {
  EXPECT_THROW(loop_bound_detector(0), std::invalid_argument);
  loop_bound_detector lbd(2);
  lbd.observe(1, 0);
  lbd.observe(2, 0);
  lbd.observe(1, 16);
  lbd.observe(3, 0);  // evicts key 2, the least recently used
  EXPECT_EQ(lbd.occupancy(), 2u);
  EXPECT_EQ(lbd.find(2), nullptr);
  EXPECT_NE(lbd.find(1), nullptr);
  lbd.reset();
  EXPECT_EQ(lbd.occupancy(), 0u);
}

// ---- sparse chain detector ----

namespace {

chain_detector::entry chain(std::int64_t ss_start, std::int64_t ss_end, unsigned vector_size = 16) {
  chain_detector::entry e;
  e.index_base = 0x10000;
  e.target_base = 0x800000;
  e.target_stride = 64;
  e.index_bound = 100;
  e.ss_start = ss_start;
  e.ss_end = ss_end;
  e.vector_size = vector_size;
  return e;
}

}  // namespace

TEST(ChainDetector, FollowsIndexToDataWithinTheIndexBound) {
  chain_detector scd;
  EXPECT_EQ(scd.size(), 2u);
  EXPECT_EQ(scd.occupancy(), 0u);
  scd.program(0, chain(0, 4));
  EXPECT_EQ(scd.occupancy(), 1u);
  lane l;
  l.active = true;
  EXPECT_TRUE(scd.resolve(0, l, 37));
  EXPECT_TRUE(l.active);
  EXPECT_EQ(l.address, 0x800000u + 37 * 64);
  l.active = true;
  EXPECT_TRUE(scd.resolve(0, l, 0));
  EXPECT_EQ(l.address, 0x800000u);
  l.active = true;
  EXPECT_TRUE(scd.resolve(0, l, 99));
  EXPECT_EQ(l.address, 0x800000u + 99 * 64);
  // Indices outside [0, index_bound) mask the lane.
  for (std::int64_t bad : {100, 1000, -1}) {
    lane m;
    m.active = true;
    EXPECT_FALSE(scd.resolve(0, m, bad)) << bad;
    EXPECT_FALSE(m.active);
  }
  // A lane masked already stays masked.
  lane masked;
  EXPECT_FALSE(scd.resolve(0, masked, 5));
}

TEST(ChainDetector, StopsAtTheRowBound) {
  chain_detector scd;
  scd.program(0, chain(40, 60));  // a row of 20 nonzeros: [row_ptr[i], row_ptr[i + 1]) = [40, 60)
  EXPECT_FALSE(scd.exhausted(0));
  std::vector<lane> v = scd.next_vector(0);
  ASSERT_EQ(v.size(), 16u);
  EXPECT_EQ(active(v), 16u);
  EXPECT_EQ(v.front().position, 40);
  EXPECT_EQ(v.back().position, 55);
  EXPECT_FALSE(scd.exhausted(0));
  v = scd.next_vector(0);
  ASSERT_EQ(v.size(), 16u);
  EXPECT_EQ(active(v), 4u);  // lanes at or past ss_end are masked
  for (const lane& l : v) EXPECT_EQ(l.active, l.position < 60) << l.position;
  EXPECT_EQ(scd.at(0).last_prefetched, 60);
  EXPECT_TRUE(scd.exhausted(0));
  EXPECT_TRUE(scd.next_vector(0).empty());
  // The next row of the same chain.
  scd.set_bounds(0, 60, 63);
  EXPECT_FALSE(scd.exhausted(0));
  v = scd.next_vector(0);
  EXPECT_EQ(active(v), 3u);
  EXPECT_EQ(v.front().position, 60);
  EXPECT_TRUE(scd.exhausted(0));
  // An empty row is exhausted at once.
  scd.set_bounds(0, 63, 63);
  EXPECT_TRUE(scd.exhausted(0));
  EXPECT_TRUE(scd.next_vector(0).empty());
}

TEST(ChainDetector, TwoChainsAndInvalidation) {
  chain_detector scd;
  scd.program(0, chain(0, 8, 4));
  scd.program(1, chain(100, 102, 4));
  EXPECT_EQ(scd.occupancy(), 2u);
  EXPECT_EQ(active(scd.next_vector(0)), 4u);
  EXPECT_EQ(active(scd.next_vector(1)), 2u);  // the chains advance independently
  EXPECT_TRUE(scd.exhausted(1));
  EXPECT_FALSE(scd.exhausted(0));
  scd.invalidate(0);
  EXPECT_TRUE(scd.exhausted(0));  // an invalid entry has nothing to give
  EXPECT_TRUE(scd.next_vector(0).empty());
  EXPECT_EQ(scd.occupancy(), 1u);
  scd.reset();
  EXPECT_EQ(scd.occupancy(), 0u);
}

TEST(ChainDetector, Errors) {
  EXPECT_THROW(chain_detector(0), std::invalid_argument);
  chain_detector scd;
  EXPECT_THROW(scd.program(0, chain(0, 4, 0)), std::invalid_argument);
  EXPECT_THROW(scd.program(2, chain(0, 4)), std::out_of_range);
  EXPECT_THROW(scd.next_vector(5), std::out_of_range);
}

// ---- vector micro-instruction generator ----

TEST(VectorGenerator, DedupsLinesInLaneOrder) {
  vector_generator vmig(64);
  std::vector<lane> v(6);
  const std::uint64_t addresses[] = {0x1000, 0x1010, 0x2000, 0x1030, 0x3000, 0x2020};
  for (std::size_t i = 0; i < v.size(); ++i) v[i] = lane{static_cast<std::int64_t>(i), true, addresses[i]};
  v[4].active = false;  // masked: 0x3000 is not fetched
  EXPECT_EQ(vmig.lines(v, 16), (std::vector<std::uint64_t>{0x1000, 0x2000}));
  EXPECT_EQ(vmig.vectors(), 1u);
  EXPECT_EQ(vmig.active_lanes(), 5u);
  EXPECT_EQ(vmig.masked_lanes(), 1u);
  EXPECT_EQ(vmig.line_count(), 2u);
}

TEST(VectorGenerator, SplitsARowCrossingALineBoundary) {
  vector_generator vmig(64);
  // 16 bytes from 0x1038 cover 0x1038..0x1047: two lines.
  EXPECT_EQ(vmig.lines({lane{0, true, 0x1038}}, 16), (std::vector<std::uint64_t>{0x1000, 0x1040}));
  // Ending exactly at the boundary stays in one line; a zero size counts as one byte.
  EXPECT_EQ(vmig.lines({lane{0, true, 0x1030}}, 16), (std::vector<std::uint64_t>{0x1000}));
  EXPECT_EQ(vmig.lines({lane{0, true, 0x107f}}, 0), (std::vector<std::uint64_t>{0x1040}));
  // A row longer than a line covers every line it touches.
  EXPECT_EQ(vmig.lines({lane{0, true, 0x2020}, lane{1, true, 0x2040}}, 128),
            (std::vector<std::uint64_t>{0x2000, 0x2040, 0x2080}));
  EXPECT_TRUE(vmig.lines({lane{0, false, 0x1000}}, 16).empty());
  EXPECT_EQ(vmig.line_count(), 2u + 1u + 1u + 3u);
  EXPECT_EQ(vmig.vectors(), 5u);
}
