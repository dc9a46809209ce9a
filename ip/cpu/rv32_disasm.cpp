#include "ip/cpu/rv32_disasm.h"

#include <cstdio>

#include "ip/cpu/rv32_fields.h"

namespace nvr::cpu {

namespace {

using fields::bits;
using fields::sign_extend;

const char* const abi_names[32] = {"zero", "ra", "sp", "gp", "tp",  "t0",  "t1", "t2", "s0", "s1", "a0",
                                   "a1",   "a2", "a3", "a4", "a5",  "a6",  "a7", "s2", "s3", "s4", "s5",
                                   "s6",   "s7", "s8", "s9", "s10", "s11", "t3", "t4", "t5", "t6"};

std::string hex(std::uint32_t value) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "0x%x", value);
  return buffer;
}

std::string address(std::uint32_t value) {
  char buffer[16];
  std::snprintf(buffer, sizeof buffer, "%x", value);
  return buffer;
}

// Builds the text and the written registers of one instruction.
class builder {
 public:
  explicit builder(disassembly& out) : m_out(out) {}

  // mnemonic followed by comma-separated operands.
  template <typename... Operands>
  void emit(const char* mnemonic, const Operands&... operands) {
    m_out.text = mnemonic;
    bool first = true;
    ((m_out.text += (first ? " " : ","), m_out.text += to_text(operands), first = false), ...);
  }
  void writes(unsigned rd) {
    if (rd != 0) m_out.rd = static_cast<int>(rd);
  }

  struct reg {
    unsigned index;
  };
  struct mem {  // offset(base)
    std::int32_t offset;
    unsigned base;
  };

 private:
  static std::string to_text(const reg& r) { return abi_names[r.index & 31]; }
  static std::string to_text(const mem& m) {
    return std::to_string(m.offset) + "(" + abi_names[m.base & 31] + ")";
  }
  static std::string to_text(const std::string& s) { return s; }
  static std::string to_text(const char* s) { return s; }
  static std::string to_text(std::int32_t v) { return std::to_string(v); }

  disassembly& m_out;
};

using reg = builder::reg;
using mem = builder::mem;

std::string unknown(std::uint32_t raw, unsigned length) {
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, ".insn %u, 0x%0*x", length, length * 2, raw);
  return buffer;
}

void branch(builder& b, unsigned funct3, unsigned rs1, unsigned rs2, std::uint32_t target) {
  static const char* const names[8] = {"beq", "bne", nullptr, nullptr, "blt", "bge", "bltu", "bgeu"};
  const std::string to = address(target);
  if (rs2 == 0 && funct3 == 0) return b.emit("beqz", reg{rs1}, to);
  if (rs2 == 0 && funct3 == 1) return b.emit("bnez", reg{rs1}, to);
  if (rs2 == 0 && funct3 == 4) return b.emit("bltz", reg{rs1}, to);
  if (rs2 == 0 && funct3 == 5) return b.emit("bgez", reg{rs1}, to);
  if (rs1 == 0 && funct3 == 4) return b.emit("bgtz", reg{rs2}, to);
  if (rs1 == 0 && funct3 == 5) return b.emit("blez", reg{rs2}, to);
  b.emit(names[funct3], reg{rs1}, reg{rs2}, to);
}

void jal(builder& b, unsigned rd, std::uint32_t target) {
  b.writes(rd);
  if (rd == 0) return b.emit("j", address(target));
  if (rd == 1) return b.emit("jal", address(target));
  b.emit("jal", reg{rd}, address(target));
}

void jalr(builder& b, unsigned rd, unsigned rs1, std::int32_t offset) {
  b.writes(rd);
  if (rd == 0 && rs1 == 1 && offset == 0) return b.emit("ret");
  if (rd == 0 && offset == 0) return b.emit("jr", reg{rs1});
  if (rd == 1 && offset == 0) return b.emit("jalr", reg{rs1});
  if (rd == 0) return b.emit("jr", mem{offset, rs1});
  if (rd == 1) return b.emit("jalr", mem{offset, rs1});
  b.emit("jalr", reg{rd}, mem{offset, rs1});
}

void addi(builder& b, unsigned rd, unsigned rs1, std::int32_t imm) {
  b.writes(rd);
  if (rd == 0 && rs1 == 0 && imm == 0) return b.emit("nop");
  if (rs1 == 0) return b.emit("li", reg{rd}, imm);
  if (imm == 0) return b.emit("mv", reg{rd}, reg{rs1});
  b.emit("addi", reg{rd}, reg{rs1}, imm);
}

void op(builder& b, const char* name, unsigned rd, unsigned rs1, unsigned rs2) {
  b.writes(rd);
  b.emit(name, reg{rd}, reg{rs1}, reg{rs2});
}

void csr_op(builder& b, disassembly& out, std::uint32_t raw) {
  const unsigned rd = bits(raw, 11, 7), rs1 = bits(raw, 19, 15), funct3 = bits(raw, 14, 12);
  const std::uint32_t csr = bits(raw, 31, 20);
  const std::string name = csr_name(csr);
  const unsigned kind = funct3 & 3;  // 1 write, 2 set, 3 clear
  const bool immediate = (funct3 & 4) != 0;
  out.csr = static_cast<int>(csr);
  out.csr_written = kind == 1 || rs1 != 0;
  if (out.csr_written && (csr >> 10) == 3) {  // a write to a read-only CSR: illegal, as objdump says
    out.csr = -1;
    out.csr_written = false;
    out.text = unknown(raw, 4);
    return;
  }
  b.writes(rd);
  if (!immediate && kind == 2 && rs1 == 0) {
    // Counter reads have their own aliases.
    static const struct {
      std::uint32_t csr;
      const char* alias;
    } counters[] = {{0xc00, "rdcycle"},  {0xc01, "rdtime"},  {0xc02, "rdinstret"},
                    {0xc80, "rdcycleh"}, {0xc81, "rdtimeh"}, {0xc82, "rdinstreth"}};
    for (const auto& c : counters)
      if (c.csr == csr) return b.emit(c.alias, reg{rd});
    return b.emit("csrr", reg{rd}, name);
  }
  static const char* const full[8] = {nullptr, "csrrw",  "csrrs",  "csrrc",
                                      nullptr, "csrrwi", "csrrsi", "csrrci"};
  static const char* const short_form[8] = {nullptr, "csrw",  "csrs",  "csrc",
                                            nullptr, "csrwi", "csrsi", "csrci"};
  const std::string source = immediate ? std::to_string(rs1) : std::string(abi_names[rs1]);
  if (rd == 0) return b.emit(short_form[funct3], name, source);
  b.emit(full[funct3], reg{rd}, name, source);
}

void amo(builder& b, std::uint32_t raw) {
  const unsigned rd = bits(raw, 11, 7), rs1 = bits(raw, 19, 15), rs2 = bits(raw, 24, 20);
  const unsigned funct5 = bits(raw, 31, 27);
  const char* suffix = bits(raw, 26, 25) == 3 ? ".aqrl"
                       : bits(raw, 26, 26)    ? ".aq"
                       : bits(raw, 25, 25)    ? ".rl"
                                              : "";
  const std::string base = "(" + std::string(abi_names[rs1]) + ")";
  const char* name = nullptr;
  switch (funct5) {
    case 0x02:
      b.writes(rd);
      return b.emit((std::string("lr.w") + suffix).c_str(), reg{rd}, base);
    case 0x03:
      b.writes(rd);
      return b.emit((std::string("sc.w") + suffix).c_str(), reg{rd}, reg{rs2}, base);
    case 0x00:
      name = "amoadd.w";
      break;
    case 0x01:
      name = "amoswap.w";
      break;
    case 0x04:
      name = "amoxor.w";
      break;
    case 0x08:
      name = "amoor.w";
      break;
    case 0x0c:
      name = "amoand.w";
      break;
    case 0x10:
      name = "amomin.w";
      break;
    case 0x14:
      name = "amomax.w";
      break;
    case 0x18:
      name = "amominu.w";
      break;
    case 0x1c:
      name = "amomaxu.w";
      break;
  }
  b.writes(rd);
  b.emit((std::string(name) + suffix).c_str(), reg{rd}, reg{rs2}, base);
}

std::string fence_set(unsigned set) {
  std::string text;
  if (set & 8) text += 'i';
  if (set & 4) text += 'o';
  if (set & 2) text += 'r';
  if (set & 1) text += 'w';
  return text.empty() ? "0" : text;
}

bool disassemble32(std::uint32_t raw, std::uint32_t pc, disassembly& out) {
  builder b(out);
  const unsigned rd = bits(raw, 11, 7), rs1 = bits(raw, 19, 15), rs2 = bits(raw, 24, 20);
  const unsigned funct3 = bits(raw, 14, 12), funct7 = bits(raw, 31, 25);
  const std::int32_t imm_i = fields::imm_i(raw);
  const std::int32_t imm_s = fields::imm_s(raw);
  const std::int32_t imm_b = fields::imm_b(raw);
  const std::int32_t imm_j = fields::imm_j(raw);
  switch (bits(raw, 6, 0)) {
    case 0x37:
      b.writes(rd);
      b.emit("lui", reg{rd}, hex(raw >> 12));
      return true;
    case 0x17:
      b.writes(rd);
      b.emit("auipc", reg{rd}, hex(raw >> 12));
      return true;
    case 0x6f:
      jal(b, rd, pc + static_cast<std::uint32_t>(imm_j));
      return true;
    case 0x67:
      if (funct3 != 0) return false;
      jalr(b, rd, rs1, imm_i);
      return true;
    case 0x63:
      if (funct3 == 2 || funct3 == 3) return false;
      branch(b, funct3, rs1, rs2, pc + static_cast<std::uint32_t>(imm_b));
      return true;
    case 0x03: {
      static const char* const names[8] = {"lb", "lh", "lw", nullptr, "lbu", "lhu", nullptr, nullptr};
      if (names[funct3] == nullptr) return false;
      b.writes(rd);
      b.emit(names[funct3], reg{rd}, mem{imm_i, rs1});
      return true;
    }
    case 0x23: {
      static const char* const names[8] = {"sb", "sh", "sw", nullptr, nullptr, nullptr, nullptr, nullptr};
      if (names[funct3] == nullptr) return false;
      b.emit(names[funct3], reg{rs2}, mem{imm_s, rs1});
      return true;
    }
    case 0x13:
      b.writes(rd);
      switch (funct3) {
        case 0:
          addi(b, rd, rs1, imm_i);
          return true;
        case 2:
          b.emit("slti", reg{rd}, reg{rs1}, imm_i);
          return true;
        case 3:
          if (imm_i == 1)
            b.emit("seqz", reg{rd}, reg{rs1});
          else
            b.emit("sltiu", reg{rd}, reg{rs1}, imm_i);
          return true;
        case 4:
          if (imm_i == -1)
            b.emit("not", reg{rd}, reg{rs1});
          else
            b.emit("xori", reg{rd}, reg{rs1}, imm_i);
          return true;
        case 6:
          b.emit("ori", reg{rd}, reg{rs1}, imm_i);
          return true;
        case 7:
          b.emit("andi", reg{rd}, reg{rs1}, imm_i);
          return true;
        case 1:
          if (funct7 != 0) return false;
          b.emit("slli", reg{rd}, reg{rs1}, hex(rs2));
          return true;
        case 5:
          if (funct7 == 0) {
            b.emit("srli", reg{rd}, reg{rs1}, hex(rs2));
            return true;
          }
          if (funct7 == 0x20) {
            b.emit("srai", reg{rd}, reg{rs1}, hex(rs2));
            return true;
          }
          return false;
      }
      return false;
    case 0x33:
      if (funct7 == 0) {
        if (funct3 == 3 && rs1 == 0) {
          b.writes(rd);
          b.emit("snez", reg{rd}, reg{rs2});
          return true;
        }
        if (funct3 == 2 && rs2 == 0) {
          b.writes(rd);
          b.emit("sltz", reg{rd}, reg{rs1});
          return true;
        }
        if (funct3 == 2 && rs1 == 0) {
          b.writes(rd);
          b.emit("sgtz", reg{rd}, reg{rs2});
          return true;
        }
        static const char* const names[8] = {"add", "sll", "slt", "sltu", "xor", "srl", "or", "and"};
        op(b, names[funct3], rd, rs1, rs2);
        return true;
      }
      if (funct7 == 1) {
        static const char* const names[8] = {"mul", "mulh", "mulhsu", "mulhu", "div", "divu", "rem", "remu"};
        op(b, names[funct3], rd, rs1, rs2);
        return true;
      }
      if (funct7 == 0x20 && funct3 == 0) {
        if (rs1 == 0) {
          b.writes(rd);
          b.emit("neg", reg{rd}, reg{rs2});
        } else {
          op(b, "sub", rd, rs1, rs2);
        }
        return true;
      }
      if (funct7 == 0x20 && funct3 == 5) {
        op(b, "sra", rd, rs1, rs2);
        return true;
      }
      return false;
    case 0x0f:
      if (funct3 == 1) {
        b.emit("fence.i");
        return true;
      }
      if (funct3 != 0) return false;
      if (bits(raw, 31, 28) == 8 && bits(raw, 27, 20) == 0x33) {
        b.emit("fence.tso");
      } else if (bits(raw, 27, 20) == 0xff) {
        b.emit("fence");
      } else {
        b.emit("fence", fence_set(bits(raw, 27, 24)), fence_set(bits(raw, 23, 20)));
      }
      return true;
    case 0x73:
      if (funct3 == 0) {
        switch (raw) {
          case 0x00000073:
            b.emit("ecall");
            return true;
          case 0x00100073:
            b.emit("ebreak");
            return true;
          case 0x30200073:
            b.emit("mret");
            return true;
          case 0x10500073:
            b.emit("wfi");
            return true;
        }
        return false;
      }
      if (funct3 == 4) return false;
      csr_op(b, out, raw);
      return true;
    case 0x2f:
      if (funct3 != 2) return false;
      switch (bits(raw, 31, 27)) {
        case 0x02:
          if (rs2 != 0) return false;
          [[fallthrough]];
        case 0x03:
        case 0x00:
        case 0x01:
        case 0x04:
        case 0x08:
        case 0x0c:
        case 0x10:
        case 0x14:
        case 0x18:
        case 0x1c:
          amo(b, raw);
          return true;
      }
      return false;
  }
  return false;
}

bool disassemble16(std::uint32_t raw, std::uint32_t pc, disassembly& out) {
  builder b(out);
  const unsigned funct3 = bits(raw, 15, 13);
  const unsigned rd = bits(raw, 11, 7);
  const unsigned rs2 = bits(raw, 6, 2);
  const unsigned rd_p = 8 + bits(raw, 4, 2);
  const unsigned rs1_p = 8 + bits(raw, 9, 7);
  const std::int32_t imm6 = sign_extend((bits(raw, 12, 12) << 5) | bits(raw, 6, 2), 6);
  const std::uint32_t uimm6 = (bits(raw, 12, 12) << 5) | bits(raw, 6, 2);
  const auto cj_offset = [&] {
    const std::uint32_t imm = (bits(raw, 12, 12) << 11) | (bits(raw, 11, 11) << 4) | (bits(raw, 10, 9) << 8) |
                              (bits(raw, 8, 8) << 10) | (bits(raw, 7, 7) << 6) | (bits(raw, 6, 6) << 7) |
                              (bits(raw, 5, 3) << 1) | (bits(raw, 2, 2) << 5);
    return pc + static_cast<std::uint32_t>(sign_extend(imm, 12));
  };

  switch (bits(raw, 1, 0)) {
    case 0:
      switch (funct3) {
        case 0: {
          const std::uint32_t imm = (bits(raw, 12, 11) << 4) | (bits(raw, 10, 7) << 6) |
                                    (bits(raw, 6, 6) << 2) | (bits(raw, 5, 5) << 3);
          if (imm == 0) return false;
          addi(b, rd_p, 2, static_cast<std::int32_t>(imm));
          return true;
        }
        case 2:
        case 6: {
          const std::int32_t imm = static_cast<std::int32_t>((bits(raw, 12, 10) << 3) |
                                                             (bits(raw, 6, 6) << 2) | (bits(raw, 5, 5) << 6));
          if (funct3 == 2) {
            b.writes(rd_p);
            b.emit("lw", reg{rd_p}, mem{imm, rs1_p});
          } else {
            b.emit("sw", reg{rd_p}, mem{imm, rs1_p});
          }
          return true;
        }
      }
      return false;
    case 1:
      switch (funct3) {
        case 0:
          if (rd == 0 && imm6 == 0) {
            b.emit("nop");
            return true;
          }
          b.writes(rd);
          b.emit("addi", reg{rd}, reg{rd}, imm6);
          return true;
        case 1:
          jal(b, 1, cj_offset());
          return true;
        case 2:
          b.writes(rd);
          b.emit("li", reg{rd}, imm6);
          return true;
        case 3:
          if (rd == 2) {
            const std::uint32_t imm = (bits(raw, 12, 12) << 9) | (bits(raw, 6, 6) << 4) |
                                      (bits(raw, 5, 5) << 6) | (bits(raw, 4, 3) << 7) |
                                      (bits(raw, 2, 2) << 5);
            if (imm == 0) return false;
            b.writes(2);
            b.emit("addi", reg{2}, reg{2}, sign_extend(imm, 10));
            return true;
          }
          if (uimm6 == 0) return false;
          b.writes(rd);
          b.emit("lui", reg{rd}, hex(static_cast<std::uint32_t>(imm6) & 0xfffffu));
          return true;
        case 4:
          switch (bits(raw, 11, 10)) {
            case 0:
            case 1:
              if (bits(raw, 12, 12)) return false;
              b.writes(rs1_p);
              b.emit(bits(raw, 11, 10) == 0 ? "srli" : "srai", reg{rs1_p}, reg{rs1_p}, hex(uimm6));
              return true;
            case 2:
              b.writes(rs1_p);
              b.emit("andi", reg{rs1_p}, reg{rs1_p}, imm6);
              return true;
            case 3: {
              if (bits(raw, 12, 12)) return false;
              static const char* const names[4] = {"sub", "xor", "or", "and"};
              op(b, names[bits(raw, 6, 5)], rs1_p, rs1_p, rd_p);
              return true;
            }
          }
          return false;
        case 5:
          jal(b, 0, cj_offset());
          return true;
        case 6:
        case 7: {
          const std::uint32_t imm = (bits(raw, 12, 12) << 8) | (bits(raw, 11, 10) << 3) |
                                    (bits(raw, 6, 5) << 6) | (bits(raw, 4, 3) << 1) | (bits(raw, 2, 2) << 5);
          branch(b, funct3 == 6 ? 0 : 1, rs1_p, 0, pc + static_cast<std::uint32_t>(sign_extend(imm, 9)));
          return true;
        }
      }
      return false;
    case 2:
      switch (funct3) {
        case 0:
          if (bits(raw, 12, 12)) return false;
          b.writes(rd);
          b.emit("slli", reg{rd}, reg{rd}, hex(uimm6));
          return true;
        case 2: {
          if (rd == 0) return false;
          const std::int32_t imm = static_cast<std::int32_t>((bits(raw, 12, 12) << 5) |
                                                             (bits(raw, 6, 4) << 2) | (bits(raw, 3, 2) << 6));
          b.writes(rd);
          b.emit("lw", reg{rd}, mem{imm, 2});
          return true;
        }
        case 4:
          if (bits(raw, 12, 12) == 0) {
            if (rs2 == 0) {
              if (rd == 0) return false;
              jalr(b, 0, rd, 0);
              return true;
            }
            b.writes(rd);
            b.emit("mv", reg{rd}, reg{rs2});
            return true;
          }
          if (rd == 0 && rs2 == 0) {
            b.emit("ebreak");
            return true;
          }
          if (rs2 == 0) {
            jalr(b, 1, rd, 0);
            return true;
          }
          op(b, "add", rd, rd, rs2);
          return true;
        case 6: {
          const std::int32_t imm =
              static_cast<std::int32_t>((bits(raw, 12, 9) << 2) | (bits(raw, 8, 7) << 6));
          b.emit("sw", reg{rs2}, mem{imm, 2});
          return true;
        }
      }
      return false;
  }
  return false;
}

}  // namespace

disassembly disassemble(std::uint32_t raw, std::uint32_t pc) {
  disassembly out;
  out.length = instruction_length(raw);
  if (out.length == 2) raw &= 0xffffu;
  const bool known = out.length == 2 ? disassemble16(raw, pc, out) : disassemble32(raw, pc, out);
  if (!known) {
    out = disassembly{};
    out.length = instruction_length(raw);
    out.text = unknown(raw, out.length);
  }
  return out;
}

const char* register_name(unsigned index) { return index < 32 ? abi_names[index] : "?"; }

std::string csr_name(std::uint32_t csr) {
  static const struct {
    std::uint32_t number;
    const char* name;
  } names[] = {
      {0x001, "fflags"},   {0x002, "frm"},      {0x003, "fcsr"},       {0x100, "sstatus"},
      {0x104, "sie"},      {0x105, "stvec"},    {0x106, "scounteren"}, {0x140, "sscratch"},
      {0x141, "sepc"},     {0x142, "scause"},   {0x143, "stval"},      {0x144, "sip"},
      {0x180, "satp"},     {0x300, "mstatus"},  {0x301, "misa"},       {0x302, "medeleg"},
      {0x303, "mideleg"},  {0x304, "mie"},      {0x305, "mtvec"},      {0x306, "mcounteren"},
      {0x30a, "menvcfg"},  {0x310, "mstatush"}, {0x31a, "menvcfgh"},   {0x320, "mcountinhibit"},
      {0x340, "mscratch"}, {0x341, "mepc"},     {0x342, "mcause"},     {0x343, "mtval"},
      {0x344, "mip"},      {0x34a, "mtinst"},   {0x34b, "mtval2"},     {0x747, "mseccfg"},
      {0x7a0, "tselect"},  {0x7a1, "tdata1"},   {0x7a2, "tdata2"},     {0x7a3, "tdata3"},
      {0x7b0, "dcsr"},     {0x7b1, "dpc"},      {0x7b2, "dscratch0"},  {0x7b3, "dscratch1"},
      {0xb00, "mcycle"},   {0xb02, "minstret"}, {0xb80, "mcycleh"},    {0xb82, "minstreth"},
      {0xc00, "cycle"},    {0xc01, "time"},     {0xc02, "instret"},    {0xc80, "cycleh"},
      {0xc81, "timeh"},    {0xc82, "instreth"}, {0xf11, "mvendorid"},  {0xf12, "marchid"},
      {0xf13, "mimpid"},   {0xf14, "mhartid"},  {0xf15, "mconfigptr"},
  };
  for (const auto& entry : names)
    if (entry.number == csr) return entry.name;
  char buffer[32];
  if (csr >= 0x3a0 && csr <= 0x3af) {
    std::snprintf(buffer, sizeof buffer, "pmpcfg%u", csr - 0x3a0);
  } else if (csr >= 0x3b0 && csr <= 0x3ef) {
    std::snprintf(buffer, sizeof buffer, "pmpaddr%u", csr - 0x3b0);
  } else if (csr >= 0x323 && csr <= 0x33f) {
    std::snprintf(buffer, sizeof buffer, "mhpmevent%u", csr - 0x320);
  } else if (csr >= 0xb03 && csr <= 0xb1f) {
    std::snprintf(buffer, sizeof buffer, "mhpmcounter%u", csr - 0xb00);
  } else if (csr >= 0xb83 && csr <= 0xb9f) {
    std::snprintf(buffer, sizeof buffer, "mhpmcounter%uh", csr - 0xb80);
  } else if (csr >= 0xc03 && csr <= 0xc1f) {
    std::snprintf(buffer, sizeof buffer, "hpmcounter%u", csr - 0xc00);
  } else if (csr >= 0xc83 && csr <= 0xc9f) {
    std::snprintf(buffer, sizeof buffer, "hpmcounter%uh", csr - 0xc80);
  } else {
    std::snprintf(buffer, sizeof buffer, "0x%x", csr);
  }
  return buffer;
}

}  // namespace nvr::cpu
