#include "ip/npu/machine.h"

#ifdef __SSE2__
#include <emmintrin.h>
#endif

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

// The line ops of an index (or value) array, emitted as the sparse unit reaches them: the unit
// keeps index_lookahead elements of index data queued ahead of its use (ISA.md, Timing) rather
// than loading the whole array before the first dependent load.
constexpr std::uint64_t index_lookahead = 64;

class lazy_lines {
 public:
  lazy_lines(work& w, std::uint64_t base, std::uint64_t count, unsigned element, std::uint64_t stream,
             const std::int32_t* values)
      : m_w(w),
        m_base(base),
        m_end(base + count * element),
        m_count(count),
        m_element(element),
        m_stream(stream),
        m_values(values),
        m_next(base & ~std::uint64_t{line_bytes - 1}),
        m_op(count, -1) {}

  // Emits the lines holding elements [0, min(n, count)) not emitted yet.
  void emit_through(std::uint64_t n) {
    const std::uint64_t target = m_base + std::min(n, m_count) * m_element;
    while (m_next < target) {
      dma_op op;
      op.line = m_next;
      op.stream = m_stream;
      op.value_offset = static_cast<std::uint32_t>(m_w.values.size());
      for (std::uint64_t e = std::max(m_next, m_base); e < std::min(m_next + line_bytes, m_end);
           e += m_element) {
        const std::uint64_t i = (e - m_base) / m_element;
        if (m_values) m_w.values.push_back(m_values[i]);
        m_op[i] = static_cast<std::int32_t>(m_w.dma.size());
      }
      op.value_count = static_cast<std::uint32_t>(m_w.values.size()) - op.value_offset;
      op.value_start = static_cast<std::uint32_t>(std::max(m_next, m_base) - m_next);
      op.value_bytes =
          static_cast<std::uint32_t>(std::min(m_next + line_bytes, m_end) - std::max(m_next, m_base));
      m_w.dma.push_back(op);
      m_next += line_bytes;
    }
  }
  // The op of element i, emitting up to index_lookahead elements past it.
  std::int32_t op_for(std::uint64_t i) {
    emit_through(i + 1 + index_lookahead);
    return m_op[i];
  }

 private:
  work& m_w;
  std::uint64_t m_base, m_end, m_count;
  unsigned m_element;
  std::uint64_t m_stream;
  const std::int32_t* m_values;
  std::uint64_t m_next;
  std::vector<std::int32_t> m_op;
};

// --- Static checks (ISA.md "Errors"): fields word by word, then local operands in word order.
// FAULT_INFO of illegal_field is the number of the word holding the first offending field.

fault bad(unsigned word) { return {error::illegal_field, word}; }
bool cols_ok(std::uint32_t c) { return c >= 1 && c <= lanes; }
bool is_acc(std::uint32_t l) { return (l >> 31) != 0; }
bool accumulates(std::uint32_t l) { return ((l >> 30) & 1) != 0; }
bool read_ok(std::uint32_t l) { return !accumulates(l); }                // an operand only read
bool write_ok(std::uint32_t l) { return is_acc(l) || !accumulates(l); }  // a destination
bool is_row_funct(std::uint8_t f) { return f >= vf_softmax && f <= vf_argmax; }
bool funct_defined(std::uint8_t f) { return f <= vf_silu || is_row_funct(f); }

std::uint8_t vector_flags_allowed(std::uint8_t f) {
  switch (f) {
    case vf_add:
    case vf_max:
    case vf_mul:
      return 2;  // row_scalar
    case vf_requant:
      return 3;
    case vf_copy:
      return 1;  // relu
    default:
      return 0;
  }
}

struct vector_use {
  bool b;
  bool imm[3];
};
vector_use vector_uses(std::uint8_t f, std::uint8_t flags) {
  const bool rs = (flags & 2) != 0;
  switch (f) {
    case vf_add:
    case vf_max:
      return {true, {false, false, false}};
    case vf_mul:
      return {true, {true, false, false}};
    case vf_requant:
      return {rs, {!rs, true, true}};
    case vf_clip:
      return {false, {true, true, false}};
    case vf_shift:
    case vf_exp:
    case vf_silu:
    case vf_rmsnorm:
      return {false, {true, false, false}};
    case vf_softmax:
      return {false, {true, true, false}};
    case vf_quant:
      return {true, {false, false, false}};
    default:
      return {false, {false, false, false}};
  }
}

fault check_vector_fields(const instruction& in) {
  const std::uint8_t f = in.funct(), flags = in.flags();
  const vector_use use = vector_uses(f, flags);
  const auto& w = in.w;
  if (!read_ok(w[1])) return bad(1);
  if (use.b) {
    if (!read_ok(w[2])) return bad(2);
    if (f == vf_quant && !is_acc(w[2])) return bad(2);
  } else if (w[2] != 0) {
    return bad(2);
  }
  if (!write_ok(w[3])) return bad(3);
  if (f == vf_quant && is_acc(w[3])) return bad(3);
  const std::uint32_t rows = w[4] & 0xffff, length = w[4] >> 16;
  if (rows == 0 || (is_row_funct(f) ? length == 0 : length != 0)) return bad(4);
  for (unsigned k = 0; k < 3; ++k)
    if (!use.imm[k] && w[5 + k] != 0) return bad(5 + k);
  const std::uint32_t imm0 = w[5], imm1 = w[6];
  switch (f) {
    case vf_mul:
      if (imm0 > 62) return bad(5);
      break;
    case vf_requant:
      if (imm1 > 62) return bad(6);
      break;
    case vf_clip:
      if (static_cast<std::int32_t>(imm1) < static_cast<std::int32_t>(imm0)) return bad(6);
      break;
    case vf_shift:
      if (imm0 > 31) return bad(5);
      break;
    case vf_exp:
    case vf_silu:
      if (imm0 < 1 || imm0 > 24) return bad(5);
      break;
    case vf_softmax:
      if (imm0 < 1 || imm0 > 24) return bad(5);
      if (imm1 > 0x7fffffffu) return bad(6);
      break;
    case vf_rmsnorm:
      if (imm0 > 24) return bad(5);
      break;
    default:
      break;
  }
  return {};
}

fault check_fields(const instruction& in) {
  const std::uint8_t opc = in.opcode(), flags = in.flags();
  const auto& w = in.w;
  if (opc >= op_count) return {error::illegal_opcode, opc};
  if ((w[0] >> 24) != 0) return bad(0);
  if (opc == op_vector) {
    if (!funct_defined(in.funct()) || (flags & ~vector_flags_allowed(in.funct())) != 0) return bad(0);
    return check_vector_fields(in);
  }
  if (in.funct() != 0) return bad(0);
  static constexpr std::uint8_t flags_allowed[op_count] = {0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0};
  if ((flags & ~flags_allowed[opc]) != 0) return bad(0);
  auto zero_from = [&](unsigned k) -> fault {
    for (; k < 8; ++k)
      if (w[k] != 0) return bad(k);
    return {};
  };
  switch (opc) {
    case op_nop:
    case op_fence:
      return zero_from(1);
    case op_irq:
      return zero_from(2);
    case op_config_store: {
      if (w[2] > 62) return bad(2);
      const auto lo = static_cast<std::int32_t>(w[4]), hi = static_cast<std::int32_t>(w[5]);
      if (lo < -128 || lo > 127) return bad(4);
      if (hi < lo || hi > 127) return bad(5);
      return zero_from(6);
    }
    case op_mvin:
    case op_mvout:
      if (opc == op_mvin ? !write_ok(w[2]) : !read_ok(w[2])) return bad(2);
      if ((flags & 1) && !is_acc(w[2])) return bad(2);
      if (w[3] == 0) return bad(3);
      if (!cols_ok(w[4])) return bad(4);
      return zero_from(6);
    case op_matmul:
      if (is_acc(w[1]) || !read_ok(w[1])) return bad(1);
      if (is_acc(w[2]) || !read_ok(w[2])) return bad(2);
      if (!is_acc(w[3])) return bad(3);
      if (w[4] == 0) return bad(4);
      return zero_from(5);
    case op_gather:
    case op_scatter:
      if (w[2] == 0) return bad(2);
      if (opc == op_gather ? !write_ok(w[6]) : !read_ok(w[6])) return bad(6);
      if ((flags & 1) && !is_acc(w[6])) return bad(6);
      if (!cols_ok(w[7])) return bad(7);
      return {};
    case op_config_sparse:
      return zero_from(5);
    case op_spmm:
      if (w[4] == 0) return bad(4);
      if (!is_acc(w[5])) return bad(5);
      if (!cols_ok(w[6])) return bad(6);
      return zero_from(7);
    default:
      return {};
  }
}

fault check_locals(const instruction& in) {
  struct operand {
    unsigned word;
    std::uint64_t rows;
  };
  operand ops[3];
  unsigned n = 0;
  const auto& w = in.w;
  switch (in.opcode()) {
    case op_mvin:
    case op_mvout:
      ops[n++] = {2, w[3]};
      break;
    case op_matmul:
      ops[n++] = {1, w[4]};
      ops[n++] = {2, lanes};
      ops[n++] = {3, w[4]};
      break;
    case op_gather:
    case op_scatter:
      ops[n++] = {6, w[2]};
      break;
    case op_spmm:
      ops[n++] = {5, w[4]};
      break;
    case op_vector: {
      const std::uint8_t f = in.funct();
      const std::uint64_t rows = w[4] & 0xffff;
      const std::uint64_t packed = (rows + lanes - 1) / lanes;
      if (is_row_funct(f)) {
        const std::uint64_t span = rows * ceil16(w[4] >> 16);
        ops[n++] = {1, span};
        if (f == vf_quant) ops[n++] = {2, packed};
        ops[n++] = {3, f == vf_argmax ? packed : span};
      } else {
        ops[n++] = {1, rows};
        if (vector_uses(f, in.flags()).b) ops[n++] = {2, (in.flags() & 2) ? packed : rows};
        ops[n++] = {3, rows};
      }
      break;
    }
    default:
      break;
  }
  for (unsigned k = 0; k < n; ++k) {
    const std::uint32_t l = w[ops[k].word];
    const std::uint64_t size = is_acc(l) ? acc_rows : spad_rows;
    if (std::uint64_t{l & 0x3fffffffu} + ops[k].rows > size) return {error::local_range, l};
  }
  return {};
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
  if (fault f = check_fields(in)) return f;
  if (op == op_spmm && !m_sparse.valid) return {error::illegal_field, 0};
  if (fault f = check_locals(in)) return f;
  w.target = unit_of(op);
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
// The DRAM region of an operand: `rows` rows of `bytes` at base + r * stride (ISA.md).
static fault check_rows(const machine& m, std::uint64_t base, std::uint64_t rows, std::uint64_t stride,
                        std::uint64_t bytes, unsigned element) {
  if (rows == 0) return {};
  if (base % element != 0 || (rows > 1 && stride % element != 0))
    return {error::misaligned, static_cast<std::uint32_t>(base)};
  if (!m.in_dram(base, (rows - 1) * stride + bytes))
    return {error::dram_range, static_cast<std::uint32_t>(base)};
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
  // Operands widened to int16: the weights b[k][n] and each row's activations a[k], k < 16 (int8)
  // or 32 (int4). Products fit in int16 x int16 -> int32 and sums wrap like the ISA's int32.
  const unsigned depth = int4 ? 32 : 16;
  auto widen = [int4](const std::int8_t* bytes, std::int16_t* out, unsigned step) {
    for (unsigned j = 0; j < lanes; ++j) {
      const std::int8_t byte = bytes[j];
      if (int4) {
        out[2 * j * step] = static_cast<std::int8_t>(static_cast<std::uint8_t>(byte) << 4) >> 4;
        out[(2 * j + 1) * step] = byte >> 4;
      } else {
        out[j * step] = byte;
      }
    }
  };
  std::int16_t weights[32][lanes];  // [k][n]
  for (unsigned n = 0; n < lanes; ++n) {
    std::int8_t column[lanes];
    for (unsigned j = 0; j < lanes; ++j) column[j] = m_spad[std::size_t{b.row + j} * lanes + n];
    widen(column, &weights[0][n], lanes);
  }
#ifdef __SSE2__
  // pmaddwd takes adjacent int16 pairs: interleave the weights as (b[2p][n], b[2p+1][n]) so that
  // one instruction does two k steps of four lanes, against a broadcast (a[2p], a[2p+1]).
  __m128i pairs[16][4];
  for (unsigned p = 0; p < depth / 2; ++p)
    for (unsigned q = 0; q < 4; ++q) {
      const __m128i even = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(&weights[2 * p][4 * q]));
      const __m128i odd = _mm_loadl_epi64(reinterpret_cast<const __m128i*>(&weights[2 * p + 1][4 * q]));
      pairs[p][q] = _mm_unpacklo_epi16(even, odd);
    }
#endif
  for (std::uint32_t i = 0; i < rows; ++i) {
    std::int16_t arow[32];
    widen(&m_spad[std::size_t{a.row + i} * lanes], arow, 1);
    std::int32_t* crow = &m_acc[std::size_t{c.row + i} * lanes];
#ifdef __SSE2__
    __m128i sums[4];
    for (unsigned q = 0; q < 4; ++q)
      sums[q] = c.accumulate ? _mm_loadu_si128(reinterpret_cast<const __m128i*>(crow + 4 * q))
                             : _mm_setzero_si128();
    for (unsigned p = 0; p < depth / 2; ++p) {
      std::int32_t pair;
      std::memcpy(&pair, &arow[2 * p], sizeof pair);
      if (pair == 0) continue;  // zero activations (ReLU outputs, padding) add nothing
      const __m128i a2 = _mm_set1_epi32(pair);
      for (unsigned q = 0; q < 4; ++q) sums[q] = _mm_add_epi32(sums[q], _mm_madd_epi16(a2, pairs[p][q]));
    }
    for (unsigned q = 0; q < 4; ++q) _mm_storeu_si128(reinterpret_cast<__m128i*>(crow + 4 * q), sums[q]);
#else
    for (unsigned n = 0; n < lanes; ++n) {
      std::uint32_t sum = c.accumulate ? static_cast<std::uint32_t>(crow[n]) : 0;
      for (unsigned k = 0; k < depth; ++k) sum += static_cast<std::uint32_t>(arow[k] * weights[k][n]);
      crow[n] = static_cast<std::int32_t>(sum);
    }
#endif
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
  const unsigned element = l.acc && !(gather && flag) ? 4 : 1;
  const std::uint32_t bytes = cols * element;
  if (fault f = check_rows(*this, index, count, 4, 4, 4)) return f;
  if (fault f = check_rows(*this, table, table_rows, stride, bytes, element)) return f;

  // The indices first, so that a bad one faults before anything is written.
  std::vector<std::uint8_t> raw(std::size_t{count} * 4);
  if (!dram.read(index, raw.data(), count * 4)) return {error::bus_error, index};
  std::vector<std::int32_t> idx(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    idx[i] = load_le32(&raw[4 * i]);
    if (idx[i] < 0 || static_cast<std::uint32_t>(idx[i]) >= table_rows)
      return {error::index_bounds, static_cast<std::uint32_t>(idx[i])};
  }
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::uint64_t a = table + std::uint64_t(idx[i]) * stride;
    if (a % element != 0) return {error::misaligned, static_cast<std::uint32_t>(a)};
  }
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::uint64_t a = table + std::uint64_t(idx[i]) * stride;
    if (!in_dram(a, bytes)) return {error::dram_range, static_cast<std::uint32_t>(a)};
  }

  // Timing: per row the table lines, each depending on the index line holding its index; index
  // lines (with their values, for indirect prefetchers) go out index_lookahead entries ahead.
  const std::uint64_t index_stream = gather ? stream_gather_index : stream_scatter_index;
  const std::uint64_t table_stream = gather ? stream_gather_table : stream_scatter_table;
  lazy_lines index_lines(w, index, count, 4, index_stream, idx.data());

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
      add_lines(w, a, bytes, false, table_stream, 0, index_lines.op_for(i));
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
      const std::int32_t index_op = index_lines.op_for(i);
      if (flag) add_lines(w, a, bytes, false, table_stream, 0, index_op);
      add_lines(w, a, bytes, true, table_stream, i + 1,
                flag ? static_cast<std::int32_t>(w.dma.size()) - 1 : index_op);
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
  // Check order (ISA.md): B, row_ptr region, its entries, col_idx / values regions, col_idx.
  const std::uint32_t b = in.w[1], b_stride = in.w[2], first = in.w[3], count = in.w[4], cols = in.w[6];
  const local dst = decode(in.w[5]);
  const sparse_config& s = m_sparse;
  if (fault f = check_rows(*this, b, s.b_rows, b_stride, cols, 1)) return f;
  const std::uint64_t rp = s.row_ptr + std::uint64_t{first} * 4;
  const std::uint64_t rp_bytes = (std::uint64_t{count} + 1) * 4;
  if (s.row_ptr % 4 != 0) return {error::misaligned, s.row_ptr};
  if (!in_dram(rp, rp_bytes)) return {error::dram_range, s.row_ptr};

  std::vector<std::uint8_t> raw(rp_bytes);
  if (!dram.read(rp, raw.data(), static_cast<std::uint32_t>(rp_bytes)))
    return {error::bus_error, static_cast<std::uint32_t>(rp)};
  std::vector<std::int32_t> ptr(std::size_t{count} + 1);
  for (std::uint64_t r = 0; r <= count; ++r) {
    ptr[r] = load_le32(&raw[4 * r]);
    if (ptr[r] < 0 || (r > 0 && ptr[r] < ptr[r - 1]))
      return {error::index_bounds, static_cast<std::uint32_t>(ptr[r])};
  }
  const std::int64_t j0 = ptr[0], nnz = std::int64_t{ptr[count]} - ptr[0];
  const std::uint64_t ci = s.col_idx + 4 * static_cast<std::uint64_t>(j0);
  const std::uint64_t va = s.values + static_cast<std::uint64_t>(j0);
  if (s.col_idx % 4 != 0) return {error::misaligned, s.col_idx};
  if (nnz > 0 && !in_dram(ci, static_cast<std::uint64_t>(nnz) * 4)) return {error::dram_range, s.col_idx};
  if (nnz > 0 && !in_dram(va, static_cast<std::uint64_t>(nnz))) return {error::dram_range, s.values};
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

  // Timing: the row_ptr lines, then one B row per nonzero (depending on its col_idx and values
  // lines, which go out index_lookahead entries ahead), one MAC cycle each.
  lazy_lines(w, rp, std::uint64_t{count} + 1, 4, stream_spmm_row_ptr, ptr.data())
      .emit_through(std::uint64_t{count} + 1);
  lazy_lines col_lines(w, ci, static_cast<std::uint64_t>(nnz), 4, stream_spmm_col_idx, col.data());
  lazy_lines val_lines(w, va, static_cast<std::uint64_t>(nnz), 1, stream_spmm_values, nullptr);

  m_scratch.resize(cols);
  for (std::uint32_t r = 0; r < count; ++r) {
    std::int64_t sum[lanes] = {};
    for (std::int64_t j = ptr[r] - j0; j < ptr[r + 1] - j0; ++j) {
      const std::uint64_t a = b + std::uint64_t(col[j]) * b_stride;
      if (!dram.read(a, m_scratch.data(), cols)) return {error::bus_error, static_cast<std::uint32_t>(a)};
      const std::int64_t v = static_cast<std::int8_t>(val_raw[j]);
      for (unsigned n = 0; n < cols; ++n) sum[n] += v * static_cast<std::int8_t>(m_scratch[n]);
      const std::uint64_t k = static_cast<std::uint64_t>(j);
      add_lines(w, a, cols, false, stream_spmm_b, 0, std::max(col_lines.op_for(k), val_lines.op_for(k)));
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
  // Fields and local ranges were checked by execute(). Operands may overlap: element-wise functs
  // go one local row at a time (read a and b, then write dst), row functs one row t at a time.
  const std::uint8_t flags = in.flags(), funct = in.funct();
  const bool relu = (flags & 1) != 0, row_scalar = (flags & 2) != 0;
  const local a = decode(in.w[1]), b = decode(in.w[2]), dst = decode(in.w[3]);
  const std::uint32_t rows = in.w[4] & 0xffff, length = in.w[4] >> 16;
  const std::int64_t imm0 = static_cast<std::int32_t>(in.w[5]), imm1 = static_cast<std::int32_t>(in.w[6]),
                     imm2 = static_cast<std::int32_t>(in.w[7]);
  const bool uses_b = vector_uses(funct, flags).b;

  if (!is_row_funct(funct)) {
    for (std::uint32_t r = 0; r < rows; ++r) {
      std::int64_t x[lanes], y[lanes] = {};
      for (unsigned n = 0; n < lanes; ++n) {
        x[n] = read_lane(a.acc, a.row + r, n);
        if (uses_b)
          y[n] = row_scalar ? read_lane(b.acc, b.row + r / lanes, r % lanes) : read_lane(b.acc, b.row + r, n);
      }
      for (unsigned n = 0; n < lanes; ++n) {
        std::int64_t v = 0;
        switch (funct) {
          case vf_add:
            v = x[n] + y[n];
            break;
          case vf_max:
            v = std::max(x[n], y[n]);
            break;
          case vf_mul:
            v = round_shift(x[n] * y[n], static_cast<unsigned>(imm0));
            break;
          case vf_requant: {
            const std::int64_t m = row_scalar ? y[n] : imm0;
            const std::int64_t lo = relu ? imm2 : (dst.acc ? std::numeric_limits<std::int32_t>::min() : -128);
            const std::int64_t hi = dst.acc ? std::numeric_limits<std::int32_t>::max() : 127;
            v = std::min(std::max(round_shift(x[n] * m, static_cast<unsigned>(imm1)) + imm2, lo), hi);
            break;
          }
          case vf_clip:
            v = std::min(std::max(x[n], imm0), imm1);
            break;
          case vf_shift:
            v = round_shift(x[n], static_cast<unsigned>(imm0));
            break;
          case vf_exp:
            v = iexp(x[n], static_cast<unsigned>(imm0));
            break;
          case vf_copy:
            v = relu ? std::max<std::int64_t>(x[n], 0) : x[n];
            break;
          case vf_silu:
            v = isilu(x[n], static_cast<unsigned>(imm0));
            break;
          default:
            break;
        }
        write_lane(dst.acc, dst.row + r, n, v, dst.accumulate);
      }
    }
    w.cycles = rows + 4;
    w.rows.push_back({a.acc, a.row, rows, false});
    if (uses_b) w.rows.push_back({b.acc, b.row, row_scalar ? ceil16(rows) : rows, false});
    w.rows.push_back({dst.acc, dst.row, rows, true});
    if (dst.accumulate) w.rows.push_back({dst.acc, dst.row, rows, false});
    mark_written(dst.acc, dst.row, rows);
    return {};
  }

  const std::uint32_t per_row = ceil16(length);
  const std::uint32_t span = per_row * rows;
  const std::uint32_t dst_span = funct == vf_argmax ? ceil16(rows) : span;
  std::vector<std::int64_t> x(length), y(length);
  for (std::uint32_t t = 0; t < rows; ++t) {
    for (std::uint32_t i = 0; i < length; ++i)
      x[i] = read_lane(a.acc, a.row + t * per_row + i / lanes, i % lanes);
    std::int64_t scalar = 0;
    switch (funct) {
      case vf_softmax: {
        const unsigned f = static_cast<unsigned>(imm0);
        const std::int64_t m = *std::max_element(x.begin(), x.end());
        std::int64_t sum = 0;
        for (std::uint32_t i = 0; i < length; ++i) {
          y[i] = iexp(std::max(x[i] - m, -(imm1 * (std::int64_t{1} << f))), f);
          sum += y[i];
        }
        for (std::uint32_t i = 0; i < length; ++i) y[i] = (y[i] << 15) / sum;
        break;
      }
      case vf_rmsnorm: {
        unsigned __int128 sum = 0;  // exact: up to 65535 * 2^62
        for (std::uint32_t i = 0; i < length; ++i) sum += static_cast<unsigned __int128>(x[i] * x[i]);
        const auto ms = static_cast<std::int64_t>(sum / length);
        const std::int64_t rms = std::max<std::int64_t>(isqrt(ms), 1);
        for (std::uint32_t i = 0; i < length; ++i) y[i] = round_div(x[i] * (std::int64_t{1} << imm0), rms);
        break;
      }
      case vf_quant: {
        for (std::uint32_t i = 0; i < length; ++i) scalar = std::max(scalar, x[i] < 0 ? -x[i] : x[i]);
        for (std::uint32_t i = 0; i < length; ++i) y[i] = scalar == 0 ? 0 : round_div(x[i] * 127, scalar);
        break;
      }
      case vf_argmax:
        scalar = std::max_element(x.begin(), x.end()) - x.begin();
        break;
      default:
        break;
    }
    if (funct == vf_argmax) {
      write_lane(dst.acc, dst.row + t / lanes, t % lanes, scalar, dst.accumulate);
    } else {
      for (std::uint32_t i = 0; i < length; ++i)
        write_lane(dst.acc, dst.row + t * per_row + i / lanes, i % lanes, y[i], dst.accumulate);
    }
    if (funct == vf_quant) write_lane(true, b.row + t / lanes, t % lanes, scalar, false);
  }
  const unsigned passes = funct == vf_softmax ? 3 : funct == vf_argmax ? 1 : 2;
  w.cycles = passes * per_row * rows + 8 + (funct == vf_argmax ? 0 : 16 * rows);
  w.rows.push_back({a.acc, a.row, span, false});
  w.rows.push_back({dst.acc, dst.row, dst_span, true});
  if (dst.accumulate) w.rows.push_back({dst.acc, dst.row, dst_span, false});
  if (funct == vf_quant) w.rows.push_back({true, b.row, ceil16(rows), true});
  mark_written(dst.acc, dst.row, dst_span);
  return {};
}

}  // namespace nvr::npu
