// Integer element functions of the NPU (ip/npu/ISA.md, "Definitions"), bit-exact. int64
// intermediates as the ISA says; wider only where the ISA asks for an exact result.
#pragma once

#include <cstdint>
#include <vector>

namespace npu_ref {

constexpr std::int64_t clamp(std::int64_t x, std::int64_t lo, std::int64_t hi) {
  // min(max(x, lo), hi): with lo > hi the result is hi, as ISA.md defines it.
  return x < lo ? (lo < hi ? lo : hi) : (x > hi ? hi : x);
}
constexpr std::int8_t sat8(std::int64_t x) { return static_cast<std::int8_t>(clamp(x, -128, 127)); }
constexpr std::int32_t sat32(std::int64_t x) {
  return static_cast<std::int32_t>(clamp(x, INT32_MIN, INT32_MAX));
}
// Wrapping int32 addition (the accumulate bit of mvin, gather, matmul, spmm).
constexpr std::int32_t wrap_add(std::int32_t a, std::int32_t b) {
  return static_cast<std::int32_t>(static_cast<std::uint32_t>(a) + static_cast<std::uint32_t>(b));
}
// x * 2^s for any sign (ISA: "<< of a negative value is a multiplication").
constexpr std::int64_t shl(std::int64_t x, unsigned s) {
  return static_cast<std::int64_t>(static_cast<std::uint64_t>(x) << s);
}

// (x + 2^(s-1)) >> s, round half up; x when s = 0. s in 0..62.
std::int64_t round_shift(std::int64_t x, unsigned s);
// n / d rounded half away from zero; d > 0.
std::int64_t round_div(std::int64_t n, std::int64_t d);
// Largest s with s * s <= v.
std::uint64_t isqrt(std::uint64_t v);
// I-ViT shift-exp: ~2^f * e^(x / 2^f) for x <= 0 (x > 0 is taken as 0); f in 1..24.
std::int64_t iexp(std::int64_t x, unsigned f);
// Integer SiLU x * sigmoid(x) in Q.f; f in 1..24.
std::int64_t isilu(std::int64_t x, unsigned f);
// Softmax of a row in Q0.15: inputs Q.f, differences clipped at -c.
std::vector<std::int64_t> isoftmax(const std::vector<std::int32_t>& x, unsigned f, std::int64_t c);
// RMSNorm of a row without a gain: y_i = x_i * 2^q / rms, q in 0..24.
std::vector<std::int64_t> rmsnorm(const std::vector<std::int32_t>& x, unsigned q);
// Per-token dynamic quantisation: q_i in -127..127 and amax = max |x_i|.
struct quant_result {
  std::vector<std::int8_t> q;
  std::int64_t amax = 0;
};
quant_result quant(const std::vector<std::int32_t>& x);
// Index of the first maximum.
std::size_t argmax(const std::vector<std::int32_t>& x);

// The requantisation of mvout (config.store).
struct store_config {
  std::int32_t multiplier = 1;
  std::uint32_t shift = 0;
  std::int32_t zero_point = 0;
  std::int32_t clip_min = -128;
  std::int32_t clip_max = 127;
};
std::int8_t requant(std::int32_t x, const store_config& c);

// Packed int4: two signed nibbles per byte, the even element in the low nibble.
constexpr std::int8_t int4_lo(std::uint8_t b) { return static_cast<std::int8_t>(((b & 0xf) ^ 8) - 8); }
constexpr std::int8_t int4_hi(std::uint8_t b) { return static_cast<std::int8_t>(((b >> 4) ^ 8) - 8); }
constexpr std::uint8_t int4_pack(int lo, int hi) {
  return static_cast<std::uint8_t>((lo & 0xf) | ((hi & 0xf) << 4));
}

}  // namespace npu_ref
