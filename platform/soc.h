// The SoC assembly: instantiates the blocks, binds them, maps them on the bus. No model logic.
#pragma once

#include <tlm_utils/simple_initiator_socket.h>

#include <cstdint>
#include <fstream>
#include <memory>
#include <optional>
#include <string>
#include <systemc>
#include <vector>

#include "core/trace/probe.h"
#include "ip/bus/router.h"
#include "ip/clint/clint.h"
#include "ip/cpu/rv32.h"
#include "ip/cpu/rv32_debug.h"
#include "ip/memory/ram.h"
#include "ip/npu/npu.h"
#include "ip/nvr/runahead_unit.h"
#include "ip/plic/plic.h"
#include "ip/testdev/sifive_test.h"
#include "ip/uart/uart16550.h"
#include "platform/elf_loader.h"
#include "platform/exit_code.h"
#include "platform/memory_map.h"

namespace nvr::platform {

// DRAM starts at 0x8000'0000 and may fill the rest of the 32-bit address space.
inline constexpr std::uint64_t max_dram_size = 0x80000000ull;

struct soc_config {
  cpu::rv32_config cpu;
  std::uint64_t dram_size = NVR_DRAM_SIZE;
  sc_core::sc_time dram_latency = sc_core::sc_time(1, sc_core::SC_NS);  // per access as seen by the CPU
  std::string uart_output;                                              // empty: standard output
  npu::npu_config npu;               // dram_base / dram_size are taken from the DRAM above
  cpu::rv32_debug_config cpu_debug;  // GDB stub and instruction trace (off by default)
  // --nvr=rtl: the NVR is the verilated RTL core (rtl/) instead of the TLM; --rtl-vcd its waveform.
  bool nvr_rtl = false;
  std::string rtl_vcd;
  // --record-nvr-events: the events the NVR receives, for lock-step replay (rtl/README.md).
  std::string record_nvr_events;
};

class soc : public sc_core::sc_module {
 public:
  soc(const sc_core::sc_module_name& name, const soc_config& config);

  // The UART writes here; declared before the blocks so it outlives them.
 private:
  std::unique_ptr<std::ofstream> m_uart_file;
  std::unique_ptr<std::ofstream> m_record_file;  // --record-nvr-events, outlives the unit

 public:
  cpu::rv32 cpu;
  bus::router bus;
  memory::ram dram;
  uart::uart16550 uart0;
  clint::clint clint;
  plic::plic plic;
  testdev::sifive_test testdev;
  npu::npu npu;
  // The runahead unit beside the NPU (--prefetcher nvr or dvr); null otherwise.
  std::unique_ptr<runahead::runahead_unit> nvr;

  sc_core::sc_signal<bool> irq_timer{"irq_timer"};
  sc_core::sc_signal<bool> irq_software{"irq_software"};
  sc_core::sc_signal<bool> irq_external{"irq_external"};
  sc_core::sc_signal<bool> irq_uart0{"irq_uart0"};
  sc_core::sc_signal<bool> irq_npu{"irq_npu"};

  // VCD group "irq": the interrupt lines, traced at the simulated time of each edge.
  trace::line_probes irq_probes{
      "irq_probes", "irq", {&irq_timer, &irq_software, &irq_external, &irq_uart0, &irq_npu}};

  // The CPU's GDB stub and instruction trace; null unless asked for (the CPU then runs its plain
  // loop).
  std::unique_ptr<cpu::rv32_debug> cpu_debug;

  // Copies the firmware into memory at the end of elaboration (the bus is bound by then and no
  // process has run yet); load errors leave sc_start() as elf_error.
  void preload(elf_image image, std::string path);
  // Raw bytes copied to `address` at the same time, after the firmware (--load); a range not
  // entirely backed by memory leaves sc_start() as elf_error naming `path`.
  void preload_data(std::uint64_t address, std::vector<std::uint8_t> bytes, std::string path);

  // Writes `size` bytes at a bus address without side effects or time (ELF loading, debuggers);
  // returns how many bytes reached memory.
  std::size_t debug_write(std::uint64_t address, const std::uint8_t* data, std::size_t size);
  std::size_t debug_read(std::uint64_t address, std::uint8_t* data, std::size_t size);

 private:
  tlm_utils::simple_initiator_socket<soc> m_debug;  // loader and debugger access to the bus
  std::ostream& uart_stream(const std::string& path);
  void end_of_elaboration() override;

  std::optional<elf_image> m_firmware;
  std::string m_firmware_path;
  struct data_load {
    std::uint64_t address;
    std::vector<std::uint8_t> bytes;
    std::string path;
  };
  std::vector<data_load> m_data;
};

}  // namespace nvr::platform
