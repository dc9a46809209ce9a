// The float32 reference forward pass of a llama2.c checkpoint: RMSNorm, RoPE, grouped-query
// attention with a KV cache, SwiGLU FFN, the (shared) classifier.
#pragma once

#include <vector>

#include "workloads/llm/checkpoint.h"
#include "workloads/llm/model.h"

namespace nvr::llm {

class float_model : public next_token_model {
 public:
  explicit float_model(checkpoint c);
  // The logits of the token after `token` at `pos` (see next_token_model::next).
  const std::vector<float>& forward(int token, int pos);
  int next(int token, int pos) override;
  const config& cfg() const override { return m_c.cfg; }

 private:
  checkpoint m_c;
  std::vector<float> m_x, m_xb, m_q, m_att_out, m_hb, m_hb2, m_scores, m_logits;
  std::vector<float> m_key_cache, m_value_cache;  // layer x seq_len x kv_dim
};

}  // namespace nvr::llm
