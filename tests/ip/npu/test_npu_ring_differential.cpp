// Seeded random programs through the whole NPU block (ring, doorbell, units, timing, DMA through
// the bus) against the host reference: identical scratchpad, accumulator and DRAM at the end.
#include <gtest/gtest.h>

#include <cstring>

#include "ip/bus/router.h"
#include "ip/memory/ram.h"
#include "ip/npu/npu.h"
#include "platform/memory_map.h"
#include "tests/core/tlm_test_support.h"
#include "tests/ip/npu/random_program.h"
#include "workloads/ref/machine.h"

namespace {

using namespace nvr::npu;
using namespace nvr::npu::test;

constexpr std::uint32_t D = random_dram_base;
constexpr std::uint32_t ring = D + random_dram_bytes;  // after the image the programs use
constexpr std::uint32_t ring_size = 1024;

class ring_differential : public ::testing::TestWithParam<std::uint32_t> {};

TEST_P(ring_differential, model_through_the_ring_matches_the_reference) {
  program_generator gen(GetParam());
  gen.mutate = false;
  std::vector<std::uint8_t> image(random_dram_bytes);
  gen.prepare(image);
  npu_ref::machine ref(D, random_dram_bytes);
  ref.dram() = image;
  // Random instructions the reference executes without a fault (invalid random choices, e.g. an
  // spmm before any config.sparse, are left out).
  std::vector<instruction> program;
  for (int i = 0; i < 600; ++i) {
    const instruction in = gen.next();
    npu_ref::machine trial = ref;
    if (trial.execute(in.w)) continue;
    ref = std::move(trial);
    program.push_back(in);
  }
  ASSERT_GT(program.size(), 300u);
  program.push_back(irq(1));

  nvr::bus::router bus("bus");
  nvr::memory::ram dram("dram", 1 << 20);
  npu_config config;
  config.dram_base = D;
  config.dram_size = 1 << 20;  // the ring lies after the image the reference holds
  config.quantum = sc_core::sc_time(100, sc_core::SC_NS);  // many synchronisations
  nvr::npu::npu unit("npu", config);
  sc_core::sc_signal<bool> irq_line("irq_line");
  nvr::test::initiator cpu("cpu");
  cpu.out.bind(bus.in);
  unit.dma.bind(bus.in);
  bus.map(dram.in, D, 1 << 20, "dram");
  bus.map(unit.in, NVR_NPU_BASE, NVR_NPU_SIZE, "npu");
  unit.irq.bind(irq_line);
  std::memcpy(dram.data(), image.data(), image.size());
  for (std::size_t i = 0; i < program.size(); ++i)
    std::memcpy(dram.data() + (ring - D) + 32 * i, program[i].w.data(), 32);
  cpu.run([&] {
    cpu.write(NVR_NPU_BASE + 0x20, ring, 4);
    cpu.write(NVR_NPU_BASE + 0x24, ring_size, 4);
    cpu.write(NVR_NPU_BASE + 0x08, 1, 4);
    // Two doorbells: the first half, then the rest while the NPU is still busy.
    const std::uint32_t half = static_cast<std::uint32_t>(program.size() / 2);
    cpu.write(NVR_NPU_BASE + 0x2c, half, 4);
    sc_core::wait(sc_core::sc_time(200, sc_core::SC_NS));
    cpu.write(NVR_NPU_BASE + 0x2c, static_cast<std::uint32_t>(program.size()), 4);
    while (cpu.read(NVR_NPU_BASE + 0x0c, 4).data & 1) sc_core::wait(sc_core::sc_time(100, sc_core::SC_NS));
    EXPECT_EQ(cpu.read(NVR_NPU_BASE + 0x10, 4).data, 0u);
    EXPECT_EQ(cpu.read(NVR_NPU_BASE + 0x48, 4).data, program.size());
    EXPECT_EQ(cpu.read(NVR_NPU_BASE + 0x38, 4).data, 1u);
  });
  sc_core::sc_start();
  EXPECT_EQ(unit.state().spad(), ref.spad_data());
  EXPECT_EQ(unit.state().acc(), ref.acc_data());
  EXPECT_EQ(0, std::memcmp(dram.data(), ref.dram().data(), random_dram_bytes));
}

INSTANTIATE_TEST_SUITE_P(seeds, ring_differential, ::testing::Range(100u, 108u));

}  // namespace
