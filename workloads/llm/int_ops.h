// Integer operators of the I-LLM-style reference. Each is a composition of NPU vector functs
// (ip/npu/ISA.md) and uses nvr_npu_ref's element functions, so that firmware running the same
// sequence of instructions gets the same bits.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "workloads/ref/arith.h"
#include "workloads/ref/ops.h"

namespace nvr::llm {

// Fixed-point formats (fraction bits) shared by every layer.
constexpr unsigned act_bits = 12;          // int32 activations (residual, q/k/v, FFN, logits): Q.12
constexpr unsigned norm_bits = 12;         // RMSNorm output: Q.12 of x / rms
constexpr unsigned amax_shift = 16;        // the per-token amax multiply: (t * amax) >> 16
constexpr unsigned rope_bits = 14;         // cos/sin tables: Q.14
constexpr unsigned softmax_bits = 12;      // attention logits: Q.12 (iexp's f)
constexpr std::int64_t softmax_clip = 15;  // logits below max - 15 count as max - 15 (I-LLM's c)
constexpr unsigned prob_bits = 15;         // isoftmax's output: Q0.15

// A dyadic number m / 2^shift with int32 m (a requant multiplier and its shift).
struct dyadic {
  std::int32_t m = 0;
  unsigned shift = 0;
};
dyadic to_dyadic(double c);
// One shift for all (vector requant has one shift immediate), per-element int32 multipliers:
// the largest shift (<= 62) for which every multiplier fits in int32. c >= 0.
struct dyadic_vector {
  std::vector<std::int32_t> m;
  unsigned shift = 0;
};
dyadic_vector to_dyadic(const std::vector<double>& c);

// vector mul / requant to the accumulator: sat32(round_shift(a * b, s)).
inline std::int32_t mul(std::int64_t a, std::int64_t b, unsigned s) {
  return npu_ref::sat32(npu_ref::round_shift(a * b, s));
}
// vector add: saturating.
inline std::int32_t add(std::int32_t a, std::int32_t b) { return npu_ref::sat32(std::int64_t{a} + b); }

// Per-token dynamic int8 quantisation (vector quant): real x ~ q * amax / 127.
struct qvec {
  std::vector<std::int8_t> q;
  std::int32_t amax = 0;
};
qvec quantise(const std::vector<std::int32_t>& x);
qvec quantise(const std::int32_t* x, std::size_t n);

// vector rmsnorm (no gain: the gains are folded into the next matmul's weights): Q.bits of x/rms.
std::vector<std::int32_t> rmsnorm(const std::vector<std::int32_t>& x, unsigned bits = norm_bits);

// RoPE tables: round(cos / sin(pos * theta^(-2j / head_size)) * 2^rope_bits), computed once on
// the host in double and then only read.
class rope_table {
 public:
  rope_table(int seq_len, int head_size);
  std::int32_t cos(int pos, int j) const { return m_cos[static_cast<std::size_t>(pos * m_half + j)]; }
  std::int32_t sin(int pos, int j) const { return m_sin[static_cast<std::size_t>(pos * m_half + j)]; }

 private:
  int m_half;
  std::vector<std::int32_t> m_cos, m_sin;
};
// Rotates each (even, odd) pair of the heads in v[0..n): a' = mul(a, c) + mul(b, -s),
// b' = mul(a, s) + mul(b, c), each mul rounding by rope_bits (two vector muls and an add).
void rope(std::int32_t* v, std::size_t n, int head_size, int pos, const rope_table& t);

// GSQ-style group-shared exponents (GSQ-Tuning; its parameters are not public): along each row,
// groups of `group` weights share a power-of-two exponent and keep signed mantissas of
// `mant_bits` (|m| <= 2^(mant_bits-1) - 1). The exponent is stored as the row's lowest one
// (folded into the per-channel requant) plus a per-group offset d of `exp_bits` bits, also
// limited so that the int32 accumulation sum_g (partial_g << d_g) cannot overflow: d <=
// 31 - bits(cols * mmax * 127) (groups far below the row's largest are coarsened). Integer: one matmul per
// group, a multiply by 2^d (vector mul, row_scalar) and adds.
struct gsq_format {
  int group = 32;
  int exp_bits = 5;
  int mant_bits = 8;
};
// Empty when valid, else what is wrong (group 1..4096, exp_bits 1..8, mant_bits 2..8).
std::string check(const gsq_format& f);

struct weight_format {
  bool sparse = false;            // CSR SpMV over the nonzeros (int8 per-channel only)
  std::optional<gsq_format> gsq;  // GSQ instead of per-channel int8
};

// A linear layer in int8 with a per-output-channel scale: y = requant(W q) then * amax.
struct qlinear {
  int rows = 0, cols = 0;     // outputs, inputs
  npu_ref::matrix_i8 w;       // rows x cols, symmetric per row: w ~ q * scale_j
  std::vector<double> scale;  // per row (only used while quantising)
  dyadic_vector requant;      // per row: scale_j * 2^(act_bits + amax_shift) / (127 * 2^12)
  bool sparse = false;        // compute through `csr` (SpMV) instead of `w`
  npu_ref::csr csr;           // the nonzeros of w when sparse
  int group = 0;              // GSQ (group > 0): w holds the mantissas, group_shift the offsets d
  npu_ref::matrix<std::uint8_t> group_shift;  // rows x groups
};
// Symmetric per-row int8 (or GSQ) quantisation of a (rows x cols) float matrix; the requant
// multipliers turn W q (q from an input with real value q * amax / (127 * 2^12)) into Q.act_bits.
qlinear quantise_linear(const std::vector<float>& w, int rows, int cols, const weight_format& f);
inline qlinear quantise_linear(const std::vector<float>& w, int rows, int cols, bool sparse) {
  return quantise_linear(w, rows, cols, weight_format{sparse, std::nullopt});
}
// The int32 accumulator W q (dense int32 or CSR SpMV: the same numbers; GSQ: the sum of the
// groups' partial sums times 2^d).
std::vector<std::int32_t> matvec(const qlinear& l, const std::vector<std::int8_t>& q);
// The layer: acc = W q; t_j = requant(acc_j, m_j, shift); y_j = mul(t_j, amax, amax_shift).
std::vector<std::int32_t> linear(const qlinear& l, const qvec& x);

}  // namespace nvr::llm
