// The register framework: dispatch by offset, policies, widths, error responses, debug access,
// latency, local time, banked registers; and the line driver's timing.
#include <gtest/gtest.h>

#include <systemc>

#include "core/line_driver.h"
#include "core/peripheral.h"
#include "tests/core/tlm_test_support.h"

namespace {

using nvr::core::access_context;
using nvr::core::access_policy;
using nvr::core::reg;
using nvr::test::ns;

struct device : nvr::core::peripheral {
  reg<std::uint8_t> byte{*this, "byte", 0x0, 0x12};
  reg<std::uint32_t> id{*this, "id", 0x4, 0xdeadbeef, access_policy::read_only};
  reg<std::uint32_t> command{*this, "command", 0x8, 0, access_policy::write_only};
  reg<std::uint64_t> wide{*this, "wide", 0x10, 0x1122334455667788};
  reg<std::uint32_t> words_only{*this, "words_only", 0x20, 7};
  // Banked at 0x30: data_in (read) / data_out (write) when bank == 0, latch (read-write) otherwise.
  reg<std::uint8_t> data_in{*this, "data_in", 0x30, 0xaa, access_policy::read_only};
  reg<std::uint8_t> data_out{*this, "data_out", 0x30, 0, access_policy::write_only};
  reg<std::uint8_t> latch{*this, "latch", 0x30, 0x55};
  reg<std::uint8_t> bank{*this, "bank", 0x31, 0};
  reg<std::uint32_t> counter{*this, "counter", 0x40, 0, access_policy::read_only};
  reg<std::uint16_t> masked{*this, "masked", 0x50, 0xab00};
  reg<std::uint32_t> stamp{*this, "stamp", 0x60, 0};
  reg<std::uint32_t> synced{*this, "synced", 0x70, 0, access_policy::read_only};

  unsigned reads = 0;
  sc_core::sc_time write_time;

  explicit device(const sc_core::sc_module_name& name) : peripheral(name, ns(2)) {
    words_only.set_min_access_size(4);
    data_in.set_active([this] { return bank.get() == 0; });
    data_out.set_active([this] { return bank.get() == 0; });
    latch.set_active([this] { return bank.get() != 0; });
    counter.on_read([this](const access_context& context) -> std::uint32_t {
      if (!context.debug) ++reads;
      return reads;
    });
    masked.set_write_mask(0x00ff);
    stamp.on_write([this](std::uint32_t value, const access_context& context) {
      stamp.set(value);
      write_time = context.time;
    });
    synced.set_sync(true);
    synced.on_read([](const access_context& context) {
      return static_cast<std::uint32_t>(context.time.to_seconds() * 1e9 + 0.5);
    });
  }
};

struct peripheral_test : ::testing::Test {
  device dut{"dut"};
  nvr::test::initiator cpu{"cpu"};
  peripheral_test() { cpu.out.bind(dut.in); }
  void run(std::function<void()> body) {
    cpu.run(std::move(body));
    sc_core::sc_start();
  }
};

TEST_F(peripheral_test, registers_read_their_reset_values) {
  run([&] {
    EXPECT_EQ(cpu.read(0x0, 1).data, 0x12u);
    EXPECT_EQ(cpu.read(0x4, 4).data, 0xdeadbeefu);
    EXPECT_EQ(cpu.read(0x10, 8).data, 0x1122334455667788u);
    EXPECT_EQ(cpu.read(0x20, 4).data, 7u);
  });
  EXPECT_EQ(dut.registers().size(), 13u);
  EXPECT_EQ(dut.find_register("wide"), &dut.wide);
  EXPECT_EQ(dut.wide.full_name(), "dut.wide");
}

TEST_F(peripheral_test, access_policies_give_command_errors) {
  run([&] {
    EXPECT_EQ(cpu.write(0x4, 1, 4).status, tlm::TLM_COMMAND_ERROR_RESPONSE);
    EXPECT_EQ(cpu.read(0x8, 4).status, tlm::TLM_COMMAND_ERROR_RESPONSE);
    EXPECT_TRUE(cpu.write(0x8, 5, 4).ok());
  });
  EXPECT_EQ(dut.id.get(), 0xdeadbeefu);
  EXPECT_EQ(dut.command.get(), 5u);
}

TEST_F(peripheral_test, unmapped_offsets_give_address_errors) {
  run([&] {
    EXPECT_EQ(cpu.read(0x1, 1).status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(cpu.read(0xc, 4).status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(cpu.write(0x1000, 0, 4).status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(cpu.read(~0ull - 3, 4).status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  });
}

TEST_F(peripheral_test, bad_sizes_and_alignments_give_burst_errors) {
  run([&] {
    std::uint8_t data[8] = {};
    EXPECT_EQ(cpu.transport(tlm::TLM_READ_COMMAND, 0x4, data, 3).status, tlm::TLM_BURST_ERROR_RESPONSE);
    EXPECT_EQ(cpu.transport(tlm::TLM_READ_COMMAND, 0x4, data, 0).status, tlm::TLM_BURST_ERROR_RESPONSE);
    EXPECT_EQ(cpu.read(0x5, 2).status, tlm::TLM_BURST_ERROR_RESPONSE);   // misaligned
    EXPECT_EQ(cpu.read(0x0, 4).status, tlm::TLM_BURST_ERROR_RESPONSE);   // wider than the register
    EXPECT_EQ(cpu.read(0x4, 8).status, tlm::TLM_BURST_ERROR_RESPONSE);   // id + command
    EXPECT_EQ(cpu.read(0x20, 2).status, tlm::TLM_BURST_ERROR_RESPONSE);  // below the minimum size
    EXPECT_EQ(cpu.write(0x22, 1, 2).status, tlm::TLM_BURST_ERROR_RESPONSE);
    EXPECT_EQ(cpu.transport(tlm::TLM_READ_COMMAND, 0x4, data, 4, ns(0), nullptr, 0, 2).status,
              tlm::TLM_BURST_ERROR_RESPONSE);  // streaming
    unsigned char enables[4] = {0xff, 0xff, 0xff, 0xff};
    EXPECT_EQ(cpu.transport(tlm::TLM_READ_COMMAND, 0x4, data, 4, ns(0), enables, 4).status,
              tlm::TLM_BYTE_ENABLE_ERROR_RESPONSE);
    EXPECT_EQ(cpu.transport(tlm::TLM_READ_COMMAND, 0x4, nullptr, 4).status, tlm::TLM_BURST_ERROR_RESPONSE);
  });
}

TEST_F(peripheral_test, narrow_accesses_read_and_merge_bytes) {
  run([&] {
    EXPECT_EQ(cpu.read(0x6, 2).data, 0xdeadu);
    EXPECT_EQ(cpu.read(0x7, 1).data, 0xdeu);
    EXPECT_EQ(cpu.read(0x10, 4).data, 0x55667788u);
    EXPECT_EQ(cpu.read(0x14, 4).data, 0x11223344u);
    EXPECT_TRUE(cpu.write(0x14, 0xcafef00d, 4).ok());
    EXPECT_EQ(cpu.read(0x10, 8).data, 0xcafef00d55667788u);
    EXPECT_TRUE(cpu.write(0x10, 0x0badf00d, 4).ok());
    EXPECT_TRUE(cpu.write(0x17, 0x99, 1).ok());
    EXPECT_EQ(cpu.read(0x10, 8).data, 0x99fef00d0badf00du);
  });
}

TEST_F(peripheral_test, banked_registers_follow_their_predicate) {
  run([&] {
    EXPECT_EQ(cpu.read(0x30, 1).data, 0xaau);
    EXPECT_TRUE(cpu.write(0x30, 0x01, 1).ok());
    EXPECT_EQ(dut.data_out.get(), 0x01u);
    EXPECT_TRUE(cpu.write(0x31, 1, 1).ok());
    EXPECT_EQ(cpu.read(0x30, 1).data, 0x55u);
    EXPECT_TRUE(cpu.write(0x30, 0x66, 1).ok());
    EXPECT_EQ(cpu.read(0x30, 1).data, 0x66u);
  });
  EXPECT_EQ(dut.latch.get(), 0x66u);
  EXPECT_EQ(dut.data_out.get(), 0x01u);
}

TEST_F(peripheral_test, write_mask_keeps_bits) {
  run([&] { EXPECT_TRUE(cpu.write(0x50, 0xffff, 2).ok()); });
  EXPECT_EQ(dut.masked.get(), 0xabffu);
}

TEST_F(peripheral_test, debug_reads_have_no_side_effects) {
  run([&] {
    std::uint8_t data[4] = {};
    EXPECT_EQ(cpu.read(0x40, 4).data, 1u);
    EXPECT_EQ(cpu.debug(tlm::TLM_READ_COMMAND, 0x40, data, 4), 4u);
    EXPECT_EQ(data[0], 1u);
    EXPECT_EQ(cpu.read(0x40, 4).data, 2u);
    EXPECT_EQ(cpu.debug(tlm::TLM_READ_COMMAND, 0x1000, data, 4), 0u);  // no register
    EXPECT_EQ(cpu.debug(tlm::TLM_WRITE_COMMAND, 0x4, data, 4), 0u);    // read-only
    data[0] = 0x77;
    EXPECT_EQ(cpu.debug(tlm::TLM_WRITE_COMMAND, 0x0, data, 1), 1u);
  });
  EXPECT_EQ(dut.byte.get(), 0x77u);
}

TEST_F(peripheral_test, latency_is_added_to_every_access) {
  run([&] {
    EXPECT_EQ(cpu.read(0x0, 1, ns(5)).delay, ns(7));
    EXPECT_EQ(cpu.read(0x1000, 1, ns(5)).delay, ns(7));
    dut.set_latency(ns(10));
    EXPECT_EQ(cpu.write(0x0, 1, 1).delay, ns(10));
  });
}

TEST_F(peripheral_test, callbacks_see_the_initiators_local_time) {
  run([&] {
    sc_core::wait(ns(5));
    EXPECT_TRUE(cpu.write(0x60, 1, 4, ns(3)).ok());
  });
  EXPECT_EQ(dut.write_time, ns(8));
}

TEST_F(peripheral_test, sync_registers_synchronise_the_caller) {
  run([&] {
    const auto response = cpu.read(0x70, 4, ns(10));
    EXPECT_EQ(response.data, 10u);
    EXPECT_EQ(sc_core::sc_time_stamp(), ns(10));
    EXPECT_EQ(response.delay, ns(2));  // only the latency remains
  });
}

TEST_F(peripheral_test, reset_restores_reset_values) {
  run([&] {
    cpu.write(0x0, 0x99, 1);
    cpu.write(0x10, 0, 8);
  });
  dut.reset();
  EXPECT_EQ(dut.byte.get(), 0x12u);
  EXPECT_EQ(dut.wide.get(), 0x1122334455667788u);
}

TEST_F(peripheral_test, ignore_command_is_accepted) {
  run([&] {
    std::uint8_t data[4] = {};
    EXPECT_TRUE(cpu.transport(tlm::TLM_IGNORE_COMMAND, 0x1000, data, 4).ok());
  });
}

struct driver_top : sc_core::sc_module {
  sc_core::sc_signal<bool> line{"line"};
  sc_core::sc_out<bool> port{"port"};
  nvr::core::line_driver driver{"driver", port};
  nvr::test::line_monitor monitor{"monitor", line};
  explicit driver_top(const sc_core::sc_module_name& name) : sc_module(name) { port.bind(line); }
};

TEST(line_driver, changes_happen_at_their_scheduled_times) {
  driver_top top("top");
  int edges = 0;
  top.driver.on_change([&](bool level) { edges += level; });
  nvr::test::script script("script", [&] {
    top.driver.set(true, ns(10));
    top.driver.set(false, ns(20));
    top.driver.set(true, ns(30));
    top.driver.set(false, ns(25));  // replaces the rise at 30
    EXPECT_FALSE(top.driver.level());
    EXPECT_FALSE(top.driver.driven());
    sc_core::wait(ns(40));
    top.driver.set(true, ns(5));  // in the past: now
    sc_core::wait(ns(1));
    top.driver.set(true, ns(50));  // no change
  });
  sc_core::sc_start();
  using change = std::pair<sc_core::sc_time, bool>;
  EXPECT_EQ(top.monitor.changes, (std::vector<change>{{ns(10), true}, {ns(20), false}, {ns(40), true}}));
  EXPECT_EQ(edges, 2);
}

TEST(line_driver, a_level_set_during_elaboration_is_driven_at_start) {
  driver_top top("top");
  top.driver.set(true);
  sc_core::sc_start(ns(1));
  EXPECT_TRUE(top.line.read());
}

}  // namespace
