#include "ip/cpu/rv32_debug.h"

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <sstream>

#include "ip/cpu/rv32_isa.h"
#include "ip/cpu/rv32_page.h"

namespace nvr::cpu {

using namespace detail;

namespace {

constexpr unsigned pc_regnum = 32;
constexpr int sigint = 2;

// The CSRs the model implements (rv32::csr_read), as GDB names them.
constexpr std::uint32_t described_csrs[] = {
    csr_mstatus,   csr_misa,    csr_mie,    csr_mtvec,   csr_mstatush, csr_mcountinhibit, csr_mscratch,
    csr_mepc,      csr_mcause,  csr_mtval,  csr_mip,     csr_mcycle,   csr_minstret,      csr_mcycleh,
    csr_minstreth, csr_cycle,   csr_time,   csr_instret, csr_cycleh,   csr_timeh,         csr_instreth,
    csr_mvendorid, csr_marchid, csr_mimpid, csr_mhartid,
};

bool is_described_csr(unsigned number) {
  return std::any_of(std::begin(described_csrs), std::end(described_csrs),
                     [&](std::uint32_t csr) { return rv32_debug::csr_regnum(csr) == number; });
}

const char* const target_xml =
    "<?xml version=\"1.0\"?>\n"
    "<!DOCTYPE target SYSTEM \"gdb-target.dtd\">\n"
    "<target version=\"1.0\">\n"
    "  <architecture>riscv:rv32</architecture>\n"
    "  <xi:include href=\"riscv-32bit-cpu.xml\"/>\n"
    "  <xi:include href=\"riscv-32bit-csr.xml\"/>\n"
    "</target>\n";

std::string cpu_feature() {
  std::string xml =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE feature SYSTEM \"gdb-target.dtd\">\n"
      "<feature name=\"org.gnu.gdb.riscv.cpu\">\n";
  for (unsigned i = 0; i < 32; ++i) {
    const char* type = i == 1 ? "code_ptr" : (i == 2 || i == 3 || i == 4) ? "data_ptr" : "int";
    xml += "  <reg name=\"" + std::string(register_name(i)) + "\" bitsize=\"32\" type=\"" + type +
           "\" regnum=\"" + std::to_string(i) + "\"/>\n";
  }
  xml += "  <reg name=\"pc\" bitsize=\"32\" type=\"code_ptr\" regnum=\"32\"/>\n</feature>\n";
  return xml;
}

std::string csr_feature() {
  std::string xml =
      "<?xml version=\"1.0\"?>\n<!DOCTYPE feature SYSTEM \"gdb-target.dtd\">\n"
      "<feature name=\"org.gnu.gdb.riscv.csr\">\n";
  for (std::uint32_t csr : described_csrs)
    xml += "  <reg name=\"" + csr_name(csr) + "\" bitsize=\"32\" type=\"int\" regnum=\"" +
           std::to_string(rv32_debug::csr_regnum(csr)) + "\" group=\"csr\"/>\n";
  return xml + "</feature>\n";
}

std::uint32_t little_endian(const std::uint8_t* value) {
  return value[0] | value[1] << 8 | value[2] << 16 | static_cast<std::uint32_t>(value[3]) << 24;
}

void store_little_endian(std::uint32_t v, std::uint8_t* value) {
  for (int i = 0; i < 4; ++i) value[i] = static_cast<std::uint8_t>(v >> (8 * i));
}

}  // namespace

rv32_debug::rv32_debug(rv32& cpu, const rv32_debug_config& config) : m_cpu(cpu), m_wait(config.gdb_wait) {
  if (!config.trace_insn.empty())
    m_trace = std::make_unique<insn_trace>(config.trace_insn, config.trace_filter);
  if (config.gdb_port) m_gdb = std::make_unique<debug::gdb_server>(*this, *config.gdb_port);
  m_cpu.attach(this);
}

rv32_debug::~rv32_debug() { m_cpu.attach(nullptr); }

void rv32_debug::finish(int exit_code) {
  if (m_trace) {
    trace_retired();
    m_trace->flush();
  }
  if (m_gdb) m_gdb->exited(exit_code);
}

// --- run control ------------------------------------------------------------------------------

bool rv32_debug::before_instruction(std::uint32_t pc) {
  if (m_trace) trace_retired();
  if (m_gdb) {
    if (m_stepping) {
      if (m_step_started) {
        m_stop = debug::stop_event{};
        return true;
      }
      m_step_started = true;  // the instruction to step: no breakpoint stops it
    } else if (!m_breakpoints.empty() &&
               std::find(m_breakpoints.begin(), m_breakpoints.end(), pc) != m_breakpoints.end()) {
      m_stop = debug::stop_event{};
      m_stop.why = debug::stop_event::reason::software_breakpoint;
      return true;
    }
  }
  if (m_trace && m_trace->wants(pc, m_cpu.local_time())) {
    m_pending.valid = true;
    m_pending.pc = pc;
    m_pending.time_ps = m_cpu.local_time().value();
    m_pending.instret = m_cpu.m_instret;
    m_pending.exceptions = m_cpu.m_exceptions;
    std::uint8_t bytes[4] = {};
    if (read_memory(pc, bytes, 2) == 2 && (bytes[0] & 3u) == 3u) read_memory(pc + 2, bytes + 2, 2);
    m_pending.raw = little_endian(bytes);
    m_pending.text = disassemble(m_pending.raw, pc);
  }
  return false;
}

bool rv32_debug::before_access(std::uint32_t address, unsigned size, unsigned access) {
  using debug::point_type;
  using reason = debug::stop_event::reason;
  for (const watchpoint& w : m_watchpoints) {
    if (address >= w.address + w.length || w.address >= std::uint64_t{address} + size) continue;
    reason why;
    if (w.type == point_type::write_watch && (access & 2u))
      why = reason::write_watch;
    else if (w.type == point_type::read_watch && (access & 1u))
      why = reason::read_watch;
    else if (w.type == point_type::access_watch)
      why = reason::access_watch;
    else
      continue;
    m_stop = debug::stop_event{};
    m_stop.why = why;
    m_stop.address = std::max<std::uint64_t>(address, w.address);  // inside the watched range
    return true;
  }
  return false;
}

bool rv32_debug::at_sync(bool start) {
  if (!m_gdb) return false;
  if (start && m_wait) {
    if (!m_gdb->wait_for_connection()) m_kill = true;  // a stop signal while waiting
    m_stop = debug::stop_event{};
    return true;
  }
  // A poll is a system call: every 16th quantum is often enough for a human's Ctrl-C.
  if (++m_syncs % 16 != 0) return false;
  const bool was_connected = m_gdb->connected();
  switch (m_gdb->poll()) {
    case debug::gdb_server::poll_result::halt:
      m_stop = debug::stop_event{};
      if (was_connected) m_stop.signal = sigint;  // Ctrl-C; a new debugger sees SIGTRAP
      return true;
    case debug::gdb_server::poll_result::kill:
      m_kill = true;
      return true;
    case debug::gdb_server::poll_result::none:
      break;
  }
  return false;
}

bool rv32_debug::halted() {
  if (m_trace) m_trace->flush();
  if (m_kill) return false;
  m_stepping = false;
  if (!m_gdb) return true;
  switch (m_gdb->stopped(m_stop)) {
    case debug::gdb_server::command::resume:
      return true;
    case debug::gdb_server::command::step:
      m_stepping = true;
      m_step_started = false;
      return true;
    case debug::gdb_server::command::kill:
      break;
  }
  return false;
}

// --- trace ------------------------------------------------------------------------------------

void rv32_debug::trace_retired() {
  if (!m_pending.valid) return;
  m_pending.valid = false;
  const bool retired = m_cpu.m_instret != m_pending.instret;
  const bool trapped = !retired && m_cpu.m_exceptions != m_pending.exceptions;
  if (!retired && !trapped) return;  // halted before it: it runs (and is traced) later
  m_writes.clear();
  std::string csr_text;
  if (retired) {
    if (m_pending.text.rd > 0) {
      const auto rd = static_cast<unsigned>(m_pending.text.rd);
      m_writes.push_back({register_name(rd), m_cpu.reg(rd)});
    }
    std::uint32_t value = 0;
    if (m_pending.text.csr >= 0 && m_pending.text.csr_written &&
        m_cpu.csr_read(static_cast<std::uint32_t>(m_pending.text.csr), value)) {
      csr_text = csr_name(static_cast<std::uint32_t>(m_pending.text.csr));
      m_writes.push_back({csr_text.c_str(), value});
    }
  }
  m_trace->record(m_pending.time_ps, m_pending.pc, m_pending.raw, m_pending.text, m_writes, trapped);
}

// --- registers --------------------------------------------------------------------------------

std::string rv32_debug::target_description(const std::string& annex) const {
  if (annex == "target.xml") return target_xml;
  if (annex == "riscv-32bit-cpu.xml") return cpu_feature();
  if (annex == "riscv-32bit-csr.xml") return csr_feature();
  return {};
}

std::vector<unsigned> rv32_debug::general_registers() const {
  std::vector<unsigned> numbers(33);
  for (unsigned i = 0; i < numbers.size(); ++i) numbers[i] = i;
  return numbers;
}

unsigned rv32_debug::register_size(unsigned number) const {
  return number <= pc_regnum || is_described_csr(number) ? 4 : 0;
}

bool rv32_debug::read_register(unsigned number, std::uint8_t* value) {
  std::uint32_t v = 0;
  if (number < 32)
    v = m_cpu.reg(number);
  else if (number == pc_regnum)
    v = m_cpu.pc();
  else if (!is_described_csr(number) || !m_cpu.csr_read(number - csr_regnum(0), v))
    return false;
  store_little_endian(v, value);
  return true;
}

bool rv32_debug::write_register(unsigned number, const std::uint8_t* value) {
  const std::uint32_t v = little_endian(value);
  if (number < 32) {
    m_cpu.set_reg(number, v);  // x0 stays zero
    return true;
  }
  if (number == pc_regnum) {
    m_cpu.set_pc(v);
    return true;
  }
  if (!is_described_csr(number)) return false;
  const std::uint32_t csr = number - csr_regnum(0);
  if ((csr >> 10) == 3 || !m_cpu.csr_write(csr, v, 0)) return false;  // read-only
  // csr_write counts the writing instruction into minstret; a debugger's write is no instruction.
  if ((csr == csr_minstret || csr == csr_minstreth) && (m_cpu.m_mcountinhibit & mcountinhibit_ir) == 0)
    ++m_cpu.m_minstret_offset;
  return true;
}

// --- memory -----------------------------------------------------------------------------------

std::size_t rv32_debug::debug_transport(bool write, std::uint64_t address, std::uint8_t* data,
                                        std::size_t size) {
  tlm::tlm_generic_payload payload;
  payload.set_command(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND);
  payload.set_address(address);
  payload.set_data_ptr(data);
  payload.set_data_length(static_cast<unsigned>(size));
  payload.set_streaming_width(static_cast<unsigned>(size));
  return m_cpu.bus->transport_dbg(payload);
}

std::size_t rv32_debug::read_memory(std::uint64_t address, std::uint8_t* data, std::size_t size) {
  if (address > 0xffffffffu) return 0;
  size = static_cast<std::size_t>(std::min<std::uint64_t>(size, 0x100000000u - address));
  if (size == 0 || debug_transport(false, address, data, size) == size) return size;
  // Registers answer only naturally aligned accesses of their own width: piece by piece.
  std::size_t done = 0;
  while (done < size) {
    std::size_t width = 4;
    while (width > 1 && ((address + done) % width != 0 || size - done < width)) width /= 2;
    while (width >= 1 && debug_transport(false, address + done, data + done, width) != width) width /= 2;
    if (width == 0) break;
    done += width;
  }
  return done;
}

std::size_t rv32_debug::write_memory(std::uint64_t address, const std::uint8_t* data, std::size_t size) {
  if (address > 0xffffffffu) return 0;
  size = static_cast<std::size_t>(std::min<std::uint64_t>(size, 0x100000000u - address));
  std::vector<std::uint8_t> buffer(data, data + size);  // transport_dbg takes a non-const pointer
  std::size_t done = size == 0 ? 0 : debug_transport(true, address, buffer.data(), size);
  if (done != size) {
    done = 0;
    while (done < size) {
      std::size_t width = 4;
      while (width > 1 && ((address + done) % width != 0 || size - done < width)) width /= 2;
      while (width >= 1 && debug_transport(true, address + done, buffer.data() + done, width) != width)
        width /= 2;
      if (width == 0) break;
      done += width;
    }
  }
  // Code the CPU decoded from these bytes must be decoded again.
  if (done != 0) {
    const std::uint64_t last = address + done - 1;
    for (std::uint64_t granule = address >> granule_shift; granule <= last >> granule_shift; ++granule)
      if (m_cpu.m_code_map[granule]) m_cpu.invalidate_granule(static_cast<std::uint32_t>(granule));
  }
  return done;
}

// --- break- and watchpoints -------------------------------------------------------------------

bool rv32_debug::insert_point(debug::point_type type, std::uint64_t address, std::uint64_t length) {
  if (address > 0xffffffffu) return false;
  if (type == debug::point_type::software_breakpoint || type == debug::point_type::hardware_breakpoint) {
    m_breakpoints.push_back(static_cast<std::uint32_t>(address));
    return true;
  }
  if (length == 0) return false;
  m_watchpoints.push_back(watchpoint{type, address, length});
  return true;
}

bool rv32_debug::remove_point(debug::point_type type, std::uint64_t address, std::uint64_t length) {
  if (type == debug::point_type::software_breakpoint || type == debug::point_type::hardware_breakpoint) {
    const auto found = std::find(m_breakpoints.begin(), m_breakpoints.end(), address);
    if (found == m_breakpoints.end()) return false;
    m_breakpoints.erase(found);
    return true;
  }
  const auto found = std::find_if(m_watchpoints.begin(), m_watchpoints.end(), [&](const watchpoint& w) {
    return w.type == type && w.address == address && w.length == length;
  });
  if (found == m_watchpoints.end()) return false;
  m_watchpoints.erase(found);
  return true;
}

// --- the rest ---------------------------------------------------------------------------------

void rv32_debug::set_resume_address(std::uint64_t address) {
  m_cpu.set_pc(static_cast<std::uint32_t>(address));
}

void rv32_debug::reset() {
  m_cpu.reset();
  m_pending.valid = false;
}

bool rv32_debug::monitor(const std::string& command, std::string& output) {
  if (command != "info") return false;
  std::ostringstream text;
  char pc[16];
  std::snprintf(pc, sizeof pc, "0x%08x", m_cpu.pc());
  text << "pc " << pc << ", " << m_cpu.instructions_retired() << " instructions, " << m_cpu.cycles()
       << " cycles, local time " << m_cpu.local_time().to_string() << " (kernel "
       << sc_core::sc_time_stamp().to_string() << ")\n";
  output = text.str();
  return true;
}

std::string rv32_debug::monitor_help() const {
  return "info      pc, instructions, cycles and simulated time of the CPU\n";
}

}  // namespace nvr::cpu
