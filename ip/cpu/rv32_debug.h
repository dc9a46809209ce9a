// Debugging and tracing of the RV32 CPU: the CPU as a GDB target (core/debug/target.h) served by
// the RSP stub (core/debug/gdb_server.h), and the instruction trace (rv32_trace.h). Attaching one
// switches the CPU to the debug variant of its run loop; without one the CPU runs the plain loop.
//
// Registers: x0..x31 and pc (GDB regnums 0..32, the `g` packet) and the implemented CSRs (regnum
// 65 + CSR number, read and written one by one), described by a target description with the
// org.gnu.gdb.riscv.cpu and org.gnu.gdb.riscv.csr features. Memory goes through the bus's debug
// transport (no time passes, registers and unmapped addresses behave as on the bus: an error
// becomes an E packet). Breakpoints (Z0/Z1) are checked before each instruction, watchpoints
// (Z2/Z3/Z4) before each load, store, LR/SC and AMO: the CPU halts before the instruction, as
// GDB expects of RISC-V (its watchpoints are "non-steppable": GDB steps over the access itself).
// Interrupts are not taken while single-stepping.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "core/debug/gdb_server.h"
#include "core/debug/target.h"
#include "ip/cpu/rv32.h"
#include "ip/cpu/rv32_trace.h"

namespace nvr::cpu {

struct rv32_debug_config {
  std::optional<std::uint16_t> gdb_port;  // listen for a debugger (0: any free port)
  bool gdb_wait = false;                  // halt at reset until a debugger connects
  std::string trace_insn;                 // instruction trace file; empty: none
  insn_trace::options trace_filter;
  bool enabled() const { return gdb_port.has_value() || !trace_insn.empty(); }
};

class rv32_debug final : public rv32_monitor, public debug::target {
 public:
  // Opens the stub's socket and the trace file (std::runtime_error when either cannot be) and
  // attaches itself to `cpu`, which must not run yet.
  rv32_debug(rv32& cpu, const rv32_debug_config& config);
  ~rv32_debug() override;

  // The port the stub listens on (0 without a stub).
  std::uint16_t gdb_port() const { return m_gdb ? m_gdb->port() : 0; }
  // The run is over: the exit code to a debugger waiting for the target, the trace flushed.
  void finish(int exit_code);

  // --- rv32_monitor ---
  bool before_instruction(std::uint32_t pc) override;
  bool before_access(std::uint32_t address, unsigned size, unsigned access) override;
  bool at_sync(bool start) override;
  bool halted() override;
  bool interrupts_masked() const override { return m_stepping; }
  bool per_instruction() const override {
    return m_trace || m_stepping || !m_breakpoints.empty() || !m_watchpoints.empty();
  }

  // --- debug::target ---
  std::string target_description(const std::string& annex) const override;
  std::vector<unsigned> general_registers() const override;
  unsigned register_size(unsigned number) const override;
  bool read_register(unsigned number, std::uint8_t* value) override;
  bool write_register(unsigned number, const std::uint8_t* value) override;
  std::size_t read_memory(std::uint64_t address, std::uint8_t* data, std::size_t size) override;
  std::size_t write_memory(std::uint64_t address, const std::uint8_t* data, std::size_t size) override;
  bool insert_point(debug::point_type type, std::uint64_t address, std::uint64_t length) override;
  bool remove_point(debug::point_type type, std::uint64_t address, std::uint64_t length) override;
  void set_resume_address(std::uint64_t address) override;
  void reset() override;
  bool monitor(const std::string& command, std::string& output) override;
  std::string monitor_help() const override;

  // GDB's register number of a CSR.
  static constexpr unsigned csr_regnum(std::uint32_t csr) { return 65 + csr; }

 private:
  std::size_t debug_transport(bool write, std::uint64_t address, std::uint8_t* data, std::size_t size);
  void trace_retired();

  rv32& m_cpu;
  std::unique_ptr<debug::gdb_server> m_gdb;
  bool m_wait = false;
  bool m_kill = false;  // end the simulation at the next halt
  std::uint64_t m_syncs = 0;
  bool m_stepping = false, m_step_started = false;
  debug::stop_event m_stop;

  std::vector<std::uint32_t> m_breakpoints;
  struct watchpoint {
    debug::point_type type;
    std::uint64_t address, length;
  };
  std::vector<watchpoint> m_watchpoints;

  // The instruction trace: the instruction that started last is written once the next one starts
  // (or the run ends), with the registers it wrote.
  std::unique_ptr<insn_trace> m_trace;
  struct pending_instruction {
    bool valid = false;
    std::uint32_t pc = 0, raw = 0;
    std::uint64_t time_ps = 0, instret = 0, exceptions = 0;
    disassembly text;
  } m_pending;
  std::vector<insn_trace::written> m_writes;
};

}  // namespace nvr::cpu
