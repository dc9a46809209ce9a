// Unit tests of the RV32IMAC CPU model. Each TEST elaborates and simulates its own little system
// (ctest runs every TEST in its own process): programs are assembled with tests/ip/cpu/rv_asm.h.
#define SC_INCLUDE_DYNAMIC_PROCESSES
#include <gtest/gtest.h>

#include <iterator>
#include <systemc>
#include <tlm>

#include "core/stats.h"
#include "tests/ip/cpu/cpu_bench.h"
#include "tests/ip/cpu/rv_asm.h"

namespace {

using namespace rvasm;
using namespace cpu_test;
using sc_core::SC_NS;
using sc_core::sc_time;
using sc_core::SC_US;

constexpr std::uint32_t data_base = ram_base + 0x40000;
constexpr std::uint32_t result_base = ram_base + 0x50000;
constexpr std::uint32_t log_base = ram_base + 0x60000;

// Registers the test programs leave alone: gp (results), s10 (trap count), s11 (trap log),
// t3..t6 (trap handler and prologue/epilogue).

class cpu : public ::testing::Test {
 protected:
  void SetUp() override {
    sc_core::sc_report_handler::set_actions(sc_core::SC_WARNING, sc_core::SC_DISPLAY | sc_core::SC_THROW);
    tlm::tlm_global_quantum::instance().set(sc_time(1, SC_US));
  }
};

// Logs mcause, mtval, mepc of every trap at s11 (and counts them in s10). Exceptions: skips the
// instruction (a fetch fault returns to ra instead). Interrupts: lowers the line of the cause.
void trap_handler(program& p) {
  p.align(4).label("trap");
  p.emit(csrr(t4, csr::mcause)).emit(sw(t4, s11, 0));
  p.emit(csrr(t3, csr::mtval)).emit(sw(t3, s11, 4));
  p.emit(csrr(t3, csr::mepc)).emit(sw(t3, s11, 8));
  p.emit(addi(s11, s11, 12)).emit(addi(s10, s10, 1));
  p.blt(t4, zero, "trap_irq");
  p.emit(addi(t5, zero, 1)).beq(t4, t5, "trap_fetch");
  p.emit(lhu(t5, t3, 0)).emit(andi(t5, t5, 3)).emit(addi(t6, zero, 3)).emit(addi(t3, t3, 2));
  p.bne(t5, t6, "trap_ret");
  p.emit(addi(t3, t3, 2));
  p.label("trap_ret").emit(csrw(csr::mepc, t3)).emit(mret());
  p.label("trap_fetch").emit(csrw(csr::mepc, ra)).emit(mret());
  p.label("trap_irq")
      .emit(andi(t4, t4, 0x1f))
      .li(t5, ctrl_base)
      .emit(sw(t4, t5, ctrl_irq_clear))
      .emit(mret());
}

void begin(program& p) {
  p.la(t3, "trap").emit(csrw(csr::mtvec, t3));
  p.li(gp, result_base).li(s11, log_base);
}

void end(program& p, std::uint32_t code = 0) {
  p.li(t3, ctrl_base).li(t4, code).emit(sw(t4, t3, ctrl_exit));
  p.label("hang").j("hang");
  trap_handler(p);
}

void record(program& p, unsigned index, unsigned reg) {
  p.emit(sw(reg, gp, static_cast<std::int32_t>(4 * index)));
}

std::uint32_t result(test_system& s, unsigned index) { return s.read32(result_base + 4 * index); }

struct trap_entry {
  std::uint32_t mcause, mtval, mepc;
  bool operator==(const trap_entry& o) const {
    return mcause == o.mcause && mtval == o.mtval && mepc == o.mepc;
  }
};
std::ostream& operator<<(std::ostream& os, const trap_entry& t) {
  return os << std::hex << "{mcause 0x" << t.mcause << ", mtval 0x" << t.mtval << ", mepc 0x" << t.mepc
            << "}";
}

std::vector<trap_entry> trap_log(test_system& s) {
  std::vector<trap_entry> log;
  for (std::uint32_t i = 0; i < s.cpu.reg(s10); ++i)
    log.push_back(
        {s.read32(log_base + 12 * i), s.read32(log_base + 12 * i + 4), s.read32(log_base + 12 * i + 8)});
  return log;
}

bool run(test_system& s, const sc_time& limit = sc_time(10, sc_core::SC_MS)) {
  sc_core::sc_start(limit);
  return s.mem.exited;
}

std::uint64_t stat(const std::string& path) {
  return nvr::stats::registry::instance().value(path).get<std::uint64_t>();
}

// --- RV32I ------------------------------------------------------------------------------------

TEST_F(cpu, alu_immediate) {
  test_system s("sys");
  program p;
  begin(p);
  p.li(a0, 0x80000000).li(a1, 0x7fffffff).li(a2, 0xffffffff);
  p.emit(addi(s0, a1, 1)), record(p, 0, s0);
  p.emit(slti(s0, a0, 0)), record(p, 1, s0);
  p.emit(slti(s0, a1, -1)), record(p, 2, s0);
  p.emit(sltiu(s0, a0, -1)), record(p, 3, s0);
  p.emit(sltiu(s0, a2, 1)), record(p, 4, s0);
  p.emit(xori(s0, a2, 0x555)), record(p, 5, s0);
  p.emit(ori(s0, zero, -0x556)), record(p, 6, s0);
  p.emit(andi(s0, a2, 0x7f0)), record(p, 7, s0);
  p.emit(slli(s0, a1, 4)), record(p, 8, s0);
  p.emit(srli(s0, a0, 31)), record(p, 9, s0);
  p.emit(srai(s0, a0, 31)), record(p, 10, s0);
  p.emit(srai(s0, a1, 30)), record(p, 11, s0);
  p.emit(lui(s0, 0xfffff)), record(p, 12, s0);
  p.label("auipc").emit(auipc(s0, 0x1)), record(p, 13, s0);
  p.emit(addi(zero, a1, 5)).emit(lui(zero, 5)).emit(add(s0, zero, zero)), record(p, 14, s0);
  p.emit(sltiu(s0, zero, 1)), record(p, 15, s0);  // seqz
  end(p);
  s.load(p);
  ASSERT_TRUE(run(s));
  const std::uint32_t expected[] = {
      0x80000000, 1,          0, 1,          0, 0xfffffaaa, 0xfffffaaa,
      0x7f0,      0xfffffff0, 1, 0xffffffff, 1, 0xfffff000, p.address_of("auipc") + 0x1000,
      0,          1};
  for (unsigned i = 0; i < std::size(expected); ++i) EXPECT_EQ(result(s, i), expected[i]) << "result " << i;
  EXPECT_EQ(s.cpu.reg(0), 0u);
  EXPECT_EQ(s.cpu.reg(s10), 0u) << "unexpected traps";
}

TEST_F(cpu, alu_register) {
  test_system s("sys");
  program p;
  begin(p);
  p.li(a0, 0x80000000).li(a1, 0x7fffffff).li(a2, 0xffffffff).li(a3, 33);
  p.emit(add(s0, a0, a2)), record(p, 0, s0);
  p.emit(sub(s0, a0, a1)), record(p, 1, s0);
  p.emit(sll(s0, a1, a3)), record(p, 2, s0);  // shift amounts use the low 5 bits
  p.emit(slt(s0, a0, a1)), record(p, 3, s0);
  p.emit(slt(s0, a1, a0)), record(p, 4, s0);
  p.emit(sltu(s0, a0, a1)), record(p, 5, s0);
  p.emit(sltu(s0, a1, a0)), record(p, 6, s0);
  p.emit(xor_(s0, a0, a2)), record(p, 7, s0);
  p.emit(srl(s0, a0, a3)), record(p, 8, s0);
  p.emit(sra(s0, a0, a3)), record(p, 9, s0);
  p.emit(or_(s0, a0, a1)), record(p, 10, s0);
  p.emit(and_(s0, a0, a2)), record(p, 11, s0);
  p.emit(sub(s0, zero, a1)), record(p, 12, s0);
  p.emit(add(zero, a1, a1)).emit(add(s0, zero, a1)), record(p, 13, s0);
  p.emit(sltu(s0, zero, a1)), record(p, 14, s0);  // snez
  end(p);
  s.load(p);
  ASSERT_TRUE(run(s));
  const std::uint32_t expected[] = {0x7fffffff, 1,          0xfffffffe, 1,          0,
                                    0,          1,          0x7fffffff, 0x40000000, 0xc0000000,
                                    0xffffffff, 0x80000000, 0x80000001, 0x7fffffff, 1};
  for (unsigned i = 0; i < std::size(expected); ++i) EXPECT_EQ(result(s, i), expected[i]) << "result " << i;
  EXPECT_EQ(s.cpu.reg(s10), 0u);
}

TEST_F(cpu, branches_and_jumps) {
  test_system s("sys");
  program p;
  begin(p);
  p.li(a0, 0).li(a1, 0xffffffff).li(a2, 1).li(a3, 1);
  unsigned bit = 0;
  const auto taken = [&](auto encoder_name, unsigned rs1, unsigned rs2) {
    const std::string ok = "ok" + std::to_string(bit);
    (p.*encoder_name)(rs1, rs2, ok);
    p.j("fail");
    p.label(ok).emit(addi(a0, a0, 1)), ++bit;
  };
  const auto not_taken = [&](auto encoder_name, unsigned rs1, unsigned rs2) {
    (p.*encoder_name)(rs1, rs2, "fail");
    p.emit(addi(a0, a0, 1)), ++bit;
  };
  taken(&program::beq, a2, a3);
  not_taken(&program::beq, a1, a2);
  taken(&program::bne, a1, a2);
  not_taken(&program::bne, a2, a3);
  taken(&program::blt, a1, a2);
  not_taken(&program::blt, a2, a1);
  taken(&program::bge, a2, a1);
  taken(&program::bge, a2, a3);
  not_taken(&program::bge, a1, a2);
  taken(&program::bltu, a2, a1);
  not_taken(&program::bltu, a1, a2);
  taken(&program::bgeu, a1, a2);
  not_taken(&program::bgeu, a2, a1);
  record(p, 0, a0);
  // A loop (backward branch) and a branch into another 4-KiB page and back.
  p.li(a4, 0).li(a5, 10);
  p.label("loop").emit(addi(a4, a4, 1)).bne(a4, a5, "loop");
  record(p, 1, a4);
  p.beq(zero, zero, "far");
  p.label("back");
  // jal links the next pc; jalr clears bit 0 of the target; jalr with rd = rs1 reads rs1 first.
  p.call("func");
  p.label("after_call");
  record(p, 2, a6);
  p.la(t0, "func2").emit(addi(t0, t0, 1)).emit(jalr(ra, t0, 0));
  p.label("after_jalr");
  record(p, 3, a6);
  p.la(t1, "func3").emit(jalr(t1, t1, 0));
  p.label("after_jalr2");
  record(p, 4, a6);
  end(p);
  p.label("fail").li(t3, ctrl_base).li(t4, 0xbad).emit(sw(t4, t3, ctrl_exit));
  p.align(4).label("func").emit(addi(a6, ra, 0)).emit(jalr(zero, ra, 0));
  p.align(4).label("func2").emit(addi(a6, ra, 0)).emit(jalr(zero, ra, 0));
  p.align(4).label("func3").emit(addi(a6, t1, 0)).emit(jalr(zero, t1, 0));
  p.at(ram_base + 0x1000).label("far").emit(addi(a7, zero, 7)).j("back");  // the next 4-KiB page
  s.load(p);
  ASSERT_TRUE(run(s));
  EXPECT_EQ(s.mem.exit_code, 0u);
  EXPECT_EQ(result(s, 0), bit);
  EXPECT_EQ(result(s, 1), 10u);
  EXPECT_EQ(s.cpu.reg(a7), 7u);
  EXPECT_EQ(result(s, 2), p.address_of("after_call"));
  EXPECT_EQ(result(s, 3), p.address_of("after_jalr"));
  EXPECT_EQ(result(s, 4), p.address_of("after_jalr2"));
  EXPECT_EQ(s.cpu.reg(s10), 0u);
}

TEST_F(cpu, loads_and_stores) {
  test_system s("sys");
  s.write32(data_base, 0x8899aabb);
  s.write32(data_base + 4, 0x11223344);
  program p;
  begin(p);
  p.li(s0, data_base);
  p.emit(lb(a0, s0, 0)), record(p, 0, a0);
  p.emit(lbu(a0, s0, 0)), record(p, 1, a0);
  p.emit(lh(a0, s0, 0)), record(p, 2, a0);
  p.emit(lhu(a0, s0, 2)), record(p, 3, a0);
  p.emit(lw(a0, s0, 0)), record(p, 4, a0);
  p.emit(lb(a0, s0, 3)), record(p, 5, a0);
  p.emit(lh(a0, s0, 4)), record(p, 6, a0);
  p.emit(addi(s1, s0, 32)).emit(lw(a0, s1, -28)), record(p, 7, a0);
  p.emit(lw(zero, s0, 0)).emit(add(a0, zero, zero)), record(p, 8, a0);
  p.li(t0, 0x12345678);
  p.emit(sb(t0, s0, 8)).emit(sh(t0, s0, 12)).emit(sw(t0, s0, 16)).emit(sb(t0, s0, 21)).emit(sh(t0, s0, 26));
  end(p);
  s.load(p);
  ASSERT_TRUE(run(s));
  const std::uint32_t expected[] = {0xffffffbb, 0xbb,   0xffffaabb, 0x8899, 0x8899aabb,
                                    0xffffff88, 0x3344, 0x11223344, 0};
  for (unsigned i = 0; i < std::size(expected); ++i) EXPECT_EQ(result(s, i), expected[i]) << "result " << i;
  EXPECT_EQ(s.read32(data_base + 8), 0x78u);
  EXPECT_EQ(s.read32(data_base + 12), 0x5678u);
  EXPECT_EQ(s.read32(data_base + 16), 0x12345678u);
  EXPECT_EQ(s.read32(data_base + 20), 0x7800u);
  EXPECT_EQ(s.read32(data_base + 24), 0x56780000u);
  EXPECT_EQ(s.cpu.reg(s10), 0u);
}

// --- M ----------------------------------------------------------------------------------------

TEST_F(cpu, multiply_and_divide) {
  test_system s("sys");
  program p;
  begin(p);
  p.li(a0, 0x80000000).li(a1, 0xffffffff).li(a2, 0).li(a3, 7).li(a4, 0xfffffffd);
  const std::pair<std::uint32_t, std::uint32_t> cases[] = {
      {mul(s0, a3, a4), 0xffffffeb},
      {mulh(s0, a0, a0), 0x40000000},
      {mulh(s0, a0, a1), 0},
      {mulhu(s0, a1, a1), 0xfffffffe},
      {mulhsu(s0, a1, a1), 0xffffffff},
      {mulhsu(s0, a3, a1), 6},
      {mulh(s0, a4, a3), 0xffffffff},
      {mulhsu(s0, a0, a1), 0x80000000},
      {mulhu(s0, a0, a3), 3},
      {div(s0, a0, a1), 0x80000000},
      {rem(s0, a0, a1), 0},
      {div(s0, a3, a2), 0xffffffff},
      {divu(s0, a3, a2), 0xffffffff},
      {rem(s0, a3, a2), 7},
      {remu(s0, a4, a2), 0xfffffffd},
      {div(s0, a3, a4), 0xfffffffe},
      {rem(s0, a3, a4), 1},
      {divu(s0, a1, a3), 0x24924924},
      {remu(s0, a1, a3), 3},
      {rem(s0, a4, a3), 0xfffffffd},
      {div(s0, a4, a3), 0},
      {mul(s0, a0, a1), 0x80000000},
      {divu(s0, a0, a1), 0},
  };
  unsigned i = 0;
  for (const auto& c : cases) p.emit(c.first), record(p, i++, s0);
  p.emit(div(zero, a3, a2)).emit(mul(zero, a3, a3));  // rd = x0: no effect, no trap
  end(p);
  s.load(p);
  ASSERT_TRUE(run(s));
  i = 0;
  for (const auto& c : cases) {
    EXPECT_EQ(result(s, i), c.second) << "case " << i;
    ++i;
  }
  EXPECT_EQ(s.cpu.reg(0), 0u);
  EXPECT_EQ(s.cpu.reg(s10), 0u);
}

// --- A ----------------------------------------------------------------------------------------

TEST_F(cpu, atomics) {
  test_system s("sys");
  s.write32(data_base, 5);
  s.write32(data_base + 8, 0x11);
  program p;
  begin(p);
  p.li(a1, data_base).li(t0, 9);
  p.emit(lr_w(a0, a1)), record(p, 0, a0);      // 5
  p.emit(sc_w(a2, a1, t0)), record(p, 1, a2);  // success: 0, memory 9
  p.emit(sc_w(a2, a1, t0)), record(p, 2, a2);  // no reservation: 1
  p.emit(lr_w(a0, a1)).li(t1, 10).emit(sw(t1, a1, 0));
  p.emit(sc_w(a2, a1, t0)), record(p, 3, a2);  // the value changed since lr: 1
  p.emit(lr_w(a0, a1)).emit(addi(t1, a1, 4));
  p.emit(sc_w(a2, t1, t0)), record(p, 4, a2);  // another address: 1
  p.emit(lr_w(a0, a1)).emit(ecall());
  p.emit(sc_w(a2, a1, t0)), record(p, 5, a2);  // a trap cleared the reservation: 1
  p.emit(addi(s0, a1, 8));
  p.li(t0, 0x22).emit(amoswap_w(a0, s0, t0)), record(p, 6, a0);
  p.emit(amoadd_w(a0, s0, t0)), record(p, 7, a0);
  p.li(t1, 0xff).emit(amoxor_w(a0, s0, t1)), record(p, 8, a0);
  p.li(t1, 0x0f).emit(amoand_w(a0, s0, t1)), record(p, 9, a0);
  p.li(t1, 0x100).emit(amoor_w(a0, s0, t1)), record(p, 10, a0);
  p.li(t1, 0xfffffffb).emit(amomin_w(a0, s0, t1)), record(p, 11, a0);
  p.li(t1, 3).emit(amomax_w(a0, s0, t1)), record(p, 12, a0);
  p.li(t1, 0xffffffff).emit(amominu_w(a0, s0, t1)), record(p, 13, a0);
  p.emit(amomaxu_w(a0, s0, t1)), record(p, 14, a0);
  p.emit(amoadd_w(zero, s0, t0));  // 0xffffffff + 0x22
  p.emit(lw(a0, s0, 0)), record(p, 15, a0);
  p.li(t0, 0x55).emit(amoswap_w(t0, s0, t0)), record(p, 16, t0);  // rd = rs2
  end(p);
  s.load(p);
  ASSERT_TRUE(run(s));
  const std::uint32_t expected[] = {5,    0,    1,     1,          1, 1, 0x11, 0x22, 0x44,
                                    0xbb, 0x0b, 0x10b, 0xfffffffb, 3, 3, 0x21, 0x21};
  for (unsigned i = 0; i < std::size(expected); ++i) EXPECT_EQ(result(s, i), expected[i]) << "result " << i;
  EXPECT_EQ(s.read32(data_base), 10u);
  EXPECT_EQ(s.read32(data_base + 8), 0x55u);
  EXPECT_EQ(s.cpu.reg(s10), 1u);  // the ecall
}

// --- C ----------------------------------------------------------------------------------------

TEST_F(cpu, compressed) {
  test_system s("sys");
  program p;
  begin(p);
  p.li(sp, data_base + 0x100);
  p.c(c_addi4spn(s0, 1020)), record(p, 0, s0);
  p.c(c_li(a0, -1)), record(p, 1, a0);
  p.c(c_li(a1, 31)).c(c_addi(a1, 5)), record(p, 2, a1);
  p.c(c_lui(a2, 1)), record(p, 3, a2);
  p.c(c_lui(a3, -1)).c(c_srai(a3, 8)), record(p, 4, a3);
  p.c(c_mv(a4, a0)).c(c_srli(a4, 4)), record(p, 5, a4);
  p.c(c_mv(a5, a1)).c(c_andi(a5, -16)), record(p, 6, a5);
  p.c(c_mv(s1, a1)).c(c_slli(s1, 3)), record(p, 7, s1);
  p.c(c_mv(a4, a1)).c(c_add(a4, a1)), record(p, 8, a4);
  p.c(c_mv(a4, a1)).c(c_sub(a4, a2)), record(p, 9, a4);
  p.c(c_mv(a4, a0)).c(c_xor(a4, a1)), record(p, 10, a4);
  p.c(c_mv(a4, a2)).c(c_or(a4, a1)), record(p, 11, a4);
  p.c(c_mv(a4, a0)).c(c_and(a4, a1)), record(p, 12, a4);
  p.c(c_addi16sp(-64)).emit(addi(t0, sp, 0)), record(p, 13, t0);
  p.c(c_swsp(a1, 4)).c(c_lwsp(t0, 4)), record(p, 14, t0);
  p.c(c_sw(a2, s0, 4)).c(c_li(a2, 0)).c(c_lw(a2, s0, 4)), record(p, 15, a2);
  p.c(c_nop()).c(c_li(a4, 1)).c_j("l1").c(c_li(a4, 2)).label("l1"), record(p, 16, a4);
  p.c(c_li(a5, 0)).c(c_li(a4, 0)).c_beqz(a5, "l2").c(c_li(a4, 5)).label("l2").c(c_addi(a4, 1)),
      record(p, 17, a4);
  p.c(c_li(a4, 0)).c(c_li(a5, 3)).c_bnez(a5, "l3").c(c_li(a4, 5)).label("l3");
  p.c(c_li(a5, 0)).c_bnez(a5, "l4").c(c_addi(a4, 7)).label("l4"), record(p, 18, a4);
  p.c_jal("cfunc").label("after_cjal"), record(p, 19, a4);
  p.la(t0, "cfunc").c(c_jalr(t0)).label("after_cjalr"), record(p, 20, a4);
  p.la(t0, "cret").c(c_jr(t0)).c(c_li(a4, 9)).label("cret"), record(p, 21, a4);
  p.label("cebreak").c(c_ebreak());
  p.c(c_addi(zero, 0)).c(c_li(zero, 5)).c(c_mv(zero, a0));  // hints: no effect
  p.c(c_addi16sp(496)).emit(addi(t0, sp, 0)), record(p, 22, t0);
  end(p);
  p.label("cfunc").c(c_mv(a4, ra)).c(c_jr(ra));
  s.load(p);
  ASSERT_TRUE(run(s));
  const std::uint32_t expected[] = {data_base + 0x100 + 1020,
                                    0xffffffff,
                                    36,
                                    0x1000,
                                    0xfffffff0,
                                    0x0fffffff,
                                    32,
                                    288,
                                    72,
                                    36u - 0x1000u,
                                    0xffffffff ^ 36,
                                    0x1024,
                                    36,
                                    data_base + 0xc0,
                                    36,
                                    0x1000,
                                    1,
                                    1,
                                    7,
                                    p.address_of("after_cjal"),
                                    p.address_of("after_cjalr"),
                                    p.address_of("after_cjalr"),
                                    data_base + 0xc0 + 496};
  for (unsigned i = 0; i < std::size(expected); ++i) EXPECT_EQ(result(s, i), expected[i]) << "result " << i;
  const auto log = trap_log(s);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0], (trap_entry{3, 0, p.address_of("cebreak")}));
  EXPECT_EQ(s.cpu.reg(0), 0u);
}

// --- Zicsr, CSRs ------------------------------------------------------------------------------

TEST_F(cpu, csr_values_and_masks) {
  nvr::cpu::rv32_config config;
  config.hart_id = 3;
  test_system s("sys", config);
  program p;
  begin(p);
  p.li(t0, 0xffffffff);
  unsigned i = 0;
  const auto read = [&](std::uint32_t number) { p.emit(csrr(a0, number)), record(p, i++, a0); };
  read(csr::misa);
  read(csr::mvendorid);
  read(csr::marchid);
  read(csr::mimpid);
  read(csr::mhartid);
  read(csr::mconfigptr);
  read(csr::mstatush);
  read(csr::mstatus);                                    // 7: reset value
  p.emit(csrw(csr::mstatus, t0)), read(csr::mstatus);    // 8
  p.emit(csrw(csr::mstatus, zero)), read(csr::mstatus);  // 9
  p.emit(csrw(csr::mie, t0)), read(csr::mie);            // 10
  p.emit(csrw(csr::mie, zero));
  p.emit(csrr(s0, csr::mtvec)).li(t1, 0x80000103).emit(csrw(csr::mtvec, t1)),
      read(csr::mtvec);                                               // 11: ignored
  p.li(t1, 0x80000101).emit(csrw(csr::mtvec, t1)), read(csr::mtvec);  // 12
  p.emit(csrw(csr::mtvec, s0));
  p.emit(csrw(csr::mepc, t0)), read(csr::mepc);                    // 13
  p.emit(csrw(csr::mcause, t0)), read(csr::mcause);                // 14
  p.emit(csrw(csr::mtval, t0)), read(csr::mtval);                  // 15
  p.emit(csrw(csr::mip, t0)), read(csr::mip);                      // 16: lines low, writes ignored
  p.emit(csrw(csr::misa, zero)), read(csr::misa);                  // 17: writes ignored
  p.emit(csrw(csr::pmpaddr0, t0)), read(csr::pmpaddr0);            // 18
  read(csr::pmpcfg0);                                              // 19
  p.emit(csrw(csr::mcountinhibit, t0)), read(csr::mcountinhibit);  // 20
  p.emit(csrw(csr::mcountinhibit, zero));
  // csrrw/s/c and the immediate forms on mscratch.
  p.li(t1, 0x1234).emit(csrrw(a1, csr::mscratch, t1)), record(p, i++, a1);  // 21: 0
  p.li(t1, 0x0f00).emit(csrrs(a1, csr::mscratch, t1)), record(p, i++, a1);  // 22: 0x1234
  p.li(t1, 0x1004).emit(csrrc(a1, csr::mscratch, t1)), record(p, i++, a1);  // 23: 0x1f34
  p.emit(csrrwi(a1, csr::mscratch, 31)), record(p, i++, a1);                // 24: 0x0f30
  p.emit(csrrsi(a1, csr::mscratch, 0x40 >> 2)), record(p, i++, a1);         // 25: 31
  p.emit(csrrci(a1, csr::mscratch, 1)), record(p, i++, a1);                 // 26: 31 | 16
  read(csr::mscratch);                                                      // 27: 30
  p.emit(csrrw(zero, csr::mscratch, t0)), read(csr::mscratch);              // 28
  end(p);
  s.load(p);
  ASSERT_TRUE(run(s));
  const std::uint32_t expected[] = {
      0x40001105, 0,          0,          0,          3,         0,
      0,          0x1800,     0x1888,     0x1800,     0x888,     p.address_of("trap"),
      0x80000101, 0xfffffffe, 0xffffffff, 0xffffffff, 0,         0x40001105,
      0,          0,          5,          0,          0x1234,    0x1f34,
      0x0f30,     31,         31,         30,         0xffffffff};
  for (unsigned j = 0; j < std::size(expected); ++j) EXPECT_EQ(result(s, j), expected[j]) << "result " << j;
  EXPECT_EQ(s.cpu.reg(s10), 0u);
}

TEST_F(cpu, csr_illegal_accesses) {
  test_system s("sys");
  program p;
  begin(p);
  const std::uint32_t illegal[] = {
      csrw(csr::mvendorid, zero),     // write to a read-only CSR
      csrrwi(zero, csr::mhartid, 0),  // csrrwi always writes
      csrrs(a0, csr::mvendorid, a1),  // rs1 != x0: a write
      csrw(csr::cycle, a0),           // user counters are read-only
      csrw(csr::time, a0),
      csrr(a0, 0x7c0),  // unknown CSRs
      csrr(a0, 0x7a0),  // tselect: no trigger module
      csrr(a0, 0x105),  // stvec: no S-mode
      csrr(a0, 0x306),  // mcounteren: no U-mode
      csrr(a0, 0x3c0),  // pmpaddr16: 16 PMP entries' worth of CSRs, like QEMU
      csrr(a0, 0x001),  // fflags: no F
  };
  p.li(a1, 1);
  for (const std::uint32_t insn : illegal) p.emit(insn);
  p.emit(csrrs(a2, csr::mvendorid, zero))
      .emit(csrrc(a2, csr::mhartid, zero))
      .emit(csrrsi(a2, csr::marchid, 0));
  p.emit(csrr(a2, csr::cycle)).emit(csrr(a2, csr::time)).emit(csrr(a2, csr::instreth));
  p.emit(csrr(a2, 0xc03)).emit(csrr(a2, 0xb1f)).emit(csrw(0x323, a1));  // hpm counters and events
  end(p);
  s.load(p);
  ASSERT_TRUE(run(s));
  const auto log = trap_log(s);
  ASSERT_EQ(log.size(), std::size(illegal));
  for (unsigned i = 0; i < log.size(); ++i) {
    EXPECT_EQ(log[i].mcause, 2u) << i;
    EXPECT_EQ(log[i].mtval, illegal[i]) << i;
    EXPECT_EQ(s.read32(log[i].mepc), illegal[i]) << i;
  }
}

TEST_F(cpu, counters) {
  test_system s("sys");
  program p;
  begin(p);
  p.emit(csrr(a0, csr::mcycle))
      .emit(nop())
      .emit(nop())
      .emit(nop())
      .emit(nop())
      .emit(nop())
      .emit(csrr(a1, csr::mcycle));
  p.emit(sub(a0, a1, a0)), record(p, 0, a0);  // csrr (2) + 5 x alu (1)
  p.emit(csrr(a0, csr::minstret)).emit(nop()).emit(nop()).emit(nop()).emit(csrr(a1, csr::minstret));
  p.emit(sub(a0, a1, a0)), record(p, 1, a0);
  p.li(t0, 100).emit(csrw(csr::minstret, t0)).emit(csrr(a0, csr::minstret)), record(p, 2, a0);
  p.li(t0, 1000).emit(csrw(csr::mcycle, t0)).emit(csrr(a0, csr::mcycle)), record(p, 3, a0);
  p.li(t0, 7).emit(csrw(csr::mcycleh, t0)).emit(csrr(a0, csr::mcycleh)), record(p, 4, a0);
  p.emit(csrw(csr::minstreth, t0)).emit(csrr(a0, csr::instreth)), record(p, 5, a0);
  p.emit(csrrwi(zero, csr::mcountinhibit, 5))
      .emit(csrr(a0, csr::mcycle))
      .emit(nop())
      .emit(csrr(a1, csr::mcycle));
  p.emit(sub(a0, a1, a0)), record(p, 6, a0);  // frozen
  p.emit(csrr(a0, csr::minstret)).emit(nop()).emit(csrr(a1, csr::minstret)).emit(sub(a0, a1, a0)),
      record(p, 7, a0);
  p.emit(csrrwi(zero, csr::mcountinhibit, 0))
      .emit(csrr(a0, csr::minstret))
      .emit(nop())
      .emit(csrr(a1, csr::minstret));
  p.emit(sub(a0, a1, a0)), record(p, 8, a0);  // counting again
  p.emit(csrr(a0, csr::cycle)).emit(csrr(a1, csr::mcycle)).emit(sub(a0, a1, a0)), record(p, 9, a0);
  end(p);
  s.load(p);
  ASSERT_TRUE(run(s));
  const std::uint32_t expected[] = {7, 4, 100, 1000, 7, 7, 0, 0, 2, 2};
  for (unsigned i = 0; i < std::size(expected); ++i) EXPECT_EQ(result(s, i), expected[i]) << "result " << i;
}

TEST_F(cpu, time_csr_follows_simulated_time) {
  test_system s("sys");
  program p;
  begin(p);
  p.li(a0, 5000).label("burn").emit(addi(a0, a0, -1)).bne(a0, zero, "burn");  // ~15 us
  p.emit(csrr(a1, csr::mcycle)).emit(csrr(a2, csr::time)).emit(csrr(a3, csr::timeh));
  record(p, 0, a1), record(p, 1, a2), record(p, 2, a3);
  end(p);
  s.load(p);
  ASSERT_TRUE(run(s));
  // The time CSR is mtime at 10 MHz (100 ns per tick) at the CPU's local time: mcycle counts
  // from time 0 at 1 GHz, and csrr time starts 2 cycles after csrr mcycle.
  EXPECT_GT(result(s, 0), 10000u);
  EXPECT_EQ(result(s, 1), (result(s, 0) + 2) / 100);
  EXPECT_EQ(result(s, 2), 0u);
}

// --- traps ------------------------------------------------------------------------------------

TEST_F(cpu, exceptions) {
  test_system s("sys");
  s.write32(data_base, 0x44332211);
  s.write32(data_base + 4, 0x88776655);
  program p;
  begin(p);
  p.label("ill32").emit(0xffffffff);
  p.label("ill16").c(0x0000);
  p.label("ebreak").emit(ebreak());
  p.label("ecall").emit(ecall());
  p.li(a0, 0x00001000);
  p.label("lfault").emit(lw(a1, a0, 0));
  p.label("sfault").emit(sw(a1, a0, 4));
  p.label("afault").emit(amoadd_w(a1, a0, a1));
  p.label("lrfault").emit(lr_w(a1, a0));
  p.la(ra, "after_fetch").li(a0, 0x00002000);
  p.label("ffault").emit(jalr(zero, a0, 0));
  p.label("after_fetch");
  p.label("csr").emit(csrr(a1, 0x7c0));
  p.label("rsvd").c(0x6081);  // c.lui x1, 0: reserved
  // Misaligned loads and stores are performed (as QEMU does); AMOs and LR trap with a load
  // address-misaligned exception (as QEMU 7.2); an SC without reservation just fails.
  p.li(s0, data_base);
  p.emit(lw(a2, s0, 1)), record(p, 0, a2);
  p.emit(lh(a2, s0, 3)), record(p, 1, a2);
  p.emit(lhu(a2, s0, 3)), record(p, 2, a2);
  p.li(t0, 0xaabbccdd).emit(sw(t0, s0, 3)).emit(sh(t0, s0, 9));
  p.emit(addi(s1, s0, 2));
  p.label("amo_mis").emit(amoadd_w(a2, s1, t0));
  p.label("lr_mis").emit(lr_w(a2, s1));
  p.emit(sc_w(a3, s1, t0)), record(p, 3, a3);
  end(p);
  s.load(p);
  ASSERT_TRUE(run(s));
  const auto log = trap_log(s);
  const std::vector<trap_entry> expected = {
      {2, 0xffffffff, p.address_of("ill32")},
      {2, 0, p.address_of("ill16")},
      {3, 0, p.address_of("ebreak")},
      {11, 0, p.address_of("ecall")},
      {5, 0x1000, p.address_of("lfault")},
      {7, 0x1004, p.address_of("sfault")},
      {7, 0x1000, p.address_of("afault")},
      {5, 0x1000, p.address_of("lrfault")},
      {1, 0x2000, 0x2000},
      {2, csrr(a1, 0x7c0), p.address_of("csr")},
      {2, 0x6081, p.address_of("rsvd")},
      {4, data_base + 2, p.address_of("amo_mis")},
      {4, data_base + 2, p.address_of("lr_mis")},
  };
  ASSERT_EQ(log.size(), expected.size());
  for (unsigned i = 0; i < expected.size(); ++i) EXPECT_EQ(log[i], expected[i]) << "trap " << i;
  EXPECT_EQ(result(s, 0), 0x55443322u);
  EXPECT_EQ(result(s, 1), 0x5544u);
  EXPECT_EQ(result(s, 2), 0x5544u);
  EXPECT_EQ(result(s, 3), 1u);
  EXPECT_EQ(s.read32(data_base), 0xdd332211u);
  EXPECT_EQ(s.read32(data_base + 4), 0x88aabbccu);
  EXPECT_EQ(s.read32(data_base + 8), 0x00ccdd00u);
  EXPECT_EQ(stat("sys.cpu.exceptions"), expected.size());
  EXPECT_EQ(stat("sys.cpu.traps.illegal_instruction"), 4u);
  EXPECT_EQ(stat("sys.cpu.traps.instruction_access_fault"), 1u);
}

TEST_F(cpu, misaligned_accesses_trap_when_configured) {
  nvr::cpu::rv32_config config;
  config.trap_misaligned = true;
  test_system s("sys", config);
  program p;
  begin(p);
  p.li(s0, data_base).li(t0, 0x12345678).emit(addi(s1, s0, 2));
  p.label("lw").emit(lw(a0, s0, 1));
  p.label("lh").emit(lh(a0, s0, 1));
  p.label("lhu").emit(lhu(a0, s0, 3));
  p.label("sw").emit(sw(t0, s0, 2));
  p.label("sh").emit(sh(t0, s0, 1));
  p.label("amo").emit(amoswap_w(a0, s1, t0));
  p.label("lr").emit(lr_w(a0, s1));
  p.label("sc").emit(sc_w(a0, s1, t0));
  p.emit(lb(a0, s0, 1)).emit(sb(t0, s0, 3)).emit(lh(a0, s0, 2)).emit(sh(t0, s0, 6));  // aligned: fine
  end(p);
  s.load(p);
  ASSERT_TRUE(run(s));
  const std::vector<trap_entry> expected = {
      {4, data_base + 1, p.address_of("lw")},  {4, data_base + 1, p.address_of("lh")},
      {4, data_base + 3, p.address_of("lhu")}, {6, data_base + 2, p.address_of("sw")},
      {6, data_base + 1, p.address_of("sh")},  {6, data_base + 2, p.address_of("amo")},
      {4, data_base + 2, p.address_of("lr")},  {6, data_base + 2, p.address_of("sc")},
  };
  const auto log = trap_log(s);
  ASSERT_EQ(log.size(), expected.size());
  for (unsigned i = 0; i < expected.size(); ++i) EXPECT_EQ(log[i], expected[i]) << "trap " << i;
  EXPECT_EQ(s.read32(data_base), 0x78000000u);
  EXPECT_EQ(s.read32(data_base + 4), 0x56780000u);
}

TEST_F(cpu, illegal_encodings) {
  test_system s("sys");
  const std::uint32_t illegal32[] = {
      0x0000200f,         // misc-mem funct3 = 2
      0x00200073,         // uret
      0x10200073,         // sret (no S-mode)
      0x7b200073,         // dret
      0x06000033,         // OP with funct7 = 3
      0x40001033,         // sll with funct7 = 0x20
      0x40101013,         // slli with imm[10] set
      0x02101013,         // slli with shamt[5] set (RV64)
      0x00003003,         // ld
      0x0000302f,         // amoadd.d
      0x1010202f,         // lr.w with rs2 != 0
      0x00002063,         // branch funct3 = 2
      0x00001067,         // jalr funct3 = 1
      0x00004073,         // system funct3 = 4
      0x00002007,         // flw (no F)
      0x0000001b,         // addiw (RV64)
      csrr(zero, 0xfff),  // an unknown CSR
  };
  const std::uint16_t illegal16[] = {
      0x1082,  // c.slli with shamt[5] (RV32: reserved)
      0x6101,  // c.addi16sp 0
      0x6081,  // c.lui x1, 0
      0x8002,  // c.jr x0
      0x9c01,  // c.subw
      0x9c21,  // c.addw
      0x2000,  // c.fld
      0x6000,  // c.flw
      0x8000,  // reserved quadrant 0
      0x4002,  // c.lwsp x0
      0x2002,  // c.fldsp
      0x9001,  // c.srli x8 with shamt[5]
      0x9401,  // c.srai x8 with shamt[5]
      0x9c41,  // reserved c.* (funct2 = 2 with bit 12)
  };
  program p;
  begin(p);
  for (const std::uint32_t insn : illegal32) p.emit(insn);
  for (const std::uint16_t insn : illegal16) p.c(insn);
  p.c(0x8401).c(0x0001).c(0x0101);  // c.srai x8, 0, c.nop, c.addi sp, 0: hints, legal
  end(p);
  s.load(p);
  ASSERT_TRUE(run(s));
  const auto log = trap_log(s);
  ASSERT_EQ(log.size(), std::size(illegal32) + std::size(illegal16));
  for (unsigned i = 0; i < log.size(); ++i) {
    const std::uint32_t raw = i < std::size(illegal32) ? illegal32[i] : illegal16[i - std::size(illegal32)];
    EXPECT_EQ(log[i].mcause, 2u) << i;
    EXPECT_EQ(log[i].mtval, raw) << std::hex << raw;
  }
}

TEST_F(cpu, trap_entry_and_mret_update_mstatus) {
  test_system s("sys");
  program p;
  p.la(t0, "handler").emit(csrw(csr::mtvec, t0)).li(gp, result_base);
  p.emit(csrrsi(zero, csr::mstatus, 8));  // MIE = 1 (no interrupt enabled in mie)
  p.label("ecall").emit(ecall());
  p.emit(csrr(a0, csr::mstatus)), record(p, 3, a0);
  p.li(t3, ctrl_base).emit(sw(zero, t3, ctrl_exit));
  p.align(4).label("handler");
  p.emit(csrr(a0, csr::mstatus)), record(p, 0, a0);
  p.emit(csrr(a0, csr::mepc)), record(p, 1, a0);
  p.emit(csrr(a0, csr::mcause)), record(p, 2, a0);
  p.emit(csrr(a0, csr::mepc)).emit(addi(a0, a0, 4)).emit(csrw(csr::mepc, a0)).emit(mret());
  s.load(p);
  ASSERT_TRUE(run(s));
  EXPECT_EQ(result(s, 0), 0x1880u);  // MPIE = old MIE, MIE = 0, MPP = M
  EXPECT_EQ(result(s, 1), p.address_of("ecall"));
  EXPECT_EQ(result(s, 2), 11u);
  EXPECT_EQ(result(s, 3), 0x1888u);  // mret: MIE = MPIE, MPIE = 1
}

// --- interrupts -------------------------------------------------------------------------------

TEST_F(cpu, interrupt_priority_and_enables) {
  test_system s("sys");
  s.mem.msip.write(true);
  s.mem.mtip.write(true);
  s.mem.meip.write(true);
  program p;
  begin(p);
  p.li(t0, 0x888).emit(csrw(csr::mie, t0));
  p.emit(nop()).emit(nop()).emit(csrr(a0, csr::mip)), record(p, 0, a0);  // MIE = 0: nothing taken
  p.emit(csrrsi(zero, csr::mstatus, 8));
  p.label("resume").emit(addi(a1, zero, 1));
  end(p);
  s.load(p);
  ASSERT_TRUE(run(s));
  EXPECT_EQ(result(s, 0), 0x888u);
  const auto log = trap_log(s);
  const std::uint32_t resume = p.address_of("resume");
  const std::vector<trap_entry> expected = {
      {0x8000000b, 0, resume}, {0x80000003, 0, resume}, {0x80000007, 0, resume}};
  ASSERT_EQ(log.size(), expected.size());
  for (unsigned i = 0; i < expected.size(); ++i) EXPECT_EQ(log[i], expected[i]) << "interrupt " << i;
  EXPECT_EQ(s.cpu.reg(a1), 1u);
  EXPECT_EQ(stat("sys.cpu.interrupts.external"), 1u);
  EXPECT_EQ(stat("sys.cpu.interrupts.software"), 1u);
  EXPECT_EQ(stat("sys.cpu.interrupts.timer"), 1u);
}

TEST_F(cpu, interrupt_caused_by_a_register_write_is_taken_before_the_next_instruction) {
  test_system s("sys");
  program p;
  begin(p);
  p.li(t0, 8).emit(csrw(csr::mie, t0)).emit(csrrsi(zero, csr::mstatus, 8));
  p.li(t1, ctrl_base).li(t0, 1).emit(sw(t0, t1, ctrl_irq_set));
  p.label("next").emit(addi(a0, a0, 1));
  end(p);
  s.load(p);
  ASSERT_TRUE(run(s));
  const auto log = trap_log(s);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0], (trap_entry{0x80000003, 0, p.address_of("next")}));
  EXPECT_EQ(s.cpu.reg(a0), 1u);
}

TEST_F(cpu, vectored_mtvec) {
  test_system s("sys");
  program p;
  p.li(gp, result_base);
  p.la(t0, "vectors").emit(ori(t0, t0, 1)).emit(csrw(csr::mtvec, t0));
  p.li(t0, 0x80).emit(csrw(csr::mie, t0)).emit(csrrsi(zero, csr::mstatus, 8));
  p.li(t1, ctrl_base).li(t0, 2).emit(sw(t0, t1, ctrl_irq_set));  // MTIP
  p.emit(ecall());                                               // exceptions go to the base
  p.li(t3, ctrl_base).emit(sw(zero, t3, ctrl_exit));
  p.at(ram_base + 0x100).label("vectors");
  for (unsigned cause = 0; cause < 16; ++cause)
    p.j(cause == 0 ? "exception" : cause == 7 ? "timer" : "wrong");
  p.label("exception").li(a0, 0xe).emit(sw(a0, gp, 0)).emit(csrr(a0, csr::mepc)).emit(addi(a0, a0, 4));
  p.emit(csrw(csr::mepc, a0)).emit(mret());
  p.label("timer")
      .li(a1, 7)
      .emit(sw(a1, gp, 4))
      .li(t1, ctrl_base)
      .emit(sw(a1, t1, ctrl_irq_clear))
      .emit(mret());
  p.label("wrong").li(t3, ctrl_base).li(t4, 0xbad).emit(sw(t4, t3, ctrl_exit));
  s.load(p);
  ASSERT_TRUE(run(s));
  EXPECT_EQ(s.mem.exit_code, 0u);
  EXPECT_EQ(result(s, 0), 0xeu);
  EXPECT_EQ(result(s, 1), 7u);
}

TEST_F(cpu, wfi_waits_for_an_interrupt_line) {
  test_system s("sys");
  s.at(sc_time(10, SC_US), [&s] { s.mem.mtip.write(true); });
  program p;
  begin(p);
  p.li(t0, 0x80).emit(csrw(csr::mie, t0)).emit(csrrsi(zero, csr::mstatus, 8));
  p.emit(wfi());
  p.label("after").emit(csrr(a0, csr::time)), record(p, 0, a0);
  end(p);
  s.load(p);
  ASSERT_TRUE(run(s));
  const auto log = trap_log(s);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0], (trap_entry{0x80000007, 0, p.address_of("after")}));
  EXPECT_GE(result(s, 0), 100u);  // woken at 10 us = 100 ticks
  EXPECT_LT(result(s, 0), 110u);
  EXPECT_GE(sc_core::sc_time_stamp(), sc_time(10, SC_US));
  EXPECT_GE(s.cpu.cycles(), 10000u);  // the wait counts as cycles
  EXPECT_GE(stat("sys.cpu.syncs.wfi"), 1u);
}

TEST_F(cpu, wfi_returns_when_an_interrupt_is_pending_but_disabled) {
  test_system s("sys");
  s.mem.msip.write(true);
  program p;
  begin(p);
  p.li(t0, 8).emit(csrw(csr::mie, t0));  // MSIE, but mstatus.MIE = 0
  p.emit(wfi()).emit(addi(a0, zero, 42));
  end(p);
  s.load(p);
  ASSERT_TRUE(run(s));
  EXPECT_EQ(s.cpu.reg(a0), 42u);
  EXPECT_EQ(s.cpu.reg(s10), 0u);
  EXPECT_LT(sc_core::sc_time_stamp(), sc_time(1, SC_US));
}

TEST_F(cpu, wfi_without_enabled_interrupts_waits_forever) {
  test_system s("sys");
  program p;
  begin(p);
  p.emit(wfi()).emit(addi(a0, zero, 42));
  end(p);
  s.load(p);
  EXPECT_FALSE(run(s, sc_time(100, SC_US)));
  EXPECT_EQ(s.cpu.reg(a0), 0u);
}

TEST_F(cpu, interrupt_latency_is_at_most_one_quantum) {
  test_system s("sys");
  s.at(sc_time(5500, SC_NS), [&s] { s.mem.mtip.write(true); });
  program p;
  begin(p);
  p.li(t0, 0x80).emit(csrw(csr::mie, t0)).emit(csrrsi(zero, csr::mstatus, 8));
  p.label("spin").beq(s10, zero, "spin");
  p.emit(lw(a0, s11, -12)).emit(csrr(a1, csr::time));  // mcause of the logged trap, time after it
  end(p);
  s.load(p);
  ASSERT_TRUE(run(s));
  EXPECT_EQ(s.cpu.reg(a0), 0x80000007u);
  EXPECT_GE(s.cpu.reg(a1), 55u);
  EXPECT_LE(s.cpu.reg(a1), 55u + 10u + 1u);  // one quantum (1 us = 10 ticks) later at most
}

// --- memory system ----------------------------------------------------------------------------

// A program that exercises loads, stores, atomics, CSRs, compressed code and branches, for the
// equivalence and determinism tests.
void workload(program& p) {
  begin(p);
  p.li(s0, data_base).li(a0, 0).li(a1, 300).li(a2, 0x12345);
  p.label("loop");
  p.emit(mul(a3, a1, a2))
      .emit(add(a0, a0, a3))
      .emit(sw(a0, s0, 0))
      .emit(lw(a4, s0, 0))
      .emit(xor_(a0, a0, a4));
  p.emit(amoadd_w(a5, s0, a1)).emit(lbu(a6, s0, 1)).emit(add(a0, a0, a6)).emit(divu(a7, a2, a1));
  p.c(c_addi(a1, -1)).emit(sh(a7, s0, 6)).emit(csrr(s1, csr::mcycle));
  p.c_bnez(a1, "loop");
  p.emit(lw(a3, s0, 4)).emit(add(a0, a0, a3));
  end(p);
}

TEST_F(cpu, dmi_and_bus_give_identical_results_and_cycles) {
  memory_config memory;
  memory.read_latency = sc_time(3, SC_NS);
  memory.write_latency = sc_time(2, SC_NS);
  memory.stop_on_exit = false;
  nvr::cpu::rv32_config with_dmi, without_dmi;
  without_dmi.dmi = false;
  test_system a("a", with_dmi, memory), b("b", without_dmi, memory);
  program pa, pb;
  workload(pa);
  workload(pb);
  a.load(pa);
  b.load(pb);
  sc_core::sc_start(sc_time(10, sc_core::SC_MS));
  ASSERT_TRUE(a.mem.exited);
  ASSERT_TRUE(b.mem.exited);
  for (unsigned r = 0; r < 32; ++r) EXPECT_EQ(a.cpu.reg(r), b.cpu.reg(r)) << "x" << r;
  EXPECT_EQ(a.read32(data_base), b.read32(data_base));
  EXPECT_EQ(a.read32(data_base + 4), b.read32(data_base + 4));
  EXPECT_EQ(a.mem.exit_time, b.mem.exit_time);
  EXPECT_EQ(a.cpu.instructions_retired(), b.cpu.instructions_retired());
  EXPECT_EQ(a.cpu.cycles(), b.cpu.cycles());
  EXPECT_GT(stat("a.cpu.dmi.grants"), 0u);
  EXPECT_EQ(stat("b.cpu.dmi.grants"), 0u);
  EXPECT_GT(stat("b.cpu.bus.fetches"), 1000u);
  EXPECT_EQ(stat("b.cpu.syncs.mmio"), stat("a.cpu.syncs.mmio"));
}

TEST_F(cpu, same_program_same_cycles) {
  memory_config memory;
  memory.read_latency = sc_time(1, SC_NS);
  memory.stop_on_exit = false;
  test_system a("a", {}, memory), b("b", {}, memory);
  for (test_system* s : {&a, &b}) s->at(sc_time(7, SC_US), [s] { s->mem.mtip.write(true); });
  program pa, pb;
  for (program* p : {&pa, &pb}) {
    begin(*p);
    p->li(t0, 0x80).emit(csrw(csr::mie, t0)).emit(csrrsi(zero, csr::mstatus, 8));
    p->li(a0, 20000).label("burn").emit(addi(a0, a0, -1)).bne(a0, zero, "burn");
    end(*p);
  }
  a.load(pa);
  b.load(pb);
  sc_core::sc_start(sc_time(10, sc_core::SC_MS));
  ASSERT_TRUE(a.mem.exited && b.mem.exited);
  EXPECT_EQ(a.cpu.cycles(), b.cpu.cycles());
  EXPECT_EQ(a.cpu.instructions_retired(), b.cpu.instructions_retired());
  EXPECT_EQ(a.mem.exit_time, b.mem.exit_time);
  EXPECT_EQ(a.read32(log_base + 8), b.read32(log_base + 8));  // the interrupted pc
  EXPECT_EQ(a.cpu.reg(s10), 1u);
}

TEST_F(cpu, cycle_table_and_memory_latencies) {
  memory_config memory;
  memory.read_latency = sc_time(2, SC_NS);
  memory.write_latency = sc_time(1, SC_NS);
  test_system s("sys", {}, memory);
  program p;
  begin(p);
  p.li(s0, data_base).li(a2, 3).li(a3, 1);
  p.align(4).emit(lw(a4, s0, 0));  // touch the data once
  p.emit(csrr(a0, csr::mcycle));   // 2 + 2 (fetch)
  p.emit(addi(a1, a1, 1));         // 1 + 2
  p.emit(lw(a4, s0, 0));           // 2 + 2 (read) + 2
  p.emit(sw(a4, s0, 0));           // 1 + 1 (write) + 2
  p.emit(mul(a5, a2, a3));         // 3 + 2
  p.emit(div(a5, a2, a3));         // 33 + 2
  p.bne(a2, a2, "never");          // not taken: 1 + 2
  p.beq(a2, a2, "t1");             // taken: 1 + 2 + 2
  p.label("t1").j("t2");           // 3 + 2
  p.label("t2").c(c_nop());        // 1 + 2 (one word)
  p.emit(addi(a1, a1, 1));         // 1 + 2 x 2 (spans two words)
  p.c(c_nop());                    // 1 + 2
  p.emit(csrr(a1, csr::mcycle));
  p.emit(sub(a0, a1, a0)), record(p, 0, a0);
  end(p);
  p.label("never").j("hang");
  s.load(p);
  ASSERT_TRUE(run(s));
  EXPECT_EQ(result(s, 0), 4u + 3 + 6 + 4 + 5 + 35 + 3 + 5 + 5 + 3 + 5 + 3);
  // The exit store happens at the CPU's local time: its cycles at 1 GHz.
  EXPECT_EQ(s.mem.exit_time, sc_time(static_cast<double>(s.cpu.cycles()), SC_NS));
}

TEST_F(cpu, code_in_memory_without_dmi_runs_through_the_bus) {
  test_system s("sys");
  program code(slow_base);
  code.c(c_addi(a0, 1))
      .emit(addi(a0, a0, 5))
      .c(c_nop())
      .emit(jalr(zero, ra, 0));  // a 32-bit insn at pc % 4 = 2
  s.load(code);
  program p;
  begin(p);
  p.li(a0, 0).li(t0, slow_base).emit(jalr(ra, t0, 0)).emit(jalr(ra, t0, 0));
  // Data in that memory: each access is a register access (synchronises).
  p.li(t1, slow_base + 0x100).li(t2, 77).emit(sw(t2, t1, 0)).emit(lw(a1, t1, 0));
  end(p);
  s.load(p);
  ASSERT_TRUE(run(s));
  EXPECT_EQ(s.cpu.reg(a0), 12u);
  EXPECT_EQ(s.cpu.reg(a1), 77u);
  EXPECT_EQ(s.cpu.reg(s10), 0u);
  EXPECT_GE(stat("sys.cpu.bus.fetches"), 8u);
  EXPECT_EQ(stat("sys.cpu.mmio.writes"), 2u);  // the store and the exit
  EXPECT_EQ(stat("sys.cpu.mmio.reads"), 1u);
}

TEST_F(cpu, register_reads_and_dmi_invalidation) {
  test_system s("sys");
  program p;
  begin(p);
  p.li(t1, ctrl_base);
  p.emit(lw(a0, t1, ctrl_counter)).emit(lw(a1, t1, ctrl_counter)).emit(lw(a2, t1, ctrl_counter));
  p.li(s0, data_base).li(t0, 5).emit(sw(t0, s0, 0));
  p.emit(sw(zero, t1, ctrl_invalidate));  // the target revokes every DMI pointer
  p.emit(lw(a3, s0, 0)).emit(addi(a3, a3, 1)).emit(sw(a3, s0, 0)).emit(lw(a4, s0, 0));
  end(p);
  s.load(p);
  ASSERT_TRUE(run(s));
  EXPECT_EQ(s.cpu.reg(a0), 1u);
  EXPECT_EQ(s.cpu.reg(a1), 2u);
  EXPECT_EQ(s.cpu.reg(a2), 3u);
  EXPECT_EQ(s.cpu.reg(a4), 6u);
  EXPECT_EQ(stat("sys.cpu.mmio.reads"), 3u);
  EXPECT_EQ(stat("sys.cpu.dmi.invalidations"), 1u);
  EXPECT_GE(stat("sys.cpu.dmi.grants"), 2u);
  EXPECT_GE(stat("sys.cpu.syncs.mmio"), 4u);
}

TEST_F(cpu, instruction_limit_stops_the_simulation) {
  nvr::cpu::rv32_config config;
  config.max_instructions = 1000;
  test_system s("sys", config);
  program p;
  p.label("loop").j("loop");
  s.load(p);
  EXPECT_FALSE(run(s));
  EXPECT_TRUE(s.cpu.instruction_limit_reached());
  EXPECT_EQ(s.cpu.instructions_retired(), 1000u);
  EXPECT_EQ(s.cpu.cycles(), 3000u);  // jal: 1 + 2
  EXPECT_EQ(sc_core::sc_time_stamp(), sc_time(3, SC_US));
  EXPECT_EQ(sc_core::sc_get_status(), sc_core::SC_STOPPED);
}

TEST_F(cpu, instruction_limit_counts_exceptions) {
  nvr::cpu::rv32_config config;
  config.max_instructions = 100;
  test_system s("sys", config);
  program p;  // mtvec = 0 after reset: every trap faults again at address 0
  p.emit(ecall());
  s.load(p);
  EXPECT_FALSE(run(s));
  EXPECT_TRUE(s.cpu.instruction_limit_reached());
  EXPECT_EQ(stat("sys.cpu.exceptions"), 100u);
}

TEST_F(cpu, self_modifying_code_with_fence_i) {
  test_system s("sys");
  program p;
  begin(p);
  p.la(s0, "patch").li(s1, addi(a0, a0, 100)).li(a0, 0).li(s2, 2);
  p.label("loop");
  p.label("patch").emit(addi(a0, a0, 1));
  p.emit(sw(s1, s0, 0)).emit(fence_i());
  p.emit(addi(s2, s2, -1)).bne(s2, zero, "loop");
  // A compressed instruction replaced by a store in the same granule, without fence.i.
  p.la(s0, "cpatch").li(s1, c_li(a1, 9)).li(a1, 0).li(s2, 2);
  p.label("cloop").label("cpatch").c(c_li(a1, 1)).c(c_nop());
  p.emit(sh(s1, s0, 0)).emit(addi(s2, s2, -1)).bne(s2, zero, "cloop");
  end(p);
  s.load(p);
  ASSERT_TRUE(run(s));
  EXPECT_EQ(s.cpu.reg(a0), 101u);
  EXPECT_EQ(s.cpu.reg(a1), 9u);
  EXPECT_GE(stat("sys.cpu.decode.flushes"), 1u);
}

TEST_F(cpu, invalidate_decode_cache_after_writes_behind_the_cpu) {
  test_system s("sys");
  program p;
  begin(p);
  p.li(t0, 2);
  p.label("loop").label("patch").emit(addi(a0, zero, 1)).bne(a0, t0, "loop");
  end(p);
  s.load(p);
  const std::uint32_t patch = p.address_of("patch");
  s.at(sc_time(5, SC_US), [&s, patch] {
    s.write32(patch, addi(a0, zero, 2));  // as a DMA would: the CPU does not see this store
    s.cpu.invalidate_decode_cache();
  });
  ASSERT_TRUE(run(s));
  EXPECT_GE(sc_core::sc_time_stamp(), sc_time(5, SC_US));
  EXPECT_EQ(s.cpu.reg(a0), 2u);
}

TEST_F(cpu, reset_and_register_access) {
  nvr::cpu::rv32_config config;
  config.reset_pc = ram_base + 0x100;
  test_system s("sys", config);
  EXPECT_EQ(s.cpu.pc(), ram_base + 0x100);
  s.cpu.set_reg(a0, 7);
  s.cpu.set_reg(0, 5);
  s.cpu.set_reg(40, 5);
  EXPECT_EQ(s.cpu.reg(a0), 7u);
  EXPECT_EQ(s.cpu.reg(0), 0u);
  EXPECT_EQ(s.cpu.reg(40), 0u);
  s.cpu.reset();
  EXPECT_EQ(s.cpu.reg(a0), 0u);
  s.cpu.set_reg(a0, 40);
  s.cpu.set_pc(ram_base + 0x201);  // bit 0 is dropped
  EXPECT_EQ(s.cpu.pc(), ram_base + 0x200);
  program p;
  p.at(ram_base + 0x200).emit(addi(a0, a0, 2)).li(t3, ctrl_base).emit(sw(a0, t3, ctrl_exit));
  s.load(p);
  ASSERT_TRUE(run(s));
  EXPECT_EQ(s.mem.exit_code, 42u);
}

TEST_F(cpu, statistics_are_published) {
  test_system s("sys");
  program p;
  begin(p);
  p.emit(ecall());
  end(p);
  s.load(p);
  ASSERT_TRUE(run(s));
  EXPECT_EQ(stat("sys.cpu.instructions"), s.cpu.instructions_retired());
  EXPECT_EQ(stat("sys.cpu.cycles"), s.cpu.cycles());
  EXPECT_EQ(stat("sys.cpu.traps.ecall_m"), 1u);
  EXPECT_GE(stat("sys.cpu.syncs.mmio"), 1u);
  EXPECT_GT(stat("sys.cpu.decode.instructions"), 10u);
  const auto all = nvr::stats::registry::instance().to_json();
  for (const char* key : {"instructions", "cycles", "exceptions", "traps", "interrupts", "mmio", "bus", "dmi",
                          "syncs", "decode"})
    EXPECT_TRUE(all["sys"]["cpu"].contains(key)) << key;
}

}  // namespace
