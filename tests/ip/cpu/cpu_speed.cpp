// cpu_speed: simulation speed of the CPU model (guest instructions per host second). Not a test.
//
//   cpu_speed [--rounds N] [--quantum NS] [--latency NS] [--dmi on|off] [--max N] [program.elf]
//
// Without an ELF it runs a built-in compute workload (integer 16x16 matrix multiply, bitwise
// CRC-32 over 1 KiB, a pointer chase over 4096 shuffled list nodes; rounds times) from a RAM with
// DMI, and checks the results against the same computation on the host. With an ELF (RV32, linked
// for 0x80000000) it loads the PT_LOAD segments and runs them on a tiny QEMU-virt-like map: RAM at
// 0x80000000 (64 MiB), a UART transmit register at 0x10000000 (LSR at +5 reads "empty"), the SiFive
// test device at 0x100000 (0x5555 = pass, (code << 16) | 0x3333 = fail).
#include <elf.h>
#include <tlm_utils/simple_target_socket.h>

#include <chrono>
#include <cstdio>
#include <cstring>
#include <ctime>
#include <fstream>
#include <iostream>
#include <string>
#include <systemc>
#include <tlm>
#include <vector>

#include "core/stats.h"
#include "ip/cpu/rv32.h"
#include "tests/ip/cpu/rv_asm.h"

namespace {

constexpr std::uint32_t ram_base = 0x80000000u;
constexpr std::uint32_t ram_size = 64u << 20;
constexpr std::uint32_t uart_base = 0x10000000u;
constexpr std::uint32_t test_base = 0x00100000u;

class platform_target : public sc_core::sc_module {
 public:
  tlm_utils::simple_target_socket<platform_target> socket;
  std::vector<std::uint8_t> ram = std::vector<std::uint8_t>(ram_size);
  int exit_code = -1;

  platform_target(const sc_core::sc_module_name& name, sc_core::sc_time latency)
      : sc_module(name), socket("socket"), m_latency(latency) {
    socket.register_b_transport(this, &platform_target::b_transport);
    socket.register_get_direct_mem_ptr(this, &platform_target::get_direct_mem_ptr);
  }

 private:
  void b_transport(tlm::tlm_generic_payload& p, sc_core::sc_time& delay) {
    const std::uint64_t a = p.get_address();
    const unsigned n = p.get_data_length();
    p.set_response_status(tlm::TLM_OK_RESPONSE);
    if (a >= ram_base && a + n <= static_cast<std::uint64_t>(ram_base) + ram_size) {
      std::uint8_t* at = &ram[a - ram_base];
      p.is_read() ? std::memcpy(p.get_data_ptr(), at, n) : std::memcpy(at, p.get_data_ptr(), n);
      delay += m_latency;
      p.set_dmi_allowed(true);
      return;
    }
    if (a >= uart_base && a < uart_base + 8) {
      if (p.is_read()) {
        std::memset(p.get_data_ptr(), 0, n);
        if (a == uart_base + 5) p.get_data_ptr()[0] = 0x60;  // LSR: transmitter empty
      } else if (a == uart_base) {
        std::fputc(p.get_data_ptr()[0], stdout);
      }
      return;
    }
    if (a == test_base && n == 4) {
      std::uint32_t v = 0;
      if (p.is_write()) {
        std::memcpy(&v, p.get_data_ptr(), 4);
        if ((v & 0xffff) == 0x5555) exit_code = 0;
        if ((v & 0xffff) == 0x3333) exit_code = static_cast<int>(v >> 16);
        if (exit_code >= 0) sc_core::sc_stop();
      } else {
        std::memset(p.get_data_ptr(), 0, 4);
      }
      return;
    }
    p.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
  }

  bool get_direct_mem_ptr(tlm::tlm_generic_payload& p, tlm::tlm_dmi& dmi) {
    if (p.get_address() < ram_base) return false;
    dmi.set_dmi_ptr(ram.data());
    dmi.set_start_address(ram_base);
    dmi.set_end_address(static_cast<std::uint64_t>(ram_base) + ram_size - 1);
    dmi.set_granted_access(tlm::tlm_dmi::DMI_ACCESS_READ_WRITE);
    dmi.set_read_latency(m_latency);
    dmi.set_write_latency(m_latency);
    return true;
  }

  sc_core::sc_time m_latency;
};

struct bench_system : sc_core::sc_module {
  platform_target mem;
  nvr::cpu::rv32 cpu;
  sc_core::sc_signal<bool> lines[3];
  bench_system(const sc_core::sc_module_name& name, const nvr::cpu::rv32_config& config,
               sc_core::sc_time latency)
      : sc_module(name), mem("mem", latency), cpu("cpu", config) {
    cpu.bus.bind(mem.socket);
    cpu.irq_timer.bind(lines[0]);
    cpu.irq_software.bind(lines[1]);
    cpu.irq_external.bind(lines[2]);
  }
};

// --- the built-in workload --------------------------------------------------------------------

constexpr std::uint32_t mat_a = ram_base + 0x100000, mat_b = mat_a + 0x400, mat_c = mat_b + 0x400;
constexpr std::uint32_t crc_buf = ram_base + 0x110000;
constexpr std::uint32_t nodes = ram_base + 0x120000;
constexpr std::uint32_t results = ram_base + 0x200000;
constexpr unsigned n = 16, crc_len = 1024, node_count = 4096;

std::uint32_t lcg(std::uint32_t& state) { return state = state * 1664525u + 1013904223u; }

void build_workload(rvasm::program& p, std::uint32_t rounds) {
  using namespace rvasm;
  p.li(s6, rounds).li(s7, 0);  // s7: checksum of C over all rounds
  p.label("round");
  // Matrix multiply: C = A * B (16 x 16 words).
  p.li(s2, n).li(s3, mat_a).li(s4, mat_b).li(s5, mat_c).li(t0, 0);
  p.label("mm_i").li(t1, 0);
  p.label("mm_j").li(t2, 0).li(a0, 0);
  p.emit(slli(a1, t0, 6)).emit(add(a1, a1, s3)).emit(slli(a2, t1, 2)).emit(add(a2, a2, s4));
  p.label("mm_k");
  p.c(c_lw(a3, a1, 0)).c(c_lw(a4, a2, 0)).emit(mul(a3, a3, a4)).c(c_add(a0, a3));
  p.c(c_addi(a1, 4)).emit(addi(a2, a2, 64)).c(c_addi(t2, 1)).bne(t2, s2, "mm_k");
  p.emit(slli(a5, t0, 6)).emit(slli(a6, t1, 2)).c(c_add(a5, a6)).c(c_add(a5, s5)).c(c_sw(a0, a5, 0));
  p.c(c_add(s7, a0));
  p.c(c_addi(t1, 1)).bne(t1, s2, "mm_j");
  p.c(c_addi(t0, 1)).bne(t0, s2, "mm_i");
  // CRC-32 (reflected, bitwise, branch-free), accumulated into s8.
  p.li(a0, 0xffffffff).li(a1, crc_buf).li(a2, crc_len).li(a7, 0xedb88320);
  p.label("crc_byte").emit(lbu(a3, a1, 0)).c(c_xor(a0, a3)).c(c_li(a4, 8));
  p.label("crc_bit").emit(andi(a5, a0, 1)).emit(sub(a5, zero, a5)).emit(and_(a5, a5, a7)).c(c_srli(a0, 1));
  p.c(c_xor(a0, a5)).c(c_addi(a4, -1)).c_bnez(a4, "crc_bit");
  p.c(c_addi(a1, 1)).c(c_addi(a2, -1)).c_bnez(a2, "crc_byte");
  p.emit(xori(a0, a0, -1)).emit(add(s8, s8, a0));
  // Pointer chase over the shuffled list, summing the values into s9.
  p.li(a0, nodes).li(a2, node_count);
  p.label("chase")
      .c(c_lw(a3, a0, 4))
      .emit(add(s9, s9, a3))
      .c(c_lw(a0, a0, 0))
      .c(c_addi(a2, -1))
      .c_bnez(a2, "chase");
  p.emit(addi(s6, s6, -1)).bne(s6, zero, "round");
  p.li(t0, results).emit(sw(s7, t0, 0)).emit(sw(s8, t0, 4)).emit(sw(s9, t0, 8));
  p.li(t0, test_base).li(t1, 0x5555).emit(sw(t1, t0, 0));
  p.label("hang").j("hang");
}

struct expected_results {
  std::uint32_t matrix, crc, chase;
};

// Fills the workload's data and computes what the guest must find.
expected_results prepare_data(std::vector<std::uint8_t>& ram, std::uint32_t rounds) {
  const auto put = [&](std::uint32_t address, std::uint32_t value) {
    std::memcpy(&ram[address - ram_base], &value, 4);
  };
  std::uint32_t seed = 12345;
  std::uint32_t a[n][n], b[n][n];
  for (unsigned i = 0; i < n; ++i)
    for (unsigned j = 0; j < n; ++j) {
      a[i][j] = lcg(seed) >> 16;
      b[i][j] = lcg(seed) >> 16;
      put(mat_a + 4 * (i * n + j), a[i][j]);
      put(mat_b + 4 * (i * n + j), b[i][j]);
    }
  std::uint32_t matrix = 0;
  for (unsigned i = 0; i < n; ++i)
    for (unsigned j = 0; j < n; ++j) {
      std::uint32_t sum = 0;
      for (unsigned k = 0; k < n; ++k) sum += a[i][k] * b[k][j];
      matrix += sum;
    }
  std::uint32_t crc = 0xffffffff;
  for (unsigned i = 0; i < crc_len; ++i) {
    const auto byte = static_cast<std::uint8_t>(lcg(seed) >> 24);
    ram[crc_buf - ram_base + i] = byte;
    crc ^= byte;
    for (int bit = 0; bit < 8; ++bit) crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
  }
  crc = ~crc;
  std::vector<std::uint32_t> order(node_count);
  for (unsigned i = 0; i < node_count; ++i) order[i] = i;
  for (unsigned i = node_count - 1; i > 0; --i) std::swap(order[i], order[lcg(seed) % (i + 1)]);
  // Node order[k] links to order[k + 1]; the list starts at node 0, so rotate order to begin there.
  std::uint32_t chase_round = 0;
  for (unsigned k = 0; k < node_count; ++k) {
    const std::uint32_t self = nodes + 16 * order[k];
    const std::uint32_t next = nodes + 16 * order[(k + 1) % node_count];
    const std::uint32_t value = lcg(seed);
    put(self, next);
    put(self + 4, value);
    chase_round += value;
  }
  // Every round starts at node 0 and visits all nodes once.
  return {matrix * rounds, crc * rounds, chase_round * rounds};
}

bool load_elf(const std::string& path, std::vector<std::uint8_t>& ram, std::uint32_t& entry) {
  std::ifstream file(path, std::ios::binary);
  std::vector<char> image((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  if (image.size() < sizeof(Elf32_Ehdr)) return false;
  Elf32_Ehdr header;
  std::memcpy(&header, image.data(), sizeof header);
  if (std::memcmp(header.e_ident, ELFMAG, SELFMAG) != 0 || header.e_ident[EI_CLASS] != ELFCLASS32 ||
      header.e_machine != EM_RISCV)
    return false;
  for (unsigned i = 0; i < header.e_phnum; ++i) {
    Elf32_Phdr ph;
    const std::size_t at = header.e_phoff + i * sizeof ph;
    if (at + sizeof ph > image.size()) return false;
    std::memcpy(&ph, image.data() + at, sizeof ph);
    if (ph.p_type != PT_LOAD || ph.p_memsz == 0) continue;
    if (ph.p_paddr < ram_base || ph.p_paddr - ram_base + ph.p_memsz > ram_size) return false;
    if (ph.p_offset + ph.p_filesz > image.size()) return false;
    std::memcpy(&ram[ph.p_paddr - ram_base], image.data() + ph.p_offset, ph.p_filesz);
  }
  entry = header.e_entry;
  return true;
}

}  // namespace

extern "C" int sc_main(int argc, char** argv) {
  std::uint32_t rounds = 2000;
  double quantum_ns = 1000, latency_ns = 1;
  bool dmi = true;
  std::uint64_t max_instructions = 0;
  std::string elf;
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    const auto value = [&] { return i + 1 < argc ? std::string(argv[++i]) : std::string(); };
    if (arg == "--rounds")
      rounds = static_cast<std::uint32_t>(std::stoul(value()));
    else if (arg == "--quantum")
      quantum_ns = std::stod(value());
    else if (arg == "--latency")
      latency_ns = std::stod(value());
    else if (arg == "--dmi")
      dmi = value() != "off";
    else if (arg == "--max")
      max_instructions = std::stoull(value());
    else if (!arg.empty() && arg[0] != '-')
      elf = arg;
    else {
      std::cerr << "usage: cpu_speed [--rounds N] [--quantum NS] [--latency NS] [--dmi on|off] [--max N] "
                   "[program.elf]\n";
      return 64;
    }
  }
  sc_core::sc_report_handler::set_actions(sc_core::SC_INFO, sc_core::SC_DO_NOTHING);
  tlm::tlm_global_quantum::instance().set(sc_core::sc_time(quantum_ns, sc_core::SC_NS));
  nvr::cpu::rv32_config config;
  config.dmi = dmi;
  config.max_instructions = max_instructions;
  expected_results expected{};
  std::uint32_t entry = ram_base;
  std::vector<std::uint8_t> program_bytes;
  if (elf.empty()) {
    rvasm::program p(ram_base);
    build_workload(p, rounds);
    program_bytes = p.finish();
  }
  bench_system top("top", config, sc_core::sc_time(latency_ns, sc_core::SC_NS));
  if (elf.empty()) {
    std::memcpy(top.mem.ram.data(), program_bytes.data(), program_bytes.size());
    expected = prepare_data(top.mem.ram, rounds);
  } else if (!load_elf(elf, top.mem.ram, entry)) {
    std::cerr << "cpu_speed: cannot load " << elf << '\n';
    return 65;
  }
  top.cpu.set_pc(entry);

  const auto start = std::chrono::steady_clock::now();
  const std::clock_t cpu_start = std::clock();
  sc_core::sc_start();
  const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  const double cpu_seconds = static_cast<double>(std::clock() - cpu_start) / CLOCKS_PER_SEC;
  std::fflush(stdout);

  const std::uint64_t instructions = top.cpu.instructions_retired();
  std::fprintf(
      stderr,
      "cpu_speed: %llu instructions, %llu cycles, %.3f s host (%.3f s CPU), %.1f MIPS (%.1f per CPU second) "
      "(quantum %g ns, DMI %s)\n",
      static_cast<unsigned long long>(instructions), static_cast<unsigned long long>(top.cpu.cycles()),
      seconds, cpu_seconds, instructions / seconds / 1e6, instructions / cpu_seconds / 1e6, quantum_ns,
      dmi ? "on" : "off");
  if (!elf.empty()) return top.mem.exit_code < 0 ? 124 : top.mem.exit_code;
  std::uint32_t got[3];
  std::memcpy(got, &top.mem.ram[results - ram_base], sizeof got);
  if (got[0] != expected.matrix || got[1] != expected.crc || got[2] != expected.chase) {
    std::fprintf(stderr, "cpu_speed: WRONG RESULTS: matrix %08x/%08x crc %08x/%08x chase %08x/%08x\n", got[0],
                 expected.matrix, got[1], expected.crc, got[2], expected.chase);
    return 1;
  }
  std::fprintf(stderr, "cpu_speed: results correct\n");
  return 0;
}
