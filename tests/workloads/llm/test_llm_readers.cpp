// The checkpoint and tokenizer readers: the shipped files, and every error path.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "tests/workloads/llm/llm_test_files.h"
#include "workloads/llm/checkpoint.h"
#include "workloads/llm/tokenizer.h"

using namespace nvr::llm;
using llm_test::put32;
using llm_test::put_float;

namespace {

// The message of the load_error `f` throws, and whether it said "missing".
template <typename F>
std::string error_of(F f, bool* missing = nullptr) {
  try {
    f();
  } catch (const load_error& e) {
    if (missing) *missing = e.missing();
    return e.what();
  }
  return "no error";
}

std::vector<std::uint8_t> header(std::initializer_list<std::int32_t> v) {
  std::vector<std::uint8_t> b;
  for (auto x : v) put32(b, static_cast<std::uint32_t>(x));
  return b;
}

}  // namespace

TEST(LlmCheckpoint, ReadsStories260K) {
  const checkpoint c = read_checkpoint(llm_test::checkpoint_path);
  EXPECT_EQ(c.cfg.dim, 64);
  EXPECT_EQ(c.cfg.hidden_dim, 172);
  EXPECT_EQ(c.cfg.n_layers, 5);
  EXPECT_EQ(c.cfg.n_heads, 8);
  EXPECT_EQ(c.cfg.n_kv_heads, 4);
  EXPECT_EQ(c.cfg.vocab_size, 512);
  EXPECT_EQ(c.cfg.seq_len, 512);
  EXPECT_TRUE(c.cfg.shared_classifier);
  EXPECT_EQ(c.cfg.head_size(), 8);
  EXPECT_EQ(c.cfg.kv_dim(), 32);
  ASSERT_EQ(c.layers.size(), 5u);
  EXPECT_EQ(c.layers[4].w2.size(), 64u * 172u);
  EXPECT_EQ(c.layers[0].wk.size(), 32u * 64u);
  EXPECT_EQ(c.classifier, c.token_embedding);
  EXPECT_EQ(c.rms_final.size(), 64u);
}

TEST(LlmCheckpoint, ReadsAnUnsharedClassifier) {
  llm_test::shape s;
  s.vocab = -16;
  const checkpoint c = parse_checkpoint(llm_test::synthetic_checkpoint(s), "x");
  EXPECT_FALSE(c.cfg.shared_classifier);
  EXPECT_EQ(c.cfg.vocab_size, 16);
  EXPECT_EQ(c.classifier.size(), 16u * 8u);
  EXPECT_NE(c.classifier, c.token_embedding);
}

TEST(LlmCheckpoint, MissingFileIsNoInput) {
  bool missing = false;
  EXPECT_NE(error_of([] { read_checkpoint("/nonexistent/c.bin"); }, &missing)
                .find("cannot read '/nonexistent/c.bin'"),
            std::string::npos);
  EXPECT_TRUE(missing);
}

TEST(LlmCheckpoint, TruncatedHeader) {
  bool missing = true;
  EXPECT_EQ(error_of(
                [] {
                  parse_checkpoint({1, 2, 3}, "c");
                },
                &missing),
            "c: truncated header: 3 bytes, a checkpoint has at least 28");
  EXPECT_FALSE(missing);
}

TEST(LlmCheckpoint, BadHeaderValues) {
  EXPECT_EQ(error_of([] {
              parse_checkpoint(header({0, 12, 2, 2, 1, 16, 8}), "c");
            }),
            "c: header: dim 0 is outside 1..65536 (not a llama2.c checkpoint?)");
  EXPECT_EQ(error_of([] {
              parse_checkpoint(header({8, 12, 2, 2, 1, 16, -8}), "c");
            }),
            "c: header: seq_len -8 is outside 1..1048576 (not a llama2.c checkpoint?)");
  EXPECT_EQ(error_of([] {
              parse_checkpoint(header({8, 12, 2, 2, 1, 0, 8}), "c");
            }),
            "c: header: vocab_size 0 is outside 1..1048576 (not a llama2.c checkpoint?)");
  EXPECT_EQ(error_of([] {
              parse_checkpoint(header({8, 12, 5000, 2, 1, 16, 8}), "c");
            }),
            "c: header: n_layers 5000 is outside 1..1024 (not a llama2.c checkpoint?)");
  EXPECT_EQ(error_of([] {
              parse_checkpoint(header({8, 12, 2, 3, 1, 16, 8}), "c");
            }),
            "c: header: dim 8 is not a multiple of n_heads 3");
  EXPECT_EQ(error_of([] {
              parse_checkpoint(header({8, 12, 2, 4, 3, 16, 8}), "c");
            }),
            "c: header: n_heads 4 is not a multiple of n_kv_heads 3");
  EXPECT_EQ(error_of([] {
              parse_checkpoint(header({8, 12, 2, 2, 4, 16, 8}), "c");
            }),
            "c: header: n_heads 2 is not a multiple of n_kv_heads 4");
  EXPECT_EQ(error_of([] {
              parse_checkpoint(header({6, 12, 2, 2, 1, 16, 8}), "c");
            }),
            "c: header: head size 3 is odd (RoPE rotates pairs)");
}

TEST(LlmCheckpoint, TruncatedWeights) {
  auto b = llm_test::synthetic_checkpoint({});
  const std::size_t full = b.size();
  b.resize(full - 1);
  EXPECT_EQ(error_of([&] { parse_checkpoint(b, "c"); }),
            "c: truncated: " + std::to_string(full - 1) +
                " bytes, a checkpoint with this header (dim 8, 2 layers, vocab 16) has " +
                std::to_string(full));
  // The real file cut short, and a header alone.
  auto real = read_file(llm_test::checkpoint_path);
  real.resize(500000);
  EXPECT_NE(error_of([&] { parse_checkpoint(real, "s"); }).find("s: truncated: 500000 bytes"),
            std::string::npos);
  b.resize(28);
  EXPECT_NE(error_of([&] { parse_checkpoint(b, "c"); }).find("truncated: 28 bytes"), std::string::npos);
}

TEST(LlmCheckpoint, TrailingBytes) {
  auto b = llm_test::synthetic_checkpoint({});
  const std::size_t full = b.size();
  b.resize(full + 8);
  EXPECT_EQ(error_of([&] { parse_checkpoint(b, "c"); }), "c: 8 bytes after the weights (" +
                                                             std::to_string(full) +
                                                             " expected: not a legacy llama2.c checkpoint?)");
}

TEST(LlmCheckpoint, NonFiniteWeight) {
  auto b = llm_test::synthetic_checkpoint({});
  // Weight 3 of wq: after the header, the embedding (16 x 8) and rms_att (2 x 8).
  const std::size_t at = 28 + 4 * (16 * 8 + 2 * 8 + 3);
  std::vector<std::uint8_t> nan;
  put_float(nan, std::numeric_limits<float>::quiet_NaN());
  std::copy(nan.begin(), nan.end(), b.begin() + static_cast<long>(at));
  EXPECT_EQ(error_of([&] { parse_checkpoint(b, "c"); }),
            "c: weight 3 of wq (byte offset " + std::to_string(at) + ") is not a finite number");
}

TEST(LlmCheckpoint, PruneZeroesTheSmallestOfEachLinearMatrix) {
  checkpoint c = parse_checkpoint(llm_test::synthetic_checkpoint({}), "c");
  const checkpoint before = c;
  prune(c, 0.5);
  for (std::size_t l = 0; l < c.layers.size(); ++l) {
    const auto& w = c.layers[l].w1;
    std::size_t zeros = 0;
    float kept_min = 1e9f, dropped_max = 0.0f;
    for (std::size_t i = 0; i < w.size(); ++i) {
      if (w[i] == 0.0f) {
        ++zeros;
        dropped_max = std::max(dropped_max, std::fabs(before.layers[l].w1[i]));
      } else {
        EXPECT_EQ(w[i], before.layers[l].w1[i]);
        kept_min = std::min(kept_min, std::fabs(w[i]));
      }
    }
    EXPECT_EQ(zeros, w.size() / 2);
    EXPECT_LE(dropped_max, kept_min);
    EXPECT_EQ(c.layers[l].rms_att, before.layers[l].rms_att);
  }
  EXPECT_EQ(c.token_embedding, before.token_embedding);
  EXPECT_EQ(c.classifier, before.classifier);
  EXPECT_THROW(prune(c, 1.0), std::invalid_argument);
  EXPECT_THROW(prune(c, -0.1), std::invalid_argument);
}

TEST(LlmTokenizer, ReadsTok512) {
  const tokenizer t = tokenizer::read(llm_test::tokenizer_path, 512);
  EXPECT_EQ(t.vocab_size(), 512);
  EXPECT_EQ(t.piece(0), "<unk>");
  EXPECT_EQ(t.piece(3), "<0x00>");
  EXPECT_EQ(t.piece(258), "<0xFF>");
}

TEST(LlmTokenizer, EncodeDecodeRoundTrip) {
  const tokenizer t = tokenizer::read(llm_test::tokenizer_path, 512);
  EXPECT_EQ(t.encode("", true), std::vector<int>{bos_token});
  EXPECT_TRUE(t.encode("", false).empty());
  for (const std::string text :
       {"Once upon a time, there was a little girl named Lily.", "Hi!\nBye", "caf\xc3\xa9 {x}"}) {
    const std::vector<int> ids = t.encode(text, true);
    ASSERT_EQ(ids[0], bos_token);
    std::string back;
    for (std::size_t i = 1; i < ids.size(); ++i) back += t.decode(ids[i - 1], ids[i]);
    EXPECT_EQ(back, text);
  }
  EXPECT_EQ(t.encode("Once upon a time", false).size(), 4u);  // " Once", " upon", " a", " time"
  // Byte fallback: a character the vocabulary lacks (an emoji) becomes its byte tokens.
  const std::vector<int> e = t.encode("\xf0\x9f\x98\x80", false);
  ASSERT_EQ(e.size(), 5u);
  EXPECT_EQ(t.piece(e[0]), " ");
  EXPECT_EQ(std::vector<int>(e.begin() + 1, e.end()),
            (std::vector<int>{3 + 0xf0, 3 + 0x9f, 3 + 0x98, 3 + 0x80}));
  EXPECT_EQ(t.decode(5, 3 + '\n'), "\n");
}

TEST(LlmTokenizer, DecodeDropsTheSpaceAfterBosOnly) {
  const tokenizer t = tokenizer::read(llm_test::tokenizer_path, 512);
  const std::vector<int> ids = t.encode("Once", false);
  ASSERT_EQ(ids.size(), 1u);
  EXPECT_EQ(t.piece(ids[0]), " Once");
  EXPECT_EQ(t.decode(bos_token, ids[0]), "Once");
  EXPECT_EQ(t.decode(100, ids[0]), " Once");
}

namespace {

// A two-token tokenizer file: max length 4, tokens "a" and "bc".
std::vector<std::uint8_t> small_tokenizer() {
  std::vector<std::uint8_t> b;
  put32(b, 4);
  put_float(b, 0.0f);
  put32(b, 1);
  b.push_back('a');
  put_float(b, -1.0f);
  put32(b, 2);
  b.push_back('b');
  b.push_back('c');
  return b;
}

}  // namespace

TEST(LlmTokenizer, Errors) {
  bool missing = false;
  EXPECT_NE(error_of([] { tokenizer::read("/nonexistent/t.bin", 512); }, &missing).find("cannot read"),
            std::string::npos);
  EXPECT_TRUE(missing);
  EXPECT_EQ(tokenizer::parse(small_tokenizer(), 2, "t").piece(1), "bc");
  EXPECT_EQ(error_of([] { tokenizer::parse({}, 2, "t"); }, &missing), "t: truncated at byte 0 in the header");
  EXPECT_FALSE(missing);
  EXPECT_EQ(error_of([] { tokenizer::parse(small_tokenizer(), 0, "t"); }),
            "t: vocabulary size 0 is not positive");
  auto b = small_tokenizer();
  b[0] = 0;
  EXPECT_EQ(error_of([&] { tokenizer::parse(b, 2, "t"); }), "t: max_token_length 0 is outside 1..1024");
  b = small_tokenizer();
  b.pop_back();
  EXPECT_EQ(error_of([&] { tokenizer::parse(b, 2, "t"); }), "t: truncated at byte 22 in token 1 of 2");
  b.resize(15);
  EXPECT_EQ(error_of([&] { tokenizer::parse(b, 2, "t"); }), "t: truncated at byte 15 in token 1 of 2");
  EXPECT_EQ(error_of([] { tokenizer::parse(small_tokenizer(), 3, "t"); }),
            "t: truncated at byte 23 in token 2 of 3");
  EXPECT_EQ(error_of([] { tokenizer::parse(small_tokenizer(), 1, "t"); }),
            "t: 10 bytes after token 0 (a tokenizer for another vocabulary size?)");
  b = small_tokenizer();
  b[8] = 9;  // length of token 0
  EXPECT_EQ(error_of([&] { tokenizer::parse(b, 2, "t"); }),
            "t: token 0 of 2: length 9 is outside 0..4 (max_token_length)");
  b[8] = 0xff, b[9] = 0xff, b[10] = 0xff, b[11] = 0xff;  // -1
  EXPECT_EQ(error_of([&] { tokenizer::parse(b, 2, "t"); }),
            "t: token 0 of 2: length -1 is outside 0..4 (max_token_length)");
  b = small_tokenizer();
  std::vector<std::uint8_t> inf;
  put_float(inf, std::numeric_limits<float>::infinity());
  std::copy(inf.begin(), inf.end(), b.begin() + 4);
  EXPECT_EQ(error_of([&] { tokenizer::parse(b, 2, "t"); }), "t: token 0 of 2: score is not a finite number");
  // The real tokenizer read for another vocabulary size.
  EXPECT_NE(error_of([] {
              tokenizer::read(llm_test::tokenizer_path, 1000);
            }).find("truncated at byte 6227 in token 512"),
            std::string::npos);
}
