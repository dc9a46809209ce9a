#include "workloads/llm/tokenizer.h"

#include <cmath>
#include <cstring>
#include <limits>

namespace nvr::llm {

namespace {

std::int32_t le32(const std::uint8_t* p) {
  return static_cast<std::int32_t>(std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 |
                                   std::uint32_t{p[2]} << 16 | std::uint32_t{p[3]} << 24);
}

int hex_digit(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  return -1;
}

}  // namespace

tokenizer tokenizer::parse(const std::vector<std::uint8_t>& bytes, int vocab_size, const std::string& name) {
  if (vocab_size <= 0)
    throw load_error(name + ": vocabulary size " + std::to_string(vocab_size) + " is not positive", false);
  std::size_t at = 0;
  auto need = [&](std::size_t n, const std::string& what) {
    if (bytes.size() - at < n)
      throw load_error(name + ": truncated at byte " + std::to_string(bytes.size()) + " in " + what, false);
  };
  need(4, "the header");
  const std::int32_t max_length = le32(&bytes[0]);
  at = 4;
  if (max_length <= 0 || max_length > 1024)
    throw load_error(name + ": max_token_length " + std::to_string(max_length) + " is outside 1..1024",
                     false);
  tokenizer t;
  t.m_pieces.reserve(static_cast<std::size_t>(vocab_size));
  for (int i = 0; i < vocab_size; ++i) {
    const std::string where = "token " + std::to_string(i) + " of " + std::to_string(vocab_size);
    need(8, where);
    float score;
    const std::uint32_t raw = static_cast<std::uint32_t>(le32(&bytes[at]));
    std::memcpy(&score, &raw, sizeof score);
    const std::int32_t length = le32(&bytes[at + 4]);
    if (!std::isfinite(score))
      throw load_error(name + ": " + where + ": score is not a finite number", false);
    if (length < 0 || length > max_length)
      throw load_error(name + ": " + where + ": length " + std::to_string(length) + " is outside 0.." +
                           std::to_string(max_length) + " (max_token_length)",
                       false);
    at += 8;
    need(static_cast<std::size_t>(length), where);
    t.m_pieces.emplace_back(reinterpret_cast<const char*>(&bytes[at]), static_cast<std::size_t>(length));
    t.m_scores.push_back(score);
    at += static_cast<std::size_t>(length);
  }
  if (at != bytes.size())
    throw load_error(name + ": " + std::to_string(bytes.size() - at) + " bytes after token " +
                         std::to_string(vocab_size - 1) + " (a tokenizer for another vocabulary size?)",
                     false);
  // The first id of a piece wins if a file repeats one.
  for (int i = 0; i < vocab_size; ++i) t.m_ids.emplace(t.m_pieces[static_cast<std::size_t>(i)], i);
  return t;
}

tokenizer tokenizer::read(const std::string& path, int vocab_size) {
  return parse(read_file(path), vocab_size, path);
}

int tokenizer::find(const std::string& s) const {
  const auto it = m_ids.find(s);
  return it == m_ids.end() ? -1 : it->second;
}

std::vector<int> tokenizer::encode(const std::string& text, bool bos) const {
  std::vector<int> ids;
  if (bos) ids.push_back(bos_token);
  if (text.empty()) return ids;
  std::vector<int> pieces;
  const int space = find(" ");
  if (space >= 0) pieces.push_back(space);
  for (std::size_t i = 0; i < text.size();) {
    // One UTF-8 character: a lead byte and its continuation bytes (at most 4 in all).
    std::size_t n = 1;
    while (i + n < text.size() && n < 4 && (static_cast<unsigned char>(text[i + n]) & 0xc0) == 0x80) ++n;
    const int id = find(text.substr(i, n));
    if (id >= 0) {
      pieces.push_back(id);
    } else {
      for (std::size_t k = 0; k < n; ++k) {
        const int byte_id = 3 + static_cast<unsigned char>(text[i + k]);
        pieces.push_back(byte_id < vocab_size() ? byte_id : 0);  // <unk> without byte tokens
      }
    }
    i += n;
  }
  for (;;) {
    float best = -std::numeric_limits<float>::infinity();
    int best_id = -1;
    std::size_t best_at = 0;
    for (std::size_t i = 0; i + 1 < pieces.size(); ++i) {
      const int id = find(piece(pieces[i]) + piece(pieces[i + 1]));
      if (id >= 0 && (best_id < 0 || m_scores[static_cast<std::size_t>(id)] > best)) {
        best = m_scores[static_cast<std::size_t>(id)];
        best_id = id;
        best_at = i;
      }
    }
    if (best_id < 0) break;
    pieces[best_at] = best_id;
    pieces.erase(pieces.begin() + static_cast<std::ptrdiff_t>(best_at) + 1);
  }
  ids.insert(ids.end(), pieces.begin(), pieces.end());
  return ids;
}

std::string tokenizer::decode(int previous, int token) const {
  std::string s = piece(token);
  if (previous == bos_token && !s.empty() && s[0] == ' ') s.erase(0, 1);
  if (s.size() == 6 && s.compare(0, 3, "<0x") == 0 && s[5] == '>') {
    const int hi = hex_digit(s[3]), lo = hex_digit(s[4]);
    if (hi >= 0 && lo >= 0) return std::string(1, static_cast<char>(hi * 16 + lo));
  }
  return s;
}

}  // namespace nvr::llm
