// The llama2.c tokenizer file (tok512.bin and the like): a byte-pair vocabulary with merge scores.
#pragma once

#include <cstdint>
#include <string>
#include <unordered_map>
#include <vector>

#include "workloads/llm/checkpoint.h"

namespace nvr::llm {

constexpr int bos_token = 1;
constexpr int eos_token = 2;

class tokenizer {
 public:
  // int32 max_token_length, then vocab_size x (float32 score, int32 length, bytes).
  // load_error names the first problem.
  static tokenizer parse(const std::vector<std::uint8_t>& bytes, int vocab_size, const std::string& name);
  static tokenizer read(const std::string& path, int vocab_size);

  int vocab_size() const { return static_cast<int>(m_pieces.size()); }
  const std::string& piece(int id) const { return m_pieces.at(static_cast<std::size_t>(id)); }

  // BPE: a leading space (SentencePiece's dummy prefix) when the text is not empty, one token
  // per UTF-8 character (byte tokens 3 + b for characters not in the vocabulary), then merge
  // the adjacent pair whose concatenation has the highest score (leftmost on ties) until none
  // is in the vocabulary. With `bos` the list starts with BOS.
  std::vector<int> encode(const std::string& text, bool bos) const;
  // The text of `token` following `previous`: no leading space right after BOS, "<0xHH>" as
  // the byte it names.
  std::string decode(int previous, int token) const;

 private:
  int find(const std::string& s) const;

  std::vector<std::string> m_pieces;
  std::vector<float> m_scores;
  std::unordered_map<std::string, int> m_ids;
};

}  // namespace nvr::llm
