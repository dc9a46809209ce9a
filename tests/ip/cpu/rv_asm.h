// A tiny RV32IMAC + Zicsr + Zifencei assembler for the CPU tests: instruction encoders and a
// program builder with labels (branch, jump and address fixups resolved by finish()).
#pragma once

#include <cstdint>
#include <map>
#include <stdexcept>
#include <string>
#include <vector>

namespace rvasm {

enum reg : unsigned {
  zero,
  ra,
  sp,
  gp,
  tp,
  t0,
  t1,
  t2,
  s0,
  s1,
  a0,
  a1,
  a2,
  a3,
  a4,
  a5,
  a6,
  a7,
  s2,
  s3,
  s4,
  s5,
  s6,
  s7,
  s8,
  s9,
  s10,
  s11,
  t3,
  t4,
  t5,
  t6
};

// --- 32-bit formats ---
constexpr std::uint32_t r_type(std::uint32_t f7, unsigned rs2, unsigned rs1, std::uint32_t f3, unsigned rd,
                               std::uint32_t opcode) {
  return (f7 << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opcode;
}
constexpr std::uint32_t i_type(std::int32_t imm, unsigned rs1, std::uint32_t f3, unsigned rd,
                               std::uint32_t opcode) {
  return (static_cast<std::uint32_t>(imm & 0xfff) << 20) | (rs1 << 15) | (f3 << 12) | (rd << 7) | opcode;
}
constexpr std::uint32_t s_type(std::int32_t imm, unsigned rs2, unsigned rs1, std::uint32_t f3,
                               std::uint32_t opcode) {
  const auto u = static_cast<std::uint32_t>(imm);
  return (((u >> 5) & 0x7f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) | ((u & 0x1f) << 7) | opcode;
}
constexpr std::uint32_t b_type(std::int32_t imm, unsigned rs2, unsigned rs1, std::uint32_t f3) {
  const auto u = static_cast<std::uint32_t>(imm);
  return (((u >> 12) & 1) << 31) | (((u >> 5) & 0x3f) << 25) | (rs2 << 20) | (rs1 << 15) | (f3 << 12) |
         (((u >> 1) & 0xf) << 8) | (((u >> 11) & 1) << 7) | 0x63;
}
constexpr std::uint32_t u_type(std::uint32_t imm20, unsigned rd, std::uint32_t opcode) {
  return (imm20 << 12) | (rd << 7) | opcode;
}
constexpr std::uint32_t j_type(std::int32_t imm, unsigned rd) {
  const auto u = static_cast<std::uint32_t>(imm);
  return (((u >> 20) & 1) << 31) | (((u >> 1) & 0x3ff) << 21) | (((u >> 11) & 1) << 20) |
         (((u >> 12) & 0xff) << 12) | (rd << 7) | 0x6f;
}

// RV32I
constexpr std::uint32_t lui(unsigned rd, std::uint32_t imm20) { return u_type(imm20 & 0xfffff, rd, 0x37); }
constexpr std::uint32_t auipc(unsigned rd, std::uint32_t imm20) { return u_type(imm20 & 0xfffff, rd, 0x17); }
constexpr std::uint32_t jal(unsigned rd, std::int32_t offset) { return j_type(offset, rd); }
constexpr std::uint32_t jalr(unsigned rd, unsigned rs1, std::int32_t imm) {
  return i_type(imm, rs1, 0, rd, 0x67);
}
constexpr std::uint32_t beq(unsigned rs1, unsigned rs2, std::int32_t off) { return b_type(off, rs2, rs1, 0); }
constexpr std::uint32_t bne(unsigned rs1, unsigned rs2, std::int32_t off) { return b_type(off, rs2, rs1, 1); }
constexpr std::uint32_t blt(unsigned rs1, unsigned rs2, std::int32_t off) { return b_type(off, rs2, rs1, 4); }
constexpr std::uint32_t bge(unsigned rs1, unsigned rs2, std::int32_t off) { return b_type(off, rs2, rs1, 5); }
constexpr std::uint32_t bltu(unsigned rs1, unsigned rs2, std::int32_t off) {
  return b_type(off, rs2, rs1, 6);
}
constexpr std::uint32_t bgeu(unsigned rs1, unsigned rs2, std::int32_t off) {
  return b_type(off, rs2, rs1, 7);
}
constexpr std::uint32_t lb(unsigned rd, unsigned rs1, std::int32_t imm) {
  return i_type(imm, rs1, 0, rd, 0x03);
}
constexpr std::uint32_t lh(unsigned rd, unsigned rs1, std::int32_t imm) {
  return i_type(imm, rs1, 1, rd, 0x03);
}
constexpr std::uint32_t lw(unsigned rd, unsigned rs1, std::int32_t imm) {
  return i_type(imm, rs1, 2, rd, 0x03);
}
constexpr std::uint32_t lbu(unsigned rd, unsigned rs1, std::int32_t imm) {
  return i_type(imm, rs1, 4, rd, 0x03);
}
constexpr std::uint32_t lhu(unsigned rd, unsigned rs1, std::int32_t imm) {
  return i_type(imm, rs1, 5, rd, 0x03);
}
constexpr std::uint32_t sb(unsigned rs2, unsigned rs1, std::int32_t imm) {
  return s_type(imm, rs2, rs1, 0, 0x23);
}
constexpr std::uint32_t sh(unsigned rs2, unsigned rs1, std::int32_t imm) {
  return s_type(imm, rs2, rs1, 1, 0x23);
}
constexpr std::uint32_t sw(unsigned rs2, unsigned rs1, std::int32_t imm) {
  return s_type(imm, rs2, rs1, 2, 0x23);
}
constexpr std::uint32_t addi(unsigned rd, unsigned rs1, std::int32_t imm) {
  return i_type(imm, rs1, 0, rd, 0x13);
}
constexpr std::uint32_t slti(unsigned rd, unsigned rs1, std::int32_t imm) {
  return i_type(imm, rs1, 2, rd, 0x13);
}
constexpr std::uint32_t sltiu(unsigned rd, unsigned rs1, std::int32_t imm) {
  return i_type(imm, rs1, 3, rd, 0x13);
}
constexpr std::uint32_t xori(unsigned rd, unsigned rs1, std::int32_t imm) {
  return i_type(imm, rs1, 4, rd, 0x13);
}
constexpr std::uint32_t ori(unsigned rd, unsigned rs1, std::int32_t imm) {
  return i_type(imm, rs1, 6, rd, 0x13);
}
constexpr std::uint32_t andi(unsigned rd, unsigned rs1, std::int32_t imm) {
  return i_type(imm, rs1, 7, rd, 0x13);
}
constexpr std::uint32_t slli(unsigned rd, unsigned rs1, unsigned sh) {
  return r_type(0, sh, rs1, 1, rd, 0x13);
}
constexpr std::uint32_t srli(unsigned rd, unsigned rs1, unsigned sh) {
  return r_type(0, sh, rs1, 5, rd, 0x13);
}
constexpr std::uint32_t srai(unsigned rd, unsigned rs1, unsigned sh) {
  return r_type(0x20, sh, rs1, 5, rd, 0x13);
}
constexpr std::uint32_t add(unsigned rd, unsigned rs1, unsigned rs2) {
  return r_type(0, rs2, rs1, 0, rd, 0x33);
}
constexpr std::uint32_t sub(unsigned rd, unsigned rs1, unsigned rs2) {
  return r_type(0x20, rs2, rs1, 0, rd, 0x33);
}
constexpr std::uint32_t sll(unsigned rd, unsigned rs1, unsigned rs2) {
  return r_type(0, rs2, rs1, 1, rd, 0x33);
}
constexpr std::uint32_t slt(unsigned rd, unsigned rs1, unsigned rs2) {
  return r_type(0, rs2, rs1, 2, rd, 0x33);
}
constexpr std::uint32_t sltu(unsigned rd, unsigned rs1, unsigned rs2) {
  return r_type(0, rs2, rs1, 3, rd, 0x33);
}
constexpr std::uint32_t xor_(unsigned rd, unsigned rs1, unsigned rs2) {
  return r_type(0, rs2, rs1, 4, rd, 0x33);
}
constexpr std::uint32_t srl(unsigned rd, unsigned rs1, unsigned rs2) {
  return r_type(0, rs2, rs1, 5, rd, 0x33);
}
constexpr std::uint32_t sra(unsigned rd, unsigned rs1, unsigned rs2) {
  return r_type(0x20, rs2, rs1, 5, rd, 0x33);
}
constexpr std::uint32_t or_(unsigned rd, unsigned rs1, unsigned rs2) {
  return r_type(0, rs2, rs1, 6, rd, 0x33);
}
constexpr std::uint32_t and_(unsigned rd, unsigned rs1, unsigned rs2) {
  return r_type(0, rs2, rs1, 7, rd, 0x33);
}
constexpr std::uint32_t fence() { return 0x0ff0000f; }
constexpr std::uint32_t fence_i() { return 0x0000100f; }
constexpr std::uint32_t ecall() { return 0x00000073; }
constexpr std::uint32_t ebreak() { return 0x00100073; }
constexpr std::uint32_t mret() { return 0x30200073; }
constexpr std::uint32_t wfi() { return 0x10500073; }
constexpr std::uint32_t nop() { return addi(zero, zero, 0); }

// M
constexpr std::uint32_t mul(unsigned rd, unsigned rs1, unsigned rs2) {
  return r_type(1, rs2, rs1, 0, rd, 0x33);
}
constexpr std::uint32_t mulh(unsigned rd, unsigned rs1, unsigned rs2) {
  return r_type(1, rs2, rs1, 1, rd, 0x33);
}
constexpr std::uint32_t mulhsu(unsigned rd, unsigned rs1, unsigned rs2) {
  return r_type(1, rs2, rs1, 2, rd, 0x33);
}
constexpr std::uint32_t mulhu(unsigned rd, unsigned rs1, unsigned rs2) {
  return r_type(1, rs2, rs1, 3, rd, 0x33);
}
constexpr std::uint32_t div(unsigned rd, unsigned rs1, unsigned rs2) {
  return r_type(1, rs2, rs1, 4, rd, 0x33);
}
constexpr std::uint32_t divu(unsigned rd, unsigned rs1, unsigned rs2) {
  return r_type(1, rs2, rs1, 5, rd, 0x33);
}
constexpr std::uint32_t rem(unsigned rd, unsigned rs1, unsigned rs2) {
  return r_type(1, rs2, rs1, 6, rd, 0x33);
}
constexpr std::uint32_t remu(unsigned rd, unsigned rs1, unsigned rs2) {
  return r_type(1, rs2, rs1, 7, rd, 0x33);
}

// A (aq = rl = 0)
constexpr std::uint32_t amo(std::uint32_t funct5, unsigned rd, unsigned rs1, unsigned rs2) {
  return r_type(funct5 << 2, rs2, rs1, 2, rd, 0x2f);
}
constexpr std::uint32_t lr_w(unsigned rd, unsigned rs1) { return amo(0x02, rd, rs1, 0); }
constexpr std::uint32_t sc_w(unsigned rd, unsigned rs1, unsigned rs2) { return amo(0x03, rd, rs1, rs2); }
constexpr std::uint32_t amoswap_w(unsigned rd, unsigned rs1, unsigned rs2) { return amo(0x01, rd, rs1, rs2); }
constexpr std::uint32_t amoadd_w(unsigned rd, unsigned rs1, unsigned rs2) { return amo(0x00, rd, rs1, rs2); }
constexpr std::uint32_t amoxor_w(unsigned rd, unsigned rs1, unsigned rs2) { return amo(0x04, rd, rs1, rs2); }
constexpr std::uint32_t amoand_w(unsigned rd, unsigned rs1, unsigned rs2) { return amo(0x0c, rd, rs1, rs2); }
constexpr std::uint32_t amoor_w(unsigned rd, unsigned rs1, unsigned rs2) { return amo(0x08, rd, rs1, rs2); }
constexpr std::uint32_t amomin_w(unsigned rd, unsigned rs1, unsigned rs2) { return amo(0x10, rd, rs1, rs2); }
constexpr std::uint32_t amomax_w(unsigned rd, unsigned rs1, unsigned rs2) { return amo(0x14, rd, rs1, rs2); }
constexpr std::uint32_t amominu_w(unsigned rd, unsigned rs1, unsigned rs2) { return amo(0x18, rd, rs1, rs2); }
constexpr std::uint32_t amomaxu_w(unsigned rd, unsigned rs1, unsigned rs2) { return amo(0x1c, rd, rs1, rs2); }

// Zicsr
constexpr std::uint32_t csrrw(unsigned rd, std::uint32_t csr, unsigned rs1) {
  return (csr << 20) | (rs1 << 15) | (1u << 12) | (rd << 7) | 0x73;
}
constexpr std::uint32_t csrrs(unsigned rd, std::uint32_t csr, unsigned rs1) {
  return (csr << 20) | (rs1 << 15) | (2u << 12) | (rd << 7) | 0x73;
}
constexpr std::uint32_t csrrc(unsigned rd, std::uint32_t csr, unsigned rs1) {
  return (csr << 20) | (rs1 << 15) | (3u << 12) | (rd << 7) | 0x73;
}
constexpr std::uint32_t csrrwi(unsigned rd, std::uint32_t csr, unsigned uimm) {
  return (csr << 20) | (uimm << 15) | (5u << 12) | (rd << 7) | 0x73;
}
constexpr std::uint32_t csrrsi(unsigned rd, std::uint32_t csr, unsigned uimm) {
  return (csr << 20) | (uimm << 15) | (6u << 12) | (rd << 7) | 0x73;
}
constexpr std::uint32_t csrrci(unsigned rd, std::uint32_t csr, unsigned uimm) {
  return (csr << 20) | (uimm << 15) | (7u << 12) | (rd << 7) | 0x73;
}
constexpr std::uint32_t csrr(unsigned rd, std::uint32_t csr) { return csrrs(rd, csr, zero); }
constexpr std::uint32_t csrw(std::uint32_t csr, unsigned rs1) { return csrrw(zero, csr, rs1); }

namespace csr {
enum : std::uint32_t {
  mstatus = 0x300,
  misa = 0x301,
  mie = 0x304,
  mtvec = 0x305,
  mstatush = 0x310,
  mcountinhibit = 0x320,
  mscratch = 0x340,
  mepc = 0x341,
  mcause = 0x342,
  mtval = 0x343,
  mip = 0x344,
  pmpcfg0 = 0x3a0,
  pmpaddr0 = 0x3b0,
  mcycle = 0xb00,
  minstret = 0xb02,
  mcycleh = 0xb80,
  minstreth = 0xb82,
  cycle = 0xc00,
  time = 0xc01,
  instret = 0xc02,
  cycleh = 0xc80,
  timeh = 0xc81,
  instreth = 0xc82,
  mvendorid = 0xf11,
  marchid = 0xf12,
  mimpid = 0xf13,
  mhartid = 0xf14,
  mconfigptr = 0xf15,
};
}

// --- compressed (rd', rs1', rs2' are x8..x15) ---
constexpr unsigned cr(unsigned r) { return r - 8; }
constexpr std::uint16_t c_addi4spn(unsigned rd, std::uint32_t uimm) {
  return static_cast<std::uint16_t>((((uimm >> 4) & 3) << 11) | (((uimm >> 6) & 0xf) << 7) |
                                    (((uimm >> 2) & 1) << 6) | (((uimm >> 3) & 1) << 5) | (cr(rd) << 2));
}
constexpr std::uint16_t c_lw(unsigned rd, unsigned rs1, std::uint32_t uimm) {
  return static_cast<std::uint16_t>((2u << 13) | (((uimm >> 3) & 7) << 10) | (cr(rs1) << 7) |
                                    (((uimm >> 2) & 1) << 6) | (((uimm >> 6) & 1) << 5) | (cr(rd) << 2));
}
constexpr std::uint16_t c_sw(unsigned rs2, unsigned rs1, std::uint32_t uimm) {
  return static_cast<std::uint16_t>((6u << 13) | (((uimm >> 3) & 7) << 10) | (cr(rs1) << 7) |
                                    (((uimm >> 2) & 1) << 6) | (((uimm >> 6) & 1) << 5) | (cr(rs2) << 2));
}
constexpr std::uint16_t ci(std::uint32_t f3, unsigned rd, std::int32_t imm6, std::uint32_t op) {
  const auto u = static_cast<std::uint32_t>(imm6);
  return static_cast<std::uint16_t>((f3 << 13) | (((u >> 5) & 1) << 12) | (rd << 7) | ((u & 0x1f) << 2) | op);
}
constexpr std::uint16_t c_nop() { return ci(0, 0, 0, 1); }
constexpr std::uint16_t c_addi(unsigned rd, std::int32_t imm) { return ci(0, rd, imm, 1); }
constexpr std::uint16_t c_li(unsigned rd, std::int32_t imm) { return ci(2, rd, imm, 1); }
constexpr std::uint16_t c_lui(unsigned rd, std::int32_t imm6) {
  return ci(3, rd, imm6, 1);
}  // rd = imm6 << 12
constexpr std::uint16_t c_addi16sp(std::int32_t imm) {
  const auto u = static_cast<std::uint32_t>(imm);
  return static_cast<std::uint16_t>((3u << 13) | (((u >> 9) & 1) << 12) | (2u << 7) | (((u >> 4) & 1) << 6) |
                                    (((u >> 6) & 1) << 5) | (((u >> 7) & 3) << 3) | (((u >> 5) & 1) << 2) |
                                    1);
}
constexpr std::uint16_t c_srli(unsigned rd, unsigned sh) {
  return static_cast<std::uint16_t>((4u << 13) | (((sh >> 5) & 1) << 12) | (0u << 10) | (cr(rd) << 7) |
                                    ((sh & 0x1f) << 2) | 1);
}
constexpr std::uint16_t c_srai(unsigned rd, unsigned sh) {
  return static_cast<std::uint16_t>((4u << 13) | (((sh >> 5) & 1) << 12) | (1u << 10) | (cr(rd) << 7) |
                                    ((sh & 0x1f) << 2) | 1);
}
constexpr std::uint16_t c_andi(unsigned rd, std::int32_t imm) {
  const auto u = static_cast<std::uint32_t>(imm);
  return static_cast<std::uint16_t>((4u << 13) | (((u >> 5) & 1) << 12) | (2u << 10) | (cr(rd) << 7) |
                                    ((u & 0x1f) << 2) | 1);
}
constexpr std::uint16_t c_arith(std::uint32_t f2, unsigned rd, unsigned rs2) {
  return static_cast<std::uint16_t>((4u << 13) | (3u << 10) | (cr(rd) << 7) | (f2 << 5) | (cr(rs2) << 2) | 1);
}
constexpr std::uint16_t c_sub(unsigned rd, unsigned rs2) { return c_arith(0, rd, rs2); }
constexpr std::uint16_t c_xor(unsigned rd, unsigned rs2) { return c_arith(1, rd, rs2); }
constexpr std::uint16_t c_or(unsigned rd, unsigned rs2) { return c_arith(2, rd, rs2); }
constexpr std::uint16_t c_and(unsigned rd, unsigned rs2) { return c_arith(3, rd, rs2); }
constexpr std::uint16_t cj(std::uint32_t f3, std::int32_t offset) {
  const auto u = static_cast<std::uint32_t>(offset);
  return static_cast<std::uint16_t>((f3 << 13) | (((u >> 11) & 1) << 12) | (((u >> 4) & 1) << 11) |
                                    (((u >> 8) & 3) << 9) | (((u >> 10) & 1) << 8) | (((u >> 6) & 1) << 7) |
                                    (((u >> 7) & 1) << 6) | (((u >> 1) & 7) << 3) | (((u >> 5) & 1) << 2) |
                                    1);
}
constexpr std::uint16_t c_jal(std::int32_t offset) { return cj(1, offset); }
constexpr std::uint16_t c_j(std::int32_t offset) { return cj(5, offset); }
constexpr std::uint16_t cb(std::uint32_t f3, unsigned rs1, std::int32_t offset) {
  const auto u = static_cast<std::uint32_t>(offset);
  return static_cast<std::uint16_t>((f3 << 13) | (((u >> 8) & 1) << 12) | (((u >> 3) & 3) << 10) |
                                    (cr(rs1) << 7) | (((u >> 6) & 3) << 5) | (((u >> 1) & 3) << 3) |
                                    (((u >> 5) & 1) << 2) | 1);
}
constexpr std::uint16_t c_beqz(unsigned rs1, std::int32_t offset) { return cb(6, rs1, offset); }
constexpr std::uint16_t c_bnez(unsigned rs1, std::int32_t offset) { return cb(7, rs1, offset); }
constexpr std::uint16_t c_slli(unsigned rd, unsigned sh) {
  return static_cast<std::uint16_t>((((sh >> 5) & 1) << 12) | (rd << 7) | ((sh & 0x1f) << 2) | 2);
}
constexpr std::uint16_t c_lwsp(unsigned rd, std::uint32_t uimm) {
  return static_cast<std::uint16_t>((2u << 13) | (((uimm >> 5) & 1) << 12) | (rd << 7) |
                                    (((uimm >> 2) & 7) << 4) | (((uimm >> 6) & 3) << 2) | 2);
}
constexpr std::uint16_t c_swsp(unsigned rs2, std::uint32_t uimm) {
  return static_cast<std::uint16_t>((6u << 13) | (((uimm >> 2) & 0xf) << 9) | (((uimm >> 6) & 3) << 7) |
                                    (rs2 << 2) | 2);
}
constexpr std::uint16_t c_jr(unsigned rs1) { return static_cast<std::uint16_t>((4u << 13) | (rs1 << 7) | 2); }
constexpr std::uint16_t c_mv(unsigned rd, unsigned rs2) {
  return static_cast<std::uint16_t>((4u << 13) | (rd << 7) | (rs2 << 2) | 2);
}
constexpr std::uint16_t c_ebreak() { return 0x9002; }
constexpr std::uint16_t c_jalr(unsigned rs1) {
  return static_cast<std::uint16_t>((4u << 13) | (1u << 12) | (rs1 << 7) | 2);
}
constexpr std::uint16_t c_add(unsigned rd, unsigned rs2) {
  return static_cast<std::uint16_t>((4u << 13) | (1u << 12) | (rd << 7) | (rs2 << 2) | 2);
}

// A program at a fixed base address, built instruction by instruction. Labels can be used before
// they are bound; finish() resolves them.
class program {
 public:
  explicit program(std::uint32_t base = 0x80000000u) : m_base(base) {}

  std::uint32_t base() const { return m_base; }
  std::uint32_t here() const { return m_base + static_cast<std::uint32_t>(m_bytes.size()); }
  const std::vector<std::uint8_t>& bytes() const { return m_bytes; }

  program& emit(std::uint32_t insn) {
    for (int i = 0; i < 4; ++i) m_bytes.push_back(static_cast<std::uint8_t>(insn >> (8 * i)));
    return *this;
  }
  program& c(std::uint16_t insn) {
    m_bytes.push_back(static_cast<std::uint8_t>(insn));
    m_bytes.push_back(static_cast<std::uint8_t>(insn >> 8));
    return *this;
  }
  program& word(std::uint32_t value) { return emit(value); }
  program& align(unsigned n) {
    while (m_bytes.size() % n) m_bytes.push_back(0);
    return *this;
  }
  program& space(std::size_t n) {
    m_bytes.resize(m_bytes.size() + n, 0);
    return *this;
  }
  program& at(std::uint32_t address) {  // continue at a higher address (zero fill)
    if (address < here()) throw std::logic_error("program::at goes backwards");
    m_bytes.resize(address - m_base, 0);
    return *this;
  }

  program& label(const std::string& name) {
    if (!m_labels.emplace(name, here()).second) throw std::logic_error("label bound twice: " + name);
    return *this;
  }
  std::uint32_t address_of(const std::string& name) const {
    const auto it = m_labels.find(name);
    if (it == m_labels.end()) throw std::logic_error("unbound label " + name);
    return it->second;
  }

  // li: lui + addi (always two instructions, so sizes do not depend on the value).
  program& li(unsigned rd, std::uint32_t value) {
    const std::uint32_t hi = (value + 0x800) >> 12;
    emit(lui(rd, hi));
    return emit(addi(rd, rd, static_cast<std::int32_t>(value << 20) >> 20));
  }
  program& la(unsigned rd, const std::string& name) {
    m_fixups.push_back({here(), kind::abs, name});
    emit(lui(rd, 0));
    return emit(addi(rd, rd, 0));
  }

  // Branches and jumps to labels.
  program& b(std::uint32_t (*encoder)(unsigned, unsigned, std::int32_t), unsigned rs1, unsigned rs2,
             const std::string& name) {
    m_fixups.push_back({here(), kind::branch, name});
    return emit(encoder(rs1, rs2, 0));
  }
  program& beq(unsigned rs1, unsigned rs2, const std::string& l) { return b(rvasm::beq, rs1, rs2, l); }
  program& bne(unsigned rs1, unsigned rs2, const std::string& l) { return b(rvasm::bne, rs1, rs2, l); }
  program& blt(unsigned rs1, unsigned rs2, const std::string& l) { return b(rvasm::blt, rs1, rs2, l); }
  program& bge(unsigned rs1, unsigned rs2, const std::string& l) { return b(rvasm::bge, rs1, rs2, l); }
  program& bltu(unsigned rs1, unsigned rs2, const std::string& l) { return b(rvasm::bltu, rs1, rs2, l); }
  program& bgeu(unsigned rs1, unsigned rs2, const std::string& l) { return b(rvasm::bgeu, rs1, rs2, l); }
  program& jal(unsigned rd, const std::string& name) {
    m_fixups.push_back({here(), kind::jump, name});
    return emit(rvasm::jal(rd, 0));
  }
  program& j(const std::string& name) { return jal(zero, name); }
  program& call(const std::string& name) { return jal(ra, name); }
  program& c_j(const std::string& name) {
    m_fixups.push_back({here(), kind::cjump, name});
    return c(rvasm::c_j(0));
  }
  program& c_jal(const std::string& name) {
    m_fixups.push_back({here(), kind::cjal, name});
    return c(rvasm::c_jal(0));
  }
  program& c_beqz(unsigned rs1, const std::string& name) {
    m_fixups.push_back({here(), kind::cbeqz, name, rs1});
    return c(rvasm::c_beqz(rs1, 0));
  }
  program& c_bnez(unsigned rs1, const std::string& name) {
    m_fixups.push_back({here(), kind::cbnez, name, rs1});
    return c(rvasm::c_bnez(rs1, 0));
  }

  // Resolves every label use; returns the bytes.
  const std::vector<std::uint8_t>& finish() {
    for (const fixup& f : m_fixups) {
      const std::uint32_t target = address_of(f.label);
      const auto offset = static_cast<std::int32_t>(target - f.at);
      const std::size_t pos = f.at - m_base;
      const auto reach = [&](std::int32_t limit) {
        if (offset < -limit || offset >= limit || (offset & 1))
          throw std::logic_error("label " + f.label + " out of reach");
      };
      static constexpr std::int32_t ranges[] = {1 << 12, 1 << 20, 0x7fffffff, 1 << 11,
                                                1 << 11, 1 << 8,  1 << 8};
      if (f.what != kind::abs) reach(ranges[static_cast<int>(f.what)]);
      std::uint32_t insn = read32(pos);
      switch (f.what) {
        case kind::branch:
          insn = (insn & 0x01fff07fu) | (b_type(offset, 0, 0, 0) & ~0x01fff07fu & ~0x7fu);
          write32(pos, insn);
          break;
        case kind::jump:
          write32(pos, (insn & 0xfffu) | (j_type(offset, 0) & ~0xfffu));
          break;
        case kind::abs: {
          const std::uint32_t hi = (target + 0x800) >> 12;
          write32(pos, (insn & 0xfffu) | (hi << 12));
          const std::uint32_t second = read32(pos + 4);
          write32(pos + 4, (second & 0xfffffu) | (target << 20));
          break;
        }
        case kind::cjump:
          write16(pos, rvasm::c_j(offset));
          break;
        case kind::cjal:
          write16(pos, rvasm::c_jal(offset));
          break;
        case kind::cbeqz:
          write16(pos, rvasm::c_beqz(f.reg, offset));
          break;
        case kind::cbnez:
          write16(pos, rvasm::c_bnez(f.reg, offset));
          break;
      }
    }
    m_fixups.clear();
    return m_bytes;
  }

 private:
  enum class kind { branch, jump, abs, cjump, cjal, cbeqz, cbnez };
  struct fixup {
    std::uint32_t at;
    kind what;
    std::string label;
    unsigned reg = 0;
  };
  std::uint32_t read32(std::size_t pos) const {
    return m_bytes[pos] | (m_bytes[pos + 1] << 8) | (m_bytes[pos + 2] << 16) |
           (static_cast<std::uint32_t>(m_bytes[pos + 3]) << 24);
  }
  void write32(std::size_t pos, std::uint32_t v) {
    for (int i = 0; i < 4; ++i) m_bytes[pos + i] = static_cast<std::uint8_t>(v >> (8 * i));
  }
  void write16(std::size_t pos, std::uint16_t v) {
    m_bytes[pos] = static_cast<std::uint8_t>(v);
    m_bytes[pos + 1] = static_cast<std::uint8_t>(v >> 8);
  }

  std::uint32_t m_base;
  std::vector<std::uint8_t> m_bytes;
  std::map<std::string, std::uint32_t> m_labels;
  std::vector<fixup> m_fixups;
};

}  // namespace rvasm
