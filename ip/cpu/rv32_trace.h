// The instruction trace (--trace-insn): one text line per retired instruction, filtered by pc
// ranges and a time window. The debug variant of the CPU's run loop feeds it (rv32_debug); with
// no trace and no debugger the CPU runs the plain loop, so an unused trace costs nothing.
//
// File format (lines starting with '#' are comments):
//   TIME PC WORD INSTRUCTION[ -> WRITTEN...]
//   TIME         simulated time in ps at which the instruction started (the CPU's local time)
//   PC           0x + 8 hex digits
//   WORD         the instruction bits: 8 hex digits, 4 for a compressed instruction
//   INSTRUCTION  objdump-style mnemonic and operands (ip/cpu/rv32_disasm.h)
//   WRITTEN      register=0xvalue after the instruction (an integer register, and the CSR of a
//                CSR instruction that writes one); "exception" for an instruction that trapped
#pragma once

#include <cstdint>
#include <fstream>
#include <string>
#include <vector>

#include "core/trace/bus_trace.h"
#include "ip/cpu/rv32_disasm.h"

namespace nvr::cpu {

class insn_trace {
 public:
  struct options {
    std::vector<trace::address_range> ranges;  // of the pc; empty: every address
    trace::time_window window;
  };

  // Opens `path` for writing (std::runtime_error when it cannot).
  insn_trace(const std::string& path, const options& filters);
  insn_trace(const insn_trace&) = delete;
  insn_trace& operator=(const insn_trace&) = delete;

  // Whether an instruction at `pc` starting at `time` goes into the trace.
  bool wants(std::uint32_t pc, const sc_core::sc_time& time) const;

  struct written {
    const char* name;
    std::uint32_t value;
  };
  // One line. `writes` lists what the instruction wrote (may be empty); `exception`: it trapped.
  void record(std::uint64_t time_ps, std::uint32_t pc, std::uint32_t raw, const disassembly& text,
              const std::vector<written>& writes, bool exception);
  // The line record() writes, without the newline (tests).
  static std::string format(std::uint64_t time_ps, std::uint32_t pc, std::uint32_t raw,
                            const disassembly& text, const std::vector<written>& writes, bool exception);

  std::uint64_t lines() const { return m_lines; }
  void flush() { m_file.flush(); }

 private:
  std::ofstream m_file;
  options m_filters;
  std::uint64_t m_lines = 0;
};

}  // namespace nvr::cpu
