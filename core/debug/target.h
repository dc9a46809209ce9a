// What the GDB stub (core/debug/gdb_server.h) needs from a debuggable block: registers, memory,
// break- and watchpoints, a target description. Any processor-like model (the CPU today, the NPU
// later) implements it; the stub knows nothing about the architecture.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

namespace nvr::debug {

// The Z/z packet types.
enum class point_type { software_breakpoint = 0, hardware_breakpoint = 1, write_watch = 2, read_watch = 3,
                        access_watch = 4 };

// Why the target stopped, as reported in a stop reply.
struct stop_event {
  enum class reason { signal, software_breakpoint, hardware_breakpoint, write_watch, read_watch, access_watch };
  reason why = reason::signal;
  int signal = 5;             // SIGTRAP; SIGINT (2) for an interrupt from the debugger
  std::uint64_t address = 0;  // the data address of a watchpoint hit
};

class target {
 public:
  virtual ~target() = default;

  // The target description (qXfer:features:read), by annex name ("target.xml" and any document
  // it includes); empty: no such annex.
  virtual std::string target_description(const std::string& annex) const = 0;

  // Register numbers as the target description gives them (regnum). The `g` packet carries
  // general_registers() in this order; others are read one by one with `p`.
  virtual std::vector<unsigned> general_registers() const = 0;
  // Bytes of a register; 0 when there is no such register.
  virtual unsigned register_size(unsigned number) const = 0;
  // Target byte order (little-endian for RISC-V), register_size(number) bytes. False: no such
  // register (or not writable).
  virtual bool read_register(unsigned number, std::uint8_t* value) = 0;
  virtual bool write_register(unsigned number, const std::uint8_t* value) = 0;

  // Memory as the target sees it, without side effects on time (debug transport). Returns the
  // number of bytes done from the start; fewer than asked means an error after those.
  virtual std::size_t read_memory(std::uint64_t address, std::uint8_t* data, std::size_t size) = 0;
  virtual std::size_t write_memory(std::uint64_t address, const std::uint8_t* data, std::size_t size) = 0;

  // Break- and watchpoints; false: this type is not supported (the stub answers with an empty
  // packet) or the address is not acceptable.
  virtual bool insert_point(point_type type, std::uint64_t address, std::uint64_t length) = 0;
  virtual bool remove_point(point_type type, std::uint64_t address, std::uint64_t length) = 0;

  // `c ADDR` / `s ADDR`: resume at ADDR.
  virtual void set_resume_address(std::uint64_t address) = 0;
  // `monitor reset`.
  virtual void reset() = 0;
  // Monitor commands beyond help, reset and quit: true when `command` is one (output to print).
  virtual bool monitor(const std::string& command, std::string& output) = 0;
  // One line per extra monitor command, for `monitor help`.
  virtual std::string monitor_help() const = 0;
};

}  // namespace nvr::debug
