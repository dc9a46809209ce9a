// Every error of the reference machine: code, FAULT_INFO, FAULT_INDEX, check order, halting,
// and that a faulting instruction changes nothing.
#include <gtest/gtest.h>

#include "workloads/ref/machine.h"

using namespace npu_ref;

namespace {

constexpr std::uint32_t base = 0x80000000u;
constexpr std::uint32_t size = 1 << 16;

fault run_one(const words& w, machine* m = nullptr) {
  machine local(base, size);
  return (m ? *m : local).execute(w);
}
fault run_one(const instruction& i, machine* m = nullptr) { return run_one(i.encode(), m); }

fault field(std::uint32_t word) { return {error::illegal_field, word}; }
fault local(std::uint32_t laddr) { return {error::local_range, laddr}; }

words with(instruction i, unsigned word, std::uint32_t value) {
  words w = i.encode();
  w[word] = value;
  return w;
}

}  // namespace

TEST(RefErrors, IllegalOpcode) {
  EXPECT_EQ(run_one(words{0x0c, 0, 0, 0, 0, 0, 0, 0}), (fault{error::illegal_opcode, 0x0c}));
  EXPECT_EQ(run_one(words{0xff | (1u << 24), 0, 0, 0, 0, 0, 0, 0}), (fault{error::illegal_opcode, 0xff}));
}

TEST(RefErrors, IllegalFieldInWordZero) {
  EXPECT_EQ(run_one(words{0x01000000, 0, 0, 0, 0, 0, 0, 0}), field(0));  // reserved byte
  EXPECT_EQ(run_one(words{0x0100, 0, 0, 0, 0, 0, 0, 0}), field(0));      // flag on nop
  EXPECT_EQ(run_one(words{0x010000, 0, 0, 0, 0, 0, 0, 0}), field(0));    // funct on nop
  EXPECT_EQ(run_one(mvin(base, spad(0), 1, 1, 0, 2)), field(0));         // undefined flag
  EXPECT_EQ(run_one(vector(9, acc(0), 0, acc(1), 1)), field(0));         // undefined funct
  EXPECT_EQ(run_one(vector(20, acc(0), 0, acc(1), 1, 1)), field(0));
  EXPECT_EQ(run_one(vector(fn::clip, acc(0), 0, acc(1), 1, 0, 0, 0, 0, flag::relu)), field(0));
  EXPECT_EQ(run_one(vector(fn::copy, acc(0), 0, acc(1), 1, 0, 0, 0, 0, flag::row_scalar)), field(0));
  EXPECT_EQ(run_one(vector(fn::softmax, acc(0), 0, acc(1), 1, 1, 8, 0, 0, flag::relu)), field(0));
  // w0 is checked before the operands.
  EXPECT_EQ(run_one(with(mvin(base, spad(0), 0, 0, 0), 0, 0x0202)), field(0));
}

TEST(RefErrors, IllegalFieldPerInstruction) {
  EXPECT_EQ(run_one(with(nop(), 7, 1)), field(7));
  EXPECT_EQ(run_one(with(fence(), 3, 1)), field(3));
  EXPECT_EQ(run_one(with(irq(5), 2, 1)), field(2));
  // config.store: shift, clip bounds (a constraint between w4 and w5 counts against w5).
  EXPECT_EQ(run_one(config_store(1, 63, 0, -128, 127)), field(2));
  EXPECT_EQ(run_one(config_store(1, 0, 0, -129, 127)), field(4));
  EXPECT_EQ(run_one(config_store(1, 0, 0, 128, 127)), field(4));
  EXPECT_EQ(run_one(config_store(1, 0, 0, -128, 128)), field(5));
  EXPECT_EQ(run_one(config_store(1, 0, 0, 5, 4)), field(5));
  EXPECT_EQ(run_one(with(config_store(1, 0, 0, 0, 0), 6, 1)), field(6));
  // mvin / mvout.
  EXPECT_EQ(run_one(mvin(base, spad(0) | laddr_accumulate_bit, 1, 1, 0)), field(2));  // accumulate on spad
  EXPECT_EQ(run_one(mvin(base, spad(0), 1, 1, 0, flag::i8)), field(2));               // i8 to spad
  EXPECT_EQ(run_one(mvin(base, spad(0), 0, 1, 0)), field(3));                         // rows 0
  EXPECT_EQ(run_one(mvin(base, spad(0), 1, 0, 0)), field(4));                         // cols 0
  EXPECT_EQ(run_one(mvin(base, spad(0), 1, 17, 0)), field(4));
  EXPECT_EQ(run_one(with(mvin(base, spad(0), 1, 1, 0), 6, 1)), field(6));
  EXPECT_EQ(run_one(mvout(base, acc(0, true), 1, 1, 0)), field(2));  // accumulate on a read
  EXPECT_EQ(run_one(mvout(base, spad(0), 1, 1, 0, flag::raw)), field(2));
  // matmul.
  EXPECT_EQ(run_one(matmul(acc(0), spad(0), acc(0), 1)), field(1));
  EXPECT_EQ(run_one(matmul(spad(0), spad(0) | laddr_accumulate_bit, acc(0), 1)), field(2));
  EXPECT_EQ(run_one(matmul(spad(0), spad(0), spad(0), 1)), field(3));
  EXPECT_EQ(run_one(matmul(spad(0), spad(0), acc(0), 0)), field(4));
  EXPECT_EQ(run_one(with(matmul(spad(0), spad(0), acc(0), 1), 5, 1)), field(5));
  // gather / scatter.
  EXPECT_EQ(run_one(gather(base, 0, base, 1, 0, spad(0), 1)), field(2));
  EXPECT_EQ(run_one(gather(base, 1, base, 1, 0, spad(0), 1, flag::i8)), field(6));
  EXPECT_EQ(run_one(gather(base, 1, base, 1, 0, spad(0), 17)), field(7));
  EXPECT_EQ(run_one(scatter(base, 1, base, 1, 0, spad(0), 1, flag::add)), field(6));
  EXPECT_EQ(run_one(scatter(base, 1, base, 1, 0, acc(0, true), 1)), field(6));
  // config.sparse / spmm.
  EXPECT_EQ(run_one(with(config_sparse(base, base, base, 1), 5, 1)), field(5));
  machine m(base, size);
  EXPECT_EQ(run_one(spmm(base, 1, 0, 1, acc(0), 1), &m), field(0));  // no config.sparse yet
  machine m2(base, size);
  EXPECT_FALSE(m2.execute(config_sparse(base, base, base, 1)));
  EXPECT_EQ(run_one(spmm(base, 1, 0, 0, acc(0), 1), &m2), field(4));
  machine m3(base, size);
  EXPECT_EQ(run_one(spmm(base, 1, 0, 0, acc(0), 1), &m3), field(4));  // fields before the config check
  machine m4(base, size);
  m4.execute(config_sparse(base, base, base, 1));
  EXPECT_EQ(run_one(spmm(base, 1, 0, 1, spad(0), 1), &m4), field(5));
  machine m5(base, size);
  m5.execute(config_sparse(base, base, base, 1));
  EXPECT_EQ(run_one(spmm(base, 1, 0, 1, acc(0), 0), &m5), field(6));
}

TEST(RefErrors, IllegalFieldVector) {
  EXPECT_EQ(run_one(vector(fn::add, acc(0, true), acc(0), acc(1), 1)), field(1));
  EXPECT_EQ(run_one(vector(fn::add, acc(0), acc(0, true), acc(1), 1)), field(2));
  EXPECT_EQ(run_one(vector(fn::add, acc(0), acc(0), spad(1) | laddr_accumulate_bit, 1)), field(3));
  EXPECT_EQ(run_one(vector(fn::clip, acc(0), acc(3), acc(1), 1)), field(2));  // b unused
  EXPECT_EQ(run_one(vector(fn::requant, acc(0), acc(3), acc(1), 1, 0, 1)), field(2));
  EXPECT_EQ(run_one(vector(fn::add, acc(0), acc(0), acc(1), 0)), field(4));        // rows 0
  EXPECT_EQ(run_one(vector(fn::add, acc(0), acc(0), acc(1), 1, 1)), field(4));     // length on element-wise
  EXPECT_EQ(run_one(vector(fn::softmax, acc(0), 0, acc(1), 1, 0, 8)), field(4));   // length 0 on a row funct
  EXPECT_EQ(run_one(vector(fn::add, acc(0), acc(0), acc(1), 1, 0, 1)), field(5));  // imm unused
  EXPECT_EQ(run_one(vector(fn::mul, acc(0), acc(0), acc(1), 1, 0, 63)), field(5));
  EXPECT_EQ(run_one(vector(fn::requant, acc(0), acc(0), acc(1), 1, 0, 1, 0, 0, flag::row_scalar)), field(5));
  EXPECT_EQ(run_one(vector(fn::requant, acc(0), 0, acc(1), 1, 0, 1, 63)), field(6));
  EXPECT_EQ(run_one(vector(fn::clip, acc(0), 0, acc(1), 1, 0, 5, 4)), field(6));
  EXPECT_EQ(run_one(vector(fn::clip, acc(0), 0, acc(1), 1, 0, 0, 0, 1)), field(7));
  EXPECT_EQ(run_one(vector(fn::shift, acc(0), 0, acc(1), 1, 0, 32)), field(5));
  EXPECT_EQ(run_one(vector(fn::exp, acc(0), 0, acc(1), 1, 0, 0)), field(5));
  EXPECT_EQ(run_one(vector(fn::exp, acc(0), 0, acc(1), 1, 0, 25)), field(5));
  EXPECT_EQ(run_one(vector(fn::silu, acc(0), 0, acc(1), 1, 0, 25)), field(5));
  EXPECT_EQ(run_one(vector(fn::softmax, acc(0), 0, acc(1), 1, 16, 0)), field(5));
  EXPECT_EQ(run_one(vector(fn::softmax, acc(0), 0, acc(1), 1, 16, 8, 0x80000000u)), field(6));
  EXPECT_EQ(run_one(vector(fn::rmsnorm, acc(0), 0, acc(1), 1, 16, 25)), field(5));
  EXPECT_EQ(run_one(vector(fn::quant, acc(0), spad(0), spad(1), 1, 16)), field(2));  // amax to acc only
  EXPECT_EQ(run_one(vector(fn::quant, acc(0), acc(0), acc(1), 1, 16)), field(3));    // q to spad only
  EXPECT_EQ(run_one(vector(fn::argmax, acc(0), acc(0), acc(1), 1, 16)), field(2));
}

TEST(RefErrors, LocalRange) {
  EXPECT_EQ(run_one(mvin(base, spad(16383), 2, 1, 0)), local(spad(16383)));
  EXPECT_FALSE(run_one(mvin(base, spad(16383), 1, 1, 0)));
  EXPECT_EQ(run_one(mvin(base, acc(1000, true), 25, 1, 0)), local(acc(1000, true)));
  EXPECT_EQ(run_one(mvin(base, acc(0x3fffffff), 1, 1, 0)), local(acc(0x3fffffff)));
  EXPECT_EQ(run_one(mvin(base, spad(0), 0xffffffffu, 1, 0)), local(spad(0)));
  // matmul: b needs 16 rows; operands in word order.
  EXPECT_EQ(run_one(matmul(spad(16380), spad(16380), acc(2000), 1)), local(spad(16380)) /* b */);
  EXPECT_EQ(run_one(matmul(spad(16384), spad(16380), acc(2000), 1)), local(spad(16384)));
  EXPECT_EQ(run_one(matmul(spad(0), spad(0), acc(1020), 5)), local(acc(1020)));
  EXPECT_EQ(run_one(gather(base, 2, base, 1, 0, acc(1023), 1)), local(acc(1023)));
  machine m(base, size);
  m.execute(config_sparse(base, base, base, 1));
  EXPECT_EQ(run_one(spmm(base, 1, 0, 2, acc(1023), 1), &m), local(acc(1023)));
  // vector: row_scalar b needs ceil(rows / 16) rows, a row funct rows * ceil(length / 16).
  EXPECT_FALSE(run_one(vector(fn::add, acc(0), acc(1022), acc(0), 32, 0, 0, 0, 0, flag::row_scalar)));
  EXPECT_EQ(run_one(vector(fn::add, acc(0), acc(1023), acc(0), 32, 0, 0, 0, 0, flag::row_scalar)),
            local(acc(1023)));
  EXPECT_EQ(run_one(vector(fn::add, acc(0), acc(1000), acc(0), 32)), local(acc(1000)));
  EXPECT_FALSE(run_one(vector(fn::softmax, acc(1004), 0, acc(0), 10, 17, 8)));  // 20 rows
  EXPECT_EQ(run_one(vector(fn::softmax, acc(1005), 0, acc(0), 10, 17, 8)), local(acc(1005)));
  EXPECT_FALSE(run_one(vector(fn::argmax, acc(0), 0, acc(1023), 16, 17)));  // one packed row
  EXPECT_EQ(run_one(vector(fn::argmax, acc(0), 0, acc(1023), 17, 17)), local(acc(1023)));
  EXPECT_EQ(run_one(vector(fn::quant, acc(0), acc(1023), spad(0), 17, 1)), local(acc(1023)));
}

TEST(RefErrors, DramRangeAndMisaligned) {
  const fault range{error::dram_range, base + size - 15};
  EXPECT_EQ(run_one(mvin(base + size - 15, spad(0), 1, 16, 0)), range);
  EXPECT_FALSE(run_one(mvin(base + size - 16, spad(0), 1, 16, 0)));
  EXPECT_EQ(run_one(mvin(base - 1, spad(0), 1, 1, 0)), (fault{error::dram_range, base - 1}));
  EXPECT_EQ(run_one(mvin(0, spad(0), 1, 1, 0)), (fault{error::dram_range, 0}));
  EXPECT_EQ(run_one(mvin(base, spad(0), 2, 1, size)), (fault{error::dram_range, base}));  // second row
  EXPECT_FALSE(run_one(mvin(base, spad(0), 2, 1, size - 1)));
  EXPECT_EQ(run_one(mvin(0xffffffffu, spad(0), 1, 16, 0)), (fault{error::dram_range, 0xffffffffu}));
  // Alignment to the element size, of the base and (more than one row) of the stride.
  EXPECT_EQ(run_one(mvin(base + 2, acc(0), 1, 1, 0)), (fault{error::misaligned, base + 2}));
  EXPECT_FALSE(run_one(mvin(base + 2, acc(0), 1, 1, 0, flag::i8)));
  EXPECT_EQ(run_one(mvin(base, acc(0), 2, 1, 6)), (fault{error::misaligned, base}));
  EXPECT_FALSE(run_one(mvin(base, acc(0), 1, 1, 6)));
  EXPECT_EQ(run_one(mvout(base + 1, acc(0), 1, 1, 0, flag::raw)), (fault{error::misaligned, base + 1}));
  EXPECT_FALSE(run_one(mvout(base + 1, acc(0), 1, 1, 0)));  // requantised: bytes
  // Alignment before range.
  EXPECT_EQ(run_one(mvin(base - 2, acc(0), 1, 1, 0)), (fault{error::misaligned, base - 2}));
  // gather: index array first, then the declared table (all table rows).
  EXPECT_EQ(run_one(gather(base + 1, 1, base, 1, 0, spad(0), 1)), (fault{error::misaligned, base + 1}));
  EXPECT_EQ(run_one(gather(base + size - 4, 2, base, 1, 0, spad(0), 1)),
            (fault{error::dram_range, base + size - 4}));
  EXPECT_EQ(run_one(gather(base, 1, base, 1000, 100, spad(0), 1)), (fault{error::dram_range, base}));
  EXPECT_EQ(run_one(gather(base, 1, base + 2, 2, 4, acc(0), 1)), (fault{error::misaligned, base + 2}));
  EXPECT_EQ(run_one(scatter(base, 1, base, 2, 6, acc(0), 1)), (fault{error::misaligned, base}));
}

TEST(RefErrors, SpmmDramChecksInOrder) {
  auto with_config = [](std::uint32_t rp, std::uint32_t ci, std::uint32_t v, std::uint32_t b_rows,
                        const instruction& s) {
    machine m(base, size);
    m.set_dram_i32(base + 0x100, 0);
    m.set_dram_i32(base + 0x104, 2);
    m.set_dram_i32(base + 0x200, 0);
    m.set_dram_i32(base + 0x204, 1);
    m.execute(config_sparse(rp, ci, v, b_rows));
    return m.execute(s);
  };
  const instruction s = spmm(base + 0x400, 16, 0, 1, acc(0), 16);
  EXPECT_FALSE(with_config(base + 0x100, base + 0x200, base + 0x300, 2, s));
  EXPECT_EQ(with_config(base + 0x100, base + 0x200, base + 0x300, 100000, s),
            (fault{error::dram_range, base + 0x400}));
  EXPECT_EQ(with_config(base + 0x102, base + 0x200, base + 0x300, 2, s),
            (fault{error::misaligned, base + 0x102}));
  EXPECT_EQ(with_config(base + size - 4, base + 0x200, base + 0x300, 2, s),
            (fault{error::dram_range, base + size - 4}));
  EXPECT_EQ(with_config(base + 0x100, base + 0x201, base + 0x300, 2, s),
            (fault{error::misaligned, base + 0x201}));
  EXPECT_EQ(with_config(base + 0x100, base + size - 4, base + 0x300, 2, s),
            (fault{error::dram_range, base + size - 4}));
  EXPECT_EQ(with_config(base + 0x100, base + 0x200, base + size - 1, 2, s),
            (fault{error::dram_range, base + size - 1}));
  // Rows without nonzeros need no col_idx or values in DRAM.
  machine m(base, size);
  m.set_dram_i32(base + 0x100, 2);
  m.set_dram_i32(base + 0x104, 2);
  m.execute(config_sparse(base + 0x100, base + size, base + size, 2));
  EXPECT_FALSE(m.execute(s));
  EXPECT_EQ(m.acc_at(0, 0), 0);
}

TEST(RefErrors, IndexBounds) {
  machine m(base, size);
  m.set_dram_i32(base, 3);
  m.set_dram_i32(base + 4, -1);
  m.set_dram_i32(base + 8, 4);
  EXPECT_EQ(m.execute(gather(base, 1, base + 0x100, 3, 16, spad(0), 16)), (fault{error::index_bounds, 3}));
  machine m2(base, size);
  m2.write_dram(base, m.dram().data(), 12);
  EXPECT_EQ(m2.execute(gather(base + 4, 2, base + 0x100, 10, 16, spad(0), 16)),
            (fault{error::index_bounds, 0xffffffffu}));
  machine m3(base, size);
  m3.write_dram(base, m.dram().data(), 12);
  EXPECT_EQ(m3.execute(scatter(base, 3, base + 0x100, 4, 16, spad(0), 16)),
            (fault{error::index_bounds, 0xffffffffu}));
  machine m4(base, size);
  m4.write_dram(base, m.dram().data(), 12);
  EXPECT_EQ(m4.execute(gather(base, 1, base + 0x100, 0, 16, spad(0), 16)),
            (fault{error::index_bounds, 3}));  // empty table
}

TEST(RefErrors, SpmmIndexBounds) {
  auto run_spmm = [](std::initializer_list<std::int32_t> row_ptr, std::initializer_list<std::int32_t> col_idx,
                     std::uint32_t first, std::uint32_t count) {
    machine m(base, size);
    std::uint32_t a = base;
    for (auto v : row_ptr) m.set_dram_i32(a, v), a += 4;
    a = base + 0x100;
    for (auto v : col_idx) m.set_dram_i32(a, v), a += 4;
    m.execute(config_sparse(base, base + 0x100, base + 0x200, 4));
    return m.execute(spmm(base + 0x300, 16, first, count, acc(0), 16));
  };
  EXPECT_FALSE(run_spmm({0, 1, 2}, {3, 0}, 0, 2));
  EXPECT_EQ(run_spmm({0, 1, 2}, {4, 0}, 0, 2), (fault{error::index_bounds, 4}));
  EXPECT_EQ(run_spmm({0, 1, 2}, {0, -3}, 0, 2), (fault{error::index_bounds, static_cast<std::uint32_t>(-3)}));
  EXPECT_EQ(run_spmm({0, 2, 1}, {0, 0}, 0, 2), (fault{error::index_bounds, 1}));  // decreasing
  EXPECT_EQ(run_spmm({-1, 2}, {0, 0}, 0, 1), (fault{error::index_bounds, static_cast<std::uint32_t>(-1)}));
  // Only the rows asked for are checked: row 1 alone is fine.
  EXPECT_FALSE(run_spmm({5, 1, 2}, {9, 0}, 1, 1));
  // row_ptr entries are checked before any col_idx.
  EXPECT_EQ(run_spmm({0, 1, 0}, {9, 0}, 0, 2), (fault{error::index_bounds, 0}));
}

TEST(RefErrors, FaultHaltsAndChangesNothing) {
  machine m(base, size);
  m.set_dram_i32(base, 0);
  m.set_dram_i32(base + 4, 1);
  m.set_dram_i32(base + 8, 7);  // out of the 4-row table
  for (std::uint32_t n = 0; n < 16; ++n) m.spad_at(0, n) = m.spad_at(1, n) = m.spad_at(2, n) = 5;
  const std::vector<instruction> program = {
      irq(1),
      scatter(base, 3, base + 0x100, 4, 16, spad(0), 16),  // faults on the third index
      irq(2),
  };
  const run_result r = m.run(program);
  EXPECT_EQ(r.executed, 1u);
  EXPECT_EQ(r.error, (fault{error::index_bounds, 7}));
  EXPECT_EQ(r.fault_index, 1u);
  EXPECT_TRUE(m.halted());
  EXPECT_EQ(m.fault_index(), 1u);
  EXPECT_EQ(m.irq_tag(), 1u);
  EXPECT_EQ(m.dram_i8(base + 0x100), 0);  // the first two rows were not written
  EXPECT_EQ(m.dram_i8(base + 0x110), 0);
  // Halted: nothing more runs, the error stays.
  EXPECT_EQ(m.execute(irq(3)), (fault{error::index_bounds, 7}));
  EXPECT_EQ(m.irq_tag(), 1u);
  EXPECT_EQ(m.retired(), 1u);
  m.reset();
  EXPECT_FALSE(m.halted());
  EXPECT_FALSE(m.execute(irq(3)));
  // A bad config.store leaves the configuration as it was.
  EXPECT_FALSE(m.execute(config_store(2, 1, 0, -5, 5)));
  EXPECT_TRUE(m.execute(config_store(3, 1, 0, 5, -5)));
  EXPECT_EQ(m.store().multiplier, 2);
}

TEST(RefErrors, NamesAndHostAccessors) {
  EXPECT_STREQ(error_name(error::illegal_opcode), "illegal_opcode");
  EXPECT_STREQ(error_name(error::ring_overflow), "ring_overflow");
  EXPECT_STREQ(error_name(error::bus_error), "bus_error");
  EXPECT_EQ(to_string(fault{error::local_range, 0x80000400}), "local_range (info 0x80000400)");
  machine m(base, 16);
  EXPECT_THROW(m.set_dram_i32(base + 13, 1), std::out_of_range);
  EXPECT_THROW(m.dram_i8(base - 1), std::out_of_range);
  EXPECT_NO_THROW(m.set_dram_i32(base + 12, 1));
}
