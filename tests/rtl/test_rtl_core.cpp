// The NVR core (rtl/nvr/nvr_core.sv) behind its pin-level adapter (rtl/adapter/rtl_nvr.h) in
// lock-step with the TLM nvr_prefetcher (ip/nvr/nvr.cpp): both get the same seeded random streams
// of NPU instructions (config.sparse, spmm tiles, gather / scatter loops, other opcodes, jumps),
// demand accesses as the NPU makes them (row_ptr, col_idx, B, values; indices and table rows) and
// CTRL.nvr_enable toggles, each with its own copy of a fake cache (prefetch MSHRs, fill latency)
// and the same memory. Compared: every prefetch the two issue into their cache (simulated time,
// line, depth, stream) in order, and the final statistics (the RTL's own cycle counts aside).
// The simulated times are the engine's reservations, the same code for both; the core's clock only
// counts its own work (rtl/README.md).
#include <gtest/gtest.h>

#include <algorithm>
#include <deque>
#include <map>
#include <random>
#include <set>
#include <stdexcept>
#include <vector>

#include "ip/npu/machine.h"
#include "ip/nvr/runahead.h"
#include "rtl/adapter/rtl_nvr.h"
#include "tests/rtl/fake_cache.h"

using namespace nvr;
using mem::time_ps;

namespace {

using test::fake_cache;
using test::ns;

// int32 words at given addresses; nothing else is readable.
class fake_memory final : public mem::value_source {
 public:
  void add(std::uint64_t base, std::size_t words) {
    for (std::size_t i = 0; i < words; ++i) m_words.emplace(base + 4 * i, 0);
  }
  void write(std::uint64_t address, std::int32_t v) { m_words[address] = v; }
  bool read(std::uint64_t address, std::uint32_t bytes, std::int64_t& value) const override {
    const auto it = m_words.find(address & ~std::uint64_t{3});
    if (it == m_words.end()) return false;
    value = bytes == 4 ? std::int64_t{it->second} : std::int64_t{static_cast<std::uint8_t>(it->second)};
    return true;
  }

 private:
  std::map<std::uint64_t, std::int32_t> m_words;
};

// One stimulus: an instruction, a demand access, an enable change or an eviction.
struct event {
  enum { instruction, access, enable, evict } type;
  time_ps time;
  std::array<std::uint32_t, 8> words{};
  std::uint64_t address = 0, stream = 0;
  bool on = true;
};

constexpr std::uint64_t row_ptr = 0x10000, col_idx = 0x20000, values = 0x30000, b_base = 0x100000;
constexpr std::uint64_t index_array = 0x50000, table = 0x400000;

// A workload: a CSR matrix and an index array in memory, and the NPU's instruction and access
// stream over them.
struct workload {
  fake_memory memory;
  std::vector<event> events;
};

workload make_workload(unsigned seed, std::uint32_t b_stride, std::uint32_t row_bytes) {
  std::mt19937_64 rng(seed);
  auto rnd = [&](std::uint64_t n) { return static_cast<std::uint64_t>(rng() % n); };
  workload w;
  const std::uint32_t rows = 512, b_rows = 8192;
  std::vector<std::vector<std::int32_t>> cols(rows);
  std::vector<std::int32_t> ptr{0};
  for (auto& row : cols) {
    const std::size_t n = rnd(5) == 0 ? 0 : rnd(28);
    for (std::size_t j = 0; j < n; ++j)
      row.push_back(rnd(50) == 0 ? static_cast<std::int32_t>(b_rows + rnd(100)) - (rnd(2) ? 20000 : 0)
                                 : static_cast<std::int32_t>(rnd(b_rows)));
    std::sort(row.begin(), row.end());
    ptr.push_back(ptr.back() + static_cast<std::int32_t>(row.size()));
  }
  w.memory.add(row_ptr, rows + 1);
  w.memory.add(col_idx, static_cast<std::size_t>(ptr.back()) + 1);
  for (std::size_t r = 0; r <= rows; ++r) w.memory.write(row_ptr + 4 * r, ptr[r]);
  std::size_t j = 0;
  for (const auto& row : cols)
    for (std::int32_t c : row) w.memory.write(col_idx + 4 * j++, c);
  const std::size_t indices = 8192;
  w.memory.add(index_array, indices);
  std::vector<std::int32_t> idx(indices);
  for (std::size_t i = 0; i < indices; ++i) {
    idx[i] = static_cast<std::int32_t>(rnd(40) == 0 ? 9000 + rnd(10) : rnd(8192));
    w.memory.write(index_array + 4 * i, idx[i]);
  }
  // The B and table lines exist (the engine drops lines with no memory behind them).
  for (std::uint64_t l = 0; l < std::uint64_t{b_rows} * b_stride / 4 + 64; l += 16)
    w.memory.add(b_base + 4 * l, 1);
  for (std::uint64_t l = 0; l < 8192 * 64 / 4; l += 16) w.memory.add(table + 4 * l, 1);

  time_ps now = 0;
  auto insn = [&](std::array<std::uint32_t, 8> words) {
    now += (1 + rnd(20)) * ns;
    event e{event::instruction, now};
    e.words = words;
    w.events.push_back(e);
  };
  auto access = [&](std::uint64_t address, std::uint64_t stream) {
    now += (1 + rnd(4)) * ns;
    event e{event::access, now};
    e.address = address;
    e.stream = stream;
    w.events.push_back(e);
  };
  auto maybe_noise = [&] {
    const std::uint64_t r = rnd(400);
    if (r == 0) {
      event e{event::enable, now + rnd(2000) * ns};
      e.on = rnd(3) != 0;
      w.events.push_back(e);
    } else if (r < 3) {
      insn({static_cast<std::uint32_t>(rnd(5)), static_cast<std::uint32_t>(rng()), 0, 0, 0, 0, 0, 0});
    } else if (r < 6) {
      event e{event::evict, now};
      e.address = b_base + 64 * rnd(b_rows);
      w.events.push_back(e);
    }
  };
  // The NPU's accesses of an spmm over rows [first, first + count) of B column tile `b`.
  auto spmm_accesses = [&](std::uint64_t b, std::uint32_t first, std::uint32_t count) {
    for (std::uint32_t r = first; r < std::min(first + count, rows); ++r) {
      access(row_ptr + 4 * r, npu::stream_spmm_row_ptr);
      for (std::int32_t k = ptr[r]; k < ptr[r + 1]; ++k) {
        if (k == ptr[r] || (col_idx + 4 * k) % 64 == 0) access(col_idx + 4 * k, npu::stream_spmm_col_idx);
        const std::int32_t c = cols[r][static_cast<std::size_t>(k - ptr[r])];
        if (c >= 0 && static_cast<std::uint32_t>(c) < b_rows)
          access(b + std::uint64_t(c) * b_stride, npu::stream_spmm_b);
        if (k % 64 == 0) access(values + k, npu::stream_spmm_values);
        maybe_noise();
      }
    }
  };
  for (unsigned phase = 0; phase < 6; ++phase) {
    if (phase % 3 != 2) {
      insn({npu::op_config_sparse, static_cast<std::uint32_t>(row_ptr), static_cast<std::uint32_t>(col_idx),
            static_cast<std::uint32_t>(values), b_rows, 0, 0, 0});
      const unsigned col_tiles = 1 + static_cast<unsigned>(rnd(3));
      for (unsigned ct = 0; ct < col_tiles; ++ct)
        for (std::uint32_t rt = 0; rt < rows; rt += 16) {
          if (rnd(60) == 0) rt += 16 * static_cast<std::uint32_t>(rnd(4));  // a jump
          if (rt >= rows) break;
          const std::uint64_t b = b_base + ct * row_bytes;
          insn({npu::op_spmm, static_cast<std::uint32_t>(b), b_stride, rt, 16, 0x80000000u | (rt & 0xff),
                row_bytes, 0});
          spmm_accesses(b, rt, 16);
        }
    } else {
      // gather (or scatter) loops over the index array, count lookups each
      const bool gather = rnd(2) == 0;
      const std::uint32_t count = 16 * (1 + static_cast<std::uint32_t>(rnd(4)));
      const std::uint32_t bytes = 16, acc = rnd(2) ? 0x80000000u : 0;
      for (std::uint32_t i = 0; i + count <= indices && i < 4096; i += count) {
        const std::uint8_t op = gather ? npu::op_gather : npu::op_scatter;
        insn({op, static_cast<std::uint32_t>(index_array + 4 * i), count, static_cast<std::uint32_t>(table),
              8192, 64, acc | (i & 0xfff), acc ? bytes / 4 : bytes});
        for (std::uint32_t k = 0; k < count; ++k) {
          if ((index_array + 4 * (i + k)) % 64 == 0 || k == 0)
            access(index_array + 4 * (i + k), gather ? npu::stream_gather_index : npu::stream_scatter_index);
          if (idx[i + k] < 8192) access(table + 64 * std::uint64_t(idx[i + k]), gather ? 0x502 : 0x602);
          maybe_noise();
        }
      }
    }
  }
  std::stable_sort(w.events.begin(), w.events.end(), [](const event& a, const event& b) {
    // enable changes are told ahead (the NPU reports them when firmware writes CTRL)
    return (a.type == event::enable ? 0 : a.time) < (b.type == event::enable ? 0 : b.time);
  });
  return w;
}

// Replays a workload into a prefetcher with its own cache.
void replay(const workload& w, mem::prefetcher& p, fake_cache& cache) {
  p.attach(&cache, &w.memory);
  std::uint32_t sequence = 0;
  for (const event& e : w.events) {
    switch (e.type) {
      case event::instruction:
        p.on_instruction(mem::instruction_event{e.time, sequence++, e.words});
        break;
      case event::enable:
        p.on_enable(e.time, e.on);
        break;
      case event::evict: {
        mem::fill_event f;
        f.time = e.time;
        f.evicted = cache.line_ready(e.address) != 0;
        f.evicted_line_address = e.address;
        cache.evict(e.address);
        p.on_fill(f);
        break;
      }
      case event::access: {
        mem::access_event a;
        a.time = e.time;
        a.address = e.address;
        a.line_address = e.address & ~std::uint64_t{63};
        a.size = 4;
        a.instruction_id = e.stream;
        a.hit = cache.line_ready(a.line_address) != 0;
        p.on_access(a);
        if (!a.hit) cache.demand_fill(a.line_address, e.time + 100 * ns);
        break;
      }
    }
  }
}

struct outcome {
  std::vector<fake_cache::record> issued;
  nlohmann::json stats;
};

void expect_lockstep(const workload& w, const runahead::nvr_config& config, std::size_t min_prefetches) {
  fake_cache tlm_cache, rtl_cache;
  runahead::nvr_prefetcher tlm(config);
  rtl::rtl_nvr_prefetcher core(config);
  replay(w, tlm, tlm_cache);
  replay(w, core, rtl_cache);
  ASSERT_GE(tlm_cache.issued.size(), min_prefetches) << "the stream should make the unit prefetch";
  const std::size_t n = std::min(tlm_cache.issued.size(), rtl_cache.issued.size());
  for (std::size_t i = 0; i < n; ++i) {
    const auto &a = tlm_cache.issued[i], &b = rtl_cache.issued[i];
    if (!(a == b)) {
      for (std::size_t k = i >= 6 ? i - 6 : 0; k < std::min(n, i + 6); ++k)
        ADD_FAILURE() << k << ": TLM t=" << tlm_cache.issued[k].time << " 0x" << std::hex
                      << tlm_cache.issued[k].line << "/" << tlm_cache.issued[k].stream << std::dec
                      << "  RTL t=" << rtl_cache.issued[k].time << " 0x" << std::hex
                      << rtl_cache.issued[k].line << "/" << rtl_cache.issued[k].stream;
      nlohmann::json rs = core.final_stats();
      rs["model"].erase("rtl");
      EXPECT_EQ(tlm.final_stats().dump(1), rs.dump(1));
    }
    ASSERT_TRUE(a == b) << "prefetch " << i << ": TLM t=" << a.time << " line=0x" << std::hex << a.line
                        << " id=0x" << a.stream << ", RTL t=" << std::dec << b.time << " line=0x" << std::hex
                        << b.line << " id=0x" << b.stream;
  }
  ASSERT_EQ(tlm_cache.issued.size(), rtl_cache.issued.size());
  nlohmann::json rs = core.final_stats();
  ASSERT_TRUE(rs["model"].contains("rtl"));
  EXPECT_GT(rs["model"]["rtl"]["cycles"].get<std::uint64_t>(), 0u);
  EXPECT_EQ(rs["model"]["rtl"]["vmig_bytes_errors"].get<std::uint64_t>(), 0u);
  rs["model"].erase("rtl");
  EXPECT_EQ(tlm.final_stats().dump(1), rs.dump(1));
}

runahead::nvr_config defaults() { return runahead::nvr_config{}; }

TEST(RtlCore, LockstepDefaultsSeed1) { expect_lockstep(make_workload(1, 64, 16), defaults(), 3000); }
TEST(RtlCore, LockstepDefaultsSeed2) { expect_lockstep(make_workload(2, 16, 16), defaults(), 3000); }
TEST(RtlCore, LockstepWideRows) { expect_lockstep(make_workload(3, 128, 64), defaults(), 3000); }

TEST(RtlCore, LockstepParameters) {
  runahead::nvr_config c;
  c.vector_size = 5;
  c.distance = 1;
  c.predict = 7;
  c.index_degree = 2;
  expect_lockstep(make_workload(4, 64, 16), c, 3000);
  c = defaults();
  c.distance = 8;
  c.predict = 0;
  c.index_degree = 0;
  expect_lockstep(make_workload(5, 32, 32), c, 300);
}

TEST(RtlCore, LockstepAblations) {
  for (int which = 0; which < 3; ++which) {
    runahead::nvr_config c;
    c.sd = which != 0;
    c.lbd = which != 1;
    c.scd = which != 2;
    expect_lockstep(make_workload(10 + which, 64, 16), c, 500);
  }
}

TEST(RtlCore, RefusesWhatTheCoreCannotHold) {
  runahead::nvr_config c;
  c.vector_size = 17;
  EXPECT_THROW(rtl::rtl_nvr_prefetcher{c}, std::invalid_argument);
  c = defaults();
  c.predict = 8;
  EXPECT_THROW(rtl::rtl_nvr_prefetcher{c}, std::invalid_argument);
  c = defaults();
  c.sd_entries = 8;
  EXPECT_THROW(rtl::rtl_nvr_prefetcher{c}, std::invalid_argument);
  EXPECT_THROW(rtl::rtl_nvr_prefetcher(defaults(), "/nonexistent/dir/core.vcd"), std::invalid_argument);
}

}  // namespace
