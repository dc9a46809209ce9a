// The PillarHist network after the features: Linear 130 -> 64 (int8, per-channel requant, ReLU),
// scatter to the BEV canvas, a 3-layer 3x3 backbone with the CFWS coarse/fine split, a 1x1
// centre-heatmap head and top-K peaks. Weights are seeded synthetic (no trained model offline).
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "workloads/det/pillars.h"
#include "workloads/ref/ops.h"

namespace det {

// A feature map in HWC order: row y * w + x of `data` holds the c channels of one position.
struct feature_map {
  std::size_t h = 0, w = 0;
  npu_ref::matrix_i8 data;  // (h * w) x c
};

// Output side of a k x k convolution with padding (k - 1) / 2: ceil(n / stride).
std::size_t conv_out(std::size_t n, std::size_t stride);
// im2col of a k x k window (k odd, zero padding (k - 1) / 2): one row per output position,
// columns tap-major ((dy * k + dx) * c + channel).
npu_ref::matrix_i8 im2col(const feature_map& x, std::size_t k, std::size_t stride);
// conv(x, w) through npu_ref::gemm: w is (k * k * c) x cout in im2col's column order.
npu_ref::matrix_i32 conv2d(const feature_map& x, const npu_ref::matrix_i8& w, std::size_t k,
                           std::size_t stride);

// A re-parameterised (RepVGG-style fused) 3x3 kernel, float: w[(tap * cin + ci) * cout + co],
// tap = dy * 3 + dx, centre tap 4.
struct fused_kernel {
  std::size_t cin = 0, cout = 0;
  std::vector<double> w;
  double& at(std::size_t tap, std::size_t ci, std::size_t co) { return w[(tap * cin + ci) * cout + co]; }
  double at(std::size_t tap, std::size_t ci, std::size_t co) const { return w[(tap * cin + ci) * cout + co]; }
};

// CFWS split of one fused kernel, per output channel co:
//   coarse: the centre tap quantised with scale sc = max_ci |centre| / 127 (a 1x1 conv, which is
//           conv(x, Q(Wc)) for a 3x3 Wc that is zero outside the centre);
//   fine:   the outer taps and the centre residual w - sc * Q(centre), with scale sf = sc / 2^k,
//           k in 0..max_fine_shift the largest with max |fine| <= 127 * sf (clamped to +-127
//           when even k = 0 does not fit; `fine_clamped` counts those weights), and k small
//           enough that coarse << k cannot overflow int32 (k <= 30 - bits of cin * 128 * 127).
// acc = (conv(x, Q(Wc)) << k) + conv(x, Q(Wf)) in int32, at scale sf.
constexpr unsigned max_fine_shift = 12;
struct cfws_weights {
  std::size_t cin = 0, cout = 0;
  npu_ref::matrix_i8 coarse;       // cin x cout
  npu_ref::matrix_i8 fine;         // (9 * cin) x cout
  std::vector<unsigned> shift;     // k per output channel
  std::vector<double> fine_scale;  // sf per output channel
  std::size_t fine_clamped = 0;
};
cfws_weights cfws_split(const fused_kernel& k);
// The int32 accumulator of a CFWS 3x3 conv: two convolutions summed (wrapping, as the NPU).
npu_ref::matrix_i32 cfws_conv(const feature_map& x, const cfws_weights& w, std::size_t stride);

// Per-channel requant configs: output = acc * ratio (multiplier in 2^14..2^15-1 with a shift),
// clipped to 0..127 with relu, else -128..127.
npu_ref::store_config store_for(double ratio, bool relu);
npu_ref::matrix_i8 requant_channels(const npu_ref::matrix_i32& acc,
                                    const std::vector<npu_ref::store_config>& cfg);

struct conv_layer {
  fused_kernel fused;  // the float kernel the split came from (for error measurements)
  cfws_weights w;
  std::size_t stride = 1;
  std::vector<npu_ref::store_config> out;
};

struct network {
  npu_ref::matrix_i8 linear;  // 130 x 64
  std::vector<npu_ref::store_config> linear_out;
  std::vector<conv_layer> backbone;
  npu_ref::matrix_i8 head;  // c x 1
};
constexpr std::size_t pillar_channels = 64;
// Seeded synthetic weights (deterministic on every host: integer draws from std::mt19937 only).
network make_network(std::uint32_t seed);
// A seeded fused kernel: uniform outer taps, a larger centre (the folded 1x1 branch) and the
// identity branch when cin == cout.
fused_kernel random_fused_kernel(std::size_t cin, std::size_t cout, std::mt19937& rng);

struct peak {
  std::size_t y = 0, x = 0;
  std::int32_t score = 0;
};
// Local maxima of a 3x3 window (neighbours outside the map do not count): a position is a peak
// when it is greater than its neighbours of lower index (y * w + x) and not less than those of
// higher index, so of equal neighbours the lower index wins. The k best by score, ties to the
// lower index.
std::vector<peak> top_k_peaks(const npu_ref::matrix_i32& heat, std::size_t h, std::size_t w, std::size_t k);

struct stage {
  const char* name;
  std::size_t h, w, c;
  double nonzero = 0;  // fraction of nonzero values
};
struct result {
  pillars p;
  npu_ref::matrix_i8 features;     // pillars x 130
  npu_ref::matrix_i8 pillar_feat;  // pillars x 64
  feature_map canvas;
  std::vector<feature_map> maps;  // after each backbone layer
  npu_ref::matrix_i32 heat;       // heatmap (h * w) x 1
  std::size_t heat_h = 0, heat_w = 0;
  std::vector<peak> peaks;
  std::vector<stage> stages;
};
// Relative RMS error against the float conv of the fused kernel (over outputs whose float value
// is nonzero), of CFWS (sf * acc) and of a plain per-channel int8 3x3 quantisation (max / 127).
struct quant_error {
  double cfws = 0, plain = 0;
};
quant_error measure_quant_error(const feature_map& x, const fused_kernel& k, const cfws_weights& w,
                                std::size_t stride);

result run(const std::vector<point>& scan, const grid& g, const network& net, std::size_t top_k);

}  // namespace det
