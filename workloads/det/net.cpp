#include "workloads/det/net.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

#include "workloads/ref/arith.h"

namespace det {

namespace {

// Uniform in [-1, 1) from the integer output of mt19937 only (std:: distributions differ
// between standard libraries).
double uniform(std::mt19937& rng) { return static_cast<double>(rng() >> 8) * (2.0 / 16777216.0) - 1.0; }

std::int8_t quantise(double v, double scale) {
  return npu_ref::sat8(npu_ref::clamp(std::llround(v / scale), -127, 127));
}

// Per-layer output gains of the synthetic backbone (activation units per accumulator unit after
// the weight scale), chosen so that the int8 activations neither vanish nor saturate.
constexpr double backbone_gain = 0.5;
struct layer_shape {
  std::size_t cin, cout, stride;
};
constexpr layer_shape backbone_shapes[] = {{pillar_channels, 32, 2}, {32, 32, 1}, {32, 32, 2}};

}  // namespace

std::size_t conv_out(std::size_t n, std::size_t stride) { return (n + stride - 1) / stride; }

npu_ref::matrix_i8 im2col(const feature_map& x, std::size_t k, std::size_t stride) {
  if (k % 2 == 0 || stride == 0) throw std::invalid_argument("im2col: k must be odd and stride positive");
  const std::size_t c = x.data.cols, ho = conv_out(x.h, stride), wo = conv_out(x.w, stride);
  const auto pad = static_cast<std::ptrdiff_t>(k / 2);
  npu_ref::matrix_i8 out(ho * wo, k * k * c);
  for (std::size_t oy = 0; oy < ho; ++oy)
    for (std::size_t ox = 0; ox < wo; ++ox) {
      std::int8_t* row = &out(oy * wo + ox, 0);
      for (std::size_t dy = 0; dy < k; ++dy) {
        const std::ptrdiff_t iy = static_cast<std::ptrdiff_t>(oy * stride + dy) - pad;
        if (iy < 0 || iy >= static_cast<std::ptrdiff_t>(x.h)) continue;
        for (std::size_t dx = 0; dx < k; ++dx) {
          const std::ptrdiff_t ix = static_cast<std::ptrdiff_t>(ox * stride + dx) - pad;
          if (ix < 0 || ix >= static_cast<std::ptrdiff_t>(x.w)) continue;
          const std::int8_t* src =
              &x.data(static_cast<std::size_t>(iy) * x.w + static_cast<std::size_t>(ix), 0);
          std::copy(src, src + c, row + (dy * k + dx) * c);
        }
      }
    }
  return out;
}

npu_ref::matrix_i32 conv2d(const feature_map& x, const npu_ref::matrix_i8& w, std::size_t k,
                           std::size_t stride) {
  if (x.data.rows != x.h * x.w) throw std::invalid_argument("conv2d: feature map shape");
  if (w.rows != k * k * x.data.cols) throw std::invalid_argument("conv2d: weight rows differ from k * k * c");
  // gemm skips zero inputs, so the empty canvas costs little.
  return npu_ref::gemm(im2col(x, k, stride), w);
}

cfws_weights cfws_split(const fused_kernel& k) {
  if (k.w.size() != 9 * k.cin * k.cout) throw std::invalid_argument("cfws_split: kernel size");
  cfws_weights out;
  out.cin = k.cin;
  out.cout = k.cout;
  out.coarse = npu_ref::matrix_i8(k.cin, k.cout);
  out.fine = npu_ref::matrix_i8(9 * k.cin, k.cout);
  out.shift.assign(k.cout, 0);
  out.fine_scale.assign(k.cout, 1.0);
  // The shifted coarse sum must fit int32 for any input: |coarse acc| <= cin * 128 * 127.
  unsigned bits = 0;
  while ((std::uint64_t{1} << bits) <= std::uint64_t{k.cin} * 128 * 127) ++bits;
  const unsigned shift_cap = bits >= 30 ? 0 : std::min(max_fine_shift, 30 - bits);
  for (std::size_t co = 0; co < k.cout; ++co) {
    double cmax = 0;
    for (std::size_t ci = 0; ci < k.cin; ++ci) cmax = std::max(cmax, std::fabs(k.at(4, ci, co)));
    const double sc = cmax > 0 ? cmax / 127.0 : 1.0;
    std::vector<double> fine(9 * k.cin);
    double fmax = 0;
    for (std::size_t tap = 0; tap < 9; ++tap)
      for (std::size_t ci = 0; ci < k.cin; ++ci) {
        double v = k.at(tap, ci, co);
        if (tap == 4) {
          out.coarse(ci, co) = quantise(v, sc);
          v -= sc * out.coarse(ci, co);  // the centre residual
        }
        fine[tap * k.cin + ci] = v;
        fmax = std::max(fmax, std::fabs(v));
      }
    unsigned s = 0;
    while (s < shift_cap && fmax * std::ldexp(1.0, static_cast<int>(s) + 1) <= 127.0 * sc) ++s;
    const double sf = std::ldexp(sc, -static_cast<int>(s));
    out.shift[co] = s;
    out.fine_scale[co] = sf;
    for (std::size_t r = 0; r < fine.size(); ++r) {
      if (std::llabs(std::llround(fine[r] / sf)) > 127) ++out.fine_clamped;
      out.fine(r, co) = quantise(fine[r], sf);
    }
  }
  return out;
}

npu_ref::matrix_i32 cfws_conv(const feature_map& x, const cfws_weights& w, std::size_t stride) {
  if (x.data.cols != w.cin) throw std::invalid_argument("cfws_conv: channels differ");
  // Coarse: the centre tap alone, a strided 1x1 convolution.
  const npu_ref::matrix_i32 coarse = conv2d(x, w.coarse, 1, stride);
  npu_ref::matrix_i32 acc = conv2d(x, w.fine, 3, stride);
  for (std::size_t r = 0; r < acc.rows; ++r)
    for (std::size_t co = 0; co < acc.cols; ++co)
      acc(r, co) =
          npu_ref::wrap_add(acc(r, co), static_cast<std::int32_t>(npu_ref::shl(coarse(r, co), w.shift[co])));
  return acc;
}

npu_ref::store_config store_for(double ratio, bool relu) {
  npu_ref::store_config c;
  if (!(ratio > 0)) throw std::invalid_argument("store_for: ratio must be positive");
  int e = 0;
  std::frexp(ratio, &e);  // ratio = m * 2^e, m in [0.5, 1)
  // multiplier = m * 2^15, shift = 15 - e, kept in 0..62 (tiny or huge ratios saturate).
  const int shift = std::clamp(15 - e, 0, 62);
  c.shift = static_cast<std::uint32_t>(shift);
  c.multiplier =
      static_cast<std::int32_t>(std::min<long long>(std::llround(std::ldexp(ratio, shift)), INT32_MAX));
  c.clip_min = relu ? 0 : -128;
  return c;
}

npu_ref::matrix_i8 requant_channels(const npu_ref::matrix_i32& acc,
                                    const std::vector<npu_ref::store_config>& cfg) {
  if (cfg.size() != acc.cols) throw std::invalid_argument("requant_channels: one config per column");
  npu_ref::matrix_i8 out(acc.rows, acc.cols);
  for (std::size_t r = 0; r < acc.rows; ++r)
    for (std::size_t c = 0; c < acc.cols; ++c) out(r, c) = npu_ref::requant(acc(r, c), cfg[c]);
  return out;
}

fused_kernel random_fused_kernel(std::size_t cin, std::size_t cout, std::mt19937& rng) {
  fused_kernel k;
  k.cin = cin;
  k.cout = cout;
  k.w.assign(9 * cin * cout, 0.0);
  const double a = 1.0 / std::sqrt(9.0 * static_cast<double>(cin));
  for (auto& v : k.w) v = a * uniform(rng);
  // The folded 1x1 branch makes the centre tap the largest, as in RepVGG.
  for (std::size_t ci = 0; ci < cin; ++ci)
    for (std::size_t co = 0; co < cout; ++co) k.at(4, ci, co) += 2.0 * a * uniform(rng);
  if (cin == cout)
    for (std::size_t c = 0; c < cin; ++c) k.at(4, c, c) += 0.5;
  return k;
}

network make_network(std::uint32_t seed) {
  std::mt19937 rng(seed);
  network n;
  n.linear = npu_ref::matrix_i8(n_features, pillar_channels);
  for (auto& v : n.linear.data) v = static_cast<std::int8_t>(static_cast<int>(rng() % 255) - 127);
  for (std::size_t co = 0; co < pillar_channels; ++co) {
    double norm = 0;
    for (std::size_t k = 0; k < n_features; ++k)
      norm += static_cast<double>(n.linear(k, co)) * n.linear(k, co);
    // Chosen so that the outputs on the KITTI scan reach ~90 without saturating.
    n.linear_out.push_back(store_for(2.0 / std::sqrt(norm), true));
  }
  for (const auto& s : backbone_shapes) {
    conv_layer l;
    l.fused = random_fused_kernel(s.cin, s.cout, rng);
    l.w = cfws_split(l.fused);
    l.stride = s.stride;
    for (std::size_t co = 0; co < s.cout; ++co)
      l.out.push_back(store_for(l.w.fine_scale[co] * backbone_gain * 4.0, true));
    n.backbone.push_back(std::move(l));
  }
  const std::size_t c = backbone_shapes[std::size(backbone_shapes) - 1].cout;
  n.head = npu_ref::matrix_i8(c, 1);
  for (auto& v : n.head.data) v = static_cast<std::int8_t>(static_cast<int>(rng() % 255) - 127);
  return n;
}

std::vector<peak> top_k_peaks(const npu_ref::matrix_i32& heat, std::size_t h, std::size_t w, std::size_t k) {
  if (heat.rows != h * w || heat.cols != 1) throw std::invalid_argument("top_k_peaks: heatmap shape");
  std::vector<peak> all;
  for (std::size_t y = 0; y < h; ++y)
    for (std::size_t x = 0; x < w; ++x) {
      const std::int32_t v = heat(y * w + x, 0);
      bool is_peak = true;
      for (int dy = -1; dy <= 1 && is_peak; ++dy)
        for (int dx = -1; dx <= 1; ++dx) {
          if (dy == 0 && dx == 0) continue;
          const std::ptrdiff_t ny = static_cast<std::ptrdiff_t>(y) + dy,
                               nx = static_cast<std::ptrdiff_t>(x) + dx;
          if (ny < 0 || nx < 0 || ny >= static_cast<std::ptrdiff_t>(h) ||
              nx >= static_cast<std::ptrdiff_t>(w))
            continue;
          const std::int32_t u = heat(static_cast<std::size_t>(ny) * w + static_cast<std::size_t>(nx), 0);
          const bool lower = dy < 0 || (dy == 0 && dx < 0);
          if (lower ? u >= v : u > v) {
            is_peak = false;
            break;
          }
        }
      if (is_peak) all.push_back({y, x, v});
    }
  // Stable sort of candidates in index order: equal scores keep the lower index first.
  std::stable_sort(all.begin(), all.end(), [](const peak& a, const peak& b) { return a.score > b.score; });
  if (all.size() > k) all.resize(k);
  return all;
}

namespace {

template <typename T>
double nonzero_fraction(const npu_ref::matrix<T>& m) {
  std::size_t n = 0;
  for (T v : m.data) n += v != 0;
  return m.data.empty() ? 0.0 : static_cast<double>(n) / static_cast<double>(m.data.size());
}

}  // namespace

quant_error measure_quant_error(const feature_map& x, const fused_kernel& k, const cfws_weights& w,
                                std::size_t stride) {
  const npu_ref::matrix_i8 cols = im2col(x, 3, stride);
  // Plain: each output channel's whole 3x3 kernel quantised with max / 127.
  npu_ref::matrix_i8 plain(9 * k.cin, k.cout);
  std::vector<double> plain_scale(k.cout);
  for (std::size_t co = 0; co < k.cout; ++co) {
    double m = 0;
    for (std::size_t r = 0; r < 9 * k.cin; ++r) m = std::max(m, std::fabs(k.w[r * k.cout + co]));
    plain_scale[co] = m > 0 ? m / 127.0 : 1.0;
    for (std::size_t r = 0; r < 9 * k.cin; ++r)
      plain(r, co) = quantise(k.w[r * k.cout + co], plain_scale[co]);
  }
  const npu_ref::matrix_i32 acc_plain = npu_ref::gemm(cols, plain), acc_cfws = cfws_conv(x, w, stride);
  double e_cfws = 0, e_plain = 0, ref2 = 0;
  std::vector<double> y(k.cout);
  for (std::size_t i = 0; i < cols.rows; ++i) {
    std::fill(y.begin(), y.end(), 0.0);
    for (std::size_t r = 0; r < cols.cols; ++r) {
      const double v = cols(i, r);
      if (v == 0) continue;
      for (std::size_t co = 0; co < k.cout; ++co) y[co] += v * k.w[r * k.cout + co];
    }
    for (std::size_t co = 0; co < k.cout; ++co) {
      if (y[co] == 0) continue;
      const double c = w.fine_scale[co] * acc_cfws(i, co) - y[co],
                   p = plain_scale[co] * acc_plain(i, co) - y[co];
      e_cfws += c * c;
      e_plain += p * p;
      ref2 += y[co] * y[co];
    }
  }
  if (ref2 == 0) return {};
  return {std::sqrt(e_cfws / ref2), std::sqrt(e_plain / ref2)};
}

result run(const std::vector<point>& scan, const grid& g, const network& net, std::size_t top_k) {
  result r;
  r.p = make_pillars(scan, g);
  r.features = pillar_features(r.p, g);
  r.stages.push_back({"pillar features", r.features.rows, 1, r.features.cols, nonzero_fraction(r.features)});
  r.pillar_feat = requant_channels(npu_ref::gemm(r.features, net.linear), net.linear_out);
  r.stages.push_back(
      {"linear 130->64", r.pillar_feat.rows, 1, r.pillar_feat.cols, nonzero_fraction(r.pillar_feat)});
  r.canvas.h = g.ny;
  r.canvas.w = g.nx;
  r.canvas.data = npu_ref::matrix_i8(g.ny * g.nx, pillar_channels);
  npu_ref::scatter(r.canvas.data, r.p.ids, r.pillar_feat);
  r.stages.push_back({"canvas", g.ny, g.nx, pillar_channels, nonzero_fraction(r.canvas.data)});
  r.maps.reserve(net.backbone.size());
  const feature_map* x = &r.canvas;
  for (const conv_layer& l : net.backbone) {
    feature_map y;
    y.h = conv_out(x->h, l.stride);
    y.w = conv_out(x->w, l.stride);
    y.data = requant_channels(cfws_conv(*x, l.w, l.stride), l.out);
    r.maps.push_back(std::move(y));
    x = &r.maps.back();
    r.stages.push_back({l.stride == 2 ? "cfws conv3x3/2" : "cfws conv3x3/1", x->h, x->w, x->data.cols,
                        nonzero_fraction(x->data)});
  }
  r.heat = conv2d(*x, net.head, 1, 1);
  r.heat_h = x->h;
  r.heat_w = x->w;
  r.stages.push_back({"heatmap 1x1", r.heat_h, r.heat_w, 1, nonzero_fraction(r.heat)});
  r.peaks = top_k_peaks(r.heat, r.heat_h, r.heat_w, top_k);
  return r;
}

}  // namespace det
