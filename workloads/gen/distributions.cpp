#include "workloads/gen/distributions.h"

#include <algorithm>
#include <cmath>
#include <numeric>
#include <stdexcept>

namespace nvr::gen {

namespace {

// A uniform value in [0, n), n >= 1.
std::uint32_t below(std::mt19937& rng, std::size_t n) {
  return std::uniform_int_distribution<std::uint32_t>(0, static_cast<std::uint32_t>(n - 1))(rng);
}

// A uniform double in (0, 1) from one 32-bit draw: never 0, so its logarithm is finite.
double open_unit(std::mt19937& rng) { return (static_cast<double>(rng()) + 0.5) / 4294967296.0; }

}  // namespace

zipf_sampler::zipf_sampler(std::size_t n, double exponent, std::mt19937& permute) {
  if (n == 0 || n > (std::size_t{1} << 31)) throw std::invalid_argument("zipf_sampler: bad size");
  if (!(exponent >= 0) || !std::isfinite(exponent)) throw std::invalid_argument("zipf_sampler: bad exponent");
  m_cdf.resize(n);
  double total = 0;
  for (std::size_t r = 0; r < n; ++r) m_cdf[r] = total += std::pow(static_cast<double>(r + 1), -exponent);
  m_value.resize(n);
  std::iota(m_value.begin(), m_value.end(), 0u);
  // Fisher-Yates over the ranks' values: the hot values land anywhere, not at the low ones.
  for (std::size_t i = n - 1; i > 0; --i) std::swap(m_value[i], m_value[below(permute, i + 1)]);
}

std::size_t zipf_sampler::rank(std::mt19937& rng) const {
  const double u = open_unit(rng) * m_cdf.back();
  const auto it = std::upper_bound(m_cdf.begin(), m_cdf.end(), u);
  return std::min(static_cast<std::size_t>(it - m_cdf.begin()), m_cdf.size() - 1);
}

std::uint32_t zipf_sampler::operator()(std::mt19937& rng) const { return m_value[rank(rng)]; }

std::vector<std::uint32_t> zipf_sampler::distinct(std::size_t count, std::mt19937& rng) const {
  const std::size_t n = size();
  if (count > n) throw std::invalid_argument("zipf_sampler: more distinct values than exist");
  std::vector<std::uint32_t> out;
  out.reserve(count);
  if (count == n) {
    out = m_value;
  } else if (count == 0 || m_cdf[count - 1] <= 0.95 * m_cdf.back()) {
    // Rejection while the taken values can hold at most 95% of the mass: at most ~20 expected
    // draws per new value.
    std::vector<std::uint8_t> taken(n, 0);
    while (out.size() < count) {
      const std::size_t r = rank(rng);
      if (taken[r]) continue;
      taken[r] = 1;
      out.push_back(m_value[r]);
    }
  } else {
    // Dense rows: weighted sampling without replacement by exponential keys (Efraimidis-Spirakis),
    // the same distribution as successive draws, in one pass.
    std::vector<std::pair<double, std::uint32_t>> key(n);
    double previous = 0;
    for (std::size_t r = 0; r < n; ++r) {
      const double weight = m_cdf[r] - previous;
      previous = m_cdf[r];
      key[r] = {std::log(open_unit(rng)) / weight, static_cast<std::uint32_t>(r)};
    }
    std::nth_element(key.begin(), key.begin() + static_cast<std::ptrdiff_t>(count), key.end(),
                     [](const auto& a, const auto& b) {
                       return a.first > b.first || (a.first == b.first && a.second < b.second);
                     });
    for (std::size_t i = 0; i < count; ++i) out.push_back(m_value[key[i].second]);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::uint32_t> uniform_distinct(std::size_t count, std::size_t n, std::mt19937& rng) {
  if (count > n) throw std::invalid_argument("uniform_distinct: more distinct values than exist");
  // Floyd's algorithm: exactly `count` draws, each subset equally likely.
  std::vector<std::uint32_t> out;
  out.reserve(count);
  std::vector<std::uint8_t> taken(n, 0);
  for (std::size_t j = n - count; j < n; ++j) {
    std::uint32_t t = below(rng, j + 1);
    if (taken[t]) t = static_cast<std::uint32_t>(j);
    taken[t] = 1;
    out.push_back(t);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::vector<std::uint32_t> uneven_row_counts(std::size_t rows, std::size_t cols,
                                             std::uint32_t inverse_density, std::mt19937& rng) {
  if (inverse_density == 0) throw std::invalid_argument("uneven_row_counts: density 1/0");
  std::binomial_distribution<std::uint32_t> base(static_cast<std::uint32_t>(cols), 1.0 / inverse_density);
  std::vector<std::uint32_t> count(rows);
  for (std::size_t r = 0; r < rows; ++r) {
    std::size_t c = base(rng);
    if (r % 7 == 3) c = 0;
    if (r % 11 == 5) c += 3 * cols / inverse_density + 1;
    count[r] = static_cast<std::uint32_t>(std::min(c, cols));
  }
  return count;
}

npu_ref::csr sparse_csr(std::size_t rows, std::size_t cols, std::uint32_t inverse_density,
                        column_distribution distribution, std::mt19937& structure, std::mt19937& columns) {
  if (cols == 0 || cols > (std::size_t{1} << 31)) throw std::invalid_argument("sparse_csr: bad column count");
  const std::vector<std::uint32_t> count = uneven_row_counts(rows, cols, inverse_density, structure);
  npu_ref::csr a;
  a.rows = rows;
  a.cols = cols;
  const zipf_sampler zipf = distribution == column_distribution::power_law
                                ? zipf_sampler(cols, zipf_exponent, columns)
                                : zipf_sampler(1, 0, columns);
  for (std::size_t r = 0; r < rows; ++r) {
    const std::vector<std::uint32_t> picked = distribution == column_distribution::power_law
                                                  ? zipf.distinct(count[r], columns)
                                                  : uniform_distinct(count[r], cols, columns);
    a.col_idx.insert(a.col_idx.end(), picked.begin(), picked.end());
    a.row_ptr.push_back(static_cast<std::int32_t>(a.col_idx.size()));
  }
  // Values last, from the structure generator only: the same for both distributions.
  std::uniform_int_distribution<int> value(-128, 126);
  a.values.resize(a.col_idx.size());
  for (auto& v : a.values) {
    const int x = value(structure);
    v = static_cast<std::int8_t>(x >= 0 ? x + 1 : x);
  }
  return a;
}

}  // namespace nvr::gen
