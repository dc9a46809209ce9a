#include "ip/cpu/rv32_trace.h"

#include <cstdio>
#include <stdexcept>

namespace nvr::cpu {

insn_trace::insn_trace(const std::string& path, const options& filters)
    : m_file(path, std::ios::trunc), m_filters(filters) {
  if (!m_file) throw std::runtime_error("--trace-insn: cannot write '" + path + "'");
  m_file << "# nvr-vp instruction trace: time_ps pc word instruction -> registers written\n";
}

bool insn_trace::wants(std::uint32_t pc, const sc_core::sc_time& time) const {
  if (!m_filters.window.contains(time)) return false;
  if (m_filters.ranges.empty()) return true;
  for (const trace::address_range& range : m_filters.ranges)
    if (range.overlaps(pc, 1)) return true;
  return false;
}

std::string insn_trace::format(std::uint64_t time_ps, std::uint32_t pc, std::uint32_t raw,
                               const disassembly& text, const std::vector<written>& writes, bool exception) {
  char head[64];
  if (text.length == 2)
    std::snprintf(head, sizeof head, "%llu 0x%08x %04x ", static_cast<unsigned long long>(time_ps), pc,
                  raw & 0xffffu);
  else
    std::snprintf(head, sizeof head, "%llu 0x%08x %08x ", static_cast<unsigned long long>(time_ps), pc, raw);
  std::string line = head;
  line += text.text;
  if (exception) return line + " -> exception";
  bool first = true;
  for (const written& w : writes) {
    char value[48];
    std::snprintf(value, sizeof value, "%s%s=0x%08x", first ? " -> " : " ", w.name, w.value);
    line += value;
    first = false;
  }
  return line;
}

void insn_trace::record(std::uint64_t time_ps, std::uint32_t pc, std::uint32_t raw, const disassembly& text,
                        const std::vector<written>& writes, bool exception) {
  m_file << format(time_ps, pc, raw, text, writes, exception) << '\n';
  ++m_lines;
}

}  // namespace nvr::cpu
