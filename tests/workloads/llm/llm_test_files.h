// Helpers of the LLM workload's tests: the shipped data files and synthetic checkpoints.
#pragma once

#include <cstdint>
#include <cstring>
#include <random>
#include <string>
#include <vector>

#ifndef NVR_LLM_DATA_DIR
#error "NVR_LLM_DATA_DIR must name workloads/data"
#endif

namespace llm_test {

inline const std::string checkpoint_path = NVR_LLM_DATA_DIR "/stories260K.bin";
inline const std::string tokenizer_path = NVR_LLM_DATA_DIR "/tok512.bin";

inline void put32(std::vector<std::uint8_t>& b, std::uint32_t v) {
  for (int i = 0; i < 4; ++i) b.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
inline void put_float(std::vector<std::uint8_t>& b, float f) {
  std::uint32_t u;
  std::memcpy(&u, &f, sizeof u);
  put32(b, u);
}

// A checkpoint file with this header and seeded random weights (RMSNorm gains near 1).
struct shape {
  int dim = 8, hidden = 12, layers = 2, heads = 2, kv_heads = 1, vocab = 16, seq_len = 8;
};
inline std::vector<std::uint8_t> synthetic_checkpoint(const shape& s, unsigned seed = 1) {
  std::vector<std::uint8_t> b;
  for (int v : {s.dim, s.hidden, s.layers, s.heads, s.kv_heads, s.vocab, s.seq_len})
    put32(b, static_cast<std::uint32_t>(v));
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-0.5f, 0.5f);
  const int vocab = s.vocab < 0 ? -s.vocab : s.vocab;
  const int hs = s.dim / s.heads, kv = hs * s.kv_heads;
  auto weights = [&](long n, float offset) {
    for (long i = 0; i < n; ++i) put_float(b, offset + u(rng));
  };
  weights(long{vocab} * s.dim, 0);
  const long L = s.layers;
  weights(L * s.dim, 1);
  weights(L * s.dim * s.dim, 0);
  weights(L * kv * s.dim, 0);
  weights(L * kv * s.dim, 0);
  weights(L * s.dim * s.dim, 0);
  weights(L * s.dim, 1);
  weights(L * s.hidden * s.dim * 3, 0);
  weights(s.dim, 1);
  weights(long{s.seq_len} * hs, 0);
  if (s.vocab < 0) weights(long{vocab} * s.dim, 0);
  return b;
}

}  // namespace llm_test
