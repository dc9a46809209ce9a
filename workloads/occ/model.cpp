#include "workloads/occ/model.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "workloads/ref/arith.h"

namespace occ {

namespace {

// Integers from the raw generator: the standard distributions differ between libraries.
int uniform(std::mt19937& rng, int lo, int hi) {
  return lo + static_cast<int>(rng() % static_cast<std::uint32_t>(hi - lo + 1));
}

matrix_i8 random_i8(std::size_t rows, std::size_t cols, int lo, int hi, std::mt19937& rng) {
  matrix_i8 m(rows, cols);
  for (auto& v : m.data) v = static_cast<std::int8_t>(uniform(rng, lo, hi));
  return m;
}

std::vector<std::int32_t> column_amax(const matrix_i32& a) {
  std::vector<std::int32_t> out(a.cols, 0);
  for (std::size_t r = 0; r < a.rows; ++r)
    for (std::size_t c = 0; c < a.cols; ++c) {
      const std::int64_t v = a(r, c) < 0 ? -std::int64_t{a(r, c)} : a(r, c);
      out[c] =
          static_cast<std::int32_t>(std::max<std::int64_t>(out[c], std::min<std::int64_t>(v, INT32_MAX)));
    }
  return out;
}

matrix_i32 with_bias(std::size_t rows, const std::vector<std::int32_t>& bias) {
  matrix_i32 c(rows, bias.size());
  for (std::size_t r = 0; r < rows; ++r) std::copy(bias.begin(), bias.end(), &c(r, 0));
  return c;
}

}  // namespace

inputs make_inputs(const grid_config& g, std::size_t cameras, std::mt19937& rng) {
  const std::size_t pixels = cameras * g.feat_h() * g.feat_w(), nd = g.depth_bins;
  inputs in;
  in.feat = random_i8(pixels, g.channels, -128, 127, rng);
  in.depth = matrix_i8(pixels * nd, 1);
  for (std::size_t n = 0; n < cameras; ++n)
    for (std::size_t p = 0; p < g.feat_h() * g.feat_w(); ++p) {
      // A quantised softmax: a small floor on every bin (about 44 in all) and the rest of 127 on
      // one peak.
      const auto peak = static_cast<std::size_t>(uniform(rng, 0, static_cast<int>(nd) - 1));
      const int floor_max = std::max(1, 96 / static_cast<int>(std::min<std::size_t>(nd, 96)));
      int rest = 127;
      std::vector<int> v(nd);
      for (auto& x : v) rest -= (x = uniform(rng, 0, floor_max));
      v[peak] += std::max(rest, 0);
      for (std::size_t d = 0; d < nd; ++d) {
        const std::size_t row = (n * nd + d) * g.feat_h() * g.feat_w() + p;
        in.depth(row, 0) = static_cast<std::int8_t>(std::min(v[d], 127));
      }
    }
  return in;
}

matrix_i32 bev_pool(const bev_indices& idx, const matrix_i8& feat, const matrix_i8& depth,
                    std::size_t cells) {
  const std::size_t n = idx.ranks_bev.size();
  if (idx.ranks_depth.size() != n || idx.ranks_feat.size() != n ||
      idx.interval_starts.size() != idx.interval_lengths.size())
    throw std::invalid_argument("bev_pool: index arrays of different lengths");
  if (depth.cols != 1) throw std::invalid_argument("bev_pool: depth must have one column");
  matrix_i32 out(cells, feat.cols);
  for (std::size_t i = 0; i < idx.interval_starts.size(); ++i) {
    const std::int64_t s = idx.interval_starts[i], l = idx.interval_lengths[i];
    if (s < 0 || l <= 0 || s + l > static_cast<std::int64_t>(n))
      throw std::invalid_argument("bev_pool: interval " + std::to_string(i) + " outside the index arrays");
    const auto first = static_cast<std::size_t>(s);
    const std::int32_t cell = idx.ranks_bev[first];
    if (cell < 0 || static_cast<std::size_t>(cell) >= cells)
      throw std::invalid_argument("bev_pool: BEV rank " + std::to_string(cell) + " outside the grid");
    const std::vector<std::int32_t> fi(idx.ranks_feat.begin() + s, idx.ranks_feat.begin() + s + l);
    const std::vector<std::int32_t> di(idx.ranks_depth.begin() + s, idx.ranks_depth.begin() + s + l);
    const matrix_i8 f = npu_ref::gather(feat, fi);  // L x C
    matrix_i8 w = npu_ref::gather(depth, di);       // L x 1, used as 1 x L
    w.cols = w.rows;
    w.rows = 1;
    const matrix_i32 sum = npu_ref::gemm(w, f);
    std::copy(sum.data.begin(), sum.data.end(), &out(static_cast<std::size_t>(cell), 0));
  }
  return out;
}

matrix_i32 conv3x3(const matrix_i8& in, std::size_t rows, std::size_t cols, const matrix_i8& w,
                   const std::vector<std::int32_t>& bias) {
  const std::size_t ch = in.cols;
  if (in.rows != rows * cols || w.rows != 9 * ch || bias.size() != w.cols)
    throw std::invalid_argument("conv3x3: shapes do not match");
  matrix_i8 patches(rows * cols, 9 * ch);
  for (std::size_t r = 0; r < rows; ++r)
    for (std::size_t c = 0; c < cols; ++c)
      for (std::size_t k = 0; k < 9; ++k) {
        const long rr = static_cast<long>(r + k / 3) - 1, cc = static_cast<long>(c + k % 3) - 1;
        if (rr < 0 || cc < 0 || rr >= static_cast<long>(rows) || cc >= static_cast<long>(cols)) continue;
        std::copy_n(&in(static_cast<std::size_t>(rr) * cols + static_cast<std::size_t>(cc), 0), ch,
                    &patches(r * cols + c, k * ch));
      }
  const matrix_i32 c0 = with_bias(rows * cols, bias);
  return npu_ref::gemm(patches, w, &c0);
}

matrix_i8 requant_columns(const matrix_i32& acc, const std::vector<store_config>& q) {
  if (q.size() != acc.cols) throw std::invalid_argument("requant_columns: one configuration per column");
  matrix_i8 out(acc.rows, acc.cols);
  for (std::size_t r = 0; r < acc.rows; ++r)
    for (std::size_t c = 0; c < acc.cols; ++c) out(r, c) = npu_ref::requant(acc(r, c), q[c]);
  return out;
}

store_config calibrate(std::int64_t amax, bool relu) {
  store_config q;
  q.shift = 16;
  q.multiplier = static_cast<std::int32_t>(std::max<std::int64_t>(
      1, npu_ref::round_div(std::int64_t{127} << 16, std::max<std::int64_t>(amax, 1))));
  q.clip_min = relu ? 0 : -128;
  return q;
}

model make_model(const grid_config& g, const bev_indices& idx, const inputs& in, std::mt19937& rng) {
  model m;
  m.g = g;
  const std::size_t ch = g.channels, cells = g.bev_cells();
  const matrix_i32 pooled = bev_pool(idx, in.feat, in.depth, cells);
  const auto pool_amax = column_amax(pooled);
  m.pool_q = calibrate(*std::max_element(pool_amax.begin(), pool_amax.end()), false);
  matrix_i8 x = npu_ref::requant(pooled, m.pool_q);
  for (std::size_t l = 0; l < g.encoder_layers; ++l) {
    conv_layer layer;
    layer.w = random_i8(9 * ch, ch, -32, 32, rng);
    layer.bias.resize(ch);
    for (auto& b : layer.bias) b = uniform(rng, -2000, 2000);
    const matrix_i32 acc = conv3x3(x, g.bev_x, g.bev_y, layer.w, layer.bias);
    for (std::int32_t a : column_amax(acc)) layer.q.push_back(calibrate(a, true));
    x = requant_columns(acc, layer.q);
    m.encoder.push_back(std::move(layer));
  }
  m.head_w = random_i8(ch, g.bev_z * g.classes, -64, 64, rng);
  m.head_bias.resize(g.bev_z * g.classes);
  for (auto& b : m.head_bias) b = uniform(rng, -3000, 3000);
  m.centre_w = random_i8(ch, 1, -64, 64, rng);
  return m;
}

std::vector<std::uint8_t> occupancy_labels(const matrix_i32& logits, std::size_t classes) {
  if (classes == 0 || classes > 256 || logits.cols % classes != 0)
    throw std::invalid_argument("occupancy_labels: logits do not split into rows of 1..256 classes");
  matrix_i32 voxels = logits;  // the reshape: same data, classes per row
  voxels.rows = logits.rows * logits.cols / classes;
  voxels.cols = classes;
  std::vector<std::uint8_t> out;
  out.reserve(voxels.rows);
  for (std::int32_t k : npu_ref::argmax_rows(voxels)) out.push_back(static_cast<std::uint8_t>(k));
  return out;
}

std::vector<std::int32_t> top_k_peaks(const matrix_i32& heat, std::size_t bev_x, std::size_t bev_y,
                                      std::size_t k) {
  if (heat.rows != bev_x * bev_y || heat.cols != 1) throw std::invalid_argument("top_k_peaks: heatmap shape");
  std::vector<std::int32_t> peaks;
  for (std::size_t x = 0; x < bev_x; ++x)
    for (std::size_t y = 0; y < bev_y; ++y) {
      const std::size_t i = x * bev_y + y;
      const std::int32_t v = heat(i, 0);
      bool peak = v > 0;
      for (long dx = -1; dx <= 1 && peak; ++dx)
        for (long dy = -1; dy <= 1 && peak; ++dy) {
          const long nx = static_cast<long>(x) + dx, ny = static_cast<long>(y) + dy;
          if ((dx == 0 && dy == 0) || nx < 0 || ny < 0 || nx >= static_cast<long>(bev_x) ||
              ny >= static_cast<long>(bev_y))
            continue;
          const std::size_t j = static_cast<std::size_t>(nx) * bev_y + static_cast<std::size_t>(ny);
          peak = v > heat(j, 0) || (v == heat(j, 0) && i < j);
        }
      if (peak) peaks.push_back(static_cast<std::int32_t>(i));
    }
  std::stable_sort(peaks.begin(), peaks.end(), [&heat](std::int32_t a, std::int32_t b) {
    return heat(static_cast<std::size_t>(a), 0) > heat(static_cast<std::size_t>(b), 0);
  });
  if (peaks.size() > k) peaks.resize(k);
  return peaks;
}

std::vector<std::uint16_t> assign_instances(const std::vector<std::uint8_t>& labels, std::size_t bev_x,
                                            std::size_t bev_y, std::size_t bev_z, std::uint8_t free_class,
                                            const std::vector<std::int32_t>& centres) {
  if (labels.size() != bev_x * bev_y * bev_z)
    throw std::invalid_argument("assign_instances: label volume shape");
  if (centres.size() > 65535) throw std::invalid_argument("assign_instances: more than 65535 centres");
  for (std::int32_t c : centres)
    if (c < 0 || static_cast<std::size_t>(c) >= bev_x * bev_y)
      throw std::invalid_argument("assign_instances: centre " + std::to_string(c) + " outside the grid");
  std::vector<std::uint16_t> out(labels.size(), 0);
  if (centres.empty()) return out;
  for (std::size_t x = 0; x < bev_x; ++x)
    for (std::size_t y = 0; y < bev_y; ++y) {
      // Every voxel of a column has the same BEV distances: find the nearest centre once.
      std::size_t best = 0;
      std::int64_t best_d = INT64_MAX;
      for (std::size_t k = 0; k < centres.size(); ++k) {
        const std::int64_t dx = static_cast<std::int64_t>(x) - centres[k] / static_cast<std::int64_t>(bev_y);
        const std::int64_t dy = static_cast<std::int64_t>(y) - centres[k] % static_cast<std::int64_t>(bev_y);
        const std::int64_t d = dx * dx + dy * dy;
        if (d < best_d) best_d = d, best = k;
      }
      for (std::size_t z = 0; z < bev_z; ++z) {
        const std::size_t v = (x * bev_y + y) * bev_z + z;
        if (labels[v] != free_class) out[v] = static_cast<std::uint16_t>(best + 1);
      }
    }
  return out;
}

result run(const model& m, const bev_indices& idx, const inputs& in, bool panoptic, std::size_t top_k) {
  const grid_config& g = m.g;
  result r;
  r.pooled = bev_pool(idx, in.feat, in.depth, g.bev_cells());
  r.bev = npu_ref::requant(r.pooled, m.pool_q);
  const matrix_i8* x = &r.bev;
  r.encoded.reserve(m.encoder.size());
  for (const conv_layer& layer : m.encoder) {
    r.encoded.push_back(requant_columns(conv3x3(*x, g.bev_x, g.bev_y, layer.w, layer.bias), layer.q));
    x = &r.encoded.back();
  }
  const matrix_i32 c0 = with_bias(g.bev_cells(), m.head_bias);
  r.logits = npu_ref::gemm(*x, m.head_w, &c0);
  r.labels = occupancy_labels(r.logits, g.classes);
  if (panoptic) {
    r.heatmap = npu_ref::gemm(*x, m.centre_w);
    r.centres = top_k_peaks(r.heatmap, g.bev_x, g.bev_y, top_k);
    r.instances = assign_instances(r.labels, g.bev_x, g.bev_y, g.bev_z,
                                   static_cast<std::uint8_t>(g.classes - 1), r.centres);
  }
  return r;
}

}  // namespace occ
