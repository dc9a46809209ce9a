#include "workloads/llm/int_ops.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>

namespace nvr::llm {

dyadic to_dyadic(double c) {
  const dyadic_vector v = to_dyadic(std::vector<double>{c});
  return {v.m[0], v.shift};
}

dyadic_vector to_dyadic(const std::vector<double>& c) {
  double top = 0.0;
  for (double x : c) {
    if (!(x >= 0.0) || !std::isfinite(x))
      throw std::invalid_argument("to_dyadic: scale must be finite and >= 0");
    top = std::max(top, x);
  }
  dyadic_vector d;
  if (top > 0.0) {
    d.shift = 62;
    // Compared in double: llround of a value beyond int64 is undefined.
    auto fits = [top](unsigned s) { return std::round(std::ldexp(top, static_cast<int>(s))) <= INT32_MAX; };
    while (d.shift > 0 && !fits(d.shift)) --d.shift;
    if (!fits(d.shift)) throw std::invalid_argument("to_dyadic: scale does not fit an int32 multiplier");
  }
  for (double x : c)
    d.m.push_back(static_cast<std::int32_t>(std::llround(std::ldexp(x, static_cast<int>(d.shift)))));
  return d;
}

qvec quantise(const std::int32_t* x, std::size_t n) {
  const npu_ref::quant_result r = npu_ref::quant(std::vector<std::int32_t>(x, x + n));
  return {r.q, npu_ref::sat32(r.amax)};
}

qvec quantise(const std::vector<std::int32_t>& x) { return quantise(x.data(), x.size()); }

std::vector<std::int32_t> rmsnorm(const std::vector<std::int32_t>& x, unsigned bits) {
  const std::vector<std::int64_t> y = npu_ref::rmsnorm(x, bits);
  std::vector<std::int32_t> out(y.size());
  for (std::size_t i = 0; i < y.size(); ++i) out[i] = npu_ref::sat32(y[i]);
  return out;
}

rope_table::rope_table(int seq_len, int head_size) : m_half(head_size / 2) {
  const auto n = static_cast<std::size_t>(seq_len) * static_cast<std::size_t>(m_half);
  m_cos.resize(n);
  m_sin.resize(n);
  for (int pos = 0; pos < seq_len; ++pos)
    for (int j = 0; j < m_half; ++j) {
      const double angle = pos * std::pow(10000.0, -2.0 * j / head_size);
      const auto at = static_cast<std::size_t>(pos * m_half + j);
      m_cos[at] = static_cast<std::int32_t>(std::lround(std::ldexp(std::cos(angle), rope_bits)));
      m_sin[at] = static_cast<std::int32_t>(std::lround(std::ldexp(std::sin(angle), rope_bits)));
    }
}

void rope(std::int32_t* v, std::size_t n, int head_size, int pos, const rope_table& t) {
  const auto hs = static_cast<std::size_t>(head_size);
  for (std::size_t i = 0; i + 1 < n; i += 2) {
    const int j = static_cast<int>((i % hs) / 2);
    const std::int32_t c = t.cos(pos, j), s = t.sin(pos, j), a = v[i], b = v[i + 1];
    v[i] = add(mul(a, c, rope_bits), mul(b, -std::int64_t{s}, rope_bits));
    v[i + 1] = add(mul(a, s, rope_bits), mul(b, c, rope_bits));
  }
}

qlinear quantise_linear(const std::vector<float>& w, int rows, int cols, bool sparse) {
  qlinear l;
  l.rows = rows;
  l.cols = cols;
  l.w = npu_ref::matrix_i8(static_cast<std::size_t>(rows), static_cast<std::size_t>(cols));
  l.scale.resize(static_cast<std::size_t>(rows));
  std::vector<double> factors(static_cast<std::size_t>(rows));
  // Input real value q * amax / (127 * 2^12); output Q.act_bits before the >> amax_shift.
  const double out = std::ldexp(1.0, act_bits + amax_shift) / (127.0 * std::ldexp(1.0, norm_bits));
  for (std::size_t r = 0; r < l.w.rows; ++r) {
    double top = 0.0;
    for (std::size_t c = 0; c < l.w.cols; ++c) top = std::max(top, std::fabs(double{w[r * l.w.cols + c]}));
    const double scale = top / 127.0;
    l.scale[r] = scale;
    for (std::size_t c = 0; c < l.w.cols; ++c)
      l.w(r, c) =
          scale == 0.0 ? 0 : static_cast<std::int8_t>(std::lround(double{w[r * l.w.cols + c]} / scale));
    factors[r] = scale * out;
  }
  l.requant = to_dyadic(factors);
  l.sparse = sparse;
  if (sparse) l.csr = npu_ref::csr_from_dense(l.w);
  return l;
}

std::vector<std::int32_t> matvec(const qlinear& l, const std::vector<std::int8_t>& q) {
  if (q.size() != static_cast<std::size_t>(l.cols)) throw std::invalid_argument("matvec: input size");
  if (l.sparse) return npu_ref::spmv(l.csr, q);
  std::vector<std::int32_t> acc(static_cast<std::size_t>(l.rows));
  for (std::size_t r = 0; r < acc.size(); ++r) {
    std::int32_t s = 0;
    const std::int8_t* row = &l.w.data[r * l.w.cols];
    for (std::size_t c = 0; c < l.w.cols; ++c) s = npu_ref::wrap_add(s, std::int32_t{row[c]} * q[c]);
    acc[r] = s;
  }
  return acc;
}

std::vector<std::int32_t> linear(const qlinear& l, const qvec& x) {
  std::vector<std::int32_t> y = matvec(l, x.q);
  for (std::size_t j = 0; j < y.size(); ++j)
    y[j] = mul(mul(y[j], l.requant.m[j], l.requant.shift), x.amax, amax_shift);
  return y;
}

}  // namespace nvr::llm
