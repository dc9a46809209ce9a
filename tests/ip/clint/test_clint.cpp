// The CLINT: registers, mtime from simulated time (with the initiator's delay), the timer line at
// exactly the right time, mtime writes, msip.
#include <gtest/gtest.h>

#include <systemc>

#include "core/stats.h"
#include "ip/clint/clint.h"
#include "tests/core/tlm_test_support.h"

namespace {

using nvr::test::ns;
using change = std::pair<sc_core::sc_time, bool>;

enum : std::uint64_t { MSIP = 0x0, MTIMECMP = 0x4000, MTIME = 0xbff8 };

sc_core::sc_time us(double value) { return sc_core::sc_time(value, sc_core::SC_US); }

struct clint_test : ::testing::Test {
  nvr::clint::clint clint;
  sc_core::sc_signal<bool> timer{"timer"}, software{"software"};
  nvr::test::line_monitor timer_monitor{"timer_monitor", timer};
  nvr::test::line_monitor software_monitor{"software_monitor", software};
  nvr::test::initiator cpu{"cpu"};

  explicit clint_test(std::uint64_t frequency = NVR_CLINT_MTIME_HZ) : clint("clint", frequency) {
    clint.irq_timer.bind(timer);
    clint.irq_software.bind(software);
    cpu.out.bind(clint.in);
  }
  void run(std::function<void()> body) {
    cpu.run(std::move(body));
    sc_core::sc_start();
  }
  void write64(std::uint64_t offset, std::uint64_t value,
               const sc_core::sc_time& delay = sc_core::SC_ZERO_TIME) {
    EXPECT_TRUE(cpu.write(offset, value, 8, delay).ok());
  }
};

TEST_F(clint_test, registers_have_their_reset_values) {
  run([&] {
    EXPECT_EQ(cpu.read(MSIP, 4).data, 0u);
    EXPECT_EQ(cpu.read(MTIMECMP, 8).data, ~0ull);
    EXPECT_EQ(cpu.read(MTIMECMP, 4).data, 0xffffffffu);
    EXPECT_EQ(cpu.read(MTIMECMP + 4, 4).data, 0xffffffffu);
    EXPECT_EQ(cpu.read(MTIME, 8).data, 0u);
  });
  EXPECT_TRUE(timer_monitor.changes.empty());
  EXPECT_FALSE(timer.read());
  EXPECT_FALSE(software.read());
}

TEST_F(clint_test, bad_accesses_are_errors) {
  run([&] {
    EXPECT_EQ(cpu.read(MTIME, 1).status, tlm::TLM_BURST_ERROR_RESPONSE);
    EXPECT_EQ(cpu.read(MSIP, 2).status, tlm::TLM_BURST_ERROR_RESPONSE);
    EXPECT_EQ(cpu.read(MTIMECMP + 2, 4).status, tlm::TLM_BURST_ERROR_RESPONSE);
    EXPECT_EQ(cpu.read(0x4, 4).status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(cpu.read(0x4008, 4).status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(cpu.read(0xc000, 4).status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
  });
}

TEST_F(clint_test, mtime_follows_simulated_time_plus_the_delay) {
  run([&] {
    EXPECT_EQ(cpu.read(MTIME, 8, ns(250)).data, 2u);  // 250 ns at 10 MHz: 2.5 ticks
    sc_core::wait(us(1));
    EXPECT_EQ(cpu.read(MTIME, 8).data, 10u);
    EXPECT_EQ(cpu.read(MTIME, 8, ns(299)).data, 12u);
    EXPECT_EQ(cpu.read(MTIME, 4, ns(300)).data, 13u);
    EXPECT_EQ(cpu.read(MTIME + 4, 4).data, 0u);
    std::uint8_t bytes[8] = {};
    EXPECT_EQ(cpu.debug(tlm::TLM_READ_COMMAND, MTIME, bytes, 8), 8u);
    EXPECT_EQ(bytes[0], 10u);
  });
  EXPECT_EQ(clint.mtime_at(sc_core::sc_time(1, sc_core::SC_SEC)), 10000000u);
}

TEST_F(clint_test, timer_line_rises_exactly_when_mtime_reaches_mtimecmp) {
  run([&] {
    write64(MTIMECMP, 100, us(1));  // written at 1 us (local time); mtime reaches 100 at 10 us
    EXPECT_EQ(cpu.read(MTIMECMP, 8).data, 100u);
    sc_core::wait(us(12));
    write64(MTIMECMP, 200, ns(500));  // raised above mtime at 12.5 us: falls; rises at 20 us
    sc_core::wait(us(10));
    // The RV32 sequence: hi = all ones, lo = value, hi = value.
    EXPECT_TRUE(cpu.write(MTIMECMP + 4, 0xffffffff, 4, ns(100)).ok());
    EXPECT_TRUE(cpu.write(MTIMECMP, 300, 4, ns(200)).ok());
    EXPECT_TRUE(cpu.write(MTIMECMP + 4, 0, 4, ns(300)).ok());
  });
  EXPECT_EQ(timer_monitor.changes,
            (std::vector<change>{
                {us(10), true}, {us(12.5), false}, {us(20), true}, {ns(22100), false}, {us(30), true}}));
  EXPECT_EQ(nvr::stats::registry::instance().value("clint.timer_interrupts"), 3);
}

TEST_F(clint_test, a_compare_value_in_the_past_raises_the_line_at_the_writers_time) {
  run([&] {
    sc_core::wait(us(5));
    write64(MTIMECMP, 3, ns(40));
    write64(MTIMECMP, ~0ull, ns(90));
  });
  EXPECT_EQ(timer_monitor.changes, (std::vector<change>{{ns(5040), true}, {ns(5090), false}}));
}

TEST_F(clint_test, writing_mtime_sets_an_offset_and_reschedules) {
  run([&] {
    write64(MTIMECMP, 1100);
    write64(MTIME, 1000, us(1));  // from 1 us on, mtime = 1000 + ticks since then
    EXPECT_EQ(cpu.read(MTIME, 8, us(2)).data, 1010u);
    EXPECT_TRUE(cpu.write(MTIME + 4, 1, 4, us(3)).ok());  // high half: mtime = 2^32 + 1020
    EXPECT_EQ(cpu.read(MTIME, 8, us(3)).data, (1ull << 32) + 1020u);
  });
  // 1100 would have been reached at 11 us; the high-half write at 3 us makes mtime >= mtimecmp.
  EXPECT_EQ(timer_monitor.changes, (std::vector<change>{{us(3), true}}));
}

TEST_F(clint_test, msip_drives_the_software_line) {
  run([&] {
    EXPECT_TRUE(cpu.write(MSIP, 0xffffffff, 4, ns(5)).ok());
    EXPECT_EQ(cpu.read(MSIP, 4).data, 1u);  // bit 0 only
    EXPECT_TRUE(cpu.write(MSIP, 0, 4, ns(7)).ok());
  });
  EXPECT_EQ(software_monitor.changes, (std::vector<change>{{ns(5), true}, {ns(7), false}}));
  EXPECT_EQ(nvr::stats::registry::instance().value("clint.software_interrupts"), 1);
}

TEST_F(clint_test, reset_drops_the_lines_and_the_offset) {
  run([&] {
    write64(MTIME, 500);
    write64(MTIMECMP, 0);
    EXPECT_TRUE(cpu.write(MSIP, 1, 4).ok());
    sc_core::wait(ns(10));
    clint.reset();
    sc_core::wait(ns(10));
    EXPECT_FALSE(timer.read());
    EXPECT_FALSE(software.read());
    EXPECT_EQ(cpu.read(MTIME, 8).data, 0u);  // 20 ns: 0.2 ticks
  });
}

struct slow_clint_test : clint_test {
  slow_clint_test() : clint_test(32768) {}
};

TEST_F(slow_clint_test, rise_time_rounds_up_to_the_first_instant_of_the_tick) {
  const sc_core::sc_time first = clint.time_of(1);  // 1 s / 32768 = 30517578.125 ps
  EXPECT_EQ(first.value(), 30517579u * sc_core::sc_time(1, sc_core::SC_PS).value());
  EXPECT_EQ(clint.mtime_at(first), 1u);
  EXPECT_EQ(clint.mtime_at(first - sc_core::sc_time(1, sc_core::SC_PS)), 0u);
  run([&] { write64(MTIMECMP, 3); });
  ASSERT_EQ(timer_monitor.rises().size(), 1u);
  EXPECT_EQ(timer_monitor.rises()[0], clint.time_of(3));
  EXPECT_EQ(clint.mtime_at(timer_monitor.rises()[0]), 3u);
}

TEST(clint, zero_frequency_is_rejected) {
  EXPECT_THROW(nvr::clint::clint("clint", 0), std::invalid_argument);
}

}  // namespace
