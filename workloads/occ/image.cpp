#include "workloads/occ/image.h"

#include <climits>
#include <random>
#include <stdexcept>
#include <vector>

#include "firmware/workloads/occ/occ_image.h"
#include "workloads/occ/model.h"

namespace occ {

namespace {

// Argmax rows of at most 16 int32 lanes fit one local row; longer ones are padded to whole local
// rows so that the runtime moves them with one DMA per chunk instead of one or two per row.
std::size_t padded(std::size_t n) { return n <= 16 ? n : (n + 15) / 16 * 16; }

template <class T>
void add_matrix(nvr::wimg::writer& w, const std::string& name, const npu_ref::matrix<T>& m) {
  w.add(name, m.data);
}

}  // namespace

std::string image_workload(const image_options& o) { return o.panoptic ? "occ_panoptic" : "occ"; }

nvr::wimg::writer make_image(const image_options& o) {
  if (o.grid != "small" && o.grid != "full")
    throw std::invalid_argument("grid '" + o.grid + "' is neither small nor full");
  const bool full = o.grid == "full";
  const grid_config g = full ? full_grid() : small_grid();
  const std::size_t top_k = full ? 100 : 16;
  // The same draws in the same order as nvr-occ-ref, so its checksum describes this image too.
  std::mt19937 rng(static_cast<std::mt19937::result_type>(o.seed));
  const auto rig = make_rig(g, rng);
  const bev_indices idx = compute_indices(g, rig);
  const inputs in = make_inputs(g, rig.size(), rng);
  const model m = make_model(g, idx, in, rng);
  const result r = run(m, idx, in, o.panoptic, top_k);

  // The firmware requantises the encoder per channel as a dyadic multiply (vector mul, one shift
  // for all channels) then a clamp to [0, 127]: the reference's calibration must be that.
  const std::uint32_t enc_shift = m.encoder.empty() ? 0 : m.encoder[0].q[0].shift;
  for (const conv_layer& layer : m.encoder)
    for (const store_config& q : layer.q)
      if (q.shift != enc_shift || q.zero_point != 0 || q.clip_min != 0 || q.clip_max != 127)
        throw std::runtime_error("encoder requantisation is not a ReLU with one shift per layer");

  occ_params p{};
  p.bev_x = static_cast<std::uint32_t>(g.bev_x);
  p.bev_y = static_cast<std::uint32_t>(g.bev_y);
  p.bev_z = static_cast<std::uint32_t>(g.bev_z);
  p.classes = static_cast<std::uint32_t>(g.classes);
  p.class_stride = static_cast<std::uint32_t>(padded(g.classes));
  p.channels = static_cast<std::uint32_t>(g.channels);
  p.cameras = static_cast<std::uint32_t>(rig.size());
  p.feat_h = static_cast<std::uint32_t>(g.feat_h());
  p.feat_w = static_cast<std::uint32_t>(g.feat_w());
  p.depth_bins = static_cast<std::uint32_t>(g.depth_bins);
  p.points = static_cast<std::uint32_t>(idx.ranks_bev.size());
  p.intervals = static_cast<std::uint32_t>(idx.interval_starts.size());
  p.encoder_layers = static_cast<std::uint32_t>(m.encoder.size());
  p.panoptic = o.panoptic ? 1 : 0;
  p.top_k = static_cast<std::uint32_t>(top_k);
  p.centres = static_cast<std::uint32_t>(r.centres.size());
  p.pool_multiplier = m.pool_q.multiplier;
  p.pool_shift = m.pool_q.shift;
  p.pool_zero_point = m.pool_q.zero_point;
  p.pool_clip_min = m.pool_q.clip_min;
  p.pool_clip_max = m.pool_q.clip_max;
  p.enc_shift = enc_shift;

  const std::uint32_t flags = (o.panoptic ? OCC_FLAG_PANOPTIC : 0u) | (o.pool_gemm ? OCC_FLAG_POOL_GEMM : 0u);
  nvr::wimg::writer w(image_workload(o), o.grid, o.seed, flags);
  w.add("params", &p, sizeof p);
  add_matrix(w, "feat", in.feat);
  add_matrix(w, "depth", in.depth);
  w.add("ranks_depth", idx.ranks_depth);
  w.add("ranks_feat", idx.ranks_feat);
  w.add("ranks_bev", idx.ranks_bev);
  w.add("interval_starts", idx.interval_starts);
  w.add("interval_lengths", idx.interval_lengths);
  for (std::size_t l = 0; l < m.encoder.size(); ++l) {
    const conv_layer& layer = m.encoder[l];
    const std::string prefix = "enc" + std::to_string(l);
    add_matrix(w, prefix + ".w", layer.w);
    w.add(prefix + ".bias", layer.bias);
    std::vector<std::int32_t> mult;
    for (const store_config& q : layer.q) mult.push_back(q.multiplier);
    w.add(prefix + ".mult", mult);
  }
  // The head with every voxel's classes padded to class_stride columns: zero weights and an
  // INT32_MIN bias, so a padding column is never the first maximum.
  const std::size_t cs = p.class_stride, zc = g.bev_z * cs;
  std::vector<std::int8_t> head_w(g.channels * zc, 0);
  std::vector<std::int32_t> head_bias(zc, INT32_MIN);
  for (std::size_t z = 0; z < g.bev_z; ++z)
    for (std::size_t k = 0; k < g.classes; ++k) {
      const std::size_t from = z * g.classes + k, to = z * cs + k;
      head_bias[to] = m.head_bias[from];
      for (std::size_t c = 0; c < g.channels; ++c) head_w[c * zc + to] = m.head_w(c, from);
    }
  w.add("head.w", head_w);
  w.add("head.bias", head_bias);
  if (o.panoptic) add_matrix(w, "centre.w", m.centre_w);

  add_matrix(w, "gold.pooled", r.pooled);
  add_matrix(w, "gold.bev", r.bev);
  for (std::size_t l = 0; l < r.encoded.size(); ++l)
    add_matrix(w, "gold.enc" + std::to_string(l), r.encoded[l]);
  w.add("gold.labels", r.labels);
  if (o.panoptic) {
    add_matrix(w, "gold.heatmap", r.heatmap);
    w.add("gold.centres", r.centres);
    w.add("gold.instances", r.instances);
  }
  return w;
}

}  // namespace occ
