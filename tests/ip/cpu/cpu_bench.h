// A small system around one CPU for its tests and its speed benchmark: a target that holds RAM
// (with DMI), a memory without DMI, a few control registers (interrupt lines, exit, console,
// DMI invalidation) and answers everything else with an address error.
#pragma once

#ifndef SC_INCLUDE_DYNAMIC_PROCESSES
#define SC_INCLUDE_DYNAMIC_PROCESSES
#endif

#include <tlm_utils/simple_target_socket.h>

#include <cstdint>
#include <cstring>
#include <functional>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "ip/cpu/rv32.h"
#include "tests/ip/cpu/rv_asm.h"

namespace cpu_test {

inline constexpr std::uint32_t ram_base = 0x80000000u;
inline constexpr std::uint32_t ram_size = 1u << 20;
inline constexpr std::uint32_t slow_base = 0x20000000u;  // memory without DMI (and without the DMI hint)
inline constexpr std::uint32_t slow_size = 0x10000u;
inline constexpr std::uint32_t ctrl_base = 0x10000000u;

// Control registers (32-bit, at ctrl_base + offset).
enum ctrl : std::uint32_t {
  ctrl_irq_set = 0x00,     // write: bit 0 MSIP, bit 1 MTIP, bit 2 MEIP lines high
  ctrl_exit = 0x04,        // write: the program is done (exit code = value); stops the simulation
  ctrl_putc = 0x08,        // write: a character to the console string
  ctrl_counter = 0x0c,     // read: 1, 2, 3, ...
  ctrl_invalidate = 0x10,  // write: invalidate_direct_mem_ptr over the whole address space
  ctrl_irq_clear = 0x14,   // write: the interrupt code (3, 7, 11) whose line goes low
};

struct memory_config {
  bool grant_dmi = true;
  sc_core::sc_time read_latency = sc_core::SC_ZERO_TIME;
  sc_core::sc_time write_latency = sc_core::SC_ZERO_TIME;
  bool stop_on_exit = true;  // false: the exit register only records (several systems in one run)
};

class test_target : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<test_target> socket;
  sc_core::sc_signal<bool, sc_core::SC_MANY_WRITERS> msip{"msip"}, mtip{"mtip"}, meip{"meip"};
  std::vector<std::uint8_t> ram = std::vector<std::uint8_t>(ram_size);
  std::vector<std::uint8_t> slow = std::vector<std::uint8_t>(slow_size);
  bool exited = false;
  std::uint32_t exit_code = 0;
  sc_core::sc_time exit_time;  // the initiator's local time of the exit write
  std::string console;
  std::uint32_t counter = 0;

  test_target(const sc_core::sc_module_name& name, const memory_config& config)
      : sc_module(name), socket("socket"), m_config(config) {
    socket.register_b_transport(this, &test_target::b_transport);
    socket.register_get_direct_mem_ptr(this, &test_target::get_direct_mem_ptr);
  }

  void set_line(unsigned code, bool level) {
    if (code == 3) msip.write(level);
    if (code == 7) mtip.write(level);
    if (code == 11) meip.write(level);
  }

 private:
  static bool inside(std::uint64_t address, unsigned length, std::uint32_t base, std::uint32_t size) {
    return address >= base && address + length <= static_cast<std::uint64_t>(base) + size;
  }

  void b_transport(tlm::tlm_generic_payload& payload, sc_core::sc_time& delay) {
    const std::uint64_t address = payload.get_address();
    const unsigned length = payload.get_data_length();
    std::uint8_t* data = payload.get_data_ptr();
    const bool read = payload.is_read();
    payload.set_response_status(tlm::TLM_OK_RESPONSE);
    if (inside(address, length, ram_base, ram_size)) {
      std::uint8_t* at = &ram[address - ram_base];
      read ? std::memcpy(data, at, length) : std::memcpy(at, data, length);
      delay += read ? m_config.read_latency : m_config.write_latency;
      payload.set_dmi_allowed(m_config.grant_dmi);
      return;
    }
    if (inside(address, length, slow_base, slow_size)) {
      std::uint8_t* at = &slow[address - slow_base];
      read ? std::memcpy(data, at, length) : std::memcpy(at, data, length);
      delay += read ? m_config.read_latency : m_config.write_latency;
      return;
    }
    if (inside(address, length, ctrl_base, 0x100) && length == 4) {
      std::uint32_t value = 0;
      if (read) {
        if (address - ctrl_base == ctrl_counter) value = ++counter;
        std::memcpy(data, &value, 4);
        return;
      }
      std::memcpy(&value, data, 4);
      switch (address - ctrl_base) {
        case ctrl_irq_set:
          if (value & 1) msip.write(true);
          if (value & 2) mtip.write(true);
          if (value & 4) meip.write(true);
          break;
        case ctrl_exit:
          exited = true;
          exit_code = value;
          exit_time = sc_core::sc_time_stamp() + delay;
          if (m_config.stop_on_exit) sc_core::sc_stop();
          break;
        case ctrl_putc:
          console += static_cast<char>(value);
          break;
        case ctrl_invalidate:
          socket->invalidate_direct_mem_ptr(0, ~sc_dt::uint64{0});
          break;
        case ctrl_irq_clear:
          set_line(value, false);
          break;
        default:
          break;
      }
      return;
    }
    payload.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
  }

  bool get_direct_mem_ptr(tlm::tlm_generic_payload& payload, tlm::tlm_dmi& dmi) {
    const std::uint64_t address = payload.get_address();
    if (!m_config.grant_dmi || !inside(address, 1, ram_base, ram_size)) {
      dmi.set_start_address(address);
      dmi.set_end_address(address);
      return false;
    }
    dmi.set_dmi_ptr(ram.data());
    dmi.set_start_address(ram_base);
    dmi.set_end_address(ram_base + ram_size - 1);
    dmi.set_granted_access(tlm::tlm_dmi::DMI_ACCESS_READ_WRITE);
    dmi.set_read_latency(m_config.read_latency);
    dmi.set_write_latency(m_config.write_latency);
    return true;
  }

  memory_config m_config;
};

class test_system : public sc_core::sc_module {
 public:
  test_target mem;
  nvr::cpu::rv32 cpu;

  test_system(const sc_core::sc_module_name& name, const nvr::cpu::rv32_config& cpu_config = {},
              const memory_config& memory = {})
      : sc_module(name), mem("mem", memory), cpu("cpu", cpu_config) {
    cpu.bus.bind(mem.socket);
    cpu.irq_software.bind(mem.msip);
    cpu.irq_timer.bind(mem.mtip);
    cpu.irq_external.bind(mem.meip);
  }

  // Copies the program into RAM or the memory without DMI (host side, before the run).
  void load(rvasm::program& program) {
    const auto& bytes = program.finish();
    std::memcpy(host(program.base(), bytes.size()), bytes.data(), bytes.size());
  }

  std::uint32_t read32(std::uint32_t address) {
    std::uint32_t value;
    std::memcpy(&value, host(address, 4), 4);
    return value;
  }
  void write32(std::uint32_t address, std::uint32_t value) { std::memcpy(host(address, 4), &value, 4); }

  // Runs f at simulated time t (from a process of its own).
  void at(const sc_core::sc_time& t, std::function<void()> f) {
    sc_core::sc_spawn([t, f] {
      sc_core::wait(t);
      f();
    });
  }

 private:
  std::uint8_t* host(std::uint32_t address, std::size_t size) {
    if (address >= ram_base && address - ram_base + size <= ram_size) return &mem.ram[address - ram_base];
    if (address >= slow_base && address - slow_base + size <= slow_size)
      return &mem.slow[address - slow_base];
    throw std::out_of_range("test_system: address outside RAM");
  }
};

}  // namespace cpu_test
