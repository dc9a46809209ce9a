// Index distributions of the sparse case set: CSR matrices whose columns are uniform or
// power-law (Zipf-like: a few hot columns), and Zipf-distributed gather indices. Sparse-native
// (no dense intermediate), so a wide matrix (SpMV with a large x) costs only its nonzeros.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "workloads/ref/ops.h"

namespace nvr::gen {

enum class column_distribution { uniform, power_law };

// The exponent s of the power-law distributions of the sparse set: P(rank r) ~ r^-s.
inline constexpr double zipf_exponent = 1.1;

// Values 0..n-1 with P(value of rank r) proportional to r^-exponent (r from 1), the ranks laid over
// a seeded random permutation so the hot values are scattered, not the lowest addresses.
class zipf_sampler {
 public:
  // `permute` shuffles the ranks over the values; throws std::invalid_argument for n = 0, n past
  // 2^31 or an exponent that is negative or not finite.
  zipf_sampler(std::size_t n, double exponent, std::mt19937& permute);

  std::size_t size() const { return m_value.size(); }
  // The value of rank r (0 = the hottest).
  std::uint32_t value_of_rank(std::size_t r) const { return m_value.at(r); }
  std::uint32_t operator()(std::mt19937& rng) const;
  // `count` distinct values (count <= size()), ascending: successive draws without replacement.
  std::vector<std::uint32_t> distinct(std::size_t count, std::mt19937& rng) const;

 private:
  std::size_t rank(std::mt19937& rng) const;

  std::vector<double> m_cdf;           // cumulative weights by rank; back() = total
  std::vector<std::uint32_t> m_value;  // value of each rank
};

// `count` distinct values of 0..n-1 (count <= n), uniformly, ascending.
std::vector<std::uint32_t> uniform_distinct(std::size_t count, std::size_t n, std::mt19937& rng);

// Nonzeros per row in the manner of the standard set's uneven CSR: binomial(cols, 1/inverse_density),
// every 7th row (r % 7 == 3) empty, every 11th (r % 11 == 5) 3 * cols / inverse_density + 1 more
// (capped at cols). Unlike there, no full row: a 64 Ki-long row would dominate a sparse SpMV.
std::vector<std::uint32_t> uneven_row_counts(std::size_t rows, std::size_t cols,
                                             std::uint32_t inverse_density, std::mt19937& rng);

// A CSR with those row counts: per row, distinct columns (ascending) drawn by `columns` from the
// distribution, values in -128..127 without 0 from `structure` (which also draws the counts).
// Two calls that differ only in the distribution (and the `columns` generator) give matrices
// with the same row counts and values, so the distribution is the only difference.
npu_ref::csr sparse_csr(std::size_t rows, std::size_t cols, std::uint32_t inverse_density,
                        column_distribution distribution, std::mt19937& structure, std::mt19937& columns);

}  // namespace nvr::gen
