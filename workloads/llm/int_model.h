// The integer-only (I-LLM-style) reference of a llama2.c checkpoint. Quantising the weights is
// the only floating-point step (in the constructor); forward() is integer arithmetic only,
// bit-exact and deterministic:
// - weights int8, symmetric per output channel; RMSNorm gains folded into the next matmul;
// - activations int32 in Q.12, quantised per token (vector quant) to int8 before each matmul;
// - matmul int8 x int8 -> int32, then a per-channel dyadic requant and a multiply by the
//   token's amax;
// - integer RMSNorm (isqrt), RoPE from Q.14 tables, shift-exp softmax (iexp, clipped at -15),
//   SwiGLU with isilu, an int8 KV cache (per token and KV head, with its amax), the embedding
//   as a gather of int8 rows times a per-row dyadic scale. See workloads/llm/README.md.
#pragma once

#include <cstdint>
#include <vector>

#include "workloads/llm/checkpoint.h"
#include "workloads/llm/int_ops.h"
#include "workloads/llm/model.h"

namespace nvr::llm {

class int_model : public next_token_model {
 public:
  // sparse: the linear layers run as CSR SpMV over their nonzeros (same results as dense).
  explicit int_model(const checkpoint& c, bool sparse = false) : int_model(c, weight_format{sparse, {}}) {}
  // The linear layers (wq..w3) in `f`; the embedding and the classifier stay per-channel int8.
  int_model(const checkpoint& c, const weight_format& f);
  // Logits in Q.12 of the token after `token` at `pos` (see next_token_model::next).
  const std::vector<std::int32_t>& forward(int token, int pos);
  int next(int token, int pos) override;
  const config& cfg() const override { return m_cfg; }
  // Nonzero and total int8 weights of the linear layers (wq..w3).
  std::size_t linear_nonzeros() const;
  std::size_t linear_weights() const;

  // The quantised model, read by the image generator (nvr-llm-image) to pack it for firmware.
  struct layer {
    qlinear wq, wk, wv, wo, w1, w2, w3;
  };
  const std::vector<layer>& layers() const { return m_layers; }
  const npu_ref::matrix_i8& embedding() const { return m_embedding; }
  const dyadic_vector& embed_scale() const { return m_embed_scale; }
  const qlinear& classifier() const { return m_classifier; }
  dyadic att_scale() const { return m_att_scale; }
  dyadic pv_scale() const { return m_pv_scale; }
  const rope_table& rope_tables() const { return m_rope; }

 private:
  config m_cfg;
  npu_ref::matrix_i8 m_embedding;  // vocab x dim, per row scale: h = e * m_embed_scale >> shift
  dyadic_vector m_embed_scale;
  std::vector<layer> m_layers;
  qlinear m_classifier;  // embedding with the final RMSNorm gain folded in
  dyadic m_att_scale;    // logit = requant(s * kamax * qamax, ...) in Q.softmax_bits
  dyadic m_pv_scale;     // attention output = requant(acc, 2^16 / 127^2) * amax_w >> 16
  rope_table m_rope;
  // KV cache: layer x seq_len x kv_dim int8, layer x seq_len x n_kv_heads amax.
  std::vector<std::int8_t> m_k, m_v;
  std::vector<std::int32_t> m_k_amax, m_v_amax;
  std::vector<std::int32_t> m_h, m_logits;
};

}  // namespace nvr::llm
