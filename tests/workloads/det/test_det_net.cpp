// The network: conv through gemm, the CFWS split, requant, peaks, the whole run.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>

#include "det_test_files.h"
#include "workloads/det/net.h"

namespace {

det::feature_map random_map(std::size_t h, std::size_t w, std::size_t c, std::mt19937& rng, int density = 3) {
  det::feature_map m;
  m.h = h;
  m.w = w;
  m.data = npu_ref::matrix_i8(h * w, c);
  for (auto& v : m.data.data)
    v = rng() % density == 0 ? static_cast<std::int8_t>(rng() % 128) : std::int8_t{0};
  return m;
}

// Naive float convolution (3x3 or 1x1, pad k / 2) with a fused kernel layout.
std::vector<double> conv_double(const det::feature_map& x, const det::fused_kernel& k, std::size_t stride) {
  const std::size_t ho = det::conv_out(x.h, stride), wo = det::conv_out(x.w, stride);
  std::vector<double> y(ho * wo * k.cout, 0.0);
  for (std::size_t oy = 0; oy < ho; ++oy)
    for (std::size_t ox = 0; ox < wo; ++ox)
      for (std::size_t tap = 0; tap < 9; ++tap) {
        const long iy = static_cast<long>(oy * stride + tap / 3) - 1,
                   ix = static_cast<long>(ox * stride + tap % 3) - 1;
        if (iy < 0 || ix < 0 || iy >= static_cast<long>(x.h) || ix >= static_cast<long>(x.w)) continue;
        for (std::size_t ci = 0; ci < k.cin; ++ci) {
          const double v = x.data(static_cast<std::size_t>(iy) * x.w + static_cast<std::size_t>(ix), ci);
          for (std::size_t co = 0; co < k.cout; ++co)
            y[(oy * wo + ox) * k.cout + co] += v * k.at(tap, ci, co);
        }
      }
  return y;
}

// Sum of |x| over each output's 3x3 window (all channels).
std::vector<double> window_abs(const det::feature_map& x, std::size_t stride) {
  det::fused_kernel ones;
  ones.cin = x.data.cols;
  ones.cout = 1;
  ones.w.assign(9 * ones.cin, 1.0);
  det::feature_map a = x;
  for (auto& v : a.data.data) v = static_cast<std::int8_t>(v < 0 ? -v : v);
  return conv_double(a, ones, stride);
}

TEST(DetNet, Conv2dMatchesNaive) {
  std::mt19937 rng(3);
  const auto x = random_map(7, 5, 4, rng, 1);
  det::fused_kernel k;
  k.cin = 4;
  k.cout = 3;
  npu_ref::matrix_i8 w(36, 3);
  for (std::size_t i = 0; i < w.data.size(); ++i)
    w.data[i] = static_cast<std::int8_t>(static_cast<int>(rng() % 255) - 127);
  for (std::size_t i = 0; i < w.data.size(); ++i) k.w.push_back(w.data[i]);
  for (std::size_t stride : {1u, 2u}) {
    const auto got = det::conv2d(x, w, 3, stride);
    const auto want = conv_double(x, k, stride);
    ASSERT_EQ(got.data.size(), want.size());
    for (std::size_t i = 0; i < want.size(); ++i) EXPECT_EQ(got.data[i], static_cast<std::int32_t>(want[i]));
  }
  EXPECT_EQ(det::conv_out(7, 2), 4u);
  EXPECT_THROW(det::conv2d(x, w, 1, 1), std::invalid_argument);
  EXPECT_THROW(det::im2col(x, 2, 1), std::invalid_argument);
}

TEST(DetNet, CfwsSplitIsExactWithAnUnquantisedFinePart) {
  std::mt19937 rng(5);
  const auto k = det::random_fused_kernel(6, 5, rng);
  const auto s = det::cfws_split(k);
  const auto x = random_map(9, 8, 6, rng);
  for (std::size_t stride : {1u, 2u}) {
    // coarse at scale sc, plus the fine kernel (outer taps, centre residual) kept in float.
    det::fused_kernel fine = k;
    for (std::size_t ci = 0; ci < k.cin; ++ci)
      for (std::size_t co = 0; co < k.cout; ++co)
        fine.at(4, ci, co) -= std::ldexp(s.fine_scale[co], static_cast<int>(s.shift[co])) * s.coarse(ci, co);
    const auto coarse = det::conv2d(x, s.coarse, 1, stride);
    const auto f = conv_double(x, fine, stride);
    const auto plain = conv_double(x, k, stride);
    ASSERT_EQ(coarse.data.size(), plain.size());
    for (std::size_t i = 0; i < plain.size(); ++i) {
      const std::size_t co = i % k.cout;
      const double split =
          std::ldexp(s.fine_scale[co], static_cast<int>(s.shift[co])) * coarse.data[i] + f[i];
      EXPECT_NEAR(split, plain[i], 1e-9 * (1 + std::fabs(plain[i])));
    }
  }
}

TEST(DetNet, CfwsQuantisationErrorIsBounded) {
  std::mt19937 rng(7);
  for (auto [cin, cout] : {std::pair<std::size_t, std::size_t>{8, 8}, {16, 4}}) {
    const auto k = det::random_fused_kernel(cin, cout, rng);
    const auto s = det::cfws_split(k);
    ASSERT_EQ(s.fine_clamped, 0u);
    const auto x = random_map(10, 9, cin, rng);
    for (std::size_t stride : {1u, 2u}) {
      const auto acc = det::cfws_conv(x, s, stride);
      const auto plain = conv_double(x, k, stride);
      const auto bound = window_abs(x, stride);
      for (std::size_t i = 0; i < plain.size(); ++i) {
        const std::size_t co = i % cout;
        // Only the fine weights' rounding remains (the coarse error is in the residual): <= sf / 2 each.
        EXPECT_LE(std::fabs(s.fine_scale[co] * acc.data[i] - plain[i]),
                  s.fine_scale[co] / 2 * bound[i / cout] + 1e-9);
      }
    }
    for (auto sh : s.shift) EXPECT_GT(sh, 0u);  // the fine part gets a finer scale than the coarse one
  }
}

TEST(DetNet, CfwsBeatsPlainInt8OnADominantCentre) {
  std::mt19937 rng(11);
  const auto k = det::random_fused_kernel(16, 16, rng);
  const auto x = random_map(12, 10, 16, rng);
  const auto e = det::measure_quant_error(x, k, det::cfws_split(k), 1);
  EXPECT_GT(e.cfws, 0.0);
  EXPECT_LT(e.cfws, e.plain);
  EXPECT_LT(e.plain, 0.1);
  det::feature_map zero = x;
  std::fill(zero.data.data.begin(), zero.data.data.end(), std::int8_t{0});
  EXPECT_EQ(det::measure_quant_error(zero, k, det::cfws_split(k), 1).cfws, 0.0);
}

TEST(DetNet, CfwsSplitCentreOnly) {
  det::fused_kernel k;
  k.cin = 2;
  k.cout = 1;
  k.w.assign(18, 0.0);
  k.at(4, 0, 0) = 1.0;
  k.at(4, 1, 0) = -0.5;
  const auto s = det::cfws_split(k);
  EXPECT_EQ(s.coarse(0, 0), 127);
  EXPECT_EQ(s.coarse(1, 0), -64);  // -63.5 -> -64
  // Residual -0.5 + 64 sc = sc / 2: the finest scale that holds it is sc / 2^7 (64 steps).
  EXPECT_EQ(s.shift[0], 7u);
  EXPECT_EQ(s.fine(4 * 2 + 1, 0), 64);
  EXPECT_EQ(s.fine(4 * 2 + 0, 0), 0);
  EXPECT_EQ(s.fine(0, 0), 0);
  EXPECT_THROW(det::cfws_split(det::fused_kernel{1, 1, {}}), std::invalid_argument);
  // 64 input channels: |coarse acc| < 2^20, so k <= 10 keeps coarse << k inside int32.
  det::fused_kernel wide;
  wide.cin = 64;
  wide.cout = 1;
  wide.w.assign(9 * 64, 0.0);
  wide.at(4, 0, 0) = 1.0;
  wide.at(4, 1, 0) = 63.0 / 127.0 + 1e-9;  // a tiny residual would ask for a huge k
  EXPECT_EQ(det::cfws_split(wide).shift[0], 10u);
}

TEST(DetNet, CoarseOneByOneIsTheCentreOnlyThreeByThree) {
  std::mt19937 rng(13);
  const auto k = det::random_fused_kernel(5, 4, rng);
  const auto s = det::cfws_split(k);
  npu_ref::matrix_i8 centre_only(9 * 5, 4);
  for (std::size_t ci = 0; ci < 5; ++ci)
    for (std::size_t co = 0; co < 4; ++co) centre_only(4 * 5 + ci, co) = s.coarse(ci, co);
  const auto x = random_map(7, 6, 5, rng, 1);
  for (std::size_t stride : {1u, 2u})
    EXPECT_EQ(det::conv2d(x, s.coarse, 1, stride), det::conv2d(x, centre_only, 3, stride));
}

TEST(DetNet, StoreFor) {
  const auto c = det::store_for(0.75, true);
  EXPECT_EQ(c.multiplier, 24576);
  EXPECT_EQ(c.shift, 15u);
  EXPECT_EQ(c.clip_min, 0);
  EXPECT_EQ(npu_ref::requant(100, c), 75);
  EXPECT_EQ(npu_ref::requant(-100, c), 0);
  EXPECT_EQ(npu_ref::requant(1000, det::store_for(1.0 / 64, false)), 16);  // 15.625 -> 16
  EXPECT_THROW(det::store_for(0, false), std::invalid_argument);
}

TEST(DetNet, PeaksOnAHandHeatmap) {
  // 4 x 5 heatmap.
  const std::vector<std::int32_t> v = {1, 9, 9, 0, 0,  //
                                       0, 2, 0, 0, 5,  //
                                       7, 0, 0, 0, 0,  //
                                       0, 0, 3, 3, 7};
  npu_ref::matrix_i32 h(20, 1);
  h.data = v;
  const auto p = det::top_k_peaks(h, 4, 5, 10);
  // (0,1) beats its equal neighbour (0,2): ties to the lower index. The 7s at (2,0) and (3,4):
  // the lower index first. Of the equal 3s at (3,2) and (3,3), the lower index is the peak.
  ASSERT_EQ(p.size(), 5u);
  EXPECT_EQ(p[0].score, 9);
  EXPECT_EQ(p[0].y * 5 + p[0].x, 1u);
  EXPECT_EQ(p[1].y * 5 + p[1].x, 10u);
  EXPECT_EQ(p[2].y * 5 + p[2].x, 19u);
  EXPECT_EQ(p[3].y * 5 + p[3].x, 9u);
  EXPECT_EQ(p[4].y * 5 + p[4].x, 17u);
  EXPECT_EQ(det::top_k_peaks(h, 4, 5, 2).size(), 2u);
  EXPECT_THROW(det::top_k_peaks(h, 5, 5, 1), std::invalid_argument);
  // A flat map: one peak, the first position.
  npu_ref::matrix_i32 flat(6, 1, 4);
  const auto f = det::top_k_peaks(flat, 2, 3, 5);
  ASSERT_EQ(f.size(), 1u);
  EXPECT_EQ(f[0].y * 3 + f[0].x, 0u);
}

TEST(DetNet, RunIsDeterministicAndSeedDependent) {
  const auto scan = det::read_scan(det_test::scan_path);
  const auto g = det::small_grid();
  const auto a = det::run(scan, g, det::make_network(1), 10);
  const auto b = det::run(scan, g, det::make_network(1), 10);
  const auto c = det::run(scan, g, det::make_network(2), 10);
  EXPECT_EQ(a.heat, b.heat);
  EXPECT_EQ(a.pillar_feat, b.pillar_feat);
  EXPECT_FALSE(a.heat == c.heat);
  ASSERT_EQ(a.peaks.size(), 10u);
  EXPECT_EQ(a.heat_h, 62u);
  EXPECT_EQ(a.heat_w, 54u);
  EXPECT_EQ(a.canvas.data.rows, 248u * 216u);
  // The canvas holds each pillar's features at its id, nothing elsewhere.
  std::size_t nonzero_rows = 0;
  for (std::size_t r = 0; r < a.canvas.data.rows; ++r)
    for (std::size_t c2 = 0; c2 < 64; ++c2)
      if (a.canvas.data(r, c2)) {
        ++nonzero_rows;
        break;
      }
  EXPECT_LE(nonzero_rows, a.p.ids.size());
  // Pinned: the synthetic network's first peak on the small canvas with seed 1.
  EXPECT_EQ(a.peaks[0].y, 24u);
  EXPECT_EQ(a.peaks[0].x, 10u);
  EXPECT_EQ(a.peaks[0].score, 20595);
  // The activations use the int8 range without saturating much.
  int max_linear = 0;
  for (auto v : a.pillar_feat.data) max_linear = std::max(max_linear, int{v});
  EXPECT_GT(max_linear, 64);
}

}  // namespace
