// The NPU's functional semantics (ip/npu/machine.h) on small hand-computed cases, every
// instruction class and every error an instruction can raise.
#include <gtest/gtest.h>

#include "ip/npu/machine.h"
#include "tests/ip/npu/npu_test_support.h"

namespace {

using namespace nvr::npu;
using namespace nvr::npu::test;

constexpr std::uint32_t D = 0x80000000u;

struct machine_test : ::testing::Test {
  machine m{machine_config{D, 1 << 20}};
  flat_dram dram{D, 1 << 20};
  work w;
  fault run(const instruction& in) { return m.execute(in, dram, w); }
  void ok(const instruction& in) {
    const fault f = run(in);
    ASSERT_FALSE(f) << to_string(f.code) << " info " << f.info;
  }
  void expect_fault(const instruction& in, error code, std::uint32_t info) {
    const fault f = run(in);
    EXPECT_EQ(f.code, code) << to_string(f.code);
    EXPECT_EQ(f.info, info);
  }
  std::int8_t s(std::uint32_t row, unsigned lane) { return m.spad()[row * 16 + lane]; }
  std::int32_t a(std::uint32_t row, unsigned lane) { return m.acc()[row * 16 + lane]; }
};

TEST_F(machine_test, helpers_follow_the_isa_definitions) {
  EXPECT_EQ(round_shift(5, 1), 3);    // 2.5 rounds half up
  EXPECT_EQ(round_shift(-5, 1), -2);  // -2.5 rounds half up
  EXPECT_EQ(round_shift(7, 0), 7);
  EXPECT_EQ(round_div(5, 2), 3);
  EXPECT_EQ(round_div(-5, 2), -3);  // half away from zero
  EXPECT_EQ(isqrt(0), 0);
  EXPECT_EQ(isqrt(15), 3);
  EXPECT_EQ(isqrt(16), 4);
  EXPECT_EQ(isqrt(1000000), 1000);
  EXPECT_EQ(iexp(0, 8), 256);  // e^0 = 1.0 in Q.8
  EXPECT_EQ(iexp(5, 8), 256);  // positive inputs clamp to 0
  // x = -256 (-1.0): y = -256 - 128 + 16 = -368; q = 1, r = 112; (256 - 56) >> 1 = 100 (~0.39).
  EXPECT_EQ(iexp(-256, 8), 100);
  EXPECT_EQ(iexp(-(1 << 20), 4), 0);  // q > 30
  EXPECT_EQ(isilu(0, 8), 0);
}

TEST_F(machine_test, mvin_and_mvout_move_rows_with_cols_and_stride) {
  dram.put8(D + 0x100, {1, 2, 3, 4, 5, 6, 7, 8});
  dram.put8(D + 0x140, {-1, -2, -3, -4, -5, -6, -7, -8});
  m.spad()[5 * 16 + 7] = 99;  // a lane past cols keeps its value
  ok(mvin(D + 0x100, sp(4), 2, 7, 0x40));
  EXPECT_EQ(s(4, 0), 1);
  EXPECT_EQ(s(4, 6), 7);
  EXPECT_EQ(s(4, 7), 0);
  EXPECT_EQ(s(5, 3), -4);
  EXPECT_EQ(s(5, 7), 99);
  EXPECT_EQ(w.target, unit::load);
  EXPECT_EQ(w.dma.size(), 2u);
  ok(mvout(D + 0x200, sp(4), 2, 3, 8));
  EXPECT_EQ(dram.get8(D + 0x200), 1);
  EXPECT_EQ(dram.get8(D + 0x202), 3);
  EXPECT_EQ(dram.get8(D + 0x203), 0);
  EXPECT_EQ(dram.get8(D + 0x208), -1);
  EXPECT_EQ(w.target, unit::store);
}

TEST_F(machine_test, mvin_to_the_accumulator_int32_i8_and_accumulate) {
  dram.put32(D, {100, -200, 300});
  dram.put8(D + 0x40, {-5, 6});
  ok(mvin(D, ac(2), 1, 3, 0));
  EXPECT_EQ(a(2, 1), -200);
  ok(mvin(D + 0x40, ac(2, true), 1, 2, 0, 1));  // i8, accumulate
  EXPECT_EQ(a(2, 0), 95);
  EXPECT_EQ(a(2, 1), -194);
  EXPECT_EQ(a(2, 2), 300);
  dram.put32(D + 0x80, {0x7fffffff});
  ok(mvin(D + 0x80, ac(3), 1, 1, 0));
  ok(mvin(D + 0x80, ac(3, true), 1, 1, 0));
  EXPECT_EQ(a(3, 0), -2);  // wrapping
}

TEST_F(machine_test, mvout_requantises_or_writes_raw) {
  m.acc()[0] = 1000;
  m.acc()[1] = -1000;
  m.acc()[2] = 3;
  ok(config_store(3, 4, 10, -100, 100));  // (x * 3 + 8) >> 4, + 10, clip
  ok(mvout(D, ac(0), 1, 3, 0));
  EXPECT_EQ(dram.get8(D), 100);       // 188 + 10 clipped
  EXPECT_EQ(dram.get8(D + 1), -100);  // -187 + 10 clipped
  EXPECT_EQ(dram.get8(D + 2), 11);    // (9 + 8) >> 4 = 1, + 10
  ok(mvout(D + 0x40, ac(0), 1, 2, 0, 1));
  EXPECT_EQ(dram.get32(D + 0x40), 1000);
  EXPECT_EQ(dram.get32(D + 0x44), -1000);
}

TEST_F(machine_test, matmul_int8_against_a_naive_product) {
  for (unsigned i = 0; i < 3; ++i)
    for (unsigned k = 0; k < 16; ++k) m.spad()[(0 + i) * 16 + k] = static_cast<std::int8_t>(i * 16 + k - 20);
  for (unsigned k = 0; k < 16; ++k)
    for (unsigned n = 0; n < 16; ++n)
      m.spad()[(100 + k) * 16 + n] = static_cast<std::int8_t>((k * 7 + n * 3) % 31 - 15);
  m.acc()[5 * 16] = 1000;
  ok(matmul(sp(0), sp(100), ac(5, true), 3));
  EXPECT_EQ(w.cycles, 16u + 3 + 16);
  for (unsigned i = 0; i < 3; ++i)
    for (unsigned n = 0; n < 16; ++n) {
      std::int32_t sum = (i == 0 && n == 0) ? 1000 : 0;
      for (unsigned k = 0; k < 16; ++k) sum += s(i, k) * s(100 + k, n);
      EXPECT_EQ(a(5 + i, n), sum) << i << "," << n;
    }
  ok(matmul(sp(0), sp(100), ac(5), 1));  // same weights: the preload is skipped
  EXPECT_EQ(w.cycles, 1u + 16);
  EXPECT_EQ(a(5, 0), a(6, 0) - 0 * 0 + (a(5, 0) - a(6, 0)));
  ok(mvin(D, sp(101), 1, 1, 0));  // weights changed: preload again
  ok(matmul(sp(0), sp(100), ac(5), 1));
  EXPECT_EQ(w.cycles, 16u + 1 + 16);
}

TEST_F(machine_test, matmul_int4_unpacks_signed_nibbles) {
  // a row 0: every byte 0x9F -> low nibble -1, high nibble -7 (a[2j] = -1, a[2j+1] = -7).
  for (unsigned k = 0; k < 16; ++k) m.spad()[k] = static_cast<std::int8_t>(0x9f);
  // b: byte n of row j: low nibble 2 (b[2j][n]), high nibble 3 for n even, -8 for n odd.
  for (unsigned j = 0; j < 16; ++j)
    for (unsigned n = 0; n < 16; ++n)
      m.spad()[(16 + j) * 16 + n] = static_cast<std::int8_t>(n % 2 ? 0x82 : 0x32);
  ok(matmul(sp(0), sp(16), ac(0), 1, true));
  EXPECT_EQ(a(0, 0), 16 * (-1 * 2 + -7 * 3));   // -368
  EXPECT_EQ(a(0, 1), 16 * (-1 * 2 + -7 * -8));  // 864
}

TEST_F(machine_test, gather_scatter_and_scatter_add) {
  dram.put32(D, {2, 0, 2});
  for (int r = 0; r < 3; ++r) dram.put8(D + 0x100 + 0x20 * r, {static_cast<std::int8_t>(10 * r), 1, 2, 3});
  ok(gather(D, 3, D + 0x100, 3, 0x20, sp(7), 4));
  EXPECT_EQ(s(7, 0), 20);
  EXPECT_EQ(s(8, 0), 0);
  EXPECT_EQ(s(9, 0), 20);
  EXPECT_EQ(s(9, 3), 3);
  EXPECT_EQ(w.target, unit::sparse);
  ASSERT_GE(w.dma.size(), 4u);
  EXPECT_EQ(w.dma[0].stream, static_cast<std::uint64_t>(stream_gather_index));
  EXPECT_EQ(w.dma[0].value_count, 3u);
  EXPECT_EQ(w.dma[1].stream, static_cast<std::uint64_t>(stream_gather_table));
  EXPECT_EQ(w.dma[1].after, 0);

  // scatter: last duplicate wins; scatter-add adds every one.
  m.acc()[0] = 5;
  m.acc()[16] = 7;
  m.acc()[32] = 11;
  dram.put32(D + 0x200, {1, 1, 1, 1});
  ok(scatter(D, 3, D + 0x200, 3, 4, ac(0), 1));  // rows 2, 0, 2 of a 4-byte-stride table
  EXPECT_EQ(dram.get32(D + 0x208), 11);
  EXPECT_EQ(dram.get32(D + 0x200), 7);
  ok(scatter(D, 3, D + 0x200, 3, 4, ac(0), 1, true));
  EXPECT_EQ(dram.get32(D + 0x208), 11 + 5 + 11);
  EXPECT_EQ(dram.get32(D + 0x200), 7 + 7);
  EXPECT_EQ(dram.get32(D + 0x204), 1);
}

TEST_F(machine_test, spmm_against_a_dense_product) {
  // A (3 x 4) = [[1 0 2 0], [0 0 0 0], [0 -3 0 4]], B (4 x 2) rows 0..3 = [1 2], [3 4], [5 6], [7 8].
  dram.put32(D, {0, 2, 2, 4});
  dram.put32(D + 0x40, {0, 2, 1, 3});
  dram.put8(D + 0x80, {1, 2, -3, 4});
  for (int k = 0; k < 4; ++k)
    dram.put8(D + 0x100 + 16 * k, {static_cast<std::int8_t>(2 * k + 1), static_cast<std::int8_t>(2 * k + 2)});
  expect_fault(spmm(D + 0x100, 16, 0, 3, ac(0), 2), error::illegal_field, 0);  // no config.sparse
  ok(config_sparse(D, D + 0x40, D + 0x80, 4));
  m.acc()[1 * 16 + 5] = 77;  // lanes past cols keep their value
  ok(spmm(D + 0x100, 16, 0, 3, ac(0), 2));
  EXPECT_EQ(a(0, 0), 1 * 1 + 2 * 5);
  EXPECT_EQ(a(0, 1), 1 * 2 + 2 * 6);
  EXPECT_EQ(a(1, 0), 0);
  EXPECT_EQ(a(1, 5), 77);
  EXPECT_EQ(a(2, 0), -3 * 3 + 4 * 7);
  EXPECT_EQ(a(2, 1), -3 * 4 + 4 * 8);
  ok(spmm(D + 0x100, 16, 2, 1, ac(2, true), 1));  // one row, accumulate
  EXPECT_EQ(a(2, 0), 2 * (-3 * 3 + 4 * 7));
  // col_idx out of b rows, row_ptr decreasing.
  ok(config_sparse(D, D + 0x40, D + 0x80, 3));
  expect_fault(spmm(D + 0x100, 16, 0, 3, ac(0), 2), error::index_bounds, 3);
  dram.put32(D, {0, 2, 1, 4});
  ok(config_sparse(D, D + 0x40, D + 0x80, 4));
  expect_fault(spmm(D + 0x100, 16, 0, 3, ac(0), 2), error::index_bounds, 1);
}

TEST_F(machine_test, vector_elementwise) {
  for (unsigned n = 0; n < 16; ++n) {
    m.acc()[n] = static_cast<std::int32_t>(n) * 100 - 700;  // row 0
    m.acc()[16 + n] = 50;                                   // row 1
  }
  ok(vector(vf_add, ac(0), ac(1), ac(2), 1));
  EXPECT_EQ(a(2, 0), -650);
  EXPECT_EQ(w.cycles, 1u + 4);
  ok(vector(vf_max, ac(0), ac(1), ac(2), 1));
  EXPECT_EQ(a(2, 0), 50);
  EXPECT_EQ(a(2, 15), 800);
  ok(vector(vf_mul, ac(0), ac(1), ac(2), 1, 0, 2));
  EXPECT_EQ(a(2, 0), -8750);                                  // -35000 / 4
  ok(vector(vf_requant, ac(0), 0, sp(0), 1, 0, 1, 2, 5));     // (x + 2) >> 2, + 5, to int8
  EXPECT_EQ(s(0, 0), -128);                                   // -175 + 5 saturates
  EXPECT_EQ(s(0, 7), 5);                                      // x = 0
  EXPECT_EQ(s(0, 8), 30);                                     // 25 + 5
  ok(vector(vf_requant, ac(0), 0, sp(0), 1, 0, 1, 2, 5, 1));  // relu: clamp below at 5
  EXPECT_EQ(s(0, 0), 5);
  ok(vector(vf_clip, ac(0), 0, ac(2), 1, 0, -100, 100));
  EXPECT_EQ(a(2, 0), -100);
  EXPECT_EQ(a(2, 7), 0);
  ok(vector(vf_shift, ac(0), 0, ac(2), 1, 0, 3));
  EXPECT_EQ(a(2, 1), round_shift(-600, 3));
  ok(vector(vf_copy, ac(0), 0, sp(1), 1, 0, 0, 0, 0, 1));  // relu copy, saturated to int8
  EXPECT_EQ(s(1, 0), 0);
  EXPECT_EQ(s(1, 8), 100);
  EXPECT_EQ(s(1, 9), 127);
  ok(vector(vf_copy, ac(1), 0, ac(0, true), 1));  // accumulate
  EXPECT_EQ(a(0, 0), -650);
  ok(vector(vf_exp, ac(1), 0, ac(3), 1, 0, 4));
  EXPECT_EQ(a(3, 0), 16);  // positive clamps to e^0
  // row_scalar: lane r % 16 of row b + r / 16.
  m.spad()[200 * 16 + 0] = 2;
  m.spad()[200 * 16 + 1] = -1;
  ok(vector(vf_mul, ac(0), sp(200), ac(4), 2, 0, 0, 0, 0, 2));
  EXPECT_EQ(a(4, 0), -1300);
  EXPECT_EQ(a(5, 0), -50);
}

TEST_F(machine_test, vector_row_operations) {
  // softmax over one row of 3 equal values: each e = 2^f, p = 32768 / 3.
  for (unsigned n = 0; n < 3; ++n) m.acc()[n] = 7;
  ok(vector(vf_softmax, ac(0), 0, ac(10), 1, 3, 8, 16));
  EXPECT_EQ(a(10, 0), 10922);
  EXPECT_EQ(a(10, 2), 10922);
  EXPECT_EQ(a(10, 3), 0);  // past length: not written
  EXPECT_EQ(w.cycles, 3u * 1 * 1 + 8 + 16);
  // rmsnorm of [3, 4]: ms = 25 / 2 = 12, rms = 3, y = round_div(x << 4, 3).
  m.acc()[16 * 20 + 0] = 3;
  m.acc()[16 * 20 + 1] = 4;
  ok(vector(vf_rmsnorm, ac(20), 0, ac(21), 1, 2, 4));
  EXPECT_EQ(a(21, 0), 16);
  EXPECT_EQ(a(21, 1), 21);
  // quant of two rows of 17 elements (two local rows each), amax to acc row 40.
  for (unsigned i = 0; i < 17; ++i) {
    m.acc()[(30 + i / 16) * 16 + i % 16] = static_cast<std::int32_t>(i) - 8;  // row 0: -8..8
    m.acc()[(32 + i / 16) * 16 + i % 16] = 0;                                 // row 1: zeros
  }
  ok(vector(vf_quant, ac(30), ac(40), sp(50), 2, 17, 0));
  EXPECT_EQ(s(50, 0), -127);
  EXPECT_EQ(s(50, 4), round_div(-4 * 127, 8));
  EXPECT_EQ(s(51, 0), 127);  // element 16
  EXPECT_EQ(s(52, 3), 0);
  EXPECT_EQ(a(40, 0), 8);
  EXPECT_EQ(a(40, 1), 0);
  // argmax: first maximum.
  m.acc()[16 * 60 + 0] = 5;
  m.acc()[16 * 60 + 1] = 9;
  m.acc()[16 * 60 + 2] = 9;
  ok(vector(vf_argmax, ac(60), 0, ac(61), 1, 3));
  EXPECT_EQ(a(61, 0), 1);
}

TEST_F(machine_test, fence_irq_nop_and_config) {
  ok(fence());
  EXPECT_TRUE(w.barrier);
  ok(irq(42));
  EXPECT_TRUE(w.irq);
  EXPECT_EQ(w.irq_tag, 42u);
  ok(nop());
  EXPECT_FALSE(w.barrier);
}

TEST_F(machine_test, illegal_opcode_and_fields) {
  // FAULT_INFO of illegal_field: the number of the word holding the first offending field.
  expect_fault(make(0x0c), error::illegal_opcode, 0x0c);
  expect_fault(make(0xff), error::illegal_opcode, 0xff);
  expect_fault(make(op_nop, 1), error::illegal_field, 0);          // undefined flag
  expect_fault(make(op_nop, 0, 0, {5}), error::illegal_field, 1);  // unused word
  expect_fault(make(op_mvin, 0, 3, {}), error::illegal_field, 0);  // funct outside vector
  instruction top = nop();
  top.w[0] |= 0x01000000u;
  expect_fault(top, error::illegal_field, 0);
  expect_fault(mvin(D, sp(0), 0, 16, 16), error::illegal_field, 3);  // rows = 0
  expect_fault(mvin(D, sp(0), 1, 17, 16), error::illegal_field, 4);
  expect_fault(mvin(D, sp(0) | accumulate_bit, 1, 16, 16), error::illegal_field, 2);
  expect_fault(mvin(D, sp(0), 1, 16, 16, 1), error::illegal_field, 2);  // i8 to the scratchpad
  expect_fault(mvout(D, ac(0, true), 1, 16, 16), error::illegal_field, 2);
  expect_fault(config_store(1, 63, 0), error::illegal_field, 2);
  expect_fault(config_store(1, 0, 0, 10, 5), error::illegal_field, 5);
  expect_fault(matmul(sp(0), sp(0), sp(0), 1), error::illegal_field, 3);  // c in the scratchpad
  expect_fault(vector(30, ac(0), 0, ac(1), 1), error::illegal_field, 0);
  expect_fault(vector(vf_add, ac(0), ac(0), ac(1), 1, 5), error::illegal_field, 4);
  expect_fault(vector(vf_softmax, ac(0), 0, ac(1), 1, 0, 8), error::illegal_field, 4);
  expect_fault(vector(vf_exp, ac(0), 0, ac(1), 1, 0, 0), error::illegal_field, 5);
  expect_fault(vector(vf_quant, ac(0), ac(1), ac(2), 1, 4), error::illegal_field, 3);
  expect_fault(vector(vf_copy, ac(0), ac(1), ac(2), 1), error::illegal_field, 2);             // b unused
  expect_fault(vector(vf_add, ac(0), ac(1), ac(2), 1, 0, 3), error::illegal_field, 5);        // imm unused
  expect_fault(vector(vf_clip, ac(0), 0, ac(2), 1, 0, 0, 0, 0, 1), error::illegal_field, 0);  // relu
  expect_fault(scatter(D, 1, D, 1, 4, sp(0), 1, true), error::illegal_field, 6);              // add from spad
  expect_fault(spmm(D, 16, 0, 1, ac(0), 2), error::illegal_field, 0);  // no config.sparse
}

TEST_F(machine_test, local_range) {
  expect_fault(mvin(D, sp(16383), 2, 16, 16), error::local_range, 16383);
  expect_fault(mvin(D, ac(1020), 5, 16, 64), error::local_range, ac(1020));
  expect_fault(mvin(D, sp(0x3fffffff), 1, 16, 16), error::local_range, 0x3fffffff);
  expect_fault(matmul(sp(0), sp(16380), ac(0), 1), error::local_range, 16380);
  expect_fault(vector(vf_softmax, ac(1000), 0, ac(0), 2, 300, 8), error::local_range, ac(1000));
}

TEST_F(machine_test, dram_range_and_misaligned) {
  expect_fault(mvin(D - 16, sp(0), 1, 16, 16), error::dram_range, D - 16);
  expect_fault(mvin(D + (1 << 20) - 8, sp(0), 1, 16, 16), error::dram_range, D + (1 << 20) - 8);
  expect_fault(mvin(D + 2, ac(0), 1, 16, 64), error::misaligned, D + 2);
  expect_fault(mvin(D, ac(0), 2, 16, 66), error::misaligned, D);  // the stride
  expect_fault(mvout(D + 1, ac(0), 1, 1, 4, 1), error::misaligned, D + 1);
  expect_fault(gather(D + 2, 1, D, 1, 16, sp(0), 16), error::misaligned, D + 2);
  expect_fault(gather(0x1000, 1, D, 1, 16, sp(0), 16), error::dram_range, 0x1000);
  dram.put32(D, {0});
  expect_fault(gather(D, 1, D + (1 << 20), 1, 16, sp(0), 16), error::dram_range, D + (1 << 20));
  // The whole table region is checked, whatever the indices.
  expect_fault(gather(D, 1, D, 1 << 20, 16, sp(0), 16), error::dram_range, D);
  // Nothing was written by the faulting instructions.
  for (std::int8_t v : m.spad()) ASSERT_EQ(v, 0);
}

TEST_F(machine_test, index_bounds_write_nothing) {
  dram.put32(D, {0, 1, 5});
  dram.put8(D + 0x100, {1, 2, 3});
  expect_fault(gather(D, 3, D + 0x100, 5, 16, sp(0), 3), error::index_bounds, 5);
  EXPECT_EQ(s(0, 0), 0);
  dram.put32(D, {0, -1});
  expect_fault(gather(D, 2, D + 0x100, 5, 16, sp(0), 3), error::index_bounds, 0xffffffffu);
  expect_fault(scatter(D, 2, D + 0x100, 5, 16, sp(0), 3), error::index_bounds, 0xffffffffu);
  EXPECT_EQ(dram.get8(D + 0x100), 1);
}

TEST_F(machine_test, bus_errors_are_reported) {
  struct failing : flat_dram {
    using flat_dram::flat_dram;
    bool read(std::uint64_t, std::uint8_t*, std::uint32_t) override { return false; }
  } bad{D, 1 << 20};
  const fault f = m.execute(mvin(D + 0x40, sp(0), 1, 16, 16), bad, w);
  EXPECT_EQ(f.code, error::bus_error);
  EXPECT_EQ(f.info, D + 0x40);
}

}  // namespace
