// Cross-check against an independent cache simulator: valgrind's cachegrind (Debian package
// valgrind). cachegrind-kernel makes the accesses of a pseudo-random trace in one function;
// cachegrind simulates D1 and LL (LRU, write-allocate) with the geometry given here, and its
// counts for that function are compared with this project's cache model configured the same
// way (LRU, write-back + write-allocate), fed the same trace by a blocking requester. Writes are
// posted, so the access after a write miss may find its line still filling (an MSHR merge): a
// hit for cachegrind, which has no time.
//
// cachegrind's LL sees only D1 misses, no write-backs, so LL is compared on read-only traces;
// D1 on traces with reads and writes.
#include <gtest/gtest.h>

#include <cctype>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <map>
#include <sstream>
#include <string>

#include "ip/cache/cache.h"
#include "tests/ip/cache/mock_levels.h"

using namespace nvr::mem;

namespace {

struct geometry {
  std::uint64_t size;
  std::uint32_t ways, line;
  std::string arg() const {
    return std::to_string(size) + "," + std::to_string(ways) + "," + std::to_string(line);
  }
};

struct counts {
  std::uint64_t dr = 0, d1mr = 0, dlmr = 0, dw = 0, d1mw = 0, dlmw = 0;
};

std::string run(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (!p) return out;
  char buffer[256];
  while (std::fgets(buffer, sizeof buffer, p)) out += buffer;
  pclose(p);
  return out;
}

// Runs the kernel under cachegrind; returns the base address and cg_kernel's counts.
std::uint64_t cachegrind(const geometry& d1, const geometry& ll, std::uint64_t count, std::uint64_t seed,
                         std::uint64_t region, std::uint64_t write_mask, counts& c) {
  const std::string out_file = ::testing::TempDir() + "cachegrind.out." + std::to_string(seed);
  const std::string command =
      std::string(NVR_VALGRIND) + " --tool=cachegrind --cache-sim=yes --D1=" + d1.arg() +
      " --I1=32768,8,64 --LL=" + ll.arg() + " --cachegrind-out-file=" + out_file + " " + NVR_CG_KERNEL + " " +
      std::to_string(count) + " " + std::to_string(seed) + " " + std::to_string(region) + " " +
      std::to_string(write_mask) + " 2>/dev/null";
  const std::uint64_t base = std::strtoull(run(command).c_str(), nullptr, 16);
  std::ifstream in(out_file);
  std::string line, events, fn;
  std::vector<std::string> names;
  std::map<std::string, std::uint64_t> total;
  while (std::getline(in, line)) {
    if (line.rfind("events:", 0) == 0) {
      std::istringstream s(line.substr(7));
      for (std::string n; s >> n;) names.push_back(n);
    } else if (line.rfind("fn=", 0) == 0) {
      fn = line.substr(3);
    } else if (fn == "cg_kernel" && !line.empty() && std::isdigit(static_cast<unsigned char>(line[0]))) {
      std::istringstream s(line);
      std::uint64_t line_number = 0, v = 0;
      s >> line_number;
      for (std::size_t i = 0; i < names.size() && s >> v; ++i) total[names[i]] += v;
    }
  }
  std::remove(out_file.c_str());
  c.dr = total["Dr"];
  c.d1mr = total["D1mr"];
  c.dlmr = total["DLmr"];
  c.dw = total["Dw"];
  c.d1mw = total["D1mw"];
  c.dlmw = total["DLmw"];
  return base;
}

cache_config lru(const geometry& g) {
  cache_config c;
  c.size = g.size;
  c.ways = g.ways;
  c.line = g.line;
  c.replacement = replacement_policy::lru;
  c.write = write_policy::write_back_allocate;
  return c;
}

struct model_run {
  nvr::mem::testing::fixed_latency dram{100000};
  cache l2;
  cache d1;
  model_run(const geometry& g1, const geometry& gl) : l2("", lru(gl), &dram), d1("", lru(g1), &l2) {}
};

void compare(const geometry& d1, const geometry& ll, std::uint64_t count, std::uint64_t seed,
             std::uint64_t region, bool writes) {
  const std::uint64_t write_mask = writes ? (std::uint64_t{1} << 63) : 0;
  counts cg;
  const std::uint64_t base = cachegrind(d1, ll, count, seed, region, write_mask, cg);
  ASSERT_NE(base, 0u) << "cachegrind-kernel did not run under valgrind";
  ASSERT_EQ(cg.dr + cg.dw, count) << "cachegrind saw other accesses in cg_kernel";

  model_run m(d1, ll);
  std::uint64_t x = seed, t = 0;
  const std::uint64_t mask = (region - 1) & ~std::uint64_t{7};
  for (std::uint64_t i = 0; i < count; ++i) {
    x = x * 6364136223846793005ull + 1442695040888963407ull;
    t = m.d1.access(t, base + ((x >> 24) & mask), 8, (x & write_mask) != 0);
  }
  const cache_counters& k = m.d1.counters();
  EXPECT_EQ(k.reads(), cg.dr);
  EXPECT_EQ(k.writes, cg.dw);
  EXPECT_EQ(k.read_misses(), cg.d1mr);
  EXPECT_EQ(k.write_misses, cg.d1mw);
  EXPECT_EQ(k.hits + k.mshr_merges, count - cg.d1mr - cg.d1mw);
  if (!writes) {
    EXPECT_EQ(m.l2.counters().misses, cg.dlmr);
  }
  std::printf(
      "reference: valgrind cachegrind; D1 %s LL %s, %llu accesses over %llu KiB: D1 misses %llu+%llu, "
      "LL misses %llu+%llu; model D1 %llu+%llu, L2 %llu\n",
      d1.arg().c_str(), ll.arg().c_str(), static_cast<unsigned long long>(count),
      static_cast<unsigned long long>(region / 1024), static_cast<unsigned long long>(cg.d1mr),
      static_cast<unsigned long long>(cg.d1mw), static_cast<unsigned long long>(cg.dlmr),
      static_cast<unsigned long long>(cg.dlmw), static_cast<unsigned long long>(k.read_misses()),
      static_cast<unsigned long long>(k.write_misses),
      static_cast<unsigned long long>(m.l2.counters().misses));
}

const geometry nsb_like{16384, 4, 64}, l2_like{262144, 8, 64};

}  // namespace

TEST(CacheVsCachegrind, D1ReadsAndWrites) { compare(nsb_like, l2_like, 200000, 1, 64 * 1024, true); }

TEST(CacheVsCachegrind, D1EightWaysReadsAndWrites) {
  compare(geometry{32768, 8, 64}, l2_like, 200000, 5, 128 * 1024, true);
}

TEST(CacheVsCachegrind, D1AndLLReadOnly) { compare(nsb_like, l2_like, 300000, 9, 1024 * 1024, false); }

TEST(CacheVsCachegrind, SmallLinesFullyUsedSets) {
  compare(geometry{8192, 2, 32}, geometry{65536, 16, 32}, 200000, 3, 128 * 1024, false);
}
