// Instruction fields of the RV32 base formats, shared by the decoder (rv32_decode.cpp) and the
// disassembler (rv32_disasm.cpp), so both read an instruction the same way.
#pragma once

#include <cstdint>

namespace nvr::cpu::fields {

// Bits high..low of value, right-aligned.
constexpr std::uint32_t bits(std::uint32_t value, unsigned high, unsigned low) {
  return (value >> low) & ((1u << (high - low + 1)) - 1);
}

// The low `width` bits of value as a signed number.
constexpr std::int32_t sign_extend(std::uint32_t value, unsigned width) {
  const std::uint32_t sign = 1u << (width - 1);
  return static_cast<std::int32_t>((value ^ sign) - sign);
}

// The immediates of the I, S, B, J and U formats (RISC-V unprivileged spec, section 2.3).
constexpr std::int32_t imm_i(std::uint32_t raw) { return static_cast<std::int32_t>(raw) >> 20; }
constexpr std::int32_t imm_s(std::uint32_t raw) {
  return static_cast<std::int32_t>((raw & 0xfe000000u) | (bits(raw, 11, 7) << 20)) >> 20;
}
constexpr std::int32_t imm_b(std::uint32_t raw) {
  return sign_extend((bits(raw, 31, 31) << 12) | (bits(raw, 7, 7) << 11) | (bits(raw, 30, 25) << 5) |
                         (bits(raw, 11, 8) << 1),
                     13);
}
constexpr std::int32_t imm_j(std::uint32_t raw) {
  return sign_extend((bits(raw, 31, 31) << 20) | (bits(raw, 19, 12) << 12) | (bits(raw, 20, 20) << 11) |
                         (bits(raw, 30, 21) << 1),
                     21);
}
constexpr std::uint32_t imm_u(std::uint32_t raw) { return raw & 0xfffff000u; }

}  // namespace nvr::cpu::fields
