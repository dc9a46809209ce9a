// The integer network: pooling (hand case and a dense re-computation), conv, head reshape and
// argmax, panoptic peaks and assignment, determinism, bad shapes.
#include <gtest/gtest.h>

#include <stdexcept>

#include "workloads/occ/model.h"

namespace {

using occ::matrix_i32;
using occ::matrix_i8;

// The tiny rig's indices (test_occ_geometry.cpp): cell 0 <- (depth 1, feat 1), (depth 5, feat 1);
// cell 1 <- (depth 0, feat 0), (depth 4, feat 0).
occ::bev_indices tiny_indices() {
  occ::bev_indices idx;
  idx.ranks_bev = {0, 0, 1, 1};
  idx.ranks_depth = {1, 5, 0, 4};
  idx.ranks_feat = {1, 1, 0, 0};
  idx.interval_starts = {0, 2};
  idx.interval_lengths = {2, 2};
  return idx;
}

TEST(OccPool, TinyHandCase) {
  matrix_i8 feat(4, 2);
  feat(0, 0) = 1, feat(0, 1) = 2, feat(1, 0) = 3, feat(1, 1) = -4;
  matrix_i8 depth(8, 1);
  depth(0, 0) = 5, depth(1, 0) = 10, depth(4, 0) = 7, depth(5, 0) = 20;
  const matrix_i32 bev = occ::bev_pool(tiny_indices(), feat, depth, 4);
  EXPECT_EQ(bev.data, (std::vector<std::int32_t>{90, -120, 12, 24, 0, 0, 0, 0}));
}

TEST(OccPool, MatchesADenseRecomputation) {
  // Every frustum point straight from the geometry, accumulated without indices or sorting.
  const auto g = occ::small_grid();
  std::mt19937 rng(3);
  const auto rig = occ::make_rig(g, rng);
  const auto idx = occ::compute_indices(g, rig);
  const auto in = occ::make_inputs(g, rig.size(), rng);
  matrix_i32 dense(g.bev_cells(), g.channels);
  const std::size_t fh = g.feat_h(), fw = g.feat_w();
  for (std::size_t n = 0; n < rig.size(); ++n)
    for (std::size_t d = 0; d < g.depth_bins; ++d)
      for (std::size_t h = 0; h < fh; ++h)
        for (std::size_t w = 0; w < fw; ++w) {
          const auto p = occ::frustum_point(g, rig[n], d, h, w);
          const double cx = (p.x - g.x_min) / g.cell, cy = (p.y - g.y_min) / g.cell;
          if (p.z < g.z_min || p.z >= g.z_max || cx < 0 || cy < 0 || cx >= static_cast<double>(g.bev_x) ||
              cy >= static_cast<double>(g.bev_y))
            continue;
          const std::size_t cell = static_cast<std::size_t>(cx) * g.bev_y + static_cast<std::size_t>(cy);
          const std::int32_t weight = in.depth(((n * g.depth_bins + d) * fh + h) * fw + w, 0);
          for (std::size_t c = 0; c < g.channels; ++c)
            dense(cell, c) += weight * in.feat((n * fh + h) * fw + w, c);
        }
  EXPECT_TRUE(occ::bev_pool(idx, in.feat, in.depth, g.bev_cells()) == dense);
}

TEST(OccInputs, DepthIsAQuantisedDistributionPerPixel) {
  for (const auto& g : {occ::small_grid(), occ::full_grid()}) {
    std::mt19937 rng(9);
    const auto in = occ::make_inputs(g, 6, rng);
    const std::size_t pixels = g.feat_h() * g.feat_w();
    ASSERT_EQ(in.depth.rows, 6 * g.depth_bins * pixels);
    ASSERT_EQ(in.feat.rows, 6 * pixels);
    for (std::size_t n = 0; n < 6; ++n)
      for (std::size_t p = 0; p < pixels; ++p) {
        int sum = 0, peak = 0;
        for (std::size_t d = 0; d < g.depth_bins; ++d) {
          const int v = in.depth((n * g.depth_bins + d) * pixels + p, 0);
          ASSERT_GE(v, 0);
          sum += v;
          peak = std::max(peak, v);
        }
        ASSERT_EQ(sum, 127);
        ASSERT_GE(peak, 39);  // 127 minus at most 88 of floors
      }
  }
}

TEST(OccPool, BadIndicesThrow) {
  const matrix_i8 feat(4, 2), depth(8, 1);
  auto idx = tiny_indices();
  idx.ranks_feat.pop_back();
  EXPECT_THROW(occ::bev_pool(idx, feat, depth, 4), std::invalid_argument);
  idx = tiny_indices();
  idx.interval_lengths.pop_back();
  EXPECT_THROW(occ::bev_pool(idx, feat, depth, 4), std::invalid_argument);
  idx = tiny_indices();
  idx.interval_lengths[1] = 3;  // past the end
  EXPECT_THROW(occ::bev_pool(idx, feat, depth, 4), std::invalid_argument);
  idx = tiny_indices();
  idx.interval_lengths[0] = 0;
  EXPECT_THROW(occ::bev_pool(idx, feat, depth, 4), std::invalid_argument);
  EXPECT_THROW(occ::bev_pool(tiny_indices(), feat, depth, 1), std::invalid_argument);  // cell 1
  idx = tiny_indices();
  idx.ranks_feat[0] = 4;  // the gather's bound check
  EXPECT_THROW(occ::bev_pool(idx, feat, depth, 4), std::out_of_range);
  idx = tiny_indices();
  idx.ranks_depth[3] = -1;
  EXPECT_THROW(occ::bev_pool(idx, feat, depth, 4), std::out_of_range);
  EXPECT_THROW(occ::bev_pool(tiny_indices(), feat, matrix_i8(8, 2), 4), std::invalid_argument);
}

TEST(OccConv, AllOnesKernelOnTwoByTwo) {
  // Every 3x3 window of a 2x2 image with padding 1 covers all four pixels.
  matrix_i8 in(4, 1);
  in.data = {1, 2, 3, -4};
  const matrix_i8 w(9, 1, 1);
  const matrix_i32 out = occ::conv3x3(in, 2, 2, w, {10});
  EXPECT_EQ(out.data, (std::vector<std::int32_t>{12, 12, 12, 12}));
  // Only the centre tap: the identity plus bias.
  matrix_i8 centre(9, 1);
  centre(4, 0) = 1;
  EXPECT_EQ(occ::conv3x3(in, 2, 2, centre, {-1}).data, (std::vector<std::int32_t>{0, 1, 2, -5}));
  // The right-hand tap (ky 1, kx 2) reads the right neighbour, 0 at the border.
  matrix_i8 right(9, 1);
  right(5, 0) = 1;
  EXPECT_EQ(occ::conv3x3(in, 2, 2, right, {0}).data, (std::vector<std::int32_t>{2, 0, -4, 0}));
  EXPECT_THROW(occ::conv3x3(in, 2, 3, w, {0}), std::invalid_argument);
  EXPECT_THROW(occ::conv3x3(in, 2, 2, w, {0, 0}), std::invalid_argument);
}

TEST(OccConv, PerChannelRequantAndCalibration) {
  matrix_i32 acc(1, 2);
  acc.data = {1000, -1000};
  const std::vector<occ::store_config> q = {occ::calibrate(1000, true), occ::calibrate(2000, false)};
  EXPECT_EQ(occ::requant_columns(acc, q).data, (std::vector<std::int8_t>{127, -64}));
  EXPECT_EQ(occ::calibrate(0, false).multiplier, 127 << 16);
  EXPECT_EQ(occ::calibrate(0, true).clip_min, 0);
  EXPECT_THROW(occ::requant_columns(acc, {q[0]}), std::invalid_argument);
}

TEST(OccHead, ReshapeAndArgmax) {
  // 2 cells x (Z 2 * 3 classes): voxel (cell, z) is row cell * 2 + z of 3 logits.
  matrix_i32 logits(2, 6);
  logits.data = {1, 5, 2, 7, 7, 0, -1, -2, -3, 0, 0, 9};
  EXPECT_EQ(occ::occupancy_labels(logits, 3), (std::vector<std::uint8_t>{1, 0, 0, 2}));
  EXPECT_THROW(occ::occupancy_labels(logits, 4), std::invalid_argument);
  EXPECT_THROW(occ::occupancy_labels(logits, 0), std::invalid_argument);
}

TEST(OccPanoptic, PeaksHandCase) {
  // 3 x 4 grid, cell x * 4 + y.
  matrix_i32 heat(12, 1);
  heat.data = {0, 5, 0, 0,  //
               0, 0, 0, 0,  //
               9, 0, 0, 5};
  EXPECT_EQ(occ::top_k_peaks(heat, 3, 4, 5), (std::vector<std::int32_t>{8, 1, 11}));
  EXPECT_EQ(occ::top_k_peaks(heat, 3, 4, 2), (std::vector<std::int32_t>{8, 1}));
  // A plateau has one peak, its lowest cell; zero and negative values are never peaks.
  heat.data = {4, 4, 0, -1,  //
               0, 0, 0, -3,  //
               0, 0, 0, -1};
  EXPECT_EQ(occ::top_k_peaks(heat, 3, 4, 5), (std::vector<std::int32_t>{0}));
  EXPECT_THROW(occ::top_k_peaks(heat, 4, 4, 5), std::invalid_argument);
}

TEST(OccPanoptic, NearestCentreAssignment) {
  // 3 x 4 grid, Z 1, free class 2 at cell 5; centres at (2, 0) and (0, 1).
  std::vector<std::uint8_t> labels(12, 0);
  labels[5] = 2;
  const auto inst = occ::assign_instances(labels, 3, 4, 1, 2, {8, 1});
  // (1, 0): 1 vs 2 -> centre 0; (1, 1) free; (1, 2): 5 vs 2 -> centre 1; (2, 3): 9 vs 8 -> 1.
  EXPECT_EQ(inst[4], 1);
  EXPECT_EQ(inst[5], 0);
  EXPECT_EQ(inst[6], 2);
  EXPECT_EQ(inst[11], 2);
  EXPECT_EQ(inst[8], 1);
  // Ties go to the lower centre index, whichever cell it is: (1, 0) is 1 from (0, 0) and (2, 0).
  EXPECT_EQ(occ::assign_instances(labels, 3, 4, 1, 2, {8, 0})[4], 1);
  EXPECT_EQ(occ::assign_instances(labels, 3, 4, 1, 2, {0, 8})[4], 1);
  // Z bins share their column's centre; no centres, no instances.
  const auto z2 = occ::assign_instances(std::vector<std::uint8_t>(24, 1), 3, 4, 2, 2, {1});
  EXPECT_EQ(z2, std::vector<std::uint16_t>(24, 1));
  EXPECT_EQ(occ::assign_instances(labels, 3, 4, 1, 2, {}), std::vector<std::uint16_t>(12, 0));
  EXPECT_THROW(occ::assign_instances(labels, 3, 4, 2, 2, {1}), std::invalid_argument);
  EXPECT_THROW(occ::assign_instances(labels, 3, 4, 1, 2, {12}), std::invalid_argument);
  EXPECT_THROW(occ::assign_instances(labels, 3, 4, 1, 2, {-1}), std::invalid_argument);
  EXPECT_THROW(occ::assign_instances(labels, 3, 4, 1, 2, std::vector<std::int32_t>(65536, 0)),
               std::invalid_argument);
}

struct pipeline {
  occ::bev_indices idx;
  occ::result r;
};

pipeline run_small(std::uint32_t seed) {
  const auto g = occ::small_grid();
  std::mt19937 rng(seed);
  const auto rig = occ::make_rig(g, rng);
  pipeline p;
  p.idx = occ::compute_indices(g, rig);
  const auto in = occ::make_inputs(g, rig.size(), rng);
  const auto m = occ::make_model(g, p.idx, in, rng);
  p.r = occ::run(m, p.idx, in, true, 16);
  return p;
}

TEST(OccPipeline, DeterministicWithTheSeed) {
  const auto a = run_small(11), b = run_small(11), c = run_small(12);
  EXPECT_EQ(a.idx.ranks_bev, b.idx.ranks_bev);
  EXPECT_EQ(a.idx.ranks_depth, b.idx.ranks_depth);
  EXPECT_TRUE(a.r.logits == b.r.logits);
  EXPECT_EQ(a.r.labels, b.r.labels);
  EXPECT_EQ(a.r.centres, b.r.centres);
  EXPECT_EQ(a.r.instances, b.r.instances);
  EXPECT_NE(a.r.labels, c.r.labels);
  EXPECT_NE(a.idx.ranks_bev, c.idx.ranks_bev);  // the rig jitters with the seed
}

TEST(OccPipeline, StageShapesAndNonDegenerateOutput) {
  const auto g = occ::small_grid();
  const auto p = run_small(1);
  EXPECT_EQ(p.r.pooled.rows, g.bev_cells());
  EXPECT_EQ(p.r.encoded.size(), g.encoder_layers);
  EXPECT_EQ(p.r.logits.cols, g.bev_z * g.classes);
  ASSERT_EQ(p.r.labels.size(), g.bev_cells() * g.bev_z);
  // Calibration uses the int8 range: the pooled grid reaches +-127 somewhere.
  int amax = 0;
  for (auto v : p.r.bev.data) amax = std::max(amax, std::abs(int{v}));
  EXPECT_EQ(amax, 127);
  std::vector<std::size_t> hist(g.classes);
  for (auto l : p.r.labels) ++hist.at(l);
  std::size_t used = 0;
  for (auto n : hist) used += n != 0;
  EXPECT_GE(used, 2u);
  EXPECT_FALSE(p.r.centres.empty());
  EXPECT_LE(p.r.centres.size(), 16u);
}

}  // namespace
