// Pillarisation and the PillarHist features on hand-placed points; the real scan's counts pinned.
#include <gtest/gtest.h>

#include "det_test_files.h"
#include "workloads/det/pillars.h"

namespace {

using det_test::mm;

TEST(DetPillars, ZBins) {
  const det::grid g = det::full_grid();
  EXPECT_EQ(det::z_bin(-3000, g), 0u);
  EXPECT_EQ(det::z_bin(-2938, g), 0u);  // 62 mm above the floor: still bin 0 (62.5 mm bins)
  EXPECT_EQ(det::z_bin(-2937, g), 1u);
  EXPECT_EQ(det::z_bin(0, g), 48u);
  EXPECT_EQ(det::z_bin(999, g), 63u);
}

TEST(DetPillars, IdsOrderAndRange) {
  const det::grid g = det::full_grid();
  const std::vector<det::point> scan = {mm(170, 0, 0),         // ix 1, iy 248
                                        mm(-1, 0, 0),          // x < 0: out
                                        mm(69120, 0, 0),       // x = 69.12 m: out (half-open)
                                        mm(0, -39680, 0),      // ix 0, iy 0
                                        mm(0, 39680, 0),       // y = 39.68: out
                                        mm(100, 100, -3001),   // below z: out
                                        mm(100, 100, 1000),    // z = 1 m: out
                                        mm(319, 159, 5),       // ix 1, iy 248: the first pillar again
                                        mm(69119, 39679, 0)};  // the last cell
  const auto p = det::make_pillars(scan, g);
  EXPECT_EQ(p.points_in_range, 4u);
  EXPECT_EQ(p.points_kept, 4u);
  ASSERT_EQ(p.ids.size(), 3u);
  EXPECT_EQ(p.ids[0], 248 * 432 + 1);
  EXPECT_EQ(p.ids[1], 0);
  EXPECT_EQ(p.ids[2], 495 * 432 + 431);
  EXPECT_EQ(p.points[0].size(), 2u);
}

TEST(DetPillars, CapsPointsAndPillars) {
  det::grid g = det::full_grid();
  g.max_pillars = 2;
  std::vector<det::point> scan;
  for (int i = 0; i < 40; ++i) scan.push_back(mm(10, 10, i));
  scan.push_back(mm(500, 10, 0));
  scan.push_back(mm(1000, 10, 0));  // a third pillar: dropped
  scan.push_back(mm(510, 10, 0));   // the second pillar again: kept
  const auto p = det::make_pillars(scan, g);
  ASSERT_EQ(p.ids.size(), 2u);
  EXPECT_EQ(p.points[0].size(), 32u);
  EXPECT_EQ(p.points[0].back().z, 31);  // the first 32 in scan order
  EXPECT_EQ(p.points[1].size(), 2u);
  EXPECT_EQ(p.points_in_range, 43u);
  EXPECT_EQ(p.points_kept, 34u);
}

TEST(DetPillars, HistogramMeanIntensityAndCentre) {
  const det::grid g = det::full_grid();
  // Pillar at ix 5, iy 300: centre x 0.88 m, y 8.40 m.
  const std::int32_t x = 850, y = -39680 + 300 * 160 + 10;
  const std::vector<det::point> scan = {mm(x, y, 0, 10),    mm(x, y, 20, 11),   mm(x, y, 70, 0),
                                        mm(x, y, -3000, 5), mm(x, y, 999, 127), mm(x, y, 70, 1)};
  const auto p = det::make_pillars(scan, g);
  const auto f = det::pillar_features(p, g);
  ASSERT_EQ(f.rows, 1u);
  ASSERT_EQ(f.cols, det::n_features);
  EXPECT_EQ(f(0, 48), 2);        // z 0 and 20 mm
  EXPECT_EQ(f(0, 64 + 48), 11);  // (10 + 11) / 2 = 10.5 -> 11 (half away from zero)
  EXPECT_EQ(f(0, 49), 2);        // z 70 twice
  EXPECT_EQ(f(0, 64 + 49), 1);   // (0 + 1) / 2 = 0.5 -> 1
  EXPECT_EQ(f(0, 0), 1);
  EXPECT_EQ(f(0, 64), 5);
  EXPECT_EQ(f(0, 63), 1);
  EXPECT_EQ(f(0, 127), 127);
  int total = 0;
  for (std::size_t b = 0; b < 64; ++b) total += f(0, b);
  EXPECT_EQ(total, 6);
  EXPECT_EQ(f(0, 10), 0);
  EXPECT_EQ(f(0, 64 + 10), 0);  // empty bin: mean 0
  EXPECT_EQ(f(0, 128), 880 / 640 - 54);
  EXPECT_EQ(f(0, 129), 8400 / 640);
  // Negative y floors: centre -39.60 m -> -62.
  const auto q = det::make_pillars({mm(0, -39680, 0)}, g);
  EXPECT_EQ(det::pillar_features(q, g)(0, 129), -62);
}

TEST(DetPillars, KittiScanCountsArePinned) {
  const auto scan = det::read_scan(det_test::scan_path);
  const auto full = det::make_pillars(scan, det::full_grid());
  EXPECT_EQ(full.points_in_range, 16897u);
  EXPECT_EQ(full.points_kept, 15715u);
  EXPECT_EQ(full.ids.size(), 3945u);
  const auto small = det::make_pillars(scan, det::small_grid());
  EXPECT_EQ(small.points_kept, 13469u);
  EXPECT_EQ(small.ids.size(), 1890u);
  det::grid capped = det::full_grid();
  capped.max_pillars = 1000;
  EXPECT_EQ(det::make_pillars(scan, capped).ids.size(), 1000u);
}

TEST(DetPillars, BadGrid) {
  det::grid g = det::full_grid();
  g.cell = 0;
  EXPECT_THROW(det::make_pillars({}, g), std::invalid_argument);
}

}  // namespace
