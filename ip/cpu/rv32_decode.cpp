// The RV32IMAC + Zicsr + Zifencei decoder: raw instruction bits to a predecoded insn.
#include "ip/cpu/rv32_fields.h"
#include "ip/cpu/rv32_isa.h"
#include "ip/cpu/timing.h"

namespace nvr::cpu::detail {

namespace {

using timing::op_class;

using fields::bits;
using fields::sign_extend;

constexpr std::uint8_t dest(std::uint32_t rd) {
  return rd == 0 ? sink_register : static_cast<std::uint8_t>(rd);
}

insn make(std::uint8_t operation, op_class cls, std::uint32_t rd, std::uint32_t rs1, std::uint32_t rs2,
          std::int32_t imm) {
  insn d;
  d.op = operation;
  d.rd = dest(rd);
  d.rs1 = static_cast<std::uint8_t>(rs1);
  d.rs2 = static_cast<std::uint8_t>(rs2);
  d.imm = imm;
  std::uint32_t cycles = timing::cycles_of(cls);
  if (cls == op_class::jump || cls == op_class::mret) cycles += timing::taken_penalty;
  d.tick = ticks(cycles) + 1;
  return d;
}

insn illegal(std::uint32_t raw) {
  return make(op_illegal, op_class::system, 0, 0, 0, static_cast<std::int32_t>(raw));
}

// A register-writing ALU operation; rd = x0 makes it a nop (no side effects to keep).
insn alu(std::uint8_t operation, std::uint32_t rd, std::uint32_t rs1, std::uint32_t rs2, std::int32_t imm) {
  if (rd == 0) return make(op_nop, op_class::alu, 0, 0, 0, 0);
  if (operation == op_addi && rs1 == 0) return make(op_li, op_class::alu, rd, 0, 0, imm);
  return make(operation,
              operation >= op_mul && operation <= op_mulhu  ? op_class::mul
              : operation >= op_div && operation <= op_remu ? op_class::div
                                                            : op_class::alu,
              rd, rs1, rs2, imm);
}

insn li(std::uint32_t rd, std::uint32_t value) {
  if (rd == 0) return make(op_nop, op_class::alu, 0, 0, 0, 0);
  return make(op_li, op_class::alu, rd, 0, 0, static_cast<std::int32_t>(value));
}

insn jal(std::uint32_t rd, std::uint32_t pc, std::int32_t offset) {
  return make(op_jal, op_class::jump, rd, 0, 0,
              static_cast<std::int32_t>(pc + static_cast<std::uint32_t>(offset)));
}

insn branch(std::uint8_t operation, std::uint32_t rs1, std::uint32_t rs2, std::uint32_t pc,
            std::int32_t offset) {
  return make(operation, op_class::branch, 0, rs1, rs2,
              static_cast<std::int32_t>(pc + static_cast<std::uint32_t>(offset)));
}

insn decode32(std::uint32_t raw, std::uint32_t pc) {
  const std::uint32_t rd = bits(raw, 11, 7);
  const std::uint32_t rs1 = bits(raw, 19, 15);
  const std::uint32_t rs2 = bits(raw, 24, 20);
  const std::uint32_t funct3 = bits(raw, 14, 12);
  const std::uint32_t funct7 = bits(raw, 31, 25);
  const std::int32_t imm_i = fields::imm_i(raw);
  const std::int32_t imm_s = fields::imm_s(raw);
  const std::int32_t imm_b = fields::imm_b(raw);
  const std::int32_t imm_j = fields::imm_j(raw);
  const std::uint32_t imm_u = fields::imm_u(raw);

  switch (bits(raw, 6, 0)) {
    case 0x37:  // lui
      return li(rd, imm_u);
    case 0x17:  // auipc: the pc is known at decode time
      return li(rd, pc + imm_u);
    case 0x6f:  // jal
      return jal(rd, pc, imm_j);
    case 0x67:  // jalr
      if (funct3 != 0) break;
      return make(op_jalr, op_class::jump, rd, rs1, 0, imm_i);
    case 0x63: {  // branches
      static constexpr std::uint8_t ops[8] = {op_beq, op_bne, op_illegal, op_illegal,
                                              op_blt, op_bge, op_bltu,    op_bgeu};
      if (ops[funct3] == op_illegal) break;
      return branch(ops[funct3], rs1, rs2, pc, imm_b);
    }
    case 0x03: {  // loads
      static constexpr std::uint8_t ops[8] = {op_lb,  op_lh,  op_lw,      op_illegal,
                                              op_lbu, op_lhu, op_illegal, op_illegal};
      if (ops[funct3] == op_illegal) break;
      return make(ops[funct3], op_class::load, rd, rs1, 0, imm_i);
    }
    case 0x23: {  // stores
      static constexpr std::uint8_t ops[8] = {op_sb,      op_sh,      op_sw,      op_illegal,
                                              op_illegal, op_illegal, op_illegal, op_illegal};
      if (ops[funct3] == op_illegal) break;
      return make(ops[funct3], op_class::store, 0, rs1, rs2, imm_s);
    }
    case 0x13:  // register-immediate
      switch (funct3) {
        case 0:
          return alu(op_addi, rd, rs1, 0, imm_i);
        case 2:
          return alu(op_slti, rd, rs1, 0, imm_i);
        case 3:
          return alu(op_sltiu, rd, rs1, 0, imm_i);
        case 4:
          return alu(op_xori, rd, rs1, 0, imm_i);
        case 6:
          return alu(op_ori, rd, rs1, 0, imm_i);
        case 7:
          return alu(op_andi, rd, rs1, 0, imm_i);
        case 1:
          if (funct7 != 0) break;  // includes shamt[5] = 1, reserved on RV32
          return alu(op_slli, rd, rs1, 0, static_cast<std::int32_t>(rs2));
        case 5:
          if (funct7 == 0) return alu(op_srli, rd, rs1, 0, static_cast<std::int32_t>(rs2));
          if (funct7 == 0x20) return alu(op_srai, rd, rs1, 0, static_cast<std::int32_t>(rs2));
          break;
      }
      break;
    case 0x33:  // register-register
      if (funct7 == 0) {
        static constexpr std::uint8_t ops[8] = {op_add, op_sll, op_slt, op_sltu,
                                                op_xor, op_srl, op_or,  op_and};
        return alu(ops[funct3], rd, rs1, rs2, 0);
      }
      if (funct7 == 1) {
        static constexpr std::uint8_t ops[8] = {op_mul, op_mulh, op_mulhsu, op_mulhu,
                                                op_div, op_divu, op_rem,    op_remu};
        return alu(ops[funct3], rd, rs1, rs2, 0);
      }
      if (funct7 == 0x20 && funct3 == 0) return alu(op_sub, rd, rs1, rs2, 0);
      if (funct7 == 0x20 && funct3 == 5) return alu(op_sra, rd, rs1, rs2, 0);
      break;
    case 0x0f:  // fence, fence.i (reserved fields are ignored, as the spec asks)
      if (funct3 == 0) return make(op_nop, op_class::fence, 0, 0, 0, 0);
      if (funct3 == 1) return make(op_fence_i, op_class::fence_i, 0, 0, 0, 0);
      break;
    case 0x73:  // system
      if (funct3 == 0) {
        switch (raw) {
          case 0x00000073:
            return make(op_ecall, op_class::system, 0, 0, 0, 0);
          case 0x00100073:
            return make(op_ebreak, op_class::system, 0, 0, 0, 0);
          case 0x30200073:
            return make(op_mret, op_class::mret, 0, 0, 0, 0);
          case 0x10500073:
            return make(op_wfi, op_class::wfi, 0, 0, 0, 0);
        }
        break;
      }
      if (funct3 == 4) break;
      {
        insn d = make(op_csr, op_class::csr, rd, rs1, 0, static_cast<std::int32_t>(bits(raw, 31, 20)));
        d.aux = static_cast<std::int16_t>(funct3);
        return d;
      }
    case 0x2f: {  // atomics (aq and rl need nothing in a single-hart model)
      if (funct3 != 2) break;
      const std::uint32_t funct5 = bits(raw, 31, 27);
      switch (funct5) {
        case 0x02:
          if (rs2 != 0) break;
          return make(op_lr, op_class::lr_sc, rd, rs1, 0, 0);
        case 0x03:
          return make(op_sc, op_class::lr_sc, rd, rs1, rs2, 0);
        case 0x00:
        case 0x01:
        case 0x04:
        case 0x08:
        case 0x0c:
        case 0x10:
        case 0x14:
        case 0x18:
        case 0x1c: {
          insn d = make(op_amo, op_class::amo, rd, rs1, rs2, 0);
          d.aux = static_cast<std::int16_t>(funct5);
          return d;
        }
      }
      break;
    }
  }
  return illegal(raw);
}

insn decode16(std::uint32_t raw, std::uint32_t pc) {
  const std::uint32_t funct3 = bits(raw, 15, 13);
  const std::uint32_t rd = bits(raw, 11, 7);  // also rs1 of the full-register forms
  const std::uint32_t rs2 = bits(raw, 6, 2);
  const std::uint32_t rd_p = 8 + bits(raw, 4, 2);   // rd' / rs2'
  const std::uint32_t rs1_p = 8 + bits(raw, 9, 7);  // rs1' / rd'
  const std::int32_t imm6 = sign_extend((bits(raw, 12, 12) << 5) | bits(raw, 6, 2), 6);
  const std::uint32_t uimm6 = (bits(raw, 12, 12) << 5) | bits(raw, 6, 2);

  switch (bits(raw, 1, 0)) {
    case 0:
      switch (funct3) {
        case 0: {  // c.addi4spn
          const std::uint32_t imm = (bits(raw, 12, 11) << 4) | (bits(raw, 10, 7) << 6) |
                                    (bits(raw, 6, 6) << 2) | (bits(raw, 5, 5) << 3);
          if (imm == 0) break;  // includes the all-zero parcel, defined illegal
          return alu(op_addi, rd_p, 2, 0, static_cast<std::int32_t>(imm));
        }
        case 2: {  // c.lw
          const std::uint32_t imm =
              (bits(raw, 12, 10) << 3) | (bits(raw, 6, 6) << 2) | (bits(raw, 5, 5) << 6);
          return make(op_lw, op_class::load, rd_p, rs1_p, 0, static_cast<std::int32_t>(imm));
        }
        case 6: {  // c.sw
          const std::uint32_t imm =
              (bits(raw, 12, 10) << 3) | (bits(raw, 6, 6) << 2) | (bits(raw, 5, 5) << 6);
          return make(op_sw, op_class::store, 0, rs1_p, rd_p, static_cast<std::int32_t>(imm));
        }
      }
      break;  // c.fld, c.flw, c.fsd, c.fsw (no F/D) and the reserved funct3 = 4
    case 1:
      switch (funct3) {
        case 0:  // c.addi (rd = x0: c.nop and hints)
          return alu(op_addi, rd, rd, 0, imm6);
        case 1: {  // c.jal (RV32)
          const std::uint32_t imm = (bits(raw, 12, 12) << 11) | (bits(raw, 11, 11) << 4) |
                                    (bits(raw, 10, 9) << 8) | (bits(raw, 8, 8) << 10) |
                                    (bits(raw, 7, 7) << 6) | (bits(raw, 6, 6) << 7) | (bits(raw, 5, 3) << 1) |
                                    (bits(raw, 2, 2) << 5);
          return jal(1, pc, sign_extend(imm, 12));
        }
        case 2:  // c.li
          return li(rd, static_cast<std::uint32_t>(imm6));
        case 3:
          if (rd == 2) {  // c.addi16sp
            const std::uint32_t imm = (bits(raw, 12, 12) << 9) | (bits(raw, 6, 6) << 4) |
                                      (bits(raw, 5, 5) << 6) | (bits(raw, 4, 3) << 7) |
                                      (bits(raw, 2, 2) << 5);
            if (imm == 0) break;
            return alu(op_addi, 2, 2, 0, sign_extend(imm, 10));
          }
          if (uimm6 == 0) break;  // c.lui with a zero immediate is reserved
          return li(rd, static_cast<std::uint32_t>(imm6) << 12);
        case 4:
          switch (bits(raw, 11, 10)) {
            case 0:                          // c.srli
              if (bits(raw, 12, 12)) break;  // shamt[5] = 1: reserved on RV32
              return alu(op_srli, rs1_p, rs1_p, 0, static_cast<std::int32_t>(uimm6));
            case 1:  // c.srai
              if (bits(raw, 12, 12)) break;
              return alu(op_srai, rs1_p, rs1_p, 0, static_cast<std::int32_t>(uimm6));
            case 2:  // c.andi
              return alu(op_andi, rs1_p, rs1_p, 0, imm6);
            case 3: {
              if (bits(raw, 12, 12)) break;  // c.subw, c.addw (RV64) and reserved
              static constexpr std::uint8_t ops[4] = {op_sub, op_xor, op_or, op_and};
              return alu(ops[bits(raw, 6, 5)], rs1_p, rs1_p, rd_p, 0);
            }
          }
          break;
        case 5: {  // c.j
          const std::uint32_t imm = (bits(raw, 12, 12) << 11) | (bits(raw, 11, 11) << 4) |
                                    (bits(raw, 10, 9) << 8) | (bits(raw, 8, 8) << 10) |
                                    (bits(raw, 7, 7) << 6) | (bits(raw, 6, 6) << 7) | (bits(raw, 5, 3) << 1) |
                                    (bits(raw, 2, 2) << 5);
          return jal(0, pc, sign_extend(imm, 12));
        }
        case 6:
        case 7: {  // c.beqz, c.bnez
          const std::uint32_t imm = (bits(raw, 12, 12) << 8) | (bits(raw, 11, 10) << 3) |
                                    (bits(raw, 6, 5) << 6) | (bits(raw, 4, 3) << 1) | (bits(raw, 2, 2) << 5);
          return branch(funct3 == 6 ? op_beq : op_bne, rs1_p, 0, pc, sign_extend(imm, 9));
        }
      }
      break;
    case 2:
      switch (funct3) {
        case 0:                          // c.slli
          if (bits(raw, 12, 12)) break;  // shamt[5] = 1: reserved on RV32
          return alu(op_slli, rd, rd, 0, static_cast<std::int32_t>(uimm6));
        case 2: {  // c.lwsp
          if (rd == 0) break;
          const std::uint32_t imm =
              (bits(raw, 12, 12) << 5) | (bits(raw, 6, 4) << 2) | (bits(raw, 3, 2) << 6);
          return make(op_lw, op_class::load, rd, 2, 0, static_cast<std::int32_t>(imm));
        }
        case 4:
          if (bits(raw, 12, 12) == 0) {
            if (rs2 == 0) {  // c.jr
              if (rd == 0) break;
              return make(op_jalr, op_class::jump, 0, rd, 0, 0);
            }
            return alu(op_add, rd, 0, rs2, 0);  // c.mv
          }
          if (rd == 0 && rs2 == 0) return make(op_ebreak, op_class::system, 0, 0, 0, 0);  // c.ebreak
          if (rs2 == 0) return make(op_jalr, op_class::jump, 1, rd, 0, 0);                // c.jalr
          return alu(op_add, rd, rd, rs2, 0);                                             // c.add
        case 6: {                                                                         // c.swsp
          const std::uint32_t imm = (bits(raw, 12, 9) << 2) | (bits(raw, 8, 7) << 6);
          return make(op_sw, op_class::store, 0, 2, rs2, static_cast<std::int32_t>(imm));
        }
      }
      break;  // c.fldsp, c.flwsp, c.fsdsp, c.fswsp (no F/D)
  }
  return illegal(raw);
}

}  // namespace

insn decode(std::uint32_t raw, std::uint32_t pc) {
  const bool compressed = (raw & 3) != 3;
  insn d = compressed ? decode16(raw & 0xffff, pc) : decode32(raw, pc);
  d.len = compressed ? 2 : 4;
  return d;
}

bool is_far_branch(std::uint8_t operation) {
  return (operation >= op_beq && operation <= op_bgeu) || operation == op_jal;
}

std::uint8_t local_form(std::uint8_t operation) {
  if (operation == op_jal) return op_jal_l;
  return static_cast<std::uint8_t>(operation - op_beq + op_beq_l);
}

}  // namespace nvr::cpu::detail
