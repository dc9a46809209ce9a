// A seeded generator of NPU programs for the differential tests: mostly valid instructions of
// every class over a small DRAM image with index and CSR arrays, a few with a flipped bit.
#pragma once

#include <cstring>
#include <random>
#include <vector>

#include "ip/npu/machine.h"
#include "tests/ip/npu/npu_test_support.h"

namespace nvr::npu::test {

inline constexpr std::uint32_t random_dram_base = 0x80000000u;

inline constexpr std::uint32_t random_dram_bytes = 1 << 16;

class program_generator {
 public:
  explicit program_generator(std::uint32_t seed) : m_rng(seed) {}
  std::uint32_t u(std::uint32_t lo, std::uint32_t hi) {
    return std::uniform_int_distribution<std::uint32_t>(lo, hi)(m_rng);
  }
  // Fault injection off: every instruction valid (for runs through the ring).
  bool mutate = true;
  bool chance(unsigned percent) { return u(0, 99) < percent; }
  std::uint32_t spad_row(std::uint32_t n) { return u(0, 64 - n); }
  std::uint32_t acc_row(std::uint32_t n) { return u(0, 64 - n); }
  std::uint32_t laddr(std::uint32_t n, bool allow_acc = true) {
    return allow_acc && chance(50) ? ac(acc_row(n), chance(30)) : sp(spad_row(n));
  }
  std::uint32_t dram(std::uint32_t bytes, unsigned align) {
    return random_dram_base + (u(0, (random_dram_bytes / 2 - bytes) / align) * align);
  }

  instruction next() {
    instruction in;
    switch (u(0, 11)) {
      case 0:
        in = config_store(static_cast<std::int32_t>(u(0, 2000)) - 1000, u(0, 20),
                          static_cast<std::int32_t>(u(0, 20)) - 10, -static_cast<std::int32_t>(u(0, 128)),
                          static_cast<std::int32_t>(u(0, 127)));
        break;
      case 1:
      case 2: {
        const std::uint32_t rows = u(1, 8), cols = u(1, 16);
        const std::uint32_t l = laddr(rows);
        const std::uint8_t flags = (l & acc_bit) && chance(50) ? 1 : 0;
        const unsigned element = (l & acc_bit) && !flags ? 4 : 1;
        const std::uint32_t stride = element * 16 * u(1, 2);
        in = mvin(dram(rows * stride, element), l, rows, cols, stride, flags);
        break;
      }
      case 3: {
        const std::uint32_t rows = u(1, 8), cols = u(1, 16);
        const std::uint32_t l = laddr(rows) & ~accumulate_bit;
        const std::uint8_t flags = (l & acc_bit) && chance(50) ? 1 : 0;
        const unsigned element = (l & acc_bit) && flags ? 4 : 1;
        const std::uint32_t stride = element * 16;
        in = mvout(random_dram_base + random_dram_bytes / 2 + u(0, 256) * element * 4, l, rows, cols, stride,
                   flags);
        break;
      }
      case 4:
      case 5:
        in = matmul(sp(spad_row(8)), sp(spad_row(16)), ac(acc_row(8), chance(50)), u(1, 8), chance(30));
        break;
      case 6: {
        const std::uint32_t count = u(1, 6), cols = u(1, 16);
        const std::uint32_t l = laddr(count);
        const bool i8 = (l & acc_bit) && chance(50);
        const unsigned element = (l & acc_bit) && !i8 ? 4 : 1;
        in = gather(m_index, count, dram(1024, 64), 8, 16 * element, l, cols, i8 ? 1 : 0);
        break;
      }
      case 7: {
        const std::uint32_t count = u(1, 6), cols = u(1, 16);
        const std::uint32_t l = laddr(count) & ~accumulate_bit;
        const bool add = (l & acc_bit) && chance(50);
        const unsigned element = (l & acc_bit) ? 4 : 1;
        in = scatter(m_index, count, random_dram_base + random_dram_bytes / 2 + 0x2000, 8, 16 * element, l,
                     cols, add);
        break;
      }
      case 8:
        in = config_sparse(m_row_ptr, m_col_idx, m_values, 12);
        break;
      case 9:
        in = spmm(dram(12 * 16, 1), 16, u(0, 7), u(1, 8), ac(acc_row(8), chance(30)), u(1, 16));
        break;
      case 10:
      case 11:
        in = random_vector();
        break;
    }
    if (mutate && chance(4)) in.w[u(0, 7)] ^= 1u << u(0, 31);  // an occasional bad field
    return in;
  }

  instruction random_vector() {
    static const std::uint8_t functs[] = {vf_add,     vf_max,   vf_mul,   vf_requant, vf_clip,
                                          vf_shift,   vf_exp,   vf_copy,  vf_silu,    vf_softmax,
                                          vf_rmsnorm, vf_quant, vf_argmax};
    const std::uint8_t f = functs[u(0, 12)];
    if (f >= vf_softmax) {
      const std::uint32_t rows = u(1, 3), length = u(1, 40), span = rows * ((length + 15) / 16);
      switch (f) {
        case vf_softmax:
          return vector(f, laddr(span), 0, laddr(span), rows, length, static_cast<std::int32_t>(u(1, 12)),
                        static_cast<std::int32_t>(u(0, 20)));
        case vf_rmsnorm:
          return vector(f, laddr(span), 0, laddr(span), rows, length, static_cast<std::int32_t>(u(0, 12)));
        case vf_quant:
          return vector(f, laddr(span), ac(acc_row(1)), sp(spad_row(span)), rows, length);
        default:
          return vector(f, laddr(span), 0, laddr(1), rows, length);
      }
    }
    const std::uint32_t rows = u(1, 8);
    const bool rs = (f <= vf_requant) && chance(30);
    const std::uint8_t flags =
        static_cast<std::uint8_t>((rs ? 2 : 0) | ((f == vf_requant || f == vf_copy) && chance(50) ? 1 : 0));
    const std::uint32_t b =
        (f <= vf_mul || (f == vf_requant && rs)) ? (laddr(rs ? 1 : rows) & ~accumulate_bit) : 0;
    const std::uint32_t a = laddr(rows) & ~accumulate_bit, dst = laddr(rows);
    switch (f) {
      case vf_mul:
        return vector(f, a, b, dst, rows, 0, static_cast<std::int32_t>(u(0, 10)), 0, 0, flags);
      case vf_requant:
        return vector(f, a, b, dst, rows, 0, rs ? 0 : static_cast<std::int32_t>(u(0, 1000)) - 500,
                      static_cast<std::int32_t>(u(0, 12)), static_cast<std::int32_t>(u(0, 20)) - 10, flags);
      case vf_clip: {
        const std::int32_t lo = static_cast<std::int32_t>(u(0, 200)) - 150;
        return vector(f, a, 0, dst, rows, 0, lo, lo + static_cast<std::int32_t>(u(0, 200)));
      }
      case vf_shift:
        return vector(f, a, 0, dst, rows, 0, static_cast<std::int32_t>(u(0, 31)));
      case vf_exp:
      case vf_silu:
        return vector(f, a, 0, dst, rows, 0, static_cast<std::int32_t>(u(1, 12)));
      case vf_copy:
        return vector(f, a, 0, dst, rows, 0, 0, 0, 0, flags);
      default:
        return vector(f, a, b, dst, rows, 0, 0, 0, 0, flags);
    }
  }

  // Fills DRAM with random bytes and valid index / CSR arrays.
  void prepare(std::vector<std::uint8_t>& dram) {
    for (auto& byte : dram) byte = static_cast<std::uint8_t>(u(0, 255));
    auto put32 = [&](std::uint32_t address, std::int32_t v) {
      std::memcpy(&dram[address - random_dram_base], &v, 4);
    };
    for (std::uint32_t i = 0; i < 8; ++i) put32(m_index + 4 * i, static_cast<std::int32_t>(u(0, 7)));
    std::int32_t nnz = 0;
    for (std::uint32_t r = 0; r <= 8; ++r) {
      put32(m_row_ptr + 4 * r, nnz);
      nnz += static_cast<std::int32_t>(u(0, 4));
    }
    for (std::int32_t j = 0; j < 40; ++j)
      put32(m_col_idx + 4 * static_cast<std::uint32_t>(j), static_cast<std::int32_t>(u(0, 11)));
  }

 private:
  std::mt19937 m_rng;
  const std::uint32_t m_index = random_dram_base + random_dram_bytes - 0x400;
  const std::uint32_t m_row_ptr = random_dram_base + random_dram_bytes - 0x300;
  const std::uint32_t m_col_idx = random_dram_base + random_dram_bytes - 0x200;
  const std::uint32_t m_values = random_dram_base + random_dram_bytes - 0x100;
};

}  // namespace nvr::npu::test
