#include "workloads/occ/geometry.h"

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <numeric>
#include <stdexcept>

namespace occ {

grid_config small_grid() { return grid_config{}; }

grid_config full_grid() {
  grid_config g;
  g.bev_x = g.bev_y = 200;
  g.bev_z = 16;
  g.classes = 18;
  g.channels = 32;
  g.cell = 0.4;
  g.stride = 16;
  g.depth_bins = 88;
  g.depth_step = 0.5;
  return g;
}

std::vector<camera> make_rig(const grid_config& g, std::mt19937& rng) {
  const double pi = std::acos(-1.0);
  // Uniform doubles from the raw generator: std::uniform_real_distribution is not specified
  // bit for bit across standard libraries.
  auto uniform = [&rng](double lo, double hi) { return lo + (hi - lo) * (rng() / 4294967296.0); };
  std::vector<camera> rig(6);
  for (std::size_t k = 0; k < rig.size(); ++k) {
    camera& c = rig[k];
    c.yaw = (static_cast<double>(k) * 60.0 + uniform(-5, 5)) * pi / 180.0;
    const double mount = static_cast<double>(k) * pi / 3.0;
    c.x = std::cos(mount) + uniform(-0.1, 0.1);
    c.y = std::sin(mount) + uniform(-0.1, 0.1);
    c.z = 1.5 + uniform(-0.1, 0.1);
    c.fx = static_cast<double>(g.image_w) / 2.0 * uniform(0.95, 1.05);
    c.fy = c.fx;
    c.cx = static_cast<double>(g.image_w) / 2.0;
    c.cy = static_cast<double>(g.image_h) / 2.0;
  }
  return rig;
}

point3 frustum_point(const grid_config& g, const camera& c, std::size_t d, std::size_t h, std::size_t w) {
  const double depth = g.depth_min + static_cast<double>(d) * g.depth_step;
  const double u = (static_cast<double>(w) + 0.5) * static_cast<double>(g.stride);
  const double v = (static_cast<double>(h) + 0.5) * static_cast<double>(g.stride);
  const double xc = (u - c.cx) / c.fx * depth, yc = (v - c.cy) / c.fy * depth;
  // Forward (cos, sin, 0), right (sin, -cos, 0), down (0, 0, -1).
  const double cs = std::cos(c.yaw), sn = std::sin(c.yaw);
  return {c.x + depth * cs + xc * sn, c.y + depth * sn - xc * cs, c.z - yc};
}

bev_indices compute_indices(const grid_config& g, const std::vector<camera>& rig) {
  const std::size_t fw = g.feat_w(), fh = g.feat_h(), nd = g.depth_bins;
  if (rig.empty() || fw == 0 || fh == 0 || nd == 0 || g.bev_x == 0 || g.bev_y == 0)
    throw std::invalid_argument("compute_indices: empty rig, feature map, depth bins or grid");
  if (!(g.cell > 0) || !(g.z_max > g.z_min))
    throw std::invalid_argument("compute_indices: cell size and height range must be positive");
  const std::size_t points = rig.size() * nd * fh * fw;
  if (points > INT32_MAX || g.bev_cells() > INT32_MAX)
    throw std::invalid_argument("compute_indices: more points or cells than int32 indices address");
  bev_indices r;
  r.frustum_points = points;
  std::vector<std::int32_t> depth, feat, bev;
  for (std::size_t n = 0; n < rig.size(); ++n)
    for (std::size_t d = 0; d < nd; ++d)
      for (std::size_t h = 0; h < fh; ++h)
        for (std::size_t w = 0; w < fw; ++w) {
          const point3 p = frustum_point(g, rig[n], d, h, w);
          if (!(p.z >= g.z_min && p.z < g.z_max)) continue;
          const double fx = std::floor((p.x - g.x_min) / g.cell), fy = std::floor((p.y - g.y_min) / g.cell);
          if (!(fx >= 0 && fx < static_cast<double>(g.bev_x) && fy >= 0 && fy < static_cast<double>(g.bev_y)))
            continue;
          const auto ix = static_cast<std::size_t>(fx), iy = static_cast<std::size_t>(fy);
          depth.push_back(static_cast<std::int32_t>(((n * nd + d) * fh + h) * fw + w));
          feat.push_back(static_cast<std::int32_t>((n * fh + h) * fw + w));
          bev.push_back(static_cast<std::int32_t>(ix * g.bev_y + iy));
        }
  std::vector<std::size_t> order(bev.size());
  std::iota(order.begin(), order.end(), std::size_t{0});
  std::stable_sort(order.begin(), order.end(),
                   [&bev](std::size_t a, std::size_t b) { return bev[a] < bev[b]; });
  r.ranks_depth.reserve(order.size());
  r.ranks_feat.reserve(order.size());
  r.ranks_bev.reserve(order.size());
  for (std::size_t i : order) {
    r.ranks_depth.push_back(depth[i]);
    r.ranks_feat.push_back(feat[i]);
    r.ranks_bev.push_back(bev[i]);
  }
  for (std::size_t i = 0; i < r.ranks_bev.size(); ++i)
    if (i == 0 || r.ranks_bev[i] != r.ranks_bev[i - 1]) {
      if (i) r.interval_lengths.push_back(static_cast<std::int32_t>(i) - r.interval_starts.back());
      r.interval_starts.push_back(static_cast<std::int32_t>(i));
    }
  if (!r.ranks_bev.empty())
    r.interval_lengths.push_back(static_cast<std::int32_t>(r.ranks_bev.size()) - r.interval_starts.back());
  return r;
}

}  // namespace occ
