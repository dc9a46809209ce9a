#include "workloads/llm/checkpoint.h"

#include <algorithm>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <iterator>
#include <numeric>

namespace nvr::llm {

std::vector<std::uint8_t> read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw load_error("cannot read '" + path + "': " + std::strerror(errno), true);
  std::vector<std::uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) throw load_error("cannot read '" + path + "'", true);
  return bytes;
}

namespace {

constexpr std::size_t header_bytes = 7 * 4;

std::int32_t le32(const std::uint8_t* p) {
  return static_cast<std::int32_t>(std::uint32_t{p[0]} | std::uint32_t{p[1]} << 8 |
                                   std::uint32_t{p[2]} << 16 | std::uint32_t{p[3]} << 24);
}

float lef32(const std::uint8_t* p) {
  const std::uint32_t u = static_cast<std::uint32_t>(le32(p));
  float f;
  std::memcpy(&f, &u, sizeof f);
  return f;
}

// Reads consecutive float arrays, checking each value is finite (a NaN weight would silently
// poison every later activation).
class float_reader {
 public:
  float_reader(const std::vector<std::uint8_t>& bytes, const std::string& name)
      : m_bytes(bytes), m_name(name), m_offset(header_bytes) {}
  std::vector<float> take(std::size_t n, const char* what) {
    std::vector<float> v(n);
    for (std::size_t i = 0; i < n; ++i) {
      v[i] = lef32(&m_bytes[m_offset + 4 * i]);
      if (!std::isfinite(v[i]))
        throw load_error(m_name + ": weight " + std::to_string(i) + " of " + what + " (byte offset " +
                             std::to_string(m_offset + 4 * i) + ") is not a finite number",
                         false);
    }
    m_offset += 4 * n;
    return v;
  }
  void skip(std::size_t n) { m_offset += 4 * n; }

 private:
  const std::vector<std::uint8_t>& m_bytes;
  const std::string& m_name;
  std::size_t m_offset;
};

}  // namespace

checkpoint parse_checkpoint(const std::vector<std::uint8_t>& bytes, const std::string& name) {
  if (bytes.size() < header_bytes)
    throw load_error(name + ": truncated header: " + std::to_string(bytes.size()) +
                         " bytes, a checkpoint has at least " + std::to_string(header_bytes),
                     false);
  checkpoint c;
  config& g = c.cfg;
  const char* names[] = {"dim", "hidden_dim", "n_layers", "n_heads", "n_kv_heads", "vocab_size", "seq_len"};
  // Bounds keep every size product far inside 64 bits and reject garbage before allocating.
  const std::int64_t limits[] = {1 << 16, 1 << 18, 1 << 10, 1 << 10, 1 << 10, 1 << 20, 1 << 20};
  std::int32_t h[7];
  for (int i = 0; i < 7; ++i) {
    h[i] = le32(&bytes[4 * i]);
    const std::int64_t v = i == 5 ? std::abs(std::int64_t{h[i]}) : h[i];
    if (v <= 0 || v > limits[i])
      throw load_error(name + ": header: " + names[i] + " " + std::to_string(h[i]) + " is outside 1.." +
                           std::to_string(limits[i]) + " (not a llama2.c checkpoint?)",
                       false);
  }
  g.dim = h[0];
  g.hidden_dim = h[1];
  g.n_layers = h[2];
  g.n_heads = h[3];
  g.n_kv_heads = h[4];
  g.shared_classifier = h[5] > 0;
  g.vocab_size = h[5] > 0 ? h[5] : -h[5];
  g.seq_len = h[6];
  if (g.dim % g.n_heads != 0)
    throw load_error(name + ": header: dim " + std::to_string(g.dim) + " is not a multiple of n_heads " +
                         std::to_string(g.n_heads),
                     false);
  if (g.n_kv_heads > g.n_heads || g.n_heads % g.n_kv_heads != 0)
    throw load_error(name + ": header: n_heads " + std::to_string(g.n_heads) +
                         " is not a multiple of n_kv_heads " + std::to_string(g.n_kv_heads),
                     false);
  if (g.head_size() % 2 != 0)
    throw load_error(
        name + ": header: head size " + std::to_string(g.head_size()) + " is odd (RoPE rotates pairs)",
        false);

  const std::uint64_t dim = g.dim, hid = g.hidden_dim, kv = g.kv_dim(), layers = g.n_layers,
                      vocab = g.vocab_size;
  const std::uint64_t per_layer = 2 * dim + 2 * dim * dim + 2 * kv * dim + 3 * hid * dim;
  const std::uint64_t floats = vocab * dim + layers * per_layer + dim +
                               std::uint64_t(g.seq_len) * std::uint64_t(g.head_size()) +
                               (g.shared_classifier ? 0 : vocab * dim);
  const std::uint64_t expected = header_bytes + 4 * floats;
  if (bytes.size() < expected)
    throw load_error(name + ": truncated: " + std::to_string(bytes.size()) +
                         " bytes, a checkpoint with this header (dim " + std::to_string(g.dim) + ", " +
                         std::to_string(g.n_layers) + " layers, vocab " + std::to_string(g.vocab_size) +
                         ") has " + std::to_string(expected),
                     false);
  if (bytes.size() > expected)
    throw load_error(name + ": " + std::to_string(bytes.size() - expected) + " bytes after the weights (" +
                         std::to_string(expected) + " expected: not a legacy llama2.c checkpoint?)",
                     false);

  // llama2.c stores each kind for all layers together.
  float_reader r(bytes, name);
  c.token_embedding = r.take(vocab * dim, "token_embedding");
  c.layers.resize(layers);
  auto per = [&](std::vector<float> layer_weights::*field, std::uint64_t n, const char* what) {
    for (auto& l : c.layers) l.*field = r.take(n, what);
  };
  per(&layer_weights::rms_att, dim, "rms_att");
  per(&layer_weights::wq, dim * dim, "wq");
  per(&layer_weights::wk, kv * dim, "wk");
  per(&layer_weights::wv, kv * dim, "wv");
  per(&layer_weights::wo, dim * dim, "wo");
  per(&layer_weights::rms_ffn, dim, "rms_ffn");
  per(&layer_weights::w1, hid * dim, "w1");
  per(&layer_weights::w2, dim * hid, "w2");
  per(&layer_weights::w3, hid * dim, "w3");
  c.rms_final = r.take(dim, "rms_final");
  r.skip(std::uint64_t(g.seq_len) * std::uint64_t(g.head_size()));  // freq_cis_real, freq_cis_imag
  c.classifier = g.shared_classifier ? c.token_embedding : r.take(vocab * dim, "classifier");
  return c;
}

checkpoint read_checkpoint(const std::string& path) { return parse_checkpoint(read_file(path), path); }

void prune(checkpoint& c, double sparsity) {
  if (!(sparsity >= 0.0 && sparsity < 1.0)) throw std::invalid_argument("prune: sparsity must be in [0, 1)");
  auto prune_one = [sparsity](std::vector<float>& w) {
    const auto n = static_cast<std::size_t>(std::floor(sparsity * static_cast<double>(w.size())));
    if (n == 0) return;
    std::vector<std::size_t> order(w.size());
    std::iota(order.begin(), order.end(), 0);
    std::sort(order.begin(), order.end(), [&w](std::size_t a, std::size_t b) {
      const float x = std::fabs(w[a]), y = std::fabs(w[b]);
      return x != y ? x < y : a < b;
    });
    for (std::size_t i = 0; i < n; ++i) w[order[i]] = 0.0f;
  };
  for (auto& l : c.layers)
    for (auto* w : {&l.wq, &l.wk, &l.wv, &l.wo, &l.w1, &l.w2, &l.w3}) prune_one(*w);
}

}  // namespace nvr::llm
