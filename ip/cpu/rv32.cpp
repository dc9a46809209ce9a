// RV32IMAC CPU model: construction, the SystemC thread and its synchronisation, memory access
// slow paths and DMI, the decode cache, CSRs, traps and interrupts. The instruction loop itself is
// in rv32_execute.cpp, the decoder in rv32_decode.cpp.
#include "ip/cpu/rv32.h"

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <new>
#include <stdexcept>
#include <string>

#include "core/debug/run_control.h"
#include "ip/cpu/rv32_isa.h"
#include "ip/cpu/rv32_page.h"
#include "ip/cpu/timing.h"
#include "platform/memory_map.h"

static_assert(__BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__, "DMI accesses assume a little-endian host");

namespace nvr::cpu {

using namespace detail;

void rv32::page_table_deleter::operator()(void* p) const { std::free(p); }

rv32::rv32(const sc_core::sc_module_name& name, const rv32_config& config)
    : sc_module(name),
      bus("bus"),
      irq_timer("irq_timer"),
      irq_software("irq_software"),
      irq_external("irq_external"),
      m_config(config),
      m_period(config.clock_period.value()) {
  if (m_period == 0)
    throw std::invalid_argument(std::string(this->name()) + ": clock_period must be positive");
  // calloc: the kernel hands out zero pages lazily, so only the parts in use cost memory.
  m_pages.reset(
      static_cast<decode_page**>(std::calloc(std::size_t{1} << (32 - page_shift), sizeof(decode_page*))));
  m_code_map.reset(static_cast<std::uint8_t*>(std::calloc(std::size_t{1} << (32 - granule_shift), 1)));
  if (!m_pages || !m_code_map) throw std::bad_alloc();
  m_miss_page = std::make_unique<decode_page>(op_decode);
  m_uncached = std::make_unique<decode_page>(op_lookup);

  bus.register_invalidate_direct_mem_ptr(this, &rv32::invalidate_direct_mem_ptr);
  SC_THREAD(run);
  publish_statistics();
  reset();
}

rv32::~rv32() {
  for (decode_page* page : m_page_list) delete page;
}

// --- public interface -------------------------------------------------------------------------

void rv32::reset() {
  std::fill(std::begin(m_x), std::end(m_x), 0u);
  m_pc = m_config.reset_pc & ~1u;
  m_mstatus = mstatus_mpp;
  m_mie = 0;
  m_mtvec = 0;
  m_mscratch = 0;
  m_mepc = 0;
  m_mcause = 0;
  m_mtval = 0;
  m_mcountinhibit = 0;
  m_mcycle_offset = 0 - m_cycles;  // mcycle and minstret read 0 after reset
  m_minstret_offset = 0 - m_instret;
  m_mcycle_frozen = 0;
  m_minstret_frozen = 0;
  m_reservation_valid = false;
  m_wfi = false;
  m_limit = 0;
}

void rv32::set_pc(std::uint32_t pc) { m_pc = pc & ~1u; }
std::uint32_t rv32::pc() const { return m_pc; }
std::uint32_t rv32::reg(unsigned index) const { return index < 32 ? m_x[index] : 0; }
void rv32::set_reg(unsigned index, std::uint32_t value) {
  if (index > 0 && index < 32) m_x[index] = value;
}
std::uint64_t rv32::instructions_retired() const { return m_instret; }
std::uint64_t rv32::cycles() const { return m_cycles; }
bool rv32::instruction_limit_reached() const { return m_limit_reached; }

// --- the thread -------------------------------------------------------------------------------

// After a quantum's synchronisation, when a stop signal came or a debugger is attached (out of
// line: the common path of run() stays small). True: the run is over. A stop signal ends the run
// here, so the platform still writes its statistics.
bool rv32::after_quantum() {
  if (debug::stop_requested()) {
    m_stop_requested = true;
    sc_core::sc_stop();
    return true;
  }
  m_halt = m_monitor->at_sync(/*start=*/false);
  return false;
}

// Halted by the debugger: this thread blocks in halted(), so no other process runs and simulated
// time stands still until the debugger lets the CPU go. True: the run is over (killed).
bool rv32::halt() {
  m_halt = false;
  if (m_monitor->halted()) return false;
  m_killed = !debug::stop_requested();
  m_stop_requested = !m_killed;
  sc_core::sc_stop();
  return true;
}

void rv32::run() {
  m_sync_time = sc_core::sc_time_stamp();
  m_sync_cycles = m_cycles;
  start_quantum();
  m_halt = m_monitor != nullptr && m_monitor->at_sync(/*start=*/true);
  for (;;) {
    if (__builtin_expect(m_halt, 0) && halt()) return;
    if (m_drop_pages) drop_decode_pages();
    sample_irq_lines();
    if (interrupt_pending() && (m_monitor == nullptr || !m_monitor->interrupts_masked())) take_interrupt();
    if (m_config.max_instructions != 0 && executed() >= m_config.max_instructions) {
      sync();
      m_limit_reached = true;
      m_trace_state.record(now(), state_halted);
      sc_core::sc_stop();
      return;
    }
    if (m_wfi) {
      wait_for_interrupt();
      continue;
    }
    if (m_cycles >= m_quantum_end) {
      ++m_quantum_syncs;
      sync();
      if (__builtin_expect(debug::stop_requested() || m_monitor != nullptr, 0) && after_quantum()) return;
      continue;
    }
    // Every instruction (and every exception) costs at least one cycle, so a cycle limit of
    // "now + remaining instructions" never overshoots the instruction limit.
    std::uint64_t limit = m_quantum_end;
    if (m_config.max_instructions != 0)
      limit = std::min(limit, m_cycles + (m_config.max_instructions - executed()));
    m_limit = limit;
    if (m_monitor != nullptr && m_monitor->per_instruction())
      execute<true>();
    else
      execute<false>();
  }
}

// --- time -------------------------------------------------------------------------------------

sc_core::sc_time rv32::local_offset() const {
  return sc_core::sc_time::from_value((m_cycles - m_sync_cycles) * m_period);
}

sc_core::sc_time rv32::now() const { return m_sync_time + local_offset(); }

std::uint64_t rv32::ceil_cycles(const sc_core::sc_time& t) const {
  return (t.value() + m_period - 1) / m_period;
}

void rv32::start_quantum() {
  const sc_core::sc_time quantum = tlm::tlm_global_quantum::instance().get();
  if (quantum == sc_core::SC_ZERO_TIME) {
    m_quantum_end = m_sync_cycles + 1;
    return;
  }
  const std::uint64_t q = quantum.value();
  const std::uint64_t remaining = q - m_sync_time.value() % q;
  m_quantum_end = m_sync_cycles + std::max<std::uint64_t>(1, (remaining + m_period - 1) / m_period);
}

void rv32::sync() {
  wait(local_offset());
  m_sync_time = sc_core::sc_time_stamp();
  m_sync_cycles = m_cycles;
  start_quantum();
}

// After an access to a register (no DMI): bring the kernel to the CPU's time and let what the
// access caused at this time settle (signal updates, processes of the same time step), so the
// interrupt lines and time-observing registers are right for the next instruction.
void rv32::sync_after_mmio() {
  ++m_mmio_syncs;
  sync();
  for (int i = 0; i < 8 && sc_core::sc_pending_activity_at_current_time(); ++i) wait(sc_core::SC_ZERO_TIME);
  sample_irq_lines();
  m_limit = 0;  // back to the run loop: an interrupt may be pending now
}

void rv32::wait_for_interrupt() {
  sync();
  m_trace_state.record(now(), state_wfi);
  sample_irq_lines();
  while ((m_mip & m_mie) == 0) {
    ++m_wfi_waits;
    const sc_core::sc_time before = sc_core::sc_time_stamp();
    wait(irq_timer.value_changed_event() | irq_software.value_changed_event() |
         irq_external.value_changed_event());
    m_cycles += ceil_cycles(sc_core::sc_time_stamp() - before);
    m_sync_time = sc_core::sc_time_stamp();
    m_sync_cycles = m_cycles;
    start_quantum();
    sample_irq_lines();
  }
  // Woken by an enabled interrupt: taken now if mstatus.MIE is set, otherwise execution simply
  // continues after the wfi.
  m_wfi = false;
  m_trace_state.record(now(), state_running);
}

// --- interrupts and traps ---------------------------------------------------------------------

void rv32::sample_irq_lines() {
  m_mip = (irq_software.read() ? mip_msip : 0u) | (irq_timer.read() ? mip_mtip : 0u) |
          (irq_external.read() ? mip_meip : 0u);
}

bool rv32::interrupt_pending() const { return (m_mstatus & mstatus_mie) != 0 && (m_mip & m_mie) != 0; }

void rv32::take_interrupt() {
  const std::uint32_t pending = m_mip & m_mie;
  // Priority: external, software, timer.
  const std::uint32_t code = (pending & mip_meip) ? irq_mei : (pending & mip_msip) ? irq_msi : irq_mti;
  ++m_interrupts[code == irq_msi ? 0 : code == irq_mti ? 1 : 2];
  m_wfi = false;
  enter_trap(mcause_interrupt | code, 0);
}

void rv32::raise(std::uint32_t cause, std::uint32_t tval) {
  ++m_traps[cause & 15];
  ++m_exceptions;
  enter_trap(cause, tval);
}

void rv32::enter_trap(std::uint32_t mcause, std::uint32_t tval) {
  if (m_trace_mcause.enabled()) {
    const sc_core::sc_time at = now();
    ((mcause & mcause_interrupt) != 0 ? m_trace_interrupt : m_trace_exception).pulse(at);
    m_trace_mcause.record(at, mcause);
    m_trace_mepc.record(at, m_pc);
    m_trace_mtval.record(at, tval);
  }
  m_mepc = m_pc;
  m_mcause = mcause;
  m_mtval = tval;
  const std::uint32_t mpie = (m_mstatus & mstatus_mie) ? mstatus_mpie : 0u;
  m_mstatus = (m_mstatus & ~(mstatus_mie | mstatus_mpie)) | mpie | mstatus_mpp;
  m_reservation_valid = false;
  std::uint32_t target = m_mtvec & ~3u;
  if ((mcause & mcause_interrupt) != 0 && (m_mtvec & 3u) == 1) target += 4 * (mcause & 0x1f);
  m_pc = target;
  m_cycles += timing::trap_entry;
}

void rv32::exec_mret() {
  const std::uint32_t mie = (m_mstatus & mstatus_mpie) ? mstatus_mie : 0u;
  m_mstatus = (m_mstatus & ~mstatus_mie) | mie | mstatus_mpie | mstatus_mpp;
  m_pc = m_mepc;
  m_reservation_valid = false;
  m_limit = 0;  // interrupts may be enabled now
}

void rv32::exec_fence_i() { invalidate_decode_cache(); }

// --- decode cache -----------------------------------------------------------------------------

decode_page* rv32::new_page(std::uint32_t pc) {
  auto* page = new decode_page();
  page->base = pc & ~((1u << page_shift) - 1);
  m_page_list.push_back(page);
  m_pages[pc >> page_shift] = page;
  if (m_page_list.size() >= max_decode_pages) {
    m_drop_pages = true;
    m_limit = 0;
  }
  return page;
}

// Only from the run loop, where no entry pointer is alive.
void rv32::drop_decode_pages() {
  ++m_decode_flushes;
  for (decode_page* page : m_page_list) {
    std::memset(&m_code_map[page->base >> granule_shift], 0, 1u << (page_shift - granule_shift));
    m_pages[page->base >> page_shift] = nullptr;
    delete page;
  }
  m_page_list.clear();
  m_drop_pages = false;
}

// Only the operation is reset: the run loop may still read len and cost of the entry it is
// executing when a store of that very instruction invalidates it.
void rv32::invalidate_decode_cache() {
  ++m_decode_flushes;
  for (decode_page* page : m_page_list) {
    for (unsigned i = 0; i < page_entries; ++i) page->e[i].op = op_decode;
    std::memset(&m_code_map[page->base >> granule_shift], 0, 1u << (page_shift - granule_shift));
  }
}

void rv32::invalidate_granule(std::uint32_t granule) {
  m_code_map[granule] = 0;
  const std::uint32_t base = granule << granule_shift;
  if (decode_page* page = m_pages[base >> page_shift]) {
    insn* first = &page->e[(base & ((1u << page_shift) - 1)) >> 1];
    for (unsigned i = 0; i < granule_entries; ++i) first[i].op = op_decode;
  }
  // A 32-bit instruction that starts in the last parcel before the granule ends inside it.
  const std::uint32_t before = base - 2;
  if (decode_page* page = m_pages[before >> page_shift])
    page->e[(before & ((1u << page_shift) - 1)) >> 1].op = op_decode;
}

void rv32::invalidate_code(std::uint32_t address, unsigned size) {
  const std::uint32_t first = address >> granule_shift;
  const std::uint32_t last = (address + size - 1) >> granule_shift;
  if (m_code_map[first]) invalidate_granule(first);
  if (last != first && m_code_map[last]) invalidate_granule(last);
}

// Fetch latency is charged when the instruction retires, whether the code comes through DMI or
// b_transport, so both give the same timing (the instruction's own accesses happen at the local
// time it started). A fetch from a register region synchronises at once: its latency stays
// charged where it is.
bool rv32::fetch_word(std::uint32_t address, std::uint32_t& word, fetch_state& state) {
  if (const dmi_region* region = find_dmi(address, 4, false)) {
    std::memcpy(&word, region->ptr + (address - region->start), 4);
    state.cycles += region->read_cycles;
    return true;
  }
  state.cacheable = false;
  std::uint8_t data[4] = {};
  const std::uint64_t before = m_cycles;
  if (!bus_access(tlm::TLM_READ_COMMAND, address, data, 4, true)) return false;
  if (m_sync_cycles <= before) {
    state.cycles += m_cycles - before;
    m_cycles = before;
  }
  std::memcpy(&word, data, 4);
  return true;
}

// Fetches (one access per aligned 32-bit word the instruction occupies) and decodes the
// instruction at pc. Code read through DMI is cached in its page; code read through b_transport is
// decoded into the uncached page and fetched again next time. Null: the fetch failed and the
// instruction access fault is taken.
insn* rv32::fetch_and_decode(std::uint32_t pc) {
  fetch_state state;
  std::uint32_t word = 0;
  if (!fetch_word(pc & ~3u, word, state)) {
    raise(cause_fetch_access, pc);
    return nullptr;
  }
  std::uint32_t raw = word >> ((pc & 2u) * 8);
  if ((raw & 3u) == 3u && (pc & 2u) != 0) {
    std::uint32_t next = 0;
    if (!fetch_word(pc + 2, next, state)) {
      raise(cause_fetch_access, pc + 2);
      return nullptr;
    }
    raw = (raw & 0xffffu) | (next << 16);
  }
  insn d = decode(raw, pc);
  ++m_decoded;
  std::uint64_t cycles = d.cycles() + state.cycles;
  const unsigned index = (pc & ((1u << page_shift) - 1)) >> 1;
  if (!state.cacheable) {
    if (cycles > max_entry_cycles) {  // a very slow fetch: charge the excess now
      m_cycles += cycles - max_entry_cycles;
      cycles = max_entry_cycles;
    }
    d.tick = ticks(static_cast<std::uint32_t>(cycles)) + 1;
    if (d.len == 2) d.op += op_compressed;
    m_uncached->e[m_uncached_index].op = op_lookup;
    m_uncached->base = pc & ~((1u << page_shift) - 1);
    m_uncached->e[index] = d;
    m_uncached_index = index;
    return &m_uncached->e[index];
  }
  // DMI latencies beyond max_entry_cycles (4095) per instruction are not modelled.
  d.tick = ticks(static_cast<std::uint32_t>(std::min<std::uint64_t>(cycles, max_entry_cycles))) + 1;
  const auto target = static_cast<std::uint32_t>(d.imm);
  if (is_far_branch(d.op) && (target >> page_shift) == (pc >> page_shift)) {
    d.aux = static_cast<std::int16_t>(static_cast<std::int32_t>(target - pc) / 2);
    d.op = local_form(d.op);
  }
  if (d.len == 2) d.op += op_compressed;
  decode_page* page = m_pages[pc >> page_shift];
  if (page == nullptr) page = new_page(pc);
  insn* slot = &page->e[index];
  *slot = d;
  m_code_map[pc >> granule_shift] = 1;
  m_code_map[(pc + d.len - 1) >> granule_shift] = 1;
  return slot;
}

// --- memory -----------------------------------------------------------------------------------

const rv32::dmi_region* rv32::find_dmi(std::uint32_t address, unsigned size, bool write) const {
  for (const dmi_region& region : m_dmi) {
    const std::uint32_t offset = address - static_cast<std::uint32_t>(region.start);
    if (static_cast<std::uint64_t>(offset) + size <= region.size &&
        (write ? region.writable : region.readable))
      return &region;
  }
  return nullptr;
}

void rv32::use_for_reads(const dmi_region& region) {
  m_rd_start = static_cast<std::uint32_t>(region.start);
  m_rd_size = region.size;
  m_rd_ptr = region.ptr;
  m_rd_ticks = ticks(region.read_cycles);
}

void rv32::use_for_writes(const dmi_region& region) {
  m_wr_start = static_cast<std::uint32_t>(region.start);
  m_wr_size = region.size;
  m_wr_ptr = region.ptr;
  m_wr_ticks = ticks(region.write_cycles);
}

void rv32::forget_fast_regions() {
  m_rd_size = 0;
  m_wr_size = 0;
  m_rd_ptr = nullptr;
  m_wr_ptr = nullptr;
}

void rv32::request_dmi(std::uint32_t address, tlm::tlm_command command) {
  for (const address_range& denied : m_dmi_denied)
    if (address >= denied.start && address <= denied.end) return;
  tlm::tlm_generic_payload payload;
  payload.set_command(command);
  payload.set_address(address);
  payload.set_data_length(0);
  tlm::tlm_dmi dmi;
  const bool granted = bus->get_direct_mem_ptr(payload, dmi);
  const std::uint64_t start = dmi.get_start_address(), end = dmi.get_end_address();
  const bool covers = start <= address && address <= end;
  if (!granted || dmi.get_dmi_ptr() == nullptr || !covers ||
      (command == tlm::TLM_WRITE_COMMAND ? !dmi.is_write_allowed() : !dmi.is_read_allowed())) {
    m_dmi_denied.push_back(covers ? address_range{start, end} : address_range{address, address});
    return;
  }
  dmi_region region;
  region.start = start;
  region.size = std::min<std::uint64_t>(end, 0xffffffffu) - start + 1;
  region.ptr = dmi.get_dmi_ptr();
  region.read_cycles = static_cast<std::uint32_t>(ceil_cycles(dmi.get_read_latency()));
  region.write_cycles = static_cast<std::uint32_t>(ceil_cycles(dmi.get_write_latency()));
  region.readable = dmi.is_read_allowed();
  region.writable = dmi.is_write_allowed();
  const std::uint64_t last = region.start + region.size - 1;
  m_dmi.erase(std::remove_if(m_dmi.begin(), m_dmi.end(),
                             [&](const dmi_region& r) {
                               return r.start <= last && region.start <= r.start + r.size - 1;
                             }),
              m_dmi.end());
  m_dmi.push_back(region);
  forget_fast_regions();
  ++m_dmi_grants;
}

void rv32::invalidate_direct_mem_ptr(sc_dt::uint64 start, sc_dt::uint64 end) {
  ++m_dmi_invalidations;
  m_dmi.erase(
      std::remove_if(m_dmi.begin(), m_dmi.end(),
                     [&](const dmi_region& r) { return r.start <= end && start <= r.start + r.size - 1; }),
      m_dmi.end());
  m_dmi_denied.clear();
  forget_fast_regions();
  // Code fetched through the old mapping (and its fetch latency) must not be used again.
  invalidate_decode_cache();
}

// One b_transport at the CPU's local time. Its delay advances the local time; an access the
// target does not offer DMI for is a register access (MMIO) and synchronises.
bool rv32::bus_access(tlm::tlm_command command, std::uint32_t address, std::uint8_t* data, unsigned size,
                      bool fetch) {
  tlm::tlm_generic_payload& payload = m_payload;
  payload.set_command(command);
  payload.set_address(address);
  payload.set_data_ptr(data);
  payload.set_data_length(size);
  payload.set_streaming_width(size);
  payload.set_byte_enable_ptr(nullptr);
  payload.set_byte_enable_length(0);
  payload.set_dmi_allowed(false);
  payload.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);

  const sc_core::sc_time kernel_before = sc_core::sc_time_stamp();
  sc_core::sc_time delay = local_offset();
  const sc_core::sc_time before = kernel_before + delay;
  bus->b_transport(payload, delay);
  const sc_core::sc_time kernel_after = sc_core::sc_time_stamp();
  const sc_core::sc_time after = kernel_after + delay;
  if (after > before) m_cycles += ceil_cycles(after - before);
  if (kernel_after != kernel_before) {
    // The target waited: re-anchor the local time at the kernel's.
    const std::uint64_t ahead = std::min<std::uint64_t>(delay.value() / m_period, m_cycles);
    m_sync_time = kernel_after;
    m_sync_cycles = m_cycles - ahead;
    start_quantum();
    m_limit = 0;
  }
  if (payload.is_response_error()) return false;

  const bool memory = payload.is_dmi_allowed();
  if (fetch)
    ++m_bus_fetches;
  else if (memory)
    ++m_bus_memory_accesses;
  else if (command == tlm::TLM_READ_COMMAND)
    ++m_mmio_reads;
  else
    ++m_mmio_writes;
  if (memory) {
    if (m_config.dmi) request_dmi(address, command);
  } else {
    sync_after_mmio();
  }
  return true;
}

bool rv32::read_data(std::uint32_t address, unsigned size, std::uint32_t& value) {
  value = 0;
  if (const dmi_region* region = find_dmi(address, size, false)) {
    use_for_reads(*region);
    std::memcpy(&value, region->ptr + (address - region->start), size);
    m_cycles += region->read_cycles;
    return true;
  }
  std::uint8_t data[4] = {};
  if (!bus_access(tlm::TLM_READ_COMMAND, address, data, size, false)) return false;
  std::memcpy(&value, data, size);
  return true;
}

bool rv32::write_data(std::uint32_t address, unsigned size, std::uint32_t value) {
  if (const dmi_region* region = find_dmi(address, size, true)) {
    use_for_writes(*region);
    std::memcpy(region->ptr + (address - region->start), &value, size);
    m_cycles += region->write_cycles;
  } else {
    std::uint8_t data[4];
    std::memcpy(data, &value, 4);
    if (!bus_access(tlm::TLM_WRITE_COMMAND, address, data, size, false)) return false;
  }
  invalidate_code(address, size);
  return true;
}

bool rv32::load_slow(std::uint32_t address, unsigned size, std::uint32_t& value) {
  if (m_config.trap_misaligned && (address & (size - 1)) != 0) {
    raise(cause_load_misaligned, address);
    return false;
  }
  if (!read_data(address, size, value)) {
    raise(cause_load_access, address);
    return false;
  }
  return true;
}

bool rv32::store_slow(std::uint32_t address, unsigned size, std::uint32_t value) {
  if (m_config.trap_misaligned && (address & (size - 1)) != 0) {
    raise(cause_store_misaligned, address);
    return false;
  }
  if (!write_data(address, size, value)) {
    raise(cause_store_access, address);
    return false;
  }
  return true;
}

// --- atomics ----------------------------------------------------------------------------------
// QEMU 7.2 (the reference) raises *load* address misaligned for misaligned AMOs and LR, and lets
// an SC without a matching reservation fail without touching memory; with trap_misaligned the
// spec's store/AMO address misaligned is raised for AMOs and SC instead. An SC succeeds when the
// reservation is for its address and the memory still holds the value LR read (like QEMU).

bool rv32::exec_lr(const insn& d) {
  const std::uint32_t address = m_x[d.rs1];
  if ((address & 3u) != 0) {
    raise(cause_load_misaligned, address);
    return false;
  }
  std::uint32_t value = 0;
  if (!read_data(address, 4, value)) {
    raise(cause_load_access, address);
    return false;
  }
  m_reservation_valid = true;
  m_reservation_address = address;
  m_reservation_value = value;
  m_x[d.rd] = value;
  return true;
}

bool rv32::exec_sc(const insn& d) {
  const std::uint32_t address = m_x[d.rs1];
  if (m_config.trap_misaligned && (address & 3u) != 0) {
    raise(cause_store_misaligned, address);
    return false;
  }
  bool success = m_reservation_valid && m_reservation_address == address;
  m_reservation_valid = false;
  if (success) {
    std::uint32_t current = 0;
    if (!read_data(address, 4, current)) {
      raise(cause_store_access, address);
      return false;
    }
    success = current == m_reservation_value;
  }
  if (success && !write_data(address, 4, m_x[d.rs2])) {
    raise(cause_store_access, address);
    return false;
  }
  m_x[d.rd] = success ? 0u : 1u;
  return true;
}

bool rv32::exec_amo(const insn& d) {
  const std::uint32_t address = m_x[d.rs1];
  if ((address & 3u) != 0) {
    raise(m_config.trap_misaligned ? cause_store_misaligned : cause_load_misaligned, address);
    return false;
  }
  std::uint32_t old = 0;
  if (!read_data(address, 4, old)) {
    raise(cause_store_access, address);
    return false;
  }
  const std::uint32_t src = m_x[d.rs2];
  const auto s_old = static_cast<std::int32_t>(old), s_src = static_cast<std::int32_t>(src);
  std::uint32_t result = 0;
  switch (d.aux) {
    case 0x00:
      result = old + src;
      break;
    case 0x01:
      result = src;
      break;
    case 0x04:
      result = old ^ src;
      break;
    case 0x0c:
      result = old & src;
      break;
    case 0x08:
      result = old | src;
      break;
    case 0x10:
      result = s_old < s_src ? old : src;
      break;
    case 0x14:
      result = s_old > s_src ? old : src;
      break;
    case 0x18:
      result = old < src ? old : src;
      break;
    default:
      result = old > src ? old : src;
      break;  // 0x1c, amomaxu
  }
  if (!write_data(address, 4, result)) {
    raise(cause_store_access, address);
    return false;
  }
  m_x[d.rd] = old;
  return true;
}

// --- CSRs -------------------------------------------------------------------------------------

std::uint64_t rv32::mcycle_value(std::uint64_t at) const {
  return (m_mcountinhibit & mcountinhibit_cy) ? m_mcycle_frozen : at + m_mcycle_offset;
}

std::uint64_t rv32::minstret_value(std::uint64_t at) const {
  return (m_mcountinhibit & mcountinhibit_ir) ? m_minstret_frozen : at + m_minstret_offset;
}

// Reads see the counters before the executing instruction; the time includes the local offset.
bool rv32::csr_read(std::uint32_t csr, std::uint32_t& value) {
  const auto low = [](std::uint64_t v) { return static_cast<std::uint32_t>(v); };
  const auto high = [](std::uint64_t v) { return static_cast<std::uint32_t>(v >> 32); };
  const auto mtime = [this] {
    const auto ticks = static_cast<unsigned __int128>(now().value()) * NVR_CLINT_MTIME_HZ /
                       sc_core::sc_time(1, sc_core::SC_SEC).value();
    return static_cast<std::uint64_t>(ticks);
  };
  switch (csr) {
    case csr_mstatus:
      value = m_mstatus;
      return true;
    case csr_misa:
      value = misa_value;
      return true;
    case csr_mie:
      value = m_mie;
      return true;
    case csr_mtvec:
      value = m_mtvec;
      return true;
    case csr_mstatush:
      value = 0;
      return true;
    case csr_mcountinhibit:
      value = m_mcountinhibit;
      return true;
    case csr_mscratch:
      value = m_mscratch;
      return true;
    case csr_mepc:
      value = m_mepc;
      return true;
    case csr_mcause:
      value = m_mcause;
      return true;
    case csr_mtval:
      value = m_mtval;
      return true;
    case csr_mip:
      value = m_mip;
      return true;
    case csr_mcycle:
    case csr_cycle:
      value = low(mcycle_value(m_cycles));
      return true;
    case csr_mcycleh:
    case csr_cycleh:
      value = high(mcycle_value(m_cycles));
      return true;
    case csr_minstret:
    case csr_instret:
      value = low(minstret_value(m_instret));
      return true;
    case csr_minstreth:
    case csr_instreth:
      value = high(minstret_value(m_instret));
      return true;
    case csr_time:
      value = low(mtime());
      return true;
    case csr_timeh:
      value = high(mtime());
      return true;
    case csr_mvendorid:
    case csr_marchid:
    case csr_mimpid:
    case csr_mconfigptr:
      value = 0;
      return true;
    case csr_mhartid:
      value = m_config.hart_id;
      return true;
  }
  // Hardwired to zero: no PMP entries implemented (QEMU has 16 entries' worth of CSRs), no
  // hardware performance monitor counters.
  if ((csr >= csr_pmpcfg0 && csr <= csr_pmpcfg3) || (csr >= csr_pmpaddr0 && csr <= csr_pmpaddr15) ||
      (csr >= csr_mhpmevent3 && csr <= csr_mhpmevent31) ||
      (csr >= csr_mhpmcounter3 && csr <= csr_mhpmcounter31) ||
      (csr >= csr_mhpmcounter3h && csr <= csr_mhpmcounter31h) ||
      (csr >= csr_hpmcounter3 && csr <= csr_hpmcounter31) ||
      (csr >= csr_hpmcounter3h && csr <= csr_hpmcounter31h)) {
    value = 0;
    return true;
  }
  return false;
}

// A write replaces the increment the writing instruction would have made to mcycle or minstret.
bool rv32::csr_write(std::uint32_t csr, std::uint32_t value, unsigned cost) {
  const std::uint64_t cycles_after = m_cycles + cost, instret_after = m_instret + 1;
  const auto set_mcycle = [&](std::uint64_t v) {
    if (m_mcountinhibit & mcountinhibit_cy)
      m_mcycle_frozen = v;
    else
      m_mcycle_offset = v - cycles_after;
  };
  const auto set_minstret = [&](std::uint64_t v) {
    if (m_mcountinhibit & mcountinhibit_ir)
      m_minstret_frozen = v;
    else
      m_minstret_offset = v - instret_after;
  };
  const auto with_low = [](std::uint64_t old, std::uint32_t v) { return (old & ~0xffffffffull) | v; };
  const auto with_high = [](std::uint64_t old, std::uint32_t v) {
    return (old & 0xffffffffull) | (static_cast<std::uint64_t>(v) << 32);
  };
  switch (csr) {
    case csr_mstatus:
      m_mstatus = (value & (mstatus_mie | mstatus_mpie)) | mstatus_mpp;
      m_limit = 0;  // interrupts may be enabled now
      return true;
    case csr_mie:
      m_mie = value & mie_mask;
      m_limit = 0;
      return true;
    case csr_mtvec:
      if ((value & 3u) < 2) m_mtvec = value;  // reserved modes: the write is ignored (as QEMU)
      return true;
    case csr_mcountinhibit: {
      const std::uint32_t next = value & (mcountinhibit_cy | mcountinhibit_ir);
      const std::uint64_t cycle = mcycle_value(cycles_after), instret = minstret_value(instret_after);
      m_mcountinhibit = next;
      m_mcycle_frozen = cycle;
      m_mcycle_offset = cycle - cycles_after;
      m_minstret_frozen = instret;
      m_minstret_offset = instret - instret_after;
      return true;
    }
    case csr_mscratch:
      m_mscratch = value;
      return true;
    case csr_mepc:
      m_mepc = value & ~1u;
      return true;
    case csr_mcause:
      m_mcause = value;
      return true;
    case csr_mtval:
      m_mtval = value;
      return true;
    case csr_mcycle:
      set_mcycle(with_low(mcycle_value(cycles_after), value));
      return true;
    case csr_mcycleh:
      set_mcycle(with_high(mcycle_value(cycles_after), value));
      return true;
    case csr_minstret:
      set_minstret(with_low(minstret_value(instret_after), value));
      return true;
    case csr_minstreth:
      set_minstret(with_high(minstret_value(instret_after), value));
      return true;
  }
  // misa, mip, mstatush, PMP and HPM registers: WARL, writes ignored.
  std::uint32_t ignored = 0;
  return csr_read(csr, ignored);
}

bool rv32::exec_csr(const insn& d) {
  const auto csr = static_cast<std::uint32_t>(d.imm) & 0xfffu;
  const auto funct3 = static_cast<std::uint32_t>(d.aux);
  const std::uint32_t source = (funct3 & 4u) ? d.rs1 : m_x[d.rs1];
  const std::uint32_t kind = funct3 & 3u;  // 1 = write, 2 = set, 3 = clear
  const bool writes = kind == 1 || d.rs1 != 0;
  std::uint32_t old = 0;
  bool legal = csr_read(csr, old);
  if (legal && writes) {
    const std::uint32_t value = kind == 1 ? source : kind == 2 ? (old | source) : (old & ~source);
    legal = (csr >> 10) != 3 && csr_write(csr, value, d.cycles());  // csr[11:10] = 3: read-only
  }
  if (!legal) {
    const std::uint32_t raw = (csr << 20) | (static_cast<std::uint32_t>(d.rs1) << 15) | (funct3 << 12) |
                              ((d.rd & 31u) << 7) | 0x73u;
    raise(cause_illegal_instruction, raw);
    return false;
  }
  m_x[d.rd] = old;
  return true;
}

// --- statistics -------------------------------------------------------------------------------

void rv32::publish_statistics() {
  const auto add = [this](const std::string& name, const std::uint64_t& value,
                          const std::string& description) {
    m_publications.push_back(std::make_unique<stats::publication>(
        *this, name, [&value] { return nlohmann::json(value); }, description));
  };
  add("instructions", m_instret, "instructions retired");
  add("cycles", m_cycles, "CPU clock cycles, including memory latencies and time spent in wfi");
  add("exceptions", m_exceptions, "synchronous exceptions taken");
  static const char* const trap_names[num_exception_causes] = {"instruction_address_misaligned",
                                                               "instruction_access_fault",
                                                               "illegal_instruction",
                                                               "breakpoint",
                                                               "load_address_misaligned",
                                                               "load_access_fault",
                                                               "store_address_misaligned",
                                                               "store_access_fault",
                                                               nullptr,
                                                               nullptr,
                                                               nullptr,
                                                               "ecall_m"};
  for (unsigned cause = 0; cause < num_exception_causes; ++cause)
    if (trap_names[cause] != nullptr)
      add(std::string("traps.") + trap_names[cause], m_traps[cause],
          "exceptions with mcause " + std::to_string(cause));
  add("interrupts.software", m_interrupts[0], "machine software interrupts taken (mcause 3)");
  add("interrupts.timer", m_interrupts[1], "machine timer interrupts taken (mcause 7)");
  add("interrupts.external", m_interrupts[2], "machine external interrupts taken (mcause 11)");
  add("mmio.reads", m_mmio_reads, "loads through b_transport from targets without DMI");
  add("mmio.writes", m_mmio_writes, "stores through b_transport to targets without DMI");
  add("bus.fetches", m_bus_fetches, "instruction fetches through b_transport (no DMI for the code)");
  add("bus.memory_accesses", m_bus_memory_accesses,
      "data accesses through b_transport to DMI-capable memory");
  add("dmi.grants", m_dmi_grants, "DMI regions granted");
  add("dmi.invalidations", m_dmi_invalidations, "invalidate_direct_mem_ptr calls received");
  add("syncs.quantum", m_quantum_syncs, "synchronisations at the end of a quantum");
  add("syncs.mmio", m_mmio_syncs, "synchronisations after register accesses");
  add("syncs.wfi", m_wfi_waits, "waits for an interrupt line in wfi");
  add("decode.instructions", m_decoded, "instructions decoded (decode cache misses)");
  add("decode.flushes", m_decode_flushes, "whole decode cache flushes (fence.i, DMI invalidation)");
}

}  // namespace nvr::cpu
