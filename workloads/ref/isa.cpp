#include "workloads/ref/isa.h"

#include <cstdio>

namespace npu_ref {

const char* error_name(error e) {
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

std::string to_string(const fault& f) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s (info 0x%x)", error_name(f.code), static_cast<unsigned>(f.info));
  return buf;
}

words instruction::encode() const {
  words out = w;
  out[0] =
      opcode | (std::uint32_t{flags} << 8) | (std::uint32_t{funct} << 16) | (std::uint32_t{reserved} << 24);
  return out;
}

instruction instruction::decode(const words& w) {
  instruction i;
  i.w = w;
  i.w[0] = 0;
  i.opcode = static_cast<std::uint8_t>(w[0]);
  i.flags = static_cast<std::uint8_t>(w[0] >> 8);
  i.funct = static_cast<std::uint8_t>(w[0] >> 16);
  i.reserved = static_cast<std::uint8_t>(w[0] >> 24);
  return i;
}

namespace {

instruction make(std::uint8_t opcode, std::uint8_t flags, std::initializer_list<std::uint32_t> operands,
                 std::uint8_t funct = 0) {
  instruction i;
  i.opcode = opcode;
  i.flags = flags;
  i.funct = funct;
  unsigned k = 1;
  for (std::uint32_t v : operands) i.w[k++] = v;
  return i;
}

}  // namespace

instruction nop() { return make(op::nop, 0, {}); }
instruction config_store(std::int32_t multiplier, std::uint32_t shift, std::int32_t zero_point,
                         std::int32_t clip_min, std::int32_t clip_max) {
  return make(op::config_store, 0,
              {static_cast<std::uint32_t>(multiplier), shift, static_cast<std::uint32_t>(zero_point),
               static_cast<std::uint32_t>(clip_min), static_cast<std::uint32_t>(clip_max)});
}
instruction mvin(std::uint32_t dram, std::uint32_t laddr, std::uint32_t rows, std::uint32_t cols,
                 std::uint32_t stride, std::uint8_t flags) {
  return make(op::mvin, flags, {dram, laddr, rows, cols, stride});
}
instruction mvout(std::uint32_t dram, std::uint32_t laddr, std::uint32_t rows, std::uint32_t cols,
                  std::uint32_t stride, std::uint8_t flags) {
  return make(op::mvout, flags, {dram, laddr, rows, cols, stride});
}
instruction matmul(std::uint32_t a, std::uint32_t b, std::uint32_t c, std::uint32_t rows,
                   std::uint8_t flags) {
  return make(op::matmul, flags, {a, b, c, rows});
}
instruction gather(std::uint32_t index, std::uint32_t count, std::uint32_t table, std::uint32_t table_rows,
                   std::uint32_t stride, std::uint32_t laddr, std::uint32_t cols, std::uint8_t flags) {
  return make(op::gather, flags, {index, count, table, table_rows, stride, laddr, cols});
}
instruction scatter(std::uint32_t index, std::uint32_t count, std::uint32_t table, std::uint32_t table_rows,
                    std::uint32_t stride, std::uint32_t laddr, std::uint32_t cols, std::uint8_t flags) {
  return make(op::scatter, flags, {index, count, table, table_rows, stride, laddr, cols});
}
instruction config_sparse(std::uint32_t row_ptr, std::uint32_t col_idx, std::uint32_t values,
                          std::uint32_t b_rows) {
  return make(op::config_sparse, 0, {row_ptr, col_idx, values, b_rows});
}
instruction spmm(std::uint32_t b, std::uint32_t b_stride, std::uint32_t first, std::uint32_t count,
                 std::uint32_t laddr, std::uint32_t cols) {
  return make(op::spmm, 0, {b, b_stride, first, count, laddr, cols});
}
instruction vector(std::uint8_t funct, std::uint32_t a, std::uint32_t b, std::uint32_t dst,
                   std::uint32_t rows, std::uint32_t length, std::uint32_t imm0, std::uint32_t imm1,
                   std::uint32_t imm2, std::uint8_t flags) {
  return make(op::vector, flags, {a, b, dst, (rows & 0xffff) | (length << 16), imm0, imm1, imm2}, funct);
}
instruction fence() { return make(op::fence, 0, {}); }
instruction irq(std::uint32_t tag) { return make(op::irq, 0, {tag}); }

const char* mnemonic(std::uint8_t opcode) {
  static const char* const names[] = {"nop",     "config.store",  "mvin", "mvout",  "matmul", "gather",
                                      "scatter", "config.sparse", "spmm", "vector", "fence",  "irq"};
  return opcode <= op::last ? names[opcode] : nullptr;
}

const char* funct_name(std::uint8_t f) {
  static const char* const elementwise[] = {"add",   "max", "mul",  "requant", "clip",
                                            "shift", "exp", "copy", "silu"};
  static const char* const row[] = {"softmax", "rmsnorm", "quant", "argmax"};
  if (f <= fn::silu) return elementwise[f];
  if (f >= fn::softmax && f <= fn::argmax) return row[f - fn::softmax];
  return nullptr;
}

namespace {

fault bad(unsigned word) { return {error::illegal_field, word}; }

// Which vector operands and immediates a funct uses (ISA.md, "Operand use").
struct vector_use {
  bool b;
  bool imm[3];
};
vector_use vector_uses(std::uint8_t f, std::uint8_t flags) {
  const bool rs = (flags & flag::row_scalar) != 0;
  switch (f) {
    case fn::add:
    case fn::max:
      return {true, {false, false, false}};
    case fn::mul:
      return {true, {true, false, false}};
    case fn::requant:
      return {rs, {!rs, true, true}};
    case fn::clip:
      return {false, {true, true, false}};
    case fn::shift:
    case fn::exp:
    case fn::silu:
    case fn::rmsnorm:
      return {false, {true, false, false}};
    case fn::softmax:
      return {false, {true, true, false}};
    case fn::quant:
      return {true, {false, false, false}};
    default:
      return {false, {false, false, false}};  // copy, argmax
  }
}

std::uint8_t vector_flags_allowed(std::uint8_t f) {
  switch (f) {
    case fn::add:
    case fn::max:
    case fn::mul:
      return flag::row_scalar;
    case fn::requant:
      return flag::relu | flag::row_scalar;
    case fn::copy:
      return flag::relu;
    default:
      return 0;
  }
}

bool cols_ok(std::uint32_t c) { return c >= 1 && c <= lanes; }
// A laddr that is only read: no accumulate bit.
bool read_ok(std::uint32_t l) { return !laddr_accumulates(l); }
// A laddr that is written: the accumulate bit only on the accumulator.
bool write_ok(std::uint32_t l) { return laddr_is_acc(l) || !laddr_accumulates(l); }

fault check_vector(const words& w, std::uint8_t flags, std::uint8_t f) {
  const vector_use use = vector_uses(f, flags);
  if (!read_ok(w[1])) return bad(1);
  if (use.b) {
    if (!read_ok(w[2])) return bad(2);
    if (f == fn::quant && !laddr_is_acc(w[2])) return bad(2);
  } else if (w[2] != 0) {
    return bad(2);
  }
  if (!write_ok(w[3])) return bad(3);
  if (f == fn::quant && laddr_is_acc(w[3])) return bad(3);
  const std::uint32_t rows = w[4] & 0xffff, length = w[4] >> 16;
  if (rows == 0 || (fn::is_row(f) ? length == 0 : length != 0)) return bad(4);
  for (unsigned k = 0; k < 3; ++k)
    if (!use.imm[k] && w[5 + k] != 0) return bad(5 + k);
  const std::uint32_t imm0 = w[5], imm1 = w[6];
  switch (f) {
    case fn::mul:
      if (imm0 > 62) return bad(5);
      break;
    case fn::requant:
      if (imm1 > 62) return bad(6);
      break;
    case fn::clip:
      if (static_cast<std::int32_t>(imm1) < static_cast<std::int32_t>(imm0)) return bad(6);
      break;
    case fn::shift:
      if (imm0 > 31) return bad(5);
      break;
    case fn::exp:
    case fn::silu:
      if (imm0 < 1 || imm0 > 24) return bad(5);
      break;
    case fn::softmax:
      if (imm0 < 1 || imm0 > 24) return bad(5);
      if (imm1 > 0x7fffffffu) return bad(6);
      break;
    case fn::rmsnorm:
      if (imm0 > 24) return bad(5);
      break;
    default:
      break;
  }
  return {};
}

}  // namespace

fault check_fields(const words& w) {
  const auto opcode = static_cast<std::uint8_t>(w[0]);
  const auto flags = static_cast<std::uint8_t>(w[0] >> 8);
  const auto funct = static_cast<std::uint8_t>(w[0] >> 16);
  if (opcode > op::last) return {error::illegal_opcode, opcode};
  if ((w[0] >> 24) != 0) return bad(0);
  if (opcode == op::vector) {
    if (!fn::defined(funct) || (flags & ~vector_flags_allowed(funct)) != 0) return bad(0);
    return check_vector(w, flags, funct);
  }
  if (funct != 0) return bad(0);
  static const std::uint8_t flags_allowed[] = {0, 0, 1, 1, 1, 1, 1, 0, 0, 0, 0, 0};
  if ((flags & ~flags_allowed[opcode]) != 0) return bad(0);
  // Words an opcode does not use, from this one on, must be 0.
  auto zero_from = [&](unsigned k) -> fault {
    for (; k < 8; ++k)
      if (w[k] != 0) return bad(k);
    return {};
  };
  switch (opcode) {
    case op::nop:
    case op::fence:
      return zero_from(1);
    case op::irq:
      return zero_from(2);
    case op::config_store: {
      if (w[2] > 62) return bad(2);
      const auto lo = static_cast<std::int32_t>(w[4]), hi = static_cast<std::int32_t>(w[5]);
      if (lo < -128 || lo > 127) return bad(4);
      if (hi < lo || hi > 127) return bad(5);
      return zero_from(6);
    }
    case op::mvin:
    case op::mvout: {
      // mvin writes its laddr; mvout reads it; i8 / raw only with the accumulator.
      const bool writes = opcode == op::mvin;
      if (writes ? !write_ok(w[2]) : !read_ok(w[2])) return bad(2);
      if ((flags & 1) && !laddr_is_acc(w[2])) return bad(2);
      if (w[3] == 0) return bad(3);
      if (!cols_ok(w[4])) return bad(4);
      return zero_from(6);
    }
    case op::matmul:
      if (laddr_is_acc(w[1]) || !read_ok(w[1])) return bad(1);
      if (laddr_is_acc(w[2]) || !read_ok(w[2])) return bad(2);
      if (!laddr_is_acc(w[3])) return bad(3);
      if (w[4] == 0) return bad(4);
      return zero_from(5);
    case op::gather:
    case op::scatter: {
      const bool writes = opcode == op::gather;
      if (w[2] == 0) return bad(2);
      if (writes ? !write_ok(w[6]) : !read_ok(w[6])) return bad(6);
      if ((flags & 1) && !laddr_is_acc(w[6])) return bad(6);
      if (!cols_ok(w[7])) return bad(7);
      return {};
    }
    case op::config_sparse:
      return zero_from(5);
    case op::spmm:
      if (w[4] == 0) return bad(4);
      if (!laddr_is_acc(w[5])) return bad(5);
      if (!cols_ok(w[6])) return bad(6);
      return zero_from(7);
    default:
      return {};
  }
}

fault check_local(const words& w) {
  struct operand {
    unsigned word;
    std::uint64_t rows;
  };
  operand ops[3];
  unsigned n = 0;
  const auto opcode = static_cast<std::uint8_t>(w[0]);
  switch (opcode) {
    case op::mvin:
    case op::mvout:
      ops[n++] = {2, w[3]};
      break;
    case op::matmul:
      ops[n++] = {1, w[4]};
      ops[n++] = {2, lanes};
      ops[n++] = {3, w[4]};
      break;
    case op::gather:
    case op::scatter:
      ops[n++] = {6, w[2]};
      break;
    case op::spmm:
      ops[n++] = {5, w[4]};
      break;
    case op::vector: {
      const auto f = static_cast<std::uint8_t>(w[0] >> 16);
      const auto flags = static_cast<std::uint8_t>(w[0] >> 8);
      const std::uint64_t rows = w[4] & 0xffff;
      const std::uint64_t packed = (rows + lanes - 1) / lanes;  // one scalar per row
      if (fn::is_row(f)) {
        const std::uint64_t span = rows * rows_per_vector(w[4] >> 16);
        ops[n++] = {1, span};
        if (f == fn::quant) ops[n++] = {2, packed};
        ops[n++] = {3, f == fn::argmax ? packed : span};
      } else {
        ops[n++] = {1, rows};
        if (vector_uses(f, flags).b) ops[n++] = {2, (flags & flag::row_scalar) ? packed : rows};
        ops[n++] = {3, rows};
      }
      break;
    }
    default:
      break;
  }
  for (unsigned k = 0; k < n; ++k) {
    const std::uint32_t l = w[ops[k].word];
    const std::uint64_t size = laddr_is_acc(l) ? acc_rows : spad_rows;
    if (std::uint64_t{laddr_row(l)} + ops[k].rows > size) return {error::local_range, l};
  }
  return {};
}

fault check_static(const words& w) {
  if (fault f = check_fields(w)) return f;
  return check_local(w);
}

}  // namespace npu_ref
