// Hand-computed DRAM timing with the defaults: tCK 750 ps, tCL = tRCD = tRP = 19 cycles
// (14250 ps), a burst 4 cycles (3000 ps), front end 60 ns, 16 banks, 8 KiB rows, one channel.
// Address bits: offset 0-5, column 6-12, bank 13-16, row 17 up.
#include <gtest/gtest.h>

#include "core/stats.h"
#include "ip/dram/dram.h"

using namespace nvr::mem;

namespace {
constexpr time_ps cl = 14250, rcd = 14250, rp = 14250, burst = 3000, frontend = 60000;
constexpr std::uint64_t bank_stride = 1 << 13, row_stride = 1 << 17;
}  // namespace

TEST(Dram, DefaultsAreAbout100nsAnd21GBs) {
  dram d("", dram_config{});
  EXPECT_EQ(d.idle_latency_hit(), cl + burst + frontend);                  // 77.25 ns
  EXPECT_EQ(d.idle_latency_miss(), rcd + cl + burst + frontend);           // 91.5 ns
  EXPECT_EQ(d.idle_latency_conflict(), rp + rcd + cl + burst + frontend);  // 105.75 ns
  EXPECT_NEAR(d.peak_bandwidth(), 21.33e9, 0.01e9);
}

TEST(Dram, AddressMapping) {
  dram_config c;
  c.channels = 2;
  dram d("", c);
  // With two channels: offset 0-5, channel 6, column 7-13, bank 14-17, row 18 up.
  const dram_location l = d.decode((5ull << 18) | (3ull << 14) | (9ull << 7) | (1ull << 6) | 0x11);
  EXPECT_EQ(l.channel, 1u);
  EXPECT_EQ(l.column, 9u);
  EXPECT_EQ(l.bank, 3u);
  EXPECT_EQ(l.row, 5u);
}

TEST(Dram, RowMissHitConflict) {
  dram d("", dram_config{});
  EXPECT_EQ(d.access(0, 0x0, 64, false), rcd + cl + burst + frontend);           // closed bank: activate
  EXPECT_EQ(d.access(200000, 0x40, 64, false), 200000 + cl + burst + frontend);  // open row
  EXPECT_EQ(d.access(400000, row_stride, 64, false), 400000 + rp + rcd + cl + burst + frontend);
  const auto& k = d.counters();
  EXPECT_EQ(k.row_misses, 1u);
  EXPECT_EQ(k.row_hits, 1u);
  EXPECT_EQ(k.row_conflicts, 1u);
  EXPECT_EQ(k.bytes_read, 192u);
}

TEST(Dram, BanksOverlapButShareTheDataBus) {
  dram d("", dram_config{});
  const time_ps first = d.access(0, 0, 64, false);
  const time_ps second = d.access(0, bank_stride, 64, false);  // another bank: activates in parallel
  EXPECT_EQ(first, rcd + cl + burst + frontend);
  EXPECT_EQ(second, first + burst);  // only the burst on the bus is serialised
}

TEST(Dram, BandwidthIsOneBurstPerBurstTime) {
  dram d("", dram_config{});
  time_ps last = 0;
  for (int i = 0; i < 100; ++i) last = d.access(0, static_cast<std::uint64_t>(i) * 64, 64, false);
  EXPECT_EQ(last, rcd + cl + burst + frontend + 99 * burst);
  EXPECT_EQ(d.counters().row_hits, 99u);
  EXPECT_EQ(d.counters().bus_busy_ps, 100 * burst);
}

TEST(Dram, LargerRequestsAreSeveralBursts) {
  dram d("", dram_config{});
  EXPECT_EQ(d.access(0, 0, 256, true), rcd + cl + 4 * burst + frontend);
  EXPECT_EQ(d.counters().writes, 4u);
  EXPECT_EQ(d.counters().bytes_written, 256u);
}

TEST(Dram, RefreshBlocksAndClosesRows) {
  dram_config c;
  c.refresh = true;
  dram d("", c);
  const time_ps refi = 10400 * 750, rfc = 467 * 750;
  d.access(0, 0, 64, false);                                                                // opens row 0
  EXPECT_EQ(d.access(refi - 100000, 0, 64, false), refi - 100000 + cl + burst + frontend);  // still open
  // Inside the first refresh: waits for its end, then finds the row closed.
  EXPECT_EQ(d.access(refi + 1000, 0, 64, false), refi + rfc + rcd + cl + burst + frontend);
  EXPECT_EQ(d.counters().refresh_stalls, 1u);
  EXPECT_EQ(d.counters().row_misses, 2u);
}

TEST(Dram, Statistics) {
  {
    dram d("test.dram", dram_config{});
    d.access(0, 0, 64, false);
    d.access(0, 64, 64, true);
    auto& reg = nvr::stats::registry::instance();
    EXPECT_EQ(reg.value("test.dram.offchip_bytes"), 128);
    EXPECT_EQ(reg.value("test.dram.reads"), 1);
    EXPECT_EQ(reg.value("test.dram.avg_read_latency_ps"), rcd + cl + burst + frontend);
  }
  EXPECT_FALSE(nvr::stats::registry::instance().contains("test.dram.reads"));
}

TEST(Dram, RejectsBadGeometry) {
  dram_config c;
  c.banks = 12;
  EXPECT_THROW(dram("", c), std::invalid_argument);
  c = dram_config{};
  c.row_size = 32;
  EXPECT_THROW(dram("", c), std::invalid_argument);
}
