// Seeded random instruction streams on the model's functional machine (ip/npu/machine.h) and on
// the host reference (workloads/ref, nvr_npu_ref): identical scratchpad, accumulator, DRAM and
// fault, instruction by instruction. Some instructions are mutated to exercise the error paths.
#include <gtest/gtest.h>

#include "ip/npu/machine.h"
#include "tests/ip/npu/npu_test_support.h"
#include "tests/ip/npu/random_program.h"
#include "workloads/ref/machine.h"

namespace {

using namespace nvr::npu;
using namespace nvr::npu::test;

constexpr std::uint32_t D = random_dram_base;
constexpr std::uint32_t dram_bytes = random_dram_bytes;

class differential : public ::testing::TestWithParam<std::uint32_t> {};

TEST_P(differential, model_and_reference_agree) {
  program_generator gen(GetParam());
  machine model(machine_config{D, dram_bytes});
  npu_ref::machine ref(D, dram_bytes);
  flat_dram dram(D, dram_bytes);
  gen.prepare(dram.bytes);
  ref.dram() = dram.bytes;
  work w;
  unsigned faults = 0;
  for (int i = 0; i < 400; ++i) {
    const instruction in = gen.next();
    const fault f = model.execute(in, dram, w);
    const npu_ref::fault g = ref.execute(in.w);
    ASSERT_EQ(static_cast<std::uint32_t>(f.code), static_cast<std::uint32_t>(g.code))
        << "seed " << GetParam() << " instruction " << i << " opcode " << unsigned(in.opcode());
    ASSERT_EQ(f.info, g.info) << "seed " << GetParam() << " instruction " << i;
    ASSERT_EQ(model.spad(), ref.spad_data())
        << "seed " << GetParam() << " instruction " << i << " opcode " << unsigned(in.opcode());
    ASSERT_EQ(model.acc(), ref.acc_data()) << "seed " << GetParam() << " instruction " << i << " opcode "
                                           << unsigned(in.opcode()) << " funct " << unsigned(in.funct());
    ASSERT_TRUE(dram.bytes == ref.dram()) << "seed " << GetParam() << " instruction " << i;
    if (f) {
      ++faults;
      // Both halt; start again from the same state (the reference's reset clears memories).
      model.reset();
      ref.reset();
    }
  }
  EXPECT_LT(faults, 100u) << "most instructions are valid";
  RecordProperty("faults", static_cast<int>(faults));
}

INSTANTIATE_TEST_SUITE_P(seeds, differential, ::testing::Range(1u, 21u));

}  // namespace
