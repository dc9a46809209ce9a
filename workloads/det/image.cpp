#include "workloads/det/image.h"

#include <algorithm>
#include <cstring>
#include <stdexcept>

namespace det {

shared_requant share_shift(const std::vector<npu_ref::store_config>& cfg) {
  if (cfg.empty()) throw std::invalid_argument("share_shift: no channels");
  shared_requant out;
  out.clip_min = cfg[0].clip_min;
  for (const auto& c : cfg) {
    // The NPU's mul + mvout clip applies one zero point and clip range to the whole tile.
    if (c.zero_point != 0 || c.clip_min != out.clip_min || c.clip_max != 127)
      throw std::invalid_argument("share_shift: channels differ in zero point or clip range");
    out.shift = std::max(out.shift, c.shift);
  }
  if (out.shift > 62) throw std::invalid_argument("share_shift: shift beyond 62");
  for (const auto& c : cfg) {
    const unsigned d = out.shift - c.shift;
    const std::int64_t m = npu_ref::shl(c.multiplier, d);
    if (d >= 32 || m > INT32_MAX || m < INT32_MIN)
      throw std::invalid_argument(
          "share_shift: the channels' shifts differ too much for an int32 multiplier");
    out.multiplier.push_back(static_cast<std::int32_t>(m));
  }
  return out;
}

namespace {

template <class T>
void add_matrix(nvr::wimg::writer& w, const std::string& name, const npu_ref::matrix<T>& m) {
  w.add(name, m.data);
}

}  // namespace

nvr::wimg::writer make_image(const std::vector<point>& scan, const image_options& o, result* out) {
  if (o.top_k == 0 || o.top_k > DET_MAX_TOP_K) throw std::invalid_argument("make_image: top_k out of range");
  grid g = o.full ? full_grid() : small_grid();
  g.max_pillars = o.max_pillars;
  const network net = make_network(o.seed);
  result r = run(scan, g, net, o.top_k);
  if (r.p.ids.empty()) throw std::invalid_argument("make_image: no point of the scan lies in the grid");
  if (net.backbone.size() != DET_LAYERS || net.linear.rows != DET_FEATURES || net.linear.cols != DET_CHANNELS)
    throw std::logic_error("make_image: network shape differs from det_image.h");

  nvr::wimg::writer w("det", o.full ? "full" : "small", o.seed, o.full ? DET_FLAG_FULL : 0);
  det_params p{};
  p.points = static_cast<std::uint32_t>(scan.size());
  p.cell = g.cell;
  p.x_min = g.x_min;
  p.y_min = g.y_min;
  p.z_min = g.z_min;
  p.z_max = g.z_max;
  p.nx = static_cast<std::uint32_t>(g.nx);
  p.ny = static_cast<std::uint32_t>(g.ny);
  p.max_pillars = static_cast<std::uint32_t>(g.max_pillars);
  p.max_points_per_pillar = static_cast<std::uint32_t>(g.max_points_per_pillar);
  p.pillars = static_cast<std::uint32_t>(r.p.ids.size());
  p.points_kept = static_cast<std::uint32_t>(r.p.points_kept);
  const shared_requant lin = share_shift(net.linear_out);
  p.linear_shift = lin.shift;
  p.linear_clip_min = lin.clip_min;
  p.head_cin = static_cast<std::uint32_t>(net.head.rows);
  p.heat_h = static_cast<std::uint32_t>(r.heat_h);
  p.heat_w = static_cast<std::uint32_t>(r.heat_w);
  p.top_k = static_cast<std::uint32_t>(o.top_k);
  p.peaks = static_cast<std::uint32_t>(r.peaks.size());
  std::vector<shared_requant> layer_requant;
  const feature_map* x = &r.canvas;
  for (std::size_t i = 0; i < DET_LAYERS; ++i) {
    const conv_layer& l = net.backbone[i];
    det_layer& d = p.layer[i];
    d.cin = static_cast<std::uint32_t>(l.w.cin);
    d.cout = static_cast<std::uint32_t>(l.w.cout);
    d.stride = static_cast<std::uint32_t>(l.stride);
    d.h = static_cast<std::uint32_t>(x->h);
    d.w = static_cast<std::uint32_t>(x->w);
    d.oh = static_cast<std::uint32_t>(r.maps[i].h);
    d.ow = static_cast<std::uint32_t>(r.maps[i].w);
    layer_requant.push_back(share_shift(l.out));
    d.shift = layer_requant.back().shift;
    d.clip_min = layer_requant.back().clip_min;
    x = &r.maps[i];
  }
  w.add("params", &p, sizeof p);

  std::vector<std::int32_t> points;
  points.reserve(4 * scan.size());
  for (const point& q : scan) points.insert(points.end(), {q.x, q.y, q.z, q.intensity});
  w.add("points", points);

  add_matrix(w, "linear.w", net.linear);
  w.add("linear.mult", lin.multiplier);
  for (std::size_t i = 0; i < DET_LAYERS; ++i) {
    const conv_layer& l = net.backbone[i];
    const std::string n = "conv" + std::to_string(i + 1);
    add_matrix(w, n + ".fine", l.w.fine);
    add_matrix(w, n + ".coarse", l.w.coarse);
    std::vector<std::int32_t> pow2;
    for (unsigned k : l.w.shift) pow2.push_back(std::int32_t{1} << k);
    w.add(n + ".pow2", pow2);
    w.add(n + ".mult", layer_requant[i].multiplier);
  }
  add_matrix(w, "head.w", net.head);

  w.add("gold.ids", r.p.ids);
  add_matrix(w, "gold.features", r.features);
  add_matrix(w, "gold.pillar_feat", r.pillar_feat);
  for (std::size_t i = 0; i < DET_LAYERS; ++i)
    add_matrix(w, "gold.conv" + std::to_string(i + 1), r.maps[i].data);
  add_matrix(w, "gold.heat", r.heat);
  std::vector<det_peak> peaks;
  for (const peak& k : r.peaks)
    peaks.push_back({static_cast<std::uint32_t>(k.y), static_cast<std::uint32_t>(k.x), k.score});
  w.add("gold.peaks", peaks.data(), peaks.size() * sizeof(det_peak));
  if (out) *out = std::move(r);
  return w;
}

}  // namespace det
