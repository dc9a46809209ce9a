// The NVR and DVR runahead prefetchers (ip/nvr/runahead.h) driven without SystemC: a fake cache
// records their prefetches with times and answers line_ready / prefetch_free, a fake memory holds
// a small CSR matrix, and the test feeds the NPU's instruction events (config.sparse, spmm as in
// ip/npu/ISA.md) and demand accesses.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <stdexcept>
#include <vector>

#include "ip/npu/machine.h"
#include "ip/nvr/runahead.h"
#include "ip/prefetch/factory.h"

using namespace nvr;
using namespace nvr::runahead;
using mem::time_ps;

namespace {

constexpr time_ps ns = 1000, us = 1000 * ns;

// A cache of 256 lines of 64 bytes with 16 prefetch MSHRs: a prefetched line is there 100 ns
// after its issue.
class fake_cache final : public mem::prefetch_sink {
 public:
  struct record {
    time_ps time;
    std::uint64_t line;
    unsigned depth;
  };
  mem::prefetch_status prefetch(time_ps now, std::uint64_t address, unsigned depth, std::uint64_t) override {
    issued.push_back({now, address, depth});
    if (!m_ready.emplace(address, now + latency).second) return mem::prefetch_status::redundant;
    m_in_flight.insert(now + latency);
    return mem::prefetch_status::issued;
  }
  std::uint32_t line_size() const override { return 64; }
  time_ps line_ready(std::uint64_t address) const override {
    const auto it = m_ready.find(address);
    return it == m_ready.end() ? 0 : it->second;
  }
  time_ps prefetch_free(time_ps now) const override {
    // The earliest time at which fewer than `mshrs` prefetches are in flight.
    std::vector<time_ps> busy;
    for (time_ps r : m_in_flight)
      if (r > now) busy.push_back(r);
    if (busy.size() < mshrs) return now;
    std::sort(busy.begin(), busy.end());
    return busy[busy.size() - mshrs];
  }
  std::uint64_t capacity_lines() const override { return 256; }
  // A demand miss brings a line in.
  void demand_fill(std::uint64_t line, time_ps at) { m_ready.emplace(line, at); }

  std::vector<record> issued;
  time_ps latency = 100 * ns;
  std::size_t mshrs = 16;

 private:
  std::map<std::uint64_t, time_ps> m_ready;
  std::multiset<time_ps> m_in_flight;
};

// Memory as a few byte regions (little-endian reads); outside them nothing is readable.
class fake_memory final : public mem::value_source {
 public:
  void add(std::uint64_t base, std::size_t bytes) { m_regions[base].assign(bytes, 0); }
  void write32(std::uint64_t address, std::int32_t v) {
    for (unsigned i = 0; i < 4; ++i)
      byte(address + i) = static_cast<std::uint8_t>(static_cast<std::uint32_t>(v) >> (8 * i));
  }
  bool read(std::uint64_t address, std::uint32_t bytes, std::int64_t& value) const override {
    std::uint64_t v = 0;
    for (std::uint32_t i = 0; i < bytes; ++i) {
      const std::uint8_t* b = find(address + i);
      if (!b) return false;
      v |= std::uint64_t{*b} << (8 * i);
    }
    value = static_cast<std::int64_t>(v);
    return true;
  }

 private:
  const std::uint8_t* find(std::uint64_t a) const {
    auto it = m_regions.upper_bound(a);
    if (it == m_regions.begin()) return nullptr;
    --it;
    if (a - it->first >= it->second.size()) return nullptr;
    return &it->second[a - it->first];
  }
  std::uint8_t& byte(std::uint64_t a) { return *const_cast<std::uint8_t*>(find(a)); }
  std::map<std::uint64_t, std::vector<std::uint8_t>> m_regions;
};

// A CSR matrix A (rows x b_rows) in memory, and B (b_rows rows of 16 int8 at a 64-byte stride:
// one line per row of B, so B row k is line b + 64 k).
struct csr_matrix {
  static constexpr std::uint64_t row_ptr = 0x10000, col_idx = 0x20000, values = 0x30000, b = 0x100000;
  static constexpr std::uint32_t b_rows = 1024, stride = 64;
  std::vector<std::vector<std::int32_t>> cols;  // per row
  std::vector<std::int32_t> ptr;

  void store(fake_memory& m) const {
    const std::size_t nnz = static_cast<std::size_t>(ptr.back());
    m.add(row_ptr, 4 * ptr.size());
    m.add(col_idx, 4 * std::max<std::size_t>(nnz, 1));
    m.add(values, std::max<std::size_t>(nnz, 1));
    m.add(b, std::size_t{b_rows} * stride);
    for (std::size_t r = 0; r < ptr.size(); ++r) m.write32(row_ptr + 4 * r, ptr[r]);
    std::size_t j = 0;
    for (const auto& row : cols)
      for (std::int32_t c : row) m.write32(col_idx + 4 * j++, c);
  }
  // The B lines of rows [first, first + count).
  std::set<std::uint64_t> lines(std::size_t first, std::size_t count) const {
    std::set<std::uint64_t> s;
    for (std::size_t r = first; r < first + count; ++r)
      for (std::int32_t c : cols[r]) s.insert(b + std::uint64_t(c) * stride);
    return s;
  }
};

csr_matrix make_matrix(std::size_t rows, std::int32_t (*column)(std::size_t row, std::size_t j),
                       std::size_t (*nnz)(std::size_t row)) {
  csr_matrix m;
  m.ptr.push_back(0);
  for (std::size_t r = 0; r < rows; ++r) {
    m.cols.emplace_back();
    for (std::size_t j = 0; j < nnz(r); ++j) m.cols.back().push_back(column(r, j));
    std::sort(m.cols.back().begin(), m.cols.back().end());
    m.cols.back().erase(std::unique(m.cols.back().begin(), m.cols.back().end()), m.cols.back().end());
    m.ptr.push_back(m.ptr.back() + static_cast<std::int32_t>(m.cols.back().size()));
  }
  return m;
}

std::array<std::uint32_t, 8> config_sparse(const csr_matrix& m) {
  return {npu::op_config_sparse,
          static_cast<std::uint32_t>(m.row_ptr),
          static_cast<std::uint32_t>(m.col_idx),
          static_cast<std::uint32_t>(m.values),
          m.b_rows,
          0,
          0,
          0};
}

std::array<std::uint32_t, 8> spmm(std::uint64_t b, std::uint32_t first, std::uint32_t count) {
  return {npu::op_spmm, static_cast<std::uint32_t>(b), csr_matrix::stride, first, count, 0x80000000u, 16, 0};
}

// The prefetcher under test with its cache, memory and the NPU's clock.
struct rig {
  fake_cache cache;
  fake_memory memory;
  csr_matrix matrix;
  mem::prefetcher* p = nullptr;
  time_ps now = 0;
  std::uint32_t sequence = 0;

  void attach(mem::prefetcher& pf, const csr_matrix& m) {
    matrix = m;
    matrix.store(memory);
    p = &pf;
    p->attach(&cache, &memory);
  }
  void insn(const std::array<std::uint32_t, 8>& w) {
    now += ns;
    p->on_instruction(mem::instruction_event{now, sequence++, w});
  }
  void access(std::uint64_t address, std::uint64_t stream, std::uint32_t values = 0) {
    mem::access_event e;
    e.time = now;
    e.address = address;
    e.line_address = address & ~std::uint64_t{63};
    e.size = 4;
    e.instruction_id = stream;
    e.hit = cache.line_ready(e.line_address) != 0;
    e.prefetch_hit = e.hit;
    e.value_count = values;
    p->on_access(e);
    if (!e.hit) cache.demand_fill(e.line_address, now + 100 * ns);
  }
  // Time passes: the NPU's accesses to a line nobody prefetches (its values stream).
  void run_for(time_ps span, time_ps step = 1 * us) {
    for (const time_ps end = now + span; now < end;) {
      now += step;
      access(matrix.values, npu::stream_spmm_values);
    }
  }
  // One such access `span` later (DVR starts an episode at each demand access).
  void later(time_ps span) {
    now += span;
    access(matrix.values, npu::stream_spmm_values);
  }
  // Lines issued into B's region and into the index arrays.
  std::vector<fake_cache::record> b_prefetches() const {
    std::vector<fake_cache::record> v;
    for (const auto& r : cache.issued)
      if (r.line >= matrix.b && r.line < matrix.b + std::uint64_t{matrix.b_rows} * matrix.stride)
        v.push_back(r);
    return v;
  }
  std::set<std::uint64_t> b_lines() const {
    std::set<std::uint64_t> s;
    for (const auto& r : b_prefetches()) s.insert(r.line);
    return s;
  }
};

nvr_config nvr_params(const mem::prefetcher_params& params = {}) { return parse_nvr_config(params); }

// Rows 0..15 use columns 0..511, rows 16.. columns 512..1023, 1 to 7 nonzeros a row.
csr_matrix two_halves(std::size_t rows) {
  return make_matrix(
      rows,
      [](std::size_t r, std::size_t j) {
        return static_cast<std::int32_t>((r < 16 ? 0 : 512) + (r * 37 + j * 101) % 512);
      },
      [](std::size_t r) { return 1 + r % 7; });
}

}  // namespace

// ---- NVR ----

TEST(Nvr, PrefetchesExactlyTheBLinesOfTheRowsItWalks) {
  rig r;
  // index_degree 0: no index lines streamed ahead (checked apart below), so the bounds are exact.
  nvr_prefetcher p(nvr_params({{"index_degree", 0}}));
  r.attach(p, two_halves(32));
  r.insn(config_sparse(r.matrix));
  r.insn(spmm(r.matrix.b, 0, 16));  // rows 0..15 of 32
  r.run_for(200 * us);
  const auto issued = r.b_prefetches();
  EXPECT_EQ(r.b_lines(), r.matrix.lines(0, 16));
  EXPECT_EQ(issued.size(), r.b_lines().size());  // each line once
  // Never beyond the instruction's last row: its index loads stop at row_ptr[16] and at the
  // col_idx entries of rows 0..15.
  const std::uint64_t last_col_idx_line = (r.matrix.col_idx + 4 * (r.matrix.ptr[16] - 1)) & ~63ull;
  for (const auto& rec : r.cache.issued) {
    if (rec.line >= r.matrix.col_idx && rec.line < r.matrix.values) {
      EXPECT_LE(rec.line, last_col_idx_line);
    }
    if (rec.line >= r.matrix.row_ptr && rec.line < r.matrix.col_idx) {
      EXPECT_LE(rec.line, (r.matrix.row_ptr + 4 * 16) & ~63ull);
    }
    EXPECT_EQ(rec.depth, 0u);
  }
  // Paced: never more than 16 prefetches in flight; in time order, and one vector prefetch (at
  // most vector_size lines) or one index load per cycle.
  for (std::size_t i = 16; i < r.cache.issued.size(); ++i)
    EXPECT_GE(r.cache.issued[i].time, r.cache.issued[i - 16].time + r.cache.latency) << i;
  std::map<time_ps, unsigned> per_time;
  for (std::size_t i = 0; i < r.cache.issued.size(); ++i) {
    if (i > 0) {
      EXPECT_GE(r.cache.issued[i].time, r.cache.issued[i - 1].time) << i;
      if (r.cache.issued[i].time != r.cache.issued[i - 1].time) {
        EXPECT_GE(r.cache.issued[i].time, r.cache.issued[i - 1].time + ns) << i;
      }
    }
    ++per_time[r.cache.issued[i].time];
  }
  for (const auto& [t, n] : per_time) EXPECT_LE(n, 16u) << t;
  const auto stats = p.final_stats();
  EXPECT_EQ(stats["lines"]["issued"], issued.size());
  EXPECT_EQ(stats["model"]["rows"]["walked"], 16);
  EXPECT_EQ(stats["model"]["instructions"]["walked"], 1);
  EXPECT_EQ(stats["model"]["instructions"]["predicted"], 0);  // one instruction: nothing to learn from
  EXPECT_EQ(stats["instructions_snooped"], 2);
  EXPECT_GT(stats["index_loads"]["issued"].get<int>(), 0);
}

TEST(Nvr, PrefetchesAreNoEarlierThanTheirIndices) {
  rig r;
  nvr_prefetcher p(nvr_params());
  r.attach(p, two_halves(16));
  r.insn(config_sparse(r.matrix));
  const time_ps start = r.now;
  r.insn(spmm(r.matrix.b, 0, 16));
  r.run_for(100 * us);
  const auto b = r.b_prefetches();
  ASSERT_FALSE(b.empty());
  // The first B line needs row_ptr and col_idx first: two memory latencies after the dispatch.
  EXPECT_GE(b.front().time, start + 2 * r.cache.latency);
}

TEST(Nvr, FillDepthReachesTheCache) {
  rig r;
  nvr_prefetcher p(nvr_params({{"fill_depth", 1}}));
  r.attach(p, two_halves(4));
  r.insn(config_sparse(r.matrix));
  r.insn(spmm(r.matrix.b, 0, 4));
  r.run_for(50 * us);
  ASSERT_FALSE(r.b_prefetches().empty());
  for (const auto& rec : r.b_prefetches()) EXPECT_EQ(rec.depth, 1u);
}

namespace {

// Row r uses columns 8r .. 8r + 2: every row its own three lines of B.
csr_matrix own_lines(std::size_t rows) {
  return make_matrix(
      rows, [](std::size_t r, std::size_t j) { return static_cast<std::int32_t>(8 * r + j); },
      [](std::size_t) -> std::size_t { return 3; });
}

std::int64_t last_row_prefetched(const rig& r) {
  std::int64_t last = -1;
  for (const auto& rec : r.b_prefetches())
    last = std::max<std::int64_t>(last,
                                  static_cast<std::int64_t>((rec.line - r.matrix.b) / r.matrix.stride / 8));
  return last;
}

}  // namespace

TEST(Nvr, StaysWithinDistanceTilesOfTheNpu) {
  rig r;
  nvr_prefetcher p(nvr_params({{"distance", 1}}));
  r.attach(p, own_lines(96));
  r.insn(config_sparse(r.matrix));
  r.insn(spmm(r.matrix.b, 0, 96));
  r.run_for(10 * us);  // shorter than the unit's expiry of unused lines (20 us)
  // The NPU is at row 0: one tile (16 rows) ahead at most.
  EXPECT_EQ(last_row_prefetched(r), 16);
  EXPECT_GT(p.final_stats()["model"]["distance_stalls"].get<int>(), 0);
  // The NPU uses the lines of rows 0..10: the unit may run to row 26.
  for (std::size_t row = 0; row <= 10; ++row)
    for (std::int32_t c : r.matrix.cols[row]) {
      r.now += 10 * ns;
      r.access(r.matrix.b + std::uint64_t(c) * r.matrix.stride, npu::stream_spmm_b);
    }
  r.run_for(10 * us);
  EXPECT_EQ(last_row_prefetched(r), 26);
  EXPECT_EQ(p.final_stats()["lines"]["used"], 33);
  // Following the NPU to the end, the unit covers every row exactly once.
  for (std::size_t row = 11; row < 96; ++row) {
    for (std::int32_t c : r.matrix.cols[row]) {
      r.now += 10 * ns;
      r.access(r.matrix.b + std::uint64_t(c) * r.matrix.stride, npu::stream_spmm_b);
    }
    r.run_for(5 * us);
    EXPECT_LE(last_row_prefetched(r), static_cast<std::int64_t>(row) + 16) << row;
  }
  EXPECT_EQ(r.b_lines(), r.matrix.lines(0, 96));
  EXPECT_EQ(r.b_prefetches().size(), 96u * 3);
}

TEST(Nvr, DisabledIssuesNothingAndResumesWhenEnabled) {
  rig r;
  nvr_prefetcher p(nvr_params());
  r.attach(p, two_halves(32));
  p.on_enable(0, false);  // the NPU's reset value of CTRL.nvr_enable
  r.insn(config_sparse(r.matrix));
  r.insn(spmm(r.matrix.b, 0, 16));
  r.run_for(200 * us);
  EXPECT_TRUE(r.cache.issued.empty());
  EXPECT_FALSE(p.enabled());
  const time_ps on = r.now + 5 * us;
  p.on_enable(on, true);
  r.run_for(20 * us);
  EXPECT_TRUE(r.cache.issued.empty());  // enabled, but no instruction since
  r.insn(spmm(r.matrix.b, 16, 16));     // rows 16..31, with the config.sparse snooped while off
  r.run_for(200 * us);
  EXPECT_TRUE(p.enabled());
  EXPECT_EQ(r.b_lines(), r.matrix.lines(16, 16));
  for (const auto& rec : r.cache.issued) EXPECT_GE(rec.time, on);
  const auto stats = p.final_stats();
  EXPECT_EQ(stats["enable_toggles"], 2);
  EXPECT_EQ(stats["enabled_at_end"], true);
  EXPECT_EQ(stats["instructions_snooped"], 1);  // only the spmm after enabling
}

TEST(Nvr, SwitchedOffMidRunStopsAtOnce) {
  rig r;
  nvr_prefetcher p(nvr_params({{"distance", 8}}));
  r.attach(p, own_lines(96));
  r.insn(config_sparse(r.matrix));
  r.insn(spmm(r.matrix.b, 0, 96));
  r.run_for(2 * us, 100 * ns);
  const std::size_t before = r.b_prefetches().size();
  ASSERT_GT(before, 0u);
  ASSERT_LT(before, 96u * 3);  // still walking
  const time_ps off = r.now + 50 * ns;
  p.on_enable(off, false);
  r.run_for(300 * us);
  for (const auto& rec : r.cache.issued) EXPECT_LE(rec.time, off);
  EXPECT_EQ(p.final_stats()["enabled_at_end"], false);
  // Back on: nothing until the next instruction, which it follows again.
  p.on_enable(r.now + ns, true);
  r.run_for(10 * us);
  const std::size_t after_on = r.cache.issued.size();
  r.insn(spmm(r.matrix.b, 48, 16));
  r.run_for(200 * us);
  EXPECT_GT(r.cache.issued.size(), after_on);
  std::set<std::uint64_t> late;
  for (std::size_t i = after_on; i < r.cache.issued.size(); ++i)
    if (r.cache.issued[i].line >= r.matrix.b) late.insert(r.cache.issued[i].line);
  for (std::uint64_t l : late) {
    EXPECT_TRUE(r.matrix.lines(48, 16).count(l)) << std::hex << l;
  }
}

namespace {

// Eight spmm over the same 16 rows, B's column tile moving by 16 bytes each time (nrt_spmm's
// loop over n), with time for the walk between them. Returns the prefetcher's statistics.
nlohmann::json column_tile_loop(nvr_prefetcher& p, rig& r) {
  r.attach(p, two_halves(16));
  r.insn(config_sparse(r.matrix));
  for (std::uint32_t i = 0; i < 8; ++i) {
    r.insn(spmm(r.matrix.b + 16 * i, 0, 16));
    r.run_for(100 * us);
  }
  return p.final_stats();
}

}  // namespace

TEST(Nvr, PredictsTheNextSpmmOfAColumnTileLoop) {
  rig r;
  nvr_prefetcher p(nvr_params());
  const auto stats = column_tile_loop(p, r);
  EXPECT_GT(stats["model"]["instructions"]["predicted"].get<int>(), 0);
  EXPECT_GT(p.predictions_correct(), 0u);
  EXPECT_EQ(stats["model"]["instructions"]["predictions_correct"], p.predictions_correct());
  EXPECT_EQ(p.predictions_wrong(), 0u);
  // The stride detector holds the two fields of spmm it tracks, and the values stream whose demand
  // loads the rig makes (always the same line: nothing to stream).
  EXPECT_NE(p.sd().find((std::uint64_t{npu::op_spmm} << 8) | 1), nullptr);
  EXPECT_NE(p.sd().find((std::uint64_t{npu::op_spmm} << 8) | 3), nullptr);
  EXPECT_EQ(p.sd().occupancy(), 3u);
  EXPECT_EQ(stats["model"]["tables"]["sd"]["occupied"], 3);
}

TEST(Nvr, PredictsAcrossTheWrapOfATwoLevelLoop) {
  // nrt_spmm's loops: row tiles r0 (outer, +16 rows here) and column tiles (inner, b += 16, four
  // of them). The loop bound detector tells where the inner loop wraps (b back to its start, the
  // first row moving on), so the predictions stay right across the wraps once it is confident.
  rig r;
  nvr_prefetcher p(nvr_params());
  r.attach(p, two_halves(128));
  r.insn(config_sparse(r.matrix));
  std::vector<std::uint64_t> wrong_after;
  for (std::uint32_t r0 = 0; r0 < 128; r0 += 16)
    for (std::uint32_t j = 0; j < 4; ++j) {
      r.insn(spmm(r.matrix.b + 16 * j, r0, 16));
      r.run_for(30 * us);
      wrong_after.push_back(p.predictions_wrong());
    }
  // Learning takes the first outer iterations; from the fourth on every prediction is right.
  EXPECT_EQ(wrong_after.back(), wrong_after[3 * 4]);
  EXPECT_GE(p.predictions_correct(), 5u * 4);  // 32 instructions: 25 right, 2 wrong while learning
}

TEST(Nvr, WithoutTheStrideDetectorNothingIsPredicted) {
  rig r;
  nvr_prefetcher p(nvr_params({{"sd", 0}}));
  const auto stats = column_tile_loop(p, r);
  EXPECT_EQ(stats["model"]["instructions"]["predicted"], 0);
  EXPECT_EQ(p.predictions_correct(), 0u);
  EXPECT_EQ(p.sd().occupancy(), 0u);
  // It still walks the instructions it sees, and nothing else.
  std::set<std::uint64_t> expected;
  for (std::uint64_t i = 0; i < 8; ++i)
    for (std::uint64_t l : r.matrix.lines(0, 16)) expected.insert((l + 16 * i) & ~63ull);
  EXPECT_EQ(r.b_lines(), expected);
}

TEST(Nvr, WithoutTheChainDetectorNoBLines) {
  rig r;
  nvr_prefetcher p(nvr_params({{"scd", 0}}));
  r.attach(p, two_halves(32));
  r.insn(config_sparse(r.matrix));
  r.insn(spmm(r.matrix.b, 0, 32));
  r.run_for(200 * us);
  EXPECT_TRUE(r.b_prefetches().empty());
  EXPECT_EQ(p.final_stats()["index_loads"]["issued"], 0);  // no chain to walk
  // The stride detector still streams a striding index load: after four col_idx lines in a row
  // it keeps index_degree (4) lines ahead of the NPU's.
  for (std::uint64_t i = 0; i < 6; ++i) {
    r.now += ns;
    r.access(r.matrix.col_idx + 64 * i, npu::stream_spmm_col_idx, 16);
  }
  r.run_for(10 * us);
  std::set<std::uint64_t> streamed;
  for (const auto& rec : r.cache.issued) streamed.insert(rec.line);
  for (std::uint64_t k = 6; k <= 9; ++k) EXPECT_TRUE(streamed.count(r.matrix.col_idx + 64 * k)) << k;
  EXPECT_FALSE(streamed.count(r.matrix.col_idx + 64 * 10));
  EXPECT_TRUE(r.b_prefetches().empty());
}

namespace {

// A gather of `count` table rows (16 int8 each, table = B's region: 1024 rows at 64 bytes)
// through an index array at 0x40000; indices 5 and 7 lie outside the table.
struct gather_case {
  static constexpr std::uint64_t index = 0x40000;
  std::vector<std::int32_t> indices;
  void store(rig& r, std::size_t count) {
    r.memory.add(index, 4 * count);
    for (std::size_t i = 0; i < count; ++i) {
      indices.push_back(i == 5 ? 5000 : i == 7 ? -3 : static_cast<std::int32_t>((i * 13) % 1024));
      r.memory.write32(index + 4 * i, indices.back());
    }
  }
  std::set<std::uint64_t> lines(const rig& r, std::size_t first, std::size_t end) const {
    std::set<std::uint64_t> s;
    for (std::size_t i = first; i < end; ++i)
      if (indices[i] >= 0 && indices[i] < 1024)
        s.insert(r.matrix.b + std::uint64_t(indices[i]) * r.matrix.stride);
    return s;
  }
  std::array<std::uint32_t, 8> insn(const rig& r, std::uint8_t op, std::uint32_t count) const {
    // gather / scatter: w1 index, w2 count, w3 table, w4 table rows, w5 row stride, w6 laddr, w7 cols.
    return {op,    static_cast<std::uint32_t>(index),
            count, static_cast<std::uint32_t>(r.matrix.b),
            1024,  r.matrix.stride,
            0,     16};
  }
};

}  // namespace

TEST(Nvr, GatherPrefetchesTheTableRowsOfValidIndices) {
  for (std::uint8_t op : {std::uint8_t{npu::op_gather}, std::uint8_t{npu::op_scatter}}) {
    rig r;
    nvr_prefetcher p(nvr_params());
    r.attach(p, own_lines(1));
    gather_case g;
    g.store(r, 40);
    r.insn(g.insn(r, op, 40));
    r.run_for(100 * us);
    // Every lookup's row (distance 2: 32 lookups ahead covers the vectors from 0, 16 and 32),
    // none for the indices outside [0, table rows).
    EXPECT_EQ(r.b_lines(), g.lines(r, 0, 40)) << int(op);
    EXPECT_EQ(p.final_stats()["model"]["vectors"]["masked_lanes"], 2 + (48 - 40)) << int(op);
  }
}

TEST(Nvr, GatherStaysWithinDistance) {
  rig r;
  nvr_prefetcher p(nvr_params({{"distance", 1}}));
  r.attach(p, own_lines(1));
  gather_case g;
  g.store(r, 64);
  r.insn(g.insn(r, npu::op_gather, 64));
  r.run_for(10 * us);
  // Vectors of 16 lookups from 0 and 16: one tile ahead of the NPU at lookup 0, no further.
  EXPECT_EQ(r.b_lines(), g.lines(r, 0, 32));
  // The NPU uses the rows of lookups 0..20: the vector from 32 may go.
  for (std::size_t i = 0; i <= 20; ++i) {
    if (i == 5 || i == 7) continue;
    r.now += 10 * ns;
    r.access(r.matrix.b + std::uint64_t(g.indices[i]) * r.matrix.stride, npu::stream_gather_table);
  }
  r.run_for(10 * us);
  EXPECT_EQ(r.b_lines(), g.lines(r, 0, 48));
}

TEST(Nvr, BadParametersAreRejected) {
  const mem::prefetcher_params bad[] = {{{"bogus", 1}},      {{"vector_size", 0}}, {{"vector_size", 129}},
                                        {{"distance", 0}},   {{"distance", 65}},   {{"sd", 2}},
                                        {{"scd", -1}},       {{"lbd", 3}},         {{"scd_entries", 1}},
                                        {{"sd_entries", 0}}, {{"fill_depth", 5}},  {{"cycle_ps", 0}},
                                        {{"predict", 65}}};
  for (const auto& params : bad) {
    EXPECT_THROW(parse_nvr_config(params), std::invalid_argument) << params.begin()->first;
    EXPECT_THROW(mem::prefetcher_factory::instance().make("nvr", params), std::invalid_argument);
  }
  const nvr_config c = parse_nvr_config({{"vector_size", 4}, {"distance", 3}, {"sd", 0}, {"lbd", 0}});
  EXPECT_EQ(c.vector_size, 4u);
  EXPECT_EQ(c.distance, 3u);
  EXPECT_FALSE(c.sd);
  EXPECT_FALSE(c.lbd);
  EXPECT_TRUE(c.scd);
  EXPECT_NE(mem::prefetcher_factory::instance().make("nvr", {{"distance", 4}}), nullptr);
}

// ---- DVR ----

namespace {

// Every row four nonzeros, row r at columns 4r .. 4r + 3.
csr_matrix four_a_row(std::size_t rows) {
  return make_matrix(
      rows, [](std::size_t r, std::size_t j) { return static_cast<std::int32_t>((4 * r + j) % 1024); },
      [](std::size_t) -> std::size_t { return 4; });
}

}  // namespace

TEST(Dvr, RunsPastTheRowBoundAfterDiscoveryWithinItsBudget) {
  rig r;
  dvr_prefetcher p(parse_dvr_config({{"budget", 40}}));
  r.attach(p, four_a_row(64));  // col_idx position j holds column j
  r.insn(config_sparse(r.matrix));
  r.insn(spmm(r.matrix.b, 0, 4));  // rows 0..3: col_idx entries 0..15
  // The NPU loads its indices and the first 15 B rows: still discovering.
  r.access(r.matrix.col_idx, npu::stream_spmm_col_idx, 16);
  for (std::int32_t j = 0; j < 15; ++j) {
    r.now += 10 * ns;
    r.access(r.matrix.b + std::uint64_t(j) * r.matrix.stride, npu::stream_spmm_b);
  }
  r.later(20 * us);
  EXPECT_TRUE(r.cache.issued.empty());
  EXPECT_EQ(p.episodes(), 0u);
  // The 16th dependent load ends discovery: one episode from index position 16 on.
  r.now += 10 * ns;
  r.access(r.matrix.b + 15 * r.matrix.stride, npu::stream_spmm_b);
  r.later(50 * us);
  EXPECT_EQ(p.episodes(), 1u);
  // No CSR bounds: its lanes run past row 3's end (position 16) into rows the spmm never reads.
  // The budget: index lines + lanes <= 40, so 37 lanes (positions 16..52 span three index lines).
  std::set<std::uint64_t> expected;
  for (std::uint64_t j = 16; j <= 52; ++j) expected.insert(r.matrix.b + j * r.matrix.stride);
  EXPECT_EQ(r.b_lines(), expected);
  EXPECT_EQ(r.cache.issued.size(), 40u);
  auto stats = p.final_stats();
  EXPECT_EQ(stats["model"]["budget_stops"], 1);
  EXPECT_EQ(stats["model"]["lanes"], 37);
  // The next demand access starts the next episode where this one stopped (it completes once its
  // index lines are there, at a later event).
  r.later(50 * us);
  EXPECT_EQ(p.episodes(), 1u);
  r.later(50 * us);
  EXPECT_EQ(p.episodes(), 2u);
  for (std::uint64_t j = 53; j <= 89; ++j) expected.insert(r.matrix.b + j * r.matrix.stride);
  EXPECT_EQ(r.b_lines(), expected);
}

TEST(Dvr, DefaultEpisodeIsOneHundredTwentyEightLanes) {
  rig r;
  dvr_prefetcher p(parse_dvr_config({}));
  r.attach(p, four_a_row(256));
  r.insn(config_sparse(r.matrix));
  r.insn(spmm(r.matrix.b, 0, 8));
  r.access(r.matrix.col_idx, npu::stream_spmm_col_idx, 16);
  for (std::int32_t j = 0; j < 16; ++j) {
    r.now += 10 * ns;
    r.access(r.matrix.b + std::uint64_t(j) * r.matrix.stride, npu::stream_spmm_b);
  }
  r.later(50 * us);
  EXPECT_EQ(p.episodes(), 1u);
  const std::set<std::uint64_t> b = r.b_lines();
  EXPECT_EQ(b.size(), 128u);  // positions 16..143: rows 4..35, far past the spmm's 8 rows
  EXPECT_EQ(*b.begin(), r.matrix.b + 16 * r.matrix.stride);
  EXPECT_EQ(*b.rbegin(), r.matrix.b + 143 * r.matrix.stride);
  EXPECT_EQ(r.cache.issued.size(), 128u + 8u);  // within the 200-operation budget
  EXPECT_EQ(p.final_stats()["model"]["budget_stops"], 0);
}

TEST(Dvr, EpisodesStopAtTheLoopBound) {
  rig r;
  dvr_prefetcher p(parse_dvr_config({}));
  r.attach(p, four_a_row(64));
  r.insn(config_sparse(r.matrix));
  // A first loop of 100 indices (rows 0..24): the EWMA loop bound learns 100.
  r.insn(spmm(r.matrix.b, 0, 25));
  r.access(r.matrix.col_idx, npu::stream_spmm_col_idx, 100);
  r.insn(spmm(r.matrix.b, 25, 25));  // the next loop, from index 100
  EXPECT_EQ(p.final_stats()["model"]["loop_bound_ewma"], 100);
  r.access(r.matrix.col_idx + 400, npu::stream_spmm_col_idx, 100);
  for (std::int32_t j = 100; j < 116; ++j) {
    r.now += 10 * ns;
    r.access(r.matrix.b + std::uint64_t(j) * r.matrix.stride, npu::stream_spmm_b);
  }
  r.later(50 * us);
  r.later(50 * us);
  // The loop starts at the line of its first index load (position 96); after the 16 of discovery
  // the episode takes the 84 lanes left of the 100 (positions 112..195), not 128; the lines of
  // 112..115 are there already (the NPU's own loads).
  EXPECT_EQ(p.episodes(), 1u);
  EXPECT_EQ(p.final_stats()["model"]["lanes"], 84);
  std::set<std::uint64_t> expected;
  for (std::uint64_t j = 116; j < 196; ++j) expected.insert(r.matrix.b + j * r.matrix.stride);
  EXPECT_EQ(r.b_lines(), expected);
}

TEST(Dvr, DisabledIssuesNothing) {
  rig r;
  dvr_prefetcher p(parse_dvr_config({{"discovery", 0}}));
  r.attach(p, four_a_row(64));
  p.on_enable(0, false);
  r.insn(config_sparse(r.matrix));
  r.insn(spmm(r.matrix.b, 0, 16));
  r.access(r.matrix.col_idx, npu::stream_spmm_col_idx, 16);
  r.run_for(50 * us);
  EXPECT_TRUE(r.cache.issued.empty());
  EXPECT_EQ(p.episodes(), 0u);
}

TEST(Dvr, BadParametersAreRejected) {
  const mem::prefetcher_params bad[] = {{{"bogus", 1}},   {{"lanes", 0}},      {{"lanes", 1025}},
                                        {{"budget", 0}},  {{"discovery", -1}}, {{"fill_depth", 5}},
                                        {{"cycle_ps", 0}}};
  for (const auto& params : bad) {
    EXPECT_THROW(parse_dvr_config(params), std::invalid_argument) << params.begin()->first;
    EXPECT_THROW(mem::prefetcher_factory::instance().make("dvr", params), std::invalid_argument);
  }
  const dvr_config c = parse_dvr_config({{"lanes", 64}, {"budget", 100}});
  EXPECT_EQ(c.lanes, 64u);
  EXPECT_EQ(c.budget, 100u);
  EXPECT_EQ(c.discovery, 16u);
}
