// disasm-dump: disassembles "PC WORD" lines (hex, as objdump prints them) from standard input with
// nvr-vp's disassembler (ip/cpu/rv32_disasm.h) and prints "PC TEXT" lines, for the comparison with
// objdump (compare_objdump.py).
#include <cstdint>
#include <cstdio>
#include <iostream>
#include <sstream>
#include <string>

#include "ip/cpu/rv32_disasm.h"

namespace {

int dump() {
  std::string line;
  while (std::getline(std::cin, line)) {
    std::istringstream fields(line);
    std::string pc_text, word_text;
    if (!(fields >> pc_text >> word_text)) continue;
    const auto pc = static_cast<std::uint32_t>(std::stoul(pc_text, nullptr, 16));
    const auto word = static_cast<std::uint32_t>(std::stoul(word_text, nullptr, 16));
    const nvr::cpu::disassembly d = nvr::cpu::disassemble(word, pc);
    std::printf("%x %s\n", pc, d.text.c_str());
  }
  return 0;
}

}  // namespace

int main() { return dump(); }

// The SystemC library (linked through the CPU library) needs an sc_main although this program
// never starts a simulation.
extern "C" int sc_main(int, char**) { return dump(); }
