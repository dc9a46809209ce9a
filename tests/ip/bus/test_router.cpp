// The bus router: address translation, errors, DMI translation and invalidation, debug transport,
// latency, statistics, overlap checks.
#include <gtest/gtest.h>
#include <tlm_utils/simple_target_socket.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>
#include <stdexcept>
#include <systemc>

#include "core/stats.h"
#include "ip/bus/router.h"
#include "ip/memory/ram.h"
#include "tests/core/tlm_test_support.h"

namespace {

using nvr::test::ns;

// A target that records the local addresses it sees and can invalidate DMI.
struct probe : sc_core::sc_module {
  tlm_utils::simple_target_socket<probe, 32> in{"in"};
  std::vector<std::uint64_t> addresses;
  explicit probe(const sc_core::sc_module_name& name) : sc_module(name) {
    in.register_b_transport(this, &probe::b_transport);
  }
  void b_transport(tlm::tlm_generic_payload& payload, sc_core::sc_time&) {
    addresses.push_back(payload.get_address());
    payload.set_response_status(tlm::TLM_OK_RESPONSE);
  }
};

struct router_test : ::testing::Test {
  nvr::bus::router bus{"bus"};
  nvr::memory::ram low{"low", 0x2000, ns(1), ns(2)};  // mapped with 0x1000 only: DMI is clipped
  nvr::memory::ram high{"high", 0x100};
  probe device{"device"};
  nvr::test::initiator cpu{"cpu"};
  nvr::test::initiator npu{"npu"};

  router_test() {
    cpu.out.bind(bus.in);
    npu.out.bind(bus.in);
    bus.map(low.in, 0x1000, 0x1000, "low");
    bus.map(high.in, 0x8000, 0x100, "high");
    bus.map(device.in, 0x4000, 0x10, "device");
  }
  void run(std::function<void()> body) {
    cpu.run(std::move(body));
    sc_core::sc_start();
  }
  static std::uint64_t stat(const std::string& path) {
    return nvr::stats::registry::instance().value(path).get<std::uint64_t>();
  }
};

TEST_F(router_test, translates_addresses_to_target_local_ones) {
  run([&] {
    EXPECT_TRUE(cpu.write(0x1010, 0xa5, 1).ok());
    EXPECT_TRUE(cpu.write(0x80fc, 0x12345678, 4).ok());
    EXPECT_TRUE(cpu.read(0x4008, 4).ok());
    EXPECT_EQ(cpu.read(0x80fc, 4).data, 0x12345678u);
  });
  EXPECT_EQ(low.data()[0x10], 0xa5);
  EXPECT_EQ(high.data()[0xfc], 0x78);
  EXPECT_EQ(device.addresses, std::vector<std::uint64_t>{0x8});
}

TEST_F(router_test, the_payload_keeps_its_global_address) {
  run([&] {
    std::uint8_t data[4] = {};
    tlm::tlm_generic_payload payload;
    payload.set_command(tlm::TLM_READ_COMMAND);
    payload.set_address(0x4004);
    payload.set_data_ptr(data);
    payload.set_data_length(4);
    payload.set_streaming_width(4);
    sc_core::sc_time delay;
    cpu.out->b_transport(payload, delay);
    EXPECT_EQ(payload.get_address(), 0x4004u);
  });
}

TEST_F(router_test, unmapped_and_crossing_accesses_are_address_errors) {
  run([&] {
    EXPECT_EQ(cpu.read(0x0, 4).status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(cpu.read(0x2000, 4).status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(cpu.write(0x1ffe, 0, 4).status, tlm::TLM_ADDRESS_ERROR_RESPONSE);  // crosses the end of low
    EXPECT_EQ(cpu.read(0x80fc, 8).status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_EQ(cpu.read(~0ull, 1).status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_TRUE(cpu.read(0x1ffc, 4).ok());
  });
  EXPECT_EQ(stat("bus.errors"), 5u);
  EXPECT_EQ(stat("bus.unmapped"), 3u);
  EXPECT_EQ(stat("bus.transactions.low"), 1u);
}

TEST_F(router_test, every_initiator_reaches_every_target) {
  npu.run([&] { EXPECT_TRUE(npu.write(0x1000, 0x77, 1).ok()); });
  run([&] {
    sc_core::wait(ns(1));
    EXPECT_EQ(cpu.read(0x1000, 1).data, 0x77u);
  });
}

TEST_F(router_test, latency_is_added_per_hop) {
  bus.set_latency(ns(5));
  run([&] {
    EXPECT_EQ(cpu.read(0x1000, 4, ns(1)).delay, ns(7));  // 1 + hop 5 + memory 1
    EXPECT_EQ(cpu.write(0x1000, 0, 4).delay, ns(7));     // hop 5 + memory 2
    EXPECT_EQ(cpu.read(0x0, 4).delay, ns(5));
    tlm::tlm_dmi dmi;
    ASSERT_TRUE(cpu.get_dmi(0x1000, dmi));
    EXPECT_EQ(dmi.get_read_latency(), ns(6));
    EXPECT_EQ(dmi.get_write_latency(), ns(7));
  });
}

TEST_F(router_test, dmi_ranges_are_global_and_clipped_to_the_mapping) {
  run([&] {
    tlm::tlm_dmi dmi;
    ASSERT_TRUE(cpu.get_dmi(0x1234, dmi));
    EXPECT_EQ(dmi.get_start_address(), 0x1000u);
    EXPECT_EQ(dmi.get_end_address(), 0x1fffu);  // low has 0x2000 bytes, 0x1000 are mapped
    EXPECT_EQ(dmi.get_dmi_ptr(), low.data());
    EXPECT_TRUE(dmi.is_read_write_allowed());
    EXPECT_EQ(dmi.get_read_latency(), ns(1));
    EXPECT_EQ(dmi.get_write_latency(), ns(2));

    ASSERT_TRUE(cpu.get_dmi(0x8000, dmi));
    EXPECT_EQ(dmi.get_start_address(), 0x8000u);
    EXPECT_EQ(dmi.get_end_address(), 0x80ffu);
    EXPECT_EQ(dmi.get_dmi_ptr(), high.data());

    EXPECT_FALSE(cpu.get_dmi(0x4000, dmi));  // the probe offers no DMI
    EXPECT_EQ(dmi.get_start_address(), 0x4000u);
    EXPECT_EQ(dmi.get_end_address(), 0x400fu);

    EXPECT_FALSE(cpu.get_dmi(0x3000, dmi));  // unmapped: denied over the gap
    EXPECT_EQ(dmi.get_start_address(), 0x2000u);
    EXPECT_EQ(dmi.get_end_address(), 0x3fffu);
    EXPECT_FALSE(cpu.get_dmi(0x9000, dmi));
    EXPECT_EQ(dmi.get_start_address(), 0x8100u);
    EXPECT_EQ(dmi.get_end_address(), ~0ull);
  });
}

TEST_F(router_test, invalidations_reach_every_initiator_with_global_addresses) {
  run([&] {
    device.in->invalidate_direct_mem_ptr(0x4, 0x7);
    low.in->invalidate_direct_mem_ptr(0, ~0ull);  // clipped to the mapping
  });
  using range = std::pair<std::uint64_t, std::uint64_t>;
  const std::vector<range> expected{{0x4004, 0x4007}, {0x1000, 0x1fff}};
  EXPECT_EQ(cpu.invalidations, expected);
  EXPECT_EQ(npu.invalidations, expected);
}

TEST_F(router_test, debug_transport_translates_and_clips) {
  run([&] {
    std::uint8_t data[8] = {1, 2, 3, 4, 5, 6, 7, 8};
    EXPECT_EQ(cpu.debug(tlm::TLM_WRITE_COMMAND, 0x1ffc, data, 8), 4u);  // 4 bytes reach low
    EXPECT_EQ(cpu.debug(tlm::TLM_WRITE_COMMAND, 0x3000, data, 8), 0u);  // unmapped
    std::uint8_t back[4] = {};
    EXPECT_EQ(cpu.debug(tlm::TLM_READ_COMMAND, 0x1ffc, back, 4), 4u);
    EXPECT_EQ(back[3], 4u);
  });
  EXPECT_EQ(low.data()[0xfff], 4u);
  EXPECT_EQ(low.data()[0x1000], 0u);  // beyond the mapping: untouched
}

TEST_F(router_test, overlapping_or_bad_ranges_are_rejected_at_map_time) {
  nvr::memory::ram other("other", 0x100);
  try {
    bus.map(other.in, 0x1f00, 0x200, "other");
    FAIL() << "no exception";
  } catch (const std::invalid_argument& error) {
    EXPECT_NE(std::string(error.what()).find("'other' [0x1f00, 0x20ff]: it overlaps 'low' [0x1000, 0x1fff]"),
              std::string::npos)
        << error.what();
  }
  EXPECT_THROW(bus.map(other.in, 0x0, 0x1001, "other"), std::invalid_argument);
  EXPECT_THROW(bus.map(other.in, 0x8080, 0x10, "other"), std::invalid_argument);
  EXPECT_THROW(bus.map(other.in, 0x10000, 0, "other"), std::invalid_argument);
  EXPECT_THROW(bus.map(other.in, ~0ull - 4, 0x10, "other"), std::invalid_argument);
  EXPECT_THROW(bus.map(other.in, 0x10000, 0x10, "low"), std::invalid_argument);
  bus.map(other.in, 0x2000, 0x100, "other");  // adjacent is fine
  EXPECT_EQ(bus.find(0x20ff)->name, "other");
  EXPECT_EQ(bus.find(0x2100), nullptr);
  EXPECT_EQ(bus.mappings().size(), 4u);
  EXPECT_EQ(bus.mappings().front()->name, "low");
}

}  // namespace

namespace {

// Bus trace (#3): with a trace attached, every transaction is one line naming its initiator, at
// the initiator's local time; detached, nothing is written.
TEST_F(router_test, an_attached_bus_trace_records_every_transaction) {
  char name[] = "/tmp/nvr-router-trace-XXXXXX";
  const int fd = mkstemp(name);
  ASSERT_GE(fd, 0);
  close(fd);
  {
    nvr::trace::bus_trace trace(name, {});
    bus.attach_trace(&trace);
    run([&] {
      EXPECT_TRUE(cpu.write(0x1010, 0xabcd, 2, ns(3)).ok());
      EXPECT_EQ(cpu.read(0x3000, 4).status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
      sc_core::wait(ns(10));
      EXPECT_TRUE(npu.read(0x8000, 1).ok());
      std::uint8_t bytes[4] = {};
      EXPECT_EQ(npu.debug(tlm::TLM_READ_COMMAND, 0x1ffe, bytes, 4), 2u);  // clipped at the mapping
      bus.attach_trace(nullptr);
      EXPECT_TRUE(cpu.read(0x1010, 2).ok());  // not traced
    });
    EXPECT_EQ(bus.initiator_name(0), "cpu.out");
    EXPECT_EQ(bus.initiator_name(1), "npu.out");
  }
  std::ifstream file(name);
  std::vector<std::string> lines;
  for (std::string line; std::getline(file, line);)
    if (line.rfind("#", 0) != 0) lines.push_back(line);
  std::remove(name);
  EXPECT_EQ(lines,
            (std::vector<std::string>{
                "3000 cpu.out write 0x00001010 2 0xabcd ok", "0 cpu.out read 0x00003000 4 - address-error",
                "10000 npu.out read 0x00008000 1 0x00 ok", "10000 npu.out dbg-read 0x00001ffe 4 - short:2"}));
}

}  // namespace
