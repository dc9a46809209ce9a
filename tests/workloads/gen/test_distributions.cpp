// The index distributions of the sparse set: power-law columns are skewed and uniform ones are
// not, both are valid CSR with the promised row counts, and everything follows the seed.
#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <functional>
#include <numeric>
#include <stdexcept>

#include "workloads/gen/distributions.h"

namespace {

using nvr::gen::column_distribution;
using nvr::gen::sparse_csr;
using nvr::gen::uneven_row_counts;
using nvr::gen::uniform_distinct;
using nvr::gen::zipf_exponent;
using nvr::gen::zipf_sampler;

npu_ref::csr make(std::size_t rows, std::size_t cols, std::uint32_t d, column_distribution dist,
                  std::uint32_t structure_seed = 1, std::uint32_t column_seed = 2) {
  std::mt19937 structure(structure_seed), columns(column_seed);
  return sparse_csr(rows, cols, d, dist, structure, columns);
}

// Share of all nonzeros that fall into the most popular `fraction` of the columns.
double top_share(const npu_ref::csr& a, double fraction) {
  std::vector<std::size_t> per_column(a.cols, 0);
  for (const std::int32_t c : a.col_idx) ++per_column[static_cast<std::size_t>(c)];
  std::sort(per_column.begin(), per_column.end(), std::greater<>());
  const std::size_t top = std::max<std::size_t>(1, static_cast<std::size_t>(fraction * a.cols));
  const std::size_t hot = std::accumulate(per_column.begin(), per_column.begin() + top, std::size_t{0});
  return static_cast<double>(hot) / static_cast<double>(a.col_idx.size());
}

void expect_valid(const npu_ref::csr& a) {
  ASSERT_EQ(a.row_ptr.size(), a.rows + 1);
  EXPECT_EQ(a.row_ptr.front(), 0);
  EXPECT_EQ(static_cast<std::size_t>(a.row_ptr.back()), a.col_idx.size());
  EXPECT_EQ(a.values.size(), a.col_idx.size());
  for (std::size_t r = 0; r < a.rows; ++r) {
    ASSERT_LE(a.row_ptr[r], a.row_ptr[r + 1]);
    for (std::int32_t j = a.row_ptr[r]; j < a.row_ptr[r + 1]; ++j) {
      ASSERT_GE(a.col_idx[j], 0);
      ASSERT_LT(static_cast<std::size_t>(a.col_idx[j]), a.cols);
      if (j > a.row_ptr[r]) {
        ASSERT_LT(a.col_idx[j - 1], a.col_idx[j]) << "row " << r << ": not ascending";
      }
    }
  }
  for (const std::int8_t v : a.values) EXPECT_NE(v, 0);
}

TEST(distributions, power_law_columns_are_skewed_uniform_ones_are_not) {
  for (const std::uint32_t d : {16u, 64u, 256u}) {
    SCOPED_TRACE(d);
    const npu_ref::csr uni = make(2048, 2048, d, column_distribution::uniform);
    const npu_ref::csr pl = make(2048, 2048, d, column_distribution::power_law);
    expect_valid(uni);
    expect_valid(pl);
    const double uni_share = top_share(uni, 0.01), pl_share = top_share(pl, 0.01);
    // Uniform: about 1% plus sampling noise; power law: the hot 1% hold a large share (at 1/16 the
    // hottest columns are in every row already: 11%, at 1/256 42%).
    EXPECT_LT(uni_share, 0.03);
    EXPECT_GT(pl_share, 0.08);
    EXPECT_GT(pl_share, 5 * uni_share);
  }
}

TEST(distributions, zipf_sampler_follows_its_weights) {
  std::mt19937 permute(5), rng(6);
  const zipf_sampler zipf(1000, zipf_exponent, permute);
  std::vector<std::size_t> hits(1000, 0);
  const std::size_t draws = 200000;
  for (std::size_t i = 0; i < draws; ++i) ++hits[zipf(rng)];
  double total = 0;
  for (int r = 1; r <= 1000; ++r) total += std::pow(r, -zipf_exponent);
  // Rank 0 and rank 1 at their expected frequencies (within 5%), rank 0 twice as hot as rank 1
  // give or take 2^1.1.
  EXPECT_NEAR(hits[zipf.value_of_rank(0)] / double(draws), 1 / total, 0.05 / total);
  EXPECT_NEAR(hits[zipf.value_of_rank(1)] / double(draws), std::pow(2, -zipf_exponent) / total,
              0.05 * std::pow(2, -zipf_exponent) / total);
  // The hot values are scattered by the permutation, not the lowest ones.
  std::vector<std::uint32_t> hottest;
  for (std::size_t r = 0; r < 10; ++r) hottest.push_back(zipf.value_of_rank(r));
  EXPECT_GT(*std::max_element(hottest.begin(), hottest.end()), 100u);
}

TEST(distributions, distinct_draws_are_distinct_and_sorted_on_every_path) {
  std::mt19937 permute(1), rng(2);
  const zipf_sampler zipf(300, zipf_exponent, permute);
  // Up to 150: rejection (the top 150 ranks hold 92% of the mass); 250, 290, 299: exponential
  // keys (over 95%); 300: all.
  for (const std::size_t count : {0, 1, 5, 150, 250, 290, 299, 300}) {
    SCOPED_TRACE(count);
    for (const auto& v : {zipf.distinct(count, rng), uniform_distinct(count, 300, rng)}) {
      ASSERT_EQ(v.size(), count);
      EXPECT_TRUE(std::is_sorted(v.begin(), v.end()));
      EXPECT_EQ(std::adjacent_find(v.begin(), v.end()), v.end());
      if (count != 0) {
        EXPECT_LT(v.back(), 300u);
      }
    }
  }
  // Both paths keep the skew: the 10 hottest values are in nearly every draw of 150 or 250 of
  // 300 (uniformly: 50% and 83% of the time).
  for (const std::size_t count : {150, 250}) {
    std::size_t hot = 0;
    for (int i = 0; i < 100; ++i) {
      const auto v = zipf.distinct(count, rng);
      for (std::size_t r = 0; r < 10; ++r)
        hot += std::binary_search(v.begin(), v.end(), zipf.value_of_rank(r));
    }
    EXPECT_GE(hot, 990u) << count;
  }
}

TEST(distributions, bad_arguments_throw) {
  std::mt19937 rng(1);
  EXPECT_THROW(zipf_sampler(0, 1.1, rng), std::invalid_argument);
  EXPECT_THROW(zipf_sampler(10, -1, rng), std::invalid_argument);
  EXPECT_THROW(zipf_sampler(10, std::nan(""), rng), std::invalid_argument);
  EXPECT_THROW(zipf_sampler(10, INFINITY, rng), std::invalid_argument);
  const zipf_sampler zipf(10, 1.1, rng);
  EXPECT_THROW(zipf.distinct(11, rng), std::invalid_argument);
  EXPECT_THROW(uniform_distinct(11, 10, rng), std::invalid_argument);
  EXPECT_THROW(uneven_row_counts(4, 4, 0, rng), std::invalid_argument);
  std::mt19937 other(2);
  EXPECT_THROW(sparse_csr(4, 0, 4, column_distribution::uniform, rng, other), std::invalid_argument);
}

TEST(distributions, uneven_rows) {
  std::mt19937 rng(3);
  const auto count = uneven_row_counts(770, 1024, 16, rng);
  ASSERT_EQ(count.size(), 770u);
  double normal = 0, heavy = 0;
  std::size_t normal_rows = 0, heavy_rows = 0;
  for (std::size_t r = 0; r < count.size(); ++r) {
    if (r % 11 == 5) {
      heavy += count[r];
      ++heavy_rows;
    } else if (r % 7 == 3) {
      EXPECT_EQ(count[r], 0u) << r;
    } else {
      normal += count[r];
      ++normal_rows;
    }
  }
  EXPECT_NEAR(normal / normal_rows, 64, 4);                // binomial(1024, 1/16)
  EXPECT_NEAR(heavy / heavy_rows, 64 * 6 / 7.0 + 193, 8);  // + 3 * 1024 / 16 + 1, some rows empty first
  // Capped at the columns.
  for (const auto c : uneven_row_counts(30, 8, 2, rng)) EXPECT_LE(c, 8u);
}

TEST(distributions, distributions_share_rows_and_values) {
  const npu_ref::csr uni = make(500, 3000, 32, column_distribution::uniform, 9, 10);
  const npu_ref::csr pl = make(500, 3000, 32, column_distribution::power_law, 9, 11);
  EXPECT_EQ(uni.row_ptr, pl.row_ptr);
  EXPECT_EQ(uni.values, pl.values);
  EXPECT_NE(uni.col_idx, pl.col_idx);
}

TEST(distributions, deterministic_per_seed) {
  for (const auto dist : {column_distribution::uniform, column_distribution::power_law}) {
    const npu_ref::csr a = make(300, 5000, 64, dist, 4, 5), b = make(300, 5000, 64, dist, 4, 5);
    EXPECT_EQ(a.row_ptr, b.row_ptr);
    EXPECT_EQ(a.col_idx, b.col_idx);
    EXPECT_EQ(a.values, b.values);
    EXPECT_NE(make(300, 5000, 64, dist, 4, 6).col_idx, a.col_idx);  // other columns
    EXPECT_NE(make(300, 5000, 64, dist, 7, 5).row_ptr, a.row_ptr);  // other rows
  }
}

}  // namespace
