#include "workloads/ref/machine.h"

#include <cstring>
#include <stdexcept>

#include "workloads/ref/ops.h"

namespace npu_ref {

machine::machine(std::uint64_t dram_base, std::uint64_t dram_size)
    : m_dram_base(dram_base), m_dram(dram_size), m_spad(spad_rows * lanes), m_acc(acc_rows * lanes) {}

void machine::reset() {
  std::fill(m_spad.begin(), m_spad.end(), 0);
  std::fill(m_acc.begin(), m_acc.end(), 0);
  m_store = store_config{};
  m_sparse.reset();
  m_error = {};
  m_fault_index = m_sequence = m_retired = m_irq_count = 0;
  m_irq_tag = 0;
}

bool machine::in_dram(std::uint64_t addr, std::uint64_t bytes) const {
  return addr >= m_dram_base && bytes <= m_dram.size() && addr - m_dram_base <= m_dram.size() - bytes;
}

std::uint8_t* machine::dram_ptr(std::uint64_t addr, std::uint64_t bytes) {
  if (!in_dram(addr, bytes)) throw std::out_of_range("npu_ref::machine: DRAM access outside the image");
  return m_dram.data() + (addr - m_dram_base);
}
void machine::write_dram(std::uint64_t addr, const void* data, std::uint64_t bytes) {
  if (bytes) std::memcpy(dram_ptr(addr, bytes), data, bytes);
}
void machine::read_dram(std::uint64_t addr, void* data, std::uint64_t bytes) const {
  if (bytes) std::memcpy(data, const_cast<machine*>(this)->dram_ptr(addr, bytes), bytes);
}
std::int32_t machine::dram_i32(std::uint64_t addr) const {
  std::uint8_t b[4];
  read_dram(addr, b, 4);
  return static_cast<std::int32_t>(b[0] | (b[1] << 8) | (b[2] << 16) | (std::uint32_t{b[3]} << 24));
}
std::int8_t machine::dram_i8(std::uint64_t addr) const {
  std::int8_t v;
  read_dram(addr, &v, 1);
  return v;
}
void machine::set_dram_i32(std::uint64_t addr, std::int32_t v) {
  const auto u = static_cast<std::uint32_t>(v);
  const std::uint8_t b[4] = {static_cast<std::uint8_t>(u), static_cast<std::uint8_t>(u >> 8),
                             static_cast<std::uint8_t>(u >> 16), static_cast<std::uint8_t>(u >> 24)};
  write_dram(addr, b, 4);
}
void machine::set_dram_i8(std::uint64_t addr, std::int8_t v) { write_dram(addr, &v, 1); }

fault machine::check_region(std::uint32_t base, std::uint64_t rows, std::uint64_t stride,
                            std::uint64_t row_bytes, unsigned element) const {
  if (rows == 0) return {};
  if (base % element != 0 || (rows > 1 && stride % element != 0)) return {error::misaligned, base};
  // rows < 2^32, stride < 2^32: the span fits in 64 bits.
  if (!in_dram(base, (rows - 1) * stride + row_bytes)) return {error::dram_range, base};
  return {};
}

std::int32_t machine::read_local(std::uint32_t laddr, std::uint64_t row_offset, std::uint32_t lane) const {
  const std::uint64_t row = laddr_row(laddr) + row_offset;
  return laddr_is_acc(laddr) ? m_acc[row * lanes + lane] : m_spad[row * lanes + lane];
}

void machine::write_vector(std::uint32_t laddr, std::uint64_t row_offset, std::uint32_t lane,
                           std::int64_t v) {
  const std::uint64_t row = laddr_row(laddr) + row_offset;
  if (!laddr_is_acc(laddr)) {
    m_spad[row * lanes + lane] = sat8(v);
    return;
  }
  std::int32_t& d = m_acc[row * lanes + lane];
  d = laddr_accumulates(laddr) ? sat32(std::int64_t{d} + sat32(v)) : sat32(v);
}

run_result machine::run(const std::vector<words>& program) {
  run_result r;
  for (const words& w : program) {
    if (fault f = execute(w)) {
      r.error = f;
      r.fault_index = m_fault_index;
      return r;
    }
    ++r.executed;
  }
  return r;
}

run_result machine::run(const std::vector<instruction>& program) {
  std::vector<words> w;
  w.reserve(program.size());
  for (const auto& i : program) w.push_back(i.encode());
  return run(w);
}

fault machine::execute(const words& w) {
  if (m_error) return m_error;
  const fault f = do_execute(w);
  if (f) {
    m_error = f;
    m_fault_index = m_sequence;
  } else {
    ++m_retired;
  }
  ++m_sequence;
  return f;
}

fault machine::do_execute(const words& w) {
  if (fault f = check_fields(w)) return f;
  const auto opcode = static_cast<std::uint8_t>(w[0]);
  if (opcode == op::spmm && !m_sparse) return {error::illegal_field, 0};
  if (fault f = check_local(w)) return f;
  switch (opcode) {
    case op::config_store:
      m_store = {static_cast<std::int32_t>(w[1]), w[2], static_cast<std::int32_t>(w[3]),
                 static_cast<std::int32_t>(w[4]), static_cast<std::int32_t>(w[5])};
      return {};
    case op::mvin:
      return exec_mvin(w);
    case op::mvout:
      return exec_mvout(w);
    case op::matmul:
      exec_matmul(w);
      return {};
    case op::gather:
    case op::scatter:
      return exec_gather_scatter(w);
    case op::config_sparse:
      m_sparse = sparse_config{w[1], w[2], w[3], w[4]};
      return {};
    case op::spmm:
      return exec_spmm(w);
    case op::vector:
      exec_vector(w);
      return {};
    case op::irq:
      m_irq_tag = w[1];
      ++m_irq_count;
      return {};
    default:
      return {};  // nop, fence: nothing to do in program order
  }
}

fault machine::exec_mvin(const words& w) {
  const std::uint32_t dram = w[1], l = w[2], rows = w[3], cols = w[4], stride = w[5];
  const bool acc = laddr_is_acc(l), i8 = (w[0] >> 8) & flag::i8;
  const unsigned size = acc && !i8 ? 4 : 1;
  if (fault f = check_region(dram, rows, stride, std::uint64_t{cols} * size, size)) return f;
  for (std::uint64_t r = 0; r < rows; ++r) {
    const std::uint64_t at = dram + r * stride;
    const std::uint64_t row = laddr_row(l) + r;
    for (std::uint32_t c = 0; c < cols; ++c) {
      if (!acc) {
        m_spad[row * lanes + c] = dram_i8(at + c);
        continue;
      }
      const std::int32_t v = i8 ? dram_i8(at + c) : dram_i32(at + 4 * c);
      std::int32_t& d = m_acc[row * lanes + c];
      d = laddr_accumulates(l) ? wrap_add(d, v) : v;
    }
  }
  return {};
}

fault machine::exec_mvout(const words& w) {
  const std::uint32_t dram = w[1], l = w[2], rows = w[3], cols = w[4], stride = w[5];
  const bool acc = laddr_is_acc(l), raw = (w[0] >> 8) & flag::raw;
  const unsigned size = acc && raw ? 4 : 1;
  if (fault f = check_region(dram, rows, stride, std::uint64_t{cols} * size, size)) return f;
  for (std::uint64_t r = 0; r < rows; ++r) {
    const std::uint64_t at = dram + r * stride;
    const std::uint64_t row = laddr_row(l) + r;
    for (std::uint32_t c = 0; c < cols; ++c) {
      if (!acc)
        set_dram_i8(at + c, m_spad[row * lanes + c]);
      else if (raw)
        set_dram_i32(at + 4 * c, m_acc[row * lanes + c]);
      else
        set_dram_i8(at + c, requant(m_acc[row * lanes + c], m_store));
    }
  }
  return {};
}

void machine::exec_matmul(const words& w) {
  const std::uint32_t a = laddr_row(w[1]), b = laddr_row(w[2]), c = w[3], rows = w[4];
  const bool int4 = (w[0] >> 8) & flag::int4;
  for (std::uint64_t i = 0; i < rows; ++i) {
    const std::int8_t* arow = &m_spad[(a + i) * lanes];
    std::int32_t* crow = &m_acc[(laddr_row(c) + i) * lanes];
    for (std::uint32_t n = 0; n < lanes; ++n) {
      std::int32_t sum = 0;
      for (std::uint32_t j = 0; j < lanes; ++j) {
        const std::int8_t bj = m_spad[(b + j) * lanes + n];
        if (int4) {
          const auto ab = static_cast<std::uint8_t>(arow[j]), bb = static_cast<std::uint8_t>(bj);
          sum += int4_lo(ab) * int4_lo(bb) + int4_hi(ab) * int4_hi(bb);
        } else {
          sum += arow[j] * bj;
        }
      }
      crow[n] = laddr_accumulates(c) ? wrap_add(crow[n], sum) : sum;
    }
  }
}

fault machine::exec_gather_scatter(const words& w) {
  const bool gather = static_cast<std::uint8_t>(w[0]) == op::gather;
  const std::uint32_t index = w[1], count = w[2], table = w[3], table_rows = w[4], stride = w[5], l = w[6],
                      cols = w[7];
  const bool acc = laddr_is_acc(l), flag0 = (w[0] >> 8) & 1;
  // gather: i8 selects int8 elements for the accumulator; scatter: the accumulator is int32.
  const unsigned size = acc && !(gather && flag0) ? 4 : 1;
  if (fault f = check_region(index, count, 4, 4, 4)) return f;
  if (fault f = check_region(table, table_rows, stride, std::uint64_t{cols} * size, size)) return f;
  std::vector<std::int32_t> idx(count);
  for (std::uint32_t i = 0; i < count; ++i) {
    idx[i] = dram_i32(std::uint64_t{index} + 4 * i);
    if (idx[i] < 0 || static_cast<std::uint32_t>(idx[i]) >= table_rows)
      return {error::index_bounds, static_cast<std::uint32_t>(idx[i])};
  }
  for (std::uint32_t i = 0; i < count; ++i) {
    const std::uint64_t at = table + std::uint64_t(idx[i]) * stride;
    const std::uint64_t row = laddr_row(l) + i;
    for (std::uint32_t c = 0; c < cols; ++c) {
      if (gather) {
        if (!acc) {
          m_spad[row * lanes + c] = dram_i8(at + c);
          continue;
        }
        const std::int32_t v = size == 1 ? dram_i8(at + c) : dram_i32(at + 4 * c);
        std::int32_t& d = m_acc[row * lanes + c];
        d = laddr_accumulates(l) ? wrap_add(d, v) : v;
      } else if (!acc) {
        set_dram_i8(at + c, m_spad[row * lanes + c]);
      } else {
        const std::int32_t v = m_acc[row * lanes + c];
        set_dram_i32(at + 4 * c, flag0 ? wrap_add(dram_i32(at + 4 * c), v) : v);
      }
    }
  }
  return {};
}

fault machine::exec_spmm(const words& w) {
  const sparse_config& s = *m_sparse;
  const std::uint32_t b = w[1], b_stride = w[2], first = w[3], count = w[4], l = w[5], cols = w[6];
  if (fault f = check_region(b, s.b_rows, b_stride, cols, 1)) return f;
  // row_ptr[first..first+count]: count + 1 entries from row_ptr + 4 * first.
  const std::uint64_t rp = s.row_ptr + 4 * std::uint64_t{first};
  if (s.row_ptr % 4 != 0) return {error::misaligned, s.row_ptr};
  if (!in_dram(rp, 4 * (std::uint64_t{count} + 1))) return {error::dram_range, s.row_ptr};
  std::vector<std::int32_t> ptr(std::uint64_t{count} + 1);
  for (std::uint64_t r = 0; r <= count; ++r) {
    ptr[r] = dram_i32(rp + 4 * r);
    if (ptr[r] < 0 || (r > 0 && ptr[r] < ptr[r - 1]))
      return {error::index_bounds, static_cast<std::uint32_t>(ptr[r])};
  }
  const std::uint64_t lo = static_cast<std::uint32_t>(ptr.front()),
                      nnz = static_cast<std::uint32_t>(ptr.back()) - lo;
  if (s.col_idx % 4 != 0) return {error::misaligned, s.col_idx};
  if (nnz && !in_dram(s.col_idx + 4 * lo, 4 * nnz)) return {error::dram_range, s.col_idx};
  if (nnz && !in_dram(s.values + lo, nnz)) return {error::dram_range, s.values};
  for (std::uint64_t j = lo; j < lo + nnz; ++j) {
    const std::int32_t k = dram_i32(s.col_idx + 4 * j);
    if (k < 0 || static_cast<std::uint32_t>(k) >= s.b_rows)
      return {error::index_bounds, static_cast<std::uint32_t>(k)};
  }
  for (std::uint64_t r = 0; r < count; ++r) {
    std::int32_t sum[lanes] = {};
    for (std::int64_t j = ptr[r]; j < ptr[r + 1]; ++j) {
      const std::int32_t v = dram_i8(s.values + j);
      const std::uint64_t brow = b + std::uint64_t(dram_i32(s.col_idx + 4 * j)) * b_stride;
      for (std::uint32_t n = 0; n < cols; ++n) sum[n] = wrap_add(sum[n], v * dram_i8(brow + n));
    }
    std::int32_t* d = &m_acc[(laddr_row(l) + r) * lanes];
    for (std::uint32_t n = 0; n < cols; ++n) d[n] = laddr_accumulates(l) ? wrap_add(d[n], sum[n]) : sum[n];
  }
  return {};
}

void machine::exec_vector(const words& w) {
  const auto f = static_cast<std::uint8_t>(w[0] >> 16);
  const auto flags = static_cast<std::uint8_t>(w[0] >> 8);
  const bool relu = flags & flag::relu, row_scalar = flags & flag::row_scalar;
  const std::uint32_t a = w[1], b = w[2], dst = w[3], rows = w[4] & 0xffff, length = w[4] >> 16;
  const auto imm0 = static_cast<std::int32_t>(w[5]), imm1 = static_cast<std::int32_t>(w[6]),
             imm2 = static_cast<std::int32_t>(w[7]);
  if (!fn::is_row(f)) {
    const bool to_acc = laddr_is_acc(dst);
    for (std::uint64_t i = 0; i < rows; ++i) {
      std::int64_t av[lanes], bv[lanes] = {};
      for (std::uint32_t n = 0; n < lanes; ++n) {
        av[n] = read_local(a, i, n);
        if (f == fn::add || f == fn::max || f == fn::mul || (f == fn::requant && row_scalar))
          bv[n] = row_scalar ? read_local(b + static_cast<std::uint32_t>(i / lanes), 0, i % lanes)
                             : read_local(b, i, n);
      }
      for (std::uint32_t n = 0; n < lanes; ++n)
        write_vector(dst, i, n,
                     elementwise_lane(f, av[n], bv[n], relu, row_scalar, !to_acc, imm0, imm1, imm2));
    }
    return;
  }
  const std::uint32_t per = rows_per_vector(length);
  std::vector<std::int32_t> x(length);
  for (std::uint64_t t = 0; t < rows; ++t) {
    for (std::uint32_t k = 0; k < length; ++k) x[k] = read_local(a, t * per + k / lanes, k % lanes);
    auto write_row = [&](const auto& y) {
      for (std::uint32_t k = 0; k < length; ++k) write_vector(dst, t * per + k / lanes, k % lanes, y[k]);
    };
    const auto scalar_row = static_cast<std::uint32_t>(t / lanes),
               scalar_lane = static_cast<std::uint32_t>(t % lanes);
    switch (f) {
      case fn::softmax:
        write_row(isoftmax(x, static_cast<unsigned>(imm0), imm1));
        break;
      case fn::rmsnorm:
        write_row(rmsnorm(x, static_cast<unsigned>(imm0)));
        break;
      case fn::quant: {
        const quant_result q = quant(x);
        write_row(q.q);
        write_vector(b, scalar_row, scalar_lane, q.amax);
        break;
      }
      case fn::argmax:
        write_vector(dst, scalar_row, scalar_lane, static_cast<std::int64_t>(argmax(x)));
        break;
      default:
        break;
    }
  }
}

}  // namespace npu_ref
