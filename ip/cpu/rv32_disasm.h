// A small RV32IMAC + Zicsr + Zifencei disassembler for the instruction trace and the debugger's
// monitor commands. The text follows GNU objdump's default style (ABI register names, the usual
// aliases such as li, mv, ret, beqz, csrr; compressed instructions shown in their expanded form),
// so a trace can be compared with `objdump -d`.
#pragma once

#include <cstdint>
#include <string>

namespace nvr::cpu {

struct disassembly {
  std::string text;        // "addi sp,sp,-16"; branch and jump targets as hex addresses
  unsigned length = 4;     // 2 or 4 bytes
  int rd = -1;             // integer register written (1..31), -1 for none
  int csr = -1;            // CSR of a Zicsr instruction, -1 otherwise
  bool csr_written = false;  // the instruction writes that CSR
};

// `raw` holds the instruction bits (the low 16 of them for a compressed instruction); `pc` its
// address (for branch and jump targets). Anything not RV32IMAC + Zicsr + Zifencei is ".insn ...".
disassembly disassemble(std::uint32_t raw, std::uint32_t pc);

// 2 for a compressed instruction (low bits != 11), else 4.
inline unsigned instruction_length(std::uint32_t raw) { return (raw & 3u) == 3u ? 4 : 2; }

// ABI name of x0..x31 ("zero", "ra", ..., "t6").
const char* register_name(unsigned index);
// Name of a machine-mode or user counter CSR ("mstatus", "cycle"...); hex ("0x7c0") otherwise.
std::string csr_name(std::uint32_t csr);

}  // namespace nvr::cpu
