// The llama2.c checkpoint (legacy version-0 format, float32) and the shared errors of the LLM
// workload's file readers.
#pragma once

#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace nvr::llm {

// A file that cannot be opened (missing: EX_NOINPUT) or whose contents are wrong (EX_DATAERR).
class load_error : public std::runtime_error {
 public:
  load_error(const std::string& what, bool missing) : std::runtime_error(what), m_missing(missing) {}
  bool missing() const { return m_missing; }

 private:
  bool m_missing;
};

// The whole file; load_error (missing) when it cannot be opened or read.
std::vector<std::uint8_t> read_file(const std::string& path);

struct config {
  int dim = 0;         // residual width
  int hidden_dim = 0;  // FFN width
  int n_layers = 0;
  int n_heads = 0;
  int n_kv_heads = 0;  // grouped-query attention: n_heads / n_kv_heads query heads share one
  int vocab_size = 0;
  int seq_len = 0;                // context length
  bool shared_classifier = true;  // the header's vocab_size > 0: the classifier is the embedding
  int head_size() const { return dim / n_heads; }
  int kv_dim() const { return head_size() * n_kv_heads; }
};

// Matrices row-major as (outputs, inputs): y[o] = sum_i w[o * inputs + i] * x[i].
struct layer_weights {
  std::vector<float> rms_att;  // dim
  std::vector<float> wq;       // dim x dim
  std::vector<float> wk;       // kv_dim x dim
  std::vector<float> wv;       // kv_dim x dim
  std::vector<float> wo;       // dim x dim
  std::vector<float> rms_ffn;  // dim
  std::vector<float> w1;       // hidden x dim (gate)
  std::vector<float> w2;       // dim x hidden (down)
  std::vector<float> w3;       // hidden x dim (up)
};

struct checkpoint {
  config cfg;
  std::vector<float> token_embedding;  // vocab x dim
  std::vector<layer_weights> layers;
  std::vector<float> rms_final;   // dim
  std::vector<float> classifier;  // vocab x dim (a copy of the embedding when shared)
};

// Header (7 int32), then the float32 weights in llama2.c order, the legacy RoPE tables
// (seq_len x head_size/2, twice; skipped: RoPE is computed) and, when the header's vocab_size
// is negative, the classifier. load_error (not missing) names the first problem; `name` is
// the file name used in the messages.
checkpoint parse_checkpoint(const std::vector<std::uint8_t>& bytes, const std::string& name);
checkpoint read_checkpoint(const std::string& path);

// Magnitude pruning of every linear layer (wq, wk, wv, wo, w1, w2, w3; not the embedding or
// the classifier): in each matrix the floor(sparsity * size) smallest |w| become 0 (ties: the
// lower index first). sparsity in [0, 1).
void prune(checkpoint& c, double sparsity);

}  // namespace nvr::llm
