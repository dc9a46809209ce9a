// The reference machine, one instruction class at a time, against hand-computed values.
#include <gtest/gtest.h>

#include "workloads/ref/machine.h"

using namespace npu_ref;

namespace {

constexpr std::uint32_t base = 0x80000000u;

struct RefMachine : ::testing::Test {
  machine m{base, 1 << 20};
  void ok(const instruction& i) { ASSERT_FALSE(m.execute(i)) << to_string(m.error()); }
  void put8(std::uint32_t addr, std::initializer_list<int> v) {
    for (int x : v) m.set_dram_i8(addr++, static_cast<std::int8_t>(x));
  }
  void put32(std::uint32_t addr, std::initializer_list<std::int32_t> v) {
    for (auto x : v) m.set_dram_i32(addr, x), addr += 4;
  }
};

}  // namespace

TEST_F(RefMachine, MvinScratchpadStridedPartialColumns) {
  for (int i = 0; i < 64; ++i) m.set_dram_i8(base + i, static_cast<std::int8_t>(i - 20));
  for (std::uint32_t n = 0; n < 16; ++n) m.spad_at(5, n) = m.spad_at(6, n) = 99;
  ok(mvin(base + 1, spad(5), 2, 3, 32));
  EXPECT_EQ(m.spad_at(5, 0), -19);
  EXPECT_EQ(m.spad_at(5, 2), -17);
  EXPECT_EQ(m.spad_at(5, 3), 99);  // lanes past cols keep their value
  EXPECT_EQ(m.spad_at(6, 0), 13);  // row 1 at +32
  EXPECT_EQ(m.spad_at(6, 2), 15);
  EXPECT_EQ(m.spad_at(6, 15), 99);
  EXPECT_EQ(m.retired(), 1u);
}

TEST_F(RefMachine, MvinAccumulatorInt32I8AndAccumulateWraps) {
  put32(base, {INT32_MAX, -5, 7});
  put8(base + 64, {-1, -128, 127});
  ok(mvin(base, acc(3), 1, 3, 0));
  EXPECT_EQ(m.acc_at(3, 0), INT32_MAX);
  EXPECT_EQ(m.acc_at(3, 1), -5);
  ok(mvin(base + 64, acc(3, true), 1, 3, 0, flag::i8));
  EXPECT_EQ(m.acc_at(3, 0), INT32_MAX - 1);
  EXPECT_EQ(m.acc_at(3, 1), -133);
  EXPECT_EQ(m.acc_at(3, 2), 134);
  put32(base, {2});
  ok(mvin(base, acc(3, true), 1, 1, 0));
  EXPECT_EQ(m.acc_at(3, 0), INT32_MIN);  // INT32_MAX - 1 + 2 wraps
  ok(mvin(base + 64, acc(4), 1, 2, 0, flag::i8));
  EXPECT_EQ(m.acc_at(4, 0), -1);
  EXPECT_EQ(m.acc_at(4, 1), -128);
}

TEST_F(RefMachine, MvoutScratchpadRawAndRequantised) {
  for (std::uint32_t n = 0; n < 16; ++n) m.spad_at(0, n) = static_cast<std::int8_t>(n - 8);
  ok(mvout(base + 100, spad(0), 1, 4, 0));
  EXPECT_EQ(m.dram_i8(base + 100), -8);
  EXPECT_EQ(m.dram_i8(base + 103), -5);
  EXPECT_EQ(m.dram_i8(base + 104), 0);  // not written
  m.acc_at(1, 0) = 5;
  m.acc_at(1, 1) = -5;
  m.acc_at(1, 2) = 1000;
  m.acc_at(2, 0) = -1000;
  ok(mvout(base + 200, acc(1), 2, 3, 16, flag::raw));
  EXPECT_EQ(m.dram_i32(base + 200), 5);
  EXPECT_EQ(m.dram_i32(base + 208), 1000);
  EXPECT_EQ(m.dram_i32(base + 216), -1000);
  // Reset configuration: multiplier 1, shift 0, zp 0, clip [-128, 127].
  ok(mvout(base + 300, acc(1), 2, 3, 3));
  EXPECT_EQ(m.dram_i8(base + 300), 5);
  EXPECT_EQ(m.dram_i8(base + 302), 127);
  EXPECT_EQ(m.dram_i8(base + 303), -128);
  ok(config_store(3, 2, 1, -10, 100));
  ok(mvout(base + 400, acc(1), 2, 3, 3));
  EXPECT_EQ(m.dram_i8(base + 400), 5);    // (15 + 2) >> 2 = 4, + 1
  EXPECT_EQ(m.dram_i8(base + 401), -3);   // (-15 + 2) >> 2 = -4, + 1
  EXPECT_EQ(m.dram_i8(base + 402), 100);  // clip_max
  EXPECT_EQ(m.dram_i8(base + 403), -10);  // clip_min
}

TEST_F(RefMachine, MatmulInt8) {
  // a row i = [1, 2, ..., 16] * (i + 1); b = identity * 2 plus b[0][15] = 1.
  for (std::uint32_t i = 0; i < 2; ++i)
    for (std::uint32_t k = 0; k < 16; ++k) m.spad_at(10 + i, k) = static_cast<std::int8_t>((k + 1) * (i + 1));
  for (std::uint32_t k = 0; k < 16; ++k) m.spad_at(100 + k, k) = 2;
  m.spad_at(100, 15) = 1;
  ok(matmul(spad(10), spad(100), acc(0), 2));
  EXPECT_EQ(m.acc_at(0, 0), 2);
  EXPECT_EQ(m.acc_at(0, 14), 30);
  EXPECT_EQ(m.acc_at(0, 15), 33);  // 16 * 2 + 1 * 1
  EXPECT_EQ(m.acc_at(1, 15), 66);
  ok(matmul(spad(10), spad(100), acc(0, true), 1));
  EXPECT_EQ(m.acc_at(0, 15), 66);
  EXPECT_EQ(m.acc_at(1, 15), 66);  // row 1 not part of it
  // Extremes: -128 * -128 * 16 = 262144.
  for (std::uint32_t k = 0; k < 16; ++k) {
    m.spad_at(20, k) = -128;
    for (std::uint32_t n = 0; n < 16; ++n) m.spad_at(200 + k, n) = -128;
  }
  ok(matmul(spad(20), spad(200), acc(5), 1));
  EXPECT_EQ(m.acc_at(5, 7), 262144);
}

TEST_F(RefMachine, MatmulInt4Nibbles) {
  // a[0][0] = 2 (low nibble of byte 0), a[0][1] = -3 (high); a[0][31] = -8.
  m.spad_at(0, 0) = static_cast<std::int8_t>(int4_pack(2, -3));
  m.spad_at(0, 15) = static_cast<std::int8_t>(int4_pack(0, -8));
  // b[0][n] = 4 and b[1][n] = 5 in spad row 16 (byte n); b[31][3] = 7 in row 31 high nibble.
  for (std::uint32_t n = 0; n < 16; ++n) m.spad_at(16, n) = static_cast<std::int8_t>(int4_pack(4, 5));
  m.spad_at(31, 3) = static_cast<std::int8_t>(int4_pack(0, 7));
  ok(matmul(spad(0), spad(16), acc(0), 1, flag::int4));
  EXPECT_EQ(m.acc_at(0, 0), 2 * 4 - 3 * 5);
  EXPECT_EQ(m.acc_at(0, 3), 2 * 4 - 3 * 5 - 8 * 7);
  // The same bytes as int8: 0xd2 = -46 times 0x54 = 84, and 0x80 * 0x70.
  ok(matmul(spad(0), spad(16), acc(1), 1));
  EXPECT_EQ(m.acc_at(1, 0), -46 * 84);
  EXPECT_EQ(m.acc_at(1, 3), -46 * 84 + (-128) * 112);
}

TEST_F(RefMachine, GatherRowsAndGatherSum) {
  put32(base, {2, 0, 2});
  for (int r = 0; r < 3; ++r)
    for (int c = 0; c < 8; ++c) m.set_dram_i8(base + 0x100 + 8 * r + c, static_cast<std::int8_t>(10 * r + c));
  ok(gather(base, 3, base + 0x100, 3, 8, spad(40), 4));
  EXPECT_EQ(m.spad_at(40, 0), 20);
  EXPECT_EQ(m.spad_at(40, 3), 23);
  EXPECT_EQ(m.spad_at(40, 4), 0);
  EXPECT_EQ(m.spad_at(41, 1), 1);
  EXPECT_EQ(m.spad_at(42, 2), 22);
  // int8 table into the accumulator, summed over duplicate rows.
  put32(base + 0x40, {1, 1, 2});
  ok(gather(base + 0x40, 1, base + 0x100, 3, 8, acc(7), 2, flag::i8));
  ok(gather(base + 0x44, 1, base + 0x100, 3, 8, acc(7, true), 2, flag::i8));
  ok(gather(base + 0x48, 1, base + 0x100, 3, 8, acc(7, true), 2, flag::i8));
  EXPECT_EQ(m.acc_at(7, 0), 10 + 10 + 20);
  EXPECT_EQ(m.acc_at(7, 1), 11 + 11 + 21);
  // int32 table.
  put32(base + 0x200, {-1, -2, -3, -4});
  put32(base + 0x60, {1});
  ok(gather(base + 0x60, 1, base + 0x200, 2, 8, acc(9), 2));
  EXPECT_EQ(m.acc_at(9, 0), -3);
  EXPECT_EQ(m.acc_at(9, 1), -4);
}

TEST_F(RefMachine, ScatterLastWinsAndScatterAddAddsEveryDuplicate) {
  put32(base, {1, 3, 1});
  for (std::uint32_t i = 0; i < 3; ++i)
    for (std::uint32_t n = 0; n < 16; ++n) m.spad_at(i, n) = static_cast<std::int8_t>(10 * (i + 1) + n);
  ok(scatter(base, 3, base + 0x100, 4, 16, spad(0), 2));
  EXPECT_EQ(m.dram_i8(base + 0x110), 30);  // row 1: index 2 (value 30) wins over index 0
  EXPECT_EQ(m.dram_i8(base + 0x111), 31);
  EXPECT_EQ(m.dram_i8(base + 0x112), 0);
  EXPECT_EQ(m.dram_i8(base + 0x130), 20);
  EXPECT_EQ(m.dram_i8(base + 0x100), 0);
  // int32 from the accumulator: plain, then add.
  m.acc_at(0, 0) = 5;
  m.acc_at(1, 0) = 7;
  m.acc_at(2, 0) = INT32_MAX;
  put32(base + 0x200, {100, 100, 100, 100});
  ok(scatter(base, 3, base + 0x200, 4, 4, acc(0), 1));
  EXPECT_EQ(m.dram_i32(base + 0x204), INT32_MAX);
  EXPECT_EQ(m.dram_i32(base + 0x20c), 7);
  put32(base + 0x200, {100, 100, 100, 100});
  ok(scatter(base, 3, base + 0x200, 4, 4, acc(0), 1, flag::add));
  EXPECT_EQ(m.dram_i32(base + 0x200), 100);
  EXPECT_EQ(m.dram_i32(base + 0x204), wrap_add(105, INT32_MAX));  // both duplicates added, wrapping
  EXPECT_EQ(m.dram_i32(base + 0x20c), 107);
}

TEST_F(RefMachine, SpmmAndSpmv) {
  // A (3 x 4) = [[1, 0, 0, -2], [0, 0, 0, 0], [0, 3, 4, 0]]; B (4 x 2) rows [1, 2], [3, 4], [5, 6], [7, 8].
  put32(base, {0, 2, 2, 4});                                      // row_ptr
  put32(base + 0x20, {0, 3, 1, 2});                               // col_idx
  put8(base + 0x40, {1, -2, 3, 4});                               // values
  put8(base + 0x80, {1, 2, 0, 0, 3, 4, 0, 0, 5, 6, 0, 0, 7, 8});  // B, stride 4
  ok(config_sparse(base, base + 0x20, base + 0x40, 4));
  for (std::uint32_t n = 0; n < 16; ++n) m.acc_at(11, n) = 1000;
  ok(spmm(base + 0x80, 4, 0, 3, acc(10), 2));
  EXPECT_EQ(m.acc_at(10, 0), 1 - 14);
  EXPECT_EQ(m.acc_at(10, 1), 2 - 16);
  EXPECT_EQ(m.acc_at(11, 0), 0);     // empty row
  EXPECT_EQ(m.acc_at(11, 2), 1000);  // past cols
  EXPECT_EQ(m.acc_at(12, 0), 9 + 20);
  EXPECT_EQ(m.acc_at(12, 1), 12 + 24);
  // SpMV of row 2 alone, accumulated.
  ok(spmm(base + 0x80, 4, 2, 1, acc(10, true), 1));
  EXPECT_EQ(m.acc_at(10, 0), 1 - 14 + 29);
  EXPECT_EQ(m.acc_at(10, 1), 2 - 16);
}

TEST_F(RefMachine, VectorElementwise) {
  for (std::uint32_t n = 0; n < 16; ++n) {
    m.acc_at(0, n) = static_cast<std::int32_t>(n) * 100 - 800;  // -800 .. 700
    m.acc_at(1, n) = INT32_MAX;
    m.spad_at(0, n) = static_cast<std::int8_t>(n) - 8;
    m.spad_at(1, n) = 3;
  }
  ok(vector(fn::add, acc(0), spad(0), acc(10), 1));
  EXPECT_EQ(m.acc_at(10, 0), -808);
  EXPECT_EQ(m.acc_at(10, 15), 707);
  ok(vector(fn::add, acc(1), acc(1), acc(11), 1));
  EXPECT_EQ(m.acc_at(11, 4), INT32_MAX);  // saturated
  ok(vector(fn::add, acc(0), spad(1), spad(10), 1));
  EXPECT_EQ(m.spad_at(10, 0), -128);  // -797 saturated to int8
  EXPECT_EQ(m.spad_at(10, 8), 3);
  ok(vector(fn::max, spad(0), spad(1), acc(12), 1));
  EXPECT_EQ(m.acc_at(12, 0), 3);
  EXPECT_EQ(m.acc_at(12, 15), 7);
  ok(vector(fn::mul, acc(0), spad(0), acc(13), 1, 0, 4));
  EXPECT_EQ(m.acc_at(13, 0), 400);  // -800 * -8 / 16
  EXPECT_EQ(m.acc_at(13, 9), 6);    // 100 * 1 / 16 = 6.25
  EXPECT_EQ(m.acc_at(13, 7), 6);    // -100 * -1 / 16
  ok(vector(fn::requant, acc(0), 0, spad(14), 1, 0, 3, 2, 1));
  EXPECT_EQ(m.spad_at(14, 8), 1);     // 0 -> 0 + 1
  EXPECT_EQ(m.spad_at(14, 9), 76);    // 300 / 4 = 75, + 1
  EXPECT_EQ(m.spad_at(14, 0), -128);  // -600 + 1 saturated
  ok(vector(fn::requant, acc(0), 0, spad(15), 1, 0, 3, 2, 1, flag::relu));
  EXPECT_EQ(m.spad_at(15, 0), 1);  // clamped below at the zero point
  EXPECT_EQ(m.spad_at(15, 15), 127);
  ok(vector(fn::requant, acc(0), 0, acc(15), 1, 0, 3, 2, 1));
  EXPECT_EQ(m.acc_at(15, 0), -599);
  ok(vector(fn::clip, acc(0), 0, acc(16), 1, 0, static_cast<std::uint32_t>(-50), 250));
  EXPECT_EQ(m.acc_at(16, 0), -50);
  EXPECT_EQ(m.acc_at(16, 8), 0);
  EXPECT_EQ(m.acc_at(16, 15), 250);
  ok(vector(fn::shift, acc(0), 0, acc(17), 1, 0, 3));
  EXPECT_EQ(m.acc_at(17, 7), -12);  // -100 / 8 = -12.5 -> -12
  EXPECT_EQ(m.acc_at(17, 9), 13);   // 12.5 -> 13
  ok(vector(fn::exp, acc(0), 0, acc(18), 1, 0, 8));
  EXPECT_EQ(m.acc_at(18, 8), 256);
  EXPECT_EQ(m.acc_at(18, 15), 256);
  EXPECT_EQ(m.acc_at(18, 0), iexp(-800, 8));
  ok(vector(fn::copy, spad(0), 0, acc(19), 1));
  EXPECT_EQ(m.acc_at(19, 0), -8);
  ok(vector(fn::copy, spad(0), 0, acc(19), 1, 0, 0, 0, 0, flag::relu));
  EXPECT_EQ(m.acc_at(19, 0), 0);
  EXPECT_EQ(m.acc_at(19, 15), 7);
  m.acc_at(20, 0) = 256;
  m.acc_at(20, 1) = -256;
  ok(vector(fn::silu, acc(20), 0, acc(21), 1, 0, 8));
  EXPECT_EQ(m.acc_at(21, 0), 184);
  EXPECT_EQ(m.acc_at(21, 1), -71);
  EXPECT_EQ(m.acc_at(21, 2), 0);
}

TEST_F(RefMachine, VectorAccumulateSaturatesTwice) {
  m.acc_at(0, 0) = INT32_MAX;
  m.acc_at(1, 0) = INT32_MAX;
  m.acc_at(1, 1) = -5;
  m.acc_at(0, 1) = 3;
  ok(vector(fn::add, acc(0), acc(0), acc(1, true), 1));  // 2^32 - 2 saturated, then added
  EXPECT_EQ(m.acc_at(1, 0), INT32_MAX);
  EXPECT_EQ(m.acc_at(1, 1), 1);
}

TEST_F(RefMachine, VectorRowScalar) {
  // 18 rows: row r's scalar is lane r % 16 of row b + r / 16.
  for (std::uint32_t r = 0; r < 18; ++r)
    for (std::uint32_t n = 0; n < 16; ++n) m.acc_at(r, n) = static_cast<std::int32_t>(n);
  for (std::uint32_t r = 0; r < 18; ++r) m.acc_at(100 + r / 16, r % 16) = static_cast<std::int32_t>(r) * 10;
  ok(vector(fn::add, acc(0), acc(100), acc(200), 18, 0, 0, 0, 0, flag::row_scalar));
  EXPECT_EQ(m.acc_at(200, 3), 3);
  EXPECT_EQ(m.acc_at(205, 3), 53);
  EXPECT_EQ(m.acc_at(217, 15), 185);
  // requant with a per-row multiplier: x * (10 r) >> 1.
  ok(vector(fn::requant, acc(0), acc(100), acc(300), 18, 0, 0, 1, 0, flag::row_scalar));
  EXPECT_EQ(m.acc_at(302, 3), 30);  // 3 * 20 / 2
  EXPECT_EQ(m.acc_at(317, 1), 85);  // 1 * 170 / 2
}

TEST_F(RefMachine, VectorRowFunctsSpanLocalRows) {
  // Two rows of length 20: row t at acc rows 2t, 2t + 1 (lanes 0..3 of the second).
  for (std::uint32_t k = 0; k < 20; ++k) {
    m.acc_at(k / 16, k % 16) = 0;
    m.acc_at(2 + k / 16, k % 16) = static_cast<std::int32_t>(k);
  }
  m.acc_at(0, 0) = 256;  // softmax row 0: one at 1.0, nineteen at 0
  for (std::uint32_t n = 0; n < 16; ++n) m.acc_at(51, n) = m.acc_at(53, n) = -1;
  ok(vector(fn::softmax, acc(0), 0, acc(50), 2, 20, 8, 16));
  // e = 256 once and 100 nineteen times: s = 2156.
  EXPECT_EQ(m.acc_at(50, 0), 256 * 32768 / 2156);
  EXPECT_EQ(m.acc_at(50, 1), 100 * 32768 / 2156);
  EXPECT_EQ(m.acc_at(51, 3), 100 * 32768 / 2156);
  EXPECT_EQ(m.acc_at(51, 4), -1);  // past length
  const auto p = isoftmax({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19}, 8, 16);
  EXPECT_EQ(m.acc_at(52, 0), p[0]);
  EXPECT_EQ(m.acc_at(53, 3), p[19]);
  EXPECT_EQ(m.acc_at(53, 4), -1);
  // argmax of each row, packed.
  ok(vector(fn::argmax, acc(0), 0, spad(60), 2, 20));
  EXPECT_EQ(m.spad_at(60, 0), 0);
  EXPECT_EQ(m.spad_at(60, 1), 19);
  // rmsnorm: row [3, 4] in Q8.
  m.spad_at(70, 0) = 3;
  m.spad_at(70, 1) = -4;
  ok(vector(fn::rmsnorm, spad(70), 0, acc(70), 1, 2, 8));
  EXPECT_EQ(m.acc_at(70, 0), 256);
  EXPECT_EQ(m.acc_at(70, 1), -341);
  ok(vector(fn::rmsnorm, spad(70), 0, spad(71), 1, 2, 8));
  EXPECT_EQ(m.spad_at(71, 0), 127);  // saturated
}

TEST_F(RefMachine, VectorQuantWritesRowsAndAmax) {
  m.acc_at(0, 0) = 100;
  m.acc_at(0, 1) = -50;
  m.acc_at(1, 0) = 3;
  m.acc_at(1, 1) = -1;
  m.acc_at(2, 0) = INT32_MIN;
  ok(vector(fn::quant, acc(0), acc(500), spad(80), 3, 2));
  EXPECT_EQ(m.spad_at(80, 0), 127);
  EXPECT_EQ(m.spad_at(80, 1), -64);
  EXPECT_EQ(m.spad_at(81, 0), 127);
  EXPECT_EQ(m.spad_at(81, 1), -42);
  EXPECT_EQ(m.spad_at(82, 0), -127);
  EXPECT_EQ(m.acc_at(500, 0), 100);
  EXPECT_EQ(m.acc_at(500, 1), 3);
  EXPECT_EQ(m.acc_at(500, 2), INT32_MAX);  // 2^31 saturated
}

TEST_F(RefMachine, VectorInPlaceOverlapProcessesRowByRow) {
  // dst = a + 1: element-wise local row i reads row i (already overwritten by row i - 1).
  for (std::uint32_t n = 0; n < 16; ++n) m.acc_at(0, n) = 1;
  ok(vector(fn::add, acc(0), acc(0), acc(1), 3));
  EXPECT_EQ(m.acc_at(1, 0), 2);
  EXPECT_EQ(m.acc_at(2, 0), 4);
  EXPECT_EQ(m.acc_at(3, 0), 8);
  // In place row softmax.
  for (std::uint32_t n = 0; n < 16; ++n) m.acc_at(10, n) = 0;
  ok(vector(fn::softmax, acc(10), 0, acc(10), 1, 16, 8, 8));
  EXPECT_EQ(m.acc_at(10, 15), 2048);
}

TEST_F(RefMachine, ConfigNopFenceIrq) {
  ok(nop());
  ok(fence());
  ok(irq(0xabcd));
  EXPECT_EQ(m.irq_tag(), 0xabcdu);
  EXPECT_EQ(m.irq_count(), 1u);
  ok(config_store(-7, 62, -3, -128, 0));
  EXPECT_EQ(m.store().multiplier, -7);
  EXPECT_EQ(m.store().shift, 62u);
  EXPECT_EQ(m.store().clip_max, 0);
  EXPECT_FALSE(m.sparse().has_value());
  ok(config_sparse(1, 2, 3, 4));
  EXPECT_EQ(m.sparse()->b_rows, 4u);
  EXPECT_EQ(m.retired(), 5u);
  EXPECT_EQ(m.sequence(), 5u);
  m.reset();
  EXPECT_EQ(m.retired(), 0u);
  EXPECT_EQ(m.store().shift, 0u);
  EXPECT_FALSE(m.sparse().has_value());
}

TEST(RefInstruction, EncodeDecodeFields) {
  const instruction i = vector(fn::requant, acc(1), spad(2), spad(3), 4, 0, 5, 6, 7, flag::relu);
  const words w = i.encode();
  EXPECT_EQ(w[0], 0x00030109u);
  EXPECT_EQ(w[1], 0x80000001u);
  EXPECT_EQ(w[4], 4u);
  EXPECT_EQ(w[7], 7u);
  EXPECT_EQ(instruction::decode(w), i);
  EXPECT_EQ(instruction::decode(w).funct, fn::requant);
  EXPECT_EQ(vector(fn::softmax, 0, 0, 0, 3, 40).encode()[4], (40u << 16) | 3u);
  EXPECT_EQ(acc(5, true), 0xc0000005u);
  EXPECT_EQ(mvin(1, 2, 3, 4, 5, flag::i8).encode(), (words{0x102, 1, 2, 3, 4, 5, 0, 0}));
  EXPECT_STREQ(mnemonic(op::config_sparse), "config.sparse");
  EXPECT_EQ(mnemonic(12), nullptr);
  EXPECT_STREQ(funct_name(fn::argmax), "argmax");
  EXPECT_EQ(funct_name(9), nullptr);
}
