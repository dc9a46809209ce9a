// nvr-llm-image: packs the llm workload for the platform (issue #8): the integer model's
// quantised weights (dense int8 or CSR), the tokenizer's pieces, the prompt's token ids and the
// golden outputs of the host integer reference (the logits and next token of every position)
// into a workload image (firmware/workloads/llm/llm_image.h) that firmware/workloads/llm runs.
#include <algorithm>
#include <boost/program_options.hpp>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <optional>
#include <stdexcept>
#include <string>
#include <vector>

#include "firmware/workloads/llm/llm_image.h"
#include "workloads/image/workload_image.h"
#include "workloads/llm/float_model.h"
#include "workloads/llm/int_model.h"
#include "workloads/llm/tokenizer.h"

#ifndef NVR_LLM_DATA_DIR
#define NVR_LLM_DATA_DIR "workloads/data"
#endif

namespace po = boost::program_options;

namespace {

namespace exit_code {
constexpr int ok = 0;
constexpr int usage = 64;     // EX_USAGE
constexpr int data = 65;      // EX_DATAERR: malformed checkpoint or tokenizer
constexpr int no_input = 66;  // EX_NOINPUT
constexpr int cant_create = 74;
}  // namespace exit_code

class usage_error : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

struct settings {
  std::string output, prompt, name, checkpoint, tokenizer;
  int tokens = 0;
  double sparsity = 0.0;
  std::optional<nvr::llm::gsq_format> gsq;
};

// The defaults keep one platform run within seconds of host time (README: ~2 s dense, ~11 s CSR).
constexpr const char* default_prompt = "Once upon a time";
constexpr int default_tokens = 100;

std::optional<settings> parse(int argc, char** argv) {
  settings s;
  po::options_description d("Usage: nvr-llm-image [options] -o FILE\nOptions");
  d.add_options()("help,h", "print this help and exit")("output,o", po::value<std::string>(&s.output),
                                                        "the image file to write")(
      "prompt", po::value<std::string>(&s.prompt)->default_value(default_prompt), "start of the story")(
      "tokens", po::value<std::string>()->default_value(std::to_string(default_tokens)),
      "tokens to generate after the prompt (1..400; fewer when the story ends)")(
      "sparsity", po::value<std::string>()->default_value("0"),
      "prune wq..w3 to this fraction of zeros (0 <= P < 1) by magnitude and store them as CSR: the "
      "firmware runs them as SpMV on the sparse unit")(
      "gsq", po::value<std::string>()->value_name("G:E:M"),
      "wq..w3 in the group-shared exponent format of the host reference: groups of G weights along a "
      "row share an E-bit exponent offset, M-bit signed mantissas (e.g. 32:5:8; dense only)")(
      "name", po::value<std::string>(&s.name),
      "workload name in the header (default llm, llm_sparse with --sparsity > 0): the firmware and "
      "`nvr-vp --workload NAME` must agree")(
      "checkpoint", po::value<std::string>(&s.checkpoint)->default_value(NVR_LLM_DATA_DIR "/stories260K.bin"),
      "llama2.c checkpoint")(
      "tokenizer", po::value<std::string>(&s.tokenizer)->default_value(NVR_LLM_DATA_DIR "/tok512.bin"),
      "its tokenizer");
  po::variables_map v;
  try {
    po::store(po::command_line_parser(argc, argv).options(d).run(), v);
    if (v.count("help")) {
      std::cout << d;
      return std::nullopt;
    }
    po::notify(v);
  } catch (const po::error& e) {
    throw usage_error(e.what());
  }
  const std::string tokens = v["tokens"].as<std::string>(), sparsity = v["sparsity"].as<std::string>();
  std::size_t end = 0;
  try {
    s.tokens = std::stoi(tokens, &end);
  } catch (const std::exception&) {
    end = 0;
  }
  if (end != tokens.size() || tokens.empty() || s.tokens < 1 || s.tokens > 400)
    throw usage_error("--tokens: '" + tokens + "' is not a number in 1..400");
  end = 0;
  try {
    s.sparsity = std::stod(sparsity, &end);
  } catch (const std::exception&) {
    end = 0;
  }
  if (end != sparsity.size() || sparsity.empty() || !(s.sparsity >= 0.0 && s.sparsity < 1.0))
    throw usage_error("--sparsity: '" + sparsity + "' is not a fraction in [0, 1)");
  if (v.count("gsq")) {
    const std::string text = v["gsq"].as<std::string>();
    nvr::llm::gsq_format f;
    char tail = 0;
    if (std::sscanf(text.c_str(), "%d:%d:%d%c", &f.group, &f.exp_bits, &f.mant_bits, &tail) != 3)
      throw usage_error("--gsq: '" + text + "' is not GROUP:EXP_BITS:MANT_BITS");
    if (const std::string problem = nvr::llm::check(f); !problem.empty())
      throw usage_error("--gsq: " + problem);
    if (s.sparsity > 0.0) throw usage_error("--gsq and --sparsity do not combine (GSQ weights are dense)");
    s.gsq = f;
  }
  if (s.output.empty()) throw usage_error("no output file (-o FILE)");
  if (s.name.empty()) s.name = s.sparsity > 0.0 ? "llm_sparse" : "llm";
  if (s.name.size() >= WIMG_NAME_BYTES)
    throw usage_error("--name: '" + s.name + "' is longer than " + std::to_string(WIMG_NAME_BYTES - 1) +
                      " characters");
  return s;
}

// Linear layers of the same input stacked (rows of the first, then of the next...): one matmul.
nvr::llm::qlinear concat(const std::vector<const nvr::llm::qlinear*>& parts, bool sparse) {
  nvr::llm::qlinear out;
  const nvr::llm::qlinear& first = *parts.front();
  out.cols = first.cols;
  out.group = first.group;
  for (const nvr::llm::qlinear* q : parts) out.rows += q->rows;
  out.w = npu_ref::matrix_i8(static_cast<std::size_t>(out.rows), static_cast<std::size_t>(out.cols));
  if (out.group > 0) out.group_shift = npu_ref::matrix<std::uint8_t>(out.w.rows, first.group_shift.cols);
  std::size_t row = 0;
  for (const nvr::llm::qlinear* q : parts) {
    std::copy(q->w.data.begin(), q->w.data.end(),
              out.w.data.begin() + static_cast<std::ptrdiff_t>(row * out.w.cols));
    out.requant.m.insert(out.requant.m.end(), q->requant.m.begin(), q->requant.m.end());
    if (out.group > 0)
      std::copy(q->group_shift.data.begin(), q->group_shift.data.end(),
                out.group_shift.data.begin() + static_cast<std::ptrdiff_t>(row * out.group_shift.cols));
    row += q->w.rows;
  }
  out.sparse = sparse;
  if (sparse) out.csr = npu_ref::csr_from_dense(out.w);
  return out;
}

// Weights of a linear layer as the firmware's GEMM (A = W, N x K, times the token as one column)
// or SpMV (CSR) reads them.
void add_linear(nvr::wimg::writer& w, const std::string& p, const nvr::llm::qlinear& l, bool sparse) {
  w.add(p + ".m", l.requant.m);
  if (l.group > 0) {
    std::vector<std::int32_t> factors;
    for (std::size_t g = 0; g < l.group_shift.cols; ++g)
      for (std::size_t r = 0; r < l.group_shift.rows; ++r)
        factors.push_back(std::int32_t{1} << l.group_shift(r, g));
    w.add(p + ".d", factors);
  }
  if (sparse) {
    w.add(p + ".rp", l.csr.row_ptr);
    w.add(p + ".ci", l.csr.col_idx);
    w.add(p + ".v", l.csr.values);
    return;
  }
  w.add(p + ".w", l.w.data);
}

int run(const settings& s) {
  nvr::llm::checkpoint ckpt = nvr::llm::read_checkpoint(s.checkpoint);
  const nvr::llm::tokenizer tok = nvr::llm::tokenizer::read(s.tokenizer, ckpt.cfg.vocab_size);
  const nvr::llm::config& g = ckpt.cfg;
  if (g.dim > int{LLM_MAX_DIM} || g.hidden_dim > int{LLM_MAX_HIDDEN} || g.n_layers > int{LLM_MAX_LAYERS} ||
      g.n_heads > int{LLM_MAX_HEADS} || g.vocab_size > int{LLM_MAX_VOCAB} || g.dim % g.n_heads != 0 ||
      g.head_size() % 2 != 0)
    throw nvr::llm::load_error(s.checkpoint + ": the model is larger than the firmware's buffers", false);
  const bool sparse = s.sparsity > 0.0;
  const nvr::llm::checkpoint dense = ckpt;
  if (sparse) nvr::llm::prune(ckpt, s.sparsity);
  nvr::llm::int_model model(ckpt, nvr::llm::weight_format{sparse, s.gsq});

  const std::vector<int> prompt = tok.encode(s.prompt, true);
  const int context = std::min(g.seq_len, int{LLM_MAX_SEQ});
  if (static_cast<int>(prompt.size()) + s.tokens > context)
    throw usage_error("--prompt and --tokens: " + std::to_string(prompt.size()) + " + " +
                      std::to_string(s.tokens) + " tokens do not fit the context of " +
                      std::to_string(context));

  // The reference run, as nvr::llm::generate does it, keeping every position's logits.
  std::vector<int> tokens = prompt;
  std::vector<std::int32_t> next_ids, logits;
  int generated = 0;
  for (std::size_t pos = 0; pos < tokens.size(); ++pos) {
    const std::vector<std::int32_t>& l = model.forward(tokens[pos], static_cast<int>(pos));
    const auto next = static_cast<int>(npu_ref::argmax(l));
    next_ids.push_back(next);
    logits.insert(logits.end(), l.begin(), l.end());
    if (pos + 1 < tokens.size()) continue;
    if (generated == s.tokens || next == nvr::llm::bos_token || next == nvr::llm::eos_token) break;
    tokens.push_back(next);
    ++generated;
  }
  const auto steps = static_cast<std::uint32_t>(next_ids.size());
  // Quantisation quality on this story: the float32 model's top-1 at every position, fed the same
  // tokens (teacher-forced), of the same (pruned) weights and of the unpruned checkpoint.
  auto agree = [&](const nvr::llm::checkpoint& weights) {
    nvr::llm::float_model f(weights);
    std::uint32_t n = 0;
    for (std::uint32_t pos = 0; pos < steps; ++pos)
      n += f.next(tokens[pos], static_cast<int>(pos)) == next_ids[pos];
    return n;
  };
  const std::uint32_t agree_same = agree(ckpt), agree_dense = sparse ? agree(dense) : agree_same;

  llm_config c{};
  c.dim = static_cast<std::uint32_t>(g.dim);
  c.hidden_dim = static_cast<std::uint32_t>(g.hidden_dim);
  c.n_layers = static_cast<std::uint32_t>(g.n_layers);
  c.n_heads = static_cast<std::uint32_t>(g.n_heads);
  c.n_kv_heads = static_cast<std::uint32_t>(g.n_kv_heads);
  c.vocab_size = static_cast<std::uint32_t>(g.vocab_size);
  c.seq_len = static_cast<std::uint32_t>(context);
  c.head_size = static_cast<std::uint32_t>(g.head_size());
  c.n_prompt = static_cast<std::uint32_t>(prompt.size());
  c.n_tokens = static_cast<std::uint32_t>(s.tokens);
  c.n_generated = static_cast<std::uint32_t>(generated);
  c.n_steps = steps;
  c.sparse = sparse;
  c.nonzeros = static_cast<std::uint32_t>(model.linear_nonzeros());
  c.weights = static_cast<std::uint32_t>(model.linear_weights());
  c.act_bits = nvr::llm::act_bits;
  c.norm_bits = nvr::llm::norm_bits;
  c.amax_shift = nvr::llm::amax_shift;
  c.rope_bits = nvr::llm::rope_bits;
  c.softmax_bits = nvr::llm::softmax_bits;
  c.softmax_clip = static_cast<std::uint32_t>(nvr::llm::softmax_clip);
  c.prob_bits = nvr::llm::prob_bits;
  c.embed_shift = static_cast<std::int32_t>(model.embed_scale().shift);
  c.att_m = model.att_scale().m;
  c.att_shift = static_cast<std::int32_t>(model.att_scale().shift);
  c.pv_m = model.pv_scale().m;
  c.pv_shift = static_cast<std::int32_t>(model.pv_scale().shift);
  c.bos = nvr::llm::bos_token;
  c.eos = nvr::llm::eos_token;
  c.sparsity_permille = static_cast<std::uint32_t>(std::lround(s.sparsity * 1000.0));
  if (s.gsq) {
    c.gsq_group = static_cast<std::uint32_t>(s.gsq->group);
    c.gsq_exp_bits = static_cast<std::uint32_t>(s.gsq->exp_bits);
    c.gsq_mant_bits = static_cast<std::uint32_t>(s.gsq->mant_bits);
  }

  c.float_agree = agree_same;
  c.float_dense_agree = agree_dense;

  const std::string variant = sparse ? "csr" + std::to_string(c.sparsity_permille / 10)
                              : s.gsq
                                  ? "gsq" + std::to_string(c.gsq_group) + ":" +
                                        std::to_string(c.gsq_exp_bits) + ":" + std::to_string(c.gsq_mant_bits)
                                  : "int8";
  nvr::wimg::writer w(s.name, variant, 0, sparse ? 1u : 0u);
  w.add("config", &c, sizeof c);
  std::vector<std::int32_t> prompt_ids(prompt.begin(), prompt.end());
  w.add("prompt", prompt_ids);
  w.add("embed", model.embedding().data);
  w.add("embed.m", model.embed_scale().m);
  std::vector<std::int32_t> shifts;
  // Matrices of the same input are one matmul: q, k, v ("qkv") and gate, up ("w13").
  for (std::size_t l = 0; l < model.layers().size(); ++l) {
    const auto& ly = model.layers()[l];
    const std::string p = "l" + std::to_string(l) + ".";
    add_linear(w, p + "qkv", concat({&ly.wq, &ly.wk, &ly.wv}, sparse), sparse);
    add_linear(w, p + "wo", ly.wo, sparse);
    add_linear(w, p + "w13", concat({&ly.w1, &ly.w3}, sparse), sparse);
    add_linear(w, p + "w2", ly.w2, sparse);
    for (const nvr::llm::qlinear* q : {&ly.wq, &ly.wk, &ly.wv, &ly.wo, &ly.w1, &ly.w2, &ly.w3})
      shifts.push_back(static_cast<std::int32_t>(q->requant.shift));
  }
  add_linear(w, "cls", model.classifier(), false);
  shifts.push_back(static_cast<std::int32_t>(model.classifier().requant.shift));
  w.add("shifts", shifts);

  // RoPE of the pairs (2j, 2j+1) of every head, indexed by pair i = 0..dim/2-1 (j = i % half).
  const int half = g.head_size() / 2;
  std::vector<std::int32_t> cosv, sinv, nsinv;
  for (std::uint32_t pos = 0; pos < steps; ++pos)
    for (int i = 0; i < g.dim / 2; ++i) {
      const auto p = static_cast<int>(pos);
      cosv.push_back(model.rope_tables().cos(p, i % half));
      sinv.push_back(model.rope_tables().sin(p, i % half));
      nsinv.push_back(-model.rope_tables().sin(p, i % half));
    }
  w.add("rope.cos", cosv);
  w.add("rope.sin", sinv);
  w.add("rope.nsin", nsinv);

  // Token pieces as the decoder prints them: byte tokens "<0xHH>" as their byte (the leading
  // space after BOS is the firmware's to drop, as tokenizer::decode does).
  std::vector<std::uint32_t> offsets{0};
  std::string pieces;
  for (int t = 0; t < g.vocab_size; ++t) {
    pieces += tok.decode(0, t);
    offsets.push_back(static_cast<std::uint32_t>(pieces.size()));
  }
  w.add("vocab.off", offsets);
  w.add("vocab.str", pieces.data(), pieces.size());

  w.add("gold.next", next_ids);
  w.add("gold.logits", logits);
  std::vector<std::int32_t> story(tokens.begin(), tokens.end());
  w.add("gold.tokens", story);
  try {
    w.write(s.output);
  } catch (const std::exception&) {
    std::cerr << "nvr-llm-image: cannot write '" << s.output << "'\n";
    return exit_code::cant_create;
  }
  std::string text;
  for (std::size_t i = 1; i < tokens.size(); ++i) text += tok.decode(tokens[i - 1], tokens[i]);
  std::printf(
      "nvr-llm-image: %s (%s): %u prompt + %d generated tokens, %u positions, %u/%u linear weights kept\n",
      s.name.c_str(), variant.c_str(), c.n_prompt, generated, steps, c.nonzeros, c.weights);
  std::printf("top-1 agreement with float32: %u/%u positions (%.1f%%)", agree_same, steps,
              100.0 * agree_same / steps);
  if (sparse)
    std::printf(", with the unpruned float32: %u/%u (%.1f%%)", agree_dense, steps,
                100.0 * agree_dense / steps);
  std::printf("\n%s\n", text.c_str());
  return exit_code::ok;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    const std::optional<settings> s = parse(argc, argv);
    return s ? run(*s) : exit_code::ok;
  } catch (const usage_error& e) {
    std::cerr << "nvr-llm-image: " << e.what() << "\n";
    return exit_code::usage;
  } catch (const nvr::llm::load_error& e) {
    std::cerr << "nvr-llm-image: " << e.what() << "\n";
    return e.missing() ? exit_code::no_input : exit_code::data;
  } catch (const std::exception& e) {
    std::cerr << "nvr-llm-image: internal error: " << e.what() << "\n";
    return 70;
  }
}
