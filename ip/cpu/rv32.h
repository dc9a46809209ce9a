// RV32IMAC + Zicsr + Zifencei machine-mode instruction-set simulator, loosely timed (TLM-2.0 base
// protocol, temporal decoupling with the global quantum, DMI). ip/cpu/README.md describes it.
#pragma once

#include <tlm_utils/simple_initiator_socket.h>

#include <cstdint>
#include <memory>
#include <systemc>
#include <tlm>
#include <vector>

#include "core/stats.h"
#include "core/trace/vcd.h"

namespace nvr::cpu {

namespace detail {
struct insn;
struct decode_page;
}  // namespace detail

// The debug/trace variant of the run loop reports to one of these (rv32_debug: GDB stub and
// instruction trace). With none attached the CPU runs the plain loop, which has no trace of it.
class rv32_monitor {
 public:
  virtual ~rv32_monitor() = default;
  // Before each instruction at `pc`; every earlier instruction has retired (or trapped). true: halt
  // before executing it.
  virtual bool before_instruction(std::uint32_t pc) = 0;
  // Before a data access of the instruction about to execute (access: 1 read, 2 write, 3 both, an
  // AMO). true: halt before the instruction (its pc stays).
  virtual bool before_access(std::uint32_t address, unsigned size, unsigned access) = 0;
  // At the start of the run and at every synchronisation at a quantum end. true: halt.
  virtual bool at_sync(bool start) = 0;
  // The run loop halted; blocks until the target may go on. false: end the simulation.
  virtual bool halted() = 0;
  // While true, pending interrupts are not taken (single-stepping).
  virtual bool interrupts_masked() const = 0;
  // Whether the next run slice needs the hooks above (breakpoints, watchpoints, stepping, a
  // trace); false: the plain loop runs until the next synchronisation, at full speed.
  virtual bool per_instruction() const = 0;
};

struct rv32_config {
  std::uint32_t reset_pc = 0x80000000;
  sc_core::sc_time clock_period = sc_core::sc_time(1, sc_core::SC_NS);  // 1 GHz
  // Use DMI for memory when the target grants it.
  bool dmi = true;
  // 0 = unlimited; when reached: sc_stop() and instruction_limit_reached() = true.
  std::uint64_t max_instructions = 0;
  std::uint32_t hart_id = 0;
  // Misaligned loads and stores: false (default) performs them, as QEMU's riscv32 virt does;
  // true raises load/store address-misaligned exceptions instead.
  bool trap_misaligned = false;
};

class rv32 : public sc_core::sc_module {
 public:
  tlm_utils::simple_initiator_socket<rv32> bus;                // BUSWIDTH 32, base protocol
  sc_core::sc_in<bool> irq_timer, irq_software, irq_external;  // MTIP, MSIP, MEIP, level-sensitive

  SC_HAS_PROCESS(rv32);
  rv32(const sc_core::sc_module_name& name, const rv32_config& config);
  ~rv32() override;
  rv32(const rv32&) = delete;
  rv32& operator=(const rv32&) = delete;

  // Architectural reset: pc = reset_pc, registers zero, CSRs to their reset values. Like set_pc()
  // and set_reg(), meant for when the CPU's thread is not running (before sc_start, or stopped).
  void reset();
  void set_pc(std::uint32_t pc);
  std::uint32_t pc() const;
  std::uint32_t reg(unsigned index) const;  // x0..x31; other indexes read 0
  void set_reg(unsigned index, std::uint32_t value);
  std::uint64_t instructions_retired() const;  // since construction (minstret may be rewritten)
  std::uint64_t cycles() const;                // since construction (mcycle may be rewritten)
  bool instruction_limit_reached() const;
  // The run ended because SIGINT or SIGTERM asked for it (core/debug/run_control.h), or a
  // debugger killed it (monitor quit, kill).
  bool stopped_by_request() const { return m_stop_requested; }
  bool killed_by_debugger() const { return m_killed; }

  // Selects the debug/trace variant of the run loop (nullptr: the plain one). Before sc_start.
  void attach(rv32_monitor* monitor) { m_monitor = monitor; }
  // The CPU's local time (kernel time + the offset it runs ahead).
  sc_core::sc_time local_time() const { return now(); }

  // Forgets every predecoded instruction. Call it after writing memory that may hold code behind
  // the CPU's back (DMA, a debugger writing through DMI); the CPU's own stores, fence.i and DMI
  // invalidations take care of themselves.
  void invalidate_decode_cache();

  const rv32_config& config() const { return m_config; }

 private:
  friend class rv32_debug;  // registers, CSRs and the decode cache for the debugger

  struct dmi_region {
    std::uint64_t start = 0;
    std::uint64_t size = 0;  // bytes; start + size <= 2^32
    std::uint8_t* ptr = nullptr;
    std::uint32_t read_cycles = 0;
    std::uint32_t write_cycles = 0;
    bool readable = false;
    bool writable = false;
  };
  struct address_range {
    std::uint64_t start, end;  // inclusive
  };
  struct fetch_state {
    std::uint64_t cycles = 0;  // fetch latency, charged when the instruction retires
    bool cacheable = true;
  };

  // --- run loop (rv32_execute.cpp) ---
  void run();
  template <bool Debug>
  void execute();
  // Hooks of the debug/trace variant of the run loop (execute<true>): true halts it.
  bool debug_step(std::uint32_t pc) {
    m_halt = m_monitor->before_instruction(pc);
    return m_halt;
  }
  bool debug_access(std::uint32_t address, unsigned size, unsigned access) {
    m_halt = m_monitor->before_access(address, size, access);
    return m_halt;
  }
  // Out-of-line parts of run(): after a quantum with a stop signal or a debugger, and a halt.
  // True: the run is over.
  [[gnu::noinline]] bool after_quantum();
  [[gnu::noinline]] bool halt();

  // --- decode cache ---
  detail::insn* entry_for(std::uint32_t pc);
  detail::decode_page* new_page(std::uint32_t pc);
  detail::insn* fetch_and_decode(std::uint32_t pc);
  void drop_decode_pages();
  bool fetch_word(std::uint32_t address, std::uint32_t& word, fetch_state& state);
  void invalidate_code(std::uint32_t address, unsigned size);
  void invalidate_granule(std::uint32_t granule);

  // --- memory ---
  bool load_slow(std::uint32_t address, unsigned size, std::uint32_t& value);
  bool store_slow(std::uint32_t address, unsigned size, std::uint32_t value);
  bool read_data(std::uint32_t address, unsigned size, std::uint32_t& value);
  bool write_data(std::uint32_t address, unsigned size, std::uint32_t value);
  bool bus_access(tlm::tlm_command command, std::uint32_t address, std::uint8_t* data, unsigned size,
                  bool fetch);
  const dmi_region* find_dmi(std::uint32_t address, unsigned size, bool write) const;
  void request_dmi(std::uint32_t address, tlm::tlm_command command);
  void invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end);
  void use_for_reads(const dmi_region& region);
  void use_for_writes(const dmi_region& region);
  void forget_fast_regions();

  // --- atomics, CSRs, traps (rv32.cpp) ---
  bool exec_lr(const detail::insn& d);
  bool exec_sc(const detail::insn& d);
  bool exec_amo(const detail::insn& d);
  bool exec_csr(const detail::insn& d);
  bool csr_read(std::uint32_t csr, std::uint32_t& value);
  bool csr_write(std::uint32_t csr, std::uint32_t value, unsigned cost);
  void exec_mret();
  void exec_fence_i();
  void raise(std::uint32_t cause, std::uint32_t tval);
  void enter_trap(std::uint32_t mcause, std::uint32_t tval);
  void take_interrupt();
  bool interrupt_pending() const;
  void sample_irq_lines();

  // --- time ---
  sc_core::sc_time local_offset() const;
  sc_core::sc_time now() const;
  std::uint64_t ceil_cycles(const sc_core::sc_time& t) const;
  void add_elapsed(const sc_core::sc_time& from, const sc_core::sc_time& to);
  void sync();
  void sync_after_mmio();
  void wait_for_interrupt();
  void start_quantum();
  std::uint64_t executed() const { return m_instret + m_exceptions; }
  std::uint64_t mcycle_value(std::uint64_t at) const;
  std::uint64_t minstret_value(std::uint64_t at) const;

  void publish_statistics();

  const rv32_config m_config;
  std::uint64_t m_period;  // clock period in kernel time units

  // Architectural state. m_x[32] is the sink that rd = x0 writes to.
  alignas(64) std::uint32_t m_x[33] = {};
  std::uint32_t m_pc = 0;
  std::uint32_t m_mstatus = 0, m_mie = 0, m_mip = 0, m_mtvec = 0, m_mscratch = 0, m_mepc = 0, m_mcause = 0,
                m_mtval = 0, m_mcountinhibit = 0;
  std::uint64_t m_mcycle_offset = 0, m_mcycle_frozen = 0, m_minstret_offset = 0, m_minstret_frozen = 0;
  bool m_reservation_valid = false;
  std::uint32_t m_reservation_address = 0, m_reservation_value = 0;

  // Run-loop state shared with the slow paths: cycles and retired instructions since construction,
  // and the cycle count at which execute() must return (a slow path sets it to 0 to force that).
  std::uint64_t m_cycles = 0, m_instret = 0, m_exceptions = 0, m_limit = 0;
  bool m_wfi = false;
  bool m_limit_reached = false;

  // Debugging and tracing (rv32_monitor); m_halt: the debug loop left to halt.
  rv32_monitor* m_monitor = nullptr;
  bool m_halt = false;
  bool m_stop_requested = false, m_killed = false;

  // Local time: the kernel time at the last synchronisation and the cycle count at that moment;
  // the quantum ends at m_quantum_end cycles.
  sc_core::sc_time m_sync_time;
  std::uint64_t m_sync_cycles = 0, m_quantum_end = 0;

  // Decode cache: a page table over the 4-GiB address space (lazily allocated 4-KiB pages of
  // predecoded entries) and a byte per 256-byte granule that holds decoded code (stores check it).
  struct page_table_deleter {
    void operator()(void* p) const;
  };
  std::unique_ptr<detail::decode_page*[], page_table_deleter> m_pages;
  std::unique_ptr<std::uint8_t[], page_table_deleter> m_code_map;
  std::vector<detail::decode_page*> m_page_list;
  bool m_drop_pages = false;                         // too many pages: drop them all at the next safe point
  std::unique_ptr<detail::decode_page> m_miss_page;  // entry_for of pages without cached code
  // Code fetched through b_transport is decoded here, one instruction at a time, and fetched again
  // next time; every other entry is op_lookup.
  std::unique_ptr<detail::decode_page> m_uncached;
  unsigned m_uncached_index = 0;

  // DMI: granted regions, the regions last used for reads and writes (fast path), denied ranges.
  std::vector<dmi_region> m_dmi;
  std::vector<address_range> m_dmi_denied;
  std::uint32_t m_rd_start = 0, m_wr_start = 0;
  std::uint64_t m_rd_size = 0, m_wr_size = 0;
  std::uint8_t* m_rd_ptr = nullptr;
  std::uint8_t* m_wr_ptr = nullptr;
  std::uint64_t m_rd_ticks = 0, m_wr_ticks = 0;  // access latency in ticks (cycles << tick_shift)
  tlm::tlm_generic_payload m_payload;

  // Statistics (plain counters; the registry reads them through the publications).
  std::uint64_t m_traps[16] = {};
  std::uint64_t m_interrupts[3] = {};  // software, timer, external
  std::uint64_t m_mmio_reads = 0, m_mmio_writes = 0, m_bus_fetches = 0, m_bus_memory_accesses = 0;
  std::uint64_t m_dmi_grants = 0, m_dmi_invalidations = 0;
  std::uint64_t m_quantum_syncs = 0, m_mmio_syncs = 0, m_wfi_waits = 0;
  std::uint64_t m_decoded = 0, m_decode_flushes = 0;
  std::vector<std::unique_ptr<stats::publication>> m_publications;

  // VCD signals (group "cpu"), recorded at the CPU's local time, on slow paths only.
  enum run_state : std::uint64_t { state_running = 0, state_wfi = 1, state_halted = 2 };
  trace::signal m_trace_state{*this, "state", 2, "cpu", trace::format::decimal};  // run_state
  trace::signal m_trace_exception{*this, "exception", 1, "cpu"};                  // pulse per exception
  trace::signal m_trace_interrupt{*this, "interrupt", 1, "cpu"};                  // pulse per interrupt
  trace::signal m_trace_mcause{*this, "mcause", 32, "cpu", trace::format::hex};   // of the last trap
  trace::signal m_trace_mepc{*this, "mepc", 32, "cpu", trace::format::hex};       // pc of the last trap
  trace::signal m_trace_mtval{*this, "mtval", 32, "cpu", trace::format::hex};     // of the last trap
};

}  // namespace nvr::cpu
