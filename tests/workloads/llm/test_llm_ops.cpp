// The integer operators of the LLM reference against hand-computed cases.
#include <gtest/gtest.h>

#include <cmath>
#include <random>

#include "workloads/llm/int_ops.h"

using namespace nvr::llm;

TEST(LlmOps, DyadicScales) {
  // The largest shift whose multiplier fits in int32.
  const dyadic half = to_dyadic(0.5);
  EXPECT_EQ(half.m, 1 << 30);
  EXPECT_EQ(half.shift, 31u);
  const dyadic third = to_dyadic(1.0 / 3.0);
  EXPECT_EQ(third.m, 1431655765);
  EXPECT_EQ(third.shift, 32u);
  EXPECT_EQ(to_dyadic(2e9).m, 2000000000);              // shift 0
  EXPECT_THROW(to_dyadic(3e9), std::invalid_argument);  // > INT32_MAX even at shift 0
  const dyadic_vector v = to_dyadic(std::vector<double>{1.0, 0.25, 0.0});
  EXPECT_EQ(v.shift, 30u);
  EXPECT_EQ(v.m, (std::vector<std::int32_t>{1 << 30, 1 << 28, 0}));
  EXPECT_EQ(to_dyadic(0.0).m, 0);
  EXPECT_THROW(to_dyadic(-1.0), std::invalid_argument);
  EXPECT_THROW(to_dyadic(std::nan("")), std::invalid_argument);
}

TEST(LlmOps, MulRoundsHalfUpAndSaturates) {
  EXPECT_EQ(mul(1000, 3, 2), 750);
  EXPECT_EQ(mul(-5, 1, 1), -2);  // -2.5 -> -2
  EXPECT_EQ(mul(5, 1, 1), 3);
  EXPECT_EQ(mul(INT32_MAX, 4, 1), INT32_MAX);
  EXPECT_EQ(mul(INT32_MIN, 4, 1), INT32_MIN);
  EXPECT_EQ(add(INT32_MAX, 1), INT32_MAX);
  EXPECT_EQ(add(-3, 1), -2);
}

TEST(LlmOps, QuantisePerToken) {
  const qvec q = quantise(std::vector<std::int32_t>{10, -20, 5});
  EXPECT_EQ(q.amax, 20);
  EXPECT_EQ(q.q, (std::vector<std::int8_t>{64, -127, 32}));  // 63.5 -> 64, 31.75 -> 32
  const qvec z = quantise(std::vector<std::int32_t>{0, 0});
  EXPECT_EQ(z.amax, 0);
  EXPECT_EQ(z.q, (std::vector<std::int8_t>{0, 0}));
}

TEST(LlmOps, IntegerExpAndSoftmax) {
  // iexp in Q.12: e^0 = 4096; e^-1: y = -4096 - 2048 + 256 = -5888, q = 1, r = 1792,
  // (4096 - 896) >> 1 = 1600 (e^-1 * 4096 = 1507: the shift-exp's error).
  EXPECT_EQ(npu_ref::iexp(0, softmax_bits), 4096);
  EXPECT_EQ(npu_ref::iexp(-4096, softmax_bits), 1600);
  // Softmax {0, -1}: e = {4096, 1600}, s = 5696, p = {4096 * 32768 / 5696, 1600 * 32768 / 5696}.
  const auto p = npu_ref::isoftmax({0, -4096}, softmax_bits, softmax_clip);
  EXPECT_EQ(p, (std::vector<std::int64_t>{23563, 9204}));
  // Only differences count; -20 is clipped to -15: q = 21, so its exp is 0.
  EXPECT_EQ(npu_ref::isoftmax({7 << 12, -13 * 4096}, softmax_bits, softmax_clip),
            (std::vector<std::int64_t>{32768, 0}));
}

TEST(LlmOps, IntegerRmsnorm) {
  // ms = (9 + 16) / 2 = 12, isqrt = 3: {3 * 4096 / 3, 4 * 4096 / 3 = 5461.3}.
  EXPECT_EQ(rmsnorm({3, 4}), (std::vector<std::int32_t>{4096, 5461}));
  // A realistic Q.12 row: {1.0, -1.0, 1.0, -1.0} has rms 1.
  EXPECT_EQ(rmsnorm({4096, -4096, 4096, -4096}), (std::vector<std::int32_t>{4096, -4096, 4096, -4096}));
  // All zeros: rms taken as 1.
  EXPECT_EQ(rmsnorm({0, 0}), (std::vector<std::int32_t>{0, 0}));
}

TEST(LlmOps, IntegerRope) {
  const rope_table t(4, 8);
  EXPECT_EQ(t.cos(0, 0), 16384);
  EXPECT_EQ(t.sin(0, 3), 0);
  EXPECT_EQ(t.cos(1, 0), 8852);   // cos(1) * 2^14 = 8852.2
  EXPECT_EQ(t.sin(1, 0), 13787);  // sin(1) * 2^14 = 13786.6
  // theta_j = 10000^(-2j/8): j = 2 gives 0.01 rad at position 1.
  EXPECT_EQ(t.sin(1, 2), static_cast<std::int32_t>(std::lround(std::sin(0.01) * 16384)));
  // Position 0 is the identity; position 1 rotates (4096, 0) by 1 rad:
  // (4096 * 8852 / 2^14, 4096 * 13787 / 2^14) = (2213, 3446.75 -> 3447).
  std::int32_t v[8] = {4096, 0, 100, -100, 5, 6, 7, 8};
  std::int32_t w[8];
  std::copy(v, v + 8, w);
  rope(w, 8, 8, 0, t);
  EXPECT_TRUE(std::equal(v, v + 8, w));
  rope(v, 8, 8, 1, t);
  EXPECT_EQ(v[0], 2213);
  EXPECT_EQ(v[1], 3447);
  // The pair of j = 0 in the second head is rotated by the same angle.
  std::int32_t two_heads[4] = {4096, 0, 4096, 0};
  rope(two_heads, 4, 2, 1, t);
  EXPECT_EQ(two_heads[2], 2213);
  EXPECT_EQ(two_heads[3], 3447);
}

TEST(LlmOps, LinearPerChannelRequant) {
  // Row 0 {1, -0.5, 0.25}: scale 1/127, int8 {127, -64, 32}; row 1 all zero (scale 0).
  const qlinear l = quantise_linear({1.0f, -0.5f, 0.25f, 0.0f, 0.0f, 0.0f}, 2, 3, false);
  EXPECT_EQ(l.w.data, (std::vector<std::int8_t>{127, -64, 32, 0, 0, 0}));
  // Requant factor of row 0: (1/127) * 2^28 / (127 * 2^12) = 2^16 / 16129 = 4.063: shift 28.
  EXPECT_EQ(l.requant.shift, 28u);
  EXPECT_EQ(l.requant.m[0], 1090717716);  // round(2^44 / 16129)
  EXPECT_EQ(l.requant.m[1], 0);
  // Input 1.0 in the first lane: q 127 with amax 4096 (Q.12). acc = 16129, t = 65536,
  // y = 65536 * 4096 >> 16 = 4096 = 1.0 in Q.12.
  const qvec x{{127, 0, 0}, 4096};
  EXPECT_EQ(matvec(l, x.q), (std::vector<std::int32_t>{16129, 0}));
  EXPECT_EQ(linear(l, x), (std::vector<std::int32_t>{4096, 0}));
  // The input (1, 1, 1) * 0.5: q {127, 127, 127}, amax 2048: 0.5 * 0.75 = 0.375 (1536);
  // acc = 127 * 95 = 12065, t = round(12065 * 4.063) = 49023, y = 49023 * 2048 / 65536 = 1532.
  EXPECT_EQ(linear(l, qvec{{127, 127, 127}, 2048}), (std::vector<std::int32_t>{1532, 0}));
  EXPECT_THROW(matvec(l, {1, 2}), std::invalid_argument);
}

TEST(LlmOps, SparseLinearEqualsDense) {
  std::mt19937 rng(5);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> w(40 * 33);
  for (auto& x : w) x = rng() % 4 == 0 ? u(rng) : 0.0f;  // ~75% zeros, some rows empty below
  for (int c = 0; c < 33; ++c) w[static_cast<std::size_t>(7 * 33 + c)] = 0.0f;
  const qlinear dense = quantise_linear(w, 40, 33, false), sparse = quantise_linear(w, 40, 33, true);
  EXPECT_TRUE(sparse.sparse);
  EXPECT_EQ(sparse.csr.values.size(),
            static_cast<std::size_t>(
                std::count_if(dense.w.data.begin(), dense.w.data.end(), [](std::int8_t v) { return v; })));
  for (int trial = 0; trial < 20; ++trial) {
    std::vector<std::int32_t> x(33);
    for (auto& v : x) v = static_cast<std::int32_t>(rng() % 20001) - 10000;
    const qvec q = quantise(x);
    EXPECT_EQ(linear(dense, q), linear(sparse, q));
  }
}

// The operators are the NPU's vector functs: the same numbers as nvr_npu_ref's ISA-level
// functions (vector_elementwise to the accumulator, the row functs) on random rows.
TEST(LlmOps, SameAsTheNpuVectorFuncts) {
  std::mt19937 rng(11);
  auto value = [&rng] {
    const int bits = 1 + static_cast<int>(rng() % 31);
    return static_cast<std::int32_t>(static_cast<std::int64_t>(rng() % (1u << bits)) - (1 << (bits - 1)));
  };
  npu_ref::matrix_i32 a(4, 16), b(4, 16), scalar(4, 1);
  for (int trial = 0; trial < 50; ++trial) {
    for (auto& x : a.data) x = value();
    for (auto& x : b.data) x = value();
    for (auto& x : scalar.data) x = value();
    const unsigned s = static_cast<unsigned>(rng() % 40);
    const auto m =
        npu_ref::vector_elementwise(npu_ref::fn::mul, a, b, false, 0, static_cast<std::int32_t>(s));
    const auto ad = npu_ref::vector_elementwise(npu_ref::fn::add, a, b, false);
    const auto rq =
        npu_ref::vector_elementwise(npu_ref::fn::requant, a, scalar, false, npu_ref::flag::row_scalar, 0,
                                    static_cast<std::int32_t>(s), 0);
    const auto si = npu_ref::vector_elementwise(npu_ref::fn::silu, a, b, false, 0, act_bits);
    for (std::size_t r = 0; r < 4; ++r)
      for (std::size_t c = 0; c < 16; ++c) {
        ASSERT_EQ(mul(a(r, c), b(r, c), s), m(r, c));
        ASSERT_EQ(add(a(r, c), b(r, c)), ad(r, c));
        ASSERT_EQ(mul(a(r, c), scalar(r, 0), s), rq(r, c));  // requant with a per-row multiplier
        ASSERT_EQ(npu_ref::sat32(npu_ref::isilu(a(r, c), act_bits)), si(r, c));
      }
    const auto rms = npu_ref::rmsnorm_rows(a, norm_bits);
    const auto sm = npu_ref::softmax_rows(a, softmax_bits, softmax_clip);
    const auto qr = npu_ref::quant_rows(a);
    for (std::size_t r = 0; r < 4; ++r) {
      const std::vector<std::int32_t> row(a.data.begin() + static_cast<long>(16 * r),
                                          a.data.begin() + static_cast<long>(16 * (r + 1)));
      ASSERT_EQ(rmsnorm(row), std::vector<std::int32_t>(rms.data.begin() + static_cast<long>(16 * r),
                                                        rms.data.begin() + static_cast<long>(16 * (r + 1))));
      const auto p = npu_ref::isoftmax(row, softmax_bits, softmax_clip);
      for (std::size_t c = 0; c < 16; ++c) ASSERT_EQ(p[c], sm(r, c));
      const qvec q = quantise(row);
      ASSERT_EQ(q.amax, qr.amax[r]);
      for (std::size_t c = 0; c < 16; ++c) ASSERT_EQ(q.q[c], qr.q(r, c));
    }
  }
}

TEST(LlmOps, GsqGroupSharedExponents) {
  // Groups of 2 of {1.0, 0.5 | 0.01, -0.02}, 8-bit mantissas (|m| <= 127):
  // group 0 needs 2^ceil(log2(1/127)) = 2^-6: mantissas {64, 32};
  // group 1 needs 2^ceil(log2(0.02/127)) = 2^-12: {41 (40.96), -82 (-81.92)}.
  // Row exponent 2^-12 (the lowest), offsets d = {6, 0}.
  const qlinear l =
      quantise_linear({1.0f, 0.5f, 0.01f, -0.02f}, 1, 4, weight_format{false, gsq_format{2, 5, 8}});
  EXPECT_EQ(l.group, 2);
  EXPECT_EQ(l.w.data, (std::vector<std::int8_t>{64, 32, 41, -82}));
  EXPECT_EQ(l.group_shift.data, (std::vector<std::uint8_t>{6, 0}));
  EXPECT_EQ(l.scale[0], std::ldexp(1.0, -12));
  // acc = ((64 + 32) * 127 << 6) + (41 - 82) * 127 = 780288 - 5207.
  EXPECT_EQ(matvec(l, {127, 127, 127, 127}), std::vector<std::int32_t>{775081});
  // One exponent bit: offsets at most 1, so group 1 is coarsened to 2^-7: {1 (1.28), -3 (-2.56)}.
  const qlinear c =
      quantise_linear({1.0f, 0.5f, 0.01f, -0.02f}, 1, 4, weight_format{false, gsq_format{2, 1, 8}});
  EXPECT_EQ(c.w.data, (std::vector<std::int8_t>{64, 32, 1, -3}));
  EXPECT_EQ(c.group_shift.data, (std::vector<std::uint8_t>{1, 0}));
  // 4-bit mantissas (|m| <= 7), one group of 4: 2^ceil(log2(1/7)) = 2^-2: {4, 2, 0, 0}.
  const qlinear m4 =
      quantise_linear({1.0f, 0.5f, 0.01f, -0.02f}, 1, 4, weight_format{false, gsq_format{4, 5, 4}});
  EXPECT_EQ(m4.w.data, (std::vector<std::int8_t>{4, 2, 0, 0}));
  // A row of zeros, and a partial last group (5 columns, groups of 2).
  const qlinear z =
      quantise_linear(std::vector<float>(10, 0.0f), 2, 5, weight_format{false, gsq_format{2, 5, 8}});
  EXPECT_EQ(z.group_shift.cols, 3u);
  EXPECT_EQ(matvec(z, {1, 2, 3, 4, 5}), (std::vector<std::int32_t>{0, 0}));
  EXPECT_EQ(z.requant.m, (std::vector<std::int32_t>{0, 0}));
}

TEST(LlmOps, GsqFormatChecks) {
  EXPECT_EQ(check(gsq_format{}), "");
  EXPECT_EQ(check(gsq_format{0, 5, 8}), "group size 0 is outside 1..4096");
  EXPECT_EQ(check(gsq_format{32, 9, 8}), "exponent bits 9 are outside 1..8");
  EXPECT_EQ(check(gsq_format{32, 5, 1}), "mantissa bits 1 are outside 2..8");
  EXPECT_THROW(quantise_linear({1.0f}, 1, 1, weight_format{true, gsq_format{}}), std::invalid_argument);
  EXPECT_THROW(quantise_linear({1.0f}, 1, 1, weight_format{false, gsq_format{32, 5, 9}}),
               std::invalid_argument);
}

TEST(LlmOps, GsqAccumulationCannotOverflow) {
  // Extreme spread inside a row and full-scale inputs: the offsets are limited so the sum
  // stays below 2^31 (checked against a wide sum of the same mantissas and offsets).
  std::vector<float> w(256);
  for (std::size_t i = 0; i < w.size(); ++i)
    w[i] = (i % 2 ? -1.0f : 1.0f) * std::ldexp(1.0f, -static_cast<int>(i / 32) * 4);
  const qlinear l = quantise_linear(w, 1, 256, weight_format{false, gsq_format{32, 8, 8}});
  std::vector<std::int8_t> q(256);
  for (std::size_t i = 0; i < q.size(); ++i) q[i] = i % 2 ? -127 : 127;
  std::int64_t wide = 0;
  for (std::size_t i = 0; i < 256; ++i)
    wide += (std::int64_t{l.w.data[i]} * q[i]) << l.group_shift.data[i / 32];
  EXPECT_LT(wide, INT32_MAX);
  EXPECT_EQ(matvec(l, q)[0], wide);
  EXPECT_LE(*std::max_element(l.group_shift.data.begin(), l.group_shift.data.end()),
            9);  // 31 - bits(256 * 127 * 127) = 31 - 22
}
