// The det workload image (nvr-det-image): the shared requant shift, the sections and parameters
// the firmware reads, the golden outputs against the reference's run.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "det_test_files.h"
#include "workloads/det/image.h"
#include "workloads/ref/arith.h"

namespace {

npu_ref::store_config cfg(std::int32_t m, std::uint32_t s, std::int32_t clip_min = 0) {
  npu_ref::store_config c;
  c.multiplier = m;
  c.shift = s;
  c.clip_min = clip_min;
  return c;
}

// The NPU's path: vector mul (round_shift(x * m, shift), saturated to int32), then mvout's clip.
std::int8_t shared_path(std::int32_t x, std::int32_t m, std::uint32_t shift, std::int32_t clip_min) {
  const std::int64_t v =
      npu_ref::clamp(npu_ref::round_shift(std::int64_t{x} * m, shift), INT32_MIN, INT32_MAX);
  return static_cast<std::int8_t>(npu_ref::clamp(v, clip_min, 127));
}

TEST(DetImage, SharedShiftIsThePerChannelRequant) {
  const std::vector<npu_ref::store_config> c = {cfg(16384, 23), cfg(32767, 10), cfg(20000, 12),
                                                cfg(30001, 26)};
  const det::shared_requant s = det::share_shift(c);
  EXPECT_EQ(s.shift, 26u);
  EXPECT_EQ(s.clip_min, 0);
  ASSERT_EQ(s.multiplier.size(), 4u);
  EXPECT_EQ(s.multiplier[0], 16384 << 3);
  EXPECT_EQ(s.multiplier[1], 32767 << 16);
  EXPECT_EQ(s.multiplier[2], 20000 << 14);
  std::mt19937 rng(5);
  for (int i = 0; i < 20000; ++i) {
    const std::int32_t x = static_cast<std::int32_t>(rng()) >> (rng() % 31);
    for (std::size_t ch = 0; ch < c.size(); ++ch)
      ASSERT_EQ(shared_path(x, s.multiplier[ch], s.shift, s.clip_min), npu_ref::requant(x, c[ch]))
          << "x " << x << " channel " << ch;
  }
  // Halves round up at both shifts.
  for (std::int32_t x : {-3, -1, 1, 3, INT32_MIN, INT32_MAX}) {
    const auto one = cfg(1, 1, -128);
    EXPECT_EQ(shared_path(x, det::share_shift({one, cfg(1, 5, -128)}).multiplier[0], 5, -128),
              npu_ref::requant(x, one));
  }
}

TEST(DetImage, MeanByReciprocalIsRoundDiv) {
  // Every count and sum the firmware can meet: the NPU's round_shift(sum * recip, 20).
  EXPECT_EQ(det_recip(0), 0);
  for (std::uint32_t c = 1; c <= DET_MAX_POINTS; ++c)
    for (std::int64_t sum = 0; sum <= 127 * static_cast<std::int64_t>(c); ++sum)
      ASSERT_EQ(npu_ref::round_shift(sum * det_recip(c), DET_MEAN_SHIFT), npu_ref::round_div(sum, c))
          << "sum " << sum << " count " << c;
  EXPECT_EQ(npu_ref::round_shift(std::int64_t{0} * det_recip(0), DET_MEAN_SHIFT), 0);
}

TEST(DetImage, SharedShiftRejectsWhatOneTileCannotDo) {
  EXPECT_THROW(det::share_shift({}), std::invalid_argument);
  EXPECT_THROW(det::share_shift({cfg(16384, 10, 0), cfg(16384, 10, -128)}), std::invalid_argument);
  auto zp = cfg(16384, 10);
  zp.zero_point = 3;
  EXPECT_THROW(det::share_shift({zp}), std::invalid_argument);
  auto hi = cfg(16384, 10);
  hi.clip_max = 100;
  EXPECT_THROW(det::share_shift({hi}), std::invalid_argument);
  // 2^14 << 17 does not fit int32.
  EXPECT_THROW(det::share_shift({cfg(16384, 3), cfg(16384, 20)}), std::invalid_argument);
  EXPECT_NO_THROW(det::share_shift({cfg(16384, 3), cfg(16384, 19)}));
}

TEST(DetImage, SectionsParametersAndGoldenOutputs) {
  const auto scan = det::read_scan(det_test::scan_path);
  det::image_options o;
  o.top_k = 5;
  det::result r;
  const auto img = nvr::wimg::image::parse(det::make_image(scan, o, &r).finish(), "det");
  EXPECT_EQ(img.variant(), "small");
  EXPECT_EQ(img.header().seed, 1u);
  EXPECT_EQ(img.header().flags, 0u);
  det_params p;
  std::uint32_t bytes = 0;
  std::memcpy(&p, img.data("params", &bytes), sizeof p);
  EXPECT_EQ(bytes, sizeof p);
  EXPECT_EQ(p.points, scan.size());
  EXPECT_EQ(p.nx, 216u);
  EXPECT_EQ(p.ny, 248u);
  EXPECT_EQ(p.cell, 320);
  EXPECT_EQ(p.pillars, 1890u);
  EXPECT_EQ(p.top_k, 5u);
  EXPECT_EQ(p.peaks, 5u);
  EXPECT_EQ(p.heat_h, 62u);
  EXPECT_EQ(p.heat_w, 54u);
  EXPECT_EQ(p.layer[0].cin, 64u);
  EXPECT_EQ(p.layer[0].h, 248u);
  EXPECT_EQ(p.layer[0].oh, 124u);
  EXPECT_EQ(p.layer[2].ow, 54u);
  const auto points = img.values<std::int32_t>("points");
  ASSERT_EQ(points.size(), 4 * scan.size());
  EXPECT_EQ(points[4], scan[1].x);
  EXPECT_EQ(points[7], scan[1].intensity);
  EXPECT_EQ(img.values<std::int32_t>("gold.ids"), r.p.ids);
  EXPECT_EQ(img.values<std::int8_t>("gold.features"), r.features.data);
  EXPECT_EQ(img.values<std::int8_t>("gold.conv3"), r.maps[2].data.data);
  EXPECT_EQ(img.values<std::int32_t>("gold.heat"), r.heat.data);
  const auto peaks = img.values<std::int32_t>("gold.peaks");
  ASSERT_EQ(peaks.size(), 3 * r.peaks.size());
  EXPECT_EQ(static_cast<std::size_t>(peaks[0]), r.peaks[0].y);
  EXPECT_EQ(static_cast<std::size_t>(peaks[1]), r.peaks[0].x);
  EXPECT_EQ(peaks[2], r.peaks[0].score);
  // pow2 is 2^k of the split; the fine weights are the HWIO matrix the runtime's conv2d reads.
  const det::network net = det::make_network(1);
  const auto pow2 = img.values<std::int32_t>("conv2.pow2");
  ASSERT_EQ(pow2.size(), 32u);
  for (std::size_t c = 0; c < 32; ++c) EXPECT_EQ(pow2[c], 1 << net.backbone[1].w.shift[c]);
  EXPECT_EQ(img.values<std::int8_t>("conv1.fine"), net.backbone[0].w.fine.data);
  EXPECT_EQ(img.values<std::int32_t>("linear.mult"), det::share_shift(net.linear_out).multiplier);
}

TEST(DetImage, FullCanvasAndOptions) {
  const auto scan = det::read_scan(det_test::scan_path);
  det::image_options o;
  o.full = true;
  o.seed = 9;
  o.max_pillars = 100;
  const auto img = nvr::wimg::image::parse(det::make_image(scan, o).finish(), "det");
  EXPECT_EQ(img.variant(), "full");
  EXPECT_EQ(img.header().flags, DET_FLAG_FULL);
  EXPECT_EQ(img.header().seed, 9u);
  det_params p;
  std::memcpy(&p, img.data("params"), sizeof p);
  EXPECT_EQ(p.nx, 432u);
  EXPECT_EQ(p.pillars, 100u);
  EXPECT_EQ(p.max_pillars, 100u);
}

TEST(DetImage, BadOptionsAndEmptyGrid) {
  const auto scan = det::read_scan(det_test::scan_path);
  det::image_options o;
  o.top_k = 0;
  EXPECT_THROW(det::make_image(scan, o), std::invalid_argument);
  o.top_k = DET_MAX_TOP_K + 1;
  EXPECT_THROW(det::make_image(scan, o), std::invalid_argument);
  o.top_k = 3;
  EXPECT_THROW(det::make_image({det_test::mm(-5000, 0, 0)}, o), std::invalid_argument);
}

}  // namespace
