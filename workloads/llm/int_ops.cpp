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

std::string check(const gsq_format& f) {
  if (f.group < 1 || f.group > 4096) return "group size " + std::to_string(f.group) + " is outside 1..4096";
  if (f.exp_bits < 1 || f.exp_bits > 8)
    return "exponent bits " + std::to_string(f.exp_bits) + " are outside 1..8";
  if (f.mant_bits < 2 || f.mant_bits > 8)
    return "mantissa bits " + std::to_string(f.mant_bits) + " are outside 2..8";
  return {};
}

namespace {

// Input real value q * amax / (127 * 2^12); output Q.act_bits before the >> amax_shift.
const double linear_out = std::ldexp(1.0, act_bits + amax_shift) / (127.0 * std::ldexp(1.0, norm_bits));

void quantise_gsq(qlinear& l, const std::vector<float>& w, const gsq_format& f) {
  const auto cols = l.w.cols, group = static_cast<std::size_t>(f.group);
  const std::size_t groups = (cols + group - 1) / group;
  l.group = f.group;
  l.group_shift = npu_ref::matrix<std::uint8_t>(l.w.rows, groups);
  const double mmax = std::ldexp(1.0, f.mant_bits - 1) - 1.0;
  // Largest offset: 2^exp_bits - 1, and the whole sum below 2^31 even if every group had the
  // largest offset: sum_g |partial_g| << d <= cols * mmax * 127 << d.
  int bits = 0;
  while (std::ldexp(1.0, bits) <= static_cast<double>(cols) * mmax * 127.0) ++bits;
  const int max_d = std::max(0, std::min((1 << f.exp_bits) - 1, 31 - bits));
  std::vector<double> factors(l.w.rows);
  for (std::size_t r = 0; r < l.w.rows; ++r) {
    // Exponent each group needs so that its largest |w| fits the mantissa range.
    std::vector<int> e(groups, INT32_MIN);
    int e_hi = INT32_MIN;
    for (std::size_t g = 0; g < groups; ++g) {
      double top = 0.0;
      for (std::size_t c = g * group; c < std::min(cols, (g + 1) * group); ++c)
        top = std::max(top, std::fabs(double{w[r * cols + c]}));
      if (top > 0.0) e[g] = static_cast<int>(std::ceil(std::log2(top / mmax)));
      e_hi = std::max(e_hi, e[g]);
    }
    if (e_hi == INT32_MIN) {  // an all-zero row
      l.scale[r] = factors[r] = 0.0;
      continue;
    }
    int e_lo = e_hi;
    for (int& x : e) {
      x = std::max(x, e_hi - max_d);  // also the zero groups
      e_lo = std::min(e_lo, x);
    }
    for (std::size_t g = 0; g < groups; ++g) {
      l.group_shift(r, g) = static_cast<std::uint8_t>(e[g] - e_lo);
      for (std::size_t c = g * group; c < std::min(cols, (g + 1) * group); ++c) {
        const double m = std::nearbyint(std::ldexp(double{w[r * cols + c]}, -e[g]));
        l.w(r, c) = static_cast<std::int8_t>(std::clamp(m, -mmax, mmax));
      }
    }
    l.scale[r] = std::ldexp(1.0, e_lo);
    factors[r] = l.scale[r] * linear_out;
  }
  l.requant = to_dyadic(factors);
}

}  // namespace

qlinear quantise_linear(const std::vector<float>& w, int rows, int cols, const weight_format& f) {
  if (f.gsq && f.sparse) throw std::invalid_argument("quantise_linear: GSQ weights are dense only");
  if (f.gsq && !check(*f.gsq).empty()) throw std::invalid_argument("quantise_linear: GSQ " + check(*f.gsq));
  qlinear l;
  l.rows = rows;
  l.cols = cols;
  l.w = npu_ref::matrix_i8(static_cast<std::size_t>(rows), static_cast<std::size_t>(cols));
  l.scale.resize(static_cast<std::size_t>(rows));
  if (f.gsq) {
    quantise_gsq(l, w, *f.gsq);
    return l;
  }
  std::vector<double> factors(static_cast<std::size_t>(rows));
  for (std::size_t r = 0; r < l.w.rows; ++r) {
    double top = 0.0;
    for (std::size_t c = 0; c < l.w.cols; ++c) top = std::max(top, std::fabs(double{w[r * l.w.cols + c]}));
    const double scale = top / 127.0;
    l.scale[r] = scale;
    for (std::size_t c = 0; c < l.w.cols; ++c)
      l.w(r, c) =
          scale == 0.0 ? 0 : static_cast<std::int8_t>(std::lround(double{w[r * l.w.cols + c]} / scale));
    factors[r] = scale * linear_out;
  }
  l.requant = to_dyadic(factors);
  l.sparse = f.sparse;
  if (f.sparse) l.csr = npu_ref::csr_from_dense(l.w);
  return l;
}

std::vector<std::int32_t> matvec(const qlinear& l, const std::vector<std::int8_t>& q) {
  if (q.size() != static_cast<std::size_t>(l.cols)) throw std::invalid_argument("matvec: input size");
  if (l.sparse) return npu_ref::spmv(l.csr, q);
  std::vector<std::int32_t> acc(static_cast<std::size_t>(l.rows));
  if (l.group > 0) {
    const auto group = static_cast<std::size_t>(l.group);
    for (std::size_t r = 0; r < acc.size(); ++r) {
      std::int32_t sum = 0;
      for (std::size_t g = 0; g < l.group_shift.cols; ++g) {
        std::int32_t partial = 0;
        for (std::size_t c = g * group; c < std::min(l.w.cols, (g + 1) * group); ++c)
          partial += std::int32_t{l.w(r, c)} * q[c];
        sum = add(sum, mul(partial, std::int64_t{1} << l.group_shift(r, g), 0));
      }
      acc[r] = sum;
    }
    return acc;
  }
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
