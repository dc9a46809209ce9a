// The SiFive test finisher: pass / fail / reset codes, sc_stop at the writer's time, ignored values,
// access rules.
#include <gtest/gtest.h>

#include <systemc>

#include "ip/testdev/sifive_test.h"
#include "tests/core/tlm_test_support.h"

namespace {

using nvr::test::ns;

struct testdev_test : ::testing::Test {
  nvr::testdev::sifive_test dev{"testdev"};
  nvr::test::initiator cpu{"cpu"};
  bool after_stop = false;
  testdev_test() { cpu.out.bind(dev.in); }
  // Runs `body`, then keeps the thread busy: nothing after the finishing write's quantum must run.
  void run(std::function<void()> body) {
    cpu.run([this, body] {
      body();
      sc_core::wait(ns(1000));
      after_stop = true;
    });
    sc_core::sc_start();
  }
};

TEST_F(testdev_test, pass_stops_the_simulation_with_code_0) {
  int reported = -1;
  dev.on_exit([&](int code) { reported = code; });
  run([&] {
    sc_core::wait(ns(3));
    EXPECT_TRUE(cpu.write(0x0, 0x5555, 4, ns(7)).ok());
  });
  EXPECT_TRUE(dev.exited());
  EXPECT_EQ(dev.exit_code(), 0);
  EXPECT_EQ(reported, 0);
  EXPECT_EQ(dev.exit_time(), ns(10));
  EXPECT_FALSE(dev.reset_requested());
  EXPECT_EQ(sc_core::sc_get_status(), sc_core::SC_STOPPED);
  EXPECT_EQ(sc_core::sc_time_stamp(), ns(3));
  EXPECT_FALSE(after_stop);
}

TEST_F(testdev_test, fail_carries_the_code_in_the_upper_half) {
  run([&] { cpu.write(0x0, (0x1234u << 16) | 0x3333, 4); });
  EXPECT_TRUE(dev.exited());
  EXPECT_EQ(dev.exit_code(), 0x1234);
}

TEST_F(testdev_test, fail_with_code_0_exits_with_0_as_on_qemu) {
  run([&] { cpu.write(0x0, 0x3333, 4); });
  EXPECT_TRUE(dev.exited());
  EXPECT_EQ(dev.exit_code(), 0);
}

TEST_F(testdev_test, reset_request_stops_with_its_own_code) {
  run([&] { cpu.write(0x0, 0x7777, 4); });
  EXPECT_TRUE(dev.exited());
  EXPECT_TRUE(dev.reset_requested());
  EXPECT_EQ(dev.exit_code(), nvr::testdev::sifive_test::reset_exit_code);
}

TEST_F(testdev_test, other_values_are_ignored) {
  run([&] {
    EXPECT_TRUE(cpu.write(0x0, 0x1234, 4).ok());
    EXPECT_TRUE(cpu.write(0x0, 0x55550000, 4).ok());
  });
  EXPECT_FALSE(dev.exited());
  EXPECT_TRUE(after_stop);
}

TEST_F(testdev_test, the_first_exit_wins) {
  run([&] {
    cpu.write(0x0, (3u << 16) | 0x3333, 4);
    cpu.write(0x0, 0x5555, 4);
  });
  EXPECT_EQ(dev.exit_code(), 3);
}

TEST_F(testdev_test, access_rules) {
  run([&] {
    EXPECT_EQ(cpu.read(0x0, 4).data, 0u);
    EXPECT_TRUE(cpu.read(0x0, 4).ok());
    EXPECT_EQ(cpu.write(0x0, 0x55, 1).status, tlm::TLM_BURST_ERROR_RESPONSE);
    EXPECT_EQ(cpu.write(0x0, 0x5555, 8).status, tlm::TLM_BURST_ERROR_RESPONSE);
    EXPECT_EQ(cpu.write(0x4, 0x5555, 4).status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    std::uint32_t value = 0x5555;
    EXPECT_EQ(cpu.debug(tlm::TLM_WRITE_COMMAND, 0x0, reinterpret_cast<std::uint8_t*>(&value), 4), 4u);
    EXPECT_FALSE(dev.exited());                   // debug writes never end the run
    EXPECT_TRUE(cpu.write(0x0, 0x5555, 2).ok());  // a 16-bit store works, as on QEMU
  });
  EXPECT_TRUE(dev.exited());
  EXPECT_EQ(dev.exit_code(), 0);
}

}  // namespace
