// Camera rig and BEVPool-v2-style index computation of the occupancy workload (issue #8).
// The geometry is in double on the host, as BEVPoolv2 precomputes its indices once per
// calibration: the firmware gets the index arrays, not the rig.
#pragma once

#include <cstdint>
#include <random>
#include <string>
#include <vector>

namespace occ {

// One pinhole camera looking horizontally (no pitch or roll). Ego frame: x forward, y left,
// z up, metres; yaw in radians from +x towards +y. Camera frame: x right, y down, z forward.
struct camera {
  double x = 0, y = 0, z = 0, yaw = 0;
  double fx = 1, fy = 1, cx = 0, cy = 0;  // pixels of the input image
};

// The grid and the frustum. The BEV cell of ego point (x, y) is ((x - x_min) / cell,
// (y - y_min) / cell); points with z outside [z_min, z_max) are dropped (FlashOcc pools into one
// height bin; the head restores the Z bins).
struct grid_config {
  std::size_t bev_x = 50, bev_y = 50, bev_z = 8, classes = 8, channels = 16;
  double x_min = -40, y_min = -40, cell = 1.6, z_min = -1, z_max = 5.4;
  std::size_t image_w = 704, image_h = 256, stride = 32;  // feature map image / stride
  std::size_t depth_bins = 22;
  double depth_min = 1, depth_step = 2;  // bin d at depth_min + d * depth_step
  std::size_t encoder_layers = 2;
  std::size_t feat_w() const { return image_w / stride; }
  std::size_t feat_h() const { return image_h / stride; }
  std::size_t bev_cells() const { return bev_x * bev_y; }
};

// The reduced default (50x50, Z 8, 8 classes, C 16, 22x8 features, 22 depth bins) and the full
// Occ3D-nuScenes size (200x200 at 0.4 m, Z 16, 18 classes, C 32, 44x16 features, 88 bins from
// 1 m at 0.5 m: 371,712 frustum points as FlashOcc).
grid_config small_grid();
grid_config full_grid();

// Six cameras around the ego car (front, front-left, back-left, back, back-right, front-right as
// nuScenes): yaw k * 60 deg + uniform +-5 deg, on a 1 m-radius ring at 1.5 m height with +-0.1 m
// jitter; focal length image_w / 2 (a ~90 deg horizontal field of view) +-5%, principal point at
// the image centre.
std::vector<camera> make_rig(const grid_config& g, std::mt19937& rng);

// The BEVPoolv2 index arrays: one entry per frustum point that falls in the grid, sorted by
// ranks_bev (stable: ties keep frustum order n, d, h, w).
//   ranks_depth = ((n * D + d) * H + h) * W + w    (into the depth probabilities)
//   ranks_feat  = (n * H + h) * W + w               (into the feature rows)
//   ranks_bev   = x * bev_y + y                     (x-major, so the head's reshape is X,Y,Z)
// interval_starts / interval_lengths: one interval per occupied cell, in ranks_bev order.
struct bev_indices {
  std::vector<std::int32_t> ranks_depth, ranks_feat, ranks_bev;
  std::vector<std::int32_t> interval_starts, interval_lengths;
  std::size_t frustum_points = 0;  // N * D * H * W, before dropping
};

// Throws std::invalid_argument for an empty grid or frustum or sizes beyond int32 indices.
bev_indices compute_indices(const grid_config& g, const std::vector<camera>& rig);

// Ego position of the frustum point (feature pixel centre, depth bin d) of camera c.
struct point3 {
  double x, y, z;
};
point3 frustum_point(const grid_config& g, const camera& c, std::size_t d, std::size_t h, std::size_t w);

}  // namespace occ
