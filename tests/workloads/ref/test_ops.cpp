// Property tests: tiled NPU programs on the reference machine against the whole-operation
// helpers, and the helpers against naive int64 / dense formulas.
#include <gtest/gtest.h>

#include <random>

#include "workloads/ref/machine.h"
#include "workloads/ref/ops.h"

using namespace npu_ref;

namespace {

constexpr std::uint32_t base = 0x80000000u;

template <typename T>
matrix<T> random_matrix(std::size_t r, std::size_t c, int lo, int hi, std::mt19937& rng) {
  matrix<T> m(r, c);
  std::uniform_int_distribution<int> d(lo, hi);
  for (auto& v : m.data) v = static_cast<T>(d(rng));
  return m;
}

// DRAM layout of the GEMM programs.
constexpr std::uint32_t a_at = base, b_at = base + 0x40000, c_at = base + 0x80000, zero_at = base + 0xc0000;

// C = requant(A * B), tiled: 16 columns of C at a time, up to 48 rows of A, K in steps of `kstep`
// bytes of a row (16; int4 packs 32 values in them). B's tile is cleared first, so a ragged K
// multiplies stale A lanes by zero rows.
std::vector<instruction> gemm_program(std::size_t m, std::size_t kbytes, std::size_t n,
                                      const store_config& cfg, bool int4) {
  std::vector<instruction> p;
  p.push_back(config_store(cfg.multiplier, cfg.shift, cfg.zero_point, cfg.clip_min, cfg.clip_max));
  const auto u = [](std::size_t v) { return static_cast<std::uint32_t>(v); };
  for (std::size_t n0 = 0; n0 < n; n0 += 16) {
    const std::size_t nc = std::min<std::size_t>(16, n - n0);
    for (std::size_t m0 = 0; m0 < m; m0 += 48) {
      const std::size_t mr = std::min<std::size_t>(48, m - m0);
      for (std::size_t k0 = 0; k0 < kbytes; k0 += 16) {
        const std::size_t kc = std::min<std::size_t>(16, kbytes - k0);
        p.push_back(mvin(u(zero_at), spad(1000), 16, 16, 0));
        p.push_back(mvin(u(b_at + k0 * n + n0), spad(1000), u(kc), u(nc), u(n)));
        p.push_back(mvin(u(a_at + m0 * kbytes + k0), spad(0), u(mr), u(kc), u(kbytes)));
        p.push_back(matmul(spad(0), spad(1000), acc(0, k0 > 0), u(mr), int4 ? flag::int4 : 0));
      }
      p.push_back(mvout(u(c_at + m0 * n + n0), acc(0), u(mr), u(nc), u(n)));
    }
  }
  return p;
}

matrix_i8 run_gemm(const matrix<std::uint8_t>& a_bytes, const matrix<std::uint8_t>& b_bytes, std::size_t n,
                   const store_config& cfg, bool int4) {
  machine mach(base, 1 << 20);
  mach.write_dram(a_at, a_bytes.data.data(), a_bytes.data.size());
  mach.write_dram(b_at, b_bytes.data.data(), b_bytes.data.size());
  const run_result r = mach.run(gemm_program(a_bytes.rows, a_bytes.cols, n, cfg, int4));
  EXPECT_FALSE(r.error) << to_string(r.error);
  matrix_i8 c(a_bytes.rows, n);
  mach.read_dram(c_at, c.data.data(), c.data.size());
  return c;
}

matrix<std::uint8_t> bytes_of(const matrix_i8& m) {
  matrix<std::uint8_t> b(m.rows, m.cols);
  for (std::size_t i = 0; i < m.data.size(); ++i) b.data[i] = static_cast<std::uint8_t>(m.data[i]);
  return b;
}

}  // namespace

TEST(RefOps, GemmMatchesNaiveTripleLoop) {
  std::mt19937 rng(1);
  for (int t = 0; t < 20; ++t) {
    const std::size_t m = 1 + rng() % 40, k = 1 + rng() % 40, n = 1 + rng() % 40;
    const auto a = random_matrix<std::int8_t>(m, k, -128, 127, rng);
    const auto b = random_matrix<std::int8_t>(k, n, -128, 127, rng);
    const matrix_i32 c = gemm(a, b);
    for (std::size_t i = 0; i < m; ++i)
      for (std::size_t j = 0; j < n; ++j) {
        std::int64_t s = 0;
        for (std::size_t x = 0; x < k; ++x) s += std::int64_t{a(i, x)} * b(x, j);
        ASSERT_EQ(c(i, j), s);
      }
    const matrix_i32 c2 = gemm(a, b, &c);
    EXPECT_EQ(c2(0, 0), 2 * c(0, 0));
  }
  EXPECT_THROW(gemm(matrix_i8(2, 3), matrix_i8(2, 3)), std::invalid_argument);
}

TEST(RefOps, TiledInt8GemmProgramMatchesHelper) {
  std::mt19937 rng(2);
  const std::size_t shapes[][3] = {{1, 1, 1},    {16, 16, 16},  {17, 33, 5},
                                   {50, 16, 31}, {64, 100, 48}, {3, 47, 17}};
  for (const auto& s : shapes) {
    const auto a = random_matrix<std::int8_t>(s[0], s[1], -128, 127, rng);
    const auto b = random_matrix<std::int8_t>(s[1], s[2], -128, 127, rng);
    const store_config cfg{static_cast<std::int32_t>(1 + rng() % 1000), 10, -3, -128, 127};
    const matrix_i8 want = requant(gemm(a, b), cfg);
    EXPECT_EQ(run_gemm(bytes_of(a), bytes_of(b), s[2], cfg, false), want)
        << s[0] << "x" << s[1] << "x" << s[2];
  }
}

TEST(RefOps, TiledInt4GemmProgramMatchesHelper) {
  std::mt19937 rng(4);
  const std::size_t shapes[][3] = {{1, 2, 1}, {16, 32, 16}, {20, 70, 9}, {33, 64, 40}, {5, 3, 3}};
  for (const auto& s : shapes) {
    const auto a = random_matrix<std::int8_t>(s[0], s[1], -8, 7, rng);
    const auto b = random_matrix<std::int8_t>(s[1], s[2], -8, 7, rng);
    matrix<std::uint8_t> ap(s[0], (s[1] + 1) / 2);
    for (std::size_t i = 0; i < s[0]; ++i) {
      const auto row = pack_int4_row(
          std::vector<std::int8_t>(a.data.begin() + static_cast<std::ptrdiff_t>(i * s[1]),
                                   a.data.begin() + static_cast<std::ptrdiff_t>((i + 1) * s[1])));
      std::copy(row.begin(), row.end(), ap.data.begin() + static_cast<std::ptrdiff_t>(i * ap.cols));
    }
    const store_config cfg{1, 0, 0, -128, 127};
    const matrix_i8 want = requant(gemm(a, b), cfg);
    EXPECT_EQ(run_gemm(ap, pack_int4_b(b), s[2], cfg, true), want) << s[0] << "x" << s[1] << "x" << s[2];
  }
}

TEST(RefOps, CsrRoundTripAndSpmmMatchesDenseGemm) {
  std::mt19937 rng(5);
  for (std::uint32_t inv : {1u, 4u, 16u, 64u, 256u}) {
    const csr a = random_csr(70, 300, inv, rng);
    const auto b = random_matrix<std::int8_t>(300, 13, -128, 127, rng);
    const matrix_i8 dense = dense_from_csr(a);
    const csr back = csr_from_dense(dense);
    EXPECT_EQ(back.row_ptr, a.row_ptr);
    EXPECT_EQ(back.col_idx, a.col_idx);
    EXPECT_EQ(back.values, a.values);
    EXPECT_EQ(spmm(a, b), gemm(dense, b)) << inv;
    if (inv == 1) {
      EXPECT_EQ(a.col_idx.size(), 70u * 300u);
    }
    std::vector<std::int8_t> x(300);
    for (std::size_t i = 0; i < 300; ++i) x[i] = b(i, 0);
    const auto y = spmv(a, x);
    for (std::size_t r = 0; r < 70; ++r) ASSERT_EQ(y[r], gemm(dense, b)(r, 0));
  }
}

TEST(RefOps, SpmmProgramMatchesHelperAtSeveralDensities) {
  std::mt19937 rng(6);
  for (std::uint32_t inv : {4u, 16u, 64u, 256u}) {
    const std::size_t rows = 100, k = 512, n = 16;
    const csr a = random_csr(rows, k, inv, rng);
    const auto b = random_matrix<std::int8_t>(k, n, -128, 127, rng);
    machine m(base, 1 << 22);
    const std::uint32_t rp = base, ci = base + 0x10000, va = base + 0x100000, bb = base + 0x200000,
                        out = base + 0x300000;
    m.write_dram(rp, a.row_ptr.data(), 4 * a.row_ptr.size());
    m.write_dram(ci, a.col_idx.data(), 4 * a.col_idx.size());
    m.write_dram(va, a.values.data(), a.values.size());
    m.write_dram(bb, b.data.data(), b.data.size());
    std::vector<instruction> p{config_sparse(rp, ci, va, static_cast<std::uint32_t>(k))};
    for (std::uint32_t r0 = 0; r0 < rows; r0 += 30) {
      const std::uint32_t cnt = std::min<std::uint32_t>(30, static_cast<std::uint32_t>(rows) - r0);
      p.push_back(spmm(bb, 16, r0, cnt, acc(0), 16));
      p.push_back(mvout(out + r0 * 64, acc(0), cnt, 16, 64, flag::raw));
    }
    const run_result r = m.run(p);
    ASSERT_FALSE(r.error) << to_string(r.error);
    matrix_i32 got(rows, n);
    m.read_dram(out, got.data.data(), 4 * got.data.size());
    EXPECT_EQ(got, spmm(a, b)) << inv;
  }
}

TEST(RefOps, GatherScatterProgramsMatchHelpers) {
  std::mt19937 rng(8);
  const auto table = random_matrix<std::int32_t>(50, 16, -100000, 100000, rng);
  std::vector<std::int32_t> idx(40);
  for (auto& x : idx) x = static_cast<std::int32_t>(rng() % 50);  // duplicates likely
  machine m(base, 1 << 20);
  const std::uint32_t ix = base, tb = base + 0x1000, tb2 = base + 0x8000;
  m.write_dram(ix, idx.data(), 4 * idx.size());
  m.write_dram(tb, table.data.data(), 4 * table.data.size());
  m.write_dram(tb2, table.data.data(), 4 * table.data.size());
  ASSERT_FALSE(m.execute(gather(ix, 40, tb, 50, 64, acc(0), 16)));
  const matrix_i32 g = gather(table, idx);
  for (std::size_t i = 0; i < 40; ++i)
    for (std::size_t c = 0; c < 16; ++c)
      ASSERT_EQ(m.acc_at(static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(c)), g(i, c));
  // Scatter the gathered rows (shifted) back: last wins; scatter-add: all added.
  const auto src = random_matrix<std::int32_t>(40, 16, -1000, 1000, rng);
  for (std::size_t i = 0; i < 40; ++i)
    for (std::size_t c = 0; c < 16; ++c)
      m.acc_at(static_cast<std::uint32_t>(i), static_cast<std::uint32_t>(c)) = src(i, c);
  ASSERT_FALSE(m.execute(scatter(ix, 40, tb, 50, 64, acc(0), 16)));
  ASSERT_FALSE(m.execute(scatter(ix, 40, tb2, 50, 64, acc(0), 16, flag::add)));
  matrix_i32 t1 = table, t2 = table, got1(50, 16), got2(50, 16);
  scatter(t1, idx, src);
  scatter_add(t2, idx, src);
  m.read_dram(tb, got1.data.data(), 4 * got1.data.size());
  m.read_dram(tb2, got2.data.data(), 4 * got2.data.size());
  EXPECT_EQ(got1, t1);
  EXPECT_EQ(got2, t2);
  EXPECT_THROW(gather(table, {50}), std::out_of_range);
}

TEST(RefOps, VectorProgramsMatchHelpers) {
  std::mt19937 rng(9);
  const std::uint32_t rows = 20;
  const auto a = random_matrix<std::int32_t>(rows, 16, -300000, 300000, rng);
  const auto b = random_matrix<std::int32_t>(rows, 16, -2000, 2000, rng);
  matrix_i32 bs(rows, 1);
  for (std::uint32_t r = 0; r < rows; ++r) bs(r, 0) = b(r, 0);
  struct cse {
    std::uint8_t f, flags;
    std::int32_t i0, i1, i2;
    bool to_spad;
  };
  const cse cases[] = {{fn::add, 0, 0, 0, 0, false},
                       {fn::add, flag::row_scalar, 0, 0, 0, true},
                       {fn::max, 0, 0, 0, 0, true},
                       {fn::mul, 0, 7, 0, 0, false},
                       {fn::mul, flag::row_scalar, 3, 0, 0, false},
                       {fn::requant, 0, 77, 12, -5, true},
                       {fn::requant, flag::relu, 77, 12, -5, true},
                       {fn::requant, flag::row_scalar | flag::relu, 0, 4, 3, false},
                       {fn::clip, 0, -1000, 5000, 0, false},
                       {fn::shift, 0, 9, 0, 0, true},
                       {fn::exp, 0, 16, 0, 0, false},
                       {fn::copy, flag::relu, 0, 0, 0, false},
                       {fn::silu, 0, 12, 0, 0, false}};
  for (const auto& c : cases) {
    machine m(base, 4096);
    for (std::uint32_t r = 0; r < rows; ++r)
      for (std::uint32_t n = 0; n < 16; ++n) {
        m.acc_at(r, n) = a(r, n);
        m.acc_at(100 + r, n) = b(r, n);
      }
    for (std::uint32_t r = 0; r < rows; ++r) m.acc_at(200 + r / 16, r % 16) = b(r, 0);
    const bool rs = c.flags & flag::row_scalar;
    const bool uses_b = c.f == fn::add || c.f == fn::max || c.f == fn::mul || rs;
    const std::uint32_t dst = c.to_spad ? spad(0) : acc(300);
    ASSERT_FALSE(m.execute(vector(c.f, acc(0), uses_b ? acc(rs ? 200 : 100) : 0, dst, rows, 0,
                                  static_cast<std::uint32_t>(c.i0), static_cast<std::uint32_t>(c.i1),
                                  static_cast<std::uint32_t>(c.i2), c.flags)));
    const matrix_i32 want = vector_elementwise(c.f, a, rs ? bs : b, c.to_spad, c.flags, c.i0, c.i1, c.i2);
    for (std::uint32_t r = 0; r < rows; ++r)
      for (std::uint32_t n = 0; n < 16; ++n)
        ASSERT_EQ(c.to_spad ? m.spad_at(r, n) : m.acc_at(300 + r, n), want(r, n))
            << funct_name(c.f) << " " << r << " " << n;
  }
}

TEST(RefOps, RowFunctProgramsMatchHelpers) {
  std::mt19937 rng(10);
  const std::uint32_t rows = 5, length = 37, per = rows_per_vector(length);
  const auto a = random_matrix<std::int32_t>(rows, length, -50000, 50000, rng);
  machine m(base, 4096);
  for (std::uint32_t t = 0; t < rows; ++t)
    for (std::uint32_t k = 0; k < length; ++k) m.acc_at(t * per + k / 16, k % 16) = a(t, k);
  ASSERT_FALSE(m.execute(vector(fn::softmax, acc(0), 0, acc(100), rows, length, 12, 10)));
  ASSERT_FALSE(m.execute(vector(fn::rmsnorm, acc(0), 0, acc(200), rows, length, 10)));
  ASSERT_FALSE(m.execute(vector(fn::quant, acc(0), acc(300), spad(0), rows, length)));
  ASSERT_FALSE(m.execute(vector(fn::argmax, acc(0), 0, acc(400), rows, length)));
  const auto sm = softmax_rows(a, 12, 10);
  const auto rn = rmsnorm_rows(a, 10);
  const auto q = quant_rows(a);
  const auto am = argmax_rows(a);
  for (std::uint32_t t = 0; t < rows; ++t) {
    std::int64_t sum = 0;
    for (std::uint32_t k = 0; k < length; ++k) {
      const std::uint32_t r = t * per + k / 16, n = k % 16;
      ASSERT_EQ(m.acc_at(100 + r, n), sm(t, k));
      ASSERT_EQ(m.acc_at(200 + r, n), rn(t, k));
      ASSERT_EQ(m.spad_at(r, n), q.q(t, k));
      sum += sm(t, k);
    }
    EXPECT_LE(sum, 32768);
    EXPECT_GE(sum, 32768 - static_cast<std::int64_t>(length));
    EXPECT_EQ(m.acc_at(300, t), q.amax[t]);
    EXPECT_EQ(m.acc_at(400, t), am[t]);
  }
}
