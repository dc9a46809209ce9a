#include "workloads/llm/int_model.h"

#include <cmath>
#include <stdexcept>
#include <string>

namespace nvr::llm {

namespace {

// W diag(gain): folds an RMSNorm gain into the matrix that consumes its output.
std::vector<float> fold(const std::vector<float>& w, const std::vector<float>& gain) {
  std::vector<float> out(w);
  for (std::size_t i = 0; i < out.size(); ++i) out[i] *= gain[i % gain.size()];
  return out;
}

}  // namespace

int_model::int_model(const checkpoint& c, const weight_format& sparse)
    : m_cfg(c.cfg), m_rope(c.cfg.seq_len, c.cfg.head_size()) {
  // Scales too large for an int32 multiplier: a checkpoint this model cannot represent.
  try {
    const config& g = m_cfg;
    const int dim = g.dim, hid = g.hidden_dim, kv = g.kv_dim();
    for (const layer_weights& w : c.layers) {
      m_layers.push_back(
          {quantise_linear(fold(w.wq, w.rms_att), dim, dim, sparse),
           quantise_linear(fold(w.wk, w.rms_att), kv, dim, sparse),
           quantise_linear(fold(w.wv, w.rms_att), kv, dim, sparse), quantise_linear(w.wo, dim, dim, sparse),
           quantise_linear(fold(w.w1, w.rms_ffn), hid, dim, sparse), quantise_linear(w.w2, dim, hid, sparse),
           quantise_linear(fold(w.w3, w.rms_ffn), hid, dim, sparse)});
    }
    m_classifier = quantise_linear(fold(c.classifier, c.rms_final), g.vocab_size, dim, false);
    // The embedding table: int8 rows with their own scale, h = q * scale * 2^act_bits.
    const qlinear e = quantise_linear(c.token_embedding, g.vocab_size, dim, false);
    m_embedding = e.w;
    std::vector<double> row_scale(e.scale);
    for (double& s : row_scale) s = std::ldexp(s, act_bits);
    m_embed_scale = to_dyadic(row_scale);
    // Attention logits: w = s * kamax * qamax / 2^24 is the real q.k times 127^2.
    m_att_scale =
        to_dyadic(std::ldexp(1.0, softmax_bits) / (127.0 * 127.0 * std::sqrt(double(g.head_size()))));
    m_pv_scale = to_dyadic(std::ldexp(1.0, amax_shift) / (127.0 * 127.0));
  } catch (const std::invalid_argument& e) {
    throw load_error(std::string("weights out of range for the integer model: ") + e.what(), false);
  }
  const config& g = m_cfg;
  const int kv = g.kv_dim();
  const std::size_t cache = static_cast<std::size_t>(g.n_layers) * g.seq_len;
  m_k.assign(cache * kv, 0);
  m_v.assign(cache * kv, 0);
  m_k_amax.assign(cache * g.n_kv_heads, 0);
  m_v_amax.assign(cache * g.n_kv_heads, 0);
  m_h.resize(static_cast<std::size_t>(g.dim));
}

const std::vector<std::int32_t>& int_model::forward(int token, int pos) {
  const config& g = m_cfg;
  if (token < 0 || token >= g.vocab_size) throw std::out_of_range("forward: token " + std::to_string(token));
  if (pos < 0 || pos >= g.seq_len) throw std::out_of_range("forward: position " + std::to_string(pos));
  const auto dim = static_cast<std::size_t>(g.dim), kv_dim = static_cast<std::size_t>(g.kv_dim()),
             hs = static_cast<std::size_t>(g.head_size()), n_kv = static_cast<std::size_t>(g.n_kv_heads);
  const std::size_t group = static_cast<std::size_t>(g.n_heads / g.n_kv_heads);
  const auto t_end = static_cast<std::size_t>(pos) + 1;

  // Embedding: a gather of one int8 row, then a requant by the row's scale.
  const auto tok = static_cast<std::size_t>(token);
  for (std::size_t i = 0; i < dim; ++i)
    m_h[i] = mul(m_embedding(tok, i), m_embed_scale.m[tok], m_embed_scale.shift);

  std::vector<std::int32_t> scores(t_end), weighted(t_end), out(dim);
  for (std::size_t l = 0; l < m_layers.size(); ++l) {
    const layer& w = m_layers[l];
    const qvec x = quantise(rmsnorm(m_h));
    std::vector<std::int32_t> q = linear(w.wq, x), k = linear(w.wk, x), v = linear(w.wv, x);
    rope(q.data(), dim, g.head_size(), pos, m_rope);
    rope(k.data(), kv_dim, g.head_size(), pos, m_rope);
    // Into the cache: int8 per token and KV head, with the amax (Q.12) of each.
    const std::size_t row = l * static_cast<std::size_t>(g.seq_len);
    for (std::size_t h = 0; h < n_kv; ++h) {
      const qvec kq = quantise(&k[h * hs], hs), vq = quantise(&v[h * hs], hs);
      std::copy(kq.q.begin(), kq.q.end(), &m_k[(row + static_cast<std::size_t>(pos)) * kv_dim + h * hs]);
      std::copy(vq.q.begin(), vq.q.end(), &m_v[(row + static_cast<std::size_t>(pos)) * kv_dim + h * hs]);
      m_k_amax[(row + static_cast<std::size_t>(pos)) * n_kv + h] = kq.amax;
      m_v_amax[(row + static_cast<std::size_t>(pos)) * n_kv + h] = vq.amax;
    }
    for (std::size_t h = 0; h < static_cast<std::size_t>(g.n_heads); ++h) {
      const qvec qh = quantise(&q[h * hs], hs);
      const std::size_t kvh = h / group;
      for (std::size_t t = 0; t < t_end; ++t) {
        const std::int8_t* kt = &m_k[(row + t) * kv_dim + kvh * hs];
        std::int32_t s = 0;
        for (std::size_t i = 0; i < hs; ++i) s += std::int32_t{qh.q[i]} * kt[i];
        // Three vector ops: * kamax_t (row scalar), * qamax, requant to Q.softmax_bits.
        const std::int32_t sk = mul(s, m_k_amax[(row + t) * n_kv + kvh], act_bits);
        scores[t] = mul(mul(sk, qh.amax, act_bits), m_att_scale.m, m_att_scale.shift);
      }
      const std::vector<std::int64_t> p = npu_ref::isoftmax(scores, softmax_bits, softmax_clip);
      // p_t * vamax_t in Q.12, quantised per token: the int8 left operand of P V.
      for (std::size_t t = 0; t < t_end; ++t)
        weighted[t] = mul(p[t], m_v_amax[(row + t) * n_kv + kvh], prob_bits);
      const qvec pw = quantise(weighted);
      for (std::size_t i = 0; i < hs; ++i) {
        std::int32_t acc = 0;
        for (std::size_t t = 0; t < t_end; ++t)
          acc += std::int32_t{pw.q[t]} * m_v[(row + t) * kv_dim + kvh * hs + i];
        out[h * hs + i] = mul(mul(acc, m_pv_scale.m, m_pv_scale.shift), pw.amax, amax_shift);
      }
    }
    const std::vector<std::int32_t> o = linear(w.wo, quantise(out));
    for (std::size_t i = 0; i < dim; ++i) m_h[i] = add(m_h[i], o[i]);

    const qvec xf = quantise(rmsnorm(m_h));
    const std::vector<std::int32_t> gate = linear(w.w1, xf), up = linear(w.w3, xf);
    std::vector<std::int32_t> hidden(gate.size());
    for (std::size_t i = 0; i < hidden.size(); ++i)
      hidden[i] = mul(npu_ref::sat32(npu_ref::isilu(gate[i], act_bits)), up[i], act_bits);
    const std::vector<std::int32_t> f = linear(w.w2, quantise(hidden));
    for (std::size_t i = 0; i < dim; ++i) m_h[i] = add(m_h[i], f[i]);
  }
  m_logits = linear(m_classifier, quantise(rmsnorm(m_h)));
  return m_logits;
}

int int_model::next(int token, int pos) { return static_cast<int>(npu_ref::argmax(forward(token, pos))); }

std::size_t int_model::linear_nonzeros() const {
  std::size_t n = 0;
  for (const layer& l : m_layers)
    for (const qlinear* q : {&l.wq, &l.wk, &l.wv, &l.wo, &l.w1, &l.w2, &l.w3})
      for (std::int8_t v : q->w.data) n += v != 0;
  return n;
}

std::size_t int_model::linear_weights() const {
  std::size_t n = 0;
  for (const layer& l : m_layers)
    for (const qlinear* q : {&l.wq, &l.wk, &l.wv, &l.wo, &l.w1, &l.w2, &l.w3}) n += q->w.data.size();
  return n;
}

}  // namespace nvr::llm
