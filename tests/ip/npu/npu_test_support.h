// Instruction encoders and a flat DRAM for the NPU tests (ip/npu/ISA.md encodings).
#pragma once

#include <cstdint>
#include <cstring>
#include <vector>

#include "ip/npu/machine.h"

namespace nvr::npu::test {

inline constexpr std::uint32_t acc_bit = 0x80000000u, accumulate_bit = 0x40000000u;
inline std::uint32_t sp(std::uint32_t row) { return row; }
inline std::uint32_t ac(std::uint32_t row, bool accumulate = false) {
  return acc_bit | (accumulate ? accumulate_bit : 0) | row;
}

inline instruction make(std::uint8_t op, std::uint8_t flags = 0, std::uint8_t funct = 0,
                        std::vector<std::uint32_t> words = {}) {
  instruction in;
  in.w[0] = op | (std::uint32_t{flags} << 8) | (std::uint32_t{funct} << 16);
  for (std::size_t i = 0; i < words.size() && i < 7; ++i) in.w[i + 1] = words[i];
  return in;
}
inline instruction nop() { return make(op_nop); }
inline instruction fence() { return make(op_fence); }
inline instruction irq(std::uint32_t tag) { return make(op_irq, 0, 0, {tag}); }
inline instruction config_store(std::int32_t mult, std::uint32_t shift, std::int32_t zp,
                                std::int32_t lo = -128, std::int32_t hi = 127) {
  return make(op_config_store, 0, 0,
              {static_cast<std::uint32_t>(mult), shift, static_cast<std::uint32_t>(zp),
               static_cast<std::uint32_t>(lo), static_cast<std::uint32_t>(hi)});
}
inline instruction mvin(std::uint32_t dram, std::uint32_t laddr, std::uint32_t rows, std::uint32_t cols,
                        std::uint32_t stride, std::uint8_t flags = 0) {
  return make(op_mvin, flags, 0, {dram, laddr, rows, cols, stride});
}
inline instruction mvout(std::uint32_t dram, std::uint32_t laddr, std::uint32_t rows, std::uint32_t cols,
                         std::uint32_t stride, std::uint8_t flags = 0) {
  return make(op_mvout, flags, 0, {dram, laddr, rows, cols, stride});
}
inline instruction matmul(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t rows,
                          bool int4 = false) {
  return make(op_matmul, int4 ? 1 : 0, 0, {a, b, c, rows});
}
inline instruction gather(std::uint32_t index, std::uint32_t count, std::uint32_t table,
                          std::uint32_t table_rows, std::uint32_t stride, std::uint32_t laddr,
                          std::uint32_t cols, std::uint8_t flags = 0) {
  return make(op_gather, flags, 0, {index, count, table, table_rows, stride, laddr, cols});
}
inline instruction scatter(std::uint32_t index, std::uint32_t count, std::uint32_t table,
                           std::uint32_t table_rows, std::uint32_t stride, std::uint32_t laddr,
                           std::uint32_t cols, bool add = false) {
  return make(op_scatter, add ? 1 : 0, 0, {index, count, table, table_rows, stride, laddr, cols});
}
inline instruction config_sparse(std::uint32_t row_ptr, std::uint32_t col_idx, std::uint32_t values,
                                 std::uint32_t b_rows) {
  return make(op_config_sparse, 0, 0, {row_ptr, col_idx, values, b_rows});
}
inline instruction spmm(std::uint32_t b, std::uint32_t b_stride, std::uint32_t first, std::uint32_t count,
                        std::uint32_t laddr, std::uint32_t cols) {
  return make(op_spmm, 0, 0, {b, b_stride, first, count, laddr, cols});
}
inline instruction vector(std::uint8_t funct, std::uint32_t a, std::uint32_t b, std::uint32_t dst,
                          std::uint32_t rows, std::uint32_t length = 0, std::int32_t imm0 = 0,
                          std::int32_t imm1 = 0, std::int32_t imm2 = 0, std::uint8_t flags = 0) {
  return make(op_vector, flags, funct,
              {a, b, dst, rows | (length << 16), static_cast<std::uint32_t>(imm0),
               static_cast<std::uint32_t>(imm1), static_cast<std::uint32_t>(imm2)});
}

// DRAM as a flat array at `base`.
class flat_dram : public memory_port {
 public:
  explicit flat_dram(std::uint64_t base = 0x80000000ull, std::size_t size = 1 << 20)
      : base(base), bytes(size) {}
  bool read(std::uint64_t address, std::uint8_t* data, std::uint32_t size) override {
    if (address < base || address - base + size > bytes.size()) return false;
    std::memcpy(data, &bytes[address - base], size);
    return true;
  }
  bool write(std::uint64_t address, const std::uint8_t* data, std::uint32_t size) override {
    if (address < base || address - base + size > bytes.size()) return false;
    std::memcpy(&bytes[address - base], data, size);
    return true;
  }
  std::uint8_t* at(std::uint64_t address) { return &bytes[address - base]; }
  void put8(std::uint64_t address, std::vector<std::int8_t> v) {
    std::memcpy(at(address), v.data(), v.size());
  }
  void put32(std::uint64_t address, std::vector<std::int32_t> v) {
    std::memcpy(at(address), v.data(), 4 * v.size());
  }
  std::int8_t get8(std::uint64_t address) { return static_cast<std::int8_t>(*at(address)); }
  std::int32_t get32(std::uint64_t address) {
    std::int32_t v;
    std::memcpy(&v, at(address), 4);
    return v;
  }
  std::uint64_t base;
  std::vector<std::uint8_t> bytes;
};

}  // namespace nvr::npu::test
