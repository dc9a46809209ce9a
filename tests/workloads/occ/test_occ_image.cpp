// The firmware's data image (workloads/occ/image.h): names, parameters, section sizes, the golden
// stages equal the reference's run, the head's class padding, bad options.
#include <gtest/gtest.h>

#include <climits>
#include <cstring>
#include <random>
#include <stdexcept>

#include "firmware/workloads/occ/occ_image.h"
#include "workloads/occ/image.h"
#include "workloads/occ/model.h"

namespace {

nvr::wimg::image build(const occ::image_options& o) {
  return nvr::wimg::image::parse(occ::make_image(o).finish(), occ::image_workload(o));
}

occ_params params_of(const nvr::wimg::image& img) {
  std::uint32_t bytes = 0;
  const std::uint8_t* p = img.data("params", &bytes);
  EXPECT_EQ(bytes, sizeof(occ_params));
  occ_params out{};
  std::memcpy(&out, p, sizeof out);
  return out;
}

std::size_t section_bytes(const nvr::wimg::image& img, const std::string& name) {
  std::uint32_t bytes = 0;
  img.data(name, &bytes);
  return bytes;
}

TEST(OccImage, NamesAndHeader) {
  occ::image_options o;
  EXPECT_EQ(occ::image_workload(o), "occ");
  o.panoptic = true;
  o.seed = 77;
  EXPECT_EQ(occ::image_workload(o), "occ_panoptic");
  const auto img = build(o);
  EXPECT_EQ(img.workload(), "occ_panoptic");
  EXPECT_EQ(img.variant(), "small");
  EXPECT_EQ(img.header().seed, 77u);
  EXPECT_EQ(img.header().flags, OCC_FLAG_PANOPTIC);
}

TEST(OccImage, SmallGridMatchesTheReference) {
  const auto img = build({});
  const occ_params p = params_of(img);
  const occ::grid_config g = occ::small_grid();
  EXPECT_EQ(p.bev_x, g.bev_x);
  EXPECT_EQ(p.bev_y, g.bev_y);
  EXPECT_EQ(p.bev_z, g.bev_z);
  EXPECT_EQ(p.classes, 8u);
  EXPECT_EQ(p.class_stride, 8u);  // one local row per voxel: no padding
  EXPECT_EQ(p.channels, 16u);
  EXPECT_EQ(p.cameras, 6u);
  EXPECT_EQ(p.encoder_layers, 2u);
  EXPECT_EQ(p.panoptic, 0u);
  EXPECT_EQ(p.enc_shift, 16u);
  EXPECT_EQ(p.pool_clip_min, -128);

  // The same draws as nvr-occ-ref.
  std::mt19937 rng(1);
  const auto rig = occ::make_rig(g, rng);
  const auto idx = occ::compute_indices(g, rig);
  const auto in = occ::make_inputs(g, rig.size(), rng);
  const auto m = occ::make_model(g, idx, in, rng);
  const auto r = occ::run(m, idx, in, false, 16);
  EXPECT_EQ(p.points, idx.ranks_bev.size());
  EXPECT_EQ(p.intervals, idx.interval_starts.size());
  EXPECT_EQ(img.values<std::int32_t>("ranks_feat"), idx.ranks_feat);
  EXPECT_EQ(img.values<std::int32_t>("interval_lengths"), idx.interval_lengths);
  EXPECT_EQ(img.values<std::int8_t>("depth"), in.depth.data);
  EXPECT_EQ(img.values<std::int32_t>("gold.pooled"), r.pooled.data);
  EXPECT_EQ(img.values<std::int8_t>("gold.enc1"), r.encoded[1].data);
  EXPECT_EQ(img.values<std::uint8_t>("gold.labels"), r.labels);
  std::vector<std::int32_t> mult;
  for (const auto& q : m.encoder[0].q) mult.push_back(q.multiplier);
  EXPECT_EQ(img.values<std::int32_t>("enc0.mult"), mult);
  EXPECT_EQ(img.values<std::int32_t>("head.bias"), m.head_bias);
  EXPECT_EQ(img.values<std::int8_t>("head.w"), m.head_w.data);
  EXPECT_THROW(img.data("gold.instances"), nvr::wimg::image_error);
  EXPECT_THROW(img.data("centre.w"), nvr::wimg::image_error);
}

TEST(OccImage, PanopticSections) {
  occ::image_options o;
  o.panoptic = true;
  const auto img = build(o);
  const occ_params p = params_of(img);
  EXPECT_EQ(p.panoptic, 1u);
  EXPECT_EQ(p.top_k, 16u);
  EXPECT_EQ(section_bytes(img, "gold.centres"), p.centres * 4u);
  EXPECT_EQ(section_bytes(img, "gold.instances"), 50u * 50u * 8u * 2u);
  EXPECT_EQ(section_bytes(img, "gold.heatmap"), 50u * 50u * 4u);
  EXPECT_EQ(section_bytes(img, "centre.w"), 16u);
}

// Full grid: 18 classes padded to 32 columns per voxel, padding weights 0 and bias INT32_MIN.
TEST(OccImage, FullGridPadsTheClasses) {
  occ::image_options o;
  o.grid = "full";
  const auto img = build(o);
  const occ_params p = params_of(img);
  EXPECT_EQ(p.classes, 18u);
  EXPECT_EQ(p.class_stride, 32u);
  EXPECT_EQ(p.top_k, 100u);
  const auto bias = img.values<std::int32_t>("head.bias");
  const auto w = img.values<std::int8_t>("head.w");
  ASSERT_EQ(bias.size(), 16u * 32u);
  ASSERT_EQ(w.size(), 32u * 16u * 32u);
  for (std::size_t col = 0; col < bias.size(); ++col) {
    const bool pad = col % 32 >= 18;
    EXPECT_EQ(bias[col] == INT32_MIN, pad) << col;
    if (pad) {
      for (std::size_t c = 0; c < 32; ++c) EXPECT_EQ(w[c * bias.size() + col], 0) << c << " " << col;
    }
  }
}

TEST(OccImage, PoolGemmIsAFlagOnly) {
  occ::image_options o;
  o.pool_gemm = true;
  const auto gemm = build(o);
  EXPECT_EQ(gemm.header().flags, OCC_FLAG_POOL_GEMM);
  EXPECT_EQ(gemm.workload(), "occ");
  const auto spmm = build({});
  EXPECT_EQ(gemm.sections().size(), spmm.sections().size());
  EXPECT_EQ(gemm.values<std::uint8_t>("gold.labels"), spmm.values<std::uint8_t>("gold.labels"));
}

TEST(OccImage, UnknownGrid) {
  occ::image_options o;
  o.grid = "huge";
  EXPECT_THROW(occ::make_image(o), std::invalid_argument);
}

}  // namespace
