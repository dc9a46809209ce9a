#include "workloads/ref/ops.h"

#include <stdexcept>

namespace npu_ref {

matrix_i32 gemm(const matrix_i8& a, const matrix_i8& b, const matrix_i32* c0) {
  if (a.cols != b.rows) throw std::invalid_argument("gemm: inner dimensions differ");
  if (c0 && (c0->rows != a.rows || c0->cols != b.cols)) throw std::invalid_argument("gemm: C0 shape");
  matrix_i32 c = c0 ? *c0 : matrix_i32(a.rows, b.cols);
  for (std::size_t i = 0; i < a.rows; ++i)
    for (std::size_t k = 0; k < a.cols; ++k) {
      const std::int32_t x = a(i, k);
      if (x == 0) continue;
      for (std::size_t n = 0; n < b.cols; ++n) c(i, n) = wrap_add(c(i, n), x * b(k, n));
    }
  return c;
}

matrix_i8 requant(const matrix_i32& c, const store_config& cfg) {
  matrix_i8 out(c.rows, c.cols);
  for (std::size_t i = 0; i < c.data.size(); ++i) out.data[i] = requant(c.data[i], cfg);
  return out;
}

std::vector<std::uint8_t> pack_int4_row(const std::vector<std::int8_t>& v) {
  std::vector<std::uint8_t> out((v.size() + 1) / 2);
  for (std::size_t j = 0; j < out.size(); ++j)
    out[j] = int4_pack(v[2 * j], 2 * j + 1 < v.size() ? v[2 * j + 1] : 0);
  return out;
}

matrix<std::uint8_t> pack_int4_b(const matrix_i8& b) {
  matrix<std::uint8_t> out((b.rows + 1) / 2, b.cols);
  for (std::size_t j = 0; j < out.rows; ++j)
    for (std::size_t n = 0; n < b.cols; ++n)
      out(j, n) = int4_pack(b(2 * j, n), 2 * j + 1 < b.rows ? b(2 * j + 1, n) : 0);
  return out;
}

csr csr_from_dense(const matrix_i8& m) {
  csr a;
  a.rows = m.rows;
  a.cols = m.cols;
  for (std::size_t r = 0; r < m.rows; ++r) {
    for (std::size_t c = 0; c < m.cols; ++c)
      if (m(r, c) != 0) {
        a.col_idx.push_back(static_cast<std::int32_t>(c));
        a.values.push_back(m(r, c));
      }
    a.row_ptr.push_back(static_cast<std::int32_t>(a.col_idx.size()));
  }
  return a;
}

matrix_i8 dense_from_csr(const csr& a) {
  matrix_i8 m(a.rows, a.cols);
  for (std::size_t r = 0; r < a.rows; ++r)
    for (std::int32_t j = a.row_ptr[r]; j < a.row_ptr[r + 1]; ++j)
      m(r, static_cast<std::size_t>(a.col_idx[j])) = a.values[j];
  return m;
}

csr random_csr(std::size_t rows, std::size_t cols, std::uint32_t inverse_density, std::mt19937& rng) {
  csr a;
  a.rows = rows;
  a.cols = cols;
  std::uniform_int_distribution<std::uint32_t> pick(0, inverse_density ? inverse_density - 1 : 0);
  std::uniform_int_distribution<int> value(-128, 126);
  for (std::size_t r = 0; r < rows; ++r) {
    for (std::size_t c = 0; c < cols; ++c)
      if (pick(rng) == 0) {
        const int v = value(rng);
        a.col_idx.push_back(static_cast<std::int32_t>(c));
        a.values.push_back(static_cast<std::int8_t>(v >= 0 ? v + 1 : v));
      }
    a.row_ptr.push_back(static_cast<std::int32_t>(a.col_idx.size()));
  }
  return a;
}

matrix_i32 spmm(const csr& a, const matrix_i8& b) {
  if (a.cols != b.rows) throw std::invalid_argument("spmm: inner dimensions differ");
  matrix_i32 c(a.rows, b.cols);
  for (std::size_t r = 0; r < a.rows; ++r)
    for (std::int32_t j = a.row_ptr[r]; j < a.row_ptr[r + 1]; ++j)
      for (std::size_t n = 0; n < b.cols; ++n)
        c(r, n) = wrap_add(c(r, n), a.values[j] * b(static_cast<std::size_t>(a.col_idx[j]), n));
  return c;
}

std::vector<std::int32_t> spmv(const csr& a, const std::vector<std::int8_t>& x) {
  matrix_i8 b(x.size(), 1);
  b.data = x;
  return spmm(a, b).data;
}

namespace {
void check_index(std::int32_t x, std::size_t rows) {
  if (x < 0 || static_cast<std::size_t>(x) >= rows) throw std::out_of_range("index out of the table");
}
}  // namespace

template <typename T>
matrix<T> gather(const matrix<T>& table, const std::vector<std::int32_t>& index) {
  matrix<T> out(index.size(), table.cols);
  for (std::size_t i = 0; i < index.size(); ++i) {
    check_index(index[i], table.rows);
    for (std::size_t c = 0; c < table.cols; ++c) out(i, c) = table(static_cast<std::size_t>(index[i]), c);
  }
  return out;
}

template <typename T>
void scatter(matrix<T>& table, const std::vector<std::int32_t>& index, const matrix<T>& src) {
  for (auto x : index) check_index(x, table.rows);
  for (std::size_t i = 0; i < index.size(); ++i)
    for (std::size_t c = 0; c < src.cols; ++c) table(static_cast<std::size_t>(index[i]), c) = src(i, c);
}

template matrix_i8 gather(const matrix_i8&, const std::vector<std::int32_t>&);
template matrix_i32 gather(const matrix_i32&, const std::vector<std::int32_t>&);
template void scatter(matrix_i8&, const std::vector<std::int32_t>&, const matrix_i8&);
template void scatter(matrix_i32&, const std::vector<std::int32_t>&, const matrix_i32&);

void scatter_add(matrix_i32& table, const std::vector<std::int32_t>& index, const matrix_i32& src) {
  for (auto x : index) check_index(x, table.rows);
  for (std::size_t i = 0; i < index.size(); ++i)
    for (std::size_t c = 0; c < src.cols; ++c) {
      std::int32_t& d = table(static_cast<std::size_t>(index[i]), c);
      d = wrap_add(d, src(i, c));
    }
}

std::int64_t elementwise_lane(std::uint8_t f, std::int64_t x, std::int64_t b, bool relu, bool row_scalar,
                              bool to_spad, std::int32_t imm0, std::int32_t imm1, std::int32_t imm2) {
  switch (f) {
    case fn::add:
      return x + b;
    case fn::max:
      return std::max(x, b);
    case fn::mul:
      return round_shift(x * b, static_cast<unsigned>(imm0));
    case fn::requant:
      return clamp(round_shift(x * (row_scalar ? b : imm0), static_cast<unsigned>(imm1)) + imm2,
                   relu ? imm2 : (to_spad ? -128 : INT32_MIN), to_spad ? 127 : INT32_MAX);
    case fn::clip:
      return clamp(x, imm0, imm1);
    case fn::shift:
      return round_shift(x, static_cast<unsigned>(imm0));
    case fn::exp:
      return iexp(x, static_cast<unsigned>(imm0));
    case fn::copy:
      return relu ? std::max<std::int64_t>(x, 0) : x;
    case fn::silu:
      return isilu(x, static_cast<unsigned>(imm0));
    default:
      throw std::invalid_argument("vector_elementwise: not an element-wise funct");
  }
}

matrix_i32 vector_elementwise(std::uint8_t f, const matrix_i32& a, const matrix_i32& b, bool to_spad,
                              std::uint8_t flags, std::int32_t imm0, std::int32_t imm1, std::int32_t imm2) {
  const bool relu = flags & flag::relu, rs = flags & flag::row_scalar;
  matrix_i32 out(a.rows, a.cols);
  for (std::size_t r = 0; r < a.rows; ++r)
    for (std::size_t c = 0; c < a.cols; ++c) {
      const std::int64_t y_b = b.data.empty() ? 0 : (rs ? b(r, 0) : b(r, c));
      const std::int64_t y = elementwise_lane(f, a(r, c), y_b, relu, rs, to_spad, imm0, imm1, imm2);
      out(r, c) = to_spad ? sat8(y) : sat32(y);
    }
  return out;
}

namespace {
std::vector<std::int32_t> row_of(const matrix_i32& a, std::size_t r) {
  return {a.data.begin() + static_cast<std::ptrdiff_t>(r * a.cols),
          a.data.begin() + static_cast<std::ptrdiff_t>((r + 1) * a.cols)};
}
}  // namespace

matrix_i32 softmax_rows(const matrix_i32& a, unsigned f, std::int64_t clip) {
  matrix_i32 out(a.rows, a.cols);
  for (std::size_t r = 0; r < a.rows; ++r) {
    const auto p = isoftmax(row_of(a, r), f, clip);
    for (std::size_t c = 0; c < a.cols; ++c) out(r, c) = sat32(p[c]);
  }
  return out;
}

matrix_i32 rmsnorm_rows(const matrix_i32& a, unsigned q) {
  matrix_i32 out(a.rows, a.cols);
  for (std::size_t r = 0; r < a.rows; ++r) {
    const auto y = rmsnorm(row_of(a, r), q);
    for (std::size_t c = 0; c < a.cols; ++c) out(r, c) = sat32(y[c]);
  }
  return out;
}

quant_rows_result quant_rows(const matrix_i32& a) {
  quant_rows_result res{matrix_i8(a.rows, a.cols), std::vector<std::int32_t>(a.rows)};
  for (std::size_t r = 0; r < a.rows; ++r) {
    const auto q = quant(row_of(a, r));
    for (std::size_t c = 0; c < a.cols; ++c) res.q(r, c) = q.q[c];
    res.amax[r] = sat32(q.amax);
  }
  return res;
}

std::vector<std::int32_t> argmax_rows(const matrix_i32& a) {
  std::vector<std::int32_t> out(a.rows);
  for (std::size_t r = 0; r < a.rows; ++r) out[r] = static_cast<std::int32_t>(argmax(row_of(a, r)));
  return out;
}

}  // namespace npu_ref
