// The NPU instruction format (ip/npu/ISA.md): opcodes, flags, functs, error codes, local
// addresses, an encoder and a validating decoder. The reference's own: the model decodes
// independently, and firmware/include/npu_isa.h is a third encoder checked against this one.
#pragma once

#include <array>
#include <cstdint>
#include <string>

namespace npu_ref {

using words = std::array<std::uint32_t, 8>;

namespace op {
constexpr std::uint8_t nop = 0x00, config_store = 0x01, mvin = 0x02, mvout = 0x03, matmul = 0x04,
                       gather = 0x05, scatter = 0x06, config_sparse = 0x07, spmm = 0x08, vector = 0x09,
                       fence = 0x0a, irq = 0x0b;
constexpr std::uint8_t last = irq;
}  // namespace op

namespace flag {
constexpr std::uint8_t i8 = 1;          // mvin, gather
constexpr std::uint8_t raw = 1;         // mvout
constexpr std::uint8_t int4 = 1;        // matmul
constexpr std::uint8_t add = 1;         // scatter
constexpr std::uint8_t relu = 1;        // vector
constexpr std::uint8_t row_scalar = 2;  // vector
}  // namespace flag

namespace fn {
constexpr std::uint8_t add = 0, max = 1, mul = 2, requant = 3, clip = 4, shift = 5, exp = 6, copy = 7,
                       silu = 8;
constexpr std::uint8_t softmax = 16, rmsnorm = 17, quant = 18, argmax = 19;
constexpr bool defined(std::uint8_t f) { return f <= silu || (f >= softmax && f <= argmax); }
constexpr bool is_row(std::uint8_t f) { return f >= softmax; }
}  // namespace fn

enum class error : std::uint32_t {
  none = 0,
  illegal_opcode = 1,
  illegal_field = 2,
  local_range = 3,
  dram_range = 4,
  misaligned = 5,
  index_bounds = 6,
  ring_overflow = 7,
  bus_error = 8,
};
const char* error_name(error e);

struct fault {
  error code = error::none;
  std::uint32_t info = 0;  // FAULT_INFO
  explicit operator bool() const { return code != error::none; }
  bool operator==(const fault& o) const { return code == o.code && info == o.info; }
};
std::string to_string(const fault& f);

// Local memories.
constexpr std::uint32_t lanes = 16;
constexpr std::uint32_t spad_rows = 16384;
constexpr std::uint32_t acc_rows = 1024;

// Local addresses: bit 31 accumulator, bit 30 accumulate, bits 29..0 row.
constexpr std::uint32_t laddr_acc_bit = 1u << 31;
constexpr std::uint32_t laddr_accumulate_bit = 1u << 30;
constexpr std::uint32_t laddr_row_mask = (1u << 30) - 1;
constexpr std::uint32_t spad(std::uint32_t row) { return row & laddr_row_mask; }
constexpr std::uint32_t acc(std::uint32_t row, bool accumulate = false) {
  return laddr_acc_bit | (accumulate ? laddr_accumulate_bit : 0) | (row & laddr_row_mask);
}
constexpr bool laddr_is_acc(std::uint32_t l) { return (l & laddr_acc_bit) != 0; }
constexpr bool laddr_accumulates(std::uint32_t l) { return (l & laddr_accumulate_bit) != 0; }
constexpr std::uint32_t laddr_row(std::uint32_t l) { return l & laddr_row_mask; }

// One instruction as fields: w0 split into opcode, flags and funct (and its reserved byte), and
// the operand words w1..w7 (w[0] unused).
struct instruction {
  std::uint8_t opcode = 0;
  std::uint8_t flags = 0;
  std::uint8_t funct = 0;
  std::uint8_t reserved = 0;
  words w{};

  words encode() const;
  static instruction decode(const words& w);  // no validation: see check_fields
  bool operator==(const instruction& o) const { return encode() == o.encode(); }
};

// Builders, one per instruction (operands in word order).
instruction nop();
instruction config_store(std::int32_t multiplier, std::uint32_t shift, std::int32_t zero_point,
                         std::int32_t clip_min, std::int32_t clip_max);
instruction mvin(std::uint32_t dram, std::uint32_t laddr, std::uint32_t rows, std::uint32_t cols,
                 std::uint32_t stride, std::uint8_t flags = 0);
instruction mvout(std::uint32_t dram, std::uint32_t laddr, std::uint32_t rows, std::uint32_t cols,
                  std::uint32_t stride, std::uint8_t flags = 0);
instruction matmul(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t rows,
                   std::uint8_t flags = 0);
instruction gather(std::uint32_t index, std::uint32_t count, std::uint32_t table, std::uint32_t table_rows,
                   std::uint32_t stride, std::uint32_t laddr, std::uint32_t cols, std::uint8_t flags = 0);
instruction scatter(std::uint32_t index, std::uint32_t count, std::uint32_t table, std::uint32_t table_rows,
                    std::uint32_t stride, std::uint32_t laddr, std::uint32_t cols, std::uint8_t flags = 0);
instruction config_sparse(std::uint32_t row_ptr, std::uint32_t col_idx, std::uint32_t values,
                          std::uint32_t b_rows);
instruction spmm(std::uint32_t b, std::uint32_t b_stride, std::uint32_t first, std::uint32_t count,
                 std::uint32_t laddr, std::uint32_t cols);
instruction vector(std::uint8_t funct, std::uint32_t a, std::uint32_t b, std::uint32_t dst,
                   std::uint32_t rows, std::uint32_t length = 0, std::uint32_t imm0 = 0,
                   std::uint32_t imm1 = 0, std::uint32_t imm2 = 0, std::uint8_t flags = 0);
instruction fence();
instruction irq(std::uint32_t tag);

// ceil(length / 16): local rows per vector row for the row functs.
constexpr std::uint32_t rows_per_vector(std::uint32_t length) { return (length + lanes - 1) / lanes; }

// The opcode and field checks (illegal_opcode, illegal_field), in the ISA's order.
fault check_fields(const words& w);
// The local operand checks (local_range) of an instruction whose fields are valid.
fault check_local(const words& w);
// Both: what an assembler can check without a machine.
fault check_static(const words& w);

// Mnemonic of an opcode ("config.store"), nullptr if undefined; name of a vector funct.
const char* mnemonic(std::uint8_t opcode);
const char* funct_name(std::uint8_t funct);

}  // namespace npu_ref
