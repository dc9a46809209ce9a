// Lock-step equivalence of the NVR detectors' RTL (rtl/nvr, verilated) with their C++ models
// (ip/nvr/detectors.h): both get the same seeded observation streams, one observation per cycle,
// and after every cycle the RTL's registered outputs must equal the C++ entry's fields.
#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "Vnvr_loop_bound_detector.h"
#include "Vnvr_loop_bound_detector_5.h"
#include "Vnvr_stride_detector.h"
#include "Vnvr_stride_detector_4.h"
#include "ip/nvr/detectors.h"
#include "tests/rtl/rtl_model.h"

namespace {

using nvr::runahead::loop_bound_detector;
using nvr::runahead::stride_detector;

// A detector's RTL: one observation per cycle.
template <typename Model>
class rtl_detector : public nvr::test::rtl_model<Model> {
 public:
  void observe(std::uint64_t key, std::int64_t value) {
    Model& m = **this;
    m.obs_valid = 1;
    m.obs_key = key;
    m.obs_value = static_cast<std::uint64_t>(value);
    this->cycle();
    m.obs_valid = 0;
  }
};

// Seeded observation streams: a pool of keys, each a striding stream, a loop (runs of `trip`
// values moving by an increment, each run starting `start_delta` after the previous one) or noise.
// A hot subset of the pool gets most observations, the rest keeps evicting through the LRU.
class observation_stream {
 public:
  enum class kind { stride, loop, noise };
  struct observation {
    std::uint64_t key;
    std::int64_t value;
  };

  observation_stream(std::uint64_t seed, unsigned keys, unsigned hot) : m_rng(seed), m_hot(hot) {
    for (unsigned i = 0; i < keys; ++i) {
      stream s;
      // Some keys differ from another in one bit only: the tag compare must use all 64 bits.
      s.key = i > 0 && below(4) == 0 ? m_streams[i - 1].key ^ (std::uint64_t{1} << below(64)) : m_rng();
      s.what = static_cast<kind>(below(3));
      s.value = signed_below(std::int64_t{1} << 40);
      s.stride = pick_stride();
      s.start = s.value;
      s.start_delta = pick_stride();
      s.trip = pick_trip();
      m_streams.push_back(s);
    }
  }

  observation next() {
    // Mostly the same key a few times in a row, like a field of consecutive instructions.
    if (below(4) == 0) {
      const unsigned cold = static_cast<unsigned>(m_streams.size()) - m_hot;
      m_current = below(10) < 9 || cold == 0 ? below(m_hot) : m_hot + below(cold);
    }
    stream& s = m_streams[m_current];
    switch (s.what) {
      case kind::stride:
        if (below(50) == 0) s.stride = pick_stride();          // a new stride
        if (below(30) == 0) s.value += signed_below(1 << 16);  // a one-off jump
        s.value += s.stride;
        break;
      case kind::loop:
        if (++s.iteration >= s.trip) {
          s.iteration = 0;
          s.start += s.start_delta;
          s.value = s.start;
          if (below(8) == 0) s.trip = below(2) ? s.trip + 1 : (s.trip > 1 ? s.trip - 1 : 2);
          if (below(40) == 0) s.trip = pick_trip();
          if (below(40) == 0) s.start_delta = pick_stride();
        } else {
          s.value += s.stride;
        }
        break;
      case kind::noise:
        // Small values repeat, so zero deltas and accidental stride matches occur.
        s.value = below(2) ? signed_below(8) : signed_below(std::int64_t{1} << 40);
        break;
    }
    return {s.key, s.value};
  }

 private:
  struct stream {
    std::uint64_t key = 0;
    kind what = kind::noise;
    std::int64_t value = 0, stride = 0, start = 0, start_delta = 0;
    unsigned trip = 1, iteration = 0;
  };

  unsigned below(unsigned n) { return static_cast<unsigned>(m_rng() % n); }
  std::int64_t signed_below(std::int64_t n) {
    return static_cast<std::int64_t>(m_rng() % static_cast<std::uint64_t>(2 * n)) - n;
  }
  std::int64_t pick_stride() {
    static constexpr std::int64_t common[] = {0, 1, 4, 8, 64, -64, 4096, -4};
    return below(3) ? common[below(8)] : signed_below(1 << 20);
  }
  // Short loops, tile-sized ones, and some past the 9-bit counter (511).
  unsigned pick_trip() {
    static constexpr unsigned trips[] = {1, 2, 3, 4, 5, 16, 17, 64, 100};
    return below(12) == 0 ? 500 + below(100) : trips[below(9)];
  }

  std::mt19937_64 m_rng;
  unsigned m_hot;
  unsigned m_current = 0;
  std::vector<stream> m_streams;
};

struct stream_shape {
  std::uint64_t seed;
  unsigned keys, hot, observations;
  unsigned clear_every;  // 0: never clear
};

void PrintTo(const stream_shape& shape, std::ostream* os) {
  *os << "seed " << shape.seed << ", " << shape.keys << " keys (" << shape.hot << " hot), "
      << shape.observations << " observations";
}

std::string describe(const stream_shape& shape, unsigned step, std::uint64_t key) {
  std::ostringstream os;
  os << "seed " << shape.seed << ", observation " << step << ", key 0x" << std::hex << key;
  return os.str();
}

// Rtl: the verilated SD of any size.
template <typename Rtl>
testing::AssertionResult same_entry(Rtl& rtl, const stride_detector& model, const stride_detector::entry& e,
                                    bool had) {
  const auto u = [](std::int64_t v) { return static_cast<std::uint64_t>(v); };
  if (!rtl.out_valid) return testing::AssertionFailure() << "out_valid low";
  if (rtl.out_hit != had) return testing::AssertionFailure() << "hit " << int(rtl.out_hit) << " vs " << had;
  if (rtl.out_seen != e.seen) return testing::AssertionFailure() << "seen";
  if (rtl.out_last != u(e.last)) return testing::AssertionFailure() << "last";
  if (rtl.out_stride != u(e.stride))
    return testing::AssertionFailure() << "stride " << std::int64_t(rtl.out_stride) << " vs " << e.stride;
  if (rtl.out_confidence != e.confidence)
    return testing::AssertionFailure()
           << "confidence " << int(rtl.out_confidence) << " vs " << int(e.confidence);
  if (rtl.out_prefetch_confidence != e.prefetch_confidence)
    return testing::AssertionFailure() << "prefetch confidence";
  if (rtl.out_last_prediction != u(e.last_prediction))
    return testing::AssertionFailure() << "last prediction";
  if (rtl.out_confident != model.predict(e.key).has_value())
    return testing::AssertionFailure() << "confident";
  if (rtl.occupancy != model.occupancy())
    return testing::AssertionFailure() << "occupancy " << int(rtl.occupancy) << " vs " << model.occupancy();
  return testing::AssertionSuccess();
}

// Rtl: the verilated LBD of any size.
template <typename Rtl>
testing::AssertionResult same_entry(Rtl& rtl, const loop_bound_detector& model,
                                    const loop_bound_detector::entry& e, bool had) {
  const auto u = [](std::int64_t v) { return static_cast<std::uint64_t>(v); };
  if (!rtl.out_valid) return testing::AssertionFailure() << "out_valid low";
  if (rtl.out_hit != had) return testing::AssertionFailure() << "hit " << int(rtl.out_hit) << " vs " << had;
  if (rtl.out_seen != e.seen) return testing::AssertionFailure() << "seen";
  if (rtl.out_last != u(e.last)) return testing::AssertionFailure() << "last";
  if (rtl.out_start != u(e.start)) return testing::AssertionFailure() << "start";
  if (rtl.out_start_delta != u(e.start_delta)) return testing::AssertionFailure() << "start delta";
  if (rtl.out_increment != u(e.increment)) return testing::AssertionFailure() << "increment";
  if (rtl.out_iteration != e.iteration)
    return testing::AssertionFailure() << "iteration " << rtl.out_iteration << " vs " << e.iteration;
  if (rtl.out_ewma != e.ewma)
    return testing::AssertionFailure() << "ewma " << rtl.out_ewma << " vs " << e.ewma;
  if (rtl.out_confidence != e.confidence) return testing::AssertionFailure() << "confidence";
  if (rtl.out_trip_valid != model.trip_count(e.key).has_value()) return testing::AssertionFailure() << "trip";
  if (rtl.out_wraps != model.wraps_after(e.key, e.iteration)) return testing::AssertionFailure() << "wraps";
  if (rtl.occupancy != model.occupancy())
    return testing::AssertionFailure() << "occupancy " << int(rtl.occupancy) << " vs " << model.occupancy();
  return testing::AssertionSuccess();
}

// One observation on both sides; returns the C++ entry after it.
const stride_detector::entry& observe(stride_detector& model, std::uint64_t key, std::int64_t value) {
  return model.observe(key, value);
}
const loop_bound_detector::entry& observe(loop_bound_detector& model, std::uint64_t key, std::int64_t value) {
  model.observe(key, value);
  return *model.find(key);
}

// What a stream must reach for the comparison to mean something: confident strides, and loop
// counts the LBD is confident of.
template <typename Rtl>
bool trained(const Rtl& rtl, const stride_detector&) {
  return rtl.out_confident;
}
template <typename Rtl>
bool trained(const Rtl& rtl, const loop_bound_detector&) {
  return rtl.out_trip_valid;
}

// Runs `shape` through both and compares after every observation. An idle cycle now and then
// must leave the outputs marked invalid and the tables unchanged (the next observation checks).
template <typename Model, typename Cpp>
void run_lock_step(const stream_shape& shape, unsigned entries = 16) {
  rtl_detector<Model> rtl;
  Cpp model(entries);
  observation_stream stream(shape.seed, shape.keys, shape.hot);
  std::mt19937_64 idle(shape.seed + 1);
  unsigned hits = 0, trained_steps = 0;
  for (unsigned step = 0; step < shape.observations; ++step) {
    if (shape.clear_every && step % shape.clear_every == shape.clear_every - 1) {
      model.reset();
      rtl.clear();
      ASSERT_EQ(rtl->out_valid, 0);
      ASSERT_EQ(rtl->occupancy, 0);
    }
    if (idle() % 16 == 0) {
      rtl.cycle();
      ASSERT_EQ(rtl->out_valid, 0) << describe(shape, step, 0);
    }
    const auto [key, value] = stream.next();
    const bool had = model.find(key) != nullptr;
    hits += had;
    const auto& e = observe(model, key, value);
    rtl.observe(key, value);
    ASSERT_TRUE(same_entry(*rtl, model, e, had)) << describe(shape, step, key);
    trained_steps += trained(*rtl, model);
  }
  EXPECT_GT(trained_steps, shape.observations / 100);
  // The stream exercised both hits and LRU replacement.
  EXPECT_GT(hits, shape.observations / 2);
  EXPECT_LT(hits, shape.observations);
}

const stream_shape shapes[] = {
    {1, 24, 12, 40000, 0},     // hot keys fit, cold ones evict
    {2, 40, 14, 40000, 0},     // heavy eviction
    {3, 8, 8, 40000, 0},       // no eviction: long loops train fully
    {4, 24, 16, 30000, 7001},  // reset() now and then
};

class rtl_stride_detector : public testing::TestWithParam<stream_shape> {};
class rtl_loop_bound_detector : public testing::TestWithParam<stream_shape> {};

TEST_P(rtl_stride_detector, matches_cpp_model_cycle_by_cycle) {
  run_lock_step<Vnvr_stride_detector, stride_detector>(GetParam());
}
TEST_P(rtl_loop_bound_detector, matches_cpp_model_cycle_by_cycle) {
  run_lock_step<Vnvr_loop_bound_detector, loop_bound_detector>(GetParam());
}

// The same streams on smaller tables (ENTRIES 4 and 5, verilated with -GENTRIES): a few hot keys.
TEST(rtl_detector_sizes, stride_detector_of_4_entries_matches_cpp_model) {
  run_lock_step<Vnvr_stride_detector_4, stride_detector>({5, 7, 3, 30000, 0}, 4);
}
TEST(rtl_detector_sizes, loop_bound_detector_of_5_entries_matches_cpp_model) {
  run_lock_step<Vnvr_loop_bound_detector_5, loop_bound_detector>({6, 8, 4, 30000, 0}, 5);
}

std::string shape_name(const testing::TestParamInfo<stream_shape>& info) {
  return "seed" + std::to_string(info.param.seed);
}
INSTANTIATE_TEST_SUITE_P(streams, rtl_stride_detector, testing::ValuesIn(shapes), shape_name);
INSTANTIATE_TEST_SUITE_P(streams, rtl_loop_bound_detector, testing::ValuesIn(shapes), shape_name);

// Directed: the stride survives a loop's wrap while confident, and the LRU victim is the least
// recently observed key, not the oldest allocated one.
TEST(rtl_stride_detector_directed, keeps_stride_across_wrap_and_evicts_least_recent) {
  rtl_detector<Vnvr_stride_detector> rtl;
  for (std::int64_t v : {0, 8, 16, 24, 32, 0, 8}) rtl.observe(7, v);
  EXPECT_EQ(rtl->out_stride, 8u);
  EXPECT_EQ(rtl->out_confidence, 3);  // 3 after the body, 2 at the wrap, 3 again
  for (std::uint64_t key = 100; key < 115; ++key) rtl.observe(key, 0);  // fills the table
  rtl.observe(7, 16);                                                   // key 100 is now LRU
  rtl.observe(200, 0);                                                  // evicts 100
  EXPECT_FALSE(rtl->out_hit);
  rtl.observe(7, 24);
  EXPECT_TRUE(rtl->out_hit);
  rtl.observe(101, 0);
  EXPECT_TRUE(rtl->out_hit);
  rtl.observe(100, 0);
  EXPECT_FALSE(rtl->out_hit);
  EXPECT_EQ(rtl->occupancy, 16);
}

TEST(rtl_loop_bound_detector_directed, learns_trip_count_and_predicts_wrap) {
  rtl_detector<Vnvr_loop_bound_detector> rtl;
  // Runs of 4 values moving by 16, each starting 1000 after the previous.
  for (int run = 0; run < 4; ++run)
    for (int i = 0; i < 4; ++i) rtl.observe(3, 1000 * run + 16 * i);
  EXPECT_EQ(rtl->out_ewma, 4);
  EXPECT_EQ(rtl->out_confidence, 3);  // up at each of the three wraps
  EXPECT_EQ(rtl->out_iteration, 3);
  EXPECT_EQ(rtl->out_start, 3000u);
  EXPECT_EQ(rtl->out_start_delta, 1000u);
  EXPECT_TRUE(rtl->out_trip_valid);
  EXPECT_TRUE(rtl->out_wraps);
  // A run past 511 saturates the counter.
  for (int i = 0; i < 600; ++i) rtl.observe(4, 2 * i);
  EXPECT_EQ(rtl->out_iteration, 511);
}

}  // namespace
