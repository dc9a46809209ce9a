// nvr-llm-ref: the host references of the LLM workload (issue #8) on a llama2.c checkpoint.
// Generates text greedily with the float32 or the integer-only model, or measures their top-1
// agreement over a fixed prompt set.
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <optional>
#include <string>

#include "workloads/llm/float_model.h"
#include "workloads/llm/int_model.h"
#include "workloads/llm/prompts.h"
#include "workloads/llm/tokenizer.h"

#ifndef NVR_LLM_DATA_DIR
#define NVR_LLM_DATA_DIR "workloads/data"
#endif

namespace {

namespace exit_code {
constexpr int ok = 0;
constexpr int usage = 64;     // EX_USAGE
constexpr int data = 65;      // EX_DATAERR: malformed checkpoint or tokenizer
constexpr int no_input = 66;  // EX_NOINPUT
}  // namespace exit_code

const char* const synopsis =
    "Usage: nvr-llm-ref [--prompt TEXT] [--tokens N] [--mode float|int] [--sparsity P]\n"
    "                   [--gsq GROUP:EXP:MANT] [--checkpoint FILE] [--tokenizer FILE]\n"
    "       nvr-llm-ref --agreement [--tokens N] [--sparsity P | --gsq GROUP:EXP:MANT]\n"
    "                   [--checkpoint FILE] [--tokenizer FILE]\n";

int usage(const std::string& problem) {
  std::cerr << "nvr-llm-ref: " << problem << "\n" << synopsis;
  return exit_code::usage;
}

bool parse_long(const std::string& text, long lo, long hi, long& out) {
  char* end = nullptr;
  errno = 0;
  const long v = std::strtol(text.c_str(), &end, 10);
  if (text.empty() || *end != '\0' || errno != 0 || v < lo || v > hi) return false;
  out = v;
  return true;
}

bool parse_fraction(const std::string& text, double& out) {
  char* end = nullptr;
  errno = 0;
  const double v = std::strtod(text.c_str(), &end);
  if (text.empty() || *end != '\0' || errno != 0 || !(v >= 0.0 && v < 1.0)) return false;
  out = v;
  return true;
}

// Bytes that are neither printable nor whitespace are left out (byte tokens can form anything).
std::string printable(const std::string& s) {
  std::string out;
  for (char c : s) {
    const auto u = static_cast<unsigned char>(c);
    if (u >= 0x20 || c == '\n' || c == '\t') out += c;
  }
  return out;
}

double seconds_since(std::chrono::steady_clock::time_point t0) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
}

int run(int argc, char** argv) {
  std::string prompt, mode = "float";
  bool prompt_given = false, mode_given = false;
  std::string checkpoint_path = NVR_LLM_DATA_DIR "/stories260K.bin",
              tokenizer_path = NVR_LLM_DATA_DIR "/tok512.bin";
  long tokens = 256;
  double sparsity = 0.0;
  bool agreement = false;
  std::optional<nvr::llm::gsq_format> gsq;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    auto value = [&](std::string& out) {
      if (i + 1 >= argc) return false;
      out = argv[++i];
      return true;
    };
    std::string v;
    if (arg == "--help" || arg == "-h") {
      std::cout
          << synopsis
          << "  --prompt TEXT      start of the story (default: empty, i.e. BOS only)\n"
             "  --tokens N         tokens to generate (default 256; stops early at BOS/EOS or the\n"
             "                     end of the context)\n"
             "  --mode float|int   the float32 reference or the integer-only model (default float)\n"
             "  --sparsity P       prune each linear layer to P (0 <= P < 1) by magnitude first; the\n"
             "                     integer model then runs them as CSR SpMV\n"
             "  --gsq G:E:M        the integer model's linear layers in a group-shared exponent format:\n"
             "                     groups of G weights along a row share an E-bit exponent, M-bit\n"
             "                     signed mantissas (e.g. 32:5:8; dense only)\n"
             "  --agreement        top-1 agreement of int vs float over the fixed prompt set,\n"
             "                     teacher-forced on the float model's greedy tokens\n"
             "  --checkpoint FILE  llama2.c checkpoint (default " NVR_LLM_DATA_DIR
             "/stories260K.bin)\n"
             "  --tokenizer FILE   its tokenizer (default " NVR_LLM_DATA_DIR "/tok512.bin)\n";
      return exit_code::ok;
    } else if (arg == "--prompt") {
      if (!value(prompt)) return usage("--prompt needs a value");
      prompt_given = true;
    } else if (arg == "--tokens") {
      if (!value(v)) return usage("--tokens needs a value");
      if (!parse_long(v, 0, 1 << 20, tokens))
        return usage("--tokens: '" + v + "' is not a number in 0..1048576");
    } else if (arg == "--mode") {
      if (!value(mode)) return usage("--mode needs a value");
      mode_given = true;
      if (mode != "float" && mode != "int") return usage("--mode: '" + mode + "' is neither float nor int");
    } else if (arg == "--sparsity") {
      if (!value(v)) return usage("--sparsity needs a value");
      if (!parse_fraction(v, sparsity)) return usage("--sparsity: '" + v + "' is not a fraction in [0, 1)");
    } else if (arg == "--checkpoint") {
      if (!value(checkpoint_path)) return usage("--checkpoint needs a value");
    } else if (arg == "--tokenizer") {
      if (!value(tokenizer_path)) return usage("--tokenizer needs a value");
    } else if (arg == "--gsq") {
      if (!value(v)) return usage("--gsq needs a value");
      nvr::llm::gsq_format f;
      char tail = 0;
      if (std::sscanf(v.c_str(), "%d:%d:%d%c", &f.group, &f.exp_bits, &f.mant_bits, &tail) != 3)
        return usage("--gsq: '" + v + "' is not GROUP:EXP_BITS:MANT_BITS");
      if (const std::string problem = nvr::llm::check(f); !problem.empty()) return usage("--gsq: " + problem);
      gsq = f;
    } else if (arg == "--agreement") {
      agreement = true;
    } else {
      return usage("unknown argument '" + arg + "'");
    }
  }

  if (gsq && sparsity > 0.0) return usage("--gsq and --sparsity do not combine (GSQ weights are dense)");
  if (gsq && !agreement && mode == "float")
    return usage("--gsq applies to the integer model: add --mode int");
  if (agreement && (prompt_given || mode_given))
    return usage("--agreement runs both modes over its own prompt set: no --prompt or --mode");
  // load_error (unreadable or malformed files, weights the integer model cannot scale) is
  // caught in main.
  nvr::llm::checkpoint ckpt = nvr::llm::read_checkpoint(checkpoint_path);
  const nvr::llm::tokenizer tok = nvr::llm::tokenizer::read(tokenizer_path, ckpt.cfg.vocab_size);
  const int context = ckpt.cfg.seq_len;
  if (sparsity > 0.0) nvr::llm::prune(ckpt, sparsity);
  const nvr::llm::weight_format format{sparsity > 0.0, gsq};

  const std::string weights = gsq ? "GSQ " + std::to_string(gsq->group) + ":" +
                                        std::to_string(gsq->exp_bits) + ":" + std::to_string(gsq->mant_bits)
                                  : "int8 per channel";
  if (agreement) {
    const auto t0 = std::chrono::steady_clock::now();
    nvr::llm::float_model f(ckpt);
    nvr::llm::int_model q(ckpt, format);
    nvr::llm::agreement total;
    std::size_t generated = 0;
    for (const char* p : nvr::llm::agreement_prompts) {
      const auto g = nvr::llm::generate(f, tok.encode(p, true), static_cast<int>(tokens));
      generated += g.tokens.size() - g.prompt_length;
      const auto a = nvr::llm::compare(f, q, g.tokens);
      total.agree += a.agree;
      total.total += a.total;
    }
    std::printf(
        "agreement: %zu/%zu positions = %.2f%% (int vs float top-1, teacher-forced; %zu prompts, %zu "
        "generated tokens, sparsity %.2f, weights %s)\n",
        total.agree, total.total, 100.0 * total.fraction(), std::size(nvr::llm::agreement_prompts), generated,
        sparsity, weights.c_str());
    std::fprintf(stderr, "nvr-llm-ref: %.2f s\n", seconds_since(t0));
    return exit_code::ok;
  }

  const std::vector<int> ids = tok.encode(prompt, true);
  if (ids.size() >= static_cast<std::size_t>(context))
    return usage("--prompt: " + std::to_string(ids.size()) + " tokens do not fit the context of " +
                 std::to_string(context));
  const auto t0 = std::chrono::steady_clock::now();
  nvr::llm::generation g;
  if (mode == "float") {
    nvr::llm::float_model m(ckpt);
    g = nvr::llm::generate(m, ids, static_cast<int>(tokens));
  } else {
    nvr::llm::int_model m(ckpt, format);
    g = nvr::llm::generate(m, ids, static_cast<int>(tokens));
  }
  const double s = seconds_since(t0);
  std::string text;
  for (std::size_t i = 1; i < g.tokens.size(); ++i) text += tok.decode(g.tokens[i - 1], g.tokens[i]);
  std::cout << printable(text) << "\n";
  std::fprintf(stderr, "nvr-llm-ref: %s, %zu prompt + %zu generated tokens in %.3f s\n", mode.c_str(),
               g.prompt_length, g.tokens.size() - g.prompt_length, s);
  return exit_code::ok;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return run(argc, argv);
  } catch (const nvr::llm::load_error& e) {
    std::cerr << "nvr-llm-ref: " << e.what() << "\n";
    return e.missing() ? exit_code::no_input : exit_code::data;
  } catch (const std::exception& e) {
    std::cerr << "nvr-llm-ref: internal error: " << e.what() << "\n";
    return 70;
  }
}
