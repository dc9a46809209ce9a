// The rig geometry and BEVPoolv2 indices on a hand-computable rig, and the default rigs' sizes.
#include <gtest/gtest.h>

#include <cmath>
#include <stdexcept>

#include "workloads/occ/geometry.h"

namespace {

// One camera at the origin looking along +x; a 4x4 image at stride 2 (2x2 features), f = 2, so
// feature pixel (h, w) at depth d lies at x = d, y = (0.5 - w) * d, z = (0.5 - h) * d. Two depth
// bins (1 and 1.5 m), a 2x2 grid of 2 m cells from (0, -2), heights [0, 5): the lower row (h = 1)
// is below the grid, the upper row falls in cell (0, 1) for w = 0 and (0, 0) for w = 1.
occ::grid_config tiny_grid() {
  occ::grid_config g;
  g.bev_x = g.bev_y = 2;
  g.bev_z = 1;
  g.x_min = 0;
  g.y_min = -2;
  g.cell = 2;
  g.z_min = 0;
  g.z_max = 5;
  g.image_w = g.image_h = 4;
  g.stride = 2;
  g.depth_bins = 2;
  g.depth_min = 1;
  g.depth_step = 0.5;
  return g;
}

std::vector<occ::camera> tiny_rig() {
  occ::camera c;
  c.fx = c.fy = 2;
  c.cx = c.cy = 2;
  return {c};
}

TEST(OccGeometry, FrustumPointsOfTheTinyRig) {
  const auto g = tiny_grid();
  const auto c = tiny_rig()[0];
  const auto p = occ::frustum_point(g, c, 1, 0, 1);  // depth 1.5, upper right pixel
  EXPECT_DOUBLE_EQ(p.x, 1.5);
  EXPECT_DOUBLE_EQ(p.y, -0.75);
  EXPECT_DOUBLE_EQ(p.z, 0.75);
  const auto q = occ::frustum_point(g, c, 0, 1, 0);  // depth 1, lower left pixel
  EXPECT_DOUBLE_EQ(q.x, 1.0);
  EXPECT_DOUBLE_EQ(q.y, 0.5);
  EXPECT_DOUBLE_EQ(q.z, -0.5);
}

TEST(OccGeometry, TinyRigRanksAndIntervals) {
  const auto idx = occ::compute_indices(tiny_grid(), tiny_rig());
  EXPECT_EQ(idx.frustum_points, 8u);
  // Kept (d, h, w): (0,0,0) -> cell 1, (0,0,1) -> cell 0, (1,0,0) -> cell 1, (1,0,1) -> cell 0;
  // depth rank (d * 2 + h) * 2 + w, feature rank h * 2 + w; stable sort by cell.
  EXPECT_EQ(idx.ranks_bev, (std::vector<std::int32_t>{0, 0, 1, 1}));
  EXPECT_EQ(idx.ranks_depth, (std::vector<std::int32_t>{1, 5, 0, 4}));
  EXPECT_EQ(idx.ranks_feat, (std::vector<std::int32_t>{1, 1, 0, 0}));
  EXPECT_EQ(idx.interval_starts, (std::vector<std::int32_t>{0, 2}));
  EXPECT_EQ(idx.interval_lengths, (std::vector<std::int32_t>{2, 2}));
}

TEST(OccGeometry, YawAndOffsetMoveTheCells) {
  // Turned by 180 degrees and moved to x = 4: the camera looks back at the same cells.
  auto g = tiny_grid();
  auto rig = tiny_rig();
  rig[0].yaw = std::acos(-1.0);
  rig[0].x = 4;
  const auto idx = occ::compute_indices(g, rig);
  // x = 4 - d (3 and 2.5: cell 1), y = (w - 0.5) * d: w = 0 -> cell 0, w = 1 -> cell 1.
  EXPECT_EQ(idx.ranks_bev, (std::vector<std::int32_t>{2, 2, 3, 3}));
  EXPECT_EQ(idx.ranks_depth, (std::vector<std::int32_t>{0, 4, 1, 5}));
}

TEST(OccGeometry, EmptyGridHasNoIntervals) {
  auto g = tiny_grid();
  g.x_min = 100;  // everything in front of the grid
  const auto idx = occ::compute_indices(g, tiny_rig());
  EXPECT_TRUE(idx.ranks_bev.empty());
  EXPECT_TRUE(idx.interval_starts.empty());
  EXPECT_TRUE(idx.interval_lengths.empty());
}

TEST(OccGeometry, BadConfigurationsThrow) {
  EXPECT_THROW(occ::compute_indices(tiny_grid(), {}), std::invalid_argument);
  auto g = tiny_grid();
  g.depth_bins = 0;
  EXPECT_THROW(occ::compute_indices(g, tiny_rig()), std::invalid_argument);
  g = tiny_grid();
  g.stride = 8;  // no feature pixel
  EXPECT_THROW(occ::compute_indices(g, tiny_rig()), std::invalid_argument);
  g = tiny_grid();
  g.cell = 0;
  EXPECT_THROW(occ::compute_indices(g, tiny_rig()), std::invalid_argument);
  g = tiny_grid();
  g.z_max = g.z_min;
  EXPECT_THROW(occ::compute_indices(g, tiny_rig()), std::invalid_argument);
  g = tiny_grid();
  g.bev_x = 0;
  EXPECT_THROW(occ::compute_indices(g, tiny_rig()), std::invalid_argument);
  g = tiny_grid();
  g.depth_bins = 1u << 30;  // beyond int32 ranks
  EXPECT_THROW(occ::compute_indices(g, tiny_rig()), std::invalid_argument);
}

TEST(OccGeometry, DefaultRigIsSortedAndCoversTheSurround) {
  const auto g = occ::small_grid();
  std::mt19937 rng(7);
  const auto rig = occ::make_rig(g, rng);
  ASSERT_EQ(rig.size(), 6u);
  const auto idx = occ::compute_indices(g, rig);
  EXPECT_EQ(idx.frustum_points, 6u * 22 * 8 * 22);
  ASSERT_FALSE(idx.ranks_bev.empty());
  std::int64_t covered = 0;
  for (std::size_t i = 0; i < idx.interval_starts.size(); ++i) {
    const auto s = static_cast<std::size_t>(idx.interval_starts[i]);
    covered += idx.interval_lengths[i];
    for (std::int32_t k = 0; k < idx.interval_lengths[i]; ++k) {
      EXPECT_EQ(idx.ranks_bev[s + static_cast<std::size_t>(k)], idx.ranks_bev[s]);
    }
    if (i) {
      EXPECT_LT(idx.ranks_bev[static_cast<std::size_t>(idx.interval_starts[i - 1])], idx.ranks_bev[s]);
    }
  }
  EXPECT_EQ(covered, static_cast<std::int64_t>(idx.ranks_bev.size()));
  // Cameras all around: occupied cells in all four quadrants of the BEV grid.
  bool quadrant[4] = {};
  for (auto b : idx.ranks_bev)
    quadrant[(static_cast<std::size_t>(b) / g.bev_y >= g.bev_x / 2 ? 2 : 0) +
             (static_cast<std::size_t>(b) % g.bev_y >= g.bev_y / 2 ? 1 : 0)] = true;
  for (bool q : quadrant) EXPECT_TRUE(q);
}

TEST(OccGeometry, FullGridHasFlashOccSizes) {
  const auto g = occ::full_grid();
  EXPECT_EQ(g.bev_cells(), 40000u);
  EXPECT_EQ(6 * g.depth_bins * g.feat_h() * g.feat_w(), 371712u);  // FlashOcc's ranks bound
  EXPECT_EQ(g.bev_z, 16u);
  EXPECT_EQ(g.classes, 18u);
}

}  // namespace
