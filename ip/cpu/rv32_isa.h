// Internals of the RV32IMAC model: the predecoded instruction format, the operation ids, the
// decoder, CSR numbers and trap causes. Not part of the public interface (ip/cpu/rv32.h).
#pragma once

#include <cstdint>

namespace nvr::cpu::detail {

// Operation ids of predecoded instructions (X-macro: the enum here, the dispatch table in
// rv32_execute.cpp). Branches and jal come in two forms: "_l" (target in the same 4-KiB decode
// page: aux is the distance in decode entries) and the far form (target looked up through the
// page table).
// clang-format off
#define NVR_RV32_OPS(X)                                                                   \
  X(decode)  /* not decoded yet: fetch and decode, then execute */                        \
  X(lookup)  /* after the end of a decode page: continue at its pc through the page table */ \
  X(illegal) X(nop)                                                                       \
  X(li)      /* rd = imm (lui, auipc with the pc folded in, addi rd, x0, imm) */          \
  X(addi) X(slti) X(sltiu) X(xori) X(ori) X(andi) X(slli) X(srli) X(srai)                 \
  X(add) X(sub) X(sll) X(slt) X(sltu) X(xor) X(srl) X(sra) X(or) X(and)                   \
  X(mul) X(mulh) X(mulhsu) X(mulhu) X(div) X(divu) X(rem) X(remu)                         \
  X(lb) X(lh) X(lw) X(lbu) X(lhu) X(sb) X(sh) X(sw)                                       \
  X(beq) X(bne) X(blt) X(bge) X(bltu) X(bgeu)                                             \
  X(beq_l) X(bne_l) X(blt_l) X(bge_l) X(bltu_l) X(bgeu_l)                                 \
  X(jal) X(jal_l) X(jalr)                                                                 \
  X(lr) X(sc) X(amo) /* aux = funct5 */                                                   \
  X(csr)     /* imm = CSR number, aux = funct3, rs1 = source register or 5-bit immediate */ \
  X(ecall) X(ebreak) X(mret) X(wfi) X(fence_i)
// clang-format on

enum op : std::uint8_t {
#define NVR_RV32_OP_ENUM(name) op_##name,
  NVR_RV32_OPS(NVR_RV32_OP_ENUM)
#undef NVR_RV32_OP_ENUM
      op_count
};
// Added to the op of a compressed (2-byte) instruction: the run loop has a handler per length.
inline constexpr std::uint8_t op_compressed = op_count;

// Index of the write-only sink register: rd = x0 is decoded as this, so handlers write rd without
// a branch and x0 stays zero.
inline constexpr std::uint8_t sink_register = 32;

// The run loop counts cycles and instructions in one accumulator: cycles << tick_shift | instructions.
// An entry's tick holds its cycles in the upper 12 bits (at most max_entry_cycles).
inline constexpr unsigned tick_shift = 20;
inline constexpr std::uint32_t max_entry_cycles = (1u << (32 - tick_shift)) - 1;
constexpr std::uint32_t ticks(std::uint32_t cycles) { return cycles << tick_shift; }

// One predecoded instruction; one entry per 16-bit parcel of a decode page.
struct insn {
  std::uint8_t op = op_decode;  // + op_compressed for a 2-byte instruction
  std::uint8_t rd = 0;          // 32 for x0
  std::uint8_t rs1 = 0;
  std::uint8_t rs2 = 0;
  std::int32_t imm = 0;    // immediate; absolute target pc of branches and jal; raw bits if illegal
  std::uint32_t tick = 0;  // ticks(cycles) + 1: base cycles (timing.h) + fetch latency
  std::int16_t aux = 0;    // entry distance of local branches and jal, funct5 of AMOs, funct3 of CSR ops
  std::uint8_t len = 0;    // 2 or 4 bytes
  std::uint8_t spare = 0;
  std::uint32_t cycles() const { return tick >> tick_shift; }
};
static_assert(sizeof(insn) == 16, "the execution loop advances by len * sizeof(insn) / 2 bytes");

// Decodes one instruction (raw holds 16 bits for a compressed one) fetched at pc. Never fails:
// anything that is not RV32IMAC + Zicsr + Zifencei becomes op_illegal with the raw bits in imm.
// Branches and jal get their far form; tick holds the base cycles of the instruction's class; op
// does not include op_compressed yet (len tells).
insn decode(std::uint32_t raw, std::uint32_t pc);

bool is_far_branch(std::uint8_t op);
// The "_l" form of a far branch or jal.
std::uint8_t local_form(std::uint8_t op);

// Trap causes (mcause without the interrupt bit).
enum cause : std::uint32_t {
  cause_fetch_misaligned = 0,
  cause_fetch_access = 1,
  cause_illegal_instruction = 2,
  cause_breakpoint = 3,
  cause_load_misaligned = 4,
  cause_load_access = 5,
  cause_store_misaligned = 6,
  cause_store_access = 7,
  cause_ecall_m = 11,
};
inline constexpr unsigned num_exception_causes = 12;

enum interrupt : std::uint32_t { irq_msi = 3, irq_mti = 7, irq_mei = 11 };

// Machine-mode CSR numbers.
enum csr_number : std::uint32_t {
  csr_mstatus = 0x300,
  csr_misa = 0x301,
  csr_mie = 0x304,
  csr_mtvec = 0x305,
  csr_mstatush = 0x310,
  csr_mcountinhibit = 0x320,
  csr_mhpmevent3 = 0x323,
  csr_mhpmevent31 = 0x33f,
  csr_mscratch = 0x340,
  csr_mepc = 0x341,
  csr_mcause = 0x342,
  csr_mtval = 0x343,
  csr_mip = 0x344,
  csr_pmpcfg0 = 0x3a0,
  csr_pmpcfg3 = 0x3a3,
  csr_pmpaddr0 = 0x3b0,
  csr_pmpaddr15 = 0x3bf,
  csr_mcycle = 0xb00,
  csr_minstret = 0xb02,
  csr_mhpmcounter3 = 0xb03,
  csr_mhpmcounter31 = 0xb1f,
  csr_mcycleh = 0xb80,
  csr_minstreth = 0xb82,
  csr_mhpmcounter3h = 0xb83,
  csr_mhpmcounter31h = 0xb9f,
  csr_cycle = 0xc00,
  csr_time = 0xc01,
  csr_instret = 0xc02,
  csr_hpmcounter3 = 0xc03,
  csr_hpmcounter31 = 0xc1f,
  csr_cycleh = 0xc80,
  csr_timeh = 0xc81,
  csr_instreth = 0xc82,
  csr_hpmcounter3h = 0xc83,
  csr_hpmcounter31h = 0xc9f,
  csr_mvendorid = 0xf11,
  csr_marchid = 0xf12,
  csr_mimpid = 0xf13,
  csr_mhartid = 0xf14,
  csr_mconfigptr = 0xf15,
};

inline constexpr std::uint32_t mstatus_mie = 1u << 3;
inline constexpr std::uint32_t mstatus_mpie = 1u << 7;
inline constexpr std::uint32_t mstatus_mpp = 3u << 11;
inline constexpr std::uint32_t mip_msip = 1u << irq_msi;
inline constexpr std::uint32_t mip_mtip = 1u << irq_mti;
inline constexpr std::uint32_t mip_meip = 1u << irq_mei;
inline constexpr std::uint32_t mie_mask = mip_msip | mip_mtip | mip_meip;
// RV32 (MXL = 1) with A, C, I, M.
inline constexpr std::uint32_t misa_value = (1u << 30) | (1u << 0) | (1u << 2) | (1u << 8) | (1u << 12);
inline constexpr std::uint32_t mcause_interrupt = 0x80000000u;
inline constexpr std::uint32_t mcountinhibit_cy = 1u << 0;
inline constexpr std::uint32_t mcountinhibit_ir = 1u << 2;

}  // namespace nvr::cpu::detail
