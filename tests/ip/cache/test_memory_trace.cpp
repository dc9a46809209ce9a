// The VCD signals of the memory hierarchy (groups cache and dram): a small access stream through
// a traced hierarchy, its VCD read back and compared with the models' own times and counters.
#include <gtest/gtest.h>

#include <map>
#include <sstream>
#include <systemc>

#include "core/trace/vcd.h"
#include "ip/cache/hierarchy.h"
#include "tests/core/trace_test_support.h"

namespace {

using nvr::mem::time_ps;

// signal name -> (time, value) changes, from a VCD whose timescale is 1 ps.
std::map<std::string, std::vector<std::pair<std::uint64_t, std::uint64_t>>> read_vcd(
    const std::string& path) {
  std::map<std::string, std::string> names;  // id -> dotted name
  std::vector<std::string> scope;
  std::map<std::string, std::vector<std::pair<std::uint64_t, std::uint64_t>>> changes;
  std::istringstream in(nvr::test::read_file(path));
  std::string token;
  std::uint64_t now = 0;
  while (in >> token) {
    if (token == "$scope") {
      std::string kind, name;
      in >> kind >> name;
      scope.push_back(name);
    } else if (token == "$upscope") {
      scope.pop_back();
    } else if (token == "$var") {
      std::string kind, width, id, name;
      in >> kind >> width >> id >> name;
      std::string full;
      for (const auto& s : scope) full += s + ".";
      names[id] = full + name;
    } else if (token[0] == '#') {
      now = std::stoull(token.substr(1));
    } else if (token[0] == 'b') {
      std::string id;
      in >> id;
      if (names.count(id)) changes[names[id]].emplace_back(now, std::stoull(token.substr(1), nullptr, 2));
    } else if ((token[0] == '0' || token[0] == '1') && names.count(token.substr(1))) {
      changes[names[token.substr(1)]].emplace_back(now, token[0] - '0');
    }
  }
  return changes;
}

std::size_t rising_edges(const std::vector<std::pair<std::uint64_t, std::uint64_t>>& c) {
  std::size_t n = 0;
  std::uint64_t last = 0;
  for (const auto& [t, v] : c) {
    if (v && !last) ++n;
    last = v;
  }
  return n;
}

TEST(memory_trace, mshrs_rise_at_the_miss_and_fall_at_fill_ready_and_strobes_count_misses) {
  ASSERT_EQ(sc_core::sc_get_time_resolution(), sc_core::sc_time(1, sc_core::SC_PS));
  nvr::mem::hierarchy h("", nvr::mem::hierarchy_config{});
  h.enable_tracing("top.memory");
  nvr::test::temporary_path path(".vcd");
  nvr::trace::vcd_writer::options settings;
  settings.groups = {"cache", "dram"};
  nvr::trace::vcd_writer writer(path, settings);

  // Misses 1 us apart (no overlap), each line in another DRAM row of the same bank.
  const unsigned n = 6;
  std::vector<time_ps> ready;
  for (unsigned i = 0; i < n; ++i) {
    const std::uint64_t address = 0x100000ull * (i + 1);
    h.access(1000000ull * i, address, 4, false);
    ready.push_back(h.nsb().ready_time(address));
  }
  // Four misses at once: four MSHRs in use together.
  for (unsigned i = 0; i < 4; ++i) h.access(10000000, 0x4000000ull + 64 * i, 4, false);
  ASSERT_TRUE(writer.close());

  auto vcd = read_vcd(path);
  auto mshrs = vcd["top.memory.nsb.mshrs_in_use"];
  while (!mshrs.empty() && mshrs.front() == std::make_pair(std::uint64_t{0}, std::uint64_t{0}))
    mshrs.erase(mshrs.begin());  // the initial value
  ASSERT_GE(mshrs.size(), 2 * n);
  const time_ps lookup = h.config().nsb.hit_latency * h.config().nsb.clock_period;
  for (unsigned i = 0; i < n; ++i) {
    EXPECT_EQ(mshrs[2 * i], std::make_pair(std::uint64_t{1000000ull * i + lookup}, std::uint64_t{1})) << i;
    EXPECT_EQ(mshrs[2 * i + 1], std::make_pair(std::uint64_t{ready[i]}, std::uint64_t{0})) << i;
  }
  std::uint64_t peak = 0;
  for (const auto& [t, v] : mshrs) peak = std::max(peak, v);
  EXPECT_EQ(peak, 4u);
  EXPECT_EQ(mshrs.back().second, 0u);

  // The spaced misses give one strobe each; the four at once are 1 ns apart and may merge.
  std::size_t strobes = 0;
  for (const auto& [t, v] : vcd["top.memory.nsb.miss"])
    if (v && t < 10000000) ++strobes;
  EXPECT_EQ(strobes, n);
  EXPECT_EQ(h.nsb().counters().misses, n + 4);
  EXPECT_GE(rising_edges(vcd["top.memory.l2.miss"]), n);
  const auto& d = h.memory().counters();
  EXPECT_GE(rising_edges(vcd["top.memory.dram.ch0.row_miss"]), n);
  EXPECT_LE(rising_edges(vcd["top.memory.dram.ch0.row_miss"]), d.row_misses + d.row_conflicts);
  EXPECT_EQ(vcd["top.memory.dram.ch0.in_flight"].back().second, 0u);
}

TEST(memory_trace, an_untraced_hierarchy_has_no_signals) {
  nvr::mem::hierarchy h("", nvr::mem::hierarchy_config{});
  h.access(0, 0x1000, 4, false);
  for (const auto* s : nvr::trace::signal::all()) EXPECT_NE(s->group(), "cache");
  EXPECT_TRUE(nvr::trace::signal::all().empty());
}

}  // namespace
