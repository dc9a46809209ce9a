// The PLIC: register layout and policies, gateway, priority / threshold / claim / complete, the
// MEIP line's timing, context 1, tie-off of unbound sources.
#include <gtest/gtest.h>

#include <systemc>

#include "core/stats.h"
#include "ip/plic/plic.h"
#include "tests/core/tlm_test_support.h"

namespace {

using nvr::test::ns;
using change = std::pair<sc_core::sc_time, bool>;

enum : std::uint64_t {
  PENDING = 0x1000,
  ENABLE = 0x2000,
  THRESHOLD = 0x200000,
  CLAIM = 0x200004,
  ENABLE1 = 0x2080,
  THRESHOLD1 = 0x201000,
  CLAIM1 = 0x201004
};
constexpr std::uint64_t priority(unsigned source) { return 4 * source; }

struct plic_test : ::testing::Test {
  nvr::plic::plic plic{"plic"};
  sc_core::sc_signal<bool> meip{"meip"};
  sc_core::sc_signal<bool> source[4] = {sc_core::sc_signal<bool>("s3"), sc_core::sc_signal<bool>("s5"),
                                        sc_core::sc_signal<bool>("s7"), sc_core::sc_signal<bool>("s10")};
  nvr::test::line_monitor monitor{"monitor", meip};
  nvr::test::initiator cpu{"cpu"};

  plic_test() {
    plic.irq_external.bind(meip);
    plic.irq_sources[3].bind(source[0]);
    plic.irq_sources[5].bind(source[1]);
    plic.irq_sources[7].bind(source[2]);
    plic.irq_sources[10].bind(source[3]);
    cpu.out.bind(plic.in);
  }
  void run(std::function<void()> body) {
    cpu.run(std::move(body));
    sc_core::sc_start();
  }
  void set(std::uint64_t offset, std::uint32_t value, const sc_core::sc_time& delay = sc_core::SC_ZERO_TIME) {
    EXPECT_TRUE(cpu.write(offset, value, 4, delay).ok()) << "offset " << offset;
  }
  std::uint64_t get(std::uint64_t offset, const sc_core::sc_time& delay = sc_core::SC_ZERO_TIME) {
    const auto response = cpu.read(offset, 4, delay);
    EXPECT_TRUE(response.ok()) << "offset " << offset;
    return response.data;
  }
  // Raises/lowers a source and lets the gateway see it.
  void drive(sc_core::sc_signal<bool>& line, bool level) {
    line.write(level);
    sc_core::wait(ns(1));
  }
};

TEST_F(plic_test, registers_have_their_reset_values) {
  run([&] {
    for (unsigned s = 0; s < NVR_PLIC_NUM_SOURCES; ++s) EXPECT_EQ(get(priority(s)), 0u) << s;
    EXPECT_EQ(get(PENDING), 0u);
    EXPECT_EQ(get(ENABLE), 0u);
    EXPECT_EQ(get(THRESHOLD), 0u);
    EXPECT_EQ(get(CLAIM), 0u);
  });
  EXPECT_EQ(plic.num_sources(), NVR_PLIC_NUM_SOURCES);
  EXPECT_FALSE(meip.read());
}

TEST_F(plic_test, bad_accesses_are_errors) {
  run([&] {
    EXPECT_EQ(cpu.read(priority(1), 1).status, tlm::TLM_BURST_ERROR_RESPONSE);  // words only
    EXPECT_EQ(cpu.read(priority(1), 8).status, tlm::TLM_BURST_ERROR_RESPONSE);
    EXPECT_EQ(cpu.write(PENDING, 1, 4).status, tlm::TLM_COMMAND_ERROR_RESPONSE);
    EXPECT_EQ(cpu.read(priority(NVR_PLIC_NUM_SOURCES), 4).status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(cpu.read(PENDING + 4, 4).status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(cpu.read(ENABLE + 4, 4).status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(cpu.read(THRESHOLD + 8, 4).status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(cpu.read(0x202000, 4).status, tlm::TLM_ADDRESS_ERROR_RESPONSE);  // no context 2
  });
}

TEST_F(plic_test, priorities_threshold_and_enables_keep_legal_bits) {
  run([&] {
    set(priority(0), 7);
    set(priority(1), 0xff);
    set(THRESHOLD, 0x1f);
    set(ENABLE, 0xffffffff);
    EXPECT_EQ(get(priority(0)), 0u);  // source 0 does not exist
    EXPECT_EQ(get(priority(1)), 7u);
    EXPECT_EQ(get(THRESHOLD), 7u);
    EXPECT_EQ(get(ENABLE), 0xfffffffeu);
  });
}

TEST_F(plic_test, claim_and_complete_follow_the_gateway) {
  run([&] {
    set(priority(10), 1);
    set(ENABLE, 1u << 10);
    sc_core::wait(ns(9));
    drive(source[3], true);  // 9 ns: pending, MEIP rises
    EXPECT_EQ(get(PENDING), 1u << 10);
    EXPECT_EQ(get(CLAIM, ns(5)), 10u);  // 15 ns: claimed, MEIP falls
    EXPECT_EQ(get(PENDING), 0u);
    EXPECT_TRUE(plic.is_claimed(10));
    sc_core::wait(ns(10));  // 20 ns; the source is still high: no new request
    EXPECT_EQ(get(CLAIM), 0u);
    set(CLAIM, 10, ns(2));  // 22 ns: completed; still asserted, so pending again
    EXPECT_EQ(get(PENDING), 1u << 10);
    drive(source[3], false);            // 21 ns: the request stays latched
    EXPECT_EQ(get(CLAIM, ns(9)), 10u);  // 30 ns
    set(CLAIM, 10, ns(10));             // 31 ns: completed, source low: nothing pending
    EXPECT_EQ(get(PENDING), 0u);
    EXPECT_EQ(get(CLAIM, ns(11)), 0u);
  });
  EXPECT_EQ(monitor.changes,
            (std::vector<change>{{ns(9), true}, {ns(15), false}, {ns(22), true}, {ns(30), false}}));
  const auto claims = nvr::stats::registry::instance().value("plic.claims");
  EXPECT_EQ(claims.size(), NVR_PLIC_NUM_SOURCES);
  EXPECT_EQ(claims[10], 2);
  EXPECT_EQ(nvr::stats::registry::instance().value("plic.empty_claims"), 2);
}

TEST_F(plic_test, a_pulse_is_remembered_until_claimed) {
  run([&] {
    set(priority(3), 1);
    set(ENABLE, 1u << 3);
    drive(source[0], true);
    drive(source[0], false);
    EXPECT_TRUE(meip.read());
    EXPECT_EQ(get(CLAIM), 3u);
    set(CLAIM, 3);
    EXPECT_EQ(get(CLAIM), 0u);
  });
}

TEST_F(plic_test, claims_go_by_priority_then_lowest_id) {
  run([&] {
    set(priority(3), 2);
    set(priority(5), 5);
    set(priority(7), 5);
    set(priority(10), 0);  // never interrupts
    set(ENABLE, (1u << 3) | (1u << 5) | (1u << 7) | (1u << 10));
    for (auto& line : source) line.write(true);
    sc_core::wait(ns(1));
    EXPECT_EQ(get(PENDING), (1u << 3) | (1u << 5) | (1u << 7) | (1u << 10));
    EXPECT_EQ(get(CLAIM), 5u);
    EXPECT_EQ(get(CLAIM), 7u);
    EXPECT_EQ(get(CLAIM), 3u);
    EXPECT_EQ(get(CLAIM), 0u);
    EXPECT_FALSE(plic.is_pending(5));
    EXPECT_TRUE(plic.is_pending(10));
  });
}

TEST_F(plic_test, threshold_masks_priorities_at_or_below_it) {
  run([&] {
    set(priority(5), 5);
    set(ENABLE, 1u << 5);
    set(THRESHOLD, 5);
    drive(source[1], true);  // 1 ns
    EXPECT_FALSE(meip.read());
    EXPECT_EQ(plic.best(), 0u);
    set(THRESHOLD, 4, ns(4));  // 5 ns
    sc_core::wait(ns(10));
    EXPECT_TRUE(meip.read());
    set(ENABLE, 0, ns(2));  // 13 ns: disabled, pending stays
    EXPECT_EQ(get(PENDING), 1u << 5);
  });
  EXPECT_EQ(monitor.changes, (std::vector<change>{{ns(5), true}, {ns(13), false}}));
}

TEST_F(plic_test, debug_claims_do_not_claim) {
  run([&] {
    set(priority(7), 1);
    set(ENABLE, 1u << 7);
    drive(source[2], true);
    std::uint8_t bytes[4] = {};
    EXPECT_EQ(cpu.debug(tlm::TLM_READ_COMMAND, CLAIM, bytes, 4), 4u);
    EXPECT_EQ(bytes[0], 7u);
    EXPECT_TRUE(plic.is_pending(7));
    EXPECT_EQ(get(CLAIM), 7u);
  });
}

TEST_F(plic_test, context_1_is_accepted_and_ignored) {
  run([&] {
    set(priority(3), 1);
    set(ENABLE1, 1u << 3);
    set(THRESHOLD1, 3);
    drive(source[0], true);
    EXPECT_EQ(get(ENABLE1), 1u << 3);
    EXPECT_EQ(get(THRESHOLD1), 3u);
    EXPECT_EQ(get(CLAIM1), 0u);
    set(CLAIM1, 3);
    EXPECT_FALSE(meip.read());  // context 0 has nothing enabled
    EXPECT_TRUE(plic.is_pending(3));
  });
}

TEST_F(plic_test, reset_clears_requests_and_resamples_asserted_sources) {
  run([&] {
    set(priority(5), 1);
    set(ENABLE, 1u << 5);
    drive(source[1], true);
    EXPECT_EQ(get(CLAIM), 5u);
    plic.reset();
    EXPECT_FALSE(plic.is_claimed(5));
    EXPECT_TRUE(plic.is_pending(5));  // still asserted
    EXPECT_EQ(get(ENABLE), 0u);
  });
}

TEST(plic, unbound_sources_are_tied_off) {
  nvr::plic::plic plic("plic", 64);
  sc_core::sc_signal<bool> meip("meip");
  plic.irq_external.bind(meip);
  nvr::test::initiator cpu("cpu");
  cpu.out.bind(plic.in);
  sc_core::sc_start(ns(10));
  EXPECT_EQ(plic.pending.size(), 2u);
  EXPECT_EQ(plic.best(), 0u);
  EXPECT_FALSE(meip.read());
}

TEST(plic, source_count_is_checked) {
  EXPECT_THROW(nvr::plic::plic("one", 1), std::invalid_argument);
  EXPECT_THROW(nvr::plic::plic("many", 1025), std::invalid_argument);
}

}  // namespace
