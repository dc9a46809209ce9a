// nvr-bench-npu: simulation speed of the NPU model (ip/npu) on two streams, each on a fresh NPU
// with its own cold NSB -> L2 -> DRAM hierarchy, driven through its registers like firmware:
//   gemm: a 512 x 512 x 512 int8 GEMM (tiled: mvin, matmul with K accumulation, mvout raw);
//   spmm: a 2048 x 2048 CSR matrix at density 1/64 times a dense 2048 x 128 int8 matrix.
// Prints simulated NPU cycles and DMA requests per host second and writes them as JSON. The
// results are checked against a host computation, so the figures are for correct runs.
#include <tlm_utils/simple_initiator_socket.h>

#include <boost/program_options.hpp>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <nlohmann/json.hpp>
#include <random>
#include <systemc>

#include "core/stats.h"
#include "ip/bus/router.h"
#include "ip/memory/ram.h"
#include "ip/npu/npu.h"
#include "platform/memory_map.h"

namespace po = boost::program_options;
using namespace nvr::npu;

namespace {

constexpr std::uint64_t D = NVR_DRAM_BASE;
constexpr std::uint64_t dram_bytes = 64ull << 20;
constexpr std::uint64_t ring = D + (48ull << 20);
constexpr std::uint32_t ring_size = 65536;

struct figures {
  std::string name;
  double host_seconds = 0;
  std::uint64_t cycles = 0, instructions = 0, dma_requests = 0;
  bool correct = false;
};

instruction encode(std::uint8_t op, std::uint8_t flags, std::initializer_list<std::uint32_t> words) {
  instruction in;
  in.w[0] = op | (std::uint32_t{flags} << 8);
  std::size_t i = 1;
  for (std::uint32_t w : words) in.w[i++] = w;
  return in;
}
constexpr std::uint32_t acc_bit = 0x80000000u, add_bit = 0x40000000u;

class driver : public sc_core::sc_module {
 public:
  SC_HAS_PROCESS(driver);
  tlm_utils::simple_initiator_socket<driver, 32> out{"out"};
  std::function<void()> body;
  explicit driver(const sc_core::sc_module_name& name) : sc_module(name) { SC_THREAD(thread); }
  void write(std::uint64_t offset, std::uint32_t value) { access(tlm::TLM_WRITE_COMMAND, offset, value); }
  std::uint32_t read(std::uint64_t offset) {
    std::uint32_t v = 0;
    access(tlm::TLM_READ_COMMAND, offset, v);
    return v;
  }

 private:
  void access(tlm::tlm_command command, std::uint64_t offset, std::uint32_t& value) {
    tlm::tlm_generic_payload p;
    p.set_command(command);
    p.set_address(NVR_NPU_BASE + offset);
    p.set_data_ptr(reinterpret_cast<unsigned char*>(&value));
    p.set_data_length(4);
    p.set_streaming_width(4);
    sc_core::sc_time delay = sc_core::SC_ZERO_TIME;
    out->b_transport(p, delay);
    if (!p.is_response_ok()) throw std::runtime_error("bench: NPU register access failed");
  }
  void thread() { body(); }
};

struct npu_system {
  nvr::bus::router bus;
  nvr::memory::ram dram;
  npu unit;
  sc_core::sc_signal<bool> irq;
  driver cpu;
  std::vector<instruction> program;
  explicit npu_system(const std::string& p)
      : bus((p + "bus").c_str()),
        dram((p + "dram").c_str(), dram_bytes),
        unit((p + "npu").c_str(), config()),
        irq((p + "irq").c_str()),
        cpu((p + "cpu").c_str()) {
    cpu.out.bind(bus.in);
    unit.dma.bind(bus.in);
    bus.map(dram.in, D, dram_bytes, "dram");
    bus.map(unit.in, NVR_NPU_BASE, NVR_NPU_SIZE, "npu");
    unit.irq.bind(irq);
  }
  static npu_config config() {
    npu_config c;
    c.dram_base = D;
    c.dram_size = dram_bytes;
    return c;
  }
  std::uint8_t* at(std::uint64_t address) { return dram.data() + (address - D); }

  // Writes the program into the ring and runs it to completion; host time of the run only.
  figures run(const std::string& name) {
    figures f;
    f.name = name;
    if (program.size() > ring_size) throw std::runtime_error("bench: program longer than the ring");
    for (std::size_t i = 0; i < program.size(); ++i) std::memcpy(at(ring + 32 * i), program[i].w.data(), 32);
    const auto begin = std::chrono::steady_clock::now();
    cpu.write(0x20, static_cast<std::uint32_t>(ring));
    cpu.write(0x24, ring_size);
    cpu.write(0x08, 1);
    cpu.write(0x2c, static_cast<std::uint32_t>(program.size()));
    while (cpu.read(0x0c) & 1) sc_core::wait(sc_core::sc_time(10, sc_core::SC_US));
    f.host_seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - begin).count();
    if (cpu.read(0x10) != 0)
      throw std::runtime_error("bench: the NPU reported error " + std::to_string(cpu.read(0x10)));
    f.cycles = unit.cycles();
    f.instructions = program.size();
    const auto& stats = nvr::stats::registry::instance();
    const std::string base = std::string(unit.name()) + ".dma.";
    f.dma_requests = stats.value(base + "read_requests").get<std::uint64_t>() +
                     stats.value(base + "write_requests").get<std::uint64_t>();
    return f;
  }
};

// C (512 x 512 int32) = A (512 x 512) * B (512 x 512).
void build_gemm(npu_system& s, std::mt19937& rng) {
  constexpr std::uint32_t n = 512, A = D, B = D + (1 << 20), C = D + (2 << 20);
  for (std::uint32_t i = 0; i < n * n; ++i) {
    *s.at(A + i) = static_cast<std::uint8_t>(rng());
    *s.at(B + i) = static_cast<std::uint8_t>(rng());
  }
  for (std::uint32_t mb = 0; mb < n / 256; ++mb) {
    for (std::uint32_t kt = 0; kt < n / 16; ++kt)
      s.program.push_back(encode(op_mvin, 0, {A + mb * 256 * n + kt * 16, kt * 256, 256, 16, n}));
    for (std::uint32_t nt = 0; nt < n / 16; ++nt) {
      const std::uint32_t b_rows = 8192 + (nt % 2) * 512, c_row = (nt % 4) * 256;
      for (std::uint32_t kt = 0; kt < n / 16; ++kt)
        s.program.push_back(encode(op_mvin, 0, {B + kt * 16 * n + nt * 16, b_rows + kt * 16, 16, 16, n}));
      for (std::uint32_t kt = 0; kt < n / 16; ++kt)
        s.program.push_back(
            encode(op_matmul, 0, {kt * 256, b_rows + kt * 16, acc_bit | (kt ? add_bit : 0) | c_row, 256}));
      s.program.push_back(
          encode(op_mvout, 1, {C + (mb * 256 * n + nt * 16) * 4, acc_bit | c_row, 256, 16, n * 4}));
    }
  }
}

bool check_gemm(npu_system& s) {
  constexpr std::uint32_t n = 512, A = D, B = D + (1 << 20), C = D + (2 << 20);
  const auto* a = reinterpret_cast<const std::int8_t*>(s.at(A));
  const auto* b = reinterpret_cast<const std::int8_t*>(s.at(B));
  const auto* c = reinterpret_cast<const std::int32_t*>(s.at(C));
  std::vector<std::int32_t> row(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    std::fill(row.begin(), row.end(), 0);
    for (std::uint32_t k = 0; k < n; ++k)
      for (std::uint32_t j = 0; j < n; ++j) row[j] += a[i * n + k] * b[k * n + j];
    if (std::memcmp(row.data(), c + i * n, 4 * n) != 0) return false;
  }
  return true;
}

// C (2048 x 128 int32) = A (2048 x 2048 CSR, 32 nonzeros per row) * B (2048 x 128 int8).
constexpr std::uint32_t sp_rows = 2048, sp_cols = 2048, sp_nnz_row = sp_cols / 64, sp_b_cols = 128;
constexpr std::uint32_t RP = D, CI = D + (1 << 20), VA = D + (2 << 20), SB = D + (3 << 20),
                        SC = D + (4 << 20);

void build_spmm(npu_system& s, std::mt19937& rng) {
  for (std::uint32_t r = 0; r <= sp_rows; ++r) {
    const std::int32_t v = static_cast<std::int32_t>(r * sp_nnz_row);
    std::memcpy(s.at(RP + 4 * r), &v, 4);
  }
  for (std::uint32_t j = 0; j < sp_rows * sp_nnz_row; ++j) {
    const std::int32_t col = static_cast<std::int32_t>(rng() % sp_cols);
    std::memcpy(s.at(CI + 4 * j), &col, 4);
    *s.at(VA + j) = static_cast<std::uint8_t>(rng());
  }
  for (std::uint32_t i = 0; i < sp_cols * sp_b_cols; ++i) *s.at(SB + i) = static_cast<std::uint8_t>(rng());
  s.program.push_back(encode(op_config_sparse, 0, {RP, CI, VA, sp_cols}));
  for (std::uint32_t ct = 0; ct < sp_b_cols / 16; ++ct)
    for (std::uint32_t blk = 0; blk < sp_rows / 512; ++blk) {
      const std::uint32_t acc_row = ((ct * 4 + blk) % 2) * 512;
      s.program.push_back(
          encode(op_spmm, 0, {SB + ct * 16, sp_b_cols, blk * 512, 512, acc_bit | acc_row, 16}));
      s.program.push_back(
          encode(op_mvout, 1,
                 {SC + (blk * 512 * sp_b_cols + ct * 16) * 4, acc_bit | acc_row, 512, 16, sp_b_cols * 4}));
    }
}

bool check_spmm(npu_system& s) {
  const auto* ci = reinterpret_cast<const std::int32_t*>(s.at(CI));
  const auto* va = reinterpret_cast<const std::int8_t*>(s.at(VA));
  const auto* b = reinterpret_cast<const std::int8_t*>(s.at(SB));
  const auto* c = reinterpret_cast<const std::int32_t*>(s.at(SC));
  std::vector<std::int32_t> row(sp_b_cols);
  for (std::uint32_t r = 0; r < sp_rows; ++r) {
    std::fill(row.begin(), row.end(), 0);
    for (std::uint32_t j = r * sp_nnz_row; j < (r + 1) * sp_nnz_row; ++j)
      for (std::uint32_t n = 0; n < sp_b_cols; ++n) row[n] += va[j] * b[ci[j] * sp_b_cols + n];
    if (std::memcmp(row.data(), c + r * sp_b_cols, 4 * sp_b_cols) != 0) return false;
  }
  return true;
}

}  // namespace

extern "C" int sc_main(int argc, char** argv) {
  po::options_description options("nvr-bench-npu options");
  options.add_options()("help,h", "print this help")(
      "output", po::value<std::string>()->default_value("npu.json"), "JSON file for the figures");
  po::variables_map vm;
  try {
    po::store(po::parse_command_line(argc, argv, options), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << "nvr-bench-npu: " << e.what() << '\n';
    return 64;
  }
  if (vm.count("help")) {
    std::cout << options << '\n';
    return 0;
  }
  npu_system gemm("gemm_"), spmm("spmm_");
  std::mt19937 rng(5);
  build_gemm(gemm, rng);
  build_spmm(spmm, rng);
  std::vector<figures> results;
  std::string failure;
  gemm.cpu.body = [&] {
    try {
      results.push_back(gemm.run("gemm_512x512x512"));
      results.push_back(spmm.run("spmm_2048x2048_d64_x128"));
    } catch (const std::exception& e) {
      failure = e.what();
    }
  };
  spmm.cpu.body = [] {};
  sc_core::sc_start();
  if (!failure.empty()) {
    std::cerr << "nvr-bench-npu: " << failure << '\n';
    return 1;
  }
  results[0].correct = check_gemm(gemm);
  results[1].correct = check_spmm(spmm);
  nlohmann::json out = nlohmann::json::array();
  for (const figures& f : results) {
    const double cps = f.cycles / f.host_seconds, aps = f.dma_requests / f.host_seconds;
    std::printf(
        "%-26s %8llu instr %12llu NPU cycles %10llu DMA requests %7.4f s host  %6.1f M cycles/s  %6.2f M "
        "requests/s  %s\n",
        f.name.c_str(), static_cast<unsigned long long>(f.instructions),
        static_cast<unsigned long long>(f.cycles), static_cast<unsigned long long>(f.dma_requests),
        f.host_seconds, cps / 1e6, aps / 1e6, f.correct ? "correct" : "WRONG");
    out.push_back({{"workload", f.name},
                   {"instructions", f.instructions},
                   {"npu_cycles", f.cycles},
                   {"dma_requests", f.dma_requests},
                   {"host_seconds", f.host_seconds},
                   {"npu_cycles_per_host_second", cps},
                   {"dma_requests_per_host_second", aps},
                   {"correct", f.correct}});
  }
  std::ofstream file(vm["output"].as<std::string>());
  file << out.dump(2) << '\n';
  if (!file) {
    std::cerr << "nvr-bench-npu: cannot write " << vm["output"].as<std::string>() << '\n';
    return 1;
  }
  return results[0].correct && results[1].correct ? 0 : 1;
}

// Our own main(): no SystemC banner before the figures.
int main(int argc, char** argv) {
  setenv("SYSTEMC_DISABLE_COPYRIGHT_MESSAGE", "1", /*overwrite=*/0);
  return sc_core::sc_elab_and_sim(argc, argv);
}
