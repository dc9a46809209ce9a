// Lock-step equivalence of the sparse chain detector (SCD) and the vector micro-instruction
// generator (VMIG) RTL (rtl/nvr, verilated) with their C++ models (ip/nvr/detectors.h): seeded
// random command streams (program, set_bounds, next, invalidate, with a resolve and a 16-lane
// vector resolve beside each),
// compared after every cycle; each vector's lanes, resolved, then go through both VMIGs.
#include <gtest/gtest.h>

#include <array>
#include <cstdint>
#include <random>
#include <vector>

#include "Vnvr_chain_detector.h"
#include "Vnvr_vector_generator.h"
#include "ip/nvr/detectors.h"
#include "tests/rtl/rtl_model.h"

namespace {

using nvr::runahead::chain_detector;
using nvr::runahead::lane;
using nvr::runahead::vector_generator;
using nvr::test::rtl_model;

constexpr unsigned lanes_max = 16;  // the RTL's LANES
constexpr unsigned slots = 2;       // its ENTRIES
enum op : unsigned { op_program = 0, op_set_bounds = 1, op_next = 2, op_invalidate = 3 };

class chain_lock_step {
 public:
  explicit chain_lock_step(std::uint64_t seed) : m_rng(seed), m_vector_rng(seed + 1000), m_model(slots) {}

  unsigned below(unsigned n) { return static_cast<unsigned>(m_rng() % n); }
  std::int64_t between(std::int64_t lo, std::int64_t hi) {
    return lo + static_cast<std::int64_t>(m_rng() % static_cast<std::uint64_t>(hi - lo + 1));
  }

  // One cycle: a random command and a random resolve on both sides, then the comparison.
  void step() {
    Vnvr_chain_detector& rtl = *m_rtl;
    const unsigned slot = below(slots);
    // Resolve first on the C++ side: the RTL resolves on the state before this cycle's command.
    const unsigned res_slot = below(slots);
    const bool lane_in = below(8) != 0;  // masked lanes stay masked
    lane res_lane{0, lane_in, 0};
    const std::int64_t index = random_index(res_slot);
    const bool res_active = m_model.resolve(res_slot, res_lane, index);
    rtl.res_valid = 1;
    rtl.res_slot = res_slot;
    rtl.res_lane_active = lane_in;
    rtl.res_index = static_cast<std::uint64_t>(index);
    // The vector resolve beside it, on the same slot and state, every lane (its own random
    // numbers, so the command stream is the one without it).
    std::array<lane, lanes_max> vector_lanes{};
    std::array<bool, lanes_max> vector_active{};
    const auto bound = static_cast<std::int64_t>(m_model.at(res_slot).index_bound);
    rtl.resv_valid = 1;
    rtl.resv_mask = 0;
    for (unsigned i = 0; i < lanes_max; ++i) {
      const bool in = m_vector_rng() % 8 != 0;
      const std::int64_t v =
          -4 + static_cast<std::int64_t>(m_vector_rng() % static_cast<std::uint64_t>(bound + 9));
      vector_lanes[i] = lane{0, in, 0};
      vector_active[i] = m_model.resolve(res_slot, vector_lanes[i], v);
      rtl.resv_index[i] = static_cast<std::uint64_t>(v);
      if (in) rtl.resv_mask |= 1u << i;
    }

    rtl.cmd_valid = below(8) != 0;
    rtl.cmd_slot = slot;
    const unsigned what = below(16);
    const unsigned command = what < 2    ? op_program
                             : what < 5  ? op_set_bounds
                             : what < 15 ? op_next
                                         : op_invalidate;
    rtl.cmd_op = command;
    std::vector<lane> vector;
    bool refused = false;
    if (rtl.cmd_valid) {
      switch (command) {
        case op_program: {
          chain_detector::entry e;
          e.target_base = (m_rng() % (std::uint64_t{1} << 40)) & ~std::uint64_t{3};
          static constexpr std::uint64_t strides[] = {4, 16, 64, 100, 256, 1000};
          e.target_stride = strides[below(6)];
          e.index_bound = 1 + below(1000);
          e.ss_start = between(-8, 500);
          e.ss_end = e.ss_start + between(-3, 120);
          // 0 is refused by both; the RTL takes 1..LANES.
          e.vector_size = below(20) == 0 ? 0 : 1 + below(lanes_max);
          rtl.cmd_target_base = e.target_base;
          rtl.cmd_target_stride = e.target_stride;
          rtl.cmd_index_bound = e.index_bound;
          rtl.cmd_ss_start = static_cast<std::uint64_t>(e.ss_start);
          rtl.cmd_ss_end = static_cast<std::uint64_t>(e.ss_end);
          rtl.cmd_vector_size = e.vector_size;
          if (e.vector_size == 0) {
            EXPECT_THROW(m_model.program(slot, e), std::invalid_argument);
            refused = true;
          } else {
            m_model.program(slot, e);
          }
          break;
        }
        case op_set_bounds: {
          const std::int64_t start = between(-8, 500), end = start + between(-3, 120);
          rtl.cmd_ss_start = static_cast<std::uint64_t>(start);
          rtl.cmd_ss_end = static_cast<std::uint64_t>(end);
          m_model.set_bounds(slot, start, end);
          break;
        }
        case op_next:
          vector = m_model.next_vector(slot);
          break;
        default:
          m_model.invalidate(slot);
          break;
      }
    }
    m_rtl.cycle();

    ASSERT_EQ(rtl.prog_error, refused) << "step " << m_steps;
    ASSERT_EQ(rtl.vec_valid, !vector.empty()) << "step " << m_steps;
    if (!vector.empty()) {
      ASSERT_EQ(rtl.vec_position, static_cast<std::uint64_t>(vector.front().position)) << "step " << m_steps;
      for (unsigned i = 0; i < lanes_max; ++i) {
        const bool active = i < vector.size() && vector[i].active;
        ASSERT_EQ((rtl.vec_active >> i) & 1, active) << "step " << m_steps << " lane " << i;
        if (i < vector.size()) {
          ASSERT_EQ(vector[i].position, vector.front().position + i);
        }
      }
      ++m_vectors;
      generate(slot, vector);
    }
    ASSERT_TRUE(rtl.res_out_valid);
    ASSERT_EQ(rtl.res_active, res_active) << "step " << m_steps;
    if (rtl.res_active) {
      ASSERT_EQ(rtl.res_address, res_lane.address) << "step " << m_steps;
    }
    for (unsigned i = 0; i < lanes_max; ++i) {
      ASSERT_EQ((rtl.resv_active >> i) & 1, vector_active[i]) << "step " << m_steps << " lane " << i;
      if (vector_active[i]) {
        ASSERT_EQ(rtl.resv_address[i], vector_lanes[i].address) << "step " << m_steps;
      }
    }
    for (unsigned s = 0; s < slots; ++s)
      ASSERT_EQ((rtl.exhausted >> s) & 1, m_model.exhausted(s)) << "step " << m_steps << " slot " << s;
    ASSERT_EQ(rtl.occupancy, m_model.occupancy());
    ++m_steps;
  }

  unsigned vectors() const { return m_vectors; }
  std::uint64_t lines() const { return m_generator.line_count(); }

 private:
  // Indices around the slot's bound, negative ones included.
  std::int64_t random_index(unsigned slot) {
    const auto bound = static_cast<std::int64_t>(m_model.at(slot).index_bound);
    return between(-4, bound + 4);
  }

  // The vector's lanes resolved with random indices (mostly in bounds, often the same row so
  // lanes share lines), then packed by both VMIGs.
  void generate(unsigned slot, std::vector<lane> vector) {
    Vnvr_vector_generator& rtl = *m_vmig;
    const std::int64_t base = random_index(slot);
    for (unsigned i = 0; i < vector.size(); ++i) {
      const std::int64_t index = below(3) == 0 ? random_index(slot) : base + below(4);
      m_model.resolve(slot, vector[i], index);
      rtl.vec_address[i] = vector[i].address;
    }
    // Lanes the RTL gets past the vector's size carry noise it must ignore.
    std::uint16_t active = 0;
    for (unsigned i = 0; i < lanes_max; ++i) {
      if (i < vector.size() ? vector[i].active : below(2) == 0) active |= std::uint16_t(1u << i);
      if (i >= vector.size()) rtl.vec_address[i] = m_rng();
    }
    const std::uint32_t bytes = below(65);  // 0 .. a line: at most two lines per lane
    rtl.vec_valid = 1;
    rtl.vec_lanes = static_cast<std::uint8_t>(vector.size());
    rtl.vec_active = active;
    rtl.vec_bytes = bytes;
    const std::vector<std::uint64_t> lines = m_generator.lines(vector, bytes);
    m_vmig.cycle();
    rtl.vec_valid = 0;
    ASSERT_TRUE(rtl.out_valid);
    ASSERT_FALSE(rtl.bytes_error);
    ASSERT_EQ(rtl.out_count, lines.size()) << "vector " << m_vectors;
    for (unsigned k = 0; k < lines.size(); ++k) ASSERT_EQ(rtl.out_lines[k], lines[k]) << "line " << k;
    ASSERT_EQ(rtl.vectors, m_generator.vectors());
    ASSERT_EQ(rtl.active_lanes, m_generator.active_lanes());
    ASSERT_EQ(rtl.masked_lanes, m_generator.masked_lanes());
    ASSERT_EQ(rtl.line_count, m_generator.line_count());
  }

  std::mt19937_64 m_rng, m_vector_rng;
  chain_detector m_model;
  vector_generator m_generator{64};
  rtl_model<Vnvr_chain_detector> m_rtl;
  rtl_model<Vnvr_vector_generator> m_vmig;
  unsigned m_steps = 0, m_vectors = 0;
};

class rtl_chain : public testing::TestWithParam<std::uint64_t> {};

TEST_P(rtl_chain, scd_and_vmig_match_cpp_models_cycle_by_cycle) {
  chain_lock_step run(GetParam());
  for (unsigned i = 0; i < 20000; ++i) {
    run.step();
    if (testing::Test::HasFatalFailure()) return;
  }
  // Enough vectors and lines that the comparison covered the packing.
  EXPECT_GT(run.vectors(), 2000u);
  EXPECT_GT(run.lines(), 4000u);
}
INSTANTIATE_TEST_SUITE_P(seeds, rtl_chain, testing::Values(1u, 2u, 3u));

// The RTL-only limits: a program outside 1..LANES lanes and a lane wider than a line are refused.
TEST(rtl_chain_limits, refuses_vector_size_over_lanes_and_bytes_over_a_line) {
  rtl_model<Vnvr_chain_detector> scd;
  scd->cmd_valid = 1;
  scd->cmd_op = op_program;
  scd->cmd_ss_start = 0;
  scd->cmd_ss_end = 10;
  scd->cmd_vector_size = lanes_max + 1;
  scd.cycle();
  EXPECT_TRUE(scd->prog_error);
  EXPECT_EQ(scd->occupancy, 0);
  scd->cmd_vector_size = lanes_max;
  scd.cycle();
  EXPECT_FALSE(scd->prog_error);
  EXPECT_EQ(scd->occupancy, 1);

  rtl_model<Vnvr_vector_generator> vmig;
  vmig->vec_valid = 1;
  vmig->vec_lanes = 1;
  vmig->vec_active = 1;
  vmig->vec_bytes = 65;
  vmig.cycle();
  EXPECT_TRUE(vmig->bytes_error);
  EXPECT_EQ(vmig->out_count, 0);
  EXPECT_EQ(vmig->vectors, 0u);
}

}  // namespace
