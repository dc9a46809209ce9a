// Points -> pillars and the PillarHist features (64-bin height histogram, mean intensity per
// bin, pillar centre): integer only, in the order PointPillars' voxel generator uses (pillars
// in order of their first point, points in scan order).
#pragma once

#include <cstdint>
#include <vector>

#include "workloads/det/scan.h"
#include "workloads/ref/ops.h"

namespace det {

constexpr std::size_t n_bins = 64;
constexpr std::size_t n_features = 2 * n_bins + 2;  // counts, mean intensities, centre x, y

// The BEV grid in millimetres: x in [x_min, x_min + nx * cell), y likewise, z in [z_min, z_max).
struct grid {
  std::int32_t cell = 160;  // 0.16 m
  std::int32_t x_min = 0, y_min = -39680;
  std::size_t nx = 432, ny = 496;
  std::int32_t z_min = -3000, z_max = 1000;  // 64 bins of 62.5 mm
  std::size_t max_pillars = 16000;
  std::size_t max_points_per_pillar = 32;
};
// PointPillars on KITTI: 0.16 m, 432 x 496.
grid full_grid();
// The reduced canvas: the same area binned at 0.32 m, 216 x 248.
grid small_grid();

struct pillars {
  std::vector<std::int32_t> ids;           // iy * nx + ix, the canvas row of each pillar
  std::vector<std::vector<point>> points;  // the kept points of each pillar, scan order
  std::size_t points_in_range = 0;         // inside the grid and z range
  std::size_t points_kept = 0;             // of those, not dropped by the two caps
};

pillars make_pillars(const std::vector<point>& scan, const grid& g);

// z bin of a point in range: floor((z - z_min) * 64 / (z_max - z_min)).
std::size_t z_bin(std::int32_t z, const grid& g);

// One row of 130 int8 features per pillar: counts per bin (0..32), mean intensity per bin
// (round_div of the sum by the count, half away from zero, 0..127; 0 for an empty bin), then
// the pillar centre in 0.64 m units, x - 54 and y (floor division: -54..53 and -62..61 on the
// KITTI range). The counts and sums come from npu_ref::scatter_add (row = pillar * 64 + bin).
npu_ref::matrix_i8 pillar_features(const pillars& p, const grid& g);

}  // namespace det
