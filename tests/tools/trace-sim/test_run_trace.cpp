// The memory trace of a run (nvr-vp --trace-npu-memory): the hierarchy's request observer sees
// exactly the requests made from outside (NSB accesses and direct L2 accesses, not the levels'
// fills, write-backs or prefetches); the recorder writes them as a trace that reads back the same;
// demand_lines() gives the oracle the exact line sequence of the cache it serves.
#include <gtest/gtest.h>

#include <cstdio>
#include <stdexcept>
#include <string>
#include <vector>

#include "ip/cache/hierarchy.h"
#include "tools/trace-sim/recorder.h"
#include "tools/trace-sim/replay.h"
#include "tools/trace-sim/trace.h"

using namespace nvr;

namespace {

struct seen {
  mem::time_ps time;
  std::uint64_t address;
  bool is_write;
  mem::entry_level at;
  bool operator==(const seen& o) const {
    return time == o.time && address == o.address && is_write == o.is_write && at == o.at;
  }
};

class list_observer final : public mem::request_observer {
 public:
  void on_request(mem::time_ps now, const mem::request& r, mem::entry_level at) override {
    requests.push_back({now, r.address, r.is_write, at});
  }
  std::vector<seen> requests;
};

// A small NSB (1 KiB, 2-way) so that writes soon evict dirty lines (write-backs to the L2).
mem::hierarchy_config small_config() {
  mem::hierarchy_config c;
  c.nsb.size = 1024;
  c.nsb.ways = 2;
  c.l2.size = 8192;
  return c;
}

// A trace with reads, writes that cause write-backs, index values and F (fetch) records.
trace::trace mixed_trace() {
  trace::trace t;
  t.timed = true;
  for (std::uint64_t i = 0; i < 200; ++i) {
    trace::record r;
    r.time = i * 1000;
    r.size = 64;
    r.instruction_id = 0x200;
    r.address = 0x80000000 + ((i * 7) % 96) * 64;
    r.is_write = i % 3 == 0;
    if (i % 10 == 5) {
      r.fetch = true;
      r.is_write = false;
      r.instruction_id = 0x100;
      r.address = 0x90000000 + (i / 10) * 64;
    }
    const std::int64_t vals[] = {1, 2, 3, 4};
    t.add(r, vals, i % 17 == 1 && !r.fetch ? 4 : 0);
  }
  return t;
}

std::string temp_path(const std::string& name) { return ::testing::TempDir() + "memory_trace_" + name; }

}  // namespace

TEST(RequestObserver, SeesOnlyRequestsFromOutside) {
  mem::hierarchy h("", small_config());
  list_observer o;
  h.set_observer(&o);
  std::vector<seen> expected;
  mem::time_ps now = 0;
  for (std::uint64_t i = 0; i < 64; ++i, now += 1000) {
    const std::uint64_t a = 0x80000000 + i * 64;
    h.access(now, a, 64, /*is_write=*/true);  // dirty lines: evictions write back to the L2
    expected.push_back({now, a, true, mem::entry_level::nsb});
    if (i % 8 == 0) {
      h.l2().access(now, 0x90000000 + i * 64, 64, false);  // like the NPU's fetch
      expected.push_back({now, 0x90000000 + i * 64, false, mem::entry_level::l2});
    }
    h.prefetch(now, 0xa0000000 + i * 64, 0, 0);  // fills and write-backs, never reported
  }
  EXPECT_GT(h.nsb().counters().writebacks, 0u);
  // The L2 saw the write-backs too, but only the 8 direct requests were reported at it.
  EXPECT_EQ(h.l2().counters().accesses, 8 + h.nsb().counters().writebacks);
  EXPECT_EQ(o.requests, expected);

  // Without an observer nothing is reported, and the access path is the plain one.
  h.set_observer(nullptr);
  h.access(now, 0x80000000, 64, false);
  h.l2().access(now, 0x90000000, 64, false);
  EXPECT_EQ(o.requests.size(), expected.size());
}

TEST(RequestObserver, BypassedNsbReportsAtTheTop) {
  mem::hierarchy_config c = small_config();
  c.nsb.size = 0;
  mem::hierarchy h("", c);
  list_observer o;
  h.set_observer(&o);
  h.access(5, 0x1000, 64, false);
  h.l2().access(6, 0x2000, 64, false);
  const std::vector<seen> expected = {{5, 0x1000, false, mem::entry_level::nsb},
                                      {6, 0x2000, false, mem::entry_level::l2}};
  EXPECT_EQ(o.requests, expected);
  EXPECT_EQ(h.l2().counters().accesses, 2u);
}

TEST(Recorder, WritesWhatItSawInBothFormats) {
  const trace::trace t = mixed_trace();
  for (const std::string name : {"rec.txt", "rec.bin"}) {
    const std::string path = temp_path(name);
    {
      trace::recorder rec(path, trace::format::automatic, "a comment");
      mem::hierarchy h("", small_config());
      h.set_observer(&rec);
      for (const trace::record& r : t.records) {
        if (r.fetch)
          h.l2().access(r.time, t.request_of(r));
        else
          h.access(r.time, t.request_of(r));
      }
      EXPECT_EQ(rec.records(), t.records.size());
      EXPECT_EQ(rec.close(), "");
    }
    const trace::trace u = trace::read_file(path);
    EXPECT_TRUE(u.timed);
    std::ostringstream a, b;
    trace::write_text(a, t);
    trace::write_text(b, u);
    EXPECT_EQ(a.str(), b.str()) << name;
    std::remove(path.c_str());
  }
}

TEST(Recorder, DropsValuesThatDoNotTileTheRequest) {
  const std::string path = temp_path("drop.txt");
  trace::recorder rec(path);
  const std::int64_t vals[] = {1, 2, 3, 4, 5, 6, 7};
  mem::request r;
  r.address = 0x1000;
  r.size = 64;
  r.values = vals;
  r.value_count = 7;  // 7 indices of a partial line, sent with the whole line
  rec.on_request(0, r, mem::entry_level::nsb);
  r.value_count = 4;
  rec.on_request(1, r, mem::entry_level::nsb);
  EXPECT_EQ(rec.values_dropped(), 1u);
  ASSERT_EQ(rec.close(), "");
  const trace::trace u = trace::read_file(path);
  ASSERT_EQ(u.records.size(), 2u);
  EXPECT_EQ(u.records[0].value_count, 0u);
  EXPECT_EQ(u.records[1].value_count, 4u);
  std::remove(path.c_str());
}

TEST(Recorder, ErrorsAreClear) {
  try {
    trace::recorder rec("/nonexistent-dir/t.txt");
    ADD_FAILURE() << "no error";
  } catch (const trace::trace_error& e) {
    EXPECT_EQ(std::string(e.what()).rfind("/nonexistent-dir/t.txt: cannot create (", 0), 0u) << e.what();
  }
  const std::string path = temp_path("l2write.txt");
  trace::recorder rec(path);
  mem::request w;
  w.address = 0x1000;
  w.size = 64;
  w.is_write = true;
  EXPECT_THROW(rec.on_request(0, w, mem::entry_level::l2), std::logic_error);
  EXPECT_EQ(rec.close(), "");
  std::remove(path.c_str());
}

// The oracle's future from demand_lines() is what its cache then sees: it never leaves the
// sequence (no resyncs) and consumes all of it, at the NSB, at the L2 behind the NSB and at the
// L2 behind a bypassed NSB.
TEST(DemandLines, AreTheOraclesCacheSequence) {
  const trace::trace t = mixed_trace();
  struct variant {
    const char* name;
    const char* level;
    std::uint64_t nsb_size;
  };
  for (const variant& v : {variant{"nsb", "nsb", 1024}, variant{"l2 behind nsb", "l2", 1024},
                           variant{"bypassed nsb", "nsb", 0}, variant{"l2, bypassed nsb", "l2", 0}}) {
    mem::hierarchy_config c = small_config();
    c.prefetch_level = v.level;
    c.nsb.size = v.nsb_size;
    c.prefetcher = "oracle";
    for (std::uint32_t repeat : {1u, 2u}) {
      mem::prefetcher_environment env;
      env.future_lines = trace::demand_lines(t, c, repeat);
      mem::hierarchy h("", c, env);
      trace::replay_config rc;
      rc.repeat = repeat;
      trace::replay(h, t, rc);
      const nlohmann::json stats = h.active_prefetcher()->final_stats();
      EXPECT_EQ(stats["resyncs"], 0) << v.name << " x" << repeat;
      EXPECT_EQ(stats["position"], env.future_lines->size()) << v.name << " x" << repeat;
      EXPECT_EQ(h.prefetch_cache().counters().accesses, env.future_lines->size()) << v.name << " x" << repeat;
    }
  }
}

TEST(DemandLines, NsbSequenceLeavesOutFetches) {
  trace::trace t;
  t.add(0x1000, 64, false);
  trace::record f;
  f.address = 0x2000;
  f.size = 64;
  f.fetch = true;
  t.add(f, nullptr, 0);
  t.add(0x3010, 64, true);  // two lines
  mem::hierarchy_config c;
  const auto lines = trace::demand_lines(t, c);
  EXPECT_EQ(*lines, (std::vector<std::uint64_t>{0x1000, 0x3000, 0x3040}));
  c.nsb.size = 0;
  EXPECT_EQ(*trace::demand_lines(t, c), (std::vector<std::uint64_t>{0x1000, 0x2000, 0x3000, 0x3040}));
}

TEST(Replay, FetchRecordsEnterAtTheL2) {
  trace::trace t;
  t.add(0x1000, 64, false);
  trace::record f;
  f.address = 0x2000;
  f.size = 64;
  f.fetch = true;
  t.add(f, nullptr, 0);
  mem::hierarchy h("", mem::hierarchy_config{});
  trace::replay(h, t, trace::replay_config{});
  EXPECT_EQ(h.nsb().counters().accesses, 1u);
  EXPECT_EQ(h.l2().counters().accesses, 2u);  // the NSB's miss and the fetch
  EXPECT_FALSE(h.nsb().contains(0x2000));
  EXPECT_TRUE(h.l2().contains(0x2000));
}
