#include "platform/soc.h"

#include <iostream>
#include <sstream>
#include <stdexcept>

#include "ip/nvr/runahead.h"
#ifdef NVR_HAVE_RTL
#include "rtl/adapter/rtl_nvr.h"
#endif

namespace nvr::platform {

namespace {
// --nvr=rtl: the RTL core behind its adapter, with the TLM's parameters.
std::unique_ptr<mem::prefetcher> make_rtl_nvr(const soc_config& config) {
#ifdef NVR_HAVE_RTL
  return std::make_unique<rtl::rtl_nvr_prefetcher>(
      runahead::parse_nvr_config(config.npu.memory.prefetcher_params), config.rtl_vcd);
#else
  (void)config;
  throw std::invalid_argument("--nvr=rtl: this build has no RTL (configured with -DNVR_RTL=OFF)");
#endif
}

npu::npu_config npu_settings(const soc_config& config) {
  npu::npu_config c = config.npu;
  c.dram_base = NVR_DRAM_BASE;
  c.dram_size = config.dram_size;
  // A runahead prefetcher is a block of its own beside the NPU (soc.nvr), not the hierarchy's.
  if (runahead::is_runahead(c.memory.prefetcher)) {
    c.memory.prefetcher = "none";
    c.memory.prefetcher_params.clear();
  }
  return c;
}
}  // namespace

std::ostream& soc::uart_stream(const std::string& path) {
  if (path.empty()) return std::cout;
  m_uart_file = std::make_unique<std::ofstream>(path, std::ios::binary | std::ios::trunc);
  if (!*m_uart_file) throw std::runtime_error("--uart-out: cannot write '" + path + "'");
  return *m_uart_file;
}

soc::soc(const sc_core::sc_module_name& name, const soc_config& config)
    : sc_module(name),
      cpu("cpu", config.cpu),
      bus("bus"),
      dram("dram", config.dram_size, config.dram_latency, config.dram_latency),
      uart0("uart0", uart_stream(config.uart_output)),
      clint("clint", NVR_CLINT_MTIME_HZ),
      plic("plic"),
      testdev("testdev"),
      npu("npu", npu_settings(config)),
      m_debug("debug") {
  cpu.bus.bind(bus.in);
  m_debug.bind(bus.in);

  bus.map(testdev.in, NVR_TESTDEV_BASE, NVR_TESTDEV_SIZE, "testdev");
  bus.map(clint.in, NVR_CLINT_BASE, NVR_CLINT_SIZE, "clint");
  bus.map(plic.in, NVR_PLIC_BASE, NVR_PLIC_SIZE, "plic");
  bus.map(uart0.in, NVR_UART0_BASE, NVR_UART0_SIZE, "uart0");
  bus.map(dram.in, NVR_DRAM_BASE, config.dram_size, "dram");
  bus.map(npu.in, NVR_NPU_BASE, NVR_NPU_SIZE, "npu");
  npu.dma.bind(bus.in);

  clint.irq_timer.bind(irq_timer);
  clint.irq_software.bind(irq_software);
  cpu.irq_timer.bind(irq_timer);
  cpu.irq_software.bind(irq_software);
  uart0.irq.bind(irq_uart0);
  plic.irq_sources[NVR_IRQ_UART0].bind(irq_uart0);
  npu.irq.bind(irq_npu);
  plic.irq_sources[NVR_IRQ_NPU].bind(irq_npu);
  plic.irq_external.bind(irq_external);
  cpu.irq_external.bind(irq_external);

  if (runahead::is_runahead(config.npu.memory.prefetcher)) {
    if (config.nvr_rtl)
      nvr = std::make_unique<runahead::runahead_unit>("nvr", make_rtl_nvr(config));
    else
      nvr = std::make_unique<runahead::runahead_unit>("nvr", config.npu.memory.prefetcher,
                                                      config.npu.memory.prefetcher_params);
    npu.memory().attach_prefetcher(&nvr->engine());
    if (!config.record_nvr_events.empty()) {
      auto* engine = dynamic_cast<runahead::runahead_engine*>(&nvr->engine());
      m_record_file = std::make_unique<std::ofstream>(config.record_nvr_events, std::ios::trunc);
      if (!engine || !*m_record_file)
        throw std::invalid_argument("--record-nvr-events: cannot write '" + config.record_nvr_events + "'");
      engine->record_events(m_record_file.get());
    }
    npu.nvr_snoop.bind(nvr->snoop);
  }

  if (config.cpu_debug.enabled()) cpu_debug = std::make_unique<cpu::rv32_debug>(cpu, config.cpu_debug);
}

void soc::preload(elf_image image, std::string path) {
  m_firmware = std::move(image);
  m_firmware_path = std::move(path);
}

void soc::preload_data(std::uint64_t address, std::vector<std::uint8_t> bytes, std::string path) {
  m_data.push_back({address, std::move(bytes), std::move(path)});
}

void soc::end_of_elaboration() {
  if (m_firmware) {
    load_elf(*m_firmware, m_firmware_path,
             [this](std::uint64_t address, const std::uint8_t* data, std::size_t size) {
               return debug_write(address, data, size);
             });
    m_firmware.reset();
  }
  for (const data_load& load : m_data) {
    const std::uint64_t end = load.address + load.bytes.size();
    if (end > (1ull << 32) ||
        debug_write(load.address, load.bytes.data(), load.bytes.size()) != load.bytes.size()) {
      std::ostringstream message;
      message << "--load: '" << load.path << "' (" << load.bytes.size() << " bytes at 0x" << std::hex
              << load.address << ") lies outside memory";
      throw elf_error(message.str());
    }
  }
  m_data.clear();
}

namespace {
std::size_t debug_transport(tlm_utils::simple_initiator_socket<soc>& socket, tlm::tlm_command command,
                            std::uint64_t address, std::uint8_t* data, std::size_t size) {
  tlm::tlm_generic_payload payload;
  payload.set_command(command);
  payload.set_address(address);
  payload.set_data_ptr(data);
  payload.set_data_length(static_cast<unsigned>(size));
  return socket->transport_dbg(payload);
}
}  // namespace

std::size_t soc::debug_write(std::uint64_t address, const std::uint8_t* data, std::size_t size) {
  return debug_transport(m_debug, tlm::TLM_WRITE_COMMAND, address, const_cast<std::uint8_t*>(data), size);
}

std::size_t soc::debug_read(std::uint64_t address, std::uint8_t* data, std::size_t size) {
  return debug_transport(m_debug, tlm::TLM_READ_COMMAND, address, data, size);
}

}  // namespace nvr::platform
