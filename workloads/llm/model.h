// What greedy generation and the agreement measurement need of a model: one position at a time.
#pragma once

#include <cstddef>
#include <vector>

#include "workloads/llm/checkpoint.h"

namespace nvr::llm {

class next_token_model {
 public:
  virtual ~next_token_model() = default;
  // Feeds `token` at position `pos` (0..context-1; positions 0..pos-1 must have been fed
  // before, in order, since the last start at 0) and returns the greedy next token (the first
  // maximum of the logits).
  virtual int next(int token, int pos) = 0;
  virtual const config& cfg() const = 0;
};

struct generation {
  std::vector<int> tokens;  // the prompt (with BOS) and then the generated tokens
  std::size_t prompt_length = 0;
};

// Greedy: feeds the prompt, then up to n tokens, stopping early at BOS or EOS (llama2.c's
// story delimiters; not included) or at the end of the context. The prompt must be non-empty
// and fit the context (std::invalid_argument otherwise).
generation generate(next_token_model& m, const std::vector<int>& prompt, int n);

// Top-1 agreement of `test` with `reference`, teacher-forced: every position of `tokens`
// is fed to both, and their next tokens are compared (one divergence does not cascade).
struct agreement {
  std::size_t agree = 0;
  std::size_t total = 0;
  double fraction() const { return total ? static_cast<double>(agree) / static_cast<double>(total) : 0.0; }
};
agreement compare(next_token_model& reference, next_token_model& test, const std::vector<int>& tokens);

}  // namespace nvr::llm
