#include "ip/npu/machine.h"

#include <algorithm>
#include <cstring>
#include <limits>

namespace nvr::npu {

const char* to_string(error e) {
  switch (e) {
    case error::none:
      return "none";
    case error::illegal_opcode:
      return "illegal_opcode";
    case error::illegal_field:
      return "illegal_field";
    case error::local_range:
      return "local_range";
    case error::dram_range:
      return "dram_range";
    case error::misaligned:
      return "misaligned";
    case error::index_bounds:
      return "index_bounds";
    case error::ring_overflow:
      return "ring_overflow";
    case error::bus_error:
      return "bus_error";
  }
  return "unknown";
}

const char* to_string(unit u) {
  switch (u) {
    case unit::load:
      return "load";
    case unit::execute:
      return "execute";
    case unit::store:
      return "store";
    case unit::sparse:
      return "sparse";
    case unit::none:
      return "none";
  }
  return "unknown";
}

unit unit_of(std::uint8_t opcode) {
  switch (opcode) {
    case op_mvin:
      return unit::load;
    case op_matmul:
    case op_vector:
      return unit::execute;
    case op_config_store:
    case op_mvout:
      return unit::store;
    case op_gather:
    case op_scatter:
    case op_config_sparse:
    case op_spmm:
      return unit::sparse;
    default:
      return unit::none;
  }
}

std::int64_t round_shift(std::int64_t x, unsigned s) {
  if (s == 0) return x;
  return (x + (std::int64_t{1} << (s - 1))) >> s;
}

std::int64_t round_div(std::int64_t n, std::int64_t d) {
  if (n >= 0) return (n + d / 2) / d;
  return -((-n + d / 2) / d);
}

std::int64_t isqrt(std::int64_t v) {
  if (v <= 0) return 0;
  unsigned bits = 0;
  for (std::uint64_t t = static_cast<std::uint64_t>(v); t != 0; t >>= 1) ++bits;
  std::int64_t s = std::int64_t{1} << ((bits + 1) / 2);
  while (true) {
    const std::int64_t next = (s + v / s) / 2;
    if (next >= s) break;
    s = next;
  }
  return s;
}

std::int64_t iexp(std::int64_t x, unsigned f) {
  x = std::min<std::int64_t>(x, 0);
  const std::int64_t y = x + (x >> 1) - (x >> 4);
  const std::int64_t q = (-y) >> f;
  const std::int64_t r = -y - (q << f);
  if (q > 30) return 0;
  return ((std::int64_t{1} << f) - (r >> 1)) >> q;
}

std::int64_t isilu(std::int64_t x, unsigned f) {
  const std::int64_t e = iexp(-(x < 0 ? -x : x), f);
  const std::int64_t one = std::int64_t{1} << f;
  const std::int64_t sig = x >= 0 ? ((std::int64_t{1} << (2 * f)) / (one + e)) : ((e << f) / (one + e));
  return round_shift(x * sig, f);
}

namespace {

struct local {
  bool acc;
  bool accumulate;
  std::uint32_t row;
  std::uint32_t raw;
};

local decode(std::uint32_t raw) { return {(raw >> 31) != 0, ((raw >> 30) & 1) != 0, raw & 0x3fffffffu, raw}; }

std::uint32_t rows_of(bool acc) { return acc ? acc_rows : spad_rows; }

fault illegal(std::uint32_t value) { return {error::illegal_field, value}; }

// `count` rows from `l` inside their memory.
fault check_local(const local& l, std::uint64_t count) {
  const std::uint32_t n = rows_of(l.acc);
  if (l.row >= n || count > n - l.row) return {error::local_range, l.raw};
  return {};
}

// Accumulate bit only on an accumulator destination.
fault check_dest(const local& l) {
  if (l.accumulate && !l.acc) return illegal(l.raw);
  return {};
}
fault check_source(const local& l) {
  if (l.accumulate) return illegal(l.raw);
  return {};
}

std::int64_t saturate(std::int64_t v, bool acc) {
  const std::int64_t lo = acc ? std::numeric_limits<std::int32_t>::min() : -128;
  const std::int64_t hi = acc ? std::numeric_limits<std::int32_t>::max() : 127;
  return std::clamp(v, lo, hi);
}

std::int32_t wrap32(std::int64_t v) { return static_cast<std::int32_t>(static_cast<std::uint32_t>(v)); }

std::int32_t load_le32(const std::uint8_t* p) {
  std::uint32_t v = 0;
  std::memcpy(&v, p, 4);  // the host is little-endian (x86-64, aarch64)
  return static_cast<std::int32_t>(v);
}
void store_le32(std::uint8_t* p, std::int32_t v) { std::memcpy(p, &v, 4); }

std::uint32_t ceil16(std::uint32_t n) { return (n + lanes - 1) / lanes; }

// Appends one DMA op per 64-byte line touched by [address, address + size).
void add_lines(work& w, std::uint64_t address, std::uint64_t size, bool write, std::uint64_t stream,
               std::uint32_t not_before = 0, std::int32_t after = -1) {
  const std::uint64_t first = address & ~std::uint64_t{line_bytes - 1};
  const std::uint64_t last = (address + size - 1) & ~std::uint64_t{line_bytes - 1};
  for (std::uint64_t line = first; line <= last; line += line_bytes) {
    dma_op op;
    op.line = line;
    op.write = write;
    op.after = after;
    op.not_before = not_before;
    op.stream = stream;
    w.dma.push_back(op);
  }
}

}  // namespace

machine::machine(const machine_config& config) : m_config(config) { reset(); }

void machine::reset() {
  m_spad.assign(std::size_t{spad_rows} * lanes, 0);
  m_acc.assign(std::size_t{acc_rows} * lanes, 0);
  m_store = store_config{};
  m_sparse = sparse_config{};
  m_preload_valid = false;
  m_preload_skipped = false;
}

bool machine::in_dram(std::uint64_t address, std::uint64_t size) const {
  return address >= m_config.dram_base && address - m_config.dram_base <= m_config.dram_size &&
         size <= m_config.dram_size - (address - m_config.dram_base);
}

std::int64_t machine::read_lane(bool acc, std::uint32_t row, unsigned lane) const {
  const std::size_t i = std::size_t{row} * lanes + lane;
  return acc ? m_acc[i] : m_spad[i];
}

void machine::write_lane(bool acc, std::uint32_t row, unsigned lane, std::int64_t value, bool accumulate) {
  std::int64_t v = saturate(value, acc);
  if (accumulate) v = saturate(v + read_lane(acc, row, lane), acc);
  const std::size_t i = std::size_t{row} * lanes + lane;
  if (acc)
    m_acc[i] = static_cast<std::int32_t>(v);
  else
    m_spad[i] = static_cast<std::int8_t>(v);
}

void machine::mark_written(bool acc, std::uint32_t first, std::uint32_t count) {
  if (acc || !m_preload_valid) return;
  if (first < m_preload_row + lanes && m_preload_row < first + count) m_preload_valid = false;
}

fault machine::execute(const instruction& in, memory_port& dram, work& w) {
  w.clear();
  const std::uint8_t op = in.opcode();
  if (op >= op_count) return {error::illegal_opcode, op};
  w.target = unit_of(op);
  if ((in.w[0] >> 24) != 0) return illegal(in.w[0]);
  if (op != op_vector && in.funct() != 0) return illegal(in.funct());
  switch (op) {
    case op_nop:
    case op_fence:
    case op_irq: {
      if (in.flags() != 0) return illegal(in.flags());
      for (unsigned i = op == op_irq ? 2 : 1; i < 8; ++i)
        if (in.w[i] != 0) return illegal(in.w[i]);
      w.cycles = 1;
      w.barrier = op != op_nop;
      w.irq = op == op_irq;
      w.irq_tag = in.w[1];
      return {};
    }
    case op_config_store:
      return exec_config_store(in, w);
    case op_mvin:
      return exec_mvin(in, dram, w);
    case op_mvout:
      return exec_mvout(in, dram, w);
    case op_matmul:
      return exec_matmul(in, w);
    case op_gather:
    case op_scatter:
      return exec_gather_scatter(in, dram, w);
    case op_config_sparse:
      return exec_config_sparse(in, w);
    case op_spmm:
      return exec_spmm(in, dram, w);
    case op_vector:
      return exec_vector(in, w);
    default:
      return {error::illegal_opcode, op};
  }
}

fault machine::exec_config_store(const instruction& in, work& w) {
  if (in.flags() != 0) return illegal(in.flags());
  if (in.w[6] != 0) return illegal(in.w[6]);
  if (in.w[7] != 0) return illegal(in.w[7]);
  if (in.w[2] > 62) return illegal(in.w[2]);
  const std::int32_t lo = static_cast<std::int32_t>(in.w[4]), hi = static_cast<std::int32_t>(in.w[5]);
  if (lo < -128 || lo > 127) return illegal(in.w[4]);
  if (hi < lo || hi > 127) return illegal(in.w[5]);
  m_store.multiplier = static_cast<std::int32_t>(in.w[1]);
  m_store.shift = in.w[2];
  m_store.zero_point = static_cast<std::int32_t>(in.w[3]);
  m_store.clip_min = lo;
  m_store.clip_max = hi;
  w.cycles = 1;
  return {};
}

// Checks the DRAM side of a strided row transfer: alignment of every row, then range.
static fault check_rows(const machine& m, std::uint64_t dram, std::uint32_t rows, std::uint32_t stride,
                        std::uint32_t bytes, unsigned element) {
  for (std::uint32_t r = 0; r < rows; ++r) {
    const std::uint64_t a = dram + std::uint64_t{r} * stride;
    if (a % element != 0) return {error::misaligned, static_cast<std::uint32_t>(a)};
  }
  for (std::uint32_t r = 0; r < rows; ++r) {
    const std::uint64_t a = dram + std::uint64_t{r} * stride;
    if (!m.in_dram(a, bytes)) return {error::dram_range, static_cast<std::uint32_t>(a)};
  }
  return {};
}

fault machine::exec_mvin(const instruction& in, memory_port& dram, work& w) {
  const std::uint8_t flags = in.flags();
  if ((flags & ~1u) != 0) return illegal(flags);
  if (in.w[6] != 0) return illegal(in.w[6]);
  if (in.w[7] != 0) return illegal(in.w[7]);
  const local dst = decode(in.w[2]);
  const std::uint32_t rows = in.w[3], cols = in.w[4], stride = in.w[5];
  const bool i8 = (flags & 1) != 0;
  if (i8 && !dst.acc) return illegal(flags);
  if (fault f = check_dest(dst)) return f;
  if (rows == 0) return illegal(rows);
  if (cols == 0 || cols > lanes) return illegal(cols);
  if (fault f = check_local(dst, rows)) return f;
  const unsigned element = dst.acc && !i8 ? 4 : 1;
  const std::uint32_t bytes = cols * element;
  if (fault f = check_rows(*this, in.w[1], rows, stride, bytes, element)) return f;

  m_scratch.resize(bytes);
  for (std::uint32_t r = 0; r < rows; ++r) {
    const std::uint64_t a = in.w[1] + std::uint64_t{r} * stride;
    if (!dram.read(a, m_scratch.data(), bytes)) return {error::bus_error, static_cast<std::uint32_t>(a)};
    const std::uint32_t row = dst.row + r;
    for (unsigned n = 0; n < cols; ++n) {
      const std::size_t i = std::size_t{row} * lanes + n;
      if (!dst.acc) {
        m_spad[i] = static_cast<std::int8_t>(m_scratch[n]);
      } else {
        const std::int32_t v = i8 ? static_cast<std::int8_t>(m_scratch[n]) : load_le32(&m_scratch[4 * n]);
        m_acc[i] = dst.accumulate ? wrap32(std::int64_t{m_acc[i]} + v) : v;
      }
    }
    add_lines(w, a, bytes, false, stream_mvin);
    w.dma.back().compute = 1;  // the local write of this row
  }
  mark_written(dst.acc, dst.row, rows);
  w.rows.push_back({dst.acc, dst.row, rows, true});
  if (dst.accumulate) w.rows.push_back({dst.acc, dst.row, rows, false});
  return {};
}

fault machine::exec_mvout(const instruction& in, memory_port& dram, work& w) {
  const std::uint8_t flags = in.flags();
  if ((flags & ~1u) != 0) return illegal(flags);
  if (in.w[6] != 0) return illegal(in.w[6]);
  if (in.w[7] != 0) return illegal(in.w[7]);
  const local src = decode(in.w[2]);
  const std::uint32_t rows = in.w[3], cols = in.w[4], stride = in.w[5];
  const bool raw = (flags & 1) != 0;
  if (raw && !src.acc) return illegal(flags);
  if (fault f = check_source(src)) return f;
  if (rows == 0) return illegal(rows);
  if (cols == 0 || cols > lanes) return illegal(cols);
  if (fault f = check_local(src, rows)) return f;
  const unsigned element = src.acc && raw ? 4 : 1;
  const std::uint32_t bytes = cols * element;
  if (fault f = check_rows(*this, in.w[1], rows, stride, bytes, element)) return f;

  m_scratch.resize(bytes);
  for (std::uint32_t r = 0; r < rows; ++r) {
    const std::uint32_t row = src.row + r;
    for (unsigned n = 0; n < cols; ++n) {
      const std::size_t i = std::size_t{row} * lanes + n;
      if (!src.acc) {
        m_scratch[n] = static_cast<std::uint8_t>(m_spad[i]);
      } else if (raw) {
        store_le32(&m_scratch[4 * n], m_acc[i]);
      } else {
        const std::int64_t x = std::int64_t{m_acc[i]} * m_store.multiplier;
        const std::int64_t q = std::clamp(round_shift(x, m_store.shift) + m_store.zero_point,
                                          m_store.clip_min, m_store.clip_max);
        m_scratch[n] = static_cast<std::uint8_t>(static_cast<std::int8_t>(q));
      }
    }
    const std::uint64_t a = in.w[1] + std::uint64_t{r} * stride;
    if (!dram.write(a, m_scratch.data(), bytes)) return {error::bus_error, static_cast<std::uint32_t>(a)};
    add_lines(w, a, bytes, true, stream_mvout, r + 1);  // after the row is read and requantised
  }
  w.rows.push_back({src.acc, src.row, rows, false});
  w.cycles = rows;
  return {};
}

fault machine::exec_matmul(const instruction& in, work& w) {
  const std::uint8_t flags = in.flags();
  if ((flags & ~1u) != 0) return illegal(flags);
  for (unsigned i = 5; i < 8; ++i)
    if (in.w[i] != 0) return illegal(in.w[i]);
  const local a = decode(in.w[1]), b = decode(in.w[2]), c = decode(in.w[3]);
  const std::uint32_t rows = in.w[4];
  if (a.acc || a.accumulate) return illegal(a.raw);
  if (b.acc || b.accumulate) return illegal(b.raw);
  if (!c.acc) return illegal(c.raw);
  if (rows == 0) return illegal(rows);
  if (fault f = check_local(a, rows)) return f;
  if (fault f = check_local(b, lanes)) return f;
  if (fault f = check_local(c, rows)) return f;

  const bool int4 = (flags & 1) != 0;
  // The weights as int32 b[k][n], k < 16 (int8) or 32 (int4).
  std::int32_t weights[32][lanes];
  const unsigned depth = int4 ? 32 : 16;
  for (unsigned j = 0; j < lanes; ++j)
    for (unsigned n = 0; n < lanes; ++n) {
      const std::int8_t byte = m_spad[std::size_t{b.row + j} * lanes + n];
      if (int4) {
        weights[2 * j][n] = static_cast<std::int8_t>(static_cast<std::uint8_t>(byte) << 4) >> 4;
        weights[2 * j + 1][n] = byte >> 4;
      } else {
        weights[j][n] = byte;
      }
    }
  for (std::uint32_t i = 0; i < rows; ++i) {
    std::int32_t arow[32];
    for (unsigned j = 0; j < lanes; ++j) {
      const std::int8_t byte = m_spad[std::size_t{a.row + i} * lanes + j];
      if (int4) {
        arow[2 * j] = static_cast<std::int8_t>(static_cast<std::uint8_t>(byte) << 4) >> 4;
        arow[2 * j + 1] = byte >> 4;
      } else {
        arow[j] = byte;
      }
    }
    std::int32_t* crow = &m_acc[std::size_t{c.row + i} * lanes];
    for (unsigned n = 0; n < lanes; ++n) {
      std::uint32_t sum = c.accumulate ? static_cast<std::uint32_t>(crow[n]) : 0;
      for (unsigned k = 0; k < depth; ++k) sum += static_cast<std::uint32_t>(arow[k] * weights[k][n]);
      crow[n] = static_cast<std::int32_t>(sum);
    }
  }
  m_preload_skipped = m_preload_valid && m_preload_row == b.row;
  m_preload_valid = true;
  m_preload_row = b.row;
  w.cycles = (m_preload_skipped ? 0 : 16) + rows + 16;
  w.rows.push_back({false, a.row, rows, false});
  w.rows.push_back({false, b.row, lanes, false});
  w.rows.push_back({true, c.row, rows, true});
  if (c.accumulate) w.rows.push_back({true, c.row, rows, false});
  return {};
}

fault machine::exec_gather_scatter(const instruction& in, memory_port& dram, work& w) {
  const bool gather = in.opcode() == op_gather;
  const std::uint8_t flags = in.flags();
  if ((flags & ~1u) != 0) return illegal(flags);
  const std::uint32_t index = in.w[1], count = in.w[2], table = in.w[3], table_rows = in.w[4],
                      stride = in.w[5], cols = in.w[7];
  const local l = decode(in.w[6]);
  const bool flag = (flags & 1) != 0;  // gather: i8; scatter: add
  if (flag && !l.acc) return illegal(flags);
  if (fault f = gather ? check_dest(l) : check_source(l)) return f;
  if (count == 0) return illegal(count);
  if (cols == 0 || cols > lanes) return illegal(cols);
  if (fault f = check_local(l, count)) return f;
  if (index % 4 != 0) return {error::misaligned, index};
  if (!in_dram(index, std::uint64_t{count} * 4)) return {error::dram_range, index};

  // The indices first, so that a bad one faults before anything is written.
  std::vector<std::uint8_t> raw(std::size_t{count} * 4);
  if (!dram.read(index, raw.data(), count * 4)) return {error::bus_error, index};
  std::vector<std::int32_t> idx(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    idx[i] = load_le32(&raw[4 * i]);
    if (idx[i] < 0 || static_cast<std::uint32_t>(idx[i]) >= table_rows)
      return {error::index_bounds, static_cast<std::uint32_t>(idx[i])};
  }
  const unsigned element = l.acc && !(gather && flag) ? 4 : 1;
  const std::uint32_t bytes = cols * element;
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::uint64_t a = table + std::uint64_t(idx[i]) * stride;
    if (a % element != 0) return {error::misaligned, static_cast<std::uint32_t>(a)};
  }
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::uint64_t a = table + std::uint64_t(idx[i]) * stride;
    if (!in_dram(a, bytes)) return {error::dram_range, static_cast<std::uint32_t>(a)};
  }

  // Timing: the index lines (with their values, for indirect prefetchers), then per row the
  // table lines that depend on the index line holding the row's index.
  const std::uint64_t index_stream = gather ? stream_gather_index : stream_scatter_index;
  const std::uint64_t table_stream = gather ? stream_gather_table : stream_scatter_table;
  std::vector<std::int32_t> index_op(count);
  {
    const std::uint64_t first = index & ~std::uint64_t{line_bytes - 1};
    const std::uint64_t end = std::uint64_t{index} + std::uint64_t{count} * 4;
    for (std::uint64_t line = first; line < end; line += line_bytes) {
      dma_op op;
      op.line = line;
      op.stream = index_stream;
      op.value_offset = static_cast<std::uint32_t>(w.values.size());
      for (std::uint64_t e = std::max<std::uint64_t>(line, index); e < std::min(line + line_bytes, end);
           e += 4) {
        w.values.push_back(idx[(e - index) / 4]);
        index_op[(e - index) / 4] = static_cast<std::int32_t>(w.dma.size());
      }
      op.value_count = static_cast<std::uint32_t>(w.values.size()) - op.value_offset;
      w.dma.push_back(op);
    }
  }

  m_scratch.resize(bytes);
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::uint64_t a = table + std::uint64_t(idx[i]) * stride;
    const std::uint32_t row = l.row + i;
    if (gather) {
      if (!dram.read(a, m_scratch.data(), bytes)) return {error::bus_error, static_cast<std::uint32_t>(a)};
      for (unsigned n = 0; n < cols; ++n) {
        const std::size_t k = std::size_t{row} * lanes + n;
        if (!l.acc) {
          m_spad[k] = static_cast<std::int8_t>(m_scratch[n]);
        } else {
          const std::int32_t v = flag ? static_cast<std::int8_t>(m_scratch[n]) : load_le32(&m_scratch[4 * n]);
          m_acc[k] = l.accumulate ? wrap32(std::int64_t{m_acc[k]} + v) : v;
        }
      }
      add_lines(w, a, bytes, false, table_stream, 0, index_op[i]);
      w.dma.back().compute = 1;
    } else {
      if (flag && !dram.read(a, m_scratch.data(), bytes))
        return {error::bus_error, static_cast<std::uint32_t>(a)};
      for (unsigned n = 0; n < cols; ++n) {
        const std::size_t k = std::size_t{row} * lanes + n;
        if (!l.acc)
          m_scratch[n] = static_cast<std::uint8_t>(m_spad[k]);
        else if (flag)
          store_le32(&m_scratch[4 * n], wrap32(std::int64_t{load_le32(&m_scratch[4 * n])} + m_acc[k]));
        else
          store_le32(&m_scratch[4 * n], m_acc[k]);
      }
      if (!dram.write(a, m_scratch.data(), bytes)) return {error::bus_error, static_cast<std::uint32_t>(a)};
      if (flag) add_lines(w, a, bytes, false, table_stream, 0, index_op[i]);
      add_lines(w, a, bytes, true, table_stream, i + 1,
                flag ? static_cast<std::int32_t>(w.dma.size()) - 1 : index_op[i]);
    }
  }
  if (gather) {
    mark_written(l.acc, l.row, count);
    w.rows.push_back({l.acc, l.row, count, true});
    if (l.accumulate) w.rows.push_back({l.acc, l.row, count, false});
  } else {
    w.rows.push_back({l.acc, l.row, count, false});
    w.cycles = count;
  }
  return {};
}

fault machine::exec_config_sparse(const instruction& in, work& w) {
  if (in.flags() != 0) return illegal(in.flags());
  for (unsigned i = 5; i < 8; ++i)
    if (in.w[i] != 0) return illegal(in.w[i]);
  m_sparse = {true, in.w[1], in.w[2], in.w[3], in.w[4]};
  w.cycles = 1;
  return {};
}

fault machine::exec_spmm(const instruction& in, memory_port& dram, work& w) {
  if (in.flags() != 0) return illegal(in.flags());
  if (in.w[7] != 0) return illegal(in.w[7]);
  const std::uint32_t b = in.w[1], b_stride = in.w[2], first = in.w[3], count = in.w[4], cols = in.w[6];
  const local dst = decode(in.w[5]);
  if (!m_sparse.valid) return illegal(in.opcode());
  if (!dst.acc) return illegal(dst.raw);
  if (count == 0) return illegal(count);
  if (cols == 0 || cols > lanes) return illegal(cols);
  if (fault f = check_local(dst, count)) return f;
  const sparse_config& s = m_sparse;
  if (s.row_ptr % 4 != 0) return {error::misaligned, s.row_ptr};
  if (s.col_idx % 4 != 0) return {error::misaligned, s.col_idx};
  const std::uint64_t rp = s.row_ptr + std::uint64_t{first} * 4;
  const std::uint64_t rp_bytes = (std::uint64_t{count} + 1) * 4;
  if (!in_dram(rp, rp_bytes)) return {error::dram_range, static_cast<std::uint32_t>(rp)};

  std::vector<std::uint8_t> raw(rp_bytes);
  if (!dram.read(rp, raw.data(), static_cast<std::uint32_t>(rp_bytes)))
    return {error::bus_error, static_cast<std::uint32_t>(rp)};
  std::vector<std::int32_t> ptr(count + 1);
  for (std::uint32_t r = 0; r <= count; ++r) ptr[r] = load_le32(&raw[4 * r]);
  for (std::uint32_t r = 0; r < count; ++r)
    if (ptr[r + 1] < ptr[r]) return {error::index_bounds, static_cast<std::uint32_t>(ptr[r + 1])};
  const std::int64_t j0 = ptr[0], nnz = std::int64_t{ptr[count]} - ptr[0];
  const std::uint64_t ci = s.col_idx + 4 * static_cast<std::uint64_t>(j0);
  const std::uint64_t va = s.values + static_cast<std::uint64_t>(j0);
  if (nnz > 0) {
    if (j0 < 0 || !in_dram(ci, nnz * 4)) return {error::dram_range, static_cast<std::uint32_t>(ci)};
    if (!in_dram(va, nnz)) return {error::dram_range, static_cast<std::uint32_t>(va)};
  }
  std::vector<std::uint8_t> col_raw(nnz * 4), val_raw(nnz);
  if (nnz > 0) {
    if (!dram.read(ci, col_raw.data(), static_cast<std::uint32_t>(nnz * 4)))
      return {error::bus_error, static_cast<std::uint32_t>(ci)};
    if (!dram.read(va, val_raw.data(), static_cast<std::uint32_t>(nnz)))
      return {error::bus_error, static_cast<std::uint32_t>(va)};
  }
  std::vector<std::int32_t> col(nnz);
  for (std::int64_t j = 0; j < nnz; ++j) {
    col[j] = load_le32(&col_raw[4 * j]);
    if (col[j] < 0 || static_cast<std::uint32_t>(col[j]) >= s.b_rows)
      return {error::index_bounds, static_cast<std::uint32_t>(col[j])};
  }
  for (std::int64_t j = 0; j < nnz; ++j) {
    const std::uint64_t a = b + std::uint64_t(col[j]) * b_stride;
    if (!in_dram(a, cols)) return {error::dram_range, static_cast<std::uint32_t>(a)};
  }

  // Timing streams: row_ptr lines, then col_idx and values lines as the rows need them, then one
  // B row per nonzero (depending on its col_idx line), one MAC cycle each.
  auto stream_lines = [&](std::uint64_t base, std::uint64_t bytes, std::uint64_t stream,
                          const std::vector<std::int32_t>* values, unsigned element) {
    std::vector<std::int32_t> op_of(bytes / element);
    const std::uint64_t end = base + bytes;
    for (std::uint64_t line = base & ~std::uint64_t{line_bytes - 1}; line < end; line += line_bytes) {
      dma_op op;
      op.line = line;
      op.stream = stream;
      op.value_offset = static_cast<std::uint32_t>(w.values.size());
      for (std::uint64_t e = std::max(line, base); e < std::min(line + line_bytes, end); e += element) {
        if (values) w.values.push_back((*values)[(e - base) / element]);
        op_of[(e - base) / element] = static_cast<std::int32_t>(w.dma.size());
      }
      op.value_count = static_cast<std::uint32_t>(w.values.size()) - op.value_offset;
      w.dma.push_back(op);
    }
    return op_of;
  };
  stream_lines(rp, rp_bytes, stream_spmm_row_ptr, &ptr, 4);
  std::vector<std::int32_t> col_op, val_op;
  if (nnz > 0) {
    col_op = stream_lines(ci, nnz * 4, stream_spmm_col_idx, &col, 4);
    val_op = stream_lines(va, nnz, stream_spmm_values, nullptr, 1);
  }

  m_scratch.resize(cols);
  for (std::uint32_t r = 0; r < count; ++r) {
    std::int64_t sum[lanes] = {};
    for (std::int64_t j = ptr[r] - j0; j < ptr[r + 1] - j0; ++j) {
      const std::uint64_t a = b + std::uint64_t(col[j]) * b_stride;
      if (!dram.read(a, m_scratch.data(), cols)) return {error::bus_error, static_cast<std::uint32_t>(a)};
      const std::int64_t v = static_cast<std::int8_t>(val_raw[j]);
      for (unsigned n = 0; n < cols; ++n) sum[n] += v * static_cast<std::int8_t>(m_scratch[n]);
      add_lines(w, a, cols, false, stream_spmm_b, 0, std::max(col_op[j], val_op[j]));
      w.dma.back().compute = 1;
    }
    std::int32_t* d = &m_acc[std::size_t{dst.row + r} * lanes];
    for (unsigned n = 0; n < cols; ++n) d[n] = wrap32((dst.accumulate ? d[n] : 0) + sum[n]);
  }
  w.cycles = 1;
  w.rows.push_back({true, dst.row, count, true});
  if (dst.accumulate) w.rows.push_back({true, dst.row, count, false});
  return {};
}

fault machine::exec_vector(const instruction& in, work& w) {
  const std::uint8_t flags = in.flags(), funct = in.funct();
  if ((flags & ~3u) != 0) return illegal(flags);
  const bool relu = (flags & 1) != 0, row_scalar = (flags & 2) != 0;
  const local a = decode(in.w[1]), b = decode(in.w[2]), dst = decode(in.w[3]);
  const std::uint32_t rows = in.w[4] & 0xffff, length = in.w[4] >> 16;
  const std::int64_t imm0 = static_cast<std::int32_t>(in.w[5]), imm1 = static_cast<std::int32_t>(in.w[6]),
                     imm2 = static_cast<std::int32_t>(in.w[7]);
  const bool elementwise = funct <= vf_silu;
  const bool row_op = funct >= vf_softmax && funct <= vf_argmax;
  if (!elementwise && !row_op) return illegal(funct);
  if (relu && funct != vf_requant && funct != vf_copy) return illegal(flags);
  const bool uses_b = funct == vf_add || funct == vf_max || funct == vf_mul ||
                      (funct == vf_requant && row_scalar) || funct == vf_quant;
  if (row_scalar && !(funct == vf_add || funct == vf_max || funct == vf_mul || funct == vf_requant))
    return illegal(flags);
  if (fault f = check_source(a)) return f;
  if (uses_b) {
    if (fault f = check_source(b)) return f;
  }
  if (fault f = check_dest(dst)) return f;
  if (rows == 0) return illegal(in.w[4]);
  if (elementwise && length != 0) return illegal(in.w[4]);
  if (row_op && length == 0) return illegal(in.w[4]);
  auto in_range = [](std::int64_t v, std::int64_t lo, std::int64_t hi) { return v >= lo && v <= hi; };
  switch (funct) {
    case vf_mul:
    case vf_shift:
      if (!in_range(imm0, 0, funct == vf_mul ? 62 : 31)) return illegal(in.w[5]);
      break;
    case vf_requant:
      if (!in_range(imm1, 0, 62)) return illegal(in.w[6]);
      break;
    case vf_clip:
      if (imm0 > imm1) return illegal(in.w[6]);
      break;
    case vf_exp:
    case vf_silu:
    case vf_softmax:
      if (!in_range(imm0, 1, 24)) return illegal(in.w[5]);
      if (funct == vf_softmax && !in_range(imm1, 0, 1 << 24)) return illegal(in.w[6]);
      break;
    case vf_rmsnorm:
      if (!in_range(imm0, 0, 24)) return illegal(in.w[5]);
      break;
    case vf_quant:
      if (dst.acc) return illegal(dst.raw);
      if (!b.acc) return illegal(b.raw);
      break;
    default:
      break;
  }

  const std::uint32_t per_row = ceil16(length);
  if (elementwise) {
    if (fault f = check_local(a, rows)) return f;
    if (uses_b) {
      if (fault f = check_local(b, row_scalar ? ceil16(rows) : rows)) return f;
    }
    if (fault f = check_local(dst, rows)) return f;
    // Compute every result first: dst may overlap a or b.
    std::vector<std::int64_t> out(std::size_t{rows} * lanes);
    for (std::uint32_t r = 0; r < rows; ++r)
      for (unsigned n = 0; n < lanes; ++n) {
        const std::int64_t x = read_lane(a.acc, a.row + r, n);
        std::int64_t y = 0;
        if (uses_b)
          y = row_scalar ? read_lane(b.acc, b.row + r / lanes, r % lanes) : read_lane(b.acc, b.row + r, n);
        std::int64_t v = 0;
        switch (funct) {
          case vf_add:
            v = x + y;
            break;
          case vf_max:
            v = std::max(x, y);
            break;
          case vf_mul:
            v = round_shift(x * y, static_cast<unsigned>(imm0));
            break;
          case vf_requant: {
            const std::int64_t m = row_scalar ? y : imm0;
            v = round_shift(x * m, static_cast<unsigned>(imm1)) + imm2;
            const std::int64_t lo = relu ? imm2 : (dst.acc ? std::numeric_limits<std::int32_t>::min() : -128);
            const std::int64_t hi = dst.acc ? std::numeric_limits<std::int32_t>::max() : 127;
            v = v < lo ? lo : (v > hi ? hi : v);
            break;
          }
          case vf_clip:
            v = std::clamp(x, imm0, imm1);
            break;
          case vf_shift:
            v = round_shift(x, static_cast<unsigned>(imm0));
            break;
          case vf_exp:
            v = iexp(x, static_cast<unsigned>(imm0));
            break;
          case vf_copy:
            v = relu ? std::max<std::int64_t>(x, 0) : x;
            break;
          case vf_silu:
            v = isilu(x, static_cast<unsigned>(imm0));
            break;
          default:
            break;
        }
        out[std::size_t{r} * lanes + n] = v;
      }
    for (std::uint32_t r = 0; r < rows; ++r)
      for (unsigned n = 0; n < lanes; ++n)
        write_lane(dst.acc, dst.row + r, n, out[std::size_t{r} * lanes + n], dst.accumulate);
    w.cycles = rows + 4;
    w.rows.push_back({a.acc, a.row, rows, false});
    if (uses_b) w.rows.push_back({b.acc, b.row, row_scalar ? ceil16(rows) : rows, false});
    w.rows.push_back({dst.acc, dst.row, rows, true});
    if (dst.accumulate) w.rows.push_back({dst.acc, dst.row, rows, false});
    mark_written(dst.acc, dst.row, rows);
    return {};
  }

  const std::uint64_t span = std::uint64_t{per_row} * rows;
  if (fault f = check_local(a, span)) return f;
  const std::uint64_t dst_span = funct == vf_argmax ? ceil16(rows) : span;
  if (fault f = check_local(dst, dst_span)) return f;
  if (funct == vf_quant) {
    if (fault f = check_local(b, ceil16(rows))) return f;
  }
  std::vector<std::int64_t> x(length), y(length);
  std::vector<std::int64_t> scalar(rows);
  std::vector<std::int64_t> out(std::size_t{rows} * length);
  for (std::uint32_t t = 0; t < rows; ++t) {
    for (std::uint32_t i = 0; i < length; ++i)
      x[i] = read_lane(a.acc, a.row + t * per_row + i / lanes, i % lanes);
    std::int64_t* o = &out[std::size_t{t} * length];
    switch (funct) {
      case vf_softmax: {
        const unsigned f = static_cast<unsigned>(imm0);
        const std::int64_t m = *std::max_element(x.begin(), x.end());
        std::int64_t s = 0;
        for (std::uint32_t i = 0; i < length; ++i) {
          y[i] = iexp(std::max(x[i] - m, -(imm1 << f)), f);
          s += y[i];
        }
        for (std::uint32_t i = 0; i < length; ++i) o[i] = (y[i] << 15) / s;
        break;
      }
      case vf_rmsnorm: {
        // Sum of squares wraps in 64 bits (only possible for rows of > 2^30 int32 elements).
        std::uint64_t sum = 0;
        for (std::uint32_t i = 0; i < length; ++i) sum += static_cast<std::uint64_t>(x[i] * x[i]);
        const std::int64_t ms = static_cast<std::int64_t>(sum) / length;
        const std::int64_t rms = std::max<std::int64_t>(isqrt(ms), 1);
        for (std::uint32_t i = 0; i < length; ++i) o[i] = round_div(x[i] * (std::int64_t{1} << imm0), rms);
        break;
      }
      case vf_quant: {
        std::int64_t amax = 0;
        for (std::uint32_t i = 0; i < length; ++i) amax = std::max(amax, x[i] < 0 ? -x[i] : x[i]);
        for (std::uint32_t i = 0; i < length; ++i) o[i] = amax == 0 ? 0 : round_div(x[i] * 127, amax);
        scalar[t] = amax;
        break;
      }
      case vf_argmax: {
        scalar[t] = std::max_element(x.begin(), x.end()) - x.begin();
        break;
      }
      default:
        break;
    }
  }
  unsigned passes = 1;
  if (funct == vf_argmax) {
    for (std::uint32_t t = 0; t < rows; ++t)
      write_lane(dst.acc, dst.row + t / lanes, t % lanes, scalar[t], dst.accumulate);
  } else {
    for (std::uint32_t t = 0; t < rows; ++t)
      for (std::uint32_t i = 0; i < length; ++i)
        write_lane(dst.acc, dst.row + t * per_row + i / lanes, i % lanes, out[std::size_t{t} * length + i],
                   dst.accumulate);
    passes = funct == vf_softmax ? 3 : 2;
  }
  if (funct == vf_quant)
    for (std::uint32_t t = 0; t < rows; ++t)
      write_lane(true, b.row + t / lanes, t % lanes, scalar[t], b.accumulate);
  w.cycles = passes * per_row * rows + 8 + (funct == vf_argmax ? 0 : 16 * rows);
  w.rows.push_back({a.acc, a.row, static_cast<std::uint32_t>(span), false});
  w.rows.push_back({dst.acc, dst.row, static_cast<std::uint32_t>(dst_span), true});
  if (dst.accumulate) w.rows.push_back({dst.acc, dst.row, static_cast<std::uint32_t>(dst_span), false});
  if (funct == vf_quant) w.rows.push_back({true, b.row, ceil16(rows), true});
  mark_written(dst.acc, dst.row, static_cast<std::uint32_t>(dst_span));
  return {};
}

}  // namespace nvr::npu
