// Whole operations on host matrices, for tests and data generators: what a tiled NPU program
// computes, written directly (no tiling, no machine). Same integer semantics as the ISA.
#pragma once

#include <cstdint>
#include <random>
#include <vector>

#include "workloads/ref/arith.h"
#include "workloads/ref/isa.h"

namespace npu_ref {

template <typename T>
struct matrix {
  std::size_t rows = 0, cols = 0;
  std::vector<T> data;
  matrix() = default;
  matrix(std::size_t r, std::size_t c, T fill = T{}) : rows(r), cols(c), data(r * c, fill) {}
  T& operator()(std::size_t r, std::size_t c) { return data[r * cols + c]; }
  const T& operator()(std::size_t r, std::size_t c) const { return data[r * cols + c]; }
  bool operator==(const matrix& o) const { return rows == o.rows && cols == o.cols && data == o.data; }
};

using matrix_i8 = matrix<std::int8_t>;
using matrix_i32 = matrix<std::int32_t>;

// C = A * B (+ C0 when given), int32 wrapping. int8, or int4 values (-8..7) held in int8.
matrix_i32 gemm(const matrix_i8& a, const matrix_i8& b, const matrix_i32* c0 = nullptr);
// mvout's requantisation applied to every element.
matrix_i8 requant(const matrix_i32& c, const store_config& cfg);

// int4 layouts of matmul: a row of 32 values -> 16 bytes; 32 rows x 16 columns of b -> 16 rows.
std::vector<std::uint8_t> pack_int4_row(const std::vector<std::int8_t>& values);
matrix<std::uint8_t> pack_int4_b(const matrix_i8& b32x16);

// CSR matrix with int8 values.
struct csr {
  std::size_t rows = 0, cols = 0;
  std::vector<std::int32_t> row_ptr{0};
  std::vector<std::int32_t> col_idx;
  std::vector<std::int8_t> values;
};
csr csr_from_dense(const matrix_i8& m);
matrix_i8 dense_from_csr(const csr& a);
// Seeded random CSR: each element nonzero with probability 1/inverse_density, values in -128..127
// without 0.
csr random_csr(std::size_t rows, std::size_t cols, std::uint32_t inverse_density, std::mt19937& rng);
// spmm of rows [first, first + count) of A with B: int32 wrapping.
matrix_i32 spmm(const csr& a, const matrix_i8& b);
std::vector<std::int32_t> spmv(const csr& a, const std::vector<std::int8_t>& x);

// Rows of a table through an index array; scatter in index order (last wins), scatter-add
// wrapping. Indices must be in range (the machine reports index_bounds; these helpers throw).
template <typename T>
matrix<T> gather(const matrix<T>& table, const std::vector<std::int32_t>& index);
template <typename T>
void scatter(matrix<T>& table, const std::vector<std::int32_t>& index, const matrix<T>& src);
void scatter_add(matrix_i32& table, const std::vector<std::int32_t>& index, const matrix_i32& src);

// One lane of an element-wise vector funct (ISA.md, vector): x from operand a, b from operand b
// (the row's scalar with row_scalar), the result before saturation to the destination. Throws
// std::invalid_argument for a funct that is not element-wise.
std::int64_t elementwise_lane(std::uint8_t funct, std::int64_t x, std::int64_t b, bool relu, bool row_scalar,
                              bool to_spad, std::int32_t imm0, std::int32_t imm1, std::int32_t imm2);

// Element-wise vector functs on a matrix (16 columns or any), b as a matrix of the same shape or,
// with row_scalar, one value per row (b.cols == 1). Result as the machine computes it for a
// destination in the scratchpad (to_spad: saturated to int8) or the accumulator.
matrix_i32 vector_elementwise(std::uint8_t funct, const matrix_i32& a, const matrix_i32& b, bool to_spad,
                              std::uint8_t flags = 0, std::int32_t imm0 = 0, std::int32_t imm1 = 0,
                              std::int32_t imm2 = 0);
// Row functs over each row of a (length = a.cols).
matrix_i32 softmax_rows(const matrix_i32& a, unsigned f, std::int64_t clip);
matrix_i32 rmsnorm_rows(const matrix_i32& a, unsigned q);  // saturated to int32
struct quant_rows_result {
  matrix_i8 q;
  std::vector<std::int32_t> amax;  // saturated to int32
};
quant_rows_result quant_rows(const matrix_i32& a);
std::vector<std::int32_t> argmax_rows(const matrix_i32& a);

}  // namespace npu_ref
