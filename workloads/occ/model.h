// The integer FlashOcc-style occupancy network (issue #8) on nvr_npu_ref's operators: BEV pooling
// (index-driven gather-sum), a 3x3 conv encoder, the channel-to-height head and argmax; optional
// panoptic instances. Weights are seeded synthetic: no trained model is available offline.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "workloads/occ/geometry.h"
#include "workloads/ref/ops.h"

namespace occ {

using npu_ref::matrix_i32;
using npu_ref::matrix_i8;
using npu_ref::store_config;

// The image branch's outputs, synthetic: features (N*H*W rows, C int8) and depth probabilities
// (N*D*H*W rows, 1 column, 0..127 summing to 127 over the D bins of a pixel for D <= 96; one peaked bin).
struct inputs {
  matrix_i8 feat, depth;
};
inputs make_inputs(const grid_config& g, std::size_t cameras, std::mt19937& rng);

// BEV pooling: for every interval, bev[ranks_bev] = sum over its points of depth[ranks_depth] *
// feat[ranks_feat] (int32 wrapping), as a gather of the feature and depth rows followed by a
// 1 x L by L x C GEMM. Cells without points stay 0. Throws std::invalid_argument for inconsistent
// arrays, an interval or BEV rank out of range, std::out_of_range (the gather's) for a feature
// or depth rank out of range.
matrix_i32 bev_pool(const bev_indices& idx, const matrix_i8& feat, const matrix_i8& depth, std::size_t cells);

// 3x3 convolution, stride 1, zero padding 1, of an image of `rows` x `cols` pixels (pixel
// r * cols + c, channels in columns) with weights [ky][kx][in] x out and an int32 bias: im2col
// then GEMM with the bias as C0.
matrix_i32 conv3x3(const matrix_i8& in, std::size_t rows, std::size_t cols, const matrix_i8& w,
                   const std::vector<std::int32_t>& bias);
// Per-column (per output channel) requantisation.
matrix_i8 requant_columns(const matrix_i32& acc, const std::vector<store_config>& q);
// A dyadic requantisation mapping amax to 127 (multiplier in Q16), ReLU when relu.
store_config calibrate(std::int64_t amax, bool relu);

struct conv_layer {
  matrix_i8 w;  // 9*C x C
  std::vector<std::int32_t> bias;
  std::vector<store_config> q;  // per output channel, ReLU
};

struct model {
  grid_config g;
  store_config pool_q;  // requantisation of the pooled grid
  std::vector<conv_layer> encoder;
  matrix_i8 head_w;  // C x Z*classes
  std::vector<std::int32_t> head_bias;
  matrix_i8 centre_w;  // C x 1: the panoptic centre heatmap
};

// Seeded synthetic weights; the requantisations are calibrated on `in` (per-channel maxima).
model make_model(const grid_config& g, const bev_indices& idx, const inputs& in, std::mt19937& rng);

struct result {
  matrix_i32 pooled;                     // cells x C
  matrix_i8 bev;                         // cells x C after requant
  std::vector<matrix_i8> encoded;        // per encoder layer
  matrix_i32 logits;                     // cells x Z*classes
  std::vector<std::uint8_t> labels;      // X*Y*Z, index (x * Y + y) * Z + z
  matrix_i32 heatmap;                    // cells x 1 (panoptic only)
  std::vector<std::int32_t> centres;     // BEV cells of the peaks (panoptic only)
  std::vector<std::uint16_t> instances;  // per voxel: 0 or 1 + centre (panoptic only)
};
result run(const model& m, const bev_indices& idx, const inputs& in, bool panoptic, std::size_t top_k);

// The head's reshape of cells x Z*classes to (X, Y, Z, classes) is the same data with X*Y*Z rows
// of `classes`; argmax per row (first maximum).
std::vector<std::uint8_t> occupancy_labels(const matrix_i32& logits, std::size_t classes);

// Top-K peaks of a heatmap over an X x Y grid (cell x * Y + y): a peak is > 0 and beats every
// 3x3 neighbour (an equal neighbour only when it has a higher index); sorted by value
// descending, then index ascending.
std::vector<std::int32_t> top_k_peaks(const matrix_i32& heat, std::size_t bev_x, std::size_t bev_y,
                                      std::size_t k);
// Nearest centre of every occupied voxel (label != free_class) by integer squared BEV distance,
// ties to the lower centre index; 0 for free voxels or without centres.
std::vector<std::uint16_t> assign_instances(const std::vector<std::uint8_t>& labels, std::size_t bev_x,
                                            std::size_t bev_y, std::size_t bev_z, std::uint8_t free_class,
                                            const std::vector<std::int32_t>& centres);

}  // namespace occ
