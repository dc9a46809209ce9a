// Element functions of the reference against hand-computed values (ISA.md "Definitions") and
// against wide or floating-point formulas on random inputs.
#include <gtest/gtest.h>

#include <cmath>
#include <numeric>
#include <random>

#include "workloads/ref/arith.h"

using namespace npu_ref;

TEST(RefArith, RoundShiftRoundsHalfUpOnNegativesToo) {
  EXPECT_EQ(round_shift(5, 0), 5);
  EXPECT_EQ(round_shift(-5, 0), -5);
  EXPECT_EQ(round_shift(5, 1), 3);    // 2.5 -> 3
  EXPECT_EQ(round_shift(-5, 1), -2);  // -2.5 -> -2 (half up)
  EXPECT_EQ(round_shift(-3, 1), -1);  // -1.5 -> -1
  EXPECT_EQ(round_shift(-1, 1), 0);   // -0.5 -> 0
  EXPECT_EQ(round_shift(6, 2), 2);    // 1.5 -> 2
  EXPECT_EQ(round_shift(-6, 2), -1);  // -1.5 -> -1
  EXPECT_EQ(round_shift(-7, 2), -2);  // -1.75 -> -2
  EXPECT_EQ(round_shift(7, 62), 0);
  EXPECT_EQ(round_shift(INT64_C(3) << 61, 62), 2);  // 1.5 -> 2
  EXPECT_EQ(round_shift(INT64_MAX, 62), 2);
  EXPECT_EQ(round_shift(INT64_MIN, 62), -2);
}

TEST(RefArith, RoundDivRoundsHalfAwayFromZero) {
  EXPECT_EQ(round_div(7, 2), 4);
  EXPECT_EQ(round_div(-7, 2), -4);
  EXPECT_EQ(round_div(5, 3), 2);
  EXPECT_EQ(round_div(-5, 3), -2);
  EXPECT_EQ(round_div(4, 3), 1);
  EXPECT_EQ(round_div(-4, 3), -1);
  EXPECT_EQ(round_div(1, 2), 1);
  EXPECT_EQ(round_div(-1, 2), -1);
  EXPECT_EQ(round_div(0, 5), 0);
  EXPECT_EQ(round_div(127 * 3, 1), 381);
}

TEST(RefArith, IsqrtEdgeCases) {
  const std::uint64_t v[] = {0, 1, 2, 3, 4, 15, 16, 17, 24, 25};
  const std::uint64_t s[] = {0, 1, 1, 1, 2, 3, 4, 4, 4, 5};
  for (int i = 0; i < 10; ++i) EXPECT_EQ(isqrt(v[i]), s[i]) << v[i];
  EXPECT_EQ(isqrt(std::uint64_t{1} << 62), std::uint64_t{1} << 31);
  EXPECT_EQ(isqrt((std::uint64_t{1} << 62) - 1), (std::uint64_t{1} << 31) - 1);
  EXPECT_EQ(isqrt(UINT64_MAX), 0xffffffffu);
  EXPECT_EQ(isqrt(0xfffffffe00000001u), 0xffffffffu);  // (2^32 - 1)^2
  EXPECT_EQ(isqrt(0xfffffffe00000000u), 0xfffffffeu);
}

TEST(RefArith, IsqrtMatchesSqrtlOnRandom62BitValues) {
  std::mt19937_64 rng(62);
  for (int i = 0; i < 100000; ++i) {
    const std::uint64_t v = rng() >> (2 + rng() % 60);
    const std::uint64_t s = isqrt(v);
    ASSERT_LE(static_cast<unsigned __int128>(s) * s, v) << v;
    ASSERT_GT(static_cast<unsigned __int128>(s + 1) * (s + 1), v) << v;
    ASSERT_LE(std::fabs(static_cast<long double>(s) - std::floor(std::sqrt(static_cast<long double>(v)))),
              1.0L)
        << v;
  }
}

TEST(RefArith, IexpHandValues) {
  EXPECT_EQ(iexp(0, 8), 256);
  EXPECT_EQ(iexp(1000, 8), 256);     // positive inputs count as 0
  EXPECT_EQ(iexp(-1, 8), 256);       // y = -1 - 1 + 1 = -1, r = 1, r >> 1 = 0
  EXPECT_EQ(iexp(-2, 8), 255);       // y = -2, r = 2
  EXPECT_EQ(iexp(-128, 8), 164);     // -0.5: y = -184, q = 0, r = 184: 256 - 92
  EXPECT_EQ(iexp(-256, 8), 100);     // -1.0: y = -368, q = 1, r = 112: (256 - 56) >> 1
  EXPECT_EQ(iexp(-2, 1), 1);         // f = 1: -1.0: y = -2, q = 1, r = 0: 2 >> 1
  EXPECT_EQ(iexp(-21 * 256, 8), 0);  // q = 30: (256 - 24) >> 30
  EXPECT_EQ(iexp(-22 * 256, 8), 0);  // q = 31 > 30
  EXPECT_EQ(iexp(0, 24), 1 << 24);
  EXPECT_EQ(iexp(-(INT64_C(1) << 55), 24), 0);
}

TEST(RefArith, IexpIsCloseToExpAndMonotone) {
  const unsigned f = 12;
  std::int64_t last = iexp(-20 * 4096, f);
  for (std::int64_t x = -20 * 4096; x <= 0; ++x) {
    const std::int64_t e = iexp(x, f);
    ASSERT_GE(e, last) << x;
    last = e;
    const double want = 4096.0 * std::exp(static_cast<double>(x) / 4096.0);
    ASSERT_NEAR(static_cast<double>(e), want, 0.09 * want + 2) << x;
  }
}

TEST(RefArith, IsoftmaxHandValues) {
  EXPECT_EQ(isoftmax({0, 0}, 8, 8), (std::vector<std::int64_t>{16384, 16384}));
  // e = {256, 100}, s = 356.
  EXPECT_EQ(isoftmax({256, 0}, 8, 8), (std::vector<std::int64_t>{23563, 9204}));
  // Shift invariance: only differences count.
  EXPECT_EQ(isoftmax({1000256, 1000000}, 8, 8), (std::vector<std::int64_t>{23563, 9204}));
  // The clip: d = max(-100000, -(2 << 8)) = -512 -> e = 36; s = 292.
  EXPECT_EQ(isoftmax({0, -100000}, 8, 2), (std::vector<std::int64_t>{28728, 4039}));
  // c = 0: every difference clipped to 0, uniform.
  EXPECT_EQ(isoftmax({5, -7, 100}, 8, 0), (std::vector<std::int64_t>{10922, 10922, 10922}));
  EXPECT_EQ(isoftmax({INT32_MIN, INT32_MAX}, 24, 0x7fffffff), (std::vector<std::int64_t>{0, 32768}));
  EXPECT_EQ(isoftmax({7}, 1, 1), (std::vector<std::int64_t>{32768}));
}

TEST(RefArith, IsoftmaxSumsToAbout32768) {
  std::mt19937 rng(7);
  for (int t = 0; t < 500; ++t) {
    const std::size_t n = 1 + rng() % 300;
    const unsigned f = 1 + rng() % 24;
    std::vector<std::int32_t> x(n);
    for (auto& v : x) v = static_cast<std::int32_t>(rng() % (1u << 20)) - (1 << 19);
    const auto p = isoftmax(x, f, 1 + rng() % 30);
    const std::int64_t sum = std::accumulate(p.begin(), p.end(), std::int64_t{0});
    ASSERT_LE(sum, 32768);
    ASSERT_GE(sum, 32768 - static_cast<std::int64_t>(n));  // each p_i truncated by < 1
    for (auto v : p) ASSERT_GE(v, 0);
  }
}

TEST(RefArith, RmsnormHandValues) {
  EXPECT_EQ(rmsnorm({3, 4}, 0), (std::vector<std::int64_t>{1, 1}));  // ms = 25 / 2 = 12, rms = 3
  EXPECT_EQ(rmsnorm({3, 4}, 8), (std::vector<std::int64_t>{256, 341}));
  EXPECT_EQ(rmsnorm({-3, 4}, 8), (std::vector<std::int64_t>{-256, 341}));
  EXPECT_EQ(rmsnorm({0, 0}, 8), (std::vector<std::int64_t>{0, 0}));  // rms = max(0, 1)
  EXPECT_EQ(rmsnorm({1}, 4), (std::vector<std::int64_t>{16}));
  // The sum of squares needs more than 64 bits: 65535 * 2^62, mean 2^62, rms 2^31.
  std::vector<std::int32_t> big(65535, INT32_MIN);
  const auto y = rmsnorm(big, 24);
  EXPECT_EQ(y.front(), -(INT64_C(1) << 24));
  EXPECT_EQ(y.back(), -(INT64_C(1) << 24));
}

TEST(RefArith, RmsnormMatchesFloatFormula) {
  std::mt19937 rng(17);
  for (int t = 0; t < 300; ++t) {
    const std::size_t n = 1 + rng() % 100;
    std::vector<std::int32_t> x(n);
    for (auto& v : x) v = static_cast<std::int32_t>(rng() % 200001) - 100000;
    const auto y = rmsnorm(x, 12);
    long double ss = 0;
    for (auto v : x) ss += static_cast<long double>(v) * v;
    const long double rms = std::max(std::floor(std::sqrt(std::floor(ss / n))), 1.0L);
    for (std::size_t i = 0; i < n; ++i)
      ASSERT_LE(std::fabs(static_cast<long double>(y[i]) - x[i] * 4096.0L / rms), 0.5L) << i;
  }
}

TEST(RefArith, QuantHandValues) {
  auto q = quant({100, -50, 0});
  EXPECT_EQ(q.amax, 100);
  EXPECT_EQ(q.q, (std::vector<std::int8_t>{127, -64, 0}));  // -63.5 rounds away from zero
  q = quant({3, 1, -3, -1});
  EXPECT_EQ(q.q, (std::vector<std::int8_t>{127, 42, -127, -42}));
  q = quant({0, 0, 0});
  EXPECT_EQ(q.amax, 0);
  EXPECT_EQ(q.q, (std::vector<std::int8_t>{0, 0, 0}));
  q = quant({INT32_MIN, 1});
  EXPECT_EQ(q.amax, INT64_C(1) << 31);
  EXPECT_EQ(q.q, (std::vector<std::int8_t>{-127, 0}));
}

TEST(RefArith, IsiluHandValues) {
  EXPECT_EQ(isilu(0, 8), 0);
  EXPECT_EQ(isilu(256, 8), 184);              // e = 100, sig = 65536 / 356 = 184
  EXPECT_EQ(isilu(-256, 8), -71);             // sig = 25600 / 356 = 71; -18176 rounds to -70.5 -> -71
  EXPECT_EQ(isilu(100 * 256, 8), 100 * 256);  // sigmoid saturates at 1
  EXPECT_EQ(isilu(-100 * 256, 8), 0);
}

TEST(RefArith, RequantHandValues) {
  const store_config c{3, 2, 1, -128, 127};
  EXPECT_EQ(requant(5, c), 5);    // 15 -> 4, + 1
  EXPECT_EQ(requant(-5, c), -3);  // -15 -> -4 (round half up of -3.75), + 1
  EXPECT_EQ(requant(1000, c), 127);
  EXPECT_EQ(requant(-1000, c), -128);
  EXPECT_EQ(requant(INT32_MIN, store_config{INT32_MIN, 0, 0, -128, 127}), 127);  // 2^62 saturates
  EXPECT_EQ(requant(-7, store_config{1, 0, 0, 0, 127}), 0);                      // ReLU by clip
  EXPECT_EQ(requant(12345, store_config{}), 127);
}

TEST(RefArith, RequantMatchesFloatFormula) {
  std::mt19937 rng(3);
  for (int t = 0; t < 100000; ++t) {
    store_config c;
    c.multiplier = static_cast<std::int32_t>(rng());
    c.shift = rng() % 63;
    c.zero_point = static_cast<std::int32_t>(rng() % 256) - 128;
    const auto x = static_cast<std::int32_t>(rng());
    const long double v =
        std::floor(static_cast<long double>(x) * c.multiplier / std::ldexp(1.0L, c.shift) + 0.5L);
    const long double want = std::min(std::max(v + c.zero_point, -128.0L), 127.0L);
    ASSERT_EQ(requant(x, c), static_cast<int>(want)) << x << " " << c.multiplier << " " << c.shift;
  }
}

TEST(RefArith, Int4Nibbles) {
  EXPECT_EQ(int4_lo(0xf7), 7);
  EXPECT_EQ(int4_hi(0xf7), -1);
  EXPECT_EQ(int4_lo(0x08), -8);
  EXPECT_EQ(int4_hi(0x80), -8);
  EXPECT_EQ(int4_pack(-1, 7), 0x7f);
  EXPECT_EQ(int4_pack(-8, -8), 0x88);
  for (int lo = -8; lo < 8; ++lo)
    for (int hi = -8; hi < 8; ++hi) {
      EXPECT_EQ(int4_lo(int4_pack(lo, hi)), lo);
      EXPECT_EQ(int4_hi(int4_pack(lo, hi)), hi);
    }
}

TEST(RefArith, SaturationAndClamp) {
  EXPECT_EQ(sat8(200), 127);
  EXPECT_EQ(sat8(-200), -128);
  EXPECT_EQ(sat32(INT64_C(1) << 40), INT32_MAX);
  EXPECT_EQ(sat32(-(INT64_C(1) << 40)), INT32_MIN);
  EXPECT_EQ(clamp(5, 10, 3), 3);  // lo > hi: hi
  EXPECT_EQ(wrap_add(INT32_MAX, 1), INT32_MIN);
  EXPECT_EQ(argmax({1, 5, 5, 2}), 1u);
}
