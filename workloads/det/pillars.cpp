#include "workloads/det/pillars.h"

#include <stdexcept>
#include <unordered_map>

#include "workloads/ref/arith.h"

namespace det {

namespace {

std::int64_t floor_div(std::int64_t a, std::int64_t b) {
  const std::int64_t q = a / b;
  return (a % b != 0 && ((a < 0) != (b < 0))) ? q - 1 : q;
}

}  // namespace

grid full_grid() { return grid{}; }

grid small_grid() {
  grid g;
  g.cell = 320;
  g.nx = 216;
  g.ny = 248;
  return g;
}

std::size_t z_bin(std::int32_t z, const grid& g) {
  return static_cast<std::size_t>(floor_div((std::int64_t{z} - g.z_min) * static_cast<std::int64_t>(n_bins),
                                            std::int64_t{g.z_max} - g.z_min));
}

pillars make_pillars(const std::vector<point>& scan, const grid& g) {
  if (g.cell <= 0 || g.nx == 0 || g.ny == 0 || g.z_max <= g.z_min || g.nx * g.ny > INT32_MAX)
    throw std::invalid_argument("make_pillars: bad grid");
  pillars out;
  std::unordered_map<std::int32_t, std::size_t> slot;
  for (const point& q : scan) {
    const std::int64_t ix = floor_div(std::int64_t{q.x} - g.x_min, g.cell);
    const std::int64_t iy = floor_div(std::int64_t{q.y} - g.y_min, g.cell);
    if (ix < 0 || iy < 0 || ix >= static_cast<std::int64_t>(g.nx) || iy >= static_cast<std::int64_t>(g.ny))
      continue;
    if (q.z < g.z_min || q.z >= g.z_max) continue;
    ++out.points_in_range;
    const auto id = static_cast<std::int32_t>(iy * static_cast<std::int64_t>(g.nx) + ix);
    auto it = slot.find(id);
    if (it == slot.end()) {
      if (out.ids.size() >= g.max_pillars) continue;
      it = slot.emplace(id, out.ids.size()).first;
      out.ids.push_back(id);
      out.points.emplace_back();
    }
    auto& pts = out.points[it->second];
    if (pts.size() >= g.max_points_per_pillar) continue;
    pts.push_back(q);
    ++out.points_kept;
  }
  return out;
}

npu_ref::matrix_i8 pillar_features(const pillars& p, const grid& g) {
  const std::size_t n = p.ids.size();
  // Scatter-add of (1, intensity) per point into (count, sum) rows of pillar * 64 + bin.
  std::vector<std::int32_t> index;
  index.reserve(p.points_kept);
  for (std::size_t i = 0; i < n; ++i)
    for (const point& q : p.points[i]) index.push_back(static_cast<std::int32_t>(i * n_bins + z_bin(q.z, g)));
  npu_ref::matrix_i32 src(index.size(), 2);
  std::size_t r = 0;
  for (std::size_t i = 0; i < n; ++i)
    for (const point& q : p.points[i]) {
      src(r, 0) = 1;
      src(r, 1) = q.intensity;
      ++r;
    }
  npu_ref::matrix_i32 hist(n * n_bins, 2);
  npu_ref::scatter_add(hist, index, src);

  npu_ref::matrix_i8 f(n, n_features);
  for (std::size_t i = 0; i < n; ++i) {
    for (std::size_t b = 0; b < n_bins; ++b) {
      const std::int32_t count = hist(i * n_bins + b, 0);
      f(i, b) = static_cast<std::int8_t>(count);
      f(i, n_bins + b) = count ? static_cast<std::int8_t>(npu_ref::round_div(hist(i * n_bins + b, 1), count))
                               : std::int8_t{0};
    }
    const std::int64_t ix = p.ids[i] % static_cast<std::int32_t>(g.nx),
                       iy = p.ids[i] / static_cast<std::int32_t>(g.nx);
    // Centre in mm, then 0.64 m units; y relative to 0, x shifted by 54 to centre the KITTI range.
    const std::int64_t cx = g.x_min + ix * g.cell + g.cell / 2, cy = g.y_min + iy * g.cell + g.cell / 2;
    f(i, 2 * n_bins) = npu_ref::sat8(floor_div(cx, 640) - 54);
    f(i, 2 * n_bins + 1) = npu_ref::sat8(floor_div(cy, 640));
  }
  return f;
}

}  // namespace det
