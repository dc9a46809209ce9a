// The RAM: accesses and latencies, bounds, byte enables, streaming, DMI, debug access, statistics,
// lazy allocation.
#include <gtest/gtest.h>

#include <fstream>
#include <stdexcept>
#include <systemc>

#include "core/stats.h"
#include "ip/memory/ram.h"
#include "tests/core/tlm_test_support.h"

namespace {

using nvr::test::ns;

struct ram_test : ::testing::Test {
  nvr::memory::ram mem{"mem", 0x1000, ns(3), ns(4)};
  nvr::test::initiator cpu{"cpu"};
  ram_test() { cpu.out.bind(mem.in); }
  void run(std::function<void()> body) {
    cpu.run(std::move(body));
    sc_core::sc_start();
  }
  static std::uint64_t stat(const std::string& path) {
    return nvr::stats::registry::instance().value(path).get<std::uint64_t>();
  }
};

TEST_F(ram_test, starts_zeroed_and_reads_back_what_was_written) {
  EXPECT_EQ(mem.size(), 0x1000u);
  for (std::uint64_t i = 0; i < mem.size(); ++i) ASSERT_EQ(mem.data()[i], 0) << i;
  run([&] {
    const auto write = cpu.write(0x10, 0x0123456789abcdef, 8, ns(1));
    EXPECT_TRUE(write.ok());
    EXPECT_EQ(write.delay, ns(5));
    const auto read = cpu.read(0x12, 2);
    EXPECT_TRUE(read.ok());
    EXPECT_EQ(read.data, 0x89abu);
    EXPECT_EQ(read.delay, ns(3));
  });
  EXPECT_EQ(mem.data()[0x10], 0xef);
  EXPECT_EQ(mem.data()[0x17], 0x01);
  EXPECT_EQ(stat("mem.reads"), 1u);
  EXPECT_EQ(stat("mem.writes"), 1u);
  EXPECT_EQ(stat("mem.bytes_read"), 2u);
  EXPECT_EQ(stat("mem.bytes_written"), 8u);
}

TEST_F(ram_test, accesses_outside_are_address_errors) {
  run([&] {
    EXPECT_EQ(cpu.read(0x1000, 1).status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(cpu.write(0xffe, 0, 4).status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(cpu.read(~0ull, 1).status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_TRUE(cpu.read(0xffc, 4).ok());
  });
}

TEST_F(ram_test, byte_enables_select_bytes) {
  run([&] {
    std::uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    unsigned char enables[2] = {TLM_BYTE_ENABLED, TLM_BYTE_DISABLED};
    EXPECT_TRUE(cpu.transport(tlm::TLM_WRITE_COMMAND, 0x20, data, 8, ns(0), enables, 2).ok());
    std::uint8_t back[4] = {9, 9, 9, 9};
    EXPECT_TRUE(cpu.transport(tlm::TLM_READ_COMMAND, 0x20, back, 4, ns(0), enables, 2).ok());
    EXPECT_EQ(back[0], 1);
    EXPECT_EQ(back[1], 9);  // disabled: untouched
    EXPECT_EQ(cpu.transport(tlm::TLM_READ_COMMAND, 0x20, back, 4, ns(0), enables, 0).status,
              tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
  });
  const std::uint8_t expected[8] = {1, 0, 3, 0, 5, 0, 7, 0};
  for (int i = 0; i < 8; ++i) EXPECT_EQ(mem.data()[0x20 + i], expected[i]) << i;
}

TEST_F(ram_test, streaming_width_repeats_the_window) {
  run([&] {
    std::uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    EXPECT_TRUE(cpu.transport(tlm::TLM_WRITE_COMMAND, 0xffc, data, 8, ns(0), nullptr, 0, 4).ok());
  });
  EXPECT_EQ(mem.data()[0xffc], 5);
  EXPECT_EQ(mem.data()[0xfff], 8);
}

TEST_F(ram_test, dmi_covers_the_whole_memory) {
  run([&] {
    tlm::tlm_dmi dmi;
    ASSERT_TRUE(cpu.get_dmi(0x800, dmi, tlm::TLM_WRITE_COMMAND));
    EXPECT_EQ(dmi.get_dmi_ptr(), mem.data());
    EXPECT_EQ(dmi.get_start_address(), 0u);
    EXPECT_EQ(dmi.get_end_address(), 0xfffu);
    EXPECT_TRUE(dmi.is_read_write_allowed());
    EXPECT_EQ(dmi.get_read_latency(), ns(3));
    EXPECT_EQ(dmi.get_write_latency(), ns(4));
    dmi.get_dmi_ptr()[0x800] = 0x42;
    EXPECT_EQ(cpu.read(0x800, 1).data, 0x42u);
    EXPECT_FALSE(cpu.get_dmi(0x1000, dmi));
  });
}

TEST_F(ram_test, debug_transport_is_clipped_and_uncounted) {
  run([&] {
    std::uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    EXPECT_EQ(cpu.debug(tlm::TLM_WRITE_COMMAND, 0xffa, data, 8), 6u);
    EXPECT_EQ(cpu.debug(tlm::TLM_READ_COMMAND, 0x1000, data, 8), 0u);
    std::uint8_t back[2] = {};
    EXPECT_EQ(cpu.debug(tlm::TLM_READ_COMMAND, 0xffe, back, 2), 2u);
    EXPECT_EQ(back[1], 6);
  });
  EXPECT_EQ(stat("mem.reads"), 0u);
  EXPECT_EQ(stat("mem.writes"), 0u);
}

TEST(ram, zero_size_is_rejected) { EXPECT_THROW(nvr::memory::ram("empty", 0), std::invalid_argument); }

std::uint64_t resident_bytes() {
  std::ifstream statm("/proc/self/statm");
  std::uint64_t size = 0, resident = 0;
  statm >> size >> resident;
  return resident * 4096;
}

TEST(ram, a_large_memory_costs_nothing_until_touched) {
  const std::uint64_t before = resident_bytes();
  nvr::memory::ram big("big", 256ull << 20);
  EXPECT_LT(resident_bytes() - before, 16ull << 20);
  big.data()[(256ull << 20) - 1] = 1;
  EXPECT_EQ(big.data()[0], 0);
}

}  // namespace
