// The float32 and integer models on the real checkpoint: the float story, the integer model's
// determinism and its agreement with the float model, sparse (CSR) against dense.
#include <gtest/gtest.h>

#include "tests/workloads/llm/llm_test_files.h"
#include "workloads/llm/float_model.h"
#include "workloads/llm/int_model.h"
#include "workloads/llm/prompts.h"
#include "workloads/llm/tokenizer.h"

using namespace nvr::llm;

namespace {

std::string text_of(const tokenizer& t, const std::vector<int>& ids) {
  std::string s;
  for (std::size_t i = 1; i < ids.size(); ++i) s += t.decode(ids[i - 1], ids[i]);
  return s;
}

}  // namespace

TEST(LlmFloat, GreedyStoryFromBos) {
  const checkpoint c = read_checkpoint(llm_test::checkpoint_path);
  const tokenizer t = tokenizer::read(llm_test::tokenizer_path, c.cfg.vocab_size);
  float_model m(c);
  const generation g = generate(m, {bos_token}, 20);
  EXPECT_EQ(g.prompt_length, 1u);
  EXPECT_EQ(g.tokens.size(), 21u);
  EXPECT_EQ(text_of(t, g.tokens).rfind("Once upon a time, there was a little girl named Lily.", 0), 0u)
      << text_of(t, g.tokens);
}

TEST(LlmFloat, ForwardRejectsBadTokenAndPosition) {
  float_model m(read_checkpoint(llm_test::checkpoint_path));
  EXPECT_THROW(m.forward(512, 0), std::out_of_range);
  EXPECT_THROW(m.forward(-1, 0), std::out_of_range);
  EXPECT_THROW(m.forward(1, 512), std::out_of_range);
  EXPECT_THROW(generate(m, {}, 3), std::invalid_argument);
}

TEST(LlmFloat, GenerationStopsAtTheEndOfTheContext) {
  llm_test::shape s;  // seq_len 8
  float_model m(parse_checkpoint(llm_test::synthetic_checkpoint(s), "c"));
  const generation g = generate(m, {bos_token, 5, 6}, 100);
  // Random weights may emit BOS/EOS (a stop); never more than the context.
  EXPECT_LE(g.tokens.size(), 8u);
  EXPECT_EQ(generate(m, {bos_token, 5, 6}, 0).tokens.size(), 3u);
}

TEST(LlmInt, GreedyStoryFromBosIsDeterministic) {
  const checkpoint c = read_checkpoint(llm_test::checkpoint_path);
  const tokenizer t = tokenizer::read(llm_test::tokenizer_path, c.cfg.vocab_size);
  int_model a(c), b(c);
  const generation ga = generate(a, {bos_token}, 60), gb = generate(b, {bos_token}, 60);
  EXPECT_EQ(ga.tokens, gb.tokens);
  EXPECT_EQ(text_of(t, ga.tokens).rfind("Once upon a time, there was a little girl named Lily.", 0), 0u)
      << text_of(t, ga.tokens);
  // Bit-exact logits at every position, also when the model is rerun (cache overwritten).
  for (std::size_t pos = 0; pos < ga.tokens.size(); ++pos) {
    const auto la = a.forward(ga.tokens[pos], static_cast<int>(pos));
    ASSERT_EQ(la, b.forward(ga.tokens[pos], static_cast<int>(pos))) << pos;
  }
}

TEST(LlmInt, LogitsOfTheFirstTokenAreCloseToFloat) {
  const checkpoint c = read_checkpoint(llm_test::checkpoint_path);
  float_model f(c);
  int_model q(c);
  const auto& lf = f.forward(bos_token, 0);
  const auto& lq = q.forward(bos_token, 0);
  double err = 0.0, norm = 0.0;
  for (std::size_t i = 0; i < lf.size(); ++i) {
    const double d = lq[i] / 4096.0 - lf[i];
    err += d * d;
    norm += double{lf[i]} * lf[i];
  }
  EXPECT_LT(std::sqrt(err / norm), 0.05);  // measured 0.017 (int8 weights and activations)
}

// Teacher-forced top-1 agreement of int vs float over the fixed prompt set, 64 tokens each
// (measured 567/586 = 96.8%; the tool reports 96.7% at 200 tokens, 96.9% at 400). Disagreements are
// near-ties: at N = 200 the float model's top-2 margin is <= 0.20 at all 55 (median 2.0 over all positions),
// so int8 noise flips them; a broken operator drops this far below 90%.
TEST(LlmInt, TopOneAgreementWithFloat) {
  const checkpoint c = read_checkpoint(llm_test::checkpoint_path);
  const tokenizer t = tokenizer::read(llm_test::tokenizer_path, c.cfg.vocab_size);
  float_model f(c);
  int_model q(c);
  agreement total;
  for (const char* p : agreement_prompts) {
    const generation g = generate(f, t.encode(p, true), 64);
    const agreement a = compare(f, q, g.tokens);
    total.agree += a.agree;
    total.total += a.total;
  }
  EXPECT_GT(total.total, 500u);
  EXPECT_GE(total.fraction(), 0.93) << total.agree << "/" << total.total;
}

TEST(LlmInt, SparseCsrEqualsDenseWithZeros) {
  checkpoint c = read_checkpoint(llm_test::checkpoint_path);
  prune(c, 0.6);
  int_model dense(c, false), sparse(c, true);
  EXPECT_EQ(dense.linear_weights(), sparse.linear_weights());
  EXPECT_LE(dense.linear_nonzeros(), dense.linear_weights() * 4 / 10 + 35);  // floor per matrix
  const std::vector<int> tokens = {bos_token, 400, 300, 261, 70, 90};
  for (std::size_t pos = 0; pos < tokens.size(); ++pos) {
    const auto ld = dense.forward(tokens[pos], static_cast<int>(pos));
    ASSERT_EQ(ld, sparse.forward(tokens[pos], static_cast<int>(pos))) << pos;
  }
}

TEST(LlmInt, ForwardRejectsBadTokenAndPosition) {
  int_model m(read_checkpoint(llm_test::checkpoint_path));
  EXPECT_THROW(m.forward(512, 0), std::out_of_range);
  EXPECT_THROW(m.forward(0, -1), std::out_of_range);
  EXPECT_THROW(m.forward(0, 512), std::out_of_range);
}

TEST(LlmInt, SyntheticCheckpointRuns) {
  // Shapes other than stories260K: an unshared classifier, one KV head for two query heads.
  llm_test::shape s;
  s.vocab = -16;
  const checkpoint c = parse_checkpoint(llm_test::synthetic_checkpoint(s, 3), "c");
  int_model q(c);
  float_model f(c);
  const generation g = generate(f, {bos_token, 4, 9}, 5);
  const agreement a = compare(f, q, g.tokens);
  EXPECT_EQ(a.total, g.tokens.size());
}

TEST(LlmInt, WeightsBeyondTheDyadicRangeAreAClearError) {
  checkpoint c = parse_checkpoint(llm_test::synthetic_checkpoint({}), "c");
  c.layers[1].w2[5] = 1e12f;  // per-channel scale * 2^16 / 127 needs more than 31 bits
  try {
    int_model m(c);
    FAIL() << "no error";
  } catch (const load_error& e) {
    EXPECT_FALSE(e.missing());
    EXPECT_STREQ(
        e.what(),
        "weights out of range for the integer model: to_dyadic: scale does not fit an int32 multiplier");
  }
}

TEST(LlmInt, EveryTruncationOfTheShippedFilesIsAClearError) {
  // The readers never crash or accept a cut file: every tokenizer length, checkpoint lengths
  // across the header and the weights.
  const auto tok = read_file(llm_test::tokenizer_path);
  for (std::size_t n = 0; n < tok.size(); ++n)
    ASSERT_THROW(tokenizer::parse(std::vector<std::uint8_t>(tok.begin(), tok.begin() + static_cast<long>(n)),
                                  512, "t"),
                 load_error)
        << n;
  const auto ckpt = read_file(llm_test::checkpoint_path);
  for (std::size_t n = 0; n < ckpt.size(); n += n < 64 ? 1 : 9973)
    ASSERT_THROW(
        parse_checkpoint(std::vector<std::uint8_t>(ckpt.begin(), ckpt.begin() + static_cast<long>(n)), "c"),
        load_error)
        << n;
}

TEST(LlmInt, GsqWeightsAgreeWithFloat) {
  // GSQ 32:5:8 on the linear layers: measured 96.9% at N = 200 (int8 per channel: 96.7%).
  const checkpoint c = read_checkpoint(llm_test::checkpoint_path);
  const tokenizer t = tokenizer::read(llm_test::tokenizer_path, c.cfg.vocab_size);
  float_model f(c);
  int_model q(c, weight_format{false, gsq_format{32, 5, 8}}),
      q2(c, weight_format{false, gsq_format{32, 5, 8}});
  agreement total;
  for (const char* p : agreement_prompts) {
    const generation g = generate(f, t.encode(p, true), 32);
    const agreement a = compare(f, q, g.tokens);
    total.agree += a.agree;
    total.total += a.total;
  }
  EXPECT_GE(total.fraction(), 0.93) << total.agree << "/" << total.total;
  EXPECT_EQ(generate(q, {bos_token}, 30).tokens, generate(q2, {bos_token}, 30).tokens);
}

namespace {

// FNV-1a over the int32 logits of every position of the greedy run from BOS.
std::uint64_t logits_digest(int_model& m, int n) {
  std::uint64_t h = 0xcbf29ce484222325u;
  int token = bos_token;
  for (int pos = 0; pos < n; ++pos) {
    const auto& l = m.forward(token, pos);
    for (std::int32_t v : l)
      for (int b = 0; b < 4; ++b)
        h = (h ^ ((static_cast<std::uint32_t>(v) >> (8 * b)) & 0xff)) * 0x100000001b3u;
    token = static_cast<int>(npu_ref::argmax(l));
  }
  return h;
}

}  // namespace

// The integer reference pinned bit for bit (32 positions x 512 logits). The firmware's goldens
// come from this reference: when a change to the operators or the quantisation moves these
// digests, it is deliberate and the goldens are regenerated.
TEST(LlmInt, LogitsArePinned) {
  const checkpoint c = read_checkpoint(llm_test::checkpoint_path);
  int_model q(c);
  int_model g(c, weight_format{false, gsq_format{32, 5, 8}});
  EXPECT_EQ(logits_digest(q, 32), 5791454206917124011u);
  EXPECT_EQ(logits_digest(g, 32), 7903702811143374345u);
}
