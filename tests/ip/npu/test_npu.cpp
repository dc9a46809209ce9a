// The NPU block: registers, ring and doorbell, interrupts, errors and recovery, dependency
// tracking, DMA/compute overlap, determinism. A test CPU drives it through a bus with DRAM.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <memory>
#include <random>

#include "core/stats.h"
#include "ip/bus/router.h"
#include "ip/memory/ram.h"
#include "ip/npu/npu.h"
#include "platform/memory_map.h"
#include "tests/core/tlm_test_support.h"
#include "tests/ip/npu/npu_test_support.h"

namespace {

using namespace nvr::npu;
using namespace nvr::npu::test;
using nvr::test::ns;

constexpr std::uint32_t D = NVR_DRAM_BASE;
constexpr std::uint64_t R = NVR_NPU_BASE;
constexpr std::uint32_t ring = D + 0x10000;
enum : std::uint64_t {
  ID = 0x00,
  VERSION = 0x04,
  CTRL = 0x08,
  STATUS = 0x0c,
  ERROR = 0x10,
  FAULT_INDEX = 0x14,
  FAULT_INFO = 0x18,
  RING_BASE = 0x20,
  RING_SIZE = 0x24,
  RING_HEAD = 0x28,
  RING_TAIL = 0x2c,
  IRQ_STATUS = 0x30,
  IRQ_ENABLE = 0x34,
  IRQ_TAG = 0x38,
  CYCLES_LO = 0x40,
  CYCLES_HI = 0x44,
  RETIRED = 0x48,
  LOAD_BUSY = 0x4c,
  EXEC_BUSY = 0x50,
  STORE_BUSY = 0x54,
  SPARSE_BUSY = 0x58,
  DMA_READS = 0x5c,
  DMA_WRITES = 0x60
};

// One system: bus, 1 MiB of DRAM (the NPU believes in `npu_dram` bytes), NPU, a test CPU.
struct npu_system {
  nvr::bus::router bus;
  nvr::memory::ram dram;
  nvr::npu::npu npu;
  sc_core::sc_signal<bool> irq;
  nvr::test::line_monitor monitor;
  nvr::test::initiator cpu;
  std::uint32_t tail = 0;

  static npu_config config(std::uint64_t npu_dram) {
    npu_config c;
    c.dram_base = D;
    c.dram_size = npu_dram;
    return c;
  }
  npu_system(const std::string& prefix, std::uint64_t npu_dram = 1 << 20)
      : npu_system(prefix, config(npu_dram)) {}
  npu_system(const std::string& prefix, const npu_config& c)
      : bus((prefix + "bus").c_str()),
        dram((prefix + "dram").c_str(), 1 << 20),
        npu((prefix + "npu").c_str(), c),
        irq((prefix + "irq").c_str()),
        monitor((prefix + "monitor").c_str(), irq),
        cpu((prefix + "cpu").c_str()) {
    cpu.out.bind(bus.in);
    npu.dma.bind(bus.in);
    bus.map(dram.in, D, 1 << 20, "dram");
    bus.map(npu.in, R, NVR_NPU_SIZE, "npu");
    npu.irq.bind(irq);
  }
  std::uint32_t reg(std::uint64_t offset) {
    const auto r = cpu.read(R + offset, 4);
    EXPECT_TRUE(r.ok()) << "offset " << offset;
    return static_cast<std::uint32_t>(r.data);
  }
  void set(std::uint64_t offset, std::uint32_t value) {
    EXPECT_TRUE(cpu.write(R + offset, value, 4).ok()) << "offset " << offset;
  }
  std::uint8_t* at(std::uint32_t address) { return dram.data() + (address - D); }
  void put8(std::uint32_t address, std::vector<std::int8_t> v) {
    std::memcpy(at(address), v.data(), v.size());
  }
  void put32(std::uint32_t address, std::vector<std::int32_t> v) {
    std::memcpy(at(address), v.data(), 4 * v.size());
  }
  std::int32_t get32(std::uint32_t address) {
    std::int32_t v;
    std::memcpy(&v, at(address), 4);
    return v;
  }
  void start(std::uint32_t size = 64) {
    set(RING_BASE, ring);
    set(RING_SIZE, size);
    set(IRQ_ENABLE, 3);
    set(CTRL, 1);
  }
  // Writes the instructions to the ring and rings the doorbell.
  void submit(const std::vector<instruction>& program, std::uint32_t size = 64) {
    for (const instruction& in : program) {
      std::memcpy(at(ring + (tail % size) * 32), in.w.data(), 32);
      ++tail;
    }
    set(RING_TAIL, tail);
  }
  // Polls STATUS until not busy; returns the time it took.
  sc_core::sc_time wait_idle() {
    const sc_core::sc_time begin = sc_core::sc_time_stamp();
    for (int i = 0; i < 1000000 && (reg(STATUS) & 1); ++i) sc_core::wait(ns(10));
    return sc_core::sc_time_stamp() - begin;
  }
};

struct npu_test : ::testing::Test {
  npu_system sys{""};
  void run(std::function<void()> body) {
    sys.cpu.run(std::move(body));
    sc_core::sc_start();
  }
};

TEST_F(npu_test, registers_reset_values_and_bad_accesses) {
  run([&] {
    EXPECT_EQ(sys.reg(ID), 0x4E505531u);
    EXPECT_EQ(sys.reg(VERSION), 0x00010000u);
    EXPECT_EQ(sys.reg(CTRL), 0u);
    EXPECT_EQ(sys.reg(STATUS), 0u);
    EXPECT_EQ(sys.reg(ERROR), 0u);
    EXPECT_EQ(sys.reg(RING_HEAD), 0u);
    EXPECT_EQ(sys.reg(IRQ_STATUS), 0u);
    EXPECT_EQ(sys.cpu.write(R + ID, 0, 4).status, tlm::TLM_COMMAND_ERROR_RESPONSE);
    EXPECT_EQ(sys.cpu.write(R + STATUS, 0, 4).status, tlm::TLM_COMMAND_ERROR_RESPONSE);
    EXPECT_EQ(sys.cpu.write(R + RING_HEAD, 0, 4).status, tlm::TLM_COMMAND_ERROR_RESPONSE);
    EXPECT_EQ(sys.cpu.read(R + 0x1c, 4).status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(sys.cpu.read(R + 0x64, 4).status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(sys.cpu.read(R + ID, 1).status, tlm::TLM_BURST_ERROR_RESPONSE);  // words only
    // RING_SIZE takes powers of two 2..65536 only; RING_BASE is 32-byte aligned.
    sys.set(RING_SIZE, 3);
    EXPECT_EQ(sys.reg(RING_SIZE), 0u);
    sys.set(RING_SIZE, 1u << 17);
    EXPECT_EQ(sys.reg(RING_SIZE), 0u);
    sys.set(RING_SIZE, 16);
    EXPECT_EQ(sys.reg(RING_SIZE), 16u);
    sys.set(RING_BASE, ring + 5);
    EXPECT_EQ(sys.reg(RING_BASE), ring);
    sys.set(IRQ_ENABLE, 0xff);
    EXPECT_EQ(sys.reg(IRQ_ENABLE), 3u);
  });
}

TEST_F(npu_test, ring_doorbell_gemm_and_completion_interrupt) {
  run([&] {
    // C = A (2 x 16) * B (16 x 16) with B = 2 * identity, out through requant (x / 2).
    for (int i = 0; i < 2; ++i)
      for (int k = 0; k < 16; ++k) sys.at(D + 0x1000 + 16 * i)[k] = static_cast<std::uint8_t>(i * 16 + k);
    for (int k = 0; k < 16; ++k) sys.at(D + 0x2000 + 16 * k)[k] = 2;
    sys.start();
    sys.submit({mvin(D + 0x1000, sp(0), 2, 16, 16), mvin(D + 0x2000, sp(16), 16, 16, 16),
                matmul(sp(0), sp(16), ac(0), 2), config_store(1, 1, 0), mvout(D + 0x3000, ac(0), 2, 16, 16),
                mvout(D + 0x3100, ac(0), 2, 16, 64, 1), irq(7)});
    EXPECT_EQ(sys.reg(STATUS) & 1, 1u);
    const sc_core::sc_time took = sys.wait_idle();
    EXPECT_GT(took, ns(100));
    EXPECT_EQ(sys.reg(RING_HEAD), 7u);
    EXPECT_EQ(sys.reg(RETIRED), 7u);
    EXPECT_EQ(sys.reg(IRQ_TAG), 7u);
    EXPECT_EQ(sys.reg(IRQ_STATUS), 1u);
    EXPECT_GT(sys.reg(CYCLES_LO), 0u);
    EXPECT_EQ(sys.reg(CYCLES_HI), 0u);
    EXPECT_GT(sys.reg(LOAD_BUSY), 0u);
    EXPECT_GT(sys.reg(EXEC_BUSY), 0u);
    EXPECT_GT(sys.reg(STORE_BUSY), 0u);
    EXPECT_EQ(sys.reg(SPARSE_BUSY), 0u);
    EXPECT_GT(sys.reg(DMA_READS), 0u);
    EXPECT_GT(sys.reg(DMA_WRITES), 0u);
    EXPECT_TRUE(sys.irq.read());
    sys.set(IRQ_STATUS, 1);  // W1C
    EXPECT_EQ(sys.reg(IRQ_STATUS), 0u);
    sc_core::wait(ns(1));
    EXPECT_FALSE(sys.irq.read());
    for (int i = 0; i < 2; ++i)
      for (int n = 0; n < 16; ++n) {
        EXPECT_EQ(static_cast<std::int8_t>(sys.at(D + 0x3000 + 16 * i)[n]), i * 16 + n);
        EXPECT_EQ(sys.get32(D + 0x3100 + 64 * i + 4 * n), 2 * (i * 16 + n));
      }
    // A second batch reuses the ring (wraps with size 4 later in other tests).
    sys.submit({irq(8)});
    sys.wait_idle();
    EXPECT_EQ(sys.reg(IRQ_TAG), 8u);
  });
  ASSERT_GE(sys.monitor.changes.size(), 2u);
  EXPECT_TRUE(sys.monitor.changes[0].second);
}

TEST_F(npu_test, the_ring_wraps) {
  run([&] {
    sys.start(4);
    for (int round = 0; round < 5; ++round) {
      sys.submit({nop(), nop(), irq(static_cast<std::uint32_t>(round))}, 4);
      sys.wait_idle();
      EXPECT_EQ(sys.reg(IRQ_TAG), static_cast<std::uint32_t>(round));
    }
    EXPECT_EQ(sys.reg(RING_HEAD), 15u);
    EXPECT_EQ(sys.reg(ERROR), 0u);
  });
}

TEST_F(npu_test, nothing_runs_until_enabled) {
  run([&] {
    sys.set(RING_BASE, ring);
    sys.set(RING_SIZE, 8);
    sys.submit({irq(3)}, 8);
    sc_core::wait(ns(1000));
    EXPECT_EQ(sys.reg(RING_HEAD), 0u);
    sys.set(CTRL, 1);
    sys.wait_idle();
    EXPECT_EQ(sys.reg(IRQ_TAG), 3u);
  });
}

struct error_case {
  const char* name;
  std::vector<instruction> program;
  error code;
  std::uint32_t index;
  std::uint32_t info;
};

class npu_error_test : public npu_test, public ::testing::WithParamInterface<int> {};

std::vector<error_case> error_cases() {
  return {
      {"illegal_opcode", {nop(), make(0x3f)}, error::illegal_opcode, 1, 0x3f},
      {"illegal_field", {mvin(D, sp(0), 0, 16, 16)}, error::illegal_field, 0, 3},
      {"local_range", {nop(), nop(), mvin(D, sp(16380), 8, 16, 16)}, error::local_range, 2, 16380},
      {"dram_range", {mvout(D + (1 << 20), sp(0), 1, 16, 16)}, error::dram_range, 0, D + (1 << 20)},
      {"misaligned", {mvin(D + 2, ac(0), 1, 4, 16)}, error::misaligned, 0, D + 2},
      {"index_bounds", {gather(D + 0x8000, 1, D, 4, 16, sp(0), 16)}, error::index_bounds, 0, 9},
  };
}

TEST_P(npu_error_test, halts_reports_interrupts_and_recovers_with_reset) {
  const error_case c = error_cases()[static_cast<std::size_t>(GetParam())];
  run([&] {
    sys.put32(D + 0x8000, {9});
    sys.start();
    std::vector<instruction> program = c.program;
    program.push_back(mvin(D, sp(100), 1, 16, 16));  // never runs
    sys.submit(program);
    sys.wait_idle();
    sc_core::wait(ns(10));
    EXPECT_EQ(sys.reg(STATUS), 2u) << c.name;
    EXPECT_EQ(sys.reg(ERROR), static_cast<std::uint32_t>(c.code)) << c.name;
    EXPECT_EQ(sys.reg(FAULT_INDEX), c.index) << c.name;
    EXPECT_EQ(sys.reg(FAULT_INFO), c.info) << c.name;
    EXPECT_EQ(sys.reg(IRQ_STATUS), 2u);
    EXPECT_TRUE(sys.irq.read());
    EXPECT_EQ(sys.reg(RETIRED), c.index);
    // Halted: a further doorbell does nothing.
    sys.submit({irq(1)});
    sc_core::wait(ns(1000));
    EXPECT_EQ(sys.reg(IRQ_TAG), 0u);
    // CTRL.reset recovers.
    sys.set(CTRL, 2);
    sc_core::wait(ns(1));
    EXPECT_EQ(sys.reg(STATUS), 0u);
    EXPECT_EQ(sys.reg(ERROR), 0u);
    EXPECT_EQ(sys.reg(IRQ_STATUS), 0u);
    EXPECT_EQ(sys.reg(RING_HEAD), 0u);
    EXPECT_EQ(sys.reg(RETIRED), 0u);
    EXPECT_FALSE(sys.irq.read());
    sys.tail = 0;
    sys.set(CTRL, 1);
    sys.submit({irq(5)});
    sys.wait_idle();
    EXPECT_EQ(sys.reg(IRQ_TAG), 5u);
    EXPECT_EQ(sys.reg(ERROR), 0u);
  });
}

INSTANTIATE_TEST_SUITE_P(npu, npu_error_test, ::testing::Range(0, 6),
                         [](const ::testing::TestParamInfo<int>& info) {
                           return std::string(error_cases()[static_cast<std::size_t>(info.param)].name);
                         });

TEST_F(npu_test, ring_overflow) {
  run([&] {
    sys.start(4);
    sys.set(RING_TAIL, 5);
    EXPECT_EQ(sys.reg(STATUS) & 2, 2u);
    EXPECT_EQ(sys.reg(ERROR), static_cast<std::uint32_t>(error::ring_overflow));
    EXPECT_EQ(sys.reg(FAULT_INDEX), 0u);
    EXPECT_EQ(sys.reg(FAULT_INFO), 5u);
    sc_core::wait(ns(1));
    EXPECT_TRUE(sys.irq.read());
    sys.set(CTRL, 3);  // reset and enable
    EXPECT_EQ(sys.reg(ERROR), 0u);
    sys.submit({irq(2)}, 4);
    sys.wait_idle();
    EXPECT_EQ(sys.reg(IRQ_TAG), 2u);
  });
}

TEST(npu_bus_error, a_dma_error_response_is_a_bus_error) {
  // The NPU believes DRAM is 2 MiB, the bus maps 1 MiB: the upper half answers address errors.
  npu_system sys{"", 2 << 20};
  sys.cpu.run([&] {
    sys.start();
    sys.submit({mvin(D + (1 << 20) + 0x40, sp(0), 1, 16, 16)});
    sys.wait_idle();
    EXPECT_EQ(sys.reg(ERROR), static_cast<std::uint32_t>(error::bus_error));
    EXPECT_EQ(sys.reg(FAULT_INFO), D + (1 << 20) + 0x40);
    EXPECT_EQ(sys.reg(STATUS), 2u);
  });
  sc_core::sc_start();
}

TEST(npu_bus_error, a_ring_outside_dram_is_a_dram_range_error) {
  npu_system sys{""};
  sys.cpu.run([&] {
    sys.set(RING_BASE, 0x1000);
    sys.set(RING_SIZE, 4);
    sys.set(CTRL, 1);
    sys.set(RING_TAIL, 1);
    sc_core::wait(ns(100));
    EXPECT_EQ(sys.reg(ERROR), static_cast<std::uint32_t>(error::dram_range));
    EXPECT_EQ(sys.reg(FAULT_INFO), 0x1000u);
  });
  sc_core::sc_start();
}

TEST(npu_timing, dma_overlaps_compute_and_dependencies_order_units) {
  // Four systems in one simulation, each with its own cold hierarchy.
  npu_system load_only{"l_"}, compute_only{"c_"}, both{"b_"}, dependent{"d_"};
  const std::vector<instruction> loads = {mvin(D, sp(1000), 256, 16, 64)};
  const std::vector<instruction> computes = {matmul(sp(0), sp(16), ac(0), 512),
                                             matmul(sp(0), sp(32), ac(0), 512)};
  std::uint64_t l = 0, c = 0, b = 0, d = 0;
  load_only.cpu.run([&] {
    load_only.start();
    load_only.submit(loads);
    load_only.wait_idle();
    l = load_only.npu.idle_time().value();
  });
  compute_only.cpu.run([&] {
    compute_only.start();
    compute_only.submit(computes);
    compute_only.wait_idle();
    c = compute_only.npu.idle_time().value();
  });
  both.cpu.run([&] {
    both.start();
    std::vector<instruction> p = loads;
    p.insert(p.end(), computes.begin(), computes.end());
    both.submit(p);
    both.wait_idle();
    b = both.npu.idle_time().value();
  });
  dependent.cpu.run([&] {
    dependent.start();
    // The matmul reads rows the mvin writes: it must wait for it.
    dependent.submit(
        {mvin(D, sp(0), 256, 16, 64), matmul(sp(0), sp(16), ac(0), 512), matmul(sp(0), sp(32), ac(0), 512)});
    dependent.wait_idle();
    d = dependent.npu.idle_time().value();
  });
  sc_core::sc_start();
  EXPECT_GT(l, 0u);
  EXPECT_GT(c, 0u);
  EXPECT_LT(b, l + c - 500'000) << "independent streams overlap";
  EXPECT_GT(d, b + 500'000) << "a RAW dependency serialises";
  const auto& stats = nvr::stats::registry::instance();
  EXPECT_GT(stats.value("d_npu.stall_cycles.dependency").get<std::uint64_t>(), 0u);
  EXPECT_EQ(stats.value("b_npu.stall_cycles.dependency").get<std::uint64_t>(), 0u);
  EXPECT_EQ(stats.value("b_npu.instructions.matmul").get<std::uint64_t>(), 2u);
  EXPECT_GT(stats.value("b_npu.dma.read_requests").get<std::uint64_t>(), 256u);
}

TEST(npu_timing, same_program_same_cycles) {
  npu_system one{"one_"}, two{"two_"};
  std::vector<instruction> program;
  for (int i = 0; i < 8; ++i) {
    program.push_back(mvin(D + 0x1000 * i, sp(64 * i), 64, 16, 32));
    program.push_back(matmul(sp(64 * i), sp(0), ac(64 * (i % 4)), 64));
    program.push_back(mvout(D + 0x40000 + 0x1000 * i, ac(64 * (i % 4)), 64, 16, 16));
  }
  program.push_back(irq(1));
  std::uint64_t a = 0, b = 0;
  one.cpu.run([&] {
    one.start();
    one.submit(program);
    one.wait_idle();
    a = one.npu.idle_time().value();
  });
  two.cpu.run([&] {
    two.start();
    two.submit(program);
    two.wait_idle();
    b = two.npu.idle_time().value();
  });
  sc_core::sc_start();
  EXPECT_GT(a, 0u);
  EXPECT_EQ(a, b);
}

}  // namespace

namespace {

TEST(npu_observability, statistics_and_vcd_signals) {
  npu_system sys{""};
  const std::string path = ::testing::TempDir() + "npu_test.vcd";
  nvr::trace::vcd_writer::options options;
  options.groups = {"npu"};
  auto writer = std::make_unique<nvr::trace::vcd_writer>(path, options);
  EXPECT_EQ(writer->traced_signals(), 4u + 4u + 1u);  // busy and queue per unit, DMA in flight
  sys.cpu.run([&] {
    sys.start();
    sys.submit({mvin(D, sp(0), 64, 16, 16), matmul(sp(0), sp(16), ac(0), 32),
                mvout(D + 0x8000, ac(0), 32, 16, 16), gather(D + 0x8000, 4, D, 8, 16, sp(100), 16), irq(1)});
    sys.wait_idle();
  });
  sc_core::sc_start();
  writer->close();
  EXPECT_EQ(writer->late_records(), 0u);
  std::ifstream file(path);
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  for (const char* name :
       {"load_busy", "execute_busy", "store_busy", "sparse_busy", "load_queue", "dma_outstanding"})
    EXPECT_NE(text.find(name), std::string::npos) << name;
  EXPECT_GT(writer->changes_written(), 10u);

  const auto& stats = nvr::stats::registry::instance();
  EXPECT_EQ(stats.value("npu.instructions.mvin").get<std::uint64_t>(), 1u);
  EXPECT_EQ(stats.value("npu.instructions.irq").get<std::uint64_t>(), 1u);
  EXPECT_EQ(stats.value("npu.retired").get<std::uint64_t>(), 5u);
  EXPECT_GT(stats.value("npu.busy_cycles.load").get<std::uint64_t>(), 64u);
  EXPECT_GE(stats.value("npu.busy_cycles.execute").get<std::uint64_t>(), 16u + 32 + 16);
  EXPECT_GT(stats.value("npu.stall_cycles.dependency").get<std::uint64_t>(), 0u);
  EXPECT_EQ(stats.value("npu.dma.write_requests").get<std::uint64_t>(), 32u);  // one line per 16-byte row
  EXPECT_EQ(stats.value("npu.dma.write_bytes").get<std::uint64_t>(), 32u * 64);
  EXPECT_GT(stats.value("npu.cycles").get<std::uint64_t>(), 0u);
  EXPECT_GT(stats.value("npu.memory.nsb.accesses").get<std::uint64_t>(), 0u);
  EXPECT_GT(stats.value("npu.memory.l2.accesses").get<std::uint64_t>(), 0u);  // the ring fetch at least
}

// Exact costs from ISA.md: a second matmul with the same weights skips the preload and costs
// rows + 16 cycles after the first; with other weights it also pays the 16-cycle preload.
TEST(npu_timing, matmul_costs_follow_the_isa) {
  npu_system same{"s_"}, other{"o_"}, single{"one_"};
  std::uint64_t t_same = 0, t_other = 0, t_single = 0;
  auto body = [](npu_system& sys, std::vector<instruction> program, std::uint64_t& out) {
    return [&sys, program, &out] {
      sys.start();
      sys.submit(program);
      sys.wait_idle();
      out = sys.npu.idle_time().value();
    };
  };
  single.cpu.run(body(single, {matmul(sp(0), sp(16), ac(0), 8)}, t_single));
  same.cpu.run(body(same, {matmul(sp(0), sp(16), ac(0), 8), matmul(sp(0), sp(16), ac(8), 8)}, t_same));
  other.cpu.run(body(other, {matmul(sp(0), sp(16), ac(0), 8), matmul(sp(0), sp(32), ac(8), 8)}, t_other));
  sc_core::sc_start();
  EXPECT_EQ(t_same - t_single, (8u + 16) * 1000);
  EXPECT_EQ(t_other - t_single, (16u + 8 + 16) * 1000);
}

}  // namespace

namespace {

// The sparse unit's index loads carry their values and instruction ids, so the indirect memory
// prefetcher learns the gather pattern; results are unchanged and the gathers get no slower.
TEST(npu_prefetch, imp_learns_the_gathers) {
  struct variant {
    std::string prefix;
    std::string prefetcher;
    std::unique_ptr<npu_system> sys;
    std::uint64_t done = 0;
  };
  std::vector<variant> variants(2);
  variants[0].prefix = "none_";
  variants[0].prefetcher = "none";
  variants[1].prefix = "imp_";
  variants[1].prefetcher = "imp";
  std::mt19937 rng(3);
  std::vector<std::int32_t> index(2048);
  for (auto& x : index) x = static_cast<std::int32_t>(rng() % 4096);
  for (variant& v : variants) {
    npu_config c = npu_system::config(1 << 20);
    c.memory.prefetcher = v.prefetcher;
    v.sys = std::make_unique<npu_system>(v.prefix, c);
    v.sys->put32(D + 0xc0000, index);
    variant* p = &v;
    v.sys->cpu.run([p] {
      npu_system& s = *p->sys;
      s.start();
      std::vector<instruction> program;
      for (std::uint32_t i = 0; i < 2048; i += 256)
        program.push_back(gather(D + 0xc0000 + 4 * i, 256, D, 4096, 64, sp(i), 16));
      s.submit(program);
      s.wait_idle();
      EXPECT_EQ(s.reg(ERROR), 0u);
      p->done = s.npu.idle_time().value();
    });
  }
  sc_core::sc_start();
  const auto& stats = nvr::stats::registry::instance();
  EXPECT_EQ(stats.value("none_npu.memory.nsb.prefetch.issued").get<std::uint64_t>(), 0u);
  EXPECT_GT(stats.value("imp_npu.memory.nsb.prefetch.useful").get<std::uint64_t>(), 100u);
  EXPECT_LE(variants[1].done, variants[0].done);
  EXPECT_EQ(variants[0].sys->npu.state().spad(), variants[1].sys->npu.state().spad());
}

}  // namespace

namespace {

// RING_HEAD and RETIRED count what has happened by the reader's time, although the NPU thread
// has already processed the instructions (it runs ahead of the kernel).
TEST_F(npu_test, head_and_retired_follow_simulated_time) {
  run([&] {
    sys.start();
    sys.submit({mvin(D, sp(0), 512, 16, 64), matmul(sp(0), sp(16), ac(0), 512), irq(1)});
    sc_core::wait(ns(20));
    EXPECT_EQ(sys.reg(RETIRED), 0u);
    EXPECT_EQ(sys.reg(STATUS) & 1, 1u);
    EXPECT_EQ(sys.reg(IRQ_STATUS), 0u);
    EXPECT_FALSE(sys.irq.read());
    sys.wait_idle();
    EXPECT_EQ(sys.reg(RETIRED), 3u);
    EXPECT_EQ(sys.reg(RING_HEAD), 3u);
    EXPECT_EQ(sys.reg(IRQ_STATUS), 1u);
  });
  // The interrupt rose exactly when the irq instruction completed.
  ASSERT_FALSE(sys.monitor.changes.empty());
  EXPECT_EQ(sys.monitor.changes[0].first, sys.npu.idle_time());
}

}  // namespace

namespace {

// Calibration against the Gemmini RTL latencies of the NVR prototype (paper-facts.md): mvin of a
// 16 x 16 int8 tile ~99-158 cycles (cold), preload ~17, compute ~32 for 16 rows.
TEST(npu_timing, tile_latencies_are_gemmini_like) {
  npu_system sys{""};
  sys.cpu.run([&] {
    sys.start();
    sys.submit({mvin(D + 0x4000, sp(0), 16, 16, 16), fence(), matmul(sp(0), sp(16), ac(0), 16)});
    sys.wait_idle();
  });
  sc_core::sc_start();
  const auto& stats = nvr::stats::registry::instance();
  const std::uint64_t mvin_cycles = stats.value("npu.busy_cycles.load").get<std::uint64_t>();
  EXPECT_GE(mvin_cycles, 99u);
  EXPECT_LE(mvin_cycles, 158u);
  EXPECT_EQ(stats.value("npu.busy_cycles.execute").get<std::uint64_t>(), 16u + 16 + 16);  // preload + compute
  RecordProperty("mvin_cycles", static_cast<int>(mvin_cycles));
}

}  // namespace

namespace {

// CTRL.reset while busy aborts: the NPU is idle at once, the ring starts again at 0; RING_BASE
// and RING_SIZE cannot change while busy.
TEST_F(npu_test, reset_aborts_a_running_program) {
  run([&] {
    sys.start();
    std::vector<instruction> program;
    for (int i = 0; i < 40; ++i) program.push_back(mvin(D + 0x1000 * i, sp(256 * (i % 8)), 256, 16, 64));
    program.push_back(irq(9));
    sys.submit(program);
    sc_core::wait(ns(500));
    EXPECT_EQ(sys.reg(STATUS), 1u);
    sys.set(RING_BASE, ring + 0x1000);  // ignored while busy
    sys.set(RING_SIZE, 8);
    EXPECT_EQ(sys.reg(RING_BASE), ring);
    EXPECT_EQ(sys.reg(RING_SIZE), 64u);
    sys.set(CTRL, 2 | 1);
    EXPECT_EQ(sys.reg(STATUS), 0u);
    EXPECT_EQ(sys.reg(RING_HEAD), 0u);
    EXPECT_EQ(sys.reg(CTRL), 1u);  // reset reads 0
    sc_core::wait(ns(100000));
    EXPECT_EQ(sys.reg(IRQ_TAG), 0u);  // the aborted irq never completed
    EXPECT_FALSE(sys.irq.read());
    sys.tail = 0;
    sys.submit({irq(10)});
    sys.wait_idle();
    EXPECT_EQ(sys.reg(IRQ_TAG), 10u);
    EXPECT_EQ(sys.reg(RETIRED), 1u);
  });
}

// CTRL.reset clears the CYCLES and RETIRED registers, not the statistics: a firmware that resets
// the NPU between phases still reports all its work.
TEST_F(npu_test, reset_clears_the_registers_not_the_statistics) {
  std::uint64_t cycles_before = 0;
  run([&] {
    sys.start();
    sys.submit({mvin(D, sp(0), 64, 16, 16), irq(1)});
    sys.wait_idle();
    cycles_before = sys.reg(CYCLES_LO);
    EXPECT_GT(cycles_before, 0u);
    EXPECT_EQ(sys.reg(RETIRED), 2u);
    sys.set(CTRL, 2 | 1);
    EXPECT_EQ(sys.reg(CYCLES_LO), 0u);
    EXPECT_EQ(sys.reg(RETIRED), 0u);
    sys.tail = 0;
    sys.submit({irq(2)});
    sys.wait_idle();
  });
  const auto& stats = nvr::stats::registry::instance();
  EXPECT_EQ(stats.value("npu.retired").get<std::uint64_t>(), 3u);
  EXPECT_GE(stats.value("npu.cycles").get<std::uint64_t>(), cycles_before);
}

}  // namespace
