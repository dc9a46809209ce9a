#include "workloads/llm/float_model.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <string>

namespace nvr::llm {

namespace {

constexpr float rms_epsilon = 1e-5f;  // as the checkpoint was trained
constexpr double rope_theta = 10000.0;

void rmsnorm(std::vector<float>& out, const std::vector<float>& x, const std::vector<float>& gain) {
  double ss = 0.0;
  for (float v : x) ss += static_cast<double>(v) * v;
  const float inv = 1.0f / std::sqrt(static_cast<float>(ss / static_cast<double>(x.size())) + rms_epsilon);
  for (std::size_t i = 0; i < x.size(); ++i) out[i] = x[i] * inv * gain[i];
}

// out[o] = sum_i w[o * n + i] * x[i], o < d (x has at least n elements).
void matvec(float* out, const std::vector<float>& w, const float* x, std::size_t n, std::size_t d) {
  for (std::size_t o = 0; o < d; ++o) {
    float s = 0.0f;
    const float* row = &w[o * n];
    for (std::size_t i = 0; i < n; ++i) s += row[i] * x[i];
    out[o] = s;
  }
}

void softmax(float* x, std::size_t n) {
  const float m = *std::max_element(x, x + n);
  float s = 0.0f;
  for (std::size_t i = 0; i < n; ++i) s += x[i] = std::exp(x[i] - m);
  for (std::size_t i = 0; i < n; ++i) x[i] /= s;
}

}  // namespace

float_model::float_model(checkpoint c) : m_c(std::move(c)) {
  const config& g = m_c.cfg;
  const auto dim = static_cast<std::size_t>(g.dim), hid = static_cast<std::size_t>(g.hidden_dim);
  m_x.resize(dim);
  m_xb.resize(dim);
  m_q.resize(dim);
  m_att_out.resize(dim);
  m_hb.resize(hid);
  m_hb2.resize(hid);
  m_scores.resize(static_cast<std::size_t>(g.seq_len));
  m_logits.resize(static_cast<std::size_t>(g.vocab_size));
  const std::size_t cache = static_cast<std::size_t>(g.n_layers) * g.seq_len * g.kv_dim();
  m_key_cache.assign(cache, 0.0f);
  m_value_cache.assign(cache, 0.0f);
}

const std::vector<float>& float_model::forward(int token, int pos) {
  const config& g = m_c.cfg;
  if (token < 0 || token >= g.vocab_size) throw std::out_of_range("forward: token " + std::to_string(token));
  if (pos < 0 || pos >= g.seq_len) throw std::out_of_range("forward: position " + std::to_string(pos));
  const auto dim = static_cast<std::size_t>(g.dim), hid = static_cast<std::size_t>(g.hidden_dim),
             kv_dim = static_cast<std::size_t>(g.kv_dim()), hs = static_cast<std::size_t>(g.head_size());
  const std::size_t group = static_cast<std::size_t>(g.n_heads / g.n_kv_heads);
  std::copy_n(&m_c.token_embedding[static_cast<std::size_t>(token) * dim], dim, m_x.begin());

  for (std::size_t l = 0; l < m_c.layers.size(); ++l) {
    const layer_weights& w = m_c.layers[l];
    rmsnorm(m_xb, m_x, w.rms_att);
    const std::size_t base =
        (l * static_cast<std::size_t>(g.seq_len) + static_cast<std::size_t>(pos)) * kv_dim;
    float* k = &m_key_cache[base];
    float* v = &m_value_cache[base];
    matvec(m_q.data(), w.wq, m_xb.data(), dim, dim);
    matvec(k, w.wk, m_xb.data(), dim, kv_dim);
    matvec(v, w.wv, m_xb.data(), dim, kv_dim);
    // RoPE: rotate each (even, odd) pair of a head by pos * theta^(-2j / head_size).
    for (std::size_t i = 0; i < dim; i += 2) {
      const std::size_t j = (i % hs) / 2;
      const double angle =
          pos * std::pow(rope_theta, -2.0 * static_cast<double>(j) / static_cast<double>(hs));
      const auto c = static_cast<float>(std::cos(angle)), s = static_cast<float>(std::sin(angle));
      for (float* vec : {m_q.data(), i < kv_dim ? k : nullptr}) {
        if (!vec) continue;
        const float a = vec[i], b = vec[i + 1];
        vec[i] = a * c - b * s;
        vec[i + 1] = a * s + b * c;
      }
    }
    const float inv_sqrt = 1.0f / std::sqrt(static_cast<float>(hs));
    for (std::size_t h = 0; h < static_cast<std::size_t>(g.n_heads); ++h) {
      const float* q = &m_q[h * hs];
      const std::size_t kvh = h / group;
      for (int t = 0; t <= pos; ++t) {
        const float* kt = &m_key_cache[(l * g.seq_len + static_cast<std::size_t>(t)) * kv_dim + kvh * hs];
        float s = 0.0f;
        for (std::size_t i = 0; i < hs; ++i) s += q[i] * kt[i];
        m_scores[static_cast<std::size_t>(t)] = s * inv_sqrt;
      }
      softmax(m_scores.data(), static_cast<std::size_t>(pos) + 1);
      float* out = &m_att_out[h * hs];
      std::fill_n(out, hs, 0.0f);
      for (int t = 0; t <= pos; ++t) {
        const float* vt = &m_value_cache[(l * g.seq_len + static_cast<std::size_t>(t)) * kv_dim + kvh * hs];
        for (std::size_t i = 0; i < hs; ++i) out[i] += m_scores[static_cast<std::size_t>(t)] * vt[i];
      }
    }
    matvec(m_xb.data(), w.wo, m_att_out.data(), dim, dim);
    for (std::size_t i = 0; i < dim; ++i) m_x[i] += m_xb[i];

    rmsnorm(m_xb, m_x, w.rms_ffn);
    matvec(m_hb.data(), w.w1, m_xb.data(), dim, hid);
    matvec(m_hb2.data(), w.w3, m_xb.data(), dim, hid);
    for (std::size_t i = 0; i < hid; ++i) m_hb[i] = m_hb[i] / (1.0f + std::exp(-m_hb[i])) * m_hb2[i];
    matvec(m_xb.data(), w.w2, m_hb.data(), hid, dim);
    for (std::size_t i = 0; i < dim; ++i) m_x[i] += m_xb[i];
  }
  rmsnorm(m_xb, m_x, m_c.rms_final);
  matvec(m_logits.data(), m_c.classifier, m_xb.data(), dim, static_cast<std::size_t>(g.vocab_size));
  return m_logits;
}

int float_model::next(int token, int pos) {
  const auto& l = forward(token, pos);
  return static_cast<int>(std::max_element(l.begin(), l.end()) - l.begin());
}

}  // namespace nvr::llm
