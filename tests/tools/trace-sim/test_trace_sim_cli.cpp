// nvr-trace-sim as a program: exit codes and messages, a hand-computed run reproduced exactly,
// byte-identical JSON from two runs, the same figures from the text and binary formats, and the
// prefetchers through --prefetcher.
#include <gtest/gtest.h>
#include <sys/wait.h>

#include <cstdio>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>
#include <string>

namespace {

struct result {
  int code;
  std::string output;  // standard output and standard error
};

result run(const std::string& args) {
  result r{-1, {}};
  FILE* p = popen((std::string(NVR_TRACE_SIM) + " " + args + " 2>&1").c_str(), "r");
  if (!p) return r;
  char buffer[4096];
  std::size_t n;
  while ((n = std::fread(buffer, 1, sizeof buffer, p)) > 0) r.output.append(buffer, n);
  const int status = pclose(p);
  r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return r;
}

std::string temp(const std::string& name) { return ::testing::TempDir() + "trace_sim_" + name; }

std::string write_file(const std::string& name, const std::string& text) {
  const std::string path = temp(name);
  std::ofstream(path) << text;
  return path;
}

std::string slurp(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

nlohmann::json json_of(const std::string& path) { return nlohmann::json::parse(slurp(path)); }

// An SpMV-like indirect trace: 64 B vector loads of 16 int32 column indices (instruction 1),
// then the 16 rows of x they select, 64 B each (instruction 2), and a streaming write of y.
std::string indirect_trace() {
  std::mt19937 rng(5);
  std::ostringstream t;
  t << "# indirect: x[col_idx[i]]\n";
  for (int v = 0; v < 512; ++v) {
    std::vector<unsigned> idx(16);
    for (auto& i : idx) i = rng() % 8192;
    t << "R 0x" << std::hex << 0x100000 + 64 * v << std::dec << " 64 1";
    for (unsigned i : idx) t << ' ' << i;
    t << '\n';
    for (unsigned i : idx) t << "R 0x" << std::hex << 0x800000 + 64ull * i << std::dec << " 64 2\n";
    t << "W 0x" << std::hex << 0x4000000 + 64 * v << std::dec << " 64 3\n";
  }
  return t.str();
}

}  // namespace

TEST(TraceSimCli, HelpAndUsageErrors) {
  result r = run("--help");
  EXPECT_EQ(r.code, 0);
  EXPECT_NE(r.output.find("Usage: nvr-trace-sim"), std::string::npos);
  EXPECT_NE(r.output.find("--nsb-size"), std::string::npos);
  r = run("--bogus");
  EXPECT_EQ(r.code, 64);
  EXPECT_NE(r.output.find("unrecognised option '--bogus'"), std::string::npos) << r.output;
  r = run("");
  EXPECT_EQ(r.code, 64);
  EXPECT_NE(r.output.find("no trace file"), std::string::npos);
  const std::string ok = write_file("ok.txt", "R 0x0 8\n");
  r = run("--prefetcher nope " + ok);
  EXPECT_EQ(r.code, 64);
  EXPECT_NE(r.output.find("unknown prefetcher 'nope'"), std::string::npos) << r.output;
  r = run("--nsb-size 3000 " + ok);
  EXPECT_EQ(r.code, 64);
  EXPECT_NE(r.output.find("nsb"), std::string::npos) << r.output;
  r = run("--nsb-replacement fifo " + ok);
  EXPECT_EQ(r.code, 64);
  EXPECT_NE(r.output.find("--nsb-replacement"), std::string::npos) << r.output;
  r = run("--prefetcher stride --prefetcher-param bogus=1 " + ok);
  EXPECT_EQ(r.code, 64);
  EXPECT_NE(r.output.find("no parameter 'bogus'"), std::string::npos) << r.output;
}

TEST(TraceSimCli, MalformedTraceIsExit65WithLineNumber) {
  const std::string bad = write_file("bad.txt", "# ok\nR 0x1000 64\nR 0x1040 sixty-four\n");
  result r = run(bad);
  EXPECT_EQ(r.code, 65);
  EXPECT_NE(r.output.find(bad + ":3: bad size 'sixty-four'"), std::string::npos) << r.output;
  r = run("/nonexistent/trace.txt");
  EXPECT_EQ(r.code, 65);
  EXPECT_NE(r.output.find("cannot open"), std::string::npos) << r.output;
  r = run("--format binary " + bad);
  EXPECT_EQ(r.code, 65);
  EXPECT_NE(r.output.find("not a binary nvr trace"), std::string::npos) << r.output;
}

TEST(TraceSimCli, ReproducesAHandComputedRun) {
  // NSB: 4 direct-mapped lines (LRU), hit 2 ns; no L2; DRAM defaults (tCL = tRCD = 14.25 ns,
  // burst 3 ns, front end 60 ns); one access at a time, issued when the previous completes.
  //  R 0x000 @0:      miss; DRAM at 2000: closed row: 2000 + 14250 + 14250 + 3000 + 60000 = 93500
  //  R 0x008 @93500:  hit: 95500
  //  W 0x100 @95500:  miss (set 0), posted at 97500; its fill: row hit, 97500 + 14250 + 3000 +
  //                   60000 = 174750
  //  R 0x000 @97500:  miss, evicts the dirty 0x100 line; fill at 99500 waits for the bank (free at
  //                   100500): 100500 + 14250 + 3000 + 60000 = 177750; then the write-back.
  const std::string trace = write_file("hand.txt", "R 0x000 8\nR 0x008 8\nW 0x100 8\nR 0x000 8\n");
  const std::string json = temp("hand.json");
  const result r =
      run("--nsb-size 256 --nsb-ways 1 --nsb-replacement lru --l2-size 0 --max-outstanding 1 "
          "--issue-interval-ps 0 --quiet --json " +
          json + " " + trace);
  ASSERT_EQ(r.code, 0) << r.output;
  const auto j = json_of(json);
  EXPECT_EQ(j["run"]["end_ps"], 177750);
  EXPECT_EQ(j["run"]["accesses"], 4);
  const auto& nsb = j["memory"]["nsb"];
  EXPECT_EQ(nsb["accesses"], 4);
  EXPECT_EQ(nsb["hits"], 1);
  EXPECT_EQ(nsb["misses"], 3);
  EXPECT_EQ(nsb["writebacks"], 1);
  const auto& dram = j["memory"]["dram"];
  EXPECT_EQ(dram["reads"], 3);
  EXPECT_EQ(dram["writes"], 1);
  EXPECT_EQ(dram["row_misses"], 1);
  EXPECT_EQ(dram["row_hits"], 3);
  EXPECT_EQ(dram["offchip_bytes"], 256);
}

TEST(TraceSimCli, TwoRunsGiveByteIdenticalJson) {
  const std::string trace = write_file("indirect.txt", indirect_trace());
  for (const char* p : {"none", "imp", "stream"}) {
    const std::string a = temp(std::string("a_") + p + ".json"), b = temp(std::string("b_") + p + ".json");
    ASSERT_EQ(run(std::string("--quiet --prefetcher ") + p + " --json " + a + " " + trace).code, 0);
    ASSERT_EQ(run(std::string("--quiet --prefetcher ") + p + " --json " + b + " " + trace).code, 0);
    const std::string first = slurp(a);
    EXPECT_GT(first.size(), 1000u);
    EXPECT_EQ(first, slurp(b)) << p;
  }
}

TEST(TraceSimCli, TextAndBinaryGiveTheSameFigures) {
  const std::string trace = write_file("indirect2.txt", indirect_trace());
  const std::string bin = temp("indirect2.bin");
  ASSERT_EQ(run("--convert " + bin + " " + trace).code, 0);
  const std::string a = temp("text.json"), b = temp("binary.json");
  ASSERT_EQ(run("--quiet --prefetcher imp --json " + a + " " + trace).code, 0);
  ASSERT_EQ(run("--quiet --prefetcher imp --json " + b + " " + bin).code, 0);
  EXPECT_EQ(slurp(a), slurp(b));
}

TEST(TraceSimCli, PrefetchersThroughTheCommandLine) {
  const std::string trace = write_file("indirect3.txt", indirect_trace());
  auto figures = [&](const std::string& args) {
    const std::string out = temp("pf.json");
    const result r = run("--quiet --json " + out + " " + args + " " + trace);
    EXPECT_EQ(r.code, 0) << r.output;
    return json_of(out);
  };
  // The rows of x are 64 B: shift 6, outside gem5's default shift set {2, 3, 4, -3}.
  const auto none = figures("--prefetcher none");
  const auto imp = figures("--prefetcher imp --prefetcher-param shift_mask=0x40");
  const auto nsb_misses = [](const nlohmann::json& j) {
    return j["memory"]["nsb"]["misses"].get<std::uint64_t>();
  };
  EXPECT_EQ(imp["memory"]["nsb"]["prefetcher"]["patterns_found"], 1);
  EXPECT_GT(imp["memory"]["nsb"]["prefetch"]["accuracy"].get<double>(), 0.9);
  EXPECT_LT(nsb_misses(imp), nsb_misses(none) * 3 / 4);
  EXPECT_LE(imp["run"]["end_ps"], none["run"]["end_ps"]);
  // With 16 requests in flight the NSB's MSHRs are busy and prefetches are dropped; one at a
  // time, the oracle removes every demand miss.
  const auto blocking_none = figures("--prefetcher none --max-outstanding 1");
  const auto blocking_oracle = figures("--prefetcher oracle --max-outstanding 1");
  EXPECT_EQ(nsb_misses(blocking_oracle), 0u);
  EXPECT_LT(blocking_oracle["run"]["end_ps"].get<std::uint64_t>(),
            blocking_none["run"]["end_ps"].get<std::uint64_t>() / 4);
  EXPECT_LT(nsb_misses(figures("--prefetcher oracle")), nsb_misses(imp));
  const auto l2 = figures("--prefetcher stride --prefetch-level l2");
  EXPECT_EQ(l2["run"]["prefetch_level"], "l2");
  EXPECT_EQ(l2["memory"]["nsb"]["prefetcher"], "none");
}
