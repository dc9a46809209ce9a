// The TLM wrappers: an initiator sends generic payloads through NSB -> L2 -> DRAM to a backing
// store. Data must come from the store; the annotated delay must equal what the same levels
// answer as a pure C++ model; fills and write-backs must not reach the store.
#include <gtest/gtest.h>
#include <tlm_utils/simple_initiator_socket.h>
#include <tlm_utils/simple_target_socket.h>

#include <cstring>
#include <functional>
#include <systemc>
#include <tlm>
#include <vector>

#include "core/stats.h"
#include "ip/cache/cache_tlm.h"
#include "ip/cache/hierarchy.h"
#include "ip/dram/dram_tlm.h"
#include "tests/ip/cache/mock_levels.h"

using namespace nvr::mem;
using namespace sc_core;

namespace {

struct backing_store : sc_module {
  tlm_utils::simple_target_socket<backing_store> target{"target"};
  std::vector<unsigned char> bytes = std::vector<unsigned char>(1 << 20, 0);
  std::vector<std::uint64_t> seen;
  explicit backing_store(const sc_module_name& n) : sc_module(n) {
    target.register_b_transport(this, &backing_store::b_transport);
  }
  void b_transport(tlm::tlm_generic_payload& t, sc_time& delay) {
    seen.push_back(t.get_address());
    if (t.get_address() + t.get_data_length() > bytes.size()) {
      t.set_response_status(tlm::TLM_ADDRESS_ERROR_RESPONSE);
      return;
    }
    if (t.is_write())
      std::memcpy(&bytes[t.get_address()], t.get_data_ptr(), t.get_data_length());
    else
      std::memcpy(t.get_data_ptr(), &bytes[t.get_address()], t.get_data_length());
    delay += sc_time(5, SC_NS);  // the store's own latency, which the hierarchy ignores
    t.set_response_status(tlm::TLM_OK_RESPONSE);
  }
};

struct dma : sc_module {
  tlm_utils::simple_initiator_socket<dma> socket{"socket"};
  explicit dma(const sc_module_name& n) : sc_module(n) {}
  // One transaction at local time offset `delay`; returns the annotated delay.
  sc_time transfer(tlm::tlm_command cmd, std::uint64_t address, unsigned char* data, unsigned length,
                   sc_time delay, mem_extension* ext = nullptr, tlm::tlm_response_status* status = nullptr) {
    tlm::tlm_generic_payload p;
    p.set_command(cmd);
    p.set_address(address);
    p.set_data_ptr(data);
    p.set_data_length(length);
    p.set_streaming_width(length);
    p.set_response_status(tlm::TLM_INCOMPLETE_RESPONSE);
    if (ext) p.set_extension(ext);
    socket->b_transport(p, delay);
    if (ext) p.clear_extension(ext);
    if (status) *status = p.get_response_status();
    return delay;
  }
};

struct platform : sc_module {
  dma initiator{"dma"};
  cache_tlm nsb;
  cache_tlm l2;
  dram_tlm memory;
  backing_store store{"store"};
  explicit platform(const sc_module_name& n, const hierarchy_config& c)
      : sc_module(n), nsb("nsb", c.nsb), l2("l2", c.l2), memory("dram", c.dram) {
    initiator.socket.bind(nsb.target);
    nsb.initiator.bind(l2.target);
    l2.initiator.bind(memory.target);
    memory.initiator.bind(store.target);
  }
};

hierarchy_config small_config() {
  hierarchy_config c;
  c.nsb.size = 1024;  // small, so that the test evicts and writes back
  c.nsb.ways = 2;
  c.l2.size = 4096;
  c.l2.ways = 4;
  return c;
}

}  // namespace

TEST(CacheTlm, DataFromTheStoreDelayFromTheModel) {
  const hierarchy_config config = small_config();
  platform top("top", config);
  hierarchy twin("", config);  // the same levels as a pure C++ model
  bool done = false;
  struct runner : sc_module {
    SC_HAS_PROCESS(runner);
    std::function<void()> body;
    runner(const sc_module_name& n, std::function<void()> b) : sc_module(n), body(std::move(b)) {
      SC_THREAD(run);
    }
    void run() { body(); }
  } r("runner", [&] {
    std::uint64_t expected_store_accesses = 0;
    // Writes of a pattern, then reads of everything back, with the local offset advancing as an
    // LT initiator's would, and a wait() now and then.
    sc_time offset = SC_ZERO_TIME;
    for (int pass = 0; pass < 2; ++pass) {
      for (std::uint64_t i = 0; i < 96; ++i) {
        const std::uint64_t address = (i * 40 * 64) % (1 << 19);
        const bool write = pass == 0;
        unsigned char buffer[8];
        for (unsigned b = 0; b < 8; ++b) buffer[b] = write ? static_cast<unsigned char>(i * 7 + b) : 0;
        const time_ps now = to_ps(sc_time_stamp() + offset);
        const sc_time delay = top.initiator.transfer(write ? tlm::TLM_WRITE_COMMAND : tlm::TLM_READ_COMMAND,
                                                     address, buffer, 8, offset);
        ++expected_store_accesses;
        EXPECT_EQ(to_ps(sc_time_stamp() + delay), twin.access(now, address, 8, write)) << "access " << i;
        if (!write) {
          for (unsigned b = 0; b < 8; ++b)
            EXPECT_EQ(buffer[b], static_cast<unsigned char>(i * 7 + b)) << "read back " << i;
        }
        offset = delay;
        if (i % 16 == 15) {
          wait(offset);
          offset = SC_ZERO_TIME;
        }
      }
    }
    EXPECT_EQ(top.store.seen.size(), expected_store_accesses);  // no fills or write-backs there
    EXPECT_GT(top.l2.model().counters().writebacks + top.nsb.model().counters().writebacks, 0u);
    EXPECT_EQ(top.nsb.model().counters().misses, twin.nsb().counters().misses);
    EXPECT_EQ(top.memory.model().counters().reads, twin.memory().counters().reads);
    done = true;
  });
  sc_start();
  EXPECT_TRUE(done);
  EXPECT_EQ(nvr::stats::registry::instance().value("top.nsb.accesses"), 192);
  EXPECT_TRUE(nvr::stats::registry::instance().contains("top.dram.offchip_bytes"));
}

TEST(CacheTlm, ExtensionCarriesInstructionAndValuesAndPrefetchesCrossLevels) {
  platform top("top", small_config());
  nvr::mem::testing::recording_prefetcher p;
  top.nsb.model().set_prefetcher(&p);
  bool done = false;
  struct runner : sc_module {
    SC_HAS_PROCESS(runner);
    std::function<void()> body;
    runner(const sc_module_name& n, std::function<void()> b) : sc_module(n), body(std::move(b)) {
      SC_THREAD(run);
    }
    void run() { body(); }
  } r("runner", [&] {
    const std::int64_t index[2] = {3, 4};
    mem_extension ext;
    ext.instruction_id = 77;
    ext.values = index;
    ext.value_count = 2;
    unsigned char buffer[8] = {};
    top.initiator.transfer(tlm::TLM_READ_COMMAND, 0x100, buffer, 8, SC_ZERO_TIME, &ext);
    ASSERT_EQ(p.accesses.size(), 1u);
    EXPECT_EQ(p.accesses[0].instruction_id, 77u);
    ASSERT_EQ(p.accesses[0].value_count, 2u);
    EXPECT_EQ(p.accesses[0].values[1], 4);
    // A prefetch into the L2 through the NSB's timing link.
    EXPECT_EQ(top.nsb.model().prefetch(to_ps(sc_time_stamp()), 0x4000, 1, 0), prefetch_status::issued);
    EXPECT_TRUE(top.l2.model().contains(0x4000));
    EXPECT_FALSE(top.nsb.model().contains(0x4000));
    // An access outside the store: the error comes back, the timing is still annotated.
    tlm::tlm_response_status status;
    const sc_time d =
        top.initiator.transfer(tlm::TLM_READ_COMMAND, 1 << 21, buffer, 8, SC_ZERO_TIME, nullptr, &status);
    EXPECT_EQ(status, tlm::TLM_ADDRESS_ERROR_RESPONSE);
    EXPECT_GT(d, SC_ZERO_TIME);
    done = true;
  });
  sc_start();
  EXPECT_TRUE(done);
}

TEST(CacheTlm, TimeConversionIsExact) {
  EXPECT_EQ(to_ps(sc_time(1, SC_NS)), 1000u);
  EXPECT_EQ(to_ps(from_ps(123456789)), 123456789u);
  EXPECT_EQ(from_ps(2500), sc_time(2.5, SC_NS));
}
