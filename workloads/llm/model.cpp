#include "workloads/llm/model.h"

#include <stdexcept>

#include "workloads/llm/tokenizer.h"

namespace nvr::llm {

generation generate(next_token_model& m, const std::vector<int>& prompt, int n) {
  const auto context = static_cast<std::size_t>(m.cfg().seq_len);
  if (prompt.empty() || prompt.size() > context)
    throw std::invalid_argument("generate: the prompt does not fit the context");
  generation g;
  g.tokens = prompt;
  g.prompt_length = prompt.size();
  int generated = 0;
  for (std::size_t pos = 0; pos < g.tokens.size() && pos + 1 < context; ++pos) {
    const int next = m.next(g.tokens[pos], static_cast<int>(pos));
    if (pos + 1 < g.tokens.size()) continue;  // still inside the prompt
    if (generated == n || next == bos_token || next == eos_token) break;
    g.tokens.push_back(next);
    ++generated;
  }
  return g;
}

agreement compare(next_token_model& reference, next_token_model& test, const std::vector<int>& tokens) {
  agreement a;
  for (std::size_t pos = 0; pos < tokens.size(); ++pos) {
    const int r = reference.next(tokens[pos], static_cast<int>(pos));
    const int t = test.next(tokens[pos], static_cast<int>(pos));
    a.agree += r == t;
    ++a.total;
  }
  return a;
}

}  // namespace nvr::llm
